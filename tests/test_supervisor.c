/*  test_supervisor - actor-run: starting, stopping, its run directory,
    its command line
    SPDX-License-Identifier: MPL-2.0

    Real actor-run processes on topologies written by each test, groups of
    "probe" actors (examples/plugins/probe.c) that report to the test over
    ZeroMQ, and real signals. Restarts are in test_supervisor_restart.c,
    the heavy repetitions in test_supervisor_stress.c, the example
    topologies in test_supervisor_examples.c, a group's own processes,
    exits and signals in test_supervisor_procs.c.
*/
#include "test_supervisor.h"

//  Two probe groups; %s: extra lines for the run section.
#define TWO_PROBES                                                      \
    "run\n"                                                             \
    "    name = basic\n"                                                \
    "group = front\n"                                                   \
    "    plugin = @PROBE@\n"                                            \
    "    actor = p\n"                                                   \
    "        class = probe\n"                                           \
    "        args = \"@EP@ teardown=ack\"\n"                            \
    "group = back\n"                                                    \
    "    plugin = @PROBE@\n"                                            \
    "    actor = p\n"                                                   \
    "        class = probe\n"                                           \
    "        args = \"@EP@ teardown=ack\"\n"

Test (supervisor, runs_groups_and_stops_them_on_sigterm, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    run_go (run);

    //  Ordered start: front is ready before back starts
    pid_t front = run_pid (run, "ready", "front", 5000);
    pid_t back = run_pid (run, "ready", "back", 5000);
    run_expect (run, 5000, "run basic up: 2 groups ready");
    probe_expect (run, "front/p", "hello", 5000);
    probe_expect (run, "back/p", "hello", 5000);
    pid_t pid;
    cr_assert_eq (probe_get (run, "front/p", &pid), 0);
    cr_assert_eq (pid, front);
    cr_assert_eq (probe_get (run, "front/p", NULL), 1);

    //  Each group leads its own process group; the run directory is private
    cr_assert_eq (getpgid (front), front);
    cr_assert_eq (getpgid (back), back);
    struct stat info;
    cr_assert_eq (stat (run->rundir, &info), 0);
    cr_assert_eq (info.st_mode & 0777, 0700);

    //  SIGTERM: teardowns run, last group first, then everything is gone
    run_signal (run, SIGTERM);
    run_expect (run, 5000, "stopping run basic: signal 15");
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    run_expect (run, 5000, "stop back pid", ": normal");
    run_expect (run, 5000, "stop front pid", ": normal");
    cr_assert_eq (run_wait (run, 5000), 0);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000), "a process of the run is left");
    cr_assert_not (run_path_exists (run->rundir), "the run directory is still there");
    run_destroy (&run);
}

//  SIGUSR1 and SIGUSR2, meant for some other daemon (a logrotate script's
//  USR1): their default action ended the run, every group with it. They
//  are said and ignored; the groups live on and answer.
Test (supervisor, sigusr1_and_sigusr2_are_said_and_ignored, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    run_go (run);
    pid_t front = run_pid (run, "ready", "front", 5000);
    run_expect (run, 5000, "run basic up: 2 groups ready");
    probe_expect (run, "front/p", "hello", 5000);
    run_signal (run, SIGUSR1);
    run_expect (run, 5000, "signal 10 (", ") ignored");
    run_signal (run, SIGUSR2);
    run_expect (run, 5000, "signal 12 (", ") ignored");
    pid_t pid;
    cr_assert_eq (probe_get (run, "front/p", &pid), 0);
    cr_assert_eq (pid, front, "front was restarted");
    cr_assert_eq (run_count (run, "stopping run"), 0, "%s", run->err);
    run_signal (run, SIGTERM);
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor, check_validates_and_starts_nothing, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = checked\n"
        "group = only\n"
        "    actor = e\n"
        "        class = echo\n");
    run_start (run, "--check", run->topology);
    cr_assert_eq (run_wait (run, 5000), 0);
    cr_assert (strstr (run->out, "ok, run checked with 1 group"), "stdout: %s", run->out);
    cr_assert_not (run_path_exists (run->rundir));

    //  A bad topology, checked or run, names the file and line and
    //  starts nothing, not even a run directory
    run_write (run,
        "run\n"
        "    name = broken\n"
        "    colour = blue\n"
        "group = only\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@\"\n");
    run_start (run, "--check", run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "topology.zpl:3: "), "stderr: %s", run->err);
    cr_assert (strstr (run->err, "nothing started"), "stderr: %s", run->err);
    free (run->err);
    run->err = strdup ("");
    run->err_size = run->cursor = 0;
    run_go (run);
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "topology.zpl:3: "), "stderr: %s", run->err);
    cr_assert_null (strstr (run->err, "actor-run: start "), "a group started: %s", run->err);
    cr_assert_not (run_path_exists (run->rundir));
    cr_assert (run_orphans_gone ());
    run_destroy (&run);
}

