/*  test_groups - messages between the groups of a run, end to end: real
    group processes under actor-run, real signals
    SPDX-License-Identifier: MPL-2.0

    Each test runs one topology of two groups: "b" holds a built-in echo
    and a "receiver", "a" holds a "sender" (both classes from
    examples/plugins/stream.c). The actors report to the test over their
    own DEALER sockets (the probe helpers of test_supervisor.h), and the
    receiver records every life of its process in a file mapped shared, so
    what a killed receiver had taken is still there to check.

    The sender finds its targets with act_find. A group's counters
    (act_transport_stats) are out of reach here: they need the group's
    act_system_t, which no actor can get. The tests check what they stand
    for through behaviour: the sender's own count of refusals, the
    receiver's record, the group's log.
*/
#include "test_groups.h"

//  ----------------------------------------------------------------------

S_BOTH_LINKS (ping_pong_and_asks_between_two_groups)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link });
    s_find (g, "main", "b/echo");
    s_find (g, "alt", "b/nobody");

    //  Ping-pong: tell, then the echo's reply comes back as a message to
    //  the actor, with the same number; 1000 times, one at a time.
    s_command (g, "ping", "1000", NULL);
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT * 2);
    cr_assert_not_null (pong, "no end of ping-pong; log:\n%s", g->run->err);
    cr_assert_eq (s_frame_int (pong, 2), 1000);
    cr_assert_eq (s_frame_int (pong, 4), 0, "replies out of order or refused");
    cr_log_info ("groups: cross-group round trip %.1f us",
                 (double) s_frame_int (pong, 3) / 1000);
    zmsg_destroy (&pong);

    //  Asks, from the sender's worker pool (an actor's callback may not
    //  wait): three at once, each gets its own reply.
    s_command (g, "ask", "3", "echo", "20000", "main", NULL);
    bool seen [3] = { false };
    for (int i = 0; i < 3; i++) {
        zmsg_t *asked = probe_take (g->run, "a/src", "asked", S_WAIT);
        cr_assert_not_null (asked, "ask %d got no answer", i);
        cr_assert_eq (s_frame_int (asked, 2), 0, "ask failed with errno %d",
                      (int) s_frame_int (asked, 2));
        char *reply = zframe_strdup (zmsg_last (asked));
        int index = -1;
        cr_assert_eq (sscanf (reply, "ask-%d", &index), 1, "reply '%s'", reply);
        cr_assert (index >= 0 && index < 3 && !seen [index], "reply '%s'", reply);
        seen [index] = true;
        free (reply);
        zmsg_destroy (&asked);
    }

    s_expect_unknown_fails (g);
    s_groups_destroy (&g);
}

S_BOTH_LINKS (a_million_messages_arrive_complete_and_in_order)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link });
    s_stream_a_million (g, "groups");
    s_groups_destroy (&g);
}

//  Payloads of 64 bytes and of 1 MiB, every byte checked by the receiver
//  (stream.h: a torn or mixed-up payload counts as bad).
S_BOTH_LINKS (payloads_of_64_bytes_and_1_mib_arrive_whole)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link });
    s_find (g, "main", "b/recv");
    s_command (g, "stream", "20000", "size=64", NULL);
    s_counts_t sent = s_counts_take (g, "streamed", 30000);
    cr_assert_eq (sent.next, 20000);
    const uint64_t big = S_ASAN ? 50 : 300;
    char count [24];
    snprintf (count, sizeof count, "%" PRIu64, big);
    s_command (g, "stream", count, "size=1048576", NULL);
    sent = s_counts_take (g, "streamed", 45000);
    cr_assert_eq (sent.next, 20000 + big);
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= 20000 + big, 30000),
               "%" PRIu64 " of %" PRIu64 " arrived", s_taken (g), 20000 + big);
    cr_assert_eq (s_lives (g), 1);
    cr_assert_eq (s_check_lives (g, 20000 + big), 20000 + big);
    cr_log_info ("groups (%s): 20000 x 64 B and %" PRIu64 " x 1 MiB arrived whole, "
                 "%" PRIu64 " refusals retried", link, big, sent.eagain);
    s_groups_destroy (&g);
}

