/*  act_rundir - the run's private directory and its lock
    SPDX-License-Identifier: MPL-2.0

    Every run owns one directory (mode 0700) for its endpoints, and holds
    an exclusive flock(2) on RUNDIR/lock for as long as it runs: a second
    actor-run on the same directory is refused, and never binds over a
    live run's endpoints. The lock file says it is actor-run's (a first
    line of its own) and lists the files the run may create there, one
    per group; the control socket (ACT_RUNDIR_CONTROL) is the run's own,
    like the lock. actor-run removes only those files, its lock, and the
    directory if it made it; a directory holding anything else (a lock
    file that is not ours, a file no run listed) is refused before
    anything in it changes, never emptied.
*/
#ifndef ACT_RUNDIR_H_INCLUDED
#define ACT_RUNDIR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct _act_rundir_t act_rundir_t;

//  The first line of every lock file actor-run writes
#define ACT_RUNDIR_LOCK_MAGIC   "actorio run directory lock 1"

//  The run's control socket (act_ctl), the run's own file like the lock:
//  a name no group can take (theirs never start with '.').
#define ACT_RUNDIR_CONTROL      ".control"

//  The longest path of a unix socket (sun_path less its NUL), bytes
#define ACT_RUNDIR_SOCKET_MAX   107

//  The default run directory of a run called name:
//  $XDG_RUNTIME_DIR/actorio/NAME, else /tmp/actorio-UID/NAME. With create,
//  creates the parent (mode 0700) when missing. Caller frees. NULL after
//  logging why.
char *
    act_rundir_default (const char *name, bool create);

//  Checks that every endpoint path (RUNDIR/NAME for each of the count
//  names) fits in a unix socket address, with path made absolute as the
//  groups will see it; 0, or -1 after logging what the limit is.
int
    act_rundir_check (const char *path, const char **names, size_t count);

//  Create or take over the directory at path and lock it; names are the
//  files the run may create in it (its groups' endpoints). What a dead
//  run left there is removed only if its lock names it. NULL after
//  logging why (a fatal message), with nothing in the directory changed.
act_rundir_t *
    act_rundir_open (const char *path, const char **names, size_t count);

//  The absolute path (borrowed).
const char *
    act_rundir_path (act_rundir_t *self);

//  Remove what the run created (its endpoints, its control socket, its lock, the directory if
//  it made it), then give the lock up. Accepts NULL, nulls the caller's
//  pointer.
void
    act_rundir_remove (act_rundir_t **self_p);

#endif
