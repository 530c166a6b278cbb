/*  act_group - the host of a group process, and what its actors may ask
    of it
    SPDX-License-Identifier: MPL-2.0

    actor-run forks a process per group and runs act_group_host in it. The
    host finds the group's classes (the plugin's "actorio_class_NAME"
    symbols, then the built-ins), starts one system, spawns the actors by
    name in topology order, and says "ready" once every setup has run. From
    then on its thread only waits: for the supervisor's "stop" or notices,
    for the system to run out of actors, or for the supervisor to vanish.
    When the supervisor asks for heartbeats, the host spawns an actor of
    the runtime's that beats from the loop thread (see s_heartbeat).

    The process ends with _exit, never exit: it is a fork of the
    supervisor and still holds a copy of the supervisor's heap, which
    atexit handlers (a leak checker among them) must not mistake for its
    own. Everything of the group's is released before that, except czmq's
    context: zsys_shutdown would often sleep 200 ms, since the system's
    loop thread closes its end of the zactor pipe only after its last
    signal, so just after act_system_destroy czmq still counts it open.
    An actor that needs a last message of its own to leave (on a socket
    with a linger) must wait for it to be answered in its teardown.

    An application's exit () would run czmq's exit handler, which tears
    the context down under the loop thread's sockets (an assertion, a
    SIGABRT, or a hang): an exit handler of ours, registered after czmq's
    and so run before it, ends the process with _exit and the same code.

    The host owns the group's signals (man actor-run, SIGNALS): SIGTERM
    and SIGINT stop the group as "stop" does, a second one ends it at
    once; SIGUSR1, SIGUSR2, SIGHUP and SIGPIPE are ignored and logged;
    the parent-death signal act_spawn asks for (not SIGKILL, so that we
    see it) kills the whole process group, helpers and commands an actor
    started included. Every handler only writes a byte to a pipe the host
    thread polls, or kills and exits; none runs in a process an actor
    forked, which gets the default action instead.
*/
#include "act_host.h"
#include "act_loop_priv.h"
#include "act_link.h"
#include "act_trace.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>

//  Set once by act_group_host before the system's thread starts, so every
//  thread that can call the public functions sees them.
static const char *s_name;
static const char *s_rundir;
static int s_control = -1;
//  This process's life of the group (act_host.h), from its spec or its
//  "go"; the peer layer reads it as it joins.
static uint32_t s_life;
static pthread_t s_host_thread;     //  the main thread, which ps names

//  For the signal handlers, also set before any thread starts.
static pid_t s_pid;             //  the group process, not a fork of it
static pid_t s_supervisor;      //  actor-run, who made our control socket
static bool s_leader;           //  we lead our process group
static int s_signal_pipe [2] = { -1, -1 };  //  handlers -> host thread
static int s_stops;             //  SIGTERMs and SIGINTs so far (atomic)

//  The signals the host handles, besides the parent-death signal.
static const int s_signals [] = { SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP, SIGPIPE };
#define S_SIGNALS   (sizeof s_signals / sizeof s_signals [0])

//  The heartbeat's settings, the host's; read by its actor.
typedef struct {
    int ms;                     //  interval, ms
    act_system_t *system;       //  the group's system, NULL until started
} s_heartbeat_t;

typedef struct {
    act_ref_t **refs;           //  the group's actors, owned, topology order
    const act_group_actor_t *actors;    //  their names, for messages
    const act_class_t **classes;        //  their classes
    size_t count;               //  entries in refs, actors and classes
    act_inbox_t *inbox;         //  where the sentinel says how setup went
    s_heartbeat_t heartbeat;    //  the loop's heartbeat, if asked for
    size_t failed;              //  the actor that could not be spawned
    int err;                    //  why, or 0 (then failed is unused)
} s_host_t;

