/*  actor_run - the actor-run program: options, topology, run directory
    SPDX-License-Identifier: MPL-2.0

    actor-run [--check] [--verbose] [--rundir DIR] TOPOLOGY
    Loads and checks the topology, takes the run directory, and hands over
    to the supervisor (act_sup). See actor-run(1).

    Signals are blocked once the topology is loaded, before anything could
    fork: from then on they are events the supervisor reads from a
    signalfd, never handlers. While loading they keep their default
    action, so a topology read from a pipe that never ends cannot make
    actor-run deaf to SIGTERM. Nothing here creates a ZeroMQ context:
    the groups are forked from this process (see act_spawn).
*/
#include "actorio.h"
#include "act_log.h"
#include "act_rundir.h"
#include "act_sup.h"
#include "act_topology.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
s_usage (FILE *stream)
{
    fprintf (stream,
        "usage: actor-run [--check] [--verbose] [--rundir DIR] TOPOLOGY\n"
        "       actor-run --help | --version\n"
        "Start the groups of TOPOLOGY (a ZPL file), keep them running, and stop\n"
        "them on SIGTERM or SIGINT.\n"
        "  -c, --check        check the topology, start nothing\n"
        "  -v, --verbose      log details besides events\n"
        "  -r, --rundir DIR   run directory (default $XDG_RUNTIME_DIR/actorio/NAME,\n"
        "                     else /tmp/actorio-UID/NAME)\n"
        "  -h, --help         show this help\n"
        "  -V, --version      show the version\n"
        "Exit codes: 0 stopped, 100 usage or invalid topology, 101 gave up\n"
        "restarting, 102 a group failed to start, 103 stopped but a group was\n"
        "killed past its grace, 111 system failure.\n"
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
    sigemptyset (&blocked);
    sigaddset (&blocked, SIGCHLD);
    sigaddset (&blocked, SIGINT);
    sigaddset (&blocked, SIGTERM);
    sigaddset (&blocked, SIGHUP);
    sigprocmask (SIG_BLOCK, &blocked, mask);
}

typedef struct {
    bool check;                 //  --check
    const char *rundir;         //  --rundir, or NULL
    const char *topology;       //  the one operand
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
        { NULL, 0, NULL, 0 }
    };
    int option;
    while ((option = getopt_long (argc, argv, "cvr:hV", longs, NULL)) != -1) {
        switch (option) {
            case 'c':
                options->check = true;
                break;
            case 'v':
                act_log_set_verbose (true);
                break;
            case 'r':
                options->rundir = optarg;
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
    if (optind != argc - 1) {
        fprintf (stderr, "actor-run: %s\n", optind < argc ? "one topology only"
                                                          : "no topology given");
        s_usage (stderr);
        return ACT_RUN_EXIT_USAGE;
    }
    options->topology = argv [optind];
    return -1;
}

//  Loads and checks the topology; NULL after printing every problem.
static act_topology_t *
s_load (const char *path)
{
    zlist_t *errors = zlist_new ();
    assert (errors);
    zlist_autofree (errors);
    act_topology_t *topology = act_topology_load (path, errors);
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

int
main (int argc, char **argv)
{
    s_standard_fds ();
    //  A reader that went away must not kill the supervisor
    signal (SIGPIPE, SIG_IGN);
    //  czmq would install its own SIGINT/SIGTERM handlers on first use
    zsys_handler_set (NULL);
    s_options_t options = { .check = false };
    int code = s_options (argc, argv, &options);
    if (code != -1) {
        return code;
    }
    act_topology_t *topology = s_load (options.topology);
    if (!topology) {
        return ACT_RUN_EXIT_USAGE;
    }
    act_log_set_format (topology->log_format);
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
            code = act_sup_run (topology, act_rundir_path (rundir), &mask);
            act_rundir_remove (&rundir);
        }
    }
    act_log_close ();
    free (default_path);
    free (names);
    act_topology_destroy (&topology);
    return code;
}