//  A receiver that takes 1 ms a message, flooded with 8 KiB messages for
//  10 s: its group stops taking input past its bound (4 MiB here), the
//  sender is refused for room instead, and every message it was told
//  was accepted arrives. Past the bound, what the group holds is the
//  link's own: the ring, or ZeroMQ's receive queue (hwm / 16 batches of
//  up to 64 KiB) and the kernel's buffers.
//  The receiver busy-waits in its handler (the miss limit of
//  test_groups.h keeps it from being taken for hung). intensity = 0: any
//  restart fails the test.
static void
s_flood_a_slow_receiver (s_options_t options, int seconds)
{
    const char *link = options.link;
    s_groups_t *g = s_groups_new (options);
    s_find (g, "main", "b/recv");
    long rss_before = s_rss_kb (g->b);
    s_command (g, "stream", "0", "size=8192 flood", NULL);
    long rss_max = rss_before;
    int64_t until = act_test_now_ms () + seconds * 1000;
    while (act_test_now_ms () < until) {
        RUN_UNTIL (g->run, false, 100);
        long rss = s_rss_kb (g->b);
        rss_max = rss > rss_max ? rss : rss_max;
    }
    s_command (g, "halt", NULL);
    s_counts_t sent = s_counts_take (g, "halted", S_WAIT);
    cr_assert_gt (sent.eagain, 0, "the sender was never refused");
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= sent.next, 30000),
               "%" PRIu64 " of %" PRIu64 " accepted arrived", s_taken (g), sent.next);
    cr_assert_eq (s_lives (g), 1, "b was restarted; log:\n%s", g->run->err);
    cr_assert_eq (s_check_lives (g, sent.next), sent.next);
    cr_assert_lt (rss_max - rss_before, 16 * 1024, "b grew from %ld kB to %ld kB",
                  rss_before, rss_max);
    cr_log_info ("groups (%s): slow receiver: %" PRIu64 " accepted and delivered, %"
                 PRIu64 " refusals, RSS %ld kB -> %ld kB at most", link, sent.next,
                 sent.eagain, rss_before, rss_max);
    s_groups_destroy (&g);
}

S_BOTH_LINKS (a_flooded_slow_receiver_stays_within_its_bound)
{
    s_flood_a_slow_receiver ((s_options_t) {
        .link = link, .flat_rss = true, .recv_args = " slow=1000",
        .run_extra = "    inbound_bytes = 4M\n    intensity = 0\n" }, 10);
}

//  The same with the group's default bounds (64 MiB), which would let
//  the receiver grow past the check: the receiver's class bounds its own
//  mailbox (256 messages, 2 MiB here).
S_BOTH_LINKS (a_class_bounds_its_own_mailbox)
{
    s_flood_a_slow_receiver ((s_options_t) {
        .link = link, .flat_rss = true, .recv_args = " slow=1000",
        .recv_class = "bounded_receiver",
        .run_extra = "    intensity = 0\n" }, 3);
}

//  Asks from a to b and from b to a at once; each gets its own reply.
S_BOTH_LINKS (asks_both_ways)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link });
    s_find_by (g, "a/src", "main", "b/echo");
    s_find_by (g, "b/src", "main", "a/echo");
    s_command_to (g, "a/src", "ask", "20", "echo", "20000", "main", NULL);
    s_command_to (g, "b/src", "ask", "20", "echo", "20000", "main", NULL);
    s_expect_asks (g, "a/src", 20);
    s_expect_asks (g, "b/src", 20);
    s_groups_destroy (&g);
}

