/*  act_peer - the peer layer: messages between the groups of a run, over
    whichever link reaches each peer
    SPDX-License-Identifier: MPL-2.0

    What every link shares lives here (see act_link.h): a remote reference
    is routed to its peer once and the peer cached in it; each peer is
    reached by the first link that reaches it (shared memory, when the
    group joined a region holding both, else ipc); a peer said down
    refuses tells and fails the asks waiting on it; a tell refused for
    room puts its actor on the peer's blocked list, and the actor hears
    ACT_MSG_WRITABLE when the link has room again. Messages to a peer are
    queued by its link and flushed before every poll. What the runtime
    itself sends (a monitor's DOWN, a failed ask's error, a stop, a
    monitor or demonitor request) has nobody to retry it: refused for
    room, it waits in the peer's backlog, in order, and actors' tells to
    that peer are refused until the backlog has gone out.

    Local actors get addresses on demand: a named actor is GROUP/NAME, an
    anonymous actor or inbox that sends to another group, or is carried
    in a message to one (act_msg_add_ref), is given a name "_N" the first
    time, registered until it stops. A carried address comes out as the
    same kind of reference a sender's does: remote, or ours.
*/
#include "act_link.h"
#include <inttypes.h>
#include "act_region.h"
#include <arpa/inet.h>

#define S_LINKS_MAX     3       //  shm, tcp, ipc
//  Runtime records waiting for room, per peer. The DOWNs of the monitors
//  a peer may hold here (ACT_MONITOR_PEER_MAX) fit with as many others;
//  past it a record is dropped and counted.
#define S_BACKLOG_MAX   (2 * ACT_MONITOR_PEER_MAX)

//  A backlog is a queue of the messages themselves, each encoded for the
//  wire already (payload in network order), through their own next and
//  to (counted). Its wire flags follow from its type: a runtime record
//  carries none, an error reply (type 0, see s_send) ACT_WIRE_F_ERROR.
static uint32_t
s_backlog_flags (const act_msg_t *msg)
{
    return act_wire_runtime_type (msg->type) ? 0 : ACT_WIRE_F_ERROR;
}

typedef struct s_peer {
    char *name;                 //  group name
    size_t name_len;            //  strlen (name)
    bool down;                  //  stopped, says the supervisor
    bool dirty;                 //  in the dirty list: flush it
    struct s_peer *next_dirty;  //  dirty list link
    size_t link;                //  index of its link, once attached
    void *state;                //  the link's state for it, or NULL
    act_waiters_t asks;         //  waiters of asks sent to it
    zlistx_t *blocked;          //  actors refused with EAGAIN, to tell
                                //  when there is room (counted refs)
    act_msg_t *backlog;         //  runtime records waiting for room
    act_msg_t *backlog_tail;
    size_t backlog_size;
    uint32_t seen_life;         //  the newest of its lives heard of (its
                                //  hello, the supervisor's word), 0: none
    uint32_t dead_life;         //  the newest of its lives said down
    bool greet;                 //  our hello is yet to go to it
} s_peer_t;

typedef struct {
    const act_link_ops_t *ops;  //  what it does
    void *self;                 //  its state
    act_link_stats_t stats;     //  its counters
} s_link_t;

struct act_peers {
    uint32_t life;              //  our group's life, 0: none (no hello)
    act_loop_t *loop;           //  our loop
    act_core_t *core;           //  its core (names, dead letters)
    char *group;                //  our group name
    char *nobody;               //  "GROUP/_", which names no actor: how
                                //  a carried reference that cannot be
                                //  named (stopped) travels
    zhashx_t *peers;            //  name -> s_peer_t
    s_peer_t *dirty;            //  peers to flush
    int64_t max_size;           //  payload limit, bytes
    size_t inbound_max;         //  take no input past this many messages ...
    size_t inbound_bytes;       //  ... or bytes queued for our actors
    bool paused;                //  input left with the links for now
    act_peers_names_t cache;    //  the last receive's sender and target,
                                //  kept for the next
    bool cache_lent;            //  a receive has them now
    uint64_t pauses;            //  times input was paused
    uint64_t peers_refused;     //  sends refused past ACT_PEERS_MAX groups
    s_link_t links [S_LINKS_MAX];   //  in order of preference
    size_t link_count;
    s_link_t *polled [S_LINKS_MAX]; //  those with a receive, idle or wake
                                    //  hook, the loop's every round
    size_t polled_count;
    void *ipc;                  //  the ipc link, made, not yet bound
    size_t ipc_slot;            //  where it goes in links
};

act_loop_t *
act_peers_loop (act_peers_t *self)
{
    return self->loop;
}

const char *
act_peers_group (act_peers_t *self)
{
    return self->group;
}

//  Drop what waits in peer's backlog; returns how many records.
static size_t
s_backlog_clear (s_peer_t *peer)
{
    size_t count = peer->backlog_size;
    while (peer->backlog) {
        act_msg_t *msg = peer->backlog;
        peer->backlog = msg->next;
        msg->next = NULL;
        act_msg_destroy (&msg);     //  and its to
    }
    peer->backlog_tail = NULL;
    peer->backlog_size = 0;
    return count;
}

static void
s_peer_destroy (void **item)
{
    s_peer_t *peer = (s_peer_t *) *item;
    *item = NULL;
    s_backlog_clear (peer);
    act_waiters_free (&peer->asks);
    act_ref_t *ref;
    while ((ref = (act_ref_t *) zlistx_detach (peer->blocked, NULL)))
        act_ref_destroy (&ref);
    zlistx_destroy (&peer->blocked);
    free (peer->name);
    free (peer);
}

static s_peer_t *
s_peer (act_peers_t *self, const char *name)
{
    s_peer_t *peer = (s_peer_t *) zhashx_lookup (self->peers, name);
    if (!peer) {
        peer = (s_peer_t *) calloc (1, sizeof (s_peer_t));
        if (!peer)
            abort ();
        peer->name = strdup (name);
        peer->name_len = strlen (name);
        peer->blocked = zlistx_new ();
        zhashx_insert (self->peers, name, peer);
    }
    return peer;
}

