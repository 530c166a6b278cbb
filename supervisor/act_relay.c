/*  act_relay - a group's output stream, relayed line by line
    SPDX-License-Identifier: MPL-2.0

    Each line goes out with one writev, so it is not torn by our own event
    lines on the same stream. Writing blocks if our reader does: a full
    terminal or log pipe slows the supervisor down rather than dropping
    what the groups say.
*/
#include "act_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
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
    self->used = 0;
    return 0;
}

static void
s_emit (act_relay_t *self, const char *line, size_t size)
{
    struct iovec parts [] = {
        { (void *) self->prefix, strlen (self->prefix) },
        { (void *) ": ", 2 },
        { (void *) line, size },
        { (void *) "\n", 1 }
    };
    //  A short write on a pipe or terminal is rare enough to finish with
    //  plain writes; a failed one is dropped, as for our own log.
    ssize_t done = writev (self->out, parts, 4);
    for (int i = 0; i < 4 && done >= 0; i++) {
        if ((size_t) done >= parts [i].iov_len) {
            done -= (ssize_t) parts [i].iov_len;
            continue;
        }
        const char *rest = (const char *) parts [i].iov_base + done;
        size_t left = parts [i].iov_len - (size_t) done;
        while (left > 0) {
            ssize_t more = write (self->out, rest, left);
            if (more <= 0) {
                return;
            }
            rest += more;
            left -= (size_t) more;
        }
        done = 0;
    }
}

void
act_relay_read (act_relay_t *self)
{
    while (true) {
        ssize_t size = read (self->read_fd, self->buf + self->used,
                             sizeof self->buf - self->used);
        if (size <= 0) {
            if (size == -1 && errno == EINTR) {
                continue;
            }
            return;
        }
        self->used += (size_t) size;
        char *start = self->buf;
        char *end = self->buf + self->used;
        char *newline;
        while ((newline = memchr (start, '\n', (size_t) (end - start)))) {
            s_emit (self, start, (size_t) (newline - start));
            start = newline + 1;
        }
        self->used = (size_t) (end - start);
        if (self->used == sizeof self->buf) {
            s_emit (self, self->buf, self->used);
            self->used = 0;
        }
        else
        if (start != self->buf) {
            memmove (self->buf, start, self->used);
        }
    }
}

void
act_relay_flush (act_relay_t *self)
{
    act_relay_read (self);
    if (self->used) {
        s_emit (self, self->buf, self->used);
        self->used = 0;
    }
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
