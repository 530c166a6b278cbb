/*  stream - a plugin for testing messages between groups under actor-run
    SPDX-License-Identifier: MPL-2.0

    Class "sender" streams sequence numbers, plays ping-pong and asks, to
    targets in another group; class "receiver" checks and records what
    arrives. Both take args "ENDPOINT ..." and, as the probe plugin does,
    connect a DEALER socket to ENDPOINT (a ROUTER the test bound) with the
    routing id "GROUP/ACTOR", to say what happens and take commands.

    A sender finds its targets with act_find, by the addresses the test
    gives it. See stream.h for the message types.

    sender       args "ENDPOINT [auto=ADDRESS size=BYTES]"
      With auto, it finds ADDRESS and streams to it from its setup on,
      until it is stopped (a test that kills senders).
      It sends   ["hello", "GROUP/ACTOR", PID]         after setup
                 ["found", SLOT, ADDRESS]               for each "find" ("-"
                                                        as ADDRESS if act_find
                                                        failed)
                 ["pong", N, USECS, BAD, MAX]           a ping-pong is done
                                                        (MAX: the longest
                                                        round trip, usecs)
                 ["writable", GROUP]                    ACT_MSG_WRITABLE
                                                        came (once a stream)
                 ["asked", ERRNO, MS, REPLY]            for each ask
                 ["refused", ERRNO, NEXT]               a stream's tell was
                                                        refused (once per
                                                        stream for EAGAIN,
                                                        once per outage for
                                                        other errors)
                 ["streamed" | "halted" | "counts", NEXT, ACCEPTED, EAGAIN,
                  DOWN, OTHER, MS]                      stream counters
                 ["monitoring", ID]                     for each "monitor"
                                                        (0: act_monitor
                                                        failed)
                 ["stopping", ERRNO]                    for each "stop"
                                                        (0: sent)
                 ["down", KIND, CODE, ID]               a monitor fired
                                                        (KIND as
                                                        act_exit_kind_name)
      It obeys   ["find", SLOT, ADDRESS]
                                    keep act_find (ADDRESS) as target SLOT,
                                    "main" or "alt"
                 ["ping", N, OPTIONS]
                                    N round trips with the main target
                                    (an echo), one at a time; OPTIONS
                                    "pause": before one ping in 16, wait
                                    up to 200 us
                 ["ask", COUNT, KIND, TIMEOUT_MS, SLOT]
                                    COUNT asks at once from the worker
                                    pool: KIND "echo" (text "ask-I") or
                                    "hold" (STREAM_HOLD, never answered);
                                    an ask refused at the high-water mark
                                    is asked again, for up to 10 s
                 ["stream", N, OPTIONS]
                                    send numbers from NEXT on to the main
                                    target, N of them (0: until "halt");
                                    OPTIONS "size=BYTES" (payload, 8 to
                                    2 MiB, laid out as stream.h says),
                                    "flood" (retry a refused number at
                                    once, not after 1 ms)
                 ["monitor", SLOT]  act_monitor the target SLOT
                 ["stop", SLOT, CODE]
                                    act_ref_stop the target SLOT
                 ["halt"]           stop streaming now
                 ["counts"]         say the counters
      A refused tell (act_tell returns -1: EAGAIN at the high-water mark,
      EHOSTUNREACH while the peer is down) loses that message, as
      documented: the sender counts the refusal by errno and sends the
      same number again later, so every number is accepted exactly once
      and NEXT is also the count of accepted tells.

    receiver     args "ENDPOINT FILE [gate=FIFO at=N] [slow=USEC]"
      Records each life (process) in FILE, a stream_file_t it maps shared
      and creates if needed: every STREAM_SEQ updates the life's record,
      so the test sees it even after a kill -9. With gate, the handler of
      number N says ["blocked", N] and then blocks reading one byte from
      FIFO, so the group stops reading its socket until the test writes;
      then it says ["resumed", N]. It keeps every STREAM_HOLD ask without
      answering and says ["held", COUNT]. With slow, each number takes
      USEC microseconds of its handler. Numbers count per sender life:
      a payload with another sender pid starts over.

    bounded_receiver    a receiver whose class bounds its mailbox to 256
                 messages from other groups

    pauser       an echo that waits up to 200 us before one reply in 16
      It sends   ["hello", "GROUP/ACTOR", PID, LIFE]   after setup
*/
#include <actorio.h>
#include <act_group.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream.h"

