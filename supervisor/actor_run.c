/*  actor_run - the actor-run program: options, topology, run directory
    SPDX-License-Identifier: MPL-2.0

    actor-run [--check] [--verbose] [--rundir DIR] [--node NAME --key FILE]
    TOPOLOGY
    Loads and checks the topology, takes the run directory, and hands over
    to the supervisor (act_sup). See actor-run(1).

    actor-run status|stop|start|restart [--json] [--rundir DIR] TOPOLOGY
    [GROUP...] is a client instead: it sends one request to the running
    supervisor's control socket (act_ctl) and prints the answer, within a
    deadline, so it never hangs on a stuck run.

    actor-run keygen DIR NAME writes a node's key pair (act_node).

    Signals are blocked once the topology is loaded, before anything could
    fork: from then on they are events the supervisor reads from a
    signalfd, never handlers. While loading they keep their default
    action, so a topology read from a pipe that never ends cannot make
    actor-run deaf to SIGTERM. Nothing here creates a ZeroMQ context:
    the groups are forked from this process (see act_spawn).
*/
#include "actorio.h"
#include "act_log.h"
#include "act_node.h"
#include "act_rundir.h"
#include "act_sup.h"
#include "act_topology.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void
s_usage (FILE *stream)
{
    fprintf (stream,
        "usage: actor-run [--check] [--verbose] [--rundir DIR] [--log-file PATH]\n"
        "                 [--node NAME --key SECRETFILE] TOPOLOGY\n"
        "       actor-run status [--json] [--rundir DIR] TOPOLOGY\n"
        "       actor-run stop|start|restart [--rundir DIR] TOPOLOGY [GROUP...]\n"
        "       actor-run keygen DIR NAME\n"
        "       actor-run --help | --version\n"
        "Start the groups of TOPOLOGY (a ZPL file), keep them running, and stop\n"
        "them on SIGTERM or SIGINT.\n"
        "  -c, --check        check the topology, start nothing\n"
        "  -v, --verbose      log details besides events\n"
        "  -r, --rundir DIR   run directory (default $XDG_RUNTIME_DIR/actorio/NAME,\n"
        "                     else /tmp/actorio-UID/NAME)\n"
        "  -n, --node NAME    run the groups of node NAME only (a run across hosts)\n"
        "  -k, --key FILE     the node's secret key (mode 0600, from keygen)\n"
        "  -l, --log-file PATH  log there instead of the topology's log_file\n"
        "                     (- for standard output and error)\n"
        "  -j, --json         with status: print one JSON document\n"
        "  -h, --help         show this help\n"
        "  -V, --version      show the version\n"
        "Exit codes: 0 stopped, 100 usage or invalid topology, 101 gave up\n"
        "restarting, 102 a group failed to start, 103 stopped but a group was\n"
        "killed past its grace, 104 no such group, 105 no run answers, 106 the\n"
        "run refused the request, 111 system failure.\n"
        "See actor-run(1) and actorio-topology(5).\n");
}

//  Descriptors 0-2 must be open: a pipe made later must not land on one,
//  where a group would take it for its stdout.
static void
s_standard_fds (void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl (fd, F_GETFD) == -1 && errno == EBADF) {
            int null_fd = open ("/dev/null", O_RDWR);
            if (null_fd >= 0 && null_fd != fd) {
                dup2 (null_fd, fd);
                close (null_fd);
            }
        }
    }
}

//  Blocks the signals the supervisor reads from its signalfd, once the
//  topology is loaded and before anything could fork; mask gets the old
//  mask. Not sooner: a topology that never ends (a pipe, a slow disk)
//  must leave actor-run to SIGTERM and SIGINT.
static void
s_block_signals (sigset_t *mask)
{
    sigset_t blocked;
    act_sup_signals (&blocked);
    sigprocmask (SIG_BLOCK, &blocked, mask);
}

