/*  test_groups - helpers for end-to-end runs of two groups under actor-run
    (test_groups.c, test_groups_refs.c, test_shm.c)
    SPDX-License-Identifier: MPL-2.0

    Each test runs one topology of two groups: "b" holds a built-in echo,
    a "pauser" echo and a "receiver", "a" holds a "sender" and an echo
    (classes from examples/plugins/stream.c). The actors report to the
    test over their own DEALER sockets (the probe helpers of
    test_supervisor.h), and the receiver records every life of its
    process in a file mapped shared, so what a killed receiver had taken
    is still there to check.
*/
#ifndef TEST_GROUPS_H_INCLUDED
#define TEST_GROUPS_H_INCLUDED

#include "test_supervisor.h"
#include "act_wire.h"
#include "../examples/plugins/stream.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>

#define STREAM_SO   ACTORIO_BINARY_DIR "/examples/plugins/stream.so"

//  One value for every test of the file: Criterion 2.4.1 mishandles mixed
//  timeouts under --jobs.
#define S_TIMEOUT   60

//  How long one expected event may take, sanitizers and a busy machine
//  included; never how long it should take.
#define S_WAIT      10000

#if defined (ACT_TEST_ASAN)
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
    run_t *node2;               //  with nodes: the actor-run of node n2
                                //  (group b), sharing run's topology
    run_t *node3;               //  with nodes and third: node n3's (group c)
    int port1;                  //  with nodes: the ports of n1 (group a) ...
    int port2;                  //  ... and of n2 (group b)
    int port3;                  //  ... and of n3 (group c), or 0
} s_groups_t;

typedef struct {
    const char *link;           //  the run's link: "shm" (default) or "ipc"
    const char *run_extra;      //  more lines for the run section
    const char *src_args;       //  more args for a/src (" auto=...")
    const char *recv_args;      //  more args for b/recv (" slow=...")
    const char *recv_class;     //  b/recv's class, "receiver" if NULL
    const char *src_class;      //  a/src's class, "sender" if NULL
    bool third;                 //  a third group "c" with an echo, last
    bool gate;                  //  receiver blocks at number 1000 until
                                //  the test writes to its FIFO
    bool flat_rss;              //  the test compares RSS: under ASan, keep
                                //  freed blocks out of quarantine so RSS
                                //  says what the runtime holds
    bool nodes;                 //  a on node n1, b on node n2 (and c on
                                //  n3 with third): an actor-run each on
                                //  127.0.0.1, over tcp
} s_options_t;

//  A test run once over each link: shared memory (the default) and ipc.
#define S_BOTH_LINKS(name)                                                  \
    static void s_##name (const char *link);                                \
    Test (groups, name, .timeout = S_TIMEOUT, .fini = s_cleanup)            \
    {                                                                       \
        s_##name ("shm");                                                   \
    }                                                                       \
    Test (groups, name##_over_ipc, .timeout = S_TIMEOUT, .fini = s_cleanup) \
    {                                                                       \
        s_##name ("ipc");                                                   \
    }                                                                       \
    static void s_##name (const char *link)

//  The test's run, for s_cleanup when an assertion ends the test early.
static s_groups_t *s_current;

//  A port of 127.0.0.1 that nobody listens on now. The kernel picks it
//  (port 0), so two tests never pick the same one while both hold it;
//  the window between our close and the group's bind is small.
static inline int
s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_neq (fd, -1);
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t size = sizeof address;
    cr_assert_eq (bind (fd, (struct sockaddr *) &address, size), 0);
    cr_assert_eq (getsockname (fd, (struct sockaddr *) &address, &size), 0);
    close (fd);
    return ntohs (address.sin_port);
}

//  Writes dir/keys/NAME.pub and NAME.key with actor-run keygen.
static inline void
s_keygen (const char *dir, const char *name)
{
    char *keys = zsys_sprintf ("%s/keys", dir);
    run_cmd_t cmd = run_command_argv ((const char *[]) { ACTOR_RUN, "keygen", keys, name,
                                                         NULL }, S_WAIT);
    cr_assert_eq (cmd.code, 0, "keygen %s: %s", name, cmd.err);
    run_cmd_free (&cmd);
    free (keys);
}

