/*  gen_corpus_ring - writes the seed corpus of fuzz_ring into a directory
    SPDX-License-Identifier: MPL-2.0

    The seeds are committed in tests/fuzz/corpus_ring/; this program is
    how they were made, and how to remake them after the input scheme of
    fuzz_ring.c or the ring's format (act_ring.h) changes:

        cc -o /tmp/gen_corpus_ring tests/fuzz/gen_corpus_ring.c
        rm -rf tests/fuzz/corpus_ring && mkdir tests/fuzz/corpus_ring
        /tmp/gen_corpus_ring tests/fuzz/corpus_ring

    Rings holding good batches and descriptors, written raw or by the
    producer (wrapping, a producer dying before its commit), then one
    seed for each way a ring is refused. As for fuzz_wire, a seed's name
    starts with the verdict ("ok-", or "bad-" and the reason's name), and
    run_fuzz.cmake checks it before fuzzing.
*/
#include "gen_seed.h"
#include <stdint.h>

static void
s_int (buf_t *b, uint64_t value, int bytes, int big_endian)
{
    for (int i = 0; i < bytes; i++) {
        int shift = big_endian ? 8 * (bytes - 1 - i) : 8 * i;
        unsigned char byte = (unsigned char) (value >> shift);
        s_put (b, &byte, 1);
    }
}

//  A wire batch of one record (actorio-wire(7)): flags 0x04 for a
//  payload that travels apart, in a block.
static void
s_batch (buf_t *b, unsigned flags, const char *payload)
{
    size_t size = strlen (payload);
    b->size = 0;
    s_int (b, 0xAC, 1, 1);
    s_int (b, 1, 1, 1);
    s_int (b, 1, 2, 1);
    s_int (b, flags, 1, 1);
    s_int (b, 4, 1, 1);         //  target "echo"
    s_int (b, 3, 1, 1);         //  sender "g/a"
    s_int (b, 0, 1, 1);
    s_int (b, 7, 4, 1);         //  type
    s_int (b, 1, 8, 1);         //  corr
    s_int (b, size, 4, 1);
    s_put (b, "echo", 4);
    s_put (b, "g/a", 3);
    if (!(flags & 0x04))
        s_put (b, payload, size);
}

//  A BLOCK body: the descriptor, then a batch whose record is external.
static void
s_block (buf_t *b, uint64_t size)
{
    char payload [64];
    memset (payload, 'p', sizeof payload);
    payload [size < 63 ? size : 63] = 0;
    buf_t batch;
    s_batch (&batch, 0x04, payload);
    b->size = 0;
    s_int (b, 0, 8, 0);         //  offset
    s_int (b, strlen (payload), 8, 0);
    s_int (b, 0, 4, 0);         //  epoch
    s_int (b, 0, 4, 0);         //  reserved
    s_put (b, batch.bytes, batch.size);
}

//  A ring record: length (u32, the host's order), kind, magic, 0, 0,
//  the body, zeros up to 8 bytes.
static void
s_record (buf_t *ring, unsigned kind, const buf_t *body)
{
    uint32_t len = (uint32_t) body->size;
    s_put (ring, &len, 4);
    unsigned char rest [4] = { (unsigned char) kind, 0x5A, 0, 0 };
    s_put (ring, rest, 4);
    s_put (ring, body->bytes, body->size);
    static const unsigned char zeros [8];
    s_put (ring, zeros, (8 - body->size % 8) % 8);
}

//  The fuzzer's header: control, max, scratch size, tail, head - tail.
static void
s_head (buf_t *seed, unsigned control, unsigned max, unsigned scratch,
        uint64_t tail, int32_t delta)
{
    seed->size = 0;
    s_int (seed, control, 1, 0);
    s_int (seed, max, 1, 0);
    s_int (seed, scratch, 2, 0);
    s_int (seed, tail, 8, 0);
    s_int (seed, (uint32_t) delta, 4, 0);
}

//  A raw ring: its bytes from the tail on, head = tail + delta.
static void
s_raw (const char *dir, const char *name, unsigned scratch, uint64_t tail,
       int32_t delta, const buf_t *ring)
{
    buf_t seed;
    s_head (&seed, 0, 16, scratch, tail, delta);
    s_put (&seed, ring->bytes, ring->size);
    s_save (dir, name, &seed);
}

