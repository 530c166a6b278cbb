/*  act_transport - messages between the groups of a run
    SPDX-License-Identifier: MPL-2.0

    Two ROUTER sockets per group, both used only on the loop thread. "in"
    binds ipc://RUNDIR/GROUP and takes messages from any peer; "out"
    connects to each peer on first use with the peer's name as routing
    id and ROUTER_MANDATORY, so a message is either queued toward a known
    peer or refused with an error we count: never dropped in silence. A
    full queue (the high-water mark) refuses with EAGAIN, which a tell
    from the loop returns to its caller. Replies go out on "out" too, so
    "in" never needs to know who is connected to it.

    Local actors get addresses on demand: a named actor is GROUP/NAME, an
    anonymous actor or inbox that sends to another group is given a name
    "_N" the first time, registered until it stops.
*/
#include "act_loop_priv.h"
#include "act_wire.h"
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/un.h>

#define ACT_RECV_BUDGET 1024    //  messages taken per poll round, as many
                                //  as one actor turn handles

typedef struct {
    char *name;                 //  group name
    bool down;                  //  stopped, says the supervisor
    bool connected;             //  "out" connected to its endpoint
    act_ref_t **asks;           //  waiters of asks sent to it (counted)
    uint32_t ask_count;
    uint32_t ask_cap;
} s_peer_t;

typedef struct {
    act_loop_t *loop;           //  our loop
    act_core_t *core;           //  its core (counters, names)
    char *group;                //  our group name
    char *rundir;               //  where the endpoints live
    void *in;                   //  ROUTER bound at our endpoint
    void *out;                  //  ROUTER connected to the peers
    zhashx_t *peers;            //  name -> s_peer_t
    int64_t max_size;           //  payload limit, bytes
    int hwm;                    //  queue limit per peer, messages
} s_transport_t;

static void
s_peer_destroy (void **item)
{
    s_peer_t *peer = (s_peer_t *) *item;
    *item = NULL;
    for (uint32_t i = 0; i < peer->ask_count; i++)
        act_ref_destroy (&peer->asks [i]);
    free (peer->asks);
    free (peer->name);
    free (peer);
}

static s_peer_t *
s_peer (s_transport_t *self, const char *name)
{
    s_peer_t *peer = (s_peer_t *) zhashx_lookup (self->peers, name);
    if (!peer) {
        peer = (s_peer_t *) calloc (1, sizeof (s_peer_t));
        if (!peer)
            abort ();
        peer->name = strdup (name);
        zhashx_insert (self->peers, name, peer);
    }
    return peer;
}

static int
s_peer_connect (s_transport_t *self, s_peer_t *peer)
{
    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", self->rundir, peer->name);
    zmq_setsockopt (self->out, ZMQ_CONNECT_ROUTING_ID, peer->name, strlen (peer->name));
    if (zmq_connect (self->out, endpoint))
        return -1;
    peer->connected = true;
    return 0;
}

static void
s_peer_track_ask (s_peer_t *peer, act_ref_t *waiter)
{
    if (peer->ask_count == peer->ask_cap) {
        //  Finished asks leave dead waiters: drop those before growing.
        uint32_t kept = 0;
        for (uint32_t i = 0; i < peer->ask_count; i++) {
            if (act_ref_alive (peer->asks [i]))
                peer->asks [kept++] = peer->asks [i];
            else
                act_ref_destroy (&peer->asks [i]);
        }
        peer->ask_count = kept;
        if (kept * 2 > peer->ask_cap || !peer->ask_cap) {
            peer->ask_cap = peer->ask_cap ? peer->ask_cap * 2 : 8;
            peer->asks = (act_ref_t **) realloc (peer->asks,
                                                 peer->ask_cap * sizeof (act_ref_t *));
            if (!peer->asks)
                abort ();
        }
    }
    peer->asks [peer->ask_count++] = act_ref_dup (waiter);
}

