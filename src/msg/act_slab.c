/*  act_slab - fixed-size blocks for small messages, carved from slabs
    SPDX-License-Identifier: MPL-2.0

    A burst (one handler telling a million messages before the receiver
    runs) used to cost one malloc per message, and glibc grew the thread's
    heap a page and an mprotect at a time; the burst ran at a fifth of the
    speed of steady traffic. Blocks now come from 2 MiB slabs in batches:
    the common path is a pop or a push on a thread-local list, and the
    lock is taken once per ACT_SLAB_BATCH blocks, and a refill writes to
    no block it hands out fresh (the thread takes a run of them). What is
    left of a burst's cost is the kernel's: faulting 128 bytes a message
    in, and unmapping them after; a helper thread (the filler, below) does
    both off the burst's thread, and keeps a drained burst's slabs mapped
    for a while (the decay), so that bursts in a row fault nothing in.

    Ownership: a block is "out" from the moment a refill takes it from its
    slab until a spill gives it back, whichever thread holds it meanwhile;
    a thread's cache never holds more than ACT_SLAB_CACHED + 1 blocks. A
    slab with no block out is wholly free: beyond ACT_SLAB_KEEP of those,
    it is doomed, and so are the ACT_SLAB_READY slabs at most that the
    filler faulted in ahead. The filler unmaps the doomed slabs once no
    slab was doomed for the decay (ACTORIO_MSG_DECAY_MS, 1 s by default)
    and the slabs are not growing; until then a burst takes them back
    before it maps a new one. Without a filler a doomed slab is unmapped
    at once.
*/
#include "act_slab.h"
#include <czmq.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#if defined (__has_include)
#   if __has_include (<valgrind/valgrind.h>)
#       include <valgrind/valgrind.h>
#   endif
#endif
#if defined (__SANITIZE_ADDRESS__)
#   define S_UNDER_ASAN 1
#elif defined (__has_feature)
#   if __has_feature (address_sanitizer)
#       define S_UNDER_ASAN 1
#   endif
#endif

#define S_BLOCKS (ACT_SLAB_SIZE / ACT_SLAB_BLOCK)
#define S_DECAY_MS 1000         //  ACTORIO_MSG_DECAY_MS when unset
#define S_DECAY_MAX_MS 3600000  //  and at most

typedef act_slab_block_t s_block_t;

//  The head of a slab, in its first block.
typedef struct s_slab_s s_slab_t;
struct s_slab_s {
    s_slab_t *prev;             //  in the list of slabs with blocks to give
    s_slab_t *next;
    s_block_t *free;            //  blocks spilled back, not yet retaken
    uint32_t fresh;             //  index of the first block never carved
    uint32_t out;               //  blocks out of this slab
    bool linked;                //  in the list
};
_Static_assert (sizeof (s_slab_t) <= ACT_SLAB_BLOCK, "a slab head fits in a block");
_Static_assert (ACT_SLAB_BLOCK % 16 == 0, "blocks stay 16-byte aligned");

static struct {
    pthread_mutex_t lock;       //  guards everything below
    s_slab_t *head;             //  slabs with blocks to give, oldest first
    s_slab_t *tail;
    size_t slabs;               //  slabs mapped, ready ones included
    size_t empty;               //  slabs in the list with no block out
    size_t out;                 //  blocks out, all slabs
    s_slab_t *ready;            //  faulted in by the filler, not yet used
    size_t nready;              //  slabs in ready
    s_slab_t *doomed;           //  wholly free, for the filler to unmap
    int64_t doomed_at;          //  when a slab was last doomed, zclock_usecs
    size_t mapped;              //  slabs ever mapped, for act_slab_stats
    bool growing;               //  a burst is taking new slabs: fill ready
    bool filler;                //  the filler thread runs
    pthread_cond_t wake;        //  the filler waits here for work
} s_pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };
//  Held by the filler but while it waits for work, so across the mapping,
//  faulting and unmapping it does outside s_pool.lock; a fork takes it
//  first. Without it a child forked meanwhile kept slabs the filler had
//  taken off the doomed list (counted in s_pool.slabs, mapped, and never
//  unmapped by anyone), or a slab it was faulting in (mapped, in no list).
//  Order: this one, then s_pool.lock.
static pthread_mutex_t s_filler_work = PTHREAD_MUTEX_INITIALIZER;

