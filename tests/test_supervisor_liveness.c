/*  test_supervisor_liveness - actor-run's heartbeats: a group whose loop
    stops beating is declared hung, killed and restarted
    SPDX-License-Identifier: MPL-2.0

    The probe's loop is stopped from outside (SIGSTOP) or from inside (a
    handler that spins forever); the log says when the supervisor noticed,
    which must be within heartbeat x heartbeat_misses + 500 ms, and the
    parent probe says what it was told. A group with "heartbeat = off"
    may block its loop for as long as it likes.
*/
#include "test_supervisor.h"

#define S_TIMEOUT   30

//  What actor-run(1) promises on top of heartbeat x heartbeat_misses, ms
#define S_SLACK     500

//  Waits for the next "hung GROUP pid PID" line; asserts it comes within
//  bound ms of since, and not before window ms (a group is not hung
//  before its beats are due).
static void
s_expect_hung (run_t *run, const char *group, pid_t pid, int64_t since, int bound)
{
    char needle [128];
    snprintf (needle, sizeof needle, "hung %s pid %d", group, (int) pid);
    char *line = run_line (run, bound + 2000, needle);
    int64_t took = act_test_now_ms () - since;
    cr_assert_not_null (line, "no '%s'; log:\n%s", needle, run->err);
    free (line);
    cr_assert_leq (took, bound, "%s declared hung after %lld ms, over the bound of %d ms",
                   group, (long long) took, bound);
}

//  The parent probe's next notice is "GROUP PID RESTARTS hung".
static void
s_expect_down_hung (run_t *run, const char *parent, const char *group, pid_t pid,
                    unsigned restarts)
{
    zmsg_t *down = probe_take (run, parent, "down", 5000);
    cr_assert_not_null (down, "%s heard nothing; log:\n%s", parent, run->err);
    char *text = zframe_strdup (zmsg_last (down));
    char *expected = zsys_sprintf ("%s %d %u hung", group, (int) pid, restarts);
    cr_assert_str_eq (text, expected);
    free (text);
    free (expected);
    zmsg_destroy (&down);
}

//  The boss probe's args, when its last notice must reach the test: the
//  run's end stops the boss right after that notice, and its group ends
//  with _exit, which drops what its socket has not sent yet; with
//  teardown=ack its teardown waits for the test's answer, by when all it
//  sent before has arrived (one socket, in order).
#define S_BOSS_ACKS "@EP@ teardown=ack"

//  A run of a boss and its worker child, started, the boss's hello taken.
//  boss_args: the boss probe's args ("@EP@" and options).
static run_t *
s_boss_and_worker (const char *run_lines, const char *boss_args, const char *worker_lines)
{
    run_t *run = run_new ();
    char *topology = zsys_sprintf ("run\n%s"
                                   "group = boss\n"
                                   "    plugin = @PROBE@\n"
                                   "    actor = p\n"
                                   "        class = probe\n"
                                   "        args = \"%s\"\n"
                                   PROBE_GROUP ("worker", "    parent = boss/p\n%s"),
                                   run_lines, boss_args, worker_lines);
    run_write (run, topology);
    free (topology);
    run_go (run);
    probe_expect (run, "boss/p", "hello", 5000);
    return run;
}

//  Asserts the run exits with code and leaves nothing behind; frees it.
static void
s_end (run_t **run_p, int code)
{
    run_t *run = *run_p;
    cr_assert_eq (run_wait (run, 10000), code, "log:\n%s", run->err);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 2000), "a process of the run is left");
    run_destroy (run_p);
}

