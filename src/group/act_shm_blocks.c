/*  act_shm_blocks - the blocks of one group's area in the shared region
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_shm_blocks.h"
#include <errno.h>

uint64_t
act_shm_blocks_len (size_t size)
{
    return ((uint64_t) ACT_SHM_BLOCK_HEAD + size + 63) & ~(uint64_t) 63;
}

void
act_shm_blocks_init (act_shm_blocks_t *self, act_region_t *region, size_t me,
                     act_peers_t *peers, act_link_stats_t *stats)
{
    self->region = region;
    self->me = me;
    self->peers = peers;
    self->stats = stats;
    self->area = act_shm_area (region->base, &region->layout, me);
    self->blocks = (unsigned char *) self->area + ACT_SHM_AREA_HEAD;
    self->head = atomic_load (&self->area->head);
    self->tail = atomic_load (&self->area->tail);
    if (self->tail > self->head || self->head - self->tail > region->layout.area_size
    ||  (self->head & 63) || (self->tail & 63))
        self->tail = self->head = 0;
}

bool
act_shm_blocks_out (const act_shm_blocks_t *self)
{
    return self->tail != self->head;
}

//  Take back, in order, the blocks their receivers gave back, those
//  they never took (see act_shm.h), and those taken by a life that has
//  ended.
void
act_shm_blocks_reclaim (act_shm_blocks_t *self)
{
    uint64_t size = self->region->layout.area_size;
    while (self->tail < self->head) {
        uint64_t pos = self->tail % size;
        act_shm_block_t *block = (act_shm_block_t *) (self->blocks + pos);
        uint64_t len = block->len;
        if (len < ACT_SHM_BLOCK_HEAD || (len & 63) || len > size - pos
        ||  len > self->head - self->tail || block->magic != ACT_SHM_BLOCK_MAGIC) {
            //  Not what we wrote: forget every block handed out.
            act_peers_malformed (self->peers, self->stats, "block area", "header");
            self->tail = self->head;
            break;
        }
        uint32_t state = atomic_load_explicit (&block->state, memory_order_acquire);
        uint32_t owner = block->owner;
        if (state != ACT_SHM_FREE && owner < self->region->layout.count && owner != self->me) {
            act_shm_group_t *entry = act_shm_group (self->region->base, owner);
            if (state == ACT_SHM_TAKEN) {
                if (atomic_load (&entry->epoch) == block->epoch)
                    break;          //  in a message of a live receiver
                atomic_fetch_add_explicit (&self->area->reclaimed_dead, 1,
                                           memory_order_relaxed);
            }
            else
            if (atomic_load (&entry->epoch) == block->epoch) {
                //  (HELD for a life that has ended is taken back: no life
                //  takes a block of another epoch than its own, whatever
                //  its record became, committed after the ring was
                //  emptied too.)
                //  The receiver's tail is published after it took what it
                //  read: past the descriptor and still HELD means never.
                //  A head not past it means the descriptor was never
                //  committed: a life of ours died between handing the
                //  block out and committing (this life commits before it
                //  comes here again), and nobody will ever read it.
                act_ring_ctl_t *ring = (act_ring_ctl_t *) act_shm_ring (
                    self->region->base, &self->region->layout, self->me, owner);
                if (atomic_load_explicit (&ring->tail, memory_order_acquire)
                    <= block->ring_pos
                &&  atomic_load_explicit (&ring->head, memory_order_relaxed)
                    > block->ring_pos)
                    break;
            }
        }
        //  A filler at the end of the area carries no payload.
        if (block->size)
            atomic_fetch_add_explicit (&self->area->reclaimed, 1, memory_order_relaxed);
        self->tail += len;
    }
    atomic_store_explicit (&self->area->tail, self->tail, memory_order_relaxed);
}

bool
act_shm_blocks_room (const act_shm_blocks_t *self, uint64_t len)
{
    uint64_t size = self->region->layout.area_size;
    //  Empty, any block fits: act_shm_blocks_alloc starts over if it must
    if (self->tail == self->head)
        return len <= size;
    uint64_t free = size - (self->head - self->tail);
    uint64_t contig = size - self->head % size;
    return contig >= len ? free >= len : free >= contig + len;
}

int64_t
act_shm_blocks_alloc (act_shm_blocks_t *self, size_t owner, size_t size,
                      uint64_t ring_pos)
{
    uint64_t len = act_shm_blocks_len (size);
    uint64_t area = self->region->layout.area_size;
    if (len > area)
        return -1;
    //  The epoch first, then down, the reverse of act_region_group_down:
    //  a block either carries an epoch that has ended (and comes back by
    //  the walk's epoch rule) or is refused here.
    act_shm_group_t *entry = act_shm_group (self->region->base, owner);
    uint32_t epoch = atomic_load (&entry->epoch);
    if (atomic_load (&entry->down)) {
        errno = EHOSTUNREACH;
        return -1;
    }
    act_shm_blocks_reclaim (self);
    if (!act_shm_blocks_room (self, len)) {
        errno = EAGAIN;
        return -1;
    }
    uint64_t pos = self->head % area;
    if (area - pos < len && self->tail == self->head && pos < len) {
        //  Nothing out, and the block fits neither before the end nor
        //  before where the last one ended (blocks never wrap, and it is
        //  over half the area): start over at the area's start. Only
        //  then: going round the whole area, rather than back to its
        //  start each time it empties, writes lines the receivers have
        //  not just read (a 1 MiB stream ran at half speed otherwise).
        self->head = self->tail = self->head - pos + area;
        atomic_store_explicit (&self->area->tail, self->tail, memory_order_relaxed);
        pos = 0;
    }
    if (area - pos < len) {
        //  Blocks never wrap: the end becomes a free filler.
        act_shm_block_t *skip = (act_shm_block_t *) (self->blocks + pos);
        skip->magic = ACT_SHM_BLOCK_MAGIC;
        skip->len = area - pos;
        skip->size = 0;
        skip->owner = (uint32_t) self->me;
        atomic_store_explicit (&skip->state, ACT_SHM_FREE, memory_order_release);
        self->head += area - pos;
        pos = 0;
    }
    act_shm_block_t *block = (act_shm_block_t *) (self->blocks + pos);
    block->magic = ACT_SHM_BLOCK_MAGIC;
    block->owner = (uint32_t) owner;
    block->epoch = epoch;
    block->len = len;
    block->size = size;
    block->ring_pos = ring_pos;
    block->sender = (uint32_t) self->me;
    atomic_store_explicit (&block->state, ACT_SHM_HELD, memory_order_release);
    self->head += len;
    atomic_store_explicit (&self->area->head, self->head, memory_order_release);
    atomic_fetch_add_explicit (&self->area->blocks, 1, memory_order_relaxed);
    return (int64_t) pos;
}

//  A message pointing into a block was destroyed (any thread). A sender
//  asleep is woken to take it back: an idle group holds no block that
//  nobody uses. The sender's index was checked when the block was taken.
void
act_shm_blocks_release (void *arg, void *ctx)
{
    act_shm_block_t *block = (act_shm_block_t *) arg;
    act_region_t *region = (act_region_t *) ctx;
    //  Read before the block is given back: FREE hands it to its sender,
    //  which may write a new header into it at once. Checked again: it
    //  was when the block was taken, but it is in the region, where
    //  anyone may have written since.
    uint32_t index = block->sender;
    atomic_store (&block->state, ACT_SHM_FREE);
    if (index >= region->layout.count)
        return;                 //  nobody to wake: its next walk finds it
    act_shm_group_t *sender = act_shm_group (region->base, index);
    if (atomic_load (&sender->parked) && atomic_exchange (&sender->parked, 0)) {
        uint64_t one = 1;
        ssize_t rc = write (region->doorbells [index], &one, sizeof one);
        (void) rc;
    }
}

act_shm_block_t *
act_shm_blocks_take (act_region_t *region, size_t me, uint32_t epoch, size_t from,
                     const act_shm_desc_t *desc, int64_t max_size, const char **why)
{
    uint64_t area = region->layout.area_size;
    if (desc->reserved || (desc->offset & 63) || desc->offset > area - ACT_SHM_BLOCK_HEAD
    ||  desc->size > area - ACT_SHM_BLOCK_HEAD - desc->offset
    ||  (max_size && desc->size > (uint64_t) max_size)) {
        *why = "descriptor";
        return NULL;
    }
    if (desc->epoch != epoch) {
        //  Meant for a life of ours that ended: left as it is, its sender
        //  takes it back (it may have already, and written another block
        //  there: so this comes before any look at the block).
        *why = NULL;
        return NULL;
    }
    act_shm_area_t *sender = act_shm_area (region->base, &region->layout, from);
    act_shm_block_t *block = (act_shm_block_t *)
        ((unsigned char *) sender + ACT_SHM_AREA_HEAD + desc->offset);
    if (block->magic != ACT_SHM_BLOCK_MAGIC || block->owner != me
    ||  block->sender != from
    ||  block->size != desc->size || block->epoch != desc->epoch) {
        *why = "block";
        return NULL;
    }
    //  Taken once: a descriptor replayed by a rogue finds it TAKEN.
    uint32_t held = ACT_SHM_HELD;
    if (!atomic_compare_exchange_strong (&block->state, &held, ACT_SHM_TAKEN)) {
        *why = "block";
        return NULL;
    }
    return block;
}

