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
        const char *was = getenv ("ASAN_OPTIONS");
        char *asan = zsys_sprintf ("%s%squarantine_size_mb=1", was ? was : "",
                                   was && *was ? ":" : "");
        setenv ("ASAN_OPTIONS", asan, 1);
        free (asan);
    }
    char *topology = zsys_sprintf (
        "run\n"
        "    name = groups\n"
        "    link = %s\n"
        "%s"
        "group = b\n"
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
        "    plugin = " STREAM_SO "\n"
        "    actor = src\n"
        "        class = %s\n"
        "        args = \"@EP@%s\"\n"
        "    actor = echo\n"
        "        class = echo\n"
        "%s",
        options.link ? options.link : "shm", options.run_extra ? options.run_extra : "",
        options.recv_class ? options.recv_class : "receiver", path, gate, options.recv_args ? options.recv_args : "",
        options.src_class ? options.src_class : "sender",
        options.src_args ? options.src_args : "",
        options.third ? "group = c\n    actor = echo\n        class = echo\n" : "");
    run_write (run, topology);
    free (topology);
    free (gate);
    free (path);

    run_go (run);
    self->b = run_pid (run, "ready", "b", S_WAIT);
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
    stream_life_t copy = {
        __atomic_load_n (&life->pid, __ATOMIC_RELAXED),
        __atomic_load_n (&life->first, __ATOMIC_RELAXED),
        __atomic_load_n (&life->last, __ATOMIC_RELAXED),
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


#endif
