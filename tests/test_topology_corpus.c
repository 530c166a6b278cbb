/*  test_topology_corpus - the topology fuzzer's seeds, replayed
    SPDX-License-Identifier: MPL-2.0

    Runs every seed in tests/fuzz/topology_corpus through the libFuzzer
    target itself (tests/fuzz/fuzz_topology.c), so its invariants (a
    problem for every refusal, lines within the input, at most 50 listed,
    print then read gives the same topology) hold in the regular suite,
    with gcc, without clang or libFuzzer. A seed named ok-* must load, one
    named bad-* must not. No seed names a plugin: here, unlike in the
    fuzzer, plugins would be opened.
*/
#include "act_test.h"
#include "../supervisor/act_topology.c"
#include "../supervisor/act_zpl.c"
#include "../src/group/act_builtin.c"
#include "fuzz/fuzz_topology.c"
#include <dirent.h>

#define CORPUS ACTORIO_SOURCE_DIR "/tests/fuzz/topology_corpus"

//  The whole of path into *size bytes (caller frees).
static char *
s_slurp (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    cr_assert_not_null (file, "%s: %s", path, strerror (errno));
    char *data = (char *) malloc (ACT_TOPOLOGY_FILE_MAX + 1);
    *size = fread (data, 1, ACT_TOPOLOGY_FILE_MAX + 1, file);
    fclose (file);
    return data;
}

Test (topology_corpus, every_seed_keeps_the_fuzzers_invariants)
{
    DIR *dir = opendir (CORPUS);
    cr_assert_not_null (dir);
    size_t ok = 0, bad = 0;
    struct dirent *entry;
    while ((entry = readdir (dir))) {
        const char *name = entry->d_name;
        if (name [0] == '.') {
            continue;
        }
        bool want_ok = strncmp (name, "ok-", 3) == 0;
        cr_assert (want_ok || strncmp (name, "bad-", 4) == 0,
                   "seed %s is not named ok-* or bad-*", name);
        char *path = zsys_sprintf ("%s/%s", CORPUS, name);
        size_t size;
        char *data = s_slurp (path, &size);
        LLVMFuzzerTestOneInput ((const uint8_t *) data, size);
        zlist_t *errors = zlist_new ();
        zlist_autofree (errors);
        act_topology_t *topo = act_topology_load_text (path, data, size, errors);
        cr_expect_eq (topo != NULL, want_ok, "%s: %s", name,
                      topo ? "loaded" : (char *) zlist_first (errors));
        ok += topo != NULL;
        bad += topo == NULL;
        act_topology_destroy (&topo);
        zlist_destroy (&errors);
        free (data);
        free (path);
    }
    closedir (dir);
    cr_expect_geq (ok, 3, "only %zu good seeds", ok);
    cr_expect_geq (bad, 3, "only %zu bad seeds", bad);
}

//  The printer spells out what the reader fills in, so a file that
//  relies on defaults prints longer and reads back the same
Test (topology_corpus, print_then_read_gives_the_same_topology)
{
    const char *text =
        "run\n"
        "    name = printed\n"
        "    shutdown = infinity\n"
        "group = g\n"
        "    actor = a\n"
        "        class = sink\n"
        "        args = ' lead and # hash'\n";
    act_topology_t *topo = act_topology_load_text ("p.zpl", text, strlen (text), NULL);
    cr_assert_not_null (topo);
    char *printed = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&printed, &size);
    cr_assert_eq (act_topology_print (topo, stream), 0);
    fclose (stream);
    cr_expect (strstr (printed, "    shutdown = infinity\n"), "%s", printed);
    cr_expect (strstr (printed, "        args = \" lead and # hash\"\n"), "%s", printed);
    act_topology_t *again = act_topology_load_text ("p.zpl", printed, size, NULL);
    cr_assert_not_null (again, "%s", printed);
    cr_expect (s_same (topo, again), "%s", printed);
    cr_expect_eq (again->groups [0].shutdown, ACT_TOPOLOGY_INFINITY);
    act_topology_destroy (&again);
    act_topology_destroy (&topo);
    free (printed);
    cr_expect_eq (act_topology_print (NULL, stdout), -1);
    cr_expect_eq (errno, EINVAL);
}
