/*  mesh - a plugin for load runs: all-to-all traffic between groups
    SPDX-License-Identifier: MPL-2.0

    Class "mesh", args "GROUPS ACTORS TARGETS EVERY_MS BURST [SIZE
    [CHILDREN]]": an actor named aI in group gG (G, I from 0) tells BURST
    messages every EVERY_MS, round robin (one in 64 of SIZE bytes, the
    rest of 64), to TARGETS actors of other groups (actor
    a((I + T) % ACTORS) of group g((G + 1 + (I * TARGETS + T) % (GROUPS -
    1)) % GROUPS)). Each message carries the sender's group, actor, pid and
    a sequence number per target that moves on only when act_tell accepts
    it, so a receiver sees every number once, in order, within one life of
    both: a number below the next expected is a duplicate or reordering,
    one above it a loss. The counters are per process; a0 prints them
    every second as "mesh g=.. sent=.. ..." on stdout. Sending stops while
    the file $MESH_QUIET exists (checked each second), to measure an idle
    run. $MESH_BIG_EVERY changes the 64; the group named $MESH_SLOW_GROUP
    spends $MESH_SLOW_US microseconds on each message. Each actor spawns
    CHILDREN actors that do nothing (many actors per group without a huge
    topology). A message of type MESH_ASK is answered with its own payload.

    Class "asker", args "TARGET EVERY_MS TIMEOUT_MS": asks TARGET from the
    worker pool every EVERY_MS and prints a line for every ask that fails,
    "asker: ERRNO after MS ms", and one per second of totals.
*/
#include <actorio.h>
#include <act_group.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MESH_SEQ = 300, MESH_ASK, MESH_ASKED };

typedef struct {
    uint32_t group, actor;      //  the sender
    uint64_t pid;               //  the sender's process
    uint64_t seq;               //  per sender/receiver pair
} mesh_head_t;

typedef struct {
    uint64_t pid;               //  sender life seen last
    uint64_t next;              //  number expected next
} mesh_pair_t;

//  Per process: all actors of a group run on one loop thread.
static struct {
    uint64_t sent, eagain, down, other, recv, gaps, lost, dups, bad;
    bool quiet;
} s_n;

static int s_big_every = 64;         //  $MESH_BIG_EVERY
static int s_slow_us;                //  $MESH_SLOW_US, in $MESH_SLOW_GROUP

typedef struct {
    int groups, actors, targets, every, burst;
    size_t size;                //  payload bytes
    uint32_t group, actor;      //  mine
    act_ref_t **to;             //  targets (owned)
    uint64_t *seq;              //  next number per target
    int next;                   //  round robin
    zhashx_t *pairs;            //  "G.A" -> mesh_pair_t (owned)
    char *buf;                  //  payload scratch
} mesh_t;

static int
s_report (act_t *self, int id, void *arg)
{
    (void) self; (void) id; (void) arg;
    const char *quiet = getenv ("MESH_QUIET");
    struct stat st;
    s_n.quiet = quiet && stat (quiet, &st) == 0;
    printf ("mesh g=%s sent=%" PRIu64 " eagain=%" PRIu64 " down=%" PRIu64 " other=%" PRIu64
            " recv=%" PRIu64 " gaps=%" PRIu64 " lost=%" PRIu64 " dups=%" PRIu64 " bad=%" PRIu64
            " quiet=%d\n", act_group_name (), s_n.sent, s_n.eagain, s_n.down, s_n.other,
            s_n.recv, s_n.gaps, s_n.lost, s_n.dups, s_n.bad, s_n.quiet);
    fflush (stdout);
    return 0;
}

static int
s_tick (act_t *self, int id, void *arg)
{
    (void) id; (void) arg;
    mesh_t *m = (mesh_t *) act_state (self);
    if (s_n.quiet) {
        //  Quiet for good: an idle run must have no timer of ours left
        //  but a0's report.
        act_cancel (self, id);
        return 0;
    }
    for (int b = 0; b < m->burst; b++) {
        int t = m->next++ % m->targets;
        mesh_head_t head = { htobe32 (m->group), htobe32 (m->actor),
                             htobe64 ((uint64_t) getpid ()), htobe64 (m->seq [t]) };
        memcpy (m->buf, &head, sizeof head);
        //  One message in 64 has the large size: blocks on shm.
        size_t size = m->seq [t] % (uint64_t) s_big_every == 0 ? m->size : 64;
        act_msg_t *msg = act_msg_new_data (MESH_SEQ, m->buf, size);
        if (act_tell (m->to [t], &msg) == 0) {
            m->seq [t]++;
            s_n.sent++;
        }
        else if (errno == EAGAIN) {
            s_n.eagain++;
        }
        else if (errno == EHOSTUNREACH) {
            s_n.down++;
        }
        else {
            s_n.other++;
        }
        act_msg_destroy (&msg);
    }
    return 0;
}

