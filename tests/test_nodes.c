/*  test_nodes - a run across hosts: two actor-run processes on 127.0.0.1,
    nodes n1 and n2, each with its own ports and run directory, talking
    over the tcp link with CURVE
    SPDX-License-Identifier: MPL-2.0

    Group a (a sender and an echo) runs on n1, group b (echoes, a
    receiver, a sender) on n2: the same actors as test_groups.c, which
    says what they do (test_groups.h). The ports are picked free by the
    kernel; the keys are made with actor-run keygen in the test's
    directory.
*/
#include "test_groups.h"

Test (nodes, ping_pong_and_asks_across_nodes, .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true });
    s_find (g, "main", "b/echo");
    s_find (g, "alt", "b/nobody");
    s_command (g, "ping", "1000", NULL);
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT * 2);
    cr_assert_not_null (pong, "no end of ping-pong; n1:\n%s\nn2:\n%s", g->run->err,
                        g->node2->err);
    cr_assert_eq (s_frame_int (pong, 2), 1000);
    cr_assert_eq (s_frame_int (pong, 4), 0, "replies out of order or refused");
    cr_log_info ("nodes: round trip across nodes %.1f us",
                 (double) s_frame_int (pong, 3) / 1000);
    zmsg_destroy (&pong);
    //  Asks both ways, each gets its own reply
    s_find_by (g, "b/src", "main", "a/echo");
    s_command_to (g, "a/src", "ask", "20", "echo", "20000", "main", NULL);
    s_command_to (g, "b/src", "ask", "20", "echo", "20000", "main", NULL);
    s_expect_asks (g, "a/src", 20);
    s_expect_asks (g, "b/src", 20);
    //  An actor n2 does not have: the ask fails at once with ENOENT
    s_command (g, "ask", "1", "echo", "20000", "alt", NULL);
    zmsg_t *asked = probe_take (g->run, "a/src", "asked", S_WAIT);
    cr_assert_not_null (asked);
    cr_assert_eq (s_frame_int (asked, 2), ENOENT);
    cr_assert_lt (s_frame_int (asked, 3), 5000);
    zmsg_destroy (&asked);
    s_groups_destroy (&g);
}
