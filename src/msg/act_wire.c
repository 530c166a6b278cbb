/*  act_wire - the codec of messages between groups
    SPDX-License-Identifier: MPL-2.0

    Batch frame, all integers big-endian:
        0   magic 0xAC      1   version     2   record count (u16)
    then each record:
        0   flags           1   target length       2   sender length
        3   reserved, 0     4   type (u32)          8   correlation id (u64)
        16  payload size (u32)
        20  target, sender, references when REFS, payload (no payload
            here when EXTERNAL)
    references: count (u8), then per reference length (u8) and address.
*/
#include "act_wire.h"

static const char *s_reason_names [ACT_WIRE_REASONS] = {
    "ok", "frames", "header", "version", "flags", "type", "target", "sender",
    "size", "truncated", "refs"
};

const char *
act_wire_reason_name (act_wire_reason_t reason)
{
    return (unsigned) reason < ACT_WIRE_REASONS ? s_reason_names [reason] : "unknown";
}

//  The characters of a name, as a table: every record's names are
//  checked on receipt, and one load per character is what that costs.
static const unsigned char s_name_chars [256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1
};

bool
act_wire_name_valid (const char *name, size_t len)
{
    if (!name || len == 0 || len > ACT_WIRE_NAME_MAX)
        return false;
    unsigned ok = 1;
    for (size_t i = 0; i < len; i++)
        ok &= s_name_chars [(unsigned char) name [i]];
    return ok != 0;
}

bool
act_wire_addr_valid (const char *addr, size_t len)
{
    if (!addr || len > ACT_WIRE_ADDR_MAX)
        return false;
    const char *slash = (const char *) memchr (addr, '/', len);
    if (!slash)
        return false;
    size_t group = (size_t) (slash - addr);
    return act_wire_name_valid (addr, group)
        && act_wire_name_valid (slash + 1, len - group - 1);
}

bool
act_name_valid (const char *name)
{
    return name && act_wire_name_valid (name, strnlen (name, ACT_WIRE_NAME_MAX + 1));
}

bool
act_address_valid (const char *address, size_t *group_len)
{
    if (!address)
        return false;
    size_t len = strnlen (address, ACT_WIRE_ADDR_MAX + 1);
    if (!act_wire_addr_valid (address, len))
        return false;
    if (group_len)
        *group_len = (size_t) ((const char *) memchr (address, '/', len) - address);
    return true;
}

static uint32_t
s_get32 (const unsigned char *p)
{
    return (uint32_t) p [0] << 24 | (uint32_t) p [1] << 16
         | (uint32_t) p [2] << 8 | (uint32_t) p [3];
}

static void
s_put32 (unsigned char *p, uint32_t value)
{
    p [0] = (unsigned char) (value >> 24);
    p [1] = (unsigned char) (value >> 16);
    p [2] = (unsigned char) (value >> 8);
    p [3] = (unsigned char) value;
}

static uint64_t
s_get64 (const unsigned char *p)
{
    return (uint64_t) s_get32 (p) << 32 | s_get32 (p + 4);
}

static void
s_put64 (unsigned char *p, uint64_t value)
{
    s_put32 (p, (uint32_t) (value >> 32));
    s_put32 (p + 4, (uint32_t) value);
}

//  The references section at p, left bytes before the frame ends: its
//  count, lengths and, unless head is given to fill (the second pass
//  over the same bytes), its addresses. Its length in *used.
static act_wire_reason_t
s_refs (const unsigned char *p, size_t left, act_wire_head_t *head, size_t *used,
        bool check)
{
    if (left < 1)
        return ACT_WIRE_TRUNCATED;
    size_t count = p [0], at = 1;
    if (count == 0 || count > ACT_MSG_REFS_MAX)
        return ACT_WIRE_BAD_REFS;
    for (size_t i = 0; i < count; i++) {
        if (left - at < 1 || left - at - 1 < p [at])
            return ACT_WIRE_TRUNCATED;
        size_t len = p [at];
        const char *address = (const char *) p + at + 1;
        if (check && !act_wire_addr_valid (address, len))
            return ACT_WIRE_BAD_REFS;
        if (head) {
            head->refs [i] = address;
            head->ref_lens [i] = len;
        }
        at += 1 + len;
    }
    if (head)
        head->ref_count = count;
    *used = at;
    return ACT_WIRE_OK;
}

