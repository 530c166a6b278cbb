/*  test_slab - act_slab: message blocks in slabs, a bounded cache per thread
    SPDX-License-Identifier: MPL-2.0

    A burst of a million messages to one actor must arrive whole and in
    order, and its memory must go back once it has drained; blocks freed
    on threads other than the one that took them must come back too.
*/
#include "act_test.h"
#include "act_slab.h"
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#define MSG_GO      1
#define MSG_DATA    2
#define MSG_DONE    3
#define BURST       1000000
#define PAYLOAD     64

//  After a drain, what may stay mapped: ACT_SLAB_KEEP wholly free slabs,
//  and the slabs holding blocks still in a thread's cache. The loop's
//  cache keeps the first blocks it freed (a spill gives back the newest),
//  from the burst's first slab, which the test's thread refilled from
//  too, plus at most ACT_SLAB_CACHED / 4 of the last, from the last slab
//  or the two either side of a boundary.
#define DRAINED_SLABS   (ACT_SLAB_KEEP + 4)

typedef struct {
    act_ref_t *counter;         //  the receiver
    act_ref_t *inbox;           //  where the counter reports
    act_slab_stats_t peak;      //  after the burst, before the counter runs
    long peak_rss;              //  pages resident then
} burst_args_t;

typedef struct {
    burst_args_t *args;         //  shared with the test
    uint64_t next;              //  sender: next corr; counter: expected corr
    uint64_t out_of_order;      //  counter: messages not in FIFO order
} burst_t;

static long
s_rss_pages (void)
{
    long size = 0, resident = 0;
    FILE *file = fopen ("/proc/self/statm", "r");
    cr_assert_not_null (file);
    cr_assert_eq (fscanf (file, "%ld %ld", &size, &resident), 2);
    fclose (file);
    return resident;
}

static int
s_burst_setup (act_t *self, void *args)
{
    burst_t *state = act_state (self);
    state->args = args;
    return ACT_OK;
}

//  The whole burst in one handler: the counter cannot run until it ends.
static int
s_sender_handle (act_t *self, act_msg_t *msg)
{
    burst_t *state = act_state (self);
    if (act_msg_type (msg) != MSG_GO)
        return ACT_UNHANDLED;
    unsigned char payload [PAYLOAD];
    memset (payload, 'x', sizeof payload);
    for (; state->next < BURST; state->next++) {
        act_msg_t *data = act_msg_new_data (MSG_DATA, payload, sizeof payload);
        act_msg_set_corr (data, state->next);
        if (act_tell (state->args->counter, &data))
            return ACT_STOP;
    }
    act_slab_stats (&state->args->peak);
    state->args->peak_rss = s_rss_pages ();
    return ACT_OK;
}

static int
s_counter_handle (act_t *self, act_msg_t *msg)
{
    burst_t *state = act_state (self);
    if (act_msg_type (msg) != MSG_DATA)
        return ACT_UNHANDLED;
    if (act_msg_corr (msg) != state->next || act_msg_size (msg) != PAYLOAD)
        state->out_of_order++;
    if (++state->next == BURST) {
        uint64_t report [2] = { state->next, state->out_of_order };
        act_msg_t *done = act_msg_new_data (MSG_DONE, report, sizeof report);
        act_tell (state->args->inbox, &done);
    }
    return ACT_OK;
}

static const act_class_t s_sender = {
    .name = "burst-sender", .state_size = sizeof (burst_t),
    .setup = s_burst_setup, .handle = s_sender_handle
};
static const act_class_t s_counter = {
    .name = "burst-counter", .state_size = sizeof (burst_t),
    .setup = s_burst_setup, .handle = s_counter_handle
};

//  The signals blocked in the thread named "act-slab", or 0 if there is
//  no such thread.
static uint64_t
s_slab_thread_sigblk (void)
{
    DIR *tasks = opendir ("/proc/self/task");
    cr_assert_not_null (tasks);
    uint64_t blocked = 0;
    struct dirent *entry;
    while ((entry = readdir (tasks))) {
        char path [300], line [128];
        snprintf (path, sizeof path, "/proc/self/task/%s/status", entry->d_name);
        FILE *file = fopen (path, "r");
        if (!file)
            continue;
        bool ours = false;
        while (fgets (line, sizeof line, file)) {
            if (strncmp (line, "Name:", 5) == 0)
                ours = strstr (line, "act-slab") != NULL;
            unsigned long long mask;
            if (ours && sscanf (line, "SigBlk: %llx", &mask) == 1)
                blocked = mask;
        }
        fclose (file);
    }
    closedir (tasks);
    return blocked;
}

