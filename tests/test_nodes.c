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

//  Whether node n1's status shows group (on node) in state, in text and
//  in JSON; false too when a group did not answer in time (50 ms, which
//  a loaded machine may pass): callers ask again until a deadline.
static bool
s_status_shows (s_groups_t *g, const char *group, const char *node, const char *state)
{
    char *line = zsys_sprintf ("    peer  %-20s on node %s, %s\n", group, node, state);
    char *json = zsys_sprintf ("{\"group\":\"%s\",\"node\":\"%s\",\"state\":\"%s\"}",
                               group, node, state);
    run_cmd_t text = run_command (g->run, S_WAIT, "status");
    run_cmd_t doc = run_command (g->run, S_WAIT, "status", "--json");
    bool shown = strstr (text.out, line) && strstr (doc.out, json) && json_valid (doc.out);
    run_cmd_free (&text);
    run_cmd_free (&doc);
    free (line);
    free (json);
    return shown;
}

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
    cr_assert (RUN_UNTIL (g->run, s_status_shows (g, "b", "n2", "up"), S_WAIT),
               "n1's status does not show b up");
    //  Asks both ways, each gets its own reply
    s_find_by (g, "b/src", "main", "a/echo");
    s_command_to (g, "a/src", "ask", "20", "echo", "20000", "main", NULL);
    s_command_to (g, "b/src", "ask", "20", "echo", "20000", "main", NULL);
    s_expect_asks (g, "a/src", 20);
    s_expect_asks (g, "b/src", 20);
    s_expect_unknown_fails (g);
    s_groups_destroy (&g);
}

//  Three nodes: a on n1 reaches b on n2 and c on n3, each on its own
//  connection; each node's status shows the others.
Test (nodes, three_nodes_reach_each_other, .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true, .third = true });
    const char *targets [2] = { "b/echo", "c/echo" };
    for (int i = 0; i < 2; i++) {
        s_find (g, "main", targets [i]);
        s_command (g, "ping", "500", NULL);
        zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT * 2);
        cr_assert_not_null (pong, "no end of ping-pong with %s", targets [i]);
        cr_assert_eq (s_frame_int (pong, 2), 500);
        cr_assert_eq (s_frame_int (pong, 4), 0, "replies out of order or refused");
        zmsg_destroy (&pong);
        s_command (g, "ask", "5", "echo", "20000", "main", NULL);
        s_expect_asks (g, "a/src", 5);
    }
    s_find_by (g, "b/src", "main", "c/echo");
    s_command_to (g, "b/src", "ask", "5", "echo", "20000", "main", NULL);
    s_expect_asks (g, "b/src", 5);
    cr_assert (RUN_UNTIL (g->run, s_status_shows (g, "b", "n2", "up")
                                  && s_status_shows (g, "c", "n3", "up"), S_WAIT),
               "n1's status does not show b and c up");
    s_groups_destroy (&g);
}

Test (nodes, a_million_messages_arrive_in_order_across_nodes, .timeout = S_TIMEOUT,
      .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true });
    s_stream_a_million (g, "nodes");
    s_groups_destroy (&g);
}

