/*  act_monitor - monitors, as in Erlang/OTP: a watcher hears once that
    its target stopped
    SPDX-License-Identifier: MPL-2.0

    One registry for the process, because act_demonitor gets nothing but
    an id: a hash from id to record under one mutex. Each record is also
    on two lists kept in the references it joins: the target's (to fire
    when it dies) and the watcher's (to drop when it dies first), so a
    death costs the monitors it has, never a walk of the registry, and
    nothing outlives both ends. A record holds both references counted.

    The race between monitoring and dying is settled by the mutex: a
    monitor looks at the target's and the watcher's dead flags under it,
    and a death takes it after setting that flag, so each record is fired
    or dropped exactly once, by one side or the other. A reference that
    never joined a monitor dies without the mutex (an ask's waiter, most
    inboxes): the monitor sets the reference's monitored flag before it
    reads dead, the death sets dead before it reads monitored, both
    sequentially consistent, so at least one of them sees the other.
    Messages go out after the mutex is released: a tell may take an
    inbox's or a core's lock.
*/
#include "act_loop_priv.h"
#include <inttypes.h>

typedef struct act_monitor_rec s_rec_t;

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static zhashx_t *s_registry;    //  "id" -> s_rec_t, under s_lock
static uint64_t s_next_id;      //  last id given, under s_lock
//  Monitors held here for watchers of another group, per group: "group"
//  -> a count, under s_lock. A peer's requests are bounded like any
//  input from another process (ACT_MONITOR_PEER_MAX); the entry goes
//  when its count falls to 0, so the table holds only live groups.
static zhashx_t *s_peer_counts;
//  All of those, whatever group they are counted for, under s_lock: a
//  group named in a request is the requester's to say, so a peer that
//  names a new one each time would pass every per-group limit
//  (ACT_MONITOR_REMOTE_MAX).
static size_t s_peer_total;
//  Set when the first monitor is made: until then there is no registry
//  to look in, and a demonitor or a lost group has nothing to do.
static atomic_bool s_used;

static void
s_key (char *key, size_t size, uint64_t id)
{
    snprintf (key, size, "%" PRIx64, id);
}

//  The group part of a remote watcher's address, into key; false if it
//  has none (not counted then: nothing of a peer's can be such).
//  True if watcher is of another group: its monitors are counted
static bool
s_counted (const act_ref_t *watcher)
{
    return watcher->kind == ACT_REF_REMOTE && watcher->name;
}

static bool
s_peer_key (act_ref_t *watcher, char *key, size_t size)
{
    if (!s_counted (watcher))
        return false;
    const char *slash = strchr (watcher->name, '/');
    size_t len = slash ? (size_t) (slash - watcher->name) : strlen (watcher->name);
    if (len >= size)
        len = size - 1;
    memcpy (key, watcher->name, len);
    key [len] = 0;
    return true;
}

//  The monitors held for watcher's group; under s_lock.
static size_t *
s_peer_count (act_ref_t *watcher, bool create)
{
    char key [256];
    if (!s_peer_key (watcher, key, sizeof key))
        return NULL;
    size_t *count = (size_t *) zhashx_lookup (s_peer_counts, key);
    if (!count && create) {
        count = (size_t *) calloc (1, sizeof *count);
        if (!count)
            abort ();
        zhashx_insert (s_peer_counts, key, count);
    }
    return count;
}

static void
s_link (s_rec_t *rec)
{
    size_t *count = s_peer_count (rec->watcher, true);
    if (count) {
        (*count)++;
        s_peer_total++;
    }
    act_ref_t *target = rec->target, *watcher = rec->watcher;
    rec->t_prev = NULL;
    rec->t_next = target->watched_by;
    if (target->watched_by)
        target->watched_by->t_prev = rec;
    target->watched_by = rec;
    rec->w_prev = NULL;
    rec->w_next = watcher->watching;
    if (watcher->watching)
        watcher->watching->w_prev = rec;
    watcher->watching = rec;
    char key [24];
    s_key (key, sizeof key, rec->id);
    zhashx_insert (s_registry, key, rec);
}

static void
s_unlink (s_rec_t *rec)
{
    size_t *count = s_peer_count (rec->watcher, false);
    if (count)
        s_peer_total--;
    if (count && --*count == 0) {
        char key [256];
        s_peer_key (rec->watcher, key, sizeof key);
        zhashx_delete (s_peer_counts, key);
    }
    if (rec->t_prev)
        rec->t_prev->t_next = rec->t_next;
    else
        rec->target->watched_by = rec->t_next;
    if (rec->t_next)
        rec->t_next->t_prev = rec->t_prev;
    if (rec->w_prev)
        rec->w_prev->w_next = rec->w_next;
    else
        rec->watcher->watching = rec->w_next;
    if (rec->w_next)
        rec->w_next->w_prev = rec->w_prev;
    rec->t_next = rec->t_prev = rec->w_next = rec->w_prev = NULL;
    char key [24];
    s_key (key, sizeof key, rec->id);
    zhashx_delete (s_registry, key);
}

