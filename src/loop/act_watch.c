/*  act_watch - fds and sockets an actor watches on its loop
    SPDX-License-Identifier: MPL-2.0

    A watch ties an fd or a zsock to an actor's handler. The watches sit in
    an array parallel to the loop's poll set, after its fixed items, so
    the loop polls them with everything else; act_watch_dispatch runs the
    handlers of those that fired. A socket's fd only says "look again", so
    each socket keeps a flag saying it may still hold input. An io watch
    is the runtime's own (a link's fd): no actor, a handler that says
    whether input may remain, and it can be switched off without being
    removed (a link polls its out socket only while a send waits).
*/
#include "act_loop_priv.h"
#include <poll.h>

//  Every change of a watch's more goes through here: the loop's count of
//  them lets a round with nothing to look at skip the watches at once.
static inline void
s_more_set (act_loop_t *self, act_watch_t *w, bool more)
{
    self->watch_more = self->watch_more - w->more + more;
    w->more = more;
}

static act_watch_t *
s_watch_slot (act_loop_t *self)
{
    if (self->watch_count == self->watch_cap) {
        self->watch_cap = self->watch_cap ? self->watch_cap * 2 : 8;
        self->watches = (act_watch_t *) realloc (self->watches,
                                                 self->watch_cap * sizeof (act_watch_t));
        self->items = (struct pollfd *) realloc (self->items,
            (self->watch_cap + ACT_FIXED_ITEMS) * sizeof (struct pollfd));
        self->ready_ids = (int *) realloc (self->ready_ids,
                                           self->watch_cap * sizeof (int));
        if (!self->watches || !self->items || !self->ready_ids)
            abort ();
    }
    return &self->watches [self->watch_count];
}

static int
s_watch_add (act_loop_t *self, act_t *actor, int fd, zsock_t *sock,
             act_fd_fn *fd_fn, act_sock_fn *sock_fn, void *arg)
{
    for (size_t i = 0; i < self->watch_count; i++) {
        act_watch_t *w = &self->watches [i];
        if (w->actor == actor && ((sock && w->sock == sock) || (!sock && w->fd == fd))) {
            errno = EEXIST;
            return -1;
        }
    }
    act_watch_t *w = s_watch_slot (self);
    //  A socket may hold input already: look at it in the next round.
    *w = (act_watch_t) { .id = ++self->next_watch, .actor = actor, .fd = sock ? -1 : fd,
                         .sock = sock, .more = sock != NULL, .fd_fn = fd_fn,
                         .sock_fn = sock_fn, .arg = arg };
    struct pollfd *item = &self->items [ACT_FIXED_ITEMS + self->watch_count];
    *item = (struct pollfd) { sock ? zsock_fd (sock) : fd, POLLIN, 0 };
    self->watch_count++;
    self->watch_socks += sock != NULL;
    self->watch_more += w->more;
    actor->hooks++;
    return 0;
}

int
act_loop_io_add (act_loop_t *self, int fd, act_loop_io_fn *fn, void *arg)
{
    act_watch_t *w = s_watch_slot (self);
    //  Input may be there already: the handler runs in the next round.
    *w = (act_watch_t) { .id = ++self->next_watch, .fd = fd, .more = true,
                         .io_fn = fn, .arg = arg };
    self->items [ACT_FIXED_ITEMS + self->watch_count] = (struct pollfd) { fd, POLLIN, 0 };
    self->watch_count++;
    self->watch_more++;
    return w->id;
}

static act_watch_t *
s_io_find (act_loop_t *self, int id, size_t *index)
{
    for (size_t i = 0; i < self->watch_count; i++)
        if (self->watches [i].id == id && !self->watches [i].actor) {
            *index = i;
            return &self->watches [i];
        }
    return NULL;
}

void
act_loop_io_enable (act_loop_t *self, int id, bool enable)
{
    size_t i;
    act_watch_t *w = s_io_find (self, id, &i);
    if (w && w->disabled == enable) {
        w->disabled = !enable;
        //  poll(2) skips a negative fd.
        self->items [ACT_FIXED_ITEMS + i].fd = enable ? w->fd : -1;
        self->items [ACT_FIXED_ITEMS + i].revents = 0;
    }
}

void
act_loop_io_kick (act_loop_t *self, int id)
{
    size_t i;
    act_watch_t *w = s_io_find (self, id, &i);
    if (w)
        s_more_set (self, w, true);
}

static void s_watch_remove_at (act_loop_t *self, size_t index);

void
act_loop_io_remove (act_loop_t *self, int id)
{
    size_t i;
    if (s_io_find (self, id, &i))
        s_watch_remove_at (self, i);
}

static void
s_watch_remove_at (act_loop_t *self, size_t index)
{
    act_watch_t *w = &self->watches [index];
    if (w->actor)
        w->actor->hooks--;
    self->watch_socks -= w->sock != NULL;
    self->watch_more -= w->more;
    size_t last = --self->watch_count;
    if (index != last) {
        self->watches [index] = self->watches [last];
        self->items [ACT_FIXED_ITEMS + index] = self->items [ACT_FIXED_ITEMS + last];
    }
}