static void
s_peer_fail_asks (s_peer_t *peer)
{
    act_exit_t why = { ACT_EXIT_SHUTDOWN, 0 };
    for (uint32_t i = 0; i < peer->ask_count; i++) {
        if (act_ref_alive (peer->asks [i])) {
            act_msg_t *down = act_down_new (NULL, &why, ESRCH);
            act_tell (peer->asks [i], &down);
        }
        act_ref_destroy (&peer->asks [i]);
    }
    peer->ask_count = 0;
}

//  --------------------------------------------------------------------
//  Addresses

static bool
s_give_name (s_transport_t *self, act_ref_t *ref)
{
    //  Under the lock with the dead check: an inbox destroyed meanwhile
    //  (by its own thread) must not leave its name behind.
    bool ok = false;
    pthread_mutex_lock (&self->core->lock);
    if (!atomic_load (&ref->dead)
    && (ref->kind == ACT_REF_INBOX || ref->actor)) {
        char name [32];
        snprintf (name, sizeof name, "_%" PRIu64,
                  (uint64_t) atomic_fetch_add (&self->core->next_anon, 1));
        ref->name = strdup (name);
        zhashx_insert (self->core->names, name, ref);
        ok = true;
    }
    pthread_mutex_unlock (&self->core->lock);
    return ok;
}

static const char *
s_address (s_transport_t *self, act_ref_t *ref, char *buffer, size_t size)
{
    if (!ref)
        return NULL;
    if (ref->kind == ACT_REF_REMOTE)
        return ref->name;       //  forwarded: the first sender stays
    if (!ref->name && !s_give_name (self, ref))
        return NULL;
    snprintf (buffer, size, "%s/%s", self->group, ref->name);
    return buffer;
}

static act_ref_t *
s_ref_for (s_transport_t *self, const char *address)
{
    const char *slash = strchr (address, '/');
    size_t len = (size_t) (slash - address);
    if (strlen (self->group) == len && memcmp (self->group, address, len) == 0) {
        pthread_mutex_lock (&self->core->lock);
        act_ref_t *ref = (act_ref_t *) zhashx_lookup (self->core->names, slash + 1);
        if (ref)
            ref = act_ref_dup (ref);
        pthread_mutex_unlock (&self->core->lock);
        return ref;
    }
    act_ref_t *ref = act_ref_new (ACT_REF_REMOTE, self->core);
    ref->name = strdup (address);
    return ref;
}

//  --------------------------------------------------------------------
//  Sending

static void
s_put_down (unsigned char *p, const act_down_t *down)
{
    uint32_t fields [3] = { htonl ((uint32_t) down->exit.kind),
                            htonl ((uint32_t) down->exit.code),
                            htonl ((uint32_t) down->err) };
    memcpy (p, fields, sizeof fields);
}

