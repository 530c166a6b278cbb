/*  act_msg - a message: type tag, payload bytes, sender, correlation id
    SPDX-License-Identifier: MPL-2.0

    Header and payload are one allocation, so a message costs one malloc
    and one free however it travels inside a group.
*/
#include "act_msg_priv.h"
#include "act_ref_priv.h"
#include "act_loop_priv.h"

act_msg_t *
act_msg_new_internal (uint32_t type, const void *data, size_t size)
{
    act_msg_t *self = (act_msg_t *) malloc (sizeof (act_msg_t) + size);
    if (!self)
        abort ();
    self->next = NULL;
    self->to = NULL;
    self->sender = NULL;
    self->ptr = NULL;
    self->corr = 0;
    self->type = type;
    self->flags = 0;
    self->size = size;
    if (size)
        memcpy (self->data, data, size);
    return self;
}

act_msg_t *
act_msg_new (uint32_t type)
{
    return act_msg_new_data (type, NULL, 0);
}

act_msg_t *
act_msg_new_data (uint32_t type, const void *data, size_t size)
{
    if (type >= ACT_MSG_SYSTEM || (size && !data)) {
        errno = EINVAL;
        return NULL;
    }
    return act_msg_new_internal (type, data, size);
}

act_msg_t *
act_msg_new_str (uint32_t type, const char *text)
{
    if (!text) {
        errno = EINVAL;
        return NULL;
    }
    return act_msg_new_data (type, text, strlen (text) + 1);
}

void
act_msg_destroy (act_msg_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_msg_t *self = *self_p;
    *self_p = NULL;
    //  A handler may destroy the message it was handed; the loop must then
    //  not free it again.
    act_loop_forget_msg (self);
    act_ref_destroy (&self->sender);
    act_ref_destroy (&self->to);
    free (self);
}

act_msg_t *
act_msg_dup (const act_msg_t *self)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    act_msg_t *copy = act_msg_new_internal (self->type, self->data, self->size);
    copy->corr = self->corr;
    copy->ptr = self->ptr;
    if (self->sender)
        copy->sender = act_ref_dup (self->sender);
    return copy;
}

uint32_t
act_msg_type (const act_msg_t *self)
{
    return self ? self->type : 0;
}

const void *
act_msg_data (const act_msg_t *self)
{
    return self && self->size ? self->data : NULL;
}

size_t
act_msg_size (const act_msg_t *self)
{
    return self ? self->size : 0;
}

const char *
act_msg_str (const act_msg_t *self)
{
    if (!self || !self->size || self->data [self->size - 1] != 0)
        return NULL;
    //  Text ends at its only NUL: a payload with a NUL inside is bytes.
    if (memchr (self->data, 0, self->size) != self->data + self->size - 1)
        return NULL;
    return (const char *) self->data;
}

act_ref_t *
act_msg_sender (const act_msg_t *self)
{
    return self ? self->sender : NULL;
}

int
act_msg_set_sender (act_msg_t *self, act_ref_t *sender)
{
    if (!self) {
        errno = EINVAL;
        return -1;
    }
    act_ref_t *old = self->sender;
    self->sender = sender ? act_ref_dup (sender) : NULL;
    act_ref_destroy (&old);
    return 0;
}

uint64_t
act_msg_corr (const act_msg_t *self)
{
    return self ? self->corr : 0;
}

void
act_msg_set_corr (act_msg_t *self, uint64_t corr)
{
    if (self)
        self->corr = corr;
}
