/*  demo - the classes of the example topologies under examples/topologies
    SPDX-License-Identifier: MPL-2.0

    Each class says what it does on stdout, which actor-run relays line by
    line with the group's name in front.

    greeter   (demo.zpl) greets, reports every group that stops under it
    primes    (demo.zpl) counts primes below args on the worker pool
    ticker    (demo.zpl) ticks "COUNT PERIOD_MS", then ends the whole run
    pinger    (crash.zpl) every args ms asks its child counter for its
              count: the count goes on rising across the other group's
              crashes, since its state lives in another process
    watcher   (crash.zpl) parent of the crashing group; ends the run after
              args notices
    crasher   (crash.zpl) after args ms tells itself "crash", and
              dereferences NULL when that message arrives
*/
#include <actorio.h>
#include <act_group.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum {
    MSG_GET = 1,                //  counter: what is your count?
    MSG_COUNT,                  //  counter's answer, as text
    MSG_PRIMES,                 //  a pool thread's result, as text
    MSG_NEWS,                   //  primes -> hello/greeter, across groups
    MSG_THANKS,                 //  greeter's reply, back across groups
    MSG_CRASH                   //  crasher: crash now
};

static const char *
s_name (act_t *self)
{
    const char *name = act_ref_name (act_self (self));
    return name ? name : "?";
}

//  ----------------------------------------------------------------------
//  greeter

static int
s_greeter_setup (act_t *self, void *args)
{
    printf ("%s: hello from %s/%s (%s)\n", s_name (self), act_group_name (),
            s_name (self), args ? (const char *) args : "no args");
    return ACT_OK;
}

static int
s_greeter_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == ACT_MSG_GROUP_DOWN) {
        printf ("%s: a group under me stopped: %s\n", s_name (self), act_msg_str (msg));
    }
    else
    if (act_msg_type (msg) == MSG_NEWS) {
        //  From another process: the sender's address came with it, and
        //  the reply finds its way back.
        printf ("%s: %s tells me: %s\n", s_name (self),
                act_ref_name (act_msg_sender (msg)), act_msg_str (msg));
        act_msg_t *thanks = act_msg_new_str (MSG_THANKS, "thanks!");
        act_reply (msg, &thanks);
    }
    return ACT_OK;
}

static void
s_greeter_teardown (act_t *self)
{
    printf ("%s: goodbye\n", s_name (self));
}

const act_class_t actorio_class_greeter = {
    .name = "greeter",
    .setup = s_greeter_setup,
    .handle = s_greeter_handle,
    .teardown = s_greeter_teardown
};

//  ----------------------------------------------------------------------
//  primes: blocking work on the pool, the answer comes back as a message

static act_msg_t *
s_count_primes (void *arg)
{
    long below = (long) (intptr_t) arg, count = 0;
    for (long n = 2; n < below; n++) {
        bool prime = true;
        for (long d = 2; d * d <= n && prime; d++) {
            prime = n % d != 0;
        }
        count += prime;
    }
    char text [64];
    snprintf (text, sizeof text, "%ld primes below %ld", count, below);
    return act_msg_new_str (MSG_PRIMES, text);
}

static int
s_primes_setup (act_t *self, void *args)
{
    long below = args ? atol ((const char *) args) : 100000;
    printf ("%s: counting the primes below %ld on the worker pool\n", s_name (self), below);
    return act_offload (self, s_count_primes, (void *) (intptr_t) below) == 0 ? ACT_OK : -1;
}

static int
s_primes_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == MSG_PRIMES) {
        printf ("%s: found %s; telling hello/greeter\n", s_name (self), act_msg_str (msg));
        act_ref_t *greeter = act_find (self, "hello/greeter");
        act_msg_t *news = act_msg_new_data (MSG_NEWS, act_msg_data (msg), act_msg_size (msg));
        int rc = act_tell (greeter, &news);
        act_ref_destroy (&greeter);
        return rc == 0 ? ACT_OK : -1;
    }
    if (act_msg_type (msg) == MSG_THANKS)
        printf ("%s: %s answers: %s\n", s_name (self),
                act_ref_name (act_msg_sender (msg)), act_msg_str (msg));
    return ACT_OK;
}

const act_class_t actorio_class_primes = {
    .name = "primes",
    .setup = s_primes_setup,
    .handle = s_primes_handle
};

//  ----------------------------------------------------------------------
//  ticker

typedef struct {
    int ticks;                  //  done so far
    int count;                  //  to do
} ticker_t;

static int
s_ticker_tick (act_t *self, int timer_id, void *arg)
{
    (void) arg;
    ticker_t *ticker = (ticker_t *) act_state (self);
    printf ("%s: tick %d of %d\n", s_name (self), ++ticker->ticks, ticker->count);
    if (ticker->ticks == ticker->count) {
        act_cancel (self, timer_id);
        printf ("%s: that was the last tick, ending the run\n", s_name (self));
        act_group_finish (0);
    }
    return ACT_OK;
}

static int
s_ticker_setup (act_t *self, void *args)
{
    ticker_t *ticker = (ticker_t *) act_state (self);
    int period = 500;
    ticker->count = 5;
    if (args) {
        sscanf ((const char *) args, "%d %d", &ticker->count, &period);
    }
    printf ("%s: %d ticks, one every %d ms\n", s_name (self), ticker->count, period);
    return act_every (self, period, s_ticker_tick, NULL) > 0 ? ACT_OK : -1;
}

