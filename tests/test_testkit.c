/*  test_testkit - manual systems on a virtual clock, and runs under
    actor-run started from a test
    SPDX-License-Identifier: MPL-2.0

    The manual-system tests wait on nothing: every expectation steps the
    system until it is idle, so none of them needs a timeout to pass.
*/
#include "act_test.h"
#include <act_testkit_criterion.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define TICK    1
#define FIRED   2
#define COUNT   3

typedef struct {
    act_ref_t *probe;           //  where ticks go (borrowed from the test)
    int ticks;                  //  ticks sent
} s_ticker_t;

static int
s_tick (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    s_ticker_t *state = (s_ticker_t *) act_state (self);
    state->ticks++;
    act_msg_t *tick = act_msg_new_data (TICK, &state->ticks, sizeof state->ticks);
    return act_tell (state->probe, &tick) == 0 ? ACT_OK : -1;
}

static int
s_fired (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    act_msg_t *fired = act_msg_new (FIRED);
    return act_tell (((s_ticker_t *) act_state (self))->probe, &fired) == 0 ? ACT_OK : -1;
}

//  Ticks every 100 ms and says FIRED once after 250 ms; answers COUNT
//  with the ticks so far.
static int
s_ticker_setup (act_t *self, void *args)
{
    s_ticker_t *state = (s_ticker_t *) act_state (self);
    state->probe = (act_ref_t *) args;
    if (act_every (self, 100, s_tick, NULL) < 0 || act_after (self, 250, s_fired, NULL) < 0)
        return -1;
    return ACT_OK;
}

static int
s_ticker_handle (act_t *self, act_msg_t *msg)
{
    s_ticker_t *state = (s_ticker_t *) act_state (self);
    act_msg_t *count = act_msg_new_data (COUNT, &state->ticks, sizeof state->ticks);
    return act_reply (msg, &count) == 0 ? ACT_OK : -1;
}

static const act_class_t s_ticker = {
    .name = "ticker", .state_size = sizeof (s_ticker_t),
    .setup = s_ticker_setup, .handle = s_ticker_handle
};

Test (testkit, manual_timers_fire_when_the_test_says, .timeout = 30)
{
    act_system_t *system = act_system_new_manual ("manual");
    cr_assert (act_system_is_manual (system));
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *ticker = act_spawn (system, &s_ticker, act_probe_ref (probe));

    //  The clock stands still: nothing fires, however long the wall
    //  clock runs.
    act_expect_none (probe, 0);
    cr_assert_eq (act_system_now (system), 0);
    act_system_advance (system, 99);
    act_expect_none (probe, 0);
    act_system_advance (system, 1);
    act_expect_data (probe, TICK, &(int) { 1 }, sizeof (int), 0);
    act_expect_none (probe, 0);

    //  300 ms: the one-shot at 250, and a tick for each period passed.
    act_system_advance (system, 300);
    cr_assert_eq (act_system_now (system), 400);
    act_expect_data (probe, TICK, &(int) { 2 }, sizeof (int), 0);
    act_expect (probe, FIRED, 0);
    act_expect_data (probe, TICK, &(int) { 3 }, sizeof (int), 0);
    act_expect_data (probe, TICK, &(int) { 4 }, sizeof (int), 0);
    act_expect_none (probe, 0);

    //  A message is handled when the test steps, not before.
    act_msg_t *ask = act_msg_new (COUNT);
    act_probe_tell (probe, ticker, &ask);
    cr_assert_eq (act_probe_pending (probe), 0);
    cr_assert_eq (act_system_step (system), 1);
    cr_assert_eq (act_probe_pending (probe), 1);
    act_expect_data (probe, COUNT, &(int) { 4 }, sizeof (int), 0);
    cr_assert_eq (act_system_step (system), 0);

    act_ref_destroy (&ticker);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

Test (testkit, manual_steps_one_message_at_a_time, .timeout = 30)
{
    act_system_t *system = act_system_new_manual (NULL);
    act_probe_t *probe = act_probe_new (system);
    act_ref_t *ticker = act_spawn (system, &s_ticker, act_probe_ref (probe));
    for (int i = 0; i < 3; i++) {
        act_msg_t *ask = act_msg_new (COUNT);
        act_probe_tell (probe, ticker, &ask);
    }
    cr_assert_eq (act_system_step (system), 1);
    cr_assert_eq (act_probe_pending (probe), 1);
    cr_assert_eq (act_system_drain (system), 2);
    cr_assert_eq (act_probe_pending (probe), 3);
    cr_assert_eq (act_system_delivered (system), 3);
    act_ref_destroy (&ticker);
    act_probe_destroy (&probe);
    act_system_destroy (&system);
}

static int
s_stopper_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    (void) msg;
    return ACT_STOP;
}