//  Node n2 (its actor-run, and with it group b) is killed with SIGKILL
//  mid-stream, then started again. Asks pending toward b fail as soon as
//  n1 sees the connection go, tells are refused while n2 is away, the
//  stream resumes by itself when n2 is back, and what was lost was lost
//  at the failure only (see kill9_of_the_receiver_mid_stream in
//  test_groups.c for the accounting).
Test (nodes, a_node_killed_and_restarted_mid_stream, .timeout = S_TIMEOUT,
      .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true });
    s_stream_flowing (g, 100000);
    s_hold_asks (g, 3);
    cr_assert_eq (kill (g->node2->pid, SIGKILL), 0);
    int failed_ms = s_asks_fail (g, 3, act_test_now_ms (), 5000);
    //  b goes with its supervisor; we are the subreaper that reaps it
    cr_assert_neq (run_wait (g->node2, S_WAIT), -1);
    cr_assert (RUN_UNTIL (g->run, waitpid (g->b, NULL, WNOHANG) == g->b, S_WAIT),
               "b outlived node n2's actor-run");
    s_node_go (g->run, g->node2, "n2");
    pid_t again = run_pid (g->node2, "ready", "b", S_WAIT);
    probe_expect (g->run, "b/recv", "hello", S_WAIT);
    cr_assert (RUN_UNTIL (g->run, s_lives (g) == 2 && s_taken (g) >= 10000, 20000),
               "no new messages after the restart; n1:\n%s", g->run->err);
    uint64_t delivered;
    s_counts_t sent = s_check_one_restart (g, again, &delivered);
    cr_log_info ("nodes: node killed: %" PRIu64 " accepted, %" PRIu64 " delivered, %" PRIu64
                 " lost at the failure; refused %" PRIu64 " while down; asks failed in "
                 "%d ms", sent.accepted, delivered, sent.accepted - delivered, sent.down,
                 failed_ms);
    s_groups_destroy (&g);
}

//  One client of group b's tcp endpoint, of a kind: "curve" with a key
//  the topology does not name, "null" or "plain". It never reconnects,
//  so each is refused once.
static zsock_t *
s_intruder (const char *kind, int port, const char *server_key)
{
    zsock_t *client = zsock_new (ZMQ_DEALER);
    cr_assert_not_null (client);
    zsock_set_reconnect_ivl (client, -1);
    zsock_set_linger (client, 0);
    if (streq (kind, "curve")) {
        zcert_t *cert = zcert_new ();
        zcert_apply (cert, client);
        zcert_destroy (&cert);
        zsock_set_curve_serverkey (client, server_key);
    }
    else
    if (streq (kind, "plain")) {
        zsock_set_plain_username (client, "admin");
        zsock_set_plain_password (client, "secret");
    }
    cr_assert_eq (zsock_connect (client, "tcp://127.0.0.1:%d", port), 0);
    zstr_send (client, "let me in");
    return client;
}

//  The connections n2's status counts as refused on its tcp link, or -1
//  if b did not answer in time.
static int64_t
s_refused_connections (s_groups_t *g)
{
    run_cmd_t cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "status", "--rundir",
                                      g->node2->rundir, g->run->topology, NULL }, S_WAIT);
    const char *link = strstr (cmd.out, "link tcp");
    const char *count = link ? strstr (link, "connections refused ") : NULL;
    int64_t refused = count ? strtoll (count + 20, NULL, 10) : -1;
    run_cmd_free (&cmd);
    return refused;
}

Test (nodes, unknown_keys_null_and_plain_clients_are_refused_and_counted,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true });
    char *n2_pub = zsys_sprintf ("%s/keys/n2.pub", g->run->dir);
    zcert_t *n2 = zcert_load (n2_pub);
    free (n2_pub);
    cr_assert_not_null (n2);
    const char *kinds [] = { "curve", "null", "plain" };
    zsock_t *clients [300];
    for (size_t i = 0; i < 300; i++) {
        clients [i] = s_intruder (kinds [i / 100], g->port2, zcert_public_txt (n2));
    }
    int64_t refused = 0;
    RUN_UNTIL (g->run, (refused = s_refused_connections (g)) >= 300, S_WAIT);
    cr_assert_eq (refused, 300, "n2 counted %" PRId64 " refused connections of 300; "
                  "n2:\n%s", refused, g->node2->err);
    //  None got through: the receiver took nothing, and the nodes still talk
    cr_assert_eq (s_lives (g), 1);
    cr_assert_eq (s_taken (g), 0);
    for (size_t i = 0; i < 300; i++) {
        zsock_destroy (&clients [i]);
    }
    s_find (g, "main", "b/echo");
    s_command (g, "ping", "100", NULL);
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT);
    cr_assert_not_null (pong);
    zmsg_destroy (&pong);
    cr_assert (RUN_UNTIL (g->run, (refused = s_refused_connections (g)) >= 0, S_WAIT));
    cr_assert_eq (refused, 300);
    zcert_destroy (&n2);
    s_groups_destroy (&g);
}

