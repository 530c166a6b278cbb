/*  gen_corpus - writes the seed corpus of fuzz_wire into a directory
    SPDX-License-Identifier: MPL-2.0

    The seeds are committed in tests/fuzz/corpus/; this program is how they
    were made, and how to remake them after the input scheme of fuzz_wire.c
    changes:

        cc -o /tmp/gen_corpus tests/fuzz/gen_corpus.c
        /tmp/gen_corpus tests/fuzz/corpus

    One valid message with and one without a sender, a few more valid
    shapes, and one seed for each way a message can be refused, so the
    fuzzer starts next to every branch of act_wire_decode.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 16

typedef struct {
    unsigned char bytes [4096];
    size_t size;
} seed_t;

static void
s_byte (seed_t *s, unsigned char b)
{
    s->bytes [s->size++] = b;
}

static void
s_frame (seed_t *s, const void *data, size_t len)
{
    s_byte (s, (unsigned char) (len >> 8));
    s_byte (s, (unsigned char) len);
    memcpy (s->bytes + s->size, data, len);
    s->size += len;
}

//  A valid header: magic, version 1, flags, reserved, type, corr.
static void
s_header (unsigned char *h, unsigned char flags, unsigned type, unsigned long long corr)
{
    memset (h, 0, HEADER);
    h [0] = 0xAC;
    h [1] = 1;
    h [2] = flags;
    for (int i = 0; i < 4; i++) {
        h [4 + i] = (unsigned char) (type >> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
        h [8 + i] = (unsigned char) (corr >> (56 - 8 * i));
    }
}

//  control: frame count (and bit 4, empty frames as NULL); then frames.
static void
s_write (const char *dir, const char *name, unsigned char control, unsigned max_size,
         const unsigned char *header, size_t header_size, const char *target,
         const char *sender, const char *payload, size_t payload_size, int frames)
{
    seed_t s = { .size = 0 };
    s_byte (&s, control);
    s_byte (&s, (unsigned char) (max_size >> 8));
    s_byte (&s, (unsigned char) max_size);
    const void *data [4] = { header, target, sender, payload };
    size_t size [4] = { header_size, strlen (target), strlen (sender), payload_size };
    for (int i = 0; i < frames; i++) {
        s_frame (&s, data [i % 4], size [i % 4]);
    }
    char path [1024];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (s.bytes, 1, s.size, file) != s.size || fclose (file)) {
        perror (path);
        exit (1);
    }
}

int
main (int argc, char **argv)
{
    if (argc != 2) {
        fprintf (stderr, "usage: gen_corpus DIR\n");
        return 1;
    }
    const char *dir = argv [1];
    unsigned char h [HEADER], bad [HEADER];
    const char *long_name =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";   //  65
    const char *max_addr =
        "gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";   //  64/64

    //  Valid messages.
    s_header (h, 0, 42, 0x0102030405060708ull);
    s_write (dir, "ok-sender", 4, 0, h, HEADER, "greeter", "g1/asker", "hello", 6, 4);
    s_write (dir, "ok-no-sender", 4, 0, h, HEADER, "greeter", "", "hello", 6, 4);
    s_write (dir, "ok-empty-payload-null", 0x14, 0, h, HEADER, "a", "", "", 0, 4);
    s_write (dir, "ok-longest-names", 4, 64, h, HEADER, long_name + 1, max_addr,
             "0123456789", 10, 4);
    s_header (h, 0x01, 7, 99);
    s_write (dir, "ok-ask", 4, 100, h, HEADER, "a-b_c.9", "g/a", "x", 1, 4);
    s_header (h, 0x02, 0xFFFEFFFFu, ~0ull);
    s_write (dir, "ok-error-reply", 4, 0, h, HEADER, "a", "grp/act", "\0\0\0\1", 4, 4);

    //  Refused: wrong frame counts.
    s_header (h, 0, 42, 1);
    s_write (dir, "bad-frames-3", 3, 0, h, HEADER, "a", "", "p", 1, 3);
    s_write (dir, "bad-frames-8", 8, 0, h, HEADER, "a", "g/a", "p", 1, 8);

    //  Refused: the header.
    memcpy (bad, h, HEADER);
    s_write (dir, "bad-header-short", 4, 0, bad, HEADER - 1, "a", "", "", 0, 4);
    bad [0] = 0;
    s_write (dir, "bad-header-magic", 4, 0, bad, HEADER, "a", "", "", 0, 4);
    memcpy (bad, h, HEADER);
    bad [1] = 2;
    s_write (dir, "bad-version", 4, 0, bad, HEADER, "a", "", "", 0, 4);
    memcpy (bad, h, HEADER);
    bad [2] = 0x80;
    s_write (dir, "bad-flags", 4, 0, bad, HEADER, "a", "", "", 0, 4);
    memcpy (bad, h, HEADER);
    bad [3] = 1;
    s_write (dir, "bad-flags-reserved", 4, 0, bad, HEADER, "a", "", "", 0, 4);
    memcpy (bad, h, HEADER);
    bad [4] = bad [5] = 0xFF;
    s_write (dir, "bad-type-system", 4, 0, bad, HEADER, "a", "", "", 0, 4);

    //  Refused: names and size.
    s_write (dir, "bad-target-empty", 4, 0, h, HEADER, "", "", "", 0, 4);
    s_write (dir, "bad-target-long", 4, 0, h, HEADER, long_name, "", "", 0, 4);
    s_write (dir, "bad-target-char", 4, 0, h, HEADER, "a/b", "", "", 0, 4);
    s_write (dir, "bad-sender-no-slash", 4, 0, h, HEADER, "a", "ga", "", 0, 4);
    s_write (dir, "bad-sender-two-slashes", 4, 0, h, HEADER, "a", "g/a/b", "", 0, 4);
    s_write (dir, "bad-too-big", 4, 5, h, HEADER, "a", "g/a", "123456", 6, 4);
    return 0;
}
