/*  act_ctl - the run's control socket: status and operator requests
    SPDX-License-Identifier: MPL-2.0

    Everything is allocated in act_ctl_new: a fixed table of clients, each
    with its request and reply buffers, so serving a request of a run of
    up to 32 groups needs no malloc and a flood of clients is bounded by
    the table. A larger run's status may outgrow the reply buffer: it
    grows then, up to the bound the run gave for its number of groups,
    and goes back to its first size once that reply is sent. A client moves
    through three phases: reading its request (until a newline or its
    end of file), sending its reply (as far as the socket takes it, the
    rest when POLLOUT says so), then closed; or, for `stop` of the run,
    lingering with its reply sent until the run ends. The deadline covers
    the first two, so a client that never reads its reply is dropped.

    When accept finds no descriptor free (EMFILE, ENFILE), the connection
    stays queued and the socket readable: polled again, it would wake
    the supervisor at once, for ever. A spare descriptor is held for that
    moment: given up to take the connection, refuse it with the reason,
    and taken again. Without one, the socket is left unpolled a while.
*/
#include "act_ctl.h"
#include "act_log.h"
#include "act_rundir.h"

#include "act_host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct _act_ctl_client_t {
    int fd;                     //  the connection, -1 if the entry is free
    int64_t due;                //  ms the client must be done by, 0: lingering
    char request [ACT_CTL_REQUEST_MAX + 1];  //  what came so far, NUL-terminated
    size_t request_size;        //  bytes in request
    char *reply;                //  reply_cap bytes
    size_t reply_cap;           //  ACT_CTL_REPLY_MAX, more while a large
                                //  reply is being written or sent
    size_t reply_max;           //  the most reply_cap may grow to
    size_t reply_size;          //  bytes written into reply
    size_t reply_sent;          //  bytes of it sent
    bool replying;              //  the request is handled; sending
    bool overflow;              //  the reply did not fit
    bool linger;                //  kept open, reply sent, until the end
    bool deferred;              //  the reply waits for act_ctl_resume
    int tag;                    //  the caller's, while deferred
};

struct _act_ctl_t {
    int fd;                     //  the listening socket
    act_ctl_fn *handler;        //  what a request means
    void *arg;                  //  the handler's
    act_ctl_client_t clients [ACT_CTL_CLIENTS];     //  the table
    uid_t uid;                  //  the only user served
    int spare_fd;               //  /dev/null, held for accept's EMFILE, or -1
    int64_t paused_until;       //  ms; with no spare, the socket is not
                                //  polled until then; 0: polled
};

//  How long the socket rests when accept fails with no spare, ms
#define S_ACCEPT_PAUSE  100

