/*  act_sup - the supervisor: one run of a topology, from start to stop
    SPDX-License-Identifier: MPL-2.0

    One loop: compute the nearest deadline, poll, handle what woke us
    (signals, control messages, output, then reaping, in that order so a
    group's last words are read before its death is handled), fire due
    deadlines, and let s_reconcile move the groups one step towards what
    the run wants. Policy lives here (which groups restart, when, and when
    to give up); each group's process lifecycle lives in act_slot.

    Every restart goes through s_restart, the one throttle: it counts the
    restart against the intensity, computes the failed group's back-off,
    and schedules the groups the strategy names. Starts and stops then
    happen one group at a time, in topology order and in reverse, so a
    group always starts after the groups before it are ready, and stops
    before them. A stop or restart by request concerns its group alone:
    the rest of the run does not wait for it.
*/
#include "act_sup.h"
#include "act_ctl.h"
#include "act_log.h"
#include "act_rundir.h"
#include "act_trace.h"
#include "act_slot.h"
#include "act_host.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef enum {
    S_STARTING,                 //  the first start of every group
    S_RUNNING,                  //  all came up once; restarts as needed
    S_STOPPING                  //  stopping everything, last first
} s_mode_t;

//  A group as the run sees it: the slot plus the policy's bookkeeping
typedef struct {
    act_slot_t slot;            //  process and state machine
    int parent;                 //  index of the parent's group, -1: the
                                //  run, S_PARENT_REMOTE: another node's
    const char *parent_actor;   //  the parent actor's name (its address
                                //  if remote), borrowed
    char *notice;               //  with a remote parent: the last notice
                                //  for it, ACT_GROUP_CONTROL_MAX bytes
    bool notice_due;            //  notice waits for a group to carry it
    bool cycle;                 //  stop it, then start it again at cycle_due
    int64_t cycle_due;          //  when a cycled group may start, ms
    bool final;                 //  ended for good (temporary, transient)
    bool held;                  //  stopped by request: down until started
    bool bounce;                //  restart by request: back whatever its type
    bool chained;               //  cycled for a strategy's restart: nothing
                                //  starts until it is down
    bool asked;                 //  started or restarted by request, not
                                //  ready since: a failed start holds it,
                                //  the run goes on
    unsigned exits;             //  processes reaped in this run
    char *stats;                //  its answer to the open "stats" round,
                                //  S_STATS_BYTES, one line per packet
    size_t stats_size;          //  bytes in stats
    bool stats_asked;           //  asked in the open round
    bool stats_done;            //  its "stat-end" came
    char said;                  //  what the others were told of it last:
                                //  0 nothing yet, 'u' peer-up, 'd' peer-down
    bool peers_stale;           //  a peer-down or peer-up did not fit in its
                                //  control socket: it is told every peer's
                                //  state again once the socket takes it
} s_member_t;

//  In a member's parent: an actor of a group on another node
#define S_PARENT_REMOTE     (-2)

//  How long a status waits for the groups' counters, ms: within the
//  100 ms a status may take, with room for the command's own start
#define S_STATS_WAIT    50
//  Room for one group's answer, bytes: an actor's line is at most 64 for
//  its name, 48 for its class and 5 numbers
#define S_STATS_BYTES   ((ACT_HOST_STATS_ACTORS + ACT_HOST_STATS_PEERS) * 240 + 512)

//  What a poll slot belongs to
typedef enum { S_FD_CONTROL, S_FD_OUT, S_FD_ERR } s_fd_kind_t;

typedef struct {
    const act_topology_t *topo; //  the run's topology, borrowed
    act_slot_env_t env;         //  shared with every slot
    s_member_t *members;        //  one per group, start order
    size_t count;               //  entries in members
    int signal_fd;              //  act_sup_signals
    struct pollfd *fds;         //  1 + 3 per group, rebuilt each turn
    size_t *fd_owner;           //  member index * 3 + s_fd_kind_t
    int64_t *recent;            //  restart times within the period, a ring
    size_t *recent_who;         //  the member each restart was of, same ring
    size_t recent_cap;          //  entries in recent
    size_t recent_head;         //  oldest entry
    size_t recent_count;        //  entries in use
    s_mode_t mode;              //  see the enum
    int exit_code;              //  what actor-run will exit with
    bool killing;               //  a second stop signal: SIGKILL everything
    bool reap;                  //  SIGCHLD arrived
    bool poll_failed;           //  poll refused the pollset: stopping
    dev_t rundir_dev;           //  the run directory, as the run took it
    ino_t rundir_ino;
    bool done;                  //  every group is down while stopping
    bool forced;                //  the stop killed a group past its grace,
                                //  or at once on a second stop signal
    int64_t started;            //  ms the run started
    act_ctl_t *ctl;             //  the control socket
    size_t ctl_first;           //  its first entry in fds
    act_ctl_group_t *rows;      //  one per group, for the status
    unsigned stats_round;       //  the last "stats" round asked
    int64_t stats_due;          //  when the open round ends, 0 if none
} s_run_t;

static int64_t
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
s_strategy_name (act_strategy_t strategy)
{
    return strategy == ACT_STRATEGY_ONE_FOR_ALL ? "one_for_all"
         : strategy == ACT_STRATEGY_REST_FOR_ONE ? "rest_for_one" : "one_for_one";
}

static const char *
s_restart_name (act_restart_t restart)
{
    return restart == ACT_RESTART_TRANSIENT ? "transient"
         : restart == ACT_RESTART_TEMPORARY ? "temporary" : "permanent";
}

static void
s_stop_run (s_run_t *run, int code, const char *why)
{
    if (run->mode == S_STOPPING) {
        return;
    }
    run->mode = S_STOPPING;
    run->exit_code = code;
    for (size_t i = 0; i < run->count; i++) {
        run->members [i].cycle = run->members [i].chained = false;
    }
    act_log ("stopping run %s: %s", run->topo->name, why);
}

//  The intensity: true, and the restart counted, unless more than
//  intensity restarts would fall within one period.
static bool
s_intensity_allows (s_run_t *run, size_t index)
{
    int64_t since = run->env.now - run->topo->period;
    while (run->recent_count && run->recent [run->recent_head] <= since) {
        run->recent_head = (run->recent_head + 1) % run->recent_cap;
        run->recent_count--;
    }
    if ((int) run->recent_count >= run->topo->intensity) {
        return false;
    }
    size_t at = (run->recent_head + run->recent_count++) % run->recent_cap;
    run->recent [at] = run->env.now;
    run->recent_who [at] = index;
    return true;
}

