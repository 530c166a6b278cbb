/*  test_supervisor - running actor-run from a test: its log, its groups
    SPDX-License-Identifier: MPL-2.0

    Shared by tests/test_supervisor*.c. A run_t is one actor-run process
    started on a topology written into a private temporary directory, with
    its stdout and stderr read into buffers, and a ROUTER socket bound in
    the same directory where "probe" actors (examples/plugins/probe.c)
    report and take commands. The test process is a child subreaper, so
    whatever actor-run leaves behind when it dies becomes the test's child:
    run_orphans_gone checks that nothing is left.

    Every wait polls the socket and the pipes until a condition holds or a
    deadline passes; none sleeps for a fixed time.
*/
#ifndef TEST_SUPERVISOR_H_INCLUDED
#define TEST_SUPERVISOR_H_INCLUDED

#include "act_test.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define ACTOR_RUN   ACTORIO_BINARY_DIR "/supervisor/actor-run"
#define PROBE_SO    ACTORIO_BINARY_DIR "/examples/plugins/probe.so"
#define TOPOLOGIES  ACTORIO_BINARY_DIR "/examples/topologies"

//  actor-run's exit codes, as documented in actor-run(1)
#define EXIT_USAGE      100
#define EXIT_GAVE_UP    101
#define EXIT_START      102
#define EXIT_KILLED     103
#define EXIT_SYSTEM     111

//  One group holding one probe actor "p" (routing id "NAME/p"); extra
//  lines go into the group section.
#define PROBE_GROUP(name, extra)                                        \
    "group = " name "\n"                                                \
    "    plugin = @PROBE@\n"                                            \
    extra                                                               \
    "    actor = p\n"                                                   \
    "        class = probe\n"                                           \
    "        args = \"@EP@\"\n"

//  A group of one built-in sink, "s", for runs that need groups and no
//  behaviour; extra: the group's own keys.
#define SINK_GROUP(name, extra)                                         \
    "group = " name "\n"                                                \
    extra                                                               \
    "    actor = s\n"                                                   \
    "        class = sink\n"

typedef struct {
    char *dir;                  //  private temporary directory
    char *rundir;               //  dir/run, given as --rundir
    char *topology;             //  dir/topology.zpl
    char *endpoint;             //  ipc://dir/probes, the ROUTER's
    zsock_t *router;            //  where probes say hello
    zlist_t *inbox;             //  probe messages not taken yet (zmsg_t)
    pid_t pid;                  //  actor-run, 0 once reaped
    int status;                 //  its wait status once reaped
    int err_fd;                 //  its stderr, non-blocking, -1 at EOF
    int out_fd;                 //  its stdout, non-blocking, -1 at EOF
    char *err;                  //  all it wrote on stderr
    size_t err_size;
    size_t cursor;              //  run_expect searches err from here
    char *out;                  //  all it wrote on stdout
    size_t out_size;
} run_t;

static inline void
s_append (int *fd, char **buf, size_t *size)
{
    char chunk [4096];
    while (*fd >= 0) {
        ssize_t got = read (*fd, chunk, sizeof chunk);
        if (got > 0) {
            *buf = (char *) realloc (*buf, *size + (size_t) got + 1);
            memcpy (*buf + *size, chunk, (size_t) got);
            *size += (size_t) got;
            (*buf) [*size] = 0;
        }
        else
        if (got == 0) {
            close (*fd);
            *fd = -1;
        }
        else {
            return;
        }
    }
}

//  One wait for anything: a probe message, output, or the deadline.
static inline void
run_pump (run_t *self, int timeout_ms)
{
    zmq_pollitem_t items [3] = {
        { zsock_resolve (self->router), 0, ZMQ_POLLIN, 0 }
    };
    int count = 1;
    if (self->err_fd >= 0) {
        items [count++] = (zmq_pollitem_t) { NULL, self->err_fd, ZMQ_POLLIN, 0 };
    }
    if (self->out_fd >= 0) {
        items [count++] = (zmq_pollitem_t) { NULL, self->out_fd, ZMQ_POLLIN, 0 };
    }
    zmq_poll (items, count, timeout_ms < 0 ? 0 : timeout_ms);
    while (zsock_events (self->router) & ZMQ_POLLIN) {
        zmsg_t *msg = zmsg_recv (self->router);
        if (msg) {
            zlist_append (self->inbox, msg);
        }
    }
    s_append (&self->err_fd, &self->err, &self->err_size);
    s_append (&self->out_fd, &self->out, &self->out_size);
}

