/*  fuzz_wire - libFuzzer target for the codec of messages between groups
    SPDX-License-Identifier: MPL-2.0

    act_wire_decode sees bytes straight from a socket, so it must refuse
    anything malformed, never read outside the frames it is given, and
    deliver nothing from a batch that is bad anywhere. The input is split
    into frames with a small length-prefixed scheme, so the seed corpus
    (see gen_corpus.c) can spell valid batches exactly:

        byte 0      bits 0-1: frame count (0..3)
                    bit 4:    empty frames are passed with data NULL
        bytes 1-2   max_size, big-endian (0 means no limit)
        then, per frame, a 2-byte big-endian length and that many bytes;
        a length past the end of the input takes what is left, and frames
        after the end of the input are empty.

    Each frame is copied into a heap block of exactly its size, so that
    AddressSanitizer catches a read one byte past any frame. Every input
    is decoded twice, once only to check and once with a callback; the
    callback checks each record as it comes (names, references, payload
    bounds, size limit), and the verdict and the records are then compared with a
    second, independent reading of actorio-wire(7) below, reason for
    reason and field for field, so a check that is dropped, loosened or
    reordered in the decoder is a crash here. An accepted batch of inline
    records is finally encoded again with act_wire_batch_put, which must
    decode to the same records, and give back the very bytes it came from
    where those are what the encoder writes (AGAIN wherever a record
    repeats the names of the one before).

    Set FUZZ_WIRE_VERDICT in the environment to have each input's verdict
    printed (run_fuzz.cmake checks the seeds with it).
*/
#include "act_wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FRAMES_MAX 3

//  A failed invariant: say which, then abort so libFuzzer saves the input.
#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf (stderr, "fuzz_wire: invariant failed: %s (line %d)\n", #cond, __LINE__); \
        abort (); \
    } \
} while (0)

//  --------------------------------------------------------------------
//  The spec, written again rather than reused

//  1..64 of [A-Za-z0-9_.-].
static bool
s_name_ok (const unsigned char *p, size_t len)
{
    if (!p || len == 0 || len > 64) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_.-", p [i]) || p [i] == 0) {
            return false;
        }
    }
    return true;
}

//  "group/actor": names cannot hold a slash, so the first one splits.
static bool
s_addr_ok (const unsigned char *p, size_t len)
{
    if (!p) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (p [i] == '/') {
            return s_name_ok (p, i) && s_name_ok (p + i + 1, len - i - 1);
        }
    }
    return false;
}

static uint64_t
s_be (const unsigned char *p, int bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++) {
        value = (value << 8) | p [i];
    }
    return value;
}

//  One record as the spec reads it.
typedef struct {
    unsigned flags;
    uint32_t type;
    uint64_t corr;
    const unsigned char *target;
    size_t target_len;
    const unsigned char *sender;
    size_t sender_len;
    const unsigned char *payload;
    size_t size;
    size_t ref_count;               //  flag 0x08: the references section
    const unsigned char *refs [16];
    size_t ref_lens [16];
} s_record_t;