//  What "the counts add up" means between groups, where delivery is at
//  most once. The sender offers each number until a tell accepts it: a
//  refused tell (act_tell -1, EAGAIN or EHOSTUNREACH) is the sender's to
//  see, the message is gone and counted as dropped by the transport, and
//  the sender offers that number again. So offered = accepted + refused,
//  and every number is accepted exactly once: accepted == next. Each
//  accepted message is then either delivered once, in order, or lost,
//  and it may only be lost in the crash window: in the dead group's
//  socket, mailbox or the kernel between them, or in the batch the
//  sender's transport drops when the supervisor says the peer is down
//  (those are counted as sent and as dropped there). So delivered +
//  lost == accepted, and the lost numbers are exactly those between the
//  last one the killed receiver took and the first one its new life got.
//  The transport's own counters (sent, dropped) are the group's
//  act_transport_stats, which no actor can read (see the top).
//  b's restart waits 300 ms: a's tells are refused while b is down, and
//  the check that some were needs a's word of the death before the next
//  life joins (once it has joined or spoken, b is up again, and a word
//  that comes later changes nothing). The default 10 ms was once too
//  short for a busy sender under ASan.
S_BOTH_LINKS (kill9_of_the_receiver_mid_stream)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link,
                                                   .run_extra = "    intensity = 100\n"
                                                                "    backoff_min = 300ms\n" });
    s_stream_flowing (g, 100000);

    //  Asks the receiver keeps without answering: pending toward b.
    s_hold_asks (g, 3);
    cr_assert_eq (kill (g->b, SIGKILL), 0);
    int failed_ms = s_asks_fail (g, 3, act_test_now_ms (), 5000);

    //  b comes back on its own; the sender's tells reach the new receiver.
    char *stop = zsys_sprintf ("stop b pid %d: signal 9", (int) g->b);
    run_expect (g->run, S_WAIT, stop);
    free (stop);
    pid_t again = run_pid (g->run, "ready", "b", S_WAIT);
    probe_expect (g->run, "b/recv", "hello", S_WAIT);
    cr_assert (RUN_UNTIL (g->run, s_lives (g) == 2 && s_taken (g) >= 10000, 20000),
               "no new messages after the restart");
    uint64_t delivered;
    s_counts_t sent = s_check_one_restart (g, again, &delivered);
    cr_log_info ("groups: kill -9: %" PRIu64 " accepted, %" PRIu64 " delivered, %" PRIu64
                 " lost in the crash window; refused %" PRIu64 " at the hwm, %" PRIu64
                 " while down; asks failed in %d ms", sent.accepted, delivered,
                 sent.accepted - delivered, sent.eagain, sent.down, failed_ms);
    s_groups_destroy (&g);
}

//  The same, three times over.
S_BOTH_LINKS (stream_while_the_receiver_is_killed_again_and_again)
{
    const int kills = 3;
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link,
                                                   .run_extra = "    intensity = 100\n" });
    s_find (g, "main", "b/recv");
    s_command (g, "stream", "0", "", NULL);
    pid_t b = g->b;
    int64_t born = act_test_now_ms ();
    for (int kill_no = 0; kill_no < kills; kill_no++) {
        //  Every 1 to 1.5 s, and never before this life got a good part
        //  of the stream: the kill falls mid-stream.
        int64_t due = born + 1000 + (kill_no % 2) * 500;
        cr_assert (RUN_UNTIL (g->run, s_lives (g) == (uint64_t) kill_no + 1
                              && s_taken (g) >= 20000 && act_test_now_ms () >= due, 20000),
                   "life %d got %" PRIu64 " numbers", kill_no, s_taken (g));
        cr_assert_eq (kill (b, SIGKILL), 0);
        b = run_pid (g->run, "ready", "b", S_WAIT);
        probe_expect (g->run, "b/recv", "hello", S_WAIT);
        born = act_test_now_ms ();
    }
    cr_assert (RUN_UNTIL (g->run, s_lives (g) == (uint64_t) kills + 1
                          && s_taken (g) >= 20000, 20000),
               "no messages after the last restart");
    s_command (g, "halt", NULL);
    s_counts_t sent = s_counts_take (g, "halted", S_WAIT);
    cr_assert (RUN_UNTIL (g->run, s_life (g, kills).last + 1 >= sent.next, 20000),
               "the tail of the stream did not arrive");
    cr_assert_eq (s_lives (g), kills + 1);
    cr_assert_eq (sent.accepted, sent.next);
    uint64_t delivered = s_check_lives (g, sent.next);
    cr_log_info ("groups: %d kills: %" PRIu64 " accepted, %" PRIu64 " delivered, %" PRIu64
                 " lost, all between lives", kills, sent.accepted, delivered,
                 sent.accepted - delivered);
    s_groups_destroy (&g);
}