//  Waits until cond holds, pumping meanwhile; evaluates to cond. Some
//  conditions (a process ended) come with no event on what run_pump
//  watches, so each pump is short: 0 ms at first, then at most 5 ms.
#define RUN_UNTIL(run, cond, ms)                                        \
    ({  int64_t run_deadline_ = act_test_now_ms () + (ms);              \
        int run_turn_ = 0;                                              \
        bool run_ok_;                                                   \
        while (!(run_ok_ = (cond)) && act_test_now_ms () < run_deadline_) { \
            int64_t run_left_ = run_deadline_ - act_test_now_ms ();     \
            int run_nap_ = run_turn_++ < 10 ? 0 : 5;                    \
            run_pump ((run), (int) (run_left_ < run_nap_ ? run_left_ : run_nap_)); \
        }                                                               \
        run_ok_; })

static inline run_t *
run_new (void)
{
    //  Whatever actor-run leaves behind comes to us, not to init
    cr_assert_eq (prctl (PR_SET_CHILD_SUBREAPER, 1), 0);
    //  Crashing groups must not litter core files
    struct rlimit none = { 0, 0 };
    setrlimit (RLIMIT_CORE, &none);
    zsys_handler_set (NULL);
    run_t *self = (run_t *) zmalloc (sizeof (run_t));
    self->dir = act_test_tmpdir ();
    self->rundir = zsys_sprintf ("%s/run", self->dir);
    self->topology = zsys_sprintf ("%s/topology.zpl", self->dir);
    self->endpoint = zsys_sprintf ("ipc://%s/probes", self->dir);
    self->router = zsock_new (ZMQ_ROUTER);
    cr_assert_not_null (self->router);
    //  A restarted probe takes its old identity over at once
    zsock_set_router_handover (self->router, 1);
    zsock_set_router_mandatory (self->router, 1);
    cr_assert_eq (zsock_bind (self->router, "%s", self->endpoint), 0);
    self->inbox = zlist_new ();
    self->err_fd = self->out_fd = -1;
    self->err = strdup ("");
    self->out = strdup ("");
    return self;
}

//  Writes the topology, with "@PROBE@" replaced by the probe plugin's path
//  and "@EP@" by the probes' endpoint.
static inline void
run_write (run_t *self, const char *text)
{
    FILE *file = fopen (self->topology, "w");
    cr_assert_not_null (file);
    for (const char *p = text; *p; p++) {
        if (strncmp (p, "@PROBE@", 7) == 0) {
            fputs (PROBE_SO, file);
            p += 6;
        }
        else
        if (strncmp (p, "@EP@", 4) == 0) {
            fputs (self->endpoint, file);
            p += 3;
        }
        else {
            fputc (*p, file);
        }
    }
    fclose (file);
}

//  Starts actor-run with the given arguments (NULL-terminated), output
//  captured. Common case: run_start (run, "--rundir", run->rundir,
//  run->topology, NULL).
//  Writes a topology of count groups g00, g01 ... each holding one
//  built-in sink, after the run section head (which names the run).
static inline void
run_write_sinks (run_t *self, const char *head, int count)
{
    char *text = strdup (head);
    for (int i = 0; i < count; i++) {
        char *more = zsys_sprintf ("%sgroup = g%02d\n    actor = s\n        class = sink\n",
                                   text, i);
        free (text);
        text = more;
    }
    run_write (self, text);
    free (text);
}

