/*  act_loop - one thread running all actors of a system
    SPDX-License-Identifier: MPL-2.0

    The loop alternates between running ready actors and polling: the
    zactor pipe, the eventfd of posts from other threads, the links' fds
    (io watches), watched fds and sockets, with the next timer as poll
    timeout. It is
    hand-written rather than a zloop because it must poll with a zero
    timeout while actors are ready and run mailboxes between poll rounds;
    zloop has no such idle hook. It calls poll(2) on the sockets' ZMQ_FD
    itself rather than zmq_poll: zmq_poll asks every socket for its events
    before and after polling, two syscalls per socket per round, which
    measured as most of a cross-group round trip's CPU. ZMQ_FD only says
    "look again", so a socket that fired is read until it reports no
    input, or flagged to be looked at in the next round. Ready actors run
    round-robin, each at most ACT_TURN_BUDGET messages per turn; the loop
    polls at least every ACT_POLL_BUDGET messages, so neither a flooded
    actor nor a busy system starves the others or the watched inputs.
    The watches live in act_watch.c and the timers in act_timer.c.
*/
#include "act_loop_priv.h"
#include <unistd.h>
#include <poll.h>

#define ACT_TURN_BUDGET 1024    //  messages per actor turn (Erlang: ~4000 reductions)
#define ACT_POLL_BUDGET 4096    //  messages between two polls
#define ACT_POLL_SLICE_US 10000 //  microseconds of handlers between two polls
#define ACT_POLL_SKIP_US 100    //  microseconds a link's input may skip the poll
#define ACT_MOVED_SLICE_US 100  //  ... while handlers move large payloads
#define ACT_MOVED_CHECK (256 * 1024)    //  payload bytes between clock reads

__thread act_loop_t *act_loop_current __attribute__ ((tls_model ("initial-exec")));

act_core_t *
act_loop_core (act_loop_t *self)
{
    return self->core;
}

act_pool_t *
act_loop_pool (act_loop_t *self)
{
    if (!self->pool)
        self->pool = act_pool_new ();
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
    if (actor->flags & (ACT_F_REAPING | ACT_F_FINALIZING))
        return;
    actor->flags |= ACT_F_REAPING;
    actor->reap_prev = NULL;
    actor->reap_next = self->reap_head;
    if (self->reap_head)
        self->reap_head->reap_prev = actor;
    self->reap_head = actor;
}

//  Doubly linked, because an actor leaves the list from anywhere: a
//  parent finalized before its children's turn in the list finalizes
//  them, and frees them, on its way.
void
act_loop_unreap (act_loop_t *self, act_t *actor)
{
    if (!(actor->flags & ACT_F_REAPING))
        return;
    if (actor->reap_prev)
        actor->reap_prev->reap_next = actor->reap_next;
    else
        self->reap_head = actor->reap_next;
    if (actor->reap_next)
        actor->reap_next->reap_prev = actor->reap_prev;
    actor->reap_next = actor->reap_prev = NULL;
    actor->flags &= ~ACT_F_REAPING;
}

void
act_loop_reap_pending (act_loop_t *self)
{
    while (self->reap_head) {
        act_t *actor = self->reap_head;
        act_loop_unreap (self, actor);
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
        self->moved += msg->size;
        if (msg->to)     //  only a post from another thread has one
            act_ref_destroy (&msg->to);
        if (self->net.send)
            return self->net.send (self->net.self, to, msg);
        //  Not joined to a run: no way there.
        act_core_count_dead (self->core, msg);
        act_msg_destroy (&msg);
        errno = EHOSTUNREACH;
        return -1;
    }
    if (to->kind == ACT_REF_INBOX) {
        act_ref_destroy (&msg->to);
        msg->flags &= ~ACT_MSG_F_INBOUND;
        return act_inbox_put (to->inbox, msg);
    }
    act_t *actor = to->actor;
    if (!actor || (actor->flags & ACT_F_FINALIZING)) {
        msg->flags &= ~ACT_MSG_F_INBOUND;
        if (!msg->to)
            msg->to = act_ref_dup (to);
        act_core_dead_letter (self->core, msg);
        errno = ESRCH;
        return -1;
    }
    if (msg->to)
        act_ref_destroy (&msg->to);
    if (msg->flags & ACT_MSG_F_INBOUND) {
        self->inbound++;
        self->inbound_bytes += msg->size;
        actor->inbound++;
        if (actor->cls->mailbox_max && actor->inbound >= actor->cls->mailbox_max
        &&  !actor->over) {
            actor->over = true;
            self->actors_over++;
        }
    }
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
    self->moved += msg->size;
    self->current = actor;
    self->current_msg = msg;
    msg->flags |= ACT_MSG_F_HANDED;
    //  A failure's code is the errno the handler set (act_types(3)): not
    //  one left by an earlier callback or by the loop itself.
    errno = 0;
    int rc = actor->cls->handle ? actor->cls->handle (actor, msg) : ACT_UNHANDLED;
    self->current = NULL;
    if (self->current_msg) {
        act_msg_t *left = self->current_msg;
        self->current_msg = NULL;
        left->flags &= ~ACT_MSG_F_HANDED;   //  ours again: nobody to tell
        act_msg_destroy (&left);
    }
    act_actor_after_callback (actor, rc, type);
}

