/*  act_loop_priv - the loop, the actor record and the system core
    SPDX-License-Identifier: MPL-2.0

    The core is what other threads share with a loop: a queue of posted
    messages behind a mutex with an eventfd to wake the loop, the counters,
    the name registry. It is counted, so a reference may outlive the
    system it points into. Everything else here belongs to the loop thread.
*/
#ifndef ACT_LOOP_PRIV_H_INCLUDED
#define ACT_LOOP_PRIV_H_INCLUDED

#include "actorio.h"
#include "act_msg_priv.h"
#include "act_ref_priv.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

typedef struct act_loop act_loop_t;
typedef struct act_pool act_pool_t;

//  What the group layer plugs into a loop to reach other groups (the
//  peer layer, src/group/act_peer.c): the loop hands send every message
//  for a remote reference, calls flush before it polls (true while a
//  send waits for room: the loop then polls at least every ms), calls
//  receive after every poll for input that no fd announces (rings in
//  shared memory; true if more waits), and brackets a poll that may
//  block with idle (true if input is there: the poll is skipped) and
//  wake. The links
//  under it register their fds as io watches. All on the loop thread.
typedef struct {
    void *self;                 //  the peer layer
    int (*send) (void *self, act_ref_t *to, act_msg_t *msg);    //  takes msg
    bool (*flush) (void *self);
    bool (*receive) (void *self);
    bool (*idle) (void *self);
    void (*wake) (void *self);
    void (*destroy) (void *self);
} act_loop_net_t;

//  Handler of an io watch: read what fd has; true if input may remain,
//  so the loop calls it again next round without waiting for the fd.
typedef bool (act_loop_io_fn) (void *arg);

//  A function to run on the loop thread, posted by act_loop_call.
typedef struct {
    int (*fn) (act_loop_t *loop, void *arg);    //  what to run
    void *arg;                  //  its argument
    int rc;                     //  its return value
    int err;                    //  errno after it
    bool done;                  //  set by the loop, under the core lock
} act_call_t;

//  Work for a loop thread before its system is handed out: fn (loop,
//  arg), and what it returned with its errno (act_system_start).
typedef struct {
    int (*fn) (act_loop_t *loop, void *arg);
    void *arg;
    int rc;
    int err;
} act_loop_init_t;

struct act_core {
    atomic_int refs;            //  system handle, loop, references
    pthread_mutex_t lock;       //  guards posts, closed, names, cond
    pthread_cond_t cond;        //  broadcast when an awaited thing stops
    act_msg_t *head;            //  posted messages, oldest first
    act_msg_t *tail;            //  newest posted message
    int wake_fd;                //  eventfd: readable while posts wait
    bool closed;                //  the loop has ended: posts fail
    bool stopping;              //  the system is stopping: spawns fail
    atomic_int waiters;         //  threads in a wait on cond
    atomic_size_t actors;       //  live actors
    atomic_uint_fast64_t dead_letters;  //  undeliverable messages
    atomic_uint_fast64_t delivered;     //  messages handled
    atomic_uint_fast64_t next_corr;     //  ask correlation ids
    zhashx_t *names;            //  name -> act_ref_t (counted)
    atomic_int workers;         //  pool size for act_offload
    char *name;                 //  system name
    char *group;                //  group name once joined to a run, else NULL
    atomic_uint_fast64_t next_anon;     //  names given to anonymous actors
    bool manual;                //  stepped by the host (act_manual.c); set
                                //  before the loop starts, never changed
    act_loop_init_t *init;      //  act_system_start's request, until the
                                //  loop thread has run it (under lock)
    sigset_t mask;              //  the signal mask of the thread that
                                //  started the system: the loop thread's
    atomic_int_fast64_t clock_ms;       //  manual: the virtual clock, ms
};

//  Flags of an actor record.
#define ACT_F_STARTED    0x01u   //  setup has run
#define ACT_F_SCHEDULED  0x02u   //  in the ready queue
#define ACT_F_STOPPING   0x04u   //  will be finalized at the next safe point
#define ACT_F_FINALIZING 0x08u   //  being finalized
#define ACT_F_REAPING    0x10u   //  in the reap list

