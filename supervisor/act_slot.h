/*  act_slot - one supervised group: its process and its state machine
    SPDX-License-Identifier: MPL-2.0

    A slot is the supervisor's record of one group of the topology, for the
    whole run, across all its processes. What happens to the process is
    decided by one function of (state, event), written as a table in the
    manner of s6-supervise: every state is named, every pair has exactly
    one action, and a pair that cannot happen does nothing. When to start,
    stop or restart is not decided here but by the run (act_sup), which
    feeds the events; the slot only carries them out and keeps the facts:
    pid, deadlines, the last exit's status and why.

    A slot may also hold a standby: a process forked ahead of the next
    start, which has done all a group does before it touches the run and
    waits to be told "go" (act_host.h). A start takes it when there is
    one, and saves the fork and that work (about half a restart here).
    The run decides when a slot gets one and when it loses it.
*/
#ifndef ACT_SLOT_H_INCLUDED
#define ACT_SLOT_H_INCLUDED

#include "act_topology.h"
#include "act_relay.h"
#include "actorio.h"
#include "act_host.h"
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

//  Longest init failure detail kept, bytes.
#define ACT_SLOT_DETAIL 256

//  Added to heartbeat x heartbeat_misses before a silent group is hung,
//  ms: room for the beat's trip and the poll's wake-up, so a group that
//  is only late is not killed, well inside the 500 ms actor-run(1)
//  promises on top of the misses.
#define ACT_SLOT_HEARTBEAT_MARGIN   200

typedef enum {
    ACT_SLOT_DOWN,              //  no process, nothing due
    ACT_SLOT_WAIT,              //  no process, a start is due at "due"
    ACT_SLOT_STARTING,          //  forked, not ready; due: start timeout
    ACT_SLOT_UP,                //  ready; due: next heartbeat, if any
    ACT_SLOT_STOPPING,          //  told to stop; due: end of the grace
    ACT_SLOT_KILLED,            //  sent SIGKILL, waiting to reap it
    ACT_SLOT_STATES
} act_slot_state_t;

typedef enum {
    ACT_SLOT_START,             //  the run wants it started now
    ACT_SLOT_READY,             //  the group said "ready"
    ACT_SLOT_EXIT,              //  its process was reaped (status recorded)
    ACT_SLOT_STOP,              //  the run wants it stopped, gracefully
    ACT_SLOT_KILL,              //  the run wants it gone at once
    ACT_SLOT_TIMEOUT,           //  "due" has passed
    ACT_SLOT_BEAT,              //  the group said "beat"
    ACT_SLOT_EVENTS
} act_slot_event_t;

//  What every slot shares: set up once by the run.
typedef struct {
    const char *rundir;         //  the run's directory
    sigset_t mask;              //  the signal mask children get back
    pid_t self;                 //  the supervisor's pid
    int64_t now;                //  monotonic ms, updated by the run's loop
    int64_t max_msg_size;       //  groups' message size limit, bytes
    int hwm;                    //  groups' high-water mark per peer, messages
    act_region_t *region;       //  the shared region of the shm groups, or NULL
    const act_group_net_t *net; //  the run's nodes, or NULL: one host
} act_slot_env_t;

typedef struct {
    const act_topo_group_t *group;  //  its topology entry
    act_slot_env_t *env;        //  shared run facts
    act_slot_state_t state;     //  see the enum
    pid_t pid;                  //  process and process group id, 0 if none
    int control_fd;             //  our end of the control socket, -1 if none
    int64_t due;                //  ms of the state's deadline, 0 if none
    int64_t started_at;         //  ms of the last fork
    int64_t ready_at;           //  ms of the last ready, 0 if not ready now
    bool ever_ready;            //  ready at least once in this run
    bool asked;                 //  the run asked the process to stop
    unsigned starts;            //  processes started in this run
    int backoff;                //  last restart delay, ms, 0 before any
    int exit_code;              //  last exit: its code, -1 if signalled
    int exit_signal;            //  last exit: the signal, 0 if none
    bool core_dumped;           //  last exit: a core was dumped
    bool init_failed;           //  last exit: came before ready
    bool hung;                  //  this process: killed as hung (no beats)
    bool exit_hung;             //  last exit: that of a process killed as hung
    bool exit_init_failed;      //  last exit: came before ready (kept past
                                //  the next start, as exit_hung)
    pid_t standby_pid;          //  a standby for the next start, 0 if none
    int standby_fd;             //  our end of its control socket, -1 if none
    unsigned standby_life;      //  starts when one was last forked: one a life
    bool standby_broken;        //  one died on its own: none more this run
    char detail [ACT_SLOT_DETAIL];  //  why init failed, if it said
    act_relay_t out;            //  the group's stdout
    act_relay_t err;            //  the group's stderr
} act_slot_t;

//  Set up a slot and its output pipes. 0, or -1 with errno.
int
    act_slot_init (act_slot_t *self, const act_topo_group_t *group,
                   act_slot_env_t *env);

//  Close the slot's descriptors (its process must be gone).
void
    act_slot_fini (act_slot_t *self);

//  Feed one event. Returns 0, or -1 if a start failed (fork or socketpair:
//  errno says why; the slot stays as it was).
int
    act_slot_event (act_slot_t *self, act_slot_event_t event);

//  Schedule a start at due (monotonic ms): DOWN or WAIT become WAIT.
void
    act_slot_schedule (act_slot_t *self, int64_t due);

//  Record a reaped status (then feed ACT_SLOT_EXIT).
void
    act_slot_reaped (act_slot_t *self, int status);

//  True while the slot has a process.
bool
    act_slot_running (const act_slot_t *self);

//  Why the last process stopped: "normal", "exit code N", "signal N",
//  "signal N (core dumped)", "hung" (its heartbeats stopped) or "init
//  failed: DETAIL". Writes into buf.
const char *
    act_slot_reason (const act_slot_t *self, char *buf, size_t size);

//  Fork a standby, which the next START takes instead of forking then
//  (act_host.h): once a life, never after a standby died on its own.
//  0, or -1 with errno (nothing is left behind).
int
    act_slot_standby_fork (act_slot_t *self);

//  True if act_slot_standby_fork would fork: none now, none yet in this
//  life, none died on its own.
bool
    act_slot_standby_wanted (const act_slot_t *self);

//  Kill the standby, if any, and forget it: its reap is then a stray's.
void
    act_slot_standby_drop (act_slot_t *self);

//  The standby's pid was reaped: it died on its own. Logged, and the
//  slot forks no more of them.
void
    act_slot_standby_died (act_slot_t *self, int status);

//  Name of a state, for logs.
const char *
    act_slot_state_name (act_slot_state_t state);

#endif
