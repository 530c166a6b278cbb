/*  act_slot - one supervised group: its process and its state machine
    SPDX-License-Identifier: MPL-2.0

    The table at the end is the whole behaviour; the actions above it are
    small and named after what they do. Signals go to the process group
    (-pid), so a stop also reaches what the group started.

    An UP slot's deadline is its heartbeat's: each "beat" moves it on, and
    when it passes the group is hung and killed as a crash would have it.
    Only UP watches beats: STARTING and STOPPING have their own deadlines,
    which a stuck loop also misses.
*/
#include "act_slot.h"
#include "act_log.h"
#include "act_spawn.h"
#include "act_trace.h"
#include "act_host.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (s_action_fn) (act_slot_t *self);

static const char *s_state_names [ACT_SLOT_STATES] = {
    "down", "wait", "starting", "up", "stopping", "killed"
};

const char *
act_slot_state_name (act_slot_state_t state)
{
    return state < ACT_SLOT_STATES ? s_state_names [state] : "?";
}

int
act_slot_init (act_slot_t *self, const act_topo_group_t *group, act_slot_env_t *env)
{
    memset (self, 0, sizeof *self);
    self->group = group;
    self->env = env;
    self->control_fd = -1;
    self->standby_fd = -1;
    self->out.read_fd = self->out.write_fd = -1;
    self->err.read_fd = self->err.write_fd = -1;
    if (act_relay_open (&self->out, group->name, STDOUT_FILENO) == -1
    ||  act_relay_open (&self->err, group->name, STDERR_FILENO) == -1) {
        act_relay_close (&self->out);
        return -1;
    }
    return 0;
}

void
act_slot_fini (act_slot_t *self)
{
    act_slot_standby_drop (self);
    act_relay_flush (&self->out);
    act_relay_flush (&self->err);
    act_relay_close (&self->out);
    act_relay_close (&self->err);
    if (self->control_fd >= 0) {
        close (self->control_fd);
        self->control_fd = -1;
    }
}

bool
act_slot_running (const act_slot_t *self)
{
    return self->state == ACT_SLOT_STARTING || self->state == ACT_SLOT_UP
        || self->state == ACT_SLOT_STOPPING || self->state == ACT_SLOT_KILLED;
}

void
act_slot_schedule (act_slot_t *self, int64_t due)
{
    if (self->state == ACT_SLOT_DOWN || self->state == ACT_SLOT_WAIT) {
        self->state = ACT_SLOT_WAIT;
        self->due = due;
    }
}

void
act_slot_reaped (act_slot_t *self, int status)
{
    if (WIFSIGNALED (status)) {
        self->exit_code = -1;
        self->exit_signal = WTERMSIG (status);
        self->core_dumped = WCOREDUMP (status);
    }
    else {
        self->exit_code = WEXITSTATUS (status);
        self->exit_signal = 0;
        self->core_dumped = false;
    }
    //  Kept past the next start, as the exit's code is: status shows the
    //  last exit while the next life runs
    self->exit_hung = self->hung;
}

const char *
act_slot_reason (const act_slot_t *self, char *buf, size_t size)
{
    char status [64];
    if (self->hung) {
        //  Killed by us: the signal says nothing of the group
        snprintf (status, sizeof status, "hung");
    }
    else
    if (self->exit_signal) {
        snprintf (status, sizeof status, "signal %d%s", self->exit_signal,
                  self->core_dumped ? " (core dumped)" : "");
    }
    else
    if (self->exit_code) {
        snprintf (status, sizeof status, "exit code %d", self->exit_code);
    }
    else {
        snprintf (status, sizeof status, "normal");
    }
    if (self->init_failed) {
        snprintf (buf, size, "init failed: %s", *self->detail ? self->detail : status);
    }
    else {
        snprintf (buf, size, "%s", status);
    }
    return buf;
}

//  Signals the process group; ESRCH (all gone already) is fine.
static void
s_signal (act_slot_t *self, int signo)
{
    if (self->pid > 0) {
        kill (-self->pid, signo);
    }
}

//  -------------------------------------------------------------------
//  Actions

