/*  test_supervisor_standby - a group's standby: a process forked ahead
    of the next start, which a crash's restart takes instead of forking
    SPDX-License-Identifier: MPL-2.0

    Real actor-run processes and probe groups (examples/plugins/probe.c).
    A standby is a child of actor-run named "~GROUP" in its own process
    group; the tests find it in /proc. The test is a child subreaper
    (test_supervisor.h), so a standby that outlived actor-run would become
    our child and run_orphans_gone would wait for it.
*/
#include "test_supervisor.h"

static bool
s_gone (pid_t pid)
{
    return kill (pid, 0) == -1 && errno == ESRCH;
}

//  True once pid has mapped a file whose path holds name
static bool
s_maps (pid_t pid, const char *name)
{
    char path [64], line [512];
    snprintf (path, sizeof path, "/proc/%d/maps", (int) pid);
    FILE *file = fopen (path, "r");
    bool found = false;
    while (file && !found && fgets (line, sizeof line, file)) {
        found = strstr (line, name) != NULL;
    }
    if (file) {
        fclose (file);
    }
    return found;
}

//  True if signo waits for pid, sent to the whole process (it is stopped)
static bool
s_pending (pid_t pid, int signo)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    unsigned long long mask = 0;
    while (file && fgets (line, sizeof line, file)) {
        if (sscanf (line, "ShdPnd: %llx", &mask) == 1) {
            break;
        }
    }
    if (file) {
        fclose (file);
    }
    return mask & (1ULL << (signo - 1));
}

//  actor-run on one probe group, g, up and with its standby made: returns
//  the standby's pid, and g's in *group.
static pid_t
s_start (run_t *run, pid_t *group)
{
    run_write (run, "run\n    name = spare\n    backoff_min = 0\n" PROBE_GROUP ("g", ""));
    run_go (run);
    *group = run_pid (run, "ready", "g", 5000);
    probe_expect (run, "g/p", "hello", 5000);
    run_expect (run, 5000, "run spare up");
    return run_standby_wait (run, "g", 5000);
}

//  `actor-run VERB g`, which must succeed
static void
s_request (run_t *run, const char *verb)
{
    run_cmd_t cmd = run_command_groups (run, 5000, verb, "g");
    cr_assert_eq (cmd.code, 0, "%s: %s", verb, cmd.err);
    run_cmd_free (&cmd);
}

//  A crash's restart takes the standby: the group's new process is the
//  standby's, its actor runs there only then (no hello from it before),
//  and the new life gets a standby of its own.
Test (supervisor_standby, a_crash_restart_takes_the_standby, .timeout = 30)
{
    run_t *run = run_new ();
    pid_t first;
    pid_t standby = s_start (run, &first);
    cr_assert_neq (standby, first);
    cr_assert_eq (getpgid (standby), standby, "a standby has its own process group");
    run_cmd_t cmd = run_command (run, 5000, "status", "--json");
    char needle [64];
    snprintf (needle, sizeof needle, "\"standby_pid\":%d", (int) standby);
    cr_assert_not_null (strstr (cmd.out, needle), "status: %s", cmd.out);
    run_cmd_free (&cmd);
    //  Made, but not started: its probe has not said hello, nor joined
    zmsg_t *early = probe_take (run, "g/p", "hello", 200);
    cr_assert_null (early, "the standby's actor ran before its restart");

    cr_assert_eq (kill (first, SIGKILL), 0);
    run_expectf (run, 5000, "start g pid %d (restart 1, from its standby)", (int) standby);
    probe_expect (run, "g/p", "hello", 5000);
    pid_t answered = 0;
    probe_get (run, "g/p", &answered);
    cr_assert_eq (answered, standby, "the group runs in the standby's process");
    //  Renamed as the group once it went
    cr_assert_eq (run_child_named (run->pid, "g"), standby);

    //  The new life gets its own
    pid_t next = run_standby_wait (run, "g", 5000);
    cr_assert_neq (next, standby);
    run_stop_clean (run, 5000);
    cr_assert (s_gone (next), "the standby outlived the run");
    run_destroy (&run);
}

