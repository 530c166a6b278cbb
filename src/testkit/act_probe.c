/*  act_probe - a reference that records what reaches it, for tests
    SPDX-License-Identifier: MPL-2.0

    An inbox and the message last expected. Each expect takes one
    message, keeps it (the caller borrows it) and checks it; a failure
    is written once, as the text a test prints, so the Criterion macros
    (act_testkit_criterion.h) and a plain test read the same thing.
*/
#include "actorio.h"
#include <ctype.h>

#define S_PREVIEW   24          //  payload bytes a failure shows
#define S_FAILURE   512         //  bytes of a failure's text

typedef struct {
    act_ref_t *target;          //  watched (counted)
    uint64_t id;                //  the monitor, 0 once its DOWN came
} s_monitor_t;

static void
s_monitor_destroy (s_monitor_t **self_p)
{
    s_monitor_t *self = *self_p;
    *self_p = NULL;
    if (self->id)
        act_demonitor (self->id);
    act_ref_destroy (&self->target);
    free (self);
}

struct _act_probe_t {
    act_system_t *system;       //  where messages come from (borrowed), or
                                //  NULL; stepped if manual
    act_inbox_t *inbox;         //  what reaches the probe
    act_msg_t *last;            //  the message last taken, or NULL
    zlistx_t *monitored;        //  s_monitor_t, targets watched for DOWN
    int64_t started;            //  zclock_mono () at creation, ms
    bool failed;                //  the last expectation failed
    char failure [S_FAILURE];   //  its text
};

act_probe_t *
act_probe_new (act_system_t *system)
{
    act_probe_t *self = (act_probe_t *) calloc (1, sizeof (act_probe_t));
    if (!self)
        abort ();
    self->inbox = act_inbox_new (system);
    if (!self->inbox) {
        free (self);
        return NULL;
    }
    self->system = system;
    self->started = zclock_mono ();
    self->monitored = zlistx_new ();
    zlistx_set_destructor (self->monitored, (zlistx_destructor_fn *) s_monitor_destroy);
    return self;
}

void
act_probe_destroy (act_probe_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_probe_t *self = *self_p;
    *self_p = NULL;
    act_msg_destroy (&self->last);
    //  Before the inbox: a DOWN that fires meanwhile is no dead letter.
    zlistx_destroy (&self->monitored);
    act_inbox_destroy (&self->inbox);
    free (self);
}

act_ref_t *
act_probe_ref (act_probe_t *self)
{
    return self ? act_inbox_ref (self->inbox) : NULL;
}

int
act_probe_tell (act_probe_t *self, act_ref_t *to, act_msg_t **msg_p)
{
    if (!self || !msg_p || !*msg_p) {
        act_msg_destroy (msg_p);
        errno = EINVAL;
        return -1;
    }
    act_msg_set_sender (*msg_p, act_inbox_ref (self->inbox));
    return act_tell (to, msg_p);
}

size_t
act_probe_pending (act_probe_t *self)
{
    return self ? act_inbox_size (self->inbox) : 0;
}

//  --------------------------------------------------------------------
//  Failures

static const char *
s_type_name (uint32_t type, char *buf, size_t size)
{
    if (type == ACT_MSG_DOWN)
        return "ACT_MSG_DOWN";
    if (type == ACT_MSG_WRITABLE)
        return "ACT_MSG_WRITABLE";
    if (type == ACT_MSG_GROUP_DOWN)
        return "ACT_MSG_GROUP_DOWN";
    snprintf (buf, size, "%" PRIu32, type);
    return buf;
}

//  A payload as the reader best recognises it: text in quotes, else hex.
static void
s_preview (const void *data, size_t size, char *buf, size_t buf_size)
{
    const unsigned char *bytes = (const unsigned char *) data;
    size_t shown = size < S_PREVIEW ? size : S_PREVIEW;
    bool text = size > 0;
    for (size_t i = 0; i < shown && text; i++)
        text = isprint (bytes [i]) || (bytes [i] == 0 && i == size - 1);
    size_t used = 0;
    if (text) {
        size_t len = bytes [shown - 1] == 0 ? shown - 1 : shown;
        used = (size_t) snprintf (buf, buf_size, "\"%.*s\"", (int) len, (const char *) bytes);
    }
    else
        for (size_t i = 0; i < shown && used < buf_size; i++)
            used += (size_t) snprintf (buf + used, buf_size - used, "%s%02x",
                                       i ? " " : "", bytes [i]);
    if (shown < size && used < buf_size)
        snprintf (buf + used, buf_size - used, "...");
}