//  One control message to the supervisor. Never blocks: a full socket
//  means the supervisor is not reading, and waiting would not help.
static int
s_control_send (const char *format, ...)
{
    char text [ACT_GROUP_CONTROL_MAX];
    va_list args;
    va_start (args, format);
    int len = vsnprintf (text, sizeof text, format, args);
    va_end (args);
    if (len >= (int) sizeof text) {
        len = (int) sizeof text - 1;
    }
    if (s_control < 0
    ||  send (s_control, text, (size_t) len, MSG_NOSIGNAL | MSG_DONTWAIT) != len) {
        errno = ENOTCONN;
        return -1;
    }
    return 0;
}

//  "stats ROUND": the counters, read on the loop thread, a packet per
//  actor and link kind, then the end. Each send is non-blocking: the
//  supervisor waits a few ms for the end, and shows "no answer" without.
typedef struct {
    unsigned round;             //  of the stats asked for
    size_t sent;                //  peers said so far
} s_peer_args_t;

static void
s_peer_stat (void *arg, const char *group, const char *node, const char *state)
{
    s_peer_args_t *args = (s_peer_args_t *) arg;
    if (args->sent++ < ACT_HOST_STATS_PEERS)
        s_control_send (ACT_HOST_STAT_PEER " %u %s %s %s", args->round, group, node, state);
}

static void
s_stats_send (act_system_t *system, const char *args)
{
    static act_actor_stats_t actors [ACT_HOST_STATS_ACTORS];
    uint32_t round;
    if (!act_host_number (args, &round, NULL)) {
        zsys_warning ("actorio: %s: a malformed stats request ignored", act_system_name (system));
        return;
    }
    int count = act_system_actor_stats (system, actors, ACT_HOST_STATS_ACTORS);
    for (int i = 0; i < count && i < ACT_HOST_STATS_ACTORS; i++) {
        s_control_send (ACT_HOST_STAT_ACTOR " %u %s %zu %" PRIu64 " %" PRId64 " %" PRIu64
                        " %s", round, actors [i].name, actors [i].depth, actors [i].handled,
                        actors [i].idle_ms, actors [i].dead_letters, actors [i].cls);
    }
    static const char *kinds [] = { "shm", "tcp", "ipc" };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        act_transport_stats_t link;
        if (act_transport_link_stats (system, kinds [i], &link) == 0) {
            s_control_send (ACT_HOST_STAT_LINK " %u %s %" PRIu64 " %" PRIu64 " %" PRIu64
                            " %" PRIu64 " %" PRIu64, round, kinds [i], link.sent,
                            link.received, link.dropped, link.malformed,
                            link.refused_connections);
        }
    }
    s_peer_args_t peers = { round, 0 };
    act_peers_remote (system, s_peer_stat, &peers);
    s_control_send (ACT_HOST_STAT_END " %u %zu %" PRIu64, round, act_system_actors (system),
                    act_system_dead_letters (system));
}

int
act_group_finish (int code)
{
    if (code < 0 || code > 99) {
        errno = EINVAL;
        return -1;
    }
    return s_control_send (ACT_HOST_DONE " %d", code);
}

const char *
act_group_name (void)
{
    return s_name;
}

const char *
act_group_rundir (void)
{
    return s_rundir;
}

//  -------------------------------------------------------------------
//  Signals and exits. Handlers use async-signal-safe calls only.

//  A process an actor forked (without exec) inherits our handlers; it
//  gets the default action instead, as if we had set none. True if so.
static bool
s_in_fork (int signo)
{
    if (getpid () == s_pid) {
        return false;
    }
    struct sigaction action = { .sa_handler = SIG_DFL };
    sigaction (signo, &action, NULL);
    raise (signo);              //  delivered once the handler returns
    return true;
}

//  The supervisor is gone: so is everything of ours in our process
//  group. A process that left it (setsid, setpgid) is out of reach.
static void __attribute__ ((noreturn))
s_orphaned (void)
{
    if (s_leader) {
        kill (0, SIGKILL);
    }
    _exit (ACT_GROUP_EXIT_ORPHAN);
}