Test (supervisor, command_line, .timeout = 30)
{
    run_t *run = run_new ();
    run_start (run, "--help");
    cr_assert_eq (run_wait (run, 5000), 0);
    cr_assert (strstr (run->out, "usage: actor-run"), "%s", run->out);
    run_start (run, "--version");
    cr_assert_eq (run_wait (run, 5000), 0);
    cr_assert (strstr (run->out, "actor-run (actorio) 0."), "%s", run->out);
    run_start (run, "--no-such-option", "x.zpl");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    run_start (run, "--verbose");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "no topology given"), "%s", run->err);
    run_start (run, "a.zpl", "b.zpl");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "one topology only"), "%s", run->err);
    //  A mistyped command is named as such, not taken for a topology
    run_start (run, "stauts", "a.zpl");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "unknown command 'stauts'"), "%s", run->err);
    run_start (run, "--check", "--json", TOPOLOGIES "/demo.zpl");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "--json goes with status only"), "%s", run->err);
    run_start (run, "--check", "/nonexistent/topology.zpl");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "/nonexistent/topology.zpl:0: "), "%s", run->err);
    run_destroy (&run);
}

//  A command typed after an option, as other tools take it, is a usage
//  error that says where the command goes; it was called an unknown
//  command, in a line listing that very command among the known ones.
Test (supervisor, a_command_after_an_option_is_said_to_go_first, .timeout = 30)
{
    run_t *run = run_new ();
    run_start (run, "--rundir", run->rundir, "status", "a.zpl");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "actor-run: the command goes first, before any option: "
                       "actor-run status [--json] [--rundir DIR] TOPOLOGY\n"), "%s", run->err);
    cr_assert_null (strstr (run->err, "unknown command"), "%s", run->err);
    run_start (run, "--verbose", "keygen", "keys", "n1");
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "goes first, before any option: actor-run keygen DIR NAME\n"),
               "%s", run->err);
    run_destroy (&run);
}

