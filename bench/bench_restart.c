/*  bench_restart - actor-run: restart latency, start time, idle wake-ups
    SPDX-License-Identifier: MPL-2.0

    bench_restart [N]       (N restarts, default 1000)

    Measures, next to the floors taken in the same run:
      - restart latency: kill -9 of a group's process, to the restarted
        group answering a message. The group holds a "probe" actor
        (examples/plugins/probe.c) that connects to our ROUTER; a sample
        ends when the new probe has said hello and answered a "get". N
        restarts with the run on the ipc link (link = ipc), N on the
        default shared-memory region (halves in the order ipc, shm, ...,
        shm, ipc), and the ratio of their medians; N more on each link
        where the restarted probe makes no connection of its own but
        greets a probe of another group through the link, which asks it
        for its count the same way and tells us the answer over the
        connection it has had all along (a peer of the run asking, as
        in a real run, not a new ZeroMQ connection from the new process
        to us);
      - the floors: fork + exec of /bin/true + waitpid, and fork + _exit +
        waitpid, N times each; and a restart with nothing of actorio in
        it, paced as the kills (s_chain_floor);
      - start: from exec of actor-run on a 10-group topology to its log
        line saying every group is ready, 20 times; also the time actor-run
        itself logs (run start to all ready);
      - idle: actor-run's voluntary context switches in one second with
        nothing due (each is a wake-up);
      - status: `actor-run status --json` on a run of 32 groups, 20
        times, from the command's fork to its exit (issue 9: 100 ms);
      - the phases of a restart: PHASE_COUNT more restarts on shm, then
        as many on ipc, with ACTORIO_TRACE_RESTART=1 (act_trace.h: the supervisor and the group
        host stamp each phase on stderr), the median and p99 of each step
        and the slowest few step by step. Apart from the measured ones, so
        the stamps cost those nothing.
    Prints tab-separated RESULT lines as bench_core does (RESULT, bench,
    system, figure, unit, value), then a table with the targets of issue 3.
*/
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench_util.h"

#define ACTOR_RUN   ACTORIO_BINARY_DIR "/supervisor/actor-run"
#define PROBE_SO    ACTORIO_BINARY_DIR "/examples/plugins/probe.so"
#define STARTS      20          //  10-group starts measured
#define STATUSES    20          //  status commands on 32 groups
#define WARMUP      20          //  restarts not measured
#define WAIT_MS     10000       //  longest wait for anything
#define PHASE_COUNT 200         //  traced restarts
#define SLOWEST     5           //  of them shown step by step
#define PACE_MS     20          //  between a restart's answer and the next kill

//  The phases of a restart in order: ours (kill, hello, answered), the
//  rest stamped by actor-run and the group host (act_trace.h).
static const char *s_phases [] = {
    "kill", "reap", "fork", "child", "host", "zsys", "plugin", "go", "join", "ready", "ready-seen",
    "hello", "answered"
};
#define S_PHASES    (sizeof s_phases / sizeof s_phases [0])

typedef struct {
    char dir [64];              //  private temporary directory
    char endpoint [128];        //  the probes' ROUTER
    zsock_t *router;            //  where probes say hello
    pid_t pid;                  //  actor-run
    int err_fd;                 //  its stderr, non-blocking
    char tail [8192];           //  the end of its log, for finding lines
    size_t tail_size;           //  bytes in tail
    size_t parsed;              //  bytes of tail scanned for stamps
    int64_t stamps [S_PHASES];  //  this restart's, us; 0 = not seen
} bench_t;

static int64_t
s_now_us (void)
{
    return (int64_t) (bench_now_ns () / 1000);
}

//  Takes the "restart-trace PHASE USEC" stamps of the whole lines in
//  tail that were not scanned yet.
static void
s_scan_stamps (bench_t *self)
{
    char *line = self->tail + self->parsed, *end;
    while ((end = strchr (line, '\n'))) {
        char *stamp = strstr (line, "restart-trace ");
        char phase [32];
        long long usec;
        if (stamp && stamp < end
        &&  sscanf (stamp, "restart-trace %31s %lld", phase, &usec) == 2) {
            for (size_t i = 0; i < S_PHASES; i++) {
                if (streq (phase, s_phases [i])) {
                    self->stamps [i] = usec;
                }
            }
        }
        line = end + 1;
    }
    self->parsed = (size_t) (line - self->tail);
}

