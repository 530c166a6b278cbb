/*  probe - a plugin for trying supervision by hand, and for testing it
    SPDX-License-Identifier: MPL-2.0

    Class "probe". Its args are "ENDPOINT [OPTION ...]": the probe
    connects a DEALER socket to ENDPOINT (a ROUTER someone bound: a test, a
    benchmark, or you with a few lines of Python), introduces itself and
    then does what it is told. Its routing id is "GROUP/ACTOR".

    It sends     ["hello", "GROUP/ACTOR", PID, COUNT]   after setup
                 ["count", COUNT, PID]                  for each "get"
                 ["down", TEXT]                         for each ACT_MSG_GROUP_DOWN
                 ["teardown", "GROUP/ACTOR", PID]       from its teardown
                 ["comm", NAME, PID]    after hello, with option comm: the
                                        process's name (ps) in its setup
    It obeys     ["get"]        answer, then count one more
                 ["crash"]      write through a NULL pointer (SIGSEGV)
                 ["abort"]      abort () (SIGABRT)
                 ["exit", N]    end the process at once with code N (_exit)
                 ["exit-libc", N]    exit (N) on the loop thread, as an
                                application would
                 ["exit-thread", N]  exit (N) from a thread of its own,
                                while the loop runs on
                 ["spawn", HOW] start a child that waits forever: HOW is
                                "exec" (it runs sleep) or "fork" (a copy
                                of the group that pauses); answers
                                ["spawned", PID]
                 ["epipe"]      write to a pipe with no reader; answers
                                ["epipe", ERRNO] (EPIPE's number if the
                                write failed and SIGPIPE did not kill us)
                 ["spin"]       busy-loop in the handler forever, after
                                answering ["spinning", PID]
                 ["block"]      block in the handler forever (pause),
                                after answering ["blocking", PID]
                 ["stop", N]    stop this actor with code N (0: normal)
                 ["dead", N]    tell N messages to a child that stopped
                                in its setup (N dead letters of ours);
                                answers ["dead", N]
                 ["finish", N]  act_group_finish (N): end the whole run
                 ["warn", TEXT] log "GROUP/ACTOR: TEXT" with zsys_warning
                 ["say", TEXT]  write TEXT and a newline on stdout
                 ["flood"]      write empty lines on stdout for ever
    Options      setup=fail     setup fails (the group's init fails)
                 setup=hang     setup never returns
                 setup=stop     setup stops the actor, normally (ACT_STOP)
                 fail_if=PATH   setup fails while PATH exists (a later
                                life's, once a test made it)
                 comm           say the process's name as setup saw it
                 teardown=hang  teardown never returns
                 teardown=ack   after "teardown", wait up to a second for
                                an answer (any message): the group ends
                                with _exit, which would drop an unsent one
                 hello_to=ADDR  also say hello to the actor at ADDR
                                ("GROUP/ACTOR", another probe, usually
                                in another group): a message of type
                                PROBE_HELLO, "GROUP/ACTOR PID", through
                                the run's link
                 chatter=N      write N lines a second (N >= 1000), every
                                ms, one in two on stdout, the others on
                                stderr:
                                "chatter PID out|err SEQ ... PAD end", SEQ
                                counting from 0 on each stream, PAD
                                SEQ % 200 x's
    Between probes (actor messages, through the run's link; a probe's
    ENDPOINT may be "-": no socket, and what it would send is dropped):
                 PROBE_HELLO    "GROUP/ACTOR PID" from a probe's setup
                                (hello_to): answered with a PROBE_GET
                 PROBE_GET      answered with a PROBE_COUNT
                                "GROUP/ACTOR PID COUNT" (a "get", counted)
                 PROBE_COUNT    sent on to the endpoint as
                                ["answered", TEXT]
    The exchange is how bench_restart times a restarted group answering
    a peer of its run, with no new connection of its own in the way.
    COUNT is the probe's state: it survives everything but a restart of
    its own group.
*/
#include <actorio.h>
#include <act_group.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  Message types between probes
#define PROBE_HELLO     0x50480001u
#define PROBE_GET       0x50480002u
#define PROBE_COUNT     0x50480003u

