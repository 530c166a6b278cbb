/*  test_supervisor_restart - actor-run's restart policy: strategies,
    restart types, exit reasons, intensity, back-off
    SPDX-License-Identifier: MPL-2.0

    Groups are killed with real signals or told to crash, abort or exit
    by their probe; the log says what the supervisor did, and the probes
    say whether the other groups kept their state.
*/
#include "test_supervisor.h"
#include "act_test_proc.h"

//  One group holding one built-in sink: cheap, for order tests
Test (supervisor_restart, kill9_restarts_that_group_alone, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = r\n"
        "    backoff_min = 0\n"
        PROBE_GROUP ("a", "")
        PROBE_GROUP ("b", "")
        PROBE_GROUP ("c", ""));
    run_go (run);
    pid_t a = run_pid (run, "ready", "a", 5000);
    pid_t b = run_pid (run, "ready", "b", 5000);
    pid_t c = run_pid (run, "ready", "c", 5000);
    probe_expect (run, "a/p", "hello", 5000);
    probe_expect (run, "b/p", "hello", 5000);
    probe_expect (run, "c/p", "hello", 5000);
    for (unsigned i = 0; i < 3; i++) {
        cr_assert_eq (probe_get (run, "a/p", NULL), i);
        cr_assert_eq (probe_get (run, "c/p", NULL), i);
    }
    cr_assert_eq (kill (b, SIGKILL), 0);
    run_expectf (run, 5000, "stop b pid %d: signal 9", (int) b);
    run_expect (run, 5000, "restart b in 0 ms");
    pid_t again = run_pid (run, "ready", "b", 5000);
    cr_assert_neq (again, b);
    probe_expect (run, "b/p", "hello", 5000);

    //  The others kept their process and their state; b starts afresh
    pid_t pid;
    cr_assert_eq (probe_get (run, "a/p", &pid), 3);
    cr_assert_eq (pid, a);
    cr_assert_eq (probe_get (run, "c/p", &pid), 3);
    cr_assert_eq (pid, c);
    cr_assert_eq (probe_get (run, "b/p", &pid), 0);
    cr_assert_eq (pid, again);
    cr_assert_eq (run_count (run, "actor-run: start a pid"), 1);
    cr_assert_eq (run_count (run, "actor-run: start c pid"), 1);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor_restart, each_exit_reason_reaches_the_parent, .timeout = 30)
{
    static const struct {
        const char *command;
        const char *value;
        const char *reason;
    } cases [] = {
        { "crash", NULL, "signal 11" },
        { "abort", NULL, "signal 6" },
        { "exit", "3", "exit code 3" },
        { "exit", "0", "normal" },
        { "stop", "5", "exit code 1" },     //  its only actor failed
        { "stop", "0", "normal" }           //  its only actor ended well
    };
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = reasons\n"
        "    backoff_min = 0\n"
        "    intensity = 100\n"
        PROBE_GROUP ("boss", "")
        PROBE_GROUP ("worker", "    parent = boss/p\n"));
    run_go (run);
    probe_expect (run, "boss/p", "hello", 5000);
    for (unsigned i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        pid_t worker = run_pid (run, "ready", "worker", 5000);
        probe_expect (run, "worker/p", "hello", 5000);
        probe_send (run, "worker/p", cases [i].command, cases [i].value);
        run_expectf (run, 5000, "stop worker pid %d: %s", (int) worker, cases [i].reason);
        //  The parent actor is told: "GROUP PID RESTARTS REASON"
        zmsg_t *down = probe_take (run, "boss/p", "down", 5000);
        cr_assert_not_null (down);
        zframe_t *text = zmsg_last (down);
        char *expected = zsys_sprintf ("worker %d %u %s", (int) worker, i, cases [i].reason);
        cr_assert (zframe_streq (text, expected), "case %u: got '%s', expected '%s'", i,
                   zframe_strdup (text), expected);
        free (expected);
        zmsg_destroy (&down);
    }
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor_restart, one_for_all_restarts_every_group_in_order, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = all\n"
        "    strategy = one_for_all\n"
        "    backoff_min = 0\n"
        SINK_GROUP ("delta", "")
        SINK_GROUP ("alpha", "")
        SINK_GROUP ("charlie", "")
        SINK_GROUP ("bravo", ""));
    run_go (run);
    run_pid (run, "ready", "delta", 5000);
    run_pid (run, "ready", "alpha", 5000);
    pid_t charlie = run_pid (run, "ready", "charlie", 5000);
    run_pid (run, "ready", "bravo", 5000);
    cr_assert_eq (kill (charlie, SIGKILL), 0);
    run_expectf (run, 5000, "stop charlie pid %d: signal 9", (int) charlie);
    run_expect (run, 5000, "restart charlie in 0 ms, with every group (one_for_all)");
    //  The others stop last first, then all start in topology order
    run_pid (run, "stop", "bravo", 5000);
    run_pid (run, "stop", "alpha", 5000);
    run_pid (run, "stop", "delta", 5000);
    static const char *order [] = { "delta", "alpha", "charlie", "bravo" };
    for (size_t i = 0; i < 4; i++) {
        run_pid (run, "start", order [i], 5000);
        run_pid (run, "ready", order [i], 5000);
    }
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