act_ctl_t *
act_ctl_new (const char *rundir, act_ctl_fn *handler, void *arg, size_t reply_max)
{
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    int size = snprintf (address.sun_path, sizeof address.sun_path, "%s/%s", rundir,
                         ACT_RUNDIR_CONTROL);
    if (size < 0 || size >= (int) sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    act_ctl_t *self = (act_ctl_t *) calloc (1, sizeof (act_ctl_t));
    if (!self) {
        return NULL;
    }
    self->handler = handler;
    self->arg = arg;
    self->uid = geteuid ();
    self->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    for (size_t i = 0; i < ACT_CTL_CLIENTS; i++) {
        self->clients [i].fd = -1;
        self->clients [i].reply_cap = ACT_CTL_REPLY_MAX;
        self->clients [i].reply_max = reply_max > ACT_CTL_REPLY_MAX ? reply_max
                                                                    : ACT_CTL_REPLY_MAX;
        self->clients [i].reply = (char *) malloc (ACT_CTL_REPLY_MAX);
        if (!self->clients [i].reply) {
            act_ctl_destroy (&self);
            errno = ENOMEM;
            return NULL;
        }
    }
    self->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    //  0600 from the start: no moment where the file is open to others
    mode_t mask = umask (0177);
    int rc = self->fd == -1 ? -1
           : bind (self->fd, (struct sockaddr *) &address, sizeof address);
    umask (mask);
    if (rc == -1 || listen (self->fd, ACT_CTL_CLIENTS) == -1) {
        int error = errno;
        act_ctl_destroy (&self);
        errno = error;
        return NULL;
    }
    return self;
}

static void
s_close (act_ctl_client_t *client)
{
    if (client->fd >= 0) {
        close (client->fd);
    }
    client->fd = -1;
    //  A large reply's buffer is not kept for the next client
    if (client->reply_cap > ACT_CTL_REPLY_MAX) {
        char *smaller = (char *) realloc (client->reply, ACT_CTL_REPLY_MAX);
        if (smaller) {
            client->reply = smaller;
            client->reply_cap = ACT_CTL_REPLY_MAX;
        }
    }
}

//  Room for need more bytes in client's reply, growing it up to its
//  bound; false if that is not enough (or memory ran out).
static bool
s_reply_room (act_ctl_client_t *client, size_t need)
{
    if (client->reply_size + need < client->reply_cap) {
        return true;
    }
    size_t cap = client->reply_cap;
    while (cap <= client->reply_size + need && cap < client->reply_max) {
        cap = cap > client->reply_max / 2 ? client->reply_max : cap * 2;
    }
    if (cap <= client->reply_size + need) {
        return false;
    }
    char *bigger = (char *) realloc (client->reply, cap);
    if (!bigger) {
        return false;
    }
    client->reply = bigger;
    client->reply_cap = cap;
    return true;
}

void
act_ctl_destroy (act_ctl_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    act_ctl_t *self = *self_p;
    for (size_t i = 0; i < ACT_CTL_CLIENTS; i++) {
        s_close (&self->clients [i]);
        free (self->clients [i].reply);
    }
    if (self->fd >= 0) {
        close (self->fd);
    }
    if (self->spare_fd >= 0) {
        close (self->spare_fd);
    }
    free (self);
    *self_p = NULL;
}

size_t
act_ctl_pollset (act_ctl_t *self, struct pollfd *fds)
{
    size_t count = 0;
    fds [count++] = (struct pollfd) { self->fd, self->paused_until ? 0 : POLLIN, 0 };
    for (size_t i = 0; i < ACT_CTL_CLIENTS; i++) {
        act_ctl_client_t *client = &self->clients [i];
        if (client->fd >= 0) {
            //  A lingering client is watched for its hang-up only
            short events = client->linger || client->deferred ? 0
                         : client->replying ? POLLOUT : POLLIN;
            fds [count++] = (struct pollfd) { client->fd, events, 0 };
        }
    }
    return count;
}

void
act_ctl_printf (act_ctl_client_t *client, const char *format, ...)
{
    if (client->overflow) {
        return;
    }
    size_t room = client->reply_cap - client->reply_size;
    va_list args;
    va_start (args, format);
    int size = vsnprintf (client->reply + client->reply_size, room, format, args);
    va_end (args);
    if (size >= 0 && (size_t) size >= room && s_reply_room (client, (size_t) size)) {
        //  Again, into the room there is now
        room = client->reply_cap - client->reply_size;
        va_start (args, format);
        size = vsnprintf (client->reply + client->reply_size, room, format, args);
        va_end (args);
    }
    if (size < 0 || (size_t) size >= room) {
        client->overflow = true;
        client->reply_size = (size_t) snprintf (client->reply, client->reply_cap,
                                                "error reply too large\n");
        return;
    }
    client->reply_size += (size_t) size;
}

void
act_ctl_linger (act_ctl_client_t *client)
{
    client->linger = true;
}

//  Sends what the socket takes; closes the client once all is sent
//  (unless it lingers), or on any error: a reader that went away.
static void
s_send (act_ctl_client_t *client)
{
    while (client->reply_sent < client->reply_size) {
        ssize_t sent = send (client->fd, client->reply + client->reply_sent,
                             client->reply_size - client->reply_sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent == -1 && errno == EINTR) {
            continue;
        }
        if (sent == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;             //  the rest when POLLOUT says so
        }
        if (sent <= 0) {
            s_close (client);
            return;
        }
        client->reply_sent += (size_t) sent;
    }
    if (client->linger) {
        client->due = 0;
    }
    else {
        s_close (client);
    }
}

//  A whole request came (or the client ended it): hand it over, reply.
static void
s_handle (act_ctl_t *self, act_ctl_client_t *client)
{
    client->request [client->request_size] = 0;
    char *newline = memchr (client->request, '\n', client->request_size);
    size_t line = newline ? (size_t) (newline - client->request) : client->request_size;
    client->request [line] = 0;
    client->replying = true;
    if (strlen (client->request) != line) {
        act_ctl_printf (client, "error malformed request: a NUL byte\n");
    }
    else {
        self->handler (self->arg, client, client->request);
    }
    if (client->deferred) {
        return;
    }
    if (!client->reply_size) {
        act_ctl_printf (client, "ok\n");
    }
    s_send (client);
}

void
act_ctl_defer (act_ctl_client_t *client, int tag)
{
    client->deferred = true;
    client->tag = tag;
}

void
act_ctl_resume (act_ctl_t *self, act_ctl_resume_fn *fn, void *arg)
{
    for (size_t i = 0; i < ACT_CTL_CLIENTS; i++) {
        act_ctl_client_t *client = &self->clients [i];
        if (client->fd >= 0 && client->deferred) {
            client->deferred = false;
            fn (arg, client, client->tag);
            s_send (client);
        }
    }
}

static void
s_read (act_ctl_t *self, act_ctl_client_t *client)
{
    while (client->fd >= 0 && !client->replying) {
        size_t room = ACT_CTL_REQUEST_MAX - client->request_size;
        ssize_t got = room ? recv (client->fd, client->request + client->request_size,
                                   room, MSG_DONTWAIT) : 0;
        if (got == -1 && errno == EINTR) {
            continue;
        }
        if (got == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (got == -1 || (got == 0 && !room)) {
            if (got == 0) {
                act_ctl_printf (client, "error malformed request: longer than %d bytes\n",
                                ACT_CTL_REQUEST_MAX);
                client->replying = true;
                s_send (client);
            }
            else {
                s_close (client);
            }
            return;
        }
        if (got == 0 && !client->request_size) {
            s_close (client);   //  connected, said nothing, left
            return;
        }
        client->request_size += (size_t) got;
        if (got == 0 || memchr (client->request + client->request_size - (size_t) got,
                                '\n', (size_t) got)) {
            s_handle (self, client);
        }
    }
}

//  Takes one connection: a free entry and the run's uid, else a
//  refusal line (best effort: the new socket has room for it) and close.
//  accept found no descriptor free: the spare makes room to take the
//  connection and say why; without it, the socket rests a while.
static void
s_accept_without_fds (act_ctl_t *self, int64_t now)
{
    int error = errno;
    act_log_at (ACT_LOG_WARNING, "refused a control connection: %s", strerror (error));
    if (self->spare_fd < 0) {
        self->paused_until = now + S_ACCEPT_PAUSE;
        return;
    }
    close (self->spare_fd);
    int fd = accept4 (self->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        char refusal [128];
        int size = snprintf (refusal, sizeof refusal, "error busy: the supervisor is out "
                             "of file descriptors (%s)\n", strerror (error));
        send (fd, refusal, (size_t) size, MSG_NOSIGNAL | MSG_DONTWAIT);
        close (fd);
    }
    self->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd == -1 || self->spare_fd == -1) {
        self->paused_until = now + S_ACCEPT_PAUSE;
    }
}

static void
s_accept (act_ctl_t *self, int64_t now)
{
    int fd = accept4 (self->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
        s_accept_without_fds (self, now);
    }
    if (fd == -1) {
        return;
    }
    struct ucred peer;
    socklen_t size = sizeof peer;
    char refusal [128] = "";
    if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) == -1) {
        snprintf (refusal, sizeof refusal, "error refused: %s\n", strerror (errno));
    }
    else
    if (peer.uid != self->uid) {
        snprintf (refusal, sizeof refusal, "error refused: uid %u is not the run's\n",
                  (unsigned) peer.uid);
        act_log_at (ACT_LOG_WARNING, "refused a control connection from uid %u "
                    "(pid %d)", (unsigned) peer.uid, (int) peer.pid);
    }
    act_ctl_client_t *client = NULL;
    for (size_t i = 0; !*refusal && i < ACT_CTL_CLIENTS && !client; i++) {
        if (self->clients [i].fd == -1) {
            client = &self->clients [i];
        }
    }
    if (!*refusal && !client) {
        snprintf (refusal, sizeof refusal, "error busy: %d requests in progress\n",
                  ACT_CTL_CLIENTS);
    }
    if (*refusal) {
        if (send (fd, refusal, strlen (refusal), MSG_NOSIGNAL | MSG_DONTWAIT) == -1) {
            act_log_debug ("unable to send a refusal: %s", strerror (errno));
        }
        //  What the client sent already is read first: a socket closed
        //  with unread input resets, and the client might then lose the
        //  refusal before it reads it
        char drain [ACT_CTL_REQUEST_MAX];
        for (int i = 0; i < 4 && recv (fd, drain, sizeof drain, MSG_DONTWAIT) > 0; i++) {
        }
        close (fd);
        return;
    }
    client->fd = fd;
    client->due = now + ACT_CTL_TIMEOUT;
    client->request_size = client->reply_size = client->reply_sent = 0;
    client->replying = client->overflow = client->linger = client->deferred = false;
    s_read (self, client);
}

