/*  echo - the seed's websocket example as a TCP echo server
    SPDX-License-Identifier: MPL-2.0

    Usage: echo [PORT [CONNECTIONS]]

    Listens on 127.0.0.1:PORT (0, the default, picks a free port) and
    prints "listening on PORT". An Acceptor actor watches the listening
    socket and spawns one Client child per connection; each Client watches
    its own socket (the seed's register_input_task), echoes every line back,
    and stops when the peer closes (the seed's EndMainLoop). With
    CONNECTIONS > 0 the server exits after that many connections have
    closed. SIGTERM and SIGINT stop it cleanly: the library installs no
    signal handlers, so we block both and read them from a signalfd that the
    Acceptor watches like any other input. Stopping the Acceptor stops its
    Clients first, which closes their connections.
*/

#include <actorio.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_BYTES  4096    //  a longer line is echoed in pieces
#define RETRY_MS        5       //  write retry delay when the peer is slow

//  --------------------------------------------------------------------------
//  Client: one connection

typedef struct {
    int fd;                     //  the connection, ours to close
    bool reading;               //  fd watched for input
    char line [LINE_MAX_BYTES]; //  bytes of an incomplete line
    size_t line_size;           //  bytes in line
    char *out;                  //  echo not yet written, malloc'd
    size_t out_size;            //  bytes in out
    size_t out_max;             //  bytes allocated for out
} client_t;

static int s_client_readable (act_t *self, int fd, void *arg);

static int
s_client_queue (client_t *client, const char *data, size_t size)
{
    if (client->out_size + size > client->out_max) {
        size_t max = client->out_max? client->out_max * 2: LINE_MAX_BYTES;
        while (max < client->out_size + size) {
            max *= 2;
        }
        char *out = (char *) realloc (client->out, max);
        if (!out) {
            return -1;
        }
        client->out = out;
        client->out_max = max;
    }
    memcpy (client->out + client->out_size, data, size);
    client->out_size += size;
    return 0;
}

