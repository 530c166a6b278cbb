/*  act_system - one event loop thread and the actors it runs
    SPDX-License-Identifier: MPL-2.0

    The handle a host holds: the zactor running act_loop_run, and a
    counted share of the core. Everything here may be called from any
    thread but the loop's own, where it would wait on itself.

    A program that leaves main or calls exit () with a system alive would
    have czmq's exit handler close the loop's sockets under its thread:
    an assertion (SIGABRT) some of the time, teardowns that never run.
    Our exit handler, registered after czmq's and so run before it,
    destroys what is still alive, as the program should have.
*/
#include "act_loop_priv.h"
#include "act_wire.h"
#include <assert.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

struct _act_system_t {
    act_core_t *core;           //  shared with the loop and references
    zactor_t *actor;            //  the loop thread
    act_system_t *prev;         //  in s_live, while listed
    act_system_t *next;
    bool listed;                //  in s_live (under s_live_lock)
    pid_t pid;                  //  the process that started it
};

//  The systems not destroyed yet, for the exit handler.
static pthread_mutex_t s_live_lock = PTHREAD_MUTEX_INITIALIZER;
static act_system_t *s_live;

bool act_system_leave_at_exit;

static void
s_live_add (act_system_t *self)
{
    pthread_mutex_lock (&s_live_lock);
    self->prev = NULL;
    self->next = s_live;
    if (s_live)
        s_live->prev = self;
    s_live = self;
    self->listed = true;
    pthread_mutex_unlock (&s_live_lock);
}

//  Take self out of s_live; false if another thread took it already.
static bool
s_live_remove (act_system_t *self)
{
    pthread_mutex_lock (&s_live_lock);
    bool found = self->listed;
    if (found) {
        self->listed = false;
        if (self->prev)
            self->prev->next = self->next;
        else
            s_live = self->next;
        if (self->next)
            self->next->prev = self->prev;
    }
    pthread_mutex_unlock (&s_live_lock);
    return found;
}

static void
s_at_exit (void)
{
    if (act_system_leave_at_exit)
        return;
    while (true) {
        //  Not the system whose loop calls exit: it cannot wait for itself.
        //  Nor one of the process we were forked from: its loop thread is
        //  not here, and neither are ZeroMQ's.
        pthread_mutex_lock (&s_live_lock);
        act_system_t *system = s_live;
        while (system && (system->pid != getpid ()
                          || (act_loop_current
                              && act_loop_core (act_loop_current) == system->core)))
            system = system->next;
        pthread_mutex_unlock (&s_live_lock);
        if (!system)
            break;
        zsys_warning ("actorio: %s: still running at exit: destroying it",
                      system->core->name);
        act_system_destroy (&system);
    }
}

static bool
s_host_handles (int signum)
{
    struct sigaction current;
    return sigaction (signum, NULL, &current) == 0
        && current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
}

//  The signals a handler would take on this thread now, and the stops,
//  whose SIGCONT may end some waits with EINTR even with no handler.
static void
s_handled_signals (sigset_t *set)
{
    sigemptyset (set);
    for (int signum = 1; signum <= SIGRTMAX; signum++) {
        if (s_host_handles (signum))
            sigaddset (set, signum);
    }
    sigaddset (set, SIGTSTP);
    sigaddset (set, SIGTTIN);
    sigaddset (set, SIGTTOU);
}

static void
s_process_init (void)
{
    //  czmq installs SIGINT/SIGTERM handlers when it first starts, unless
    //  told not to. A library must not take the host's signals; but if the
    //  host (or czmq for it) already handles them, that is the host's
    //  choice. Ignored counts as not handled: a background job inherits
    //  SIGINT ignored and must still die of SIGTERM.
    if (!s_host_handles (SIGINT) && !s_host_handles (SIGTERM))
        zsys_handler_set (NULL);
    //  czmq's exit handler first, so that ours runs before it.
    zsys_init ();
    atexit (s_at_exit);
}

act_core_t *
act_system_core (act_system_t *self)
{
    return self ? self->core : NULL;
}

act_system_t *
act_system_new (const char *name)
{
    return act_system_start (name, false, NULL, NULL);
}

