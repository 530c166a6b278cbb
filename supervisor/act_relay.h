/*  act_relay - a group's output stream, relayed line by line
    SPDX-License-Identifier: MPL-2.0

    The supervisor makes each group's stdout and stderr pipes once, for the
    whole run, and keeps both ends: every incarnation of the group writes
    into the same pipe, so what a crashed process wrote is still read after
    it died, and no line is lost to a restart (s6-svscan does the same for
    its loggers). Each line goes through act_log_line, in the run's log
    format, with the group's name and pid as its source, at level info
    from stdout and error from stderr, unless it is one of czmq's log lines
    ("W: 26-12-01 16:32:08 text"), whose level it keeps (its own stamp
    goes: the line gets ours). The buffer is part of the struct: the relay
    never allocates.
*/
#ifndef ACT_RELAY_H_INCLUDED
#define ACT_RELAY_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

//  Longest line relayed whole, bytes; a longer one comes out in pieces.
#define ACT_RELAY_LINE  4096
#define ACT_RELAY_BUDGET (64 * 1024)    //  bytes read per act_relay_read

typedef struct {
    int read_fd;                //  our end, non-blocking, polled
    int write_fd;               //  the groups' end, kept open across restarts
    int out;                    //  where lines go: STDOUT_FILENO or STDERR_FILENO
                                //  (info, error), unless to a log file
    const char *prefix;         //  the group's name, borrowed
    pid_t pid;                  //  the group's process, or its last one
    size_t used;                //  bytes of an unfinished line in buf
    bool cut;                   //  buf was emitted whole, a piece of a longer
                                //  line: a newline next ends that line
    char buf [ACT_RELAY_LINE];  //  the unfinished line
} act_relay_t;

//  Make the pipe. 0, or -1 with errno from pipe2.
int
    act_relay_open (act_relay_t *self, const char *prefix, int out);

//  Read what the pipe holds now, up to ACT_RELAY_BUDGET bytes, and write
//  out each whole line.
void
    act_relay_read (act_relay_t *self);

//  Read what is left, then write out an unfinished line too: its writer is
//  gone, and the next line must not be glued to it.
void
    act_relay_flush (act_relay_t *self);

//  Close both ends; accepts a relay that was never opened (fds -1).
void
    act_relay_close (act_relay_t *self);

#endif