static void
s_on_parent_death (int signo)
{
    int saved = errno;
    //  A stray one (someone's kill) finds our parent still there
    if (!s_in_fork (signo) && getppid () != s_supervisor) {
        s_orphaned ();
    }
    errno = saved;
}

static void
s_on_signal (int signo)
{
    int saved = errno;
    if (!s_in_fork (signo)) {
        bool stop = signo == SIGTERM || signo == SIGINT;
        if (stop && __atomic_fetch_add (&s_stops, 1, __ATOMIC_SEQ_CST) > 0) {
            //  A second stop signal: the default action, at once
            struct sigaction action = { .sa_handler = SIG_DFL };
            sigaction (signo, &action, NULL);
            raise (signo);
        }
        else {
            //  A full pipe drops it: the host has plenty unread already
            unsigned char byte = (unsigned char) signo;
            ssize_t written = write (s_signal_pipe [1], &byte, 1);
            (void) written;
        }
    }
    errno = saved;
}

//  exit () from any thread of the group: czmq's exit handler, and any
//  registered before ours (the supervisor's among them, since we are
//  its fork), must not run. Those registered after ours (a plugin's)
//  have run already.
static void
s_on_exit (int status, void *arg)
{
    (void) arg;
    fflush (NULL);
    _exit (status);
}