act_system_t *
act_system_start (const char *name, bool manual,
                  int (*init) (act_loop_t *loop, void *arg), void *arg)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once (&once, s_process_init);
    act_system_t *self = (act_system_t *) calloc (1, sizeof (act_system_t));
    if (!self)
        abort ();
    act_loop_init_t request = { init, arg, 0, 0 };
    self->core = act_core_new (name);
    if (!self->core)
        goto fail;
    self->core->manual = manual;
    self->core->init = &request;
    //  zactor_new waits for the loop's signal, sent once init has run,
    //  but a signal handled on this thread would end that wait with EINTR
    //  and zactor_new would return all the same: the loop still in init,
    //  which writes its result to this stack, and its signal left in the
    //  pipe to be taken for the answer to something else. So no signal
    //  is handled here meanwhile; the loop thread, which would inherit
    //  that mask, takes ours back first thing, and what came meanwhile
    //  is handled once the mask is restored (or by that thread). Only a
    //  signal with a handler can do that: one whose default kills the
    //  process stays open, so that a watchdog's SIGPROF or SIGALRM, or a
    //  SIGHUP, still ends a start that never comes back.
    sigset_t handled;
    s_handled_signals (&handled);
    pthread_sigmask (SIG_BLOCK, &handled, &self->core->mask);
    self->actor = zactor_new (act_loop_run, self->core);
    pthread_sigmask (SIG_SETMASK, &self->core->mask, NULL);
    if (!self->actor)
        goto fail;
    self->pid = getpid ();
    s_live_add (self);
    //  The loop ran init and cleared core->init before its signal
    pthread_mutex_lock (&self->core->lock);
    assert (!self->core->init);
    act_loop_init_t done = request;
    pthread_mutex_unlock (&self->core->lock);
    if (done.rc) {
        int err = done.err ? done.err : EINVAL;
        act_system_destroy (&self);
        errno = err;
        return NULL;
    }
    return self;
fail:
    {
        int saved = errno;
        act_core_release (&self->core);
        free (self);
        errno = saved ? saved : ENOMEM;
    }
    return NULL;
}

static bool
s_wait_loop_end (zsock_t *pipe, int64_t deadline)
{
    //  zactor_destroy would wait the pipe's receive timeout per message,
    //  and a "STOPPED" sent while the loop tears down starts it over: wait
    //  here for the loop's last signal against one deadline instead.
    zsock_set_sndtimeo (pipe, 0);
    if (zstr_send (pipe, "$TERM"))
        return false;           //  the loop is gone already, or going
    while (true) {
        int64_t left = deadline - zclock_mono ();
        if (left <= 0)
            return false;
        //  No deadline (act_system_destroy_within with ACT_FOREVER): wait
        zsock_set_rcvtimeo (pipe, left > INT_MAX ? -1 : (int) left);
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg) {
            if (errno == EINTR)
                continue;
            return false;
        }
        bool signal = zmsg_signal (msg) >= 0;
        zmsg_destroy (&msg);
        if (signal)
            return true;
    }
}

void
act_system_destroy (act_system_t **self_p)
{
    act_system_destroy_within (self_p, ACT_SYSTEM_DESTROY_TIMEOUT);
}

void
act_system_destroy_within (act_system_t **self_p, int timeout_ms)
{
    if (!self_p || !*self_p)
        return;
    act_system_t *self = *self_p;
    act_core_t *core = self->core;
    if (act_loop_current && act_loop_core (act_loop_current) == core) {
        //  The loop would wait for itself: refuse, loudly, and keep it.
        zsys_error ("actorio: %s: act_system_destroy called from its own loop; "
                    "use act_system_stop", core->name);
        return;
    }
    *self_p = NULL;
    if (!s_live_remove (self))
        return;                 //  the exit handler has it
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : zclock_mono () + timeout_ms;
    //  Close the queue before the loop hears $TERM, not after its
    //  teardowns: what other threads post from now on fails at once
    //  (ESRCH, and an ask's waiter hears at once), so the backlog the
    //  loop must drain stops growing, and no call that starts after we
    //  return can succeed even if the loop outlives our deadline. What
    //  is queued already is the loop's: it delivers or dead-letters it.
    pthread_mutex_lock (&core->lock);
    core->stopping = true;
    core->closed = true;
    pthread_mutex_unlock (&core->lock);
    if (s_wait_loop_end (zactor_sock (self->actor), deadline))
        //  The loop's last act was to release its share of the core.
        //  Reading the count with acquire orders all it did before the
        //  frees below; the pipe's signal does too, but through libzmq,
        //  where ThreadSanitizer cannot see it.
        (void) atomic_load_explicit (&core->refs, memory_order_acquire);
    //  Signalled or given up: zactor_destroy must not wait again.
    zsock_set_rcvtimeo (zactor_sock (self->actor), 0);
    zactor_destroy (&self->actor);
    act_core_release (&self->core);
    free (self);
}

