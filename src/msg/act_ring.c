/*  act_ring - a single-producer single-consumer byte ring in shared memory
    SPDX-License-Identifier: MPL-2.0

    Each side keeps its own index (the producer's head, the consumer's
    tail) in process memory and only publishes it to the ring: a value
    scribbled over the shared copy cannot move either side's idea of where
    it is, it can only make the other side see a bad ring and reset it.
    The consumer copies a record's body out before handing it on: the
    codec checks a batch in one pass and delivers in a second, and a
    writer changing the bytes between the two must not be able to turn a
    checked length into a read past the body.
*/
#include "act_ring.h"
#include <string.h>

static const char *s_reason_names [ACT_RING_REASONS] = {
    "ok", "index", "header", "length", "pad", "body"
};

const char *
act_ring_reason_name (act_ring_reason_t reason)
{
    return (unsigned) reason < ACT_RING_REASONS ? s_reason_names [reason] : "unknown";
}

static uint64_t
s_align (uint64_t size)
{
    return (size + 7) & ~(uint64_t) 7;
}

size_t
act_ring_footprint (size_t size)
{
    return ACT_RING_CTL + size;
}

void
act_ring_init (void *mem)
{
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) mem;
    atomic_store (&ctl->head, 0);
    atomic_store (&ctl->want_room, 0);
    atomic_store (&ctl->tail, 0);
    atomic_store (&ctl->resets, 0);
}

void
act_ring_attach (act_ring_t *self, void *mem, size_t size)
{
    memset (self, 0, sizeof *self);
    self->ctl = (act_ring_ctl_t *) mem;
    self->data = (unsigned char *) mem + ACT_RING_CTL;
    self->size = size;
    //  Each side starts from the shared indices once: a restarted
    //  producer goes on after what its last life committed, and a
    //  consumer resets before reading (act_ring_reset).
    uint64_t head = atomic_load_explicit (&self->ctl->head, memory_order_acquire);
    self->head = head & ~(uint64_t) 7;
    self->tail = atomic_load_explicit (&self->ctl->tail, memory_order_acquire);
}

size_t
act_ring_free (act_ring_t *self)
{
    uint64_t tail = atomic_load_explicit (&self->ctl->tail, memory_order_acquire);
    //  A consumer that reset its ring past our head (to a head a rogue
    //  wrote) reads from there on: go on from there too, or the pair
    //  stays stuck. Aligned, so the records we write there are readable.
    //  A tail absurdly far ahead (more than 2^48 bytes, years of
    //  traffic) stays nonsense: the ring is full until a reset.
    if (tail > self->head) {
        if (tail - self->head > ((uint64_t) 1 << 48) || (tail & 7))
            return 0;
        self->head = tail;
    }
    //  A tail too far behind makes no sense: treat the ring as full and
    //  wait for the consumer to reset it rather than overwrite what it
    //  may read.
    if (self->head - tail > self->size)
        return 0;
    self->tail = tail;
    return (size_t) (self->size - (self->head - tail));
}

unsigned char *
act_ring_reserve (act_ring_t *self, size_t min, size_t max, size_t *cap)
{
    self->open = NULL;
    uint64_t need = ACT_RING_REC_HEAD + s_align (min);
    uint64_t pos = self->head & (self->size - 1);
    uint64_t contig = self->size - pos;
    //  The consumer's tail only moves forward, so the room counted from
    //  the last tail seen is never more than there is; the shared tail,
    //  on a line the consumer writes (a miss, on another core), is read
    //  only when that room is short. In a ping-pong that read was on
    //  every send's path.
    uint64_t used = self->head - self->tail;
    uint64_t free = used <= self->size ? self->size - used : 0;
    if (free < (contig < need ? contig + need : need)) {
        free = act_ring_free (self);
        //  A reset past our head moves it (see act_ring_free).
        pos = self->head & (self->size - 1);
        contig = self->size - pos;
    }
    if (contig < need) {
        //  Records never wrap: fill the end with a PAD record, start over
        //  at the beginning.
        if (free < contig + need)
            return NULL;
        unsigned char *p = self->data + pos;
        uint32_t len = (uint32_t) (contig - ACT_RING_REC_HEAD);
        memcpy (p, &len, 4);
        p [4] = ACT_RING_PAD;
        p [5] = ACT_RING_MAGIC;
        p [6] = p [7] = 0;
        self->head += contig;
        atomic_store_explicit (&self->ctl->head, self->head, memory_order_release);
        free -= contig;
        pos = 0;
        contig = self->size;
    }
    if (free < need)
        return NULL;
    uint64_t room = (free < contig ? free : contig) - ACT_RING_REC_HEAD;
    self->open_cap = (size_t) (room < max ? room : max);
    self->open = self->data + pos + ACT_RING_REC_HEAD;
    *cap = self->open_cap;
    return self->open;
}