//  Starts actor-run (argv as for execv) with its stdout and stderr on
//  non-blocking pipes, into *out_fd and *err_fd.
static inline pid_t
s_actor_run (const char **argv, int *out_fd, int *err_fd)
{
    int err [2], out [2];
    cr_assert_eq (pipe2 (err, O_CLOEXEC), 0);
    cr_assert_eq (pipe2 (out, O_CLOEXEC), 0);
    pid_t pid = fork ();
    cr_assert_neq (pid, -1);
    if (pid == 0) {
        //  A test that fails half-way must not leave its run behind
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        dup2 (out [1], STDOUT_FILENO);
        dup2 (err [1], STDERR_FILENO);
        execv (ACTOR_RUN, (char **) argv);
        _exit (127);
    }
    close (err [1]);
    close (out [1]);
    fcntl (err [0], F_SETFL, O_NONBLOCK);
    fcntl (out [0], F_SETFL, O_NONBLOCK);
    *out_fd = out [0];
    *err_fd = err [0];
    return pid;
}

static inline void
run_start_argv (run_t *self, const char **argv)
{
    self->pid = s_actor_run (argv, &self->out_fd, &self->err_fd);
    self->status = 0;
}

#define run_start(self, ...)                                            \
    run_start_argv ((self), (const char *[]) { ACTOR_RUN, __VA_ARGS__, NULL })

//  Starts actor-run on the run's topology and run directory.
static inline void
run_go (run_t *self)
{
    run_start (self, "--rundir", self->rundir, self->topology);
}

//  True once actor-run has exited (and reaped it).
static inline bool
run_exited (run_t *self)
{
    if (self->pid > 0 && waitpid (self->pid, &self->status, WNOHANG) == self->pid) {
        self->pid = 0;
    }
    return self->pid == 0;
}

//  Waits for actor-run to exit and for its output to end; returns its
//  exit code, or -1 if it did not exit within ms.
static inline int
run_wait (run_t *self, int ms)
{
    if (!RUN_UNTIL (self, run_exited (self) && self->err_fd < 0 && self->out_fd < 0, ms)) {
        return -1;
    }
    return WIFEXITED (self->status) ? WEXITSTATUS (self->status)
                                    : 128 + WTERMSIG (self->status);
}

//  Searches the log from the cursor for a line holding every needle (a
//  NULL-terminated list); moves the cursor past it and returns a copy of
//  the line (caller frees), or NULL if there is none yet.
static inline char *
s_find_line (run_t *self, const char **needles)
{
    const char *line = self->err + self->cursor;
    while (*line) {
        const char *end = strchr (line, '\n');
        if (!end) {
            return NULL;            //  a line not finished yet
        }
        bool all = true;
        for (const char **needle = needles; *needle && all; needle++) {
            const char *hit = memmem (line, (size_t) (end - line), *needle, strlen (*needle));
            all = hit != NULL;
        }
        if (all) {
            self->cursor = (size_t) (end + 1 - self->err);
            return strndup (line, (size_t) (end - line));
        }
        line = end + 1;
    }
    return NULL;
}

static inline char *
run_expect_argv (run_t *self, int ms, const char **needles)
{
    char *line = NULL;
    RUN_UNTIL (self, (line = s_find_line (self, needles)) != NULL, ms);
    return line;
}

//  The next log line holding all the needles, within ms (NULL if none).
#define run_line(self, ms, ...)                                         \
    run_expect_argv ((self), (ms), (const char *[]) { __VA_ARGS__, NULL })