act_ref_t *
act_core_spawn (act_core_t *core, const char *name, const act_class_t *cls, void *args)
{
    //  Names are parts of addresses ("group/name"); those starting with
    //  '_' are the runtime's, given to anonymous actors that talk to other
    //  groups.
    if (!core || !cls
    ||  (name && (!act_wire_name_valid (name, strlen (name)) || name [0] == '_'))) {
        errno = EINVAL;
        return NULL;
    }
    act_t *actor = act_actor_new (core, cls, args, name);
    act_ref_t *ref = act_ref_dup (actor->ref);
    act_msg_t *msg = act_msg_new_internal (ACT_MSG_SPAWN, NULL, 0);
    msg->ptr = actor;
    int err = 0;
    pthread_mutex_lock (&core->lock);
    if (core->stopping || core->closed)
        err = ECANCELED;
    else
    if (name) {
        if (zhashx_lookup (core->names, name))
            err = EEXIST;
        else
            zhashx_insert (core->names, name, actor->ref);
    }
    pthread_mutex_unlock (&core->lock);
    if (!err && act_core_post (core, msg) == 0)
        return ref;
    if (!err) {
        //  The loop closed between our check and the post.
        err = ECANCELED;
        msg = NULL;
    }
    act_msg_destroy (&msg);
    if (name && err != EEXIST) {
        pthread_mutex_lock (&core->lock);
        zhashx_delete (core->names, name);
        pthread_mutex_unlock (&core->lock);
    }
    free (actor->ref->name);
    actor->ref->name = NULL;
    act_actor_discard (actor, ACT_EXIT_SHUTDOWN);
    act_ref_destroy (&ref);
    errno = err;
    return NULL;
}

act_ref_t *
act_spawn (act_system_t *self, const act_class_t *cls, void *args)
{
    return act_core_spawn (self ? self->core : NULL, NULL, cls, args);
}

act_ref_t *
act_spawn_named (act_system_t *self, const char *name, const act_class_t *cls,
                 void *args)
{
    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    return act_core_spawn (self ? self->core : NULL, name, cls, args);
}

static act_ref_t *
s_remote_ref (act_core_t *core, const char *address)
{
    //  "group/actor": our own group's actors are local names; any other
    //  group is reached through the transport once this system joined.
    size_t group_len;
    const char *group = core->group;
    if (!act_address_valid (address, &group_len)) {
        errno = ENOENT;
        return NULL;
    }
    if (group && strlen (group) == group_len && memcmp (group, address, group_len) == 0)
        return act_core_lookup (core, address + group_len + 1);
    if (!group) {
        errno = ENOENT;
        return NULL;
    }
    act_ref_t *ref = act_ref_new (ACT_REF_REMOTE, core);
    ref->name = strdup (address);
    ref->address_len = strlen (address);    //  fixed now: any loop reads it
    return ref;
}

act_ref_t *
act_core_lookup (act_core_t *core, const char *name)
{
    if (strchr (name, '/'))
        return s_remote_ref (core, name);
    pthread_mutex_lock (&core->lock);
    act_ref_t *ref = (act_ref_t *) zhashx_lookup (core->names, name);
    if (ref)
        ref = act_ref_dup (ref);
    pthread_mutex_unlock (&core->lock);
    if (!ref)
        errno = ENOENT;
    return ref;
}

act_ref_t *
act_lookup (act_system_t *self, const char *name)
{
    if (!self || !name) {
        errno = EINVAL;
        return NULL;
    }
    return act_core_lookup (self->core, name);
}

act_msg_t *
act_ask_name (act_system_t *self, const char *name, act_msg_t **msg_p, int timeout_ms)
{
    if (!msg_p || !*msg_p) {
        errno = EINVAL;
        return NULL;
    }
    act_ref_t *to = act_lookup (self, name);
    if (!to) {
        int saved = errno;
        act_msg_destroy (msg_p);
        errno = saved;
        return NULL;
    }
    act_msg_t *reply = act_ask (to, msg_p, timeout_ms);
    int saved = errno;
    act_ref_destroy (&to);
    errno = saved;
    return reply;
}

int
act_system_stop (act_system_t *self)
{
    if (!self) {
        errno = EINVAL;
        return -1;
    }
    act_msg_t *msg = act_msg_new_internal (ACT_MSG_STOP_ALL, NULL, 0);
    act_core_post (self->core, msg);
    return 0;
}

static bool
s_call_done (void *arg)
{
    return ((act_call_t *) arg)->done;
}