//  Monitors and act_ref_stop across nodes: a stop carries its code, and
//  when node n2 is killed (its actor-run, and b with it) the monitor of
//  b/echo fires as "lost" once n1 sees the connection go.
Test (nodes, monitors_and_stop_across_nodes, .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true });
    s_monitors_and_stop (g, g->node2->pid);
    cr_assert_neq (run_wait (g->node2, S_WAIT), -1);
    run_destroy (&g->node2);
    cr_assert (RUN_UNTIL (g->run, waitpid (g->b, NULL, WNOHANG) == g->b, S_WAIT),
               "b outlived node n2's actor-run");
    s_groups_destroy (&g);
}

//  keygen writes a private secret key and refuses to overwrite one; a
//  node refuses a secret key file its group or others may read, or a key
//  that is not its own, and starts nothing.
Test (nodes, a_secret_key_others_may_read_is_refused, .timeout = S_TIMEOUT,
      .fini = s_cleanup)
{
    run_t *run = run_new ();
    s_keygen (run->dir, "n1");
    s_keygen (run->dir, "n2");
    char *key = zsys_sprintf ("%s/keys/n1.key", run->dir);
    struct stat info;
    cr_assert_eq (stat (key, &info), 0);
    cr_assert_eq (info.st_mode & 0777, 0600);
    char *keys = zsys_sprintf ("%s/keys", run->dir);
    run_cmd_t cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "keygen", keys, "n1",
                                                         NULL }, S_WAIT);
    cr_assert_eq (cmd.code, EXIT_USAGE);
    cr_assert (strstr (cmd.err, "exists"), "%s", cmd.err);
    run_cmd_free (&cmd);
    char *nodes = s_nodes_text (run->dir, s_free_port (), s_free_port (), 0);
    char *topology = zsys_sprintf ("run\n    name = keys\n%s"
                                   "group = a\n    node = n1\n    actor = e\n"
                                   "        class = echo\n", nodes);
    run_write (run, topology);
    const mode_t modes [] = { 0640, 0604, 0644 };
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq (chmod (key, modes [i]), 0);
        cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "--node", "n1", "--key", key,
                                "--rundir", run->rundir, run->topology, NULL }, S_WAIT);
        cr_assert_eq (cmd.code, EXIT_USAGE, "mode %o: %d\n%s", modes [i], cmd.code, cmd.err);
        cr_assert (strstr (cmd.err, "chmod 600"), "%s", cmd.err);
        cr_assert_null (strstr (cmd.err, "ready"), "%s", cmd.err);
        run_cmd_free (&cmd);
    }
    cr_assert_eq (chmod (key, 0600), 0);
    char *other = zsys_sprintf ("%s/keys/n2.key", run->dir);
    cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "--check", "--node", "n1", "--key",
                            other, "--rundir", run->rundir, run->topology, NULL }, S_WAIT);
    cr_assert_eq (cmd.code, EXIT_USAGE);
    cr_assert (strstr (cmd.err, "not node n1's"), "%s", cmd.err);
    run_cmd_free (&cmd);
    cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "--check", "--node", "n1", "--key",
                            key, "--rundir", run->rundir, run->topology, NULL }, S_WAIT);
    cr_assert_eq (cmd.code, 0, "%s", cmd.err);
    run_cmd_free (&cmd);
    free (other);
    free (topology);
    free (nodes);
    free (keys);
    free (key);
    run_destroy (&run);
}

