/*  act_probe - a reference that records what reaches it, for tests
    SPDX-License-Identifier: MPL-2.0

    A test hands act_probe_ref to the actor under test (as a sender, in
    spawn arguments, or by name) and then expects the messages that come
    back, in order: by type, by type and payload, or by a predicate, each
    within a time; or expects nothing for a time. A message a probe took
    stays the probe's: the expect calls return it borrowed, valid until
    the next expect or destroy, and act_probe_reply answers it. When an
    expectation fails, act_probe_failure says what was expected, what
    came instead (type, size, a preview of the payload), from whom, and
    when. On a manual system (act_testkit(3)) the probe steps the system
    until the message comes or the system is idle: no wall-clock wait.
    A probe is used from one thread.
*/
#ifndef ACT_PROBE_H_INCLUDED
#define ACT_PROBE_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _act_probe_t act_probe_t;

//  A predicate for act_probe_expect_fn: true if msg is the one expected.
typedef bool (act_probe_match_fn) (const act_msg_t *msg, void *arg);

//  Create a probe whose messages arrive from system's actors (system may
//  be NULL; a manual system is stepped by the expect calls). NULL + errno.
ACT_EXPORT act_probe_t *
    act_probe_new (act_system_t *system);

//  Destroy the probe and what it holds. Accepts NULL, nulls *self_p.
ACT_EXPORT void
    act_probe_destroy (act_probe_t **self_p);

//  The probe's reference, borrowed for the probe's lifetime.
ACT_EXPORT act_ref_t *
    act_probe_ref (act_probe_t *self);

//  Tell to a message with the probe as its sender, so replies come to
//  the probe. Takes *msg_p; as act_tell.
ACT_EXPORT int
    act_probe_tell (act_probe_t *self, act_ref_t *to, act_msg_t **msg_p);

//  Take the next message, which must have type, within timeout_ms
//  (ACT_FOREVER: no limit). Returns it (borrowed, valid until the next
//  expect call), or NULL with errno ETIMEDOUT (nothing came), EBADMSG
//  (another message came; it is dropped) or EINVAL; then
//  act_probe_failure says why.
ACT_EXPORT act_msg_t *
    act_probe_expect (act_probe_t *self, uint32_t type, int timeout_ms);

//  As act_probe_expect, and the payload must be size bytes equal to data.
ACT_EXPORT act_msg_t *
    act_probe_expect_data (act_probe_t *self, uint32_t type, const void *data,
                           size_t size, int timeout_ms);

//  As act_probe_expect, for the text (with its NUL) of act_msg_new_str.
ACT_EXPORT act_msg_t *
    act_probe_expect_str (act_probe_t *self, uint32_t type, const char *text,
                          int timeout_ms);

//  As act_probe_expect, for a message for which match (msg, arg) is true.
ACT_EXPORT act_msg_t *
    act_probe_expect_fn (act_probe_t *self, act_probe_match_fn *match, void *arg,
                         int timeout_ms);

//  Monitor target (act_monitor in act_ref(3)) with the probe as watcher,
//  so its ACT_MSG_DOWN takes its place among the probe's messages from
//  now on. Once per target until its DOWN is taken. 0, or -1 with errno
//  as act_monitor.
ACT_EXPORT int
    act_probe_monitor (act_probe_t *self, act_ref_t *target);

//  Expect the ACT_MSG_DOWN of target, with reason kind, as the next
//  message within timeout_ms; monitors target first if the probe did not
//  yet (then a target already stopped is reported at once). 0, or -1
//  with errno as act_probe_expect, or as act_monitor.
ACT_EXPORT int
    act_probe_expect_down (act_probe_t *self, act_ref_t *target, act_exit_kind_t kind,
                           int timeout_ms);

//  Expect that no message comes for ms (on a manual system: none once it
//  is idle). 0, or -1 with errno EBADMSG (one came; it is dropped) or
//  EINVAL.
ACT_EXPORT int
    act_probe_expect_none (act_probe_t *self, int ms);

//  Reply to the last message the probe took (with its correlation id, so
//  an ask's waiter gets it). Takes *reply_p. -1 + EINVAL if there is none
//  or it has no sender; else as act_reply.
ACT_EXPORT int
    act_probe_reply (act_probe_t *self, act_msg_t **reply_p);

//  The last failure's text (borrowed, valid until the next expect call),
//  or NULL if the last expectation held.
ACT_EXPORT const char *
    act_probe_failure (act_probe_t *self);

//  Messages waiting in the probe, not yet expected.
ACT_EXPORT size_t
    act_probe_pending (act_probe_t *self);

#ifdef __cplusplus
}
#endif
#endif