//  The one throttle every restart goes through.
static void
s_restart (s_run_t *run, s_member_t *failed, const char *reason)
{
    const act_topology_t *topo = run->topo;
    act_slot_t *slot = &failed->slot;
    if (!s_intensity_allows (run, (size_t) (failed - run->members))) {
        act_log_at (ACT_LOG_ERROR, "give up: %s stopped (%s), the restart limit of %d in %d ms "
                 "is reached", slot->group->name, reason, topo->intensity, topo->period);
        s_stop_run (run, ACT_RUN_EXIT_GAVE_UP, "gave up restarting");
        return;
    }
    //  A group that stayed up a whole period starts its back-off over
    if (slot->ready_at && run->env.now - slot->ready_at >= topo->period) {
        slot->backoff = 0;
    }
    if (!slot->backoff) {
        slot->backoff = topo->backoff_min;
    }
    else {
        slot->backoff = slot->backoff > topo->backoff_max / 2 ? topo->backoff_max
                                                               : slot->backoff * 2;
    }
    int64_t due = run->env.now + slot->backoff;
    size_t index = (size_t) (failed - run->members);
    size_t first = topo->strategy == ACT_STRATEGY_ONE_FOR_ALL ? 0 : index;
    size_t last = topo->strategy == ACT_STRATEGY_ONE_FOR_ONE ? index + 1 : run->count;
    for (size_t i = first; i < last; i++) {
        s_member_t *member = &run->members [i];
        if (member->final || member->held) {
            continue;
        }
        //  A group still waiting out a longer back-off of its own (or a
        //  cycle due later) holds back those after it: the start loop
        //  passes over a group not due yet, so an earlier due given to a
        //  later group would start it before the groups it comes after.
        if (member->slot.state == ACT_SLOT_WAIT && member->slot.due > due) {
            due = member->slot.due;
        }
        if (member->cycle && member->cycle_due > due) {
            due = member->cycle_due;
        }
        if (act_slot_running (&member->slot)) {
            member->cycle = member->chained = true;
            member->cycle_due = due;
        }
        else {
            act_slot_schedule (&member->slot, due);
        }
    }
    //  Its back-off, or later when a group before it waits longer
    act_log ("restart %s in %lld ms%s", slot->group->name,
             (long long) (slot->due - run->env.now),
             topo->strategy == ACT_STRATEGY_ONE_FOR_ALL ? ", with every group (one_for_all)"
           : topo->strategy == ACT_STRATEGY_REST_FOR_ONE ? ", with the groups after it (rest_for_one)"
           : "");
}

static bool s_control_to (act_slot_t *slot, const char *text);
static bool s_standby_kept (s_run_t *run, s_member_t *member);

//  A parent on another node hears through any group of ours that is up
//  (the groups own the sockets, not the supervisor): it tells the
//  parent's address. With none up, the last notice waits for the next
//  group to be ready (s_notices_via).
static void
s_notify_remote (s_run_t *run, s_member_t *member, const char *text)
{
    for (size_t i = 0; i < run->count; i++) {
        if (&run->members [i] != member && s_control_to (&run->members [i].slot, text)) {
            act_log_debug ("told %s through %s: %s stopped", member->parent_actor,
                           run->members [i].slot.group->name, member->slot.group->name);
            return;
        }
    }
    snprintf (member->notice, ACT_GROUP_CONTROL_MAX, "%s", text);
    member->notice_due = true;
}

//  Group via just became ready: it carries the notices that wait.
static void
s_notices_via (s_run_t *run, s_member_t *via)
{
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        if (member->notice_due && s_control_to (&via->slot, member->notice)) {
            member->notice_due = false;
        }
    }
}

//  The parent actor hears of every stop of its child group, on the
//  control socket of the group it lives in.
static void
s_notify_parent (s_run_t *run, s_member_t *member, pid_t pid, const char *reason)
{
    if (member->parent == -1) {
        return;
    }
    const act_slot_t *slot = &member->slot;
    char text [ACT_GROUP_CONTROL_MAX];
    int size = snprintf (text, sizeof text, ACT_HOST_DOWN " %s %s %d %u %s",
                         member->parent_actor,
                         slot->group->name, (int) pid, slot->starts - 1, reason);
    if (size >= (int) sizeof text) {
        size = (int) sizeof text - 1;
        text [size] = 0;
    }
    if (member->parent == S_PARENT_REMOTE) {
        s_notify_remote (run, member, text);
        return;
    }
    act_slot_t *parent = &run->members [member->parent].slot;
    if (parent->control_fd < 0
    || (parent->state != ACT_SLOT_UP && parent->state != ACT_SLOT_STARTING)) {
        act_log_debug ("notice to %s lost: %s is %s", slot->group->parent,
                       parent->group->name, act_slot_state_name (parent->state));
        return;
    }
    if (send (parent->control_fd, text, (size_t) size, MSG_NOSIGNAL | MSG_DONTWAIT) != size) {
        act_log ("notice to %s lost: %s", slot->group->parent, strerror (errno));
    }
    else {
        act_log_debug ("told %s: %s stopped", slot->group->parent, slot->group->name);
    }
}

//  One control message to a group that can hear it; false if it could
//  not, with errno EAGAIN when its control socket is full.
static bool
s_control_to (act_slot_t *slot, const char *text)
{
    size_t size = strlen (text);
    if (slot->control_fd < 0
    || (slot->state != ACT_SLOT_UP && slot->state != ACT_SLOT_STARTING)) {
        errno = ENOTCONN;
        return false;
    }
    return send (slot->control_fd, text, size, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t) size;
}

//  A peer-down or peer-up for member. One its control socket cannot take
//  (a process stopped by SIGSTOP or a debugger under heartbeat = off,
//  while its peers restart again and again) must not be lost: the group
//  would refuse a peer that is up, or wait out its timeouts on one that
//  is down, until that peer's next restart. Only the last state of each
//  peer matters, so the group is marked stale and s_resync_peers tells
//  it all of them once the socket takes them (s_pollset asks POLLOUT).
static void
s_tell_peer_state (s_member_t *member, const char *text)
{
    if (s_control_to (&member->slot, text) || errno != EAGAIN || member->peers_stale) {
        return;
    }
    member->peers_stale = true;
    act_log ("peer notices to %s wait: its control socket is full", member->slot.group->name);
}

//  Every other group learns that member's group went down or came up, so
//  their asks to it fail at once and their tells are refused, not queued
//  toward a process that is not there. Each word names the life it is
//  about (its starts so far): a record of a later life may come first.
static void
s_tell_peers (s_run_t *run, s_member_t *member, const char *what)
{
    char text [ACT_GROUP_CONTROL_MAX];
    snprintf (text, sizeof text, "%s %s %u", what, member->slot.group->name,
              member->slot.starts);
    member->said = streq (what, ACT_HOST_PEER_DOWN) ? 'd' : 'u';
    for (size_t i = 0; i < run->count; i++)
        if (&run->members [i] != member)
            s_tell_peer_state (&run->members [i], text);
}