#define S_BURST         256     //  tells per turn, before telling itself
                                //  to continue (lets the loop poll)
#define S_RETRY_MS      1       //  a refused number is sent again after
#define S_PAYLOAD_MAX   (2 << 20)
#define S_PAUSE_US      200     //  longest random pause

zsock_t *
stream_control_new (act_t *self, const char *args, char *id, size_t id_size)
{
    char endpoint [256];
    snprintf (endpoint, sizeof endpoint, "%.*s", (int) strcspn (args, " "), args);
    const char *name = act_ref_name (act_self (self));
    snprintf (id, id_size, "%s/%s", act_group_name () ? act_group_name () : "-",
              name ? name : "-");
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    if (!sock) {
        return NULL;
    }
    zsock_set_identity (sock, id);
    //  Reports must not be lost to a slow test, nor block the loop for
    //  long: a generous queue, and a send that gives up.
    zsock_set_sndhwm (sock, 100000);
    zsock_set_sndtimeo (sock, 1000);
    if (zsock_connect (sock, "%s", endpoint) == -1) {
        zsock_destroy (&sock);
    }
    return sock;
}

//  ----------------------------------------------------------------------
//  sender

typedef struct {
    zsock_t *sock;              //  DEALER to the test
    char id [160];              //  "GROUP/ACTOR"
    act_ref_t *main;            //  targets, from act_find (owned)
    act_ref_t *alt;
    //  ping-pong
    uint64_t ping_left;         //  round trips still to do
    uint64_t ping_count;        //  asked for
    uint64_t ping_seq;          //  number of the one in flight
    uint64_t ping_bad;          //  replies with another number
    int64_t ping_start;         //  monotonic usecs
    int64_t ping_sent;          //  when the one in flight left, usecs
    int64_t ping_max;           //  longest round trip, usecs
    bool ping_pause;            //  pause at random before pings
    //  the stream
    bool streaming;
    bool flood;                 //  retry at once
    bool continuing;            //  a STREAM_CONTINUE is on its way
    int retry_timer;            //  a retry is scheduled
    size_t size;                //  payload bytes
    uint64_t next;              //  next number to send
    uint64_t end;               //  stop before this one (UINT64_MAX: never)
    uint64_t accepted;          //  tells that returned 0
    uint64_t eagain;            //  refusals by errno
    uint64_t down;              //  EHOSTUNREACH
    uint64_t other;
    int last_err;               //  errno of the last refusal, 0 after a
                                //  tell went through
    bool eagain_told;           //  "refused EAGAIN" said for this stream
    int64_t stream_start;       //  monotonic ms
    bool writable_told;         //  "writable" said for this stream
    unsigned char *payload;     //  S_PAYLOAD_MAX bytes
} sender_t;

//  Busy for up to S_PAUSE_US, one time in 16: a peer that is about to
//  park or just parked, at random.
static void
s_random_pause (void)
{
    if (random () % 16 == 0) {
        int64_t until = zclock_usecs () + random () % S_PAUSE_US;
        while (zclock_usecs () < until) {
        }
    }
}

typedef struct {
    act_ref_t *to;              //  owned
    uint32_t type;
    int timeout;
    unsigned index;
} s_ask_t;

static void
s_say_counts (sender_t *sender, const char *what)
{
    char next [24], accepted [24], eagain [24], down [24], other [24], ms [24];
    snprintf (next, sizeof next, "%" PRIu64, sender->next);
    snprintf (accepted, sizeof accepted, "%" PRIu64, sender->accepted);
    snprintf (eagain, sizeof eagain, "%" PRIu64, sender->eagain);
    snprintf (down, sizeof down, "%" PRIu64, sender->down);
    snprintf (other, sizeof other, "%" PRIu64, sender->other);
    snprintf (ms, sizeof ms, "%" PRId64, zclock_mono () - sender->stream_start);
    zstr_sendx (sender->sock, what, next, accepted, eagain, down, other, ms, NULL);
}

static void s_pump (act_t *self);

