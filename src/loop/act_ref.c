/*  act_ref - a reference to an actor or an inbox
    SPDX-License-Identifier: MPL-2.0

    One reference object per actor, counted, so it can be kept after the
    actor is gone. Sending decides here which way a message goes: straight
    into a mailbox when the caller is the target's own loop thread, posted
    to the loop otherwise.
*/
#include "act_loop_priv.h"

//  Installed by act_ref_new and act_core_new, not by a constructor: a
//  program linked against the static library gets only the objects it
//  references, so a constructor in one it never names would never run.
//  Those two are the only makers of a reference and of a loop's core, so
//  whatever made the reference a message holds, or the loop handling it,
//  ran them first.
static const act_msg_hooks_t s_msg_hooks = {
    act_ref_dup, act_ref_destroy, act_ref_drop_local, act_loop_forget_msg
};

void
act_ref_install_hooks (void)
{
    act_msg_hooks_set (&s_msg_hooks);
}

act_ref_t *
act_ref_new (act_ref_kind_t kind, act_core_t *core)
{
    act_ref_install_hooks ();
    act_ref_t *self = (act_ref_t *) calloc (1, sizeof (act_ref_t));
    if (!self)
        abort ();
    atomic_init (&self->refs, 1);
    atomic_init (&self->dead, false);
    atomic_init (&self->monitored, false);
    atomic_init (&self->dead_sent, 0);
    self->kind = kind;
    self->core = core ? act_core_dup (core) : NULL;
    return self;
}

act_ref_t *
act_ref_dup (act_ref_t *self)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    atomic_fetch_add_explicit (&self->refs, 1, memory_order_relaxed);
    return self;
}

