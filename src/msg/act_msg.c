/*  act_msg - a message: type tag, payload bytes, sender, correlation id
    SPDX-License-Identifier: MPL-2.0

    Header and payload are one allocation (a recycled act_slab block when
    small), so a message costs one allocation and one free however it
    travels inside a group.
*/
#include "act_msg_priv.h"
#include <stdint.h>
#include "act_slab.h"
#include <stdatomic.h>

//  Small messages live in recycled fixed-size blocks (act_slab): a stream
//  of messages that one actor allocates and another frees would otherwise
//  make glibc trim and regrow the thread's heap top, and a burst would
//  grow it one message at a time.
#define ACT_MSG_SMALL   ACT_SLAB_BLOCK  //  bytes of a block, header included
_Static_assert (sizeof (act_msg_t) + 64 <= ACT_MSG_SMALL,
                "a 64-byte payload fits in a recycled block");

static void
s_block_free (act_msg_t *self)
{
    if (self->flags & ACT_MSG_F_SMALL)
        act_slab_free (self);
    else
        free (self);
}

static void
s_forget_nothing (act_msg_t *msg)
{
    (void) msg;
}

//  Until the loop layer installs its hooks there is no reference to
//  release and no loop to tell, so the reference hooks are never reached.
static const act_msg_hooks_t s_no_loop = { NULL, NULL, NULL, s_forget_nothing };
//  Read on every destroy. Atomic so that the first install, on one thread,
//  is no data race with a destroy on another; an acquire load costs a
//  plain load on x86.
static _Atomic (const act_msg_hooks_t *) s_hooks = &s_no_loop;

void
act_msg_hooks_set (const act_msg_hooks_t *hooks)
{
    //  Every act_ref_new calls this: store only once, rather than write a
    //  shared cache line per reference made.
    if (atomic_load_explicit (&s_hooks, memory_order_acquire) != hooks)
        atomic_store_explicit (&s_hooks, hooks, memory_order_release);
}

static inline const act_msg_hooks_t *
s_loop (void)
{
    return atomic_load_explicit (&s_hooks, memory_order_acquire);
}

//  Out of line: inlined, its loop made act_msg_destroy save two more
//  registers for every message, references or not (7 instructions).
static void s_refs_free (const act_msg_hooks_t *hooks, act_msg_refs_t *refs)
    __attribute__ ((noinline));
static void s_refs_copy (const act_msg_hooks_t *hooks, act_msg_t *copy,
                         const act_msg_refs_t *refs);

static void
s_sender_release (const act_msg_hooks_t *hooks, act_ref_t *sender, bool local)
{
    if (!sender)
        return;
    if (local)
        hooks->ref_drop_local (sender);
    else
        hooks->ref_release (&sender);
}

//  NULL if the memory cannot be had: a size the application asked for
//  may be anything (a length read from a peer, a negative one cast), so
//  the sum is checked before it can wrap to a small block.
static act_msg_t *
s_msg_alloc (uint32_t type, const void *data, size_t size)
{
    act_msg_t *self;
    uint32_t flags = 0;
    //  No object is larger than PTRDIFF_MAX: refused here, not left to
    //  malloc (which sanitizers' allocators abort on rather than fail)
    if (size > PTRDIFF_MAX - sizeof (act_msg_t))
        return NULL;
    if (sizeof (act_msg_t) + size <= ACT_MSG_SMALL) {
        flags = ACT_MSG_F_SMALL;
        self = (act_msg_t *) act_slab_alloc ();
    }
    else
        self = (act_msg_t *) malloc (sizeof (act_msg_t) + size);
    if (!self)
        return NULL;
    self->next = NULL;
    self->to = NULL;
    self->sender = NULL;
    self->ptr = NULL;
    self->refs = NULL;
    self->corr = 0;
    self->type = type;
    self->flags = flags;
    self->size = size;
    if (size && data)
        memcpy (self->data, data, size);
    return self;
}

act_msg_t *
act_msg_new_internal (uint32_t type, const void *data, size_t size)
{
    act_msg_t *self = s_msg_alloc (type, data, size);
    if (!self)
        abort ();
    return self;
}

//  What an EXTERN message keeps in its data.
typedef struct {
    act_msg_release_fn *release;    //  gives the payload back
    void *arg;                      //  its arguments
    void *ctx;
} s_extern_t;