Test (supervisor, second_run_on_the_same_directory_is_refused, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    run_go (run);
    run_expect (run, 5000, "run basic up");
    probe_expect (run, "back/p", "hello", 5000);

    run_t *second = run_new ();
    run_start (second, "--rundir", run->rundir, run->topology);
    cr_assert_eq (run_wait (second, 5000), EXIT_SYSTEM);
    char *refusal = zsys_sprintf ("actor-run: fatal: unable to lock %s: another "
                                  "actor-run (pid %d) runs there", run->rundir, (int) run->pid);
    cr_assert (strstr (second->err, refusal), "stderr: %s", second->err);
    cr_assert_null (strstr (second->err, "actor-run: start "));
    free (refusal);
    run_destroy (&second);

    //  The first run is untouched
    cr_assert_eq (probe_get (run, "back/p", NULL), 0);
    cr_assert (run_path_exists (run->rundir));
    run_signal (run, SIGTERM);
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor, run_directory_must_be_ours, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = dirs\n"
        "group = only\n"
        "    actor = e\n"
        "        class = sink\n");
    //  Not a run directory: files but no lock file. Left alone.
    char *foreign = zsys_sprintf ("%s/foreign", run->dir);
    char *keep = zsys_sprintf ("%s/keep.txt", foreign);
    cr_assert_eq (mkdir (foreign, 0755), 0);
    FILE *file = fopen (keep, "w");
    fclose (file);
    run_start (run, "--rundir", foreign, run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM);
    cr_assert (strstr (run->err, "not a run directory"), "%s", run->err);
    cr_assert (run_path_exists (keep));

    //  Someone else's directory
    char *theirs = zsys_sprintf ("%s/theirs", run->dir);
    cr_assert_eq (mkdir (theirs, 0700), 0);
    if (geteuid () == 0) {
        cr_assert_eq (chown (theirs, 65534, 65534), 0);
    }
    else {
        free (theirs);
        theirs = strdup ("/");
    }
    run_start (run, "--rundir", theirs, run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM);
    cr_assert (strstr (run->err, "is owned by uid"), "%s", run->err);

    //  A lock file that is not actor-run's does not make a run directory
    cr_assert_eq (mkdir (run->rundir, 0755), 0);
    cr_assert_eq (chmod (run->rundir, 0755), 0);
    char *lock = zsys_sprintf ("%s/lock", run->rundir);
    char *stale = zsys_sprintf ("%s/stale.sock", run->rundir);
    fclose (fopen (lock, "w"));
    fclose (fopen (stale, "w"));
    run_go (run);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM);
    cr_assert (strstr (run->err, "was not written by actor-run"), "%s", run->err);
    cr_assert (run_path_exists (stale));
    struct stat info;
    cr_assert_eq (stat (run->rundir, &info), 0);
    cr_assert_eq (info.st_mode & 0777, 0755, "a refused directory was changed");
    free (foreign);
    free (keep);
    free (theirs);
    free (lock);
    free (stale);
    run_destroy (&run);
}

//  Starts TWO_PROBES (already written) and waits until both probes said
//  hello.
static void
s_two_probes_up (run_t *run)
{
    run_go (run);
    run_expect (run, 5000, "run basic up");
    probe_expect (run, "front/p", "hello", 5000);
    probe_expect (run, "back/p", "hello", 5000);
}

//  Stops TWO_PROBES with SIGTERM; asserts a clean stop.
static void
s_two_probes_stop (run_t *run)
{
    run_signal (run, SIGTERM);
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 0);
}

//  Kills actor-run with SIGKILL and waits until its groups died with it.
static void
s_kill_run (run_t *run)
{
    run_signal (run, SIGKILL);
    cr_assert_eq (run_wait (run, 5000), 128 + SIGKILL);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 2000));
}

//  Writes text to path, creating it.
static void
s_put (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    cr_assert_not_null (file, "%s: %s", path, strerror (errno));
    fputs (text, file);
    fclose (file);
}

//  The whole of a small file, or "" (caller frees).
static char *
s_get (const char *path)
{
    char text [4096] = "";
    FILE *file = fopen (path, "r");
    if (file) {
        text [fread (text, 1, sizeof text - 1, file)] = 0;
        fclose (file);
    }
    return strdup (text);
}

#define ONE_SINK                                                        \
    "run\n"                                                             \
    "    name = dirs\n"                                                 \
    "group = only\n"                                                    \
    "    actor = e\n"                                                   \
    "        class = sink\n"