static int
s_send (void *arg, act_ref_t *to, act_msg_t *msg)
{
    s_transport_t *self = (s_transport_t *) arg;
    const char *slash = strchr (to->name, '/');
    char group [ACT_WIRE_NAME_MAX + 1];
    size_t len = (size_t) (slash - to->name);
    if (len > ACT_WIRE_NAME_MAX)
        len = ACT_WIRE_NAME_MAX;
    memcpy (group, to->name, len);
    group [len] = 0;
    s_peer_t *peer = s_peer (self, group);
    int err = 0;
    if (peer->down)
        err = EHOSTUNREACH;
    else
    if (!peer->connected && s_peer_connect (self, peer))
        err = errno;
    if (err) {
        atomic_fetch_add (&self->core->dropped, 1);
        if ((msg->flags & ACT_MSG_F_ASK) && msg->sender) {
            act_exit_t why = { ACT_EXIT_SHUTDOWN, 0 };
            act_msg_t *down = act_down_new (NULL, &why, ESRCH);
            act_tell (msg->sender, &down);
        }
        act_msg_destroy (&msg);
        errno = err;
        return -1;
    }
    uint32_t flags = (msg->flags & ACT_MSG_F_ASK) ? ACT_WIRE_F_ASK : 0;
    if (msg->type == ACT_MSG_DOWN) {
        //  A failure notice for an asker over there: the codec carries it
        //  as an error reply, type 0, fields in network order.
        act_down_t down = { { ACT_EXIT_NORMAL, 0 }, ESRCH };
        if (msg->size == sizeof down)
            memcpy (&down, msg->data, sizeof down);
        act_msg_t *notice = act_msg_new_internal (0, NULL, 12);
        s_put_down (notice->data, &down);
        notice->corr = msg->corr;
        act_msg_destroy (&msg);
        msg = notice;
        flags = ACT_WIRE_F_ERROR;
    }
    char sender_buf [ACT_WIRE_ADDR_MAX + 1];
    const char *sender = s_address (self, msg->sender, sender_buf, sizeof sender_buf);
    act_ref_t *waiter = (flags & ACT_WIRE_F_ASK) ? act_ref_dup (msg->sender) : NULL;
    if (act_wire_send (self->out, group, slash + 1, sender, flags, &msg)) {
        err = errno;
        atomic_fetch_add (&self->core->dropped, 1);
        if (waiter) {
            act_exit_t why = { ACT_EXIT_NORMAL, 0 };
            act_msg_t *down = act_down_new (NULL, &why, err == EAGAIN ? EAGAIN : ESRCH);
            act_tell (waiter, &down);
        }
        act_ref_destroy (&waiter);
        act_msg_destroy (&msg);
        errno = err;
        return -1;
    }
    atomic_fetch_add_explicit (&self->core->sent, 1, memory_order_relaxed);
    if (waiter) {
        s_peer_track_ask (peer, waiter);
        act_ref_destroy (&waiter);
    }
    return 0;
}

static void
s_send_error (s_transport_t *self, const act_wire_head_t *head, int err)
{
    //  Only to a well-formed sender in another group: never answer
    //  garbage, and never loop error replies.
    if (!head->sender [0] || (head->flags & ACT_WIRE_F_ERROR))
        return;
    act_ref_t *to = s_ref_for (self, head->sender);
    if (!to)
        return;
    act_exit_t why = { ACT_EXIT_ERROR, err };
    act_msg_t *down = act_down_new (NULL, &why, err);
    down->corr = head->corr;
    act_loop_deliver (self->loop, to, down);
    act_ref_destroy (&to);
}

//  --------------------------------------------------------------------
//  Receiving

static void
s_deliver (s_transport_t *self, const act_wire_head_t *head)
{
    pthread_mutex_lock (&self->core->lock);
    act_ref_t *target = (act_ref_t *) zhashx_lookup (self->core->names, head->target);
    if (target)
        target = act_ref_dup (target);
    pthread_mutex_unlock (&self->core->lock);

    if (!target) {
        atomic_fetch_add (&self->core->unknown, 1);
        atomic_fetch_add (&self->core->dead_letters, 1);
        if (head->flags & ACT_WIRE_F_ASK)
            s_send_error (self, head, ENOENT);
        return;
    }
    act_msg_t *msg;
    if (head->flags & ACT_WIRE_F_ERROR) {
        act_down_t down = { { ACT_EXIT_ERROR, 0 }, ESRCH };
        if (head->size == 12) {
            uint32_t fields [3];
            memcpy (fields, head->payload, sizeof fields);
            down.exit.kind = (act_exit_kind_t) ntohl (fields [0]);
            down.exit.code = (int) ntohl (fields [1]);
            down.err = (int) ntohl (fields [2]);
            if ((unsigned) down.exit.kind > ACT_EXIT_SHUTDOWN)
                down.exit.kind = ACT_EXIT_ERROR;
        }
        msg = act_msg_new_internal (ACT_MSG_DOWN, &down, sizeof down);
    }
    else {
        msg = act_msg_new_internal (head->type, head->payload, head->size);
        if (head->flags & ACT_WIRE_F_ASK)
            msg->flags |= ACT_MSG_F_ASK;
    }
    msg->corr = head->corr;
    if (head->sender [0])
        msg->sender = s_ref_for (self, head->sender);
    atomic_fetch_add_explicit (&self->core->received, 1, memory_order_relaxed);
    act_loop_deliver (self->loop, target, msg);
    act_ref_destroy (&target);
}

