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
#include "test_supervisor.h"
#include "act_wire.h"
#include "../examples/plugins/stream.h"
#include <sys/mman.h>

#define STREAM_SO   ACTORIO_BINARY_DIR "/examples/plugins/stream.so"

//  One value for every test of the file: Criterion 2.4.1 mishandles mixed
//  timeouts under --jobs.
#define S_TIMEOUT   60

//  How long one expected event may take, sanitizers and a busy machine
//  included; never how long it should take.
#define S_WAIT      10000

#if defined (__SANITIZE_ADDRESS__)
#   define S_ASAN   1
#else
#   define S_ASAN   0
#endif

typedef struct {
    run_t *run;
    stream_file_t *file;        //  the receiver's record, mapped shared
    int gate;                   //  write end of the receiver's FIFO, or -1
    pid_t a;                    //  the groups' processes, as started
    pid_t b;
} s_groups_t;

typedef struct {
    const char *run_extra;      //  more lines for the run section
    bool gate;                  //  receiver blocks at number 1000 until
                                //  the test writes to its FIFO
    bool flat_rss;              //  the test compares RSS: under ASan, keep
                                //  freed blocks out of quarantine so RSS
                                //  says what the runtime holds
} s_options_t;

//  The test's run, for s_cleanup when an assertion ends the test early.
static s_groups_t *s_current;

//  Starts the run: group b (echo "b/echo", receiver "b/recv") then group
//  a (sender "a/src"); waits until both are ready and their actors said
//  hello.
static s_groups_t *
s_groups_new (s_options_t options)
{
    s_groups_t *self = (s_groups_t *) zmalloc (sizeof (s_groups_t));
    self->run = run_new ();
    self->gate = -1;
    run_t *run = self->run;

    //  The record file exists before the receiver maps it: no race on it.
    char *path = zsys_sprintf ("%s/recv.bin", run->dir);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    cr_assert_neq (fd, -1);
    cr_assert_eq (ftruncate (fd, sizeof (stream_file_t)), 0);
    self->file = (stream_file_t *) mmap (NULL, sizeof (stream_file_t), PROT_READ,
                                         MAP_SHARED, fd, 0);
    cr_assert_neq (self->file, MAP_FAILED);
    close (fd);

    char *gate = strdup ("");
    if (options.gate) {
        char *fifo = zsys_sprintf ("%s/gate", run->dir);
        cr_assert_eq (mkfifo (fifo, 0600), 0);
        //  Read-write: open does not wait for the receiver, and the
        //  receiver's open does not wait for us.
        self->gate = open (fifo, O_RDWR | O_CLOEXEC);
        cr_assert_neq (self->gate, -1);
        free (gate);
        gate = zsys_sprintf (" gate=%s at=1000", fifo);
        free (fifo);
    }
    if (options.flat_rss && S_ASAN) {
        const char *was = getenv ("ASAN_OPTIONS");
        char *asan = zsys_sprintf ("%s%squarantine_size_mb=1", was ? was : "",
                                   was && *was ? ":" : "");
        setenv ("ASAN_OPTIONS", asan, 1);
        free (asan);
    }
    char *topology = zsys_sprintf (
        "run\n"
        "    name = groups\n"
        "%s"
        "group = b\n"
        "    plugin = " STREAM_SO "\n"
        "    actor = echo\n"
        "        class = echo\n"
        "    actor = recv\n"
        "        class = receiver\n"
        "        args = \"@EP@ %s%s\"\n"
        "group = a\n"
        "    plugin = " STREAM_SO "\n"
        "    actor = src\n"
        "        class = sender\n"
        "        args = \"@EP@\"\n",
        options.run_extra ? options.run_extra : "", path, gate);
    run_write (run, topology);
    free (topology);
    free (gate);
    free (path);

    run_go (run);
    self->b = run_pid (run, "ready", "b", S_WAIT);
    self->a = run_pid (run, "ready", "a", S_WAIT);
    probe_expect (run, "b/recv", "hello", S_WAIT);
    probe_expect (run, "a/src", "hello", S_WAIT);
    s_current = self;
    return self;
}

