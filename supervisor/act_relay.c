/*  act_relay - a group's output stream, relayed line by line
    SPDX-License-Identifier: MPL-2.0

    Each line goes out with one write (act_log_line), so it is not torn by
    our own event lines or another group's on the same stream. Writing
    blocks if our reader does: a full terminal or log pipe slows the
    supervisor down rather than dropping what the groups say.
*/
#include "act_relay.h"
#include "act_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int
act_relay_open (act_relay_t *self, const char *prefix, int out)
{
    int fds [2];
    if (pipe2 (fds, O_CLOEXEC) == -1) {
        return -1;
    }
    fcntl (fds [0], F_SETFL, O_NONBLOCK);
    self->read_fd = fds [0];
    self->write_fd = fds [1];
    self->out = out;
    self->prefix = prefix;
    self->pid = 0;
    self->used = 0;
    self->cut = false;
    return 0;
}

//  The level a czmq log line starts with ("W: 26-12-01 16:32:08 "), and
//  its text after the stamp; -1 if line is not one.
static int
s_czmq_level (const char *line, size_t size, size_t *skip)
{
    //  "L: yy-mm-dd HH:MM:SS ": digits where the pattern has 9
    static const char pattern [] = "L: 99-99-99 99:99:99 ";
    size_t length = sizeof pattern - 1;
    if (size < length) {
        return -1;
    }
    for (size_t i = 1; i < length; i++) {
        bool digit = line [i] >= '0' && line [i] <= '9';
        if (pattern [i] == '9' ? !digit : line [i] != pattern [i]) {
            return -1;
        }
    }
    *skip = length;
    switch (line [0]) {
        case 'E': return ACT_LOG_ERROR;
        case 'W': return ACT_LOG_WARNING;
        case 'N':
        case 'I': return ACT_LOG_INFO;
        case 'D': return ACT_LOG_DEBUG;
        default: return -1;
    }
}

static void
s_emit (act_relay_t *self, const char *line, size_t size)
{
    size_t skip = 0;
    int level = s_czmq_level (line, size, &skip);
    if (level == -1) {
        skip = 0;
        level = self->out == STDOUT_FILENO ? ACT_LOG_INFO : ACT_LOG_ERROR;
    }
    act_log_line (self->out, self->prefix, self->pid, (act_log_level_t) level,
                  line + skip, size - skip);
}

//  Bytes of text [0..size) to emit so that it does not end inside a
//  UTF-8 sequence: the start of a last, unfinished sequence (at most 3
//  bytes back), or size. Bytes that are no UTF-8 are cut anywhere.
static size_t
s_utf8_cut (const char *text, size_t size)
{
    for (size_t back = 1; back <= 3 && back < size; back++) {
        unsigned char byte = (unsigned char) text [size - back];
        if ((byte & 0xC0) != 0x80) {
            //  A lead byte: how long its sequence is
            size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
            return length > back && byte >= 0xC0 ? size - back : size;
        }
    }
    return size;
}

//  Reads and writes out whole lines until the pipe is empty or budget
//  bytes were read.
static void
s_drain (act_relay_t *self, size_t budget)
{
    while (budget) {
        ssize_t size = read (self->read_fd, self->buf + self->used,
                             sizeof self->buf - self->used);
        if (size <= 0) {
            if (size == -1 && errno == EINTR) {
                continue;
            }
            return;
        }
        budget = (size_t) size < budget ? budget - (size_t) size : 0;
        self->used += (size_t) size;
        char *start = self->buf;
        char *end = self->buf + self->used;
        char *newline;
        while ((newline = memchr (start, '\n', (size_t) (end - start)))) {
            //  A line of exactly a buffer (or a multiple) went out whole
            //  already: its newline is no empty line of its own
            if (newline > start || !self->cut) {
                s_emit (self, start, (size_t) (newline - start));
            }
            self->cut = false;
            start = newline + 1;
        }
        self->used = (size_t) (end - start);
        if (self->used == sizeof self->buf) {
            //  A line longer than the buffer goes out in pieces, each cut
            //  before a UTF-8 character that would not fit whole, so no
            //  piece ends with part of one (a valid line stays valid)
            size_t cut = s_utf8_cut (self->buf, self->used);
            s_emit (self, self->buf, cut);
            self->used -= cut;
            self->cut = self->used == 0;
            memmove (self->buf, self->buf + cut, self->used);
        }
        else
        if (start != self->buf) {
            memmove (self->buf, start, self->used);
        }
    }
}

void
act_relay_read (act_relay_t *self)
{
    //  A bounded share per call: a group that writes short lines as fast
    //  as we write them out would keep us here for ever, deaf to signals,
    //  heartbeats, control requests and the other groups. The rest waits
    //  in the pipe for the next round (the group blocks on it meanwhile).
    s_drain (self, ACT_RELAY_BUDGET);
}

void
act_relay_flush (act_relay_t *self)
{
    //  All of it: the writer is gone, the pipe cannot fill again
    s_drain (self, SIZE_MAX);
    if (self->used) {
        s_emit (self, self->buf, self->used);
        self->used = 0;
    }
    self->cut = false;
}

void
act_relay_close (act_relay_t *self)
{
    if (self->read_fd >= 0) {
        close (self->read_fd);
    }
    if (self->write_fd >= 0) {
        close (self->write_fd);
    }
    self->read_fd = self->write_fd = -1;
}
