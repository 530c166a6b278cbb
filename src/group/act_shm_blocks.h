/*  act_shm_blocks - the blocks of one group's area in the shared region:
    handed out by their sender, taken and given back by their receiver
    SPDX-License-Identifier: MPL-2.0

    A payload over the inline limit crosses in a block: the sender copies
    it into its own area once, the ring carries a descriptor, and the
    receiver's message points into the block until it is destroyed.
    Blocks are handed out in order and reclaimed in order (a held block
    keeps the ones after it), by the sender alone; act_shm.h says when a
    block comes back. The receiver trusts nothing of a descriptor or a
    block header.
*/
#ifndef ACT_SHM_BLOCKS_H_INCLUDED
#define ACT_SHM_BLOCKS_H_INCLUDED

#include "act_link.h"
#include "act_shm.h"

//  The sender's side: its area, as this process knows it.
typedef struct {
    act_region_t *region;       //  the run's region
    size_t me;                  //  our index
    act_shm_area_t *area;       //  our area's header
    unsigned char *blocks;      //  its first byte
    uint64_t head;              //  bytes handed out, ever
    uint64_t tail;              //  bytes reclaimed, ever
    act_peers_t *peers;         //  for reporting a bad area
    act_link_stats_t *stats;
} act_shm_blocks_t;

//  Take over our area where a past life of ours left it, if that makes
//  sense (its blocks may still be held), else from empty.
void
    act_shm_blocks_init (act_shm_blocks_t *self, act_region_t *region, size_t me,
                         act_peers_t *peers, act_link_stats_t *stats);

//  Bytes a block for size payload bytes takes.
uint64_t
    act_shm_blocks_len (size_t size);

//  Take back what can be taken back (see act_shm.h).
void
    act_shm_blocks_reclaim (act_shm_blocks_t *self);

//  True if blocks are out (handed out, not yet taken back).
bool
    act_shm_blocks_out (const act_shm_blocks_t *self);

//  True if a block of len bytes fits now.
bool
    act_shm_blocks_room (const act_shm_blocks_t *self, uint64_t len);

//  Hand out a block for size payload bytes meant for owner, whose
//  descriptor will start at ring_pos in the ring toward it; its offset
//  in the area, or -1 with errno EAGAIN (no room now) or EHOSTUNREACH
//  (owner is down: see act_shm.h).
int64_t
    act_shm_blocks_alloc (act_shm_blocks_t *self, size_t owner, size_t size,
                          uint64_t ring_pos);

//  The receiver's side: the block a descriptor from group from names,
//  taken (HELD to TAKEN) for a message of ours, for life epoch. NULL with
//  *why the reason it is refused, or NULL with *why NULL when it was
//  meant for a past life of ours (its sender takes it back).
act_shm_block_t *
    act_shm_blocks_take (act_region_t *region, size_t me, uint32_t epoch, size_t from,
                         const act_shm_desc_t *desc, int64_t max_size, const char **why);

//  Give a taken block back (an act_msg_release_fn: any thread; ctx is
//  the region). Wakes its sender if it is asleep.
void
    act_shm_blocks_release (void *block, void *region);

#endif