static size_t
s_slabs_now (void)
{
    act_slab_stats_t stats;
    act_slab_stats (&stats);
    return stats.slabs;
}

//  The first test is the example: one handler tells a million 64-byte
//  messages; the receiver gets each once, in order; once it has handled
//  them, the slabs that held them are unmapped.
Test (slab, burst_arrives_in_order_and_memory_goes_back, .timeout = 120)
{
    long rss_before = s_rss_pages ();
    act_system_t *system = act_test_system ();
    act_inbox_t *inbox = act_inbox_new (system);
    cr_assert_not_null (inbox);
    burst_args_t args = { .inbox = act_inbox_ref (inbox) };
    args.counter = act_spawn (system, &s_counter, &args);
    cr_assert_not_null (args.counter);
    act_ref_t *sender = act_spawn (system, &s_sender, &args);
    cr_assert_not_null (sender);

    act_msg_t *go = act_msg_new (MSG_GO);
    cr_assert_eq (act_tell (sender, &go), 0);
    act_msg_t *done = act_inbox_recv (inbox, 100000);
    cr_assert_not_null (done, "the counter did not report: %s", strerror (errno));
    cr_assert_eq (act_msg_size (done), 2 * sizeof (uint64_t));
    uint64_t report [2];
    memcpy (report, act_msg_data (done), sizeof report);
    act_msg_destroy (&done);
    cr_assert_eq (report [0], BURST);
    cr_assert_eq (report [1], 0, "%llu messages out of order",
                  (unsigned long long) report [1]);

    if (!args.peak.bypass) {
        //  All million were queued at once, in slabs...
        size_t queued = (size_t) BURST * ACT_SLAB_BLOCK / ACT_SLAB_SIZE;
        cr_assert_geq (args.peak.slabs, queued, "%zu slabs at the peak",
                       args.peak.slabs);
        cr_assert_geq (args.peak.out, (size_t) BURST);
        long page = sysconf (_SC_PAGESIZE);
        cr_assert_geq ((args.peak_rss - rss_before) * page,
                       (long) queued * ACT_SLAB_SIZE / 2);
        //  ...and went back as the counter drained them (the last one is
        //  freed after its handler has told the inbox).
        ACT_ASSERT_EVENTUALLY (s_slabs_now () <= DRAINED_SLABS, 10000);
        //  The slab thread did it, and takes none of the process's
        //  signals.
        uint64_t blocked = s_slab_thread_sigblk ();
        int wanted [] = { SIGTERM, SIGINT, SIGCHLD, SIGHUP, SIGUSR1, SIGPIPE };
        for (size_t i = 0; i < sizeof wanted / sizeof wanted [0]; i++)
            cr_assert (blocked & (1ull << (wanted [i] - 1)),
                       "act-slab takes signal %d (SigBlk %llx)", wanted [i],
                       (unsigned long long) blocked);
#if !defined (ACT_TEST_TSAN)
        //  (ThreadSanitizer keeps the shadow of unmapped memory resident.)
        long grown = (s_rss_pages () - rss_before) * page;
        cr_assert_leq (grown, (long) (DRAINED_SLABS + 4) * ACT_SLAB_SIZE,
                       "resident memory still %ld bytes up", grown);
#endif
    }
    act_ref_destroy (&sender);
    act_ref_destroy (&args.counter);
    act_inbox_destroy (&inbox);
    act_system_destroy (&system);
}

//  --------------------------------------------------------------------------
//  Blocks freed on other threads: each thread allocates messages and hands
//  them to the next through a queue; the next destroys them. Every thread
//  refills and spills at once, and each ends with blocks in its cache.

#define THREADS     4
#define PER_THREAD  (3 * ACT_SLAB_SIZE / ACT_SLAB_BLOCK)

