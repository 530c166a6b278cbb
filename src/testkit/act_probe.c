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

struct _act_probe_t {
    act_system_t *system;       //  where messages come from (borrowed), or
                                //  NULL; stepped if manual
    act_inbox_t *inbox;         //  what reaches the probe
    act_msg_t *last;            //  the message last taken, or NULL
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
    const char *from = !sender ? "no sender"
                     : act_ref_name (sender) ? act_ref_name (sender) : "an unnamed sender";
    snprintf (buf, size, "type %s, %zu bytes%s%s, from %s, at %" PRId64 " ms",
              s_type_name (act_msg_type (msg), type, sizeof type), act_msg_size (msg),
              *preview ? " " : "", preview, from, zclock_mono () - self->started);
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
    return self->last;
}

typedef struct {
    uint32_t type;              //  expected type
    const void *data;           //  expected payload, or NULL: any
    size_t size;                //  its size
    act_probe_match_fn *match;  //  or a predicate, or NULL
    void *arg;                  //  its argument
} s_want_t;

static act_msg_t *
s_expect (act_probe_t *self, const s_want_t *want, int timeout_ms)
{
    if (!self) {
        errno = EINVAL;
        return NULL;
    }
    char expected [S_FAILURE / 2], type [16], preview [4 * S_PREVIEW] = "";
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
    return s_expect (self, &want, timeout_ms);
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
    return s_expect (self, &want, timeout_ms);
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
    return s_expect (self, &want, timeout_ms);
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
