/*  act_actor - an actor's life: start, callbacks, stop, finalize
    SPDX-License-Identifier: MPL-2.0

    Stopping is two steps. act_stop and the callbacks' return values only
    mark the actor; the loop finalizes it at the next safe point, outside
    any callback, so teardown never runs inside the actor's own handler
    and a parent never hears of a child while it is handling a message:
    the news comes as a message in its mailbox. Finalizing stops the
    children first (depth first), then runs teardown, drains the mailbox
    to dead letters, tells ask waiters and the parent, and frees the
    record. The reference stays, dead, for whoever still holds it.
*/
#include "act_loop_priv.h"

static const char *s_kind_names [] = {
    "normal", "error", "unhandled", "escalated", "shutdown", "lost"
};

const char *
act_exit_kind_name (act_exit_kind_t kind)
{
    if ((unsigned) kind < sizeof s_kind_names / sizeof s_kind_names [0])
        return s_kind_names [kind];
    return "unknown";
}

bool
act_exit_failed (const act_exit_t *why)
{
    return why && (why->kind == ACT_EXIT_ERROR || why->kind == ACT_EXIT_UNHANDLED
                   || why->kind == ACT_EXIT_ESCALATED || why->kind == ACT_EXIT_LOST);
}

act_t *
act_actor_new (act_core_t *core, const act_class_t *cls, void *args, const char *name)
{
    act_t *self = (act_t *) calloc (1, sizeof (act_t) + cls->state_size);
    if (!self)
        abort ();
    self->ref = act_ref_new (ACT_REF_ACTOR, core);
    self->ref->actor = self;
    if (name)
        self->ref->name = strdup (name);
    self->cls = cls;
    self->args = args;
    atomic_fetch_add (&core->actors, 1);
    return self;
}

static void
s_mark_stop (act_t *self, act_exit_kind_t kind, int code)
{
    if (self->flags & ACT_F_STOPPING)
        return;
    self->flags |= ACT_F_STOPPING;
    self->exit = (act_exit_t) { kind, code };
    act_loop_unschedule (self->loop, self);
    act_loop_reap (self->loop, self);
}

void
act_actor_after_callback (act_t *self, int rc, uint32_t type)
{
    //  The runtime's notices (ACT_MSG_DOWN, ACT_MSG_WRITABLE) are news,
    //  not requests: not handling one is no failure.
    if (rc == ACT_OK || (rc == ACT_UNHANDLED && type >= ACT_MSG_SYSTEM))
        return;
    if (rc == ACT_STOP)
        s_mark_stop (self, ACT_EXIT_NORMAL, 0);
    else
    if (rc == ACT_UNHANDLED && type)
        s_mark_stop (self, ACT_EXIT_UNHANDLED, (int) type);
    else
        s_mark_stop (self, ACT_EXIT_ERROR, rc < 0 && errno ? errno : rc);
}

void
act_actor_start (act_loop_t *loop, act_t *self)
{
    self->loop = loop;
    act_msg_t *saved;
    act_t *prev = act_loop_enter (loop, self, &saved);
    int rc = ACT_OK;
    if (self->cls->setup) {
        errno = 0;
        rc = self->cls->setup (self, self->args);
    }
    act_loop_leave (loop, prev, saved);
    //  Once started, the actor holds the loop-local count of its own
    //  reference until it is released, so the messages it sends take and
    //  drop that count without it falling to 0 and back each time: that
    //  was an atomic add and sub per message in a ping-pong, or in a
    //  stream to another group.
    act_ref_hold_local (self->ref);
    self->flags |= ACT_F_STARTED;
    self->args = NULL;
    act_actor_after_callback (self, rc, 0);
    if (self->mb_head && !(self->flags & ACT_F_STOPPING))
        act_loop_schedule (loop, self);
}

//  The actor's name is free again: before its reference is dead, so
//  that whoever sees it stopped finds the name free to take.
static void
s_release_name (act_t *self)
{
    act_core_t *core = self->ref->core;
    if (self->ref->name) {
        pthread_mutex_lock (&core->lock);
        if (zhashx_lookup (core->names, self->ref->name) == self->ref)
            zhashx_delete (core->names, self->ref->name);
        pthread_mutex_unlock (&core->lock);
    }
}