//  Issue 8: a directory holding a file called "lock" was emptied,
//  recursively, when the run stopped. Now it is refused before anything
//  in it changes: its files, its subdirectory, its mode.
Test (supervisor, a_users_directory_is_never_emptied, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, ONE_SINK);
    cr_assert_eq (mkdir (run->rundir, 0755), 0);
    cr_assert_eq (chmod (run->rundir, 0755), 0);
    char *lock = zsys_sprintf ("%s/lock", run->rundir);
    char *notes = zsys_sprintf ("%s/notes.txt", run->rundir);
    char *sub = zsys_sprintf ("%s/db", run->rundir);
    char *data = zsys_sprintf ("%s/db/data.db", run->rundir);
    s_put (lock, "my lock, not actor-run's\n");
    s_put (notes, "remember the milk\n");
    cr_assert_eq (mkdir (sub, 0755), 0);
    s_put (data, "precious\n");

    run_go (run);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM);
    cr_assert (strstr (run->err, "actor-run: fatal: unable to use "), "%s", run->err);
    cr_assert_null (strstr (run->err, "actor-run: start "), "%s", run->err);
    char *text = s_get (lock);
    cr_expect_str_eq (text, "my lock, not actor-run's\n");
    free (text);
    text = s_get (notes);
    cr_expect_str_eq (text, "remember the milk\n");
    free (text);
    text = s_get (data);
    cr_expect_str_eq (text, "precious\n");
    free (text);
    struct stat info;
    cr_assert_eq (stat (run->rundir, &info), 0);
    cr_expect_eq (info.st_mode & 0777, 0755, "a refused directory was chmod'ed");

    //  Even a lock of actor-run's own (a killed run's) does not vouch for
    //  files that run did not list
    char *other = zsys_sprintf ("%s/other", run->dir);
    run_start (run, "--rundir", other, run->topology);
    run_expect (run, 5000, "run dirs up");
    s_kill_run (run);
    free (notes);
    free (sub);
    free (data);
    notes = zsys_sprintf ("%s/notes.txt", other);
    sub = zsys_sprintf ("%s/db", other);
    data = zsys_sprintf ("%s/db/data.db", other);
    s_put (notes, "remember the milk\n");
    cr_assert_eq (mkdir (sub, 0755), 0);
    s_put (data, "precious\n");
    cr_assert_eq (chmod (other, 0755), 0);
    run_start (run, "--rundir", other, run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM);
    cr_assert (strstr (run->err, "it holds 'notes.txt', which actor-run did not create")
            || strstr (run->err, "it holds 'db', which actor-run did not create"),
               "%s", run->err);
    cr_expect (run_path_exists (notes));
    cr_expect (run_path_exists (data));
    cr_assert_eq (stat (other, &info), 0);
    cr_expect_eq (info.st_mode & 0777, 0755, "a refused directory was chmod'ed");
    free (other);
    free (lock);
    free (notes);
    free (sub);
    free (data);
    run_destroy (&run);
}

//  An empty directory given with --rundir is the user's: the run takes
//  it (mode 0700 while it runs), then leaves it as it was, and whatever
//  was put in it meanwhile stays.
Test (supervisor, a_given_directory_is_left_as_found, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    cr_assert_eq (mkdir (run->rundir, 0750), 0);
    cr_assert_eq (chmod (run->rundir, 0750), 0);
    s_two_probes_up (run);
    struct stat info;
    cr_assert_eq (stat (run->rundir, &info), 0);
    cr_expect_eq (info.st_mode & 0777, 0700);
    char *lock = zsys_sprintf ("%s/lock", run->rundir);
    char *text = s_get (lock);
    cr_expect (strncmp (text, "actorio run directory lock 1\npid ", 33) == 0, "%s", text);
    free (text);
    char *notes = zsys_sprintf ("%s/notes.txt", run->rundir);
    s_put (notes, "mine\n");
    s_two_probes_stop (run);
    cr_expect (run_path_exists (notes));
    cr_expect_not (run_path_exists (lock));
    char *front = zsys_sprintf ("%s/front", run->rundir);
    cr_expect_not (run_path_exists (front), "an endpoint is left");
    cr_assert_eq (stat (run->rundir, &info), 0);
    cr_expect_eq (info.st_mode & 0777, 0750, "the directory's mode was not restored");
    free (front);
    free (notes);
    free (lock);
    run_destroy (&run);
}

//  A run killed with SIGKILL leaves its lock and endpoints: the next run
//  knows them for a dead run's, clears them and removes the directory
//  it made when it stops.
Test (supervisor, a_killed_runs_directory_is_reused, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    s_two_probes_up (run);
    s_kill_run (run);
    char *back = zsys_sprintf ("%s/back", run->rundir);
    char *lock = zsys_sprintf ("%s/lock", run->rundir);
    cr_assert (run_path_exists (lock));
    cr_assert (run_path_exists (back), "the killed run left no endpoint to clear");

    s_two_probes_up (run);
    s_two_probes_stop (run);
    cr_assert_not (run_path_exists (run->rundir), "the run directory is still there");
    free (back);
    free (lock);
    run_destroy (&run);
}

