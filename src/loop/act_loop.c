/*  act_loop - one thread running all actors of a system
    SPDX-License-Identifier: MPL-2.0

    The loop alternates between running ready actors and polling: the
    zactor pipe, the eventfd of posts from other threads, the transport,
    watched fds and sockets, with the next timer as poll timeout. It is
    hand-written rather than a zloop because it must poll with a zero
    timeout while actors are ready and run mailboxes between poll rounds;
    zloop has no such idle hook. It calls poll(2) on the sockets' ZMQ_FD
    itself rather than zmq_poll: zmq_poll asks every socket for its events
    before and after polling, two syscalls per socket per round, which
    measured as most of a cross-group round trip's CPU. ZMQ_FD only says
    "look again", so a socket that fired is read until it reports no
    input, or flagged to be looked at in the next round. Ready actors run round-robin, each at most ACT_TURN_BUDGET
    messages per turn; the loop polls at least every ACT_POLL_BUDGET
    messages, so neither a flooded actor nor a busy system starves the
    others or the watched inputs.
*/
#include "act_loop_priv.h"
#include <unistd.h>
#include <poll.h>

#define ACT_TURN_BUDGET 1024    //  messages per actor turn (Erlang: ~4000 reductions)
#define ACT_POLL_BUDGET 4096    //  messages between two polls
#define ACT_POLL_SLICE_US 10000 //  microseconds of handlers between two polls
#define ACT_FIXED_ITEMS 4       //  pipe, wake fd, transport in and out first

typedef struct {
    int id;                     //  watch id, unique in the loop
    act_t *actor;               //  owner
    int fd;                     //  watched fd, or -1
    zsock_t *sock;              //  watched socket, or NULL
    bool more;                  //  the socket may still hold input
    act_fd_fn *fd_fn;           //  handler for an fd
    act_sock_fn *sock_fn;       //  handler for a socket
    void *arg;                  //  handler argument
} s_watch_t;

typedef struct {
    int64_t due;                //  zclock_mono () ms when it fires
    int period;                 //  ms between firings, 0 for one-shot
    int id;                     //  timer id, unique in the loop
    act_t *actor;               //  owner
    act_timer_fn *fn;           //  handler
    void *arg;                  //  handler argument
} s_timer_t;

struct act_loop {
    act_core_t *core;           //  shared with other threads (counted)
    zsock_t *pipe;              //  our end of the zactor pipe
    act_t *current;             //  actor whose callback runs, or NULL
    act_msg_t *current_msg;     //  message being handled, until taken
    act_t *ready_head;          //  ready queue, FIFO
    act_t *ready_tail;
    act_t *reap_head;           //  actors to finalize
    act_t *tops;                //  top-level actors
    struct pollfd *items;       //  poll set: pipe, wake fd, transport, watches
    s_watch_t *watches;         //  watches, parallel to items + 2
    int *ready_ids;             //  scratch: ids of ready watches
    size_t watch_count;
    size_t watch_cap;
    int next_watch;             //  last watch id given
    s_timer_t **timers;         //  min-heap on due
    size_t timer_count;
    size_t timer_cap;
    int next_timer;             //  last timer id given
    act_pool_t *pool;           //  worker pool, started on first offload
    act_link_t link;            //  transport to other groups, if joined
    bool link_more;             //  the transport may still hold input
    bool pipe_more;             //  the pipe may hold input: we sent on it
    bool terminating;           //  $TERM received
};

__thread act_loop_t *act_loop_current __attribute__ ((tls_model ("initial-exec")));

act_core_t *
act_loop_core (act_loop_t *self)
{
    return self->core;
}

bool
act_loop_terminating (act_loop_t *self)
{
    return self->terminating;
}

act_pool_t *
act_loop_pool (act_loop_t *self)
{
    if (!self->pool)
        self->pool = act_pool_new (atomic_load (&self->core->workers));
    return self->pool;
}

//  --------------------------------------------------------------------
//  Ready queue, reap list, top-level list

void
act_loop_schedule (act_loop_t *self, act_t *actor)
{
    actor->flags |= ACT_F_SCHEDULED;
    actor->ready_next = NULL;
    actor->ready_prev = self->ready_tail;
    if (self->ready_tail)
        self->ready_tail->ready_next = actor;
    else
        self->ready_head = actor;
    self->ready_tail = actor;
}

