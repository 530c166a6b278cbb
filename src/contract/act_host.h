/*  act_host - the contract between actor-run and the group host
    SPDX-License-Identifier: MPL-2.0

    Everything the supervisor may know of src/group, and nothing else: this
    header sits in its own directory so that actor-run's include path
    reaches it and no private header of any layer.

    actor-run forks one process per group and calls act_group_host in it:
    the host loads the group's classes, spawns its actors, and talks to the
    supervisor over one SOCK_SEQPACKET socket, one short text message per
    packet. Nothing here is exported; actor-run links the static library.

    Group to supervisor:  "ready"          every actor's setup is done
                          "fail DETAIL"    init failed; the process exits
                          "done CODE"      act_group_finish (CODE)
                          "beat"           the loop thread is alive
                          "stat-actor ROUND NAME DEPTH HANDLED IDLE_MS DEAD CLASS"
                          "stat-link ROUND KIND SENT RECEIVED REFUSED MALFORMED
                                     CONNECTIONS_REFUSED"
                          "stat-peer ROUND GROUP NODE STATE"
                                           a group of another node, as
                                           this one sees it: STATE up,
                                           down, or idle (not talked to)
                          "stat-end ROUND ACTORS DEAD_LETTERS"
                                           the answer to "stats ROUND": one
                                           per actor (ACT_HOST_STATS_ACTORS
                                           at most; ACTORS counts them
                                           all), one per link kind, one
                                           per peer on another node
                                           (ACT_HOST_STATS_PEERS at most),
                                           the end
    Supervisor to group:  "go LIFE"        a standby's first message: its
                                           predecessor is gone, join the
                                           run and start (see below) as
                                           the group's life LIFE (1 for
                                           its first start, +1 a start)
                          "heartbeat MS"   say "beat" every MS from the
                                           loop thread (sent at the start
                                           unless the group opted out)
                          "stop"           tear down and exit 0
                          "down ACTOR GROUP PID RESTARTS REASON"
                                           tell ACTOR an ACT_MSG_GROUP_DOWN
                          "peer-down GROUP LIFE"  GROUP's life LIFE
                                           stopped: fail asks to it,
                                           refuse tells until ...
                          "peer-up GROUP LIFE"  ... GROUP is ready again,
                                           or a record of a later life
                                           comes (act_peer.c: hello)
                          "stats ROUND"    send the counters (see above)
    The socket is also the group's lifeline: end of file on it means the
    supervisor is gone, and the group exits at once.

    A standby is a group process forked ahead of need, so that a restart
    does not wait for fork and for what a host does before it touches the
    run: ZeroMQ's context and threads, the plugin, the loop thread. It
    does all that, then waits for "go" without joining the run or
    stamping any restart phase; anything else (end of file, a stop
    signal) ends it at once with ACT_GROUP_EXIT_STANDBY.
*/
#ifndef ACT_HOST_H_INCLUDED
#define ACT_HOST_H_INCLUDED

#include "actorio.h"
#include "act_group.h"

//  Largest control message, bytes; longer ones are truncated.
#define ACT_GROUP_CONTROL_MAX   512

//  The control words, each the first word of a message (see above).
#define ACT_HOST_GO             "go"
#define ACT_HOST_READY          "ready"
#define ACT_HOST_FAIL           "fail"
#define ACT_HOST_DONE           "done"
#define ACT_HOST_BEAT           "beat"
#define ACT_HOST_HEARTBEAT      "heartbeat"
#define ACT_HOST_STOP           "stop"
#define ACT_HOST_DOWN           "down"
#define ACT_HOST_PEER_DOWN      "peer-down"
#define ACT_HOST_PEER_UP        "peer-up"
#define ACT_HOST_STATS          "stats"
#define ACT_HOST_STAT_ACTOR     "stat-actor"
#define ACT_HOST_STAT_LINK      "stat-link"
#define ACT_HOST_STAT_PEER      "stat-peer"
#define ACT_HOST_STAT_END       "stat-end"

//  Actors a group lists in its answer to "stats", at most: a packet each,
//  and the socket's buffer must hold them all at once.
#define ACT_HOST_STATS_ACTORS   64
//  Groups of other nodes a group lists in its answer, at most.
#define ACT_HOST_STATS_PEERS    16

//  If text is the control word word, alone or followed by a space and
//  its arguments: the arguments ("" when alone); else NULL.
static inline const char *
act_host_word (const char *text, const char *word)
{
    size_t len = strlen (word);
    if (strncmp (text, word, len) != 0)
        return NULL;
    if (text [len] == 0)
        return text + len;
    return text [len] == ' ' ? text + len + 1 : NULL;
}