//  The node sections of a run of nodes n1, n2 (and n3 if port3), for
//  dir's keys, and where their single groups listen.
static inline char *
s_nodes_text (const char *dir, int port1, int port2, int port3)
{
    const int ports [3] = { port1, port2, port3 };
    char *text = strdup ("");
    for (int i = 0; i < 3 && ports [i]; i++) {
        char *more = zsys_sprintf ("%snode = n%d\n    endpoint = tcp://127.0.0.1:%d\n"
                                   "    public_key = %s/keys/n%d.pub\n", text, i + 1,
                                   ports [i], dir, i + 1);
        free (text);
        text = more;
    }
    return text;
}

//  Stops a node's actor-run as an operator would (SIGTERM), checks that
//  it ended well and that no sanitizer spoke, and frees it.
static inline void
s_node_end (run_t **node_p, const char *name)
{
    run_t *node = *node_p;
    if (!node) {
        return;
    }
    run_signal (node, SIGTERM);
    int code = run_wait (node, S_WAIT);
    cr_assert_eq (code, 0, "node %s ended with %d; log:\n%s", name, code, node->err);
    cr_assert (!strstr (node->err, "Sanitizer") && !strstr (node->err, "runtime error:")
               && !strstr (node->out, "Sanitizer") && !strstr (node->out, "runtime error:"),
               "a sanitizer spoke on %s; log:\n%s\noutput:\n%s", name, node->err, node->out);
    run_destroy (node_p);
}

//  Starts node n1's or n2's actor-run on run's topology.
static inline void
s_node_go (run_t *run, run_t *node, const char *name)
{
    char *key = zsys_sprintf ("%s/keys/%s.key", run->dir, name);
    run_start (node, "--node", name, "--key", key, "--rundir", node->rundir, run->topology);
    free (key);
}

//  Starts the run: group b (echo "b/echo", pausing echo "b/pecho",
//  receiver "b/recv", sender "b/src") then group a (sender "a/src", echo
//  "a/echo"); waits until both are ready and their actors said hello.
static inline s_groups_t *
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
        char *saved = act_test_asan_add ("quarantine_size_mb=1");
        free (saved);           //  for the rest of this test process
    }
    char *nodes = strdup ("");
    if (options.nodes) {
        s_keygen (run->dir, "n1");
        s_keygen (run->dir, "n2");
        self->port1 = s_free_port ();
        self->port2 = s_free_port ();
        if (options.third) {
            s_keygen (run->dir, "n3");
            self->port3 = s_free_port ();
        }
        free (nodes);
        nodes = s_nodes_text (run->dir, self->port1, self->port2, self->port3);
    }
    char *topology = zsys_sprintf (
        "run\n"
        "    name = groups\n"
        "    link = %s\n"
        //  Busy loops share two CPUs with another test under --jobs 2 (and
        //  sanitizers): a generous miss limit keeps a starved loop from
        //  being taken for a hung one. Liveness has tests of its own.
        "    heartbeat_misses = 20\n"
        "%s%s"
        "group = b\n"
        "%s"
        "    plugin = " STREAM_SO "\n"
        "    actor = echo\n"
        "        class = echo\n"
        "    actor = pecho\n"
        "        class = pauser\n"
        "    actor = recv\n"
        "        class = %s\n"
        "        args = \"@EP@ %s%s%s\"\n"
        "    actor = src\n"
        "        class = sender\n"
        "        args = \"@EP@\"\n"
        "group = a\n"
        "%s"
        "    plugin = " STREAM_SO "\n"
        "    actor = src\n"
        "        class = %s\n"
        "        args = \"@EP@%s\"\n"
        "    actor = echo\n"
        "        class = echo\n"
        "%s",
        options.link ? options.link : "shm", options.run_extra ? options.run_extra : "",
        nodes, options.nodes ? "    node = n2\n" : "",
        options.recv_class ? options.recv_class : "receiver", path, gate, options.recv_args ? options.recv_args : "",
        options.nodes ? "    node = n1\n" : "",
        options.src_class ? options.src_class : "sender",
        options.src_args ? options.src_args : "",
        !options.third ? ""
        : options.nodes ? "group = c\n    node = n3\n    actor = echo\n        class = echo\n"
                        : "group = c\n    actor = echo\n        class = echo\n");
    run_write (run, topology);
    free (topology);
    free (gate);
    free (path);
    free (nodes);

    if (options.nodes) {
        self->node2 = run_new ();
        s_node_go (run, self->node2, "n2");
        if (options.third) {
            self->node3 = run_new ();
            s_node_go (run, self->node3, "n3");
            run_pid (self->node3, "ready", "c", S_WAIT);
        }
        s_node_go (run, run, "n1");
        self->b = run_pid (self->node2, "ready", "b", S_WAIT);
    }
    else {
        run_go (run);
        self->b = run_pid (run, "ready", "b", S_WAIT);
    }
    self->a = run_pid (run, "ready", "a", S_WAIT);
    probe_expect (run, "b/recv", "hello", S_WAIT);
    probe_expect (run, "b/src", "hello", S_WAIT);
    probe_expect (run, "a/src", "hello", S_WAIT);
    s_current = self;
    return self;
}