//  A temporary group that a sibling's restart takes down stays down, and
//  the log says so with a "done" line, as when it stops on its own.
//  Before, it went silently: a stop, then nothing.
Test (supervisor_restart, a_temporary_group_a_restart_takes_down_is_done, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = once\n"
        "    strategy = one_for_all\n"
        "    backoff_min = 0\n"
        SINK_GROUP ("steady", "")
        "group = oneshot\n"
        "    restart = temporary\n"
        "    actor = s\n"
        "        class = sink\n");
    run_go (run);
    pid_t steady = run_pid (run, "ready", "steady", 5000);
    pid_t oneshot = run_pid (run, "ready", "oneshot", 5000);
    cr_assert_eq (kill (steady, SIGKILL), 0);
    run_expectf (run, 5000, "stop oneshot pid %d: normal", (int) oneshot);
    run_expect (run, 5000, "done oneshot: temporary group, not restarted");
    run_pid (run, "ready", "steady", 5000);
    cr_assert_eq (run_count (run, "start oneshot"), 1);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor_restart, rest_for_one_restarts_the_groups_after, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = rest\n"
        "    strategy = rest_for_one\n"
        "    backoff_min = 0\n"
        PROBE_GROUP ("first", "")
        SINK_GROUP ("second", "")
        SINK_GROUP ("third", "")
        SINK_GROUP ("fourth", ""));
    run_go (run);
    pid_t first = run_pid (run, "ready", "first", 5000);
    pid_t second = run_pid (run, "ready", "second", 5000);
    run_expect (run, 5000, "run rest up");
    probe_expect (run, "first/p", "hello", 5000);
    cr_assert_eq (probe_get (run, "first/p", NULL), 0);
    cr_assert_eq (kill (second, SIGKILL), 0);
    run_expectf (run, 5000, "stop second pid %d: signal 9", (int) second);
    run_expect (run, 5000, "restart second in 0 ms, with the groups after it (rest_for_one)");
    run_pid (run, "stop", "fourth", 5000);
    run_pid (run, "stop", "third", 5000);
    static const char *order [] = { "second", "third", "fourth" };
    for (size_t i = 0; i < 3; i++) {
        run_pid (run, "start", order [i], 5000);
        run_pid (run, "ready", order [i], 5000);
    }
    //  The group before the failed one was left alone
    pid_t pid;
    cr_assert_eq (probe_get (run, "first/p", &pid), 1);
    cr_assert_eq (pid, first);
    cr_assert_eq (run_count (run, "actor-run: stop first"), 0);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}