//  The first link that reaches the peer carries all its traffic, so
//  FIFO per pair holds: one pair never spreads over two links.
static int
s_peer_attach (act_peers_t *self, s_peer_t *peer)
{
    for (size_t i = 0; i < self->link_count; i++) {
        s_link_t *link = &self->links [i];
        if (link->ops->reaches (link->self, peer->name)) {
            //  Chosen even if attaching fails: the refusal counts there.
            peer->link = i;
            peer->state = link->ops->attach (link->self, peer->name);
            peer->greet = true;
            return peer->state ? 0 : -1;
        }
    }
    errno = EHOSTUNREACH;
    return -1;
}

//  True if peer, said down, is back as its link sees it (ops->rejoined):
//  a record of its next life can come before the supervisor's word that
//  it is up, and an answer to it must not be refused meanwhile.
static bool
s_rejoined (act_peers_t *self, s_peer_t *peer)
{
    if (!peer->state) {
        size_t i = 0;
        while (i < self->link_count
        &&     !self->links [i].ops->reaches (self->links [i].self, peer->name))
            i++;
        //  Attached only for a link that can tell: attaching is cheap there
        if (i == self->link_count || !self->links [i].ops->rejoined
        ||  s_peer_attach (self, peer))
            return false;
    }
    s_link_t *link = &self->links [peer->link];
    return link->ops->rejoined && link->ops->rejoined (link->self, peer->state);
}

//  Peer, said down, rejoined: it is a life after the newest said down,
//  whichever one that is, until its hello says. Up, and what is sent
//  to it from here on is for that life.
static void
s_rejoined_life (s_peer_t *peer)
{
    peer->down = false;
    if (peer->seen_life <= peer->dead_life)
        peer->seen_life = peer->dead_life + 1;
}

//  --------------------------------------------------------------------
//  Addresses

static bool
s_give_name (act_peers_t *self, act_ref_t *ref)
{
    //  Under the lock with the dead check: an inbox destroyed meanwhile
    //  (by its own thread) must not leave its name behind.
    bool ok = false;
    pthread_mutex_lock (&self->core->lock);
    if (!atomic_load (&ref->dead)
    && (ref->kind == ACT_REF_INBOX || ref->actor)) {
        char name [32];
        snprintf (name, sizeof name, "_%" PRIu64,
                  (uint64_t) atomic_fetch_add (&self->core->next_anon, 1));
        ref->name = strdup (name);
        zhashx_insert (self->core->names, name, ref);
        ok = true;
    }
    pthread_mutex_unlock (&self->core->lock);
    return ok;
}

//  The first time a reference travels: its address and length, kept in
//  it (below). False if it cannot have one.
static bool __attribute__ ((noinline))
s_address_make (act_peers_t *self, act_ref_t *ref)
{
    //  A remote reference's length is set when it is made, never here:
    //  it may be the sender of a message another system of this process
    //  sends while its own loop sends to it, and neither may write it.
    assert (ref->kind != ACT_REF_REMOTE);
    if (!ref->name && !s_give_name (self, ref))
        return false;
    char address [ACT_WIRE_ADDR_MAX + 1];
    int size = snprintf (address, sizeof address, "%s/%s", self->group, ref->name);
    ref->address = strdup (address);
    ref->address_len = (size_t) size;
    return true;
}

//  The address ref travels as, and its length in *len if len is given:
//  both kept in the reference, so a stream formats and measures it once.
//  A local reference's are made on the loop thread, as ref->route; a
//  remote reference's are fixed when it is made (forwarded: the first
//  sender stays), so any loop may read them. NULL for a local reference
//  of another system of this process (a sender set by act_msg_set_sender,
//  or kept by a message forwarded from there): named here, the answers
//  to it would reach its actor from this loop's thread.
static inline const char *
s_address (act_peers_t *self, act_ref_t *ref, size_t *len)
{
    if (!ref || (ref->kind != ACT_REF_REMOTE && ref->core && ref->core != self->core))
        return NULL;
    if (!ref->address_len && !s_address_make (self, ref))
        return NULL;
    if (len)
        *len = ref->address_len;
    return ref->kind == ACT_REF_REMOTE ? ref->name : ref->address;
}

static act_ref_t *
s_ref_for (act_peers_t *self, const char *address)
{
    //  The codec checked it: an address, with its group before the slash.
    size_t len = 0;
    act_address_valid (address, &len);
    if (strlen (self->group) == len && memcmp (self->group, address, len) == 0) {
        pthread_mutex_lock (&self->core->lock);
        act_ref_t *ref = (act_ref_t *) zhashx_lookup (self->core->names, address + len + 1);
        if (ref)
            ref = act_ref_dup (ref);
        pthread_mutex_unlock (&self->core->lock);
        return ref;
    }
    act_ref_t *ref = act_ref_new (ACT_REF_REMOTE, self->core);
    ref->name = strdup (address);
    ref->address_len = strlen (address);
    return ref;
}

//  The address a carried reference travels as. One of another system
//  of this process has no name here that would reach it.
static const char *
s_carried_address (act_peers_t *self, act_ref_t *ref)
{
    const char *address = s_address (self, ref, NULL);
    return address ? address : self->nobody;
}

//  The references msg carries, as addresses in its record.
static void
s_put_refs (act_peers_t *self, act_wire_record_t *record, const act_msg_t *msg)
{
    for (size_t i = 0; i < act_msg_refs (msg); i++) {
        const char *address = s_carried_address (self, act_msg_ref (msg, i));
        act_wire_record_add_ref (record, address, strlen (address));
    }
}

//  The references a record carries, for msg. An address of ours that
//  names no actor now (it stopped, or never was) comes out as a stopped
//  reference, so the receiver still finds one at each index.
static void
s_take_refs (act_peers_t *self, const act_wire_head_t *head, act_msg_t *msg)
{
    for (size_t i = 0; i < head->ref_count; i++) {
        char address [ACT_WIRE_ADDR_MAX + 1];
        memcpy (address, head->refs [i], head->ref_lens [i]);
        address [head->ref_lens [i]] = 0;
        act_ref_t *ref = s_ref_for (self, address);
        if (!ref) {
            ref = act_ref_new (ACT_REF_ACTOR, self->core);
            atomic_store (&ref->dead, true);
        }
        act_msg_take_ref (msg, ref);
    }
}

//  --------------------------------------------------------------------
//  Sending

