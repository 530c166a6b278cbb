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
#include <sys/wait.h>
#include <sys/prctl.h>
#include <dlfcn.h>

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

//  Run one burst of BURST messages in system, from a new sender to a new
//  counter, and check it arrived whole and in order; args gets the peak.
static void
s_run_burst (act_system_t *system, burst_args_t *args)
{
    act_inbox_t *inbox = act_inbox_new (system);
    cr_assert_not_null (inbox);
    *args = (burst_args_t) { .inbox = act_inbox_ref (inbox) };
    args->counter = act_spawn (system, &s_counter, args);
    cr_assert_not_null (args->counter);
    act_ref_t *sender = act_spawn (system, &s_sender, args);
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
    act_ref_destroy (&sender);
    act_ref_destroy (&args->counter);
    act_inbox_destroy (&inbox);
}

//  The first test is the example: one handler tells a million 64-byte
//  messages; the receiver gets each once, in order; once it has handled
//  them, and the decay has passed, the slabs that held them are unmapped.
Test (slab, burst_arrives_in_order_and_memory_goes_back, .timeout = 120)
{
    long rss_before = s_rss_pages ();
    act_system_t *system = act_test_system ();
    burst_args_t args;
    s_run_burst (system, &args);

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
        //  freed after its handler has told the inbox), 1 s after.
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
    act_system_destroy (&system);
}

//  Within the decay, a drained burst's slabs stay mapped, and the next
//  burst takes them back instead of faulting new memory in: it maps no
//  more than the filler's ready slabs once the old ones are all in use.
Test (slab, a_burst_within_the_decay_takes_back_the_last_ones_slabs, .timeout = 120)
{
    //  Longer than this test: read once, at the process's first message.
    setenv ("ACTORIO_MSG_DECAY_MS", "600000", 1);
    act_system_t *system = act_test_system ();
    burst_args_t args;
    s_run_burst (system, &args);
    if (!args.peak.bypass) {
        size_t queued = (size_t) BURST * ACT_SLAB_BLOCK / ACT_SLAB_SIZE;
        act_slab_stats_t first;
        act_slab_stats (&first);
        cr_assert_geq (first.slabs, queued, "%zu of %zu slabs still mapped",
                       first.slabs, queued);
        s_run_burst (system, &args);
        act_slab_stats_t second;
        act_slab_stats (&second);
        cr_assert_leq (second.mapped - first.mapped, ACT_SLAB_READY + 1,
                       "the second burst mapped %zu new slabs",
                       second.mapped - first.mapped);
        cr_assert_eq (second.slabs, first.slabs + (second.mapped - first.mapped));
    }
    act_system_destroy (&system);
}

//  A decay that is not a number of milliseconds in range is said in the
//  log, by name and value, and the default taken.
Test (slab, a_bad_decay_in_the_environment_is_logged, .timeout = 30)
{
    setenv ("ACTORIO_MSG_DECAY_MS", "soon", 1);
    char *dir = act_test_tmpdir ();
    char *path = zsys_sprintf ("%s/log", dir);
    FILE *log = fopen (path, "w");
    cr_assert_not_null (log);
    zsys_set_logstream (log);
    //  The first use reads the environment.
    act_slab_stats_t stats;
    act_slab_stats (&stats);
    zsys_set_logstream (stdout);
    fclose (log);
    char text [4096] = "";
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file);
    text [fread (text, 1, sizeof text - 1, file)] = 0;
    fclose (file);
    cr_assert (strstr (text, "ACTORIO_MSG_DECAY_MS=\"soon\" is not a number"),
               "log: %s", text);
    cr_assert (strstr (text, "using 1000"), "log: %s", text);
    free (path);
    act_test_tmpdir_remove (&dir);
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

//  --------------------------------------------------------------------------
//  Blocks taken straight from act_slab, in runs (a refill hands a thread
//  blocks it has not written to) as well as from lists: each block is
//  handed out once, none is a slab's head, and the counts stay exact
//  across threads that take, give and end with part of a run unused.

#define SLAB_BLOCKS (ACT_SLAB_SIZE / ACT_SLAB_BLOCK)

static int
s_addr_cmp (const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) *(void * const *) a;
    uintptr_t y = (uintptr_t) *(void * const *) b;
    return x < y ? -1 : x > y;
}