//  rest_for_one, a, b, c: b fails twice (back-off 500 then 1000 ms), and
//  while c is being stopped for that, a fails (back-off 500 ms). Every
//  group restarts, in file order: c, which comes after b, waits for b,
//  though a's restart, the last to name it, is due sooner. Before, c took
//  a's due and started while b was still in its back-off. c's teardown
//  waits for our ack, so a surely fails while c is still stopping.
Test (supervisor_restart, a_restart_never_starts_a_group_before_those_it_follows,
      .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = chain\n"
        "    strategy = rest_for_one\n"
        "    backoff_min = 500ms\n"
        "    backoff_max = 4s\n"
        "    intensity = 100\n"
        "    period = 60s\n"
        PROBE_GROUP ("a", "")
        PROBE_GROUP ("b", "")
        "group = c\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=ack\"\n");
    run_go (run);
    pid_t a = run_pid (run, "ready", "a", 5000);
    pid_t b = run_pid (run, "ready", "b", 5000);
    run_pid (run, "ready", "c", 5000);
    probe_expect (run, "c/p", "hello", 5000);
    cr_assert_eq (kill (b, SIGKILL), 0);
    probe_teardown (run, "c/p", 5000);
    b = run_pid (run, "ready", "b", 5000);
    run_pid (run, "ready", "c", 5000);
    probe_expect (run, "c/p", "hello", 5000);

    cr_assert_eq (kill (b, SIGKILL), 0);
    run_expect (run, 5000, "restart b in 1000 ms");
    probe_expect (run, "c/p", "teardown", 5000);
    cr_assert_eq (kill (a, SIGKILL), 0);
    run_expect (run, 5000, "restart a in 500 ms");
    probe_send (run, "c/p", "ack", NULL);
    static const char *order [] = { "a", "b", "c" };
    for (size_t i = 0; i < 3; i++) {
        run_pid (run, "start", order [i], 5000);
        run_pid (run, "ready", order [i], 5000);
    }
    run_signal (run, SIGTERM);
    probe_teardown (run, "c/p", 5000);
    cr_assert_eq (run_wait (run, 5000), 0, "log:\n%s", run->err);
    run_destroy (&run);
}
Test (supervisor_restart, restart_types, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = types\n"
        "    backoff_min = 0\n"
        "    intensity = 100\n"
        PROBE_GROUP ("perm", "    restart = permanent\n")
        PROBE_GROUP ("trans", "    restart = transient\n")
        PROBE_GROUP ("temp", "    restart = temporary\n"));
    run_go (run);
    pid_t perm = run_pid (run, "ready", "perm", 5000);
    pid_t trans = run_pid (run, "ready", "trans", 5000);
    pid_t temp = run_pid (run, "ready", "temp", 5000);
    probe_expect (run, "perm/p", "hello", 5000);
    probe_expect (run, "trans/p", "hello", 5000);
    probe_expect (run, "temp/p", "hello", 5000);

    //  permanent: even a normal exit is restarted
    probe_send (run, "perm/p", "exit", "0");
    run_expectf (run, 5000, "stop perm pid %d: normal", (int) perm);
    run_expect (run, 5000, "restart perm in 0 ms");
    run_pid (run, "ready", "perm", 5000);

    //  transient: an abnormal exit is restarted, a normal one is not
    probe_send (run, "trans/p", "exit", "3");
    run_expectf (run, 5000, "stop trans pid %d: exit code 3", (int) trans);
    run_expect (run, 5000, "restart trans in 0 ms");
    trans = run_pid (run, "ready", "trans", 5000);
    probe_expect (run, "trans/p", "hello", 5000);
    probe_send (run, "trans/p", "exit", "0");
    run_expectf (run, 5000, "stop trans pid %d: normal", (int) trans);
    run_expect (run, 5000, "done trans: transient group, not restarted");

    //  temporary: never restarted, even after a crash
    probe_send (run, "temp/p", "crash", NULL);
    run_expectf (run, 5000, "stop temp pid %d: signal 11", (int) temp);
    run_expect (run, 5000, "done temp: temporary group, not restarted");

    //  The run goes on with what is left; nothing restarted behind our back
    probe_expect (run, "perm/p", "hello", 5000);
    cr_assert_eq (probe_get (run, "perm/p", NULL), 0);
    cr_assert_eq (run_count (run, "actor-run: start perm pid"), 2);
    cr_assert_eq (run_count (run, "actor-run: start trans pid"), 2);
    cr_assert_eq (run_count (run, "actor-run: start temp pid"), 1);
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor_restart, intensity_exceeded_gives_up, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = fragile\n"
        "    backoff_min = 0\n"
        "    intensity = 2\n"
        "    period = 60s\n"
        SINK_GROUP ("steady", "")
        PROBE_GROUP ("weak", ""));
    run_go (run);
    for (int crash = 0; crash < 3; crash++) {
        pid_t weak = run_pid (run, "ready", "weak", 5000);
        probe_expect (run, "weak/p", "hello", 5000);
        probe_send (run, "weak/p", "crash", NULL);
        run_expectf (run, 5000, "stop weak pid %d: signal 11", (int) weak);
    }
    run_expect (run, 5000, "give up: weak stopped (signal 11), the restart limit of "
                           "2 in 60000 ms is reached");
    run_expect (run, 5000, "stopping run fragile: gave up restarting");
    run_pid (run, "stop", "steady", 5000);
    cr_assert_eq (run_wait (run, 5000), EXIT_GAVE_UP);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000));
    cr_assert_not (run_path_exists (run->rundir));
    run_destroy (&run);
}

