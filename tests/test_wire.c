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
    cr_assert_eq (fits, (sizeof buf - ACT_WIRE_BATCH_HEAD) / record,
                  "the buffer's size bounds the batch");
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
        { "other reserved",  s_frame_typed ("a", "g/a", 0, ACT_MSG_SYSTEM + 0x114), -1, 0, 0,
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
        f.size = (size_t) ((long) f.size + cases [i].resize);
        act_wire_frame_t frame = { f.bytes, f.size };
        s_seen_t seen = { .count = 0 };
        act_wire_reason_t got = act_wire_decode (&frame, 1, 100, s_collect, &seen);
        cr_expect_eq (got, cases [i].expect, "%s: got %s", cases [i].what,
                      act_wire_reason_name (got));
        if (got != ACT_WIRE_OK)
            cr_expect_eq (seen.count, 0, "%s: nothing delivered from a bad batch",
                          cases [i].what);
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

Test (wire, names_and_addresses)
{
    cr_expect (act_wire_name_valid ("a-b_c.9", 7));
    cr_expect_not (act_wire_name_valid ("a b", 3));
    cr_expect_not (act_wire_name_valid ("", 0));
    cr_expect (act_wire_addr_valid ("g/a", 3));
    cr_expect_not (act_wire_addr_valid ("g/a/b", 5));
    cr_expect_not (act_wire_addr_valid ("/a", 2));
}