//  Every block in blocks [0, count) apart from every other, aligned, not
//  a slab's head; each is written whole with its index, then read back,
//  so two that overlapped would show.
static void
s_assert_blocks_apart (void **blocks, size_t count)
{
    act_slab_stats_t stats;
    act_slab_stats (&stats);
    for (size_t i = 0; i < count; i++) {
        uintptr_t address = (uintptr_t) blocks [i];
        cr_assert_eq (address % 16, 0, "block %zu at %p", i, blocks [i]);
        //  (malloc's, when bypassed, may be anywhere.)
        if (!stats.bypass)
            cr_assert_neq (address % ACT_SLAB_SIZE, 0,
                           "block %zu at %p is a slab's head", i, blocks [i]);
        memset (blocks [i], (int) (i % 251), ACT_SLAB_BLOCK);
    }
    for (size_t i = 0; i < count; i++) {
        unsigned char *byte = blocks [i];
        for (size_t at = 0; at < ACT_SLAB_BLOCK; at++)
            cr_assert_eq (byte [at], i % 251, "block %zu written over", i);
    }
    void **sorted = malloc (count * sizeof (void *));
    cr_assert_not_null (sorted);
    memcpy (sorted, blocks, count * sizeof (void *));
    qsort (sorted, count, sizeof (void *), s_addr_cmp);
    for (size_t i = 1; i < count; i++)
        cr_assert ((char *) sorted [i] - (char *) sorted [i - 1] >= ACT_SLAB_BLOCK,
                   "blocks %p and %p overlap", sorted [i - 1], sorted [i]);
    free (sorted);
}

static act_slab_stats_t
s_stats (void)
{
    act_slab_stats_t stats;
    act_slab_stats (&stats);
    return stats;
}

//  Over three slabs' worth in one thread: every run and every slab
//  boundary crossed, then all given back.
Test (slab, blocks_of_runs_are_apart_and_never_a_slab_head, .timeout = 60)
{
    size_t count = 3 * SLAB_BLOCKS + 777;
    void **blocks = malloc (count * sizeof (void *));
    cr_assert_not_null (blocks);
    for (size_t i = 0; i < count; i++) {
        blocks [i] = act_slab_alloc ();
        act_slab_stats_t stats = s_stats ();
        cr_assert_leq (stats.cached, ACT_SLAB_CACHED + 1);
        if (!stats.bypass)
            cr_assert_eq (stats.out, i + 1 + stats.cached,
                          "%zu taken, %zu out, %zu cached", i + 1,
                          stats.out, stats.cached);
    }
    s_assert_blocks_apart (blocks, count);
    for (size_t i = 0; i < count; i++) {
        act_slab_free (blocks [i]);
        act_slab_stats_t stats = s_stats ();
        cr_assert_leq (stats.cached, ACT_SLAB_CACHED + 1);
        if (!stats.bypass)
            cr_assert_eq (stats.out, count - i - 1 + stats.cached);
    }
    free (blocks);
}

typedef struct {
    void **blocks;              //  to free, then to fill
    size_t to_free;             //  blocks to free first (taken elsewhere)
    size_t to_take;             //  blocks to take after, kept in blocks
    size_t took_before;         //  blocks to take before freeing (kept, freed)
    size_t max_cached;          //  the most the thread's cache held
} churn_t;

static void
s_note (churn_t *self)
{
    act_slab_stats_t stats = s_stats ();
    if (stats.cached > self->max_cached)
        self->max_cached = stats.cached;
}

//  Takes took_before blocks (the cache then holds a run), frees to_free
//  blocks another thread took (spills, the run still held), frees its
//  own, then takes to_take into blocks, and ends with part of a run.
static void *
s_churn (void *arg)
{
    churn_t *self = arg;
    void *mine [64];
    cr_assert_leq (self->took_before, 64);
    for (size_t i = 0; i < self->took_before; i++) {
        mine [i] = act_slab_alloc ();
        s_note (self);
    }
    for (size_t i = 0; i < self->to_free; i++) {
        act_slab_free (self->blocks [i]);
        s_note (self);
    }
    for (size_t i = 0; i < self->took_before; i++)
        act_slab_free (mine [i]);
    for (size_t i = 0; i < self->to_take; i++) {
        self->blocks [i] = act_slab_alloc ();
        s_note (self);
    }
    return NULL;
}

