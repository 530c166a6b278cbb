/*  act_link - what a link between groups must do, and what the peer layer
    offers it
    SPDX-License-Identifier: MPL-2.0

    The peer layer (act_peer.c) is what every link shares: routing by
    address, names for anonymous senders, peers up and down, ask waiters,
    refusals and ACT_MSG_WRITABLE, the counters. A link moves encoded
    batches (act_wire.h) to one peer and hands what it receives back up,
    record by record. One file per kind (act_link_zmq.c, act_link_shm.c,
    act_link_tcp.c, which shares act_link_zmq.c's sockets) fills in one
    ops table; the peer layer never names a kind. To add a
    kind: write its open function and ops, and list it in act_peer.c's
    join. act_transport(3) says the same for users.

    Every call is on the loop thread. A link registers its fds with the
    loop as io watches (act_loop_io_add) and decodes what it reads with
    act_wire_decode, passing act_peers_rx_record; what it reads is
    untrusted: a bad batch is counted with act_peers_malformed, never
    delivered in part.
*/
#ifndef ACT_LINK_H_INCLUDED
#define ACT_LINK_H_INCLUDED

#include "act_loop_priv.h"
#include "act_wire.h"

//  The run's nodes and keys (src/contract/act_host.h, which only this
//  layer sees).
typedef struct act_group_net act_group_net_t;

typedef struct act_peers act_peers_t;
typedef struct _act_region_t act_region_t;

//  The counters of one link kind; written on the loop thread, read from
//  any (act_transport_link_stats).
//  The one writer adds with a plain load and store (act_link_count): a
//  locked add per message was measurable on a stream.
typedef struct {
    _Atomic uint64_t sent;      //  messages accepted for a peer
    _Atomic uint64_t received;  //  messages from peers delivered here
    _Atomic uint64_t dropped;   //  refused sends, or accepted and lost
    _Atomic uint64_t malformed; //  batches or records refused as bad input
    _Atomic uint64_t unknown;   //  messages for no actor here
    _Atomic uint64_t resets;    //  links reset after bad input
    _Atomic uint64_t refused;   //  connections refused or dropped for
                                //  bad input (ipc)
} act_link_stats_t;

typedef struct {
    const char *kind;           //  "ipc", "shm", "tcp": names in stats and logs

    //  True if this link carries traffic to group peer.
    bool (*reaches) (void *link, const char *peer);
    //  Make the per-peer state for group peer; NULL + errno.
    void *(*attach) (void *link, const char *peer);
    void (*detach) (void *link, void *state);

    //  Queue one message (record: its target in the peer, its sender
    //  "group/actor" or NULL, ACT_WIRE_F_* flags, and *msg_p, whose
    //  payload is at most the run's limit). 0: accepted, and *msg_p is
    //  either taken (nulled) or left for the caller to destroy. -1 +
    //  EAGAIN: no room now; -1 + another errno: cannot go. Either way
    //  *msg_p stays.
    int (*send) (void *link, void *state, const act_wire_record_t *record,
                 act_msg_t **msg_p);
    //  Hand what is queued for the peer to the medium. 0: all went;
    //  -1 + EAGAIN: some waits for room.
    int (*flush) (void *link, void *state);
    //  True if a sender refused with EAGAIN may try again; if not, the
    //  link arranges to be woken when there is room.
    bool (*writable) (void *link, void *state);

    //  For a peer said down (act_peers_peer_state): true if its next life
    //  has joined the medium since, as the medium itself shows; it is
    //  then up for sends at once, without waiting for the supervisor's
    //  word, which a record of that life may outrun. It must never say
    //  true of the life that was said down. May be NULL: only the
    //  supervisor's word counts.
    bool (*rejoined) (void *link, void *state);

    //  Take input that no fd announces; true if more waits. May be NULL.
    //  Called only while act_peers_accepting says yes.
    bool (*receive) (void *link);
    //  The loop is about to poll and may sleep: true if input is there
    //  (then it does not sleep). wake follows the poll. May be NULL.
    bool (*idle) (void *link);
    void (*wake) (void *link);

    //  Flush what can go, unregister the fds, free everything.
    void (*close) (void *link);
} act_link_ops_t;

//  Add n to a counter of the loop thread's.
static inline void
act_link_count (_Atomic uint64_t *counter, uint64_t n)
{
    atomic_store_explicit (counter, atomic_load_explicit (counter, memory_order_relaxed) + n,
                           memory_order_relaxed);
}

//  The loop the peer layer runs on.
act_loop_t *
    act_peers_loop (act_peers_t *self);

//  Whether a link may take more input now (see act_peer.c); a link that
//  is told no leaves the input where it is and looks again next round.
bool
    act_peers_accepting (act_peers_t *self);

//  Our group's name (borrowed).
const char *
    act_peers_group (act_peers_t *self);