typedef struct {
    pthread_mutex_t lock;       //  guards the queue
    pthread_cond_t ready;       //  signalled when the queue gains messages
    act_msg_t **slots;          //  PER_THREAD messages, filled in order
    size_t filled;              //  slots written by the producer
} handoff_t;

typedef struct {
    handoff_t *to;              //  where this thread's messages go
    handoff_t *from;            //  where the previous thread's come from
    uint64_t bad;               //  received messages with a wrong payload
} worker_t;

static void *
s_worker (void *arg)
{
    worker_t *self = arg;
    size_t taken = 0;
    for (size_t sent = 0; sent < PER_THREAD || taken < PER_THREAD; ) {
        if (sent < PER_THREAD) {
            act_msg_t *msg = act_msg_new_data (MSG_DATA, &sent, sizeof sent);
            act_msg_set_corr (msg, sent);
            pthread_mutex_lock (&self->to->lock);
            self->to->slots [self->to->filled++] = msg;
            pthread_cond_signal (&self->to->ready);
            pthread_mutex_unlock (&self->to->lock);
            sent++;
        }
        pthread_mutex_lock (&self->from->lock);
        while (sent == PER_THREAD && taken < PER_THREAD
           &&  self->from->filled == taken)
            pthread_cond_wait (&self->from->ready, &self->from->lock);
        size_t filled = self->from->filled;
        pthread_mutex_unlock (&self->from->lock);
        for (; taken < filled; taken++) {
            act_msg_t *msg = self->from->slots [taken];
            size_t value;
            memcpy (&value, act_msg_data (msg), sizeof value);
            if (value != taken || act_msg_corr (msg) != taken)
                self->bad++;
            act_msg_destroy (&msg);
        }
    }
    return NULL;
}

Test (slab, blocks_freed_on_other_threads_come_back, .timeout = 120)
{
    act_slab_stats_t before;
    act_slab_stats (&before);
    handoff_t queues [THREADS];
    worker_t workers [THREADS];
    pthread_t threads [THREADS];
    for (int i = 0; i < THREADS; i++) {
        pthread_mutex_init (&queues [i].lock, NULL);
        pthread_cond_init (&queues [i].ready, NULL);
        queues [i].slots = calloc (PER_THREAD, sizeof (act_msg_t *));
        cr_assert_not_null (queues [i].slots);
        queues [i].filled = 0;
    }
    for (int i = 0; i < THREADS; i++) {
        workers [i] = (worker_t) { .to = &queues [i],
                                   .from = &queues [(i + THREADS - 1) % THREADS] };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_worker, &workers [i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        cr_assert_eq (pthread_join (threads [i], NULL), 0);
        cr_assert_eq (workers [i].bad, 0);
    }
    act_slab_stats_t after;
    act_slab_stats (&after);
    if (!after.bypass) {
        //  Each thread gave its cache back as it ended: nothing is out
        //  but what this thread holds, and no slab but the kept ones and
        //  those this thread's cache pins.
        cr_assert_eq (after.out, after.cached, "%zu blocks out, %zu cached here",
                      after.out, after.cached);
        //  (The slab thread unmaps them as it gets the CPU.)
        ACT_ASSERT_EVENTUALLY (s_slabs_now () <= before.slabs + ACT_SLAB_KEEP, 10000);
    }
    for (int i = 0; i < THREADS; i++) {
        free (queues [i].slots);
        pthread_cond_destroy (&queues [i].ready);
        pthread_mutex_destroy (&queues [i].lock);
    }
}

//  A thread that only creates messages, which another destroys, gives the
//  blocks left in its cache back when it ends.
#define PRODUCED    1000

static void *
s_producer (void *arg)
{
    act_msg_t **made = arg;
    for (int i = 0; i < PRODUCED; i++)
        made [i] = act_msg_new (MSG_DATA);
    return NULL;
}

Test (slab, a_thread_that_only_allocates_gives_its_cache_back, .timeout = 30)
{
    act_msg_t *made [PRODUCED];
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_producer, made), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    for (int i = 0; i < PRODUCED; i++) {
        cr_assert_not_null (made [i]);
        act_msg_destroy (&made [i]);
    }
    act_slab_stats_t after;
    act_slab_stats (&after);
    if (!after.bypass)
        cr_assert_eq (after.out, after.cached, "%zu blocks out, %zu cached here",
                      after.out, after.cached);
}