void
act_ref_destroy (act_ref_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_ref_t *self = *self_p;
    *self_p = NULL;
    if (atomic_fetch_sub_explicit (&self->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (self->inbox)
        act_inbox_free (self->inbox);
    act_core_release (&self->core);
    free (self->name);
    free (self->address);
    free (atomic_load (&self->id));
    free (self);
}

void
act_ref_set_dead (act_ref_t *self, const act_exit_t *why)
{
    //  exit is written once, before dead is published: a finalized actor
    //  was marked dead already, and readers may be reading exit now.
    if (why && !atomic_load (&self->dead))
        self->exit = *why;
    atomic_store (&self->dead, true);
    if (self->core)
        act_core_notify (self->core);
    act_monitor_ref_dead (self);
}

bool
act_ref_alive (act_ref_t *self)
{
    return self && !atomic_load_explicit (&self->dead, memory_order_acquire);
}

const char *
act_ref_name (act_ref_t *self)
{
    return self ? self->name : NULL;
}

bool
act_ref_eq (act_ref_t *a, act_ref_t *b)
{
    if (!a || !b)
        return false;
    if (a == b)
        return true;
    //  One local actor or inbox has one reference object; remote ones
    //  are made per lookup or per message, and compare by address.
    return a->kind == ACT_REF_REMOTE && b->kind == ACT_REF_REMOTE
        && streq (a->name, b->name);
}

//  A local reference's id: its address if it has one now, else a form
//  no address can take ('!' and '#' are not name characters).
static char *
s_make_id (act_ref_t *self)
{
    static atomic_uint_fast64_t next_anon;
    char id [ACT_REF_ID_MAX];
    act_core_t *core = self->core;
    if (core) {
        pthread_mutex_lock (&core->lock);
        if (self->name && core->group)
            snprintf (id, sizeof id, "%s/%s", core->group, self->name);
        else
        if (self->name)
            snprintf (id, sizeof id, "%s!%s", core->name, self->name);
        else
            snprintf (id, sizeof id, "%s!#%" PRIu64, core->name,
                      (uint64_t) atomic_fetch_add (&next_anon, 1) + 1);
        pthread_mutex_unlock (&core->lock);
    }
    else
        snprintf (id, sizeof id, "!#%" PRIu64,
                  (uint64_t) atomic_fetch_add (&next_anon, 1) + 1);
    return strdup (id);
}

const char *
act_ref_id (act_ref_t *self)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    if (self->kind == ACT_REF_REMOTE)
        return self->name;
    char *id = atomic_load_explicit (&self->id, memory_order_acquire);
    if (id)
        return id;
    //  Made once: two threads asking at once keep the first one's.
    char *made = s_make_id (self);
    if (!made)
        abort ();
    if (!atomic_compare_exchange_strong (&self->id, &id, made)) {
        free (made);
        return id;
    }
    return made;
}

const char *
act_ref_shown (act_ref_t *self)
{
    if (self->name)
        return self->name;
    const char *id = act_ref_id (self);
    const char *serial = id ? strrchr (id, '#') : NULL;
    return serial ? serial : "-";
}

int
act_ref_stop (act_ref_t *self, int code)
{
    if (!self || self->kind == ACT_REF_INBOX) {
        errno = EINVAL;
        return -1;
    }
    act_msg_t *msg = act_msg_new_internal (ACT_MSG_STOP, &code, sizeof code);
    if (self->kind == ACT_REF_REMOTE)
        //  The peer layer carries it to the actor's group.
        return act_tell (self, &msg);
    if (atomic_load_explicit (&self->dead, memory_order_acquire)) {
        act_msg_destroy (&msg);
        errno = ESRCH;
        return -1;
    }
    //  Posted even from the actor's own loop: the stop is taken between
    //  callbacks, never inside one, and never by the actor's handle.
    msg->to = act_ref_dup (self);
    if (act_core_post (self->core, msg)) {
        errno = ESRCH;
        return -1;
    }
    return 0;
}

void
act_ref_hold_local (act_ref_t *self)
{
    //  The first local owner takes one counted reference for all of them.
    if (self->local++ == 0)
        atomic_fetch_add_explicit (&self->refs, 1, memory_order_relaxed);
}

void
act_ref_drop_local (act_ref_t *self)
{
    if (--self->local == 0) {
        act_ref_t *ref = self;
        act_ref_destroy (&ref);
    }
}

void
act_msg_unbias (act_msg_t *msg)
{
    if (msg->flags & ACT_MSG_F_LOCAL) {
        act_ref_dup (msg->sender);
        act_ref_drop_local (msg->sender);
        msg->flags &= ~ACT_MSG_F_LOCAL;
    }
}

void
act_waiters_add (act_waiters_t *self, act_ref_t *waiter, uint32_t life)
{
    if (self->count == self->cap) {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < self->count; i++) {
            if (act_ref_alive (self->items [i].ref))
                self->items [kept++] = self->items [i];
            else
                act_ref_destroy (&self->items [i].ref);
        }
        self->count = kept;
        if (kept * 2 > self->cap || !self->cap) {
            self->cap = self->cap ? self->cap * 2 : 4;
            self->items = (act_waiter_t *) realloc (self->items,
                                                    self->cap * sizeof (act_waiter_t));
            if (!self->items)
                abort ();
        }
    }
    self->items [self->count++] = (act_waiter_t) { act_ref_dup (waiter), life };
}

void
act_waiters_down (act_waiters_t *self, act_ref_t *target, uint32_t life,
                  const act_exit_t *why, int err)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < self->count; i++) {
        act_waiter_t *item = &self->items [i];
        if (item->life > life) {
            self->items [kept++] = *item;
            continue;
        }
        if (act_ref_alive (item->ref)) {
            act_msg_t *down = act_down_new (target, why, err);
            act_tell (item->ref, &down);
        }
        act_ref_destroy (&item->ref);
    }
    self->count = kept;
}

void
act_waiters_free (act_waiters_t *self)
{
    for (uint32_t i = 0; i < self->count; i++)
        act_ref_destroy (&self->items [i].ref);
    free (self->items);
    memset (self, 0, sizeof *self);
}