void
act_loop_unschedule (act_loop_t *self, act_t *actor)
{
    if (!(actor->flags & ACT_F_SCHEDULED))
        return;
    if (actor->ready_prev)
        actor->ready_prev->ready_next = actor->ready_next;
    else
        self->ready_head = actor->ready_next;
    if (actor->ready_next)
        actor->ready_next->ready_prev = actor->ready_prev;
    else
        self->ready_tail = actor->ready_prev;
    actor->ready_next = actor->ready_prev = NULL;
    actor->flags &= ~ACT_F_SCHEDULED;
}

void
act_loop_reap (act_loop_t *self, act_t *actor)
{
    if (actor->flags & ACT_F_REAPING)
        return;
    actor->flags |= ACT_F_REAPING;
    actor->reap_next = self->reap_head;
    self->reap_head = actor;
}

static void
s_reap (act_loop_t *self)
{
    while (self->reap_head) {
        act_t *actor = self->reap_head;
        self->reap_head = actor->reap_next;
        act_actor_finalize (actor);
    }
}

void
act_loop_link_top (act_loop_t *self, act_t *actor)
{
    actor->prev_sib = NULL;
    actor->next_sib = self->tops;
    if (self->tops)
        self->tops->prev_sib = actor;
    self->tops = actor;
}

void
act_loop_unlink_top (act_loop_t *self, act_t *actor)
{
    if (actor->prev_sib)
        actor->prev_sib->next_sib = actor->next_sib;
    else
    if (self->tops == actor)
        self->tops = actor->next_sib;
    if (actor->next_sib)
        actor->next_sib->prev_sib = actor->prev_sib;
    actor->next_sib = actor->prev_sib = NULL;
}

static void
s_stop_tops (act_loop_t *self)
{
    for (act_t *actor = self->tops; actor; actor = actor->next_sib) {
        if (!(actor->flags & ACT_F_STOPPING)) {
            actor->flags |= ACT_F_STOPPING;
            actor->exit = (act_exit_t) { ACT_EXIT_SHUTDOWN, 0 };
        }
        act_loop_reap (self, actor);
    }
}

//  --------------------------------------------------------------------
//  Callbacks and delivery

act_t *
act_loop_enter (act_loop_t *self, act_t *actor, act_msg_t **saved_msg)
{
    act_t *prev = self->current;
    *saved_msg = self->current_msg;
    self->current = actor;
    self->current_msg = NULL;
    return prev;
}

void
act_loop_leave (act_loop_t *self, act_t *prev, act_msg_t *saved_msg)
{
    self->current = prev;
    self->current_msg = saved_msg;
}

void
act_loop_forget_msg (act_msg_t *msg)
{
    act_loop_t *self = act_loop_current;
    if (self && self->current_msg == msg)
        self->current_msg = NULL;
}

void
act_loop_stamp (act_loop_t *self, act_msg_t *msg)
{
    if (self->current_msg == msg)
        self->current_msg = NULL;
    if (!msg->sender && self->current) {
        msg->sender = self->current->ref;
        act_ref_hold_local (msg->sender);
        msg->flags |= ACT_MSG_F_LOCAL;
    }
}

int
act_loop_deliver (act_loop_t *self, act_ref_t *to, act_msg_t *msg)
{
    if (to->kind == ACT_REF_REMOTE) {
        act_ref_destroy (&msg->to);
        if (self->link.send)
            return self->link.send (self->link.self, to, msg);
        atomic_fetch_add (&self->core->dropped, 1);
        act_msg_destroy (&msg);
        errno = EHOSTUNREACH;
        return -1;
    }
    if (to->kind == ACT_REF_INBOX) {
        act_ref_destroy (&msg->to);
        return act_inbox_put (to->inbox, msg);
    }
    act_t *actor = to->actor;
    if (!actor || (actor->flags & ACT_F_FINALIZING)) {
        if (!msg->to)
            msg->to = act_ref_dup (to);
        act_core_dead_letter (self->core, msg);
        errno = ESRCH;
        return -1;
    }
    act_ref_destroy (&msg->to);
    msg->next = NULL;
    if (actor->mb_tail)
        actor->mb_tail->next = msg;
    else
        actor->mb_head = msg;
    actor->mb_tail = msg;
    if ((actor->flags & (ACT_F_STARTED | ACT_F_SCHEDULED | ACT_F_STOPPING))
        == ACT_F_STARTED)
        act_loop_schedule (self, actor);
    return 0;
}