typedef struct {
    zsock_t *sock;              //  DEALER to the endpoint, or NULL
    char id [160];              //  "GROUP/ACTOR"
    unsigned count;             //  the state: "get"s answered
    bool hang_teardown;         //  teardown=hang
    bool ack_teardown;          //  teardown=ack
    int chatter;                //  chatter=N: lines a second
    unsigned said [2];          //  chatter lines written on stdout, stderr
} probe_t;

static void
s_hang (void)
{
    while (true) {
        pause ();
    }
}

//  Writes through NULL. Sanitizers would catch the fault (or the null
//  store) and exit 1 instead: the probe wants the real SIGSEGV.
__attribute__ ((no_sanitize ("undefined", "address")))
static void
s_crash (void)
{
    signal (SIGSEGV, SIG_DFL);
    volatile int *nowhere = NULL;
    *nowhere = 1;
}

//  A handler that never returns and never sleeps: the loop thread burns
//  its CPU, as a runaway computation would.
static void
s_spin (void)
{
    volatile unsigned long turns = 0;
    while (true) {
        turns++;
    }
}

static int
s_gone_setup (act_t *self, void *args)
{
    (void) self;
    (void) args;
    return ACT_STOP;
}

//  A child that is gone before anyone can tell it anything
static const act_class_t s_gone = { .name = "gone", .setup = s_gone_setup };

static void *
s_exit_thread (void *arg)
{
    exit ((int) (intptr_t) arg);
}

//  A child that waits until it is killed. The exec'd one gets every
//  disposition back to its default, as any command a group runs; the
//  forked one keeps the group's handlers, as a helper process does.
static pid_t
s_spawn (const char *how)
{
    pid_t pid = fork ();
    if (pid == 0) {
        if (how && streq (how, "exec")) {
            execlp ("sleep", "sleep", "1000", (char *) NULL);
            _exit (127);
        }
        s_hang ();
    }
    return pid;
}

static int
s_epipe (void)
{
    int pair [2];
    if (pipe (pair) == -1) {
        return errno;
    }
    close (pair [0]);
    int error = write (pair [1], "x", 1) == -1 ? errno : 0;
    close (pair [1]);
    return error;
}

static int
s_send (probe_t *probe, const char *what, const char *a, const char *b, const char *c)
{
    //  Unused trailing frames are NULL, which ends zstr_sendx's list
    return probe->sock ? zstr_sendx (probe->sock, what, a, b, c, NULL) : 0;
}