static void
s_put_down (unsigned char *p, const act_down_t *down)
{
    uint32_t fields [3] = { htonl ((uint32_t) down->exit.kind),
                            htonl ((uint32_t) down->exit.code),
                            htonl ((uint32_t) down->err) };
    memcpy (p, fields, sizeof fields);
}

//  A DOWN's fields as s_put_down wrote them; false if head has none.
static bool
s_get_down (const act_wire_head_t *head, act_down_t *down)
{
    if (head->size != 12 || !head->payload)
        return false;
    uint32_t fields [3];
    memcpy (fields, head->payload, sizeof fields);
    down->exit.kind = (act_exit_kind_t) ntohl (fields [0]);
    down->exit.code = (int) ntohl (fields [1]);
    down->err = (int) ntohl (fields [2]);
    if ((unsigned) down->exit.kind > ACT_EXIT_LOST)
        down->exit.kind = ACT_EXIT_ERROR;
    return true;
}

//  --------------------------------------------------------------------
//  Runtime requests between groups: act_ref_stop and monitors on actors
//  of another group. They are records with a reserved type (see
//  actorio-wire(7)), handled here, never by an actor.

//  Payload in network order, in place: an int code, or a DOWN. False if
//  the request is void: a monitor's watcher that stopped before it had
//  an address, whose monitor went with it.
static bool
s_runtime_out (act_peers_t *self, act_msg_t *msg)
{
    if ((msg->type == ACT_MSG_MONITOR || msg->type == ACT_MSG_DEMONITOR)
    &&  !s_address (self, msg->sender, NULL))
        return false;
    if (msg->type == ACT_MSG_STOP && msg->size == sizeof (int)) {
        int code;
        memcpy (&code, msg->data, sizeof code);
        uint32_t wire = htonl ((uint32_t) code);
        memcpy (msg->data, &wire, sizeof wire);
    }
    else
    if (msg->type == ACT_MSG_MONITOR_DOWN && msg->size == sizeof (act_down_t)) {
        act_down_t down;
        memcpy (&down, msg->data, sizeof down);
        s_put_down (msg->data, &down);
    }
    return true;
}

//  A monitor request that cannot reach the target's group: its watcher
//  hears at once that the target is lost to it.
static void
s_runtime_refused (act_msg_t *msg, int err)
{
    if (msg->type == ACT_MSG_MONITOR && msg->sender) {
        act_exit_t why = { ACT_EXIT_LOST, err == EHOSTUNREACH ? EHOSTDOWN : err };
        act_monitor_fire_id (msg->corr, msg->sender, &why);
    }
}

static void
s_runtime_peer_down (act_peers_t *self, const char *name, uint32_t life)
{
    act_exit_t why = { ACT_EXIT_LOST, EHOSTDOWN };
    act_monitor_group_lost (self->core, name, life, &why);
}

static void s_mark_dirty (act_peers_t *self, s_peer_t *peer);
static s_peer_t *s_known (act_peers_t *self, act_ref_t *ref);

//  A peer's hello (s_greet): false if malformed. A life newer than any
//  said down brings the peer back up.
static bool
s_hello_in (act_peers_t *self, const act_wire_head_t *head)
{
    char name [ACT_WIRE_NAME_MAX + 1];
    size_t len = head->size > 4 ? head->size - 4 : 0;
    if (len == 0 || len > ACT_WIRE_NAME_MAX)
        return false;
    memcpy (name, (const char *) head->payload + 4, len);
    name [len] = 0;
    if (!act_name_valid (name))
        return false;
    uint32_t life;
    memcpy (&life, head->payload, 4);
    life = ntohl (life);
    //  Kept even for a group never talked to: the word of its last
    //  life's death may come after this, and must not take it for down.
    s_peer_t *peer = (s_peer_t *) zhashx_lookup (self->peers, name);
    if (!peer && (streq (name, self->group) || zhashx_size (self->peers) >= ACT_PEERS_MAX))
        return true;
    peer = peer ? peer : s_peer (self, name);
    if (life <= peer->seen_life)
        return true;
    peer->seen_life = life;
    if (peer->down && life > peer->dead_life) {
        peer->down = false;
        if (zlistx_size (peer->blocked))
            s_mark_dirty (self, peer);
    }
    return true;
}

static void
s_runtime_in (act_peers_rx_t *rx, const act_wire_head_t *head)
{
    act_peers_t *self = rx->peers;
    act_core_t *core = self->core;
    //  For no actor: its target is the record's it comes before
    if (head->type == ACT_MSG_HELLO) {
        if (s_hello_in (self, head))
            act_link_count (&rx->stats->received, 1);
        else
            act_peers_malformed (self, rx->stats, "runtime record",
                                 "hello without its life and group");
        return;
    }
    pthread_mutex_lock (&core->lock);
    act_ref_t *local = (act_ref_t *) zhashx_lookup (core->names, head->target);
    local = local ? act_ref_dup (local) : NULL;
    pthread_mutex_unlock (&core->lock);
    bool monitor = head->type == ACT_MSG_MONITOR || head->type == ACT_MSG_DEMONITOR;
    const char *bad = NULL;
    if (head->type == ACT_MSG_STOP && head->size != 4)
        bad = "stop without its code";
    else
    if (monitor && !head->sender_len)
        bad = "monitor without its watcher";
    else
    if (head->type == ACT_MSG_MONITOR_DOWN && head->size != 12)
        bad = "down without its reason";
    if (bad) {
        act_peers_malformed (self, rx->stats, "runtime record", bad);
        act_ref_destroy (&local);
        return;
    }
    act_link_count (&rx->stats->received, 1);
    if (head->type == ACT_MSG_STOP) {
        uint32_t code;
        memcpy (&code, head->payload, sizeof code);
        if (local && local->kind == ACT_REF_ACTOR)
            act_ref_stop (local, (int) ntohl (code));
        else
            //  Stopped already, or never here: counted as a message for
            //  no actor, which is what it is.
            atomic_fetch_add (&rx->stats->unknown, 1);
    }
    else
    if (head->type == ACT_MSG_MONITOR) {
        act_ref_t *watcher = s_ref_for (self, head->sender);
        act_down_t down = { { ACT_EXIT_ERROR, ENOENT }, ESRCH };
        bool answer = !local;   //  no such actor here: as in OTP, the
                                //  DOWN comes at once
        s_peer_t *from = local && watcher ? s_known (self, watcher) : NULL;
        uint64_t id = local && watcher ? act_monitor_add (watcher, local, head->corr,
                                                          from ? from->seen_life : 0) : 0;
        if (local && watcher && !id) {
            //  That group holds all the monitors it may here: its
            //  watcher hears it cannot watch, rather than nothing.
            down = (act_down_t) { { ACT_EXIT_LOST, EAGAIN }, EAGAIN };
            answer = true;
            act_link_count (&rx->stats->dropped, 1);
            //  Logged at the 1st, 2nd, 4th, 8th... refusal: a peer that
            //  keeps asking cannot flood the log.
            static atomic_uint_fast64_t refusals;
            uint64_t nth = atomic_fetch_add (&refusals, 1) + 1;
            if ((nth & (nth - 1)) == 0)
                zsys_warning ("actorio: %s: a monitor for %s refused: %d at most "
                              "for one other group, %d for all (%" PRIu64 " so far)",
                              core->name, head->sender, ACT_MONITOR_PEER_MAX,
                              ACT_MONITOR_REMOTE_MAX, nth);
        }
        if (answer && watcher) {
            act_msg_t *notice = act_msg_new_internal (ACT_MSG_MONITOR_DOWN, &down,
                                                      sizeof down);
            notice->corr = head->corr;
            act_loop_deliver (self->loop, watcher, notice);
        }
        act_ref_destroy (&watcher);
    }
    else
    if (head->type == ACT_MSG_DEMONITOR) {
        if (local)
            act_monitor_cancel_corr (local, head->sender, head->corr);
    }
    else
    if (head->type == ACT_MSG_MONITOR_DOWN && local) {
        act_down_t down;
        s_get_down (head, &down);
        act_monitor_fire_id (head->corr, local, &down.exit);
    }
    act_ref_destroy (&local);
}