//  Milliseconds of the day in a log line's "YYYY-MM-DDTHH:MM:SS.mmm"
static int64_t
s_stamp (const char *line)
{
    int hours, minutes, seconds, ms;
    cr_assert_eq (sscanf (line + 11, "%d:%d:%d.%d", &hours, &minutes, &seconds, &ms), 4,
                  "no time stamp in '%s'", line);
    return ((hours * 60 + minutes) * 60 + seconds) * 1000LL + ms;
}

//  User + system CPU of a process (alive or not yet reaped), ms
static int64_t
s_cpu_ms (pid_t pid)
{
    char path [64], stat [1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file);
    size_t size = fread (stat, 1, sizeof stat - 1, file);
    fclose (file);
    stat [size] = 0;
    //  Fields after the command: state is the 3rd field, utime the 14th
    const char *p = strrchr (stat, ')') + 2;
    unsigned long long utime = 0, stime = 0;
    cr_assert_eq (sscanf (p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                          &utime, &stime), 2);
    return (int64_t) ((utime + stime) * 1000 / (unsigned long long) sysconf (_SC_CLK_TCK));
}

Test (supervisor_restart, backoff_spaces_restarts_until_the_limit, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = flappy\n"
        "    intensity = 5\n"
        "    period = 60s\n"
        "    backoff_min = 20ms\n"
        "    backoff_max = 80ms\n"
        PROBE_GROUP ("flap", ""));
    int64_t started = act_test_now_ms ();
    run_go (run);
    //  The group exits at once after every start; each restart waits
    //  twice as long as the one before, up to the cap
    static const int delays [] = { 20, 40, 80, 80, 80 };
    for (int i = 0; i < 5; i++) {
        pid_t flap = run_pid (run, "ready", "flap", 5000);
        probe_expect (run, "flap/p", "hello", 5000);
        probe_send (run, "flap/p", "exit", "1");
        char stop_needle [64], restart_needle [64];
        snprintf (stop_needle, sizeof stop_needle, "stop flap pid %d: exit code 1", (int) flap);
        snprintf (restart_needle, sizeof restart_needle, "restart flap in %d ms", delays [i]);
        char *stop = run_line (run, 5000, stop_needle);
        cr_assert_not_null (stop, "%s", run->err);
        run_expect (run, 5000, restart_needle);
        char *start = run_line (run, 5000, "actor-run: start flap pid");
        cr_assert_not_null (start, "%s", run->err);
        cr_assert_geq (s_stamp (start) - s_stamp (stop), delays [i] - 1,
                       "restart %d came %lld ms after the stop, before its %d ms back-off",
                       i, (long long) (s_stamp (start) - s_stamp (stop)), delays [i]);
        free (stop);
        free (start);
    }
    pid_t flap = run_pid (run, "ready", "flap", 5000);
    probe_expect (run, "flap/p", "hello", 5000);
    probe_send (run, "flap/p", "exit", "1");
    run_expectf (run, 5000, "stop flap pid %d: exit code 1", (int) flap);
    run_expect (run, 5000, "give up: flap stopped (exit code 1), the restart limit of 5");
    run_expect (run, 5000, "run flappy stopped, exit code 101");
    //  Not reaped yet, so its CPU time is still there to read: the
    //  supervisor slept through the back-offs instead of spinning
    int64_t cpu = s_cpu_ms (run->pid);
    int64_t wall = act_test_now_ms () - started;
    cr_assert_leq (cpu, wall / 4 + 20, "actor-run used %lld ms of CPU in %lld ms",
                   (long long) cpu, (long long) wall);
    cr_assert_eq (run_wait (run, 5000), EXIT_GAVE_UP);
    run_destroy (&run);
}


