/*  act_testkit - a run under actor-run, started and ended by a test
    SPDX-License-Identifier: MPL-2.0

    actor-run runs as a child of the test with its output in a file of a
    private directory (--log-file -: whatever the topology's log_file), so a run that logs a lot never blocks on a pipe the
    test does not read while it tests. The test process joins the run as
    a group of its own through the transport (ipc: it is not in the
    run's shared region), which is all a process needs to reach every
    actor of the run by address and to get their replies. Ending a run
    removes the private directory, and the run directory unless the
    caller had it before, whatever state actor-run left it in.

    The test's group is no group of actor-run's, so nothing reaches it
    through a control socket: a thread follows the log instead, and says
    a group down or up (act_transport_peer_down/up) at actor-run's own
    "stop G pid", "hung G pid" and "ready G pid" lines, as actor-run says
    it to its groups. So a monitor the test holds hears ACT_EXIT_LOST
    when a group dies, and asks to it fail at once.
*/
#include "actorio.h"
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct _act_testkit_run_t {
    char *dir;                  //  private directory: the log, the default
                                //  run directory
    char *rundir;               //  actor-run's --rundir
    bool own_rundir;            //  it did not exist before: ours to remove
    char *log;                  //  actor-run's stdout and stderr
    pid_t pid;                  //  actor-run, 0 once reaped
    int status;                 //  its wait status once reaped
    act_system_t *system;       //  the test's group in the run
    char group [64 + 1];        //  its name (a group name is 64 at most)
    act_testkit_run_t *next;    //  in s_runs while not stopped
    pid_t owner;                //  the process that started it
    pthread_t follower;         //  follows the log for groups down and up
    int follow_end;             //  eventfd that ends it, or -1
};

//  The runs not stopped yet. A test that fails half-way ends its process
//  there (a Criterion assertion does): at its exit, s_runs_at_exit stops
//  what it left, so no process or directory stays behind.
static pthread_mutex_t s_runs_lock = PTHREAD_MUTEX_INITIALIZER;
static act_testkit_run_t *s_runs;
static pthread_once_t s_runs_once = PTHREAD_ONCE_INIT;

static int
s_remove (const char *path, const struct stat *info, int flag, struct FTW *ftw);
static void
s_follow_end (act_testkit_run_t *self);