//  A stale member's socket takes messages again: what it was last told
//  of each peer goes again, in full, since some of it was dropped.
//  Repeating a state is harmless to the group. Stale again if the socket
//  fills before the end: the next POLLOUT starts over.
static void
s_resync_peers (s_run_t *run, s_member_t *member)
{
    member->peers_stale = false;
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *peer = &run->members [i];
        if (peer == member || !peer->said) {
            continue;
        }
        char text [ACT_GROUP_CONTROL_MAX];
        snprintf (text, sizeof text, "%s %s %u",
                  peer->said == 'd' ? ACT_HOST_PEER_DOWN : ACT_HOST_PEER_UP,
                  peer->slot.group->name, peer->slot.starts);
        if (!s_control_to (&member->slot, text)) {
            member->peers_stale = errno == EAGAIN;
            return;
        }
    }
    act_log ("peer notices to %s sent again: every peer's state", member->slot.group->name);
}

//  A group just became ready: it learns which of its peers are down now.
static void
s_tell_down_peers (s_run_t *run, s_member_t *member)
{
    for (size_t i = 0; i < run->count; i++) {
        act_slot_t *peer = &run->members [i].slot;
        //  One not started yet is not down: what is sent to it waits in
        //  its queue until it binds, as an ordered start wants.
        if (&run->members [i] == member || peer->state == ACT_SLOT_UP || !peer->ever_ready)
            continue;
        char text [ACT_GROUP_CONTROL_MAX];
        snprintf (text, sizeof text, ACT_HOST_PEER_DOWN " %s %u", peer->group->name,
                  peer->starts);
        s_tell_peer_state (member, text);
    }
}

//  A group's process is gone: tell its parent, then decide what follows.
static void
s_on_exit (s_run_t *run, s_member_t *member, pid_t pid)
{
    act_slot_t *slot = &member->slot;
    char reason [ACT_SLOT_DETAIL + 64];
    act_slot_reason (slot, reason, sizeof reason);
    s_notify_parent (run, member, pid, reason);
    if (!slot->hung) {
        s_tell_peers (run, member, ACT_HOST_PEER_DOWN);
    }
    //  Its next life hears which peers are down when it is ready
    member->peers_stale = false;
    bool cycled = member->cycle;
    bool bounced = member->bounce;
    member->cycle = member->bounce = member->chained = false;
    if (run->mode == S_STOPPING) {
        return;
    }
    //  Stopped by request: not a failure, so no restart and nothing
    //  counted against the intensity
    if (member->held) {
        act_log ("held %s: stopped by request, down until started", slot->group->name);
        return;
    }
    act_restart_t restart = slot->group->restart;
    if (cycled) {
        //  Stopped for a sibling's restart: temporary groups stay down,
        //  unless the restart was asked for this one
        if (restart == ACT_RESTART_TEMPORARY && !bounced) {
            //  Said as for a stop of its own: else the log loses it here
            member->final = true;
            act_log ("done %s: temporary group, not restarted with the others",
                     slot->group->name);
        }
        else {
            act_slot_schedule (slot, member->cycle_due);
        }
        return;
    }
    //  A start an operator asked for (a start, a restart) that fails
    //  before ready is theirs to look at (status, the log), as OTP's
    //  restart_child's: the group stays down, counted against nothing,
    //  and the run goes on; a plugin moved away during a deploy must not
    //  crash-loop a group that was fine into ending the run. Only the
    //  run's own first start of a group ends it.
    if (member->asked && slot->init_failed) {
        member->held = true;
        member->asked = false;
        act_log ("held %s: the start asked for failed (%s), down until started",
                 slot->group->name, reason);
        return;
    }
    if (!slot->ever_ready) {
        char why [ACT_SLOT_DETAIL + 128];
        snprintf (why, sizeof why, "group %s failed to start (%s)", slot->group->name, reason);
        s_stop_run (run, ACT_RUN_EXIT_START, why);
        return;
    }
    bool normal = !slot->init_failed && !slot->exit_signal && slot->exit_code == 0;
    if (restart == ACT_RESTART_TEMPORARY || (restart == ACT_RESTART_TRANSIENT && normal)) {
        member->final = true;
        act_log ("done %s: %s group, not restarted", slot->group->name,
                 s_restart_name (restart));
        return;
    }
    s_restart (run, member, reason);
}

//  One packet of a group's answer to "stats ROUND": kept if it belongs
//  to the open round, as "KIND REST" (act_ctl_group_t).
static void
s_stats_add (s_run_t *run, s_member_t *member, char kind, const char *args)
{
    const char *rest;
    uint32_t round;
    if (!act_host_number (args, &round, &rest) || *rest != ' '
    ||  !run->stats_due || round != run->stats_round || !member->stats_asked
    ||  member->stats_done) {
        return;                 //  late, from a round already answered, or malformed
    }
    int size = snprintf (member->stats + member->stats_size,
                         S_STATS_BYTES - member->stats_size, "%c%s\n", kind, rest);
    if (size > 0 && (size_t) size < S_STATS_BYTES - member->stats_size) {
        member->stats_size += (size_t) size;
    }
    member->stats_done = kind == 'e';
}

static void
s_on_control (s_run_t *run, s_member_t *member)
{
    act_slot_t *slot = &member->slot;
    //  What the group wrote before it spoke goes out before what we log
    //  of its words (ready, done): setup's lines before "ready", the last
    //  lines before the stop they explain. A bounded read each, as in
    //  the round.
    act_relay_read (&slot->out);
    act_relay_read (&slot->err);
    while (slot->control_fd >= 0) {
        char text [ACT_GROUP_CONTROL_MAX + 1];
        ssize_t size = recv (slot->control_fd, text, sizeof text - 1, MSG_DONTWAIT);
        if (size == -1 && errno == EINTR) {
            continue;
        }
        if (size == -1) {
            return;             //  nothing more now; an error shows at the reap
        }
        if (size == 0) {
            //  The group closed its end: it is on its way out
            close (slot->control_fd);
            slot->control_fd = -1;
            return;
        }
        text [size] = 0;
        const char *args;
        if (act_host_word (text, ACT_HOST_BEAT)) {
            act_slot_event (slot, ACT_SLOT_BEAT);
        }
        else
        if (act_host_word (text, ACT_HOST_READY)) {
            act_slot_event (slot, ACT_SLOT_READY);
            member->asked = false;      //  the start asked for, if any, is done
            s_tell_peers (run, member, ACT_HOST_PEER_UP);
            s_tell_down_peers (run, member);
            s_notices_via (run, member);
        }
        else
        if ((args = act_host_word (text, ACT_HOST_FAIL))) {
            snprintf (slot->detail, sizeof slot->detail, "%.*s",
                      (int) sizeof slot->detail - 1, args);
        }
        else
        if ((args = act_host_word (text, ACT_HOST_STAT_ACTOR))) {
            s_stats_add (run, member, 'a', args);
        }
        else
        if ((args = act_host_word (text, ACT_HOST_STAT_LINK))) {
            s_stats_add (run, member, 'l', args);
        }
        else
        if ((args = act_host_word (text, ACT_HOST_STAT_PEER))) {
            s_stats_add (run, member, 'p', args);
        }
        else
        if ((args = act_host_word (text, ACT_HOST_STAT_END))) {
            s_stats_add (run, member, 'e', args);
        }
        else
        if ((args = act_host_word (text, ACT_HOST_DONE))) {
            int code = atoi (args);
            char why [128];
            snprintf (why, sizeof why, "group %s finished it (code %d)",
                      slot->group->name, code);
            s_stop_run (run, code >= 0 && code <= 99 ? code : ACT_RUN_EXIT_OK, why);
        }
        else {
            act_log_debug ("unknown message from %s: %s", slot->group->name, text);
        }
    }
}

