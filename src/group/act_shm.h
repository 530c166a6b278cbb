/*  act_shm - the layout of a run's shared region, for act_region and the
    shm link
    SPDX-License-Identifier: MPL-2.0

    Every process computes every offset from the three numbers it was
    given (groups, ring size, area size), never from the region itself:
    the header's copies only let a reader check it holds the right kind
    of region. Byte by byte in actorio-shm(7).

        0                   header, ACT_SHM_HEAD bytes
        ACT_SHM_HEAD        group table, count x ACT_SHM_GROUP bytes
        rings               count x (count - 1) rings, one per directed
                            pair (act_shm_ring), act_ring_footprint each
        areas               count x (ACT_SHM_AREA_HEAD + area size)
*/
#ifndef ACT_SHM_H_INCLUDED
#define ACT_SHM_H_INCLUDED

#include "actorio.h"
#include "act_ring.h"
#include "act_wire.h"

#define ACT_SHM_MAGIC       "ACTSHM01"
#define ACT_SHM_VERSION     1
#define ACT_SHM_HEAD        4096
#define ACT_SHM_GROUP       256
#define ACT_SHM_AREA_HEAD   192
#define ACT_SHM_BLOCK_HEAD  64
#define ACT_SHM_BLOCK_MAGIC 0xB10CB10Cu
#define ACT_SHM_AREA_MIN    (64 * 1024)

typedef struct {
    char magic [8];             //  ACT_SHM_MAGIC
    uint32_t version;           //  ACT_SHM_VERSION
    uint32_t groups;            //  count
    uint64_t ring_size;         //  bytes of one ring's data
    uint64_t area_size;         //  bytes of one area's blocks
    uint64_t total;             //  bytes of the region
} act_shm_head_t;

//  A group's entry: its name and what its peers must see of it.
typedef struct {
    char name [ACT_WIRE_NAME_MAX + 8];  //  NUL-terminated
    _Alignas (64) _Atomic uint32_t parked;  //  1: asleep in poll, ring the doorbell
    _Alignas (64) _Atomic uint32_t epoch;   //  its life, bumped at each death
    _Atomic uint64_t stale;     //  records of a past life it dropped
    _Atomic uint32_t down;      //  1 from its death to its next life's join
} act_shm_group_t;

//  A group's area: blocks handed out in order, given back in any order,
//  reclaimed in order (a held block keeps the ones after it).
typedef struct {
    _Alignas (64) _Atomic uint64_t head;    //  sender: bytes handed out
    _Atomic uint64_t tail;                  //  sender: bytes reclaimed
    _Atomic uint64_t blocks;                //  sender: blocks handed out
    _Atomic uint64_t reclaimed;             //  sender: blocks taken back
    _Atomic uint64_t reclaimed_dead;        //  sender: of which their
                                            //  receiver's life had ended
    _Alignas (64) _Atomic uint64_t refused; //  receivers: descriptors refused
} act_shm_area_t;

//  A block's header, ACT_SHM_BLOCK_HEAD bytes before its payload.
typedef struct {
    _Atomic uint32_t state;     //  ACT_SHM_FREE, _HELD or _TAKEN
    uint32_t magic;             //  ACT_SHM_BLOCK_MAGIC
    uint32_t owner;             //  receiving group's index
    uint32_t epoch;             //  the receiver's epoch it was meant for
    uint64_t len;               //  bytes of the block, header included
    uint64_t size;              //  payload bytes
    uint64_t ring_pos;          //  where its descriptor starts in the ring
                                //  toward owner (bytes ever committed)
    uint32_t sender;            //  sending group's index (whose area)
} act_shm_block_t;

//  A block's life: the sender hands it out HELD and commits its
//  descriptor; the receiver takes it (HELD to TAKEN, once) and frees it
//  when its message is destroyed. A block still HELD once the receiver's
//  tail has passed its descriptor was never taken (its record was
//  dropped or reset away): the sender takes it back. So it does a HELD
//  block whose descriptor was never committed (the ring's head is not
//  past it: a sender that died in between), and a TAKEN block whose
//  receiver's life has ended (the epoch moved on). No block is handed
//  out for a group that is down: one might wait there for a next life
//  that never comes, and hold back the whole area behind it.
#define ACT_SHM_FREE  0u
#define ACT_SHM_HELD  1u
#define ACT_SHM_TAKEN 2u

//  A ring record of kind ACT_RING_BLOCK starts with this, then the batch.
typedef struct {
    uint64_t offset;            //  block header, from the sender's area start
    uint64_t size;              //  payload bytes
    uint32_t epoch;             //  the receiver's epoch it was meant for
    uint32_t reserved;          //  0
} act_shm_desc_t;

//  Offsets, from (count, ring_size, area_size).
typedef struct {
    size_t count;
    size_t ring_size;
    size_t area_size;
    size_t rings;               //  offset of ring 0
    size_t ring_stride;         //  bytes per ring
    size_t areas;               //  offset of area 0
    size_t area_stride;         //  bytes per area
    size_t total;               //  region size
} act_shm_layout_t;

//  0, or -1 if the numbers make no region.
int
    act_shm_layout (act_shm_layout_t *self, size_t count, size_t ring_size,
                    size_t area_size);

static inline act_shm_group_t *
act_shm_group (void *base, size_t index)
{
    return (act_shm_group_t *) ((unsigned char *) base + ACT_SHM_HEAD
                                + index * ACT_SHM_GROUP);
}

static inline void *
act_shm_ring (void *base, const act_shm_layout_t *layout, size_t from, size_t to)
{
    size_t slot = from * (layout->count - 1) + (to < from ? to : to - 1);
    return (unsigned char *) base + layout->rings + slot * layout->ring_stride;
}

static inline act_shm_area_t *
act_shm_area (void *base, const act_shm_layout_t *layout, size_t index)
{
    return (act_shm_area_t *) ((unsigned char *) base + layout->areas
                               + index * layout->area_stride);
}

//  What act_region_t holds, for the shm link.
struct _act_region_t {
    void *base;                 //  the mapping
    int fd;                     //  the memfd
    act_shm_layout_t layout;    //  offsets
    int *doorbells;             //  eventfd per group
    char **names;               //  group names, in index order
};

//  Index of group in the region, or -1.
int
    act_shm_index (const act_region_t *region, const char *group);

#endif