//  The number a word's arguments start with (a round, a life): decimal
//  digits only, up to UINT32_MAX, into *number, and where they end into
//  *rest, or, rest NULL, nothing may follow. False for anything else (a
//  sign, a space first, too many digits): a word comes from another
//  process and is checked as such.
static inline bool
act_host_number (const char *text, uint32_t *number, const char **rest)
{
    uint64_t value = 0;
    const char *p = text;
    while (*p >= '0' && *p <= '9' && value <= UINT32_MAX)
        value = value * 10 + (uint64_t) (*p++ - '0');
    if (p == text || value > UINT32_MAX || (!rest && *p))
        return false;
    *number = (uint32_t) value;
    if (rest)
        *rest = p;
    return true;
}

//  Exit codes of a group process that the supervisor tells apart.
#define ACT_GROUP_EXIT_OK       0       //  stopped, or every actor ended well
#define ACT_GROUP_EXIT_FAILED   1       //  an actor failed
#define ACT_GROUP_EXIT_INIT     2       //  init failed (after a "fail")
#define ACT_GROUP_EXIT_ORPHAN   3       //  the supervisor went away
#define ACT_GROUP_EXIT_STANDBY  4       //  a standby ended before its "go"

typedef struct {
    const char *name;           //  actor name, registered with act_spawn_named
    const char *cls;            //  class name: plugin symbol, then built-ins
    const char *args;           //  setup argument string, or NULL
} act_group_actor_t;

//  A run across hosts: where every group of the run is, and this node's
//  keys (CURVE, Z85 text of 40 characters). A group reaches the groups
//  of other nodes over tcp (act_link_tcp.c), admitting only these keys.
typedef struct act_group_place {
    const char *name;           //  group name
    const char *node;           //  its node's name
    const char *endpoint;       //  tcp://HOST:PORT it binds
    const char *public_key;     //  its node's public key
} act_group_place_t;

//  Tagged: act_link.h names it without this header, out of reach of
//  the layers above src/group.
typedef struct act_group_net {
    const char *node;           //  our node's name
    const char *public_key;     //  our node's keys
    const char *secret_key;
    const act_group_place_t *groups;    //  every group of the run
    size_t group_count;         //  entries in groups
    bool plain;                 //  no CURVE, no ZAP: for benchmarks only
} act_group_net_t;

typedef struct {
    const char *name;           //  group name
    const char *plugin;         //  shared object with the classes, or NULL
    const char *rundir;         //  the run's private directory
    const act_group_actor_t *actors;    //  in start order
    size_t actor_count;         //  entries in actors
    int control_fd;             //  SOCK_SEQPACKET socket to the supervisor
    int64_t max_msg_size;       //  between groups, bytes (0: default)
    int hwm;                    //  per peer, messages (0: default)
    size_t inbound_max;         //  messages queued from other groups (0: default)
    size_t inbound_bytes;       //  their bytes (0: default)
    act_region_t *region;       //  shared region to join, or NULL: ipc only
    const act_group_net_t *net; //  the run's nodes, or NULL: one host
    bool standby;               //  wait for "go" before joining (see above)
    uint32_t life;              //  its life, when not a standby (see above)
} act_group_spec_t;

//  Run the group in this process until it is told to stop or its last
//  actor stops; returns the process's exit code (ACT_GROUP_EXIT_*). Call
//  once, in a fresh child whose parent never created a ZeroMQ context.
int
    act_group_host (const act_group_spec_t *spec);

//  Prefix of the symbol a plugin exports for each of its classes: the
//  class NAME is the const act_class_t "actorio_class_NAME". The host
//  looks there first, then among the built-ins; the supervisor's topology
//  check looks the same way, so --check finds what a group would miss.
#define ACT_PLUGIN_CLASS_PREFIX "actorio_class_"

//  The built-in class called name ("echo", "sink"), or NULL. Built-ins
//  need no plugin, so a topology can be tried with no code of its own.
const act_class_t *
    act_builtin_find (const char *name);

//  The class name of plugin (a dlopen handle): its symbol, checked as far
//  as can be before anything runs it (a data object of an act_class_t's
//  size, whose name and callbacks point into loaded code or data). NULL
//  with *why saying what is wrong ("" when there is no such symbol).
const act_class_t *
    act_plugin_class (void *plugin, const char *name, const char **why);

#endif