static void
s_on_signals (s_run_t *run)
{
    struct signalfd_siginfo info;
    while (read (run->signal_fd, &info, sizeof info) == sizeof info) {
        int signo = (int) info.ssi_signo;
        if (signo == SIGCHLD) {
            run->reap = true;
        }
        else
        if (signo == SIGHUP && act_log_reopen ()) {
            //  With a log file, SIGHUP is logrotate's: reopen, not stop
        }
        else
        if (signo == SIGUSR1 || signo == SIGUSR2) {
            //  Their default action would end the run, every group with
            //  it, for a signal meant for some other daemon (a
            //  logrotate script's USR1): said and ignored, as the groups do
            act_log_at (ACT_LOG_WARNING, "signal %d (%s) ignored", signo, strsignal (signo));
        }
        else
        if (run->mode != S_STOPPING) {
            char why [64];
            snprintf (why, sizeof why, "signal %d (%s)", signo, strsignal (signo));
            s_stop_run (run, ACT_RUN_EXIT_OK, why);
        }
        else
        if (!run->killing) {
            run->killing = true;
            act_log ("signal %d (%s) while stopping: killing every group now",
                     signo, strsignal (signo));
        }
    }
}

//  poll refused the pollset: EINVAL once RLIMIT_NOFILE is lowered under
//  its size on the live process (prlimit), ENOMEM. The run cannot be
//  watched any more: it stops, every group killed, said once. Until it
//  is down the signalfd alone is polled, which any limit allows, so the
//  kills are reaped on their SIGCHLD; the loop must not spin on the
//  same error, writing the same line for ever.
static void
s_poll_failed (s_run_t *run, size_t count, int timeout)
{
    if (!run->poll_failed) {
        run->poll_failed = true;
        int error = errno;
        struct rlimit limit;
        if (error == EINVAL && getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < count) {
            act_log_at (ACT_LOG_ERROR, "unable to poll %zu descriptors: over the soft limit "
                        "RLIMIT_NOFILE of %llu, lowered under the run", count,
                        (unsigned long long) limit.rlim_cur);
        }
        else {
            act_log_at (ACT_LOG_ERROR, "unable to poll %zu descriptors: %s", count,
                        strerror (error));
        }
        s_stop_run (run, ACT_RUN_EXIT_SYSTEM, "poll failed");
        run->killing = true;
        return;                 //  the kills go out first, at the next turn
    }
    int rc = poll (run->fds, 1, timeout);
    if (rc > 0) {
        s_on_signals (run);
    }
    else
    if (rc == -1 && errno != EINTR) {
        //  Not even that: reap at a slow pace, by the clock
        struct timespec pause = { 0, 10 * 1000000 };
        nanosleep (&pause, NULL);
        run->reap = true;
    }
}

//  The member whose process is pid, or whose standby is, or NULL
static s_member_t *
s_member_of (s_run_t *run, pid_t pid, bool standby)
{
    for (size_t i = 0; i < run->count; i++) {
        act_slot_t *slot = &run->members [i].slot;
        if ((standby ? slot->standby_pid : slot->pid) == pid) {
            return &run->members [i];
        }
    }
    return NULL;
}

//  Reaps until nothing is left to reap: SIGCHLDs coalesce, so one signal
//  may stand for many exits.
static void
s_reap (s_run_t *run)
{
    run->reap = false;
    while (true) {
        int status;
        pid_t pid = waitpid (-1, &status, WNOHANG);
        if (pid == -1 && errno == EINTR) {
            continue;
        }
        if (pid <= 0) {
            return;
        }
        s_member_t *member = s_member_of (run, pid, false);
        if (!member && (member = s_member_of (run, pid, true))) {
            //  Nothing of the run is its: not an exit of the group
            kill (-pid, SIGKILL);
            //  One the run no longer wants was to be dropped anyway: a
            //  stop signal sent to the whole service (systemd's
            //  control-group kill) reaches it with the one that stops us
            if (s_standby_kept (run, member)) {
                act_slot_standby_died (&member->slot, status);
            }
            else {
                act_slot_standby_drop (&member->slot);
            }
            continue;
        }
        if (!member) {
            act_log_debug ("reaped pid %d, left behind by a group", (int) pid);
            continue;
        }
        act_trace_restart ("reap");
        //  Whatever the group started goes with it. Its process group id
        //  is not reused while a member lives, and we fork nothing before
        //  this kill, so it cannot hit a stranger.
        kill (-pid, SIGKILL);
        s_on_control (run, member);
        //  Before anything forks again: the next life starts a new epoch
        //  and finds the rings into it empty.
        if (member->slot.group->link == ACT_LINK_SHM && run->env.region) {
            act_region_group_down (run->env.region, member->slot.group->name);
        }
        act_slot_reaped (&member->slot, status);
        member->exits++;
        act_slot_event (&member->slot, ACT_SLOT_EXIT);
        s_on_exit (run, member, pid);
    }
}

static void
s_fire_deadlines (s_run_t *run)
{
    for (size_t i = 0; i < run->count; i++) {
        act_slot_t *slot = &run->members [i].slot;
        if (slot->due && slot->due <= run->env.now
        && (slot->state == ACT_SLOT_STARTING || slot->state == ACT_SLOT_STOPPING
         || slot->state == ACT_SLOT_UP)) {
            run->forced |= run->mode == S_STOPPING && slot->state == ACT_SLOT_STOPPING;
            act_slot_event (slot, ACT_SLOT_TIMEOUT);
            //  A hung group's peers hear it now, not at the reap: their
            //  asks to it fail at once instead of waiting out their own
            //  timeouts while the kill takes effect.
            if (slot->hung && slot->state == ACT_SLOT_KILLED) {
                //  The region first: a peer told so finds it down there
                //  too, and does not take the dying life for a new one.
                if (slot->group->link == ACT_LINK_SHM && run->env.region) {
                    act_region_group_leaving (run->env.region, slot->group->name);
                }
                s_tell_peers (run, &run->members [i], ACT_HOST_PEER_DOWN);
            }
        }
    }
}