static const act_class_t s_stopper = { .name = "stopper", .handle = s_stopper_handle };

Test (testkit, manual_actor_stops_when_stepped, .timeout = 30)
{
    act_system_t *system = act_system_new_manual (NULL);
    act_ref_t *stopper = act_spawn (system, &s_stopper, NULL);
    act_msg_t *msg = act_msg_new (1);
    act_tell (stopper, &msg);
    cr_assert (act_ref_alive (stopper));
    cr_assert_eq (act_system_drain (system), 1);
    //  The "STOPPED" the loop sends its host does not confuse the steps.
    cr_assert_eq (act_ref_wait (stopper, 0, NULL), 0);
    cr_assert_eq (act_system_wait (system, 0), 0);
    cr_assert_eq (act_system_step (system), 0);
    act_ref_destroy (&stopper);
    act_system_destroy (&system);
}

Test (testkit, manual_bad_arguments, .timeout = 30)
{
    act_system_t *system = act_test_system ();
    cr_assert (!act_system_is_manual (system));
    cr_assert_eq (act_system_step (system), -1);
    cr_assert_eq (errno, EINVAL);
    cr_assert_eq (act_system_drain (system), -1);
    cr_assert_eq (act_system_advance (system, 1), -1);
    cr_assert_eq (act_system_now (system), -1);
    cr_assert_eq (act_system_step (NULL), -1);
    act_system_destroy (&system);
    system = act_system_new_manual (NULL);
    cr_assert_eq (act_system_advance (system, -1), -1);
    cr_assert_eq (errno, EINVAL);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------
//  Runs under actor-run

#define ACTOR_RUN   ACTORIO_BINARY_DIR "/supervisor/actor-run"

//  One wait for the run to come up or a reply, busy machine and
//  sanitizers included; never how long it should take.
#define S_WAIT      20000

//  Writes a topology into dir and returns its path (caller frees).
static char *
s_topology (const char *dir, const char *text)
{
    char *path = zsys_sprintf ("%s/topology.zpl", dir);
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file);
    fputs (text, file);
    fclose (file);
    return path;
}

static pid_t
s_group_pid (act_testkit_run_t *run, const char *group)
{
    char *log = act_testkit_run_log (run);
    char *needle = zsys_sprintf ("ready %s pid ", group);
    char *at = strstr (log, needle);
    cr_assert_not_null (at, "no '%s' in the log:\n%s", needle, log);
    pid_t pid = (pid_t) atoi (at + strlen (needle));
    free (needle);
    free (log);
    return pid;
}

Test (testkit, run_talks_to_the_actors_of_a_topology, .timeout = 60)
{
    setenv (ACT_TESTKIT_ACTOR_RUN_ENV, ACTOR_RUN, 1);
    char *dir = act_test_tmpdir ();
    char *topology = s_topology (dir,
        "run\n"
        "    name = kit\n"
        "group = b\n"
        "    actor = echo\n"
        "        class = echo\n"
        "group = c\n"
        "    actor = echo\n"
        "        class = echo\n");
    act_testkit_run_t *run = act_testkit_run_start (topology, NULL, S_WAIT);
    cr_assert_not_null (run, "the run did not start: %s", strerror (errno));
    char *rundir = strdup (act_testkit_run_rundir (run));
    pid_t b = s_group_pid (run, "b"), c = s_group_pid (run, "c");

    act_system_t *system = act_testkit_run_system (run);
    act_probe_t *probe = act_probe_new (system);
    const char *echoes [] = { "b/echo", "c/echo" };
    for (int i = 0; i < 2; i++) {
        act_ref_t *echo = act_lookup (system, echoes [i]);
        cr_assert_not_null (echo);
        act_msg_t *ping = act_msg_new_str (7, echoes [i]);
        cr_assert_eq (act_probe_tell (probe, echo, &ping), 0);
        act_msg_t *pong = act_expect_str (probe, 7, echoes [i], S_WAIT);
        cr_assert_str_eq (act_ref_name (act_msg_sender (pong)), echoes [i]);
        act_ref_destroy (&echo);
    }
    act_probe_destroy (&probe);

    cr_assert_eq (act_testkit_run_stop (&run), 0);
    cr_assert_null (run);
    //  Nothing left: not the groups, not the run directory.
    cr_assert (kill (b, 0) == -1 && errno == ESRCH);
    cr_assert (kill (c, 0) == -1 && errno == ESRCH);
    cr_assert (access (rundir, F_OK) == -1 && errno == ENOENT, "%s is left", rundir);
    free (rundir);
    remove (topology);
    rmdir (dir);
    free (topology);
    free (dir);
}

