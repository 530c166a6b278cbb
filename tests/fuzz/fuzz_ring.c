/*  fuzz_ring - libFuzzer target for the consumer side of the shm ring
    SPDX-License-Identifier: MPL-2.0

    act_ring_read reads memory another process writes, so whatever the
    ring holds it must return a count or -1 with a reason, never touch a
    byte outside the ring or the scratch buffer, and hand on only bodies
    that lie where their header says. The input:

        byte 0      bits 0-2: ring size, 4096 << (value % 5)
                    bit 3:    producer operations first (else raw bytes)
                    bit 4:    after the operations, move the shared head
                              by the delta below (a scribbled head)
        byte 1      records per read, at most (value % 33)
        bytes 2-3   scratch size, u16 little-endian
        bytes 4-11  tail, u64 little-endian
        bytes 12-15 head - tail, i32 little-endian

    Raw: the rest of the input is the ring's data from the tail on
    (wrapping, zeros after it), the shared head and tail as given, and
    the consumer attaches to that. Operations: the ring starts empty at
    the tail (aligned), byte 16 counts operations of 3 bytes (bits 0-1
    of the first: 0 commit a BATCH, 1 commit a BLOCK, 2 reserve and die
    before the commit, 3 read; then a u16 little-endian body size, the
    body's bytes following in the input); whatever follows is garbage,
    (u16 offset, byte) pairs written over the ring's data.

    Every read is checked against a second reading of the format below,
    record by record and reason by reason, and, while no garbage was
    written, against what the producer committed. Each BATCH body is
    decoded with act_wire_decode, and a BLOCK body's descriptor and
    batch too, as the shm link does: a body the codec refuses is refused
    by the handler (ACT_RING_BAD_BODY). After a refusal the ring is reset
    and must then read empty.

    Set FUZZ_RING_VERDICT in the environment to have each input's verdict
    printed (run_fuzz.cmake checks the seeds with it).
*/
#include "act_ring.h"
#include "act_wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CALLS      64          //  handler calls in one read, at most

#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf (stderr, "fuzz_ring: invariant failed: %s (line %d)\n", #cond, __LINE__); \
        abort (); \
    } \
} while (0)

//  A record the spec expects the handler to see.
typedef struct {
    unsigned kind;
    const unsigned char *body;      //  in the ring
    uint32_t len;
} s_call_t;

//  A committed record, for the producer's log.
typedef struct {
    unsigned kind;
    uint32_t len;
    uint64_t hash;                  //  FNV-1a of the body
} s_sent_t;

typedef struct {
    act_ring_t producer;
    act_ring_t consumer;
    void *mem;                      //  the ring, footprint bytes exactly
    unsigned char *data;
    uint64_t size;
    unsigned char *scratch;         //  scratch_size bytes exactly
    size_t scratch_size;
    size_t max;                     //  records per read
    s_call_t calls [FUZZ_CALLS];    //  expected by the handler
    size_t expected;                //  calls the spec expects
    size_t seen;                    //  calls the handler got
    bool too_long;                  //  the spec refused a body over scratch
    s_sent_t *log;                  //  committed, not yet read
    size_t sent, taken;             //  log entries, entries read
    bool garbled;                   //  garbage was written: no log check
    act_ring_reason_t verdict;      //  first refusal, for FUZZ_RING_VERDICT
    size_t records;                 //  records read in all
} s_fuzz_t;

static uint64_t
s_hash (const unsigned char *p, size_t size)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ p [i]) * 0x100000001b3ull;
    return hash;
}

static uint64_t
s_le (const uint8_t *p, int bytes)
{
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; i--)
        value = (value << 8) | p [i];
    return value;
}

static void
s_on_wire (void *arg, const act_wire_head_t *head)
{
    //  Touch the payload: ASan flags it if it is off its frame.
    volatile unsigned char sum = 0;
    const unsigned char *p = (const unsigned char *) head->payload;
    for (size_t i = 0; i < head->size; i++)
        sum += p [i];
    (void) sum;
    (void) arg;
}