//  The link has room again: whoever was refused hears it.
static void
s_tell_writable (s_peer_t *peer)
{
    act_ref_t *ref;
    while ((ref = (act_ref_t *) zlistx_detach (peer->blocked, NULL))) {
        act_msg_t *msg = act_msg_new_internal (ACT_MSG_WRITABLE, peer->name,
                                               strlen (peer->name) + 1);
        act_tell (ref, &msg);
        act_ref_destroy (&ref);
    }
}

static void
s_mark_dirty (act_peers_t *self, s_peer_t *peer)
{
    if (!peer->dirty) {
        peer->dirty = true;
        peer->next_dirty = self->dirty;
        self->dirty = peer;
    }
}

static bool s_backlog_send (act_peers_t *self, s_peer_t *peer);

//  Flush one peer; true while it must be looked at again (something
//  waits for room, or a refused actor waits to hear there is some).
static bool
s_flush_peer (act_peers_t *self, s_peer_t *peer)
{
    if (!peer->state)
        return false;
    s_link_t *link = &self->links [peer->link];
    bool waiting = peer->backlog && s_backlog_send (self, peer);
    if (link->ops->flush (link->self, peer->state) || waiting)
        return true;
    if (zlistx_size (peer->blocked)) {
        if (!link->ops->writable (link->self, peer->state))
            return true;
        s_tell_writable (peer);
    }
    return false;
}

static bool
s_flush (void *arg)
{
    act_peers_t *self = (act_peers_t *) arg;
    s_peer_t *peer = self->dirty;
    self->dirty = NULL;
    while (peer) {
        s_peer_t *next = peer->next_dirty;
        peer->dirty = false;
        if (s_flush_peer (self, peer))
            s_mark_dirty (self, peer);
        peer = next;
    }
    return self->dirty != NULL;
}

//  The group part of a remote reference's address, into group.
static void
s_group_of (const act_ref_t *ref, char *group)
{
    //  A remote reference is made from a checked address only.
    size_t len = 0;
    act_address_valid (ref->name, &len);
    memcpy (group, ref->name, len);
    group [len] = 0;
}

//  The peer of ref's group if there is one; never made here: a request
//  from another process may name any group.
static s_peer_t *
s_known (act_peers_t *self, act_ref_t *ref)
{
    if (ref->route)
        return (s_peer_t *) ref->route;
    char group [ACT_WIRE_NAME_MAX + 1];
    s_group_of (ref, group);
    return (s_peer_t *) zhashx_lookup (self->peers, group);
}

//  The peer of to's group, made on the first send there; NULL past
//  ACT_PEERS_MAX groups. Peers are never freed, and a group's name can
//  come from anywhere a peer writes one (a sender, a carried reference):
//  without the bound, another process inventing names would grow them
//  without end.
static s_peer_t *
s_route (act_peers_t *self, act_ref_t *to)
{
    if (to->route)
        return (s_peer_t *) to->route;
    char group [ACT_WIRE_NAME_MAX + 1];
    s_group_of (to, group);
    s_peer_t *peer = (s_peer_t *) zhashx_lookup (self->peers, group);
    if (!peer && zhashx_size (self->peers) >= ACT_PEERS_MAX) {
        uint64_t nth = ++self->peers_refused;
        if ((nth & (nth - 1)) == 0)
            zsys_warning ("actorio: %s: routes to %d groups at most: a send to %s "
                          "refused (%" PRIu64 " so far)", self->group, ACT_PEERS_MAX,
                          group, nth);
        return NULL;
    }
    //  Peers live as long as the peer layer, and a remote reference is
    //  only used by its own system's loop: the pointer can be kept.
    to->route = peer ? peer : s_peer (self, group);
    return (s_peer_t *) to->route;
}

//  An actor's tell was refused for room: it hears when there is some
//  (once, however often it was refused meanwhile).
static void
s_block (act_peers_t *self, s_peer_t *peer, act_ref_t *actor)
{
    if (!actor)
        return;
    s_mark_dirty (self, peer);
    for (act_ref_t *ref = (act_ref_t *) zlistx_first (peer->blocked); ref;
         ref = (act_ref_t *) zlistx_next (peer->blocked))
        if (ref == actor)
            return;
    zlistx_add_end (peer->blocked, act_ref_dup (actor));
}