__thread act_slab_cache_t act_slab_cache __attribute__ ((tls_model ("initial-exec")));
static pthread_key_t s_cache_key;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;
//  Written once, under s_once, before the first block exists; every block
//  reaches another thread through some synchronisation, so a reader of
//  a block sees it.
static bool s_bypass;
static int64_t s_decay_us;      //  the same, for the doomed slabs' decay

static void s_spill (uint32_t count);
static void s_unrun (void);

static void
s_cache_flush (void *unused)
{
    (void) unused;
    //  A destructor that runs after this one may free blocks again: it
    //  then registers again, and the thread runs this once more.
    act_slab_cache.registered = false;
    s_unrun ();
    s_spill (act_slab_cache.count);
}

static void
s_fork_prepare (void)
{
    pthread_mutex_lock (&s_filler_work);
    pthread_mutex_lock (&s_pool.lock);
}

static void
s_fork_release (void)
{
    pthread_mutex_unlock (&s_pool.lock);
    pthread_mutex_unlock (&s_filler_work);
}

static void
s_fork_child (void)
{
    //  Only the forking thread lives on: the child starts its own filler
    //  when it bursts, on a condition variable no dead thread waits on.
    s_pool.filler = false;
    s_pool.growing = false;
    pthread_cond_init (&s_pool.wake, NULL);
    while (s_pool.doomed) {
        s_slab_t *slab = s_pool.doomed;
        s_pool.doomed = slab->next;
        s_pool.slabs--;
        munmap (slab, ACT_SLAB_SIZE);
    }
    pthread_mutex_unlock (&s_pool.lock);
    pthread_mutex_unlock (&s_filler_work);
}

static void
s_init (void)
{
    const char *env = getenv ("ACTORIO_MSG_CACHE");
    s_bypass = env && strcmp (env, "0") == 0;
    const char *decay = getenv ("ACTORIO_MSG_DECAY_MS");
    char *end = NULL;
    unsigned long long ms = decay ? strtoull (decay, &end, 10) : S_DECAY_MS;
    if (decay && (end == decay || *end || ms > S_DECAY_MAX_MS)) {
        zsys_warning ("actorio: ACTORIO_MSG_DECAY_MS=\"%s\" is not a number of "
                      "milliseconds from 0 to %d: using %d", decay, S_DECAY_MAX_MS,
                      S_DECAY_MS);
        ms = S_DECAY_MS;
    }
    s_decay_us = (int64_t) ms * 1000;
#if defined (S_UNDER_ASAN)
    s_bypass = true;
#endif
#if defined (RUNNING_ON_VALGRIND)
    //  "1" keeps the cache under Valgrind: a callgrind profile then counts
    //  the allocator a program really runs, not malloc.
    if (RUNNING_ON_VALGRIND && !(env && strcmp (env, "1") == 0))
        s_bypass = true;
#endif
    pthread_key_create (&s_cache_key, s_cache_flush);
    //  A child forked while another thread refills must not inherit the
    //  lock held.
    pthread_atfork (s_fork_prepare, s_fork_release, s_fork_child);
}

//  Give this thread's blocks back when it ends, not never: called before
//  the first block enters its cache, by a refill or by a free.
static void
s_register (void)
{
    pthread_once (&s_once, s_init);
    pthread_setspecific (s_cache_key, &act_slab_cache);
    act_slab_cache.registered = true;
}

static inline s_slab_t *
s_slab_of (void *block)
{
    return (s_slab_t *) ((uintptr_t) block & ~((uintptr_t) ACT_SLAB_SIZE - 1));
}

static void
s_link (s_slab_t *slab)
{
    slab->prev = s_pool.tail;
    slab->next = NULL;
    if (s_pool.tail)
        s_pool.tail->next = slab;
    else
        s_pool.head = slab;
    s_pool.tail = slab;
    slab->linked = true;
}