//  Write what we can without blocking. Returns 0, or -1 on a dead peer.
static int
s_client_flush (client_t *client)
{
    size_t done = 0;
    while (done < client->out_size) {
        //  MSG_NOSIGNAL: a vanished peer is an error here, not a SIGPIPE
        ssize_t rc = send (client->fd, client->out + done,
                           client->out_size - done, MSG_NOSIGNAL);
        if (rc > 0) {
            done += (size_t) rc;
        }
        else
        if (rc == -1 && errno == EINTR) {
            continue;
        }
        else
        if (rc == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        else {
            return -1;
        }
    }
    memmove (client->out, client->out + done, client->out_size - done);
    client->out_size -= done;
    return 0;
}

//  A slow reader filled its socket buffer: we stopped reading from it (so
//  it cannot make us buffer without bound) and retry the write later, as
//  watches only tell us of input.
static int
s_client_retry (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    client_t *client = (client_t *) act_state (self);
    if (s_client_flush (client) == -1) {
        return ACT_STOP;
    }
    if (client->out_size > 0) {
        return act_after (self, RETRY_MS, s_client_retry, NULL) == -1? -1: ACT_OK;
    }
    if (act_watch_fd (self, client->fd, s_client_readable, NULL) == -1) {
        return -1;
    }
    client->reading = true;
    return ACT_OK;
}

static int
s_client_readable (act_t *self, int fd, void *arg)
{
    (void) arg;
    client_t *client = (client_t *) act_state (self);
    ssize_t size = recv (fd, client->line + client->line_size,
                         sizeof client->line - client->line_size, 0);
    if (size == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return ACT_OK;
    }
    if (size <= 0) {
        //  The peer closed (or reset): echo any unterminated last line,
        //  best effort, and stop
        if (client->line_size > 0
        &&  s_client_queue (client, client->line, client->line_size) == 0) {
            s_client_flush (client);
        }
        return ACT_STOP;
    }
    client->line_size += (size_t) size;
    //  Queue every complete line; keep the incomplete rest for later
    char *end = (char *) memrchr (client->line, '\n', client->line_size);
    size_t complete = end? (size_t) (end - client->line) + 1: 0;
    if (complete == 0 && client->line_size == sizeof client->line) {
        complete = client->line_size;
    }
    if (complete > 0) {
        if (s_client_queue (client, client->line, complete) == -1) {
            return -1;
        }
        memmove (client->line, client->line + complete, client->line_size - complete);
        client->line_size -= complete;
        if (s_client_flush (client) == -1) {
            return ACT_STOP;
        }
        if (client->out_size > 0) {
            act_unwatch_fd (self, fd);
            client->reading = false;
            if (act_after (self, RETRY_MS, s_client_retry, NULL) == -1) {
                return -1;
            }
        }
    }
    return ACT_OK;
}

//  What the Acceptor hands a new Client: the connection, and whether the
//  Client took it (else the Acceptor still owns it and closes it)
typedef struct {
    int fd;                     //  the accepted connection
    bool taken;                 //  set by the Client's setup
} client_args_t;

static int
s_client_setup (act_t *self, void *args)
{
    client_t *client = (client_t *) act_state (self);
    client_args_t *client_args = (client_args_t *) args;
    client->fd = client_args->fd;
    client_args->taken = true;
    if (act_watch_fd (self, client->fd, s_client_readable, NULL) == -1) {
        close (client->fd);
        client->fd = -1;
        return -1;
    }
    client->reading = true;
    return ACT_OK;
}

static void
s_client_teardown (act_t *self)
{
    client_t *client = (client_t *) act_state (self);
    //  Unwatch before close, so the loop never polls a closed (or reused)
    //  descriptor number
    if (client->reading) {
        act_unwatch_fd (self, client->fd);
    }
    if (client->fd >= 0) {
        close (client->fd);
    }
    free (client->out);
}

static const act_class_t s_client = {
    .name = "client",
    .state_size = sizeof (client_t),
    .setup = s_client_setup,
    .teardown = s_client_teardown
    //  No handle: a Client takes no messages, only socket input
};

//  --------------------------------------------------------------------------
//  Acceptor: the listening socket, the signals, and a Client per connection

typedef struct {
    int listener;               //  listening socket (main owns it)
    int signals;                //  signalfd for SIGTERM and SIGINT (main owns it)
    long max_closed;            //  stop after this many closed, 0: never
} acceptor_args_t;

typedef struct {
    acceptor_args_t args;       //  copied from spawn
    long accepted;              //  connections accepted
    long closed;                //  Clients stopped
} acceptor_t;

static int
s_acceptor_accept (act_t *self, int fd, void *arg)
{
    (void) arg;
    acceptor_t *acceptor = (acceptor_t *) act_state (self);
    //  The listener is non-blocking: take every pending connection
    while (true) {
        int conn = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn == -1) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                //  EMFILE and friends: keep serving who we have
                fprintf (stderr, "echo: accept: %s\n", strerror (errno));
            }
            return ACT_OK;
        }
        //  The Client's setup runs inside act_spawn_child, so args may
        //  live on our stack
        client_args_t args = { conn, false };
        if (act_spawn_child (self, &s_client, &args)) {
            acceptor->accepted++;
        }
        else {
            fprintf (stderr, "echo: unable to start a client: %s\n", strerror (errno));
        }
        if (!args.taken) {
            close (conn);
        }
    }
}

static int
s_acceptor_signal (act_t *self, int fd, void *arg)
{
    (void) self;
    (void) arg;
    struct signalfd_siginfo info;
    if (read (fd, &info, sizeof info) != (ssize_t) sizeof info) {
        return ACT_OK;
    }
    fprintf (stderr, "echo: %s, stopping\n", strsignal ((int) info.ssi_signo));
    return ACT_STOP;
}