int
act_tell (act_ref_t *to, act_msg_t **msg_p)
{
    if (!msg_p || !*msg_p) {
        errno = EINVAL;
        return -1;
    }
    act_msg_t *msg = *msg_p;
    *msg_p = NULL;
    act_loop_t *loop = act_loop_current;
    if (loop)
        act_loop_stamp (loop, msg);
    if (!to) {
        act_msg_destroy (&msg);
        errno = EINVAL;
        return -1;
    }
    if (to->kind == ACT_REF_INBOX)
        return act_inbox_put (to->inbox, msg);
    if (to->kind == ACT_REF_ACTOR && atomic_load_explicit (&to->dead, memory_order_acquire)) {
        msg->to = act_ref_dup (to);
        act_core_dead_letter (to->core, msg);
        errno = ESRCH;
        return -1;
    }
    if (loop && act_loop_core (loop) == to->core)
        return act_loop_deliver (loop, to, msg);
    msg->to = act_ref_dup (to);
    return act_core_post (to->core, msg);
}

int
act_reply (const act_msg_t *request, act_msg_t **reply_p)
{
    if (!request || !request->sender || !reply_p || !*reply_p) {
        if (reply_p)
            act_msg_destroy (reply_p);
        errno = EINVAL;
        return -1;
    }
    (*reply_p)->corr = request->corr;
    return act_tell (request->sender, reply_p);
}

static bool
s_ref_dead (void *arg)
{
    return atomic_load (&((act_ref_t *) arg)->dead);
}

int
act_ref_wait (act_ref_t *self, int timeout_ms, act_exit_t *why)
{
    if (!self || self->kind != ACT_REF_ACTOR) {
        errno = EINVAL;
        return -1;
    }
    if (!atomic_load (&self->dead)) {
        act_loop_t *loop = act_loop_current;
        if (loop && act_loop_core (loop) == self->core) {
            errno = EDEADLK;
            return -1;
        }
        if (act_core_wait (self->core, s_ref_dead, self, timeout_ms))
            return -1;
    }
    if (why)
        *why = self->exit;
    return 0;
}

act_msg_t *
act_ask (act_ref_t *to, act_msg_t **msg_p, int timeout_ms)
{
    if (!msg_p || !*msg_p) {
        errno = EINVAL;
        return NULL;
    }
    if (!to || to->kind == ACT_REF_INBOX) {
        act_msg_destroy (msg_p);
        errno = EINVAL;
        return NULL;
    }
    if (act_loop_current) {
        act_msg_destroy (msg_p);
        errno = EDEADLK;
        return NULL;
    }
    if (atomic_load (&to->dead)) {
        act_msg_t *msg = *msg_p;
        *msg_p = NULL;
        msg->to = act_ref_dup (to);
        act_core_dead_letter (to->core, msg);
        errno = ESRCH;
        return NULL;
    }
    act_inbox_t *waiter = act_inbox_new_in (to->core);
    if (!waiter) {
        act_msg_destroy (msg_p);
        return NULL;
    }
    act_msg_t *msg = *msg_p;
    *msg_p = NULL;
    uint64_t corr = atomic_fetch_add (&to->core->next_corr, 1);
    act_msg_set_sender (msg, act_inbox_ref (waiter));
    msg->corr = corr;
    msg->flags |= ACT_MSG_F_ASK;
    msg->to = act_ref_dup (to);
    act_msg_t *reply = NULL;
    if (act_core_post (to->core, msg) == 0) {
        reply = act_inbox_recv (waiter, timeout_ms);
        if (reply && reply->type == ACT_MSG_DOWN) {
            act_down_t down = { { ACT_EXIT_NORMAL, 0 }, ESRCH };
            if (reply->size == sizeof down)
                memcpy (&down, reply->data, sizeof down);
            act_msg_destroy (&reply);
            errno = down.err ? down.err : ESRCH;
        }
    }
    int saved = errno;
    act_inbox_destroy (&waiter);
    errno = saved;
    return reply;
}
