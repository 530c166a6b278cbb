/*  act_builtin - actor classes every group host knows without a plugin
    SPDX-License-Identifier: MPL-2.0

    "echo" replies to every message with a copy of it; "sink" drops what it
    gets. Both are there so a topology can be tried, and tested, with no
    code of its own.
*/
#include "act_host.h"
#include <dlfcn.h>
#include <link.h>

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

//  Whether p lies in a loaded object (a shared object or the program).
static bool
s_loaded (const void *p)
{
    Dl_info info;
    return p && dladdr (p, &info) != 0;
}

const act_class_t *
act_plugin_class (void *plugin, const char *name, const char **why)
{
    *why = "";
    char symbol [128];
    snprintf (symbol, sizeof symbol, "%s%s", ACT_PLUGIN_CLASS_PREFIX, name);
    void *found = plugin ? dlsym (plugin, symbol) : NULL;
    if (!found)
        return NULL;
    //  A function or a small variable under a class's name would be read
    //  as one when the group starts, and crash it: the symbol table says
    //  what it is.
    Dl_info info;
    const ElfW (Sym) *entry = NULL;
    if (dladdr1 (found, &info, (void **) &entry, RTLD_DL_SYMENT) && entry) {
        if (ELF64_ST_TYPE (entry->st_info) != STT_OBJECT) {
            *why = "it is not data (a function?)";
            return NULL;
        }
        if (entry->st_size < sizeof (act_class_t)) {
            *why = "it is smaller than an act_class_t";
            return NULL;
        }
    }
    const act_class_t *cls = (const act_class_t *) found;
    if ((cls->name && !s_loaded (cls->name))
    ||  (cls->setup && !s_loaded ((const void *) cls->setup))
    ||  (cls->handle && !s_loaded ((const void *) cls->handle))
    ||  (cls->child_stopped && !s_loaded ((const void *) cls->child_stopped))
    ||  (cls->teardown && !s_loaded ((const void *) cls->teardown))) {
        *why = "its name or a callback points outside any loaded object";
        return NULL;
    }
    return cls;
}