static int
idle_handle (act_t *self, act_msg_t *msg)
{
    (void) self; (void) msg;
    return 0;
}

static const act_class_t s_idle = { .name = "idle", .handle = idle_handle };

static int
mesh_setup (act_t *self, void *args)
{
    mesh_t *m = (mesh_t *) act_state (self);
    const char *name = act_ref_name (act_self (self));
    const char *group = act_group_name ();
    if (!args || !name || !group
        || sscanf ((const char *) args, "%d %d %d %d %d %zu", &m->groups, &m->actors,
                   &m->targets, &m->every, &m->burst, &m->size) < 5
        || m->groups < 2 || m->targets < 1) {
        return -1;
    }
    int children = 0;
    sscanf ((const char *) args, "%*d %*d %*d %*d %*d %*u %d", &children);
    for (int c = 0; c < children; c++) {
        //  The reference is borrowed (act_actor(3)): nothing to drop.
        act_spawn_child (self, &s_idle, NULL);
    }
    if (m->size < 64) {
        m->size = 64;
    }
    m->group = (uint32_t) atoi (group + 1);
    if (getenv ("MESH_BIG_EVERY") && atoi (getenv ("MESH_BIG_EVERY")) > 0) {
        s_big_every = atoi (getenv ("MESH_BIG_EVERY"));
    }
    if (getenv ("MESH_SLOW_GROUP") && streq (getenv ("MESH_SLOW_GROUP"), group)
        && getenv ("MESH_SLOW_US")) {
        s_slow_us = atoi (getenv ("MESH_SLOW_US"));
    }
    m->actor = (uint32_t) atoi (name + 1);
    m->to = (act_ref_t **) calloc ((size_t) m->targets, sizeof *m->to);
    m->seq = (uint64_t *) calloc ((size_t) m->targets, sizeof *m->seq);
    m->buf = (char *) calloc (1, m->size);
    m->pairs = zhashx_new ();
    zhashx_set_destructor (m->pairs, (zhashx_destructor_fn *) zstr_free);
    for (int t = 0; t < m->targets; t++) {
        int g = ((int) m->group + 1 + ((int) m->actor * m->targets + t) % (m->groups - 1))
                % m->groups;
        char address [64];
        snprintf (address, sizeof address, "g%d/a%d", g, ((int) m->actor + t) % m->actors);
        m->to [t] = act_find (self, address);
        if (!m->to [t]) {
            fprintf (stderr, "mesh: act_find %s: %s\n", address, strerror (errno));
            return -1;
        }
    }
    if (m->actor == 0) {
        act_every (self, 1000, s_report, NULL);
    }
    //  Spread the actors' ticks over the period.
    act_after (self, 1 + (int) (m->actor % (uint32_t) m->every), s_tick, NULL);
    act_every (self, m->every, s_tick, NULL);
    return 0;
}

static int
mesh_handle (act_t *self, act_msg_t *msg)
{
    mesh_t *m = (mesh_t *) act_state (self);
    if (act_msg_type (msg) == MESH_ASK) {
        act_msg_t *reply = act_msg_dup (msg);
        return act_reply (msg, &reply);
    }
    if (act_msg_type (msg) != MESH_SEQ) {
        return 0;
    }
    s_n.recv++;
    if (s_slow_us) {
        int64_t until = zclock_usecs () + s_slow_us;
        while (zclock_usecs () < until)
            ;
    }
    if (act_msg_size (msg) < sizeof (mesh_head_t)) {
        s_n.bad++;
        return 0;
    }
    mesh_head_t head;
    memcpy (&head, act_msg_data (msg), sizeof head);
    char key [32];
    snprintf (key, sizeof key, "%u.%u", be32toh (head.group), be32toh (head.actor));
    uint64_t pid = be64toh (head.pid), seq = be64toh (head.seq);
    mesh_pair_t *pair = (mesh_pair_t *) zhashx_lookup (m->pairs, key);
    if (!pair) {
        pair = (mesh_pair_t *) calloc (1, sizeof *pair);
        zhashx_insert (m->pairs, key, pair);
    }
    if (pair->pid != pid) {
        //  A new life of the sender, or the first we see: what came
        //  before our own life is not ours to judge.
        pair->pid = pid;
        pair->next = seq;
    }
    if (seq < pair->next) {
        s_n.dups++;
    }
    else {
        if (seq > pair->next) {
            s_n.gaps++;
            s_n.lost += seq - pair->next;
            if (s_n.gaps <= 5 || (s_n.gaps & (s_n.gaps - 1)) == 0) {
                printf ("mesh gap at %s/%s from %s pid %" PRIu64 ": expected %" PRIu64
                        ", got %" PRIu64 "\n", act_group_name (),
                        act_ref_name (act_self (self)), key, pid, pair->next, seq);
            }
        }
        pair->next = seq + 1;
    }
    return 0;
}