static int
s_on_retry (act_t *self, int timer_id, void *arg)
{
    (void) timer_id;
    (void) arg;
    sender_t *sender = (sender_t *) act_state (self);
    sender->retry_timer = 0;
    s_pump (self);
    return ACT_OK;
}

static void
s_continue (act_t *self)
{
    sender_t *sender = (sender_t *) act_state (self);
    if (!sender->continuing) {
        act_msg_t *msg = act_msg_new (STREAM_CONTINUE);
        if (act_tell (act_self (self), &msg) == 0) {
            sender->continuing = true;
        }
    }
}

//  Sends up to a burst of numbers; then continues by a message to itself
//  (so the loop polls in between), or after a refusal by a timer.
static void
s_pump (act_t *self)
{
    sender_t *sender = (sender_t *) act_state (self);
    if (!sender->streaming || sender->retry_timer) {
        return;
    }
    for (int sent = 0; sent < S_BURST && sender->next != sender->end; sent++) {
        uint64_t number = htobe64 (sender->next);
        memcpy (sender->payload, &number, sizeof number);
        for (size_t i = 16; i < sender->size; i++) {
            sender->payload [i] = stream_byte (sender->next, i);
        }
        act_msg_t *msg = act_msg_new_data (STREAM_SEQ, sender->payload, sender->size);
        if (act_tell (sender->main, &msg) == 0) {
            sender->accepted++;
            sender->next++;
            sender->last_err = 0;
            continue;
        }
        int err = errno;
        if (err == EAGAIN) {
            sender->eagain++;
        }
        else
        if (err == EHOSTUNREACH) {
            sender->down++;
        }
        else {
            sender->other++;
        }
        bool tell = err == EAGAIN ? !sender->eagain_told : sender->last_err != err;
        if (tell) {
            char code [16], next [24];
            snprintf (code, sizeof code, "%d", err);
            snprintf (next, sizeof next, "%" PRIu64, sender->next);
            zstr_sendx (sender->sock, "refused", code, next, NULL);
            if (err == EAGAIN) {
                sender->eagain_told = true;
            }
        }
        sender->last_err = err;
        if (sender->flood) {
            break;
        }
        sender->retry_timer = act_after (self, S_RETRY_MS, s_on_retry, NULL);
        return;
    }
    if (sender->next == sender->end) {
        sender->streaming = false;
        s_say_counts (sender, "streamed");
    }
    else {
        s_continue (self);
    }
}

static act_msg_t *
s_ask_work (void *arg)
{
    s_ask_t *ask = (s_ask_t *) arg;
    char text [32];
    snprintf (text, sizeof text, "ask-%u", ask->index);
    //  A stream to the same group may keep its queue at the high-water
    //  mark: an ask refused there (EAGAIN) is asked again, for a while.
    int64_t start, until = zclock_mono () + 10000;
    act_msg_t *reply;
    int err;
    do {
        act_msg_t *msg = act_msg_new_str (ask->type, text);
        start = zclock_mono ();
        reply = act_ask (ask->to, &msg, ask->timeout);
        err = reply ? 0 : errno;
        if (err == EAGAIN) {
            zclock_sleep (1);
        }
    } while (err == EAGAIN && zclock_mono () < until);
    char result [200];
    snprintf (result, sizeof result, "%d %" PRId64 " %s", err, zclock_mono () - start,
              reply && act_msg_str (reply) ? act_msg_str (reply) : "-");
    act_msg_destroy (&reply);
    act_ref_destroy (&ask->to);
    free (ask);
    return act_msg_new_str (STREAM_ASKED, result);
}

static void
s_send_ping (sender_t *sender)
{
    if (sender->ping_pause) {
        s_random_pause ();
    }
    uint64_t number = htobe64 (sender->ping_seq);
    act_msg_t *msg = act_msg_new_data (STREAM_PING, &number, sizeof number);
    sender->ping_sent = zclock_usecs ();
    if (act_tell (sender->main, &msg) == -1) {
        //  Counted as a bad round trip; the next one goes at once.
        sender->ping_bad++;
    }
}

