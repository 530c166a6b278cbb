/*  act_builtin - actor classes every group host knows without a plugin
    SPDX-License-Identifier: MPL-2.0

    "echo" replies to every message with a copy of it; "sink" drops what it
    gets. Both are there so a topology can be tried, and tested, with no
    code of its own.
*/
#include "act_host.h"

static int
s_echo_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    act_msg_t *reply = act_msg_dup (msg);
    act_msg_set_sender (reply, NULL);
    if (act_msg_sender (msg))
        act_reply (msg, &reply);
    act_msg_destroy (&reply);
    return ACT_OK;
}

static int
s_sink_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    (void) msg;
    return ACT_OK;
}

static const act_class_t s_echo = { .name = "echo", .handle = s_echo_handle };
static const act_class_t s_sink = { .name = "sink", .handle = s_sink_handle };
static const act_class_t *s_builtins [] = { &s_echo, &s_sink };

const act_class_t *
act_builtin_find (const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof s_builtins / sizeof s_builtins [0]; i++)
        if (streq (s_builtins [i]->name, name))
            return s_builtins [i];
    return NULL;
}
