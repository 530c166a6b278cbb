/*  act_wire - the codec of messages between groups (see actorio-wire(7))
    SPDX-License-Identifier: MPL-2.0

    A batch of actor messages is one buffer: a 4-byte batch header and
    one or more records (a 20-byte record header, the target's name, the
    sender's address, the addresses of the references the message
    carries if any, the payload). Links move batches as they are: one
    ZeroMQ frame, or one record of a shared-memory ring. Batching is what
    lets a stream of small messages between groups approach the link's
    own cost: libzmq costs per frame, a ring per commit, not per byte. A
    record with a large payload travels alone, its payload apart (a
    second frame, a shared block). The codec itself does no I/O.
    Decoding trusts nothing: the frame count, every length, name,
    flag and the version are checked before any record is used, and a
    bad batch is refused whole with a reason the caller counts.
*/
#ifndef ACT_WIRE_H_INCLUDED
#define ACT_WIRE_H_INCLUDED

#include "act_msg_priv.h"
#include <string.h>

#define ACT_WIRE_MAGIC      0xAC        //  first byte of every batch
#define ACT_WIRE_VERSION    2           //  this codec's version; it also
                                        //  decodes version 1 (no AGAIN)
#define ACT_WIRE_BATCH_HEAD 4           //  magic, version, count (u16)
#define ACT_WIRE_RECORD     20          //  fixed part of a record
#define ACT_WIRE_NAME_MAX   64          //  longest group or actor name
#define ACT_WIRE_ADDR_MAX   (2 * ACT_WIRE_NAME_MAX + 1)
#define ACT_WIRE_BATCH_MAX  256         //  records in one batch at most
#define ACT_WIRE_BATCH_BYTES (64 * 1024)    //  a batch is sent past this size
#define ACT_WIRE_INLINE_MAX (8 * 1024)  //  larger payloads travel alone

//  Record flags.
#define ACT_WIRE_F_ASK      0x01u       //  the sender waits for a reply
#define ACT_WIRE_F_ERROR    0x02u       //  a failure reply: the payload is
                                        //  kind, code, errno as 3 x u32
#define ACT_WIRE_F_EXTERNAL 0x04u       //  payload in the next frame
#define ACT_WIRE_F_REFS     0x08u       //  references after the sender
#define ACT_WIRE_F_AGAIN    0x10u       //  target and sender: those of the
                                        //  record before (version 2)
#define ACT_WIRE_F_KNOWN    0x1Fu

//  The references section of a record: a count (u8, 1..ACT_MSG_REFS_MAX),
//  then per reference a length (u8) and that many bytes of address.
#define ACT_WIRE_REFS_BYTES (1 + ACT_MSG_REFS_MAX * (1 + ACT_WIRE_ADDR_MAX))

typedef enum {
    ACT_WIRE_OK = 0,
    ACT_WIRE_BAD_FRAMES,        //  not 1 frame, or 2 around one external record
    ACT_WIRE_BAD_HEADER,        //  batch header short, bad magic or count
    ACT_WIRE_BAD_VERSION,       //  a version we do not speak
    ACT_WIRE_BAD_FLAGS,         //  unknown flag bits or reserved byte set
    ACT_WIRE_BAD_TYPE,          //  a reserved type
    ACT_WIRE_BAD_TARGET,        //  target name empty, long or bad chars
    ACT_WIRE_BAD_SENDER,        //  sender address malformed
    ACT_WIRE_TOO_BIG,           //  payload over the size limit
    ACT_WIRE_TRUNCATED,         //  a record runs past the frame, or bytes
                                //  are left after the last one
    ACT_WIRE_BAD_REFS,          //  references: a count of 0 or over
                                //  ACT_MSG_REFS_MAX, or a bad address
    ACT_WIRE_REASONS            //  count of the values above
} act_wire_reason_t;

typedef struct {
    const void *data;           //  frame bytes (borrowed)
    size_t size;                //  frame size in bytes
} act_wire_frame_t;

typedef struct {
    uint32_t type;              //  message type
    uint32_t flags;             //  ACT_WIRE_F_*
    uint64_t corr;              //  correlation id
    char target [ACT_WIRE_NAME_MAX + 1];    //  actor name in the receiver
    char sender [ACT_WIRE_ADDR_MAX + 1];    //  "group/actor", or ""
    size_t target_len;          //  strlen (target)
    size_t sender_len;          //  strlen (sender)
    const void *payload;        //  borrowed from the frames
    size_t size;                //  payload bytes
    size_t ref_count;           //  references carried (ACT_WIRE_F_REFS)
    const char *refs [ACT_MSG_REFS_MAX];    //  their addresses, borrowed
                                            //  from the frame, no NUL
    size_t ref_lens [ACT_MSG_REFS_MAX];     //  and lengths
    bool again;                 //  target and sender are the previous
                                //  record's, of the same batch (AGAIN)
} act_wire_head_t;

//  Called for each record of a batch that passed every check.
typedef void (act_wire_record_fn) (void *arg, const act_wire_head_t *head);

//  A batch being filled for one peer.
typedef struct {
    unsigned char *data;        //  header space, then records
    size_t size;                //  bytes used
    size_t cap;                 //  bytes allocated
    unsigned count;             //  records in it
    bool borrowed;              //  data is the caller's (attach)
    size_t names_at;            //  where the last names written start
                                //  (target, then sender), or 0
    unsigned char names_target; //  their lengths
    unsigned char names_sender;
} act_wire_batch_t;

