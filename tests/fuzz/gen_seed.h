/*  gen_seed - what the seed generators of the fuzz targets share: a seed
    being built, and writing it out
    SPDX-License-Identifier: MPL-2.0

    For gen_corpus.c (fuzz_wire) and gen_corpus_ring.c (fuzz_ring), which
    are tools, built by hand and not by CMake: see either file's header.
*/
#ifndef GEN_SEED_H_INCLUDED
#define GEN_SEED_H_INCLUDED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED_MAX 8192           //  the -max_len run_fuzz.cmake gives

typedef struct {
    unsigned char bytes [SEED_MAX];
    size_t size;
} buf_t;

static void
s_put (buf_t *b, const void *data, size_t len)
{
    if (b->size + len > SEED_MAX) {
        fprintf (stderr, "gen_seed: seed over %d bytes\n", SEED_MAX);
        exit (1);
    }
    memcpy (b->bytes + b->size, data, len);
    b->size += len;
}

//  Write seed as the file dir/name, or exit.
static void
s_save (const char *dir, const char *name, const buf_t *seed)
{
    char path [1024];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen (path, "wb");
    if (!file || fwrite (seed->bytes, 1, seed->size, file) != seed->size || fclose (file)) {
        perror (path);
        exit (1);
    }
}

#endif
