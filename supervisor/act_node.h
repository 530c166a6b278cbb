/*  act_node - this host's node of a run across hosts: its keys, and the
    map of the run its groups get
    SPDX-License-Identifier: MPL-2.0

    actor-run --node NAME --key SECRETFILE runs the groups of node NAME
    only. This class checks the secret key file (a czmq certificate,
    mode 0600 or stricter, holding NAME's key pair), keeps NAME's groups
    in the topology, and builds the act_group_net_t every group of the
    node is started with: where each group of the run listens, and with
    which key. It also writes key pairs (actor-run keygen). Nothing here
    creates a ZeroMQ context: a key pair is made by libzmq's
    zmq_curve_keypair, which needs none.
*/
#ifndef ACT_NODE_H_INCLUDED
#define ACT_NODE_H_INCLUDED

#include "act_topology.h"
#include "act_host.h"

typedef struct _act_node_t act_node_t;

//  actor-run keygen DIR NAME: write DIR/NAME.pub and DIR/NAME.key (mode
//  0600), creating DIR (mode 0700) if it is missing; never overwrites a
//  key. Returns actor-run's exit code, after saying why on failure.
int
    act_node_keygen (const char *dir, const char *name);

//  Node name of topology, with the secret key in key_file: keeps only
//  its groups in topology (act_topology_keep_node). NULL after saying
//  why (no such node, a key file others may read, not the node's key).
act_node_t *
    act_node_new (act_topology_t *topology, const char *name, const char *key_file);

//  What the node's groups are started with (borrowed; lives as long as
//  self and the topology).
const act_group_net_t *
    act_node_net (act_node_t *self);

//  Free a node; accepts NULL, nulls the caller's pointer.
void
    act_node_destroy (act_node_t **self_p);

#endif
