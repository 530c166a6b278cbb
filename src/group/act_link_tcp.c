/*  act_link_tcp - the tcp link: the groups of other nodes, over ZeroMQ
    tcp:// with CURVE
    SPDX-License-Identifier: MPL-2.0

    The ipc link's sockets and batches (act_link_zmq.c) on another medium:
    every group binds its own tcp endpoint (its node's PORT plus its rank
    on the node, see actorio-topology(5)) and reaches each group of
    another node at its endpoint. Both ends speak CURVE: "in" is a CURVE
    server with the node's secret key, "out" a client that names the
    server key of the peer's node at each connect. A ZAP handler (czmq's
    zauth, in this process's context) admits only the public keys of the
    topology's nodes; ZMQ_ZAP_ENFORCE_DOMAIN makes libzmq refuse every
    client if that handler is not there, rather than admit them all.
    Refused handshakes (an unknown key, a NULL or PLAIN client) count as
    refused connections, through the monitor the ipc link has.

    Liveness is ZMTP's heartbeat on each connection (it judges the link,
    not a loop): a connection silent for S_HEARTBEAT_TIMEOUT_MS, closed,
    or refused on connect marks its group down as the supervisor marks a
    local group that died (asks to it fail at once, tells are refused and
    counted); a new handshake marks it up again. A peer is down at most
    S_HEARTBEAT_IVL_MS + S_HEARTBEAT_TIMEOUT_MS after its node went
    silent, at once when its host closed the connection.
*/
#include "act_link.h"
#include "act_host.h"

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#   define ZMQ_ZAP_ENFORCE_DOMAIN 93        //  a draft option in libzmq 4.3's header
#endif

#define S_HEARTBEAT_IVL_MS      1000    //  a PING after this long without traffic
#define S_HEARTBEAT_TIMEOUT_MS  3000    //  no traffic for this long: down
#define S_RECONNECT_MAX_MS      1000    //  longest wait between connects to
                                        //  a peer that is not there
#define S_ZAP_DOMAIN            "actorio"

typedef struct {
    act_peers_t *peers;         //  the peer layer above
    const act_group_net_t *net; //  the run's map, borrowed
    const act_group_place_t *us;    //  our group's place in it
    zhashx_t *by_name;          //  group name -> its place (others' only)
    zhashx_t *by_endpoint;      //  its endpoint -> its place
    zhashx_t *down;             //  names of the groups marked down
    zhashx_t *seen;             //  names of those ever connected
    zactor_t *auth;             //  the ZAP handler, or NULL: plain
} s_tcp_t;

static bool
s_reaches (void *link, const char *peer)
{
    s_tcp_t *self = (s_tcp_t *) act_link_zmq_arg (link);
    return zhashx_lookup (self->by_name, peer) != NULL;
}

static void
s_heartbeat (void *socket)
{
    int ivl = S_HEARTBEAT_IVL_MS, timeout = S_HEARTBEAT_TIMEOUT_MS;
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    //  The peer's side of our connection times out as ours does
    zmq_setsockopt (socket, ZMQ_HEARTBEAT_TTL, &timeout, sizeof timeout);
}

static int
s_bind (void *arg, void *in, void *out)
{
    s_tcp_t *self = (s_tcp_t *) arg;
    s_heartbeat (in);
    s_heartbeat (out);
    int reconnect = S_RECONNECT_MAX_MS;
    zmq_setsockopt (out, ZMQ_RECONNECT_IVL_MAX, &reconnect, sizeof reconnect);
    if (self->auth) {
        int one = 1;
        const char *secret = self->net->secret_key;
        const char *public = self->net->public_key;
        if (zmq_setsockopt (in, ZMQ_CURVE_SERVER, &one, sizeof one)
        ||  zmq_setsockopt (in, ZMQ_CURVE_SECRETKEY, secret, strlen (secret))
        ||  zmq_setsockopt (in, ZMQ_ZAP_DOMAIN, S_ZAP_DOMAIN, strlen (S_ZAP_DOMAIN))
        ||  zmq_setsockopt (in, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one)
        ||  zmq_setsockopt (out, ZMQ_CURVE_PUBLICKEY, public, strlen (public))
        ||  zmq_setsockopt (out, ZMQ_CURVE_SECRETKEY, secret, strlen (secret)))
            return -1;
    }
    return zmq_bind (in, self->us->endpoint);
}

static int
s_connect (void *arg, void *out, const char *peer, char *endpoint, size_t size)
{
    s_tcp_t *self = (s_tcp_t *) arg;
    const act_group_place_t *place =
        (const act_group_place_t *) zhashx_lookup (self->by_name, peer);
    if (!place) {
        errno = EHOSTUNREACH;
        return -1;
    }
    //  Taken by the connection zmq_connect makes next
    if (self->auth && zmq_setsockopt (out, ZMQ_CURVE_SERVERKEY, place->public_key,
                                      strlen (place->public_key)))
        return -1;
    snprintf (endpoint, size, "%s", place->endpoint);
    return 0;
}