//  Ends the run as an operator would (SIGTERM), checks that it ends
//  well, and cleans up.
static void
s_groups_destroy (s_groups_t **self_p)
{
    s_groups_t *self = *self_p;
    s_current = NULL;
    run_signal (self->run, SIGTERM);
    int code = run_wait (self->run, S_WAIT);
    cr_assert_eq (code, 0, "actor-run ended with %d; log:\n%s", code, self->run->err);
    //  A sanitizer's report in a group would otherwise pass unseen.
    cr_assert (!strstr (self->run->err, "Sanitizer") && !strstr (self->run->out, "Sanitizer")
               && !strstr (self->run->err, "runtime error:")
               && !strstr (self->run->out, "runtime error:"),
               "a sanitizer spoke; log:\n%s\noutput:\n%s", self->run->err, self->run->out);
    munmap (self->file, sizeof (stream_file_t));
    if (self->gate >= 0) {
        close (self->gate);
    }
    run_destroy (&self->run);
    free (self);
    *self_p = NULL;
}

//  After a failed assertion: the run goes too (run_destroy kills it).
static void
s_cleanup (void)
{
    s_groups_t *self = s_current;
    s_current = NULL;
    if (self) {
        munmap (self->file, sizeof (stream_file_t));
        if (self->gate >= 0) {
            close (self->gate);
        }
        run_destroy (&self->run);
        free (self);
    }
}

//  Sends a command to a/src: its frames, NULL-terminated.
static void
s_command (s_groups_t *self, const char *command, ...)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, "a/src");
    zmsg_addstr (msg, command);
    va_list args;
    va_start (args, command);
    const char *arg;
    while ((arg = va_arg (args, const char *))) {
        zmsg_addstr (msg, arg);
    }
    va_end (args);
    cr_assert_eq (zmsg_send (&msg, self->run->router), 0);
}

//  Makes a/src find target (an address) and keep it in slot "main" or
//  "alt".
static void
s_find (s_groups_t *self, const char *slot, const char *target)
{
    s_command (self, "find", slot, target, NULL);
    zmsg_t *said = probe_take (self->run, "a/src", "found", S_WAIT);
    cr_assert_not_null (said, "a/src did not answer find %s", target);
    zmsg_first (said);
    zmsg_next (said);
    cr_assert (zframe_streq (zmsg_next (said), slot));
    cr_assert (zframe_streq (zmsg_next (said), target), "a/src did not find %s", target);
    zmsg_destroy (&said);
}

//  Frame i (0: routing id, 1: kind) of a report, as a number.
static int64_t
s_frame_int (zmsg_t *msg, size_t index)
{
    zframe_t *frame = zmsg_first (msg);
    for (size_t i = 0; i < index && frame; i++) {
        frame = zmsg_next (msg);
    }
    cr_assert_not_null (frame);
    char *text = zframe_strdup (frame);
    int64_t value = strtoll (text, NULL, 10);
    free (text);
    return value;
}

typedef struct {
    uint64_t next;              //  numbers accepted so far (each once)
    uint64_t accepted;          //  tells that returned 0
    uint64_t eagain;            //  refused at the high-water mark
    uint64_t down;              //  refused while the peer was down
    uint64_t other;             //  refused for another reason
    int64_t ms;                 //  since the stream began
} s_counts_t;

