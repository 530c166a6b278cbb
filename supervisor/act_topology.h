/*  act_topology - a run's topology, loaded from a ZPL file and checked
    SPDX-License-Identifier: MPL-2.0

    The supervisor's view of a topology file (see actorio-topology(5)). The
    loader checks everything before anything starts: every problem found is
    reported as one "FILE:LINE: what is wrong" line, and a topology with any
    problem is not returned. Durations are in milliseconds.
*/
#ifndef ACT_TOPOLOGY_H_INCLUDED
#define ACT_TOPOLOGY_H_INCLUDED

#include <czmq.h>
#include "act_log.h"

//  Limits of a topology file, each reported at the line that passes it
#define ACT_TOPOLOGY_FILE_MAX       (1024 * 1024)   //  bytes in the file
#define ACT_TOPOLOGY_LINE_MAX       4096            //  bytes in a line
#define ACT_TOPOLOGY_GROUPS_MAX     1024            //  groups in a run
#define ACT_TOPOLOGY_ACTORS_MAX     1024            //  actors in a group
#define ACT_TOPOLOGY_ERRORS_MAX     50              //  problems listed

//  A shutdown grace of "infinity": wait for the group as long as it takes
#define ACT_TOPOLOGY_INFINITY       (-1)

typedef enum {
    ACT_STRATEGY_ONE_FOR_ONE,
    ACT_STRATEGY_ONE_FOR_ALL,
    ACT_STRATEGY_REST_FOR_ONE
} act_strategy_t;

typedef enum {
    ACT_RESTART_PERMANENT,      //  always restarted
    ACT_RESTART_TRANSIENT,      //  restarted only after an abnormal exit
    ACT_RESTART_TEMPORARY       //  never restarted
} act_restart_t;

//  How a group talks to the other groups of its run.
typedef enum {
    ACT_LINK_SHM,               //  rings in the run's shared region
    ACT_LINK_IPC                //  ZeroMQ over ipc:// in the run directory
} act_link_kind_t;

typedef struct {
    char *name;                 //  actor name, unique in its group
    char *cls;                  //  class name, found in the group's plugin
                                //  or among the built-in classes
    char *args;                 //  argument string for setup, or NULL
    int line;                   //  line of the actor's section
} act_topo_actor_t;

//  A host of a run across hosts (see "Across hosts" in actorio(7)).
typedef struct {
    char *name;                 //  node name, unique in the run
    char *endpoint;             //  tcp://HOST:PORT: its groups bind PORT,
                                //  PORT+1 ... in file order
    char *host;                 //  HOST of endpoint
    int port;                   //  PORT of endpoint
    char *public_key;           //  absolute path of its public key file
    char key [41];              //  that key, Z85
    size_t groups;              //  groups on it
    int line;                   //  line of the node's section
} act_topo_node_t;

typedef struct {
    char *name;                 //  group name, unique in the run
    char *plugin;               //  absolute path of the shared object with
                                //  its classes, or NULL: built-ins only
    act_restart_t restart;      //  restart type
    char *parent;               //  "group/actor" hearing child-stopped,
                                //  or NULL: the run itself (its log)
    int start_timeout;          //  ms to report ready
    int shutdown;               //  ms of grace before SIGKILL, or
                                //  ACT_TOPOLOGY_INFINITY: no SIGKILL
    act_link_kind_t link;       //  shm: only with other shm groups
    int64_t inbound_max;        //  messages queued from other groups, at most
    int64_t inbound_bytes;      //  their payload bytes, at most
    int heartbeat;              //  ms between the loop's beats, 0: off
    int heartbeat_misses;       //  beats missed in a row before "hung"
    bool standby;               //  keep a standby for its next start
    int node;                   //  index of its node, -1: no nodes
    char *endpoint;             //  tcp://HOST:PORT it binds, or NULL
    size_t actor_count;         //  entries in actors
    act_topo_actor_t *actors;   //  in file order
    int line;                   //  line of the group's section
} act_topo_group_t;