//  The names of the last record this thread found valid, target then
//  sender: a memo of a pure check. A ping-pong between groups has one
//  record per batch, so no record before it to compare with, and the
//  check of its two names was a seventh of a receiver's work per hop.
static __thread struct {
    unsigned char target_len;
    unsigned char sender_len;
    char names [ACT_WIRE_NAME_MAX + ACT_WIRE_ADDR_MAX];
} s_known __attribute__ ((tls_model ("initial-exec")));

//  True if the names at target (then sender) equal those of the record
//  at checked, or if checked is NULL those of the memo.
static inline bool
s_names_known (const unsigned char *checked, const char *target, size_t target_len,
               size_t sender_len)
{
    if (checked)
        return checked [1] == target_len && checked [2] == sender_len
            && act_wire_same (checked + ACT_WIRE_RECORD, target, target_len + sender_len);
    //  An empty memo (target_len 0) matches nothing: no target is empty.
    return s_known.target_len && s_known.target_len == target_len
        && s_known.sender_len == sender_len
        && act_wire_same (s_known.names, target, target_len + sender_len);
}

//  Check one record at p (left bytes remain in the frame): its lengths,
//  fields, names and references; fill head if given. Returns the
//  reason, and the record's length in *used. checked is the last record
//  before p in its batch that carries names, which passed, or NULL;
//  known the flags the batch's version has. Inlined: its callers'
//  constant arguments (no head, no memo) drop whole tests.
static inline __attribute__ ((always_inline)) act_wire_reason_t
s_record (const unsigned char *p, size_t left, size_t max_size, bool external,
          size_t external_size, act_wire_head_t *head, size_t *used,
          const unsigned char *checked, uint32_t known)
{
    if (left < ACT_WIRE_RECORD)
        return ACT_WIRE_TRUNCATED;
    uint32_t flags = p [0];
    size_t target_len = p [1], sender_len = p [2];
    if ((flags & ~known) || p [3])
        return ACT_WIRE_BAD_FLAGS;
    //  AGAIN names no names: it takes those of the record before, so it
    //  cannot start a batch, and its lengths are 0.
    bool again = (flags & ACT_WIRE_F_AGAIN) != 0;
    if (again && (!checked || target_len || sender_len))
        return ACT_WIRE_BAD_FLAGS;
    if (((flags & ACT_WIRE_F_EXTERNAL) != 0) != external)
        return ACT_WIRE_BAD_FRAMES;
    uint32_t type = s_get32 (p + 4);
    if (type >= ACT_MSG_SYSTEM
    &&  (!act_wire_runtime_type (type) || (flags & ~ACT_WIRE_F_EXTERNAL)))
        return ACT_WIRE_BAD_TYPE;
    size_t size = s_get32 (p + 16);
    if (external && size != external_size)
        return ACT_WIRE_BAD_FRAMES;
    if (max_size && size > max_size)
        return ACT_WIRE_TOO_BIG;
    size_t inline_size = external ? 0 : size;
    if (left - ACT_WIRE_RECORD < target_len + sender_len)
        return ACT_WIRE_TRUNCATED;
    //  All but the payload: the fixed part, the names, the references.
    size_t head_len = ACT_WIRE_RECORD + target_len + sender_len;
    const char *target = (const char *) p + ACT_WIRE_RECORD;
    const char *sender = target + target_len;
    //  The references section is rare: a message without any pays this
    //  test and nothing else for it (head->ref_count is 0 from s_walk).
    if (__builtin_expect ((flags & ACT_WIRE_F_REFS) != 0, 0)) {
        size_t refs_len = 0;
        act_wire_reason_t reason = s_refs (p + head_len, left - head_len, head, &refs_len,
                                           true);
        if (reason != ACT_WIRE_OK)
            return reason;
        head_len += refs_len;
    }
    if (left - head_len < inline_size)
        return ACT_WIRE_TRUNCATED;
    //  A batch is mostly one sender's messages to one actor: names equal,
    //  byte for byte, to those of a record that passed need no second
    //  look (a compare costs a third of the check).
    if (!again && !s_names_known (checked, target, target_len, sender_len)) {
        if (!act_wire_name_valid (target, target_len))
            return ACT_WIRE_BAD_TARGET;
        if (sender_len && !act_wire_addr_valid (sender, sender_len))
            return ACT_WIRE_BAD_SENDER;
        s_known.target_len = (unsigned char) target_len;
        s_known.sender_len = (unsigned char) sender_len;
        memcpy (s_known.names, target, target_len + sender_len);
    }
    //  (With a head, checked is NULL: AGAIN was refused above.)
    if (head) {
        head->type = type;
        head->flags = flags;
        head->again = false;
        head->corr = s_get64 (p + 8);
        head->target_len = target_len;
        head->sender_len = sender_len;
        memcpy (head->target, target, target_len);
        head->target [target_len] = 0;
        memcpy (head->sender, sender, sender_len);
        head->sender [sender_len] = 0;
        head->payload = external ? NULL : (const void *) (p + head_len);
        head->size = size;
    }
    *used = head_len + inline_size;
    return ACT_WIRE_OK;
}