static void
s_refuse (act_link_stats_t *stats, act_msg_t *msg, int err)
{
    act_link_count (&stats->dropped, 1);
    s_runtime_refused (msg, err);
    if ((msg->flags & ACT_MSG_F_ASK) && msg->sender) {
        act_exit_t why = { ACT_EXIT_SHUTDOWN, 0 };
        //  No room, out of fds, a payload too big: the asker's to know, as
        //  a teller's act_tell says them; anything else, the peer is as
        //  good as gone.
        act_msg_t *down = act_down_new (NULL, &why,
                                        err == EAGAIN || err == EMFILE || err == EMSGSIZE
                                        ? err : ESRCH);
        act_tell (msg->sender, &down);
    }
    act_msg_destroy (&msg);
    errno = err;
}

//  Hand msg to peer's link as a record for to: 0 and *msg_p taken, or
//  -1 + errno (EAGAIN: no room) and *msg_p left to the caller.
static int
s_put (act_peers_t *self, s_peer_t *peer, act_ref_t *to, act_msg_t **msg_p,
       uint32_t flags)
{
    act_msg_t *msg = *msg_p;
    s_link_t *link = &self->links [peer->link];
    //  A remote reference's address is "group/actor": the target is the
    //  part after the peer's name.
    size_t to_len = 0, sender_len = 0;
    const char *target = s_address (self, to, &to_len) + peer->name_len + 1;
    const char *sender = s_address (self, msg->sender, &sender_len);
    act_wire_record_t record;
    act_wire_record_init (&record, target, to_len - peer->name_len - 1, sender, sender_len,
                          flags, msg);
    if (msg->refs)
        s_put_refs (self, &record, msg);
    //  The link may take the message itself.
    act_ref_t *waiter = (flags & ACT_WIRE_F_ASK) ? act_ref_dup (msg->sender) : NULL;
    if (link->ops->send (link->self, peer->state, &record, msg_p)) {
        act_ref_destroy (&waiter);
        return -1;
    }
    act_link_count (&link->stats.sent, 1);
    s_mark_dirty (self, peer);
    if (waiter) {
        act_waiters_add (&peer->asks, waiter, peer->seen_life);
        act_ref_destroy (&waiter);
    }
    act_msg_destroy (msg_p);
    return 0;
}

//  A runtime record refused for room waits for it, unless too many do.
static int
s_backlog_add (act_peers_t *self, s_peer_t *peer, act_ref_t *to, act_msg_t *msg)
{
    if (peer->backlog_size >= S_BACKLOG_MAX) {
        s_refuse (&self->links [peer->link].stats, msg, EAGAIN);
        return -1;
    }
    msg->to = act_ref_dup (to);
    msg->next = NULL;
    if (peer->backlog_tail)
        peer->backlog_tail->next = msg;
    else
        peer->backlog = msg;
    peer->backlog_tail = msg;
    peer->backlog_size++;
    s_mark_dirty (self, peer);
    return 0;
}

//  Send what waits in peer's backlog, oldest first; true while some
//  still waits for room.
static bool
s_backlog_send (act_peers_t *self, s_peer_t *peer)
{
    while (peer->backlog) {
        act_msg_t *msg = peer->backlog;
        act_msg_t *next = msg->next;
        act_ref_t *to = msg->to;
        msg->next = NULL;
        msg->to = NULL;
        if (s_put (self, peer, to, &msg, s_backlog_flags (msg))) {
            if (errno == EAGAIN) {
                msg->next = next;
                msg->to = to;
                return true;
            }
            s_refuse (&self->links [peer->link].stats, msg, errno);
        }
        act_ref_destroy (&to);
        peer->backlog = next;
        if (!next)
            peer->backlog_tail = NULL;
        peer->backlog_size--;
    }
    return false;
}

//  Our hello to peer, before the first record this life sends it: our
//  life, so that a peer that was told our last life stopped, and has not
//  yet heard from the supervisor that we are back (it says so once we are
//  ready, after our setups have spoken), takes us for up from here on,
//  and never for a life it knows is gone. On its link, in order: room
//  short, it waits in the backlog, and what follows waits behind it. to
//  is the record's target there (the hello is for no actor).
static void
s_greet (act_peers_t *self, s_peer_t *peer, act_ref_t *to)
{
    peer->greet = false;
    if (!self->life)
        return;
    size_t name_len = strlen (self->group);
    act_msg_t *hello = act_msg_new_internal (ACT_MSG_HELLO, NULL, 4 + name_len);
    uint32_t life = htonl (self->life);
    memcpy (hello->data, &life, 4);
    memcpy ((char *) hello->data + 4, self->group, name_len);
    if (!peer->backlog && s_put (self, peer, to, &hello, 0) == 0)
        return;
    if (!peer->backlog && errno != EAGAIN) {
        s_refuse (&self->links [peer->link].stats, hello, errno);
        return;
    }
    s_backlog_add (self, peer, to, hello);
}

static int
s_send (void *arg, act_ref_t *to, act_msg_t *msg)
{
    act_peers_t *self = (act_peers_t *) arg;
    s_peer_t *peer = s_route (self, to);
    if (!peer) {
        s_refuse (&self->links [0].stats, msg, EHOSTUNREACH);
        return -1;
    }
    //  Refusals before a link is chosen count against the preferred one.
    act_link_stats_t *stats = &self->links [peer->link].stats;
    if (peer->down) {
        if (!s_rejoined (self, peer)) {
            s_refuse (stats, msg, EHOSTUNREACH);
            return -1;
        }
        s_rejoined_life (peer);
    }
    //  Every group of a run has the same limit: refuse here what the peer
    //  would refuse, taking the rest of its batch with it.
    if (self->max_size && msg->size > (size_t) self->max_size) {
        s_refuse (stats, msg, EMSGSIZE);
        return -1;
    }
    if (!peer->state && s_peer_attach (self, peer)) {
        s_refuse (stats, msg, errno);
        return -1;
    }
    s_link_t *link = &self->links [peer->link];
    stats = &link->stats;
    if (peer->greet)
        s_greet (self, peer, to);
    uint32_t flags = (msg->flags & ACT_MSG_F_ASK) ? ACT_WIRE_F_ASK : 0;
    if (act_wire_runtime_type (msg->type) && !s_runtime_out (self, msg)) {
        act_msg_destroy (&msg);
        return 0;
    }
    if (msg->type == ACT_MSG_MONITOR)
        act_monitor_tag (msg->corr, peer->seen_life);
    if (msg->type == ACT_MSG_DOWN) {
        //  A failure notice for an asker over there: the codec carries it
        //  as an error reply, type 0, fields in network order.
        act_down_t down = { { ACT_EXIT_NORMAL, 0 }, ESRCH };
        if (msg->size == sizeof down)
            memcpy (&down, act_msg_data (msg), sizeof down);
        act_msg_t *notice = act_msg_new_internal (0, NULL, 12);
        s_put_down (notice->data, &down);
        notice->corr = msg->corr;
        act_msg_destroy (&msg);
        msg = notice;
        flags = ACT_WIRE_F_ERROR;
    }
    bool runtime = (flags & ACT_WIRE_F_ERROR) || act_wire_runtime_type (msg->type);
    if (peer->backlog) {
        if (runtime)
            return s_backlog_add (self, peer, to, msg);
        //  An actor's tell waits behind the runtime's records.
        s_block (self, peer, act_loop_current_ref (self->loop));
        s_refuse (stats, msg, EAGAIN);
        return -1;
    }
    if (s_put (self, peer, to, &msg, flags) == 0)
        return 0;
    int err = errno;
    if (err == EAGAIN && runtime)
        return s_backlog_add (self, peer, to, msg);
    if (err == EAGAIN)
        s_block (self, peer, act_loop_current_ref (self->loop));
    s_refuse (stats, msg, err);
    return -1;
}

