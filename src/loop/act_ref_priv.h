/*  act_ref_priv - what a reference holds, for the loop and the inbox
    SPDX-License-Identifier: MPL-2.0
*/
#ifndef ACT_REF_PRIV_H_INCLUDED
#define ACT_REF_PRIV_H_INCLUDED

#include "actorio.h"
#include <stdatomic.h>

typedef struct act_core act_core_t;
typedef struct act_monitor_rec act_monitor_rec_t;

typedef enum {
    ACT_REF_ACTOR,              //  an actor of this process
    ACT_REF_INBOX,              //  an inbox of this process
    ACT_REF_REMOTE              //  "group/actor" in another group
} act_ref_kind_t;

struct _act_ref_t {
    atomic_int refs;            //  owners of this reference
    atomic_bool dead;           //  set once, when the target stopped
    uint32_t local;             //  uncounted owners on the target's own
                                //  loop thread: messages it sent there
                                //  (together they hold one of refs)
    act_ref_kind_t kind;        //  actor or inbox
    act_core_t *core;           //  actor: its system's core (counted);
                                //  inbox: for dead letters, or NULL
    act_t *actor;               //  loop thread only; NULL once stopped
    act_inbox_t *inbox;         //  inbox refs: the inbox, freed with us
    char *name;                 //  registered name, or NULL; for a
                                //  remote reference its "group/actor"
    act_exit_t exit;            //  why it stopped, valid once dead
    char *address;              //  "group/name" once it sent to another
                                //  group (loop thread only), or NULL
    size_t address_len;         //  its length, 0 until the peer layer
                                //  asks; a remote reference's name's,
                                //  set when it is made (any thread reads)
    void *route;                //  remote: the transport's peer, cached
                                //  by the loop thread, or NULL
    _Atomic (char *) id;        //  act_ref_id, made once, or NULL
    atomic_bool monitored;      //  set before it first joins a monitor:
                                //  until then its death skips the lock
    act_monitor_rec_t *watched_by;  //  monitors on us (act_monitor.c's lock)
    act_monitor_rec_t *watching;    //  monitors we hold (same lock)
    atomic_uint_fast64_t dead_sent; //  actor: messages it sent that went
                                //  to dead letters (actor-run status)
};

//  A monitor: linked on its target's and its watcher's lists, and in the
//  registry by id (act_monitor.c).
struct act_monitor_rec {
    uint64_t id;                //  key in the registry, > 0
    uint64_t corr;              //  the id its watcher knows: ours, or
                                //  the watcher's group's
    act_ref_t *watcher;         //  counted
    act_ref_t *target;          //  counted
    uint32_t life;              //  the life of the other end's group it
                                //  was made with (act_monitor_tag), 0:
                                //  unknown (lost with any of its lives)
    act_monitor_rec_t *t_next;  //  on target->watched_by
    act_monitor_rec_t *t_prev;
    act_monitor_rec_t *w_next;  //  on watcher->watching
    act_monitor_rec_t *w_prev;
};

//  Monitor target for watcher (any kinds; a remote target is asked to
//  keep its half): corr is the id the watcher knows, 0 for the new id.
//  Fires at once if target is dead already. Returns the id, > 0, or 0
//  with errno EAGAIN when watcher is of another group that holds
//  ACT_MONITOR_PEER_MAX monitors here already. life: as act_monitor_tag.
uint64_t
    act_monitor_add (act_ref_t *watcher, act_ref_t *target, uint64_t corr,
                     uint32_t life);

//  ref is dead: fire the monitors on it (with ref->exit) and drop those it
//  held. Any thread.
void
    act_monitor_ref_dead (act_ref_t *ref);

//  A DOWN for monitor id came from the target's group for watcher: fire
//  it, unless it was demonitored or is not watcher's. True if fired.
bool
    act_monitor_fire_id (uint64_t monitor_id, act_ref_t *watcher,
                         const act_exit_t *why);