Test (supervisor_restart, idle_supervisor_never_wakes, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = idle\n"
        "    heartbeat = off\n"    //  beats are events: idle means none
        SINK_GROUP ("one", "")
        SINK_GROUP ("two", ""));
    run_go (run);
    run_expect (run, 5000, "run idle up");
    //  The last thing a run does on its way up: its groups' standbys
    run_standby_wait (run, "one", 5000);
    run_standby_wait (run, "two", 5000);
    //  Nothing is due and nothing happens: actor-run sits in poll with no
    //  timeout. Watching it for a while is the only way to see that, from
    //  the moment it went to sleep after logging "up".
    cr_assert (RUN_UNTIL (run, act_test_asleep (run->pid), 5000));
    long before = act_test_switches (run->pid);
    int64_t until = act_test_now_ms () + 300;
    RUN_UNTIL (run, false, until - act_test_now_ms ());
    cr_assert_eq (act_test_switches (run->pid), before, "an idle actor-run woke up");
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}


//  ACTORIO_TRACE_RESTART=1 (actor-run(1)): every phase of a restart is
//  stamped once, and the stamps of one restart follow the phases' order
//  (they come from two processes on one monotonic clock; lines relayed
//  from the group may reach the log after the supervisor's own).
static const char *s_trace_phases [] = {
    "reap", "fork", "child", "host", "zsys", "plugin", "join", "ready",
    "ready-seen"
};
#define S_TRACE_PHASES (sizeof s_trace_phases / sizeof s_trace_phases [0])

//  The first stamp of each phase in text; true once all from the phase
//  at index from on are there.
static bool
s_trace_stamps (const char *text, long long *stamps, size_t from)
{
    size_t found = from;
    memset (stamps, 0, S_TRACE_PHASES * sizeof (long long));
    for (const char *p = text; (p = strstr (p, "restart-trace ")); p++) {
        char phase [32];
        long long usec;
        if (sscanf (p, "restart-trace %31s %lld", phase, &usec) != 2) {
            continue;
        }
        for (size_t i = from; i < S_TRACE_PHASES; i++) {
            if (streq (phase, s_trace_phases [i]) && !stamps [i]) {
                stamps [i] = usec;
                found++;
            }
        }
    }
    return found == S_TRACE_PHASES;
}

