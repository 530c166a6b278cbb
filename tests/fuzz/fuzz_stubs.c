/*  fuzz_stubs - what act_wire.c links against but decoding never calls
    SPDX-License-Identifier: MPL-2.0

    The fuzzer is built from act_wire.c alone, with clang and sanitizers,
    rather than against the gcc-built library. Encoding reads a payload
    through act_msg_data; the harness's messages are plain ones.
*/
#include "act_wire.h"
#include <stdio.h>
#include <stdlib.h>

const void *
act_msg_data (const act_msg_t *self)
{
    if (self->flags & ACT_MSG_F_EXTERN) {
        fprintf (stderr, "fuzz_stubs: an external payload in the harness\n");
        abort ();
    }
    return self->size ? self->data : NULL;
}