//  A standby that ends on its own is said, and not replaced: whatever
//  ended it would likely end the next. The group runs on, and its next
//  restart forks. SIGTERM ends a standby as it would a group: waiting for
//  its "go", it does not put signals off.
Test (supervisor_standby, a_standby_that_ends_is_not_replaced, .timeout = 30)
{
    run_t *run = run_new ();
    pid_t first;
    pid_t standby = s_start (run, &first);
    //  Its handlers are in once it has the plugin; a SIGTERM before
    //  them ends it as the signal's default action does (signal 15)
    cr_assert (RUN_UNTIL (run, s_maps (standby, "probe.so"), 5000));
    cr_assert_eq (kill (standby, SIGTERM), 0);
    //  ACT_GROUP_EXIT_STANDBY
    run_expectf (run, 5000, "standby g pid %d ended on its own (exit code 4)", (int) standby);
    cr_assert (!s_gone (first), "the group died with its standby");

    cr_assert_eq (kill (first, SIGKILL), 0);
    pid_t second = run_pid (run, "start", "g", 5000);
    cr_assert_neq (second, standby);
    probe_expect (run, "g/p", "hello", 5000);
    cr_assert_eq (run_count (run, "from its standby"), 0, "log:\n%s", run->err);
    //  Its life would have one 10 ms after ready: none comes
    run_expect (run, 5000, "ready g pid");
    RUN_UNTIL (run, false, 300);
    cr_assert_eq (run_standby (run, "g"), 0, "a standby again after one died");
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  A standby whose init fails (its plugin file removed since the run
//  started) is said with the reason it gave, as a start's failure is:
//  "exit code 2" alone left the operator guessing until the next crash.
Test (supervisor_standby, a_standby_whose_init_fails_says_why, .timeout = 30)
{
    run_t *run = run_new ();
    //  A copy: the loader resolves links, and the file is what it opens
    char *plugin = zsys_sprintf ("%s/plugin.so", run->dir);
    run_copy (PROBE_SO, plugin);
    char *topology = zsys_sprintf ("run\n    name = spare\n    backoff_min = 0\n"
                                   "group = g\n    plugin = %s\n    actor = p\n"
                                   "        class = probe\n        args = \"@EP@\"\n", plugin);
    run_write (run, topology);
    run_go (run);
    pid_t first = run_pid (run, "ready", "g", 5000);
    pid_t standby = run_standby_wait (run, "g", 5000);
    //  The first standby has the plugin; the next life's will find none
    cr_assert (RUN_UNTIL (run, s_maps (standby, plugin), 5000));
    cr_assert_eq (unlink (plugin), 0);
    cr_assert_eq (kill (first, SIGKILL), 0);
    run_expectf (run, 5000, "start g pid %d (restart 1, from its standby)", (int) standby);
    run_expect (run, 5000, "standby g pid", "ended on its own (exit code 2: unable to load "
                "plugin ", plugin, "No such file or directory): g restarts without one");
    run_stop_clean (run, 5000);
    zstr_free (&topology);
    zstr_free (&plugin);
    run_destroy (&run);
}

//  A stop signal sent to the whole service (systemd's default
//  KillMode=control-group) reaches the standbys with actor-run: one that
//  ends then was to be dropped anyway, and is no warning. Made certain
//  here: actor-run is stopped until the standby's SIGCHLD and its own
//  SIGTERM are both pending, so it reads them in one turn.
Test (supervisor_standby, a_standby_ending_with_the_run_is_no_warning, .timeout = 30)
{
    run_t *run = run_new ();
    pid_t first;
    pid_t standby = s_start (run, &first);
    run_signal (run, SIGSTOP);
    cr_assert_eq (kill (standby, SIGTERM), 0);
    //  A zombie is not all: SIGCHLD comes once its last thread is gone
    cr_assert (RUN_UNTIL (run, s_pending (run->pid, SIGCHLD), 5000), "the standby lives on");
    run_signal (run, SIGTERM);
    run_signal (run, SIGCONT);
    cr_assert_eq (run_wait (run, 5000), 0, "log:\n%s", run->err);
    cr_assert_eq (run_count (run, "ended on its own"), 0, "log:\n%s", run->err);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000), "a process of the run is left");
    run_destroy (&run);
}