static void
s_recv (void *arg)
{
    s_transport_t *self = (s_transport_t *) arg;
    //  The routing id, the four frames, and one more to see too many.
    zmq_msg_t parts [ACT_WIRE_FRAMES + 2];
    for (int round = 0; round < ACT_RECV_BUDGET; round++) {
        zmq_msg_init (&parts [0]);
        if (zmq_msg_recv (&parts [0], self->in, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&parts [0]);
            break;
        }
        size_t count = 1;
        bool more = zmq_msg_more (&parts [0]);
        bool overflow = false;
        while (more) {
            zmq_msg_t *part = &parts [count < ACT_WIRE_FRAMES + 1 ? count : ACT_WIRE_FRAMES + 1];
            zmq_msg_init (part);
            if (zmq_msg_recv (part, self->in, 0) < 0) {
                zmq_msg_close (part);
                break;
            }
            more = zmq_msg_more (part);
            if (count < ACT_WIRE_FRAMES + 1)
                count++;
            else {
                overflow = true;
                zmq_msg_close (part);
            }
        }
        act_wire_frame_t frames [ACT_WIRE_FRAMES];
        size_t frame_count = count - 1;
        for (size_t i = 0; i < frame_count; i++)
            frames [i] = (act_wire_frame_t) { zmq_msg_data (&parts [i + 1]),
                                              zmq_msg_size (&parts [i + 1]) };
        act_wire_head_t head;
        act_wire_reason_t reason = overflow ? ACT_WIRE_BAD_FRAMES
            : act_wire_decode (frames, frame_count, (size_t) self->max_size, &head);
        if (reason == ACT_WIRE_OK)
            s_deliver (self, &head);
        else {
            uint64_t bad = atomic_fetch_add (&self->core->malformed, 1) + 1;
            //  A log line per power of two: a flood cannot flood the log.
            if ((bad & (bad - 1)) == 0)
                zsys_warning ("actorio: %s: dropped malformed message (%s), %" PRIu64
                              " so far", self->group, act_wire_reason_name (reason), bad);
        }
        for (size_t i = 0; i < count; i++)
            zmq_msg_close (&parts [i]);
    }
}

//  --------------------------------------------------------------------
//  Life cycle

static void
s_destroy (void *arg)
{
    s_transport_t *self = (s_transport_t *) arg;
    zmq_close (self->in);
    zmq_close (self->out);
    zhashx_destroy (&self->peers);
    free (self->group);
    free (self->rundir);
    free (self);
}

typedef struct {
    const char *group;
    const char *rundir;
    int64_t max_size;
    int hwm;
} s_join_args_t;