//  The receiver's lives after one outage of the link: every number
//  once and in order, and what was lost was lost in the outage: numbers
//  after stopped_at (the last b took before it went silent) and before
//  resumed_at (the first accepted once it was back), whether b lived
//  through it (a gap inside its life: the connection dropped what it
//  carried) or was restarted meanwhile (a gap between lives).
static uint64_t
s_check_outage (s_groups_t *g, uint64_t next, uint64_t stopped_at, uint64_t resumed_at)
{
    uint64_t lives = s_lives (g), delivered = 0;
    for (uint64_t i = 0; i < lives; i++) {
        stream_life_t life = s_life (g, i);
        cr_assert_eq (life.dups, 0, "life %" PRIu64 ": numbers twice or out of order", i);
        cr_assert_eq (life.bad, 0);
        cr_assert_leq (life.gaps, 1, "life %" PRIu64 " has %" PRIu64 " gaps", i, life.gaps);
        if (life.gaps)
            cr_assert (life.gap_from >= stopped_at && life.gap_at <= resumed_at,
                       "a gap from %" PRIu64 " to %" PRIu64 ", not in the outage (%"
                       PRIu64 " to %" PRIu64 ")", life.gap_from, life.gap_at, stopped_at,
                       resumed_at);
        if (i > 0)
            cr_assert_gt (life.first, s_life (g, i - 1).last);
        delivered += life.count;
    }
    cr_assert_eq (s_life (g, 0).first, 0);
    cr_assert_eq (s_life (g, lives - 1).last, next - 1);
    return delivered;
}

//  Node n2 goes silent (its actor-run and group b stopped with SIGSTOP:
//  the connections stay open, nothing answers): n1 marks b down when
//  the ZMTP heartbeats time out, so asks pending on b fail and tells are
//  refused; when n2 goes on (SIGCONT), the stream resumes by itself.
Test (nodes, a_silent_node_is_marked_down_and_comes_back, .timeout = S_TIMEOUT,
      .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true,
                                                   .run_extra = "    intensity = 100\n" });
    s_stream_flowing (g, 10000);
    s_hold_asks (g, 3);
    cr_assert_eq (kill (g->node2->pid, SIGSTOP), 0);
    cr_assert_eq (kill (g->b, SIGSTOP), 0);
    //  What b may still take before the signal lands comes after this
    uint64_t stopped_at = s_life (g, 0).last;
    //  Down within the heartbeat's bound (4 s, actorio(7)); the check
    //  allows for a loaded machine
    int down_ms = s_asks_fail (g, 3, act_test_now_ms (), S_WAIT * 2);
    //  Said by group a, whose output actor-run relays on its stdout
    cr_assert (RUN_UNTIL (g->run, strstr (g->run->out, "group b on node n2 is unreachable"),
                          S_WAIT), "a did not say b is unreachable:\n%s", g->run->out);
    cr_assert (RUN_UNTIL (g->run, s_status_shows (g, "b", "n2", "down"), S_WAIT),
               "n1's status does not show b down");
    s_counts_t before = s_counts (g);
    cr_assert (RUN_UNTIL (g->run, s_counts (g).down > before.down, S_WAIT),
               "no tell was refused while n2 was silent");
    uint64_t taken = s_taken (g);
    cr_assert_eq (kill (g->b, SIGCONT), 0);
    cr_assert_eq (kill (g->node2->pid, SIGCONT), 0);
    cr_assert (RUN_UNTIL (g->run, strstr (g->run->out, "group b on node n2 is back"),
                          S_WAIT), "a did not say b is back:\n%s", g->run->out);
    uint64_t resumed_at = s_counts (g).next;
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= taken + 10000 || s_lives (g) > 1, 20000),
               "no new messages after n2 went on");
    s_command (g, "halt", NULL);
    s_counts_t sent = s_counts_take (g, "halted", S_WAIT);
    uint64_t lives = s_lives (g);
    cr_assert (RUN_UNTIL (g->run, s_life (g, lives - 1).last + 1 >= sent.next, 20000),
               "the tail of the stream did not arrive");
    uint64_t delivered = s_check_outage (g, sent.next, stopped_at, resumed_at);
    cr_log_info ("nodes: silent node down after %d ms (asks failed); %" PRIu64 " accepted, %"
                 PRIu64 " delivered, %" PRIu64 " life/lives of b", down_ms, sent.accepted,
                 delivered, lives);
    s_groups_destroy (&g);
}