Test (supervisor, starts_in_topology_order_stops_in_reverse, .timeout = 30)
{
    static const char *names [] = { "echo", "alpha", "delta", "bravo", "charlie" };
    run_t *run = run_new ();
    char *text = strdup ("run\n    name = order\n");
    for (size_t i = 0; i < 5; i++) {
        char *more = zsys_sprintf ("%sgroup = %s\n    actor = s\n        class = sink\n",
                                   text, names [i]);
        free (text);
        text = more;
    }
    run_write (run, text);
    free (text);
    run_go (run);
    //  Each starts only once the one before is ready
    for (size_t i = 0; i < 5; i++) {
        run_pid (run, "start", names [i], 5000);
        run_pid (run, "ready", names [i], 5000);
    }
    run_expect (run, 5000, "run order up: 5 groups ready");
    run_signal (run, SIGTERM);
    for (size_t i = 5; i-- > 0;) {
        run_pid (run, "stop", names [i], 5000);
    }
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor, hung_teardown_is_killed_after_the_grace, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = hang\n"
        "group = stuck\n"
        "    plugin = @PROBE@\n"
        "    shutdown = 300ms\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=hang\"\n");
    run_start (run, "--verbose", "--rundir", run->rundir, run->topology);
    pid_t stuck = run_pid (run, "ready", "stuck", 5000);
    run_signal (run, SIGTERM);
    char asked [64], grace [64], stop [64];
    snprintf (asked, sizeof asked, "asked stuck pid %d to stop, grace 300 ms", (int) stuck);
    run_expect (run, 5000, asked);
    snprintf (grace, sizeof grace, "kill stuck pid %d: still running 300 ms after stop", (int) stuck);
    snprintf (stop, sizeof stop, "stop stuck pid %d: signal 9", (int) stuck);
    run_expect (run, 5000, grace);
    run_expect (run, 5000, stop);
    //  Not a clean stop: the exit code says so
    run_expect (run, 5000, "warning actor-run: run hang: a group was killed past its shutdown grace");
    cr_assert_eq (run_wait (run, 5000), EXIT_KILLED);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000));
    run_destroy (&run);
}

//  A grace longer than the library's own limit on teardowns
//  (ACT_SYSTEM_DESTROY_TIMEOUT, 5 s) is the group's whole: its teardown
//  runs until actor-run kills it. Before, the group gave its teardown up
//  after 5 s and exited 0, reported as "normal" and a clean stop (exit
//  0), teardown unfinished, whatever shutdown said, infinity too.
Test (supervisor, a_teardown_gets_the_whole_grace, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = long\n"
        "group = stuck\n"
        "    plugin = @PROBE@\n"
        "    shutdown = 7s\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=hang\"\n");
    run_go (run);
    pid_t stuck = run_pid (run, "ready", "stuck", 5000);
    run_signal (run, SIGTERM);
    run_expectf (run, 10000, "kill stuck pid %d: still running 7000 ms after stop",
                 (int) stuck);
    run_expectf (run, 5000, "stop stuck pid %d: signal 9", (int) stuck);
    cr_assert_eq (run_wait (run, 5000), EXIT_KILLED, "log:\n%s", run->err);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000));
    run_destroy (&run);
}

Test (supervisor, second_interrupt_kills_at_once, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = impatient\n"
        "    shutdown = 60s\n"
        "group = stuck\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=hang\"\n"
        "group = also\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=hang\"\n");
    run_go (run);
    run_expect (run, 5000, "run impatient up");
    run_signal (run, SIGINT);
    run_expect (run, 5000, "stopping run impatient: signal 2");
    run_signal (run, SIGINT);
    run_expect (run, 5000, "while stopping: killing every group now");
    //  Well before the 60 s grace; and not the exit of a clean stop: the
    //  groups' teardowns did not finish
    cr_assert_eq (run_wait (run, 5000), EXIT_KILLED);
    run_expect (run, 5000, "a group was killed past its shutdown grace");
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000));
    cr_assert_not (run_path_exists (run->rundir));
    run_destroy (&run);
}

