/*  topo_plugin - a plugin exporting one actor class, for test_topology
    SPDX-License-Identifier: MPL-2.0

    tests/test_topology.c compiles this file into a shared object at run
    time (no CMake target needed) and names it in a topology, so the
    loader's dlopen and dlsym paths are tested on a real plugin.
*/
#include <actorio.h>

static int
s_greeter_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    (void) msg;
    return ACT_OK;
}

const act_class_t actorio_class_greeter = {
    .name = "greeter",
    .handle = s_greeter_handle
};