//  The last sender and target a receive looked up, kept for the next:
//  consecutive records from one sender or to one target look them up
//  once.
typedef struct {
    char sender [ACT_WIRE_ADDR_MAX + 1];    //  last sender address
    size_t sender_len;          //  its length
    act_ref_t *sender_ref;      //  its reference (counted, and held by
                                //  its loop-local count), or NULL
    char target [ACT_WIRE_NAME_MAX + 1];    //  last target name
    size_t target_len;          //  its length
    act_ref_t *target_ref;      //  its reference (counted), or NULL
} act_peers_names_t;

//  Decoding context for one receive call of a link.
typedef struct {
    act_peers_t *peers;         //  where we are
    act_link_stats_t *stats;    //  the receiving link's counters
    act_peers_names_t *names;   //  the peer layer's, lent for the call;
                                //  own if a receive has them already
    act_peers_names_t own;      //  (then only: set up by begin)
    size_t records;             //  records delivered
    bool fresh;                 //  names holds the last record's names,
                                //  for the next if it is AGAIN
    //  For records whose payload travels apart: make the message that
    //  carries it (zero-copy), or NULL to copy head->payload.
    act_msg_t *(*external) (void *arg, const act_wire_head_t *head);
    void *external_arg;
} act_peers_rx_t;

void
    act_peers_rx_begin (act_peers_t *self, act_link_stats_t *stats, act_peers_rx_t *rx);
//  An act_wire_record_fn: deliver one checked record (arg is the rx).
void
    act_peers_rx_record (void *arg, const act_wire_head_t *head);
void
    act_peers_rx_end (act_peers_rx_t *rx);

//  Count bad input on a link and log it once per power of two.
void
    act_peers_malformed (act_peers_t *self, act_link_stats_t *stats,
                         const char *what, const char *reason);

//  For act_transport.c, on the loop thread: join the loop to a run
//  (install the peer layer and its links), say a peer is down or up,
//  bound the inbound queue (0: a default), read the counters of one link
//  kind or of all (kind NULL; -1 + ENOENT if there is no such link).
typedef struct {
    const char *group;          //  our group's name
    const char *rundir;         //  where ipc endpoints live
    act_region_t *region;       //  the run's region, or NULL: ipc only
    int64_t max_size;           //  payload limit, bytes
    int hwm;                    //  per peer, messages
    const act_group_net_t *net; //  the run's nodes, or NULL: one host
    const uint32_t *life;       //  this group's life, read at the start
                                //  (a standby learns it at its "go"), or
                                //  NULL: none (it says no hello)
} act_peers_conf_t;

int
    act_peers_join (act_loop_t *loop, const act_peers_conf_t *conf);
//  act_peers_join in two steps: prepare makes what touches nothing of the
//  run (a standby's, before its "go"), start joins (on failure the layer
//  is gone); discard drops a prepared layer that will not start.
act_peers_t *
    act_peers_prepare (act_loop_t *loop, const act_peers_conf_t *conf);
int
    act_peers_start (act_peers_t *self, const act_peers_conf_t *conf);
void
    act_peers_discard (act_peers_t *self);
//  The same from any thread, with conf checked (act_transport.c).
int
    act_peers_join_system (act_system_t *system, act_peers_conf_t conf);
//  A new system named conf.group, joined to the run by its loop thread
//  before it is returned, its inbound queue bounded (0: the defaults):
//  act_system_new, act_peers_join_system and act_transport_set_inbound in
//  one, without a wake-up of each thread per call. NULL + errno, EINVAL
//  for a bad conf. gate, if not NULL, runs on the loop thread first, its
//  threads, ZeroMQ's and the ipc link's sockets made (act_peers_prepare),
//  nothing joined yet: nonzero there and the
//  system is not made (NULL + ECANCELED). A group's standby waits there
//  for its "go" (act_group.c). started, if not NULL, runs on the loop
//  thread once joined, before the system is handed out: what it spawns
//  there starts without waiting for the thread that asked for the system
//  to wake (a group host's actors: a restart's critical path).
typedef int (act_peers_gate_fn) (void *arg);
typedef void (act_peers_started_fn) (act_core_t *core, void *arg);
act_system_t *
    act_peers_system_new (act_peers_conf_t conf, size_t inbound_max,
                          size_t inbound_bytes, act_peers_gate_fn *gate,
                          void *gate_arg, act_peers_started_fn *started,
                          void *started_arg);
void
    act_peers_peer_state (act_peers_t *self, const char *name, bool down);
//  The same for life of the peer (act_host.h: "peer-down GROUP LIFE");
//  life 0: the newest life heard of.
void
    act_peers_peer_life (act_peers_t *self, const char *name, bool down, uint32_t life);
//  act_peers_peer_life from any thread: 0, or -1 + EINVAL.
int
    act_transport_peer_life (act_system_t *system, const char *peer, bool down,
                             uint32_t life);