Test (testkit, run_leaves_a_given_directory_as_found, .timeout = 60)
{
    setenv (ACT_TESTKIT_ACTOR_RUN_ENV, ACTOR_RUN, 1);
    char *dir = act_test_tmpdir ();
    //  The JSON log format: the run is seen up in it too. And a log_file:
    //  the log comes to the testkit all the same.
    char *topology = s_topology (dir, "run\n    name = kit\n    log_format = json\n"
                                      "    log_file = kit.log\n"
                                      "group = b\n    actor = s\n        class = sink\n");
    char *rundir = act_test_tmpdir ();
    act_testkit_run_t *run = act_testkit_run_start (topology, rundir, S_WAIT);
    cr_assert_not_null (run);
    cr_assert_str_eq (act_testkit_run_rundir (run), rundir);
    char *log = act_testkit_run_log (run);
    cr_assert (log && strstr (log, "\"ready b pid "), "the log: %s", log ? log : "none");
    free (log);
    cr_assert_eq (act_testkit_run_stop (&run), 0);
    char *file = zsys_sprintf ("%s/kit.log", dir);
    cr_assert (access (file, F_OK) == -1 && errno == ENOENT, "%s was written", file);
    free (file);
    cr_assert_eq (access (rundir, F_OK), 0, "the caller's %s was removed", rundir);
    cr_assert_eq (rmdir (rundir), 0, "%s is not left empty", rundir);
    remove (topology);
    rmdir (dir);
    free (rundir);
    free (topology);
    free (dir);
}

Test (testkit, run_that_cannot_start_says_why, .timeout = 60)
{
    setenv (ACT_TESTKIT_ACTOR_RUN_ENV, ACTOR_RUN, 1);
    char *dir = act_test_tmpdir ();
    char *topology = s_topology (dir, "run\n    name = kit\ngroup = b\n    actor = x\n"
                                      "        class = no-such-class\n");
    cr_assert_null (act_testkit_run_start (topology, NULL, S_WAIT));
    cr_assert_eq (errno, ECHILD);
    cr_assert_eq (act_testkit_run_stop (NULL), -1);
    remove (topology);
    rmdir (dir);
    free (topology);
    free (dir);
}

//  A start that fails before any system of the process exists must leave
//  the host's signals as they were: the library never installs handlers
//  (act_system(3)), and czmq, started by the failure's log line, would
//  have installed its own for SIGINT and SIGTERM. In a child of its own,
//  where no system ever existed.
static bool
s_sigterm_is_default (void)
{
    struct sigaction action;
    sigaction (SIGTERM, NULL, &action);
    return action.sa_handler == SIG_DFL;
}

Test (testkit, a_failed_start_leaves_the_hosts_signals_alone, .timeout = 60)
{
    pid_t pid = fork ();
    cr_assert_neq (pid, -1);
    if (pid == 0) {
        setenv (ACT_TESTKIT_ACTOR_RUN_ENV, "/nonexistent/actor-run", 1);
        bool before = s_sigterm_is_default ();
        act_testkit_run_t *run = act_testkit_run_start ("no.zpl", NULL, S_WAIT);
        bool refused = !run && errno == ECHILD;
        _exit (!before ? 2 : !refused ? 3 : s_sigterm_is_default () ? 0 : 4);
    }
    int status = 0;
    cr_assert_eq (waitpid (pid, &status, 0), pid);
    cr_assert (WIFEXITED (status), "the child died of signal %d", WTERMSIG (status));
    cr_assert_eq (WEXITSTATUS (status), 0, "%s", WEXITSTATUS (status) == 4
                  ? "SIGTERM has a handler after the failed start"
                  : "the start did not fail as expected");
}