void
act_ctl_dispatch (act_ctl_t *self, const struct pollfd *fds, size_t count, int64_t now)
{
    //  Clients first: the entries match the table as it was at poll time,
    //  before an accept could fill a free one.
    for (size_t i = 1; i < count; i++) {
        if (!fds [i].revents) {
            continue;
        }
        act_ctl_client_t *client = NULL;
        for (size_t j = 0; j < ACT_CTL_CLIENTS && !client; j++) {
            if (self->clients [j].fd == fds [i].fd) {
                client = &self->clients [j];
            }
        }
        if (!client) {
            continue;
        }
        if (client->linger || client->deferred || (fds [i].revents & (POLLERR | POLLNVAL))) {
            s_close (client);   //  a waiting client hung up
        }
        else
        if (client->replying) {
            s_send (client);
        }
        else {
            s_read (self, client);
        }
    }
    if (count && fds [0].revents & POLLIN) {
        s_accept (self, now);
    }
}

int64_t
act_ctl_expire (act_ctl_t *self, int64_t now)
{
    int64_t next = 0;
    for (size_t i = 0; i < ACT_CTL_CLIENTS; i++) {
        act_ctl_client_t *client = &self->clients [i];
        if (client->fd < 0 || !client->due) {
            continue;
        }
        if (client->due <= now) {
            act_log_debug ("dropped a control client: no %s within %d ms",
                           client->replying ? "room for its reply" : "request",
                           ACT_CTL_TIMEOUT);
            s_close (client);
        }
        else
        if (!next || client->due < next) {
            next = client->due;
        }
    }
    //  A socket resting after accept ran out of descriptors is polled
    //  again once its rest is over
    if (self->paused_until && self->paused_until <= now) {
        self->paused_until = 0;
    }
    if (self->paused_until && (!next || self->paused_until < next)) {
        next = self->paused_until;
    }
    return next;
}