static void
s_free (s_rec_t *rec)
{
    act_ref_destroy (&rec->watcher);
    act_ref_destroy (&rec->target);
    free (rec);
}

//  Tell the watcher, then free the record. Outside s_lock.
static void
s_fire (s_rec_t *rec, const act_exit_t *why)
{
    if (act_ref_alive (rec->watcher)) {
        act_msg_t *down = act_down_new (rec->target, why, ESRCH);
        down->corr = rec->corr;
        //  To a watcher in another group, a runtime record says it.
        if (rec->watcher->kind == ACT_REF_REMOTE)
            down->type = ACT_MSG_MONITOR_DOWN;
        act_tell (rec->watcher, &down);
    }
    s_free (rec);
}

//  A request about a monitor for the target's group: the watcher is its
//  sender, the watcher's id its correlation id.
static void
s_request (uint32_t type, act_ref_t *target, act_ref_t *watcher, uint64_t corr)
{
    act_msg_t *msg = act_msg_new_internal (type, NULL, 0);
    msg->sender = act_ref_dup (watcher);
    msg->corr = corr;
    act_tell (target, &msg);
}

//  Free a record that will not fire; a watcher of another group's actor
//  tells that group to drop its half.
static void
s_free_cancel (s_rec_t *rec)
{
    if (rec->target->kind == ACT_REF_REMOTE && rec->watcher->kind != ACT_REF_REMOTE)
        s_request (ACT_MSG_DEMONITOR, rec->target, rec->watcher, rec->corr);
    s_free (rec);
}

static void
s_count_free (void **count_p)
{
    free (*count_p);
    *count_p = NULL;
}

static void
s_init (void)
{
    s_registry = zhashx_new ();
    s_peer_counts = zhashx_new ();
    zhashx_set_destructor (s_peer_counts, s_count_free);
}

uint64_t
act_monitor_add (act_ref_t *watcher, act_ref_t *target, uint64_t corr, uint32_t life)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once (&once, s_init);
    atomic_store (&s_used, true);
    s_rec_t *rec = (s_rec_t *) calloc (1, sizeof (s_rec_t));
    if (!rec)
        abort ();
    rec->watcher = act_ref_dup (watcher);
    rec->target = act_ref_dup (target);
    rec->life = life;
    atomic_store (&watcher->monitored, true);
    atomic_store (&target->monitored, true);
    pthread_mutex_lock (&s_lock);
    uint64_t id = rec->id = ++s_next_id;
    rec->corr = corr ? corr : id;
    bool fired = target->kind != ACT_REF_REMOTE && atomic_load (&target->dead);
    //  A watcher that died meanwhile would never take its record back.
    bool orphan = !fired && atomic_load (&watcher->dead);
    size_t *count = fired || orphan ? NULL : s_peer_count (watcher, false);
    bool full = (count && *count >= ACT_MONITOR_PEER_MAX)
             || (!fired && !orphan && s_counted (watcher)
                 && s_peer_total >= ACT_MONITOR_REMOTE_MAX);
    if (!fired && !orphan && !full)
        s_link (rec);
    pthread_mutex_unlock (&s_lock);
    if (full) {
        s_free (rec);
        errno = EAGAIN;
        return 0;
    }
    if (fired)
        s_fire (rec, &target->exit);
    else
    if (orphan) {
        s_free (rec);
        return id;
    }
    else
    if (target->kind == ACT_REF_REMOTE)
        //  After the record is in: a DOWN that comes back finds it.
        s_request (ACT_MSG_MONITOR, target, watcher, id);
    return id;
}

uint64_t
act_monitor (act_ref_t *watcher, act_ref_t *target)
{
    if (!watcher || !target || watcher->kind == ACT_REF_REMOTE) {
        errno = EINVAL;
        return 0;
    }
    if (!act_ref_alive (watcher)) {
        errno = ESRCH;
        return 0;
    }
    return act_monitor_add (watcher, target, 0, 0);
}

//  Take the record with this id out of the registry, or NULL.
static s_rec_t *
s_take (uint64_t id)
{
    if (!id || !atomic_load (&s_used))
        return NULL;
    char key [24];
    s_key (key, sizeof key, id);
    pthread_mutex_lock (&s_lock);
    s_rec_t *rec = (s_rec_t *) zhashx_lookup (s_registry, key);
    if (rec)
        s_unlink (rec);
    pthread_mutex_unlock (&s_lock);
    return rec;
}

int
act_demonitor (uint64_t monitor_id)
{
    s_rec_t *rec = s_take (monitor_id);
    if (!rec) {
        errno = ENOENT;
        return -1;
    }
    s_free_cancel (rec);
    return 0;
}

