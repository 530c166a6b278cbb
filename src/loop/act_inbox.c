/*  act_inbox - a mailbox for code that is not an actor
    SPDX-License-Identifier: MPL-2.0

    A mutex-guarded FIFO with an eventfd that is readable exactly while
    the FIFO is not empty (both change under the mutex), so receivers
    wait in poll() and a zloop can watch the same fd. The inbox lives as
    long as its reference: an actor may still hold that reference after
    act_inbox_destroy, and telling it then must find a dead inbox, not
    freed memory.
*/
#include "act_loop_priv.h"
#include <sys/eventfd.h>
#include <poll.h>
#include <unistd.h>
#include <time.h>

struct _act_inbox_t {
    act_ref_t *ref;             //  our reference; frees us when it goes
    pthread_mutex_t lock;       //  guards everything below
    act_msg_t *head;            //  oldest message
    act_msg_t *tail;            //  newest message
    size_t size;                //  messages waiting
    int fd;                     //  eventfd, readable while size > 0
    bool dead;                  //  destroyed by its owner
};

act_inbox_t *
act_inbox_new (act_system_t *system)
{
    return act_inbox_new_in (system ? act_system_core (system) : NULL);
}

act_inbox_t *
act_inbox_new_in (act_core_t *core)
{
    act_inbox_t *self = (act_inbox_t *) calloc (1, sizeof (act_inbox_t));
    if (!self)
        abort ();
    self->fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->fd < 0) {
        free (self);
        return NULL;
    }
    pthread_mutex_init (&self->lock, NULL);
    self->ref = act_ref_new (ACT_REF_INBOX, core);
    self->ref->inbox = self;
    return self;
}

void
act_inbox_destroy (act_inbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_inbox_t *self = *self_p;
    *self_p = NULL;
    pthread_mutex_lock (&self->lock);
    self->dead = true;
    act_msg_t *msg = self->head;
    self->head = self->tail = NULL;
    self->size = 0;
    close (self->fd);
    self->fd = -1;
    pthread_mutex_unlock (&self->lock);
    while (msg) {
        act_msg_t *next = msg->next;
        act_msg_destroy (&msg);
        msg = next;
    }
    act_ref_set_dead (self->ref, NULL);
    act_core_t *core = self->ref->core;
    if (self->ref->name && core) {
        //  It had an address for replies from other groups: give it back.
        pthread_mutex_lock (&core->lock);
        if (zhashx_lookup (core->names, self->ref->name) == self->ref)
            zhashx_delete (core->names, self->ref->name);
        pthread_mutex_unlock (&core->lock);
    }
    act_ref_t *ref = self->ref;
    act_ref_destroy (&ref);
}

void
act_inbox_free (act_inbox_t *self)
{
    pthread_mutex_destroy (&self->lock);
    free (self);
}

act_ref_t *
act_inbox_ref (act_inbox_t *self)
{
    return self ? self->ref : NULL;
}

int
act_inbox_put (act_inbox_t *self, act_msg_t *msg)
{
    act_msg_unbias (msg);       //  it leaves the loop: another thread frees it
    pthread_mutex_lock (&self->lock);
    if (self->dead) {
        pthread_mutex_unlock (&self->lock);
        act_core_t *core = self->ref->core;
        //  A late reply to a finished ask is expected, not a dead letter.
        if (core && msg->type != ACT_MSG_DOWN)
            act_core_count_dead (core, msg);
        act_msg_destroy (&msg);
        errno = ESRCH;
        return -1;
    }
    msg->next = NULL;
    act_ref_destroy (&msg->to);
    if (self->tail)
        self->tail->next = msg;
    else
        self->head = msg;
    self->tail = msg;
    if (self->size++ == 0) {
        uint64_t one = 1;
        ssize_t rc = write (self->fd, &one, sizeof one);
        (void) rc;
    }
    pthread_mutex_unlock (&self->lock);
    return 0;
}

static act_msg_t *
s_take (act_inbox_t *self)
{
    pthread_mutex_lock (&self->lock);
    act_msg_t *msg = self->head;
    if (msg) {
        self->head = msg->next;
        if (!self->head)
            self->tail = NULL;
        msg->next = NULL;
        if (--self->size == 0) {
            uint64_t value;
            ssize_t rc = read (self->fd, &value, sizeof value);
            (void) rc;
        }
    }
    pthread_mutex_unlock (&self->lock);
    return msg;
}

act_msg_t *
act_inbox_recv (act_inbox_t *self, int timeout_ms)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    int64_t deadline = timeout_ms < 0 ? -1 : zclock_mono () + timeout_ms;
    while (true) {
        act_msg_t *msg = s_take (self);
        if (msg)
            return msg;
        int wait_ms = -1;
        if (deadline >= 0) {
            int64_t left = deadline - zclock_mono ();
            if (left <= 0) {
                errno = ETIMEDOUT;
                return NULL;
            }
            wait_ms = (int) left;
        }
        struct pollfd item = { self->fd, POLLIN, 0 };
        //  Another receiver may take what woke us: loop and look again.
        if (poll (&item, 1, wait_ms) < 0 && errno != EINTR)
            return NULL;
    }
}

size_t
act_inbox_size (act_inbox_t *self)
{
    if (!self)
        return 0;
    pthread_mutex_lock (&self->lock);
    size_t size = self->size;
    pthread_mutex_unlock (&self->lock);
    return size;
}

int
act_inbox_fd (act_inbox_t *self)
{
    if (!self) {
        errno = EINVAL;
        return -1;
    }
    return self->fd;
}