static int
s_join (act_loop_t *loop, void *arg)
{
    s_join_args_t *args = (s_join_args_t *) arg;
    act_core_t *core = act_loop_core (loop);
    if (core->group) {
        errno = EALREADY;
        return -1;
    }
    s_transport_t *self = (s_transport_t *) calloc (1, sizeof (s_transport_t));
    if (!self)
        abort ();
    self->loop = loop;
    self->core = core;
    self->group = strdup (args->group);
    self->rundir = strdup (args->rundir);
    self->max_size = args->max_size;
    self->hwm = args->hwm;
    self->peers = zhashx_new ();
    zhashx_set_destructor (self->peers, s_peer_destroy);

    void *context = zsys_init ();
    self->in = zmq_socket (context, ZMQ_ROUTER);
    self->out = zmq_socket (context, ZMQ_ROUTER);
    int one = 1, linger = 200, uid = (int) getuid ();
    zmq_setsockopt (self->in, ZMQ_MAXMSGSIZE, &self->max_size, sizeof self->max_size);
    zmq_setsockopt (self->in, ZMQ_RCVHWM, &self->hwm, sizeof self->hwm);
    zmq_setsockopt (self->in, ZMQ_LINGER, &linger, sizeof linger);
    //  Only processes of our own user may connect (SO_PEERCRED).
    zmq_setsockopt (self->in, ZMQ_IPC_FILTER_UID, &uid, sizeof uid);
    zmq_setsockopt (self->out, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt (self->out, ZMQ_SNDHWM, &self->hwm, sizeof self->hwm);
    zmq_setsockopt (self->out, ZMQ_LINGER, &linger, sizeof linger);

    char endpoint [PATH_MAX + 8];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/%s", args->rundir, args->group);
    //  A socket file left by a group that crashed would make bind fail;
    //  the supervisor holds the run's lock, so no live group owns it.
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/%s", args->rundir, args->group);
    unlink (path);
    if (zmq_bind (self->in, endpoint)) {
        int err = errno;
        s_destroy (self);
        errno = err;
        return -1;
    }
    chmod (path, 0600);
    pthread_mutex_lock (&core->lock);
    core->group = strdup (args->group);
    pthread_mutex_unlock (&core->lock);
    act_link_t link = { self, self->in, s_send, s_recv, s_destroy };
    act_loop_set_link (loop, &link);
    return 0;
}

int
act_transport_join (act_system_t *system, const char *group, const char *rundir,
                    int64_t max_msg_size, int hwm)
{
    if (!system || !group || !rundir || max_msg_size < 0 || hwm < 0
    ||  !act_wire_name_valid (group, strlen (group))
    ||  strlen (rundir) + strlen (group) + 2 > sizeof (((struct sockaddr_un *) 0)->sun_path)) {
        errno = EINVAL;
        return -1;
    }
    s_join_args_t args = { group, rundir,
                           max_msg_size ? max_msg_size : ACT_TRANSPORT_MAXMSG_DEFAULT,
                           hwm ? hwm : ACT_TRANSPORT_HWM_DEFAULT };
    return act_loop_call (system, s_join, &args);
}

typedef struct {
    const char *peer;
    bool down;
} s_peer_args_t;

static int
s_peer_state (act_loop_t *loop, void *arg)
{
    s_peer_args_t *args = (s_peer_args_t *) arg;
    act_core_t *core = act_loop_core (loop);
    if (!core->group) {
        errno = EINVAL;
        return -1;
    }
    //  The link's self is our transport: the loop gives it back.
    s_transport_t *self = (s_transport_t *) act_loop_link_self (loop);
    s_peer_t *peer = s_peer (self, args->peer);
    peer->down = args->down;
    if (args->down)
        s_peer_fail_asks (peer);
    return 0;
}

static int
s_peer_call (act_system_t *system, const char *peer, bool down)
{
    if (!system || !peer || !act_wire_name_valid (peer, strlen (peer))) {
        errno = EINVAL;
        return -1;
    }
    s_peer_args_t args = { peer, down };
    return act_loop_call (system, s_peer_state, &args);
}

int
act_transport_peer_down (act_system_t *system, const char *peer)
{
    return s_peer_call (system, peer, true);
}

int
act_transport_peer_up (act_system_t *system, const char *peer)
{
    return s_peer_call (system, peer, false);
}

int
act_transport_stats (act_system_t *system, act_transport_stats_t *stats)
{
    act_core_t *core = act_system_core (system);
    if (!core || !stats) {
        errno = EINVAL;
        return -1;
    }
    stats->sent = atomic_load (&core->sent);
    stats->received = atomic_load (&core->received);
    stats->dropped = atomic_load (&core->dropped);
    stats->malformed = atomic_load (&core->malformed);
    stats->unknown = atomic_load (&core->unknown);
    return 0;
}

const char *
act_transport_group (act_system_t *system)
{
    act_core_t *core = act_system_core (system);
    return core ? core->group : NULL;
}