//  Takes a/src's next report of kind ("streamed", "halted", "counts").
static s_counts_t
s_counts_take (s_groups_t *self, const char *kind, int ms)
{
    zmsg_t *msg = probe_take (self->run, "a/src", kind, ms);
    cr_assert_not_null (msg, "no '%s' from a/src within %d ms; log:\n%s", kind, ms,
                        self->run->err);
    s_counts_t counts = {
        (uint64_t) s_frame_int (msg, 2), (uint64_t) s_frame_int (msg, 3),
        (uint64_t) s_frame_int (msg, 4), (uint64_t) s_frame_int (msg, 5),
        (uint64_t) s_frame_int (msg, 6), s_frame_int (msg, 7)
    };
    zmsg_destroy (&msg);
    return counts;
}

static s_counts_t
s_counts (s_groups_t *self)
{
    s_command (self, "counts", NULL);
    return s_counts_take (self, "counts", S_WAIT);
}

//  The receiver's record of one life, as it is now.
static stream_life_t
s_life (s_groups_t *self, uint64_t index)
{
    stream_life_t *life = &self->file->life [index];
    stream_life_t copy = {
        __atomic_load_n (&life->pid, __ATOMIC_RELAXED),
        __atomic_load_n (&life->first, __ATOMIC_RELAXED),
        __atomic_load_n (&life->last, __ATOMIC_RELAXED),
        __atomic_load_n (&life->count, __ATOMIC_RELAXED),
        __atomic_load_n (&life->dups, __ATOMIC_RELAXED),
        __atomic_load_n (&life->gaps, __ATOMIC_RELAXED),
        __atomic_load_n (&life->gap_from, __ATOMIC_RELAXED),
        __atomic_load_n (&life->gap_at, __ATOMIC_RELAXED),
        __atomic_load_n (&life->bad, __ATOMIC_RELAXED)
    };
    return copy;
}

static uint64_t
s_lives (s_groups_t *self)
{
    return __atomic_load_n (&self->file->lives, __ATOMIC_ACQUIRE);
}

//  Numbers the receiver took in its current life.
static uint64_t
s_taken (s_groups_t *self)
{
    uint64_t lives = s_lives (self);
    return lives ? s_life (self, lives - 1).count : 0;
}

//  Checks the receiver's lives against the stream the sender accepted,
//  numbers 0 to next - 1, and returns how many numbers arrived.
//  At most once: in every life each number came once and in order, each
//  life after the one before, and the last life got the tail up to next.
//  Then, checked last: every life got an unbroken run, so the numbers
//  that never arrived (if any) all fall between two lives, where the
//  receiver's group was being restarted.
static uint64_t
s_check_lives (s_groups_t *self, uint64_t next)
{
    uint64_t lives = s_lives (self), delivered = 0;
    cr_assert_geq (lives, 1);
    for (uint64_t i = 0; i < lives; i++) {
        stream_life_t life = s_life (self, i);
        cr_assert_gt (life.count, 0, "life %" PRIu64 " got nothing", i);
        cr_assert_eq (life.dups, 0, "life %" PRIu64 " got %" PRIu64 " numbers twice "
                      "or out of order", i, life.dups);
        cr_assert_eq (life.bad, 0);
        if (i == 0) {
            cr_assert_eq (life.first, 0, "the first numbers were lost with no restart");
        }
        else {
            stream_life_t before = s_life (self, i - 1);
            cr_assert_gt (life.first, before.last, "life %" PRIu64 " begins at %" PRIu64
                          ", not after the last of the life before (%" PRIu64 ")",
                          i, life.first, before.last);
        }
        delivered += life.count;
    }
    cr_assert_eq (s_life (self, lives - 1).last, next - 1);
    cr_assert_leq (delivered, next);
    for (uint64_t i = 0; i < lives; i++) {
        stream_life_t life = s_life (self, i);
        cr_assert_eq (life.gaps, 0, "life %" PRIu64 " (pid %" PRId64 ", numbers %" PRIu64
                      " to %" PRIu64 ", %" PRIu64 " of them) has %" PRIu64 " gaps inside"
                      " it, the first from %" PRIu64 " to %" PRIu64 "; the life before"
                      " ended at %" PRIu64, i, life.pid, life.first, life.last, life.count,
                      life.gaps, life.gap_from, life.gap_at,
                      i ? s_life (self, i - 1).last : 0);
        cr_assert_eq (life.count, life.last - life.first + 1);
    }
    return delivered;
}