static int
s_compare (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

//  Median and 99th percentile of samples (ns), in ms
static void
s_stats (int64_t *samples, int count, double *median, double *p99)
{
    qsort (samples, (size_t) count, sizeof (int64_t), s_compare);
    *median = samples [count / 2] / 1e6;
    *p99 = samples [(count * 99) / 100 < count ? (count * 99) / 100 : count - 1] / 1e6;
}

//  RESULT lines as bench_core's; this program keeps no table of runs.
static void
s_result (const char *bench, const char *figure, const char *unit, double value)
{
    bench_result (NULL, bench, "actorio", figure, unit, value);
}

static void
s_floor (const char *what, bool exec, int count, long pace_ms, double *median, double *p99)
{
    int64_t *samples = (int64_t *) calloc ((size_t) count, sizeof (int64_t));
    for (int i = 0; i < count; i++) {
        struct timespec pace = { 0, pace_ms * 1000000L };
        nanosleep (&pace, NULL);
        uint64_t start = bench_now_ns ();
        pid_t pid = fork ();
        if (pid == 0) {
            if (exec) {
                execl ("/bin/true", "true", (char *) NULL);
            }
            _exit (exec ? 127 : 0);
        }
        waitpid (pid, NULL, 0);
        samples [i] = bench_now_ns () - start;
    }
    s_stats (samples, count, median, p99);
    free (samples);
    (void) what;
}

static void *
s_asleep (void *arg)
{
    (void) arg;
    while (true)
        pause ();
    return NULL;
}

//  A process shaped like a group, for the chain floor: ZeroMQ's context
//  with a socket bound in dir (its I/O and reaper threads), one more
//  thread asleep (as a loop's) and the main one. Says a byte on fd once
//  made, answers the next byte it reads (its "go"), then sleeps.
static void __attribute__ ((noreturn))
s_group_like (int fd, const char *dir)
{
    void *context = zmq_ctx_new ();
    void *socket = context ? zmq_socket (context, ZMQ_ROUTER) : NULL;
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/floor-%d", dir, (int) getpid ());
    pthread_t thread;
    char byte = 'r';
    if (!socket || zmq_bind (socket, endpoint) || pthread_create (&thread, NULL, s_asleep, NULL)
    ||  write (fd, &byte, 1) != 1 || read (fd, &byte, 1) != 1 || write (fd, &byte, 1) != 1)
        _exit (1);
    while (true)
        pause ();
}

//  Forks a group-like process, made once this returns: its pid, and our
//  end of the socket to it in *fd; -1 if that failed.
static pid_t
s_group_like_fork (const char *dir, int *fd)
{
    int pair [2];
    if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1)
        return -1;
    pid_t pid = fork ();
    if (pid == 0) {
        close (pair [0]);
        s_group_like (pair [1], dir);
    }
    close (pair [1]);
    char byte;
    if (pid == -1 || read (pair [0], &byte, 1) != 1) {
        if (pid > 0) {
            kill (pid, SIGKILL);
            waitpid (pid, NULL, 0);
        }
        close (pair [0]);
        return -1;
    }
    *fd = pair [0];
    return pid;
}

//  The floor of a restart from a standby, with nothing of actorio: kill
//  -9 of a group-like process, waitpid, then a byte to another one,
//  forked and made before the kill, and its answer; pace_ms after the
//  last, as the kills are. What a restart cannot go below on this
//  machine whatever the supervisor does: the kill of a process with a
//  group's threads, the parent's wake-up, the standby's, and ours.
static void
s_chain_floor (const char *dir, int count, long pace_ms, double *median, double *p99)
{
    *median = *p99 = NAN;
    int64_t *samples = (int64_t *) calloc ((size_t) count, sizeof (int64_t));
    int fd = -1, next_fd = -1, done = 0;
    pid_t running = samples ? s_group_like_fork (dir, &fd) : -1;
    char byte = 'g';
    if (running > 0 && (write (fd, &byte, 1) != 1 || read (fd, &byte, 1) != 1))
        count = 0;
    for (; running > 0 && done < count; done++) {
        pid_t next = s_group_like_fork (dir, &next_fd);
        if (next == -1)
            break;
        struct timespec pace = { 0, pace_ms * 1000000L };
        nanosleep (&pace, NULL);
        uint64_t start = bench_now_ns ();
        kill (running, SIGKILL);
        waitpid (running, NULL, 0);
        bool answered = write (next_fd, &byte, 1) == 1 && read (next_fd, &byte, 1) == 1;
        samples [done] = bench_now_ns () - start;
        close (fd);
        char path [128];
        snprintf (path, sizeof path, "%s/floor-%d", dir, (int) running);
        unlink (path);
        running = next;
        fd = next_fd;
        if (!answered)
            break;
    }
    if (running > 0) {
        kill (running, SIGKILL);
        waitpid (running, NULL, 0);
        close (fd);
        char path [128];
        snprintf (path, sizeof path, "%s/floor-%d", dir, (int) running);
        unlink (path);
    }
    if (done == count && count > 0)
        s_stats (samples, count, median, p99);
    free (samples);
}

//  The pause before each kill, ms: PACE_MS, or BENCH_PACE_MS
static long
s_pace_ms (void)
{
    const char *value = getenv ("BENCH_PACE_MS");
    return value ? atol (value) : PACE_MS;
}

