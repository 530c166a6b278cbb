/*  act_core - what a loop shares with other threads
    SPDX-License-Identifier: MPL-2.0

    Posting appends under the mutex and writes the eventfd only when the
    queue was empty: a burst of posts costs the loop one wake-up.
*/
#include "act_loop_priv.h"
#include <sys/eventfd.h>
#include <unistd.h>
#include <time.h>

act_core_t *
act_core_new (const char *name)
{
    act_ref_install_hooks ();
    act_core_t *self = (act_core_t *) calloc (1, sizeof (act_core_t));
    if (!self)
        abort ();
    self->wake_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->wake_fd < 0) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&self->cond, &attr);
    pthread_condattr_destroy (&attr);
    atomic_init (&self->refs, 1);
    atomic_init (&self->next_corr, 1);
    atomic_init (&self->workers, 4);
    self->names = zhashx_new ();
    self->name = strdup (name ? name : "actorio");
    return self;
}

act_core_t *
act_core_dup (act_core_t *self)
{
    atomic_fetch_add_explicit (&self->refs, 1, memory_order_relaxed);
    return self;
}

void
act_core_release (act_core_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_core_t *self = *self_p;
    *self_p = NULL;
    if (atomic_fetch_sub_explicit (&self->refs, 1, memory_order_acq_rel) != 1)
        return;
    //  Posts are only left when the loop never ran; they own references
    //  to this core, so there can be none here.
    assert (!self->head);
    zhashx_destroy (&self->names);
    close (self->wake_fd);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->cond);
    free (self->name);
    free (self->group);
    free (self);
}

int
act_core_post (act_core_t *self, act_msg_t *msg)
{
    act_msg_unbias (msg);       //  it leaves this thread
    pthread_mutex_lock (&self->lock);
    if (self->closed) {
        pthread_mutex_unlock (&self->lock);
        act_core_dead_letter (self, msg);
        errno = ESRCH;
        return -1;
    }
    bool was_empty = self->head == NULL;
    msg->next = NULL;
    if (self->tail)
        self->tail->next = msg;
    else
        self->head = msg;
    self->tail = msg;
    if (was_empty) {
        //  Under the lock: the loop closes the queue under it too, so the
        //  fd is never written after the loop stopped reading it.
        uint64_t one = 1;
        ssize_t rc = write (self->wake_fd, &one, sizeof one);
        (void) rc;              //  EAGAIN: already readable, enough
    }
    pthread_mutex_unlock (&self->lock);
    return 0;
}

void
act_core_count_dead (act_core_t *self, const act_msg_t *msg)
{
    if (self)
        atomic_fetch_add_explicit (&self->dead_letters, 1, memory_order_relaxed);
    //  The sender's own count is how status names who sends into the void
    if (msg->sender && msg->sender->kind == ACT_REF_ACTOR)
        atomic_fetch_add_explicit (&msg->sender->dead_sent, 1, memory_order_relaxed);
}

void
act_core_dead_letter (act_core_t *self, act_msg_t *msg)
{
    act_core_count_dead (self, msg);
    if ((msg->flags & ACT_MSG_F_ASK) && msg->sender && msg->to) {
        //  The asker learns now, not at its timeout. exit is the loop's
        //  until the reference is dead: a post refused by a system being
        //  destroyed may come while the target is still finalizing.
        act_ref_t *to = msg->to;
        bool dead = atomic_load_explicit (&to->dead, memory_order_acquire);
        act_msg_t *down = act_down_new (to, dead ? &to->exit : NULL, ESRCH);
        down->corr = msg->corr;
        act_ref_t *waiter = msg->sender;
        if (waiter->kind == ACT_REF_INBOX)
            act_inbox_put (waiter->inbox, down);
        else
        if (waiter->kind == ACT_REF_REMOTE)
            act_tell (waiter, &down);
        else
            act_msg_destroy (&down);
    }
    act_msg_destroy (&msg);
}

act_msg_t *
act_down_new (act_ref_t *target, const act_exit_t *why, int err)
{
    act_down_t down = { why ? *why : (act_exit_t) { ACT_EXIT_NORMAL, 0 }, err };
    act_msg_t *msg = act_msg_new_internal (ACT_MSG_DOWN, &down, sizeof down);
    if (target)
        msg->sender = act_ref_dup (target);
    return msg;
}

void
act_core_notify (act_core_t *self)
{
    //  Waiters count themselves in before they test their condition, so
    //  a notifier that reads zero here has nobody to wake.
    if (atomic_load (&self->waiters) > 0) {
        pthread_mutex_lock (&self->lock);
        pthread_cond_broadcast (&self->cond);
        pthread_mutex_unlock (&self->lock);
    }
}

int
act_core_wait (act_core_t *self, bool (*done) (void *), void *arg, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime (CLOCK_MONOTONIC, &deadline);
    if (timeout_ms >= 0) {
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    int rc = 0;
    pthread_mutex_lock (&self->lock);
    atomic_fetch_add (&self->waiters, 1);
    while (!done (arg)) {
        if (timeout_ms < 0)
            pthread_cond_wait (&self->cond, &self->lock);
        else
        if (pthread_cond_timedwait (&self->cond, &self->lock, &deadline) == ETIMEDOUT) {
            if (!done (arg)) {
                rc = -1;
                errno = ETIMEDOUT;
            }
            break;
        }
    }
    atomic_fetch_sub (&self->waiters, 1);
    pthread_mutex_unlock (&self->lock);
    return rc;
}
