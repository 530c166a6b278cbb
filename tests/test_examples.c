/*  test_examples - run each example under examples/ as a real process and
    check what it prints and how it exits
    SPDX-License-Identifier: MPL-2.0

    The binaries are the ones CMake built next to the library under test.
    Each runs in a child that dies with the test (PR_SET_PDEATHSIG), so a
    failed or timed-out test leaves no server behind. echo is driven over
    real TCP: 50 clients connected at once, then SIGTERM, SIGINT, and its
    exit-after-N-connections argument.
*/

#include "act_test.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define EXAMPLE(name)   ACTORIO_BINARY_DIR "/examples/" name
#define RUN_MS          20000   //  longest an example may take, ms
#define ECHO_CLIENTS    50      //  concurrent echo clients
#define IO_TIMEOUT_S    10      //  per socket call in the clients, s

//  Every test here has the same .timeout (60 s): Criterion 2.4.1's timeout
//  list (boxfort's bxfi_push_timeout) loses a pending request when a test
//  with a shorter timeout starts while one with a longer timeout runs, so
//  under --jobs 2 mixed timeouts leak in the runner (LeakSanitizer fails
//  the sanitized run) and the longer test's timeout stops being enforced.

//  The example running now, killed by s_fini if the test fails early
static pid_t s_child = -1;

static void
s_fini (void)
{
    if (s_child > 0) {
        kill (s_child, SIGKILL);
        waitpid (s_child, NULL, 0);
        s_child = -1;
    }
}

//  Start an example with stdout on a pipe (returned in *out_fd) and stdin
//  on /dev/null; signals at their defaults, whatever the test blocked.
static pid_t
s_start (char *const argv [], int *out_fd)
{
    int out [2];
    cr_assert_eq (pipe2 (out, O_CLOEXEC), 0);
    pid_t pid = fork ();
    cr_assert_neq (pid, -1);
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        sigset_t none;
        sigemptyset (&none);
        sigprocmask (SIG_SETMASK, &none, NULL);
        signal (SIGTERM, SIG_DFL);
        signal (SIGINT, SIG_DFL);
        signal (SIGPIPE, SIG_DFL);
        int null = open ("/dev/null", O_RDONLY);
        if (null == -1 || dup2 (null, 0) == -1 || dup2 (out [1], 1) == -1) {
            _exit (127);
        }
        //  Nothing of the test's (its link to the Criterion runner
        //  included) leaks into the example
        for (int fd = 3; fd < 1024; fd++) {
            close (fd);
        }
        execv (argv [0], argv);
        _exit (127);
    }
    close (out [1]);
    s_child = pid;
    *out_fd = out [0];
    return pid;
}

//  Wait for the child to exit; returns its wait status, fails the test
//  if it is still running after ms.
static int
s_wait_exit (pid_t pid, int ms)
{
    int status = 0;
    bool exited = ACT_WAIT_UNTIL (waitpid (pid, &status, WNOHANG) == pid, ms);
    cr_assert (exited, "the example did not exit within %d ms", ms);
    s_child = -1;
    return status;
}

static bool
s_alive (pid_t pid)
{
    int status;
    if (waitpid (pid, &status, WNOHANG) == 0) {
        return true;
    }
    s_child = -1;
    return false;
}

//  Read fd until EOF or until the deadline; returns the text (caller
//  frees), NUL-terminated.
static char *
s_read_all (int fd, int ms)
{
    size_t size = 0, max = 4096;
    char *text = (char *) malloc (max);
    cr_assert_not_null (text);
    int64_t deadline = act_test_now_ms () + ms;
    while (act_test_now_ms () < deadline) {
        struct pollfd item = { fd, POLLIN, 0 };
        if (poll (&item, 1, (int) (deadline - act_test_now_ms ())) <= 0) {
            continue;
        }
        if (size + 1 == max) {
            max *= 2;
            text = (char *) realloc (text, max);
            cr_assert_not_null (text);
        }
        ssize_t rc = read (fd, text + size, max - size - 1);
        if (rc == 0) {
            break;
        }
        if (rc > 0) {
            size += (size_t) rc;
        }
    }
    text [size] = 0;
    return text;
}