//  True if the len bytes at a and b are equal: for names, a few dozen
//  bytes at most, compared in place with overlapping word loads (a call
//  to memcmp cost twice as much on the receiver's path, where it ran
//  three times a message, and a byte loop as much on the sender's).
static inline bool
act_wire_same (const void *a, const void *b, size_t len)
{
    const unsigned char *x = (const unsigned char *) a, *y = (const unsigned char *) b;
    if (len >= 8) {
        uint64_t u, v;
        for (size_t at = 0; at + 8 < len; at += 8) {
            memcpy (&u, x + at, 8);
            memcpy (&v, y + at, 8);
            if (u != v)
                return false;
        }
        memcpy (&u, x + len - 8, 8);
        memcpy (&v, y + len - 8, 8);
        return u == v;
    }
    if (len >= 4) {
        uint32_t u1, v1, u2, v2;
        memcpy (&u1, x, 4);
        memcpy (&v1, y, 4);
        memcpy (&u2, x + len - 4, 4);
        memcpy (&v2, y + len - 4, 4);
        return ((u1 ^ v1) | (u2 ^ v2)) == 0;
    }
    for (; len; len--)
        if (*x++ != *y++)
            return false;
    return true;
}

//  True if type is one of the runtime's requests between groups
//  (ACT_MSG_STOP to ACT_MSG_HELLO), the only reserved types a
//  record may carry.
static inline bool
act_wire_runtime_type (uint32_t type)
{
    return type >= ACT_MSG_STOP && type <= ACT_MSG_HELLO;
}

//  True if name is a valid group or actor name: 1..64 of [A-Za-z0-9_.-].
bool
    act_wire_name_valid (const char *name, size_t len);

//  True if addr is "group/actor" with two valid names.
bool
    act_wire_addr_valid (const char *addr, size_t len);

//  Check the frames of one ZeroMQ message (routing id removed), then call
//  fn for each record, in order. Returns ACT_WIRE_OK, or the reason the
//  whole message is refused (and fn was not called). max_size 0 means no
//  limit on a payload. The frames must not change during the call: decode
//  a private copy of what another process can still write.
act_wire_reason_t
    act_wire_decode (const act_wire_frame_t *frames, size_t count,
                     size_t max_size, act_wire_record_fn *fn, void *arg);

//  Empty a batch (allocating it on first use) / free its buffer.
void
    act_wire_batch_reset (act_wire_batch_t *self);
void
    act_wire_batch_free (act_wire_batch_t *self);

//  One record to encode, its names' lengths counted once.
typedef struct {
    const char *target;         //  actor name in the receiver (borrowed)
    size_t target_len;
    const char *sender;         //  "group/actor", or NULL (borrowed)
    size_t sender_len;
    uint32_t flags;             //  ACT_WIRE_F_*
    const act_msg_t *msg;       //  type, corr, payload (borrowed)
    size_t size;                //  bytes it takes in a batch
    size_t ref_count;           //  references to carry, 0 unless added
    const char *refs [ACT_MSG_REFS_MAX];    //  their addresses (borrowed)
    unsigned char ref_lens [ACT_MSG_REFS_MAX];
} act_wire_record_t;

void
    act_wire_record_init (act_wire_record_t *self, const char *target,
                          size_t target_len, const char *sender, size_t sender_len,
                          uint32_t flags, const act_msg_t *msg);

//  Make the record carry one more reference, as an address ("group/name",
//  valid, borrowed until the record is encoded); at most ACT_MSG_REFS_MAX.
void
    act_wire_record_add_ref (act_wire_record_t *self, const char *address, size_t len);

//  Append the record (copied); the caller checks act_wire_batch_full
//  with record->size first.
void
    act_wire_batch_put (act_wire_batch_t *self, const act_wire_record_t *record);

//  act_wire_encode_alone for a prepared record.
size_t
    act_wire_encode_record (unsigned char *frame, const act_wire_record_t *record);

//  True if msg fits inline (a payload up to ACT_WIRE_INLINE_MAX).
bool
    act_wire_inline (const act_msg_t *msg);

//  True if the batch has no room for one more record of this size.
bool
    act_wire_batch_full (const act_wire_batch_t *self, size_t record_size);

//  Append msg's record (copied; msg stays the caller's). The caller checks
//  act_wire_batch_full first. sender may be NULL.
void
    act_wire_batch_add (act_wire_batch_t *self, const char *target,
                        const char *sender, uint32_t flags, const act_msg_t *msg);

//  Bytes a record for msg takes in a batch.
size_t
    act_wire_record_size (const char *target, const char *sender,
                          const act_msg_t *msg);

//  Write the batch header; returns the batch's bytes, from self->data.
size_t
    act_wire_batch_finish (act_wire_batch_t *self);

//  Fill a batch in a buffer of the caller's (cap bytes, kept by the
//  caller: act_wire_batch_free leaves it alone).
void
    act_wire_batch_attach (act_wire_batch_t *self, unsigned char *buf, size_t cap);

//  Bytes act_wire_encode_alone writes at most.
#define ACT_WIRE_ALONE_MAX  (ACT_WIRE_BATCH_HEAD + ACT_WIRE_RECORD \
                             + ACT_WIRE_ADDR_MAX + ACT_WIRE_NAME_MAX \
                             + ACT_WIRE_REFS_BYTES)

//  Encode a batch of one record whose payload travels apart (EXTERNAL):
//  the header and record, without the payload, into frame (at least
//  ACT_WIRE_ALONE_MAX bytes). Returns the bytes written.
size_t
    act_wire_encode_alone (unsigned char *frame, const char *target,
                           const char *sender, uint32_t flags, const act_msg_t *msg);

//  A short name for a reason, for counters and logs.
const char *
    act_wire_reason_name (act_wire_reason_t reason);

#endif