//  What the link's handler decides for a body: the codec's verdict on
//  the batch, after a BLOCK record's descriptor. Every frame is a heap
//  block of exactly its size, so a read past one is an ASan report.
static bool
s_accept (unsigned kind, const unsigned char *body, size_t len)
{
    size_t skip = 0;
    size_t external = 0;
    if (kind == ACT_RING_BLOCK) {
        uint64_t desc [3];          //  offset, size, epoch and reserved
        if (len < sizeof desc)
            return false;
        memcpy (desc, body, sizeof desc);
        if ((desc [2] >> 32) || desc [1] > 65536)
            return false;
        skip = sizeof desc;
        external = (size_t) desc [1];
    }
    unsigned char *batch = (unsigned char *) malloc (len - skip);
    unsigned char *block = (unsigned char *) malloc (external);
    FUZZ_CHECK ((batch || len == skip) && (block || external == 0));
    memcpy (batch, body + skip, len - skip);
    memset (block, 0x42, external);
    act_wire_frame_t frames [2] = { { batch, len - skip }, { block, external } };
    act_wire_reason_t reason = act_wire_decode (frames, kind == ACT_RING_BLOCK ? 2 : 1,
                                                0, s_on_wire, NULL);
    FUZZ_CHECK ((unsigned) reason < ACT_WIRE_REASONS);
    free (batch);
    free (block);
    return reason == ACT_WIRE_OK;
}

//  --------------------------------------------------------------------
//  The ring's format, read again rather than reused: the verdict on
//  reading from tail to head, the calls it makes, and where it stops.

static act_ring_reason_t
s_spec (s_fuzz_t *self, uint64_t head, uint64_t tail, uint64_t *stop)
{
    self->expected = 0;
    self->too_long = false;
    *stop = tail;
    if (head == tail)
        return ACT_RING_OK;
    if (head < tail || head - tail > self->size || head % 8 != 0 || tail % 8 != 0)
        return ACT_RING_BAD_INDEX;
    size_t accepted = 0;
    while (tail != head && accepted < self->max) {
        uint64_t at = tail % self->size;
        const unsigned char *rec = self->data + at;
        uint32_t len;
        memcpy (&len, rec, 4);
        unsigned kind = rec [4];
        if (rec [5] != 0x5A || rec [6] != 0 || rec [7] != 0 || kind > 2)
            return ACT_RING_BAD_HEADER;
        uint64_t span = 8 + ((uint64_t) len + 7) / 8 * 8;
        if (kind == 0 && span != self->size - at)
            return ACT_RING_BAD_PAD;
        if (span > self->size - at || span > head - tail)
            return ACT_RING_BAD_LENGTH;
        if (kind != 0) {
            if (len > self->scratch_size) {
                self->too_long = true;
                return ACT_RING_BAD_LENGTH;
            }
            FUZZ_CHECK (self->expected < FUZZ_CALLS);
            self->calls [self->expected++] = (s_call_t) { kind, rec + 8, len };
            if (!s_accept (kind, rec + 8, len)) {
                *stop = tail + span;
                return ACT_RING_BAD_BODY;
            }
            accepted++;
        }
        tail += span;
        *stop = tail;
    }
    return ACT_RING_OK;
}

static bool
s_handler (void *arg, unsigned kind, const unsigned char *body, size_t size)
{
    s_fuzz_t *self = (s_fuzz_t *) arg;
    FUZZ_CHECK (self->seen < self->expected);
    const s_call_t *call = &self->calls [self->seen++];
    //  In the scratch buffer, the size the header said, the ring's bytes.
    FUZZ_CHECK (body == self->scratch);
    FUZZ_CHECK (size <= self->scratch_size);
    FUZZ_CHECK (kind == call->kind);
    FUZZ_CHECK (size == call->len);
    FUZZ_CHECK (size == 0 || memcmp (body, call->body, size) == 0);
    if (!self->garbled) {
        //  No garbage yet: exactly what the producer committed, in order.
        FUZZ_CHECK (self->taken < self->sent);
        const s_sent_t *sent = &self->log [self->taken++];
        FUZZ_CHECK (kind == sent->kind && size == sent->len);
        FUZZ_CHECK (s_hash (body, size) == sent->hash);
    }
    return s_accept (kind, body, size);
}