void
    act_peers_set_inbound (act_peers_t *self, size_t max_msgs, size_t max_bytes);
int
    act_peers_stats (act_peers_t *self, const char *kind, act_transport_stats_t *stats);

//  The links of a group: each kind's constructor. On failure NULL + errno.
//  The ipc link is made in two steps: its sockets (nothing of the run is
//  touched: a standby makes them before its "go"), then bound where the
//  group listens. After a failed bind, close it (ops->close).
void *
    act_link_zmq_make (act_peers_t *peers, act_link_stats_t *stats,
                       const char *rundir, int64_t max_size, int hwm);
int
    act_link_zmq_bind (void *link);
extern const act_link_ops_t act_link_zmq;

//  The ZeroMQ links (ipc, tcp) share act_link_zmq.c; a medium says what
//  differs. Every hook gets arg (NULL: the link itself).
typedef struct {
    void *arg;                  //  the medium's state
    //  Set the sockets' options and bind in; 0 or -1 + errno.
    int (*bind) (void *arg, void *in, void *out);
    //  Set out's options for group peer and write where it listens into
    //  endpoint; 0 or -1 + errno.
    int (*connect) (void *arg, void *out, const char *peer, char *endpoint,
                    size_t size);
    //  Whether the connection to in on fd comes from the run, so that its
    //  end is no refusal (handshake failures are refusals either way).
    //  NULL: every connection that passed its handshake does.
    bool (*from_run) (int fd);
    //  A ZMQ_EVENT_* of out's connection to endpoint (handshake
    //  succeeded, disconnected, connect retried), or NULL: not watched.
    void (*out_event) (void *arg, int event, const char *endpoint);
    //  Free the state, when the link closes; may be NULL.
    void (*close) (void *arg);
} act_link_zmq_medium_t;

//  make_medium and act_link_zmq_bind, or both at once.
void *
    act_link_zmq_make_medium (act_peers_t *peers, act_link_stats_t *stats,
                              const act_link_zmq_medium_t *medium, const char *rundir,
                              int64_t max_size, int hwm);
void *
    act_link_zmq_open_medium (act_peers_t *peers, act_link_stats_t *stats,
                              const act_link_zmq_medium_t *medium, const char *rundir,
                              int64_t max_size, int hwm);
//  The medium's state of a link act_link_zmq_open_medium made.
void *
    act_link_zmq_arg (void *link);
//  Its ops (act_link_ops_t), for the other kinds' tables.
void *
    act_link_zmq_attach (void *link, const char *peer);
void
    act_link_zmq_detach (void *link, void *state);
int
    act_link_zmq_send (void *link, void *state, const act_wire_record_t *record,
                       act_msg_t **msg_p);
int
    act_link_zmq_flush (void *link, void *state);
bool
    act_link_zmq_writable (void *link, void *state);
void
    act_link_zmq_close (void *link);
//  The ops table of a ZeroMQ link kind.
#define ACT_LINK_ZMQ_OPS(kind_, reaches_) {                                \
    .kind = kind_, .reaches = reaches_, .attach = act_link_zmq_attach,      \
    .detach = act_link_zmq_detach, .send = act_link_zmq_send,               \
    .flush = act_link_zmq_flush, .writable = act_link_zmq_writable,         \
    .close = act_link_zmq_close }

//  The tcp link, to the groups of other nodes (net: the run's map and
//  our keys, borrowed for the link's life).
void *
    act_link_tcp_open (act_peers_t *peers, act_link_stats_t *stats,
                       const act_group_net_t *net, const char *rundir,
                       int64_t max_size, int hwm);
extern const act_link_ops_t act_link_tcp;
//  Each group of another node with its node and state as we see it:
//  "up", "down", or "idle" (never connected), in topology order.
typedef void (act_link_tcp_peer_fn) (void *arg, const char *group, const char *node,
                                     const char *state);
void
    act_link_tcp_peers (void *link, act_link_tcp_peer_fn *fn, void *arg);
//  The link of kind the peer layer has, or NULL (loop thread).
void *
    act_peers_link (act_peers_t *self, const char *kind);
//  act_link_tcp_peers from any thread, for system's tcp link: 0, or -1
//  + EINVAL (not joined). Nothing is called without a tcp link.
int
    act_peers_remote (act_system_t *system, act_link_tcp_peer_fn *fn, void *arg);

void *
    act_link_shm_open (act_peers_t *peers, act_link_stats_t *stats,
                       act_region_t *region, int64_t max_size);
//  Map in, by reading them, the pages of region that group's shm link
//  reads when it opens, changing nothing: a standby does it before its
//  "go", so that its restart does not wait on those page faults.
void
    act_link_shm_prefault (const act_region_t *region, const char *group);
extern const act_link_ops_t act_link_shm;

#endif