//  A test that fails half-way ends its process without reaching
//  act_testkit_run_stop (a Criterion assertion does): the run it started
//  must not outlive it, in processes or in files. A child of ours starts
//  a run under a TMPDIR of its own and exits with it running; then that
//  TMPDIR is empty and the groups are gone.
Test (testkit, a_process_that_ends_with_its_run_leaves_nothing, .timeout = 60)
{
    setenv (ACT_TESTKIT_ACTOR_RUN_ENV, ACTOR_RUN, 1);
    char *dir = act_test_tmpdir ();
    char *topology = s_topology (dir, "run\n    name = kit\ngroup = b\n    actor = echo\n"
                                      "        class = echo\n");
    char *tmp = zsys_sprintf ("%s/tmp", dir);
    cr_assert_eq (mkdir (tmp, 0700), 0);
    int report [2];
    cr_assert_eq (pipe (report), 0);
    pid_t child = fork ();
    cr_assert_neq (child, -1);
    if (child == 0) {
        setenv ("TMPDIR", tmp, 1);
        act_testkit_run_t *run = act_testkit_run_start (topology, NULL, S_WAIT);
        pid_t b = run ? s_group_pid (run, "b") : 0;
        if (write (report [1], &b, sizeof b) != sizeof b)
            _exit (2);
        exit (run ? 1 : 3);         //  as a failed assertion ends a test
    }
    close (report [1]);
    pid_t b = 0;
    cr_assert_eq (read (report [0], &b, sizeof b), (ssize_t) sizeof b);
    close (report [0]);
    cr_assert_gt (b, 0, "the child's run did not start");
    int status = 0;
    cr_assert_eq (waitpid (child, &status, 0), child);
    cr_assert_eq (WEXITSTATUS (status), 1);
    ACT_ASSERT_EVENTUALLY (kill (b, 0) == -1 && errno == ESRCH, 10000);
    DIR *left = opendir (tmp);
    cr_assert_not_null (left);
    struct dirent *entry;
    int entries = 0;
    while ((entry = readdir (left)))
        if (strcmp (entry->d_name, ".") && strcmp (entry->d_name, ".."))
            cr_log_error ("left in TMPDIR: %s", entry->d_name), entries++;
    closedir (left);
    cr_assert_eq (entries, 0, "the run left files in TMPDIR");
    rmdir (tmp);
    remove (topology);
    rmdir (dir);
    free (tmp);
    free (topology);
    free (dir);
}

//  An ask to b/echo that gets its reply within ms.
static bool
s_echo_answers (act_ref_t *echo, int ms)
{
    act_msg_t *ping = act_msg_new_str (7, "again");
    act_msg_t *pong = act_ask (echo, &ping, ms);
    bool ok = pong != NULL;
    act_msg_destroy (&pong);
    return ok;
}

//  The test's group hears of a group of the run that dies, as actor-run's
//  own groups do: a monitor the test holds on one of its actors gets its
//  DOWN with ACT_EXIT_LOST (act_monitor in act_ref(3)), not silence; and
//  once the group is ready again, the test reaches it again. In both log
//  formats, which the testkit reads to hear it.
Test (testkit, run_tells_the_test_of_a_group_that_dies, .timeout = 120)
{
    setenv (ACT_TESTKIT_ACTOR_RUN_ENV, ACTOR_RUN, 1);
    const char *formats [] = { "text", "json" };
    for (int i = 0; i < 2; i++) {
        char *dir = act_test_tmpdir ();
        char *text = zsys_sprintf ("run\n    name = kit\n    log_format = %s\n"
                                   "group = b\n    restart = permanent\n"
                                   "    actor = echo\n        class = echo\n", formats [i]);
        char *topology = s_topology (dir, text);
        act_testkit_run_t *run = act_testkit_run_start (topology, NULL, S_WAIT);
        cr_assert_not_null (run, "the run did not start: %s", strerror (errno));
        act_system_t *system = act_testkit_run_system (run);
        act_probe_t *probe = act_probe_new (system);
        act_ref_t *echo = act_lookup (system, "b/echo");
        //  The first contact makes a connection each way: the whole wait
        //  an event may take. (This ask once got no answer at all: the
        //  first run's teardown had left ZeroMQ's I/O thread blocked; see
        //  test_transport's groups_leaving_at_once_never_stall_the_process.)
        cr_assert (s_echo_answers (echo, S_WAIT));
        cr_assert_eq (act_probe_monitor (probe, echo), 0);
        pid_t b = s_group_pid (run, "b");
        cr_assert_eq (kill (b, SIGKILL), 0);
        act_expect_down (probe, echo, ACT_EXIT_LOST, S_WAIT);
        ACT_ASSERT_EVENTUALLY (s_echo_answers (echo, 1000), S_WAIT);
        //  The dead group's connection was the run's, not a stranger's
        act_transport_stats_t stats;
        act_transport_stats (system, &stats);
        cr_assert_eq (stats.refused_connections, 0);
        act_ref_destroy (&echo);
        act_probe_destroy (&probe);
        cr_assert_eq (act_testkit_run_stop (&run), 0);
        remove (topology);
        rmdir (dir);
        free (topology);
        free (text);
        free (dir);
    }
}