//  The verdict on frames, and the records of an accepted batch. The order
//  of the checks is the one actorio-wire(7) gives under "Refused
//  messages": the first that fails names the reason.
static act_wire_reason_t
s_spec (const act_wire_frame_t *f, size_t count, size_t max_size,
        s_record_t *records, size_t *record_count)
{
    *record_count = 0;
    if (!f || count < 1 || count > 2) {
        return ACT_WIRE_BAD_FRAMES;
    }
    const unsigned char *batch = (const unsigned char *) f [0].data;
    if (!batch || f [0].size < 4 || batch [0] != 0xAC) {
        return ACT_WIRE_BAD_HEADER;
    }
    const unsigned char *end = batch + f [0].size;
    //  Version 2 adds flag 0x10 (AGAIN) to version 1.
    unsigned version = batch [1];
    if (version != 1 && version != 2) {
        return ACT_WIRE_BAD_VERSION;
    }
    size_t n = (size_t) s_be (batch + 2, 2);
    if (n < 1 || n > 256) {
        return ACT_WIRE_BAD_HEADER;
    }
    bool two = count == 2;
    if (two && (n != 1 || (f [1].size > 0 && !f [1].data))) {
        return ACT_WIRE_BAD_FRAMES;
    }
    const unsigned char *at = batch + 4;
    const s_record_t *named = NULL;     //  the last record with names
    for (size_t i = 0; i < n; i++) {
        s_record_t *r = &records [i];
        if ((size_t) (end - at) < 20) {
            return ACT_WIRE_TRUNCATED;
        }
        r->flags = at [0];
        r->target_len = at [1];
        r->sender_len = at [2];
        if (r->flags > (version == 1 ? 15u : 31u) || at [3] != 0) {
            return ACT_WIRE_BAD_FLAGS;
        }
        //  AGAIN: no names of its own (lengths 0), those of the last
        //  record that had some; never first.
        bool again = (r->flags & 16) != 0;
        if (again && (!named || r->target_len || r->sender_len)) {
            return ACT_WIRE_BAD_FLAGS;
        }
        if (((r->flags & 4) == 4) != two) {
            return ACT_WIRE_BAD_FRAMES;
        }
        r->type = (uint32_t) s_be (at + 4, 4);
        //  Reserved types: only the runtime's requests between groups
        //  (0xFFFF0110 to 0xFFFF0114), with no flag but EXTERNAL.
        if (r->type >= 0xFFFF0000u
        &&  (r->type < 0xFFFF0110u || r->type > 0xFFFF0114u || (r->flags & ~4u))) {
            return ACT_WIRE_BAD_TYPE;
        }
        r->corr = s_be (at + 8, 8);
        r->size = (size_t) s_be (at + 16, 4);
        if (two && r->size != f [1].size) {
            return ACT_WIRE_BAD_FRAMES;
        }
        if (max_size > 0 && r->size > max_size) {
            return ACT_WIRE_TOO_BIG;
        }
        //  The target and sender, then the references section if
        //  flagged (count 1..16; each address's length byte and bytes
        //  within the frame, and the address valid, in turn), then the
        //  inline payload; then the names.
        if ((size_t) (end - at) - 20 < r->target_len + r->sender_len) {
            return ACT_WIRE_TRUNCATED;
        }
        r->target = at + 20;
        r->sender = r->target + r->target_len;
        const unsigned char *p = r->sender + r->sender_len;
        r->ref_count = 0;
        if (r->flags & 8) {
            if (p == end) {
                return ACT_WIRE_TRUNCATED;
            }
            r->ref_count = *p++;
            if (r->ref_count < 1 || r->ref_count > 16) {
                return ACT_WIRE_BAD_REFS;
            }
            for (size_t k = 0; k < r->ref_count; k++) {
                if (p == end || (size_t) (end - p) - 1 < *p) {
                    return ACT_WIRE_TRUNCATED;
                }
                r->ref_lens [k] = *p;
                r->refs [k] = p + 1;
                if (!s_addr_ok (r->refs [k], r->ref_lens [k]) || r->ref_lens [k] > 129) {
                    return ACT_WIRE_BAD_REFS;
                }
                p += 1 + *p;
            }
        }
        if ((size_t) (end - p) < (two ? 0 : r->size)) {
            return ACT_WIRE_TRUNCATED;
        }
        r->payload = two ? (const unsigned char *) f [1].data : p;
        if (again) {
            r->target = named->target;
            r->target_len = named->target_len;
            r->sender = named->sender;
            r->sender_len = named->sender_len;
            at = p + (two ? 0 : r->size);
            continue;
        }
        named = r;
        if (!s_name_ok (r->target, r->target_len)) {
            return ACT_WIRE_BAD_TARGET;
        }
        if (r->sender_len > 0 && !s_addr_ok (r->sender, r->sender_len)) {
            return ACT_WIRE_BAD_SENDER;
        }
        at = p + (two ? 0 : r->size);
    }
    if (at != end) {
        return ACT_WIRE_TRUNCATED;
    }
    *record_count = n;
    return ACT_WIRE_OK;
}

//  --------------------------------------------------------------------
//  What the callback sees

typedef struct {
    const act_wire_frame_t *frames;
    size_t count;
    size_t max_size;
    act_wire_head_t heads [256];    //  copies, compared with the spec after
    size_t seen;                    //  callbacks made
} s_ctx_t;

//  True if [p, p + size) lies in frame f (an empty payload may sit at its
//  very end, or be NULL when the frame is).
static bool
s_within (const act_wire_frame_t *f, const unsigned char *p, size_t size)
{
    const unsigned char *start = (const unsigned char *) f->data;
    if (!start) {
        return size == 0 && p == NULL;
    }
    return p >= start && p <= start + f->size && size <= (size_t) (start + f->size - p);
}