static void
s_unlink (s_slab_t *slab)
{
    if (slab->prev)
        slab->prev->next = slab->next;
    else
        s_pool.head = slab->next;
    if (slab->next)
        slab->next->prev = slab->prev;
    else
        s_pool.tail = slab->prev;
    slab->linked = false;
}

//  2 MiB of address space aligned on its size, so that a block finds its
//  slab's head by masking its address; huge, in one huge page if the
//  kernel has one at hand.
static char *
s_map_aligned (bool huge)
{
    size_t span = 2 * (size_t) ACT_SLAB_SIZE;
    char *area = (char *) mmap (NULL, span, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        abort ();
    char *start = (char *) (((uintptr_t) area + ACT_SLAB_SIZE - 1)
                            & ~((uintptr_t) ACT_SLAB_SIZE - 1));
    if (start > area)
        munmap (area, (size_t) (start - area));
    char *end = start + ACT_SLAB_SIZE;
    if (area + span > end)
        munmap (end, (size_t) (area + span - end));
    //  Only the slabs after the first, up to ACT_SLAB_HUGE in all, which a
    //  steady flow keeps using (a receiver's input at its default bound,
    //  65536 messages, fills 4): over shm, 64 B throughput was ~9% higher
    //  with them (medians of 8 alternating runs each). A burst's deeper
    //  slabs are small pages: on this project's virtual machines, whose
    //  host takes back memory the guest has left free for a few seconds
    //  (free page reporting), a fresh huge page cost 3.2 ms to fault in
    //  (12 us per 4 KiB) and a small page 2-4 us; a first burst of a
    //  million ran at 3-6 M msgs/s in huge pages, 14-16 M/s in small
    //  ones. Huge pages won only on memory the host still backed, which
    //  the decay now keeps mapped instead.
#if defined (MADV_HUGEPAGE)
    if (huge)
        madvise (start, ACT_SLAB_SIZE, MADV_HUGEPAGE);
#else
    (void) huge;
#endif
    return start;
}

//  Wait for work on s_pool.wake, until deadline (zclock_usecs, which is
//  CLOCK_MONOTONIC) if not 0, letting a fork in meanwhile.
static void
s_filler_wait (int64_t deadline)
{
    pthread_mutex_unlock (&s_filler_work);
    if (deadline) {
        struct timespec ts = {
            .tv_sec = (time_t) (deadline / 1000000),
            .tv_nsec = (long) (deadline % 1000000) * 1000
        };
        pthread_cond_clockwait (&s_pool.wake, &s_pool.lock, CLOCK_MONOTONIC, &ts);
    }
    else
        pthread_cond_wait (&s_pool.wake, &s_pool.lock);
    pthread_mutex_unlock (&s_pool.lock);
    pthread_mutex_lock (&s_filler_work);
    pthread_mutex_lock (&s_pool.lock);
}

//  The filler: while a burst takes new slabs, it keeps ACT_SLAB_READY
//  more mapped and faulted in, and once the burst has drained and the
//  decay has passed it unmaps the slabs that are wholly free again, so
//  the thread of the burst does not stop for a page fault every 32
//  messages nor for the unmapping: on a machine with a core to spare,
//  that is most of what a burst cost the actor's loop. It stops filling
//  when the burst stops growing, and maps no new slab while a doomed one
//  is there for the burst to take back.
static void *
s_filler (void *unused)
{
    (void) unused;
    pthread_mutex_lock (&s_filler_work);
    pthread_mutex_lock (&s_pool.lock);
    while (true) {
        if (s_pool.doomed && !s_pool.growing) {
            int64_t due = s_pool.doomed_at + s_decay_us;
            if (zclock_usecs () < due) {
                s_filler_wait (due);
                continue;
            }
            s_slab_t *doomed = s_pool.doomed;
            s_pool.doomed = NULL;
            pthread_mutex_unlock (&s_pool.lock);
            size_t unmapped = 0;
            while (doomed) {
                s_slab_t *slab = doomed;
                doomed = slab->next;
                munmap (slab, ACT_SLAB_SIZE);
                unmapped++;
            }
            pthread_mutex_lock (&s_pool.lock);
            s_pool.slabs -= unmapped;
            continue;
        }
        if (!s_pool.growing || s_pool.nready >= ACT_SLAB_READY || s_pool.doomed) {
            s_filler_wait (0);
            continue;
        }
        bool huge = s_pool.slabs < ACT_SLAB_HUGE;
        pthread_mutex_unlock (&s_pool.lock);
        char *start = s_map_aligned (huge);
        //  Written to, page by page, not MADV_POPULATE_WRITE: under this
        //  project's hypervisor a page populated so still cost the burst's
        //  thread 6 us on its first write, one written by another thread
        //  0.2 us.
        for (size_t page = 0; page < ACT_SLAB_SIZE; page += 4096)
            ((volatile char *) start) [page] = 0;
        s_slab_t *slab = (s_slab_t *) start;
        pthread_mutex_lock (&s_pool.lock);
        slab->next = s_pool.growing ? s_pool.ready : s_pool.doomed;
        if (s_pool.growing) {
            s_pool.ready = slab;
            s_pool.nready++;
        }
        else
            s_pool.doomed = slab;
        s_pool.slabs++;
        s_pool.mapped++;
    }
    return NULL;
}

//  Start the filler, with every signal blocked: the process's signals are
//  for the threads that wait for them (a signalfd in a loop, actor-run's).
static void
s_filler_start (void)
{
    sigset_t all, old;
    sigfillset (&all);
    pthread_sigmask (SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_attr_init (&attr);
    pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    //  Without it, bursts fault their own pages, as the first slab does.
    s_pool.filler = pthread_create (&thread, &attr, s_filler, NULL) == 0;
    pthread_attr_destroy (&attr);
    pthread_sigmask (SIG_SETMASK, &old, NULL);
    if (s_pool.filler)
        pthread_setname_np (thread, "act-slab");
}

//  A slab for a refill that found none with blocks to give: a ready one,
//  else a new one, faulted in as blocks are carved. The first slab is
//  always the latter, so a process that never bursts pays for the few
//  pages it uses and runs no filler.
static s_slab_t *
s_slab_next (void)
{
    s_slab_t *slab = s_pool.ready;
    if (slab) {
        s_pool.ready = slab->next;
        s_pool.nready--;
    }
    else
    if (s_pool.doomed) {
        //  Still mapped, and its pages in: better than a fresh one.
        slab = s_pool.doomed;
        s_pool.doomed = slab->next;
    }
    else {
        bool first = s_pool.slabs == 0;
        slab = (s_slab_t *) s_map_aligned (!first && s_pool.slabs < ACT_SLAB_HUGE);
        s_pool.slabs++;
        s_pool.mapped++;
        if (!first) {
            if (!s_pool.filler)
                s_filler_start ();
            s_pool.growing = true;
        }
    }
    if (s_pool.growing)
        pthread_cond_signal (&s_pool.wake);
    slab->free = NULL;
    slab->fresh = 1;            //  block 0 is the head
    slab->out = 0;
    s_pool.empty++;
    s_link (slab);
    return slab;
}

//  A slab wholly free: the filler unmaps it after the decay, or this
//  thread at once if there is no filler.
static void
s_doom (s_slab_t *slab)
{
    if (s_pool.filler) {
        //  A filler already waiting out the decay wakes at its deadline,
        //  sees the later stamp and waits on: waking it now, once per
        //  slab of a draining burst, would be for nothing.
        bool waiting_out = s_pool.doomed && !s_pool.growing;
        slab->next = s_pool.doomed;
        s_pool.doomed = slab;
        s_pool.doomed_at = zclock_usecs ();
        if (!waiting_out)
            pthread_cond_signal (&s_pool.wake);
    }
    else {
        s_pool.slabs--;
        munmap (slab, ACT_SLAB_SIZE);
    }
}

//  Fill the calling thread's cache with up to count blocks: spilled ones
//  onto its list, then at most one run of fresh ones, which nothing
//  writes to until they are used; a run ends the refill, short or not
//  (called with the thread's list and run empty).
static void
s_refill (uint32_t count)
{
    s_block_t *list = act_slab_cache.head;
    uint32_t taken = 0;
    bool ran = false;
    pthread_mutex_lock (&s_pool.lock);
    while (taken < count && !ran) {
        s_slab_t *slab = s_pool.head ? s_pool.head : s_slab_next ();
        uint32_t before = slab->out;
        while (taken < count && slab->free) {
            s_block_t *block = slab->free;
            slab->free = block->next;
            block->next = list;
            list = block;
            taken++;
            slab->out++;
        }
        if (taken < count && slab->fresh < S_BLOCKS) {
            uint32_t carve = count - taken;
            if (carve > S_BLOCKS - slab->fresh)
                carve = S_BLOCKS - slab->fresh;
            act_slab_cache.fresh = (char *) slab + (size_t) slab->fresh * ACT_SLAB_BLOCK;
            act_slab_cache.nfresh = carve;
            slab->fresh += carve;
            slab->out += carve;
            taken += carve;
            ran = true;
        }
        if (before == 0 && slab->out > 0)
            s_pool.empty--;
        if (!slab->free && slab->fresh == S_BLOCKS)
            s_unlink (slab);
    }
    s_pool.out += taken;
    pthread_mutex_unlock (&s_pool.lock);
    act_slab_cache.head = list;
    act_slab_cache.count += taken;
}

//  The thread's run of fresh blocks onto its list, for a spill of all.
static void
s_unrun (void)
{
    while (act_slab_cache.nfresh) {
        s_block_t *block = (s_block_t *) act_slab_cache.fresh;
        act_slab_cache.fresh += ACT_SLAB_BLOCK;
        act_slab_cache.nfresh--;
        block->next = act_slab_cache.head;
        act_slab_cache.head = block;
    }
}

//  Give count blocks of the calling thread's cache back to their slabs.
static void
s_spill (uint32_t count)
{
    pthread_mutex_lock (&s_pool.lock);
    for (uint32_t given = 0; given < count && act_slab_cache.head; given++) {
        s_block_t *block = act_slab_cache.head;
        act_slab_cache.head = block->next;
        act_slab_cache.count--;
        s_slab_t *slab = s_slab_of (block);
        block->next = slab->free;
        slab->free = block;
        s_pool.out--;
        if (!slab->linked)
            s_link (slab);
        if (--slab->out == 0) {
            if (s_pool.empty < ACT_SLAB_KEEP)
                s_pool.empty++;
            else {
                //  The burst drains: stop filling, give all back.
                s_unlink (slab);
                s_doom (slab);
                s_pool.growing = false;
                while (s_pool.ready) {
                    s_slab_t *ready = s_pool.ready;
                    s_pool.ready = ready->next;
                    s_pool.nready--;
                    s_doom (ready);
                }
            }
        }
    }
    pthread_mutex_unlock (&s_pool.lock);
}

void *
act_slab_alloc_refill (void)
{
    pthread_once (&s_once, s_init);
    if (s_bypass) {
        void *block = malloc (ACT_SLAB_BLOCK);
        if (!block)
            abort ();
        return block;
    }
    if (!act_slab_cache.registered)
        s_register ();
    s_refill (ACT_SLAB_BATCH);
    return act_slab_alloc ();
}

void
act_slab_free_spill (void *block)
{
    if (s_bypass) {
        free (block);
        return;
    }
    if (!act_slab_cache.registered)
        s_register ();
    s_block_t *self = (s_block_t *) block;
    self->next = act_slab_cache.head;
    act_slab_cache.head = self;
    if (++act_slab_cache.count > ACT_SLAB_CACHED)
        s_spill (ACT_SLAB_CACHED / 4);
}

void
act_slab_stats (act_slab_stats_t *stats)
{
    pthread_once (&s_once, s_init);
    pthread_mutex_lock (&s_pool.lock);
    stats->slabs = s_pool.slabs;
    stats->out = s_pool.out;
    stats->mapped = s_pool.mapped;
    pthread_mutex_unlock (&s_pool.lock);
    stats->bytes = stats->slabs * ACT_SLAB_SIZE;
    stats->cached = act_slab_cache.count;
    stats->bypass = s_bypass;
}