void
act_ctl_exit_text (char *buf, size_t size, int code, int signo)
{
    if (signo) {
        const char *name = sigabbrev_np (signo);
        if (name) {
            snprintf (buf, size, "SIG%s", name);
        }
        else {
            snprintf (buf, size, "signal %d", signo);
        }
    }
    else
    if (code) {
        snprintf (buf, size, "code %d", code);
    }
    else {
        snprintf (buf, size, "normal");
    }
}

//  Milliseconds as seconds with one decimal, for people
static void
s_duration (char *buf, size_t size, int64_t ms, bool running)
{
    if (!running) {
        snprintf (buf, size, "-");
    }
    else
    if (ms < 60000) {
        snprintf (buf, size, "%lld.%llds", (long long) ms / 1000,
                  (long long) (ms % 1000) / 100);
    }
    else {
        snprintf (buf, size, "%lldm%02llds", (long long) ms / 60000,
                  (long long) (ms % 60000) / 1000);
    }
}

//  Calls fn on each line of a group's answer, parsed; the kind is 'a',
//  'l' or 'e'. Lines that do not parse are skipped (the group's text is
//  input, and the status must stay well formed).
typedef struct {
    char kind;                  //  a(ctor), l(ink), e(nd)
    char name [65];             //  actor name or link kind (names: 64 at most)
    char cls [65];              //  an actor's class, "-" if not said
    uint64_t n [5];             //  the numbers, in the line's order
    char node [65];             //  a peer's node
    char state [16];            //  a peer's state
    long long idle;             //  an actor's idle ms, -1 if none yet
} s_stat_t;