static void
s_on_record (void *arg, const act_wire_head_t *head)
{
    s_ctx_t *ctx = (s_ctx_t *) arg;
    FUZZ_CHECK (head != NULL);
    //  At most as many calls as the header's count can say.
    FUZZ_CHECK (ctx->seen < 256);

    //  Names: NUL-terminated inside their arrays and valid.
    FUZZ_CHECK (memchr (head->target, 0, sizeof head->target) != NULL);
    size_t target_len = strlen (head->target);
    FUZZ_CHECK (act_wire_name_valid (head->target, target_len));
    FUZZ_CHECK (s_name_ok ((const unsigned char *) head->target, target_len));
    FUZZ_CHECK (memchr (head->sender, 0, sizeof head->sender) != NULL);
    size_t sender_len = strlen (head->sender);
    if (sender_len) {
        FUZZ_CHECK (act_wire_addr_valid (head->sender, sender_len));
        FUZZ_CHECK (s_addr_ok ((const unsigned char *) head->sender, sender_len));
    }
    FUZZ_CHECK ((head->flags & ~ACT_WIRE_F_KNOWN) == 0);
    FUZZ_CHECK (head->type < ACT_MSG_SYSTEM || act_wire_runtime_type (head->type));

    //  The payload: within the limit, borrowed from the frames, in the
    //  second one exactly when the record says EXTERNAL.
    FUZZ_CHECK (ctx->max_size == 0 || head->size <= ctx->max_size);
    const unsigned char *payload = (const unsigned char *) head->payload;
    if (head->flags & ACT_WIRE_F_EXTERNAL) {
        FUZZ_CHECK (ctx->count == 2);
        FUZZ_CHECK (s_within (&ctx->frames [1], payload, head->size));
    }
    else {
        FUZZ_CHECK (s_within (&ctx->frames [0], payload, head->size));
    }
    //  References: as many as the flag says, each a valid address
    //  inside the first frame.
    FUZZ_CHECK (head->ref_count <= ACT_MSG_REFS_MAX);
    FUZZ_CHECK ((head->ref_count > 0) == ((head->flags & ACT_WIRE_F_REFS) != 0));
    volatile unsigned char sum = 0;
    for (size_t i = 0; i < head->ref_count; i++) {
        const unsigned char *ref = (const unsigned char *) head->refs [i];
        FUZZ_CHECK (s_within (&ctx->frames [0], ref, head->ref_lens [i]));
        FUZZ_CHECK (act_wire_addr_valid (head->refs [i], head->ref_lens [i]));
        FUZZ_CHECK (s_addr_ok (ref, head->ref_lens [i]));
        for (size_t k = 0; k < head->ref_lens [i]; k++) {
            sum += ref [k];
        }
    }
    //  Touch every byte: ASan flags the pointer if it is off the block.
    for (size_t i = 0; i < head->size; i++) {
        sum += payload [i];
    }
    (void) sum;
    ctx->heads [ctx->seen++] = *head;
}

//  The decoder's records against the spec's, one by one.
static void
s_compare (const s_ctx_t *ctx, const s_record_t *records, size_t count)
{
    FUZZ_CHECK (ctx->seen == count);
    for (size_t i = 0; i < count; i++) {
        const act_wire_head_t *head = &ctx->heads [i];
        const s_record_t *r = &records [i];
        FUZZ_CHECK (head->flags == r->flags);
        FUZZ_CHECK (head->type == r->type);
        FUZZ_CHECK (head->corr == r->corr);
        FUZZ_CHECK (strlen (head->target) == r->target_len);
        FUZZ_CHECK (memcmp (head->target, r->target, r->target_len) == 0);
        FUZZ_CHECK (strlen (head->sender) == r->sender_len);
        FUZZ_CHECK (memcmp (head->sender, r->sender, r->sender_len) == 0);
        FUZZ_CHECK (head->size == r->size);
        FUZZ_CHECK ((const unsigned char *) head->payload == r->payload);
        FUZZ_CHECK (head->ref_count == r->ref_count);
        for (size_t k = 0; k < r->ref_count; k++) {
            FUZZ_CHECK ((const unsigned char *) head->refs [k] == r->refs [k]);
            FUZZ_CHECK (head->ref_lens [k] == r->ref_lens [k]);
        }
    }
}

