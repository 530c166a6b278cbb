/*  test_supervisor_examples - the topologies under examples/topologies,
    run as a user would run them
    SPDX-License-Identifier: MPL-2.0

    They run from the build tree, where CMake copies them next to the
    plugin they load.
*/
#include "test_supervisor.h"

Test (supervisor_examples, demo_says_what_it_does_and_ends_itself, .timeout = 60)
{
    run_t *run = run_new ();
    run_start (run, "--rundir", run->rundir, TOPOLOGIES "/demo.zpl");
    cr_assert_eq (run_wait (run, 20000), 0, "stderr:\n%s", run->err);
    //  Every group's lines come out with its name and pid
    static const char *lines [][2] = {
        { "hello", "greeter: hello from hello/greeter (the demo run)\n" },
        { "work", "primes: found 17984 primes below 200000; telling hello/greeter\n" },
        //  across processes, and the reply back
        { "hello", "greeter: work/primes tells me: 17984 primes below 200000\n" },
        { "work", "primes: hello/greeter answers: thanks!\n" },
        { "clock", "ticker: tick 5 of 5\n" },
        { "clock", "ticker: that was the last tick, ending the run\n" },
        { "hello", "greeter: a group under me stopped: clock " },
        { "hello", "greeter: a group under me stopped: work " },
        { "hello", "greeter: goodbye\n" }
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines [0]; i++) {
        cr_assert (run_relayed (run->out, lines [i][0], lines [i][1]),
                   "no '%s: %s' in:\n%s", lines [i][0], lines [i][1], run->out);
    }
    run_expect (run, 1, "stopping run demo: group clock finished it (code 0)");
    run_expect (run, 1, "stop clock pid", ": normal");
    run_expect (run, 1, "stop work pid", ": normal");
    run_expect (run, 1, "stop hello pid", ": normal");
    cr_assert_not (run_path_exists (run->rundir));
    run_destroy (&run);
}

Test (supervisor_examples, crash_demo_restarts_and_tells_the_parent, .timeout = 60)
{
    run_t *run = run_new ();
    run_start (run, "--rundir", run->rundir, TOPOLOGIES "/crash.zpl");
    cr_assert_eq (run_wait (run, 20000), 0, "stderr:\n%s", run->err);
    cr_assert_eq (run_count (run, "actor-run: stop crashy pid"), 3, "%s", run->err);
    cr_assert_eq (run_count (run, ": signal 11\n"), 3, "%s", run->err);
    cr_assert_eq (run_count (run, "actor-run: start steady pid"), 1, "%s", run->err);
    //  The parent heard "signal 11" each time
    int told = 0;
    for (const char *p = run->out; (p = strstr (p, "]: watcher: group crashy")); p++) {
        const char *end = strchr (p, '\n');
        cr_assert (end && memmem (p, (size_t) (end - p), "stopped: signal 11", 18),
                   "%.*s", (int) (end ? end - p : 80), p);
        told++;
    }
    cr_assert_eq (told, 3, "%s", run->out);
    //  The other group kept its state and kept answering throughout: its
    //  counter only ever went up by one, and answered after each crash
    const char *needle = "pinger: my counter answers ";
    int last = 0, after_crash = 0;
    bool crashed = false;
    for (const char *p = run->out; *p; p = strchr (p, '\n') + 1) {
        const char *text = run_relayed_text (p, "steady");
        if (text && strncmp (text, needle, strlen (needle)) == 0) {
            int count = atoi (text + strlen (needle));
            cr_assert_eq (count, last + 1, "count went from %d to %d", last, count);
            last = count;
            after_crash += crashed;
            crashed = false;
        }
        else
        if (text && strncmp (text, "watcher: group crashy", 21) == 0) {
            crashed = true;
        }
        if (!strchr (p, '\n')) {
            break;
        }
    }
    cr_assert_geq (after_crash, 2, "the counter did not answer between crashes:\n%s", run->out);
    run_destroy (&run);
}