static void
s_handle (act_loop_t *self, act_t *actor, act_msg_t *msg)
{
    if (msg->type == ACT_MSG_CHILD_STOPPED) {
        act_actor_child_stopped (actor, msg);
        return;
    }
    uint32_t type = msg->type;
    self->current = actor;
    self->current_msg = msg;
    int rc = actor->cls->handle ? actor->cls->handle (actor, msg) : ACT_UNHANDLED;
    self->current = NULL;
    if (self->current_msg) {
        act_msg_t *left = self->current_msg;
        self->current_msg = NULL;
        act_msg_destroy (&left);
    }
    act_actor_after_callback (actor, rc, type);
}

static void
s_run_ready (act_loop_t *self)
{
    //  Two limits between polls: a count of messages, and time, looked at
    //  every 64 messages, so slow handlers cannot keep the inputs,
    //  timers and other threads' posts waiting for seconds.
    int budget = ACT_POLL_BUDGET;
    int64_t deadline = zclock_usecs () + ACT_POLL_SLICE_US;
    uint64_t handled = 0, checked = 0;
    while (budget > 0 && self->ready_head) {
        act_t *actor = self->ready_head;
        act_loop_unschedule (self, actor);
        //  A turn serves what was in the mailbox when it began: what the
        //  actor tells itself meanwhile waits for its next turn, so a
        //  self-feeding actor cannot keep the loop.
        act_msg_t *last = actor->mb_tail;
        bool more = last != NULL;
        int turn = 0;
        while (more && turn < ACT_TURN_BUDGET && !(actor->flags & ACT_F_STOPPING)) {
            act_msg_t *msg = actor->mb_head;
            more = msg != last;
            actor->mb_head = msg->next;
            if (!actor->mb_head)
                actor->mb_tail = NULL;
            msg->next = NULL;
            s_handle (self, actor, msg);
            turn++;
            if (handled + turn - checked >= 64) {
                checked = handled + turn;
                if (zclock_usecs () > deadline) {
                    budget = 0;
                    break;
                }
            }
        }
        handled += turn;
        budget -= turn ? turn : 1;
        if (actor->mb_head && !(actor->flags & (ACT_F_STOPPING | ACT_F_SCHEDULED)))
            act_loop_schedule (self, actor);
        if (self->reap_head)
            s_reap (self);
    }
    if (handled)
        atomic_fetch_add_explicit (&self->core->delivered, handled, memory_order_relaxed);
}

//  --------------------------------------------------------------------
//  Posts from other threads

static void
s_take_posts (act_loop_t *self, bool closing)
{
    uint64_t value;
    ssize_t rc = read (self->core->wake_fd, &value, sizeof value);
    (void) rc;
    pthread_mutex_lock (&self->core->lock);
    act_msg_t *msg = self->core->head;
    self->core->head = self->core->tail = NULL;
    if (closing)
        self->core->closed = true;
    pthread_mutex_unlock (&self->core->lock);

    while (msg) {
        act_msg_t *next = msg->next;
        msg->next = NULL;
        if (msg->type == ACT_MSG_SPAWN) {
            act_t *actor = (act_t *) msg->ptr;
            act_msg_destroy (&msg);
            if (self->terminating)
                act_actor_discard (actor, ACT_EXIT_SHUTDOWN);
            else {
                act_loop_link_top (self, actor);
                act_actor_start (self, actor);
            }
        }
        else
        if (msg->type == ACT_MSG_STOP_ALL) {
            act_msg_destroy (&msg);
            s_stop_tops (self);
        }
        else
        if (msg->type == ACT_MSG_CALL) {
            act_call_t *call = (act_call_t *) msg->ptr;
            act_msg_destroy (&msg);
            errno = 0;
            int rc = self->terminating ? -1 : call->fn (self, call->arg);
            int err = self->terminating ? ECANCELED : errno;
            pthread_mutex_lock (&self->core->lock);
            call->rc = rc;
            call->err = err;
            call->done = true;
            pthread_cond_broadcast (&self->core->cond);
            pthread_mutex_unlock (&self->core->lock);
        }
        else {
            act_ref_t *to = msg->to;
            msg->to = NULL;
            if ((msg->flags & ACT_MSG_F_ASK) && msg->sender
            && to->kind == ACT_REF_ACTOR && to->actor
            && !(to->actor->flags & ACT_F_FINALIZING))
                act_actor_monitor (to->actor, msg->sender);
            act_loop_deliver (self, to, msg);
            act_ref_destroy (&to);
        }
        msg = next;
        if (self->reap_head)
            s_reap (self);
    }
}

