/*  act_builtin - actor classes every group host knows without a plugin
    SPDX-License-Identifier: MPL-2.0

    A topology may name these classes in a group that loads no shared
    object. Plugin classes are found as the symbol "actorio_class_NAME"
    (a const act_class_t) in the group's plugin, before the built-ins.
*/
#ifndef ACT_BUILTIN_H_INCLUDED
#define ACT_BUILTIN_H_INCLUDED

#include "actorio.h"

//  Prefix of the symbol a plugin exports for each of its classes.
#define ACT_PLUGIN_CLASS_PREFIX "actorio_class_"

//  The built-in class called name, or NULL.
const act_class_t *
    act_builtin_find (const char *name);

#endif