//  Resident set of a process, kB.
static long
s_rss_kb (pid_t pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file);
    long rss = -1;
    while (fgets (line, sizeof line, file)) {
        if (sscanf (line, "VmRSS: %ld", &rss) == 1) {
            break;
        }
    }
    fclose (file);
    cr_assert_gt (rss, 0);
    return rss;
}

//  ----------------------------------------------------------------------

Test (groups, ping_pong_and_asks_between_two_groups,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .run_extra = NULL });
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

    //  An ask to an actor that b does not have fails at once with ENOENT,
    //  well before its 20 s timeout.
    s_command (g, "ask", "1", "echo", "20000", "alt", NULL);
    zmsg_t *asked = probe_take (g->run, "a/src", "asked", S_WAIT);
    cr_assert_not_null (asked);
    cr_assert_eq (s_frame_int (asked, 2), ENOENT);
    cr_assert_lt (s_frame_int (asked, 3), 5000);
    zmsg_destroy (&asked);
    s_groups_destroy (&g);
}

Test (groups, a_million_messages_arrive_complete_and_in_order,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    const uint64_t total = 1000000;
    s_groups_t *g = s_groups_new ((s_options_t) { .run_extra = NULL });
    s_find (g, "main", "b/recv");
    int64_t start = act_test_now_ms ();
    s_command (g, "stream", "1000000", "", NULL);
    s_counts_t sent = s_counts_take (g, "streamed", 45000);
    cr_assert_eq (sent.next, total);
    cr_assert_eq (sent.accepted, total);
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= total, 30000),
               "%" PRIu64 " of %" PRIu64 " arrived", s_taken (g), total);
    int64_t ms = act_test_now_ms () - start;
    cr_assert_eq (s_lives (g), 1, "the receiver was restarted; log:\n%s", g->run->err);
    cr_assert_eq (s_check_lives (g, total), total);
    cr_log_info ("groups: %" PRIu64 " messages in %" PRId64 " ms, %.0f msgs/s; "
                 "%" PRIu64 " refusals at the high-water mark, retried", total, ms,
                 (double) total * 1000 / (double) (ms ? ms : 1), sent.eagain);
    s_groups_destroy (&g);
}