static void
s_ping_done (sender_t *sender)
{
    char count [24], usecs [24], bad [24], max [24];
    snprintf (count, sizeof count, "%" PRIu64, sender->ping_count);
    snprintf (usecs, sizeof usecs, "%" PRId64, zclock_usecs () - sender->ping_start);
    snprintf (bad, sizeof bad, "%" PRIu64, sender->ping_bad);
    snprintf (max, sizeof max, "%" PRId64, sender->ping_max);
    zstr_sendx (sender->sock, "pong", count, usecs, bad, max, NULL);
}

//  The "monitor" and "stop" commands.
static void
s_monitor_or_stop (act_t *self, const char *command, const char *slot,
                   const char *code)
{
    sender_t *sender = (sender_t *) act_state (self);
    act_ref_t *to = streq (slot, "alt") ? sender->alt : sender->main;
    char said [24];
    if (streq (command, "monitor")) {
        uint64_t id = to ? act_monitor (act_self (self), to) : 0;
        snprintf (said, sizeof said, "%" PRIu64, id);
        zstr_sendx (sender->sock, "monitoring", said, NULL);
    }
    else {
        int rc = to ? act_ref_stop (to, code ? atoi (code) : 0) : -1;
        snprintf (said, sizeof said, "%d", rc ? (to ? errno : EINVAL) : 0);
        zstr_sendx (sender->sock, "stopping", said, NULL);
    }
}

static int
s_sender_command (act_t *self, zsock_t *sock, void *arg)
{
    (void) arg;
    sender_t *sender = (sender_t *) act_state (self);
    char *command = NULL, *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    if (zstr_recvx (sock, &command, &a, &b, &c, &d, NULL) < 1) {
        return ACT_OK;
    }
    if (streq (command, "find") && a && b) {
        bool alt = streq (a, "alt");
        act_ref_t **slot = alt ? &sender->alt : &sender->main;
        act_ref_destroy (slot);
        *slot = act_find (self, b);
        const char *name = *slot ? act_ref_name (*slot) : NULL;
        zstr_sendx (sender->sock, "found", alt ? "alt" : "main", name ? name : "-", NULL);
    }
    else
    if (streq (command, "ping") && a && sender->main) {
        sender->ping_count = sender->ping_left = strtoull (a, NULL, 10);
        sender->ping_bad = 0;
        sender->ping_seq = 0;
        sender->ping_max = 0;
        sender->ping_pause = b && strstr (b, "pause");
        sender->ping_start = zclock_usecs ();
        if (sender->ping_left) {
            s_send_ping (sender);
        }
        else {
            s_ping_done (sender);
        }
    }
    else
    if (streq (command, "ask") && a && b && c && d) {
        act_ref_t *to = streq (d, "alt") ? sender->alt : sender->main;
        unsigned count = (unsigned) atoi (a);
        for (unsigned i = 0; to && i < count; i++) {
            s_ask_t *ask = (s_ask_t *) calloc (1, sizeof (s_ask_t));
            ask->to = act_ref_dup (to);
            ask->type = streq (b, "hold") ? STREAM_HOLD : 7;
            ask->timeout = atoi (c);
            ask->index = i;
            act_offload (self, s_ask_work, ask);
        }
    }
    else
    if (streq (command, "stream") && a && sender->main) {
        uint64_t count = strtoull (a, NULL, 10);
        sender->end = count ? sender->next + count : UINT64_MAX;
        sender->flood = b && strstr (b, "flood");
        const char *size = b ? strstr (b, "size=") : NULL;
        sender->size = size ? (size_t) atoi (size + 5) : 8;
        if (sender->size < 8 || sender->size > S_PAYLOAD_MAX) {
            sender->size = 8;
        }
        sender->streaming = true;
        sender->eagain_told = false;
        sender->writable_told = false;
        sender->stream_start = zclock_mono ();
        s_pump (self);
    }
    else
    if ((streq (command, "monitor") || streq (command, "stop")) && a) {
        s_monitor_or_stop (self, command, a, b);
    }
    else
    if (streq (command, "halt")) {
        sender->streaming = false;
        if (sender->retry_timer) {
            act_cancel (self, sender->retry_timer);
            sender->retry_timer = 0;
        }
        s_say_counts (sender, "halted");
    }
    else
    if (streq (command, "counts")) {
        s_say_counts (sender, "counts");
    }
    zstr_free (&command);
    zstr_free (&a);
    zstr_free (&b);
    zstr_free (&c);
    zstr_free (&d);
    return ACT_OK;
}