//  Handle the oldest message of actor's mailbox (there is one); returns
//  it, for comparison only: it may be gone.
static act_msg_t *
s_handle_head (act_loop_t *self, act_t *actor)
{
    act_msg_t *msg = actor->mb_head;
    actor->mb_head = msg->next;
    if (!actor->mb_head)
        actor->mb_tail = NULL;
    msg->next = NULL;
    act_loop_inbound_done (self, actor, msg);
    s_handle (self, actor, msg);
    return msg;
}

//  The system's count of messages handled. The loop thread is its only
//  writer: a plain load and store, not a locked add each round (one per
//  message in a ping-pong between groups); readers on other threads see
//  some recent value, which is all a statistic needs.
static inline void
s_count_delivered (act_loop_t *self, uint64_t n)
{
    atomic_store_explicit (&self->core->delivered,
                           atomic_load_explicit (&self->core->delivered, memory_order_relaxed) + n,
                           memory_order_relaxed);
}

static void
s_run_ready (act_loop_t *self)
{
    //  Two limits between polls: a count of messages, and time, looked at
    //  every 64 messages, so slow handlers cannot keep the inputs,
    //  timers and other threads' posts waiting for seconds.
    int budget = ACT_POLL_BUDGET;
    int64_t start = self->now_us;
    int64_t deadline = start + ACT_POLL_SLICE_US;
    uint64_t handled = 0, checked = 0;
    self->moved = 0;
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
            more = s_handle_head (self, actor) != last;
            turn++;
            if (self->moved >= ACT_MOVED_CHECK) {
                self->moved = 0;
                self->now_us = zclock_usecs ();
                if (self->now_us > start + ACT_MOVED_SLICE_US) {
                    budget = 0;
                    break;
                }
            }
            if (handled + turn - checked >= 64) {
                checked = handled + turn;
                self->now_us = zclock_usecs ();
                if (self->now_us > deadline) {
                    budget = 0;
                    break;
                }
            }
        }
        handled += turn;
        //  Per turn, not per message, and with the round's clock: the
        //  status's counters cost no clock read and no atomic
        if (turn) {
            actor->handled += (uint64_t) turn;
            actor->handled_at = start;
        }
        budget -= turn ? turn : 1;
        if (actor->mb_head && !(actor->flags & (ACT_F_STOPPING | ACT_F_SCHEDULED)))
            act_loop_schedule (self, actor);
        if (self->reap_head)
            act_loop_reap_pending (self);
    }
    if (handled)
        s_count_delivered (self, handled);
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
            act_loop_link_top (self, actor);
            act_actor_start (self, actor);
            //  Spawned while the system stops: act_spawn said yes, and
            //  its setup owns args; it starts, then stops with the rest.
            if (self->terminating && !(actor->flags & ACT_F_STOPPING)) {
                actor->flags |= ACT_F_STOPPING;
                actor->exit = (act_exit_t) { ACT_EXIT_SHUTDOWN, 0 };
                act_loop_unschedule (self, actor);
                act_loop_reap (self, actor);
            }
        }
        else
        if (msg->type == ACT_MSG_STOP_ALL) {
            act_msg_destroy (&msg);
            s_stop_tops (self);
        }
        else
        if (msg->type == ACT_MSG_STOP && msg->to->kind == ACT_REF_ACTOR) {
            act_actor_stop_request (msg->to, msg);
            act_msg_destroy (&msg);
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
            act_loop_reap_pending (self);
    }
}

static bool
s_input_waits (act_loop_t *self)
{
    //  Every watched socket is looked at, even when the pipe or the
    //  transport is known to wait (see act_watch_input_waits).
    bool watches = act_watch_input_waits (self);
    return self->pipe_more || watches || self->net_more;
}

