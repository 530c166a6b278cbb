/*  act_slab - fixed-size blocks for small messages, carved from slabs
    SPDX-License-Identifier: MPL-2.0

    Each thread keeps a bounded cache of free blocks; the cache refills
    from, and spills back to, slabs shared by the process under one lock,
    a batch at a time. A block may be freed on any thread, not only the
    one that took it. A slab that is wholly free again goes back to the
    system after a decay (ACTORIO_MSG_DECAY_MS, 1 s by default) that lets
    bursts in a row reuse it, so a burst of a million messages costs no
    memory once it has drained and the decay has passed. A process whose
    slabs grow past the first starts one thread, "act-slab", that faults
    slabs in ahead of the burst and unmaps them behind it. Under AddressSanitizer, under Valgrind (unless
    ACTORIO_MSG_CACHE=1), or with ACTORIO_MSG_CACHE=0 in the environment,
    every block is its own malloc, so leak checkers see each message.
*/
#ifndef ACT_SLAB_H_INCLUDED
#define ACT_SLAB_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACT_SLAB_BLOCK      128             //  bytes of a block
#define ACT_SLAB_SIZE       (2u << 20)      //  bytes of a slab, and its alignment
#define ACT_SLAB_CACHED     4096            //  free blocks a thread keeps at most
#define ACT_SLAB_BATCH      1024            //  blocks moved per refill or spill
#define ACT_SLAB_KEEP       1               //  wholly free slabs kept mapped
#define ACT_SLAB_READY      4               //  slabs faulted in ahead of a growing burst
#define ACT_SLAB_HUGE       5               //  slabs mapped at once, the first included,
                                            //  below which a new one is a huge page

//  The calling thread's free blocks. Inline below, because a message
//  costs ~30 ns in all and a call each way was a tenth of it.
typedef struct act_slab_block act_slab_block_t;
struct act_slab_block {
    act_slab_block_t *next;     //  in a free list
};
typedef struct {
    act_slab_block_t *head;     //  free blocks
    char *fresh;                //  blocks never used, in one run: taken
    uint32_t nfresh;            //  without writing to them, since a write
                                //  to a block not yet in cache is what a
                                //  burst costs most
    uint32_t count;             //  blocks in the list and the run
    bool registered;            //  thread-exit destructor set (never when
                                //  blocks are plain malloc)
} act_slab_cache_t;

extern __thread act_slab_cache_t act_slab_cache
    __attribute__ ((tls_model ("initial-exec")));

//  The slow paths of the two below.
void *
    act_slab_alloc_refill (void);
void
    act_slab_free_spill (void *block);

//  A block of ACT_SLAB_BLOCK bytes, 16-byte aligned; aborts on out of
//  memory. Not zeroed.
static inline void *
act_slab_alloc (void)
{
    act_slab_block_t *block = act_slab_cache.head;
    if (block)
        act_slab_cache.head = block->next;
    else
    if (act_slab_cache.nfresh) {
        block = (act_slab_block_t *) act_slab_cache.fresh;
        act_slab_cache.fresh += ACT_SLAB_BLOCK;
        act_slab_cache.nfresh--;
    }
    else
        return act_slab_alloc_refill ();
    act_slab_cache.count--;
    return block;
}

//  Give a block from act_slab_alloc back, from any thread.
static inline void
act_slab_free (void *block)
{
    if (act_slab_cache.registered && act_slab_cache.count < ACT_SLAB_CACHED) {
        act_slab_block_t *self = (act_slab_block_t *) block;
        self->next = act_slab_cache.head;
        act_slab_cache.head = self;
        act_slab_cache.count++;
    }
    else
        act_slab_free_spill (block);
}

//  What the blocks cost right now, for tests and benchmarks.
typedef struct {
    size_t slabs;               //  slabs mapped
    size_t mapped;              //  slabs mapped since the process began
    size_t bytes;               //  bytes mapped for them
    size_t out;                 //  blocks taken from slabs (in use or cached)
    size_t cached;              //  free blocks in the calling thread's cache
    bool bypass;                //  blocks are plain malloc (leak checkers)
} act_slab_stats_t;

void
    act_slab_stats (act_slab_stats_t *stats);

#endif