Test (supervisor_restart, trace_stamps_each_phase_of_a_restart, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = traced\n"
        "    backoff_min = 0\n"
        //  The phases of a restart that forks: a standby's would skip
        //  fork to plugin, whenever it is there before the kill
        "    standby = false\n"
        PROBE_GROUP ("a", ""));
    cr_assert_eq (setenv ("ACTORIO_TRACE_RESTART", "1", 1), 0);
    run_go (run);
    unsetenv ("ACTORIO_TRACE_RESTART");
    pid_t a = run_pid (run, "ready", "a", 5000);
    probe_expect (run, "a/p", "hello", 5000);
    //  The first start is traced too, from its fork on. All of its stamps
    //  are in before the kill: the group's come through actor-run's relay
    //  and may reach the log after the probe's hello, and one of them
    //  taken for the restart's would be out of its order.
    long long stamps [S_TRACE_PHASES];
    cr_assert (RUN_UNTIL (run, s_trace_stamps (run->err, stamps, 1), 5000),
               "a phase of the first start was not stamped:\n%s", run->err);
    size_t killed_at = run->err_size;
    cr_assert_eq (kill (a, SIGKILL), 0);
    pid_t again = run_pid (run, "ready", "a", 5000);
    cr_assert_neq (again, a);
    cr_assert (RUN_UNTIL (run, s_trace_stamps (run->err + killed_at, stamps, 0), 5000),
               "a phase of the restart was not stamped:\n%s", run->err + killed_at);
    for (size_t i = 1; i < S_TRACE_PHASES; i++) {
        cr_assert_geq (stamps [i], stamps [i - 1], "%s at %lld, before %s at %lld",
                       s_trace_phases [i], stamps [i], s_trace_phases [i - 1],
                       stamps [i - 1]);
    }
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

//  A restart that cannot start its group (a process or a socket it
//  cannot have: RLIMIT_NPROC, RLIMIT_NOFILE) fails as a group dying at
//  once would: counted, and tried again after its back-off, so a lack
//  that passes costs the run nothing. Before, the run stopped (111), and
//  with no group sending heartbeats it even waited for ever doing so.
Test (supervisor_restart, a_restart_the_system_refuses_is_tried_again, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = nofd\n"
        "    heartbeat = off\n"
        //  A restart that forks: one that takes a standby needs no
        //  descriptor, whenever the standby is there before the kill
        "    standby = false\n"
        "    intensity = 1000\n"
        "    backoff_min = 50ms\n"
        "    backoff_max = 50ms\n"
        SINK_GROUP ("a", "")
        SINK_GROUP ("b", ""));
    run_go (run);
    pid_t b = run_pid (run, "ready", "b", 5000);
    run_expect (run, 5000, "run nofd up");
    //  Lowered on the live supervisor: no socketpair for b's next life
    struct rlimit limit, low;
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, NULL, &limit), 0);
    low = limit;
    low.rlim_cur = (rlim_t) run_lowest_free_fd (run->pid);
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, &low, NULL), 0);
    cr_assert_eq (kill (b, SIGKILL), 0);
    run_expect (run, 5000, "actor-run: unable to start b: Too many open files");
    run_expect (run, 5000, "restart b in ");
    //  Refused again, and again tried
    int refused = run_count (run, "unable to start b: Too many open files");
    cr_assert (RUN_UNTIL (run, run_count (run, "unable to start b: Too many open files")
                               > refused, 5000), "log:\n%s", run->err);
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, &limit, NULL), 0);
    pid_t again = run_pid (run, "ready", "b", 5000);
    cr_assert_neq (again, b);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  A lack that lasts: the intensity gives up, as for a group that keeps
//  dying, and the run ends with 101, leaving nothing behind
Test (supervisor_restart, a_restart_refused_for_good_gives_up, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = nofd\n"
        "    heartbeat = off\n"
        "    standby = false\n"   //  as above
        "    intensity = 2\n"
        "    backoff_min = 10ms\n"
        SINK_GROUP ("a", "")
        SINK_GROUP ("b", ""));
    run_go (run);
    pid_t b = run_pid (run, "ready", "b", 5000);
    run_expect (run, 5000, "run nofd up");
    struct rlimit limit;
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, NULL, &limit), 0);
    limit.rlim_cur = (rlim_t) run_lowest_free_fd (run->pid);
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, &limit, NULL), 0);
    cr_assert_eq (kill (b, SIGKILL), 0);
    run_expect (run, 5000, "give up: b stopped (unable to start: Too many open files)");
    cr_assert_eq (run_wait (run, 5000), EXIT_GAVE_UP, "log:\n%s", run->err);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000), "a process of the run is left");
    cr_assert_not (run_path_exists (run->rundir), "the run directory is left");
    run_destroy (&run);
}

