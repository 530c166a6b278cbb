/*  fuzz_stubs - what act_wire.c links against but decoding never calls
    SPDX-License-Identifier: MPL-2.0

    The fuzzer is built from act_wire.c alone, with clang and sanitizers,
    rather than against the gcc-built library. act_wire_send_alone frees
    messages through act_msg_destroy; the fuzzer decodes and fills batches
    but never sends, so a call here means the harness went somewhere it
    should not: abort loudly.
*/
#include "act_wire.h"
#include <stdio.h>
#include <stdlib.h>

void
act_msg_destroy (act_msg_t **self_p)
{
    (void) self_p;
    fprintf (stderr, "fuzz_stubs: act_msg_destroy called from the decoder\n");
    abort ();
}