static void
s_send_error (act_peers_t *self, const act_wire_head_t *head, int err)
{
    //  Only to a well-formed sender in another group: never answer
    //  garbage, and never loop error replies.
    if (!head->sender [0] || (head->flags & ACT_WIRE_F_ERROR))
        return;
    act_ref_t *to = s_ref_for (self, head->sender);
    if (!to)
        return;
    act_exit_t why = { ACT_EXIT_ERROR, err };
    act_msg_t *down = act_down_new (NULL, &why, err);
    down->corr = head->corr;
    act_loop_deliver (self->loop, to, down);
    act_ref_destroy (&to);
}

//  --------------------------------------------------------------------
//  Receiving

void
act_peers_rx_begin (act_peers_t *self, act_link_stats_t *stats, act_peers_rx_t *rx)
{
    //  The sender and target of the last receive carry over: a ping-pong
    //  gets one message per receive, and looking both up again (a lock,
    //  a hash, a new remote reference) cost more than the message. They
    //  are lent, not copied: a copy each way was a tenth of a receive.
    if (!self->cache_lent) {
        rx->names = &self->cache;
        self->cache_lent = true;
    }
    else {
        memset (&rx->own, 0, sizeof rx->own);
        rx->names = &rx->own;
    }
    rx->peers = self;
    rx->stats = stats;
    rx->records = 0;
    rx->fresh = false;
    rx->external = NULL;
    rx->external_arg = NULL;
}

//  The cached sender holds its reference's loop-local count besides a
//  counted one, so that each message from it takes and drops that count
//  without it falling to 0 and back (an atomic add and sub per message
//  of a ping-pong).
static void
s_sender_forget (act_peers_names_t *names)
{
    if (names->sender_ref)
        act_ref_drop_local (names->sender_ref);
    act_ref_destroy (&names->sender_ref);
}

void
act_peers_rx_end (act_peers_rx_t *rx)
{
    act_peers_t *self = rx->peers;
    if (rx->names == &self->cache)
        self->cache_lent = false;
    else {
        s_sender_forget (rx->names);
        act_ref_destroy (&rx->names->target_ref);
    }
}

//  same: the name is the one names holds (an AGAIN record after a
//  record that set it), no need to compare.
static act_ref_t *
s_target (act_peers_rx_t *rx, const char *name, size_t len, bool same)
{
    //  A target kept from an earlier receive may have stopped since, and
    //  its name gone to another actor.
    act_peers_names_t *names = rx->names;
    if (names->target_ref
    &&  (same || (names->target_len == len && act_wire_same (names->target, name, len)))
    &&  !atomic_load_explicit (&names->target_ref->dead, memory_order_relaxed))
        return names->target_ref;
    act_ref_destroy (&names->target_ref);
    act_core_t *core = rx->peers->core;
    pthread_mutex_lock (&core->lock);
    act_ref_t *ref = (act_ref_t *) zhashx_lookup (core->names, name);
    if (ref)
        ref = act_ref_dup (ref);
    pthread_mutex_unlock (&core->lock);
    if (ref) {
        memcpy (names->target, name, len + 1);
        names->target_len = len;
        names->target_ref = ref;
    }
    return ref;
}

//  The sender of a record, held by msg. Delivered on this loop, the
//  message holds it by the loop-local count (ACT_MSG_F_LOCAL), as a
//  message sent inside the loop does: no atomic operation per message;
//  it is counted again if it leaves the loop.
static void
s_sender (act_peers_rx_t *rx, const char *address, size_t len, act_msg_t *msg, bool same)
{
    if (!len)
        return;
    act_peers_names_t *names = rx->names;
    //  One of our own actors (a message forwarded back here keeps its
    //  first sender) may have stopped since, and its name gone to another
    if (!names->sender_ref
    ||  (!same && (names->sender_len != len || !act_wire_same (names->sender, address, len)))
    ||  atomic_load_explicit (&names->sender_ref->dead, memory_order_relaxed)) {
        s_sender_forget (names);
        names->sender_ref = s_ref_for (rx->peers, address);
        if (names->sender_ref)
            act_ref_hold_local (names->sender_ref);
        memcpy (names->sender, address, len + 1);
        names->sender_len = len;
    }
    if (names->sender_ref) {
        msg->sender = names->sender_ref;
        act_ref_hold_local (msg->sender);
        msg->flags |= ACT_MSG_F_LOCAL;
    }
}

static act_msg_t *
s_error_reply (const act_wire_head_t *head)
{
    act_down_t down = { { ACT_EXIT_ERROR, 0 }, ESRCH };
    s_get_down (head, &down);
    return act_msg_new_internal (ACT_MSG_DOWN, &down, sizeof down);
}