//  RLIMIT_NOFILE lowered on the live supervisor under the number of
//  descriptors it polls: poll fails with EINVAL. The run stopped, but
//  the loop then spun on the same error, writing its line for ever at
//  full speed and never reaping the groups it killed. Now it is said
//  once, the groups are killed and reaped, and the run ends with 111.
Test (supervisor_restart, a_poll_that_fails_stops_the_run_once, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = nopoll\n"
        "    heartbeat = off\n"
        SINK_GROUP ("a", "")
        SINK_GROUP ("b", ""));
    //  LeakSanitizer (in the ASan build) opens /proc at the supervisor's
    //  exit, which the limit below forbids: no leak check for this run
    char *saved = act_test_asan_add ("detect_leaks=0");
    run_go (run);
    act_test_asan_restore (&saved);
    pid_t b = run_pid (run, "ready", "b", 5000);
    run_expect (run, 5000, "run nopoll up");
    struct rlimit limit;
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, NULL, &limit), 0);
    limit.rlim_cur = 3;
    cr_assert_eq (prlimit (run->pid, RLIMIT_NOFILE, &limit, NULL), 0);
    //  An event, so the supervisor polls again
    cr_assert_eq (kill (b, SIGKILL), 0);
    run_expect (run, 5000, "actor-run: unable to poll ", " descriptors: over the soft limit "
                "RLIMIT_NOFILE of 3, lowered under the run");
    cr_assert_eq (run_wait (run, 5000), EXIT_SYSTEM, "log ends:\n%s",
                  run->err + (run->err_size > 2000 ? run->err_size - 2000 : 0));
    cr_assert_eq (run_count (run, "unable to poll"), 1, "said more than once");
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000), "a process of the run is left");
    cr_assert_not (run_path_exists (run->rundir), "the run directory is left");
    run_destroy (&run);
}

//  A restarted group's first words to a peer, from its setup, are
//  answered, though the supervisor's word that the group is up comes only
//  once it is ready: the peer takes it for up on its hello (the first
//  record of each life to each peer, with the life's number), and on shm
//  on the region too, where the new life marks itself as it joins.
//  target/p greets other/p at each start (probe.c: hello_to); other/p
//  asks it for its count through the link and tells us the answer.
static void
s_answered_at_each_restart (const char *link)
{
    run_t *run = run_new ();
    char *topology = zsys_sprintf (
        "run\n"
        "    name = rejoin\n"
        "    link = %s\n"
        "    backoff_min = 0\n"
        "    intensity = 1000\n"
        "    period = 60s\n"
        PROBE_GROUP ("other", "")
        "group = target\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"- hello_to=other/p\"\n", link);
    run_write (run, topology);
    free (topology);
    run_go (run);
    for (int life = 0; life < 20; life++) {
        pid_t pid = run_pid (run, "ready", "target", 5000);
        zmsg_t *answered = probe_take (run, "other/p", "answered", 5000);
        cr_assert_not_null (answered, "%s: life %d of target (pid %d) was not answered; log:\n%s",
                            link, life, (int) pid, run->err);
        char *text = zframe_strdup (zmsg_last (answered));
        char *expected = zsys_sprintf ("target/p %d 0", (int) pid);
        cr_assert_str_eq (text, expected, "life %d", life);
        free (text);
        free (expected);
        zmsg_destroy (&answered);
        cr_assert_eq (kill (pid, SIGKILL), 0);
        run_expectf (run, 5000, "stop target pid %d: signal 9", (int) pid);
    }
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    run_destroy (&run);
}

Test (supervisor_restart, a_restarted_group_is_answered_at_once_over_shm, .timeout = 60)
{
    s_answered_at_each_restart ("shm");
}

Test (supervisor_restart, a_restarted_group_is_answered_at_once_over_ipc, .timeout = 60)
{
    s_answered_at_each_restart ("ipc");
}