//  What follows command on its line of the usage, or NULL if command is
//  not one.
static const char *
s_command_args (const char *command)
{
    return streq (command, "status") ? "[--json] [--rundir DIR] TOPOLOGY"
         : streq (command, "stop") ? "[--rundir DIR] TOPOLOGY [GROUP...]"
         : streq (command, "start") || streq (command, "restart")
                                   ? "[--rundir DIR] TOPOLOGY GROUP..."
         : streq (command, "keygen") ? "DIR NAME" : NULL;
}

typedef struct {
    const char *command;        //  status, stop, start, restart; NULL: run
    bool json;                  //  --json
    char **groups;              //  the GROUP operands of a command
    size_t group_count;         //  entries in groups
    bool check;                 //  --check
    const char *rundir;         //  --rundir, or NULL
    const char *topology;       //  the one operand
    const char *node;           //  --node, or NULL
    const char *key;            //  --key, or NULL
    const char *log_file;       //  --log-file, or NULL
} s_options_t;

//  Parses the command line; returns -1 to go on, else an exit code.
static int
s_options (int argc, char **argv, s_options_t *options)
{
    static const struct option longs [] = {
        { "check", no_argument, NULL, 'c' },
        { "verbose", no_argument, NULL, 'v' },
        { "rundir", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "json", no_argument, NULL, 'j' },
        { "node", required_argument, NULL, 'n' },
        { "key", required_argument, NULL, 'k' },
        { "log-file", required_argument, NULL, 'l' },
        { NULL, 0, NULL, 0 }
    };
    static const char *commands [] = { "status", "stop", "start", "restart" };
    for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof *commands; i++) {
        if (streq (argv [1], commands [i])) {
            options->command = commands [i];
            argc--;
            argv++;
        }
    }
    int option;
    while ((option = getopt_long (argc, argv, "cvr:n:k:l:jhV", longs, NULL)) != -1) {
        switch (option) {
            case 'j':
                options->json = true;
                break;
            case 'c':
                options->check = true;
                break;
            case 'v':
                act_log_set_verbose (true);
                break;
            case 'r':
                options->rundir = optarg;
                break;
            case 'n':
                options->node = optarg;
                break;
            case 'k':
                options->key = optarg;
                break;
            case 'l':
                options->log_file = optarg;
                break;
            case 'h':
                s_usage (stdout);
                return ACT_RUN_EXIT_OK;
            case 'V':
                printf ("actor-run (actorio) %d.%d.%d\n", ACTORIO_VERSION_MAJOR,
                        ACTORIO_VERSION_MINOR, ACTORIO_VERSION_PATCH);
                return ACT_RUN_EXIT_OK;
            default:
                s_usage (stderr);
                return ACT_RUN_EXIT_USAGE;
        }
    }
    const char *command = options->command;
    int operands = argc - optind;
    bool status = command && streq (command, "status");
    if (command && (options->check || options->log_file || (options->json && !status)
                    || operands < (status || streq (command, "stop") ? 1 : 2)
                    || (status && operands != 1))) {
        fprintf (stderr, "actor-run: %s takes %s\n", command, s_command_args (command));
        s_usage (stderr);
        return ACT_RUN_EXIT_USAGE;
    }
    if (command) {
        options->topology = argv [optind];
        options->groups = argv + optind + 1;
        options->group_count = (size_t) (argc - optind - 1);
        return -1;
    }
    if (optind < argc - 1 && !strpbrk (argv [optind], "./")
    &&  access (argv [optind], F_OK) != 0) {
        //  "actor-run stauts run.zpl": a command mistyped, not two topologies;
        //  "actor-run --rundir DIR status run.zpl": a command after an option
        const char *word = argv [optind];
        if (s_command_args (word)) {
            fprintf (stderr, "actor-run: the command goes first, before any option: "
                     "actor-run %s %s\n", word, s_command_args (word));
        }
        else {
            fprintf (stderr, "actor-run: unknown command '%s': the commands are status, "
                     "stop, start, restart and keygen\n", word);
        }
        s_usage (stderr);
        return ACT_RUN_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        fprintf (stderr, "actor-run: %s\n", optind < argc ? "one topology only"
                                                          : "no topology given");
        s_usage (stderr);
        return ACT_RUN_EXIT_USAGE;
    }
    //  Taken silently, it would let "actor-run --check --json" look like
    //  it printed JSON
    if (options->json) {
        fprintf (stderr, "actor-run: --json goes with status only\n");
        s_usage (stderr);
        return ACT_RUN_EXIT_USAGE;
    }
    if (!options->node != !options->key) {
        fprintf (stderr, "actor-run: --node and --key go together\n");
        s_usage (stderr);
        return ACT_RUN_EXIT_USAGE;
    }
    options->topology = argv [optind];
    return -1;
}