static void
mesh_teardown (act_t *self)
{
    mesh_t *m = (mesh_t *) act_state (self);
    for (int t = 0; m->to && t < m->targets; t++) {
        act_ref_destroy (&m->to [t]);
    }
    free (m->to);
    free (m->seq);
    free (m->buf);
    zhashx_destroy (&m->pairs);
}

const act_class_t actorio_class_mesh = {
    .name = "mesh",
    .state_size = sizeof (mesh_t),
    .setup = mesh_setup,
    .handle = mesh_handle,
    .teardown = mesh_teardown,
};

//  ----------------------------------------------------------------------
//  asker

typedef struct {
    act_ref_t *to;              //  target (owned)
    int timeout;                //  ms
    uint64_t ok, failed, max_fail_ms, slow_fail;
} asker_t;

typedef struct {
    act_ref_t *to;              //  dup of the target (owned)
    int timeout;                //  ms
} s_ask_t;

static act_msg_t *
s_ask_work (void *arg)
{
    s_ask_t *ask = (s_ask_t *) arg;
    act_msg_t *msg = act_msg_new_str (MESH_ASK, "ask");
    int64_t start = zclock_mono ();
    act_msg_t *reply = act_ask (ask->to, &msg, ask->timeout);
    int err = reply ? 0 : errno;
    char result [64];
    snprintf (result, sizeof result, "%d %" PRId64, err, zclock_mono () - start);
    act_msg_destroy (&reply);
    act_ref_destroy (&ask->to);
    free (ask);
    return act_msg_new_str (MESH_ASKED, result);
}

static int
s_ask_tick (act_t *self, int id, void *arg)
{
    (void) arg;
    asker_t *a = (asker_t *) act_state (self);
    if (s_n.quiet) {
        act_cancel (self, id);
        return 0;
    }
    s_ask_t *ask = (s_ask_t *) calloc (1, sizeof *ask);
    ask->to = act_ref_dup (a->to);
    ask->timeout = a->timeout;
    if (act_offload (self, s_ask_work, ask) == -1) {
        act_ref_destroy (&ask->to);
        free (ask);
    }
    return 0;
}

static int
s_ask_report (act_t *self, int id, void *arg)
{
    (void) id; (void) arg;
    asker_t *a = (asker_t *) act_state (self);
    printf ("asker totals ok=%" PRIu64 " failed=%" PRIu64 " max_fail_ms=%" PRIu64
            " slow_fail=%" PRIu64 "\n", a->ok, a->failed, a->max_fail_ms, a->slow_fail);
    fflush (stdout);
    return 0;
}

static int
asker_setup (act_t *self, void *args)
{
    asker_t *a = (asker_t *) act_state (self);
    char target [128];
    int every;
    if (!args || sscanf ((const char *) args, "%127s %d %d", target, &every, &a->timeout) != 3) {
        return -1;
    }
    a->to = act_find (self, target);
    if (!a->to) {
        return -1;
    }
    act_every (self, every, s_ask_tick, NULL);
    act_every (self, 1000, s_ask_report, NULL);
    return 0;
}

static int
asker_handle (act_t *self, act_msg_t *msg)
{
    asker_t *a = (asker_t *) act_state (self);
    if (act_msg_type (msg) != MESH_ASKED || !act_msg_str (msg)) {
        return 0;
    }
    int err = 0;
    long ms = 0;
    sscanf (act_msg_str (msg), "%d %ld", &err, &ms);
    if (err == 0) {
        a->ok++;
        return 0;
    }
    a->failed++;
    if ((uint64_t) ms > a->max_fail_ms) {
        a->max_fail_ms = (uint64_t) ms;
    }
    if (ms >= 100) {
        a->slow_fail++;
        printf ("asker: %s after %ld ms\n", strerror (err), ms);
    }
    return 0;
}

static void
asker_teardown (act_t *self)
{
    asker_t *a = (asker_t *) act_state (self);
    act_ref_destroy (&a->to);
}

const act_class_t actorio_class_asker = {
    .name = "asker",
    .state_size = sizeof (asker_t),
    .setup = asker_setup,
    .handle = asker_handle,
    .teardown = asker_teardown,
};