static void
s_release_record (act_t *self, const act_exit_t *why)
{
    act_core_t *core = self->ref->core;
    s_release_name (self);
    self->ref->actor = NULL;
    //  Pin the core: dropping our reference may drop its last owner.
    act_core_t *pinned = act_core_dup (core);
    size_t left = atomic_fetch_sub (&pinned->actors, 1) - 1;
    act_ref_set_dead (self->ref, why);
    if (self->flags & ACT_F_STARTED)
        act_ref_drop_local (self->ref);
    act_ref_destroy (&self->ref);
    if (left == 0) {
        act_core_notify (pinned);
        if (act_loop_current && act_loop_core (act_loop_current) == pinned)
            act_loop_notify_idle (act_loop_current);
    }
    act_core_release (&pinned);
    act_waiters_free (&self->monitors);
    free (self);
}

void
act_actor_discard (act_t *self, act_exit_kind_t kind)
{
    //  Never started: no setup ran, so no teardown either.
    act_exit_t why = { kind, 0 };
    while (self->mb_head) {
        act_msg_t *msg = self->mb_head;
        self->mb_head = msg->next;
        if (act_loop_current)
            act_loop_inbound_done (act_loop_current, self, msg);
        msg->to = act_ref_dup (self->ref);
        act_core_dead_letter (self->ref->core, msg);
    }
    self->ref->exit = why;
    s_release_record (self, &why);
}

void
act_actor_monitor (act_t *self, act_ref_t *waiter)
{
    act_waiters_add (&self->monitors, waiter, 0);
}

static void
s_unlink_child (act_t *parent, act_t *child)
{
    if (child->prev_sib)
        child->prev_sib->next_sib = child->next_sib;
    else
        parent->first_child = child->next_sib;
    if (child->next_sib)
        child->next_sib->prev_sib = child->prev_sib;
    child->next_sib = child->prev_sib = NULL;
}

static void
s_call_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    act_msg_t *saved;
    act_t *prev = act_loop_enter (self->loop, self, &saved);
    self->cls->child_stopped (self, child, why);
    act_loop_leave (self->loop, prev, saved);
}

//  Take the ACT_MSG_CHILD_STOPPED news out of a stopping actor's
//  mailbox, oldest first, and call its child_stopped for each; the rest
//  of the mailbox stays in order. Its own reason stands: a failed child
//  no longer escalates into a parent that stops anyway.
static void
s_hear_children (act_t *self)
{
    act_msg_t **link = &self->mb_head;
    act_msg_t *last = NULL;
    while (*link) {
        act_msg_t *msg = *link;
        if (msg->type != ACT_MSG_CHILD_STOPPED) {
            last = msg;
            link = &msg->next;
            continue;
        }
        *link = msg->next;
        msg->next = NULL;
        act_loop_inbound_done (self->loop, self, msg);
        if (self->cls->child_stopped) {
            act_exit_t why;
            memcpy (&why, msg->data, sizeof why);
            s_call_child_stopped (self, msg->sender, &why);
        }
        act_msg_destroy (&msg);
    }
    self->mb_tail = last;
}

void
act_actor_finalize (act_t *self)
{
    if (self->flags & ACT_F_FINALIZING)
        return;
    act_loop_t *loop = self->loop;
    self->flags |= ACT_F_FINALIZING | ACT_F_STOPPING;
    act_loop_unschedule (loop, self);
    //  It may wait in the reap list (it stopped in this callback, and now
    //  its parent goes first): it is freed below, so it leaves it now.
    act_loop_unreap (loop, self);

    //  Children that stopped before us sent their news to our mailbox:
    //  hear it now, in the order they stopped, before the children we
    //  stop below and before our teardown, as act_actor(3) promises.
    s_hear_children (self);
    while (self->first_child) {
        act_t *child = self->first_child;
        if (!(child->flags & ACT_F_STOPPING)) {
            child->flags |= ACT_F_STOPPING;
            child->exit = (act_exit_t) { ACT_EXIT_SHUTDOWN, 0 };
        }
        act_actor_finalize (child);
    }
    if (self->cls->teardown) {
        act_msg_t *saved;
        act_t *prev = act_loop_enter (loop, self, &saved);
        self->cls->teardown (self);
        act_loop_leave (loop, prev, saved);
    }
    if (self->hooks)
        act_loop_drop_hooks (loop, self);

    self->ref->exit = self->exit;
    self->ref->actor = NULL;
    s_release_name (self);
    //  Dead before anyone hears: the dead letters and DOWN notices below
    //  wake askers on other threads, and an ask that failed with ESRCH
    //  must find act_ref_alive false. The release store publishes exit.
    atomic_store_explicit (&self->ref->dead, true, memory_order_release);
    while (self->mb_head) {
        act_msg_t *msg = self->mb_head;
        self->mb_head = msg->next;
        msg->next = NULL;
        act_loop_inbound_done (loop, self, msg);
        //  No child's news among them: s_hear_children took it, and
        //  nothing is delivered to a finalizing actor since
        msg->to = act_ref_dup (self->ref);
        act_core_dead_letter (self->ref->core, msg);
    }
    self->mb_tail = NULL;
    act_waiters_down (&self->monitors, self->ref, UINT32_MAX, &self->exit, ESRCH);

    act_t *parent = self->parent;
    if (parent) {
        s_unlink_child (parent, self);
        if (parent->flags & ACT_F_FINALIZING) {
            //  The parent is stopping us: it hears now, before its own
            //  teardown, since it will read no more mail.
            if (parent->cls->child_stopped)
                s_call_child_stopped (parent, self->ref, &self->exit);
        }
        else {
            act_msg_t *news = act_msg_new_internal (ACT_MSG_CHILD_STOPPED,
                                                    &self->exit, sizeof self->exit);
            news->sender = act_ref_dup (self->ref);
            act_loop_deliver (loop, parent->ref, news);
        }
    }
    else {
        act_loop_unlink_top (loop, self);
        if (act_exit_failed (&self->exit))
            zsys_warning ("actorio: %s: actor %s (%s) stopped: %s %d",
                          self->ref->core->name, act_ref_shown (self->ref),
                          self->cls->name ? self->cls->name : "-",
                          act_exit_kind_name (self->exit.kind), self->exit.code);
    }
    act_exit_t why = self->exit;
    s_release_record (self, &why);
}

