/*  gen_corpus - writes the seed corpus of fuzz_wire into a directory
    SPDX-License-Identifier: MPL-2.0

    The seeds are committed in tests/fuzz/corpus/; this program is how they
    were made, and how to remake them after the input scheme of fuzz_wire.c
    or the format of actorio-wire(7) changes:

        cc -o /tmp/gen_corpus tests/fuzz/gen_corpus.c
        rm -rf tests/fuzz/corpus && mkdir tests/fuzz/corpus
        /tmp/gen_corpus tests/fuzz/corpus

    Valid batches of 1 to 256 records, with and without senders, asks,
    error replies, external payloads, references and the longest names,
    then seeds for
    each way a message can be refused, in the first record and in a later
    one, so the fuzzer starts next to every branch of act_wire_decode. A
    seed's name starts with the reason the decoder must give ("ok-", or
    "bad-" and the reason's name): run_fuzz.cmake checks each seed's
    verdict against its name before it fuzzes. It is written without the
    codec's header on purpose: the bytes here are the spec, spelled out.
*/
#include "gen_seed.h"

static void
s_be (buf_t *b, unsigned long long value, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        unsigned char byte = (unsigned char) (value >> (8 * i));
        s_put (b, &byte, 1);
    }
}

//  A batch header: magic 0xAC, a version, record count.
static void
s_batch_v (buf_t *b, unsigned count, unsigned version)
{
    b->size = 0;
    s_be (b, 0xAC, 1);
    s_be (b, version, 1);
    s_be (b, count, 2);
}

//  Version 1, which every seed but AGAIN's spells: a version 2 decoder
//  reads it too.
static void
s_batch (buf_t *b, unsigned count)
{
    s_batch_v (b, count, 1);
}

//  One record: 20 bytes of header, target, sender, the references
//  section (refs_len bytes, as they are; flag 0x08 says it is there), and
//  the payload unless it is external (flag 0x04), when it goes in the
//  next frame instead. size is the declared payload size; the bytes put
//  inline are payload_len.
static void
s_record_refs_raw (buf_t *b, unsigned flags, unsigned reserved, unsigned long type,
                   unsigned long long corr, const char *target, const char *sender,
                   const void *refs, size_t refs_len,
                   unsigned long size, const void *payload, size_t payload_len)
{
    s_be (b, flags, 1);
    s_be (b, strlen (target), 1);
    s_be (b, strlen (sender), 1);
    s_be (b, reserved, 1);
    s_be (b, type, 4);
    s_be (b, corr, 8);
    s_be (b, size, 4);
    s_put (b, target, strlen (target));
    s_put (b, sender, strlen (sender));
    s_put (b, refs, refs_len);
    s_put (b, payload, payload_len);
}

static void
s_record_raw (buf_t *b, unsigned flags, unsigned reserved, unsigned long type,
              unsigned long long corr, const char *target, const char *sender,
              unsigned long size, const void *payload, size_t payload_len)
{
    s_record_refs_raw (b, flags, reserved, type, corr, target, sender, "", 0, size,
                       payload, payload_len);
}

//  A references section: count, then each address with its length.
static buf_t
s_refs (const char *const *addresses, size_t count)
{
    buf_t refs = { .size = 0 };
    s_be (&refs, count, 1);
    for (size_t i = 0; i < count; i++) {
        s_be (&refs, strlen (addresses [i]), 1);
        s_put (&refs, addresses [i], strlen (addresses [i]));
    }
    return refs;
}

//  A record carrying references (flag 0x08 added).
static void
s_record_refs (buf_t *b, unsigned flags, const char *target, const buf_t *refs,
               const void *payload, size_t size)
{
    flags |= 0x08;
    s_record_refs_raw (b, flags, 0, 1, 5, target, "g/s", refs->bytes, refs->size, size,
                       payload, (flags & 0x04) ? 0 : size);
}