Test (supervisor, group_not_ready_in_time_fails_the_start, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = slow\n"
        "group = first\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@\"\n"
        "group = late\n"
        "    plugin = @PROBE@\n"
        "    start_timeout = 300ms\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ setup=hang\"\n");
    run_go (run);
    pid_t late = run_pid (run, "start", "late", 5000);
    char kill_line [80], stop_line [96];
    snprintf (kill_line, sizeof kill_line, "kill late pid %d: not ready within 300 ms", (int) late);
    snprintf (stop_line, sizeof stop_line, "stop late pid %d: init failed: not ready within 300 ms",
              (int) late);
    run_expect (run, 5000, kill_line);
    run_expect (run, 5000, stop_line);
    run_expect (run, 5000, "stopping run slow: group late failed to start");
    run_expect (run, 5000, "stop first pid", ": normal");
    cr_assert_eq (run_wait (run, 5000), EXIT_START);
    run_destroy (&run);
}

Test (supervisor, failed_setup_fails_the_start, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = failing\n"
        "group = bad\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ setup=fail\"\n");
    run_go (run);
    run_expect (run, 5000, "stop bad pid", ": init failed: actor p failed in setup");
    cr_assert_eq (run_wait (run, 5000), EXIT_START);
    run_destroy (&run);
}

Test (supervisor, a_group_can_finish_the_run, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    run_go (run);
    run_expect (run, 5000, "run basic up");
    probe_expect (run, "front/p", "hello", 5000);
    probe_expect (run, "back/p", "hello", 5000);
    probe_send (run, "front/p", "finish", "0");
    run_expect (run, 5000, "stopping run basic: group front finished it (code 0)");
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 0);

    //  A batch run can report failure through its exit code
    run_go (run);
    run_expect (run, 5000, "run basic up");
    probe_expect (run, "back/p", "hello", 5000);
    probe_send (run, "back/p", "finish", "7");
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 7);
    run_destroy (&run);
}

Test (supervisor, supervisor_has_no_zeromq_context, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, TWO_PROBES);
    run_go (run);
    run_expect (run, 5000, "run basic up");
    probe_expect (run, "back/p", "hello", 5000);
    //  A ZeroMQ context owns an eventfd from its creation on, and threads
    //  once it has a socket: actor-run has neither, so its forked groups
    //  cannot inherit one. Its only eventfds are the doorbells of the
    //  shared region, one per group on the shm link (both, here).
    char path [64], link [256];
    snprintf (path, sizeof path, "/proc/%d/fd", (int) run->pid);
    DIR *fds = opendir (path);
    cr_assert_not_null (fds);
    struct dirent *entry;
    int eventfds = 0, memfds = 0;
    while ((entry = readdir (fds))) {
        char fd_path [320];
        snprintf (fd_path, sizeof fd_path, "%s/%s", path, entry->d_name);
        ssize_t size = readlink (fd_path, link, sizeof link - 1);
        link [size > 0 ? size : 0] = 0;
        eventfds += strstr (link, "eventfd") != NULL;
        memfds += strstr (link, "memfd:actorio-run") != NULL;
    }
    closedir (fds);
    cr_assert_eq (eventfds, 2, "actor-run holds an eventfd besides the doorbells");
    cr_assert_eq (memfds, 1, "actor-run holds the shared region");
    snprintf (path, sizeof path, "/proc/%d/status", (int) run->pid);
    FILE *status = fopen (path, "r");
    char line [128];
    int threads = 0;
    while (fgets (line, sizeof line, status)) {
        sscanf (line, "Threads: %d", &threads);
    }
    fclose (status);
    cr_assert_eq (threads, 1);
    run_signal (run, SIGTERM);
    probe_teardown (run, "back/p", 5000);
    probe_teardown (run, "front/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

//  Issue 8: a topology that never ends (a pipe) left actor-run deaf to
//  SIGTERM, its signals blocked before loading.
Test (supervisor, sigterm_ends_a_load_that_never_ends, .timeout = 30)
{
    run_t *run = run_new ();
    char *fifo = zsys_sprintf ("%s/topology.fifo", run->dir);
    cr_assert_eq (mkfifo (fifo, 0600), 0);
    run_start (run, "--check", fifo);
    //  Once our end opens, actor-run has opened its own and is reading
    int fd = -1;
    cr_assert (RUN_UNTIL (run, (fd = open (fifo, O_WRONLY | O_NONBLOCK)) >= 0, 5000),
               "actor-run never opened %s", fifo);
    cr_assert_eq (write (fd, "run\n", 4), 4);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 128 + SIGTERM, "log: %s", run->err);
    close (fd);
    free (fifo);
    run_destroy (&run);
}

