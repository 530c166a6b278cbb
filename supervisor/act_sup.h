/*  act_sup - the supervisor: one run of a topology, from start to stop
    SPDX-License-Identifier: MPL-2.0

    The run starts the groups in topology order, each once the one before
    is ready; watches them with one poll over a signalfd, the groups'
    control sockets and output pipes, and the nearest deadline (none when
    nothing is due: an idle supervisor never wakes); applies the restart
    policy (strategy, restart types, intensity, back-off) when one stops;
    and stops them all in reverse order when asked, when a group finishes
    the run, or when it gives up. Everything it needs while running is
    allocated before the first group starts.
*/
#ifndef ACT_SUP_H_INCLUDED
#define ACT_SUP_H_INCLUDED

#include "act_topology.h"
#include "act_host.h"
#include <signal.h>

//  actor-run's exit codes (see actor-run(1)); act_group_finish codes
//  1 to 99 are passed on as they are.
#define ACT_RUN_EXIT_OK         0       //  stopped on request, or finished
#define ACT_RUN_EXIT_USAGE      100     //  bad usage or invalid topology
#define ACT_RUN_EXIT_GAVE_UP    101     //  restart intensity exceeded
#define ACT_RUN_EXIT_START      102     //  a group failed its first start
#define ACT_RUN_EXIT_KILLED     103     //  stopped, but a group had to be
                                        //  killed past its shutdown grace
#define ACT_RUN_EXIT_NO_GROUP   104     //  status/stop/start/restart: no such group
#define ACT_RUN_EXIT_NO_RUN     105     //  no run answers at that run directory
#define ACT_RUN_EXIT_REFUSED    106     //  the run refused the request (another
                                        //  user, busy, or stopping)
#define ACT_RUN_EXIT_SYSTEM     111     //  a system call failed

//  The signals the supervisor reads from its signalfd (man actor-run,
//  SIGNALS): SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2.
void
    act_sup_signals (sigset_t *set);

//  Run the topology in rundir until it stops; returns the exit code.
//  The caller has blocked act_sup_signals; mask is the signal mask from
//  before, which the groups get back. net: the run's nodes for the groups of this one
//  (act_node), or NULL on one host.
int
    act_sup_run (const act_topology_t *topology, const char *rundir,
                 const sigset_t *mask, const act_group_net_t *net);

#endif