//  Asserts the next log line holding all the needles comes within ms.
#define run_expect(self, ms, ...)                                       \
    do {                                                                \
        char *run_line_ = run_line ((self), (ms), __VA_ARGS__);         \
        cr_assert_not_null (run_line_, "no log line with %s within %d ms;" \
                            " log so far:\n%s", #__VA_ARGS__, (int) (ms), (self)->err); \
        free (run_line_);                                               \
    } while (0)

//  Asserts the next log line holding the formatted needle comes within ms.
static inline void __attribute__ ((format (printf, 3, 4)))
run_expectf (run_t *self, int ms, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    char *needle = zsys_vprintf (format, args);
    va_end (args);
    run_expect (self, ms, needle);
    free (needle);
}

//  The pid in the next log line holding "EVENT GROUP pid " (e.g. "ready
//  worker pid "), within ms; asserts it comes.
static inline pid_t
run_pid (run_t *self, const char *event, const char *group, int ms)
{
    char prefix [128];
    snprintf (prefix, sizeof prefix, "actor-run: %s %s pid ", event, group);
    char *line = run_line (self, ms, prefix);
    cr_assert_not_null (line, "no '%s' within %d ms; log so far:\n%s", prefix, ms, self->err);
    pid_t pid = (pid_t) atoi (strstr (line, prefix) + strlen (prefix));
    free (line);
    return pid;
}

//  How many log lines hold the needle, in the whole log.
static inline int
run_count (run_t *self, const char *needle)
{
    int count = 0;
    for (const char *p = self->err; (p = strstr (p, needle)); p++) {
        count++;
    }
    return count;
}

//  If line (from its start) was relayed from group, in the text format
//  ("TIME LEVEL GROUP[PID]: TEXT"), its TEXT; else NULL.
static inline const char *
run_relayed_text (const char *line, const char *group)
{
    const char *end = strchr (line, '\n');
    end = end ? end : line + strlen (line);
    const char *p = memchr (line, ' ', (size_t) (end - line));        //  after the time
    p = p ? memchr (p + 1, ' ', (size_t) (end - p - 1)) : NULL;       //  after the level
    size_t length = strlen (group);
    if (!p || end - ++p < (ptrdiff_t) length + 4 || memcmp (p, group, length) || p [length] != '[') {
        return NULL;
    }
    p += length + 1;
    p += strspn (p, "0123456789");
    return strncmp (p, "]: ", 3) == 0 ? p + 3 : NULL;
}

//  True if some line of log was relayed from group with a text that
//  starts with text; a text ending in a newline must match the whole line.
static inline bool
run_relayed (const char *log, const char *group, const char *text)
{
    for (const char *line = log; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL) {
        const char *got = run_relayed_text (line, group);
        if (got && strncmp (got, text, strlen (text)) == 0) {
            return true;
        }
    }
    return false;
}

//  Takes the first probe message whose frames start with kind and, if
//  from is not NULL, that probe sent; waits up to ms. Caller destroys.
static inline zmsg_t *
probe_take (run_t *self, const char *from, const char *kind, int ms)
{
    zmsg_t *found = NULL;
    RUN_UNTIL (self, ({
        for (zmsg_t *msg = (zmsg_t *) zlist_first (self->inbox); msg && !found;
             msg = (zmsg_t *) zlist_next (self->inbox)) {
            zframe_t *id = zmsg_first (msg);
            zframe_t *what = zmsg_next (msg);
            if (what && zframe_streq (what, kind) && (!from || zframe_streq (id, from))) {
                found = msg;
            }
        }
        if (found) {
            zlist_remove (self->inbox, found);
        }
        found != NULL; }), ms);
    return found;
}

//  Asserts a probe message comes, and drops it.
#define probe_expect(run, from, kind, ms)                               \
    do {                                                                \
        zmsg_t *probe_msg_ = probe_take ((run), (from), (kind), (ms));  \
        cr_assert_not_null (probe_msg_, "no '%s' from %s within %d ms; log:\n%s", \
                            (kind), (from) ? (from) : "any probe", (int) (ms), (run)->err); \
        zmsg_destroy (&probe_msg_);                                     \
    } while (0)

//  Sends a command ("get", "crash", "exit 3" ...) to the probe "GROUP/ACTOR".
static inline void
probe_send (run_t *self, const char *to, const char *command, const char *value)
{
    int rc = zstr_sendx (self->router, to, command, value, NULL);
    cr_assert_eq (rc, 0, "unable to send %s to %s", command, to);
}

//  Asks the probe for its count (then counted one more); returns it and
//  the probe's pid through pid_p if not NULL.
static inline unsigned
probe_get (run_t *self, const char *to, pid_t *pid_p)
{
    probe_send (self, to, "get", NULL);
    zmsg_t *msg = probe_take (self, to, "count", 5000);
    cr_assert_not_null (msg, "%s did not answer get", to);
    zframe_t *frame = zmsg_first (msg);
    frame = zmsg_next (msg);
    char *count = zframe_strdup (zmsg_next (msg));
    char *pid = zframe_strdup (zmsg_next (msg));
    unsigned value = (unsigned) atoi (count);
    if (pid_p) {
        *pid_p = (pid_t) atoi (pid);
    }
    (void) frame;
    free (count);
    free (pid);
    zmsg_destroy (&msg);
    return value;
}

//  Takes the probe's "teardown" message and answers it, so the probe
//  (option teardown=ack) knows it got out.
static inline void
probe_teardown (run_t *self, const char *from, int ms)
{
    probe_expect (self, from, "teardown", ms);
    probe_send (self, from, "ack", NULL);
}

//  Signals actor-run.
static inline void
run_signal (run_t *self, int signo)
{
    cr_assert_gt (self->pid, 0);
    cr_assert_eq (kill (self->pid, signo), 0);
}

//  True once no process of the run is left: actor-run is reaped and every
//  orphan it left (reparented to us, the subreaper) has been reaped too.
static inline bool
run_orphans_gone (void)
{
    while (true) {
        pid_t pid = waitpid (-1, NULL, WNOHANG);
        if (pid > 0) {
            continue;
        }
        return pid == -1 && errno == ECHILD;
    }
}

//  Stops the run with SIGTERM; asserts it exits 0 within ms and leaves
//  no process behind.
static inline void
run_stop_clean (run_t *self, int ms)
{
    run_signal (self, SIGTERM);
    cr_assert_eq (run_wait (self, ms), 0, "log:\n%s", self->err);
    cr_assert (RUN_UNTIL (self, run_orphans_gone (), 1000), "a process of the run is left");
}

//  A process as /proc/PID/stat gives it: its name, state and parent.
typedef struct {
    pid_t pid;
    char comm [32];             //  its name (16 bytes at most in Linux)
    char state;                 //  R, S, Z...
    pid_t ppid;
} run_proc_t;

//  Calls fn for each process until fn returns true; returns that
//  process's pid, or 0 if fn never did.
static inline pid_t
run_procs (bool (*fn) (const run_proc_t *proc, void *arg), void *arg)
{
    pid_t found = 0;
    DIR *dir = opendir ("/proc");
    cr_assert_not_null (dir);
    struct dirent *entry;
    while (!found && (entry = readdir (dir))) {
        if (entry->d_name [0] < '0' || entry->d_name [0] > '9') {
            continue;
        }
        char path [300], stat [512];
        snprintf (path, sizeof path, "/proc/%s/stat", entry->d_name);
        FILE *file = fopen (path, "r");
        if (!file) {
            continue;
        }
        size_t size = fread (stat, 1, sizeof stat - 1, file);
        fclose (file);
        stat [size] = 0;
        //  "PID (COMM) STATE PPID ...": COMM may hold anything, and ends
        //  at the last ')'
        const char *open_paren = strchr (stat, '(');
        const char *close_paren = strrchr (stat, ')');
        run_proc_t proc = { .pid = (pid_t) atoi (entry->d_name) };
        int ppid;
        if (!open_paren || close_paren <= open_paren
        ||  sscanf (close_paren + 2, "%c %d", &proc.state, &ppid) != 2) {
            continue;
        }
        proc.ppid = (pid_t) ppid;
        snprintf (proc.comm, sizeof proc.comm, "%.*s",
                  (int) (close_paren - open_paren - 1), open_paren + 1);
        if (fn (&proc, arg)) {
            found = proc.pid;
        }
    }
    closedir (dir);
    return found;
}

typedef struct {
    pid_t parent;
    const char *name;           //  or NULL: zombies
    int count;
} s_procs_of_t;

static inline bool
s_zombie_of (const run_proc_t *proc, void *arg)
{
    s_procs_of_t *of = (s_procs_of_t *) arg;
    of->count += proc->ppid == of->parent && proc->state == 'Z';
    return false;
}

//  Zombie children of pid right now.
static inline int
run_zombies_of (pid_t parent)
{
    s_procs_of_t of = { parent, NULL, 0 };
    run_procs (s_zombie_of, &of);
    return of.count;
}

static inline bool
s_named_child_of (const run_proc_t *proc, void *arg)
{
    s_procs_of_t *of = (s_procs_of_t *) arg;
    return proc->ppid == of->parent && proc->state != 'Z' && streq (proc->comm, of->name);
}

//  The pid of the live child of parent named name, 0 if there is none.
static inline pid_t
run_child_named (pid_t parent, const char *name)
{
    s_procs_of_t of = { parent, name, 0 };
    return run_procs (s_named_child_of, &of);
}

//  The standby of group (a child of actor-run named "~GROUP"), 0 if none.
static inline pid_t
run_standby (run_t *run, const char *group)
{
    char name [32];
    snprintf (name, sizeof name, "~%s", group);
    return run_child_named (run->pid, name);
}

//  Waits for group's standby; asserts it comes within ms.
static inline pid_t
run_standby_wait (run_t *run, const char *group, int ms)
{
    pid_t pid = 0;
    cr_assert (RUN_UNTIL (run, (pid = run_standby (run, group)) > 0, ms),
               "no standby of %s within %d ms; log:\n%s", group, ms, run->err);
    return pid;
}

static inline bool
run_path_exists (const char *path)
{
    struct stat info;
    return lstat (path, &info) == 0;
}

//  Copies the file at from to to (a plugin the test may then remove:
//  the loader resolves links, and the file is what it opens).
static inline void
run_copy (const char *from, const char *to)
{
    zfile_t *source = zfile_new (NULL, from);
    cr_assert (source && zfile_input (source) == 0);
    zchunk_t *chunk = zfile_read (source, (size_t) zfile_cursize (source), 0);
    FILE *file = fopen (to, "w");
    cr_assert (chunk && file);
    cr_assert_eq (fwrite (zchunk_data (chunk), 1, zchunk_size (chunk), file),
                  zchunk_size (chunk));
    fclose (file);
    zchunk_destroy (&chunk);
    zfile_destroy (&source);
}

//  The lowest descriptor number pid has free: with its RLIMIT_NOFILE
//  there, it can open nothing more, and still poll what it has.
static inline int
run_lowest_free_fd (pid_t pid)
{
    for (int fd = 0;; fd++) {
        char path [64];
        snprintf (path, sizeof path, "/proc/%d/fd/%d", (int) pid, fd);
        if (!run_path_exists (path)) {
            return fd;
        }
    }
}

//  What one `actor-run COMMAND` printed, and how it ended
typedef struct {
    int code;                   //  its exit code, -1 if it did not end in time
    char *out;                  //  its stdout (caller frees)
    char *err;                  //  its stderr (caller frees)
    int64_t ms;                 //  how long it took
} run_cmd_t;

//  Runs `actor-run ARGS... --rundir RUNDIR TOPOLOGY [GROUPS...]` style
//  commands to the end (argv NULL-terminated, after the program name),
//  waiting at most ms.
static inline run_cmd_t
run_command_argv (const char **argv, int ms)
{
    run_cmd_t result = { .code = -1, .out = strdup (""), .err = strdup ("") };
    size_t out_size = 0, err_size = 0;
    int out [1], err [1];
    int64_t start = act_test_now_ms ();
    pid_t pid = s_actor_run (argv, &out [0], &err [0]);
    int64_t deadline = start + ms;
    int status = 0;
    bool ended = false;
    while ((!ended || out [0] >= 0 || err [0] >= 0) && act_test_now_ms () < deadline) {
        struct pollfd items [2] = { { out [0], POLLIN, 0 }, { err [0], POLLIN, 0 } };
        //  The exit itself wakes no poll: a short one, then waitpid
        poll (items, 2, 5);
        s_append (&out [0], &result.out, &out_size);
        s_append (&err [0], &result.err, &err_size);
        ended = ended || waitpid (pid, &status, WNOHANG) == pid;
    }
    result.ms = act_test_now_ms () - start;
    if (!ended) {
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
    }
    else {
        result.code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
    }
    if (out [0] >= 0) {
        close (out [0]);
    }
    if (err [0] >= 0) {
        close (err [0]);
    }
    return result;
}

//  run_command (run, ms, "status", "--json") on the run's topology and
//  directory; extra operands (groups) go after the topology:
//  run_command_groups (run, ms, "stop", "a", "b").
#define run_command(self, ms, ...)                                      \
    run_command_argv ((const char *[]) { ACTOR_RUN, __VA_ARGS__,        \
                      "--rundir", (self)->rundir, (self)->topology, NULL }, (ms))
#define run_command_groups(self, ms, verb, ...)                         \
    run_command_argv ((const char *[]) { ACTOR_RUN, verb, "--rundir",   \
                      (self)->rundir, (self)->topology, __VA_ARGS__, NULL }, (ms))

static inline void
run_cmd_free (run_cmd_t *self)
{
    free (self->out);
    free (self->err);
    self->out = self->err = NULL;
}

//  A strict enough JSON syntax check for the status document: values,
//  objects, arrays, strings with escapes, numbers, literals. Returns the
//  text after the value, or NULL if it is not one.
static inline const char *
json_value (const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        bool object = *p == '{';
        p++;
        while (*p == ' ' || *p == '\n') {
            p++;
        }
        if (*p == close) {
            return p + 1;
        }
        while (true) {
            if (object) {
                while (*p == ' ' || *p == '\n') {
                    p++;
                }
                if (*p != '"' || !(p = json_value (p))) {
                    return NULL;
                }
                while (*p == ' ' || *p == '\n') {
                    p++;
                }
                if (*p++ != ':') {
                    return NULL;
                }
            }
            if (!(p = json_value (p))) {
                return NULL;
            }
            while (*p == ' ' || *p == '\n') {
                p++;
            }
            if (*p == close) {
                return p + 1;
            }
            if (*p++ != ',') {
                return NULL;
            }
        }
    }
    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (!*p || (unsigned char) *p < 0x20) {
                return NULL;
            }
            if (*p == '\\' && !*++p) {
                return NULL;
            }
        }
        return p + 1;
    }
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
        char *end;
        strtod (p, &end);
        return end;
    }
    for (const char **word = (const char *[]) { "true", "false", "null", NULL }; *word; word++) {
        if (strncmp (p, *word, strlen (*word)) == 0) {
            return p + strlen (*word);
        }
    }
    return NULL;
}

