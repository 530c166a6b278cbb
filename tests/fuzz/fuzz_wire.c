/*  fuzz_wire - libFuzzer target for the codec of messages between groups
    SPDX-License-Identifier: MPL-2.0

    act_wire_decode sees bytes straight from a socket, so it must refuse
    anything malformed and never read outside the frames it is given. The
    input is split into frames with a small length-prefixed scheme, so the
    seed corpus (see gen_corpus.c) can spell valid messages exactly:

        byte 0      bits 0-3: frame count, taken modulo 9 (0..8 frames)
                    bit 4:    empty frames are passed with data NULL
        bytes 1-2   max_size, big-endian (0 means no limit)
        then, per frame, a 2-byte big-endian length and that many bytes;
        a length past the end of the input takes what is left, and frames
        after the end of the input are empty.

    Each frame is copied into a heap block of exactly its size, so that
    AddressSanitizer catches a read one byte past any frame. On ACT_WIRE_OK
    the harness checks what the decoder promises; in every case it checks
    the verdict against a second, independent reading of actorio-wire(7),
    so a check that is dropped or loosened in the decoder is a crash here.
*/
#include "act_wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FRAMES_MAX 8

//  A failed invariant: say which, then abort so libFuzzer saves the input.
#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf (stderr, "fuzz_wire: invariant failed: %s (line %d)\n", #cond, __LINE__); \
        abort (); \
    } \
} while (0)

//  The spec's name rule, written again rather than reused: 1..64 of
//  [A-Za-z0-9_.-].
static bool
s_name_ok (const unsigned char *p, size_t len)
{
    if (!p || len == 0 || len > ACT_WIRE_NAME_MAX) {
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

//  Whether the spec accepts these frames, ignoring which reason it gives.
static bool
s_accepts (const act_wire_frame_t *f, size_t count, size_t max_size)
{
    if (count != ACT_WIRE_FRAMES) {
        return false;
    }
    const unsigned char *h = (const unsigned char *) f [0].data;
    if (f [0].size != ACT_WIRE_HEADER || !h) {
        return false;
    }
    uint32_t type = ((uint32_t) h [4] << 24) | ((uint32_t) h [5] << 16)
                  | ((uint32_t) h [6] << 8) | h [7];
    return h [0] == 0xAC && h [1] == 1 && (h [2] & ~0x03u) == 0 && h [3] == 0
        && type < ACT_MSG_SYSTEM
        && s_name_ok ((const unsigned char *) f [1].data, f [1].size)
        && (f [2].size == 0 || s_addr_ok ((const unsigned char *) f [2].data, f [2].size))
        && (max_size == 0 || f [3].size <= max_size)
        && (f [3].size == 0 || f [3].data);
}

static void
s_check_accepted (const act_wire_frame_t *f, size_t max_size, const act_wire_head_t *head)
{
    const unsigned char *h = (const unsigned char *) f [0].data;
    uint64_t corr = 0;
    for (int i = 8; i < 16; i++) {
        corr = (corr << 8) | h [i];
    }
    FUZZ_CHECK (head->type < ACT_MSG_SYSTEM);
    FUZZ_CHECK (head->type == (((uint32_t) h [4] << 24) | ((uint32_t) h [5] << 16)
                             | ((uint32_t) h [6] << 8) | h [7]));
    FUZZ_CHECK (head->flags == h [2] && (head->flags & ~ACT_WIRE_F_KNOWN) == 0);
    FUZZ_CHECK (head->corr == corr);

    //  Target and sender: NUL-terminated inside their arrays, the frame's
    //  bytes exactly, and valid by the codec's own checkers.
    FUZZ_CHECK (memchr (head->target, 0, sizeof head->target) != NULL);
    size_t target_len = strlen (head->target);
    FUZZ_CHECK (target_len == f [1].size);
    FUZZ_CHECK (memcmp (head->target, f [1].data, target_len) == 0);
    FUZZ_CHECK (act_wire_name_valid (head->target, target_len));

    FUZZ_CHECK (memchr (head->sender, 0, sizeof head->sender) != NULL);
    size_t sender_len = strlen (head->sender);
    FUZZ_CHECK (sender_len == f [2].size);
    if (sender_len) {
        FUZZ_CHECK (memcmp (head->sender, f [2].data, sender_len) == 0);
        FUZZ_CHECK (act_wire_addr_valid (head->sender, sender_len));
    }

    //  The payload is borrowed from the last frame, all of it and no more.
    const unsigned char *payload = (const unsigned char *) head->payload;
    const unsigned char *frame = (const unsigned char *) f [3].data;
    FUZZ_CHECK (head->size == f [3].size);
    FUZZ_CHECK (max_size == 0 || head->size <= max_size);
    if (head->size) {
        FUZZ_CHECK (payload >= frame && payload + head->size <= frame + f [3].size);
        //  Touch every byte: ASan flags the pointer if it is off the block.
        volatile unsigned char sum = 0;
        for (size_t i = 0; i < head->size; i++) {
            sum += payload [i];
        }
        (void) sum;
    }
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
                    == (len <= ACT_WIRE_ADDR_MAX && s_addr_ok (copy, len)));
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
    s_fuzz_names (data, size);
    if (size < 3) {
        return 0;
    }
    size_t count = (data [0] & 0x0F) % (FUZZ_FRAMES_MAX + 1);
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

    act_wire_head_t head;
    //  Garbage in the output, so a missing terminator shows up.
    memset (&head, 0xA5, sizeof head);
    act_wire_reason_t reason = act_wire_decode (count ? frames : NULL, count,
                                                max_size, &head);
    FUZZ_CHECK ((unsigned) reason < ACT_WIRE_REASONS);
    FUZZ_CHECK (strcmp (act_wire_reason_name (reason), "unknown") != 0);
    FUZZ_CHECK ((reason == ACT_WIRE_OK) == s_accepts (frames, count, max_size));
    if (count != ACT_WIRE_FRAMES) {
        FUZZ_CHECK (reason == ACT_WIRE_BAD_FRAMES);
    }
    if (reason == ACT_WIRE_OK) {
        s_check_accepted (frames, max_size, &head);
    }
    for (size_t i = 0; i < count; i++) {
        free (blocks [i]);
    }
    return 0;
}
