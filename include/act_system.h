/*  act_system - one event loop thread and the actors it runs
    SPDX-License-Identifier: MPL-2.0

    A system is a zactor: its loop runs in a thread of its own, started
    before act_system_new returns and joined by act_system_destroy. Any
    thread may spawn, tell and ask; the host can poll act_system_actor in
    its own zloop or zpoller, where "STOPPED" arrives once the system has no
    live actor left. The library never installs signal handlers.
*/
#ifndef ACT_SYSTEM_H_INCLUDED
#define ACT_SYSTEM_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

//  How long act_system_destroy waits for the loop to finish its teardowns
//  before it gives up and leaves the thread behind, in ms.
#define ACT_SYSTEM_DESTROY_TIMEOUT 5000

//  Start a system (name for logs; may be NULL). NULL + errno on failure.
ACT_EXPORT act_system_t *
    act_system_new (const char *name);

//  Stop every actor (teardowns run, children first) and join the loop.
//  Never hangs: the whole destroy gives up after ACT_SYSTEM_DESTROY_TIMEOUT
//  ms. Other threads are refused from its start: a call through a
//  reference or inbox that starts after it returned fails with ESRCH.
//  Accepts NULL, nulls the caller's pointer. From the loop thread itself
//  (a callback) it does nothing but log an error: use act_system_stop
//  there. A system still alive at exit () is destroyed by the library's
//  exit handler, with a warning (see act_system(3)). A system that joined
//  a run has closed its endpoint and the connections to it on return
//  (act_transport(3)).
ACT_EXPORT void
    act_system_destroy (act_system_t **self_p);

//  Spawn a top-level actor. Its setup runs on the loop soon after; messages
//  told meanwhile wait in its mailbox. Returns an owned reference (drop it
//  with act_ref_destroy), or NULL + EINVAL (bad argument) or ECANCELED
//  (system stopping). Once spawned, the setup runs even if the system
//  stops at once (then the teardown too), so args reaches its owner.
ACT_EXPORT act_ref_t *
    act_spawn (act_system_t *self, const act_class_t *cls, void *args);

//  As act_spawn, and register the actor under name (unique in the system)
//  for act_lookup and as the actor part of its address "group/name": 1 to
//  64 of [A-Za-z0-9_.-], not starting with '_' (reserved for the runtime).
//  NULL + EEXIST if the name is taken, EINVAL if it is not a valid name.
ACT_EXPORT act_ref_t *
    act_spawn_named (act_system_t *self, const char *name,
                     const act_class_t *cls, void *args);

//  Find a live named actor by name, or by address "group/name": an address
//  in this system's own group is looked up here, one in another group gives
//  a reference through the transport (see act_transport(3)) without asking
//  that group. Returns an owned reference, or NULL + ENOENT (no such actor
//  here, a malformed address, or another group's address before joining)
//  or EINVAL (self or name NULL).
ACT_EXPORT act_ref_t *
    act_lookup (act_system_t *self, const char *name);

//  Ask the actor registered as name; as act_ask (timeout_ms ACT_FOREVER
//  (-1): no limit, 0: no wait, > 0: ms), and NULL + ENOENT
//  (unknown target) at once when no such actor lives. Takes *msg_p.
ACT_EXPORT act_msg_t *
    act_ask_name (act_system_t *self, const char *name, act_msg_t **msg_p,
                  int timeout_ms);

//  Ask every top-level actor to stop (kind ACT_EXIT_SHUTDOWN); returns at
//  once. -1 + EINVAL on NULL.
ACT_EXPORT int
    act_system_stop (act_system_t *self);

//  Wait until the system has no live actor, at most timeout_ms
//  (ACT_FOREVER (-1): no limit, 0: no wait, > 0: ms). 0, or -1 +
//  ETIMEDOUT / EDEADLK (from the loop) / EINVAL.
ACT_EXPORT int
    act_system_wait (act_system_t *self, int timeout_ms);

//  The zactor running the loop, for zpoller/zloop. Borrowed.
ACT_EXPORT zactor_t *
    act_system_actor (act_system_t *self);

//  The system's name (borrowed).
ACT_EXPORT const char *
    act_system_name (act_system_t *self);

//  Counters, readable from any thread: live actors; messages that could not
//  be delivered (to a stopped actor or inbox, or left in a stopping
//  actor's mailbox); messages handled.
ACT_EXPORT size_t
    act_system_actors (act_system_t *self);
ACT_EXPORT uint64_t
    act_system_dead_letters (act_system_t *self);
ACT_EXPORT uint64_t
    act_system_delivered (act_system_t *self);

//  Threads in the worker pool used by act_offload, at most (default 4,
//  at most 64): started as offloads need them, the number read anew at
//  each. -1 + EINVAL.
ACT_EXPORT int
    act_system_set_workers (act_system_t *self, int threads);

#ifdef __cplusplus
}
#endif
#endif