static int
s_sender_setup (act_t *self, void *args)
{
    sender_t *sender = (sender_t *) act_state (self);
    if (!args) {
        return -1;
    }
    sender->size = 8;
    sender->payload = (unsigned char *) calloc (1, S_PAYLOAD_MAX);
    uint64_t me = htobe64 ((uint64_t) getpid ());
    memcpy (sender->payload + 8, &me, sizeof me);
    sender->sock = stream_control_new (self, (const char *) args, sender->id, sizeof sender->id);
    if (!sender->sock
    ||  act_watch_sock (self, sender->sock, s_sender_command, NULL) == -1) {
        zsock_destroy (&sender->sock);
        return -1;
    }
    char pid [16];
    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    zstr_sendx (sender->sock, "hello", sender->id, pid, NULL);
    const char *target = strstr ((const char *) args, " auto=");
    if (target) {
        char address [160];
        snprintf (address, sizeof address, "%.*s", (int) strcspn (target + 6, " "),
                  target + 6);
        const char *size = strstr ((const char *) args, " size=");
        sender->size = size ? (size_t) atoi (size + 6) : 8;
        if (sender->size < 8 || sender->size > S_PAYLOAD_MAX) {
            sender->size = 8;
        }
        sender->main = act_find (self, address);
        sender->end = UINT64_MAX;
        sender->streaming = sender->main != NULL;
        sender->stream_start = zclock_mono ();
        s_pump (self);
    }
    return ACT_OK;
}

static int
s_sender_handle (act_t *self, act_msg_t *msg)
{
    sender_t *sender = (sender_t *) act_state (self);
    uint32_t type = act_msg_type (msg);
    if (type == STREAM_PING && sender->ping_left) {
        uint64_t number = 0;
        if (act_msg_size (msg) == sizeof number) {
            memcpy (&number, act_msg_data (msg), sizeof number);
        }
        if (be64toh (number) != sender->ping_seq) {
            sender->ping_bad++;
        }
        int64_t trip = zclock_usecs () - sender->ping_sent;
        if (trip > sender->ping_max) {
            sender->ping_max = trip;
        }
        sender->ping_seq++;
        if (--sender->ping_left) {
            s_send_ping (sender);
        }
        else {
            s_ping_done (sender);
        }
    }
    else
    if (type == STREAM_CONTINUE) {
        sender->continuing = false;
        s_pump (self);
    }
    else
    if (type == ACT_MSG_WRITABLE) {
        if (sender->streaming && !sender->writable_told) {
            zstr_sendx (sender->sock, "writable", act_msg_str (msg) ? act_msg_str (msg) : "-",
                        NULL);
            sender->writable_told = true;
        }
        //  Room again: go on now rather than at the retry's time.
        if (sender->retry_timer) {
            act_cancel (self, sender->retry_timer);
            sender->retry_timer = 0;
            s_pump (self);
        }
    }
    else
    if (type == ACT_MSG_DOWN) {
        act_exit_t why = { ACT_EXIT_NORMAL, 0 };
        act_msg_down (msg, &why);
        char code [16], id [24];
        snprintf (code, sizeof code, "%d", why.code);
        snprintf (id, sizeof id, "%" PRIu64, act_msg_corr (msg));
        zstr_sendx (sender->sock, "down", act_exit_kind_name (why.kind), code, id, NULL);
    }
    else
    if (type == STREAM_ASKED && act_msg_str (msg)) {
        char err [16] = "", ms [24] = "", reply [160] = "";
        sscanf (act_msg_str (msg), "%15s %23s %159s", err, ms, reply);
        zstr_sendx (sender->sock, "asked", err, ms, reply, NULL);
    }
    return ACT_OK;
}

static void
s_sender_teardown (act_t *self)
{
    sender_t *sender = (sender_t *) act_state (self);
    act_ref_destroy (&sender->main);
    act_ref_destroy (&sender->alt);
    free (sender->payload);
    if (sender->sock) {
        act_unwatch_sock (self, sender->sock);
        zsock_destroy (&sender->sock);
    }
}

const act_class_t actorio_class_sender = {
    .name = "sender",
    .state_size = sizeof (sender_t),
    .setup = s_sender_setup,
    .handle = s_sender_handle,
    .teardown = s_sender_teardown
};

