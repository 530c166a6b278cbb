/*  test_supervisor_procs - a group's processes and signals (issue 8):
    what a group starts dies with the run, exit () in an actor is a clean
    exit with its code, stray signals do not kill a group, and a SIGCHLD
    ignored by whoever started actor-run does not blind it to its groups
    SPDX-License-Identifier: MPL-2.0

    Real actor-run processes and probe groups (examples/plugins/probe.c)
    that start children, call exit () and are sent signals. The test is a
    child subreaper (test_supervisor.h), so whatever outlives actor-run
    becomes our child and run_orphans_gone sees it.
*/
#include "test_supervisor.h"

//  Asks a probe to start a child (HOW: "exec" or "fork"); returns its pid.
static pid_t
s_spawn (run_t *run, const char *probe, const char *how)
{
    probe_send (run, probe, "spawn", how);
    zmsg_t *msg = probe_take (run, probe, "spawned", 5000);
    cr_assert_not_null (msg, "%s did not start a child; log:\n%s", probe, run->err);
    char *text = zframe_strdup (zmsg_last (msg));
    pid_t pid = (pid_t) atoi (text);
    free (text);
    zmsg_destroy (&msg);
    cr_assert_gt (pid, 0);
    return pid;
}

static bool
s_alive (pid_t pid)
{
    return kill (pid, 0) == 0;
}

//  kill -9 of actor-run: the groups, and every process they started in
//  their process groups, exec'd or only forked, are gone within a second.
//  Before, only the groups died (PR_SET_PDEATHSIG SIGKILL), and their
//  children lived on, orphans.
Test (supervisor_procs, children_of_a_group_die_with_a_killed_run, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, "run\n    name = kids\n" PROBE_GROUP ("a", "") PROBE_GROUP ("b", ""));
    for (int round = 0; round < 3; round++) {
        run_go (run);
        pid_t a = run_pid (run, "ready", "a", 5000);
        pid_t b = run_pid (run, "ready", "b", 5000);
        probe_expect (run, "a/p", "hello", 5000);
        probe_expect (run, "b/p", "hello", 5000);
        pid_t kids [] = {
            s_spawn (run, "a/p", "exec"), s_spawn (run, "a/p", "fork"),
            s_spawn (run, "b/p", "exec"), s_spawn (run, "b/p", "fork")
        };
        for (size_t i = 0; i < 4; i++) {
            cr_assert (s_alive (kids [i]));
            cr_assert_eq (getpgid (kids [i]), i < 2 ? a : b);
        }
        run_signal (run, SIGKILL);
        cr_assert_eq (run_wait (run, 5000), 128 + SIGKILL);
        //  Everything of the run is now ours to reap: the groups, and
        //  their children once the groups are gone
        cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000),
                   "round %d: a process of the run outlived it by 1 s", round);
        for (size_t i = 0; i < 4; i++) {
            cr_assert_not (s_alive (kids [i]), "round %d: child %d lives on", round,
                           (int) kids [i]);
        }
        cr_assert_not (s_alive (a));
        cr_assert_not (s_alive (b));
        //  The next round starts on the directory the killed run left
        free (run->err);
        run->err = strdup ("");
        run->err_size = run->cursor = 0;
    }
    //  A run that stops normally takes its groups' children down too
    run_go (run);
    run_expect (run, 5000, "run kids up");
    probe_expect (run, "a/p", "hello", 5000);
    pid_t kid = s_spawn (run, "a/p", "exec");
    run_stop_clean (run, 5000);
    cr_assert_not (s_alive (kid));
    run_destroy (&run);
}

//  exit () from an actor, on the loop thread or another, is an exit with
//  its code: not a SIGABRT from czmq's exit handlers (or a 4 s hang), so a
//  transient group that exits 0 stays down.
Test (supervisor_procs, exit_in_an_actor_is_a_clean_exit_with_its_code, .timeout = 30)
{
    static const struct {
        const char *command;
        const char *code;
        const char *reason;
        bool restarted;
    } cases [] = {
        { "exit-libc", "3", "exit code 3", true },
        { "exit-thread", "3", "exit code 3", true },
        { "exit-thread", "0", "normal", false },
    };
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = exits\n"
        "    backoff_min = 0\n"
        "    intensity = 100\n"
        PROBE_GROUP ("loop", "    restart = transient\n")
        PROBE_GROUP ("worker", "    restart = transient\n"));
    run_go (run);
    pid_t loop = run_pid (run, "ready", "loop", 5000);
    pid_t worker = run_pid (run, "ready", "worker", 5000);
    run_expect (run, 5000, "run exits up");
    probe_expect (run, "loop/p", "hello", 5000);
    probe_expect (run, "worker/p", "hello", 5000);

    //  exit (0) on the loop thread: a normal stop, well within the 4 s of the hang once seen
    probe_send (run, "loop/p", "exit-libc", "0");
    run_expectf (run, 3000, "stop loop pid %d: normal", (int) loop);
    run_expectf (run, 3000, "done loop: transient group, not restarted");

    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        if (i > 0) {
            worker = run_pid (run, "ready", "worker", 5000);
            probe_expect (run, "worker/p", "hello", 5000);
        }
        probe_send (run, "worker/p", cases [i].command, cases [i].code);
        run_expectf (run, 3000, "stop worker pid %d: %s", (int) worker, cases [i].reason);
        if (cases [i].restarted) {
            run_expect (run, 3000, "restart worker in 0 ms");
        }
        else {
            run_expect (run, 3000, "done worker: transient group, not restarted");
        }
    }
    cr_assert_null (strstr (run->err, "signal 6"), "a group aborted: %s", run->err);
    cr_assert_null (strstr (run->err, "dangling"), "czmq's exit handler ran: %s", run->err);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  SIGUSR1, SIGUSR2, SIGHUP and SIGPIPE are ignored (and said so); a
