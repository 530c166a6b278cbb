/*  act_spawn - fork a group process
    SPDX-License-Identifier: MPL-2.0

    The child runs the group host (src/group) straight after fork, with no
    exec: that is safe because the supervisor never creates a ZeroMQ
    context (it touches czmq only to read the topology), so the child
    creates the first and only one in its process; and it keeps a restart
    near the cost of fork alone instead of paying for loading libzmq and
    its libraries again (about 2 ms here, more than the whole restart
    budget). Before the host runs the child takes its own process group,
    arranges to die with the supervisor (a parent-death signal the host
    turns into a kill of its whole process group, so what the group
    started dies too), gets its stdio and control socket
    on fds 0-3, closes every other descriptor but the shared region's, and restores the signal
    mask and dispositions the supervisor changed.
*/
#ifndef ACT_SPAWN_H_INCLUDED
#define ACT_SPAWN_H_INCLUDED

#include "act_topology.h"
#include "actorio.h"
#include "act_host.h"
#include <signal.h>
#include <sys/types.h>

typedef struct {
    const act_topo_group_t *group;  //  what to run
    const char *rundir;         //  the run's directory
    int out_fd;                 //  becomes the child's stdout
    int err_fd;                 //  becomes the child's stderr
    int control_fd;             //  the child's end of the control socket (fd 3)
    pid_t supervisor;           //  our pid, for the child's getppid check
    const sigset_t *mask;       //  signal mask to restore in the child
    int64_t max_msg_size;       //  message size limit between groups, bytes
    int hwm;                    //  high-water mark per peer, messages
    act_region_t *region;       //  the run's shared region, or NULL
    const act_group_net_t *net; //  the run's nodes, or NULL: one host
    bool standby;               //  a standby: it waits for "go" (act_host.h),
                                //  named "~GROUP" until then
    uint32_t life;              //  when not a standby: the life it starts
} act_spawn_t;

//  Fork a group process. Returns its pid, which is also its process group
//  id, or -1 with errno from fork.
pid_t
    act_spawn_group (const act_spawn_t *spec);

#endif