static bool
s_never (void *arg, unsigned kind, const unsigned char *body, size_t size)
{
    (void) arg; (void) kind; (void) body; (void) size;
    FUZZ_CHECK (!"a record read from a ring just reset");
    return false;
}

//  One read, against the spec; false once the ring was refused (and reset).
static bool
s_read (s_fuzz_t *self, size_t max)
{
    act_ring_ctl_t *ctl = self->consumer.ctl;
    self->max = max;
    uint64_t head = atomic_load (&ctl->head);
    uint64_t tail = self->consumer.tail;
    uint64_t stop;
    act_ring_reason_t expect = s_spec (self, head, tail, &stop);
    self->seen = 0;
    act_ring_reason_t why = ACT_RING_REASONS;
    int rc = act_ring_read (&self->consumer, max, self->scratch, self->scratch_size,
                            s_handler, self, &why);
    FUZZ_CHECK (self->seen == self->expected);
    FUZZ_CHECK (self->consumer.tail == stop);
    if (expect != ACT_RING_BAD_INDEX && head != tail)
        FUZZ_CHECK (atomic_load (&ctl->tail) == stop);
    FUZZ_CHECK (act_ring_free (&self->producer) <= self->size);
    if (rc >= 0) {
        FUZZ_CHECK (expect == ACT_RING_OK);
        FUZZ_CHECK ((size_t) rc == self->seen && (size_t) rc <= max);
        self->records += (size_t) rc;
        return true;
    }
    FUZZ_CHECK (rc == -1);
    FUZZ_CHECK (why > ACT_RING_OK && why < ACT_RING_REASONS);
    FUZZ_CHECK (strcmp (act_ring_reason_name (why), "unknown") != 0);
    FUZZ_CHECK (why == expect);
    //  Only garbage makes a bad ring; the codec may refuse any body, and
    //  the consumer one longer than its scratch buffer.
    FUZZ_CHECK (self->garbled || why == ACT_RING_BAD_BODY || self->too_long);
    if (self->verdict == ACT_RING_OK)
        self->verdict = why;
    uint64_t resets = atomic_load (&ctl->resets);
    act_ring_reset (&self->consumer);
    FUZZ_CHECK (atomic_load (&ctl->resets) == resets + 1);
    FUZZ_CHECK (!act_ring_pending (&self->consumer));
    FUZZ_CHECK (act_ring_read (&self->consumer, 16, self->scratch, self->scratch_size,
                               s_never, NULL, &why) == 0);
    self->taken = self->sent;       //  the reset dropped them
    return false;
}

//  Read until the ring is empty, refused, or a read takes nothing.
static void
s_drain (s_fuzz_t *self)
{
    for (uint64_t round = 0; round <= self->size / 8; round++) {
        uint64_t tail = self->consumer.tail;
        if (!act_ring_pending (&self->consumer) || !s_read (self, self->max))
            return;
        if (self->consumer.tail == tail)
            return;                 //  max is 0
    }
    FUZZ_CHECK (!"a ring that did not drain");
}

//  --------------------------------------------------------------------
//  Producer operations

//  Reserve and write a body of len bytes from the input; the body, or
//  NULL when the ring had no room.
static unsigned char *
s_write (s_fuzz_t *self, size_t len, const uint8_t **at, const uint8_t *end)
{
    size_t cap;
    uint64_t free = act_ring_free (&self->producer);
    unsigned char *body = act_ring_reserve (&self->producer, len, len + 64, &cap);
    if (!body) {
        //  An empty ring takes any record up to half its size: the end
        //  or the start has room for it.
        FUZZ_CHECK (free < self->size || 8 + (len + 7) / 8 * 8 > self->size / 2);
        return NULL;
    }
    FUZZ_CHECK (cap >= len && cap <= len + 64);
    FUZZ_CHECK (body >= self->data + 8 && (size_t) (body - self->data) % 8 == 0);
    FUZZ_CHECK (cap <= (size_t) (self->data + self->size - body));
    size_t have = (size_t) (end - *at) < len ? (size_t) (end - *at) : len;
    memcpy (body, *at, have);
    memset (body + have, 0, cap - have);
    *at += have;
    return body;
}