//  Reads what actor-run logged, keeping the end of it.
static void
s_read_log (bench_t *self)
{
    char chunk [2048];
    ssize_t size;
    while ((size = read (self->err_fd, chunk, sizeof chunk)) > 0) {
        if (self->tail_size + (size_t) size >= sizeof self->tail) {
            //  Keep the newer half: what we look for was just written
            size_t keep = sizeof self->tail / 2, dropped = self->tail_size - keep;
            memmove (self->tail, self->tail + dropped, keep);
            self->tail_size = keep;
            self->parsed = self->parsed > dropped ? self->parsed - dropped : 0;
        }
        memcpy (self->tail + self->tail_size, chunk, (size_t) size);
        self->tail_size += (size_t) size;
        self->tail [self->tail_size] = 0;
    }
    s_scan_stamps (self);
}

//  Waits for a probe message of this kind; returns it or NULL.
static zmsg_t *
s_probe_wait (bench_t *self, const char *kind)
{
    uint64_t deadline = bench_now_ns () + (uint64_t) WAIT_MS * 1000000;
    while (bench_now_ns () < deadline) {
        zmq_pollitem_t items [] = {
            { zsock_resolve (self->router), 0, ZMQ_POLLIN, 0 },
            { NULL, self->err_fd, ZMQ_POLLIN, 0 }
        };
        zmq_poll (items, 2, 100);
        s_read_log (self);
        while (zsock_events (self->router) & ZMQ_POLLIN) {
            zmsg_t *msg = zmsg_recv (self->router);
            zframe_t *frame = msg ? zmsg_first (msg) : NULL;
            frame = frame ? zmsg_next (msg) : NULL;
            if (frame && zframe_streq (frame, kind)) {
                return msg;
            }
            zmsg_destroy (&msg);
        }
    }
    return NULL;
}

//  Waits until the log holds needle; returns the line's start or NULL.
static const char *
s_log_wait (bench_t *self, const char *needle)
{
    uint64_t deadline = bench_now_ns () + (uint64_t) WAIT_MS * 1000000;
    const char *found;
    while (!(found = strstr (self->tail, needle)) && bench_now_ns () < deadline) {
        struct pollfd item = { self->err_fd, POLLIN, 0 };
        poll (&item, 1, 100);
        s_read_log (self);
    }
    return found;
}

static int
s_start (bench_t *self, const char *topology)
{
    int err [2];
    if (pipe2 (err, O_CLOEXEC)) {
        return -1;
    }
    char rundir [96], path [96];
    snprintf (rundir, sizeof rundir, "%s/run", self->dir);
    snprintf (path, sizeof path, "%s/%s", self->dir, topology);
    pid_t pid = fork ();
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        dup2 (err [1], STDERR_FILENO);
        int null_fd = open ("/dev/null", O_WRONLY);
        dup2 (null_fd, STDOUT_FILENO);
        execl (ACTOR_RUN, ACTOR_RUN, "--rundir", rundir, path, (char *) NULL);
        _exit (127);
    }
    close (err [1]);
    fcntl (err [0], F_SETFL, O_NONBLOCK);
    self->pid = pid;
    self->err_fd = err [0];
    self->tail_size = 0;
    self->parsed = 0;
    self->tail [0] = 0;
    return pid > 0 ? 0 : -1;
}