//  A thread that frees far more than it took while it holds a run stays
//  within its bound, and gives back all it holds, run included, when it
//  ends; blocks taken after from the slabs it spilled to (spilled blocks
//  and fresh ones in the same slab) are apart from each other.
Test (slab, a_thread_freeing_more_than_it_took_holding_a_run_stays_exact, .timeout = 60)
{
    size_t count = 3 * ACT_SLAB_CACHED + 100;
    void **blocks = malloc (count * sizeof (void *));
    cr_assert_not_null (blocks);
    for (size_t i = 0; i < count; i++)
        blocks [i] = act_slab_alloc ();
    churn_t churn = { .blocks = blocks, .to_free = count,
                      .to_take = count, .took_before = 10 };
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_churn, &churn), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    cr_assert_leq (churn.max_cached, ACT_SLAB_CACHED + 1);
    s_assert_blocks_apart (blocks, count);
    act_slab_stats_t stats = s_stats ();
    if (!stats.bypass)
        cr_assert_eq (stats.out, count + stats.cached, "%zu out, %zu cached",
                      stats.out, stats.cached);
    for (size_t i = 0; i < count; i++)
        act_slab_free (blocks [i]);
    stats = s_stats ();
    if (!stats.bypass)
        cr_assert_eq (stats.out, stats.cached);
    free (blocks);
}

//  A refill from a slab that has blocks spilled back and fresh ones too:
//  the spilled ones come first, then a run of the fresh, and the next
//  refill moves on to the next slab once the run has used the first up.
Test (slab, a_refill_from_a_slab_with_spilled_and_fresh_blocks, .timeout = 60)
{
    //  Other threads spill a scattering of blocks back to this thread's
    //  slab, which still has fresh ones.
    size_t count = 2 * SLAB_BLOCKS;
    void **blocks = malloc (count * sizeof (void *));
    cr_assert_not_null (blocks);
    for (size_t i = 0; i < count; i++)
        blocks [i] = act_slab_alloc ();
    void **odd = malloc (count / 2 * sizeof (void *));
    cr_assert_not_null (odd);
    for (size_t i = 0; i < count / 2; i++)
        odd [i] = blocks [2 * i + 1];
    churn_t spill = { .blocks = odd, .to_free = count / 2 };
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_churn, &spill), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    //  Another thread takes as many again: spilled and fresh, in runs.
    churn_t take = { .to_take = count / 2 + 3 * SLAB_BLOCKS };
    take.blocks = malloc (take.to_take * sizeof (void *));
    cr_assert_not_null (take.blocks);
    cr_assert_eq (pthread_create (&thread, NULL, s_churn, &take), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    cr_assert_leq (take.max_cached, ACT_SLAB_CACHED + 1);
    size_t live = count / 2 + take.to_take;
    void **all = malloc (live * sizeof (void *));
    cr_assert_not_null (all);
    for (size_t i = 0; i < count / 2; i++)
        all [i] = blocks [2 * i];
    memcpy (all + count / 2, take.blocks, take.to_take * sizeof (void *));
    s_assert_blocks_apart (all, live);
    act_slab_stats_t stats = s_stats ();
    if (!stats.bypass)
        cr_assert_eq (stats.out, live + stats.cached, "%zu out, %zu cached",
                      stats.out, stats.cached);
    //  Given back by a thread that then ends: what stays is this thread's
    //  cache, part of a run in one slab, and the kept one.
    churn_t give = { .blocks = all, .to_free = live };
    cr_assert_eq (pthread_create (&thread, NULL, s_churn, &give), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    stats = s_stats ();
    if (!stats.bypass) {
        cr_assert_eq (stats.out, stats.cached, "%zu out, %zu cached",
                      stats.out, stats.cached);
        ACT_ASSERT_EVENTUALLY (s_slabs_now () <= ACT_SLAB_KEEP + 1, 10000);
    }
    free (all);
    free (take.blocks);
    free (odd);
    free (blocks);
}

//  --------------------------------------------------------------------------
//  Forks without exec while another thread refills, spills, and makes the
//  slab thread grow and unmap: the child, whose cache still holds part of
//  the run of the thread that forked, takes and gives blocks with the
//  counts exact. Checked in the child, which reports by its exit status.

#define FORKS       12

static atomic_bool s_hammer_stop;
static atomic_size_t s_hammer_rounds;

static void *
s_hammer (void *unused)
{
    (void) unused;
    size_t count = 2 * SLAB_BLOCKS + 100;
    void **blocks = malloc (count * sizeof (void *));
    if (!blocks)
        abort ();
    while (!atomic_load (&s_hammer_stop)) {
        for (size_t i = 0; i < count; i++)
            blocks [i] = act_slab_alloc ();
        for (size_t i = 0; i < count; i++)
            act_slab_free (blocks [i]);
        atomic_fetch_add (&s_hammer_rounds, 1);
    }
    free (blocks);
    return NULL;
}

//  0 if all was right in the child, else which check failed.
static int
s_child_churn (void)
{
    act_slab_stats_t before = s_stats ();
    if (before.bypass)
        return 0;
    size_t count = 2 * SLAB_BLOCKS + 300;
    void **blocks = malloc (count * sizeof (void *));
    if (!blocks)
        return 10;
    for (size_t i = 0; i < count; i++) {
        blocks [i] = act_slab_alloc ();
        if ((uintptr_t) blocks [i] % ACT_SLAB_SIZE == 0)
            return 11;
        memset (blocks [i], (int) (i % 251), ACT_SLAB_BLOCK);
    }
    for (size_t i = 0; i < count; i++)
        if (((unsigned char *) blocks [i]) [ACT_SLAB_BLOCK - 1] != i % 251)
            return 12;
    act_slab_stats_t during = s_stats ();
    if (during.out - during.cached != before.out - before.cached + count)
        return 13;
    for (size_t i = 0; i < count; i++)
        act_slab_free (blocks [i]);
    free (blocks);
    act_slab_stats_t after = s_stats ();
    if (after.out - after.cached != before.out - before.cached)
        return 14;
    if (after.cached > ACT_SLAB_CACHED + 1)
        return 15;
    return 0;
}

Test (slab, a_child_forked_amid_refills_and_unmapping_takes_and_gives, .timeout = 120)
{
    //  This thread holds part of a run when it forks.
    void *held = act_slab_alloc ();
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_hammer, NULL), 0);
    for (int fork_no = 0; fork_no < FORKS; fork_no++) {
        size_t rounds = atomic_load (&s_hammer_rounds);
        //  Once the hammer has gone round again since the last fork.
        ACT_WAIT_UNTIL (atomic_load (&s_hammer_rounds) > rounds, 20000);
        pid_t child = fork ();
        cr_assert_neq (child, -1);
        if (child == 0)
            _exit (s_child_churn ());
        int status;
        cr_assert_eq (waitpid (child, &status, 0), child);
        cr_assert (WIFEXITED (status), "child %d ended by signal %d", fork_no,
                   WIFSIGNALED (status)? WTERMSIG (status): 0);
        cr_assert_eq (WEXITSTATUS (status), 0, "child %d: check %d failed",
                      fork_no, WEXITSTATUS (status));
    }
    atomic_store (&s_hammer_stop, true);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    act_slab_free (held);
}