int
act_loop_call (act_system_t *system, int (*fn) (act_loop_t *, void *), void *arg)
{
    if (!system || !fn) {
        errno = EINVAL;
        return -1;
    }
    if (act_loop_current && act_loop_core (act_loop_current) == system->core) {
        errno = EDEADLK;
        return -1;
    }
    act_call_t call = { fn, arg, -1, 0, false };
    act_msg_t *msg = act_msg_new_internal (ACT_MSG_CALL, NULL, 0);
    msg->ptr = &call;
    if (act_core_post (system->core, msg)) {
        errno = ECANCELED;
        return -1;
    }
    act_core_wait (system->core, s_call_done, &call, -1);
    errno = call.err;
    return call.rc;
}

static bool
s_no_actors (void *arg)
{
    return atomic_load (&((act_core_t *) arg)->actors) == 0;
}

int
act_system_wait (act_system_t *self, int timeout_ms)
{
    if (!self) {
        errno = EINVAL;
        return -1;
    }
    if (act_loop_current && act_loop_core (act_loop_current) == self->core) {
        errno = EDEADLK;
        return -1;
    }
    return act_core_wait (self->core, s_no_actors, self->core, timeout_ms);
}

zactor_t *
act_system_actor (act_system_t *self)
{
    return self ? self->actor : NULL;
}

const char *
act_system_name (act_system_t *self)
{
    return self ? self->core->name : NULL;
}

size_t
act_system_actors (act_system_t *self)
{
    return self ? atomic_load (&self->core->actors) : 0;
}

uint64_t
act_system_dead_letters (act_system_t *self)
{
    return self ? atomic_load (&self->core->dead_letters) : 0;
}

uint64_t
act_system_delivered (act_system_t *self)
{
    return self ? atomic_load (&self->core->delivered) : 0;
}

int
act_system_set_workers (act_system_t *self, int threads)
{
    if (!self || threads < 1 || threads > 64) {
        errno = EINVAL;
        return -1;
    }
    atomic_store (&self->core->workers, threads);
    return 0;
}

//  --------------------------------------------------------------------
//  Per-actor counters for actor-run status, read on the loop thread

typedef struct {
    act_actor_stats_t *stats;   //  where they go
    size_t max;                 //  entries in stats
    size_t count;               //  entries filled
} s_stats_walk_t;

//  The actors of a sibling list, oldest first (the lists are newest
//  first), each followed by its children; stops once stats is full, so
//  neither a large group nor a deep tree holds the loop long.
static void
s_stats_siblings (s_stats_walk_t *walk, act_t *first, int64_t now)
{
    act_t *actor = first;
    while (actor && actor->next_sib) {
        actor = actor->next_sib;
    }
    for (; actor && walk->count < walk->max; actor = actor->prev_sib) {
        {
            act_actor_stats_t *entry = &walk->stats [walk->count];
            snprintf (entry->name, sizeof entry->name, "%s", act_ref_shown (actor->ref));
            //  The class's name is the plugin's string: one word of safe
            //  bytes, for the space-separated lines of the status.
            const char *cls = actor->cls && actor->cls->name && *actor->cls->name
                            ? actor->cls->name : "-";
            size_t at = 0;
            for (; cls [at] && at + 1 < sizeof entry->cls; at++) {
                entry->cls [at] = act_wire_name_valid (cls + at, 1) ? cls [at] : '_';
            }
            entry->cls [at] = 0;
            entry->depth = 0;
            for (act_msg_t *msg = actor->mb_head;
                 msg && entry->depth < ACT_STATS_DEPTH_MAX; msg = msg->next) {
                entry->depth++;
            }
            entry->handled = actor->handled;
            entry->dead_letters = atomic_load_explicit (&actor->ref->dead_sent,
                                                        memory_order_relaxed);
            entry->idle_ms = actor->handled_at ? (now - actor->handled_at) / 1000 : -1;
        }
        walk->count++;
        if (actor->first_child) {
            s_stats_siblings (walk, actor->first_child, now);
        }
        if (actor == first) {
            break;
        }
    }
}

static int
s_stats_collect (act_loop_t *loop, void *arg)
{
    s_stats_siblings ((s_stats_walk_t *) arg, loop->tops, zclock_usecs ());
    return 0;
}

int
act_system_actor_stats (act_system_t *system, act_actor_stats_t *stats, size_t max)
{
    s_stats_walk_t walk = { stats, max, 0 };
    if (act_loop_call (system, s_stats_collect, &walk) == -1) {
        return -1;
    }
    return (int) walk.count;
}