//  Read one line (without its newline) within ms, or fail the test.
static void
s_read_line (int fd, char *line, size_t max, int ms)
{
    size_t size = 0;
    int64_t deadline = act_test_now_ms () + ms;
    while (size + 1 < max) {
        int64_t left = deadline - act_test_now_ms ();
        cr_assert_gt (left, 0, "no full line within %d ms (got \"%.*s\")", ms,
                      (int) size, line);
        struct pollfd item = { fd, POLLIN, 0 };
        if (poll (&item, 1, (int) left) <= 0) {
            continue;
        }
        ssize_t rc = read (fd, line + size, 1);
        cr_assert_eq (rc, 1, "the example closed its output early");
        if (line [size] == '\n') {
            break;
        }
        size++;
    }
    line [size] = 0;
}

//  Run an example to its end; returns its output (caller frees), and its
//  wait status in *status.
static char *
s_run (char *const argv [], int *status)
{
    int out;
    pid_t pid = s_start (argv, &out);
    char *text = s_read_all (out, RUN_MS);
    close (out);
    *status = s_wait_exit (pid, RUN_MS);
    return text;
}

static int
s_count (const char *text, const char *needle)
{
    int count = 0;
    for (const char *at = strstr (text, needle); at; at = strstr (at + 1, needle)) {
        count++;
    }
    return count;
}

Test (examples, hello, .timeout = 60, .fini = s_fini)
{
    int status;
    char *text = s_run ((char *[]) { EXAMPLE ("hello"), NULL }, &status);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "hello exited with status 0x%x", status);
    cr_assert_str_eq (text, "Hello World!\n");
    free (text);
}

Test (examples, manager, .timeout = 60, .fini = s_fini)
{
    int status;
    char *text = s_run ((char *[]) { EXAMPLE ("manager"), NULL }, &status);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "manager exited with status 0x%x:\n%s", status, text);
    cr_assert_eq (s_count (text, "Got a response with result "), 10, "%s", text);
    cr_assert_eq (s_count (text, " stopped (normal)\n"), 10, "%s", text);
    cr_assert_not_null (strstr (text, "Worker 10 stopped (normal)\n"), "%s", text);
    cr_assert_not_null (strstr (text, "10 responses, 10 workers stopped, 0 failed\n"),
                        "%s", text);
    //  Each result is the sleep a Worker did, 0..50 ms
    for (const char *at = strstr (text, "result "); at; at = strstr (at + 1, "result ")) {
        int result = atoi (at + strlen ("result "));
        cr_assert (result >= 0 && result <= 50, "result %d out of range", result);
    }
    free (text);
}

Test (examples, embed, .timeout = 60, .fini = s_fini)
{
    int status;
    char *text = s_run ((char *[]) { EXAMPLE ("embed"), NULL }, &status);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "embed exited with status 0x%x:\n%s", status, text);
    cr_assert_str_eq (text,
        "apple -> apple 1\n"
        "pear -> pear 1\n"
        "apple -> apple 2\n"
        "fig -> fig 1\n"
        "apple -> apple 3\n"
        "embed: all replies as expected\n");
    free (text);
}

//  --------------------------------------------------------------------------
//  echo

//  Start echo with the given arguments and return the port it prints.
static int
s_echo_start (char *const argv [], pid_t *pid, int *out)
{
    *pid = s_start (argv, out);
    char line [64];
    s_read_line (*out, line, sizeof line, RUN_MS);
    int port = 0;
    cr_assert_eq (sscanf (line, "listening on %d", &port), 1, "echo said \"%s\"", line);
    cr_assert (port > 0 && port < 65536);
    return port;
}

//  A blocking TCP connection to the echo server, with timeouts on every
//  call so a broken server fails the test instead of hanging it.
static int
s_connect_with (int port, int rcvbuf)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        return -1;
    }
    if (rcvbuf > 0) {
        setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    struct timeval tv = { IO_TIMEOUT_S, 0 };
    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {
        .sin_family = AF_INET,
        .sin_port = htons ((uint16_t) port),
        .sin_addr.s_addr = htonl (INADDR_LOOPBACK)
    };
    if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == -1) {
        close (fd);
        return -1;
    }
    return fd;
}

static int
s_connect (int port)
{
    return s_connect_with (port, 0);
}

static bool
s_send_all (int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t rc = send (fd, data, size, MSG_NOSIGNAL);
        if (rc <= 0) {
            return false;
        }
        data += rc;
        size -= (size_t) rc;
    }
    return true;
}

//  Receive exactly size bytes and check they equal expected.
static bool
s_recv_expect (int fd, const char *expected, size_t size)
{
    char *data = (char *) malloc (size + 1);
    size_t got = 0;
    while (data && got < size) {
        ssize_t rc = recv (fd, data + got, size - got, 0);
        if (rc <= 0) {
            break;
        }
        got += (size_t) rc;
    }
    bool same = data && got == size && memcmp (data, expected, size) == 0;
    free (data);
    return same;
}