static size_t
s_stats_parse (const char *text, s_stat_t *stats, size_t max)
{
    size_t count = 0;
    while (text && *text && count < max) {
        s_stat_t *stat = &stats [count];
        memset (stat, 0, sizeof *stat);
        int fields = 0;
        stat->kind = *text;
        if (*text == 'a') {
            strcpy (stat->cls, "-");
            fields = sscanf (text, "a %64s %" SCNu64 " %" SCNu64 " %lld %" SCNu64 " %64s",
                             stat->name, &stat->n [0], &stat->n [1], &stat->idle,
                             &stat->n [2], stat->cls) >= 5;
        }
        else
        if (*text == 'l') {
            //  Connections refused came later: a group may not say them
            fields = sscanf (text, "l %64s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                             " %" SCNu64, stat->name, &stat->n [0], &stat->n [1],
                             &stat->n [2], &stat->n [3], &stat->n [4]) >= 5;
        }
        else
        if (*text == 'e') {
            fields = sscanf (text, "e %" SCNu64 " %" SCNu64, &stat->n [0], &stat->n [1]) == 2;
        }
        else
        if (*text == 'p') {
            fields = sscanf (text, "p %64s %64s %15s", stat->name, stat->node,
                             stat->state) == 3;
        }
        //  Names are the loader's: no quote, no backslash, no control
        char *fields_text [4] = { stat->name, stat->node, stat->state, stat->cls };
        for (size_t f = 0; f < 4; f++) {
            for (char *p = fields_text [f]; *p; p++) {
                if (*p == '"' || *p == '\\' || (unsigned char) *p < 0x20) {
                    *p = '?';
                }
            }
        }
        count += fields ? 1 : 0;
        text = strchr (text, '\n');
        text = text ? text + 1 : NULL;
    }
    return count;
}

#define S_STATS_MAX     (ACT_HOST_STATS_ACTORS + ACT_HOST_STATS_PEERS + 8)