//  Fill head from a record at p that a check pass over these same bytes
//  passed: the delivery pass of a batch of several records, which needs
//  none of the tests again (they were a third of a receiver's work per
//  message). head holds the record before: an AGAIN record keeps its
//  names. Returns the record's length.
static size_t
s_record_fill (const unsigned char *p, size_t left, bool external, act_wire_head_t *head)
{
    size_t target_len = p [1], sender_len = p [2];
    size_t head_len = ACT_WIRE_RECORD + target_len + sender_len;
    head->flags = p [0];
    head->type = s_get32 (p + 4);
    head->corr = s_get64 (p + 8);
    head->size = s_get32 (p + 16);
    head->again = (head->flags & ACT_WIRE_F_AGAIN) != 0;
    if (!head->again) {
        head->target_len = target_len;
        head->sender_len = sender_len;
        memcpy (head->target, p + ACT_WIRE_RECORD, target_len);
        head->target [target_len] = 0;
        memcpy (head->sender, p + ACT_WIRE_RECORD + target_len, sender_len);
        head->sender [sender_len] = 0;
    }
    head->ref_count = 0;
    if (__builtin_expect ((head->flags & ACT_WIRE_F_REFS) != 0, 0)) {
        size_t refs_len = 0;
        s_refs (p + head_len, left - head_len, head, &refs_len, false);
        head_len += refs_len;
    }
    if (external) {
        head->payload = NULL;
        return head_len;
    }
    head->payload = p + head_len;
    return head_len + head->size;
}

//  The batch header, and the frames around it: the reason, the record
//  count in *records and the flags its version has in *known.
static inline act_wire_reason_t
s_batch (const act_wire_frame_t *frames, size_t count, unsigned *records, uint32_t *known)
{
    const unsigned char *p = (const unsigned char *) frames [0].data;
    if (frames [0].size < ACT_WIRE_BATCH_HEAD || !p || p [0] != ACT_WIRE_MAGIC)
        return ACT_WIRE_BAD_HEADER;
    //  Version 1 is version 2 without AGAIN: what an older sender sends
    //  is still read.
    if (p [1] != ACT_WIRE_VERSION && p [1] != 1)
        return ACT_WIRE_BAD_VERSION;
    *known = p [1] == 1 ? ACT_WIRE_F_KNOWN & ~ACT_WIRE_F_AGAIN : ACT_WIRE_F_KNOWN;
    *records = (unsigned) p [2] << 8 | p [3];
    if (*records == 0 || *records > ACT_WIRE_BATCH_MAX)
        return ACT_WIRE_BAD_HEADER;
    if (count == 2 && (*records != 1 || (frames [1].size && !frames [1].data)))
        return ACT_WIRE_BAD_FRAMES;
    return ACT_WIRE_OK;
}

