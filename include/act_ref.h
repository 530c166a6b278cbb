/*  act_ref - a reference to an actor or an inbox; the seed's actor handle
    SPDX-License-Identifier: MPL-2.0

    A reference outlives what it names: once the actor stops, telling it
    fails with ESRCH and the message goes to dead letters, but using the
    reference is always safe. References are counted: act_spawn and
    act_ref_dup return one the caller owns and drops with act_ref_destroy;
    those from act_self, act_msg_sender, act_spawn_child and act_inbox_ref
    are borrowed. Every function here is safe from any thread.
*/
#ifndef ACT_REF_H_INCLUDED
#define ACT_REF_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Send a message (the seed's tell). Always takes the message and nulls
//  *msg_p. Returns 0 when queued for the target; -1 with errno ESRCH if the
//  target has stopped (the message is counted as a dead letter), EINVAL on
//  a NULL argument. Inside a group delivery is lossless and FIFO per
//  sender/receiver pair.
ACT_EXPORT int
    act_tell (act_ref_t *to, act_msg_t **msg_p);

//  Send a reply to request's sender, with request's correlation id (so an
//  ask's waiter gets it). Takes *reply_p. -1 + EINVAL if request has no
//  sender; else as act_tell.
ACT_EXPORT int
    act_reply (const act_msg_t *request, act_msg_t **reply_p);

//  Send a message and wait for the reply (the seed's ask), from a thread
//  that is not an actor loop. Takes *msg_p. timeout_ms: ACT_FOREVER (-1)
//  no limit, 0 no wait, > 0 ms. Returns the reply (caller owns it), or NULL
//  with errno ETIMEDOUT (no reply in time), ESRCH (target stopped, before
//  or while waiting; fails at once, not at the timeout), EDEADLK (called
//  from an actor callback: the loop would wait on itself; use act_tell and
//  handle the reply as a message), EINVAL (NULL argument); to another
//  group also ENOENT, EAGAIN, EMFILE or EMSGSIZE (act_ref(3)).
ACT_EXPORT act_msg_t *
    act_ask (act_ref_t *to, act_msg_t **msg_p, int timeout_ms);

//  Return a new owned reference to the same actor. NULL + EINVAL on NULL.
ACT_EXPORT act_ref_t *
    act_ref_dup (act_ref_t *self);

//  Drop an owned reference; accepts NULL, nulls the caller's pointer.
ACT_EXPORT void
    act_ref_destroy (act_ref_t **self_p);

//  True while the actor (or inbox) can receive.
ACT_EXPORT bool
    act_ref_alive (act_ref_t *self);

//  The name the actor was spawned with, or NULL if it has none (borrowed,
//  valid while the reference lives).
ACT_EXPORT const char *
    act_ref_name (act_ref_t *self);

//  Wait until the actor has stopped (the seed's "await actor"), at most
//  timeout_ms (ACT_FOREVER (-1): no limit, 0: no wait, > 0: ms). Returns 0
//  and fills *why if not NULL; -1 with
//  errno ETIMEDOUT, EDEADLK (called from the actor's own loop), or EINVAL
//  (NULL, or an inbox reference).
ACT_EXPORT int
    act_ref_wait (act_ref_t *self, int timeout_ms, act_exit_t *why);

//  Stop the actor from outside (the seed's actor.stop()), from any thread
//  or actor: as if it called act_stop (self, code) - code 0 a normal stop,
//  else an error with that code; teardown runs once, the parent's
//  child_stopped gets the reason, the first reason given wins. Returns 0
//  once the request is on its way (for an actor of another group: sent
//  there over the link). -1 with errno ESRCH (stopped already), EINVAL
//  (NULL, or an inbox reference), or as act_tell for another group.
ACT_EXPORT int
    act_ref_stop (act_ref_t *self, int code);

//  True if a and b name the same actor or inbox: the same local one, or
//  two references to one address in another group. False if either is
//  NULL.
ACT_EXPORT bool
    act_ref_eq (act_ref_t *a, act_ref_t *b);

//  Longest id act_ref_id returns, with its NUL.
#define ACT_REF_ID_MAX  200

//  A printable id, stable for the reference's life and unique in the
//  process: the address "group/name" if it has one when first asked (a
//  reference into another group always does); else "system!name" for a
//  named actor of a system in no group, "system!#N" for an anonymous
//  actor or inbox, "!#N" for an inbox of no system. Borrowed, valid while
//  the reference lives. NULL + EINVAL on NULL.
ACT_EXPORT const char *
    act_ref_id (act_ref_t *self);

//  Monitors a group keeps for the watchers of any one other group: a
//  request beyond it is answered at once with a DOWN whose err is EAGAIN
//  (see act_msg_down), and counted as refused.
#define ACT_MONITOR_PEER_MAX 65536
//  ... and for the watchers of all other groups together, whatever groups
//  the requests name (a peer names its watchers itself)
#define ACT_MONITOR_REMOTE_MAX (2 * ACT_MONITOR_PEER_MAX)

//  Monitor target (an actor or inbox, here or in another group) for
//  watcher (an actor or inbox reference of this process), as in Erlang:
//  watcher gets exactly one ACT_MSG_DOWN, sender target, correlation id
//  the monitor's id, when target stops, or at once if it has already;
//  for a target in another group also when that group is lost
//  (ACT_EXIT_LOST). Returns the monitor id (> 0), or 0 with errno EINVAL
//  (NULL, or a remote watcher) or ESRCH (the watcher is gone).
ACT_EXPORT uint64_t
    act_monitor (act_ref_t *watcher, act_ref_t *target);

//  Remove a monitor: its watcher gets no DOWN for it afterwards. -1 +
//  ENOENT if the id is unknown, or the monitor fired or was removed.
ACT_EXPORT int
    act_demonitor (uint64_t monitor_id);

//  True if name is a valid group or actor name: 1 to 64 of A-Z a-z 0-9
//  _ . - (the one rule every layer and actor-run apply).
ACT_EXPORT bool
    act_name_valid (const char *name);

//  True if address is "group/actor" with two valid names; then, if
//  group_len is not NULL, *group_len is the length of the group part
//  (the actor's name starts at address + *group_len + 1).
ACT_EXPORT bool
    act_address_valid (const char *address, size_t *group_len);

#ifdef __cplusplus
}
#endif
#endif
