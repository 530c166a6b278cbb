/*  fuzz_topology_stubs - what act_builtin.c links against but the
    topology reader never calls
    SPDX-License-Identifier: MPL-2.0

    The fuzzer is built from the reader's files and act_builtin.c alone,
    with clang and sanitizers. act_builtin_find only looks classes up; the
    classes' handlers, which call these, never run here: a call means the
    harness went somewhere it should not, so abort loudly.
*/
#include "actorio.h"
#include <stdio.h>
#include <stdlib.h>

static void
s_never (const char *name)
{
    fprintf (stderr, "fuzz_topology_stubs: %s called from the reader\n", name);
    abort ();
}

const void *
act_msg_data (const act_msg_t *self)
{
    (void) self;
    s_never ("act_msg_data");
    return NULL;
}

act_msg_t *
act_msg_dup (const act_msg_t *self)
{
    (void) self;
    s_never ("act_msg_dup");
    return NULL;
}

int
act_msg_set_sender (act_msg_t *self, act_ref_t *sender)
{
    (void) self;
    (void) sender;
    s_never ("act_msg_set_sender");
    return -1;
}

act_ref_t *
act_msg_sender (const act_msg_t *self)
{
    (void) self;
    s_never ("act_msg_sender");
    return NULL;
}

int
act_reply (const act_msg_t *request, act_msg_t **reply_p)
{
    (void) request;
    (void) reply_p;
    s_never ("act_reply");
    return -1;
}

void
act_msg_destroy (act_msg_t **self_p)
{
    (void) self_p;
    s_never ("act_msg_destroy");
}
