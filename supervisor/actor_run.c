/*  actor_run - the actor-run program: options, topology, run directory
    SPDX-License-Identifier: MPL-2.0

    actor-run [--check] [--verbose] [--rundir DIR] TOPOLOGY
    Loads and checks the topology, takes the run directory, and hands over
    to the supervisor (act_sup). See actor-run(1).

    Signals are blocked first thing, before anything could fork or a
    SIGTERM could arrive: from then on they are events the supervisor reads
    from a signalfd, never handlers. Nothing here creates a ZeroMQ context:
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
        "restarting, 102 a group failed to start, 111 system failure.\n"
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

//  Blocks the signals the supervisor reads from its signalfd, before
//  anything could fork or a SIGTERM could arrive; mask gets the old mask.
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
    //  A reader that went away must not kill the supervisor
    signal (SIGPIPE, SIG_IGN);
    //  czmq would install its own SIGINT/SIGTERM handlers on first use
    zsys_handler_set (NULL);
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
        for (char *error = (char *) zlist_first (errors); error;
             error = (char *) zlist_next (errors)) {
            fprintf (stderr, "%s\n", error);
        }
        fprintf (stderr, "actor-run: %s: %zu problem%s, nothing started\n", path,
                 zlist_size (errors), zlist_size (errors) == 1 ? "" : "s");
    }
    zlist_destroy (&errors);
    return topology;
}

int
main (int argc, char **argv)
{
    s_standard_fds ();
    sigset_t mask;
    s_block_signals (&mask);
    s_options_t options = { .check = false };
    int code = s_options (argc, argv, &options);
    if (code != -1) {
        return code;
    }
    act_topology_t *topology = s_load (options.topology);
    if (!topology) {
        return ACT_RUN_EXIT_USAGE;
    }
    if (options.check) {
        printf ("%s: ok, run %s with %zu group%s\n", options.topology, topology->name,
                topology->group_count, topology->group_count == 1 ? "" : "s");
        act_topology_destroy (&topology);
        return ACT_RUN_EXIT_OK;
    }
    //  The files the run may create in its directory: one endpoint per group
    const char **names = (const char **) calloc (topology->group_count + 1, sizeof (char *));
    assert (names);
    for (size_t i = 0; i < topology->group_count; i++) {
        names [i] = topology->groups [i].name;
    }
    char *default_path = options.rundir ? NULL : act_rundir_default (topology->name, true);
    act_rundir_t *rundir = NULL;
    if (options.rundir || default_path) {
        rundir = act_rundir_open (options.rundir ? options.rundir : default_path,
                                  names, topology->group_count);
    }
    free (default_path);
    free (names);
    code = ACT_RUN_EXIT_SYSTEM;
    if (rundir) {
        code = act_sup_run (topology, act_rundir_path (rundir), &mask);
        act_rundir_remove (&rundir);
    }
    act_topology_destroy (&topology);
    return code;
}