//  A restart by request starts afresh, loading the plugin file as it is
//  now (a user may have replaced it): the standby is dropped, not taken.
//  So is a held group's, and a held group started again forks.
Test (supervisor_standby, requests_start_afresh, .timeout = 30)
{
    run_t *run = run_new ();
    pid_t first;
    pid_t standby = s_start (run, &first);
    s_request (run, "restart");
    pid_t second = run_pid (run, "start", "g", 5000);
    cr_assert_neq (second, standby);
    cr_assert (RUN_UNTIL (run, s_gone (standby), 2000), "the dropped standby lives on");
    probe_expect (run, "g/p", "hello", 5000);
    cr_assert_eq (run_count (run, "from its standby"), 0, "log:\n%s", run->err);

    standby = run_standby_wait (run, "g", 5000);
    s_request (run, "stop");
    run_expect (run, 5000, "held g");
    cr_assert (RUN_UNTIL (run, s_gone (standby), 2000), "a held group keeps its standby");

    s_request (run, "start");
    pid_t third = run_pid (run, "start", "g", 5000);
    cr_assert_neq (third, standby);
    probe_expect (run, "g/p", "hello", 5000);
    cr_assert_eq (run_count (run, "from its standby"), 0, "log:\n%s", run->err);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  A group waiting out its back-off still has its last life's standby.
//  A restart or a start asked for then forks afresh too: the file may
//  have been replaced to end the crashes. The standby was taken.
Test (supervisor_standby, a_request_during_a_back_off_starts_afresh, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run, "run\n    name = spare\n    backoff_min = 60s\n    backoff_max = 60s\n"
               PROBE_GROUP ("g", ""));
    run_go (run);
    pid_t pid = run_pid (run, "ready", "g", 5000);
    run_expect (run, 5000, "run spare up");
    const char *verbs [] = { "restart", "start" };
    for (size_t i = 0; i < 2; i++) {
        pid_t standby = run_standby_wait (run, "g", 5000);
        cr_assert_eq (kill (pid, SIGKILL), 0);
        run_expect (run, 5000, "restart g in 60000 ms");
        s_request (run, verbs [i]);
        pid = run_pid (run, "start", "g", 5000);
        cr_assert_neq (pid, standby, "%s took the standby; log:\n%s", verbs [i], run->err);
        cr_assert (RUN_UNTIL (run, s_gone (standby), 2000), "the dropped standby lives on");
        run_expect (run, 5000, "ready g pid");
    }
    cr_assert_eq (run_count (run, "from its standby"), 0, "log:\n%s", run->err);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  standby = false, for the run or a group: that group never has one; a
//  group's own key overrides the run's.
Test (supervisor_standby, standby_false_keeps_none, .timeout = 30)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = spare\n"
        "    backoff_min = 0\n"
        "    standby = false\n"
        PROBE_GROUP ("off", "")
        PROBE_GROUP ("on", "    standby = true\n"));
    run_go (run);
    pid_t off = run_pid (run, "ready", "off", 5000);
    run_expect (run, 5000, "run spare up");
    probe_expect (run, "off/p", "hello", 5000);
    probe_expect (run, "on/p", "hello", 5000);
    //  Both became due together, when the run came up
    run_standby_wait (run, "on", 5000);
    cr_assert_eq (run_standby (run, "off"), 0);
    cr_assert_eq (kill (off, SIGKILL), 0);
    run_expect (run, 5000, "start off pid", "(restart 1)");
    probe_expect (run, "off/p", "hello", 5000);
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  kill -9 of actor-run: a standby ends with it (its control socket
//  ends), as the groups do.
Test (supervisor_standby, a_standby_dies_with_a_killed_run, .timeout = 30)
{
    run_t *run = run_new ();
    pid_t first;
    pid_t standby = s_start (run, &first);
    run_signal (run, SIGKILL);
    cr_assert_eq (run_wait (run, 5000), 128 + SIGKILL);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 2000), "a process of the run is left");
    cr_assert (s_gone (standby));
    run_destroy (&run);
}

//  A standby holds a descriptor in actor-run (its control socket) for
//  the whole run: the check of RLIMIT_NOFILE counts it. Left out, 40
//  groups passed under 256 and their standbys then took what actor-run
//  keeps for control clients and the starts that fork (some groups got
//  none, one a standby that died at once, without a descriptor for
//  /dev/null).
Test (supervisor_standby, the_descriptor_check_counts_the_standbys, .timeout = 30)
{
    run_t *run = run_new ();
    struct rlimit limit;
    cr_assert_eq (getrlimit (RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = 256;
    cr_assert_eq (setrlimit (RLIMIT_NOFILE, &limit), 0);
    //  32 + 5 x 40 = 232 without them, 272 with
    run_write_sinks (run, "run\n    name = fds\n    link = ipc\n", 40);
    run_cmd_t cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "--check",
                                      run->topology, NULL }, 5000);
    cr_assert_eq (cmd.code, EXIT_USAGE, "%s", cmd.err);
    cr_assert_not_null (strstr (cmd.err, "actor-run needs about 272 file descriptors "
                                "for 40 groups (5 per group, 1 per standby: 40,"), "%s", cmd.err);
    run_cmd_free (&cmd);
    run_write_sinks (run, "run\n    name = fds\n    link = ipc\n    standby = false\n", 40);
    cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "--check", run->topology, NULL },
                            5000);
    cr_assert_eq (cmd.code, 0, "%s", cmd.err);
    run_cmd_free (&cmd);
    run_destroy (&run);
}

