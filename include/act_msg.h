/*  act_msg - a message: type tag, payload bytes, sender, carried
    references, correlation id
    SPDX-License-Identifier: MPL-2.0

    A message owns its payload (copied in at creation, one allocation)
    and a counted reference for its sender and each reference it carries.
    Whoever holds the pointer owns the message: act_tell and act_reply take
    ownership and null the caller's pointer, act_msg_destroy frees it. A
    message handed to a handler is borrowed for the duration of the call,
    unless the handler forwards it with act_tell, which takes it over.
*/
#ifndef ACT_MSG_H_INCLUDED
#define ACT_MSG_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Types at and above ACT_MSG_SYSTEM are reserved for the runtime.
#define ACT_MSG_SYSTEM  0xFFFF0000u
//  Delivered to an ask's waiter when its target stopped before replying,
//  and to a monitor's watcher (see act_monitor) when its target stopped:
//  the sender is the target, the correlation id the monitor's id, and
//  act_msg_down reads the reason.
#define ACT_MSG_DOWN    (ACT_MSG_SYSTEM + 1)
//  Delivered to an actor whose act_tell to another group failed with
//  EAGAIN (that group's queue was full), once the queue has room again;
//  no sender, the payload is the group's name as a string. Handle it to
//  resume a stream. Like every type at or above ACT_MSG_SYSTEM it is news,
//  not a request: returning ACT_UNHANDLED for it does not stop the actor.
#define ACT_MSG_WRITABLE (ACT_MSG_SYSTEM + 2)

//  References one message carries at most (act_msg_add_ref). Between
//  groups each travels as an address of up to 129 bytes.
#define ACT_MSG_REFS_MAX 16

//  Create an empty message with a type tag (the seed's Message()).
//  Returns NULL with errno EINVAL if type is reserved.
ACT_EXPORT act_msg_t *
    act_msg_new (uint32_t type);

//  Create a message carrying a copy of size bytes at data (the seed's
//  DataMessage). data may be NULL only when size is 0. NULL + EINVAL on
//  bad arguments, ENOMEM if size bytes cannot be had (no abort).
ACT_EXPORT act_msg_t *
    act_msg_new_data (uint32_t type, const void *data, size_t size);

//  Create a message carrying a copy of a NUL-terminated string; the NUL is
//  part of the payload so act_msg_str returns it. NULL + EINVAL on NULL text.
ACT_EXPORT act_msg_t *
    act_msg_new_str (uint32_t type, const char *text);

//  Free a message and drop its sender and carried references. Accepts NULL and a NULL
//  pointer; nulls the caller's pointer.
ACT_EXPORT void
    act_msg_destroy (act_msg_t **self_p);

//  Return a new message with the same type, payload, sender, carried
//  references and correlation id. NULL + EINVAL if self is NULL, ENOMEM
//  if the copy cannot be had.
ACT_EXPORT act_msg_t *
    act_msg_dup (const act_msg_t *self);

//  The type tag; 0 for NULL.
ACT_EXPORT uint32_t
    act_msg_type (const act_msg_t *self);

//  The payload (borrowed, valid while the message lives) and its size in
//  bytes; NULL and 0 for an empty message.
ACT_EXPORT const void *
    act_msg_data (const act_msg_t *self);
ACT_EXPORT size_t
    act_msg_size (const act_msg_t *self);

//  The payload as a string, or NULL if it is not NUL-terminated text.
ACT_EXPORT const char *
    act_msg_str (const act_msg_t *self);

//  The sender's reference (borrowed, valid while the message lives), or
//  NULL. A message told from inside an actor callback gets that actor as
//  sender unless it already has one, so a forwarded message keeps its
//  original sender.
ACT_EXPORT act_ref_t *
    act_msg_sender (const act_msg_t *self);

//  Set the sender (takes a new reference; NULL clears it). Returns 0, or
//  -1 + EINVAL if self is NULL.
ACT_EXPORT int
    act_msg_set_sender (act_msg_t *self, act_ref_t *sender);

//  Carry a reference (actor or inbox) besides the payload: the message
//  takes a new counted reference, the caller keeps its own. Between groups
//  it travels as an address and the receiver gets a usable reference.
//  Returns 0, or -1 + EINVAL (a NULL argument) or E2BIG (the message
//  carries ACT_MSG_REFS_MAX already).
ACT_EXPORT int
    act_msg_add_ref (act_msg_t *self, act_ref_t *ref);

//  How many references the message carries; 0 for NULL.
ACT_EXPORT size_t
    act_msg_refs (const act_msg_t *self);

//  The reference at index, in the order they were added (borrowed, valid
//  while the message lives), or NULL + ERANGE past the last one (EINVAL
//  if self is NULL).
ACT_EXPORT act_ref_t *
    act_msg_ref (const act_msg_t *self, size_t index);

//  The correlation id: non-zero on an ask and on its reply (act_reply
//  copies it), else whatever the application set.
ACT_EXPORT uint64_t
    act_msg_corr (const act_msg_t *self);
ACT_EXPORT void
    act_msg_set_corr (act_msg_t *self, uint64_t corr);

//  For an ACT_MSG_DOWN: fill *why (if not NULL) with the target's exit
//  reason and return 0. -1 + EINVAL if msg is not a DOWN.
ACT_EXPORT int
    act_msg_down (const act_msg_t *self, act_exit_t *why);

#ifdef __cplusplus
}
#endif
#endif