void
act_actor_stop_request (act_ref_t *ref, const act_msg_t *msg)
{
    act_t *self = ref->actor;
    int code = 0;
    if (msg->size == sizeof code)
        memcpy (&code, msg->data, sizeof code);
    //  Stopping already, or gone: the first reason stands.
    if (self && self->loop && !(self->flags & ACT_F_FINALIZING))
        s_mark_stop (self, code ? ACT_EXIT_ERROR : ACT_EXIT_NORMAL, code);
}

void
act_actor_child_stopped (act_t *self, act_msg_t *msg)
{
    act_exit_t why;
    memcpy (&why, msg->data, sizeof why);
    if (self->cls->child_stopped)
        s_call_child_stopped (self, msg->sender, &why);
    else
    if (act_exit_failed (&why))
        s_mark_stop (self, ACT_EXIT_ESCALATED, why.code);
    act_msg_destroy (&msg);
}

//  --------------------------------------------------------------------
//  What a callback may call

static bool
s_on_loop (act_t *self)
{
    act_loop_t *loop = act_loop_current;
    if (!self || !loop || self->loop != loop) {
        errno = EINVAL;
        return false;
    }
    return true;
}

void *
act_state (act_t *self)
{
    return self && self->cls->state_size ? (void *) self->state : NULL;
}

act_ref_t *
act_self (act_t *self)
{
    return self ? self->ref : NULL;
}

act_ref_t *
act_parent (act_t *self)
{
    return self && self->parent ? self->parent->ref : NULL;
}

act_ref_t *
act_spawn_child (act_t *self, const act_class_t *cls, void *args)
{
    if (!s_on_loop (self))
        return NULL;
    if (!cls) {
        errno = EINVAL;
        return NULL;
    }
    if (self->flags & ACT_F_STOPPING) {
        errno = ECANCELED;
        return NULL;
    }
    act_t *child = act_actor_new (self->ref->core, cls, args, NULL);
    child->parent = self;
    child->next_sib = self->first_child;
    if (self->first_child)
        self->first_child->prev_sib = child;
    self->first_child = child;
    act_ref_t *ref = child->ref;
    act_actor_start (self->loop, child);
    return ref;
}

act_ref_t *
act_find (act_t *self, const char *name)
{
    if (!s_on_loop (self))
        return NULL;
    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    return act_core_lookup (self->ref->core, name);
}

int
act_stop (act_t *self, int code)
{
    if (!s_on_loop (self))
        return -1;
    s_mark_stop (self, code ? ACT_EXIT_ERROR : ACT_EXIT_NORMAL, code);
    return 0;
}

size_t
act_children (act_t *self, act_ref_t **out, size_t max)
{
    if (!s_on_loop (self) || (!out && max)) {
        errno = EINVAL;
        return 0;
    }
    //  The list is newest first; the caller gets them oldest first.
    size_t count = 0;
    act_t *last = NULL;
    for (act_t *child = self->first_child; child; child = child->next_sib) {
        if (!(child->flags & ACT_F_FINALIZING))
            count++;
        last = child;
    }
    size_t filled = 0;
    for (act_t *child = last; child && filled < max; child = child->prev_sib)
        if (!(child->flags & ACT_F_FINALIZING))
            out [filled++] = child->ref;
    errno = 0;
    return count;
}