void
act_peers_rx_record (void *arg, const act_wire_head_t *head)
{
    act_peers_rx_t *rx = (act_peers_rx_t *) arg;
    act_peers_t *self = rx->peers;
    rx->records++;
    //  Only a record that went through both lookups below leaves its
    //  names in rx->names for the next.
    bool same = head->again && rx->fresh;
    rx->fresh = false;
    if (act_wire_runtime_type (head->type)) {
        s_runtime_in (rx, head);
        return;
    }
    act_ref_t *target = s_target (rx, head->target, head->target_len, same);
    if (!target) {
        uint64_t unknown = atomic_fetch_add (&rx->stats->unknown, 1) + 1;
        atomic_fetch_add (&self->core->dead_letters, 1);
        //  A log line per power of two, as for malformed input.
        if ((unknown & (unknown - 1)) == 0)
            zsys_warning ("actorio: %s: message for unknown actor %s from %s, %" PRIu64
                          " so far", self->group, head->target,
                          head->sender [0] ? head->sender : "-", unknown);
        if (head->flags & ACT_WIRE_F_ASK)
            s_send_error (self, head, ENOENT);
        return;
    }
    act_msg_t *msg;
    if (head->flags & ACT_WIRE_F_ERROR)
        msg = s_error_reply (head);
    else {
        msg = (head->flags & ACT_WIRE_F_EXTERNAL) && rx->external
            ? rx->external (rx->external_arg, head) : NULL;
        if (msg)
            msg->type = head->type;
        else
            msg = act_msg_new_internal (head->type, head->payload, head->size);
        if (head->flags & ACT_WIRE_F_ASK)
            msg->flags |= ACT_MSG_F_ASK;
    }
    msg->corr = head->corr;
    msg->flags |= ACT_MSG_F_INBOUND;
    s_sender (rx, head->sender, head->sender_len, msg, same);
    rx->fresh = true;
    if (head->ref_count)
        s_take_refs (self, head, msg);
    act_link_count (&rx->stats->received, 1);
    act_loop_deliver (self->loop, target, msg);
}

void
act_peers_malformed (act_peers_t *self, act_link_stats_t *stats, const char *what,
                     const char *reason)
{
    uint64_t bad = atomic_fetch_add (&stats->malformed, 1) + 1;
    //  A log line per power of two: a flood cannot flood the log.
    if ((bad & (bad - 1)) == 0)
        zsys_warning ("actorio: %s: dropped malformed %s (%s), %" PRIu64 " so far",
                      self->group, what, reason, bad);
}

//  Whether links may take more input now. Past the bound on what is
//  queued for our actors (or for one actor, whose class has a
//  mailbox_max), input stays with the links (a ring, ZeroMQ's
//  queue, the kernel), so their senders are refused for room rather than
//  our memory growing; it resumes once half of it is handled.
bool
act_peers_accepting (act_peers_t *self)
{
    act_loop_t *loop = self->loop;
    if (self->paused) {
        if (loop->inbound <= self->inbound_max / 2
        &&  loop->inbound_bytes <= self->inbound_bytes / 2 && !loop->actors_over)
            self->paused = false;
    }
    else
    if (loop->inbound >= self->inbound_max || loop->inbound_bytes >= self->inbound_bytes
    ||  loop->actors_over) {
        self->paused = true;
        self->pauses++;
        //  A log line per power of two, as for malformed input.
        if ((self->pauses & (self->pauses - 1)) == 0)
            zsys_info ("actorio: %s: %zu messages (%zu bytes) queued for its actors: "
                       "input paused, %" PRIu64 " times so far", self->group,
                       loop->inbound, loop->inbound_bytes, self->pauses);
    }
    return !self->paused;
}

//  --------------------------------------------------------------------
//  The loop's hooks, passed on to every link

static bool
s_receive (void *arg)
{
    act_peers_t *self = (act_peers_t *) arg;
    //  Paused, the actors have input queued: the loop comes back here
    //  after each round of them without sleeping.
    if (!act_peers_accepting (self))
        return false;
    bool more = false;
    for (size_t i = 0; i < self->polled_count; i++)
        if (self->polled [i]->ops->receive)
            more |= self->polled [i]->ops->receive (self->polled [i]->self);
    return more;
}

static bool
s_idle (void *arg)
{
    act_peers_t *self = (act_peers_t *) arg;
    //  Still paused with nothing to run: only something from outside the
    //  links (a post, a timer) can change that, so sleep until it comes
    //  rather than spin on input we will not take. (Looked at again here:
    //  the round's actors may have just taken enough to resume.)
    if (!act_peers_accepting (self))
        return false;
    bool input = false;
    for (size_t i = 0; i < self->polled_count; i++)
        if (self->polled [i]->ops->idle)
            input |= self->polled [i]->ops->idle (self->polled [i]->self);
    return input;
}

static void
s_wake (void *arg)
{
    act_peers_t *self = (act_peers_t *) arg;
    for (size_t i = 0; i < self->polled_count; i++)
        if (self->polled [i]->ops->wake)
            self->polled [i]->ops->wake (self->polled [i]->self);
}

static void
s_destroy (void *arg)
{
    act_peers_t *self = (act_peers_t *) arg;
    //  A group stopping gracefully still sends what its actors said last.
    s_flush (self);
    for (s_peer_t *peer = (s_peer_t *) zhashx_first (self->peers); peer;
         peer = (s_peer_t *) zhashx_next (self->peers))
        if (peer->state)
            self->links [peer->link].ops->detach (self->links [peer->link].self,
                                                  peer->state);
    for (size_t i = 0; i < self->link_count; i++)
        self->links [i].ops->close (self->links [i].self);
    if (self->ipc)
        act_link_zmq.close (self->ipc);
    s_sender_forget (&self->cache);
    act_ref_destroy (&self->cache.target_ref);
    zhashx_destroy (&self->peers);
    free (self->group);
    free (self->nobody);
    free (self);
}

//  --------------------------------------------------------------------
//  For act_transport.c, on the loop thread