//  Before any thread starts, so that all of them inherit the handlers
//  and the mask. Returns 0, or -1 with errno.
static int
s_signals_init (void)
{
    s_pid = getpid ();
    s_leader = getpgrp () == s_pid;
    //  The control socket's peer is actor-run even if it is dead by now,
    //  when getppid () would already name whoever inherited us.
    struct ucred cred;
    socklen_t size = sizeof cred;
    s_supervisor = getsockopt (s_control, SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0
                 ? cred.pid : getppid ();
    if (pipe2 (s_signal_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
        return -1;
    }
    sigset_t handled;
    sigemptyset (&handled);
    for (size_t i = 0; i < S_SIGNALS; i++) {
        sigaddset (&handled, s_signals [i]);
    }
    //  SA_RESTART: most calls an actor makes go on; the signals go to the
    //  main thread first (ours, which polls), so the others rarely see
    //  even an EINTR.
    struct sigaction action = { .sa_handler = s_on_signal, .sa_flags = SA_RESTART };
    action.sa_mask = handled;
    for (size_t i = 0; i < S_SIGNALS; i++) {
        sigaction (s_signals [i], &action, NULL);
    }
    int death = 0;
    if (prctl (PR_GET_PDEATHSIG, &death) == 0 && death > 0 && death != SIGKILL) {
        //  Until here its default action (terminate) held, which was
        //  enough: no actor had started anything yet.
        struct sigaction orphan = { .sa_handler = s_on_parent_death, .sa_flags = SA_RESTART };
        sigaction (death, &orphan, NULL);
        sigaddset (&handled, death);
    }
    pthread_sigmask (SIG_UNBLOCK, &handled, NULL);
    //  Gone before the handler was there, and its signal missed
    if (getppid () != s_supervisor) {
        s_orphaned ();
    }
    return 0;
}

//  What the pipe says: true if a stop signal came.
static bool
s_signals_read (void)
{
    static unsigned counts [65];    //  per signal number, ignored so far
    unsigned char bytes [64];
    bool stop = false;
    ssize_t size;
    while ((size = read (s_signal_pipe [0], bytes, sizeof bytes)) > 0) {
        for (ssize_t i = 0; i < size; i++) {
            int signo = bytes [i];
            if (signo == SIGTERM || signo == SIGINT) {
                fprintf (stderr, "signal %d (%s): stopping\n", signo, strsignal (signo));
                stop = true;
            }
            else
            if (signo < 65) {
                //  Said once per power of two, so a flood cannot flood the log
                unsigned count = ++counts [signo];
                if (count == 1) {
                    fprintf (stderr, "signal %d (%s) ignored\n", signo, strsignal (signo));
                }
                else
                if ((count & (count - 1)) == 0) {
                    fprintf (stderr, "signal %d (%s) ignored (%u so far)\n", signo,
                             strsignal (signo), count);
                }
            }
        }
    }
    return stop;
}

//  The sentinel is spawned after the group's actors. Spawns are posted to
//  the loop in order, so when its setup runs every actor before it has run
//  its own: that is the moment the group is ready, and telling the
//  supervisor from here, before the loop handles anything else, keeps the
//  window where actors run but the group is not "ready" as short as can be.
static int
s_sentinel_setup (act_t *self, void *args)
{
    (void) self;
    s_host_t *host = (s_host_t *) args;
    char detail [ACT_GROUP_CONTROL_MAX] = "";
    for (size_t i = 0; i < host->count && !*detail; i++) {
        act_exit_t why;
        if (!act_ref_alive (host->refs [i])
        &&  act_ref_wait (host->refs [i], 0, &why) == 0
        &&  act_exit_failed (&why)) {
            snprintf (detail, sizeof detail, "actor %s failed in setup: %s (code %d)",
                      host->actors [i].name, act_exit_kind_name (why.kind), why.code);
        }
    }
    if (*detail) {
        s_control_send (ACT_HOST_FAIL " %s", detail);
    }
    else {
        //  Stamped first: the supervisor's "ready-seen" may come before
        //  this thread runs again.
        act_trace_restart ("ready");
        s_control_send (ACT_HOST_READY);
    }
    act_msg_t *msg = act_msg_new_str (1, *detail ? "fail" : "ready");
    act_tell (act_inbox_ref (host->inbox), &msg);
    return ACT_STOP;
}

static const act_class_t s_sentinel = {
    .name = "group-sentinel", .setup = s_sentinel_setup
};

//  On the loop thread, once joined: the group's inbox, its actors and the
//  sentinel, spawned before the host thread has even woken, so that a
//  restart's setups run at once: from "go" to "ready" took 1.7-2.0 ms
//  here with that wake-up and the posts back, 1.3 ms without
//  (bench_restart's phases). What fails is left in host for the host
//  thread to say.
static void
s_host_started (act_core_t *core, void *arg)
{
    s_host_t *host = (s_host_t *) arg;
    //  Here, not once the host thread has the system: "ready" may come
    //  first
    act_trace_restart ("join");
    host->inbox = act_inbox_new_in (core);
    if (!host->inbox) {
        host->err = errno;
        return;
    }
    for (size_t i = 0; i < host->count; i++) {
        const act_group_actor_t *actor = &host->actors [i];
        host->refs [i] = act_core_spawn (core, actor->name, host->classes [i],
                                         (void *) actor->args);
        if (!host->refs [i]) {
            host->failed = i;
            host->err = errno;
            return;
        }
    }
    act_ref_t *sentinel = act_core_spawn (core, NULL, &s_sentinel, host);
    if (!sentinel) {
        host->failed = host->count;
        host->err = errno;
        return;
    }
    act_ref_destroy (&sentinel);
}

//  The heartbeat runs on the loop thread, as an actor's timer, so that a
//  loop stuck in a handler, or a stopped process, says nothing: ZeroMQ's
//  own heartbeats run on its I/O thread and would go on. It counts as an
//  actor, so once it is the last one it stops, for the host to see the
//  system run out of actors as it would without it.
static int
s_heartbeat_tick (act_t *self, int timer_id, void *arg)
{
    (void) self;
    (void) timer_id;
    if (act_system_actors ((act_system_t *) arg) <= 1) {
        return ACT_STOP;
    }
    s_control_send (ACT_HOST_BEAT);
    return ACT_OK;
}

static int
s_heartbeat_setup (act_t *self, void *args)
{
    s_heartbeat_t *heartbeat = (s_heartbeat_t *) args;
    s_control_send (ACT_HOST_BEAT);
    return act_every (self, heartbeat->ms, s_heartbeat_tick, heartbeat->system) > 0
         ? ACT_OK : -1;
}

static const act_class_t s_heartbeat = {
    .name = "_heartbeat", .setup = s_heartbeat_setup
};

//  "heartbeat MS": beat every MS from now on. Said once, at the start.
static void
s_heartbeat_start (s_heartbeat_t *heartbeat, act_system_t *system, const char *args)
{
    int ms = atoi (args);
    if (ms <= 0 || heartbeat->system) {
        return;
    }
    heartbeat->ms = ms;
    heartbeat->system = system;
    act_ref_t *ref = act_spawn (system, &s_heartbeat, heartbeat);
    if (!ref) {
        //  The supervisor will find it hung: better than a silent group
        fprintf (stderr, "unable to start the heartbeat: %s\n", strerror (errno));
    }
    act_ref_destroy (&ref);
}

//  Reports an init failure to the supervisor and its log.
static int
s_init_failed (const char *format, ...)
{
    char detail [ACT_GROUP_CONTROL_MAX];
    va_list args;
    va_start (args, format);
    vsnprintf (detail, sizeof detail, format, args);
    va_end (args);
    s_control_send (ACT_HOST_FAIL " %s", detail);
    return ACT_GROUP_EXIT_INIT;
}

static const act_class_t *
s_find_class (void *plugin, const char *name)
{
    const char *why;
    const act_class_t *cls = act_plugin_class (plugin, name, &why);
    return cls ? cls : *why ? NULL : act_builtin_find (name);
}

//  A notice told just before "stop" would be dropped with the parent's
//  mailbox when the system stops. An ask through a fresh actor makes a
//  barrier: the loop runs ready actors in the order they became ready,
//  so once the echo has answered, every notice told before has been
//  handled.
static void
s_drain (act_system_t *system)
{
    act_ref_t *barrier = act_spawn (system, act_builtin_find ("echo"), NULL);
    act_msg_t *msg = act_msg_new (1);
    act_msg_t *reply = barrier ? act_ask (barrier, &msg, 1000) : NULL;
    act_msg_destroy (&msg);
    act_msg_destroy (&reply);
    act_ref_destroy (&barrier);
}

//  "GROUP LIFE" of a peer-down or a peer-up; a word without its life
//  counts as about the newest life heard of.
static void
s_peer_word (act_system_t *system, char *args, bool down)
{
    char *life = strchr (args, ' ');
    if (life)
        *life++ = 0;
    uint32_t number = 0;
    if (life && !act_host_number (life, &number, NULL)) {
        //  Taken as about the newest life: never left unsaid
        zsys_warning ("actorio: %s: a malformed life in %s %s ignored",
                      act_system_name (system), down ? ACT_HOST_PEER_DOWN : ACT_HOST_PEER_UP,
                      args);
        number = 0;
    }
    act_transport_peer_life (system, args, down, number);
}

//  "ACTOR GROUP PID RESTARTS REASON": tell ACTOR the rest.
static void
s_deliver_down (act_system_t *system, char *text)
{
    char *space = strchr (text, ' ');
    if (!space) {
        return;
    }
    *space = 0;
    act_ref_t *parent = act_lookup (system, text);
    act_msg_t *msg = act_msg_new_str (ACT_MSG_GROUP_DOWN, space + 1);
    if (!parent || act_tell (parent, &msg) == -1) {
        //  A parent on another node is named by its address
        fprintf (stderr, "notice for %s%s%s lost, it is not running: %s\n",
                 strchr (text, '/') ? "" : s_name, strchr (text, '/') ? "" : "/", text,
                 space + 1);
    }
    act_msg_destroy (&msg);
    act_ref_destroy (&parent);
}

//  The system ran out of actors: the group's exit code says whether one
//  of them failed, and each failure is named on stderr.
static int
s_ended_code (s_host_t *host)
{
    int code = ACT_GROUP_EXIT_OK;
    for (size_t i = 0; i < host->count; i++) {
        act_exit_t why;
        if (act_ref_wait (host->refs [i], 0, &why) == 0 && act_exit_failed (&why)) {
            fprintf (stderr, "actor %s stopped: %s (code %d)\n",
                     host->actors [i].name, act_exit_kind_name (why.kind), why.code);
            code = ACT_GROUP_EXIT_FAILED;
        }
    }
    return code;
}

//  Waits for the end; returns the exit code.
static int
s_wait (s_host_t *host, act_system_t *system)
{
    zmq_pollitem_t items [] = {
        { NULL, act_inbox_fd (host->inbox), ZMQ_POLLIN, 0 },
        { NULL, s_control, ZMQ_POLLIN, 0 },
        { zsock_resolve (act_system_actor (system)), 0, ZMQ_POLLIN, 0 },
        { NULL, s_signal_pipe [0], ZMQ_POLLIN, 0 }
    };
    bool notified = false;      //  a notice was told since the start
    bool reported = false;      //  the sentinel said how setup went
    while (true) {
        if (zmq_poll (items, 4, -1) == -1) {
            if (errno == EINTR) {
                continue;
            }
            return ACT_GROUP_EXIT_FAILED;
        }
        if (items [0].revents & ZMQ_POLLIN) {
            act_msg_t *msg = act_inbox_recv (host->inbox, 0);
            bool failed = msg && streq (act_msg_str (msg), "fail");
            reported |= msg != NULL;
            act_msg_destroy (&msg);
            if (failed) {
                return ACT_GROUP_EXIT_INIT;
            }
        }
        if (items [1].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) {
            char text [ACT_GROUP_CONTROL_MAX];
            ssize_t size = recv (s_control, text, sizeof text - 1, MSG_DONTWAIT);
            if (size == 0 || (size == -1 && errno != EINTR && errno != EAGAIN)) {
                //  The supervisor is gone: die with it, and take our
                //  process group along, as the parent-death signal on its
                //  way would (this end often comes first).
                s_orphaned ();
            }
            if (size > 0) {
                text [size] = 0;
                const char *args;
                if (act_host_word (text, ACT_HOST_STOP)) {
                    if (notified) {
                        s_drain (system);
                    }
                    return ACT_GROUP_EXIT_OK;
                }
                if ((args = act_host_word (text, ACT_HOST_HEARTBEAT))) {
                    s_heartbeat_start (&host->heartbeat, system, args);
                }
                else
                if ((args = act_host_word (text, ACT_HOST_DOWN))) {
                    s_deliver_down (system, (char *) args);
                    notified = true;
                }
                else
                if ((args = act_host_word (text, ACT_HOST_PEER_DOWN)))
                    s_peer_word (system, (char *) args, true);
                else
                if ((args = act_host_word (text, ACT_HOST_PEER_UP)))
                    s_peer_word (system, (char *) args, false);
                else
                if ((args = act_host_word (text, ACT_HOST_STATS)))
                    s_stats_send (system, args);
            }
        }
        if ((items [3].revents & ZMQ_POLLIN) && s_signals_read ()) {
            //  As "stop": the supervisor sees a normal exit
            if (notified) {
                s_drain (system);
            }
            return ACT_GROUP_EXIT_OK;
        }
        if (items [2].revents & ZMQ_POLLIN) {
            //  Before the sentinel has reported, running out of actors
            //  means a setup failed or stopped: the sentinel is still to
            //  come and says which, and its own stop brings STOPPED again.
            char *event = zstr_recv (act_system_actor (system));
            bool ended = reported && event && streq (event, "STOPPED");
            zstr_free (&event);
            if (ended) {
                return s_ended_code (host);
            }
        }
    }
}

//  What a start faults in on the loop thread, faulted in by a standby
//  before its "go": the thread's first slab of messages and the first
//  blocks of it, and the next pages of its malloc arena. A first touch of
//  a page cost 6-12 us here (a virtual machine), and the actors' spawns
//  after the "go" took 0.2 ms, most of it that.
static void
s_warm (void)
{
    act_msg_t *msgs [64];
    for (size_t i = 0; i < 64; i++)
        msgs [i] = act_msg_new (0);
    for (size_t i = 0; i < 64; i++)
        act_msg_destroy (&msgs [i]);
    //  Below the mmap threshold, so from the arena, and kept there once
    //  freed (the top is trimmed past 128 KiB only)
    size_t size = 96 * 1024;
    unsigned char *block = (unsigned char *) malloc (size);
    if (block) {
        memset (block, 0, size);
        free (block);
    }
}

//  A standby's gate, on its loop thread: everything that does not need
//  the run is made, nothing of the run is changed (its pages of the
//  region are read in, no more). Its predecessor may
//  still be alive, bound where we will bind and attached to the rings we
//  will read: we wait for "go", which comes once it has been reaped.
//  Anything else ends us: end of file (the supervisor dropped us, or
//  died), a stop signal (the main thread, which reads the signal pipe
//  otherwise, waits for this thread now).
static int
s_standby_gate (void *arg)
{
    const act_group_spec_t *spec = (const act_group_spec_t *) arg;
    act_link_shm_prefault (spec->region, spec->name);
    s_warm ();
    struct pollfd items [2] = {
        { s_control, POLLIN, 0 }, { s_signal_pipe [0], POLLIN, 0 }
    };
    while (true) {
        if (poll (items, 2, -1) == -1) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if ((items [1].revents & POLLIN) && s_signals_read ()) {
            return -1;
        }
        if (items [0].revents) {
            char text [ACT_GROUP_CONTROL_MAX];
            ssize_t size = recv (s_control, text, sizeof text - 1, MSG_DONTWAIT);
            if (size == -1 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            if (size <= 0) {
                return -1;
            }
            text [size] = 0;
            const char *life = act_host_word (text, ACT_HOST_GO);
            if (!life) {
                return -1;
            }
            s_life = 0;
            if (*life && !act_host_number (life, &s_life, NULL)) {
                //  No life: the group says no hello, and is known by the
                //  supervisor's words alone
                zsys_warning ("actorio: a malformed life in \"%s\" ignored", text);
                s_life = 0;
            }
            //  Named as the group from now on, both threads, from here:
            //  the actors are spawned and their setups run on this thread
            //  before the main one wakes, and it may say "ready" first,
            //  still "~GROUP" in ps, pgrep and the journal (the main
            //  thread's name is the process's). Cut as PR_SET_NAME
            //  would: pthread_setname_np refuses a longer name.
            char name [16];
            snprintf (name, sizeof name, "%s", s_name);
            prctl (PR_SET_NAME, name);
            pthread_setname_np (s_host_thread, name);
            act_trace_restart ("go");
            return 0;
        }
    }
}

//  A phase of a start, stamped for bench_restart; a standby's phases
//  before its "go" belong to no restart.
static void
s_stamp (const act_group_spec_t *spec, const char *phase)
{
    if (!spec->standby) {
        act_trace_restart (phase);
    }
}

int
act_group_host (const act_group_spec_t *spec)
{
    assert (spec && spec->name && spec->control_fd >= 0);
    s_stamp (spec, "host");
    s_name = spec->name;
    s_rundir = spec->rundir;
    s_control = spec->control_fd;
    s_host_thread = pthread_self ();
    //  Programs this group starts must not hold our lifeline open.
    fcntl (s_control, F_SETFD, FD_CLOEXEC);
    //  czmq's handlers would only set zsys_interrupted, which nothing
    //  here reads. Its context is made now, so that its exit handler is
    //  registered before ours, which then runs first.
    zsys_handler_set (NULL);
    zsys_init ();
    s_stamp (spec, "zsys");
    on_exit (s_on_exit, NULL);
    act_system_leave_at_exit = true;
    if (s_signals_init () == -1) {
        return s_init_failed ("unable to make the signal pipe: %s", strerror (errno));
    }
    //  stdout is a pipe to the supervisor: whole lines, as they come.
    setvbuf (stdout, NULL, _IOLBF, 0);

    void *plugin = NULL;
    if (spec->plugin && !(plugin = dlopen (spec->plugin, RTLD_NOW | RTLD_LOCAL))) {
        return s_init_failed ("unable to load plugin %s: %s", spec->plugin, dlerror ());
    }
    const act_class_t **classes = (const act_class_t **)
        zmalloc ((spec->actor_count + 1) * sizeof (act_class_t *));
    for (size_t i = 0; i < spec->actor_count; i++) {
        if (!(classes [i] = s_find_class (plugin, spec->actors [i].cls))) {
            int code = s_init_failed ("class %s of actor %s not found",
                                      spec->actors [i].cls, spec->actors [i].name);
            free (classes);
            return code;
        }
    }

    s_stamp (spec, "plugin");
    //  Joined by its loop thread before it is handed to us, so an actor's
    //  setup can already reach other groups, and ours can reach it once
    //  we say "ready". A standby's loop thread waits for "go" first. The
    //  actors are spawned on that thread too (s_host_started).
    s_host_t host = {
        .refs = (act_ref_t **) zmalloc ((spec->actor_count + 1) * sizeof (act_ref_t *)),
        .actors = spec->actors,
        .classes = classes,
        .count = spec->actor_count
    };
    s_life = spec->life;
    act_peers_conf_t conf = { spec->name, spec->rundir, spec->region, spec->max_msg_size,
                              spec->hwm, spec->net, &s_life };
    act_system_t *system = act_peers_system_new (conf, spec->inbound_max,
                                                 spec->inbound_bytes,
                                                 spec->standby ? s_standby_gate : NULL,
                                                 (void *) spec, s_host_started, &host);
    if (spec->standby) {
        if (!system && errno == ECANCELED) {
            free (host.refs);
            free (classes);
            return ACT_GROUP_EXIT_STANDBY;
        }
        //  The gate named us already, through /proc, which takes a
        //  descriptor: this cannot fail, late as it is
        prctl (PR_SET_NAME, spec->name);
    }
    if (!system) {
        int err = errno;
        free (host.refs);
        free (classes);
        return s_init_failed ("unable to start the actor system and bind ipc://%s/%s%s: %s",
                              spec->rundir, spec->name,
                              spec->net ? " or its tcp endpoint" : "", strerror (err));
    }
    int code = ACT_GROUP_EXIT_INIT;
    if (!host.inbox) {
        s_init_failed ("unable to make the group's inbox: %s", strerror (host.err));
        goto done;
    }
    if (host.err) {
        if (host.failed < host.count) {
            s_init_failed ("unable to spawn actor %s: %s", host.actors [host.failed].name,
                           strerror (host.err));
        }
        else {
            s_init_failed ("unable to spawn the group's sentinel: %s", strerror (host.err));
        }
        goto done;
    }
    code = s_wait (&host, system);
done:
    //  Asked to stop (or every actor gone): the teardowns take what they
    //  take. The supervisor's shutdown grace bounds them, with SIGKILL,
    //  and the parent-death signal if it dies; the library's own limit
    //  would end the group after 5 s as a clean exit, teardowns cut
    //  short, whatever the topology's shutdown says.
    act_system_destroy_within (&system, code == ACT_GROUP_EXIT_OK
                                        ? ACT_FOREVER : ACT_SYSTEM_DESTROY_TIMEOUT);
    act_inbox_destroy (&host.inbox);
    for (size_t i = 0; i < spec->actor_count; i++) {
        act_ref_destroy (&host.refs [i]);
    }
    free (host.refs);
    free (classes);
    //  The plugin stays loaded: a loop thread left behind by a teardown
    //  that never returned may still be running its code.
    return code;
}