//  Ends the run as an operator would (SIGTERM), checks that it ends
//  well, and cleans up.
static inline void
s_groups_destroy (s_groups_t **self_p)
{
    s_groups_t *self = *self_p;
    s_current = NULL;
    run_signal (self->run, SIGTERM);
    int code = run_wait (self->run, S_WAIT);
    cr_assert_eq (code, 0, "actor-run ended with %d; log:\n%s", code, self->run->err);
    s_node_end (&self->node2, "n2");
    s_node_end (&self->node3, "n3");
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
static inline void
s_cleanup (void)
{
    s_groups_t *self = s_current;
    s_current = NULL;
    if (self) {
        run_destroy (&self->node2);
        run_destroy (&self->node3);
        munmap (self->file, sizeof (stream_file_t));
        if (self->gate >= 0) {
            close (self->gate);
        }
        run_destroy (&self->run);
        free (self);
    }
}

//  Sends a command to a sender (actor): its frames, NULL-terminated.
static inline void
s_command_v (s_groups_t *self, const char *actor, const char *command, va_list args)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, actor);
    zmsg_addstr (msg, command);
    const char *arg;
    while ((arg = va_arg (args, const char *))) {
        zmsg_addstr (msg, arg);
    }
    cr_assert_eq (zmsg_send (&msg, self->run->router), 0);
}

//  Sends a command to a/src.
static inline void
s_command (s_groups_t *self, const char *command, ...)
{
    va_list args;
    va_start (args, command);
    s_command_v (self, "a/src", command, args);
    va_end (args);
}

//  Sends a command to another sender.
static inline void
s_command_to (s_groups_t *self, const char *actor, const char *command, ...)
{
    va_list args;
    va_start (args, command);
    s_command_v (self, actor, command, args);
    va_end (args);
}

//  Makes sender find target (an address) and keep it in slot "main" or
//  "alt".
static inline void
s_find_by (s_groups_t *self, const char *sender, const char *slot, const char *target)
{
    s_command_to (self, sender, "find", slot, target, NULL);
    zmsg_t *said = probe_take (self->run, sender, "found", S_WAIT);
    cr_assert_not_null (said, "a/src did not answer find %s", target);
    zmsg_first (said);
    zmsg_next (said);
    cr_assert (zframe_streq (zmsg_next (said), slot));
    cr_assert (zframe_streq (zmsg_next (said), target), "%s did not find %s", sender,
               target);
    zmsg_destroy (&said);
}

static inline void
s_find (s_groups_t *self, const char *slot, const char *target)
{
    s_find_by (self, "a/src", slot, target);
}

//  Frame i (0: routing id, 1: kind) of a report, as a number.
static inline int64_t
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

//  Takes count "asked" reports of sender: every ask succeeded, and each
//  of the replies "ask-0" to "ask-COUNT-1" came once.
static inline void
s_expect_asks (s_groups_t *self, const char *sender, int count)
{
    bool *seen = (bool *) zmalloc ((size_t) count * sizeof (bool));
    for (int i = 0; i < count; i++) {
        zmsg_t *asked = probe_take (self->run, sender, "asked", S_WAIT);
        cr_assert_not_null (asked, "ask %d of %s got no answer", i, sender);
        cr_assert_eq (s_frame_int (asked, 2), 0, "ask failed with errno %d",
                      (int) s_frame_int (asked, 2));
        char *reply = zframe_strdup (zmsg_last (asked));
        int index = -1;
        cr_assert_eq (sscanf (reply, "ask-%d", &index), 1, "reply '%s'", reply);
        cr_assert (index >= 0 && index < count && !seen [index], "reply '%s'", reply);
        seen [index] = true;
        free (reply);
        zmsg_destroy (&asked);
    }
    free (seen);
}