//  While stopping: one group at a time, last first (all at once when
//  killing). Sets run->done once none runs.
static void
s_reconcile_stop (s_run_t *run)
{
    bool running = false;
    for (size_t i = run->count; i-- > 0;) {
        act_slot_t *slot = &run->members [i].slot;
        if (slot->state == ACT_SLOT_WAIT) {
            act_slot_event (slot, ACT_SLOT_STOP);
        }
        if (!act_slot_running (slot)) {
            continue;
        }
        running = true;
        if (run->killing) {
            //  Killed before its teardown could finish, as past a grace:
            //  not the clean stop exit code 0 says
            run->forced = true;
            act_slot_event (slot, ACT_SLOT_KILL);
            continue;
        }
        if (slot->state == ACT_SLOT_STARTING || slot->state == ACT_SLOT_UP) {
            act_slot_event (slot, ACT_SLOT_STOP);
        }
        break;
    }
    run->done = !running;
}

//  True if the run directory's path still leads to the directory the run
//  took. One removed under the run (a cleaner of /tmp, a logout emptying
//  XDG_RUNTIME_DIR) and made again, by hand or by another run, is not
//  ours: a group started there would bind its endpoint over whatever
//  holds its name.
static bool
s_rundir_intact (s_run_t *run)
{
    struct stat info;
    return stat (run->env.rundir, &info) == 0 && info.st_dev == run->rundir_dev
        && info.st_ino == run->rundir_ino;
}

//  One step towards what the run wants.
static void
s_reconcile (s_run_t *run)
{
    if (run->mode == S_STOPPING) {
        s_reconcile_stop (run);
        return;
    }
    //  While a group is being stopped, nothing else moves; but for a stop
    //  or a restart by request, which concerns that group alone: the
    //  others' restarts would wait out its grace, for ever with shutdown =
    //  infinity.
    bool held_stopping = false;
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        act_slot_state_t state = member->slot.state;
        if (state == ACT_SLOT_STOPPING || state == ACT_SLOT_KILLED) {
            if (!member->held && !(member->bounce && !member->chained)) {
                return;
            }
            held_stopping |= member->held;
        }
    }
    //  Groups stopped by request go down, one at a time; those not
    //  started yet at once, so that nothing below starts them
    for (size_t i = run->count; i-- > 0;) {
        act_slot_t *slot = &run->members [i].slot;
        if (!run->members [i].held) {
            continue;
        }
        if (slot->state == ACT_SLOT_WAIT) {
            //  No process, so no exit to say it at: said here
            act_slot_event (slot, ACT_SLOT_STOP);
            act_log ("held %s: stopped by request, down until started",
                     slot->group->name);
        }
        else
        if (!held_stopping && (slot->state == ACT_SLOT_STARTING
                            || slot->state == ACT_SLOT_UP)) {
            act_slot_event (slot, ACT_SLOT_STOP);
            held_stopping = true;
        }
    }
    //  Groups a restart takes down go last first; for a strategy's, the
    //  starts wait until they all are down
    for (size_t i = run->count; i-- > 0;) {
        s_member_t *member = &run->members [i];
        if (member->cycle && act_slot_running (&member->slot)) {
            act_slot_event (&member->slot, ACT_SLOT_STOP);
            if (member->chained) {
                return;
            }
        }
    }
    //  Starts go in order, each once the one before it is ready
    bool all_up = true;
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        act_slot_t *slot = &member->slot;
        if (slot->state == ACT_SLOT_STARTING) {
            return;
        }
        if (slot->state == ACT_SLOT_WAIT && slot->due <= run->env.now) {
            bool intact = s_rundir_intact (run);
            if (intact && act_slot_event (slot, ACT_SLOT_START) == 0) {
                return;
            }
            const char *why = intact ? strerror (errno)
                            : "its run directory was removed or replaced under the run";
            if (intact && slot->ever_ready) {
                //  A restart the system refused (a process or descriptor
                //  it cannot have now: RLIMIT_NPROC, RLIMIT_NOFILE,
                //  memory) fails as a group dying at once would, with no
                //  life to tell its parent of: counted against the
                //  intensity and tried again after the back-off, as OTP
                //  retries a child whose restart failed. A lack that
                //  lasts ends the run when the intensity gives up (101).
                char reason [128];
                snprintf (reason, sizeof reason, "unable to start: %s", why);
                act_log_at (ACT_LOG_WARNING, "unable to start %s: %s", slot->group->name, why);
                s_restart (run, member, reason);
                //  With no back-off, 1 ms on: a start due now is no
                //  deadline for the poll (s_timeout), only the next event
                //  would have tried again
                if (slot->state == ACT_SLOT_WAIT && slot->due <= run->env.now) {
                    act_slot_schedule (slot, run->env.now + 1);
                }
                return;
            }
            //  The run's own first start, or a run directory gone
            act_log_at (ACT_LOG_ERROR, "unable to start %s: %s", slot->group->name, why);
            s_stop_run (run, ACT_RUN_EXIT_SYSTEM, "unable to start a group");
            //  Now, not at the next event: there may be none (no group
            //  runs yet, or none sends heartbeats), and poll would wait
            //  for ever with the run stopping
            s_reconcile_stop (run);
            return;
        }
        all_up &= slot->ever_ready || member->final || member->held;
    }
    if (run->mode == S_STARTING && all_up) {
        run->mode = S_RUNNING;
        //  "groups" even for one: scripts and the testkit
        //  (act_testkit.c) look for "up: N groups ready"
        act_log ("run %s up: %zu groups ready in %lld ms", run->topo->name, run->count,
                 (long long) (run->env.now - run->started));
    }
}

//  Standbys (act_slot.h). A group that has been up S_STANDBY_DELAY ms
//  gets one, so that its next start, a crash's restart above all, takes
//  it instead of forking: not sooner, so that it takes no CPU from the
//  group's first moments, and not while the run starts, which it would
//  slow. A group the run will not start again as it is loses its own:
//  held, ended for good, the run stopping; and a restart by request,
//  which loads the plugin file as it is now, as a fresh start does.
#define S_STANDBY_DELAY 10

static bool
s_standby_kept (s_run_t *run, s_member_t *member)
{
    return run->mode != S_STOPPING && member->slot.group->standby && !member->final
        && !member->held && !member->bounce;
}

//  When the member's standby is due, or 0: none is.
static int64_t
s_standby_due (s_run_t *run, s_member_t *member)
{
    act_slot_t *slot = &member->slot;
    if (run->mode != S_RUNNING || !s_standby_kept (run, member)
    ||  slot->state != ACT_SLOT_UP || !act_slot_standby_wanted (slot)) {
        return 0;
    }
    return slot->ready_at + S_STANDBY_DELAY;
}

static void
s_standbys (s_run_t *run)
{
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        if (!s_standby_kept (run, member)) {
            act_slot_standby_drop (&member->slot);
            continue;
        }
        int64_t due = s_standby_due (run, member);
        if (due && due <= run->env.now) {
            act_slot_standby_fork (&member->slot);
        }
    }
}