act_peers_t *
act_peers_prepare (act_loop_t *loop, const act_peers_conf_t *conf)
{
    act_core_t *core = act_loop_core (loop);
    if (core->group) {
        errno = EALREADY;
        return NULL;
    }
    act_peers_t *self = (act_peers_t *) calloc (1, sizeof (act_peers_t));
    if (!self)
        abort ();
    self->loop = loop;
    self->core = core;
    self->group = strdup (conf->group);
    self->nobody = zsys_sprintf ("%s/_", conf->group);
    self->max_size = conf->max_size;
    self->inbound_max = ACT_TRANSPORT_INBOUND_MAX_DEFAULT;
    self->inbound_bytes = ACT_TRANSPORT_INBOUND_BYTES_DEFAULT;
    self->peers = zhashx_new ();
    zhashx_set_destructor (self->peers, s_peer_destroy);
    //  The ipc link's sockets and their monitors, made here, before a
    //  standby's "go": made after it, they were 0.3 ms of a restart's 6
    //  (bench_restart). Its slot is the last, after what start opens.
    self->ipc_slot = (conf->region ? 1 : 0) + (conf->net ? 1 : 0);
    self->ipc = act_link_zmq_make (self, &self->links [self->ipc_slot].stats, conf->rundir,
                                   conf->max_size, conf->hwm);
    if (!self->ipc) {
        int err = errno;
        s_destroy (self);
        errno = err;
        return NULL;
    }
    return self;
}

void
act_peers_discard (act_peers_t *self)
{
    if (self)
        s_destroy (self);
}

int
act_peers_start (act_peers_t *self, const act_peers_conf_t *conf)
{
    self->life = conf->life ? *conf->life : 0;
    //  In order of preference: shared memory where both ends have it.
    if (conf->region) {
        s_link_t *link = &self->links [self->link_count];
        link->ops = &act_link_shm;
        link->self = act_link_shm_open (self, &link->stats, conf->region, conf->max_size);
        if (!link->self)
            goto failed;
        self->link_count++;
    }
    //  Then tcp to the groups of other nodes, ipc to the rest.
    if (conf->net) {
        s_link_t *tcp = &self->links [self->link_count];
        tcp->ops = &act_link_tcp;
        tcp->self = act_link_tcp_open (self, &tcp->stats, conf->net, conf->rundir,
                                       conf->max_size, conf->hwm);
        if (!tcp->self)
            goto failed;
        self->link_count++;
    }
    assert (self->link_count == self->ipc_slot);
    if (act_link_zmq_bind (self->ipc))
        goto failed;
    s_link_t *link = &self->links [self->link_count++];
    link->ops = &act_link_zmq;
    link->self = self->ipc;
    self->ipc = NULL;
    for (size_t i = 0; i < self->link_count; i++) {
        const act_link_ops_t *ops = self->links [i].ops;
        if (ops->receive || ops->idle || ops->wake)
            self->polled [self->polled_count++] = &self->links [i];
    }
    act_core_t *core = self->core;
    pthread_mutex_lock (&core->lock);
    core->group = strdup (conf->group);
    pthread_mutex_unlock (&core->lock);
    act_loop_net_t net = { self, s_send, s_flush, s_receive, s_idle, s_wake, s_destroy };
    act_loop_set_net (self->loop, &net);
    return 0;
failed:;
    int err = errno;
    s_destroy (self);
    errno = err;
    return -1;
}

int
act_peers_join (act_loop_t *loop, const act_peers_conf_t *conf)
{
    act_peers_t *self = act_peers_prepare (loop, conf);
    return self ? act_peers_start (self, conf) : -1;
}

void
act_peers_peer_state (act_peers_t *self, const char *name, bool down)
{
    act_peers_peer_life (self, name, down, 0);
}

void
act_peers_peer_life (act_peers_t *self, const char *name, bool down, uint32_t life)
{
    s_peer_t *peer = s_peer (self, name);
    //  Without a life, a down is of the newest life heard of
    if (down && !life)
        life = peer->seen_life;
    if (down && life > peer->dead_life)
        peer->dead_life = life;
    if (!down && life > peer->seen_life)
        peer->seen_life = life;
    //  What the link holds for it stays: it was accepted before the peer
    //  went down and goes out after what the medium already took, so a
    //  restarted peer sees one stream with its gap at the restart, never
    //  inside its new life.
    //  Said down after its next life was heard from (its hello) or joined
    //  the region (the word came late): what follows is for the life that
    //  died, and the peer stays up.
    bool late = down && peer->seen_life > peer->dead_life;
    if (down && !late && s_rejoined (self, peer)) {
        late = true;
        s_rejoined_life (peer);
    }
    peer->down = down && !late;
    if (down) {
        //  Asks and monitors made with a life said down fail. Late, those
        //  made with the next life stay; and so does the backlog: it may
        //  hold what is for that life (our hello, its monitors' requests),
        //  and a reply or notice in it for a life gone reaches the next,
        //  which drops it as one it does not expect.
        uint32_t upto = late ? peer->dead_life : UINT32_MAX;
        if (!late)
            act_link_count (&self->links [peer->link].stats.dropped,
                            s_backlog_clear (peer));
        act_exit_t why = { ACT_EXIT_SHUTDOWN, 0 };
        act_waiters_down (&peer->asks, NULL, upto, &why, ESRCH);
        s_runtime_peer_down (self, name, upto);
    }
    else
    if (zlistx_size (peer->blocked))
        s_mark_dirty (self, peer);
}

void *
act_peers_link (act_peers_t *self, const char *kind)
{
    for (size_t i = 0; i < self->link_count; i++)
        if (streq (self->links [i].ops->kind, kind))
            return self->links [i].self;
    return NULL;
}

void
act_peers_set_inbound (act_peers_t *self, size_t max_msgs, size_t max_bytes)
{
    self->inbound_max = max_msgs ? max_msgs : ACT_TRANSPORT_INBOUND_MAX_DEFAULT;
    self->inbound_bytes = max_bytes ? max_bytes : ACT_TRANSPORT_INBOUND_BYTES_DEFAULT;
}

int
act_peers_stats (act_peers_t *self, const char *kind, act_transport_stats_t *stats)
{
    memset (stats, 0, sizeof *stats);
    bool found = kind == NULL;
    for (size_t i = 0; self && i < self->link_count; i++) {
        if (kind && !streq (kind, self->links [i].ops->kind))
            continue;
        found = true;
        act_link_stats_t *s = &self->links [i].stats;
        stats->sent += atomic_load (&s->sent);
        stats->received += atomic_load (&s->received);
        stats->dropped += atomic_load (&s->dropped);
        stats->malformed += atomic_load (&s->malformed);
        stats->unknown += atomic_load (&s->unknown);
        stats->resets += atomic_load (&s->resets);
        stats->refused_connections += atomic_load (&s->refused);
    }
    if (self)
        stats->pauses = self->pauses;
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}