//  ----------------------------------------------------------------------
//  receiver

typedef struct {
    zsock_t *sock;              //  DEALER to the test
    char id [160];
    stream_file_t *file;        //  mapped shared
    stream_life_t *life;        //  ours, in file
    stream_life_t mine;         //  the same, as we last wrote it
    int gate;                   //  FIFO to block on, or -1
    uint64_t gate_at;           //  number whose handler blocks
    zlist_t *held;              //  STREAM_HOLD asks kept (act_msg_t)
    uint64_t sender;            //  pid of the sender life now streaming
    int64_t slow;               //  usecs each number takes, busy
} receiver_t;

#define S_STORE(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELAXED)
//  last is stored after the other fields of its number, and released: a
//  reader that acquires it first sees the count (and the rest) of that
//  number at least, never a count behind it.
#define S_STORE_LAST(field, value) __atomic_store_n (&(field), (value), __ATOMIC_RELEASE)

static void
s_say_number (receiver_t *receiver, const char *what, uint64_t number)
{
    char text [24];
    snprintf (text, sizeof text, "%" PRIu64, number);
    zstr_sendx (receiver->sock, what, text, NULL);
}

//  True if every byte after the number is what the sender wrote.
static bool
s_payload_ok (const act_msg_t *msg, uint64_t number)
{
    const unsigned char *data = (const unsigned char *) act_msg_data (msg);
    size_t size = act_msg_size (msg);
    for (size_t i = 16; i < size; i++) {
        if (data [i] != stream_byte (number, i)) {
            return false;
        }
    }
    return true;
}

static void
s_record (receiver_t *receiver, const act_msg_t *msg)
{
    stream_life_t *mine = &receiver->mine, *life = receiver->life;
    uint64_t number, sender = 0;
    if (act_msg_size (msg) < sizeof number) {
        S_STORE (life->bad, ++mine->bad);
        return;
    }
    memcpy (&number, act_msg_data (msg), sizeof number);
    number = be64toh (number);
    if (!s_payload_ok (msg, number)) {
        S_STORE (life->bad, ++mine->bad);
        return;
    }
    if (act_msg_size (msg) >= 16) {
        memcpy (&sender, (const unsigned char *) act_msg_data (msg) + 8, sizeof sender);
        sender = be64toh (sender);
    }
    //  Another life of the sender counts from 0 again: a new run of
    //  numbers, which must start at 0 (nothing is lost at a start).
    if (sender != receiver->sender) {
        if (receiver->sender && number != 0) {
            S_STORE (life->late, ++mine->late);
        }
        receiver->sender = sender;
        S_STORE (life->senders, ++mine->senders);
        if (mine->count) {
            mine->last = number;
            S_STORE (life->count, ++mine->count);
            S_STORE_LAST (life->last, number);
            return;
        }
    }
    if (mine->count == 0) {
        mine->first = mine->last = number;
        S_STORE (life->first, number);
    }
    else
    if (number <= mine->last) {
        S_STORE (life->dups, ++mine->dups);
        return;
    }
    else {
        if (number != mine->last + 1 && mine->gaps++ == 0) {
            S_STORE (life->gap_from, mine->last);
            S_STORE (life->gap_at, number);
        }
        S_STORE (life->gaps, mine->gaps);
        mine->last = number;
    }
    S_STORE (life->count, ++mine->count);
    S_STORE_LAST (life->last, number);
    if (receiver->gate >= 0 && number == receiver->gate_at) {
        s_say_number (receiver, "blocked", number);
        char byte;
        while (read (receiver->gate, &byte, 1) == -1 && errno == EINTR) {
        }
        s_say_number (receiver, "resumed", number);
    }
}