//  The happy path, as an example: defaults (250 ms x 4), a worker stopped
//  by SIGSTOP is hung, killed, restarted with a fresh state, and its
//  parent hears why.
Test (supervisor_liveness, stopped_group_is_hung_and_restarted, .timeout = S_TIMEOUT)
{
    run_t *run = s_boss_and_worker ("    name = beats\n    backoff_min = 0\n", "@EP@", "");
    pid_t worker = run_pid (run, "ready", "worker", 5000);
    probe_expect (run, "worker/p", "hello", 5000);
    cr_assert_eq (probe_get (run, "worker/p", NULL), 0);
    cr_assert_eq (probe_get (run, "worker/p", NULL), 1);

    cr_assert_eq (kill (worker, SIGSTOP), 0);
    int64_t stopped = act_test_now_ms ();
    s_expect_hung (run, "worker", worker, stopped, 250 * 4 + S_SLACK);
    run_expectf (run, 5000, "stop worker pid %d: hung", (int) worker);
    run_expect (run, 5000, "restart worker in 0 ms");
    s_expect_down_hung (run, "boss/p", "worker", worker, 0);

    pid_t again = run_pid (run, "ready", "worker", 5000);
    cr_assert_neq (again, worker);
    probe_expect (run, "worker/p", "hello", 5000);
    cr_assert_eq (probe_get (run, "worker/p", NULL), 0, "the restart kept no state");
    //  The boss beat all along and was left alone
    cr_assert_eq (run_count (run, "hung boss"), 0);
    //  The new life runs, and status still says why the last one ended
    run_cmd_t cmd = run_command (run, 5000, "status", "--json");
    cr_assert_eq (cmd.code, 0, "%s", cmd.err);
    cr_assert_not_null (strstr (cmd.out, "\"last_exit\":\"hung\""), "%s", cmd.out);
    run_cmd_free (&cmd);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  A handler that never returns stops the loop's beats while the rest of
//  the process (ZeroMQ's I/O thread, the host thread) goes on. The keys
//  are the group's own here, and the restart is counted as any other:
//  the second hang in a period of intensity 1 makes actor-run give up.
Test (supervisor_liveness, spinning_handler_is_hung_and_counted, .timeout = S_TIMEOUT)
{
    run_t *run = s_boss_and_worker ("    name = spin\n"
                                    "    backoff_min = 0\n"
                                    "    intensity = 1\n"
                                    "    period = 60s\n",
                                    S_BOSS_ACKS,
                                    "    heartbeat = 100ms\n"
                                    "    heartbeat_misses = 3\n");
    for (unsigned life = 0; life < 2; life++) {
        pid_t worker = run_pid (run, "ready", "worker", 5000);
        probe_expect (run, "worker/p", "hello", 5000);
        probe_send (run, "worker/p", "spin", NULL);
        probe_expect (run, "worker/p", "spinning", 5000);
        int64_t spinning = act_test_now_ms ();
        s_expect_hung (run, "worker", worker, spinning, 100 * 3 + S_SLACK);
        run_expectf (run, 5000, "stop worker pid %d: hung", (int) worker);
        s_expect_down_hung (run, "boss/p", "worker", worker, life);
    }
    run_expect (run, 5000, "give up: worker stopped (hung)");
    probe_teardown (run, "boss/p", 5000);
    s_end (&run, EXIT_GAVE_UP);
}

//  A group that opts out may block its loop: nothing is declared hung
//  while a beating group beside it, with a short window, goes on. Its
//  stop is what it was before heartbeats (the grace, then SIGKILL).
Test (supervisor_liveness, opted_out_group_may_block, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = optout\n"
        "    heartbeat = 50ms\n"
        "    heartbeat_misses = 2\n"
        PROBE_GROUP ("beating", "")
        PROBE_GROUP ("blocker", "    heartbeat = off\n"
                                "    shutdown = 300ms\n"));
    run_go (run);
    pid_t blocker = run_pid (run, "ready", "blocker", 5000);
    probe_expect (run, "beating/p", "hello", 5000);
    probe_expect (run, "blocker/p", "hello", 5000);
    probe_send (run, "blocker/p", "block", NULL);
    probe_expect (run, "blocker/p", "blocking", 5000);
    //  Ten windows of the run's default (50 ms x 2 + the margin), and a
    //  stopped process on top: neither is a hang for this group.
    cr_assert_eq (kill (blocker, SIGSTOP), 0);
    char *hung = run_line (run, 3000, "hung ");
    cr_assert_null (hung, "declared hung: %s", hung);
    cr_assert_eq (kill (blocker, SIGCONT), 0);
    //  The beating group beat all along: it still answers, in its first life
    cr_assert_eq (probe_get (run, "beating/p", NULL), 0);
    cr_assert_eq (run_count (run, "start beating"), 1);
    //  Its handler still blocks: the stop kills it past its grace, and the
    //  run says so in its exit code.
    run_signal (run, SIGTERM);
    s_end (&run, EXIT_KILLED);
}

//  The keys are checked like any other: "off" or a duration of 10 ms or
//  more, and at least one miss, in the run and in a group.
Test (supervisor_liveness, bad_heartbeat_keys_are_refused, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = bad\n"
        "    heartbeat = 5ms\n"
        "    heartbeat_misses = 0\n"
        PROBE_GROUP ("a", "    heartbeat = sometimes\n"
                          "    heartbeat_misses = 1001\n"));
    run_start (run, "--check", run->topology);
    cr_assert_eq (run_wait (run, 5000), EXIT_USAGE, "log:\n%s", run->err);
    cr_assert (strstr (run->err, ":3: 5ms out of range for 'heartbeat'"), "%s", run->err);
    cr_assert (strstr (run->err, ":4: ") && strstr (run->err, "heartbeat_misses"),
               "%s", run->err);
    cr_assert (strstr (run->err, ":7: bad heartbeat 'sometimes' for group 'a'"),
               "%s", run->err);
    cr_assert (strstr (run->err, ":8: "), "%s", run->err);
    run_destroy (&run);
}

//  actor-run blocked writing its log to a reader that lags, longer than a
//  group's heartbeat window: the beats that came meanwhile wait in the
//  group's control socket, and count. The deadlines are fired on the
//  clock read before that input was, never on a clock read after a
//  block with the input not read yet.
Test (supervisor_liveness, beats_read_late_still_count, .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = lagging\n"
        "    heartbeat = 50ms\n"
        "    heartbeat_misses = 2\n"
        PROBE_GROUP ("beating", "")
        //  Its lines fill actor-run's output while we do not read it; it
        //  blocks on its own output then, which is no hang of its loop
        "group = chatty\n"
        "    plugin = @PROBE@\n"
        "    heartbeat = off\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ chatter=10000\"\n");
    run_go (run);
    probe_expect (run, "beating/p", "hello", 5000);
    probe_expect (run, "chatty/p", "hello", 5000);
    run_expect (run, 5000, "run lagging up");
    //  Not reading actor-run's output for five windows (50 ms x 2 + the
    //  200 ms margin): its pipes to us fill, and it blocks writing
    struct timespec lag = { 1, 500000000 };
    nanosleep (&lag, NULL);
    char *hung = run_line (run, 1000, "hung ");
    cr_assert_null (hung, "declared hung: %s", hung);
    cr_assert_eq (probe_get (run, "beating/p", NULL), 0);
    cr_assert_eq (run_count (run, "start beating"), 1);
    run_stop_clean (run, 10000);
    run_destroy (&run);
}