//  Milliseconds to the nearest deadline, or -1 when nothing is due (an UP
//  group's deadline is its next heartbeat's, so an idle run with
//  heartbeats off never wakes). A
//  start that is due but waits its turn is not a deadline: the event
//  that ends its wait (a ready, an exit) wakes us anyway.
static int
s_timeout (s_run_t *run)
{
    int64_t next = act_ctl_expire (run->ctl, run->env.now);
    if (run->stats_due && (!next || run->stats_due < next)) {
        next = run->stats_due;
    }
    for (size_t i = 0; i < run->count; i++) {
        act_slot_t *slot = &run->members [i].slot;
        bool timed = slot->state == ACT_SLOT_STARTING || slot->state == ACT_SLOT_STOPPING
                  || slot->state == ACT_SLOT_UP
                  || (slot->state == ACT_SLOT_WAIT && slot->due > run->env.now);
        if (timed && slot->due && (!next || slot->due < next)) {
            next = slot->due;
        }
        int64_t standby = s_standby_due (run, &run->members [i]);
        if (standby && (!next || standby < next)) {
            next = standby;
        }
    }
    if (!next) {
        return -1;
    }
    return next <= run->env.now ? 0 : (int) (next - run->env.now > INT_MAX
                                             ? INT_MAX : next - run->env.now);
}

static size_t
s_pollset (s_run_t *run)
{
    size_t count = 0;
    run->fds [count++] = (struct pollfd) { run->signal_fd, POLLIN, 0 };
    for (size_t i = 0; i < run->count; i++) {
        act_slot_t *slot = &run->members [i].slot;
        if (slot->control_fd >= 0) {
            run->fd_owner [count] = i * 3 + S_FD_CONTROL;
            short events = POLLIN | (run->members [i].peers_stale ? POLLOUT : 0);
            run->fds [count++] = (struct pollfd) { slot->control_fd, events, 0 };
        }
        run->fd_owner [count] = i * 3 + S_FD_OUT;
        run->fds [count++] = (struct pollfd) { slot->out.read_fd, POLLIN, 0 };
        run->fd_owner [count] = i * 3 + S_FD_ERR;
        run->fds [count++] = (struct pollfd) { slot->err.read_fd, POLLIN, 0 };
    }
    run->ctl_first = count;
    return count + act_ctl_pollset (run->ctl, run->fds + count);
}

static void
s_dispatch (s_run_t *run, size_t count)
{
    if (run->fds [0].revents) {
        s_on_signals (run);
    }
    for (size_t i = 1; i < run->ctl_first; i++) {
        if (!run->fds [i].revents) {
            continue;
        }
        s_member_t *member = &run->members [run->fd_owner [i] / 3];
        switch ((s_fd_kind_t) (run->fd_owner [i] % 3)) {
            case S_FD_CONTROL:
                if (run->fds [i].revents & ~POLLOUT) {
                    s_on_control (run, member);
                }
                if ((run->fds [i].revents & POLLOUT) && member->peers_stale) {
                    s_resync_peers (run, member);
                }
                break;
            case S_FD_OUT:
                act_relay_read (&member->slot.out);
                break;
            case S_FD_ERR:
                act_relay_read (&member->slot.err);
                break;
        }
    }
    act_ctl_dispatch (run->ctl, run->fds + run->ctl_first, count - run->ctl_first,
                      run->env.now);
}

//  -------------------------------------------------------------------
//  Requests on the control socket (act_ctl): actor-run status, stop,
//  start, restart. Each only sets what the run wants (held, bounce,
//  cycle, a schedule); s_reconcile moves the slots through their table.

//  A group's state as an operator sees it
static const char *
s_shown_state (s_run_t *run, s_member_t *member)
{
    act_slot_t *slot = &member->slot;
    switch (slot->state) {
        case ACT_SLOT_UP:
            return "up";
        case ACT_SLOT_STARTING:
            return slot->starts > 1 ? "restarting" : "starting";
        case ACT_SLOT_STOPPING:
        case ACT_SLOT_KILLED:
            //  A temporary group a sibling's restart takes down stays down
            return run->mode != S_STOPPING && (member->bounce
                 || (member->cycle && slot->group->restart != ACT_RESTART_TEMPORARY))
                 ? "restarting" : "stopping";
        case ACT_SLOT_WAIT:
            return run->mode == S_STOPPING ? "stopping"
                 : slot->starts ? "restarting" : "waiting";
        default:
            return member->held ? "stopped" : member->final ? "done" : "down";
    }
}

static void
s_status (s_run_t *run, act_ctl_client_t *client, bool json)
{
    int64_t now = run->env.now;
    int64_t since = now - run->topo->period;
    act_ctl_status_t status = {
        .name = run->topo->name,
        .state = run->mode == S_STARTING ? "starting"
               : run->mode == S_RUNNING ? "running" : "stopping",
        .pid = (int) run->env.self,
        .uptime = now - run->started,
        .intensity = run->topo->intensity,
        .period = run->topo->period,
        .groups = run->rows,
        .count = run->count,
        .stats_wait = S_STATS_WAIT
    };
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        act_slot_t *slot = &member->slot;
        act_ctl_group_t *row = &run->rows [i];
        row->name = slot->group->name;
        row->state = s_shown_state (run, member);
        row->pid = (int) slot->pid;
        row->standby_pid = (int) slot->standby_pid;
        row->uptime = slot->pid ? now - slot->started_at : 0;
        row->restarts = slot->starts > 1 ? slot->starts - 1 : 0;
        row->recent = 0;
        row->answered = !member->stats_asked ? -1 : member->stats_done ? 1 : 0;
        row->stats = member->stats;
        row->last_exit [0] = 0;
        row->core_dumped = false;
        if (member->exits && slot->exit_hung) {
            snprintf (row->last_exit, sizeof row->last_exit, "hung");
        }
        else
        //  As the parent hears it: the signal of a start timeout is ours
        if (member->exits && slot->exit_init_failed) {
            snprintf (row->last_exit, sizeof row->last_exit, "init failed");
        }
        else
        if (member->exits) {
            act_ctl_exit_text (row->last_exit, sizeof row->last_exit, slot->exit_code,
                               slot->exit_signal);
            row->core_dumped = slot->core_dumped;
        }
    }
    for (size_t i = 0; i < run->recent_count; i++) {
        size_t at = (run->recent_head + i) % run->recent_cap;
        if (run->recent [at] > since) {
            run->rows [run->recent_who [at]].recent++;
            status.recent++;
        }
    }
    act_ctl_status (client, &status, json);
}

static void
s_status_resume (void *arg, act_ctl_client_t *client, int json)
{
    s_status ((s_run_t *) arg, client, json != 0);
}

//  Opens a round: every group that is up is asked for its counters.
static void
s_stats_ask (s_run_t *run)
{
    char text [64];
    snprintf (text, sizeof text, ACT_HOST_STATS " %u", ++run->stats_round);
    run->stats_due = run->env.now + S_STATS_WAIT;
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        member->stats_size = 0;
        member->stats [0] = 0;
        member->stats_done = false;
        member->stats_asked = member->slot.state == ACT_SLOT_UP
                           && s_control_to (&member->slot, text);
    }
}

