/*  topo_plugin - a plugin exporting actor classes, for test_topology
    SPDX-License-Identifier: MPL-2.0

    tests/test_topology.c compiles this file into a shared object at run
    time (no CMake target needed) and names it in a topology, so the
    loader's dlopen and dlsym paths are tested on a real plugin. It also
    stands in for libshop.so of the example in actorio-topology(5).
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

//  The classes of the man page's example
const act_class_t actorio_class_store = {
    .name = "store",
    .handle = s_greeter_handle
};

const act_class_t actorio_class_front = {
    .name = "front",
    .handle = s_greeter_handle
};