//  How long an UP group may stay silent, ms; 0 if it opted out.
static int64_t
s_heartbeat_window (const act_slot_t *self)
{
    const act_topo_group_t *group = self->group;
    if (!group->heartbeat) {
        return 0;
    }
    return (int64_t) group->heartbeat * group->heartbeat_misses
         + ACT_SLOT_HEARTBEAT_MARGIN;
}

static int
s_nothing (act_slot_t *self)
{
    (void) self;
    return 0;
}

//  Forks a group process, a standby or not: its pid, with our end of its
//  control socket in *control_fd, or -1 with errno.
static pid_t
s_fork (act_slot_t *self, bool standby, int *control_fd)
{
    int pair [2];
    if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1) {
        return -1;
    }
    act_spawn_t spec = {
        .group = self->group,
        .rundir = self->env->rundir,
        .out_fd = self->out.write_fd,
        .err_fd = self->err.write_fd,
        .control_fd = pair [1],
        .supervisor = self->env->self,
        .mask = &self->env->mask,
        .max_msg_size = self->env->max_msg_size,
        .hwm = self->env->hwm,
        .region = self->env->region,
        .net = self->env->net,
        .standby = standby,
        .life = self->starts + 1
    };
    pid_t pid = act_spawn_group (&spec);
    int error = errno;
    close (pair [1]);
    if (pid == -1) {
        close (pair [0]);
        errno = error;
        return -1;
    }
    fcntl (pair [0], F_SETFL, O_NONBLOCK);
    *control_fd = pair [0];
    return pid;
}

bool
act_slot_standby_wanted (const act_slot_t *self)
{
    return !self->standby_pid && !self->standby_broken
        && self->standby_life != self->starts;
}

int
act_slot_standby_fork (act_slot_t *self)
{
    if (!act_slot_standby_wanted (self)) {
        return 0;
    }
    self->standby_life = self->starts;
    int control;
    pid_t pid = s_fork (self, true, &control);
    if (pid == -1) {
        act_log_debug ("no standby for %s: %s", self->group->name, strerror (errno));
        return -1;
    }
    self->standby_pid = pid;
    self->standby_fd = control;
    act_log_debug ("standby %s pid %d", self->group->name, (int) pid);
    return 0;
}

//  The slot holds no standby any more; its socket closed.
static void
s_standby_forget (act_slot_t *self)
{
    if (self->standby_fd >= 0) {
        close (self->standby_fd);
    }
    self->standby_pid = 0;
    self->standby_fd = -1;
}

void
act_slot_standby_drop (act_slot_t *self)
{
    if (self->standby_pid > 0) {
        //  Its own process group, so what a plugin's constructor started
        //  goes too
        kill (-self->standby_pid, SIGKILL);
        act_log_debug ("standby %s pid %d dropped", self->group->name,
                       (int) self->standby_pid);
    }
    s_standby_forget (self);
}

void
act_slot_standby_died (act_slot_t *self, int status)
{
    //  Something in what a group does before it joins fails or kills it
    //  (a plugin's constructor, a limit): a start would meet it too, and
    //  say so. Not one standby after another meanwhile.
    char how [64];
    if (WIFSIGNALED (status)) {
        snprintf (how, sizeof how, "signal %d", WTERMSIG (status));
    }
    else {
        snprintf (how, sizeof how, "exit code %d", WEXITSTATUS (status));
    }
    //  Its init's failure says why (a plugin file gone), as a start's
    //  does: the one message a standby sends, and nothing reads it else
    char text [ACT_GROUP_CONTROL_MAX + 1];
    ssize_t size = recv (self->standby_fd, text, sizeof text - 1, MSG_DONTWAIT);
    text [size > 0 ? size : 0] = 0;
    const char *why = act_host_word (text, ACT_HOST_FAIL);
    why = why && *why ? why : NULL;
    act_log_at (ACT_LOG_WARNING, "standby %s pid %d ended on its own (%s%s%s): "
                "%s restarts without one from now on", self->group->name,
                (int) self->standby_pid, how, why ? ": " : "", why ? why : "",
                self->group->name);
    s_standby_forget (self);
    self->standby_broken = true;
}