static void
s_runs_at_exit (void)
{
    pthread_mutex_lock (&s_runs_lock);
    for (act_testkit_run_t *run = s_runs; run; run = run->next) {
        //  A child forked after the start inherits the list, not the run
        if (run->owner != getpid ())
            continue;
        s_follow_end (run);
        if (run->pid > 0) {
            //  Stopped as an operator would, if it stops soon; its groups
            //  die with it either way
            kill (run->pid, SIGTERM);
            int status;
            for (int i = 0; i < 200 && waitpid (run->pid, &status, WNOHANG) == 0; i++)
                usleep (10000);
            kill (run->pid, SIGKILL);
            waitpid (run->pid, &status, 0);
        }
        if (run->own_rundir)
            nftw (run->rundir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
        nftw (run->dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    }
    //  Its system the library destroys at exit; the rest goes now
    while (s_runs) {
        act_testkit_run_t *run = s_runs;
        s_runs = run->next;
        free (run->dir);
        free (run->rundir);
        free (run->log);
        free (run);
    }
    pthread_mutex_unlock (&s_runs_lock);
}

static void
s_runs_init (void)
{
    atexit (s_runs_at_exit);
}

static void
s_runs_add (act_testkit_run_t *run)
{
    pthread_once (&s_runs_once, s_runs_init);
    pthread_mutex_lock (&s_runs_lock);
    run->next = s_runs;
    s_runs = run;
    pthread_mutex_unlock (&s_runs_lock);
}

static void
s_runs_remove (act_testkit_run_t *run)
{
    pthread_mutex_lock (&s_runs_lock);
    for (act_testkit_run_t **link = &s_runs; *link; link = &(*link)->next)
        if (*link == run) {
            *link = run->next;
            break;
        }
    pthread_mutex_unlock (&s_runs_lock);
}

//  Waits for cond (arg) at most timeout_ms (-1: no limit), looking again
//  after a short backoff: what it waits for (a log line, an exit) comes
//  with no event the test process could wait on.
static bool
s_until (bool (*cond) (act_testkit_run_t *), act_testkit_run_t *self, int timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    for (int attempt = 0; !cond (self); attempt++) {
        if (timeout_ms >= 0 && zclock_mono () >= deadline)
            return false;
        usleep (attempt < 10 ? 100 : 5000);
    }
    return true;
}

static bool
s_exited (act_testkit_run_t *self)
{
    if (self->pid > 0) {
        pid_t rc = waitpid (self->pid, &self->status, WNOHANG);
        if (rc == self->pid || (rc < 0 && errno == ECHILD))
            self->pid = 0;
    }
    return self->pid == 0;
}

//  True if line is actor-run's own "run NAME up: N groups ready ..." (or
//  "1 group ready"), in the text or the JSON log format; a group's
//  relayed line has its own source.
static bool
s_up_line (const char *line)
{
    if (!strstr (line, " actor-run: run ")
    && !(strstr (line, "\"source\":\"actor-run\"") && strstr (line, "\"text\":\"run ")))
        return false;
    const char *up = strstr (line, " up: ");
    if (!up)
        return false;
    up += strlen (" up: ");
    while (*up >= '0' && *up <= '9')
        up++;
    if (strncmp (up, " group", 6))
        return false;
    up += 6;
    if (*up == 's')
        up++;
    return strncmp (up, " ready", 6) == 0;
}

static bool
s_up_or_exited (act_testkit_run_t *self)
{
    char *log = act_testkit_run_log (self);
    bool up = false;
    for (char *line = log, *end; line && *line && !up; line = end ? end + 1 : NULL) {
        end = strchr (line, '\n');
        if (!end)
            break;              //  a line not finished yet
        *end = 0;
        up = s_up_line (line);
    }
    free (log);
    return up || s_exited (self);
}

char *
act_testkit_run_log (act_testkit_run_t *self)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    FILE *file = fopen (self->log, "r");
    if (!file)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    char chunk [4096];
    size_t got;
    while (out && (got = fread (chunk, 1, sizeof chunk, file)) > 0)
        fwrite (chunk, 1, got, out);
    fclose (file);
    if (out)
        fclose (out);
    return text;
}

//  The text of one of actor-run's own lines, in the text or the JSON log
//  format, or NULL for a group's relayed line (whose source has a pid and
//  whose text cannot fake the source in either format).
static const char *
s_own_text (const char *line)
{
    static const char json [] = "\",\"source\":\"actor-run\",\"pid\":";
    if (strncmp (line, "{\"time\":\"", 9) == 0) {
        const char *source = strstr (line, json);
        const char *text = source ? strstr (source, ",\"text\":\"") : NULL;
        return text ? text + 9 : NULL;
    }
    int skip = 0;
    if (sscanf (line, "%*s %*s %n", &skip) != 0 || !skip
    || strncmp (line + skip, "actor-run: ", 11))
        return NULL;
    return line + skip + 11;
}

//  Says group down or up to the test's system at actor-run's "stop G
//  pid", "hung G pid" (killed for its heartbeats) or "ready G pid".
static void
s_follow_line (act_testkit_run_t *self, const char *line)
{
    const char *text = s_own_text (line);
    char verb [8], group [64 + 2];
    int used = 0;
    if (!text || sscanf (text, "%7s %65s pid %n", verb, group, &used) != 2 || !used
    || !act_name_valid (group))
        return;
    if (streq (verb, "stop") || streq (verb, "hung"))
        act_transport_peer_down (self->system, group);
    else
    if (streq (verb, "ready"))
        act_transport_peer_up (self->system, group);
}

//  Reads the log as actor-run writes it (inotify says when), line by
//  line, until follow_end is written.
static void *
s_follow (void *arg)
{
    act_testkit_run_t *self = (act_testkit_run_t *) arg;
    int notify = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
    FILE *file = fopen (self->log, "re");
    if (notify < 0 || !file || inotify_add_watch (notify, self->log, IN_MODIFY) < 0) {
        zsys_warning ("actorio: testkit: unable to follow %s: %s; the test's group "
                      "will not hear of groups that stop", self->log, strerror (errno));
        if (file)
            fclose (file);
        if (notify >= 0)
            close (notify);
        return NULL;
    }
    char line [4096];
    size_t used = 0;
    struct pollfd fds [2] = { { self->follow_end, POLLIN, 0 }, { notify, POLLIN, 0 } };
    while (true) {
        //  Drain the events first: a write after the reads below wakes us.
        char events [4096];
        while (read (notify, events, sizeof events) > 0) {
        }
        int c;
        while ((c = getc (file)) != EOF) {
            if (c != '\n') {
                if (used < sizeof line - 1)
                    line [used++] = (char) c;
                continue;
            }
            line [used] = 0;
            used = 0;
            s_follow_line (self, line);
        }
        clearerr (file);        //  the file grows: read on from here
        if (poll (fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds [0].revents)
            break;
    }
    fclose (file);
    close (notify);
    return NULL;
}

//  The follower speaks to the system: it ends before the system does.
static void
s_follow_end (act_testkit_run_t *self)
{
    if (self->follow_end < 0)
        return;
    uint64_t one = 1;
    if (write (self->follow_end, &one, sizeof one) == sizeof one)
        pthread_join (self->follower, NULL);
    close (self->follow_end);
    self->follow_end = -1;
}

static pid_t
s_spawn (const char *topology, const char *rundir, const char *log)
{
    const char *program = getenv (ACT_TESTKIT_ACTOR_RUN_ENV);
    if (!program || !*program)
        program = "actor-run";
    //  The log comes to us whatever the topology's log_file says: it is
    //  how we see the run up, and what act_testkit_run_log returns.
    char *const argv [] = {
        (char *) program, (char *) "--log-file", (char *) "-", (char *) "--rundir",
        (char *) rundir, (char *) topology, NULL
    };
    int out = open (log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0)
        return -1;
    pid_t parent = getpid ();
    //  The test process has ZeroMQ's threads: the child only calls what is
    //  safe after fork, then execs.
    pid_t pid = fork ();
    if (pid == 0) {
        //  A test that dies half-way takes its run with it.
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        if (getppid () != parent)
            _exit (127);
        //  Until the exec, the host's handlers would take the stop that
        //  act_testkit_run_stop may send this early: the defaults now.
        sigset_t none;
        sigemptyset (&none);
        sigprocmask (SIG_SETMASK, &none, NULL);
        signal (SIGTERM, SIG_DFL);
        signal (SIGINT, SIG_DFL);
        int null = open ("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2 (null, STDIN_FILENO);
        dup2 (out, STDOUT_FILENO);
        dup2 (out, STDERR_FILENO);
        execvp (program, argv);
        _exit (127);
    }
    int saved = errno;
    close (out);
    errno = saved;
    return pid;
}

act_testkit_run_t *
act_testkit_run_start (const char *topology, const char *rundir, int timeout_ms)
{
    if (!topology) {
        errno = EINVAL;
        return NULL;
    }
    act_testkit_run_t *self = (act_testkit_run_t *) calloc (1, sizeof (act_testkit_run_t));
    if (!self)
        abort ();
    const char *tmp = getenv ("TMPDIR");
    self->dir = zsys_sprintf ("%s/actorio-testkit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp (self->dir)) {
        int saved = errno;
        free (self->dir);
        free (self);
        errno = saved;
        return NULL;
    }
    self->rundir = rundir ? strdup (rundir) : zsys_sprintf ("%s/run", self->dir);
    //  A directory the caller had is left as actor-run leaves it.
    self->own_rundir = access (self->rundir, F_OK) == -1;
    self->log = zsys_sprintf ("%s/actor-run.log", self->dir);
    snprintf (self->group, sizeof self->group, "testkit-%d", (int) getpid ());
    self->owner = getpid ();
    self->follow_end = -1;
    //  The system first: it sets the library up in this process (czmq's
    //  signal handlers kept out of it) before anything here logs through
    //  czmq, which would start czmq with its handlers; and so the exit
    //  handler of the runs, registered after the library's, runs before
    //  it and ends the follower while the system is still there.
    int err = 0;
    self->system = act_system_new (self->group);
    s_runs_add (self);
    if (!self->system)
        err = errno;
    else
    if ((self->pid = s_spawn (topology, self->rundir, self->log)) < 0)
        err = errno;
    else
    if (!s_until (s_up_or_exited, self, timeout_ms))
        err = ETIMEDOUT;
    else
    if (self->pid == 0)
        err = ECHILD;
    else
    if (act_transport_join (self->system, self->group, self->rundir, 0, 0))
        err = errno;
    else
    if ((self->follow_end = eventfd (0, EFD_CLOEXEC)) < 0
    || (errno = pthread_create (&self->follower, NULL, s_follow, self))) {
        err = errno;
        if (self->follow_end >= 0)
            close (self->follow_end);
        self->follow_end = -1;
    }
    if (!err)
        return self;
    char *log = act_testkit_run_log (self);
    zsys_error ("actorio: testkit: unable to start a run of %s: %s; its log:\n%s",
                topology, strerror (err), log ? log : "");
    free (log);
    act_testkit_run_stop (&self);
    errno = err;
    return NULL;
}

act_system_t *
act_testkit_run_system (act_testkit_run_t *self)
{
    return self ? self->system : NULL;
}

const char *
act_testkit_run_rundir (act_testkit_run_t *self)
{
    return self ? self->rundir : NULL;
}

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    remove (path);
    return 0;
}

int
act_testkit_run_stop (act_testkit_run_t **self_p)
{
    if (!self_p || !*self_p) {
        errno = EINVAL;
        return -1;
    }
    act_testkit_run_t *self = *self_p;
    *self_p = NULL;
    s_runs_remove (self);
    s_follow_end (self);
    //  Leave first: what the groups send us while they stop is dropped,
    //  not queued toward a system that is going.
    act_system_destroy (&self->system);
    //  Our group's endpoint is no group of actor-run's: it is ours to
    //  remove, even from a directory the caller had.
    char *endpoint = zsys_sprintf ("%s/%s", self->rundir, self->group);
    unlink (endpoint);
    free (endpoint);
    if (self->pid > 0) {
        kill (self->pid, SIGTERM);
        if (!s_until (s_exited, self, ACT_TESTKIT_STOP_TIMEOUT)) {
            //  Its groups follow it: they die with their supervisor.
            kill (self->pid, SIGKILL);
            while (waitpid (self->pid, &self->status, 0) < 0 && errno == EINTR) {
            }
            self->pid = 0;
        }
    }
    int code = WIFEXITED (self->status) ? WEXITSTATUS (self->status)
                                        : 128 + WTERMSIG (self->status);
    if (self->own_rundir)
        nftw (self->rundir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    nftw (self->dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free (self->dir);
    free (self->rundir);
    free (self->log);
    free (self);
    return code;
}
