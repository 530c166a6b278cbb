/*  act_actor - an actor class and what its callbacks may do
    SPDX-License-Identifier: MPL-2.0

    An actor is private state plus a class of callbacks. All callbacks of
    all actors of a system run on the system's one loop thread, one at a
    time, never re-entered: no locks in actor code. The act_t passed to a
    callback is valid only during that call and only on the loop thread;
    every function in this header must be called from there.
*/
#ifndef ACT_ACTOR_H_INCLUDED
#define ACT_ACTOR_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct act_class {
    const char *name;           //  class name, for logs and lookups
    size_t state_size;          //  bytes of zeroed state, see act_state
    //  After spawn, before any message (the seed's mainloop_setup). Return
    //  ACT_OK, ACT_STOP, or -1 to fail. May be NULL.
    int  (*setup) (act_t *self, void *args);
    //  One message (the seed's handle_message). msg is borrowed; forward it
    //  with act_tell to keep it alive. Return ACT_OK, ACT_STOP,
    //  ACT_UNHANDLED or -1. NULL: every message is unhandled.
    int  (*handle) (act_t *self, act_msg_t *msg);
    //  A child stopped (the seed's handle_child_stopped); child is borrowed
    //  for the call. NULL: a failed child stops this actor too (escalation).
    void (*child_stopped) (act_t *self, act_ref_t *child, const act_exit_t *why);
    //  Exactly once, after the last callback and after the children have
    //  stopped. May be NULL.
    void (*teardown) (act_t *self);
    //  Messages from other groups that may wait in one actor's mailbox:
    //  past it, its group takes no more input from other groups until
    //  half of them are handled (their senders get EAGAIN, then
    //  ACT_MSG_WRITABLE). 0: no bound of its own, only its group's.
    size_t mailbox_max;
};

//  Handler of a watched file descriptor or socket, and of a timer. Runs on
//  the loop between messages. Return ACT_OK, ACT_STOP or -1 (as handle).
typedef int (act_fd_fn) (act_t *self, int fd, void *arg);
typedef int (act_sock_fn) (act_t *self, zsock_t *sock, void *arg);
typedef int (act_timer_fn) (act_t *self, int timer_id, void *arg);
//  Blocking work: runs on a pool thread, must not touch the actor. Its
//  return value (may be NULL for "nothing") is told to the actor.
typedef act_msg_t * (act_work_fn) (void *arg);

//  The actor's private state: state_size zeroed bytes, or NULL if 0.
ACT_EXPORT void *
    act_state (act_t *self);

//  The actor's own reference (borrowed) and its parent's (borrowed, NULL
//  for a top-level actor).
ACT_EXPORT act_ref_t *
    act_self (act_t *self);
ACT_EXPORT act_ref_t *
    act_parent (act_t *self);

//  Find an actor of this system by name, or any actor of the run by its
//  address "group/name" (see act_lookup in act_system(3)). Returns an
//  owned reference, or NULL with errno ENOENT or EINVAL.
ACT_EXPORT act_ref_t *
    act_find (act_t *self, const char *name);

//  Spawn a child (the seed's register_child): its setup runs before this
//  returns. The reference is borrowed: valid until this actor's
//  child_stopped for it returns (dup it to keep it longer). NULL with
//  errno EINVAL (bad argument, or called off the loop thread) or ECANCELED
//  (this actor is stopping).
ACT_EXPORT act_ref_t *
    act_spawn_child (act_t *self, const act_class_t *cls, void *args);

//  The actor's live children, oldest first: fills out with up to max
//  borrowed references (valid until the callback returns) and returns
//  how many there are, which may be more than max. 0 + EINVAL off the
//  loop thread, or out NULL with max > 0.
ACT_EXPORT size_t
    act_children (act_t *self, act_ref_t **out, size_t max);

//  Stop this actor once the current callback returns: children stop
//  first, then teardown, then the parent hears child_stopped. code 0 is a
//  normal stop, anything else an error with that code. -1 + EINVAL on NULL
//  or off the loop thread.
ACT_EXPORT int
    act_stop (act_t *self, int code);

//  Watch a file descriptor for input (the seed's register_input_task):
//  handler runs whenever fd is readable. One watch per fd per actor;
//  removed when the actor stops. -1 with EINVAL or EEXIST.
ACT_EXPORT int
    act_watch_fd (act_t *self, int fd, act_fd_fn *handler, void *arg);
ACT_EXPORT int
    act_unwatch_fd (act_t *self, int fd);

//  Watch a ZeroMQ socket for input, as act_watch_fd. The socket stays the
//  caller's; unwatch it before destroying it.
ACT_EXPORT int
    act_watch_sock (act_t *self, zsock_t *sock, act_sock_fn *handler, void *arg);
ACT_EXPORT int
    act_unwatch_sock (act_t *self, zsock_t *sock);

//  Run handler once after ms milliseconds (act_after) or every ms
//  milliseconds (act_every). Returns a timer id > 0, or -1 + EINVAL.
ACT_EXPORT int
    act_after (act_t *self, int ms, act_timer_fn *handler, void *arg);
ACT_EXPORT int
    act_every (act_t *self, int ms, act_timer_fn *handler, void *arg);

//  Cancel a timer of this actor. -1 + ENOENT if it is unknown or done,
//  EINVAL off the loop thread or from teardown.
ACT_EXPORT int
    act_cancel (act_t *self, int timer_id);

//  Run work (arg) on the system's worker pool; its result message reaches
//  this actor's handle like any other, with no sender. -1 + EINVAL.
ACT_EXPORT int
    act_offload (act_t *self, act_work_fn *work, void *arg);

#ifdef __cplusplus
}
#endif
#endif