static int
s_poll_timeout (act_loop_t *self, bool fresh)
{
    //  A manual system's actors and timers wait for the host's steps.
    if (self->core->manual)
        return s_input_waits (self) ? 0 : -1;
    if (self->ready_head || s_input_waits (self))
        return 0;
    return act_timer_timeout (self, fresh);
}

void
act_loop_drop_hooks (act_loop_t *self, act_t *actor)
{
    act_watch_drop (self, actor);
    act_timer_drop (self, actor);
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
    self->watches = (act_watch_t *) calloc (self->watch_cap, sizeof (act_watch_t));
    self->ready_ids = (int *) calloc (self->watch_cap, sizeof (int));
    self->items = (struct pollfd *) calloc (self->watch_cap + ACT_FIXED_ITEMS,
                                            sizeof (struct pollfd));
    if (!self->watches || !self->items || !self->ready_ids)
        abort ();
    self->items [0] = (struct pollfd) { zsock_fd (pipe), POLLIN, 0 };
    //  A manual system takes posts only when stepped (act_loop_step).
    self->items [1] = (struct pollfd) { core->wake_fd, core->manual ? 0 : POLLIN, 0 };
    return self;
}

void
act_loop_set_net (act_loop_t *self, const act_loop_net_t *net)
{
    //  Cleared before destroy runs: the links it closes remove their io
    //  watches, and nothing may send through it meanwhile.
    act_loop_net_t old = self->net;
    memset (&self->net, 0, sizeof self->net);
    if (old.destroy)
        old.destroy (old.self);
    if (net)
        self->net = *net;
}

act_ref_t *
act_loop_current_ref (act_loop_t *self)
{
    return self->current ? self->current->ref : NULL;
}

void *
act_loop_net_self (act_loop_t *self)
{
    return self->net.self;
}