//  Ends the open round once every group asked has answered, or its
//  deadline passed: the waiting statuses are written and sent.
static void
s_stats_check (s_run_t *run)
{
    if (!run->stats_due) {
        return;
    }
    bool all = true;
    for (size_t i = 0; i < run->count && all; i++) {
        all = !run->members [i].stats_asked || run->members [i].stats_done;
    }
    if (all || run->env.now >= run->stats_due) {
        act_ctl_resume (run->ctl, s_status_resume, run);
        run->stats_due = 0;
    }
}

static s_member_t *
s_member_named (s_run_t *run, const char *name)
{
    for (size_t i = 0; i < run->count; i++) {
        if (streq (run->members [i].slot.group->name, name)) {
            return &run->members [i];
        }
    }
    return NULL;
}

//  stop, start or restart of the groups named in words
static void
s_group_request (s_run_t *run, act_ctl_client_t *client, const char *verb,
                 char **words, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (!s_member_named (run, words [i])) {
            act_ctl_printf (client, "error no-such-group: run %s has no group %s\n",
                            run->topo->name, words [i]);
            return;
        }
    }
    if (run->mode == S_STOPPING) {
        act_ctl_printf (client, "error stopping: run %s is stopping\n", run->topo->name);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        s_member_t *member = s_member_named (run, words [i]);
        act_slot_t *slot = &member->slot;
        act_log ("%s %s: requested", verb, slot->group->name);
        if (streq (verb, "stop")) {
            member->held = true;
            member->cycle = member->bounce = member->chained = false;
            continue;
        }
        bool restart = streq (verb, "restart");
        bool was_held = member->held;
        member->held = member->final = false;
        member->asked = true;
        //  A start while the stop asked before is still under way: that
        //  stop ends as asked (no failure, nothing counted), then the
        //  group starts, as a restart would
        if (act_slot_running (slot) && (restart || was_held)) {
            //  Not a failure either: the cycle bypasses the throttle
            member->cycle = member->bounce = true;
            member->cycle_due = run->env.now;
        }
        else
        if (act_slot_running (slot) && member->cycle) {
            //  Going down for a sibling's restart: it comes back with the
            //  others, a temporary group too, now that a start was asked
            member->bounce = true;
        }
        else
        if (!act_slot_running (slot)) {
            member->cycle = false;
            act_slot_schedule (slot, run->env.now);
        }
        else {
            member->asked = false;
            continue;           //  up already: nothing starts
        }
        //  Whatever starts it now forks afresh, loading the plugin file
        //  as it is now: a group waiting out its back-off has the standby
        //  of its last life, with the file as it was then. Dropped here,
        //  not at the next turn, which may start it first.
        act_slot_standby_drop (slot);
    }
    act_ctl_printf (client, "ok\n");
}

static void
s_on_request (void *arg, act_ctl_client_t *client, char *request)
{
    s_run_t *run = (s_run_t *) arg;
    char *words [ACT_CTL_REQUEST_MAX / 2 + 1];
    size_t count = 0;
    char *save = NULL;
    for (char *word = strtok_r (request, " \t", &save); word;
         word = strtok_r (NULL, " \t", &save)) {
        words [count++] = word;
    }
    const char *verb = count ? words [0] : "";
    if (streq (verb, "status") && (count == 1 || (count == 2 && streq (words [1], "json")))) {
        //  Answered when every live group has sent its counters, or at
        //  the round's deadline; a status asked meanwhile joins the round
        act_ctl_defer (client, count == 2);
        if (!run->stats_due) {
            s_stats_ask (run);
        }
    }
    else
    if (streq (verb, "stop") && count == 1) {
        s_stop_run (run, ACT_RUN_EXIT_OK, "stop requested");
        act_ctl_printf (client, "ok\n");
        act_ctl_linger (client);
    }
    else
    if ((streq (verb, "stop") || streq (verb, "start") || streq (verb, "restart"))
    &&  count > 1) {
        s_group_request (run, client, verb, words + 1, count - 1);
    }
    else {
        act_log_at (ACT_LOG_WARNING, "malformed control request: %.64s", verb);
        act_ctl_printf (client, "error malformed: not a request: %.64s\n", verb);
    }
}

//  Where a group's stop notices go: "GROUP/ACTOR", which the loader
//  checked names an actor of another group.
static void
s_find_parent (s_run_t *run, s_member_t *member)
{
    const char *parent = member->slot.group->parent;
    size_t len = 0;
    bool valid = parent && act_address_valid (parent, &len);
    member->parent = -1;
    for (size_t i = 0; valid && i < run->count; i++) {
        const char *name = run->topo->groups [i].name;
        if (strlen (name) == len && strncmp (name, parent, len) == 0) {
            member->parent = (int) i;
            member->parent_actor = parent + len + 1;
        }
    }
    //  On another node: told by address, through a group of ours
    for (size_t i = 0; valid && member->parent == -1 && i < run->topo->other_count; i++) {
        const char *name = run->topo->others [i].name;
        if (strlen (name) == len && strncmp (name, parent, len) == 0) {
            member->parent = S_PARENT_REMOTE;
            member->parent_actor = parent;
            member->notice = (char *) calloc (1, ACT_GROUP_CONTROL_MAX);
        }
    }
}

//  The shared region, made once before the first fork: every group, and
//  every restart of one, inherits its mapping and doorbells.
static int
s_make_region (s_run_t *run)
{
    const act_topology_t *topo = run->topo;
    const char **names = (const char **) calloc (topo->shm_groups, sizeof (char *));
    if (!names) {
        act_log_fatal ("unable to allocate the shared region: %s", strerror (errno));
        return -1;
    }
    size_t count = 0;
    for (size_t i = 0; i < topo->group_count; i++) {
        if (topo->groups [i].link == ACT_LINK_SHM) {
            names [count++] = topo->groups [i].name;
        }
    }
    run->env.region = act_region_new (names, count, (size_t) topo->ring_size,
                                      (size_t) topo->area_size);
    free (names);
    int fds [ACT_REGION_GROUPS_MAX + 1];
    size_t fd_count = act_region_fds (run->env.region, fds, ACT_REGION_GROUPS_MAX + 1);
    for (size_t i = 0; i < fd_count; i++) {
        //  A child puts its stdio and control socket on 0-3.
        if (fds [i] <= 3) {
            act_region_destroy (&run->env.region);
            errno = EBADF;
        }
    }
    if (!run->env.region) {
        act_log_fatal ("unable to create the shared region (%zu MiB): %s",
                       act_region_size (count, (size_t) topo->ring_size,
                                        (size_t) topo->area_size) >> 20,
                       strerror (errno));
        return -1;
    }
    return 0;
}