//  --------------------------------------------------------------------------
//  A fork while the slab thread unmaps, outside the pool's lock, slabs it
//  has taken off the doomed list. To hold it there, this binary's munmap
//  stands in for libc's (a static link makes act_slab call it): the slab
//  thread's waits while s_munmap_hold is set.

static pthread_mutex_t s_munmap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_munmap_cond = PTHREAD_COND_INITIALIZER;
static bool s_munmap_hold;              //  the slab thread's munmap waits
static bool s_munmap_held;              //  and is waiting now
static bool s_forking;                  //  a fork has begun (atfork, below)
static void **s_munmap_blocks;          //  hold only the unmapping of a slab
static size_t s_munmap_nblocks;         //  of one of these blocks

int munmap (void *addr, size_t length);

int
munmap (void *addr, size_t length)
{
    static int (*real) (void *, size_t);
    if (!real)
        real = (int (*) (void *, size_t)) dlsym (RTLD_NEXT, "munmap");
    char name [16] = "";
    prctl (PR_GET_NAME, name, 0, 0, 0);
    if (strcmp (name, "act-slab") != 0)
        return real (addr, length);
    //  The blocks are set by the test's thread: read under the lock
    pthread_mutex_lock (&s_munmap_lock);
    bool slab_of_block = false;
    for (size_t i = 0; i < s_munmap_nblocks && !slab_of_block; i += 64)
        slab_of_block = (uintptr_t) s_munmap_blocks [i] / ACT_SLAB_SIZE
                     == (uintptr_t) addr / ACT_SLAB_SIZE
                     && (uintptr_t) addr % ACT_SLAB_SIZE == 0;
    if (slab_of_block) {
        while (s_munmap_hold) {
            s_munmap_held = true;
            pthread_cond_broadcast (&s_munmap_cond);
            pthread_cond_wait (&s_munmap_cond, &s_munmap_lock);
        }
        s_munmap_held = false;
    }
    pthread_mutex_unlock (&s_munmap_lock);
    return real (addr, length);
}