//  Monitors across groups: a/src watches two actors of b, stops one with
//  act_ref_stop (its DOWN carries the code), then b is killed -9 and the
//  other monitor fires as "lost".
S_BOTH_LINKS (monitors_and_stop_across_groups)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = link,
                                                   .run_extra = "    intensity = 100\n" });
    s_monitors_and_stop (g, g->b);
    run_pid (g->run, "ready", "b", S_WAIT);
    s_groups_destroy (&g);
}

//  The receiver's handler blocks at number 1000, so its group stops
//  reading; the run's hwm is 100 messages toward a peer. The sender
//  floods: a refused number is offered again at once, so hundreds of
//  thousands of refused messages go by, which would show in its memory
//  if the transport kept any of them.
Test (groups, high_water_mark_refuses_with_bounded_memory,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    const uint64_t total = 20000;
    s_groups_t *g = s_groups_new ((s_options_t) {
        .link = "ipc", .run_extra = "    hwm = 100\n", .gate = true, .flat_rss = true });
    s_find (g, "main", "b/recv");
    s_command (g, "stream", "20000", "flood size=64", NULL);
    probe_expect (g->run, "b/recv", "blocked", S_WAIT);
    zmsg_t *refused = probe_take (g->run, "a/src", "refused", S_WAIT);
    cr_assert_not_null (refused, "the sender was never refused");
    cr_assert_eq (s_frame_int (refused, 2), EAGAIN);
    zmsg_destroy (&refused);

    s_counts_t full = s_counts (g);
    long rss_full = s_rss_kb (g->a);
    s_counts_t later = full;
    cr_assert (RUN_UNTIL (g->run, (later = s_counts (g)).eagain >= full.eagain + 500000,
                          30000),
               "only %" PRIu64 " refusals", later.eagain - full.eagain);
    long rss_later = s_rss_kb (g->a);
    //  Bounded: what is in flight past the blocked handler is the hwm in
    //  batches, plus what the kernel and the receiver's mailbox hold.
    uint64_t in_flight = later.accepted - 1001;
    cr_assert_lt (in_flight, 50000, "%" PRIu64 " messages accepted past a blocked receiver",
                  in_flight);
    cr_assert_eq (later.accepted, later.next);
    cr_assert_lt (rss_later - rss_full, 8 * 1024,
                  "the sender grew from %ld kB to %ld kB over %" PRIu64 " refusals",
                  rss_full, rss_later, later.eagain - full.eagain);
    cr_log_info ("groups: hwm 100: %" PRIu64 " in flight at the first refusal, %" PRIu64
                 " later; sender RSS %ld kB -> %ld kB over %" PRIu64 " refusals",
                 full.accepted - 1001, in_flight, rss_full, rss_later,
                 later.eagain - full.eagain);

    //  The receiver resumes: the stream completes, every number once.
    cr_assert_eq (write (g->gate, "x", 1), 1);
    probe_expect (g->run, "b/recv", "resumed", S_WAIT);
    s_counts_t sent = s_counts_take (g, "streamed", 30000);
    cr_assert_eq (sent.next, total);
    cr_assert_eq (sent.down + sent.other, 0, "refused for another reason than the hwm");
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= total, 20000),
               "%" PRIu64 " of %" PRIu64 " arrived", s_taken (g), total);
    cr_assert_eq (s_lives (g), 1);
    cr_assert_eq (s_check_lives (g, total), total);
    s_groups_destroy (&g);
}

//  A batch for b/echo as the codec makes it, for the rogue to spoil.
static zframe_t *
s_batch (void)
{
    act_wire_batch_t batch = { NULL };
    act_wire_batch_reset (&batch);
    act_msg_t *msg = act_msg_new_str (7, "rogue");
    act_wire_batch_add (&batch, "echo", NULL, 0, msg);
    act_msg_destroy (&msg);
    batch.data [0] = ACT_WIRE_MAGIC;
    batch.data [1] = ACT_WIRE_VERSION;
    batch.data [2] = 0;
    batch.data [3] = 1;
    zframe_t *frame = zframe_new (batch.data, batch.size);
    act_wire_batch_free (&batch);
    return frame;
}