bool
act_monitor_fire_id (uint64_t monitor_id, act_ref_t *watcher, const act_exit_t *why)
{
    s_rec_t *rec = s_take (monitor_id);
    if (rec && rec->watcher != watcher) {
        //  Not this watcher's: a forged or stale id; put it back.
        pthread_mutex_lock (&s_lock);
        s_link (rec);
        pthread_mutex_unlock (&s_lock);
        return false;
    }
    if (!rec)
        return false;
    s_fire (rec, why);
    return true;
}

bool
act_monitor_cancel_corr (act_ref_t *target, const char *watcher, uint64_t corr)
{
    if (!atomic_load (&s_used))
        return false;
    pthread_mutex_lock (&s_lock);
    s_rec_t *rec = target->watched_by;
    while (rec && !(rec->corr == corr && rec->watcher->kind == ACT_REF_REMOTE
                    && rec->watcher->name && streq (rec->watcher->name, watcher)))
        rec = rec->t_next;
    if (rec)
        s_unlink (rec);
    pthread_mutex_unlock (&s_lock);
    if (rec)
        s_free (rec);
    return rec != NULL;
}

void
act_monitor_ref_dead (act_ref_t *ref)
{
    if (!atomic_load (&ref->monitored))
        return;
    pthread_mutex_lock (&s_lock);
    s_rec_t *fire = NULL, *drop = NULL;
    while (ref->watched_by) {
        s_rec_t *rec = ref->watched_by;
        s_unlink (rec);
        rec->t_next = fire;
        fire = rec;
    }
    while (ref->watching) {
        s_rec_t *rec = ref->watching;
        s_unlink (rec);
        rec->t_next = drop;
        drop = rec;
    }
    pthread_mutex_unlock (&s_lock);
    //  Oldest first: the lists are newest first, and so are these.
    s_rec_t *order = NULL;
    while (fire) {
        s_rec_t *next = fire->t_next;
        fire->t_next = order;
        order = fire;
        fire = next;
    }
    while (order) {
        s_rec_t *next = order->t_next;
        s_fire (order, &ref->exit);
        order = next;
    }
    while (drop) {
        s_rec_t *next = drop->t_next;
        s_free_cancel (drop);
        drop = next;
    }
}

//  True if ref is a remote reference of core into group.
static bool
s_in_group (act_ref_t *ref, act_core_t *core, const char *group, size_t len)
{
    return ref->kind == ACT_REF_REMOTE && ref->core == core
        && strncmp (ref->name, group, len) == 0 && ref->name [len] == '/';
}

void
act_monitor_tag (uint64_t monitor_id, uint32_t life)
{
    if (!monitor_id || !atomic_load (&s_used))
        return;
    char key [24];
    s_key (key, sizeof key, monitor_id);
    pthread_mutex_lock (&s_lock);
    s_rec_t *rec = (s_rec_t *) zhashx_lookup (s_registry, key);
    if (rec)
        rec->life = life;
    pthread_mutex_unlock (&s_lock);
}

void
act_monitor_group_lost (act_core_t *core, const char *group, uint32_t life,
                        const act_exit_t *why)
{
    if (!atomic_load (&s_used))
        return;
    //  A walk of the registry: a group going down is rare, and remote
    //  references to it are many objects, one per lookup.
    size_t len = strlen (group);
    zlistx_t *fire = zlistx_new (), *drop = zlistx_new ();
    pthread_mutex_lock (&s_lock);
    for (s_rec_t *rec = (s_rec_t *) zhashx_first (s_registry); rec;
         rec = (s_rec_t *) zhashx_next (s_registry)) {
        if (rec->life > life)
            continue;       //  made with a later life, which lives on
        if (s_in_group (rec->target, core, group, len))
            zlistx_add_end (fire, rec);
        else
        if (s_in_group (rec->watcher, core, group, len))
            zlistx_add_end (drop, rec);
    }
    //  Unlinked after the walk: deleting during it would lose its place.
    for (s_rec_t *rec = (s_rec_t *) zlistx_first (fire); rec;
         rec = (s_rec_t *) zlistx_next (fire))
        s_unlink (rec);
    for (s_rec_t *rec = (s_rec_t *) zlistx_first (drop); rec;
         rec = (s_rec_t *) zlistx_next (drop))
        s_unlink (rec);
    pthread_mutex_unlock (&s_lock);
    s_rec_t *rec;
    while ((rec = (s_rec_t *) zlistx_detach (fire, NULL)))
        s_fire (rec, why);
    while ((rec = (s_rec_t *) zlistx_detach (drop, NULL)))
        s_free (rec);
    zlistx_destroy (&fire);
    zlistx_destroy (&drop);
}
