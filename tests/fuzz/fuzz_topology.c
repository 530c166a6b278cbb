/*  fuzz_topology - libFuzzer target for the topology reader
    SPDX-License-Identifier: MPL-2.0

    act_topology_load_text reads a file a user wrote, or anything else a
    path names: it must report every problem with a line and never crash,
    hang, or read outside its input, whatever the bytes. For each input
    the target checks that a topology comes back exactly when no problem
    is reported, that every problem is "FILE:LINE: ..." with LINE within
    the input, at most ACT_TOPOLOGY_ERRORS_MAX of them plus one count, and
    that a topology it accepts, printed with act_topology_print and read
    again, is the same topology (every field but the lines).

    Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, so plugins are
    never opened (see s_open_plugin). tests/test_topology_corpus.c runs
    the seeds in topology_corpus/ through the same function, so the
    regular suite checks them too; a seed named ok-* must load and a seed
    named bad-* must not.
*/
#include "act_topology.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FILE "fuzz.zpl"

//  A failed invariant: say which, then abort so libFuzzer saves the input.
#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf (stderr, "fuzz_topology: invariant failed: %s (line %d)\n", #cond, __LINE__); \
        abort (); \
    } \
} while (0)

static bool
s_same_string (const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp (a, b) == 0);
}

//  Every field but the lines and the file name.
static bool
s_same (const act_topology_t *a, const act_topology_t *b)
{
    if (!s_same_string (a->name, b->name) || a->strategy != b->strategy
    ||  a->intensity != b->intensity || a->period != b->period
    ||  a->shutdown != b->shutdown || a->start_timeout != b->start_timeout
    ||  a->backoff_min != b->backoff_min || a->backoff_max != b->backoff_max
    ||  a->max_msg_size != b->max_msg_size || a->hwm != b->hwm
    ||  a->link != b->link || a->inbound_max != b->inbound_max
    ||  a->inbound_bytes != b->inbound_bytes || a->ring_size != b->ring_size
    ||  a->area_size != b->area_size || a->region_size != b->region_size
    ||  a->shm_groups != b->shm_groups
    ||  a->group_count != b->group_count || a->node_count != b->node_count) {
        return false;
    }
    for (size_t i = 0; i < a->node_count; i++) {
        const act_topo_node_t *na = &a->nodes [i], *nb = &b->nodes [i];
        if (!s_same_string (na->name, nb->name) || !s_same_string (na->endpoint, nb->endpoint)
        ||  !s_same_string (na->public_key, nb->public_key) || strcmp (na->key, nb->key)) {
            return false;
        }
    }
    for (size_t i = 0; i < a->group_count; i++) {
        const act_topo_group_t *ga = &a->groups [i], *gb = &b->groups [i];
        if (!s_same_string (ga->name, gb->name) || !s_same_string (ga->plugin, gb->plugin)
        ||  ga->restart != gb->restart || !s_same_string (ga->parent, gb->parent)
        ||  ga->link != gb->link || ga->inbound_max != gb->inbound_max
        ||  ga->inbound_bytes != gb->inbound_bytes
        ||  ga->start_timeout != gb->start_timeout || ga->shutdown != gb->shutdown
        ||  ga->actor_count != gb->actor_count || ga->node != gb->node
        ||  !s_same_string (ga->endpoint, gb->endpoint)) {
            return false;
        }
        for (size_t j = 0; j < ga->actor_count; j++) {
            const act_topo_actor_t *aa = &ga->actors [j], *ab = &gb->actors [j];
            if (!s_same_string (aa->name, ab->name) || !s_same_string (aa->cls, ab->cls)
            ||  !s_same_string (aa->args, ab->args)) {
                return false;
            }
        }
    }
    return true;
}

//  Lines in the input, as the reader counts them (LF, CR, CRLF).
static int
s_lines (const uint8_t *data, size_t size)
{
    int lines = 1;
    for (size_t i = 0; i < size; i++) {
        if (data [i] == '\n' || (data [i] == '\r' && (i + 1 == size || data [i + 1] != '\n'))) {
            lines++;
        }
    }
    return lines;
}

static void
s_check_errors (zlist_t *errors, const uint8_t *data, size_t size)
{
    size_t count = 0;
    int last = 0;
    for (char *error = (char *) zlist_first (errors); error;
         error = (char *) zlist_next (errors)) {
        if (strncmp (error, "... and ", 8) == 0) {
            //  The count comes last, after a full list
            FUZZ_CHECK (count == ACT_TOPOLOGY_ERRORS_MAX);
            FUZZ_CHECK (zlist_next (errors) == NULL);
            break;
        }
        FUZZ_CHECK (strncmp (error, FUZZ_FILE ":", strlen (FUZZ_FILE ":")) == 0);
        int line = atoi (error + strlen (FUZZ_FILE ":"));
        FUZZ_CHECK (line >= last && line <= s_lines (data, size));
        last = line;
        count++;
    }
    FUZZ_CHECK (count <= ACT_TOPOLOGY_ERRORS_MAX);
}

//  Prints "fuzz_topology: verdict ok|bad" when FUZZ_TOPOLOGY_VERDICT is set.
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    zlist_t *errors = zlist_new ();
    zlist_autofree (errors);
    act_topology_t *topo = act_topology_load_text (FUZZ_FILE, (const char *) data,
                                                   size, errors);
    FUZZ_CHECK ((topo != NULL) == (zlist_size (errors) == 0));
    s_check_errors (errors, data, size);
    if (getenv ("FUZZ_TOPOLOGY_VERDICT")) {
        printf ("fuzz_topology: verdict %s\n", topo ? "ok" : "bad");
        fflush (stdout);
    }
    if (topo) {
        //  What is printed reads back the same
        char *text = NULL;
        size_t text_size = 0;
        FILE *stream = open_memstream (&text, &text_size);
        FUZZ_CHECK (stream);
        FUZZ_CHECK (act_topology_print (topo, stream) == 0);
        fclose (stream);
        act_topology_t *again = act_topology_load_text (FUZZ_FILE, text, text_size, errors);
        if (!again) {
            fprintf (stderr, "fuzz_topology: printed topology does not load:\n%s\n%s\n",
                     text, (char *) zlist_first (errors));
        }
        FUZZ_CHECK (again);
        FUZZ_CHECK (s_same (topo, again));
        act_topology_destroy (&again);
        free (text);
    }
    act_topology_destroy (&topo);
    zlist_destroy (&errors);
    return 0;
}