static void
s_stats_text (act_ctl_client_t *client, const act_ctl_group_t *group, int wait)
{
    if (group->answered == 0) {
        act_ctl_printf (client, "    (no answer within %d ms)\n", wait);
        return;
    }
    if (group->answered < 0) {
        return;
    }
    s_stat_t stats [S_STATS_MAX];
    size_t count = s_stats_parse (group->stats, stats, S_STATS_MAX);
    for (size_t i = 0; i < count; i++) {
        s_stat_t *stat = &stats [i];
        if (stat->kind == 'a') {
            char idle [32] = "never";
            if (stat->idle >= 0) {
                s_duration (idle, sizeof idle, stat->idle, true);
            }
            char label [sizeof stat->name + sizeof stat->cls + 3];
            snprintf (label, sizeof label, "%s (%s)", stat->name, stat->cls);
            act_ctl_printf (client, "    actor %-30s mailbox %" PRIu64 ", handled %" PRIu64
                            ", dead letters %" PRIu64 ", last handled %s%s\n", label,
                            stat->n [0], stat->n [1], stat->n [2], idle,
                            stat->idle >= 0 ? " ago" : "");
        }
        else
        if (stat->kind == 'l') {
            act_ctl_printf (client, "    link %-5s sent %" PRIu64 ", received %" PRIu64
                            ", refused %" PRIu64 ", malformed %" PRIu64 ", connections "
                            "refused %" PRIu64 "\n", stat->name, stat->n [0], stat->n [1],
                            stat->n [2], stat->n [3], stat->n [4]);
        }
        else
        if (stat->kind == 'p') {
            act_ctl_printf (client, "    peer  %-20s on node %s, %s\n", stat->name,
                            stat->node, stat->state);
        }
        else {
            act_ctl_printf (client, "    %" PRIu64 " actor%s, %" PRIu64 " dead letter%s\n",
                            stat->n [0], stat->n [0] == 1 ? "" : "s", stat->n [1],
                            stat->n [1] == 1 ? "" : "s");
        }
    }
}

static void
s_stats_json (act_ctl_client_t *client, const act_ctl_group_t *group)
{
    if (group->answered <= 0) {
        act_ctl_printf (client, ",\"answered\":%s", group->answered ? "null" : "false");
        return;
    }
    s_stat_t stats [S_STATS_MAX];
    size_t count = s_stats_parse (group->stats, stats, S_STATS_MAX);
    uint64_t actors = 0, dead = 0;
    act_ctl_printf (client, ",\"answered\":true,\"actors\":[");
    bool first = true;
    for (size_t i = 0; i < count; i++) {
        if (stats [i].kind == 'a') {
            act_ctl_printf (client, "%s{\"name\":\"%s\",\"class\":\"%s\",\"mailbox\":%"
                            PRIu64 ",\"handled\":%" PRIu64 ",\"dead_letters\":%" PRIu64
                            ",\"idle_ms\":", first ? "" : ",", stats [i].name, stats [i].cls,
                            stats [i].n [0], stats [i].n [1], stats [i].n [2]);
            if (stats [i].idle >= 0) {
                act_ctl_printf (client, "%lld}", stats [i].idle);
            }
            else {
                act_ctl_printf (client, "null}");
            }
            first = false;
        }
        else
        if (stats [i].kind == 'e') {
            actors = stats [i].n [0];
            dead = stats [i].n [1];
        }
    }
    act_ctl_printf (client, "],\"links\":[");
    first = true;
    for (size_t i = 0; i < count; i++) {
        if (stats [i].kind == 'l') {
            act_ctl_printf (client, "%s{\"kind\":\"%s\",\"sent\":%" PRIu64 ",\"received\":%"
                            PRIu64 ",\"refused\":%" PRIu64 ",\"malformed\":%" PRIu64
                            ",\"connections_refused\":%" PRIu64 "}",
                            first ? "" : ",", stats [i].name, stats [i].n [0],
                            stats [i].n [1], stats [i].n [2], stats [i].n [3],
                            stats [i].n [4]);
            first = false;
        }
    }
    act_ctl_printf (client, "],\"peers\":[");
    first = true;
    for (size_t i = 0; i < count; i++) {
        if (stats [i].kind == 'p') {
            act_ctl_printf (client, "%s{\"group\":\"%s\",\"node\":\"%s\",\"state\":\"%s\"}",
                            first ? "" : ",", stats [i].name, stats [i].node,
                            stats [i].state);
            first = false;
        }
    }
    act_ctl_printf (client, "],\"actor_count\":%" PRIu64 ",\"dead_letters\":%" PRIu64,
                    actors, dead);
}