static void
s_record (buf_t *b, unsigned flags, unsigned long type, unsigned long long corr,
          const char *target, const char *sender, const void *payload, size_t size)
{
    s_record_raw (b, flags, 0, type, corr, target, sender, size, payload,
                  (flags & 0x04) ? 0 : size);
}

//  The fuzzer's input: control byte (frame count in bits 0-1, bit 4 for
//  empty frames passed as NULL), max_size (u16), then each frame with a
//  u16 length in front.
static void
s_write (const char *dir, const char *name, unsigned control, unsigned max_size,
         const buf_t *frames, int count)
{
    buf_t seed = { .size = 0 };
    s_be (&seed, control, 1);
    s_be (&seed, max_size, 2);
    for (int i = 0; i < count; i++) {
        s_be (&seed, frames [i].size, 2);
        s_put (&seed, frames [i].bytes, frames [i].size);
    }
    s_save (dir, name, &seed);
}

//  A one-frame batch of one record, for the refusals.
static void
s_one (const char *dir, const char *name, unsigned max_size, unsigned flags,
       unsigned reserved, unsigned long type, const char *target, const char *sender,
       unsigned long size, const void *payload, size_t payload_len)
{
    buf_t b;
    s_batch (&b, 1);
    s_record_raw (&b, flags, reserved, type, 1, target, sender, size, payload, payload_len);
    s_write (dir, name, 1, max_size, &b, 1);
}

//  A good record, then a bad one: the whole batch is refused.
static void
s_second (const char *dir, const char *name, unsigned max_size, unsigned flags,
          unsigned long type, const char *target, const char *sender,
          const void *payload, size_t size)
{
    buf_t b;
    s_batch (&b, 2);
    s_record (&b, 0, 1, 1, "good", "g/a", "ok", 2);
    s_record_raw (&b, flags, 0, type, 2, target, sender, size, payload, size);
    s_write (dir, name, 1, max_size, &b, 1);
}