static int
s_on_command (act_t *self, zsock_t *sock, void *arg)
{
    (void) arg;
    probe_t *probe = (probe_t *) act_state (self);
    char *command = NULL, *value = NULL;
    if (zstr_recvx (sock, &command, &value, NULL) < 1) {
        return ACT_OK;
    }
    int code = value ? atoi (value) : 0;
    int rc = ACT_OK;
    if (streq (command, "get")) {
        char count [16], pid [16];
        snprintf (count, sizeof count, "%u", probe->count++);
        snprintf (pid, sizeof pid, "%d", (int) getpid ());
        s_send (probe, "count", count, pid, NULL);
    }
    else
    if (streq (command, "crash")) {
        s_crash ();
    }
    else
    if (streq (command, "abort")) {
        abort ();
    }
    else
    if (streq (command, "exit")) {
        _exit (code);
    }
    else
    if (streq (command, "exit-libc")) {
        exit (code);
    }
    else
    if (streq (command, "exit-thread")) {
        pthread_t thread;
        if (pthread_create (&thread, NULL, s_exit_thread, (void *) (intptr_t) code) == 0) {
            pthread_detach (thread);
        }
    }
    else
    if (streq (command, "spawn")) {
        char pid [16];
        snprintf (pid, sizeof pid, "%d", (int) s_spawn (value));
        s_send (probe, "spawned", pid, NULL, NULL);
    }
    else
    if (streq (command, "epipe")) {
        char error [16];
        snprintf (error, sizeof error, "%d", s_epipe ());
        s_send (probe, "epipe", error, NULL, NULL);
    }
    else
    if (streq (command, "spin") || streq (command, "block")) {
        //  Said first: the socket's I/O thread sends it while we are stuck
        char pid [16];
        snprintf (pid, sizeof pid, "%d", (int) getpid ());
        bool spin = streq (command, "spin");
        s_send (probe, spin ? "spinning" : "blocking", pid, NULL, NULL);
        if (spin) {
            s_spin ();
        }
        s_hang ();
    }
    else
    if (streq (command, "stop")) {
        act_stop (self, code);
    }
    else
    if (streq (command, "dead")) {
        act_ref_t *gone = act_ref_dup (act_spawn_child (self, &s_gone, NULL));
        for (int i = 0; i < code; i++) {
            act_msg_t *void_msg = act_msg_new (1);
            act_tell (gone, &void_msg);
        }
        act_ref_destroy (&gone);
        s_send (probe, "dead", value, NULL, NULL);
    }
    else
    if (streq (command, "finish")) {
        act_group_finish (code);
    }
    else
    if (streq (command, "warn")) {
        zsys_warning ("%s: %s", probe->id, value ? value : "");
    }
    else
    if (streq (command, "flood")) {
        //  Empty lines on stdout, as fast as they go, for ever: the
        //  supervisor must stay at the run's service meanwhile
        static char lines [65536];
        memset (lines, '\n', sizeof lines);
        while (write (STDOUT_FILENO, lines, sizeof lines) != -1 || errno == EINTR) {
        }
    }
    else
    if (streq (command, "say")) {
        //  As it came, however long: the line is the supervisor's to cut
        printf ("%s\n", value ? value : "");
        fflush (stdout);
    }
    zstr_free (&command);
    zstr_free (&value);
    return rc;
}

//  Each line goes out with one write(2), as a log line should: a SIGKILL
//  between two writes cannot leave half a line in the pipe. The text has
//  what a log format must escape (quotes, a backslash, a tab, UTF-8).
static int
s_chatter (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    probe_t *probe = (probe_t *) act_state (self);
    static const char pad [] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    for (int i = 0; i < probe->chatter / 1000; i++) {
        int stream = (probe->said [0] + probe->said [1]) % 2;
        unsigned seq = probe->said [stream]++;
        char line [512];
        int size = snprintf (line, sizeof line, "chatter %d %s %u \"caf\xc3\xa9\" a\\b\tc %.*s end\n",
                             (int) getpid (), stream ? "err" : "out", seq,
                             (int) (seq % 200), pad);
        ssize_t done = write (stream ? STDERR_FILENO : STDOUT_FILENO, line, (size_t) size);
        (void) done;
    }
    return ACT_OK;
}