struct _act_t {
    act_ref_t *ref;             //  own reference (counted)
    act_loop_t *loop;           //  the loop running us
    const act_class_t *cls;     //  callbacks
    void *args;                 //  setup argument until setup runs
    act_t *parent;              //  NULL for a top-level actor
    act_t *first_child;         //  children, newest first
    act_t *next_sib;            //  sibling links in the parent's list
    act_t *prev_sib;
    act_t *ready_next;          //  ready queue links
    act_t *ready_prev;
    act_t *reap_next;           //  reap list links
    act_t *reap_prev;
    act_msg_t *mb_head;         //  mailbox, FIFO
    act_msg_t *mb_tail;
    act_waiters_t monitors;     //  ask waiters to tell if we stop
    uint32_t flags;             //  ACT_F_*
    uint32_t hooks;             //  live timers + watches, to skip cleanup
    uint32_t inbound;           //  messages from other groups in the mailbox
    bool over;                  //  inbound passed cls->mailbox_max
    uint64_t handled;           //  messages handled, counted per turn
    int64_t handled_at;         //  zclock_usecs () of the round of its last
                                //  turn, 0 before any
    act_exit_t exit;            //  why we stop, once ACT_F_STOPPING
    max_align_t state [];       //  cls->state_size bytes
};

#define ACT_FIXED_ITEMS 2       //  pipe and wake fd first

//  An fd or socket an actor watches, or an fd of the runtime's own (an
//  io watch, actor NULL) (act_watch.c).
typedef struct {
    int id;                     //  watch id, unique in the loop
    act_t *actor;               //  owner, or NULL for an io watch
    int fd;                     //  watched fd, or -1
    zsock_t *sock;              //  watched socket, or NULL
    bool more;                  //  the socket may still hold input
    act_fd_fn *fd_fn;           //  handler for an fd
    act_sock_fn *sock_fn;       //  handler for a socket
    act_loop_io_fn *io_fn;      //  handler of an io watch
    bool disabled;              //  io watch: not polled for now
    void *arg;                  //  handler argument
} act_watch_t;

//  A timer of an actor (act_timer.c).
typedef struct {
    int64_t due;                //  zclock_mono () ms when it fires
    int period;                 //  ms between firings, 0 for one-shot
    int id;                     //  timer id, unique in the loop
    act_t *actor;               //  owner
    act_timer_fn *fn;           //  handler
    void *arg;                  //  handler argument
} act_timer_t;

//  The loop; its watches and timers are kept by act_watch.c and
//  act_timer.c, everything else by act_loop.c.
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
    act_watch_t *watches;       //  watches, parallel to items + ACT_FIXED_ITEMS
    int *ready_ids;             //  scratch: ids of ready watches
    size_t watch_count;
    size_t watch_cap;
    size_t watch_socks;         //  watches of a socket, asked every round
    size_t watch_more;          //  watches whose more is set
    int next_watch;             //  last watch id given
    act_timer_t **timers;       //  min-heap on due
    size_t timer_count;
    size_t timer_cap;
    int next_timer;             //  last timer id given
    act_pool_t *pool;           //  worker pool, started on first offload
    act_loop_net_t net;         //  the way to other groups, if joined
    bool net_more;              //  net.receive said input waits
    size_t inbound;             //  messages from other groups in mailboxes
    size_t inbound_bytes;       //  their payload bytes
    size_t actors_over;         //  actors past their class's mailbox_max
    size_t moved;               //  payload bytes handled, or sent out of
                                //  the group, since the clock was last
                                //  read in this round: a handler moving
                                //  large payloads is a slow one, and the
                                //  poll must not wait for 64 of them
    bool pipe_more;             //  the pipe may hold input: we sent on it
    int64_t polled_us;          //  now_us of the round of the last poll
    bool fired;                 //  the last poll set revents in items:
                                //  if not, every revents is 0
    int64_t now_us;             //  the round's clock (zclock_usecs), read
                                //  once a round after the poll: never
                                //  ahead of the time, so what it finds
                                //  due is due; behind by the round's
                                //  work at most
    bool terminating;           //  $TERM received
};

//  The loop whose thread this is, or NULL. initial-exec: the access is a
//  single load on the send path.
extern __thread act_loop_t *act_loop_current
    __attribute__ ((tls_model ("initial-exec")));

//  Core lifecycle.
act_core_t *
    act_core_new (const char *name);
act_core_t *
    act_core_dup (act_core_t *self);
void
    act_core_release (act_core_t **self_p);

//  Post a message to the loop from any thread; takes msg. -1 + ESRCH if
//  the loop has ended (msg counted as dead letter).
int
    act_core_post (act_core_t *self, act_msg_t *msg);

//  Count a dead letter and free the message; an ask's waiter is told
//  at once that the target is gone.
void
    act_core_dead_letter (act_core_t *self, act_msg_t *msg);
//  Count msg as a dead letter of self (may be NULL) and of its sender, if
//  an actor sent it; the message stays the caller's.
void
    act_core_count_dead (act_core_t *self, const act_msg_t *msg);