//  --------------------------------------------------------------------
//  Watches

static int
s_watch_add (act_loop_t *self, act_t *actor, int fd, zsock_t *sock,
             act_fd_fn *fd_fn, act_sock_fn *sock_fn, void *arg)
{
    for (size_t i = 0; i < self->watch_count; i++) {
        s_watch_t *w = &self->watches [i];
        if (w->actor == actor && ((sock && w->sock == sock) || (!sock && w->fd == fd))) {
            errno = EEXIST;
            return -1;
        }
    }
    if (self->watch_count == self->watch_cap) {
        self->watch_cap = self->watch_cap ? self->watch_cap * 2 : 8;
        self->watches = (s_watch_t *) realloc (self->watches,
                                               self->watch_cap * sizeof (s_watch_t));
        self->items = (struct pollfd *) realloc (self->items,
            (self->watch_cap + ACT_FIXED_ITEMS) * sizeof (struct pollfd));
        self->ready_ids = (int *) realloc (self->ready_ids,
                                           self->watch_cap * sizeof (int));
        if (!self->watches || !self->items || !self->ready_ids)
            abort ();
    }
    s_watch_t *w = &self->watches [self->watch_count];
    //  A socket may hold input already: look at it in the next round.
    *w = (s_watch_t) { ++self->next_watch, actor, sock ? -1 : fd, sock, sock != NULL,
                       fd_fn, sock_fn, arg };
    struct pollfd *item = &self->items [ACT_FIXED_ITEMS + self->watch_count];
    *item = (struct pollfd) { sock ? zsock_fd (sock) : fd, POLLIN, 0 };
    self->watch_count++;
    actor->hooks++;
    return 0;
}

static void
s_watch_remove_at (act_loop_t *self, size_t index)
{
    self->watches [index].actor->hooks--;
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
        s_watch_t *w = &self->watches [i];
        if (w->actor == actor && ((sock && w->sock == sock) || (!sock && w->fd == fd))) {
            s_watch_remove_at (self, i);
            return 0;
        }
    }
    errno = ENOENT;
    return -1;
}

static void
s_watch_dispatch (act_loop_t *self)
{
    //  Handlers may add and remove watches: note who is ready first, then
    //  find each again by id before calling it.
    //  ready_ids is read afresh each time: a handler that adds a watch may
    //  grow (move) the array.
    size_t count = 0;
    for (size_t i = 0; i < self->watch_count; i++) {
        s_watch_t *w = &self->watches [i];
        short revents = self->items [ACT_FIXED_ITEMS + i].revents;
        if (w->sock) {
            //  A socket's fd only says "look": the events tell, and a
            //  socket with input is looked at again next round.
            if (revents || w->more)
                w->more = (zsock_events (w->sock) & ZMQ_POLLIN) != 0;
            if (w->more)
                self->ready_ids [count++] = w->id;
        }
        else
        if (revents & (POLLIN | POLLERR | POLLHUP))
            self->ready_ids [count++] = w->id;
    }
    for (size_t r = 0; r < count; r++) {
        for (size_t i = 0; i < self->watch_count; i++) {
            s_watch_t w = self->watches [i];
            if (w.id != self->ready_ids [r])
                continue;
            if (w.actor->flags & ACT_F_STOPPING)
                break;
            self->current = w.actor;
            int rc = w.sock ? w.sock_fn (w.actor, w.sock, w.arg)
                            : w.fd_fn (w.actor, w.fd, w.arg);
            self->current = NULL;
            act_actor_after_callback (w.actor, rc, 0);
            break;
        }
        if (self->reap_head)
            s_reap (self);
    }
}

//  --------------------------------------------------------------------
//  Timers: a binary min-heap on due time

static bool
s_timer_before (s_timer_t *a, s_timer_t *b)
{
    return a->due < b->due || (a->due == b->due && a->id < b->id);
}