static void
s_ticker_teardown (act_t *self)
{
    printf ("%s: stopped after %d ticks\n", s_name (self),
            ((ticker_t *) act_state (self))->ticks);
}

const act_class_t actorio_class_ticker = {
    .name = "ticker",
    .state_size = sizeof (ticker_t),
    .setup = s_ticker_setup,
    .teardown = s_ticker_teardown
};

//  ----------------------------------------------------------------------
//  pinger and its child counter

static int
s_counter_handle (act_t *self, act_msg_t *msg)
{
    unsigned *count = (unsigned *) act_state (self);
    if (act_msg_type (msg) == MSG_GET) {
        char text [16];
        snprintf (text, sizeof text, "%u", ++*count);
        act_msg_t *reply = act_msg_new_str (MSG_COUNT, text);
        act_reply (msg, &reply);
    }
    return ACT_OK;
}

static const act_class_t s_counter = {
    .name = "counter",
    .state_size = sizeof (unsigned),
    .handle = s_counter_handle
};

typedef struct {
    act_ref_t *counter;         //  the child, borrowed
} pinger_t;

static int
s_pinger_tick (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    pinger_t *pinger = (pinger_t *) act_state (self);
    act_msg_t *get = act_msg_new (MSG_GET);
    return act_tell (pinger->counter, &get) == 0 ? ACT_OK : -1;
}

static int
s_pinger_setup (act_t *self, void *args)
{
    pinger_t *pinger = (pinger_t *) act_state (self);
    int period = args ? atoi ((const char *) args) : 250;
    pinger->counter = act_spawn_child (self, &s_counter, NULL);
    if (!pinger->counter || act_every (self, period > 0 ? period : 250, s_pinger_tick, NULL) < 0) {
        return -1;
    }
    return ACT_OK;
}

static int
s_pinger_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == MSG_COUNT) {
        printf ("%s: my counter answers %s\n", s_name (self), act_msg_str (msg));
    }
    return ACT_OK;
}

const act_class_t actorio_class_pinger = {
    .name = "pinger",
    .state_size = sizeof (pinger_t),
    .setup = s_pinger_setup,
    .handle = s_pinger_handle
};

//  ----------------------------------------------------------------------
//  watcher

typedef struct {
    int seen;                   //  notices so far
    int enough;                 //  notices before ending the run
} watcher_t;

static int
s_watcher_setup (act_t *self, void *args)
{
    watcher_t *watcher = (watcher_t *) act_state (self);
    watcher->enough = args ? atoi ((const char *) args) : 3;
    printf ("%s: watching; the run ends after %d stops\n", s_name (self), watcher->enough);
    return ACT_OK;
}

static int
s_watcher_handle (act_t *self, act_msg_t *msg)
{
    watcher_t *watcher = (watcher_t *) act_state (self);
    if (act_msg_type (msg) != ACT_MSG_GROUP_DOWN) {
        return ACT_OK;
    }
    char group [65];
    int pid, offset = 0;
    unsigned restarts;
    const char *text = act_msg_str (msg);
    if (sscanf (text, "%64s %d %u %n", group, &pid, &restarts, &offset) == 3 && offset) {
        printf ("%s: group %s (pid %d, restarted %u times before) stopped: %s\n",
                s_name (self), group, pid, restarts, text + offset);
    }
    if (++watcher->seen == watcher->enough) {
        printf ("%s: %d stops seen, ending the run\n", s_name (self), watcher->seen);
        act_group_finish (0);
    }
    return ACT_OK;
}

const act_class_t actorio_class_watcher = {
    .name = "watcher",
    .state_size = sizeof (watcher_t),
    .setup = s_watcher_setup,
    .handle = s_watcher_handle
};

//  ----------------------------------------------------------------------
//  crasher

//  Writes through NULL. Sanitizers would catch the fault (or the null
//  store) and exit 1 instead: the demo wants the real SIGSEGV.
__attribute__ ((no_sanitize ("undefined", "address")))
static void
s_crash (void)
{
    signal (SIGSEGV, SIG_DFL);
    volatile int *nowhere = NULL;
    *nowhere = 1;
}

static int
s_crasher_due (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    act_msg_t *crash = act_msg_new_str (MSG_CRASH, "crash");
    return act_tell (act_self (self), &crash) == 0 ? ACT_OK : -1;
}

static int
s_crasher_setup (act_t *self, void *args)
{
    //  A demo crash is not worth a core file
    struct rlimit none = { 0, 0 };
    setrlimit (RLIMIT_CORE, &none);
    int delay = args ? atoi ((const char *) args) : 1000;
    printf ("%s: up; \"crash\" arrives in %d ms\n", s_name (self), delay);
    return act_after (self, delay, s_crasher_due, NULL) > 0 ? ACT_OK : -1;
}

static int
s_crasher_handle (act_t *self, act_msg_t *msg)
{
    if (act_msg_type (msg) == MSG_CRASH) {
        printf ("%s: got \"%s\", dereferencing NULL\n", s_name (self), act_msg_str (msg));
        fflush (stdout);
        s_crash ();
    }
    return ACT_OK;
}

const act_class_t actorio_class_crasher = {
    .name = "crasher",
    .setup = s_crasher_setup,
    .handle = s_crasher_handle
};