//  Wait for flag, or for deadline_ms: false if it did not come.
static bool
s_munmap_wait (bool *flag, int deadline_ms)
{
    struct timespec deadline;
    clock_gettime (CLOCK_REALTIME, &deadline);
    deadline.tv_sec += deadline_ms / 1000;
    pthread_mutex_lock (&s_munmap_lock);
    int rc = 0;
    while (!*flag && rc == 0)
        rc = pthread_cond_timedwait (&s_munmap_cond, &s_munmap_lock, &deadline);
    bool came = *flag;
    pthread_mutex_unlock (&s_munmap_lock);
    return came;
}

//  Runs before act_slab's own prepare handler (registered earlier):
//  lets the test see the fork has begun, and free the slab thread then.
static void
s_fork_begins (void)
{
    pthread_mutex_lock (&s_munmap_lock);
    s_forking = true;
    pthread_cond_broadcast (&s_munmap_cond);
    pthread_mutex_unlock (&s_munmap_lock);
}

static void *
s_forker (void *pid)
{
    pid_t child = fork ();
    if (child == 0) {
        //  The child's slabs are those its caches pin, and ACT_SLAB_KEEP
        //  wholly free: none the parent's slab thread was unmapping.
        act_slab_stats_t stats = s_stats ();
        _exit (stats.slabs <= 1 + ACT_SLAB_KEEP? 0: (int) stats.slabs);
    }
    *(pid_t *) pid = child;
    return NULL;
}

static void *
s_give_back (void *arg)
{
    churn_t *self = arg;
    for (size_t i = 0; i < self->to_free; i++)
        act_slab_free (self->blocks [i]);
    return NULL;
}

Test (slab, a_child_forked_while_the_slab_thread_unmaps_counts_no_slab_of_it, .timeout = 60)
{
    act_slab_stats_t stats = s_stats ();
    if (stats.bypass)
        return;
    //  This thread's cache holds a run in the first slab, all it pins.
    void *first = act_slab_alloc ();
    pthread_atfork (s_fork_begins, NULL, NULL);
    pthread_mutex_lock (&s_munmap_lock);
    s_munmap_hold = true;
    pthread_mutex_unlock (&s_munmap_lock);
    //  A burst over four slabs, given back by a thread that then ends:
    //  the slab thread takes the drained slabs and its ready ones to unmap.
    size_t count = 4 * SLAB_BLOCKS;
    void **blocks = malloc (count * sizeof (void *));
    cr_assert_not_null (blocks);
    pthread_t thread;
    churn_t take = { .blocks = blocks, .to_take = count };
    cr_assert_eq (pthread_create (&thread, NULL, s_churn, &take), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    //  Once the slab thread has the ready ones faulted in, it maps no
    //  more (whose trimming would be held too if at a drained slab's
    //  address): the burst's slabs, this thread's, and the ready ones.
    void **slabs = malloc ((count + 1) * sizeof (void *));
    cr_assert_not_null (slabs);
    memcpy (slabs, blocks, count * sizeof (void *));
    slabs [count] = first;
    qsort (slabs, count + 1, sizeof (void *), s_addr_cmp);
    size_t used = 1;
    for (size_t i = 1; i <= count; i++)
        used += (uintptr_t) slabs [i] / ACT_SLAB_SIZE
             != (uintptr_t) slabs [i - 1] / ACT_SLAB_SIZE;
    free (slabs);
    ACT_ASSERT_EVENTUALLY (s_slabs_now () == used + ACT_SLAB_READY, 20000);
    pthread_mutex_lock (&s_munmap_lock);
    s_munmap_nblocks = count;
    s_munmap_blocks = blocks;
    pthread_mutex_unlock (&s_munmap_lock);
    churn_t give = { .blocks = blocks, .to_free = count };
    cr_assert_eq (pthread_create (&thread, NULL, s_give_back, &give), 0);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    cr_assert (s_munmap_wait (&s_munmap_held, 20000), "the slab thread unmapped nothing");
    //  Fork from another thread; once the fork has begun, let the slab
    //  thread go on.
    pid_t child = -1;
    cr_assert_eq (pthread_create (&thread, NULL, s_forker, &child), 0);
    cr_assert (s_munmap_wait (&s_forking, 20000));
    pthread_mutex_lock (&s_munmap_lock);
    s_munmap_hold = false;
    pthread_cond_broadcast (&s_munmap_cond);
    pthread_mutex_unlock (&s_munmap_lock);
    cr_assert_eq (pthread_join (thread, NULL), 0);
    cr_assert_neq (child, -1);
    int status;
    cr_assert_eq (waitpid (child, &status, 0), child);
    cr_assert (WIFEXITED (status));
    cr_assert_eq (WEXITSTATUS (status), 0, "the child counts %d slabs",
                  WEXITSTATUS (status));
    act_slab_free (first);
    free (blocks);
}