static void
s_rogue_send (zsock_t *rogue, zframe_t **frame_p)
{
    cr_assert_eq (zframe_send (frame_p, rogue, 0), 0);
}

Test (groups, a_rogue_process_cannot_hurt_a_group,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) {
        .link = "ipc", .run_extra = "    max_msg_size = 64k\n", .flat_rss = true });
    s_find (g, "main", "b/echo");
    s_command (g, "ping", "10", NULL);
    probe_expect (g->run, "a/src", "pong", S_WAIT);
    long rss_before = s_rss_kb (g->b);

    char *endpoint = zsys_sprintf ("ipc://%s/b", g->run->rundir);
    zsock_t *rogue = act_test_dealer_named (endpoint, "rogue");
    cr_assert_not_null (rogue, "a process of ours may connect");
    zsock_set_sndtimeo (rogue, 5000);
    //  Garbage; too many frames; a batch cut short; one with bytes after
    //  its last record; one from another version of the codec.
    zstr_send (rogue, "garbage");
    cr_assert_eq (zsock_send (rogue, "sss", "one", "two", "three"), 0);
    zframe_t *frame = s_batch ();
    zframe_t *cut = zframe_new (zframe_data (frame), zframe_size (frame) - 3);
    s_rogue_send (rogue, &cut);
    zframe_t *longer = zframe_new (NULL, zframe_size (frame) + 2);
    memcpy (zframe_data (longer), zframe_data (frame), zframe_size (frame));
    s_rogue_send (rogue, &longer);
    zframe_data (frame) [1] = ACT_WIRE_VERSION + 1;
    s_rogue_send (rogue, &frame);
    //  Then a flood of garbage, for the memory and the count.
    const int flood = 10000;
    for (int i = 0; i < flood; i++) {
        zframe_t *junk = zframe_new (NULL, 64 + i % 64);
        memset (zframe_data (junk), i & 0xFF, zframe_size (junk));
        s_rogue_send (rogue, &junk);
    }
    //  And a frame over max_msg_size, from a connection of its own: libzmq
    //  drops the connection that carries it, with what was on it.
    zsock_t *big = act_test_dealer_named (endpoint, "big");
    cr_assert_not_null (big);
    zframe_t *huge = zframe_new (NULL, 1 << 20);
    memset (zframe_data (huge), 0xAC, zframe_size (huge));
    s_rogue_send (big, &huge);

    //  The group counts what it drops and logs the count at each power of
    //  two (on its stdout, actor-run relays it as "b[PID]: b: ..."): 8192
    //  means at least that many refused, the group reading on.
    cr_assert (RUN_UNTIL (g->run, strstr (g->run->out, "b: dropped malformed message (header),"
                                          " 1 so far")
                          && strstr (g->run->out, "b: dropped malformed message (header),"
                                     " 8192 so far"), 20000),
               "no count of 8192 malformed messages in b's output:\n%s", g->run->out);
    //  The connection libzmq dropped is counted where the others are.
    cr_assert (RUN_UNTIL (g->run, strstr (g->run->out, "b: refused a connection (dropped, "
                                          "from outside the run), 1 so far"), 20000),
               "no refused connection in b's output:\n%s", g->run->out);
    s_command (g, "ping", "10", NULL);
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT);
    cr_assert_not_null (pong, "no round trip after the garbage; log:\n%s", g->run->err);
    cr_assert_eq (s_frame_int (pong, 4), 0);
    zmsg_destroy (&pong);
    cr_assert_eq (kill (g->b, 0), 0, "group b died");
    cr_assert_eq (run_count (g->run, "actor-run: stop b"), 0, "group b stopped; log:\n%s",
                  g->run->err);
    long rss_after = s_rss_kb (g->b);
    cr_assert_lt (rss_after - rss_before, 8 * 1024, "group b grew from %ld kB to %ld kB",
                  rss_before, rss_after);
    cr_log_info ("groups: rogue: b's RSS %ld kB -> %ld kB over %d malformed frames",
                 rss_before, rss_after, flood + 5);
    zsock_destroy (&big);
    zsock_destroy (&rogue);
    free (endpoint);
    s_groups_destroy (&g);
}