//  A one-frame batch of one record with a references section, for the
//  refusals.
static void
s_one_refs (const char *dir, const char *name, const buf_t *refs)
{
    buf_t b;
    s_batch (&b, 1);
    s_record_refs (&b, 0, "a", refs, "hi", 2);
    s_write (dir, name, 1, 0, &b, 1);
}

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: gen_corpus DIR\n");
        return 1;
    }
    const char *dir = argv [1];
    const char *name64 =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *name65 =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *addr129 =
        "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const char *addr130 =
        "ggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    //  An error reply's payload: kind 1 (error), code 2, errno 2 (ENOENT).
    const unsigned char error [12] = { 0, 0, 0, 1,  0, 0, 0, 2,  0, 0, 0, 2 };
    unsigned char big [600];
    memset (big, 'x', sizeof big);
    buf_t f [3];

    //  Valid: one record.
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 42, 0x0102030405060708ull, "greeter", "g1/asker", "hello", 6);
    s_write (dir, "ok-one-sender", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 42, 7, "greeter", "", "hello", 6);
    s_write (dir, "ok-one-no-sender", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x01, 7, 42, "echo", "a/_1", "hi", 2);
    s_write (dir, "ok-ask", 1, 100, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x02, 0, 42, "_1", "", error, sizeof error);
    s_write (dir, "ok-error-reply", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x03, 0, ~0ull, "_1", "b/echo", error, 5);
    s_write (dir, "ok-error-ask-odd-size", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 0xFFFEFFFFul, 0, name64, addr129, "0123456789", 10);
    s_write (dir, "ok-longest-names", 1, 64, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 1, 0, "a", "", "", 0);
    s_write (dir, "ok-empty-payload", 1, 1, f, 1);
    //  Runtime requests (reserved types 0xFFFF0110-0xFFFF0114): a
    //  monitor, the DOWN that answers it, and a hello (life 2 of g).
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 0xFFFF0111ul, 5, "echo", "a/_1", "", 0);
    s_write (dir, "ok-runtime-monitor", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 0xFFFF0113ul, 5, "_1", "b/echo", error, sizeof error);
    s_write (dir, "ok-runtime-down", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 0xFFFF0114ul, 0, "echo", "", "\0\0\0\2g", 5);
    s_write (dir, "ok-runtime-hello", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 1, 0, "a-b_c.9", "G.1/x-Y_z", "12345", 5);
    s_write (dir, "ok-size-at-limit", 1, 5, f, 1);

    //  Valid: several records, mixed.
    s_batch (&f [0], 2);
    s_record (&f [0], 0x01, 42, 0x0102030405060708ull, "greeter", "g1/asker", "hello", 6);
    s_record (&f [0], 0, 43, 0, "other", "", "", 0);
    s_write (dir, "ok-two", 1, 0, f, 1);
    s_batch (&f [0], 5);
    s_record (&f [0], 0, 1, 0, "a", "g/a", "x", 1);
    s_record (&f [0], 0x01, 2, 9, "b", "g/b", "yy", 2);
    s_record (&f [0], 0x02, 0, 8, "_3", "", error, sizeof error);
    s_record (&f [0], 0, 3, 0, name64, "", big, 300);
    s_record (&f [0], 0x01, 4, 10, "a", addr129, "", 0);
    s_write (dir, "ok-mixed", 1, 300, f, 1);
    s_batch (&f [0], 256);
    for (int i = 0; i < 256; i++) {
        s_record (&f [0], 0, (unsigned long) i, (unsigned long long) i, "s", "", "", 0);
    }
    s_write (dir, "ok-256-records", 1, 0, f, 1);

    //  Valid, version 2: records that repeat the names of the record
    //  before (flag 0x10, AGAIN, no names of their own), after a user
    //  record and after a runtime request.
    s_batch_v (&f [0], 4, 2);
    s_record (&f [0], 0, 1, 1, "sink", "g/a", "x", 1);
    s_record (&f [0], 0x10, 2, 2, "", "", "yy", 2);
    s_record (&f [0], 0x11, 3, 3, "", "", "", 0);
    s_record (&f [0], 0, 4, 4, "other", "", "z", 1);
    s_write (dir, "ok-again", 1, 0, f, 1);
    s_batch_v (&f [0], 2, 2);
    s_record (&f [0], 0, 0xFFFF0111ul, 5, "echo", "a/_1", "", 0);
    s_record (&f [0], 0x10, 7, 6, "", "", "p", 1);
    s_write (dir, "ok-again-after-runtime", 1, 0, f, 1);
    s_batch_v (&f [0], 2, 2);
    s_record (&f [0], 0, 1, 1, "sink", "g/a", "x", 1);
    s_record (&f [0], 0, 1, 2, "sink", "g/a", "x", 1);
    s_write (dir, "ok-again-spelled-out", 1, 0, f, 1);

    //  Valid: a record alone, its payload in a second frame.
    s_batch (&f [0], 1);
    s_record (&f [0], 0x04, 9, 3, "sink", "g/a", big, sizeof big);
    memcpy (f [1].bytes, big, sizeof big);
    f [1].size = sizeof big;
    s_write (dir, "ok-external", 2, 0, f, 2);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x05, 9, 3, "sink", "", big, sizeof big);
    s_write (dir, "ok-external-ask-at-limit", 2, sizeof big, f, 2);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x04, 9, 3, "sink", "", "", 0);
    f [1].size = 0;
    s_write (dir, "ok-external-empty-null", 0x12, 0, f, 2);

    //  Refused: frame counts, and external records out of place.
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 1, 1, "a", "", "p", 1);
    s_write (dir, "bad-frames-none", 0, 0, f, 0);
    f [1].size = 1;
    f [1].bytes [0] = 'p';
    f [2] = f [1];
    s_write (dir, "bad-frames-three", 3, 0, f, 3);
    s_write (dir, "bad-frames-second-not-external", 2, 0, f, 2);
    s_one (dir, "bad-frames-external-alone", 0, 0x04, 0, 1, "a", "", 1, "", 0);
    s_batch (&f [0], 2);
    s_record (&f [0], 0x04, 1, 1, "a", "", "p", 1);
    s_record (&f [0], 0x04, 1, 1, "a", "", "p", 1);
    s_write (dir, "bad-frames-external-two-records", 2, 0, f, 2);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x04, 1, 1, "a", "", "pq", 2);
    s_write (dir, "bad-frames-external-size-differs", 2, 0, f, 2);

    //  Refused: the batch header.
    s_batch (&f [0], 1);
    f [0].size = 3;
    s_write (dir, "bad-header-short", 1, 0, f, 1);
    f [0].size = 0;
    s_write (dir, "bad-header-null", 0x11, 0, f, 1);
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 1, 1, "a", "", "", 0);
    f [0].bytes [0] = 0xCA;
    s_write (dir, "bad-header-magic", 1, 0, f, 1);
    f [0].bytes [0] = 0xAC;
    f [0].bytes [1] = 3;
    s_write (dir, "bad-version-3", 1, 0, f, 1);
    f [0].bytes [1] = 0;
    s_write (dir, "bad-version-0", 1, 0, f, 1);
    f [0].bytes [1] = 1;
    f [0].bytes [3] = 0;
    s_write (dir, "bad-header-no-records", 1, 0, f, 1);
    s_batch (&f [0], 257);
    for (int i = 0; i < 257; i++) {
        s_record (&f [0], 0, 1, 0, "s", "", "", 0);
    }
    s_write (dir, "bad-header-257-records", 1, 0, f, 1);

    //  Refused: record fields.
    s_one (dir, "bad-flags-0x10", 0, 0x10, 0, 1, "a", "", 0, "", 0);
    s_one (dir, "bad-flags-0x80", 0, 0x81, 0, 1, "a", "", 0, "", 0);
    //  AGAIN (0x10): not in version 1 (bad-flags-0x10 above), not first,
    //  not with names of its own, not on a runtime request.
    s_batch_v (&f [0], 2, 1);
    s_record (&f [0], 0, 1, 1, "sink", "g/a", "x", 1);
    s_record (&f [0], 0x10, 1, 2, "", "", "x", 1);
    s_write (dir, "bad-flags-again-version-1", 1, 0, f, 1);
    s_batch_v (&f [0], 1, 2);
    s_record (&f [0], 0x10, 1, 1, "", "", "x", 1);
    s_write (dir, "bad-flags-again-first", 1, 0, f, 1);
    s_batch_v (&f [0], 2, 2);
    s_record (&f [0], 0, 1, 1, "sink", "g/a", "x", 1);
    s_record (&f [0], 0x10, 1, 2, "sink", "", "x", 1);
    s_write (dir, "bad-flags-again-named", 1, 0, f, 1);
    s_batch_v (&f [0], 2, 2);
    s_record (&f [0], 0, 1, 1, "echo", "a/_1", "", 0);
    s_record (&f [0], 0x10, 0xFFFF0111ul, 2, "", "", "", 0);
    s_write (dir, "bad-type-again-runtime", 1, 0, f, 1);
    s_one (dir, "bad-flags-reserved", 0, 0, 1, 1, "a", "", 0, "", 0);
    s_one (dir, "bad-type-system", 0, 0, 0, 0xFFFF0000ul, "a", "", 0, "", 0);
    s_one (dir, "bad-type-max", 0, 0x01, 0, 0xFFFFFFFFul, "a", "g/a", 0, "", 0);
    s_one (dir, "bad-type-runtime-ask", 0, 0x01, 0, 0xFFFF0110ul, "a", "g/a", 4, "\0\0\0\1", 4);
    s_one (dir, "bad-type-past-runtime", 0, 0, 0, 0xFFFF0115ul, "a", "g/a", 0, "", 0);
    s_one (dir, "bad-target-empty", 0, 0, 0, 1, "", "", 0, "", 0);
    s_one (dir, "bad-target-long", 0, 0, 0, 1, name65, "", 0, "", 0);
    s_one (dir, "bad-target-slash", 0, 0, 0, 1, "a/b", "", 0, "", 0);
    s_one (dir, "bad-target-space", 0, 0, 0, 1, "a b", "", 0, "", 0);
    {
        //  A NUL inside the target: lengths, not terminators, delimit names.
        buf_t b;
        s_batch (&b, 1);
        s_record_raw (&b, 0, 0, 1, 1, "ab", "", 0, "", 0);
        b.bytes [4 + 20 + 1] = 0;
        s_write (dir, "bad-target-nul", 1, 0, &b, 1);
    }
    s_one (dir, "bad-sender-no-slash", 0, 0, 0, 1, "a", "ga", 0, "", 0);
    s_one (dir, "bad-sender-two-slashes", 0, 0, 0, 1, "a", "g/a/b", 0, "", 0);
    s_one (dir, "bad-sender-no-group", 0, 0, 0, 1, "a", "/a", 0, "", 0);
    s_one (dir, "bad-sender-no-actor", 0, 0x01, 0, 1, "a", "g/", 0, "", 0);
    s_one (dir, "bad-sender-char", 0, 0, 0, 1, "a", "g/a b", 0, "", 0);
    s_one (dir, "bad-sender-long", 0, 0, 0, 1, "a", addr130, 0, "", 0);
    s_one (dir, "bad-size-inline", 5, 0, 0, 1, "a", "g/a", 6, "123456", 6);
    s_one (dir, "bad-size-huge", 0xFFFF, 0, 0, 1, "a", "", 0xFFFFFFFFul, "", 0);
    s_batch (&f [0], 1);
    s_record (&f [0], 0x04, 9, 3, "sink", "g/a", big, sizeof big);
    memcpy (f [1].bytes, big, sizeof big);
    f [1].size = sizeof big;
    s_write (dir, "bad-size-external", 2, sizeof big - 1, f, 2);

    //  Refused: lengths that do not add up.
    s_batch (&f [0], 1);
    s_record (&f [0], 0, 1, 1, "abc", "g/a", "payload", 7);
    size_t whole = f [0].size;
    f [0].size = 4 + 19;
    s_write (dir, "bad-truncated-record-header", 1, 0, f, 1);
    f [0].size = 4 + 20 + 2;
    s_write (dir, "bad-truncated-names", 1, 0, f, 1);
    f [0].size = whole - 1;
    s_write (dir, "bad-truncated-payload", 1, 0, f, 1);
    f [0].size = whole;
    s_be (&f [0], 0, 1);
    s_write (dir, "bad-truncated-bytes-left-over", 1, 0, f, 1);
    f [0].size = whole;
    f [0].bytes [3] = 2;
    s_write (dir, "bad-truncated-fewer-records", 1, 0, f, 1);
    f [0].bytes [3] = 1;
    f [0].bytes [4 + 16] = 0x80;
    s_write (dir, "bad-truncated-size-past-frame", 1, 0, f, 1);

    //  Refused: a good record first, then a bad one.
    s_second (dir, "bad-flags-second", 0, 0x40, 1, "a", "", "", 0);
    s_second (dir, "bad-frames-second-external", 0, 0x04, 1, "a", "", "", 0);
    s_second (dir, "bad-type-second", 0, 0, 0xFFFF0001ul, "a", "", "", 0);
    s_second (dir, "bad-target-second", 0, 0, 1, "", "", "", 0);
    s_second (dir, "bad-sender-second", 0, 0, 1, "a", "g/", "", 0);
    s_second (dir, "bad-size-second", 3, 0, 1, "a", "", "1234", 4);
    s_batch (&f [0], 3);
    s_record (&f [0], 0, 1, 1, "good", "g/a", "ok", 2);
    s_record (&f [0], 0, 1, 2, "good", "g/a", "ok", 2);
    s_write (dir, "bad-truncated-third-missing", 1, 0, f, 1);

    //  References (flag 0x08): valid, one to sixteen of them, inline or
    //  with an external payload, among records without.
    const char *one [] = { "g/_1" };
    buf_t refs = s_refs (one, 1);
    s_batch (&f [0], 1);
    s_record_refs (&f [0], 0, "relay", &refs, "hi", 2);
    s_write (dir, "ok-refs-one", 1, 0, f, 1);
    const char *longest [16];
    for (int i = 0; i < 16; i++) {
        longest [i] = addr129;
    }
    buf_t most = s_refs (longest, 16);
    s_batch (&f [0], 1);
    s_record_refs (&f [0], 0x01, name64, &most, "", 0);
    s_write (dir, "ok-refs-sixteen-longest", 1, 0, f, 1);
    const char *two [] = { "a/_7", "b.2/echo-1" };
    buf_t pair = s_refs (two, 2);
    s_batch (&f [0], 1);
    s_record_refs (&f [0], 0x04, "sink", &pair, big, sizeof big);
    memcpy (f [1].bytes, big, sizeof big);
    f [1].size = sizeof big;
    s_write (dir, "ok-refs-external", 2, 0, f, 2);
    s_batch (&f [0], 3);
    s_record (&f [0], 0, 1, 1, "a", "g/a", "x", 1);
    s_record_refs (&f [0], 0x01, "b", &pair, "yy", 2);
    s_record (&f [0], 0x02, 0, 8, "_3", "", error, sizeof error);
    s_write (dir, "ok-refs-mixed", 1, 0, f, 1);

    //  Refused: bad references sections, and the reasons before them.
    const unsigned char count0 [] = { 0 };
    const unsigned char count17 [] = { 17, 3, 'g', '/', 'a' };
    const unsigned char empty [] = { 1, 0 };
    const unsigned char past [] = { 1, 9, 'g', '/', 'a' };
    buf_t raw = { .size = 0 };
    s_put (&raw, count0, sizeof count0);
    s_one_refs (dir, "bad-refs-count-zero", &raw);
    raw.size = 0;
    s_put (&raw, count17, sizeof count17);
    s_one_refs (dir, "bad-refs-count-over-16", &raw);
    raw.size = 0;
    s_put (&raw, empty, sizeof empty);
    s_one_refs (dir, "bad-refs-empty-address", &raw);
    const char *no_slash [] = { "g/a", "ga" };
    raw = s_refs (no_slash, 2);
    s_one_refs (dir, "bad-refs-no-slash", &raw);
    const char *too_long [] = { addr130 };
    raw = s_refs (too_long, 1);
    s_one_refs (dir, "bad-refs-long", &raw);
    raw.size = 0;
    s_put (&raw, past, sizeof past);
    s_one_refs (dir, "bad-truncated-refs-address", &raw);
    s_batch (&f [0], 1);
    s_record_refs_raw (&f [0], 0x08, 0, 1, 1, "a", "g/a", "", 0, 0, "", 0);
    s_write (dir, "bad-truncated-refs-no-count", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record_refs (&f [0], 0, "a", &refs, "hi", 2);
    f [0].size--;
    s_write (dir, "bad-truncated-refs-payload", 1, 0, f, 1);
    s_batch (&f [0], 2);
    s_record (&f [0], 0, 1, 1, "good", "g/a", "ok", 2);
    raw = s_refs (no_slash, 2);
    s_record_refs (&f [0], 0, "a", &raw, "", 0);
    s_write (dir, "bad-refs-second", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record_refs (&f [0], 0, "a/b", &raw, "", 0);
    s_write (dir, "bad-refs-before-target", 1, 0, f, 1);
    s_batch (&f [0], 1);
    s_record_refs (&f [0], 0, "a/b", &refs, "", 0);
    s_write (dir, "bad-target-after-refs", 1, 0, f, 1);
    return 0;
}
