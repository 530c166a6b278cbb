/*  act_transport - the public face of the peer layer: joining a run,
    peers up and down, bounds, counters
    SPDX-License-Identifier: MPL-2.0

    Every call checks its arguments here and runs on the system's loop
    thread (act_loop_call), where the peer layer (act_peer.c) lives; the
    counters are read in place when the caller is that thread already.
*/
#include "act_link.h"
#include "act_region.h"
#include <sys/un.h>

typedef struct {
    act_peers_conf_t conf;
} s_join_args_t;

static int
s_join (act_loop_t *loop, void *arg)
{
    return act_peers_join (loop, &((s_join_args_t *) arg)->conf);
}

//  conf checked, its defaults filled in; false + EINVAL if it is bad.
static bool
s_conf_check (act_peers_conf_t *conf)
{
    if (!conf->group || !conf->rundir || conf->max_size < 0 || conf->hwm < 0
    ||  !act_name_valid (conf->group)
    ||  strlen (conf->rundir) + strlen (conf->group) + 2
        > sizeof (((struct sockaddr_un *) 0)->sun_path)
    ||  (conf->region && !act_region_has (conf->region, conf->group))) {
        errno = EINVAL;
        return false;
    }
    if (!conf->max_size)
        conf->max_size = ACT_TRANSPORT_MAXMSG_DEFAULT;
    if (!conf->hwm)
        conf->hwm = ACT_TRANSPORT_HWM_DEFAULT;
    return true;
}

int
act_peers_join_system (act_system_t *system, act_peers_conf_t conf)
{
    if (!system || !s_conf_check (&conf)) {
        errno = EINVAL;
        return -1;
    }
    s_join_args_t args = { conf };
    return act_loop_call (system, s_join, &args);
}

int
act_transport_join (act_system_t *system, const char *group, const char *rundir,
                    int64_t max_msg_size, int hwm)
{
    act_peers_conf_t conf = { group, rundir, NULL, max_msg_size, hwm, NULL, NULL };
    return act_peers_join_system (system, conf);
}

int
act_transport_join_region (act_system_t *system, const char *group, const char *rundir,
                           act_region_t *region, int64_t max_msg_size, int hwm)
{
    if (!region) {
        errno = EINVAL;
        return -1;
    }
    act_peers_conf_t conf = { group, rundir, region, max_msg_size, hwm, NULL, NULL };
    return act_peers_join_system (system, conf);
}

//  The peer layer of the loop, or NULL + EINVAL: not joined.
static act_peers_t *
s_peers (act_loop_t *loop)
{
    act_peers_t *peers = (act_peers_t *) act_loop_net_self (loop);
    if (!peers)
        errno = EINVAL;
    return peers;
}

typedef struct {
    const char *peer;
    bool down;
    uint32_t life;
} s_peer_args_t;

static int
s_peer_state (act_loop_t *loop, void *arg)
{
    s_peer_args_t *args = (s_peer_args_t *) arg;
    act_peers_t *peers = s_peers (loop);
    if (!peers)
        return -1;
    act_peers_peer_life (peers, args->peer, args->down, args->life);
    return 0;
}

int
act_transport_peer_life (act_system_t *system, const char *peer, bool down, uint32_t life)
{
    if (!system || !act_name_valid (peer)) {
        errno = EINVAL;
        return -1;
    }
    s_peer_args_t args = { peer, down, life };
    return act_loop_call (system, s_peer_state, &args);
}

int
act_transport_peer_down (act_system_t *system, const char *peer)
{
    return act_transport_peer_life (system, peer, true, 0);
}

int
act_transport_peer_up (act_system_t *system, const char *peer)
{
    return act_transport_peer_life (system, peer, false, 0);
}

typedef struct {
    act_link_tcp_peer_fn *fn;
    void *arg;
} s_remote_args_t;

static int
s_remote (act_loop_t *loop, void *arg)
{
    s_remote_args_t *args = (s_remote_args_t *) arg;
    act_peers_t *peers = s_peers (loop);
    if (!peers)
        return -1;
    void *tcp = act_peers_link (peers, "tcp");
    if (tcp)
        act_link_tcp_peers (tcp, args->fn, args->arg);
    return 0;
}

int
act_peers_remote (act_system_t *system, act_link_tcp_peer_fn *fn, void *arg)
{
    if (!system || !fn) {
        errno = EINVAL;
        return -1;
    }
    s_remote_args_t args = { fn, arg };
    return act_loop_call (system, s_remote, &args);
}