static void
s_describe (act_probe_t *self, const act_msg_t *msg, char *buf, size_t size)
{
    char type [16], preview [4 * S_PREVIEW];
    preview [0] = 0;
    s_preview (act_msg_data (msg), act_msg_size (msg), preview, sizeof preview);
    act_ref_t *sender = act_msg_sender (msg);
    const char *from = sender ? act_ref_id (sender) : "no sender";
    act_exit_t why;
    char reason [64] = "";
    if (act_msg_down (msg, &why) == 0) {
        //  Its payload is the reason, shown as such.
        snprintf (reason, sizeof reason, " (%s, code %d)", act_exit_kind_name (why.kind),
                  why.code);
        preview [0] = 0;
    }
    snprintf (buf, size, "type %s%s, %zu bytes%s%s, from %s, at %" PRId64 " ms",
              s_type_name (act_msg_type (msg), type, sizeof type), reason,
              act_msg_size (msg), *preview ? " " : "", preview, from,
              zclock_mono () - self->started);
}

//  Records a failure: expected is what the test wanted, msg what came
//  instead (NULL: nothing). Sets errno for the caller to return with.
static void
s_fail (act_probe_t *self, const char *expected, int timeout_ms, const act_msg_t *msg)
{
    char came [S_FAILURE / 2];
    if (msg)
        s_describe (self, msg, came, sizeof came);
    else
    if (self->system && act_system_is_manual (self->system))
        snprintf (came, sizeof came, "nothing, and the system is idle at virtual %" PRId64
                  " ms", act_system_now (self->system));
    else
        snprintf (came, sizeof came, "nothing within %d ms", timeout_ms);
    snprintf (self->failure, sizeof self->failure, "expected %s; got %s", expected, came);
    self->failed = true;
    errno = msg ? EBADMSG : ETIMEDOUT;
}

const char *
act_probe_failure (act_probe_t *self)
{
    return self && self->failed ? self->failure : NULL;
}

//  --------------------------------------------------------------------
//  Expectations

//  A monitor fires once: once its DOWN is taken, whatever the
//  expectation, the probe forgets it, and a later expect_down on the
//  same target monitors it anew (and hears at once if it is gone).
static void
s_monitor_spent (act_probe_t *self, uint64_t id)
{
    for (s_monitor_t *monitor = (s_monitor_t *) zlistx_first (self->monitored); monitor;
         monitor = (s_monitor_t *) zlistx_next (self->monitored))
        if (monitor->id == id) {
            monitor->id = 0;
            zlistx_delete (self->monitored, zlistx_cursor (self->monitored));
            return;
        }
}

//  The next message, stepping a manual system until one comes or it is
//  idle, else waiting at most timeout_ms. The probe keeps it as last.
static act_msg_t *
s_next (act_probe_t *self, int timeout_ms)
{
    act_msg_destroy (&self->last);
    self->failed = false;
    if (self->system && act_system_is_manual (self->system)) {
        int steps = 0;
        while (!act_probe_pending (self) && steps++ < ACT_SYSTEM_DRAIN_MAX
        &&     act_system_step (self->system) > 0) {
        }
        timeout_ms = 0;
    }
    self->last = act_inbox_recv (self->inbox, timeout_ms);
    if (act_msg_type (self->last) == ACT_MSG_DOWN)
        s_monitor_spent (self, act_msg_corr (self->last));
    return self->last;
}

typedef struct {
    uint32_t type;              //  expected type
    const void *data;           //  expected payload, or NULL: any
    size_t size;                //  its size
    act_probe_match_fn *match;  //  or a predicate, or NULL
    void *arg;                  //  its argument
} s_want_t;

//  Takes the next message and checks it against want; said is what the
//  failure says was expected, or NULL to say it from want.
static act_msg_t *
s_expect (act_probe_t *self, const s_want_t *want, const char *said, int timeout_ms)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    char expected [S_FAILURE / 2], type [16], preview [4 * S_PREVIEW] = "";
    if (said)
        snprintf (expected, sizeof expected, "%s", said);
    else
    if (want->match)
        snprintf (expected, sizeof expected, "a message the predicate accepts");
    else {
        if (want->data)
            s_preview (want->data, want->size, preview, sizeof preview);
        snprintf (expected, sizeof expected, "type %s%s%s",
                  s_type_name (want->type, type, sizeof type),
                  want->data ? " with " : "", preview);
    }
    act_msg_t *msg = s_next (self, timeout_ms);
    bool ok = msg && (want->match ? want->match (msg, want->arg)
                                  : act_msg_type (msg) == want->type
                                    && (!want->data
                                        || (act_msg_size (msg) == want->size
                                            && memcmp (act_msg_data (msg), want->data,
                                                       want->size) == 0)));
    if (ok)
        return msg;
    s_fail (self, expected, timeout_ms, msg);
    act_msg_destroy (&self->last);
    return NULL;
}