act_msg_t *
act_msg_new_extern (uint32_t type, const void *payload, size_t size,
                    act_msg_release_fn *release, void *arg, void *ctx)
{
    act_msg_t *self = act_msg_new_internal (type, NULL, sizeof (s_extern_t));
    s_extern_t ext = { release, arg, ctx };
    memcpy (self->data, &ext, sizeof ext);
    self->ptr = (void *) payload;
    self->size = size;
    self->flags |= ACT_MSG_F_EXTERN;
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
    act_msg_t *self = s_msg_alloc (type, data, size);
    if (!self)
        errno = ENOMEM;
    return self;
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
    const act_msg_hooks_t *hooks = s_loop ();
    //  A handler may destroy the message it was handed; the loop must then
    //  not free it again. Only such a message can be the loop's (the
    //  call was 18 instructions on every other message's destroy).
    if (self->flags & ACT_MSG_F_HANDED)
        hooks->forget (self);
    s_sender_release (hooks, self->sender, (self->flags & ACT_MSG_F_LOCAL) != 0);
    if (self->to)
        hooks->ref_release (&self->to);
    if (self->refs)
        s_refs_free (hooks, self->refs);
    if (self->flags & ACT_MSG_F_EXTERN) {
        s_extern_t ext;
        memcpy (&ext, self->data, sizeof ext);
        ext.release (ext.arg, ext.ctx);
    }
    s_block_free (self);
}

act_msg_t *
act_msg_dup (const act_msg_t *self)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    act_msg_t *copy = s_msg_alloc (self->type, act_msg_data (self), self->size);
    if (!copy) {
        errno = ENOMEM;
        return NULL;
    }
    copy->corr = self->corr;
    if (!(self->flags & ACT_MSG_F_EXTERN))
        copy->ptr = self->ptr;
    if (self->sender) {
        const act_msg_hooks_t *hooks = s_loop ();
        copy->sender = hooks->ref_dup (self->sender);
    }
    if (self->refs)
        s_refs_copy (s_loop (), copy, self->refs);
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
    if (!self || !self->size)
        return NULL;
    return (self->flags & ACT_MSG_F_EXTERN) ? (const void *) self->ptr
                                            : (const void *) self->data;
}

size_t
act_msg_size (const act_msg_t *self)
{
    return self ? self->size : 0;
}

const char *
act_msg_str (const act_msg_t *self)
{
    const char *text = (const char *) act_msg_data (self);
    if (!text || text [self->size - 1] != 0)
        return NULL;
    //  Text ends at its only NUL: a payload with a NUL inside is bytes.
    if (memchr (text, 0, self->size) != text + self->size - 1)
        return NULL;
    return text;
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
    const act_msg_hooks_t *hooks = s_loop ();
    act_ref_t *old = self->sender;
    bool local = (self->flags & ACT_MSG_F_LOCAL) != 0;
    self->flags &= ~ACT_MSG_F_LOCAL;
    self->sender = sender ? hooks->ref_dup (sender) : NULL;
    s_sender_release (hooks, old, local);
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

int
act_msg_down (const act_msg_t *self, act_exit_t *why)
{
    act_down_t down;
    if (!self || self->type != ACT_MSG_DOWN || self->size != sizeof down) {
        errno = EINVAL;
        return -1;
    }
    memcpy (&down, self->data, sizeof down);
    if (why)
        *why = down.exit;
    return 0;
}

//  --------------------------------------------------------------------
//  Carried references: kept apart from the message, so a message that
//  carries none pays one pointer and one test on destroy for them.

static void
s_refs_free (const act_msg_hooks_t *hooks, act_msg_refs_t *refs)
{
    for (uint32_t i = 0; i < refs->count; i++)
        hooks->ref_release (&refs->ref [i]);
    free (refs);
}

void
act_msg_take_ref (act_msg_t *msg, act_ref_t *ref)
{
    act_msg_refs_t *refs = msg->refs;
    assert (!refs || refs->count < ACT_MSG_REFS_MAX);
    if (!refs || refs->count == refs->cap) {
        //  Most messages that carry any carry one or two.
        uint32_t cap = refs ? refs->cap * 2 : 2;
        if (cap > ACT_MSG_REFS_MAX)
            cap = ACT_MSG_REFS_MAX;
        refs = (act_msg_refs_t *) realloc (refs, sizeof (act_msg_refs_t)
                                                 + cap * sizeof (act_ref_t *));
        if (!refs)
            abort ();
        if (!msg->refs)
            refs->count = 0;
        refs->cap = cap;
        msg->refs = refs;
    }
    refs->ref [refs->count++] = ref;
}

static void
s_refs_copy (const act_msg_hooks_t *hooks, act_msg_t *copy, const act_msg_refs_t *refs)
{
    for (uint32_t i = 0; i < refs->count; i++)
        act_msg_take_ref (copy, hooks->ref_dup (refs->ref [i]));
}

int
act_msg_add_ref (act_msg_t *self, act_ref_t *ref)
{
    if (!self || !ref) {
        errno = EINVAL;
        return -1;
    }
    if (act_msg_refs (self) >= ACT_MSG_REFS_MAX) {
        errno = E2BIG;
        return -1;
    }
    act_msg_take_ref (self, s_loop ()->ref_dup (ref));
    return 0;
}

size_t
act_msg_refs (const act_msg_t *self)
{
    return self && self->refs ? self->refs->count : 0;
}

act_ref_t *
act_msg_ref (const act_msg_t *self, size_t index)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    if (index >= act_msg_refs (self)) {
        errno = ERANGE;
        return NULL;
    }
    return self->refs->ref [index];
}
