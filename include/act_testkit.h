/*  act_testkit - manual systems and runs under actor-run, for tests
    SPDX-License-Identifier: MPL-2.0

    A manual system is a system whose loop runs only when the test steps
    it: act_system_step takes what was posted (spawns, tells) and runs one
    message, or one timer due on the system's virtual clock, which moves
    only by act_system_advance. A test written with it needs no timeout
    and no wall clock: timers (act_after, act_every) fire when the test
    says. Fd and socket watches still run as their input comes. Do not
    act_ask an actor of a manual system from the thread that steps it: no
    one would step the reply; use a probe (act_probe(3)). Step, advance
    and probe a manual system from one thread.

    A testkit run is one topology under actor-run(1), started from a test:
    the test process joins the run as a group of its own, so act_lookup on
    its system reaches every actor of the run by address and a probe on
    that system gets their replies; it hears when a group stops (a monitor
    the test holds gets ACT_EXIT_LOST) and is ready again, as actor-run's
    own groups do; act_testkit_run_stop ends it all,
    leaving no process and no run directory.
*/
#ifndef ACT_TESTKIT_H_INCLUDED
#define ACT_TESTKIT_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

//  act_system_drain gives up after this many steps (a pair of actors
//  that message each other for ever).
#define ACT_SYSTEM_DRAIN_MAX    1000000

//  Start a manual system (name for logs; may be NULL); its virtual clock
//  reads 0. Destroy it with act_system_destroy. NULL + errno on failure.
ACT_EXPORT act_system_t *
    act_system_new_manual (const char *name);

//  True if system is a manual one.
ACT_EXPORT bool
    act_system_is_manual (act_system_t *system);

//  Take what other threads posted (spawned actors run their setup), then
//  run one message, or if none waits one timer due now. Returns 1 if it
//  ran a message or timer, 0 if there was none; -1 with errno EINVAL (not
//  a manual system) or EDEADLK (called from its own loop).
ACT_EXPORT int
    act_system_step (act_system_t *system);

//  Step until idle. Returns the number of steps, or -1 with errno as
//  act_system_step, or ELOOP past ACT_SYSTEM_DRAIN_MAX steps.
ACT_EXPORT int
    act_system_drain (act_system_t *system);

//  Take what other threads posted (spawned actors run their setup, so
//  their timers count from the old time), then move the virtual clock ms
//  forward; the timers now due fire at the next steps, a periodic one
//  once per period that passed. 0, or -1 with errno as act_system_step.
ACT_EXPORT int
    act_system_advance (act_system_t *system, int64_t ms);

//  The virtual clock in ms, or -1 + EINVAL if system is not manual.
ACT_EXPORT int64_t
    act_system_now (act_system_t *system);

typedef struct _act_testkit_run_t act_testkit_run_t;

//  The actor-run program act_testkit_run_start uses is the one this
//  variable names, else actor-run found on PATH.
#define ACT_TESTKIT_ACTOR_RUN_ENV  "ACTORIO_ACTOR_RUN"

//  Start actor-run on the topology file (rundir: its --rundir, or NULL for
//  a new private directory), wait at most timeout_ms (ACT_FOREVER: no
//  limit) until every group is up, and join the run as group
//  "testkit-PID". actor-run's log comes to the testkit, which reads it
//  to see the run up (actor-run --log-file -: a log_file the topology
//  sets is not written). NULL with
//  errno ETIMEDOUT (not up in time), ECHILD (actor-run ended; its log went
//  to the library's log), EINVAL, or a system error.
ACT_EXPORT act_testkit_run_t *
    act_testkit_run_start (const char *topology, const char *rundir, int timeout_ms);

//  The test's system, joined to the run (borrowed): act_lookup (system,
//  "group/actor") reaches an actor of the run; act_probe_new (system)
//  gets their messages.
ACT_EXPORT act_system_t *
    act_testkit_run_system (act_testkit_run_t *self);

//  The run's directory (borrowed).
ACT_EXPORT const char *
    act_testkit_run_rundir (act_testkit_run_t *self);

//  What actor-run wrote so far (its log and its groups'), as a string the
//  caller frees, or NULL + errno.
ACT_EXPORT char *
    act_testkit_run_log (act_testkit_run_t *self);

//  Leave the run, stop actor-run as an operator would (SIGTERM; SIGKILL
//  after ACT_TESTKIT_STOP_TIMEOUT ms), and remove the run directory
//  (unless it existed before the start) and whatever else the run left. Returns actor-run's exit code (128 + the
//  signal if a signal ended it), or -1 + EINVAL. Accepts NULL, nulls
//  *self_p.
ACT_EXPORT int
    act_testkit_run_stop (act_testkit_run_t **self_p);

//  How long act_testkit_run_stop waits for actor-run, in ms.
#define ACT_TESTKIT_STOP_TIMEOUT    10000

#ifdef __cplusplus
}
#endif
#endif