static int
s_receiver_setup (act_t *self, void *args)
{
    receiver_t *receiver = (receiver_t *) act_state (self);
    receiver->gate = -1;
    const char *text = (const char *) args;
    char path [1024] = "", gate [1024] = "";
    if (!text || sscanf (text, "%*s %1023s", path) != 1) {
        return -1;
    }
    const char *option = strstr (text, " gate=");
    if (option) {
        snprintf (gate, sizeof gate, "%.*s", (int) strcspn (option + 6, " "), option + 6);
    }
    option = strstr (text, " at=");
    receiver->gate_at = option ? strtoull (option + 4, NULL, 10) : 0;
    option = strstr (text, " slow=");
    receiver->slow = option ? strtoll (option + 6, NULL, 10) : 0;

    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd == -1) {
        return -1;
    }
    struct stat info;
    if (fstat (fd, &info) == -1
    ||  ((size_t) info.st_size < sizeof (stream_file_t)
         && ftruncate (fd, sizeof (stream_file_t)) == -1)) {
        close (fd);
        return -1;
    }
    void *map = mmap (NULL, sizeof (stream_file_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close (fd);
    if (map == MAP_FAILED) {
        return -1;
    }
    receiver->file = (stream_file_t *) map;
    //  One receiver lives at a time: the previous one's process is gone
    //  before its group is started again.
    uint64_t index = __atomic_load_n (&receiver->file->lives, __ATOMIC_RELAXED);
    if (index >= STREAM_LIVES_MAX) {
        return -1;
    }
    receiver->life = &receiver->file->life [index];
    S_STORE (receiver->life->pid, (int64_t) getpid ());
    __atomic_store_n (&receiver->file->lives, index + 1, __ATOMIC_RELEASE);

    if (*gate && (receiver->gate = open (gate, O_RDONLY | O_CLOEXEC)) == -1) {
        return -1;
    }
    receiver->held = zlist_new ();
    receiver->sock = stream_control_new (self, text, receiver->id, sizeof receiver->id);
    if (!receiver->sock) {
        return -1;
    }
    char pid [16], life [16];
    snprintf (pid, sizeof pid, "%d", (int) getpid ());
    snprintf (life, sizeof life, "%" PRIu64, index);
    zstr_sendx (receiver->sock, "hello", receiver->id, pid, life, NULL);
    return ACT_OK;
}

static int
s_receiver_handle (act_t *self, act_msg_t *msg)
{
    receiver_t *receiver = (receiver_t *) act_state (self);
    uint32_t type = act_msg_type (msg);
    if (type == STREAM_SEQ) {
        s_record (receiver, msg);
        if (receiver->slow) {
            int64_t until = zclock_usecs () + receiver->slow;
            while (zclock_usecs () < until) {
            }
        }
    }
    else
    if (type == STREAM_HOLD) {
        zlist_append (receiver->held, act_msg_dup (msg));
        s_say_number (receiver, "held", zlist_size (receiver->held));
    }
    return ACT_OK;
}

static void
s_receiver_teardown (act_t *self)
{
    receiver_t *receiver = (receiver_t *) act_state (self);
    if (receiver->held) {
        act_msg_t *msg;
        while ((msg = (act_msg_t *) zlist_pop (receiver->held))) {
            act_msg_destroy (&msg);
        }
        zlist_destroy (&receiver->held);
    }
    if (receiver->file) {
        munmap (receiver->file, sizeof (stream_file_t));
    }
    if (receiver->gate >= 0) {
        close (receiver->gate);
    }
    zsock_destroy (&receiver->sock);
}

const act_class_t actorio_class_receiver = {
    .name = "receiver",
    .state_size = sizeof (receiver_t),
    .setup = s_receiver_setup,
    .handle = s_receiver_handle,
    .teardown = s_receiver_teardown
};

//  The same, with a mailbox bound of its own: past 256 messages from
//  other groups waiting for it, its group takes no more input.
const act_class_t actorio_class_bounded_receiver = {
    .name = "bounded_receiver",
    .state_size = sizeof (receiver_t),
    .setup = s_receiver_setup,
    .handle = s_receiver_handle,
    .teardown = s_receiver_teardown,
    .mailbox_max = 256
};

//  ----------------------------------------------------------------------
//  pauser: an echo that waits at random before a reply, so that the
//  other side is sometimes about to park, sometimes parked.

static int
s_pauser_handle (act_t *self, act_msg_t *msg)
{
    (void) self;
    s_random_pause ();
    act_msg_t *reply = act_msg_dup (msg);
    return act_reply (msg, &reply);
}

const act_class_t actorio_class_pauser = {
    .name = "pauser",
    .handle = s_pauser_handle
};