//  The watcher's group dropped its monitor corr of target: drop our half.
//  watcher is its address. True if there was one.
bool
    act_monitor_cancel_corr (act_ref_t *target, const char *watcher, uint64_t corr);

//  Monitor id was made with life of its other end's group (its target's
//  or its watcher's, whichever is remote). Nothing if it is gone.
void
    act_monitor_tag (uint64_t monitor_id, uint32_t life);

//  Life of group of core's run is gone, and every life before it
//  (UINT32_MAX: all): fire the monitors made with one of them whose
//  targets were there (with why), and drop those whose watchers were.
void
    act_monitor_group_lost (act_core_t *core, const char *group, uint32_t life,
                            const act_exit_t *why);

//  Counted references to ask waiters that want to hear if a target goes
//  away. Adding drops the waiters that finished before the array grows:
//  a long-lived target asked a million times keeps no million dead ones.
//  Each is tagged with the life of the target's group it asked (act_host.h;
//  0: unknown), so the word that an earlier life stopped, come after the
//  next one spoke, fails only what went to that earlier one.
typedef struct {
    act_ref_t *ref;             //  counted
    uint32_t life;              //  the life it asked, 0: unknown
} act_waiter_t;

typedef struct {
    act_waiter_t *items;        //  waiters
    uint32_t count;             //  entries in use
    uint32_t cap;               //  entries allocated
} act_waiters_t;

void
    act_waiters_add (act_waiters_t *self, act_ref_t *waiter, uint32_t life);
//  Tell every live waiter of a life up to life (UINT32_MAX: all) that
//  target (may be NULL) is down, with why and the errno its ask fails
//  with, and drop it; the others stay.
void
    act_waiters_down (act_waiters_t *self, act_ref_t *target, uint32_t life,
                      const act_exit_t *why, int err);
void
    act_waiters_free (act_waiters_t *self);

//  A message sent from an actor to its own loop holds its sender by the
//  loop-local count (ACT_MSG_F_LOCAL): no atomic operation per message.
//  Only the loop thread may touch it, so a message leaving the loop is
//  first given a counted reference (act_msg_unbias).
void
    act_ref_hold_local (act_ref_t *self);
void
    act_ref_drop_local (act_ref_t *self);
void
    act_msg_unbias (act_msg_t *msg);

//  A new reference with one owner.
act_ref_t *
    act_ref_new (act_ref_kind_t kind, act_core_t *core);

//  Give src/msg the hooks through which a message releases what it holds
//  (act_msg_hooks_set). act_ref_new and act_core_new call it, so it has run
//  before any reference or loop exists; any number of calls.
void
    act_ref_install_hooks (void);

//  Mark dead with a reason and wake whoever waits on it.
void
    act_ref_set_dead (act_ref_t *self, const act_exit_t *why);

//  How logs and actor-run status show an actor or inbox: its name, else
//  "#N", the serial of its act_ref_id. Borrowed, as act_ref_id.
const char *
    act_ref_shown (act_ref_t *self);

//  Put a message in an inbox (any thread); takes it. -1 + ESRCH if the
//  inbox is gone (counted as a dead letter).
int
    act_inbox_put (act_inbox_t *self, act_msg_t *msg);

//  act_spawn and act_spawn_named (name NULL or checked) on core, from
//  any thread, the loop's own during its init too (the spawn is handled
//  once init returns).
act_ref_t *
    act_core_spawn (act_core_t *core, const char *name, const act_class_t *cls,
                    void *args);

//  An inbox whose dead letters and address belong to core (may be NULL).
act_inbox_t *
    act_inbox_new_in (act_core_t *core);

//  A DOWN notice from target, telling an asker to fail with err.
act_msg_t *
    act_down_new (act_ref_t *target, const act_exit_t *why, int err);

//  Free an inbox whose reference is gone.
void
    act_inbox_free (act_inbox_t *self);

#endif