typedef struct {
    char *file;                 //  path as given
    char *name;                 //  run name
    act_strategy_t strategy;    //  restart strategy
    int intensity;              //  at most this many restarts ...
    int period;                 //  ... in this many ms, else give up
    int shutdown;               //  default grace per group, ms, or
                                //  ACT_TOPOLOGY_INFINITY
    int start_timeout;          //  default start timeout per group, ms
    int backoff_min;            //  first restart delay of a group, ms
    int backoff_max;            //  cap of the doubling delay, ms
    int64_t max_msg_size;       //  ZMQ_MAXMSGSIZE for group sockets, bytes
    int hwm;                    //  per-peer high-water mark, messages
    act_link_kind_t link;       //  default of the groups' link
    int64_t inbound_max;        //  default of the groups' inbound_max
    int64_t inbound_bytes;      //  default of the groups' inbound_bytes
    int heartbeat;              //  default of the groups' heartbeat, ms
    int heartbeat_misses;       //  default of the groups' heartbeat_misses
    bool standby;               //  default of the groups' standby
    int64_t ring_size;          //  bytes of one shm ring
    int64_t area_size;          //  bytes of one group's block area
    int64_t region_size;        //  largest shared region, bytes
    size_t shm_groups;          //  groups on the shm link (0 or >= 2)
    act_log_format_t log_format; //  how every line of the run is printed
    char *log_file;             //  absolute path the run logs to, or NULL:
                                //  stdout and stderr
    size_t node_count;          //  entries in nodes, 0: one host
    act_topo_node_t *nodes;     //  in file order
    size_t group_count;         //  entries in groups
    act_topo_group_t *groups;   //  in file order = start order; after
                                //  act_topology_keep_node, its node's only
    size_t other_count;         //  entries in others
    act_topo_group_t *others;   //  the groups of the other nodes, moved
                                //  there by act_topology_keep_node
} act_topology_t;

//  Load and check a topology. On success returns it and leaves errors
//  untouched. On any problem returns NULL and appends to errors (a zlist_t
//  with autofree set by the caller) one string per problem, each
//  "FILE:LINE: message" (LINE 0 when the file itself is the problem), the
//  first ACT_TOPOLOGY_ERRORS_MAX by line; when there were more, a last
//  string "... and N more errors". errno: EINVAL, EFBIG (the file passes
//  ACT_TOPOLOGY_FILE_MAX), or why the file could not be read.
act_topology_t *
    act_topology_load (const char *path, zlist_t *errors);

//  As act_topology_load, for a control command (status, stop, start,
//  restart), which talks to the run and starts nothing: what only a
//  start needs goes unchecked (the plugins, neither opened nor their
//  classes looked up; the soft RLIMIT_NOFILE of the caller).
act_topology_t *
    act_topology_load_control (const char *path, zlist_t *errors);

//  As act_topology_load, from size bytes of text in memory (no NUL
//  needed); file stands for the file in messages, and relative plugin
//  paths are relative to its directory.
act_topology_t *
    act_topology_load_text (const char *file, const char *text, size_t size,
                            zlist_t *errors);

//  Writes the topology as ZPL that loads back to the same topology (each
//  setting spelled out, durations in ms). 0, or -1 with errno set.
int
    act_topology_print (const act_topology_t *self, FILE *stream);

//  Free a topology; accepts NULL, nulls the caller's pointer.
void
    act_topology_destroy (act_topology_t **self_p);

//  Keep in groups only the groups of node name, moving the others to
//  others (the shm region is for the kept ones). Index of the node, or
//  -1 + ENOENT: no such node.
int
    act_topology_keep_node (act_topology_t *self, const char *name);

//  Index of the node named name, or -1.
int
    act_topology_node_index (const act_topology_t *self, const char *name);

//  Index of the group named name, or -1.
int
    act_topology_group_index (const act_topology_t *self, const char *name);

#endif
