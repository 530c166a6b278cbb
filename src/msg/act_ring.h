/*  act_ring - a single-producer single-consumer byte ring in shared memory
    SPDX-License-Identifier: MPL-2.0

    One ring carries records from one process to another: an 8-byte record
    header (body length u32, kind u8, magic u8, two reserved bytes), the
    body, padding to 8 bytes. The producer writes a record, then publishes
    it by a release store of "head" (bytes ever committed); the consumer
    reads up to head and gives the space back by a release store of "tail".
    A producer killed mid-write never exposes a partial record: nothing is
    visible before its head moves. head and tail sit on cache lines of
    their own, so the two sides do not share a line on the hot path. A
    record that would not fit before the end of the ring is preceded by a
    PAD record filling the end, so every body is contiguous.

    The consumer trusts nothing in the ring: head, every header, every
    length is checked against its own idea of the ring's size before a
    byte is used, and a bad ring is reported with a reason for the caller
    to count and reset. Layout byte by byte: actorio-shm(7).
*/
#ifndef ACT_RING_H_INCLUDED
#define ACT_RING_H_INCLUDED

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACT_RING_LINE       64          //  cache line, bytes
#define ACT_RING_CTL        (3 * ACT_RING_LINE) //  control block before the data
#define ACT_RING_REC_HEAD   8           //  record header, bytes
#define ACT_RING_MAGIC      0x5A        //  second byte of every record header
#define ACT_RING_MIN        4096        //  smallest ring, bytes of data

//  Record kinds.
#define ACT_RING_PAD        0           //  filler up to the end of the ring
#define ACT_RING_BATCH      1           //  body: a wire batch (actorio-wire(7))
#define ACT_RING_BLOCK      2           //  body: a block descriptor, then a
                                        //  wire batch of one EXTERNAL record

//  The control block in shared memory. Fields are read as untrusted.
typedef struct {
    _Alignas (ACT_RING_LINE) _Atomic uint64_t head;     //  producer: bytes committed
    _Atomic uint32_t want_room; //  producer: set when refused for room
    _Alignas (ACT_RING_LINE) _Atomic uint64_t tail;     //  consumer: bytes consumed
    _Alignas (ACT_RING_LINE) _Atomic uint64_t resets;   //  consumer: times reset
} act_ring_ctl_t;

typedef enum {
    ACT_RING_OK = 0,
    ACT_RING_BAD_INDEX,         //  head behind tail, too far ahead, unaligned
    ACT_RING_BAD_HEADER,        //  magic, kind or reserved bytes wrong
    ACT_RING_BAD_LENGTH,        //  a record runs past head or the ring's end
    ACT_RING_BAD_PAD,           //  a PAD record that does not end the ring
    ACT_RING_BAD_BODY,          //  the body was refused by the record handler
    ACT_RING_REASONS
} act_ring_reason_t;

//  One side's view of a ring: where it is mapped and its size, as this
//  process knows them (never read back from the shared control block).
typedef struct {
    act_ring_ctl_t *ctl;        //  control block, in the region
    unsigned char *data;        //  size bytes after it
    uint64_t size;              //  data bytes, a power of two >= ACT_RING_MIN
    uint64_t head;              //  producer: next byte to commit
    uint64_t tail;              //  producer: last tail seen (cache)
    unsigned char *open;        //  producer: reserved body, or NULL
    size_t open_cap;            //  producer: bytes reserved for it
} act_ring_t;

//  Called for each record the consumer reads. Returns false to refuse the
//  body: the ring is then reset and ACT_RING_BAD_BODY reported.
typedef bool (act_ring_record_fn) (void *arg, unsigned kind,
                                   const unsigned char *body, size_t size);

//  Bytes of shared memory a ring of size data bytes takes.
size_t
    act_ring_footprint (size_t size);

//  Attach to a ring whose control block is at mem; size is this
//  process's own idea of its data size. The producer's head starts at
//  the shared head (a restarted producer goes on where its last life
//  committed).
void
    act_ring_attach (act_ring_t *self, void *mem, size_t size);

//  Set a ring to empty (the region's creator, before anyone attaches).
void
    act_ring_init (void *mem);

//  Producer: reserve room for a body of at least min bytes, returning
//  where to write it and in *cap how many bytes may be written (at most
//  max). NULL when the ring has no room now. The previous reservation, if
//  any, is dropped.
unsigned char *
    act_ring_reserve (act_ring_t *self, size_t min, size_t max, size_t *cap);

//  Producer: publish the reserved body as one record of size bytes.
void
    act_ring_commit (act_ring_t *self, unsigned kind, size_t size);

//  Producer: free bytes now, as last seen from the consumer's tail.
size_t
    act_ring_free (act_ring_t *self);

//  Consumer: true if committed records wait.
bool
    act_ring_pending (const act_ring_t *self);

//  Consumer: read up to max records, copying each body into scratch
//  (a body longer than scratch_size is a bad record) and calling fn for
//  it, and give their space back. Returns the number read; on a bad ring
//  returns -1 with the reason in *why (what was read before it stays
//  read), and the caller resets the ring.
int
    act_ring_read (act_ring_t *self, size_t max, unsigned char *scratch,
                   size_t scratch_size, act_ring_record_fn *fn, void *arg,
                   act_ring_reason_t *why);

//  Consumer: drop everything committed so far (a bad ring, or the
//  records of a previous life).
void
    act_ring_reset (act_ring_t *self);

//  A short name for a reason, for counters and logs.
const char *
    act_ring_reason_name (act_ring_reason_t reason);

#endif