//  Loads and checks the topology, for a control command only what it
//  needs (act_topology_load_control); NULL after printing every problem.
static act_topology_t *
s_load (const char *path, bool command)
{
    zlist_t *errors = zlist_new ();
    assert (errors);
    zlist_autofree (errors);
    act_topology_t *topology = command ? act_topology_load_control (path, errors)
                                       : act_topology_load (path, errors);
    if (!topology) {
        size_t count = zlist_size (errors);
        for (char *error = (char *) zlist_first (errors); error;
             error = (char *) zlist_next (errors)) {
            fprintf (stderr, "%s\n", error);
            //  The loader lists the first ones, then how many more
            size_t more;
            if (sscanf (error, "... and %zu more", &more) == 1) {
                count += more - 1;
            }
        }
        fprintf (stderr, "actor-run: %s: %zu problem%s, nothing started\n", path,
                 count, count == 1 ? "" : "s");
    }
    zlist_destroy (&errors);
    return topology;
}

//  Milliseconds an answer may take: the run answers in a few; this is
//  for a supervisor that is stopped or swamped, so none hangs.
#define S_ANSWER_TIMEOUT    5000

static int64_t
s_clock (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

//  Reads what the run answers until it closes (or, with line, until the
//  first line is in), or the deadline (0: none) passes; false on the
//  deadline or an error.
static bool
s_read_answer (int fd, char **text, size_t *size, int64_t deadline, bool line)
{
    while (true) {
        int timeout = -1;
        if (deadline) {
            int64_t left = deadline - s_clock ();
            if (left <= 0) {
                return false;
            }
            timeout = (int) left;
        }
        struct pollfd item = { fd, POLLIN, 0 };
        int rc = poll (&item, 1, timeout);
        if (rc == -1 && errno == EINTR) {
            continue;
        }
        if (rc <= 0) {
            return false;
        }
        char chunk [4096];
        ssize_t got = recv (fd, chunk, sizeof chunk, 0);
        if (got == -1 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            //  A reset after a whole line (a refusal, sent before the run
            //  closed without reading our request) ends the answer too
            return got == 0 || (*text && strchr (*text, '\n'));
        }
        *text = (char *) realloc (*text, *size + (size_t) got + 1);
        assert (*text);
        memcpy (*text + *size, chunk, (size_t) got);
        *size += (size_t) got;
        (*text) [*size] = 0;
        if (line && strchr (*text, '\n')) {
            return true;
        }
    }
}

//  Sends the request line and reads the answer into *answer (see
//  s_read_answer). A run that refuses the connection (busy, another
//  user's) answers with an error line and closes without reading: our
//  send may then fail, and the refusal is still there to read, so it is
//  read either way. false with errno ETIMEDOUT (no answer in time) or
//  the send's error (no answer at all).
static bool
s_send_request (int fd, const char *line, char **answer, size_t *size, bool whole_stop)
{
    bool sent = send (fd, line, strlen (line), MSG_NOSIGNAL) == (ssize_t) strlen (line);
    int err = sent ? ETIMEDOUT : errno;
    if (s_read_answer (fd, answer, size, s_clock () + S_ANSWER_TIMEOUT, whole_stop || !sent)
    &&  (sent || (*answer && strchr (*answer, '\n')))) {
        return true;
    }
    errno = err;
    return false;
}

//  The exit code an "error KIND: ..." answer stands for
static int
s_error_code (const char *answer)
{
    if (strncmp (answer, "error no-such-group", 19) == 0) {
        return ACT_RUN_EXIT_NO_GROUP;
    }
    if (strncmp (answer, "error malformed", 15) == 0) {
        return ACT_RUN_EXIT_USAGE;
    }
    return ACT_RUN_EXIT_REFUSED;
}

//  actor-run status|stop|start|restart: one request to the run at path.
static int
s_command (const s_options_t *options, const act_topology_t *topology, const char *path)
{
    const char *command = options->command;
    char *request = zsys_sprintf ("%s%s", command, options->json ? " json" : "");
    for (size_t i = 0; i < options->group_count; i++) {
        char *longer = zsys_sprintf ("%s %s", request, options->groups [i]);
        zstr_free (&request);
        request = longer;
    }
    char *line = zsys_sprintf ("%s\n", request);
    zstr_free (&request);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf (address.sun_path, sizeof address.sun_path, "%s/%s", path,
              ACT_RUNDIR_CONTROL);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        act_log_fatal ("unable to create a socket: %s", strerror (errno));
        zstr_free (&line);
        return ACT_RUN_EXIT_SYSTEM;
    }
    int code = ACT_RUN_EXIT_OK;
    char *answer = NULL;
    size_t size = 0;
    bool whole_stop = streq (command, "stop") && !options->group_count;
    if (connect (fd, (struct sockaddr *) &address, sizeof address) == -1) {
        act_log_fatal ("unable to reach run %s at %s: %s", topology->name, path,
                       errno == ENOENT || errno == ECONNREFUSED
                       ? "no run answers there" : strerror (errno));
        code = ACT_RUN_EXIT_NO_RUN;
    }
    else
    if (!s_send_request (fd, line, &answer, &size, whole_stop)) {
        if (errno == ETIMEDOUT) {
            act_log_fatal ("unable to %s run %s: no answer within %d ms", command,
                           topology->name, S_ANSWER_TIMEOUT);
        }
        else {
            act_log_fatal ("unable to send to run %s: %s", topology->name, strerror (errno));
        }
        code = ACT_RUN_EXIT_NO_RUN;
    }
    else
    if (answer && strncmp (answer, "ok\n", 3) == 0) {
        //  A stop of the run is answered at once, and the connection
        //  closes when the run is gone: that wait has no deadline, as
        //  the groups' shutdown graces may have none either
        if (whole_stop) {
            s_read_answer (fd, &answer, &size, 0, false);
        }
        fputs (answer + 3, stdout);
    }
    else {
        char *end = answer ? strchr (answer, '\n') : NULL;
        if (end) {
            *end = 0;
        }
        //  "error KIND: WHY": the kind is for s_error_code, why for people
        const char *why = answer && strncmp (answer, "error ", 6) == 0 ? answer + 6
                        : "no answer";
        const char *colon = strstr (why, ": ");
        if (colon && !memchr (why, ' ', (size_t) (colon - why))) {
            why = colon + 2;
        }
        //  Every group asked for: the run's why names the one at fault
        char *what = zsys_sprintf ("%s", options->group_count ? "" : topology->name);
        for (size_t i = 0; i < options->group_count; i++) {
            char *longer = zsys_sprintf ("%s%s%s", what, i ? " " : "", options->groups [i]);
            zstr_free (&what);
            what = longer;
        }
        act_log_fatal ("unable to %s %s: %s", command, what, why);
        zstr_free (&what);
        code = answer ? s_error_code (answer) : ACT_RUN_EXIT_NO_RUN;
    }
    close (fd);
    free (answer);
    zstr_free (&line);
    return code;
}