static void
s_heap_swap (act_loop_t *self, size_t i, size_t j)
{
    s_timer_t *tmp = self->timers [i];
    self->timers [i] = self->timers [j];
    self->timers [j] = tmp;
}

static void
s_heap_up (act_loop_t *self, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!s_timer_before (self->timers [i], self->timers [parent]))
            break;
        s_heap_swap (self, i, parent);
        i = parent;
    }
}

static void
s_heap_down (act_loop_t *self, size_t i)
{
    while (true) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < self->timer_count
        && s_timer_before (self->timers [left], self->timers [least]))
            least = left;
        if (right < self->timer_count
        && s_timer_before (self->timers [right], self->timers [least]))
            least = right;
        if (least == i)
            break;
        s_heap_swap (self, i, least);
        i = least;
    }
}

static void
s_heap_push (act_loop_t *self, s_timer_t *timer)
{
    if (self->timer_count == self->timer_cap) {
        self->timer_cap = self->timer_cap ? self->timer_cap * 2 : 16;
        self->timers = (s_timer_t **) realloc (self->timers,
                                               self->timer_cap * sizeof (s_timer_t *));
        if (!self->timers)
            abort ();
    }
    self->timers [self->timer_count++] = timer;
    s_heap_up (self, self->timer_count - 1);
}

static s_timer_t *
s_heap_remove_at (act_loop_t *self, size_t i)
{
    s_timer_t *timer = self->timers [i];
    self->timers [i] = self->timers [--self->timer_count];
    if (i < self->timer_count) {
        s_heap_down (self, i);
        s_heap_up (self, i);
    }
    return timer;
}

static int
s_timer_add (act_loop_t *self, act_t *actor, int ms, int period,
             act_timer_fn *fn, void *arg)
{
    s_timer_t *timer = (s_timer_t *) malloc (sizeof (s_timer_t));
    if (!timer)
        abort ();
    if (self->next_timer == INT32_MAX)
        self->next_timer = 0;
    *timer = (s_timer_t) { zclock_mono () + ms, period, ++self->next_timer,
                           actor, fn, arg };
    s_heap_push (self, timer);
    actor->hooks++;
    return timer->id;
}

static void
s_timers_fire (act_loop_t *self)
{
    int64_t now = zclock_mono ();
    //  Only timers due now: one re-armed with a short period waits for the
    //  next round, so it cannot hold the loop here.
    size_t budget = self->timer_count;
    while (budget-- && self->timer_count && self->timers [0]->due <= now) {
        s_timer_t *timer = self->timers [0];
        act_t *actor = timer->actor;
        int id = timer->id;
        act_timer_fn *fn = timer->fn;
        void *arg = timer->arg;
        if (timer->period) {
            timer->due = now + timer->period;
            s_heap_down (self, 0);
        }
        else {
            s_heap_remove_at (self, 0);
            actor->hooks--;
            free (timer);
        }
        if (actor->flags & ACT_F_STOPPING)
            continue;
        self->current = actor;
        int rc = fn (actor, id, arg);
        self->current = NULL;
        act_actor_after_callback (actor, rc, 0);
        if (self->reap_head)
            s_reap (self);
    }
}

static bool
s_input_waits (act_loop_t *self)
{
    //  A watched socket is looked at every round, as zmq_poll would: any
    //  send on it, by any handler, may have swallowed its fd's signal.
    bool waits = self->link_more || self->pipe_more;
    for (size_t i = 0; i < self->watch_count; i++) {
        s_watch_t *w = &self->watches [i];
        if (w->sock && !w->more)
            w->more = (zsock_events (w->sock) & ZMQ_POLLIN) != 0;
        waits = waits || w->more;
    }
    return waits;
}

static int
s_poll_timeout (act_loop_t *self)
{
    if (self->ready_head || s_input_waits (self))
        return 0;
    if (!self->timer_count)
        return -1;
    int64_t left = self->timers [0]->due - zclock_mono ();
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int) left;
}