//  True if the encoder would have flagged the records of ctx AGAIN
//  exactly where they are: a user record with the names of the one
//  before it. (The decoder also takes repeated names spelled out, and
//  version 1, which has no AGAIN.)
static bool
s_canonical (const s_ctx_t *ctx)
{
    for (size_t i = 0; i < ctx->seen; i++) {
        const act_wire_head_t *head = &ctx->heads [i];
        const act_wire_head_t *before = i ? &ctx->heads [i - 1] : NULL;
        bool same = before && head->type < ACT_MSG_SYSTEM
                 && strcmp (head->target, before->target) == 0
                 && strcmp (head->sender, before->sender) == 0;
        if (same != ((head->flags & ACT_WIRE_F_AGAIN) != 0)) {
            return false;
        }
    }
    return true;
}

//  The records the re-encoded batch decodes to: those of ctx, field for
//  field (AGAIN aside), the payloads and references byte for byte.
static void
s_same_records (const s_ctx_t *ctx, const unsigned char *data, size_t size)
{
    static s_ctx_t again;
    act_wire_frame_t frame = { data, size };
    again.frames = &frame;
    again.count = 1;
    again.max_size = 0;
    again.seen = 0;
    FUZZ_CHECK (act_wire_decode (&frame, 1, 0, s_on_record, &again) == ACT_WIRE_OK);
    FUZZ_CHECK (again.seen == ctx->seen);
    for (size_t i = 0; i < ctx->seen; i++) {
        const act_wire_head_t *a = &ctx->heads [i], *b = &again.heads [i];
        FUZZ_CHECK ((a->flags & ~ACT_WIRE_F_AGAIN) == (b->flags & ~ACT_WIRE_F_AGAIN));
        FUZZ_CHECK (a->type == b->type && a->corr == b->corr && a->size == b->size);
        FUZZ_CHECK (strcmp (a->target, b->target) == 0);
        FUZZ_CHECK (strcmp (a->sender, b->sender) == 0);
        FUZZ_CHECK (a->size == 0 || memcmp (a->payload, b->payload, a->size) == 0);
        FUZZ_CHECK (a->ref_count == b->ref_count);
        for (size_t k = 0; k < a->ref_count; k++) {
            FUZZ_CHECK (a->ref_lens [k] == b->ref_lens [k]);
            FUZZ_CHECK (memcmp (a->refs [k], b->refs [k], a->ref_lens [k]) == 0);
        }
    }
}

//  An accepted one-frame batch, encoded again, decodes to the same
//  records, and is the same bytes when the encoder would have written
//  it so: the encoder writes what the decoder reads, nothing lost or
//  added.
static void
s_reencode (const act_wire_frame_t *frame, const s_ctx_t *ctx)
{
    static act_wire_batch_t batch;      //  kept: its buffer is 72 KiB
    //  Only what the encoder would batch: the decoder also takes longer
    //  batches and larger inline payloads than it sends.
    if (frame->size > ACT_WIRE_BATCH_BYTES) {
        return;
    }
    for (size_t i = 0; i < ctx->seen; i++) {
        if (ctx->heads [i].size > ACT_WIRE_INLINE_MAX) {
            return;
        }
    }
    act_wire_batch_reset (&batch);
    for (size_t i = 0; i < ctx->seen; i++) {
        const act_wire_head_t *head = &ctx->heads [i];
        act_msg_t *msg = (act_msg_t *) calloc (1, sizeof (act_msg_t) + head->size + 1);
        FUZZ_CHECK (msg);
        msg->type = head->type;
        msg->corr = head->corr;
        msg->size = head->size;
        if (head->size) {
            memcpy (msg->data, head->payload, head->size);
        }
        FUZZ_CHECK (act_wire_inline (msg));
        const char *sender = head->sender [0] ? head->sender : NULL;
        act_wire_record_t record;
        uint32_t flags = head->flags & ~ACT_WIRE_F_AGAIN;
        act_wire_record_init (&record, head->target, strlen (head->target), sender,
                              strlen (head->sender), flags & ~ACT_WIRE_F_REFS, msg);
        FUZZ_CHECK (record.size == act_wire_record_size (head->target, sender, msg));
        for (size_t k = 0; k < head->ref_count; k++) {
            act_wire_record_add_ref (&record, head->refs [k], head->ref_lens [k]);
        }
        FUZZ_CHECK (record.flags == flags);
        FUZZ_CHECK (!act_wire_batch_full (&batch, record.size));
        act_wire_batch_put (&batch, &record);
        free (msg);
    }
    FUZZ_CHECK (batch.count == ctx->seen);
    size_t size = act_wire_batch_finish (&batch);
    s_same_records (ctx, batch.data, size);
    if (!s_canonical (ctx)) {
        return;
    }
    FUZZ_CHECK (size == frame->size);
    //  The version byte is the encoder's own: compare after it.
    FUZZ_CHECK (memcmp (batch.data + 2, (const unsigned char *) frame->data + 2,
                        frame->size - 2) == 0);
}