//  Wake threads waiting on the core's cond.
void
    act_core_notify (act_core_t *self);

//  Wait on the core's cond until done (self) returns true, at most
//  timeout_ms (-1: no limit). 0, or -1 + ETIMEDOUT.
int
    act_core_wait (act_core_t *self, bool (*done) (void *), void *arg,
                   int timeout_ms);

//  act_lookup on a core: a name here, or a "group/actor" address.
act_ref_t *
    act_core_lookup (act_core_t *core, const char *name);

//  Start a system; manual: its loop runs only when stepped (act_manual.c).
//  With init, the loop thread first runs init (loop, arg), before anything
//  else and before the system is returned: as act_loop_call would, but
//  without its two wake-ups (a group's start makes its links this way). If
//  init fails, the system is destroyed and NULL returned with init's errno.
act_system_t *
    act_system_start (const char *name, bool manual,
                      int (*init) (act_loop_t *loop, void *arg), void *arg);

//  act_system_destroy, waiting at most timeout_ms (ACT_FOREVER: no limit)
//  for the teardowns instead of ACT_SYSTEM_DESTROY_TIMEOUT: for a host
//  whose supervisor bounds its stop (actor-run's shutdown grace).
void
    act_system_destroy_within (act_system_t **self_p, int timeout_ms);

//  Set by a host that ends its process itself (actor-run's groups end
//  with _exit): the exit handler then leaves live systems alone.
extern bool act_system_leave_at_exit;

//  The core of a system handle (act_system.c).
act_core_t *
    act_system_core (act_system_t *system);

//  Run fn (loop, arg) on the loop thread of system and wait for it.
//  Returns fn's value with its errno, or -1 + ECANCELED if the loop ended.
int
    act_loop_call (act_system_t *system, int (*fn) (act_loop_t *, void *), void *arg);

//  One actor's counters, for actor-run status.
typedef struct {
    char name [65];             //  its name (64 at most), or "#N" from its
                                //  act_ref_id if it has none
    char cls [65];              //  its class's name, cut to 64 bytes, with
                                //  every byte but [A-Za-z0-9_.-] as '_'
    size_t depth;               //  messages in its mailbox, at most
                                //  ACT_STATS_DEPTH_MAX (counted, not kept)
    uint64_t handled;           //  messages handled
    uint64_t dead_letters;      //  messages it sent that went to dead
                                //  letters
    int64_t idle_ms;            //  since the round of its last message, -1
                                //  if it handled none
} act_actor_stats_t;

//  Mailbox walks stop there: the status must not hold the loop long.
#define ACT_STATS_DEPTH_MAX     100000

//  Copies the counters of up to max actors of system (top-level actors,
//  then each one's children), read on its loop thread. Returns how many
//  it filled, or -1 + ECANCELED if the loop ended.
int
    act_system_actor_stats (act_system_t *system, act_actor_stats_t *stats,
                            size_t max);

//  Plug the peer layer in (NULL: unplug, destroying the one there); the
//  loop destroys it at its end.
void
    act_loop_set_net (act_loop_t *self, const act_loop_net_t *net);

//  Watch fd for the runtime (a link): fn (arg) runs on the loop thread
//  when it polls readable. Returns the watch's id (> 0).
int
    act_loop_io_add (act_loop_t *self, int fd, act_loop_io_fn *fn, void *arg);
//  Stop polling an io watch's fd for now, or poll it again.
void
    act_loop_io_enable (act_loop_t *self, int id, bool enable);
//  Run an io watch's handler in the next round, whatever its fd says.
void
    act_loop_io_kick (act_loop_t *self, int id);
void
    act_loop_io_remove (act_loop_t *self, int id);

//  The reference of the actor whose callback runs now (borrowed), or NULL.
act_ref_t *
    act_loop_current_ref (act_loop_t *self);

//  A message leaves a mailbox (handled, or dropped with it): if it came
//  from another group, it no longer counts as inbound.
static inline void
act_loop_inbound_done (act_loop_t *self, act_t *actor, act_msg_t *msg)
{
    if (msg->flags & ACT_MSG_F_INBOUND) {
        msg->flags &= ~ACT_MSG_F_INBOUND;
        self->inbound--;
        self->inbound_bytes -= msg->size;
        actor->inbound--;
        if (actor->over && actor->inbound <= actor->cls->mailbox_max / 2) {
            actor->over = false;
            self->actors_over--;
        }
    }
}

