/*  act_manual - a system stepped by a test, on a virtual clock
    SPDX-License-Identifier: MPL-2.0

    A manual system is an ordinary system (act_system.c: a zactor thread
    running act_loop_run) whose loop never runs an actor or a timer by
    itself: each act_system_step asks it, over the zactor pipe, to take
    what other threads posted and then run one message or one timer due on
    the virtual clock; act_system_advance moves the clock there too, after
    taking the posts (act_loop_manual). The loop thread stays, rather than
    running the loop on the test's thread, so there is one loop: the same
    delivery, timers, EDEADLK checks and teardown as every system. The
    virtual clock is an atomic in the core, moved only on the loop thread
    and read by the host.
*/
#include "act_loop_priv.h"

act_system_t *
act_system_new_manual (const char *name)
{
    return act_system_start (name, true, NULL, NULL);
}

static act_core_t *
s_manual_core (act_system_t *self)
{
    act_core_t *core = act_system_core (self);
    if (!core || !core->manual) {
        errno = EINVAL;
        return NULL;
    }
    return core;
}

bool
act_system_is_manual (act_system_t *self)
{
    act_core_t *core = act_system_core (self);
    return core && core->manual;
}

//  Runs a command on the loop thread (act_loop_manual) and returns its
//  value.
static int
s_command (act_system_t *self, const char *command)
{
    act_core_t *core = s_manual_core (self);
    if (!core)
        return -1;
    if (act_loop_current && act_loop_core (act_loop_current) == core) {
        errno = EDEADLK;
        return -1;
    }
    zactor_t *actor = act_system_actor (self);
    if (zstr_send (actor, command))
        return -1;
    //  The loop may have said "STOPPED" (no actor left) before its answer.
    while (true) {
        zmsg_t *msg = zmsg_recv (actor);
        if (!msg) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        char *what = zmsg_popstr (msg);
        char *value = zmsg_popstr (msg);
        bool done = what && streq (what, "DONE");
        int rc = done && value ? atoi (value) : 0;
        zstr_free (&what);
        zstr_free (&value);
        zmsg_destroy (&msg);
        if (done)
            return rc;
    }
}

int
act_system_step (act_system_t *self)
{
    return s_command (self, "STEP");
}

int
act_system_drain (act_system_t *self)
{
    int steps = 0;
    while (true) {
        int rc = act_system_step (self);
        if (rc <= 0)
            return rc < 0 ? -1 : steps;
        if (++steps == ACT_SYSTEM_DRAIN_MAX) {
            errno = ELOOP;
            return -1;
        }
    }
}

int
act_system_advance (act_system_t *self, int64_t ms)
{
    if (ms < 0) {
        errno = EINVAL;
        return -1;
    }
    char command [32];
    snprintf (command, sizeof command, "ADVANCE %" PRId64, ms);
    return s_command (self, command);
}

int64_t
act_system_now (act_system_t *self)
{
    act_core_t *core = s_manual_core (self);
    return core ? atomic_load (&core->clock_ms) : -1;
}