//  The probe "g/p" says what its process was named in its setup
static char *
s_comm_in_setup (run_t *run)
{
    zmsg_t *msg = probe_take (run, "g/p", "comm", 5000);
    cr_assert_not_null (msg, "no comm from g/p; log:\n%s", run->err);
    zmsg_first (msg);
    zmsg_next (msg);
    char *comm = zframe_strdup (zmsg_next (msg));
    zmsg_destroy (&msg);
    return comm;
}

//  A standby taken by a restart is the group in ps (and pgrep, top, the
//  journal) before its actors run, as a forked start is: not "~g" while
//  it already says ready. Each restart checks it anew: it is a race
//  between the host thread waking and the loop thread's setups.
Test (supervisor_standby, a_taken_standby_is_named_as_its_group_before_setup, .timeout = 60)
{
    run_t *run = run_new ();
    run_write (run, "run\n    name = spare\n    backoff_min = 0\n    intensity = 100\n"
                    "group = g\n    plugin = @PROBE@\n    actor = p\n"
                    "        class = probe\n        args = \"@EP@ comm\"\n");
    run_go (run);
    pid_t pid = run_pid (run, "ready", "g", 5000);
    char *comm = s_comm_in_setup (run);
    cr_assert_str_eq (comm, "g");
    free (comm);
    for (int restart = 1; restart <= 10; restart++) {
        pid_t standby = run_standby_wait (run, "g", 5000);
        cr_assert_eq (kill (pid, SIGKILL), 0);
        run_expectf (run, 5000, "start g pid %d (restart %d, from its standby)",
                     (int) standby, restart);
        comm = s_comm_in_setup (run);
        cr_assert_str_eq (comm, "g", "restart %d: named %s in its setup", restart, comm);
        free (comm);
        pid = standby;
    }
    run_stop_clean (run, 5000);
    run_destroy (&run);
}

//  A setup that fails in a restart taken from the standby (its actors
//  run there only after "go") is said as in a forked start, and counts
//  as a restart's failure; the same without a standby.
static void
s_setup_fails_in_a_restart (bool standby)
{
    run_t *run = run_new ();
    char *flag = zsys_sprintf ("%s/fail", run->dir);
    char *topology = zsys_sprintf (
        "run\n    name = spare\n    backoff_min = 0\n    intensity = 2\n"
        "group = other\n    actor = s\n        class = sink\n"
        "group = g\n    plugin = @PROBE@\n    standby = %s\n    actor = p\n"
        "        class = probe\n        args = \"@EP@ fail_if=%s\"\n",
        standby ? "true" : "false", flag);
    run_write (run, topology);
    run_go (run);
    pid_t first = run_pid (run, "ready", "g", 5000);
    run_expect (run, 5000, "run spare up");
    pid_t spare = standby ? run_standby_wait (run, "g", 5000) : 0;
    FILE *file = fopen (flag, "w");
    cr_assert_not_null (file);
    fclose (file);
    cr_assert_eq (kill (first, SIGKILL), 0);
    if (standby) {
        run_expectf (run, 5000, "start g pid %d (restart 1, from its standby)", (int) spare);
    }
    else {
        run_expect (run, 5000, "start g pid", "(restart 1)");
    }
    run_expect (run, 5000, "stop g pid", ": init failed: actor p failed in setup: error "
                "(code -1)");
    run_expect (run, 5000, "give up: g stopped (init failed: actor p failed in setup");
    cr_assert_eq (run_wait (run, 5000), EXIT_GAVE_UP, "log:\n%s", run->err);
    cr_assert_eq (run_count (run, "ready g pid"), 1, "log:\n%s", run->err);
    zstr_free (&topology);
    zstr_free (&flag);
    run_destroy (&run);
}

Test (supervisor_standby, a_setup_failing_in_a_restart_from_the_standby, .timeout = 30)
{
    s_setup_fails_in_a_restart (true);
}

Test (supervisor_standby, a_setup_failing_in_a_forked_restart, .timeout = 30)
{
    s_setup_fails_in_a_restart (false);
}

//  A group whose actors all stop in their setups says ready, then ends
//  normally (nothing left to run), with or without a standby; a
//  transient group is then done.
static void
s_all_stop_in_setup (bool standby)
{
    run_t *run = run_new ();
    char *topology = zsys_sprintf (
        "run\n    name = spare\n"
        "group = other\n    actor = s\n        class = sink\n"
        "group = g\n    plugin = @PROBE@\n    standby = %s\n    restart = transient\n"
        "    actor = p\n        class = probe\n        args = \"@EP@ setup=stop\"\n"
        "    actor = q\n        class = probe\n        args = \"@EP@ setup=stop\"\n",
        standby ? "true" : "false");
    run_write (run, topology);
    run_go (run);
    pid_t pid = run_pid (run, "ready", "g", 5000);
    run_expectf (run, 5000, "stop g pid %d: normal", (int) pid);
    run_expect (run, 5000, "done g: transient group, not restarted");
    run_stop_clean (run, 5000);
    zstr_free (&topology);
    run_destroy (&run);
}

