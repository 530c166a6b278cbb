/*  test_shm_wakeup - no lost wake-up on the shared-memory link: both
    groups of a run pinned to one CPU ping-pong a million times, pausing
    at random on both sides
    SPDX-License-Identifier: MPL-2.0

    A file of its own: it takes tens of seconds, more on a loaded machine,
    and Criterion runs the tests of a file side by side, which would load
    its one CPU with another test's processes. A lost wake-up stalls the
    exchange for good, so the deadline is generous and no figure of time
    is asserted but the longest round trip, far beyond any pause.
*/
#include "test_groups.h"
#include <sched.h>

//  Both groups on one CPU, so every message parks one side and wakes the
//  other; both pause at random, so the wake-up comes before, during and
//  after the park. A lost wake-up would stall the ping-pong for good.
Test (shm_wakeup, no_lost_wake_up_on_one_cpu, .timeout = 300, .fini = s_cleanup)
{
    cpu_set_t cpus;
    CPU_ZERO (&cpus);
    CPU_SET (0, &cpus);
    cr_assert_eq (sched_setaffinity (0, sizeof cpus, &cpus), 0);
    s_groups_t *g = s_groups_new ((s_options_t) { .link = "shm" });
    s_find (g, "main", "b/pecho");
    const char *rounds = S_ASAN ? "100000" : "1000000";
    s_command (g, "ping", rounds, "pause", NULL);
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", 240000);
    cr_assert_not_null (pong, "the ping-pong stalled; log:\n%s", g->run->err);
    cr_assert_eq (s_frame_int (pong, 2), atoll (rounds));
    cr_assert_eq (s_frame_int (pong, 4), 0, "replies out of order or refused");
    int64_t max = s_frame_int (pong, 5);
    //  Far beyond any pause or scheduling delay; a lost wake-up is forever.
    cr_assert_lt (max, 5000000, "a round trip took %" PRId64 " us", max);
    cr_log_info ("shm: %s round trips on one CPU in %.1f s, the longest %" PRId64 " us",
                 rounds, (double) s_frame_int (pong, 3) / 1e6, max);
    zmsg_destroy (&pong);
    s_groups_destroy (&g);
}