//  The peer layer plugged in, or NULL.
void *
    act_loop_net_self (act_loop_t *self);

//  A command of a manual system's host, on its loop thread: take the
//  posts, then for "STEP" run one message, or else one timer due on the
//  virtual clock (1 if it ran one, 0 if there was nothing to run); for
//  "ADVANCE MS" move the clock MS forward (0).
int
    act_loop_manual (act_loop_t *self, const char *command);

//  The loop side.
act_core_t *
    act_loop_core (act_loop_t *self);
void
    act_loop_run (zsock_t *pipe, void *core);
//  Deliver on the loop thread; takes msg.
int
    act_loop_deliver (act_loop_t *self, act_ref_t *to, act_msg_t *msg);
//  Tell the host, on the pipe, that no actor is left.
void
    act_loop_notify_idle (act_loop_t *self);
//  A message leaves a callback: the handler gave it away if it was the
//  one being handled, and it gets the running actor as sender if it has
//  none.
void
    act_loop_stamp (act_loop_t *self, act_msg_t *msg);
//  A handler gave its message away (told or destroyed it).
void
    act_loop_forget_msg (act_msg_t *msg);

//  Actor records (act_actor.c).
act_t *
    act_actor_new (act_core_t *core, const act_class_t *cls, void *args,
                   const char *name);
void
    act_actor_start (act_loop_t *loop, act_t *self);
void
    act_actor_discard (act_t *self, act_exit_kind_t kind);
void
    act_actor_finalize (act_t *self);
void
    act_actor_after_callback (act_t *self, int rc, uint32_t type);
void
    act_actor_monitor (act_t *self, act_ref_t *waiter);
void
    act_actor_child_stopped (act_t *self, act_msg_t *msg);
//  An ACT_MSG_STOP for the actor of ref came (act_ref_stop): stop it with
//  the code in msg unless it is stopping already. msg stays the caller's.
void
    act_actor_stop_request (act_ref_t *ref, const act_msg_t *msg);

//  Loop services used by actor records.
void
    act_loop_schedule (act_loop_t *self, act_t *actor);
void
    act_loop_unschedule (act_loop_t *self, act_t *actor);
void
    act_loop_reap (act_loop_t *self, act_t *actor);
void
    act_loop_unreap (act_loop_t *self, act_t *actor);
void
    act_loop_drop_hooks (act_loop_t *self, act_t *actor);
act_t *
    act_loop_enter (act_loop_t *self, act_t *actor, act_msg_t **saved_msg);
void
    act_loop_leave (act_loop_t *self, act_t *prev, act_msg_t *saved_msg);
void
    act_loop_link_top (act_loop_t *self, act_t *actor);
void
    act_loop_unlink_top (act_loop_t *self, act_t *actor);
act_pool_t *
    act_loop_pool (act_loop_t *self);
//  The loop of an actor whose loop runs on this thread, or NULL + EINVAL
//  (also for an actor being finalized).
act_loop_t *
    act_loop_of (act_t *actor);
//  Finalize the actors in the reap list.
void
    act_loop_reap_pending (act_loop_t *self);

//  Watches (act_watch.c), for the loop.
//  Run the handlers of the watches that fired or may hold input.
void
    act_watch_dispatch (act_loop_t *self);
//  False if act_watch_dispatch would run no handler: the last poll set
//  no revents and no watch may hold input.
static inline bool
act_watch_due (act_loop_t *self)
{
    return self->watch_count && (self->fired || self->watch_more);
}
//  True if a watched socket may hold input; refreshes each socket's flag.
bool
    act_watch_input_waits (act_loop_t *self);
//  Remove the actor's watches.
void
    act_watch_drop (act_loop_t *self, act_t *actor);

//  Timers (act_timer.c), for the loop.
//  Run the handlers of at most max timers due now; returns how many ran.
size_t
    act_timer_fire (act_loop_t *self, size_t max);
//  ms until the next timer is due (0 if one is), -1 if there is none;
//  from the clock now if fresh, else from the round's clock, which is
//  enough to tell "due" from "not yet" but not how long to sleep.
int
    act_timer_timeout (act_loop_t *self, bool fresh);
//  Remove the actor's timers.
void
    act_timer_drop (act_loop_t *self, act_t *actor);

//  Worker pool (act_pool.c).
act_pool_t *
    act_pool_new (void);
//  Queue work for a worker, starting one if none is idle and fewer than
//  threads run.
int
    act_pool_submit (act_pool_t *self, int threads, act_ref_t *to, act_work_fn *work,
                     void *arg);
void
    act_pool_release (act_pool_t **self_p);

#endif