Test (supervisor_standby, a_group_whose_actors_all_stop_in_setup_ends, .timeout = 30)
{
    s_all_stop_in_setup (true);
    s_all_stop_in_setup (false);
}

//  A standby taken by a restart may say "ready" before its host thread
//  listens (its actors are spawned on the loop thread): a status and a
//  stop sent right after are taken all the same, not lost, each time.
Test (supervisor_standby, requests_right_after_a_standby_is_ready, .timeout = 60)
{
    run_t *run = run_new ();
    run_write (run, "run\n    name = spare\n    backoff_min = 0\n    intensity = 100\n"
                    "group = other\n    actor = s\n        class = sink\n"
                    "group = g\n    heartbeat = 50ms\n    actor = s\n        class = sink\n"
                    "    actor = e\n        class = echo\n");
    run_go (run);
    pid_t pid = run_pid (run, "ready", "g", 5000);
    run_expect (run, 5000, "run spare up");
    for (int round = 1; round <= 20; round++) {
        pid_t standby = run_standby_wait (run, "g", 5000);
        cr_assert_eq (kill (pid, SIGKILL), 0);
        char ready [64];
        snprintf (ready, sizeof ready, "ready g pid %d", (int) standby);
        run_expect (run, 5000, ready);
        run_cmd_t cmd = run_command (run, 5000, "status", "--json");
        cr_assert_eq (cmd.code, 0, "round %d: %s", round, cmd.err);
        cr_assert_not_null (strstr (cmd.out, "{\"name\":\"g\",\"state\":\"up\""), "round %d: %s",
                            round, cmd.out);
        run_cmd_free (&cmd);
        s_request (run, "stop");
        run_expectf (run, 5000, "stop g pid %d: normal", (int) standby);
        s_request (run, "start");
        pid = run_pid (run, "ready", "g", 5000);
    }
    run_stop_clean (run, 5000);
    cr_assert_eq (run_count (run, "from its standby"), 20, "log:\n%s", run->err);
    run_destroy (&run);
}

//  Kills group twice, each time taking its standby: the standby reads
//  its pages of the shared region in before its "go" (864535c), or
//  nothing if the group is not in the region.
static void
s_restart_from_standby (run_t *run, const char *group)
{
    for (int round = 0; round < 2; round++) {
        pid_t standby = run_standby_wait (run, group, 5000);
        pid_t pid = 0;
        cr_assert (RUN_UNTIL (run, (pid = run_child_named (run->pid, group)) > 0, 5000));
        cr_assert_eq (kill (pid, SIGKILL), 0);
        char start [96];
        snprintf (start, sizeof start, "start %s pid %d (restart", group, (int) standby);
        run_expect (run, 5000, start, ", from its standby)");
        run_expectf (run, 5000, "ready %s pid %d", group, (int) standby);
    }
}

Test (supervisor_standby, standbys_off_the_region_and_of_32_groups_restart, .timeout = 90)
{
    //  No region at all
    run_t *run = run_new ();
    run_write_sinks (run, "run\n    name = spare\n    backoff_min = 0\n    intensity = 100\n"
                          "    link = ipc\n", 2);
    run_go (run);
    run_expect (run, 10000, "run spare up");
    s_restart_from_standby (run, "g01");
    run_stop_clean (run, 5000);
    run_destroy (&run);

    //  A region the group is not in
    run = run_new ();
    run_write (run, "run\n    name = spare\n    backoff_min = 0\n    intensity = 100\n"
                    SINK_GROUP ("a", "") SINK_GROUP ("b", "    link = ipc\n"));
    run_go (run);
    run_expect (run, 10000, "run spare up");
    s_restart_from_standby (run, "b");
    s_restart_from_standby (run, "a");
    run_stop_clean (run, 5000);
    run_destroy (&run);

    //  32 groups in the region, each standby reading its 62 rings in
    run = run_new ();
    run_write_sinks (run, "run\n    name = spare\n    backoff_min = 0\n    intensity = 100\n", 32);
    run_go (run);
    run_expect (run, 30000, "run spare up: 32 groups ready");
    s_restart_from_standby (run, "g00");
    s_restart_from_standby (run, "g31");
    run_stop_clean (run, 10000);
    run_destroy (&run);
}