void
act_ring_commit (act_ring_t *self, unsigned kind, size_t size)
{
    unsigned char *p = self->open - ACT_RING_REC_HEAD;
    uint32_t len = (uint32_t) size;
    memcpy (p, &len, 4);
    p [4] = (unsigned char) kind;
    p [5] = ACT_RING_MAGIC;
    p [6] = p [7] = 0;
    self->head += ACT_RING_REC_HEAD + s_align (size);
    self->open = NULL;
    //  seq_cst, not just release: the caller next looks at whether the
    //  consumer parked, and that load must not pass this store.
    atomic_store (&self->ctl->head, self->head);
}

bool
act_ring_pending (const act_ring_t *self)
{
    return atomic_load_explicit (&self->ctl->head, memory_order_relaxed) != self->tail;
}

void
act_ring_reset (act_ring_t *self)
{
    self->tail = atomic_load_explicit (&self->ctl->head, memory_order_acquire);
    atomic_store (&self->ctl->tail, self->tail);
    atomic_fetch_add_explicit (&self->ctl->resets, 1, memory_order_relaxed);
}

int
act_ring_read (act_ring_t *self, size_t max, unsigned char *scratch,
               size_t scratch_size, act_ring_record_fn *fn, void *arg,
               act_ring_reason_t *why)
{
    uint64_t head = atomic_load_explicit (&self->ctl->head, memory_order_acquire);
    uint64_t tail = self->tail;
    if (head == tail)
        return 0;
    //  Our tail is our own, but it came from the shared block once (at
    //  attach, or a reset to a scribbled head): an odd one would put a
    //  header across the ring's end.
    if (head < tail || head - tail > self->size || (head & 7) || (tail & 7)) {
        *why = ACT_RING_BAD_INDEX;
        return -1;
    }
    int count = 0;
    act_ring_reason_t reason = ACT_RING_OK;
    while (tail < head && (size_t) count < max) {
        uint64_t pos = tail & (self->size - 1);
        uint64_t contig = self->size - pos;
        uint64_t avail = head - tail;
        const unsigned char *p = self->data + pos;
        unsigned char hdr [ACT_RING_REC_HEAD];
        memcpy (hdr, p, sizeof hdr);
        uint32_t len;
        memcpy (&len, hdr, 4);
        unsigned kind = hdr [4];
        if (hdr [5] != ACT_RING_MAGIC || hdr [6] || hdr [7] || kind > ACT_RING_BLOCK) {
            reason = ACT_RING_BAD_HEADER;
            break;
        }
        uint64_t used = ACT_RING_REC_HEAD + s_align (len);
        if (kind == ACT_RING_PAD && used != contig) {
            reason = ACT_RING_BAD_PAD;
            break;
        }
        if (used > contig || used > avail) {
            reason = ACT_RING_BAD_LENGTH;
            break;
        }
        if (kind != ACT_RING_PAD) {
            if (len > scratch_size) {
                reason = ACT_RING_BAD_LENGTH;
                break;
            }
            memcpy (scratch, p + ACT_RING_REC_HEAD, len);
            if (!fn (arg, kind, scratch, len)) {
                reason = ACT_RING_BAD_BODY;
                tail += used;       //  the bad record is consumed
                break;
            }
            count++;
        }
        tail += used;
    }
    self->tail = tail;
    //  seq_cst: the caller next looks at whether the producer waits for
    //  room, and that load must not pass this store.
    atomic_store (&self->ctl->tail, tail);
    if (reason != ACT_RING_OK) {
        *why = reason;
        return -1;
    }
    return count;
}