static int
s_watch_remove (act_loop_t *self, act_t *actor, int fd, zsock_t *sock)
{
    for (size_t i = 0; i < self->watch_count; i++) {
        act_watch_t *w = &self->watches [i];
        if (w->actor == actor && ((sock && w->sock == sock) || (!sock && w->fd == fd))) {
            s_watch_remove_at (self, i);
            return 0;
        }
    }
    errno = ENOENT;
    return -1;
}

void
act_watch_dispatch (act_loop_t *self)
{
    //  Handlers may add and remove watches: note who is ready first, then
    //  find each again by id before calling it.
    //  ready_ids is read afresh each time: a handler that adds a watch may
    //  grow (move) the array.
    size_t count = 0;
    for (size_t i = 0; i < self->watch_count; i++) {
        act_watch_t *w = &self->watches [i];
        short revents = self->items [ACT_FIXED_ITEMS + i].revents;
        if (!w->actor) {
            if (w->more || (!w->disabled && revents))
                self->ready_ids [count++] = w->id;
        }
        else
        if (w->sock) {
            //  A socket's fd only says "look": the events tell, and a
            //  socket with input is looked at again next round.
            if (revents || w->more)
                s_more_set (self, w, (zsock_events (w->sock) & ZMQ_POLLIN) != 0);
            if (w->more)
                self->ready_ids [count++] = w->id;
        }
        else
        if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
            self->ready_ids [count++] = w->id;
    }
    for (size_t r = 0; r < count; r++) {
        for (size_t i = 0; i < self->watch_count; i++) {
            act_watch_t w = self->watches [i];
            if (w.id != self->ready_ids [r])
                continue;
            if (!w.actor) {
                //  The handler may add or remove watches: index again.
                bool more = w.io_fn (w.arg);
                size_t at;
                act_watch_t *now = s_io_find (self, w.id, &at);
                if (now)
                    s_more_set (self, now, more);
                break;
            }
            if (w.actor->flags & ACT_F_STOPPING)
                break;
            //  The fd was closed under the watch: poll says so at once,
            //  every round, so the watch goes; the handler is called once
            //  more, to find out (its read fails with EBADF). The items
            //  move with the watches, so this one's revents are at i.
            if (!w.sock && (self->items [ACT_FIXED_ITEMS + i].revents & POLLNVAL))
                s_watch_remove_at (self, i);
            self->current = w.actor;
            errno = 0;          //  as for handle: see act_loop.c
            int rc = w.sock ? w.sock_fn (w.actor, w.sock, w.arg)
                            : w.fd_fn (w.actor, w.fd, w.arg);
            self->current = NULL;
            act_actor_after_callback (w.actor, rc, 0);
            break;
        }
        if (self->reap_head)
            act_loop_reap_pending (self);
    }
}

bool
act_watch_input_waits (act_loop_t *self)
{
    //  A watched socket is looked at every round, as zmq_poll would: any
    //  send on it, by any handler, may have swallowed its fd's signal.
    //  Without one, the count of watches with more says it all.
    if (self->watch_socks)
        for (size_t i = 0; i < self->watch_count; i++) {
            act_watch_t *w = &self->watches [i];
            if (w->sock && !w->more)
                s_more_set (self, w, (zsock_events (w->sock) & ZMQ_POLLIN) != 0);
        }
    return self->watch_more != 0;
}

void
act_watch_drop (act_loop_t *self, act_t *actor)
{
    for (size_t i = self->watch_count; i-- > 0 && actor->hooks;)
        if (self->watches [i].actor == actor)
            s_watch_remove_at (self, i);
}

//  --------------------------------------------------------------------
//  The watch services an actor asks for from its callbacks

int
act_watch_fd (act_t *self, int fd, act_fd_fn *handler, void *arg)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop || fd < 0 || !handler) {
        errno = EINVAL;
        return -1;
    }
    return s_watch_add (loop, self, fd, NULL, handler, NULL, arg);
}

int
act_unwatch_fd (act_t *self, int fd)
{
    act_loop_t *loop = act_loop_of (self);
    if (loop && fd < 0) {
        errno = EINVAL;
        return -1;
    }
    return loop ? s_watch_remove (loop, self, fd, NULL) : -1;
}

int
act_watch_sock (act_t *self, zsock_t *sock, act_sock_fn *handler, void *arg)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop || !sock || !handler || !zsock_resolve (sock)) {
        errno = EINVAL;
        return -1;
    }
    return s_watch_add (loop, self, -1, sock, NULL, handler, arg);
}

int
act_unwatch_sock (act_t *self, zsock_t *sock)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop || !sock) {
        errno = EINVAL;
        return -1;
    }
    return s_watch_remove (loop, self, -1, sock);
}
