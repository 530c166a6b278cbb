/*  act_timer - one-shot and periodic timers of a loop's actors
    SPDX-License-Identifier: MPL-2.0

    The timers of a loop sit in a binary min-heap on due time (ties broken
    by id, so timers due together fire in the order they were set). The
    loop sleeps in poll until the earliest is due, act_timer_timeout, and
    then runs the handlers of those due, act_timer_fire.
*/
#include "act_loop_priv.h"

//  A manual system's timers run on its virtual clock (act_manual.c).
static int64_t
s_now (act_loop_t *self)
{
    return self->core->manual ? atomic_load (&self->core->clock_ms) : zclock_mono ();
}

//  The round's clock in ms: a clock read (25 ns here) is a tenth of a
//  message's hop between groups, and a round may take one message.
//  Good for firing, never for setting: a timer set from it would be due
//  early by the time its round has run so far.
static int64_t
s_round_now (act_loop_t *self)
{
    return self->core->manual ? atomic_load (&self->core->clock_ms) : self->now_us / 1000;
}

static bool
s_timer_before (act_timer_t *a, act_timer_t *b)
{
    return a->due < b->due || (a->due == b->due && a->id < b->id);
}

static void
s_heap_swap (act_loop_t *self, size_t i, size_t j)
{
    act_timer_t *tmp = self->timers [i];
    self->timers [i] = self->timers [j];
    self->timers [j] = tmp;
}

static void
s_heap_up (act_loop_t *self, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!s_timer_before (self->timers [i], self->timers [parent]))
            break;
        s_heap_swap (self, i, parent);
        i = parent;
    }
}

static void
s_heap_down (act_loop_t *self, size_t i)
{
    while (true) {
        size_t least = i, left = 2 * i + 1, right = left + 1;
        if (left < self->timer_count
        && s_timer_before (self->timers [left], self->timers [least]))
            least = left;
        if (right < self->timer_count
        && s_timer_before (self->timers [right], self->timers [least]))
            least = right;
        if (least == i)
            break;
        s_heap_swap (self, i, least);
        i = least;
    }
}

static void
s_heap_push (act_loop_t *self, act_timer_t *timer)
{
    if (self->timer_count == self->timer_cap) {
        self->timer_cap = self->timer_cap ? self->timer_cap * 2 : 16;
        self->timers = (act_timer_t **) realloc (self->timers,
                                                 self->timer_cap * sizeof (act_timer_t *));
        if (!self->timers)
            abort ();
    }
    self->timers [self->timer_count++] = timer;
    s_heap_up (self, self->timer_count - 1);
}

static act_timer_t *
s_heap_remove_at (act_loop_t *self, size_t i)
{
    act_timer_t *timer = self->timers [i];
    self->timers [i] = self->timers [--self->timer_count];
    if (i < self->timer_count) {
        s_heap_down (self, i);
        s_heap_up (self, i);
    }
    return timer;
}

static int
s_timer_add (act_loop_t *self, act_t *actor, int ms, int period,
             act_timer_fn *fn, void *arg)
{
    act_timer_t *timer = (act_timer_t *) malloc (sizeof (act_timer_t));
    if (!timer)
        abort ();
    if (self->next_timer == INT32_MAX)
        self->next_timer = 0;
    *timer = (act_timer_t) { s_now (self) + ms, period, ++self->next_timer,
                             actor, fn, arg };
    s_heap_push (self, timer);
    actor->hooks++;
    return timer->id;
}

size_t
act_timer_fire (act_loop_t *self, size_t max)
{
    int64_t now = s_round_now (self);
    //  Only timers due now: one re-armed with a short period waits for the
    //  next round, so it cannot hold the loop here.
    size_t budget = self->timer_count, fired = 0;
    while (fired < max && budget-- && self->timer_count
    &&     self->timers [0]->due <= now) {
        act_timer_t *timer = self->timers [0];
        act_t *actor = timer->actor;
        int id = timer->id;
        act_timer_fn *fn = timer->fn;
        void *arg = timer->arg;
        if (timer->period) {
            //  On the virtual clock a period keeps its cadence, so a test
            //  that advances ten periods sees ten firings; the wall clock
            //  skips what a slow loop missed instead of catching up.
            //  From the clock itself, not the round's: a round's fd
            //  handlers may have run since, and a period set from before
            //  them would fire again at once.
            timer->due = (self->core->manual ? timer->due : s_now (self)) + timer->period;
            s_heap_down (self, 0);
        }
        else {
            s_heap_remove_at (self, 0);
            actor->hooks--;
            free (timer);
        }
        if (actor->flags & ACT_F_STOPPING)
            continue;
        self->current = actor;
        errno = 0;              //  as for handle: see act_loop.c
        int rc = fn (actor, id, arg);
        self->current = NULL;
        fired++;
        act_actor_after_callback (actor, rc, 0);
        if (self->reap_head)
            act_loop_reap_pending (self);
    }
    return fired;
}

int
act_timer_timeout (act_loop_t *self, bool fresh)
{
    if (!self->timer_count)
        return -1;
    int64_t left = self->timers [0]->due - (fresh ? s_now (self) : s_round_now (self));
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int) left;
}

void
act_timer_drop (act_loop_t *self, act_t *actor)
{
    if (!actor->hooks)
        return;
    //  Filter the actor's timers out, then heapify what is left: O(n),
    //  and removing in place would move unseen entries behind the scan.
    size_t kept = 0;
    for (size_t i = 0; i < self->timer_count; i++) {
        if (self->timers [i]->actor == actor) {
            free (self->timers [i]);
            actor->hooks--;
        }
        else
            self->timers [kept++] = self->timers [i];
    }
    self->timer_count = kept;
    for (size_t i = kept / 2; i-- > 0;)
        s_heap_down (self, i);
}

//  --------------------------------------------------------------------
//  The timer services an actor asks for from its callbacks

int
act_after (act_t *self, int ms, act_timer_fn *handler, void *arg)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop || ms < 0 || !handler) {
        errno = EINVAL;
        return -1;
    }
    return s_timer_add (loop, self, ms, 0, handler, arg);
}

int
act_every (act_t *self, int ms, act_timer_fn *handler, void *arg)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop || ms <= 0 || !handler) {
        errno = EINVAL;
        return -1;
    }
    return s_timer_add (loop, self, ms, ms, handler, arg);
}

int
act_cancel (act_t *self, int timer_id)
{
    act_loop_t *loop = act_loop_of (self);
    if (!loop)
        return -1;
    for (size_t i = 0; i < loop->timer_count; i++)
        if (loop->timers [i]->id == timer_id && loop->timers [i]->actor == self) {
            free (s_heap_remove_at (loop, i));
            self->hooks--;
            return 0;
        }
    errno = ENOENT;
    return -1;
}