//  After our shutdown, the server must close its side: recv returns 0.
static bool
s_close_and_see_eof (int fd)
{
    char byte;
    bool eof = shutdown (fd, SHUT_WR) == 0 && recv (fd, &byte, 1, 0) == 0;
    close (fd);
    return eof;
}

//  One line there and back.
static bool
s_echo_once (int fd, const char *line)
{
    return s_send_all (fd, line, strlen (line)) && s_recv_expect (fd, line, strlen (line));
}

typedef struct {
    int port;                   //  the server's
    int id;                     //  this client's number
    pthread_barrier_t *barrier; //  all clients connected before any talks
    const char *failure;        //  NULL, or what went wrong
} echo_client_t;

static void *
s_echo_client (void *arg)
{
    echo_client_t *client = (echo_client_t *) arg;
    int fd = s_connect (client->port);
    //  Everyone waits here, connected or not, so the clients really are
    //  all open at once and no failure can leave the others blocked
    pthread_barrier_wait (client->barrier);
    if (fd == -1) {
        client->failure = "connect";
        return NULL;
    }
    char line [64];
    for (int i = 0; i < 10 && !client->failure; i++) {
        snprintf (line, sizeof line, "client %d line %d\n", client->id, i);
        if (!s_echo_once (fd, line)) {
            client->failure = "line by line";
        }
    }
    //  A burst of lines in one send, echoed as the same byte stream
    char burst [100 * 64];
    size_t size = 0;
    for (int i = 0; i < 100; i++) {
        size += (size_t) snprintf (burst + size, sizeof burst - size,
                                   "client %d burst %d\n", client->id, i);
    }
    if (!client->failure
    && !(s_send_all (fd, burst, size) && s_recv_expect (fd, burst, size))) {
        client->failure = "burst";
    }
    //  A line that arrives in two pieces comes back whole
    if (!client->failure
    && !(s_send_all (fd, "split ", 6) && s_send_all (fd, "line\n", 5)
         && s_recv_expect (fd, "split line\n", 11))) {
        client->failure = "split line";
    }
    if (!client->failure && !s_close_and_see_eof (fd)) {
        client->failure = "close";
    }
    else
    if (client->failure) {
        close (fd);
    }
    return NULL;
}

Test (examples, echo_50_clients_then_sigterm, .timeout = 60, .fini = s_fini)
{
    pid_t pid;
    int out;
    int port = s_echo_start ((char *[]) { EXAMPLE ("echo"), NULL }, &pid, &out);

    pthread_barrier_t barrier;
    pthread_barrier_init (&barrier, NULL, ECHO_CLIENTS);
    pthread_t threads [ECHO_CLIENTS];
    echo_client_t clients [ECHO_CLIENTS];
    for (int i = 0; i < ECHO_CLIENTS; i++) {
        clients [i] = (echo_client_t) { port, i, &barrier, NULL };
        cr_assert_eq (pthread_create (&threads [i], NULL, s_echo_client, &clients [i]), 0);
    }
    for (int i = 0; i < ECHO_CLIENTS; i++) {
        pthread_join (threads [i], NULL);
    }
    pthread_barrier_destroy (&barrier);
    int failures = 0;
    for (int i = 0; i < ECHO_CLIENTS; i++) {
        if (clients [i].failure) {
            fprintf (stderr, "client %d failed: %s\n", i, clients [i].failure);
            failures++;
        }
    }
    cr_assert_eq (failures, 0, "%d of %d clients failed", failures, ECHO_CLIENTS);
    //  All gone, and the server still serves
    cr_assert (s_alive (pid), "echo died");
    int fd = s_connect (port);
    cr_assert_neq (fd, -1);
    cr_assert (s_echo_once (fd, "still there?\n"));
    cr_assert (s_close_and_see_eof (fd));

    cr_assert_eq (kill (pid, SIGTERM), 0);
    int status = s_wait_exit (pid, 5000);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "echo exited with status 0x%x after SIGTERM", status);
    char *rest = s_read_all (out, 1000);
    cr_assert_str_empty (rest, "echo printed more on stdout: %s", rest);
    free (rest);
    close (out);
}

