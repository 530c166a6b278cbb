/*  act_slab - fixed-size blocks for small messages, carved from slabs
    SPDX-License-Identifier: MPL-2.0

    A burst (one handler telling a million messages before the receiver
    runs) used to cost one malloc per message, and glibc grew the thread's
    heap a page and an mprotect at a time; the burst ran at a fifth of the
    speed of steady traffic. Blocks now come from 2 MiB slabs in batches:
    the common path is a pop or a push on a thread-local list, and the
    lock is taken once per ACT_SLAB_BATCH blocks. Slabs stay in small
    pages: on this project's (virtual) machines a fresh 2 MiB huge page
    was as often 5x slower to fault in as 4x faster, while small pages
    cost the same each time.

    Ownership: a block is "out" from the moment a refill takes it from its
    slab until a spill gives it back, whichever thread holds it meanwhile;
    a thread's cache never holds more than ACT_SLAB_CACHED + 1 blocks. A
    slab with no block out is wholly free: beyond ACT_SLAB_KEEP of those,
    it is unmapped at once.
*/
#include "act_slab.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
    size_t slabs;               //  slabs mapped
    size_t empty;               //  slabs with no block out
    size_t out;                 //  blocks out, all slabs
} s_pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

__thread act_slab_cache_t act_slab_cache __attribute__ ((tls_model ("initial-exec")));
static pthread_key_t s_cache_key;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;
//  Written once, under s_once, before the first block exists; every block
//  reaches another thread through some synchronisation, so a reader of
//  a block sees it.
static bool s_bypass;

static void s_spill (uint32_t count);

static void
s_cache_flush (void *unused)
{
    (void) unused;
    //  A destructor that runs after this one may free blocks again: it
    //  then registers again, and the thread runs this once more.
    act_slab_cache.registered = false;
    s_spill (act_slab_cache.count);
}

static void
s_fork_prepare (void)
{
    pthread_mutex_lock (&s_pool.lock);
}

static void
s_fork_release (void)
{
    pthread_mutex_unlock (&s_pool.lock);
}

static void
s_init (void)
{
    const char *env = getenv ("ACTORIO_MSG_CACHE");
    s_bypass = env && strcmp (env, "0") == 0;
#if defined (S_UNDER_ASAN)
    s_bypass = true;
#endif
#if defined (RUNNING_ON_VALGRIND)
    if (RUNNING_ON_VALGRIND)
        s_bypass = true;
#endif
    pthread_key_create (&s_cache_key, s_cache_flush);
    //  A child forked while another thread refills must not inherit the
    //  lock held.
    pthread_atfork (s_fork_prepare, s_fork_release, s_fork_release);
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

//  A new slab, aligned on its size so that a block finds its head by
//  masking its address. Its pages are faulted in as blocks are carved,
//  so a process that never bursts pays for the few it uses.
static s_slab_t *
s_slab_map (void)
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
    s_slab_t *slab = (s_slab_t *) start;
    slab->free = NULL;
    slab->fresh = 1;            //  block 0 is the head
    slab->out = 0;
    s_pool.slabs++;
    s_pool.empty++;
    s_link (slab);
    return slab;
}

//  Fill the calling thread's cache with up to count blocks.
static void
s_refill (uint32_t count)
{
    s_block_t *list = act_slab_cache.head;
    uint32_t taken = 0;
    pthread_mutex_lock (&s_pool.lock);
    while (taken < count) {
        s_slab_t *slab = s_pool.head ? s_pool.head : s_slab_map ();
        uint32_t before = slab->out;
        while (taken < count && slab->free) {
            s_block_t *block = slab->free;
            slab->free = block->next;
            block->next = list;
            list = block;
            taken++;
            slab->out++;
        }
        //  Carve from the top down, so that the list runs in address
        //  order: a burst is then read back sequentially.
        uint32_t carve = count - taken;
        if (carve > S_BLOCKS - slab->fresh)
            carve = S_BLOCKS - slab->fresh;
        char *base = (char *) slab;
        for (uint32_t index = slab->fresh + carve; index > slab->fresh; index--) {
            s_block_t *block = (s_block_t *) (base + (size_t) (index - 1) * ACT_SLAB_BLOCK);
            block->next = list;
            list = block;
        }
        slab->fresh += carve;
        slab->out += carve;
        taken += carve;
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
                s_unlink (slab);
                s_pool.slabs--;
                munmap (slab, ACT_SLAB_SIZE);
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
    pthread_mutex_unlock (&s_pool.lock);
    stats->bytes = stats->slabs * ACT_SLAB_SIZE;
    stats->cached = act_slab_cache.count;
    stats->bypass = s_bypass;
}