//  Everything the loop needs, allocated before the first group starts.
static int
s_setup (s_run_t *run, const act_topology_t *topo, const char *rundir,
         const sigset_t *mask)
{
    run->topo = topo;
    run->count = topo->group_count;
    run->env.rundir = rundir;
    run->env.mask = *mask;
    run->env.self = getpid ();
    run->env.now = run->started = s_now ();
    run->env.max_msg_size = topo->max_msg_size;
    run->env.hwm = topo->hwm;
    run->signal_fd = -1;
    struct stat info;
    if (stat (rundir, &info) == -1) {
        act_log_fatal ("unable to use %s: %s", rundir, strerror (errno));
        return -1;
    }
    run->rundir_dev = info.st_dev;
    run->rundir_ino = info.st_ino;
    run->members = (s_member_t *) calloc (run->count, sizeof (s_member_t));
    size_t fds = 1 + 3 * run->count + ACT_CTL_FDS;
    run->fds = (struct pollfd *) calloc (fds, sizeof (struct pollfd));
    run->fd_owner = (size_t *) calloc (fds, sizeof (size_t));
    run->recent_cap = topo->intensity > 0 ? (size_t) topo->intensity : 1;
    run->recent = (int64_t *) calloc (run->recent_cap, sizeof (int64_t));
    run->recent_who = (size_t *) calloc (run->recent_cap, sizeof (size_t));
    run->rows = (act_ctl_group_t *) calloc (run->count, sizeof (act_ctl_group_t));
    if (!run->members || !run->fds || !run->fd_owner || !run->recent || !run->recent_who
    ||  !run->rows) {
        act_log_fatal ("unable to allocate the run: %s", strerror (errno));
        return -1;
    }
    sigset_t signals;
    act_sup_signals (&signals);
    run->signal_fd = signalfd (-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (run->signal_fd == -1) {
        act_log_fatal ("unable to create a signalfd: %s", strerror (errno));
        return -1;
    }
    if (topo->shm_groups && s_make_region (run) == -1) {
        return -1;
    }
    //  Before the first fork; the groups close it (act_spawn keeps 0-3)
    run->ctl = act_ctl_new (rundir, s_on_request, run,
                            4096 + run->count * (size_t) ACT_CTL_GROUP_REPLY);
    if (!run->ctl) {
        act_log_fatal ("unable to create the control socket %s/%s: %s", rundir,
                       ACT_RUNDIR_CONTROL, strerror (errno));
        return -1;
    }
    //  Each group's ZeroMQ context starts OpenPGM, which looks a protocol
    //  up: doing it once here loads the resolver's modules before any fork,
    //  so no start or restart pays for them (0.1 to 0.3 ms each).
    getprotobyname ("pgm");
    //  What a group leaves behind when it dies is reparented to us, not to
    //  init, so we reap it too: no zombie outlives its group.
    prctl (PR_SET_CHILD_SUBREAPER, 1);
    for (size_t i = 0; i < run->count; i++) {
        s_member_t *member = &run->members [i];
        const act_topo_group_t *group = &topo->groups [i];
        if (act_slot_init (&member->slot, group, &run->env) == -1) {
            act_log_fatal ("unable to create the pipes of %s: %s", group->name,
                           strerror (errno));
            return -1;
        }
        s_find_parent (run, member);
        member->stats = (char *) calloc (1, S_STATS_BYTES);
        if (!member->stats || (member->parent == S_PARENT_REMOTE && !member->notice)) {
            act_log_fatal ("unable to allocate the run: %s", strerror (errno));
            return -1;
        }
        act_slot_schedule (&member->slot, run->started);
    }
    return 0;
}

//  The standbys killed on the way out, reaped so that none outlives the
//  run, even as a zombie: a SIGKILL'd process that waited in poll is gone
//  in a millisecond or two. Every group is reaped by now, so what is
//  left are standbys.
static void
s_reap_standbys (s_run_t *run)
{
    for (size_t i = 0; run->members && i < run->count; i++) {
        if (run->members [i].slot.group) {
            act_slot_standby_drop (&run->members [i].slot);
        }
    }
    int64_t deadline = s_now () + 1000;
    while (true) {
        pid_t pid = waitpid (-1, NULL, WNOHANG);
        if (pid > 0 || (pid == -1 && errno == EINTR)) {
            continue;
        }
        if (pid == -1 || s_now () >= deadline) {
            return;
        }
        struct timespec pause = { 0, 1000000 };
        nanosleep (&pause, NULL);
    }
}

static void
s_teardown (s_run_t *run)
{
    s_reap_standbys (run);
    for (size_t i = 0; run->members && i < run->count; i++) {
        //  A setup that failed before this slot's init left it zeroed:
        //  its fds would read 0, our standard input, which a terminal
        //  holds open with nothing to read, and finishing it would hang.
        if (run->members [i].slot.group) {
            act_slot_fini (&run->members [i].slot);
        }
        free (run->members [i].stats);
        free (run->members [i].notice);
    }
    if (run->signal_fd >= 0) {
        close (run->signal_fd);
    }
    act_ctl_destroy (&run->ctl);
    act_region_destroy (&run->env.region);
    free (run->recent_who);
    free (run->rows);
    free (run->members);
    free (run->fds);
    free (run->fd_owner);
    free (run->recent);
}

void
act_sup_signals (sigset_t *set)
{
    sigemptyset (set);
    sigaddset (set, SIGCHLD);
    sigaddset (set, SIGINT);
    sigaddset (set, SIGTERM);
    sigaddset (set, SIGHUP);
    sigaddset (set, SIGUSR1);
    sigaddset (set, SIGUSR2);
}

int
act_sup_run (const act_topology_t *topology, const char *rundir, const sigset_t *mask,
             const act_group_net_t *net)
{
    s_run_t run = { .mode = S_STARTING };
    run.env.net = net;
    if (s_setup (&run, topology, rundir, mask) == -1) {
        s_teardown (&run);
        return ACT_RUN_EXIT_SYSTEM;
    }
    act_log ("run %s: starting %zu groups, %s, in %s (pid %d)", topology->name,
             run.count, s_strategy_name (topology->strategy), rundir, (int) run.env.self);
    while (true) {
        s_fire_deadlines (&run);
        s_reconcile (&run);
        s_standbys (&run);
        if (run.done) {
            break;
        }
        int timeout = s_timeout (&run);
        size_t count = s_pollset (&run);
        int rc = poll (run.fds, count, timeout);
        if (rc == -1 && errno != EINTR) {
            s_poll_failed (&run, count, timeout);
            rc = 0;
        }
        run.env.now = s_now ();
        if (rc > 0) {
            s_dispatch (&run, count);
        }
        if (run.reap) {
            s_reap (&run);
        }
        s_stats_check (&run);
    }
    s_teardown (&run);
    //  A clean stop it was not: whatever the killed group had to do in
    //  its teardown did not happen, and the exit code must tell
    if (run.forced && run.exit_code == ACT_RUN_EXIT_OK) {
        run.exit_code = ACT_RUN_EXIT_KILLED;
        act_log_at (ACT_LOG_WARNING, "run %s: a group was killed past its "
                    "shutdown grace", topology->name);
    }
    act_log ("run %s stopped, exit code %d", topology->name, run.exit_code);
    return run.exit_code;
}