//  Run the operations; returns where the garbage starts.
static const uint8_t *
s_operate (s_fuzz_t *self, const uint8_t *at, const uint8_t *end)
{
    size_t count = at < end ? *at++ : 0;
    for (size_t i = 0; i < count && end - at >= 3; i++) {
        unsigned op = at [0] & 3;
        size_t len = (size_t) s_le (at + 1, 2);
        at += 3;
        if (op == 3) {
            s_read (self, (len & 31) + 1);
            continue;
        }
        unsigned char *body = s_write (self, len, &at, end);
        if (!body)
            continue;
        if (op == 2) {
            //  The producer dies before its commit; its next life
            //  attaches where the last one committed.
            act_ring_attach (&self->producer, self->mem, (size_t) self->size);
            continue;
        }
        unsigned kind = op == 0 ? ACT_RING_BATCH : ACT_RING_BLOCK;
        act_ring_commit (&self->producer, kind, len);
        self->log [self->sent++] = (s_sent_t) { kind, (uint32_t) len, s_hash (body, len) };
    }
    return at;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size < 16)
        return 0;
    static s_fuzz_t fuzz;
    s_fuzz_t *self = &fuzz;
    memset (self, 0, sizeof *self);
    self->size = (uint64_t) ACT_RING_MIN << (data [0] % 8 % 5);
    bool operate = data [0] & 0x08;
    self->max = data [1] % 33;
    self->scratch_size = (size_t) s_le (data + 2, 2);
    uint64_t tail = s_le (data + 4, 8);
    int32_t delta = (int32_t) (uint32_t) s_le (data + 12, 4);
    const uint8_t *at = data + 16;
    const uint8_t *end = data + size;

    self->mem = aligned_alloc (ACT_RING_LINE, act_ring_footprint ((size_t) self->size));
    self->scratch = (unsigned char *) malloc (self->scratch_size);
    self->log = (s_sent_t *) malloc ((size / 3 + 1) * sizeof (s_sent_t));
    FUZZ_CHECK (self->mem && self->scratch && self->log);
    self->data = (unsigned char *) self->mem + ACT_RING_CTL;
    memset (self->data, 0, (size_t) self->size);
    act_ring_init (self->mem);
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) self->mem;

    if (operate) {
        //  Far from 2^64, which a ring takes centuries to reach.
        tail &= 0x0000FFFFFFFFFFF8ull;
        atomic_store (&ctl->head, tail);
        atomic_store (&ctl->tail, tail);
        act_ring_attach (&self->producer, self->mem, (size_t) self->size);
        act_ring_attach (&self->consumer, self->mem, (size_t) self->size);
        at = s_operate (self, at, end);
        if (data [0] & 0x10) {
            atomic_store (&ctl->head, atomic_load (&ctl->head) + (uint64_t) (int64_t) delta);
            self->garbled = true;
        }
        for (; end - at >= 3; at += 3) {
            self->data [s_le (at, 2) % self->size] = at [2];
            self->garbled = true;
        }
    }
    else {
        for (uint64_t i = 0; at + i < end && i < self->size; i++)
            self->data [(tail + i) % self->size] = at [i];
        atomic_store (&ctl->head, tail + (uint64_t) (int64_t) delta);
        atomic_store (&ctl->tail, tail);
        act_ring_attach (&self->producer, self->mem, (size_t) self->size);
        act_ring_attach (&self->consumer, self->mem, (size_t) self->size);
        self->garbled = true;
    }
    s_drain (self);
    if (!self->garbled && self->max > 0)
        FUZZ_CHECK (self->taken == self->sent);
    if (getenv ("FUZZ_RING_VERDICT"))
        fprintf (stderr, "fuzz_ring: verdict %s records %zu\n",
                 act_ring_reason_name (self->verdict), self->records);
    free (self->log);
    free (self->scratch);
    free (self->mem);
    return 0;
}