//  An endpoint is RUNDIR/GROUP, at most 107 bytes, and so is the control
//  socket RUNDIR/.control: too long a run directory is found by --check,
//  with the limit and the way out.
Test (supervisor, a_run_directory_too_long_for_a_socket_is_refused_early, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, ONE_SINK);
    char *deep = zsys_sprintf ("%s/%0100d", run->dir, 0);
    run_start (run, "--check", "--rundir", deep, run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert (strstr (run->err, "actor-run: fatal: unable to use "), "%s", run->err);
    cr_assert (strstr (run->err, "/only of group 'only' is "), "%s", run->err);
    cr_assert (strstr (run->err, "a unix socket path holds at most 107; choose a run "
                       "directory of at most 98 bytes with --rundir"), "%s", run->err);
    cr_assert_not (run_path_exists (deep));
    run_start (run, "--rundir", deep, run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE);
    cr_assert_not (run_path_exists (deep), "a run directory was made");
    cr_assert_null (strstr (run->err, "actor-run: start "), "%s", run->err);
    free (deep);
    run_destroy (&run);
}

//  shutdown = infinity: the supervisor says it waits, and never kills
Test (supervisor, shutdown_infinity_waits_for_the_group, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = patient\n"
        "    shutdown = 10ms\n"
        "group = slow\n"
        "    plugin = @PROBE@\n"
        "    shutdown = infinity\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=ack\"\n");
    run_go (run);
    pid_t slow = run_pid (run, "ready", "slow", 5000);
    probe_expect (run, "slow/p", "hello", 5000);
    run_signal (run, SIGTERM);
    char *waits = zsys_sprintf ("asked slow pid %d to stop, waiting without limit "
                                "(shutdown = infinity)", (int) slow);
    run_expect (run, 5000, waits);
    //  The run's 10 ms would have killed it 50 times over by now
    probe_expect (run, "slow/p", "teardown", 5000);
    cr_assert_not (RUN_UNTIL (run, strstr (run->err, "kill slow") != NULL, 500),
                   "killed: %s", run->err);
    probe_send (run, "slow/p", "ack", NULL);
    run_expect (run, 5000, "stop slow pid", ": normal");
    cr_assert_eq (run_wait (run, 5000), 0);
    free (waits);
    run_destroy (&run);
}

//  Standard input as an operator's terminal leaves it: open, with nothing
//  to read. The pipe's writing end stays open until the test ends.
static void
s_stdin_that_never_ends (void)
{
    int fds [2];
    cr_assert_eq (pipe (fds), 0);
    cr_assert_eq (dup2 (fds [0], STDIN_FILENO), STDIN_FILENO);
    close (fds [0]);
}

