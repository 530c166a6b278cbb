/*  act_group - what an actor can ask of the group process it runs in
    SPDX-License-Identifier: MPL-2.0

    Under actor-run(1) every group of a topology is a process of its own,
    hosting that group's actors on one system. These calls let an actor in
    such a process learn where it runs, end the whole run, and recognise
    the notice the supervisor sends when a group it is parent of stops.
    Outside a group process (a program embedding the runtime) they report
    that there is no group. All are safe from any thread.
*/
#ifndef ACT_GROUP_H_INCLUDED
#define ACT_GROUP_H_INCLUDED

#include "act_types.h"
#include "act_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Type of the message a group's parent actor (the topology's "parent")
//  receives when that group's process stops, for any reason. It has no
//  sender; its payload is the text "GROUP PID RESTARTS REASON": the
//  group's name, the pid of the process that stopped, how many times the
//  group had been restarted before, and the reason, one of "normal",
//  "exit code N", "signal N", "signal N (core dumped)" or "init failed:
//  DETAIL" (REASON is the rest of the text and may hold spaces). Read it
//  with sscanf (text, "%64s %d %u %n", group, &pid, &restarts, &offset).
//  The value is the highest one open to applications: do not use it for
//  messages of your own.
#define ACT_MSG_GROUP_DOWN  (ACT_MSG_SYSTEM - 1u)

//  End the whole run: actor-run stops every group in reverse start order,
//  as on SIGTERM (so this group's actors are torn down too, after this
//  call returns), and exits with code. Returns 0 when the request is sent;
//  -1 with errno EINVAL (code outside 0..99) or ENOTCONN (not in a group
//  process, or the supervisor is gone).
ACT_EXPORT int
    act_group_finish (int code);

//  The name of this group (borrowed, valid for the process's life), or
//  NULL outside a group process.
ACT_EXPORT const char *
    act_group_name (void);

//  The run's private directory (mode 0700; for ipc:// endpoints and other
//  files of the run, removed when the run ends), borrowed, or NULL outside
//  a group process.
ACT_EXPORT const char *
    act_group_rundir (void);

#ifdef __cplusplus
}
#endif
#endif