//  True if text is one JSON document (and blanks)
static inline bool
json_valid (const char *text)
{
    const char *end = json_value (text);
    if (!end) {
        return false;
    }
    while (*end == ' ' || *end == '\n') {
        end++;
    }
    return *end == 0;
}

//  Stops what is left (SIGKILL), reaps, removes the directory.
static inline void
run_destroy (run_t **self_p)
{
    run_t *self = *self_p;
    if (!self) {
        return;
    }
    if (self->pid > 0) {
        //  A test that failed half-way: take the run down with it
        kill (self->pid, SIGKILL);
        waitpid (self->pid, NULL, 0);
        RUN_UNTIL (self, run_orphans_gone (), 2000);
    }
    zmsg_t *msg;
    while ((msg = (zmsg_t *) zlist_pop (self->inbox))) {
        zmsg_destroy (&msg);
    }
    zlist_destroy (&self->inbox);
    zsock_destroy (&self->router);
    if (self->err_fd >= 0) {
        close (self->err_fd);
    }
    if (self->out_fd >= 0) {
        close (self->out_fd);
    }
    char *command = zsys_sprintf ("rm -rf '%s'", self->dir);
    if (system (command)) {
        cr_log_warn ("unable to remove %s", self->dir);
    }
    free (command);
    free (self->dir);
    free (self->rundir);
    free (self->topology);
    free (self->endpoint);
    free (self->err);
    free (self->out);
    free (self);
    *self_p = NULL;
}

#endif