//  An ask to an actor that b does not have fails at once with ENOENT,
//  well before its 20 s timeout.
static inline void
s_expect_unknown_fails (s_groups_t *self)
{
    s_command (self, "ask", "1", "echo", "20000", "alt", NULL);
    zmsg_t *asked = probe_take (self->run, "a/src", "asked", S_WAIT);
    cr_assert_not_null (asked);
    cr_assert_eq (s_frame_int (asked, 2), ENOENT);
    cr_assert_lt (s_frame_int (asked, 3), 5000);
    zmsg_destroy (&asked);
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
static inline s_counts_t
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

static inline s_counts_t
s_counts (s_groups_t *self)
{
    s_command (self, "counts", NULL);
    return s_counts_take (self, "counts", S_WAIT);
}

//  The receiver's record of one life, as it is now.
static inline stream_life_t
s_life (s_groups_t *self, uint64_t index)
{
    stream_life_t *life = &self->file->life [index];
    //  First, and acquired: the receiver stores it last (stream.c), so
    //  the count read after it is never behind it.
    uint64_t last = __atomic_load_n (&life->last, __ATOMIC_ACQUIRE);
    stream_life_t copy = {
        __atomic_load_n (&life->pid, __ATOMIC_RELAXED),
        __atomic_load_n (&life->first, __ATOMIC_RELAXED),
        last,
        __atomic_load_n (&life->count, __ATOMIC_RELAXED),
        __atomic_load_n (&life->dups, __ATOMIC_RELAXED),
        __atomic_load_n (&life->gaps, __ATOMIC_RELAXED),
        __atomic_load_n (&life->gap_from, __ATOMIC_RELAXED),
        __atomic_load_n (&life->gap_at, __ATOMIC_RELAXED),
        __atomic_load_n (&life->bad, __ATOMIC_RELAXED),
        __atomic_load_n (&life->senders, __ATOMIC_RELAXED),
        __atomic_load_n (&life->late, __ATOMIC_RELAXED)
    };
    return copy;
}

static inline uint64_t
s_lives (s_groups_t *self)
{
    return __atomic_load_n (&self->file->lives, __ATOMIC_ACQUIRE);
}

//  Numbers the receiver took in its current life.
static inline uint64_t
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
static inline uint64_t
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

//  Streams a million numbers from a/src to b/recv and checks that they
//  all arrived, in order, in one life of the receiver; logs the rate.
static inline void
s_stream_a_million (s_groups_t *self, const char *what)
{
    const uint64_t total = 1000000;
    s_find (self, "main", "b/recv");
    int64_t start = act_test_now_ms ();
    s_command (self, "stream", "1000000", "", NULL);
    s_counts_t sent = s_counts_take (self, "streamed", 45000);
    cr_assert_eq (sent.next, total);
    cr_assert_eq (sent.accepted, total);
    cr_assert (RUN_UNTIL (self->run, s_taken (self) >= total, 30000),
               "%" PRIu64 " of %" PRIu64 " arrived", s_taken (self), total);
    int64_t ms = act_test_now_ms () - start;
    cr_assert_eq (s_lives (self), 1, "the receiver was restarted; log:\n%s%s",
                  self->run->err, self->node2 ? self->node2->err : "");
    cr_assert_eq (s_check_lives (self, total), total);
    cr_log_info ("%s: %" PRIu64 " messages in %" PRId64 " ms, %.0f msgs/s; "
                 "%" PRIu64 " refusals at the high-water mark, retried", what, total, ms,
                 (double) total * 1000 / (double) (ms ? ms : 1), sent.eagain);
}

//  Starts an endless stream from a/src to b/recv and waits until b/recv
//  took count numbers of it.
static inline void
s_stream_flowing (s_groups_t *self, uint64_t count)
{
    s_find (self, "main", "b/recv");
    s_command (self, "stream", "0", "", NULL);
    cr_assert (RUN_UNTIL (self->run, s_taken (self) >= count, 20000),
               "the stream does not flow");
}

//  The next report of a/src of this kind (the caller destroys it).
static inline zmsg_t *
s_said (s_groups_t *self, const char *kind)
{
    zmsg_t *msg = probe_take (self->run, "a/src", kind, S_WAIT);
    cr_assert_not_null (msg, "a/src did not say %s", kind);
    return msg;
}

//  a/src monitors b/echo and b/pecho, stops b/pecho with act_ref_stop
//  (its DOWN carries the code 7), then victim (b, or what takes b with
//  it) is killed -9 and the monitor of b/echo fires as "lost".
static inline void
s_monitors_and_stop (s_groups_t *g, pid_t victim)
{
    s_find (g, "main", "b/echo");
    s_find (g, "alt", "b/pecho");
    s_command (g, "monitor", "main", NULL);
    zmsg_t *msg = s_said (g, "monitoring");
    int64_t on_echo = s_frame_int (msg, 2);
    zmsg_destroy (&msg);
    s_command (g, "monitor", "alt", NULL);
    msg = s_said (g, "monitoring");
    int64_t on_pecho = s_frame_int (msg, 2);
    zmsg_destroy (&msg);
    cr_assert (on_echo > 0 && on_pecho > 0 && on_echo != on_pecho);

    s_command (g, "stop", "alt", "7", NULL);
    msg = s_said (g, "stopping");
    cr_assert_eq (s_frame_int (msg, 2), 0, "act_ref_stop: errno %d", (int) s_frame_int (msg, 2));
    zmsg_destroy (&msg);
    msg = s_said (g, "down");
    zmsg_first (msg);
    zmsg_next (msg);
    cr_assert (zframe_streq (zmsg_next (msg), "error"), "b/pecho's DOWN is not an error");
    cr_assert_eq (s_frame_int (msg, 3), 7);
    cr_assert_eq (s_frame_int (msg, 4), on_pecho);
    zmsg_destroy (&msg);

    cr_assert_eq (kill (victim, SIGKILL), 0);
    msg = s_said (g, "down");
    zmsg_first (msg);
    zmsg_next (msg);
    cr_assert (zframe_streq (zmsg_next (msg), "lost"), "b/echo's DOWN does not say lost");
    cr_assert_eq (s_frame_int (msg, 3), EHOSTDOWN);
    cr_assert_eq (s_frame_int (msg, 4), on_echo);
    zmsg_destroy (&msg);
}

//  Asks count "hold" asks of a/src's main target, which keeps them
//  unanswered, and waits until b/recv holds them all.
static inline void
s_hold_asks (s_groups_t *self, int count)
{
    char text [16];
    snprintf (text, sizeof text, "%d", count);
    s_command (self, "ask", text, "hold", "30000", "main", NULL);
    for (int held = 0; held < count; ) {
        zmsg_t *msg = probe_take (self->run, "b/recv", "held", S_WAIT);
        cr_assert_not_null (msg, "the asks did not reach b/recv");
        held = (int) s_frame_int (msg, 2);
        zmsg_destroy (&msg);
    }
}

//  Takes count failed asks of a/src (errno ESRCH), and returns how long
//  after since they all came, ms; fails unless that is under bound_ms.
static inline int
s_asks_fail (s_groups_t *self, int count, int64_t since, int bound_ms)
{
    for (int i = 0; i < count; i++) {
        zmsg_t *asked = probe_take (self->run, "a/src", "asked", 20000);
        cr_assert_not_null (asked, "pending ask %d did not fail; log:\n%s%s", i,
                            self->run->err, self->run->out);
        cr_assert_eq (s_frame_int (asked, 2), ESRCH, "errno %d", (int) s_frame_int (asked, 2));
        zmsg_destroy (&asked);
    }
    int failed_ms = (int) (act_test_now_ms () - since);
    cr_assert_lt (failed_ms, bound_ms, "pending asks failed after %d ms", failed_ms);
    return failed_ms;
}

//  After one restart of b (new pid again): halts the stream, waits for
//  its tail, and checks that what was lost was lost between the two
//  lives only and that some tells were refused while b was down.
//  Returns the sender's counts; *delivered_p gets what arrived.
static inline s_counts_t
s_check_one_restart (s_groups_t *self, pid_t again, uint64_t *delivered_p)
{
    s_command (self, "halt", NULL);
    s_counts_t sent = s_counts_take (self, "halted", S_WAIT);
    cr_assert (RUN_UNTIL (self->run, s_life (self, 1).last + 1 >= sent.next, 20000),
               "the tail of the stream did not arrive: %" PRIu64 " of %" PRIu64,
               s_life (self, 1).last + 1, sent.next);
    cr_assert_eq (s_lives (self), 2);
    stream_life_t first = s_life (self, 0), second = s_life (self, 1);
    cr_assert_eq (first.pid, self->b);
    cr_assert_eq (second.pid, again);
    cr_assert_eq (sent.accepted, sent.next);
    uint64_t delivered = s_check_lives (self, sent.next);
    cr_assert_eq (sent.accepted - delivered, second.first - first.last - 1);
    cr_assert_gt (sent.down, 0, "no tell was refused while b was down");
    *delivered_p = delivered;
    return sent;
}

//  Resident set of a process, kB.
static inline long
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

//  The sender streams from its setup on, over link, and is killed at
//  random moments, kills times. Each of its lives counts from 0: the
//  receiver sees every life's numbers rise one by one, nothing torn, and
//  whatever was lost was the end of a life (what the sender had not
//  committed yet). On ipc the last batches of a life, still in the
//  receiver's socket when it dies, may come mixed with the first ones of
//  the next life (act_transport(3)): the receiver then counts a change of
//  sender at each switch, and the next life's first number it sees after
//  one may not be 0 ("late"); on shm one ring carries both lives, in
//  order.
static inline void
s_kill_the_sender (const char *link, const char *size, int kills)
{
    char *args = zsys_sprintf (" auto=b/recv size=%s", size);
    s_groups_t *g = s_groups_new ((s_options_t) {
        .link = link,
        .src_args = args,
        .run_extra = "    intensity = 1000\n    backoff_min = 1ms\n    backoff_max = 2ms\n" });
    free (args);
    srandom ((unsigned) getpid ());
    bool mixes = link && streq (link, "ipc");
    pid_t a = g->a;
    for (int kill_no = 0; kill_no < kills; kill_no++) {
        uint64_t before = s_life (g, 0).count;
        cr_assert (RUN_UNTIL (g->run, s_life (g, 0).senders >= (uint64_t) kill_no + 1
                              && s_life (g, 0).count >= before + 50, 20000),
                   "sender life %d never streamed", kill_no);
        //  A random moment mid-stream: up to 2 ms more.
        int64_t until = act_test_now_ms () + random () % 3;
        RUN_UNTIL (g->run, act_test_now_ms () >= until, 100);
        cr_assert_eq (kill (a, SIGKILL), 0);
        a = run_pid (g->run, "ready", "a", S_WAIT);
    }
    cr_assert (RUN_UNTIL (g->run, s_life (g, 0).senders >= (uint64_t) kills + 1, 20000));
    cr_assert (mixes || s_life (g, 0).senders == (uint64_t) kills + 1,
               "%" PRIu64 " changes of sender for %d lives", s_life (g, 0).senders, kills + 1);
    stream_life_t life = s_life (g, 0);
    cr_assert_eq (s_lives (g), 1, "the receiver was restarted; log:\n%s", g->run->err);
    cr_assert_eq (life.bad, 0, "%" PRIu64 " torn or corrupt payloads", life.bad);
    cr_assert_eq (life.dups, 0, "numbers fell back inside a sender's life");
    cr_assert_eq (life.gaps, 0, "a gap inside a sender's life, from %" PRIu64 " to %" PRIu64,
                  life.gap_from, life.gap_at);
    cr_assert (mixes || life.late == 0, "a sender life's first numbers were lost");
    cr_assert_null (strstr (g->run->out, "malformed"), "b refused input:\n%s", g->run->out);
    cr_log_info ("%s: %d kills of the sender (%s B): %" PRIu64 " numbers in order, "
                 "none torn; %" PRIu64 " changes of sender", link, kills, size, life.count,
                 life.senders);
    s_groups_destroy (&g);
}


#endif