//  A client that writes without reading until its own send buffer is
//  full: by then the server's writes have hit EAGAIN and it has stopped
//  reading, holding the echo it owes. Then the client drains both ways;
//  every byte must come back, in order.
Test (examples, echo_slow_reader, .timeout = 60, .fini = s_fini)
{
    pid_t pid;
    int out;
    int port = s_echo_start ((char *[]) { EXAMPLE ("echo"), NULL }, &pid, &out);
    int fd = s_connect_with (port, 4096);
    cr_assert_neq (fd, -1);
    cr_assert_eq (fcntl (fd, F_SETFL, O_NONBLOCK), 0);
    size_t max = 16 * 1024 * 1024, size = 0;
    char *data = (char *) malloc (max);
    char *echo = (char *) malloc (max);
    cr_assert (data && echo);
    for (int i = 0; size + 64 < max; i++) {
        size += (size_t) snprintf (data + size, max - size,
                                   "line %07d of a long stream of lines\n", i);
    }
    size_t sent = 0, received = 0;
    bool stalled = false;           //  our sends hit EAGAIN before all went
    int64_t deadline = act_test_now_ms () + 30000;
    while (received < size && act_test_now_ms () < deadline) {
        if (sent < size) {
            ssize_t rc = send (fd, data + sent, size - sent, MSG_NOSIGNAL);
            if (rc > 0) {
                sent += (size_t) rc;
            }
            else {
                cr_assert (rc == -1 && errno == EAGAIN, "send: %s", strerror (errno));
                stalled = true;
            }
        }
        //  Read nothing until the first EAGAIN, then both ways
        if (!stalled && sent < size) {
            continue;
        }
        struct pollfd item = { fd, (short) (POLLIN | (sent < size? POLLOUT: 0)), 0 };
        if (poll (&item, 1, 100) > 0 && (item.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t rc = recv (fd, echo + received, size - received, 0);
            cr_assert (rc > 0 || (rc == -1 && errno == EAGAIN),
                       "recv after %zu bytes: %zd, %s", received, rc, strerror (errno));
            if (rc > 0) {
                received += (size_t) rc;
            }
        }
    }
    cr_assert_eq (received, size, "%zu of %zu bytes came back", received, size);
    cr_assert (memcmp (echo, data, size) == 0, "the echo differs from what was sent");
    cr_assert (stalled, "the server never pushed back (not a failure of echo, "
                        "but this test did not test what it should)");
    cr_assert_eq (fcntl (fd, F_SETFL, 0), 0);
    cr_assert (s_close_and_see_eof (fd));
    free (data);
    free (echo);

    cr_assert_eq (kill (pid, SIGTERM), 0);
    int status = s_wait_exit (pid, 5000);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "echo exited with status 0x%x after SIGTERM", status);
    close (out);
}

Test (examples, echo_sigint_closes_open_connections, .timeout = 60, .fini = s_fini)
{
    pid_t pid;
    int out;
    int port = s_echo_start ((char *[]) { EXAMPLE ("echo"), NULL }, &pid, &out);
    int fd = s_connect (port);
    cr_assert_neq (fd, -1);
    //  Once it echoes, this connection's Client is running
    cr_assert (s_echo_once (fd, "hello\n"));
    cr_assert_eq (kill (pid, SIGINT), 0);
    //  Stopping the server stops its Clients, which close their sockets
    char byte;
    cr_assert_eq (recv (fd, &byte, 1, 0), 0, "the connection was not closed");
    close (fd);
    int status = s_wait_exit (pid, 5000);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "echo exited with status 0x%x after SIGINT", status);
    close (out);
}

Test (examples, echo_exits_after_n_connections, .timeout = 60, .fini = s_fini)
{
    pid_t pid;
    int out;
    int port = s_echo_start ((char *[]) { EXAMPLE ("echo"), "0", "3", NULL }, &pid, &out);
    for (int i = 0; i < 3; i++) {
        cr_assert (s_alive (pid), "echo exited after %d connections", i);
        int fd = s_connect (port);
        cr_assert_neq (fd, -1);
        cr_assert (s_echo_once (fd, "one line\n"));
        cr_assert (s_close_and_see_eof (fd));
    }
    int status = s_wait_exit (pid, 5000);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0,
               "echo exited with status 0x%x", status);
    close (out);
}

Test (examples, echo_rejects_bad_arguments, .timeout = 60, .fini = s_fini)
{
    int status;
    char *text = s_run ((char *[]) { EXAMPLE ("echo"), "not-a-port", NULL }, &status);
    cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 2,
               "echo exited with status 0x%x", status);
    cr_assert_str_empty (text);
    free (text);
}