//  Check every record of a batch, delivering none.
static act_wire_reason_t
s_check (const act_wire_frame_t *frames, size_t count, size_t max_size)
{
    unsigned records;
    uint32_t known;
    act_wire_reason_t reason = s_batch (frames, count, &records, &known);
    if (reason != ACT_WIRE_OK)
        return reason;
    bool external = count == 2;
    const unsigned char *p = (const unsigned char *) frames [0].data + ACT_WIRE_BATCH_HEAD;
    size_t left = frames [0].size - ACT_WIRE_BATCH_HEAD;
    const unsigned char *checked = NULL;
    for (unsigned i = 0; i < records; i++) {
        size_t used = 0;
        reason = s_record (p, left, max_size, external, external ? frames [1].size : 0,
                           NULL, &used, checked, known);
        if (reason != ACT_WIRE_OK)
            return reason;
        if (!(p [0] & ACT_WIRE_F_AGAIN))
            checked = p;
        p += used;
        left -= used;
    }
    return left ? ACT_WIRE_TRUNCATED : ACT_WIRE_OK;
}

//  Call fn for each record of a batch that s_check passed: the bytes
//  are the caller's own (a frame received, a ring record copied out), so
//  they cannot change between the two.
static void
s_deliver (const act_wire_frame_t *frames, size_t count, act_wire_record_fn *fn, void *arg)
{
    bool external = count == 2;
    const unsigned char *p = (const unsigned char *) frames [0].data;
    unsigned records = (unsigned) p [2] << 8 | p [3];
    p += ACT_WIRE_BATCH_HEAD;
    size_t left = frames [0].size - ACT_WIRE_BATCH_HEAD;
    //  One head for all: an AGAIN record keeps the names of the one before.
    act_wire_head_t head;
    for (unsigned i = 0; i < records; i++) {
        size_t used = s_record_fill (p, left, external, &head);
        if (external)
            head.payload = frames [1].data;
        fn (arg, &head);
        p += used;
        left -= used;
    }
}

//  A batch that says it holds one record: checked as s_check would, and
//  delivered from the same pass, since its check is complete before fn
//  runs.
static inline __attribute__ ((always_inline)) act_wire_reason_t
s_decode_one (const act_wire_frame_t *frames, size_t count, size_t max_size,
              act_wire_record_fn *fn, void *arg)
{
    unsigned records;
    uint32_t known;
    act_wire_reason_t reason = s_batch (frames, count, &records, &known);
    if (reason != ACT_WIRE_OK)
        return reason;
    bool external = count == 2;
    size_t left = frames [0].size - ACT_WIRE_BATCH_HEAD;
    act_wire_head_t head;
    head.ref_count = 0;
    size_t used = 0;
    reason = s_record ((const unsigned char *) frames [0].data + ACT_WIRE_BATCH_HEAD, left,
                       max_size, external, external ? frames [1].size : 0, &head, &used,
                       NULL, known);
    if (reason != ACT_WIRE_OK)
        return reason;
    if (used != left)
        return ACT_WIRE_TRUNCATED;      //  bytes after the only record
    if (external)
        head.payload = frames [1].data;
    fn (arg, &head);
    return ACT_WIRE_OK;
}

act_wire_reason_t
act_wire_decode (const act_wire_frame_t *frames, size_t count, size_t max_size,
                 act_wire_record_fn *fn, void *arg)
{
    if (!frames || count < 1 || count > 2)
        return ACT_WIRE_BAD_FRAMES;
    //  Nothing is delivered from a batch that is bad anywhere: two passes,
    //  but one for a batch of one record (a round trip's, where the second
    //  pass cost a fifth of the receiver's work per message).
    const unsigned char *head = (const unsigned char *) frames [0].data;
    if (fn && head && frames [0].size >= ACT_WIRE_BATCH_HEAD && head [2] == 0 && head [3] == 1)
        return s_decode_one (frames, count, max_size, fn, arg);
    act_wire_reason_t reason = s_check (frames, count, max_size);
    if (reason == ACT_WIRE_OK && fn)
        s_deliver (frames, count, fn, arg);
    return reason;
}

