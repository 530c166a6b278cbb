/*  act_spawn - fork a group process
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_spawn.h"
#include "act_host.h"
#include "act_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

//  close_range (Linux 5.9, glibc 2.34) is one call; the fallback walks
//  every possible descriptor, thousands of calls under a high limit.
static void
s_close_range (int first, int last)
{
    if (first > last || close_range ((unsigned) first, (unsigned) last, 0) == 0) {
        return;
    }
    long max = sysconf (_SC_OPEN_MAX);
    for (long fd = first; fd <= last && fd < (max > 0 ? max : 1024); fd++) {
        close ((int) fd);
    }
}

static int
s_int_cmp (const void *a, const void *b)
{
    return *(const int *) a - *(const int *) b;
}

//  Close every descriptor from first on but the shared region's (its
//  memfd and doorbells), which the group keeps where they are: the
//  region records them by number.
static void
s_close_from (int first, const act_region_t *region)
{
    int keep [ACT_REGION_GROUPS_MAX + 1];
    size_t count = act_region_fds (region, keep, ACT_REGION_GROUPS_MAX + 1);
    qsort (keep, count, sizeof (int), s_int_cmp);
    for (size_t i = 0; i < count; i++) {
        if (keep [i] >= first) {
            s_close_range (first, keep [i] - 1);
            first = keep [i] + 1;
        }
    }
    s_close_range (first, INT_MAX);
}

//  The group's parent-death signal. Not SIGKILL, which would kill the
//  group alone: the host handles this one by killing its whole process
//  group, so what its actors started dies too (act_group.c). Real-time,
//  so that no program sends it by habit; its default action (terminate)
//  still ends a group that dies before the host installs the handler,
//  when no actor has started anything yet.
#define S_PARENT_DEATH_SIGNAL   (SIGRTMIN + 2)

static void __attribute__ ((noreturn))
s_child (const act_spawn_t *spec)
{
    if (!spec->standby) {
        act_trace_restart ("child");
    }
    //  Own process group, so a stop or a kill reaches what the group starts
    setpgid (0, 0);
    //  Die with the supervisor. If it died before prctl took effect we were
    //  already reparented and no signal will come: check by hand.
    if (prctl (PR_SET_PDEATHSIG, S_PARENT_DEATH_SIGNAL) == -1
    ||  getppid () != spec->supervisor) {
        _exit (ACT_GROUP_EXIT_ORPHAN);
    }
    //  Every source fd is >= 3 (the supervisor keeps 0-2 open), so filling
    //  0-2 first cannot clobber one; fd 3 may be a source already copied.
    const act_topo_group_t *group = spec->group;
    int null_fd = open ("/dev/null", O_RDONLY);
    if (null_fd == -1
    ||  dup2 (null_fd, STDIN_FILENO) == -1
    ||  dup2 (spec->out_fd, STDOUT_FILENO) == -1
    ||  dup2 (spec->err_fd, STDERR_FILENO) == -1
    ||  dup2 (spec->control_fd, 3) == -1) {
        _exit (ACT_GROUP_EXIT_INIT);
    }
    //  The region's descriptors are all above 3 (the run checks it when it
    //  makes the region), so the dup2s to 0-3 leave them alone.
    s_close_from (4, group->link == ACT_LINK_SHM ? spec->region : NULL);
    //  The two actor-run ignores for itself (actor_run.c)
    signal (SIGPIPE, SIG_DFL);
    signal (SIGXFSZ, SIG_DFL);
    sigprocmask (SIG_SETMASK, spec->mask, NULL);
    //  A standby is told apart from its group in ps and pgrep: '~' is in
    //  no group name, so even cut to 15 bytes the two never match.
    char name [16];             //  what PR_SET_NAME keeps, NUL included
    snprintf (name, sizeof name, "%s%s", spec->standby ? "~" : "", spec->group->name);
    prctl (PR_SET_NAME, name);
    act_group_actor_t *actors = (act_group_actor_t *)
        calloc (group->actor_count + 1, sizeof (act_group_actor_t));
    if (!actors) {
        _exit (ACT_GROUP_EXIT_INIT);
    }
    for (size_t i = 0; i < group->actor_count; i++) {
        actors [i].name = group->actors [i].name;
        actors [i].cls = group->actors [i].cls;
        actors [i].args = group->actors [i].args;
    }
    act_group_spec_t host = {
        .name = group->name,
        .plugin = group->plugin,
        .rundir = spec->rundir,
        .actors = actors,
        .actor_count = group->actor_count,
        .control_fd = 3,
        .max_msg_size = spec->max_msg_size,
        .hwm = spec->hwm,
        .inbound_max = (size_t) group->inbound_max,
        .inbound_bytes = (size_t) group->inbound_bytes,
        .region = group->link == ACT_LINK_SHM ? spec->region : NULL,
        .net = spec->net,
        .standby = spec->standby,
        .life = spec->life
    };
    int code = act_group_host (&host);
    fflush (NULL);
    _exit (code);
}

pid_t
act_spawn_group (const act_spawn_t *spec)
{
    //  Nothing buffered may be written twice, once by each process
    fflush (NULL);
    if (!spec->standby) {
        act_trace_restart ("fork");
    }
    pid_t pid = fork ();
    if (pid == 0) {
        s_child (spec);
    }
    if (pid > 0) {
        //  Also from this side, so a kill of the process group right
        //  after fork cannot miss a child that has not run yet.
        setpgid (pid, pid);
    }
    return pid;
}