//  A producer operation: 0 BATCH, 1 BLOCK, 2 die, 3 read (max in size).
static void
s_op (buf_t *seed, unsigned op, const buf_t *body, unsigned size)
{
    s_int (seed, op, 1, 0);
    s_int (seed, body ? body->size : size, 2, 0);
    if (body)
        s_put (seed, body->bytes, body->size);
}

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: gen_corpus_ring DIR\n");
        return 1;
    }
    const char *dir = argv [1];
    buf_t batch, block, ring, seed;
    s_batch (&batch, 0, "hello");
    s_block (&block, 20);

    //  Raw rings that read well.
    ring.size = 0;
    s_raw (dir, "ok-empty", 65535, 4096, 0, &ring);
    s_record (&ring, 1, &batch);
    s_record (&ring, 2, &block);
    s_record (&ring, 1, &batch);
    s_raw (dir, "ok-raw-batches-and-block", 65535, 0, (int32_t) ring.size, &ring);
    ring.size = 0;
    buf_t pad = { .size = 8 };
    s_record (&ring, 0, &pad);
    s_record (&ring, 1, &batch);
    s_raw (dir, "ok-raw-pad-then-wrap", 65535, 4096 * 3 - 16, (int32_t) ring.size, &ring);
    ring.size = 0;
    s_batch (&seed, 0, "x");
    s_record (&ring, 1, &seed);
    s_head (&seed, 4, 16, 65535, 65536 - ring.size, (int32_t) ring.size);
    s_put (&seed, ring.bytes, ring.size);
    s_save (dir, "ok-raw-large-ring-up-to-its-end", &seed);

    //  Producer operations.
    s_head (&seed, 0x08, 16, 65535, 0, 0);
    s_int (&seed, 5, 1, 0);
    s_op (&seed, 0, &batch, 0);
    s_op (&seed, 1, &block, 0);
    s_op (&seed, 3, NULL, 1);
    s_op (&seed, 0, &batch, 0);
    s_op (&seed, 3, NULL, 16);
    s_save (dir, "ok-ops-commit-and-read", &seed);
    s_head (&seed, 0x08, 16, 65535, 4096 - 64, 0);
    s_int (&seed, 4, 1, 0);
    s_op (&seed, 0, &batch, 0);
    s_op (&seed, 2, &block, 0);
    s_op (&seed, 0, &batch, 0);
    s_op (&seed, 0, &batch, 0);
    s_save (dir, "ok-ops-die-and-wrap", &seed);
    s_head (&seed, 0x18, 16, 65535, 0, 0);
    s_int (&seed, 1, 1, 0);
    s_op (&seed, 0, &batch, 0);
    s_save (dir, "ok-ops-head-rewritten-same", &seed);

    //  Refused: the indices.
    ring.size = 0;
    s_record (&ring, 1, &batch);
    s_raw (dir, "bad-index-head-behind", 65535, 4096, -8, &ring);
    s_raw (dir, "bad-index-head-too-far", 65535, 4096, 4096 + 8, &ring);
    s_raw (dir, "bad-index-head-unaligned", 65535, 0, 12, &ring);
    //  A tail three bytes before the ring's end: its header would run
    //  past it.
    s_raw (dir, "bad-index-tail-unaligned", 65535, 4096 - 3, 115, &ring);
    s_head (&seed, 0x18, 16, 65535, 0, 3);
    s_int (&seed, 1, 1, 0);
    s_op (&seed, 0, &batch, 0);
    s_save (dir, "bad-index-ops-head-scribbled", &seed);

    //  Refused: headers.
    size_t whole = ring.size;
    ring.bytes [5] = 0xA5;
    s_raw (dir, "bad-header-magic", 65535, 0, (int32_t) whole, &ring);
    ring.bytes [5] = 0x5A;
    ring.bytes [4] = 3;
    s_raw (dir, "bad-header-kind", 65535, 0, (int32_t) whole, &ring);
    ring.bytes [4] = 1;
    ring.bytes [6] = 1;
    s_raw (dir, "bad-header-reserved", 65535, 0, (int32_t) whole, &ring);
    ring.bytes [6] = 0;
    s_head (&seed, 0x08, 16, 65535, 0, 0);
    s_int (&seed, 1, 1, 0);
    s_op (&seed, 0, &batch, 0);
    s_int (&seed, 5, 2, 0);     //  garbage: the magic byte
    s_int (&seed, 0, 1, 0);
    s_save (dir, "bad-header-ops-garbage", &seed);

    //  Refused: lengths and PADs.
    s_raw (dir, "bad-length-past-head", 65535, 0, (int32_t) whole - 8, &ring);
    s_raw (dir, "bad-length-past-end", 65535, 4096 - 16, (int32_t) whole, &ring);
    s_raw (dir, "bad-length-scratch", 8, 0, (int32_t) whole, &ring);
    ring.bytes [4] = 0;
    s_raw (dir, "bad-pad-early", 65535, 0, (int32_t) whole, &ring);
    ring.bytes [4] = 1;

    //  Refused: bodies the codec or the descriptor check refuses.
    buf_t hello = { .size = 5 };
    memcpy (hello.bytes, "hello", 5);
    ring.size = 0;
    s_record (&ring, 1, &hello);
    s_raw (dir, "bad-body-not-a-batch", 65535, 0, (int32_t) ring.size, &ring);
    ring.size = 0;
    s_record (&ring, 1, &batch);
    s_record (&ring, 2, &hello);
    s_raw (dir, "bad-body-short-descriptor", 65535, 0, (int32_t) ring.size, &ring);
    ring.size = 0;
    s_record (&ring, 2, &batch);
    s_raw (dir, "bad-body-batch-as-block", 65535, 0, (int32_t) ring.size, &ring);
    return 0;
}
