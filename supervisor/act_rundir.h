/*  act_rundir - the run's private directory and its lock
    SPDX-License-Identifier: MPL-2.0

    Every run owns one directory (mode 0700) for its endpoints and files,
    and holds an exclusive flock(2) on RUNDIR/lock for as long as it runs:
    a second actor-run on the same directory is refused, and never binds
    over a live run's endpoints. What a crashed run left behind is cleared
    only once the lock is ours. A directory that is not ours (another
    owner), or that holds files but no lock file (not a run directory), is
    refused rather than emptied.
*/
#ifndef ACT_RUNDIR_H_INCLUDED
#define ACT_RUNDIR_H_INCLUDED

typedef struct _act_rundir_t act_rundir_t;

//  The default run directory of a run called name:
//  $XDG_RUNTIME_DIR/actorio/NAME, else /tmp/actorio-UID/NAME, creating the
//  parent (mode 0700) when missing. Caller frees. NULL after logging why.
char *
    act_rundir_default (const char *name);

//  Create or take over the directory at path, lock it and clear what a
//  dead run left there. NULL after logging why (a fatal message).
act_rundir_t *
    act_rundir_open (const char *path);

//  The absolute path (borrowed).
const char *
    act_rundir_path (act_rundir_t *self);

//  Remove the directory and everything in it, then give the lock up.
//  Accepts NULL, nulls the caller's pointer.
void
    act_rundir_remove (act_rundir_t **self_p);

#endif