static int
s_acceptor_setup (act_t *self, void *args)
{
    acceptor_t *acceptor = (acceptor_t *) act_state (self);
    acceptor->args = *(acceptor_args_t *) args;
    if (act_watch_fd (self, acceptor->args.listener, s_acceptor_accept, NULL) == -1
    ||  act_watch_fd (self, acceptor->args.signals, s_acceptor_signal, NULL) == -1) {
        return -1;
    }
    return ACT_OK;
}

static void
s_acceptor_child_stopped (act_t *self, act_ref_t *child, const act_exit_t *why)
{
    (void) child;
    acceptor_t *acceptor = (acceptor_t *) act_state (self);
    acceptor->closed++;
    //  Handling child_stopped ourselves means a failed Client does not
    //  escalate: one bad connection must not take the server down
    if (act_exit_failed (why)) {
        fprintf (stderr, "echo: a client failed (%s, %d)\n",
                 act_exit_kind_name (why->kind), why->code);
    }
    if (acceptor->args.max_closed > 0 && acceptor->closed >= acceptor->args.max_closed) {
        act_stop (self, 0);
    }
}

static void
s_acceptor_teardown (act_t *self)
{
    acceptor_t *acceptor = (acceptor_t *) act_state (self);
    fprintf (stderr, "echo: served %ld connections\n", acceptor->accepted);
}

static const act_class_t s_acceptor = {
    .name = "acceptor",
    .state_size = sizeof (acceptor_t),
    .setup = s_acceptor_setup,
    .child_stopped = s_acceptor_child_stopped,
    .teardown = s_acceptor_teardown
};

//  --------------------------------------------------------------------------

static int
s_usage (void)
{
    fprintf (stderr, "usage: echo [PORT [CONNECTIONS]]\n");
    return 2;
}

static bool
s_parse (const char *text, long max, long *value)
{
    char *end;
    errno = 0;
    long parsed = strtol (text, &end, 10);
    if (errno || end == text || *end || parsed < 0 || parsed > max) {
        return false;
    }
    *value = parsed;
    return true;
}

int
main (int argc, char *argv [])
{
    long port = 0, max_closed = 0;
    if (argc > 3
    || (argc > 1 && !s_parse (argv [1], 65535, &port))
    || (argc > 2 && !s_parse (argv [2], 1000000000L, &max_closed))) {
        return s_usage ();
    }
    //  Block the signals before any thread exists, so every thread inherits
    //  the mask and they reach only our signalfd
    sigset_t mask;
    sigemptyset (&mask);
    sigaddset (&mask, SIGTERM);
    sigaddset (&mask, SIGINT);
    pthread_sigmask (SIG_BLOCK, &mask, NULL);
    int signals = signalfd (-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

    int listener = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_port = htons ((uint16_t) port),
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK)
    };
    socklen_t addr_size = sizeof addr;
    if (signals == -1 || listener == -1
    ||  setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1
    ||  bind (listener, (struct sockaddr *) &addr, sizeof addr) == -1
    ||  listen (listener, SOMAXCONN) == -1
    ||  getsockname (listener, (struct sockaddr *) &addr, &addr_size) == -1) {
        fprintf (stderr, "echo: unable to listen on port %ld: %s\n", port, strerror (errno));
        return 1;
    }
    act_system_t *system = act_system_new ("echo");
    acceptor_args_t args = { listener, signals, max_closed };
    act_ref_t *acceptor = system? act_spawn (system, &s_acceptor, &args): NULL;
    act_exit_t why = { ACT_EXIT_NORMAL, 0 };
    int rc = 1;
    if (acceptor) {
        printf ("listening on %d\n", ntohs (addr.sin_port));
        fflush (stdout);
        if (act_ref_wait (acceptor, -1, &why) == 0 && !act_exit_failed (&why)) {
            rc = 0;
        }
        else {
            fprintf (stderr, "echo: the acceptor failed (%s, %d)\n",
                     act_exit_kind_name (why.kind), why.code);
        }
    }
    else {
        fprintf (stderr, "echo: unable to start: %s\n", strerror (errno));
    }
    act_ref_destroy (&acceptor);
    act_system_destroy (&system);
    close (listener);
    close (signals);
    return rc;
}