act_msg_t *
act_probe_expect (act_probe_t *self, uint32_t type, int timeout_ms)
{
    s_want_t want = { type, NULL, 0, NULL, NULL };
    return s_expect (self, &want, NULL, timeout_ms);
}

act_msg_t *
act_probe_expect_data (act_probe_t *self, uint32_t type, const void *data, size_t size,
                       int timeout_ms)
{
    if (!data && size) {
        errno = EINVAL;
        return NULL;
    }
    //  An empty payload is a payload to compare too.
    s_want_t want = { type, data ? data : "", size, NULL, NULL };
    return s_expect (self, &want, NULL, timeout_ms);
}

act_msg_t *
act_probe_expect_str (act_probe_t *self, uint32_t type, const char *text, int timeout_ms)
{
    if (!text) {
        errno = EINVAL;
        return NULL;
    }
    return act_probe_expect_data (self, type, text, strlen (text) + 1, timeout_ms);
}

act_msg_t *
act_probe_expect_fn (act_probe_t *self, act_probe_match_fn *match, void *arg,
                     int timeout_ms)
{
    if (!match) {
        errno = EINVAL;
        return NULL;
    }
    s_want_t want = { 0, NULL, 0, match, arg };
    return s_expect (self, &want, NULL, timeout_ms);
}

int
act_probe_expect_none (act_probe_t *self, int ms)
{
    if (!self || ms < 0) {
        errno = EINVAL;
        return -1;
    }
    act_msg_t *msg = s_next (self, ms);
    if (!msg)
        return 0;
    char expected [64];
    snprintf (expected, sizeof expected, "no message for %d ms", ms);
    s_fail (self, expected, ms, msg);
    act_msg_destroy (&self->last);
    return -1;
}

int
act_probe_reply (act_probe_t *self, act_msg_t **reply_p)
{
    if (!self || !self->last || !act_msg_sender (self->last)) {
        act_msg_destroy (reply_p);
        errno = EINVAL;
        return -1;
    }
    return act_reply (self->last, reply_p);
}

//  --------------------------------------------------------------------
//  Monitors

static s_monitor_t *
s_monitor_find (act_probe_t *self, act_ref_t *target)
{
    for (s_monitor_t *monitor = (s_monitor_t *) zlistx_first (self->monitored); monitor;
         monitor = (s_monitor_t *) zlistx_next (self->monitored))
        if (act_ref_eq (monitor->target, target))
            return monitor;
    return NULL;
}

int
act_probe_monitor (act_probe_t *self, act_ref_t *target)
{
    if (!self || !target) {
        errno = EINVAL;
        return -1;
    }
    if (s_monitor_find (self, target))
        return 0;
    uint64_t id = act_monitor (act_inbox_ref (self->inbox), target);
    if (!id)
        return -1;
    s_monitor_t *monitor = (s_monitor_t *) calloc (1, sizeof (s_monitor_t));
    if (!monitor)
        abort ();
    monitor->target = act_ref_dup (target);
    monitor->id = id;
    zlistx_add_end (self->monitored, monitor);
    return 0;
}

typedef struct {
    act_ref_t *target;          //  whose DOWN
    act_exit_kind_t kind;       //  with which reason
} s_down_t;

static bool
s_is_down (const act_msg_t *msg, void *arg)
{
    s_down_t *down = (s_down_t *) arg;
    act_exit_t why;
    return act_msg_down (msg, &why) == 0 && why.kind == down->kind
        && act_ref_eq (act_msg_sender (msg), down->target);
}

int
act_probe_expect_down (act_probe_t *self, act_ref_t *target, act_exit_kind_t kind,
                       int timeout_ms)
{
    if (!self || !target) {
        errno = EINVAL;
        return -1;
    }
    if (act_probe_monitor (self, target))
        return -1;
    char expected [S_FAILURE / 2];
    snprintf (expected, sizeof expected, "ACT_MSG_DOWN (%s) from %s",
              act_exit_kind_name (kind), act_ref_id (target));
    s_down_t down = { target, kind };
    s_want_t want = { 0, NULL, 0, s_is_down, &down };
    return s_expect (self, &want, expected, timeout_ms) ? 0 : -1;
}