static int
s_probe_setup (act_t *self, void *args)
{
    probe_t *probe = (probe_t *) act_state (self);
    const char *text = (const char *) args;
    if (!text) {
        return -1;
    }
    //  First thing: what ps showed while the group's setups ran
    char comm [32] = "";
    FILE *file = strstr (text, " comm") ? fopen ("/proc/self/comm", "r") : NULL;
    if (file) {
        if (fgets (comm, sizeof comm, file)) {
            comm [strcspn (comm, "\n")] = 0;
        }
        fclose (file);
    }
    char endpoint [256];
    snprintf (endpoint, sizeof endpoint, "%.*s", (int) strcspn (text, " "), text);
    if (strstr (text, " setup=fail")) {
        return -1;
    }
    if (strstr (text, " setup=hang")) {
        s_hang ();
    }
    if (strstr (text, " setup=stop")) {
        return ACT_STOP;
    }
    const char *fail_if = strstr (text, " fail_if=");
    if (fail_if) {
        char path [256];
        snprintf (path, sizeof path, "%.*s", (int) strcspn (fail_if + 9, " "), fail_if + 9);
        if (access (path, F_OK) == 0) {
            return -1;
        }
    }
    probe->hang_teardown = strstr (text, " teardown=hang") != NULL;
    probe->ack_teardown = strstr (text, " teardown=ack") != NULL;
    const char *chatter = strstr (text, " chatter=");
    probe->chatter = chatter ? atoi (chatter + 9) : 0;
    if (probe->chatter >= 1000 && act_every (self, 1, s_chatter, NULL) == -1) {
        return -1;
    }
    const char *name = act_ref_name (act_self (self));
    snprintf (probe->id, sizeof probe->id, "%s/%s",
              act_group_name () ? act_group_name () : "-", name ? name : "-");
    if (strcmp (endpoint, "-") != 0) {
        probe->sock = zsock_new (ZMQ_DEALER);
        if (!probe->sock) {
            return -1;
        }
        zsock_set_identity (probe->sock, probe->id);
        if (zsock_connect (probe->sock, "%s", endpoint) == -1
        ||  act_watch_sock (self, probe->sock, s_on_command, NULL) == -1) {
            zsock_destroy (&probe->sock);
            return -1;
        }
    }
    char pid [16];
    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    s_send (probe, "hello", probe->id, pid, "0");
    const char *hello_to = strstr (text, " hello_to=");
    if (hello_to) {
        char address [256];
        snprintf (address, sizeof address, "%.*s", (int) strcspn (hello_to + 10, " "),
                  hello_to + 10);
        act_ref_t *peer = act_find (self, address);
        char *hello = zsys_sprintf ("%s %s", probe->id, pid);
        act_msg_t *msg = hello ? act_msg_new_str (PROBE_HELLO, hello) : NULL;
        zstr_free (&hello);
        int told = peer && msg ? act_tell (peer, &msg) : -1;
        act_msg_destroy (&msg);
        act_ref_destroy (&peer);
        if (told == -1) {
            return -1;
        }
    }
    if (strstr (text, " comm")) {
        s_send (probe, "comm", comm, pid, NULL);
    }
    return ACT_OK;
}

static int
s_probe_handle (act_t *self, act_msg_t *msg)
{
    probe_t *probe = (probe_t *) act_state (self);
    uint32_t type = act_msg_type (msg);
    if (type == ACT_MSG_GROUP_DOWN) {
        s_send (probe, "down", act_msg_str (msg), NULL, NULL);
    }
    else
    if (type == PROBE_HELLO || type == PROBE_GET) {
        act_msg_t *answer = NULL;
        if (type == PROBE_HELLO) {
            answer = act_msg_new (PROBE_GET);
        }
        else {
            char *text = zsys_sprintf ("%s %d %u", probe->id, (int) getpid (), probe->count++);
            answer = text ? act_msg_new_str (PROBE_COUNT, text) : NULL;
            zstr_free (&text);
        }
        //  A peer that went away meanwhile is no error of ours
        if (answer) {
            act_reply (msg, &answer);
        }
    }
    else
    if (type == PROBE_COUNT) {
        s_send (probe, "answered", act_msg_str (msg), NULL, NULL);
    }
    return ACT_OK;
}

static void
s_probe_teardown (act_t *self)
{
    probe_t *probe = (probe_t *) act_state (self);
    if (probe->hang_teardown) {
        s_hang ();
    }
    if (probe->sock) {
        act_unwatch_sock (self, probe->sock);
        char pid [16];
        snprintf (pid, sizeof pid, "%d", (int) getpid ());
        s_send (probe, "teardown", probe->id, pid, NULL);
        if (probe->ack_teardown) {
            zsock_set_rcvtimeo (probe->sock, 1000);
            char *ack = zstr_recv (probe->sock);
            zstr_free (&ack);
        }
        zsock_destroy (&probe->sock);
    }
}

const act_class_t actorio_class_probe = {
    .name = "probe",
    .state_size = sizeof (probe_t),
    .setup = s_probe_setup,
    .handle = s_probe_handle,
    .teardown = s_probe_teardown
};

//  Not classes, under classes' names: fixtures for the check actor-run
//  makes before it starts anything (tests/test_topology.c).
const int actorio_class_not_a_class = 42;

void actorio_class_a_function (void);

void
actorio_class_a_function (void)
{
}