//  Random bytes into b's port, from many connections, while a and b
//  play ping-pong: they are dropped (a bad greeting ends its connection)
//  and the exchange completes; b is never restarted.
Test (nodes, random_bytes_into_the_port_do_not_stop_an_exchange, .timeout = S_TIMEOUT,
      .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .nodes = true });
    s_find (g, "main", "b/echo");
    s_command (g, "ping", "2000", NULL);
    int fds [50];
    for (int i = 0; i < 50; i++) {
        fds [i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in address = { .sin_family = AF_INET,
                                       .sin_port = htons ((uint16_t) g->port2),
                                       .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
        cr_assert_eq (connect (fds [i], (struct sockaddr *) &address, sizeof address), 0);
        unsigned char noise [4096];
        for (size_t j = 0; j < sizeof noise; j++) {
            noise [j] = (unsigned char) random ();
        }
        //  The first byte 0xff makes it look like a ZMTP greeting, half the time
        noise [0] = i % 2 ? 0xff : noise [0];
        ssize_t sent = send (fds [i], noise, sizeof noise, MSG_NOSIGNAL);
        (void) sent;            //  the group may have closed it already
    }
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT * 2);
    cr_assert_not_null (pong, "no end of ping-pong; n2:\n%s", g->node2->err);
    cr_assert_eq (s_frame_int (pong, 2), 2000);
    cr_assert_eq (s_frame_int (pong, 4), 0, "replies out of order or refused");
    cr_log_info ("nodes: ping-pong beside 50 connections of noise, longest round trip "
                 "%.1f ms", (double) s_frame_int (pong, 5) / 1000);
    zmsg_destroy (&pong);
    for (int i = 0; i < 50; i++) {
        close (fds [i]);
    }
    cr_assert_null (strstr (g->node2->err, "stop b"), "b stopped; n2:\n%s", g->node2->err);
    s_groups_destroy (&g);
}

//  A group whose parent is on another node: when it stops, its node's
//  supervisor has the notice carried by a group of its node (here the
//  restarted child itself, the only one), and the parent hears it as it
//  would at home.
Test (nodes, a_parent_on_another_node_hears_its_child_stop, .timeout = S_TIMEOUT,
      .fini = s_cleanup)
{
    run_t *run = run_new ();
    run_t *node2 = run_new ();
    s_keygen (run->dir, "n1");
    s_keygen (run->dir, "n2");
    char *nodes = s_nodes_text (run->dir, s_free_port (), s_free_port (), 0);
    char *topology = zsys_sprintf ("run\n    name = parents\n%s"
                                   PROBE_GROUP ("p", "    node = n1\n")
                                   PROBE_GROUP ("c", "    node = n2\n    parent = p/p\n"),
                                   nodes);
    run_write (run, topology);
    s_node_go (run, node2, "n2");
    s_node_go (run, run, "n1");
    pid_t child = run_pid (node2, "ready", "c", S_WAIT);
    probe_expect (run, "p/p", "hello", S_WAIT);
    probe_expect (run, "c/p", "hello", S_WAIT);
    cr_assert_eq (kill (child, SIGKILL), 0);
    zmsg_t *down = probe_take (run, "p/p", "down", S_WAIT * 2);
    cr_assert_not_null (down, "p/p heard nothing; n2:\n%s", node2->err);
    zmsg_first (down);
    zmsg_next (down);
    char *text = zframe_strdup (zmsg_next (down));
    char *wanted = zsys_sprintf ("c %d 0 signal 9", (int) child);
    cr_assert (strncmp (text, wanted, strlen (wanted)) == 0, "'%s'", text);
    free (wanted);
    free (text);
    zmsg_destroy (&down);
    s_node_end (&node2, "n2");
    run_signal (run, SIGTERM);
    cr_assert_eq (run_wait (run, S_WAIT), 0, "%s", run->err);
    run_destroy (&run);
    free (topology);
    free (nodes);
}