static void
s_status_text (act_ctl_client_t *client, const act_ctl_status_t *status)
{
    char uptime [32];
    s_duration (uptime, sizeof uptime, status->uptime, true);
    act_ctl_printf (client, "run %s %s, pid %d, up %s, %u restart%s in the last %d ms "
                    "(intensity %d)\n", status->name, status->state, status->pid, uptime,
                    status->recent, status->recent == 1 ? "" : "s", status->period,
                    status->intensity);
    act_ctl_printf (client, "%-16s %-10s %7s %9s %8s %6s  %s\n", "GROUP", "STATE", "PID",
                    "UPTIME", "RESTARTS", "RECENT", "LAST EXIT");
    for (size_t i = 0; i < status->count; i++) {
        const act_ctl_group_t *group = &status->groups [i];
        char pid [16] = "-";
        if (group->pid) {
            snprintf (pid, sizeof pid, "%d", group->pid);
        }
        s_duration (uptime, sizeof uptime, group->uptime, group->pid != 0);
        act_ctl_printf (client, "%-16s %-10s %7s %9s %8u %6u  %s%s\n", group->name,
                        group->state, pid, uptime, group->restarts, group->recent,
                        *group->last_exit ? group->last_exit : "-",
                        group->core_dumped ? " (core dumped)" : "");
        s_stats_text (client, group, status->stats_wait);
    }
}

//  A JSON string; names are checked by the loader, but the status must
//  stay a valid document whatever it holds.
static void
s_json_string (act_ctl_client_t *client, const char *text)
{
    act_ctl_printf (client, "\"");
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            act_ctl_printf (client, "\\%c", *p);
        }
        else
        if (*p < 0x20) {
            act_ctl_printf (client, "\\u%04x", *p);
        }
        else {
            act_ctl_printf (client, "%c", *p);
        }
    }
    act_ctl_printf (client, "\"");
}

static void
s_status_json (act_ctl_client_t *client, const act_ctl_status_t *status)
{
    act_ctl_printf (client, "{\"run\":");
    s_json_string (client, status->name);
    act_ctl_printf (client, ",\"state\":\"%s\",\"pid\":%d,\"uptime_ms\":%lld,"
                    "\"intensity\":%d,\"period_ms\":%d,\"recent_restarts\":%u,\"groups\":[",
                    status->state, status->pid, (long long) status->uptime,
                    status->intensity, status->period, status->recent);
    for (size_t i = 0; i < status->count; i++) {
        const act_ctl_group_t *group = &status->groups [i];
        act_ctl_printf (client, "%s{\"name\":", i ? "," : "");
        s_json_string (client, group->name);
        act_ctl_printf (client, ",\"state\":\"%s\"", group->state);
        if (group->pid) {
            act_ctl_printf (client, ",\"pid\":%d,\"uptime_ms\":%lld", group->pid,
                            (long long) group->uptime);
        }
        else {
            act_ctl_printf (client, ",\"pid\":null,\"uptime_ms\":null");
        }
        act_ctl_printf (client, ",\"restarts\":%u,\"recent_restarts\":%u,\"last_exit\":",
                        group->restarts, group->recent);
        if (*group->last_exit) {
            s_json_string (client, group->last_exit);
        }
        else {
            act_ctl_printf (client, "null");
        }
        act_ctl_printf (client, ",\"core_dumped\":%s", group->core_dumped ? "true" : "false");
        if (group->standby_pid) {
            act_ctl_printf (client, ",\"standby_pid\":%d", group->standby_pid);
        }
        else {
            act_ctl_printf (client, ",\"standby_pid\":null");
        }
        s_stats_json (client, group);
        act_ctl_printf (client, "}");
    }
    act_ctl_printf (client, "]}\n");
}

void
act_ctl_status (act_ctl_client_t *client, const act_ctl_status_t *status, bool json)
{
    act_ctl_printf (client, "ok\n");
    if (json) {
        s_status_json (client, status);
    }
    else {
        s_status_text (client, status);
    }
}