void
act_loop_drop_hooks (act_loop_t *self, act_t *actor)
{
    for (size_t i = self->watch_count; i-- > 0 && actor->hooks;)
        if (self->watches [i].actor == actor)
            s_watch_remove_at (self, i);
    if (!actor->hooks)
        return;
    //  Filter the actor's timers out, then heapify what is left: O(n),
    //  and removing in place would move unseen entries behind the scan.
    size_t kept = 0;
    for (size_t i = 0; i < self->timer_count; i++) {
        if (self->timers [i]->actor == actor) {
            free (self->timers [i]);
            actor->hooks--;
        }
        else
            self->timers [kept++] = self->timers [i];
    }
    self->timer_count = kept;
    for (size_t i = kept / 2; i-- > 0;)
        s_heap_down (self, i);
}

//  --------------------------------------------------------------------
//  The loop

static act_loop_t *
s_loop_new (zsock_t *pipe, act_core_t *core)
{
    act_loop_t *self = (act_loop_t *) calloc (1, sizeof (act_loop_t));
    if (!self)
        abort ();
    self->core = act_core_dup (core);
    self->pipe = pipe;
    self->watch_cap = 8;
    self->watches = (s_watch_t *) calloc (self->watch_cap, sizeof (s_watch_t));
    self->ready_ids = (int *) calloc (self->watch_cap, sizeof (int));
    self->items = (struct pollfd *) calloc (self->watch_cap + ACT_FIXED_ITEMS,
                                            sizeof (struct pollfd));
    if (!self->watches || !self->items || !self->ready_ids)
        abort ();
    self->items [0] = (struct pollfd) { zsock_fd (pipe), POLLIN, 0 };
    self->items [1] = (struct pollfd) { core->wake_fd, POLLIN, 0 };
    self->items [2] = (struct pollfd) { -1, POLLIN, 0 };
    self->items [3] = (struct pollfd) { -1, POLLIN, 0 };
    return self;
}

void
act_loop_set_link (act_loop_t *self, const act_link_t *link)
{
    if (self->link.destroy)
        self->link.destroy (self->link.self);
    memset (&self->link, 0, sizeof self->link);
    if (link)
        self->link = *link;
    int fd = -1;
    size_t size = sizeof fd;
    if (self->link.socket)
        zmq_getsockopt (self->link.socket, ZMQ_FD, &fd, &size);
    self->items [2] = (struct pollfd) { fd, POLLIN, 0 };
    self->items [3] = (struct pollfd) { -1, POLLIN, 0 };
    self->link_more = self->link.socket != NULL;
}

act_ref_t *
act_loop_current_ref (act_loop_t *self)
{
    return self->current ? self->current->ref : NULL;
}

void *
act_loop_link_self (act_loop_t *self)
{
    return self->link.self;
}

static void
s_loop_destroy (act_loop_t **self_p)
{
    act_loop_t *self = *self_p;
    *self_p = NULL;
    act_loop_set_link (self, NULL);
    while (self->timer_count)
        free (self->timers [--self->timer_count]);
    free (self->timers);
    free (self->watches);
    free (self->ready_ids);
    free (self->items);
    act_pool_release (&self->pool);
    act_core_release (&self->core);
    free (self);
}

static bool
s_pipe_says_term (act_loop_t *self)
{
    //  The host only ever sends $TERM; read all there is, as the fd will
    //  not fire again for what is already queued.
    while (zsock_events (self->pipe) & ZMQ_POLLIN) {
        char *command = zstr_recv (self->pipe);
        bool term = !command || streq (command, "$TERM");
        zstr_free (&command);
        if (term)
            return true;
    }
    return false;
}

static void
s_terminate (act_loop_t *self)
{
    self->terminating = true;
    pthread_mutex_lock (&self->core->lock);
    self->core->stopping = true;
    pthread_mutex_unlock (&self->core->lock);
    s_take_posts (self, false);
    s_stop_tops (self);
    s_reap (self);
    //  Close the queue: what was posted meanwhile is refused or dead.
    s_take_posts (self, true);
    s_reap (self);
}

