/*  test_wire - the codec of messages between groups
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_test.h"
#include "act_wire.h"

typedef struct {
    act_wire_head_t heads [8];
    size_t count;
} s_seen_t;

static void
s_collect (void *arg, const act_wire_head_t *head)
{
    s_seen_t *seen = (s_seen_t *) arg;
    if (seen->count < 8)
        seen->heads [seen->count] = *head;
    seen->count++;
}

static act_wire_reason_t
s_decode_buf (const void *data, size_t size, const void *ext, size_t ext_size,
              s_seen_t *seen, size_t max)
{
    act_wire_frame_t frames [2] = { { data, size }, { ext, ext_size } };
    memset (seen, 0, sizeof *seen);
    return act_wire_decode (frames, ext ? 2 : 1, max, s_collect, seen);
}

Test (wire, a_batch_round_trip, .timeout = 10)
{
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    act_msg_t *hello = act_msg_new_str (42, "hello");
    act_msg_set_corr (hello, 0x0102030405060708ull);
    act_msg_t *empty = act_msg_new (43);
    act_wire_batch_add (&batch, "greeter", "g1/asker", ACT_WIRE_F_ASK, hello);
    act_wire_batch_add (&batch, "other", NULL, 0, empty);
    act_msg_destroy (&hello);
    act_msg_destroy (&empty);
    size_t size = act_wire_batch_finish (&batch);
    cr_assert_eq (size, batch.size);

    s_seen_t seen;
    cr_assert_eq (s_decode_buf (batch.data, size, NULL, 0, &seen, 0), ACT_WIRE_OK);
    cr_assert_eq (seen.count, 2);
    cr_assert_eq (seen.heads [0].type, 42);
    cr_assert_eq (seen.heads [0].corr, 0x0102030405060708ull);
    cr_assert_eq (seen.heads [0].flags, ACT_WIRE_F_ASK);
    cr_assert_str_eq (seen.heads [0].target, "greeter");
    cr_assert_str_eq (seen.heads [0].sender, "g1/asker");
    cr_assert_eq (seen.heads [0].size, 6);
    cr_assert_eq (memcmp (seen.heads [0].payload, "hello", 6), 0);
    cr_assert_eq (seen.heads [1].type, 43);
    cr_assert_str_eq (seen.heads [1].sender, "");
    cr_assert_eq (seen.heads [1].size, 0);
    act_wire_batch_free (&batch);
}

Test (wire, a_batch_in_a_buffer_of_the_callers_stays_the_callers, .timeout = 10)
{
    unsigned char buf [256];
    act_wire_batch_t batch = { 0 };
    act_wire_batch_attach (&batch, buf, sizeof buf);
    act_msg_t *msg = act_msg_new_data (7, "0123456789", 10);
    size_t record = act_wire_record_size ("t", "g/s", msg);
    size_t fits = 0;
    while (!act_wire_batch_full (&batch, record)) {
        act_wire_batch_add (&batch, "t", "g/s", 0, msg);
        fits++;
    }
    //  The first record names "t" and "g/s", the others repeat them
    //  (AGAIN) in no bytes.
    size_t again = record - 1 - 3;
    cr_assert_eq (batch.size, ACT_WIRE_BATCH_HEAD + record + (fits - 1) * again);
    cr_assert_gt (batch.size + record, sizeof buf, "the buffer's size bounds the batch");
    s_seen_t seen;
    cr_assert_eq (s_decode_buf (buf, act_wire_batch_finish (&batch), NULL, 0, &seen, 0),
                  ACT_WIRE_OK);
    cr_assert_eq (seen.count, fits);
    act_wire_batch_free (&batch);
    cr_assert_eq (batch.data, NULL);
    act_msg_destroy (&msg);
}

Test (wire, a_large_payload_travels_apart, .timeout = 10)
{
    size_t size = ACT_WIRE_INLINE_MAX + 1;
    char *data = (char *) malloc (size);
    memset (data, 'x', size);
    act_msg_t *big = act_msg_new_data (9, data, size);
    cr_assert_not (act_wire_inline (big));
    unsigned char frame [ACT_WIRE_ALONE_MAX];
    size_t head = act_wire_encode_alone (frame, "sink", "g/a", 0, big);
    s_seen_t seen;
    cr_assert_eq (s_decode_buf (frame, head, data, size, &seen, 0), ACT_WIRE_OK);
    cr_assert_eq (seen.count, 1);
    cr_assert_eq (seen.heads [0].flags, ACT_WIRE_F_EXTERNAL);
    cr_assert_eq (seen.heads [0].size, size);
    cr_assert_eq (seen.heads [0].payload, data);
    cr_assert_eq (s_decode_buf (frame, head, data, size, &seen, 100), ACT_WIRE_TOO_BIG);
    cr_assert_eq (s_decode_buf (frame, head, data, size - 1, &seen, 0), ACT_WIRE_BAD_FRAMES,
                  "the record's size must be the payload's");
    act_msg_destroy (&big);
    free (data);
}

//  A one-record batch with fields to spoil, as bytes.
typedef struct {
    unsigned char bytes [256];
    size_t size;
} s_frame_t;

static s_frame_t
s_frame (const char *target, const char *sender, size_t payload)
{
    s_frame_t f = { { 0xAC, 1, 0, 1,
                      0, (unsigned char) strlen (target), (unsigned char) strlen (sender), 0,
                      0, 0xFF, 0, 7,   0, 0, 0, 0, 0, 0, 0, 0,
                      0, 0, 0, (unsigned char) payload }, 24 };
    memcpy (f.bytes + f.size, target, strlen (target));
    f.size += strlen (target);
    memcpy (f.bytes + f.size, sender, strlen (sender));
    f.size += strlen (sender);
    f.size += payload;
    return f;
}

//  The same, with a type of the caller's.
static s_frame_t
s_frame_typed (const char *target, const char *sender, size_t payload, uint32_t type)
{
    s_frame_t f = s_frame (target, sender, payload);
    for (int i = 0; i < 4; i++)
        f.bytes [8 + i] = (unsigned char) (type >> (24 - 8 * i));
    return f;
}

//  Decode f, resized by resize bytes, with a limit of 100: expect the
//  reason, and nothing delivered unless it is OK. Returns the reason.
static act_wire_reason_t
s_expect_reason (const char *what, s_frame_t *f, int resize, act_wire_reason_t expect,
                 s_seen_t *seen)
{
    f->size = (size_t) ((long) f->size + resize);
    act_wire_frame_t frame = { f->bytes, f->size };
    memset (seen, 0, sizeof *seen);
    act_wire_reason_t got = act_wire_decode (&frame, 1, 100, s_collect, seen);
    cr_expect_eq (got, expect, "%s: got %s", what, act_wire_reason_name (got));
    if (got != ACT_WIRE_OK)
        cr_expect_eq (seen->count, 0, "%s: nothing delivered from a bad batch", what);
    return got;
}

Test (wire, refuses_each_malformed_field)
{
    struct { const char *what; s_frame_t frame; int patch_at; unsigned char value;
             int resize; act_wire_reason_t expect; } cases [] = {
        { "good",            s_frame ("a", "g/a", 10), -1, 0, 0, ACT_WIRE_OK },
        { "short header",    s_frame ("a", "", 0), -1, 0, -22, ACT_WIRE_BAD_HEADER },
        { "magic",           s_frame ("a", "", 0), 0, 0x00, 0, ACT_WIRE_BAD_HEADER },
        { "version",         s_frame ("a", "", 0), 1, 9, 0, ACT_WIRE_BAD_VERSION },
        { "zero records",    s_frame ("a", "", 0), 3, 0, 0, ACT_WIRE_BAD_HEADER },
        { "too many records", s_frame ("a", "", 0), 2, 0xFF, 0, ACT_WIRE_BAD_HEADER },
        { "more records than bytes", s_frame ("a", "", 0), 3, 2, 0, ACT_WIRE_TRUNCATED },
        { "unknown flag",    s_frame ("a", "", 0), 4, 0x80, 0, ACT_WIRE_BAD_FLAGS },
        { "reserved byte",   s_frame ("a", "", 0), 7, 1, 0, ACT_WIRE_BAD_FLAGS },
        { "external alone",  s_frame ("a", "", 0), 4, ACT_WIRE_F_EXTERNAL, 0, ACT_WIRE_BAD_FRAMES },
        { "system type",     s_frame ("a", "", 0), 8, 0xFF, 0, ACT_WIRE_BAD_TYPE },
        { "runtime request", s_frame_typed ("a", "g/a", 0, ACT_MSG_MONITOR), -1, 0, 0,
                             ACT_WIRE_OK },
        { "runtime asking",  s_frame_typed ("a", "g/a", 0, ACT_MSG_MONITOR), 4,
                             ACT_WIRE_F_ASK, 0, ACT_WIRE_BAD_TYPE },
        { "other reserved",  s_frame_typed ("a", "g/a", 0, ACT_MSG_SYSTEM + 0x115), -1, 0, 0,
                             ACT_WIRE_BAD_TYPE },
        { "empty target",    s_frame ("", "", 0), -1, 0, 0, ACT_WIRE_BAD_TARGET },
        { "slash target",    s_frame ("a/b", "", 0), -1, 0, 0, ACT_WIRE_BAD_TARGET },
        { "sender no slash", s_frame ("a", "ga", 0), -1, 0, 0, ACT_WIRE_BAD_SENDER },
        { "sender no actor", s_frame ("a", "g/", 0), -1, 0, 0, ACT_WIRE_BAD_SENDER },
        { "sender bad char", s_frame ("a", "g/a b", 0), -1, 0, 0, ACT_WIRE_BAD_SENDER },
        { "too big",         s_frame ("a", "", 101), -1, 0, 0, ACT_WIRE_TOO_BIG },
        { "payload cut",     s_frame ("a", "", 10), -1, 0, -1, ACT_WIRE_TRUNCATED },
        { "bytes left over", s_frame ("a", "", 10), -1, 0, 1, ACT_WIRE_TRUNCATED },
        { "names cut",       s_frame ("abc", "", 0), -1, 0, -2, ACT_WIRE_TRUNCATED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        s_frame_t f = cases [i].frame;
        if (cases [i].patch_at >= 0)
            f.bytes [cases [i].patch_at] = cases [i].value;
        s_seen_t seen;
        s_expect_reason (cases [i].what, &f, cases [i].resize, cases [i].expect, &seen);
    }
    s_frame_t f = s_frame ("a", "", 0);
    act_wire_frame_t three [3] = { { f.bytes, f.size }, { "x", 1 }, { "y", 1 } };
    cr_expect_eq (act_wire_decode (three, 3, 0, s_collect, NULL), ACT_WIRE_BAD_FRAMES);
    cr_expect_eq (act_wire_decode (three, 2, 0, s_collect, NULL), ACT_WIRE_BAD_FRAMES,
                  "a second frame needs an external record");
    cr_expect_eq (act_wire_decode (NULL, 1, 0, s_collect, NULL), ACT_WIRE_BAD_FRAMES);
}

Test (wire, a_bad_record_spoils_the_whole_batch)
{
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    act_msg_t *msg = act_msg_new (1);
    act_wire_batch_add (&batch, "good", NULL, 0, msg);
    act_wire_batch_add (&batch, "also-good", NULL, 0, msg);
    act_msg_destroy (&msg);
    batch.data [0] = ACT_WIRE_MAGIC;
    batch.data [1] = ACT_WIRE_VERSION;
    batch.data [2] = 0;
    batch.data [3] = 2;
    //  Spoil the second record's target length byte.
    size_t second = ACT_WIRE_BATCH_HEAD + ACT_WIRE_RECORD + 4;
    batch.data [second + 1] = 0;
    act_wire_frame_t frame = { batch.data, batch.size };
    s_seen_t seen = { .count = 0 };
    cr_assert_neq (act_wire_decode (&frame, 1, 0, s_collect, &seen), ACT_WIRE_OK);
    cr_assert_eq (seen.count, 0);
    act_wire_batch_free (&batch);
}

//  Records that spell out the names of the record before (as a version 1
//  sender does) are not checked again: a name of the same length that
//  differs in one byte still is.
Test (wire, a_name_like_the_one_before_is_still_checked)
{
    act_msg_t *msg = act_msg_new (1);
    for (int spoil = 0; spoil < 3; spoil++) {
        act_wire_batch_t one = { 0 };
        act_wire_batch_reset (&one);
        act_wire_batch_add (&one, "sink", "g/src", 5, msg);
        size_t record = ACT_WIRE_RECORD + 4 + 5;
        cr_assert_eq (one.size, ACT_WIRE_BATCH_HEAD + record);
        unsigned char data [ACT_WIRE_BATCH_HEAD + 3 * ACT_WIRE_RECORD + 3 * 9];
        act_wire_batch_t batch = { .data = data, .size = sizeof data };
        for (int i = 0; i < 3; i++)
            memcpy (data + ACT_WIRE_BATCH_HEAD + i * record, one.data + ACT_WIRE_BATCH_HEAD,
                    record);
        act_wire_batch_free (&one);
        batch.data [0] = ACT_WIRE_MAGIC;
        batch.data [1] = 1;
        batch.data [2] = 0;
        batch.data [3] = 3;
        size_t third = ACT_WIRE_BATCH_HEAD + 2 * record;
        act_wire_reason_t expect = ACT_WIRE_OK;
        if (spoil == 1) {
            batch.data [third + ACT_WIRE_RECORD + 3] = '/';      //  "sin/"
            expect = ACT_WIRE_BAD_TARGET;
        }
        if (spoil == 2) {
            batch.data [third + ACT_WIRE_RECORD + 4 + 2] = ' ';  //  "g/ rc"
            expect = ACT_WIRE_BAD_SENDER;
        }
        act_wire_frame_t frame = { batch.data, batch.size };
        s_seen_t seen = { .count = 0 };
        cr_assert_eq (act_wire_decode (&frame, 1, 0, s_collect, &seen), expect,
                      "case %d", spoil);
        cr_assert_eq (seen.count, expect == ACT_WIRE_OK ? 3u : 0u, "case %d", spoil);
    }
    act_msg_destroy (&msg);
}

//  A run of records to one actor from one sender names them once: the
//  others are flagged AGAIN, carry no names, and decode with the names
//  of the one before; a record to another actor names its own, and a
//  runtime request always does.
Test (wire, a_run_of_records_names_its_target_and_sender_once, .timeout = 10)
{
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    act_msg_t *msg = act_msg_new_data (1, "payload", 7);
    act_msg_t *monitor = act_msg_new_internal (ACT_MSG_MONITOR, NULL, 0);
    act_wire_batch_add (&batch, "sink", "g/src", 0, msg);
    act_wire_batch_add (&batch, "sink", "g/src", ACT_WIRE_F_ASK, msg);
    act_wire_batch_add (&batch, "sink", "g/src", 0, monitor);
    act_wire_batch_add (&batch, "sink", NULL, 0, msg);
    act_wire_batch_add (&batch, "sink", NULL, 0, msg);
    act_wire_batch_add (&batch, "tank", NULL, 0, msg);
    size_t size = act_wire_batch_finish (&batch);
    size_t full = ACT_WIRE_RECORD + 7;
    cr_assert_eq (size, ACT_WIRE_BATCH_HEAD + (full + 4 + 5) + full + (ACT_WIRE_RECORD + 4 + 5)
                        + (full + 4) + full + (full + 4));
    s_seen_t seen;
    cr_assert_eq (s_decode_buf (batch.data, size, NULL, 0, &seen, 0), ACT_WIRE_OK);
    cr_assert_eq (seen.count, 6);
    const char *targets [] = { "sink", "sink", "sink", "sink", "sink", "tank" };
    const char *senders [] = { "g/src", "g/src", "g/src", "", "", "" };
    bool again [] = { false, true, false, false, true, false };
    for (size_t i = 0; i < 6; i++) {
        cr_assert_str_eq (seen.heads [i].target, targets [i], "record %zu", i);
        cr_assert_str_eq (seen.heads [i].sender, senders [i], "record %zu", i);
        cr_assert_eq (seen.heads [i].again, again [i], "record %zu", i);
        cr_assert_eq ((seen.heads [i].flags & ACT_WIRE_F_AGAIN) != 0, again [i]);
    }
    cr_assert_eq (seen.heads [1].flags & ~ACT_WIRE_F_AGAIN, ACT_WIRE_F_ASK);
    cr_assert_eq (seen.heads [2].type, ACT_MSG_MONITOR);
    //  A version 1 reader's batch: AGAIN is not in it.
    batch.data [1] = 1;
    cr_assert_eq (s_decode_buf (batch.data, size, NULL, 0, &seen, 0), ACT_WIRE_BAD_FLAGS);
    act_msg_destroy (&msg);
    act_msg_destroy (&monitor);
    act_wire_batch_free (&batch);
}

Test (wire, names_and_addresses)
{
    cr_expect (act_wire_name_valid ("a-b_c.9", 7));
    cr_expect_not (act_wire_name_valid ("a b", 3));
    cr_expect_not (act_wire_name_valid ("", 0));
    cr_expect (act_wire_addr_valid ("g/a", 3));
    cr_expect_not (act_wire_addr_valid ("g/a/b", 5));
    cr_expect_not (act_wire_addr_valid ("/a", 2));
}

//  --------------------------------------------------------------------
//  References carried in a record (flag REFS)

//  A record carrying the addresses in refs (NULL-terminated), encoded.
static size_t
s_encode_refs (act_wire_batch_t *batch, const char *target, const char **refs,
               const act_msg_t *msg)
{
    act_wire_record_t record;
    act_wire_record_init (&record, target, strlen (target), "g/s", 3, 0, msg);
    for (size_t i = 0; refs [i]; i++)
        act_wire_record_add_ref (&record, refs [i], strlen (refs [i]));
    cr_assert_not (act_wire_batch_full (batch, record.size));
    size_t before = batch->size;
    act_wire_batch_put (batch, &record);
    //  Less the names when they repeat the record before's (AGAIN).
    size_t names = (batch->data [before] & ACT_WIRE_F_AGAIN) ? strlen (target) + 3 : 0;
    cr_assert_eq (batch->size - before, record.size - names,
                  "the size said is the size written");
    return record.size - names;
}

static void
s_assert_refs (const act_wire_head_t *head, const char **refs)
{
    size_t count = 0;
    while (refs [count])
        count++;
    cr_assert_eq (head->ref_count, count);
    cr_assert_eq (head->flags & ACT_WIRE_F_REFS, count ? ACT_WIRE_F_REFS : 0u);
    for (size_t i = 0; i < count; i++) {
        cr_assert_eq (head->ref_lens [i], strlen (refs [i]));
        cr_assert_eq (memcmp (head->refs [i], refs [i], head->ref_lens [i]), 0);
    }
}

Test (wire, references_travel_as_addresses, .timeout = 10)
{
    act_wire_batch_t batch = { 0 };
    act_wire_batch_reset (&batch);
    act_msg_t *msg = act_msg_new_str (5, "payload");
    const char *two [] = { "a/_1", "b/echo", NULL };
    const char *none [] = { NULL };
    const char *max [ACT_MSG_REFS_MAX + 1] = { NULL };
    char longest [ACT_WIRE_ADDR_MAX + 1];
    memset (longest, 'g', ACT_WIRE_ADDR_MAX);
    longest [64] = '/';
    longest [ACT_WIRE_ADDR_MAX] = 0;
    for (size_t i = 0; i < ACT_MSG_REFS_MAX; i++)
        max [i] = longest;
    size_t size = s_encode_refs (&batch, "t", two, msg);
    cr_assert_eq (size, ACT_WIRE_RECORD + 1 + 3 + 1 + (1 + 4) + (1 + 6) + 8);
    s_encode_refs (&batch, "t", none, msg);
    s_encode_refs (&batch, "t", max, msg);
    s_seen_t seen;
    cr_assert_eq (s_decode_buf (batch.data, act_wire_batch_finish (&batch), NULL, 0, &seen, 0),
                  ACT_WIRE_OK);
    cr_assert_eq (seen.count, 3);
    s_assert_refs (&seen.heads [0], two);
    s_assert_refs (&seen.heads [1], none);
    s_assert_refs (&seen.heads [2], max);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq ((const char *) seen.heads [i].payload, "payload",
                          "the payload follows the references");

    //  Alone, the references stay in the first frame.
    unsigned char frame [ACT_WIRE_ALONE_MAX];
    act_wire_record_t record;
    act_wire_record_init (&record, "sink", 4, NULL, 0, 0, msg);
    for (size_t i = 0; max [i]; i++)
        act_wire_record_add_ref (&record, max [i], strlen (max [i]));
    size_t head = act_wire_encode_record (frame, &record);
    cr_assert_eq (head, ACT_WIRE_ALONE_MAX - ACT_WIRE_ADDR_MAX - (ACT_WIRE_NAME_MAX - 4),
                  "the longest references fit ACT_WIRE_ALONE_MAX");
    cr_assert_eq (s_decode_buf (frame, head, "payload", 8, &seen, 0), ACT_WIRE_OK);
    s_assert_refs (&seen.heads [0], max);
    cr_assert_eq (seen.heads [0].flags, ACT_WIRE_F_REFS | ACT_WIRE_F_EXTERNAL);
    act_msg_destroy (&msg);
    act_wire_batch_free (&batch);
}

//  A one-record batch whose references section is given as bytes, then
//  a 2-byte payload "hi".
static s_frame_t
s_refs_frame (const unsigned char *refs, size_t refs_len)
{
    s_frame_t f = s_frame ("a", "g/a", 0);
    f.bytes [4] = ACT_WIRE_F_REFS;
    f.bytes [23] = 2;
    memcpy (f.bytes + f.size, refs, refs_len);
    f.size += refs_len;
    memcpy (f.bytes + f.size, "hi", 2);
    f.size += 2;
    return f;
}

Test (wire, refuses_each_malformed_reference_section)
{
    struct { const char *what; unsigned char refs [64]; size_t len; int resize;
             act_wire_reason_t expect; } cases [] = {
        { "good",               { 2, 3, 'g', '/', 'a', 4, 'h', '/', '_', '1' }, 10, 0,
          ACT_WIRE_OK },
        { "no count",           { 0 }, 0, -2, ACT_WIRE_TRUNCATED },
        { "count 0",            { 0 }, 1, 0, ACT_WIRE_BAD_REFS },
        { "count over the max", { ACT_MSG_REFS_MAX + 1, 3, 'g', '/', 'a' }, 5, 0,
          ACT_WIRE_BAD_REFS },
        { "count past the bytes", { 2, 3, 'g', '/', 'a' }, 5, 0, ACT_WIRE_TRUNCATED },
        { "length past the frame", { 1, 200, 'g', '/', 'a' }, 5, 0, ACT_WIRE_TRUNCATED },
        { "address cut",        { 1, 3, 'g', '/' }, 4, -2, ACT_WIRE_TRUNCATED },
        { "empty address",      { 1, 0 }, 2, 0, ACT_WIRE_BAD_REFS },
        { "no slash",           { 1, 3, 'g', 'g', 'a' }, 5, 0, ACT_WIRE_BAD_REFS },
        { "no actor",           { 1, 2, 'g', '/' }, 4, 0, ACT_WIRE_BAD_REFS },
        { "bad char",           { 1, 3, 'g', '/', 0 }, 5, 0, ACT_WIRE_BAD_REFS },
        { "second bad",         { 2, 3, 'g', '/', 'a', 3, '/', 'g', 'a' }, 9, 0,
          ACT_WIRE_BAD_REFS },
        { "payload cut",        { 1, 3, 'g', '/', 'a' }, 5, -1, ACT_WIRE_TRUNCATED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        s_frame_t f = s_refs_frame (cases [i].refs, cases [i].len);
        s_seen_t seen;
        if (s_expect_reason (cases [i].what, &f, cases [i].resize, cases [i].expect, &seen)
            == ACT_WIRE_OK) {
            cr_expect_eq (seen.count, 1);
            cr_expect_eq (memcmp (seen.heads [0].payload, "hi", 2), 0);
        }
    }
    //  The flag's bit was unused before: a frame of the old kind, without
    //  it, still decodes (every test above), and the section is read only
    //  when the flag says so.
    s_frame_t f = s_frame ("a", "g/a", 2);
    act_wire_frame_t frame = { f.bytes, f.size };
    s_seen_t seen = { .count = 0 };
    cr_assert_eq (act_wire_decode (&frame, 1, 0, s_collect, &seen), ACT_WIRE_OK);
    cr_assert_eq (seen.heads [0].ref_count, 0);
    //  The section is read whole before the names are checked: one
    //  reason, in the order actorio-wire(7) gives.
    unsigned char bad [] = { 1, 2, 'g', '/' };
    f = s_refs_frame (bad, sizeof bad);
    f.bytes [24] = '/';
    frame = (act_wire_frame_t) { f.bytes, f.size };
    cr_assert_eq (act_wire_decode (&frame, 1, 0, s_collect, &seen), ACT_WIRE_BAD_REFS);
    unsigned char good [] = { 1, 3, 'g', '/', 'a' };
    f = s_refs_frame (good, sizeof good);
    f.bytes [24] = '/';
    frame = (act_wire_frame_t) { f.bytes, f.size };
    cr_assert_eq (act_wire_decode (&frame, 1, 0, s_collect, &seen), ACT_WIRE_BAD_TARGET);
    cr_assert_str_eq (act_wire_reason_name (ACT_WIRE_BAD_REFS), "refs");
}

//  The last example of actorio-wire(7), byte for byte.
Test (wire, the_man_pages_example_with_references, .timeout = 10)
{
    const unsigned char page [] = {
        0xac, 0x02, 0x00, 0x01,  0x08, 0x04, 0x08, 0x00,  0x00, 0x00, 0x00, 0x09,
        0, 0, 0, 0, 0, 0, 0, 0,  0x00, 0x00, 0x00, 0x02,  'p', 'o', 'o', 'l',
        'a', '/', 'c', 'l', 'i', 'e', 'n', 't',  0x02,
        0x04, 'a', '/', '_', '4',  0x05, 'c', '/', 'l', 'o', 'g',  'g', 'o'
    };
    unsigned char buf [256];
    act_wire_batch_t batch = { 0 };
    act_wire_batch_attach (&batch, buf, sizeof buf);
    act_msg_t *msg = act_msg_new_data (9, "go", 2);
    act_wire_record_t record;
    act_wire_record_init (&record, "pool", 4, "a/client", 8, 0, msg);
    act_wire_record_add_ref (&record, "a/_4", 4);
    act_wire_record_add_ref (&record, "c/log", 5);
    act_wire_batch_put (&batch, &record);
    cr_assert_eq (act_wire_batch_finish (&batch), sizeof page);
    cr_assert_eq (memcmp (buf, page, sizeof page), 0);
    act_msg_destroy (&msg);
}

//  The example of a run of records in actorio-wire(7), byte for byte.
Test (wire, the_man_pages_example_of_a_run, .timeout = 10)
{
    const unsigned char page [] = {
        0xac, 0x02, 0x00, 0x03,
        0x00, 0x04, 0x08, 0x00,  0, 0, 0, 3,  0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 1,
        's', 'i', 'n', 'k',  'a', '/', 'f', 'e', 'e', 'd', 'e', 'r',  '1',
        0x10, 0x00, 0x00, 0x00,  0, 0, 0, 3,  0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 1,  '2',
        0x10, 0x00, 0x00, 0x00,  0, 0, 0, 3,  0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 1,  '3'
    };
    unsigned char buf [256];
    act_wire_batch_t batch = { 0 };
    act_wire_batch_attach (&batch, buf, sizeof buf);
    for (int i = 0; i < 3; i++) {
        act_msg_t *msg = act_msg_new_data (3, "123" + i, 1);
        act_wire_batch_add (&batch, "sink", "a/feeder", 0, msg);
        act_msg_destroy (&msg);
    }
    cr_assert_eq (act_wire_batch_finish (&batch), sizeof page);
    cr_assert_eq (memcmp (buf, page, sizeof page), 0);
}
