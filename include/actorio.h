/*  actorio - the actor model for C services
    SPDX-License-Identifier: MPL-2.0

    Applications include only this header. See actorio(7).
*/
#ifndef ACTORIO_H_INCLUDED
#define ACTORIO_H_INCLUDED

#include <czmq.h>
#include "act_types.h"
#include "act_msg.h"
#include "act_ref.h"
#include "act_actor.h"
#include "act_inbox.h"
#include "act_system.h"
#include "act_transport.h"
#include "act_region.h"
#include "act_group.h"
#include "act_probe.h"
#include "act_testkit.h"

#endif