//  A shared region the address space cannot hold (RLIMIT_AS): the setup
//  failed before the groups' slots were made, and the teardown read their
//  zeroed fds, standard input: after its fatal line actor-run hung until
//  the terminal gave it an end of file, deaf to SIGTERM and SIGINT.
Test (supervisor, a_region_too_big_for_memory_fails_at_once, .timeout = 30)
{
#if defined (ACT_TEST_ASAN) || defined (ACT_TEST_TSAN)
    cr_skip_test ("a sanitizer maps more than the limit holds");
#endif
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = big\n"
        "    area_size = 1G\n"
        "    region_size = 4G\n"
        SINK_GROUP ("a", "")
        SINK_GROUP ("b", ""));
    s_stdin_that_never_ends ();
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_AS, &limit), 0);
    limit.rlim_cur = (rlim_t) 1 << 30;
    cr_assert_eq (setrlimit (RLIMIT_AS, &limit), 0);
    run_go (run);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM, "log:\n%s", run->err);
    cr_assert (strstr (run->err, "fatal: unable to create the shared region (2048 MiB): "
                       "Cannot allocate memory"), "%s", run->err);
    cr_assert_not (run_path_exists (run->rundir), "the run directory is left");
    run_destroy (&run);
}

//  A file size limit (RLIMIT_FSIZE) under the shared region's size: the
//  memfd's ftruncate raised SIGXFSZ, which killed actor-run with no word
//  said, and left its lock file in the run directory.
Test (supervisor, a_file_size_limit_fails_with_a_reason, .timeout = 30)
{
    run_t *run = run_new ();
    run_write_sinks (run, "run\n    name = small\n", 2);
    s_stdin_that_never_ends ();
    //  Soft only, and after our last write: the test's process is its own
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_FSIZE, &limit), 0);
    limit.rlim_cur = 1 << 20;
    cr_assert_eq (setrlimit (RLIMIT_FSIZE, &limit), 0);
    run_go (run);
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM, "log:\n%s", run->err);
    cr_assert (strstr (run->err, "fatal: unable to create the shared region (16 MiB): "
                       "File too large"), "%s", run->err);
    cr_assert_not (run_path_exists (run->rundir), "the run directory is left");
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000), "a process of the run is left");
    run_destroy (&run);
}

//  The run directory removed under a live run and made again at its path
//  (by hand, a cleaner and another run): a restarted group bound its
//  endpoint there, deleting the file of that name it found, and the stop
//  removed the directory if it was empty. Now nothing starts outside
//  the run's own directory: the run stops with 111, and the new
//  directory and what it holds are left alone.
Test (supervisor, a_run_directory_replaced_under_the_run_is_left_alone, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = moved\n"
        "    heartbeat = off\n"
        SINK_GROUP ("a", "")
        SINK_GROUP ("b", ""));
    run_go (run);
    pid_t b = run_pid (run, "ready", "b", 5000);
    run_expect (run, 5000, "run moved up");
    char *old = zsys_sprintf ("%s.old", run->rundir);
    cr_assert_eq (rename (run->rundir, old), 0);
    cr_assert_eq (mkdir (run->rundir, 0700), 0);
    act_test_write (run->rundir, "b", "not actorio's\n");
    cr_assert_eq (kill (b, SIGKILL), 0);
    run_expect (run, 5000, "unable to start b: its run directory was removed or replaced "
                "under the run");
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM, "log:\n%s", run->err);
    char *file = zsys_sprintf ("%s/b", run->rundir);
    struct stat info;
    cr_assert_eq (stat (file, &info), 0, "%s is gone", file);
    cr_assert (S_ISREG (info.st_mode), "%s was replaced", file);
    //  A run that made its directory: an empty one in its place at the
    //  end is still not the run's to remove
    cr_assert_eq (unlink (file), 0);
    cr_assert_eq (rmdir (run->rundir), 0);
    cr_assert_eq (rmdir (old), 0);
    run_go (run);
    run_expect (run, 5000, "run moved up");
    cr_assert_eq (rename (run->rundir, old), 0);
    cr_assert_eq (mkdir (run->rundir, 0700), 0);
    run_stop_clean (run, 5000);
    cr_assert (run_path_exists (run->rundir), "a directory the run did not make is removed");
    run_expect (run, 5000, "left ", " alone: it is no longer the run's directory");
    free (file);
    free (old);
    run_destroy (&run);
}