//  The name and address checkers on raw bytes, against the spec's rules.
static void
s_fuzz_names (const uint8_t *data, size_t size)
{
    //  Exact-size copy, so a read past len is an ASan report.
    unsigned char *copy = (unsigned char *) malloc (size ? size : 1);
    FUZZ_CHECK (copy);
    memcpy (copy, data, size);
    for (size_t len = 0; len <= size && len <= ACT_WIRE_ADDR_MAX + 2; len++) {
        FUZZ_CHECK (act_wire_name_valid ((const char *) copy, len) == s_name_ok (copy, len));
        FUZZ_CHECK (act_wire_addr_valid ((const char *) copy, len)
                    == (len <= 129 && s_addr_ok (copy, len)));
    }
    FUZZ_CHECK (!act_wire_name_valid (NULL, size));
    FUZZ_CHECK (!act_wire_addr_valid (NULL, size));
    free (copy);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    //  The spec's numbers, against the header's.
    FUZZ_CHECK (ACT_WIRE_NAME_MAX == 64 && ACT_WIRE_ADDR_MAX == 129
                && ACT_WIRE_BATCH_MAX == 256 && ACT_WIRE_RECORD == 20
                && ACT_WIRE_BATCH_HEAD == 4 && ACT_WIRE_F_KNOWN == 31
                && ACT_WIRE_F_AGAIN == 16 && ACT_WIRE_VERSION == 2
                && ACT_WIRE_F_REFS == 8 && ACT_MSG_REFS_MAX == 16);
    s_fuzz_names (data, size);
    if (size < 3) {
        return 0;
    }
    size_t count = data [0] & 0x03;
    bool null_empty = (data [0] & 0x10) != 0;
    size_t max_size = ((size_t) data [1] << 8) | data [2];
    size_t at = 3;

    act_wire_frame_t frames [FUZZ_FRAMES_MAX];
    void *blocks [FUZZ_FRAMES_MAX] = { NULL };
    for (size_t i = 0; i < count; i++) {
        size_t len = 0;
        if (at + 2 <= size) {
            len = ((size_t) data [at] << 8) | data [at + 1];
            at += 2;
        }
        else {
            at = size;
        }
        if (len > size - at) {
            len = size - at;
        }
        //  malloc (0) still gives a block ASan guards: any read is caught.
        blocks [i] = malloc (len);
        FUZZ_CHECK (blocks [i] || len == 0);
        if (len) {
            memcpy (blocks [i], data + at, len);
        }
        at += len;
        frames [i].data = (len == 0 && null_empty) ? NULL : blocks [i];
        frames [i].size = len;
    }
    const act_wire_frame_t *given = count ? frames : NULL;

    static s_record_t records [256];
    size_t expect_count;
    act_wire_reason_t expect = s_spec (given, count, max_size, records, &expect_count);

    act_wire_reason_t checked = act_wire_decode (given, count, max_size, NULL, NULL);
    static s_ctx_t ctx;
    ctx.frames = frames;
    ctx.count = count;
    ctx.max_size = max_size;
    ctx.seen = 0;
    act_wire_reason_t reason = act_wire_decode (given, count, max_size,
                                                s_on_record, &ctx);
    if (getenv ("FUZZ_WIRE_VERDICT")) {
        fprintf (stderr, "fuzz_wire: verdict %s records %zu spec %s\n",
                 act_wire_reason_name (reason), ctx.seen, act_wire_reason_name (expect));
    }
    FUZZ_CHECK ((unsigned) reason < ACT_WIRE_REASONS);
    FUZZ_CHECK (strcmp (act_wire_reason_name (reason), "unknown") != 0);
    FUZZ_CHECK (checked == reason);
    FUZZ_CHECK (reason == expect);
    if (reason == ACT_WIRE_OK) {
        //  Every record of the header's count, each once, in order.
        FUZZ_CHECK (ctx.seen == (size_t) s_be ((const unsigned char *) frames [0].data + 2, 2));
        s_compare (&ctx, records, expect_count);
        if (count == 1) {
            s_reencode (&frames [0], &ctx);
        }
    }
    else {
        //  Refused whole: not one record was delivered.
        FUZZ_CHECK (ctx.seen == 0);
    }
    for (size_t i = 0; i < count; i++) {
        free (blocks [i]);
    }
    return 0;
}
