/*  act_ctl - the run's control socket: status and operator requests
    SPDX-License-Identifier: MPL-2.0

    The supervisor listens on RUNDIR/.control (AF_UNIX, SOCK_STREAM, mode
    0600 in the 0700 run directory) for `actor-run status|stop|start|
    restart`. One request per connection: a line of words, answered by
    "ok" or "error WHY" on a first line, a body after "ok", then the close.
    Only the run's own uid is served (SO_PEERCRED); anyone else gets a
    refusal line. Every socket is non-blocking and every client has a
    deadline, so a slow or silent client costs a slot for a while and
    never blocks the run. What a request means is the caller's business
    (act_sup): this class moves the bytes and formats the status.
*/
#ifndef ACT_CTL_H_INCLUDED
#define ACT_CTL_H_INCLUDED

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Clients served at once; one more is told "error busy" and closed.
#define ACT_CTL_CLIENTS         8
//  Longest request line, bytes
#define ACT_CTL_REQUEST_MAX     1024
//  A reply's first buffer, bytes: 32 groups of a few actors, counters
//  included, take about 20 KiB; 32 of 64 actors each, about 200 KiB. A
//  larger reply grows it, up to act_ctl_new's bound.
#define ACT_CTL_REPLY_MAX       (256 * 1024)
//  What one group may add to a status reply at most, bytes: its row, 64
//  actors, 16 peers and its links, in JSON (the longer form)
#define ACT_CTL_GROUP_REPLY     (24 * 1024)
//  Time a client has to send its request and take its reply, ms
#define ACT_CTL_TIMEOUT         2000
//  Descriptors act_ctl_pollset may add
#define ACT_CTL_FDS             (1 + ACT_CTL_CLIENTS)

typedef struct _act_ctl_t act_ctl_t;
typedef struct _act_ctl_client_t act_ctl_client_t;

//  Handles one request (a NUL-terminated line, no newline): writes the
//  reply with act_ctl_printf. The reply is sent when it returns, unless
//  the handler deferred it.
typedef void (act_ctl_fn) (void *arg, act_ctl_client_t *client, char *request);

//  Writes the reply of a deferred client, given the tag it was deferred with.
typedef void (act_ctl_resume_fn) (void *arg, act_ctl_client_t *client, int tag);

//  One group's line of the status
typedef struct {
    const char *name;           //  group name, borrowed
    const char *state;          //  up, starting, restarting, stopping, stopped, done, down
    int pid;                    //  its process, 0 if none
    int standby_pid;            //  its standby (actor-run(1)), 0 if none
    int64_t uptime;             //  ms since its process started, 0 if none
    unsigned restarts;          //  restarts in the whole run
    unsigned recent;            //  restarts within the intensity period
    char last_exit [32];        //  normal, code N, SIGNAME, hung; "" if none yet
    bool core_dumped;           //  the last exit dumped a core
    int answered;               //  its counters: 1 in stats, 0 asked but
                                //  no answer in time, -1 not asked
    const char *stats;          //  the group's answer, one line each:
                                //  "a NAME DEPTH HANDLED IDLE_MS",
                                //  "l KIND SENT RECEIVED REFUSED MALFORMED",
                                //  "e ACTORS DEAD_LETTERS"
} act_ctl_group_t;

//  The whole status
typedef struct {
    const char *name;           //  the run's name, borrowed
    const char *state;          //  starting, running, stopping
    int pid;                    //  the supervisor's
    int64_t uptime;             //  ms since the run started
    int intensity;              //  restarts allowed per period
    int period;                 //  the intensity period, ms
    unsigned recent;            //  restarts within the period, every group
    int stats_wait;             //  ms the groups had to answer
    const act_ctl_group_t *groups;  //  count entries, start order
    size_t count;               //  entries in groups
} act_ctl_status_t;

//  Listens on RUNDIR/.control; handler gets every request, whose reply
//  may take up to reply_max bytes (at least ACT_CTL_REPLY_MAX). NULL
//  with errno if the socket cannot be made.
act_ctl_t *
    act_ctl_new (const char *rundir, act_ctl_fn *handler, void *arg, size_t reply_max);

//  Closes every connection and the listening socket (the run directory
//  removes the file). Accepts NULL, nulls the caller's pointer.
void
    act_ctl_destroy (act_ctl_t **self_p);

//  Adds the listening socket and the clients to fds (room for
//  ACT_CTL_FDS); returns how many were added.
size_t
    act_ctl_pollset (act_ctl_t *self, struct pollfd *fds);

//  Serves what the poll reported on the count entries act_ctl_pollset
//  added; now is the monotonic time, ms.
void
    act_ctl_dispatch (act_ctl_t *self, const struct pollfd *fds, size_t count,
                      int64_t now);

//  Closes the clients whose deadline passed, and polls the socket again
//  once its rest after an accept without descriptors is over; returns
//  the nearest deadline left (monotonic ms), 0 if none.
int64_t
    act_ctl_expire (act_ctl_t *self, int64_t now);

//  Appends to a client's reply; a reply that outgrows the bound given
//  to act_ctl_new is replaced by an error line.
void
    act_ctl_printf (act_ctl_client_t *client, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Keeps the client's connection open after its reply, until the run
//  ends: `actor-run stop` returns when the run is gone.
void
    act_ctl_linger (act_ctl_client_t *client);

//  The client's reply waits for act_ctl_resume; tag is handed back then.
void
    act_ctl_defer (act_ctl_client_t *client, int tag);

//  Writes (with fn) and sends the reply of every deferred client still
//  connected.
void
    act_ctl_resume (act_ctl_t *self, act_ctl_resume_fn *fn, void *arg);

//  Writes the status as text or, with json, as one JSON document.
void
    act_ctl_status (act_ctl_client_t *client, const act_ctl_status_t *status,
                    bool json);

//  Writes "code N", "SIGNAME" (with " (core dumped)") or "normal" into buf.
void
    act_ctl_exit_text (char *buf, size_t size, int code, int signo);

#endif