int
main (int argc, char **argv)
{
    s_standard_fds ();
    //  A reader that went away must not kill the supervisor
    signal (SIGPIPE, SIG_IGN);
    //  Nor a file size limit (RLIMIT_FSIZE): past it, a write to the log
    //  or the sizing of the shared region's memfd would kill us with no
    //  word said; ignored, they fail with EFBIG and we say so.
    signal (SIGXFSZ, SIG_IGN);
    //  An ignored SIGCHLD, inherited through exec from whoever started
    //  us, would have the kernel reap the groups unseen and send no
    //  signal: no exit reported, no restart, a stop waiting for ever
    signal (SIGCHLD, SIG_DFL);
    //  czmq would install its own SIGINT/SIGTERM handlers on first use
    zsys_handler_set (NULL);
    if (argc > 1 && streq (argv [1], "keygen")) {
        if (argc != 4) {
            fprintf (stderr, "actor-run: keygen takes DIR NAME\n");
            s_usage (stderr);
            return ACT_RUN_EXIT_USAGE;
        }
        return act_node_keygen (argv [2], argv [3]);
    }
    s_options_t options = { .check = false };
    int code = s_options (argc, argv, &options);
    if (code != -1) {
        return code;
    }
    act_topology_t *topology = s_load (options.topology, options.command != NULL);
    if (!topology) {
        return ACT_RUN_EXIT_USAGE;
    }
    //  A run across hosts: this host starts its node's groups only
    act_node_t *node = NULL;
    bool needs_node = topology->node_count && !options.check && !options.command;
    if (options.node && !(node = act_node_new (topology, options.node, options.key))) {
        act_topology_destroy (&topology);
        return ACT_RUN_EXIT_USAGE;
    }
    if (needs_node && !node) {
        act_log_fatal ("unable to start %s: it places groups on nodes; name this "
                       "host's with --node NAME --key SECRETFILE", options.topology);
        act_topology_destroy (&topology);
        return ACT_RUN_EXIT_USAGE;
    }
    act_log_set_format (topology->log_format);
    //  The command line's word over the file's, as for --rundir: a test
    //  or a one-off run takes the log where it wants it.
    if (options.log_file) {
        free (topology->log_file);
        topology->log_file = NULL;
        if (!streq (options.log_file, "-")) {
            char cwd [PATH_MAX];
            topology->log_file = options.log_file [0] == '/' || !getcwd (cwd, sizeof cwd)
                               ? strdup (options.log_file)
                               : zsys_sprintf ("%s/%s", cwd, options.log_file);
        }
    }
    //  The files the run may create in its directory: one endpoint per
    //  group, each of which must fit in a socket address, checked with
    //  the directory the run will use, --check or not.
    const char **names = (const char **) calloc (topology->group_count + 1, sizeof (char *));
    assert (names);
    for (size_t i = 0; i < topology->group_count; i++) {
        names [i] = topology->groups [i].name;
    }
    char *default_path = options.rundir ? NULL
                       : act_rundir_default (topology->name, !options.check);
    const char *path = options.rundir ? options.rundir : default_path;
    code = -1;
    if (!path) {
        code = ACT_RUN_EXIT_SYSTEM;
    }
    else
    if (act_rundir_check (path, names, topology->group_count) == -1) {
        code = ACT_RUN_EXIT_USAGE;
    }
    else
    if (options.check) {
        printf ("%s: ok, run %s with %zu group%s\n", options.topology, topology->name,
                topology->group_count, topology->group_count == 1 ? "" : "s");
        code = ACT_RUN_EXIT_OK;
    }
    if (code == -1 && options.command) {
        code = s_command (&options, topology, path);
    }
    if (code == -1 && topology->log_file && act_log_open (topology->log_file) == -1) {
        act_log_fatal ("unable to open log file %s: %s", topology->log_file,
                       strerror (errno));
        code = ACT_RUN_EXIT_SYSTEM;
    }
    if (code == -1) {
        sigset_t mask;
        s_block_signals (&mask);
        act_rundir_t *rundir = act_rundir_open (path, names, topology->group_count);
        code = ACT_RUN_EXIT_SYSTEM;
        if (rundir) {
            code = act_sup_run (topology, act_rundir_path (rundir), &mask,
                                node ? act_node_net (node) : NULL);
            act_rundir_remove (&rundir);
        }
    }
    act_log_close ();
    free (default_path);
    free (names);
    act_node_destroy (&node);
    act_topology_destroy (&topology);
    return code;
}