//  write to a broken pipe fails with EPIPE. SIGTERM or SIGINT stop the
//  group cleanly (teardowns run, exit 0, "normal"); a second one while
//  it stops ends it at once.
Test (supervisor_procs, stray_signals_do_not_kill_a_group, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = sigs\n"
        "    backoff_min = 0\n"
        "group = calm\n"
        "    plugin = @PROBE@\n"
        "    restart = transient\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=ack\"\n"
        "group = stuck\n"
        "    plugin = @PROBE@\n"
        "    actor = p\n"
        "        class = probe\n"
        "        args = \"@EP@ teardown=hang\"\n");
    run_go (run);
    pid_t calm = run_pid (run, "ready", "calm", 5000);
    pid_t stuck = run_pid (run, "ready", "stuck", 5000);
    probe_expect (run, "calm/p", "hello", 5000);
    probe_expect (run, "stuck/p", "hello", 5000);

    static const int signals [] = { SIGUSR1, SIGUSR2, SIGHUP, SIGPIPE, SIGWINCH, SIGCHLD };
    for (size_t i = 0; i < sizeof signals / sizeof signals [0]; i++) {
        cr_assert_eq (kill (calm, signals [i]), 0);
        pid_t pid;
        cr_assert_eq (probe_get (run, "calm/p", &pid), i, "signal %d", signals [i]);
        cr_assert_eq (pid, calm);
    }
    //  The first of each is logged, by the group
    run_expectf (run, 3000, "calm[%d]: signal %d (%s) ignored", (int) calm, SIGUSR1,
                 strsignal (SIGUSR1));
    probe_send (run, "calm/p", "epipe", NULL);
    zmsg_t *msg = probe_take (run, "calm/p", "epipe", 5000);
    cr_assert_not_null (msg);
    char *error = zframe_strdup (zmsg_last (msg));
    cr_assert_eq (atoi (error), EPIPE, "the write failed with %s", error);
    free (error);
    zmsg_destroy (&msg);
    cr_assert_null (strstr (run->err, "stop calm"), "%s", run->err);

    //  SIGTERM: a clean stop, as if asked; transient, so it stays down
    cr_assert_eq (kill (calm, SIGTERM), 0);
    probe_teardown (run, "calm/p", 5000);
    run_expectf (run, 5000, "stop calm pid %d: normal", (int) calm);
    run_expect (run, 5000, "done calm: transient group, not restarted");

    //  A second SIGINT while its teardown hangs ends it with the signal
    cr_assert_eq (kill (stuck, SIGINT), 0);
    run_expectf (run, 5000, "stuck[%d]: signal %d (%s): stopping", (int) stuck, SIGINT,
                 strsignal (SIGINT));
    cr_assert_eq (kill (stuck, SIGINT), 0);
    run_expectf (run, 5000, "stop stuck pid %d: signal %d", (int) stuck, SIGINT);
    run_expect (run, 5000, "restart stuck in 0 ms");
    run_pid (run, "ready", "stuck", 5000);

    run_signal (run, SIGINT);
    run_expect (run, 5000, "stopping run sigs: signal 2");
    run_signal (run, SIGINT);
    //  stuck's teardown hangs: killed by the second signal, it never ended
    cr_assert_eq (run_wait (run, 5000), EXIT_KILLED);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000));
    run_destroy (&run);
}

//  actor-run started with SIGCHLD ignored (a disposition its starter may
//  leave it through exec): the kernel would reap the groups for it, with
//  no signal and no status, so a group that died was never seen again,
//  never restarted, and a stop waited for it for ever.
Test (supervisor_procs, an_ignored_sigchld_is_not_inherited, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, "run\n    name = reaps\n    backoff_min = 0\n"
               SINK_GROUP ("g", "    heartbeat = off\n"));
    //  Ignored in actor-run from its exec on; ours again at once, so that
    //  the test still reaps actor-run itself
    signal (SIGCHLD, SIG_IGN);
    run_go (run);
    signal (SIGCHLD, SIG_DFL);
    pid_t g = run_pid (run, "ready", "g", 5000);
    cr_assert_eq (kill (g, SIGKILL), 0);
    run_expectf (run, 5000, "stop g pid %d: signal %d", (int) g, SIGKILL);
    run_pid (run, "ready", "g", 5000);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}