static void
s_loop_destroy (act_loop_t **self_p)
{
    act_loop_t *self = *self_p;
    *self_p = NULL;
    act_loop_set_net (self, NULL);
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
    //  The host only ever sends $TERM, and commands to a manual system; read
    //  all there is, as the fd will not fire again for what is already
    //  queued.
    while (zsock_events (self->pipe) & ZMQ_POLLIN) {
        char *command = zstr_recv (self->pipe);
        bool term = !command || streq (command, "$TERM");
        if (!term && self->core->manual) {
            zsock_send (self->pipe, "si", "DONE", act_loop_manual (self, command));
            self->pipe_more = true;     //  as in act_loop_notify_idle
        }
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
    act_loop_reap_pending (self);
    //  Close the queue: what was posted meanwhile is refused or dead.
    s_take_posts (self, true);
    act_loop_reap_pending (self);
}

void
act_loop_run (zsock_t *pipe, void *args)
{
    //  Started with the handled signals blocked (act_system_start): the mask of
    //  the thread that started the system is ours
    pthread_sigmask (SIG_SETMASK, &((act_core_t *) args)->mask, NULL);
    act_loop_t *self = s_loop_new (pipe, (act_core_t *) args);
    act_loop_current = self;
    act_core_t *core = self->core;
    act_loop_init_t *init = core->init;
    if (init) {
        errno = 0;
        int rc = init->fn ? init->fn (self, init->arg) : 0;
        int err = errno;
        //  Under the lock, not only before the signal: ZeroMQ's pipe
        //  orders the two threads, but ThreadSanitizer cannot see it.
        pthread_mutex_lock (&core->lock);
        init->rc = rc;
        init->err = err;
        core->init = NULL;          //  the request lives on its caller's stack
        bool posted = core->head != NULL;
        pthread_mutex_unlock (&core->lock);
        //  What init spawned (a group's actors, act_core_spawn) sets up
        //  before the caller is woken: waking it cost this thread 0.1-0.2
        //  ms here (a virtual machine), and a group's "ready", said from
        //  the last setup, waited behind it. The caller has nothing of
        //  the system yet, so nothing it does can come first. A manual
        //  system runs nothing its test did not step.
        if (rc == 0 && posted && !core->manual) {
            self->now_us = zclock_usecs ();
            s_take_posts (self, false);
            s_run_ready (self);
        }
    }
    //  The host may never read what we tell it; never block on the pipe.
    zsock_set_sndtimeo (pipe, 0);
    zsock_signal (pipe, 0);
    self->pipe_more = true;     //  the signal we sent may have hidden input
    self->now_us = zclock_usecs ();
    while (!self->terminating) {
        if (!self->core->manual)
            s_run_ready (self);
        //  Flush first: sending may make actors ready (ACT_MSG_WRITABLE),
        //  and then the poll must not wait. A send that found its peer's
        //  queue full is retried at least every ms; the links also poll
        //  what tells them a queue drained, but that may be missed.
        bool blocked = self->net.flush && self->net.flush (self->net.self);
        //  On the round's clock: enough to know whether a timer is due,
        //  and the clock is read again below only if the poll may sleep.
        int timeout = s_poll_timeout (self, false);
        //  A poll that may sleep is bracketed: a shared-memory link spins
        //  a little, then tells its senders to ring its doorbell.
        //  When it finds input there, the poll is skipped: the input is
        //  taken below. Not for ever: under a stream that never stops,
        //  the posts of other threads (a spawn, a call, a stop) and the
        //  fds (the host's pipe, sockets, doorbells) would never be
        //  looked at; once ACT_POLL_SKIP_US have passed since the last
        //  poll they are, without waiting. By time, not by rounds: a
        //  ping-pong's rounds take a message each, and a poll every few
        //  of them was a system call on a tenth of its hops, while a
        //  stream's take up to ACT_POLL_SLICE_US each.
        bool sleepy = timeout != 0;
        bool idle = sleepy && self->net.idle;
        int rc = 0;
        nfds_t nfds = (nfds_t) (self->watch_count + ACT_FIXED_ITEMS);
        if (idle && self->net.idle (self->net.self)) {
            if (self->now_us - self->polled_us < ACT_POLL_SKIP_US) {
                //  A poll that found nothing left nothing to clear.
                if (self->fired)
                    for (nfds_t i = 0; i < nfds; i++)
                        self->items [i].revents = 0;
            }
            else {
                self->polled_us = self->now_us;
                rc = poll (self->items, nfds, 0);
            }
        }
        else {
            self->polled_us = self->now_us;
            if (sleepy) {
                //  The time to sleep, from the clock itself: the round's
                //  is behind by the round's handlers, a sleep that long
                //  past a timer's due time.
                timeout = s_poll_timeout (self, true);
                if (blocked && (timeout < 0 || timeout > 1))
                    timeout = 1;
            }
            rc = poll (self->items, nfds, timeout);
        }
        if (idle)
            self->net.wake (self->net.self);
        self->now_us = zclock_usecs ();
        //  A poll's rc counts the items it set revents in (a failed one
        //  is taken to have set some): 0, and they are all 0.
        self->fired = rc != 0;
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
        if (act_watch_due (self))
            act_watch_dispatch (self);
        if (self->timer_count && !self->core->manual)
            act_timer_fire (self, SIZE_MAX);
        //  Input no fd announces (rings in shared memory), every round.
        if (self->net.receive)
            self->net_more = self->net.receive (self->net.self);
    }
    s_terminate (self);
    act_loop_current = NULL;
    s_loop_destroy (&self);
}

int
act_loop_manual (act_loop_t *self, const char *command)
{
    //  The loop's own functions, one message at a time: a manual system
    //  runs the same delivery, handling and timer code as any other, so
    //  what a test proves with it holds for the real loop. It runs on the
    //  loop thread (asked over the pipe) rather than the caller's, so
    //  act_loop_current, EDEADLK checks and teardown are those of every
    //  system. Posts are taken first, for every command: an actor
    //  spawned before the clock moves sets its timers on the old time.
    s_take_posts (self, false);
    if (strncmp (command, "ADVANCE ", 8) == 0) {
        atomic_fetch_add (&self->core->clock_ms, strtoll (command + 8, NULL, 10));
        return 0;
    }
    while (self->ready_head) {
        act_t *actor = self->ready_head;
        act_loop_unschedule (self, actor);
        if (!actor->mb_head || (actor->flags & ACT_F_STOPPING))
            continue;
        s_handle_head (self, actor);
        actor->handled++;
        if (actor->mb_head && !(actor->flags & (ACT_F_STOPPING | ACT_F_SCHEDULED)))
            act_loop_schedule (self, actor);
        if (self->reap_head)
            act_loop_reap_pending (self);
        s_count_delivered (self, 1);
        return 1;
    }
    return act_timer_fire (self, 1) ? 1 : 0;
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

act_loop_t *
act_loop_of (act_t *self)
{
    act_loop_t *loop = act_loop_current;
    if (!self || !loop || self->loop != loop || (self->flags & ACT_F_FINALIZING)) {
        errno = EINVAL;
        return NULL;
    }
    return loop;
}

int
act_offload (act_t *self, act_work_fn *work, void *arg)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop || !work) {
        errno = EINVAL;
        return -1;
    }
    act_pool_t *pool = act_loop_pool (loop);
    if (!pool)
        return -1;
    return act_pool_submit (pool, atomic_load (&loop->core->workers), self->ref, work, arg);
}