static void
s_out_event (void *arg, int event, const char *endpoint)
{
    s_tcp_t *self = (s_tcp_t *) arg;
    const act_group_place_t *place =
        (const act_group_place_t *) zhashx_lookup (self->by_endpoint, endpoint);
    if (!place)
        return;
    bool down = event != ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
    bool was_down = zhashx_lookup (self->down, place->name) != NULL;
    if (!down)
        zhashx_insert (self->seen, place->name, (void *) place);
    if (down == was_down)
        return;
    if (down) {
        zhashx_insert (self->down, place->name, (void *) place);
        zsys_warning ("actorio: %s: group %s on node %s is unreachable at %s (%s): "
                      "asks to it fail, tells to it are refused until it is back",
                      act_peers_group (self->peers), place->name, place->node,
                      endpoint, event == ZMQ_EVENT_CONNECT_RETRIED
                      ? "connection refused" : "connection lost");
    }
    else {
        zhashx_delete (self->down, place->name);
        zhashx_insert (self->seen, place->name, (void *) place);
        zsys_info ("actorio: %s: group %s on node %s is back",
                   act_peers_group (self->peers), place->name, place->node);
    }
    act_peers_peer_state (self->peers, place->name, down);
}

static void
s_close (void *arg)
{
    s_tcp_t *self = (s_tcp_t *) arg;
    zactor_destroy (&self->auth);
    zhashx_destroy (&self->by_name);
    zhashx_destroy (&self->by_endpoint);
    zhashx_destroy (&self->down);
    zhashx_destroy (&self->seen);
    free (self);
}

//  The ZAP handler, admitting the nodes' public keys alone.
static zactor_t *
s_auth_new (const act_group_net_t *net)
{
    zcertstore_t *store = zcertstore_new (NULL);
    for (size_t i = 0; i < net->group_count; i++) {
        const char *key = net->groups [i].public_key;
        if (strlen (key) != 40 || zcertstore_lookup (store, key))
            continue;
        uint8_t public [32], secret [32] = { 0 };
        zmq_z85_decode (public, key);
        zcert_t *cert = zcert_new_from (public, secret);
        zcertstore_insert (store, &cert);
    }
    //  zauth owns the store from here
    return zactor_new (zauth, store);
}

void *
act_link_tcp_open (act_peers_t *peers, act_link_stats_t *stats, const act_group_net_t *net,
                   const char *rundir, int64_t max_size, int hwm)
{
    s_tcp_t *self = (s_tcp_t *) calloc (1, sizeof (s_tcp_t));
    if (!self)
        abort ();
    self->peers = peers;
    self->net = net;
    self->by_name = zhashx_new ();
    self->by_endpoint = zhashx_new ();
    self->down = zhashx_new ();
    self->seen = zhashx_new ();
    const char *group = act_peers_group (peers);
    for (size_t i = 0; i < net->group_count; i++) {
        const act_group_place_t *place = &net->groups [i];
        if (streq (place->name, group))
            self->us = place;
        else
        if (!streq (place->node, net->node)) {
            zhashx_insert (self->by_name, place->name, (void *) place);
            zhashx_insert (self->by_endpoint, place->endpoint, (void *) place);
        }
    }
    if (!self->us || !self->us->endpoint
    ||  (!net->plain && !(self->auth = s_auth_new (net)))) {
        s_close (self);
        errno = EINVAL;
        return NULL;
    }
    act_link_zmq_medium_t medium = {
        //  from_run NULL: only a handshake that failed is a refusal; a
        //  connection that passed one is a node's, and ends when it goes
        self, s_bind, s_connect, NULL, s_out_event, s_close
    };
    void *link = act_link_zmq_open_medium (peers, stats, &medium, rundir, max_size, hwm);
    if (!link) {
        int err = errno;
        s_close (self);
        errno = err;
    }
    return link;
}

void
act_link_tcp_peers (void *link, act_link_tcp_peer_fn *fn, void *arg)
{
    s_tcp_t *self = (s_tcp_t *) act_link_zmq_arg (link);
    for (size_t i = 0; i < self->net->group_count; i++) {
        const act_group_place_t *place = &self->net->groups [i];
        if (zhashx_lookup (self->by_name, place->name))
            fn (arg, place->name, place->node,
                zhashx_lookup (self->down, place->name) ? "down"
                : zhashx_lookup (self->seen, place->name) ? "up" : "idle");
    }
}

const act_link_ops_t act_link_tcp = ACT_LINK_ZMQ_OPS ("tcp", s_reaches);
