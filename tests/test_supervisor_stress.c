/*  test_supervisor_stress - actor-run under repetition: killed 200 times
    at awkward moments, and 32 groups killed at once
    SPDX-License-Identifier: MPL-2.0
*/
#include "test_supervisor.h"

//  Children of pid right now (/proc/PID/task/PID/children).
static int
s_children (pid_t pid)
{
    char path [64], list [512];
    snprintf (path, sizeof path, "/proc/%d/task/%d/children", (int) pid, (int) pid);
    int fd = open (path, O_RDONLY);
    if (fd == -1) {
        return 0;
    }
    ssize_t size = read (fd, list, sizeof list - 1);
    close (fd);
    int count = 0;
    for (ssize_t i = 0; i < size; i++) {
        count += list [i] == ' ';
    }
    return count;
}

//  Spins until pid has at least count children: a kill right after this
//  lands right after a fork, before the child has done much.
static bool
s_spin_for_children (pid_t pid, int count, int ms)
{
    int64_t deadline = act_test_now_ms () + ms;
    while (s_children (pid) < count) {
        if (act_test_now_ms () > deadline) {
            return false;
        }
    }
    return true;
}

//  Forget a killed run's output, ready for the next start.
static void
s_forget (run_t *run)
{
    if (run->err_fd >= 0) {
        close (run->err_fd);
    }
    if (run->out_fd >= 0) {
        close (run->out_fd);
    }
    run->err_fd = run->out_fd = -1;
    run->err [0] = run->out [0] = 0;
    run->err_size = run->out_size = run->cursor = 0;
}

Test (supervisor_stress, killing_actor_run_takes_its_groups_down, .timeout = 120)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = doomed\n"
        SINK_GROUP ("a", "")
        SINK_GROUP ("b", ""));
    for (int i = 0; i < 200; i++) {
        run_go (run);
        //  Land the kill right after the first fork, right after the
        //  second, once both groups are up, or at once
        switch (i % 4) {
            case 0:
                cr_assert (s_spin_for_children (run->pid, 1, 5000));
                break;
            case 1:
                cr_assert (s_spin_for_children (run->pid, 2, 5000));
                break;
            case 2:
                run_expect (run, 5000, "run doomed up");
                break;
            default:
                break;
        }
        cr_assert_eq (kill (run->pid, SIGKILL), 0);
        cr_assert_eq (waitpid (run->pid, NULL, 0), run->pid);
        run->pid = 0;
        //  The groups are ours now (subreaper): each must die within 1 s
        cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000),
                   "round %d: a group outlived actor-run by 1 s", i);
        s_forget (run);
    }
    //  The next run takes the directory over and cleans it up
    run_go (run);
    run_expect (run, 5000, "run doomed up");
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 5000), 0);
    cr_assert_not (run_path_exists (run->rundir));
    run_destroy (&run);
}

//  The pid in the last "ready NAME pid " line of the whole log
static pid_t
s_last_ready (run_t *run, const char *name)
{
    char needle [64];
    snprintf (needle, sizeof needle, "actor-run: ready %s pid ", name);
    const char *last = NULL;
    for (const char *p = run->err; (p = strstr (p, needle)); p++) {
        last = p;
    }
    return last ? (pid_t) atoi (last + strlen (needle)) : 0;
}

Test (supervisor_stress, thirty_two_groups_killed_at_once, .timeout = 60)
{
    enum { GROUPS = 32, ROUNDS = 3 };
    run_t *run = run_new ();
    char *text = strdup ("run\n    name = many\n    backoff_min = 0\n    intensity = 1000\n");
    for (int i = 0; i < GROUPS; i++) {
        char *more = zsys_sprintf ("%sgroup = g%02d\n    actor = s\n        class = sink\n",
                                   text, i);
        free (text);
        text = more;
    }
    run_write (run, text);
    free (text);
    run_go (run);
    run_expect (run, 10000, "run many up: 32 groups ready");
    for (int round = 0; round < ROUNDS; round++) {
        pid_t pids [GROUPS];
        char name [8];
        for (int i = 0; i < GROUPS; i++) {
            snprintf (name, sizeof name, "g%02d", i);
            pids [i] = s_last_ready (run, name);
            cr_assert_gt (pids [i], 0);
        }
        //  All at once: their SIGCHLDs coalesce into a few
        for (int i = 0; i < GROUPS; i++) {
            cr_assert_eq (kill (pids [i], SIGKILL), 0);
        }
        for (int i = 0; i < GROUPS; i++) {
            char *stop = zsys_sprintf ("actor-run: stop g%02d pid %d: signal 9", i, (int) pids [i]);
            cr_assert (RUN_UNTIL (run, strstr (run->err, stop) != NULL, 10000),
                       "round %d: %s missing; log:\n%s", round, stop, run->err);
            free (stop);
        }
        cr_assert (RUN_UNTIL (run, run_count (run, "actor-run: ready g")
                                   == GROUPS * (round + 2), 10000),
                   "round %d: not every group came back; log:\n%s", round, run->err);
        cr_assert_eq (run_zombies_of (run->pid), 0);
    }
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, 10000), 0);
    cr_assert (RUN_UNTIL (run, run_orphans_gone (), 1000));
    run_destroy (&run);
}
