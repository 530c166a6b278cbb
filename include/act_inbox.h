/*  act_inbox - a mailbox for code that is not an actor (the seed's
    Reference())
    SPDX-License-Identifier: MPL-2.0

    Set act_inbox_ref as a message's sender and replies arrive here. Any
    thread may receive; the inbox's fd turns readable while messages wait,
    so a zloop or zpoller can watch it beside its own sockets. To hear
    that the target of a request died, rather than wait for a reply that
    will not come, monitor it with the inbox as watcher (act_monitor): its
    ACT_MSG_DOWN arrives here too.
*/
#ifndef ACT_INBOX_H_INCLUDED
#define ACT_INBOX_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Create an inbox. system may be NULL; when given, messages sent to the
//  inbox after it is destroyed are counted in that system's dead letters.
//  NULL + errno on failure.
ACT_EXPORT act_inbox_t *
    act_inbox_new (act_system_t *system);

//  Destroy the inbox and the messages still in it; later messages to its
//  reference go to dead letters. Accepts NULL, nulls the caller's pointer.
ACT_EXPORT void
    act_inbox_destroy (act_inbox_t **self_p);

//  The inbox's reference, borrowed for the inbox's lifetime.
ACT_EXPORT act_ref_t *
    act_inbox_ref (act_inbox_t *self);

//  Take the oldest message, waiting at most timeout_ms (ACT_FOREVER (-1):
//  no limit, 0: do not wait, > 0: ms). Caller owns the result. NULL + ETIMEDOUT, or EINVAL.
ACT_EXPORT act_msg_t *
    act_inbox_recv (act_inbox_t *self, int timeout_ms);

//  Messages waiting now.
ACT_EXPORT size_t
    act_inbox_size (act_inbox_t *self);

//  A file descriptor that is readable while messages wait (for zpoller,
//  zloop or poll). Borrowed; do not read or close it.
ACT_EXPORT int
    act_inbox_fd (act_inbox_t *self);

#ifdef __cplusplus
}
#endif
#endif