static int
s_stop (bench_t *self)
{
    kill (self->pid, SIGTERM);
    int status = -1;
    uint64_t deadline = bench_now_ns () + (uint64_t) WAIT_MS * 1000000;
    while (waitpid (self->pid, &status, WNOHANG) == 0 && bench_now_ns () < deadline) {
        struct pollfd item = { self->err_fd, POLLIN, 0 };
        poll (&item, 1, 10);
        s_read_log (self);
    }
    close (self->err_fd);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
s_write (bench_t *self, const char *name, const char *text)
{
    char path [96];
    snprintf (path, sizeof path, "%s/%s", self->dir, name);
    FILE *file = fopen (path, "w");
    fputs (text, file);
    fclose (file);
}

//  A topology of count groups g0, g1, ... of one sink each, after the
//  run section given, written as name
static void
s_write_sinks (bench_t *self, const char *name, const char *run, int count)
{
    char topology [4096];
    snprintf (topology, sizeof topology, "%s", run);
    for (int i = 0; i < count; i++) {
        char group [96];
        snprintf (group, sizeof group, "group = g%d\n    actor = s\n        class = sink\n", i);
        strncat (topology, group, sizeof topology - strlen (topology) - 1);
    }
    s_write (self, name, topology);
}

static long
s_wakeups (pid_t pid)
{
    char path [64], line [128];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    long switches = -1;
    while (file && fgets (line, sizeof line, file)) {
        sscanf (line, "voluntary_ctxt_switches: %ld", &switches);
    }
    if (file) {
        fclose (file);
    }
    return switches;
}

//  The pid of the probe a message of ours names: a "hello" (ROUTER id,
//  "hello", GROUP/ACTOR, PID, COUNT) or an "answered" (ROUTER id,
//  "answered", "GROUP/ACTOR PID COUNT"); 0 if it names none.
static pid_t
s_pid_of (zmsg_t *msg)
{
    zframe_t *frame = zmsg_first (msg);
    frame = zmsg_next (msg);
    bool answered = frame && zframe_streq (frame, "answered");
    frame = zmsg_next (msg);
    if (!answered) {
        frame = zmsg_next (msg);
    }
    char *text = frame ? zframe_strdup (frame) : NULL;
    const char *pid = text && answered ? strchr (text, ' ') : text;
    pid_t value = pid ? (pid_t) atoi (pid) : 0;
    free (text);
    return value;
}

//  A run whose group "target" is restarted: its probe p, and group
//  "other" with a sink, or with peer, a probe w that target/p greets
//  at each start through the run's link (probe.c: hello_to).
static void
s_restart_topology (bench_t *self, const char *link, bool standby, bool peer)
{
    char topology [1024], link_line [64] = "", other [256], target_args [192];
    if (link) {
        snprintf (link_line, sizeof link_line, "    link = %s\n", link);
    }
    if (peer) {
        snprintf (other, sizeof other, "    plugin = %s\n    actor = w\n        class = probe\n"
                  "        args = \"%s\"\n", PROBE_SO, self->endpoint);
        snprintf (target_args, sizeof target_args, "- hello_to=other/w");
    }
    else {
        snprintf (other, sizeof other, "    actor = s\n        class = sink\n");
        snprintf (target_args, sizeof target_args, "%s", self->endpoint);
    }
    snprintf (topology, sizeof topology,
        "run\n"
        "    name = bench-restart\n"
        "%s"
        "%s"
        "    backoff_min = 0\n"
        "    backoff_max = 0\n"
        "    intensity = 10000\n"
        "    period = 1ms\n"
        "group = other\n"
        "%s"
        "group = target\n"
        "    plugin = %s\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"%s\"\n", link_line, standby ? "" : "    standby = false\n",
        other, PROBE_SO, target_args);
    s_write (self, "restart.zpl", topology);
}

//  kill -9 the probe's group, count until the new one answers a "get",
//  count times into samples (ns); link is the run's link line ("ipc"),
//  or NULL for the default (shm). With peer, the "get" comes from a
//  probe in another group of the run, through its link, and that probe
//  tells us the answer over the connection it has had all along;
//  without, from us, over the connection the new probe makes to us.
//  With phases, the run is traced and each restart's stamps go to
//  phases [i] (us, relative to the kill).
static int
s_restarts (bench_t *self, const char *link, bool standby, bool peer, int count,
            int64_t *samples, int64_t (*phases) [S_PHASES])
{
    s_restart_topology (self, link, standby, peer);
    if (phases) {
        setenv ("ACTORIO_TRACE_RESTART", "1", 1);
    }
    int started = s_start (self, "restart.zpl");
    unsetenv ("ACTORIO_TRACE_RESTART");
    if (started) {
        return -1;
    }
    const char *greeting = peer ? "answered" : "hello";
    zmsg_t *hello = s_probe_wait (self, greeting);
    //  The probe says hello before its group has told actor-run it is
    //  ready; a kill then is a failed start, which stops the whole run.
    if (hello && !s_log_wait (self, "run bench-restart up: ")) {
        zmsg_destroy (&hello);
    }
    for (int i = 0; hello && i < count + WARMUP; i++) {
        pid_t pid = s_pid_of (hello);
        zmsg_destroy (&hello);
        if (pid <= 0) {
            break;
        }
        //  A crash comes to a group that has been up a while, not in the
        //  millisecond after its restart: by then actor-run has forked
        //  its standby (10 ms after ready), and the standby has made what
        //  it makes before its "go". Its stamps, if any, are read first.
        struct timespec pace = { 0, s_pace_ms () * 1000000L };
        nanosleep (&pace, NULL);
        s_read_log (self);
        memset (self->stamps, 0, sizeof self->stamps);
        uint64_t start = bench_now_ns ();
        self->stamps [0] = (int64_t) (start / 1000);
        kill (pid, SIGKILL);
        hello = s_probe_wait (self, greeting);
        if (!hello) {
            break;
        }
        self->stamps [S_PHASES - 2] = s_now_us ();
        if (!peer) {
            zstr_sendx (self->router, "target/p", "get", NULL);
            zmsg_t *answer = s_probe_wait (self, "count");
            if (!answer) {
                zmsg_destroy (&hello);
                break;
            }
            zmsg_destroy (&answer);
        }
        self->stamps [S_PHASES - 1] = s_now_us ();
        if (samples && i >= WARMUP) {
            samples [i - WARMUP] = bench_now_ns () - start;
        }
        if (phases) {
            //  The relayed stamps may come after the answer: wait for
            //  them, so they are not taken for the next restart's.
            uint64_t deadline = bench_now_ns () + 1000000000ull;
            while ((!self->stamps [S_PHASES - 3] || !self->stamps [S_PHASES - 4])
            &&  bench_now_ns () < deadline) {
                struct pollfd item = { self->err_fd, POLLIN, 0 };
                poll (&item, 1, 10);
                s_read_log (self);
            }
            if (i >= WARMUP) {
                memcpy (phases [i - WARMUP], self->stamps, sizeof self->stamps);
            }
        }
    }
    int rc = hello ? 0 : -1;
    zmsg_destroy (&hello);
    if (rc) {
        fprintf (stderr, "bench_restart: restart did not answer; log:\n%s\n", self->tail);
    }
    s_stop (self);
    return rc;
}

//  actor-run on 10 groups, from exec to "all ready", STARTS times
static int
s_starts (bench_t *self, double *wall, double *logged, double *wakeups)
{
    //  Heartbeats off: "idle" is the supervisor with nothing due; each
    //  group's heartbeat is a wake-up by design (4 a second by default).
    s_write_sinks (self, "ten.zpl", "run\n    name = ten\n    heartbeat = off\n", 10);
    int64_t walls [STARTS], logs [STARTS];
    for (int i = 0; i < STARTS; i++) {
        uint64_t start = bench_now_ns ();
        if (s_start (self, "ten.zpl")) {
            return -1;
        }
        const char *line = s_log_wait (self, "run ten up: 10 groups ready in ");
        walls [i] = bench_now_ns () - start;
        if (!line) {
            fprintf (stderr, "bench_restart: 10 groups not up; log:\n%s\n", self->tail);
            s_stop (self);
            return -1;
        }
        logs [i] = (int64_t) atoi (line + strlen ("run ten up: 10 groups ready in ")) * 1000000;
        if (i == STARTS - 1) {
            //  Idle: nothing is due, nothing happens. The first 100 ms let
            //  actor-run finish the turn that logged "up" and go to sleep.
            struct timespec settle = { 0, 100000000 }, second = { 1, 0 };
            nanosleep (&settle, NULL);
            long before = s_wakeups (self->pid);
            nanosleep (&second, NULL);
            *wakeups = (double) (s_wakeups (self->pid) - before);
        }
        if (s_stop (self) != 0) {
            fprintf (stderr, "bench_restart: actor-run did not stop cleanly\n");
        }
    }
    double p99;
    s_stats (walls, STARTS, wall, &p99);
    s_stats (logs, STARTS, logged, &p99);
    return 0;
}

//  `actor-run status --json` on a run of 32 groups (issue 9: within
//  100 ms), STATUSES times, each timed from the fork of the command to
//  its exit, its process start included: the median and the slowest.
static int
s_statuses (bench_t *self, double *median, double *worst)
{
    s_write_sinks (self, "many.zpl", "run\n    name = many\n", 32);
    if (s_start (self, "many.zpl")) {
        return -1;
    }
    if (!s_log_wait (self, "run many up: 32 groups ready")) {
        fprintf (stderr, "bench_restart: 32 groups not up; log:\n%s\n", self->tail);
        s_stop (self);
        return -1;
    }
    char rundir [96], path [96];
    snprintf (rundir, sizeof rundir, "%s/run", self->dir);
    snprintf (path, sizeof path, "%s/many.zpl", self->dir);
    int64_t samples [STATUSES];
    int taken = 0;
    for (int i = 0; i < STATUSES; i++) {
        uint64_t start = bench_now_ns ();
        pid_t pid = fork ();
        if (pid == 0) {
            int null_fd = open ("/dev/null", O_WRONLY);
            dup2 (null_fd, STDOUT_FILENO);
            execl (ACTOR_RUN, ACTOR_RUN, "status", "--json", "--rundir", rundir, path,
                   (char *) NULL);
            _exit (127);
        }
        int status = -1;
        if (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
        &&  WEXITSTATUS (status) == 0) {
            samples [taken++] = (int64_t) (bench_now_ns () - start);
        }
        s_read_log (self);
    }
    s_stop (self);
    if (taken == 0) {
        return -1;
    }
    double p99;
    s_stats (samples, taken, median, &p99);
    *worst = samples [taken - 1] / 1e6;
    return 0;
}

//  The stamp of the last phase before phase that has one: a restart from
//  a standby has none from fork to plugin (the standby did that before
//  the kill), a fresh one has no "go".
static int64_t
s_stamp_before (const int64_t *stamps, size_t phase)
{
    while (phase-- > 0) {
        if (stamps [phase]) {
            return stamps [phase];
        }
    }
    return 0;
}

//  The median and p99 of one step (from the last phase stamped before
//  it) over count traced restarts, and the median of the time since the
//  kill, in ms. A phase whose stamp is missing, or out of order, is left
//  out of its step.
static void
s_phase_step (int64_t (*phases) [S_PHASES], int count, size_t phase, int64_t *values,
              double *step, double *step99, double *since)
{
    double p99;
    int taken = 0;
    *step = *step99 = *since = NAN;
    for (int i = 0; i < count; i++) {
        int64_t before = s_stamp_before (phases [i], phase);
        if (phases [i] [phase] && before && phases [i] [phase] >= before) {
            values [taken++] = (phases [i] [phase] - before) * 1000;
        }
    }
    if (taken) {
        s_stats (values, taken, step, step99);
    }
    taken = 0;
    for (int i = 0; i < count; i++) {
        if (phases [i] [phase]) {
            values [taken++] = (phases [i] [phase] - phases [i] [0]) * 1000;
        }
    }
    if (taken) {
        s_stats (values, taken, since, &p99);
    }
}

//  PHASE_COUNT traced restarts on shm, then as many on ipc: each step's
//  median and p99 side by side, so what one link adds to a restart shows
//  as the step it adds it to; then the slowest shm restarts step by step.
static int
s_phase_report (bench_t *self)
{
    int64_t (*phases [2]) [S_PHASES] = {
        calloc (PHASE_COUNT, sizeof *phases [0]), calloc (PHASE_COUNT, sizeof *phases [0])
    };
    int64_t *values = (int64_t *) calloc (PHASE_COUNT, sizeof (int64_t));
    const char *links [2] = { NULL, "ipc" };
    int rc = phases [0] && phases [1] && values ? 0 : -1;
    for (int link = 0; link < 2 && rc == 0; link++) {
        rc = s_restarts (self, links [link], true, false, PHASE_COUNT, NULL, phases [link]);
    }
    if (rc) {
        free (phases [0]);
        free (phases [1]);
        free (values);
        return -1;
    }
    printf ("\n%-30s %10s %10s %10s %10s %10s\n", "restart phases (traced)", "shm step",
            "shm p99", "shm since", "ipc step", "ipc since");
    for (size_t phase = 1; phase < S_PHASES; phase++) {
        double step [2], step99 [2], since [2];
        for (int link = 0; link < 2; link++) {
            s_phase_step (phases [link], PHASE_COUNT, phase, values,
                          &step [link], &step99 [link], &since [link]);
            char bench [64], figure [160];
            snprintf (bench, sizeof bench, "restart-phase-%s%s",
                      link ? "ipc-" : "", s_phases [phase]);
            snprintf (figure, sizeof figure, "restart, step to %s, %s, median of %d traced",
                      s_phases [phase], link ? "link = ipc" : "shm", PHASE_COUNT);
            s_result (bench, figure, "ms", step [link]);
        }
        char name [64];
        snprintf (name, sizeof name, "  -> %s", s_phases [phase]);
        printf ("%-30s %7.3f ms %7.3f ms %7.3f ms %7.3f ms %7.3f ms\n", name, step [0],
                step99 [0], since [0], step [1], since [1]);
    }
    //  The slowest restarts, step by step: a tail has no one phase to
    //  blame when its steps are all longer (the machine's other load).
    printf ("slowest traced restarts (shm), ms per step:\n");
    for (int k = 0; k < SLOWEST; k++) {
        int worst = -1;
        int64_t worst_total = -1;
        for (int i = 0; i < PHASE_COUNT; i++) {
            int64_t total = phases [0] [i] [S_PHASES - 1] - phases [0] [i] [0];
            if (phases [0] [i] [S_PHASES - 1] && total > worst_total) {
                worst_total = total;
                worst = i;
            }
        }
        if (worst < 0) {
            break;
        }
        printf ("  %.3f ms:", worst_total / 1000.0);
        for (size_t phase = 1; phase < S_PHASES; phase++) {
            int64_t before = s_stamp_before (phases [0] [worst], phase);
            if (phases [0] [worst] [phase] && before) {
                printf (" %s %.2f", s_phases [phase],
                        (phases [0] [worst] [phase] - before) / 1000.0);
            }
        }
        printf ("\n");
        phases [0] [worst] [S_PHASES - 1] = 0;
    }
    free (phases [0]);
    free (phases [1]);
    free (values);
    return 0;
}

//  A series' median and p99 over a floor, as table rows; with targets,
//  issue 9's (median <= 3x, p99 <= 6x) and whether they are met.
static void
s_floor_rows (const char *floor_name, double median, double p99, double floor, bool targets)
{
    char name [96];
    snprintf (name, sizeof name, "restart median / %s", floor_name);
    printf ("%-44s %7.2f x  %10s %s\n", name, median / floor, targets ? "<= 3" : "",
            targets ? bench_met (!isnan (median / floor), median / floor <= 3) : "");
    snprintf (name, sizeof name, "restart p99 / %s", floor_name);
    printf ("%-44s %7.2f x  %10s %s\n", name, p99 / floor, targets ? "<= 6" : "",
            targets ? bench_met (!isnan (p99 / floor), p99 / floor <= 6) : "");
}

int
main (int argc, char **argv)
{
    int count = argc > 1 ? atoi (argv [1]) : 1000;
    if (count < 1) {
        fprintf (stderr, "usage: bench_restart [N]\n");
        return 2;
    }
    zsys_handler_set (NULL);
    signal (SIGPIPE, SIG_IGN);
    bench_t self = { .err_fd = -1 };
    snprintf (self.dir, sizeof self.dir, "/tmp/actorio-bench-XXXXXX");
    if (!mkdtemp (self.dir)) {
        perror ("mkdtemp");
        return 1;
    }
    //  First, while this process has no ZeroMQ context of its own: the
    //  floor's processes make theirs
    double chain_median, chain_p99;
    int chain_count = count < 300 ? count : 300;
    s_chain_floor (self.dir, chain_count, s_pace_ms (), &chain_median, &chain_p99);

    snprintf (self.endpoint, sizeof self.endpoint, "ipc://%s/probes", self.dir);
    self.router = zsock_new (ZMQ_ROUTER);
    zsock_set_router_handover (self.router, 1);
    if (zsock_bind (self.router, "%s", self.endpoint) == -1) {
        perror ("bind");
        return 1;
    }

    double exec_median, exec_p99, fork_median, fork_p99;
    s_floor ("fork+exec", true, count, 0, &exec_median, &exec_p99);
    s_floor ("fork", false, count, 0, &fork_median, &fork_p99);
    //  The same after a pause as long as the restarts', which lets the
    //  CPUs go idle: on a virtual machine a wake-up then costs more
    //  (a halted virtual CPU is woken by the host), and a restart pays
    //  several (actor-run's, each thread of the dying group's).
    double paced_median, paced_p99;
    int paced_count = count < 300 ? count : 300;
    s_floor ("fork, paced", false, paced_count, s_pace_ms (), &paced_median, &paced_p99);
    char figure [160];
    snprintf (figure, sizeof figure, "floor: fork + exec /bin/true + waitpid, median of %d", count);
    s_result ("fork-exec-floor", figure, "ms", exec_median);
    snprintf (figure, sizeof figure, "floor: fork + _exit + waitpid, median of %d", count);
    s_result ("fork-floor", figure, "ms", fork_median);
    snprintf (figure, sizeof figure, "floor: fork + _exit + waitpid, %ld ms after the "
              "last, median of %d", s_pace_ms (), paced_count);
    s_result ("fork-floor-paced", figure, "ms", paced_median);
    snprintf (figure, sizeof figure, "floor: kill -9 of a group-like process (ZeroMQ context, "
              "4 threads), waitpid, a made one told to go answering, %ld ms after the last, "
              "median of %d", s_pace_ms (), chain_count);
    s_result ("restart-chain-floor", figure, "ms", chain_median);
    snprintf (figure, sizeof figure, "the same, p99 of %d", chain_count);
    s_result ("restart-chain-floor-p99", figure, "ms", chain_p99);

    //  The same restarts over both links (issue 7): the run on ipc
    //  (link = ipc) and on the default shared region, in halves ordered
    //  ipc, shm, ..., shm, ipc, so neither is favoured by warming up or
    //  by a neighbour's load that rises or falls during the run.
    //  A third series on shm without standbys (standby = false), in the
    //  same halves: what a standby saves. The last two answer a peer
    //  group instead of us (s_restarts: peer), on each link.
    enum { S_SERIES = 5 };
    const char *links [S_SERIES] = { "ipc", NULL, NULL, NULL, "ipc" };
    bool standby [S_SERIES] = { true, true, false, true, true };
    bool peer [S_SERIES] = { false, false, false, true, true };
    const char *benches [S_SERIES] [2] = {
        { "restart-ipc-median", "restart-ipc-p99" },
        { "restart-median", "restart-p99" },
        { "restart-nostandby-median", "restart-nostandby-p99" },
        { "restart-peer-median", "restart-peer-p99" },
        { "restart-peer-ipc-median", "restart-peer-ipc-p99" } };
    const char *said [S_SERIES] = {
        "link = ipc", "shm, the default", "shm, standby = false",
        "shm, answering a peer group", "link = ipc, answering a peer group" };
    double median [S_SERIES], p99 [S_SERIES];
    int64_t *samples [S_SERIES];
    bool ok [S_SERIES];
    for (int link = 0; link < S_SERIES; link++) {
        median [link] = p99 [link] = NAN;
        samples [link] = calloc ((size_t) count, sizeof (int64_t));
        ok [link] = samples [link] != NULL;
    }
    int half = (count + 1) / 2;
    for (int step = 0; step < 2 * S_SERIES; step++) {
        int link = step < S_SERIES ? step : 2 * S_SERIES - 1 - step;
        int first = step < S_SERIES ? 0 : half;
        int n = step < S_SERIES ? half : count - half;
        if (ok [link] && n && s_restarts (&self, links [link], standby [link], peer [link],
                                          n, samples [link] + first, NULL)) {
            ok [link] = false;
        }
    }
    int failed = 0;
    for (int link = 0; link < S_SERIES; link++) {
        if (ok [link]) {
            s_stats (samples [link], count, &median [link], &p99 [link]);
            snprintf (figure, sizeof figure, "kill -9 of a group to its restart answering, "
                      "%s, median of %d", said [link], count);
            s_result (benches [link] [0], figure, "ms", median [link]);
            snprintf (figure, sizeof figure, "kill -9 of a group to its restart answering, "
                      "%s, p99 of %d", said [link], count);
            s_result (benches [link] [1], figure, "ms", p99 [link]);
        }
        else {
            failed = -1;
        }
        free (samples [link]);
    }
    double ratio = median [1] / median [0];
    if (!isnan (ratio)) {
        s_result ("restart-shm-vs-ipc", "restart median, shm / link = ipc, same run",
                  "x", ratio);
    }
    double wall = 0, logged = 0, wakeups = -1;
    if (s_starts (&self, &wall, &logged, &wakeups) == 0) {
        s_result ("start-10", "exec of actor-run on 10 groups to all ready, median of 20",
                  "ms", wall);
        s_result ("start-10-logged", "10 groups, run start to all ready as actor-run "
                  "logs it, median of 20", "ms", logged);
        s_result ("idle-wakeups", "actor-run wake-ups in 1 s with nothing due", "/s", wakeups);
    }
    else {
        failed = -1;
    }
    double status_median = NAN, status_worst = NAN;
    if (s_statuses (&self, &status_median, &status_worst) == 0) {
        s_result ("status-32", "actor-run status --json on 32 groups, command start to exit, "
                  "median of 20", "ms", status_median);
        s_result ("status-32-worst", "actor-run status --json on 32 groups, command start "
                  "to exit, slowest of 20", "ms", status_worst);
    }
    else {
        failed = -1;
    }

    printf ("\n%-44s %10s %10s\n", "actor-run", "measured", "target");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, median (shm)", median [1], "< 2 ms");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, p99 (shm)", p99 [1], "< 10 ms");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, median (link = ipc)", median [0], "");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, p99 (link = ipc)", p99 [0], "");
    //  "No slower" with 5 % for the noise of a shared machine.
    printf ("%-44s %7.2f x  %10s %s\n", "restart median, shm / ipc", ratio, "<= 1 (+5%)",
            bench_met (!isnan (ratio), ratio <= 1.05));
    printf ("%-44s %7.3f ms %10s\n", "floor: fork+exec+waitpid /bin/true, median", exec_median, "");
    printf ("%-44s %7.3f ms %10s\n", "floor: fork+waitpid, median", fork_median, "");
    printf ("%-44s %7.3f ms %10s\n", "floor: fork+waitpid, paced as the kills, median",
            paced_median, "");
    printf ("%-44s %7.3f ms %10s\n", "floor: restart chain, no actorio, median",
            chain_median, "");
    printf ("%-44s %7.3f ms %10s\n", "floor: restart chain, no actorio, p99", chain_p99, "");
    printf ("%-44s %7.3f ms %10s\n", "10 groups, exec to all ready, median", wall, "< 50 ms");
    printf ("%-44s %7.3f ms %10s\n", "10 groups, as logged by actor-run, median", logged, "");
    printf ("%-44s %7.0f /s %10s\n", "idle wake-ups", wakeups, "0");
    printf ("%-44s %7.3f ms %10s\n", "status of 32 groups, median", status_median,
            "< 100 ms");
    printf ("%-44s %7.3f ms %10s\n", "status of 32 groups, slowest of 20", status_worst, "");
    s_floor_rows ("fork floor (shm)", median [1], p99 [1], fork_median, true);
    s_floor_rows ("paced fork floor (shm)", median [1], p99 [1], paced_median, false);
    printf ("%-44s %7.3f ms %10s\n", "restart latency, median (standby = false)",
            median [2], "");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, p99 (standby = false)", p99 [2], "");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, median (shm, peer asks)",
            median [3], "");
    printf ("%-44s %7.3f ms %10s\n", "restart latency, p99 (shm, peer asks)", p99 [3], "");
    s_floor_rows ("fork floor (shm, peer asks)", median [3], p99 [3], fork_median, true);
    s_floor_rows ("chain floor (shm, peer asks)", median [3], p99 [3], chain_median, false);
    printf ("%-44s %7.3f ms %10s\n", "restart latency, median (ipc, peer asks)",
            median [4], "");
    printf ("%-44s %7.2f x  %10s %s\n", "restart median, shm / ipc (peer asks)",
            median [3] / median [4], "<= 1 (+5%)",
            bench_met (!isnan (median [3] / median [4]), median [3] / median [4] <= 1.05));
    s_floor_rows ("fork floor (link = ipc)", median [0], p99 [0], fork_median, false);
    if (s_phase_report (&self)) {
        failed = -1;
    }

    zsock_destroy (&self.router);
    char command [128];
    snprintf (command, sizeof command, "rm -rf '%s'", self.dir);
    if (system (command)) {
        fprintf (stderr, "bench_restart: unable to remove %s\n", self.dir);
    }
    return failed ? 1 : 0;
}