void
act_loop_run (zsock_t *pipe, void *args)
{
    act_loop_t *self = s_loop_new (pipe, (act_core_t *) args);
    act_loop_current = self;
    //  The host may never read what we tell it; never block on the pipe.
    zsock_set_sndtimeo (pipe, 0);
    zsock_signal (pipe, 0);
    self->pipe_more = true;     //  the signal we sent may have hidden input
    while (!self->terminating) {
        s_run_ready (self);
        //  Flush first: sending may make actors ready (ACT_MSG_WRITABLE),
        //  and then the poll must not wait. A batch that found its peer's
        //  queue full waits for the out socket's fd: libzmq signals it when
        //  a queue drains. It also fires for other peers' queues, so look
        //  again at least every ms.
        bool blocked = self->link.flush && self->link.flush (self->link.self);
        int timeout = s_poll_timeout (self);
        self->items [3].fd = -1;
        if (blocked) {
            size_t size = sizeof self->items [3].fd;
            zmq_getsockopt (self->link.out, ZMQ_FD, &self->items [3].fd, &size);
            if (timeout < 0 || timeout > 1)
                timeout = 1;
        }
        int rc = poll (self->items, (nfds_t) (self->watch_count + ACT_FIXED_ITEMS),
                       timeout);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            zsys_error ("actorio: %s: poll failed: %s", self->core->name, strerror (errno));
            break;
        }
        if (self->items [0].revents || self->pipe_more) {
            self->pipe_more = false;
            if (s_pipe_says_term (self))
                break;
        }
        if (self->items [1].revents & POLLIN)
            s_take_posts (self, false);
        if (self->link.recv && (self->items [2].revents || self->link_more))
            self->link_more = self->link.recv (self->link.self);
        if (self->watch_count)
            s_watch_dispatch (self);
        if (self->timer_count)
            s_timers_fire (self);
    }
    s_terminate (self);
    act_loop_current = NULL;
    s_loop_destroy (&self);
}

void
act_loop_notify_idle (act_loop_t *self)
{
    //  Tell the host the system ran out of actors; never block on it.
    //  Sending may swallow the fd's signal of a $TERM that came meanwhile:
    //  look at the pipe's events in the next round.
    zstr_sendx (self->pipe, "STOPPED", NULL);
    self->pipe_more = true;
}

//  --------------------------------------------------------------------
//  The loop services an actor asks for from its callbacks

static act_loop_t *
s_loop_of (act_t *self)
{
    act_loop_t *loop = act_loop_current;
    if (!self || !loop || self->loop != loop || (self->flags & ACT_F_FINALIZING)) {
        errno = EINVAL;
        return NULL;
    }
    return loop;
}

int
act_watch_fd (act_t *self, int fd, act_fd_fn *handler, void *arg)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop || fd < 0 || !handler) {
        errno = EINVAL;
        return -1;
    }
    return s_watch_add (loop, self, fd, NULL, handler, NULL, arg);
}

int
act_unwatch_fd (act_t *self, int fd)
{
    act_loop_t *loop = s_loop_of (self);
    return loop ? s_watch_remove (loop, self, fd, NULL) : -1;
}

int
act_watch_sock (act_t *self, zsock_t *sock, act_sock_fn *handler, void *arg)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop || !sock || !handler || !zsock_resolve (sock)) {
        errno = EINVAL;
        return -1;
    }
    return s_watch_add (loop, self, -1, sock, NULL, handler, arg);
}

int
act_unwatch_sock (act_t *self, zsock_t *sock)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop || !sock) {
        errno = EINVAL;
        return -1;
    }
    return s_watch_remove (loop, self, -1, sock);
}

int
act_after (act_t *self, int ms, act_timer_fn *handler, void *arg)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop || ms < 0 || !handler) {
        errno = EINVAL;
        return -1;
    }
    return s_timer_add (loop, self, ms, 0, handler, arg);
}

int
act_every (act_t *self, int ms, act_timer_fn *handler, void *arg)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop || ms <= 0 || !handler) {
        errno = EINVAL;
        return -1;
    }
    return s_timer_add (loop, self, ms, ms, handler, arg);
}

int
act_cancel (act_t *self, int timer_id)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop)
        return -1;
    for (size_t i = 0; i < loop->timer_count; i++)
        if (loop->timers [i]->id == timer_id && loop->timers [i]->actor == self) {
            free (s_heap_remove_at (loop, i));
            self->hooks--;
            return 0;
        }
    errno = ENOENT;
    return -1;
}

int
act_offload (act_t *self, act_work_fn *work, void *arg)
{
    act_loop_t *loop = s_loop_of (self);
    if (!loop || !work) {
        errno = EINVAL;
        return -1;
    }
    act_pool_t *pool = act_loop_pool (loop);
    if (!pool)
        return -1;
    return act_pool_submit (pool, self->ref, work, arg);
}
