/*  act_transport - messages between the groups of a run
    SPDX-License-Identifier: MPL-2.0

    A system that joins a run as group G reaches every other group H of
    the run through a link: the run's shared region (act_region.h) when
    both joined it, else ZeroMQ over ipc://RUNDIR/H (G binds
    ipc://RUNDIR/G either way), opening the way on first use. After that,
    act_lookup (system, "H/actor") gives a reference that act_tell and
    act_ask use like any other, and replies find their way back to
    senders in any group. Delivery between groups is FIFO per
    sender/receiver pair and at most once; see act_transport(3),
    actorio-shm(7) and actorio-wire(7).
*/
#ifndef ACT_TRANSPORT_H_INCLUDED
#define ACT_TRANSPORT_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Defaults of act_transport_join.
#define ACT_TRANSPORT_HWM_DEFAULT      1000         //  messages per peer
#define ACT_TRANSPORT_MAXMSG_DEFAULT   (1 << 20)    //  bytes per message
#define ACT_TRANSPORT_INBOUND_MAX_DEFAULT   65536           //  messages
#define ACT_TRANSPORT_INBOUND_BYTES_DEFAULT (64 << 20)      //  bytes
//  Groups a group sends to at most (four times the groups a topology may
//  hold); a send to one more is refused with EHOSTUNREACH
#define ACT_PEERS_MAX                  4096

typedef struct {
    uint64_t sent;              //  messages accepted for a peer (batched for
                                //  ZeroMQ; one whose batch could not be
                                //  handed over moves to dropped)
    uint64_t received;          //  messages from peers delivered here
    uint64_t dropped;           //  refused sends: peer down, or its queue
                                //  at the high-water mark; on ipc and
                                //  tcp, messages from a connection that
                                //  names no group (act_transport(3))
    uint64_t malformed;         //  frame sets refused by the codec
    uint64_t unknown;           //  messages for an actor that is not here
    uint64_t resets;            //  links (shm rings) reset after bad input
    uint64_t pauses;            //  times input was paused: too much queued
                                //  for the group's actors (all links)
    uint64_t refused_connections;   //  connections to the group's endpoint
                                //  libzmq refused or dropped: bad handshake,
                                //  refused at accept, or from a process
                                //  outside the run (a frame over the limit)
} act_transport_stats_t;

//  Join a run as group: bind ipc://RUNDIR/GROUP (socket file mode 0600,
//  peers of other uids refused). max_msg_size caps a message in bytes
//  (0: ACT_TRANSPORT_MAXMSG_DEFAULT; a larger tell fails with EMSGSIZE);
//  hwm bounds the messages queued toward one peer (0:
//  ACT_TRANSPORT_HWM_DEFAULT), past which act_tell fails with EAGAIN. The
//  bound is loose: ZeroMQ counts batches, and kernel buffers and the
//  peer's mailbox hold more; memory stays bounded all the same. Call once, before telling other groups. 0, or -1 with errno
//  EINVAL (bad name, path too long), EALREADY (joined), or the error of
//  bind. A socket file left at the endpoint is replaced: the supervisor's
//  lock on the run directory makes sure no live group owns it.
ACT_EXPORT int
    act_transport_join (act_system_t *system, const char *group,
                        const char *rundir, int64_t max_msg_size, int hwm);

//  Bound what messages from other groups may queue for the system's
//  actors: past max_msgs messages or max_bytes payload bytes, the system
//  takes no more input from its links until half of it is handled, so
//  senders are refused (EAGAIN) and hear ACT_MSG_WRITABLE later, instead
//  of this process growing. 0 for either: its default
//  (ACT_TRANSPORT_INBOUND_MAX_DEFAULT, ACT_TRANSPORT_INBOUND_BYTES_DEFAULT).
//  Call after joining. 0, or -1 + EINVAL (not joined).
ACT_EXPORT int
    act_transport_set_inbound (act_system_t *system, size_t max_msgs, size_t max_bytes);

//  A tell that first reaches a group over ipc fails with EMFILE, and
//  counts as dropped, when the process has too few fds left to connect
//  (an ask fails with EMFILE at once); the next tell tries again.

//  The supervisor says group peer stopped: asks waiting on its actors
//  fail at once with ESRCH, and tells to it fail with EHOSTUNREACH and
//  count as dropped until act_transport_peer_up, or until a later life
//  of the group says hello, or on the shm link until the region shows
//  its next life joined (act_transport(3)). 0, or -1 + EINVAL.
ACT_EXPORT int
    act_transport_peer_down (act_system_t *system, const char *peer);
ACT_EXPORT int
    act_transport_peer_up (act_system_t *system, const char *peer);

//  Copy the transport's counters, all links together, into *stats. 0,
//  or -1 + EINVAL.
ACT_EXPORT int
    act_transport_stats (act_system_t *system, act_transport_stats_t *stats);

//  The same for one link kind: "shm", "tcp" or "ipc". 0, or -1 with errno
//  EINVAL, or ENOENT (the system has no such link).
ACT_EXPORT int
    act_transport_link_stats (act_system_t *system, const char *kind,
                              act_transport_stats_t *stats);

//  The same, from an actor's callback: the counters of the system (the
//  group) the actor runs in. 0, or -1 + EINVAL.
ACT_EXPORT int
    act_transport_actor_stats (act_t *self, act_transport_stats_t *stats);

//  The group name the system joined as (borrowed), or NULL.
ACT_EXPORT const char *
    act_transport_group (act_system_t *system);

#ifdef __cplusplus
}
#endif
#endif