//  --------------------------------------------------------------------
//  Encoding

void
act_wire_batch_attach (act_wire_batch_t *self, unsigned char *buf, size_t cap)
{
    self->data = buf;
    self->cap = cap;
    self->size = ACT_WIRE_BATCH_HEAD;
    self->count = 0;
    self->names_at = 0;
    self->borrowed = true;
}

void
act_wire_batch_reset (act_wire_batch_t *self)
{
    if (!self->data) {
        self->cap = ACT_WIRE_BATCH_BYTES + ACT_WIRE_INLINE_MAX + 512;
        self->data = (unsigned char *) malloc (self->cap);
        if (!self->data)
            abort ();
    }
    self->size = ACT_WIRE_BATCH_HEAD;
    self->count = 0;
    self->names_at = 0;
}

void
act_wire_batch_free (act_wire_batch_t *self)
{
    if (!self->borrowed)
        free (self->data);
    memset (self, 0, sizeof *self);
}

bool
act_wire_inline (const act_msg_t *msg)
{
    return msg->size <= ACT_WIRE_INLINE_MAX;
}

size_t
act_wire_record_size (const char *target, const char *sender, const act_msg_t *msg)
{
    return ACT_WIRE_RECORD + strlen (target) + (sender ? strlen (sender) : 0)
         + msg->size;
}

bool
act_wire_batch_full (const act_wire_batch_t *self, size_t record_size)
{
    return self->count >= ACT_WIRE_BATCH_MAX
        || self->size + record_size > self->cap
        || (self->count && self->size + record_size > ACT_WIRE_BATCH_BYTES);
}

void
act_wire_record_init (act_wire_record_t *self, const char *target, size_t target_len,
                      const char *sender, size_t sender_len, uint32_t flags,
                      const act_msg_t *msg)
{
    self->target = target;
    self->target_len = target_len;
    self->sender = sender;
    self->sender_len = sender ? sender_len : 0;
    self->flags = flags;
    self->msg = msg;
    self->size = ACT_WIRE_RECORD + target_len + self->sender_len + msg->size;
    self->ref_count = 0;
}

void
act_wire_record_add_ref (act_wire_record_t *self, const char *address, size_t len)
{
    assert (self->ref_count < ACT_MSG_REFS_MAX && len <= ACT_WIRE_ADDR_MAX);
    if (self->ref_count == 0) {
        self->flags |= ACT_WIRE_F_REFS;
        self->size++;
    }
    self->refs [self->ref_count] = address;
    self->ref_lens [self->ref_count++] = (unsigned char) len;
    self->size += 1 + len;
}

//  The references section of a record, at p; returns its length.
static size_t
s_put_refs (unsigned char *p, const act_wire_record_t *record)
{
    p [0] = (unsigned char) record->ref_count;
    size_t used = 1;
    for (size_t i = 0; i < record->ref_count; i++) {
        p [used] = record->ref_lens [i];
        memcpy (p + used + 1, record->refs [i], record->ref_lens [i]);
        used += 1 + record->ref_lens [i];
    }
    return used;
}

//  The record at p; with again, flagged AGAIN and without its names.
static size_t
s_put_record (unsigned char *p, const act_wire_record_t *record, uint32_t flags,
              bool external, bool again)
{
    const act_msg_t *msg = record->msg;
    size_t used = ACT_WIRE_RECORD;
    p [0] = (unsigned char) (again ? flags | ACT_WIRE_F_AGAIN : flags);
    p [1] = again ? 0 : (unsigned char) record->target_len;
    p [2] = again ? 0 : (unsigned char) record->sender_len;
    p [3] = 0;
    s_put32 (p + 4, msg->type);
    s_put64 (p + 8, msg->corr);
    s_put32 (p + 16, (uint32_t) msg->size);
    if (!again) {
        memcpy (p + ACT_WIRE_RECORD, record->target, record->target_len);
        if (record->sender_len)
            memcpy (p + ACT_WIRE_RECORD + record->target_len, record->sender,
                    record->sender_len);
        used += record->target_len + record->sender_len;
    }
    if (record->ref_count)
        used += s_put_refs (p + used, record);
    if (!external && msg->size) {
        memcpy (p + used, act_msg_data (msg), msg->size);
        used += msg->size;
    }
    return used;
}