typedef struct {
    size_t max;
    size_t bytes;
} s_inbound_args_t;

static int
s_inbound (act_loop_t *loop, void *arg)
{
    s_inbound_args_t *args = (s_inbound_args_t *) arg;
    act_peers_t *peers = s_peers (loop);
    if (!peers)
        return -1;
    act_peers_set_inbound (peers, args->max, args->bytes);
    return 0;
}

int
act_transport_set_inbound (act_system_t *system, size_t max_msgs, size_t max_bytes)
{
    if (!system) {
        errno = EINVAL;
        return -1;
    }
    s_inbound_args_t args = { max_msgs, max_bytes };
    return act_loop_call (system, s_inbound, &args);
}

//  A group host's start: the join and the inbound bounds, the calls
//  act_peers_join_system and act_transport_set_inbound make, run by the
//  loop thread before the system is handed out (act_system_start).
typedef struct {
    s_join_args_t join;
    s_inbound_args_t inbound;
    act_peers_gate_fn *gate;
    void *gate_arg;
    act_peers_started_fn *started;
    void *started_arg;
} s_start_args_t;

static int
s_start (act_loop_t *loop, void *arg)
{
    s_start_args_t *args = (s_start_args_t *) arg;
    act_peers_t *peers = act_peers_prepare (loop, &args->join.conf);
    if (!peers)
        return -1;
    if (args->gate && args->gate (args->gate_arg)) {
        act_peers_discard (peers);
        errno = ECANCELED;
        return -1;
    }
    if (act_peers_start (peers, &args->join.conf) || s_inbound (loop, &args->inbound))
        return -1;
    if (args->started)
        args->started (act_loop_core (loop), args->started_arg);
    return 0;
}

act_system_t *
act_peers_system_new (act_peers_conf_t conf, size_t inbound_max, size_t inbound_bytes,
                      act_peers_gate_fn *gate, void *gate_arg,
                      act_peers_started_fn *started, void *started_arg)
{
    if (!s_conf_check (&conf))
        return NULL;
    s_start_args_t args = { { conf }, { inbound_max, inbound_bytes }, gate, gate_arg,
                            started, started_arg };
    return act_system_start (conf.group, false, s_start, &args);
}

typedef struct {
    const char *kind;           //  a link kind, or NULL for all
    act_transport_stats_t *stats;
} s_stats_args_t;

static int
s_stats_read (act_loop_t *loop, void *arg)
{
    s_stats_args_t *args = (s_stats_args_t *) arg;
    return act_peers_stats ((act_peers_t *) act_loop_net_self (loop), args->kind,
                            args->stats);
}

//  On the loop thread the counters are read in place; from another
//  thread the loop reads them, as the peer layer may be going away.
static int
s_stats (act_core_t *core, const char *kind, act_transport_stats_t *stats)
{
    if (!core || !stats) {
        errno = EINVAL;
        return -1;
    }
    s_stats_args_t args = { kind, stats };
    act_loop_t *loop = act_loop_current;
    if (loop && act_loop_core (loop) == core)
        return s_stats_read (loop, &args);
    return -2;
}

int
act_transport_stats (act_system_t *system, act_transport_stats_t *stats)
{
    return act_transport_link_stats (system, NULL, stats);
}

int
act_transport_link_stats (act_system_t *system, const char *kind,
                          act_transport_stats_t *stats)
{
    int rc = s_stats (act_system_core (system), kind, stats);
    if (rc != -2)
        return rc;
    s_stats_args_t args = { kind, stats };
    rc = act_loop_call (system, s_stats_read, &args);
    if (rc && errno == ECANCELED) {
        //  The loop has ended: nothing was counted since; report zeros.
        memset (stats, 0, sizeof *stats);
        return kind ? (errno = ENOENT, -1) : 0;
    }
    return rc;
}

int
act_transport_actor_stats (act_t *self, act_transport_stats_t *stats)
{
    act_ref_t *ref = act_self (self);
    int rc = s_stats (ref ? ref->core : NULL, NULL, stats);
    if (rc == -2) {
        errno = EINVAL;
        return -1;
    }
    return rc;
}

const char *
act_transport_group (act_system_t *system)
{
    act_core_t *core = act_system_core (system);
    return core ? core->group : NULL;
}