//  The standby, told to go, or -1: none, or it is gone already (not yet
//  reaped), and then it is killed and forgotten.
static pid_t
s_standby_go (act_slot_t *self, int *control_fd)
{
    if (self->standby_pid <= 0) {
        return -1;
    }
    pid_t pid = self->standby_pid;
    int control = self->standby_fd;
    //  An empty new socket has room for it; the life it starts is the
    //  next (s_start counts it)
    char go [32];
    int size = snprintf (go, sizeof go, ACT_HOST_GO " %u", self->starts + 1);
    if (send (control, go, (size_t) size, MSG_NOSIGNAL | MSG_DONTWAIT) != size) {
        act_slot_standby_drop (self);
        return -1;
    }
    self->standby_pid = 0;
    self->standby_fd = -1;
    *control_fd = control;
    return pid;
}

static int
s_start (act_slot_t *self)
{
    int control;
    pid_t pid = s_standby_go (self, &control);
    bool standby = pid > 0;
    if (!standby && (pid = s_fork (self, false, &control)) == -1) {
        return -1;
    }
    //  The first message (after a standby's "go"), so the host reads it
    //  as soon as it listens; an empty new socket has room for it.
    if (self->group->heartbeat) {
        char text [64];
        int size = snprintf (text, sizeof text, ACT_HOST_HEARTBEAT " %d",
                             self->group->heartbeat);
        send (control, text, (size_t) size, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    self->control_fd = control;
    self->pid = pid;
    //  Lines of the last life were flushed when it was reaped: what the
    //  relays read from now on is this one's
    self->out.pid = self->err.pid = pid;
    self->state = ACT_SLOT_STARTING;
    self->started_at = self->env->now;
    self->ready_at = 0;
    self->due = self->env->now + self->group->start_timeout;
    self->asked = false;
    self->init_failed = false;
    self->hung = false;
    self->detail [0] = 0;
    if (self->starts++) {
        act_log ("start %s pid %d (restart %u%s)", self->group->name, (int) pid,
                 self->starts - 1, standby ? ", from its standby" : "");
    }
    else {
        act_log ("start %s pid %d", self->group->name, (int) pid);
    }
    return 0;
}

static int
s_ready (act_slot_t *self)
{
    self->state = ACT_SLOT_UP;
    self->ready_at = self->env->now;
    self->ever_ready = true;
    int64_t window = s_heartbeat_window (self);
    self->due = window ? self->env->now + window : 0;
    act_trace_restart ("ready-seen");
    act_log ("ready %s pid %d in %lld ms", self->group->name, (int) self->pid,
             (long long) (self->ready_at - self->started_at));
    return 0;
}

static int
s_beat (act_slot_t *self)
{
    int64_t window = s_heartbeat_window (self);
    self->due = window ? self->env->now + window : 0;
    return 0;
}

//  No beat within the window: the loop is stuck in a handler, or the
//  process is stopped. Killed like a crashed group, with the same restart.
static int
s_hung (act_slot_t *self)
{
    if (!self->due) {
        return 0;
    }
    int64_t silent = self->env->now - self->due + s_heartbeat_window (self);
    s_signal (self, SIGKILL);
    self->state = ACT_SLOT_KILLED;
    self->hung = true;
    self->due = 0;
    act_log ("hung %s pid %d: no heartbeat for %lld ms (heartbeat %d ms, %d misses): "
             "killing it", self->group->name, (int) self->pid, (long long) silent,
             self->group->heartbeat, self->group->heartbeat_misses);
    return 0;
}

static int
s_exited (act_slot_t *self)
{
    //  What it wrote before it died comes before the news of its death
    act_relay_flush (&self->out);
    act_relay_flush (&self->err);
    if (self->control_fd >= 0) {
        close (self->control_fd);
        self->control_fd = -1;
    }
    self->init_failed = !self->ready_at && !self->asked;
    self->exit_init_failed = self->init_failed;
    char reason [ACT_SLOT_DETAIL + 64];
    act_log ("stop %s pid %d: %s", self->group->name, (int) self->pid,
             act_slot_reason (self, reason, sizeof reason));
    self->pid = 0;
    self->state = ACT_SLOT_DOWN;
    self->due = 0;
    return 0;
}

static int
s_stop (act_slot_t *self)
{
    //  A group that cannot hear "stop" gets SIGTERM instead
    if (self->control_fd < 0
    ||  send (self->control_fd, ACT_HOST_STOP, strlen (ACT_HOST_STOP),
              MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t) strlen (ACT_HOST_STOP)) {
        s_signal (self, SIGTERM);
    }
    self->state = ACT_SLOT_STOPPING;
    self->asked = true;
    if (self->group->shutdown == ACT_TOPOLOGY_INFINITY) {
        //  No deadline: only the group's own exit, or a second stop
        //  signal, ends the wait. Said always, as nothing else will be.
        self->due = 0;
        act_log ("asked %s pid %d to stop, waiting without limit (shutdown = "
                 "infinity)", self->group->name, (int) self->pid);
        return 0;
    }
    self->due = self->env->now + self->group->shutdown;
    act_log_debug ("asked %s pid %d to stop, grace %d ms", self->group->name,
                   (int) self->pid, self->group->shutdown);
    return 0;
}

static int
s_kill (act_slot_t *self)
{
    s_signal (self, SIGKILL);
    self->state = ACT_SLOT_KILLED;
    self->asked = true;
    self->due = 0;
    act_log ("kill %s pid %d", self->group->name, (int) self->pid);
    return 0;
}

static int
s_cancel (act_slot_t *self)
{
    self->state = ACT_SLOT_DOWN;
    self->due = 0;
    return 0;
}

static int
s_start_timeout (act_slot_t *self)
{
    snprintf (self->detail, sizeof self->detail, "not ready within %d ms",
              self->group->start_timeout);
    s_signal (self, SIGKILL);
    self->state = ACT_SLOT_KILLED;
    self->due = 0;
    act_log_at (ACT_LOG_WARNING, "kill %s pid %d: not ready within %d ms", self->group->name,
             (int) self->pid, self->group->start_timeout);
    return 0;
}

static int
s_grace_over (act_slot_t *self)
{
    s_signal (self, SIGKILL);
    self->state = ACT_SLOT_KILLED;
    self->due = 0;
    act_log_at (ACT_LOG_WARNING, "kill %s pid %d: still running %d ms after stop", self->group->name,
             (int) self->pid, self->group->shutdown);
    return 0;
}

//  -------------------------------------------------------------------
//  The table: what each event does in each state. A WAIT slot's
//  TIMEOUT does nothing: whether it may start then is the run's call
//  (start order), and the run feeds START.

static s_action_fn *s_table [ACT_SLOT_STATES][ACT_SLOT_EVENTS] = {
    //                 START      READY      EXIT       STOP       KILL       TIMEOUT          BEAT
    [ACT_SLOT_DOWN]     = { s_start,   s_nothing, s_nothing, s_nothing, s_nothing, s_nothing,       s_nothing },
    [ACT_SLOT_WAIT]     = { s_start,   s_nothing, s_nothing, s_cancel,  s_cancel,  s_nothing,       s_nothing },
    [ACT_SLOT_STARTING] = { s_nothing, s_ready,   s_exited,  s_stop,    s_kill,    s_start_timeout, s_nothing },
    [ACT_SLOT_UP]       = { s_nothing, s_nothing, s_exited,  s_stop,    s_kill,    s_hung,          s_beat },
    [ACT_SLOT_STOPPING] = { s_nothing, s_nothing, s_exited,  s_nothing, s_kill,    s_grace_over,    s_nothing },
    [ACT_SLOT_KILLED]   = { s_nothing, s_nothing, s_exited,  s_nothing, s_nothing, s_nothing,       s_nothing },
};

int
act_slot_event (act_slot_t *self, act_slot_event_t event)
{
    assert (self->state < ACT_SLOT_STATES && event < ACT_SLOT_EVENTS);
    return s_table [self->state][event] (self);
}