//  A prefetch for writing (the line comes owned, not shared).
//  __builtin_prefetch (p, 1, ...) is one only where the target has
//  PREFETCHW, which x86-64's baseline lacks: gcc made it prefetchnta, a
//  read, and every store into a line the ring's consumer had read still
//  waited for it. PREFETCHW is AMD's since the K6 and Intel's since
//  Broadwell; an older Intel decodes it as a NOP.
static inline void
s_prefetch_write (const void *p)
{
#if defined (__x86_64__) || defined (__i386__)
    __asm__ volatile ("prefetchw %0" : : "m" (*(const char *) p));
#else
    __builtin_prefetch (p, 1, 0);
#endif
}

void
act_wire_batch_put (act_wire_batch_t *self, const act_wire_record_t *record)
{
    assert (self->data && self->size + record->size <= self->cap);
    //  Ask for the lines a few records ahead for writing: in a ring the
    //  consumer has them, and waiting for each in turn stalls every
    //  store behind it. A prefetch past the buffer does no harm.
    s_prefetch_write (self->data + self->size + 512);
    s_prefetch_write (self->data + self->size + 576);
    //  A record to the same actor from the same sender as the one before
    //  (a stream's, the usual case in a batch of many) names neither: the
    //  names were a fifth of its bytes, and looking them up again, twice,
    //  a fifth of the receiver's work. Compared by content: a reference
    //  freed meanwhile may have left its address's memory to another.
    //  Runtime requests always name theirs (actorio-wire(7)).
    const unsigned char *names = self->data + self->names_at;
    bool again = self->names_at && record->msg->type < ACT_MSG_SYSTEM
              && record->target_len == self->names_target
              && record->sender_len == self->names_sender
              && act_wire_same (names, record->target, record->target_len)
              && act_wire_same (names + record->target_len, record->sender,
                                record->sender_len);
    if (!again) {
        self->names_at = self->size + ACT_WIRE_RECORD;
        self->names_target = (unsigned char) record->target_len;
        self->names_sender = (unsigned char) record->sender_len;
    }
    self->size += s_put_record (self->data + self->size, record,
                                record->flags & ~ACT_WIRE_F_EXTERNAL, false, again);
    self->count++;
}

void
act_wire_batch_add (act_wire_batch_t *self, const char *target, const char *sender,
                    uint32_t flags, const act_msg_t *msg)
{
    act_wire_record_t record;
    act_wire_record_init (&record, target, strlen (target), sender,
                          sender ? strlen (sender) : 0, flags, msg);
    act_wire_batch_put (self, &record);
}

static void
s_put_head (unsigned char *p, unsigned count)
{
    p [0] = ACT_WIRE_MAGIC;
    p [1] = ACT_WIRE_VERSION;
    p [2] = (unsigned char) (count >> 8);
    p [3] = (unsigned char) count;
}

size_t
act_wire_batch_finish (act_wire_batch_t *self)
{
    s_put_head (self->data, self->count);
    return self->size;
}

size_t
act_wire_encode_record (unsigned char *frame, const act_wire_record_t *record)
{
    s_put_head (frame, 1);
    return ACT_WIRE_BATCH_HEAD
         + s_put_record (frame + ACT_WIRE_BATCH_HEAD, record,
                         record->flags | ACT_WIRE_F_EXTERNAL, true, false);
}

size_t
act_wire_encode_alone (unsigned char *frame, const char *target, const char *sender,
                       uint32_t flags, const act_msg_t *msg)
{
    act_wire_record_t record;
    act_wire_record_init (&record, target, strlen (target), sender,
                          sender ? strlen (sender) : 0, flags, msg);
    return act_wire_encode_record (frame, &record);
}