//  KNOWN FAILURE (runtime, reported): this test and the next fail most
//  runs on the check that gaps fall only between lives. When the
//  supervisor says b is down, act_transport.c (s_peer_state) drops the
//  batch not yet handed to ZeroMQ, but what ZeroMQ already queues toward
//  b survives the reconnect and reaches b's next life first; so the
//  dropped batch (256 numbers) shows up as a gap inside the new life, not
//  at its start. Order holds and nothing comes twice.
//
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
Test (groups, kill9_of_the_receiver_mid_stream,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .run_extra = "    intensity = 100\n" });
    s_find (g, "main", "b/recv");
    s_command (g, "stream", "0", "", NULL);
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= 100000, 20000), "the stream does not flow");

    //  Asks the receiver keeps without answering: pending toward b.
    s_command (g, "ask", "3", "hold", "30000", "main", NULL);
    for (int held = 0; held < 3; ) {
        zmsg_t *msg = probe_take (g->run, "b/recv", "held", S_WAIT);
        cr_assert_not_null (msg, "the asks did not reach b/recv");
        held = (int) s_frame_int (msg, 2);
        zmsg_destroy (&msg);
    }
    cr_assert_eq (kill (g->b, SIGKILL), 0);
    int64_t killed = act_test_now_ms ();
    for (int i = 0; i < 3; i++) {
        zmsg_t *asked = probe_take (g->run, "a/src", "asked", 20000);
        cr_assert_not_null (asked, "pending ask %d did not fail", i);
        cr_assert_eq (s_frame_int (asked, 2), ESRCH, "errno %d", (int) s_frame_int (asked, 2));
        zmsg_destroy (&asked);
    }
    int64_t failed_ms = act_test_now_ms () - killed;
    cr_assert_lt (failed_ms, 5000, "pending asks failed after %d ms, not at once",
                  (int) failed_ms);

    //  b comes back on its own; the sender's tells reach the new receiver.
    char *stop = zsys_sprintf ("stop b pid %d: signal 9", (int) g->b);
    run_expect (g->run, S_WAIT, stop);
    free (stop);
    pid_t again = run_pid (g->run, "ready", "b", S_WAIT);
    probe_expect (g->run, "b/recv", "hello", S_WAIT);
    cr_assert (RUN_UNTIL (g->run, s_lives (g) == 2 && s_taken (g) >= 10000, 20000),
               "no new messages after the restart");
    s_command (g, "halt", NULL);
    s_counts_t sent = s_counts_take (g, "halted", S_WAIT);
    cr_assert (RUN_UNTIL (g->run, s_life (g, 1).last + 1 >= sent.next, 20000),
               "the tail of the stream did not arrive: %" PRIu64 " of %" PRIu64,
               s_life (g, 1).last + 1, sent.next);

    cr_assert_eq (s_lives (g), 2);
    stream_life_t first = s_life (g, 0), second = s_life (g, 1);
    cr_assert_eq (first.pid, g->b);
    cr_assert_eq (second.pid, again);
    cr_assert_eq (sent.accepted, sent.next);
    uint64_t delivered = s_check_lives (g, sent.next);
    uint64_t lost = sent.accepted - delivered;
    cr_assert_eq (lost, second.first - first.last - 1);
    cr_assert_gt (sent.down, 0, "no tell was refused while b was down");
    cr_log_info ("groups: kill -9: %" PRIu64 " accepted, %" PRIu64 " delivered, %" PRIu64
                 " lost in the crash window; refused %" PRIu64 " at the hwm, %" PRIu64
                 " while down; asks failed in %d ms", sent.accepted, delivered, lost,
                 sent.eagain, sent.down, (int) failed_ms);
    s_groups_destroy (&g);
}

//  KNOWN FAILURE (runtime, reported): see the test above.
Test (groups, stream_while_the_receiver_is_killed_again_and_again,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    const int kills = 3;
    s_groups_t *g = s_groups_new ((s_options_t) { .run_extra = "    intensity = 100\n" });
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
        .run_extra = "    hwm = 100\n", .gate = true, .flat_rss = true });
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
        .run_extra = "    max_msg_size = 64k\n", .flat_rss = true });
    s_find (g, "main", "b/echo");
    s_command (g, "ping", "10", NULL);
    probe_expect (g->run, "a/src", "pong", S_WAIT);
    long rss_before = s_rss_kb (g->b);

    char *endpoint = zsys_sprintf ("ipc://%s/b", g->run->rundir);
    zsock_t *rogue = zsock_new_dealer (endpoint);
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
    zsock_t *big = zsock_new_dealer (endpoint);
    cr_assert_not_null (big);
    zframe_t *huge = zframe_new (NULL, 1 << 20);
    memset (zframe_data (huge), 0xAC, zframe_size (huge));
    s_rogue_send (big, &huge);

    //  The group counts what it drops and logs the count at each power of
    //  two (on its stdout, which actor-run relays as "b: ..."): 8192
    //  means at least that many refused, the group reading on.
    cr_assert (RUN_UNTIL (g->run, strstr (g->run->out, "b: dropped malformed message (header),"
                                          " 1 so far")
                          && strstr (g->run->out, "b: dropped malformed message (header),"
                                     " 8192 so far"), 20000),
               "no count of 8192 malformed messages in b's output:\n%s", g->run->out);
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