//  The shm link's test of a sender killed a hundred times mid-stream
//  (test_shm.c), on the ipc link: each life's numbers from 0, in order,
//  none torn, the losses only at the end of a life.
Test (groups, kill9_of_the_sender_a_hundred_times_mid_stream_over_ipc,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_kill_the_sender ("ipc", "64", 100);
}

//  A group may be stopped as long as it likes under heartbeat = off
//  (SIGSTOP, a debugger). While a is, c is killed and restarts again and
//  again, each time a peer-down and a peer-up for it, until a's control
//  socket is full and actor-run cannot send it more; then b is stopped
//  for good. Once a runs again, it must know that b is down: its asks to
//  b fail at once (ESRCH), not after their timeout (ETIMEDOUT), as they
//  would for ever if that peer-down were lost.
Test (groups, a_stopped_group_hears_the_last_state_of_its_peers,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = (s_groups_t *) zmalloc (sizeof (s_groups_t));
    g->run = run_new ();
    g->gate = -1;
    s_current = g;
    g->file = (stream_file_t *) mmap (NULL, sizeof (stream_file_t), PROT_READ,
                                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq (g->file, MAP_FAILED);
    run_write (g->run,
               "run\n"
               "    name = stale\n"
               "    heartbeat = off\n"
               "    intensity = 10000\n"
               "    backoff_min = 0ms\n"
               "group = b\n"
               "    actor = echo\n"
               "        class = echo\n"
               "group = c\n"
               "    actor = echo\n"
               "        class = echo\n"
               "group = a\n"
               "    plugin = " STREAM_SO "\n"
               "    actor = src\n"
               "        class = sender\n"
               "        args = \"@EP@\"\n");
    run_go (g->run);
    g->b = run_pid (g->run, "ready", "b", S_WAIT);
    pid_t c = run_pid (g->run, "ready", "c", S_WAIT);
    g->a = run_pid (g->run, "ready", "a", S_WAIT);
    probe_expect (g->run, "a/src", "hello", S_WAIT);
    s_find (g, "main", "b/echo");

    //  Each cycle is two notices for a: the socket's buffer, some hundred
    //  of them, is full long before the bound.
    cr_assert_eq (kill (g->a, SIGSTOP), 0);
    int cycles = 0;
    while (cycles < 1000 && !run_count (g->run, "peer notices to a wait")) {
        cr_assert_eq (kill (c, SIGKILL), 0);
        c = run_pid (g->run, "ready", "c", S_WAIT);
        cycles++;
    }
    run_cmd_t cmd = run_command_groups (g->run, S_WAIT, "stop", "b");
    cr_assert_eq (cmd.code, 0, "stop b: %s", cmd.err);
    run_cmd_free (&cmd);
    run_expect (g->run, S_WAIT, "held b");
    cr_assert_eq (kill (g->a, SIGCONT), 0);

    //  a reads what waited, then what it is sent again. An ask that comes
    //  before may still wait out its timeout; a later one must fail at once.
    int err = -1;
    int64_t deadline = act_test_now_ms () + S_WAIT;
    while (err != ESRCH && act_test_now_ms () < deadline) {
        s_command (g, "ask", "1", "echo", "1000", "main", NULL);
        zmsg_t *asked = probe_take (g->run, "a/src", "asked", S_WAIT);
        cr_assert_not_null (asked, "the ask got no answer");
        err = (int) s_frame_int (asked, 2);
        zmsg_destroy (&asked);
    }
    cr_assert_eq (err, ESRCH, "a's asks to b, which is stopped, end with errno %d, not "
                  "ESRCH, after %d restarts of c while a was stopped; log:\n%s", err,
                  cycles, g->run->err);
    cr_log_info ("groups: a stopped through %d restarts of c, told its peers' state again",
                 cycles);
    s_groups_destroy (&g);
}
