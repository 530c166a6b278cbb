/*  act_wire - the codec of messages between groups (see actorio-wire(7))
    SPDX-License-Identifier: MPL-2.0

    A message on the wire is four ZeroMQ frames: a 16-byte header (magic,
    version, flags, type, correlation id), the target actor's name, the
    sender's address ("group/actor", or empty), and the payload. Decoding
    trusts nothing: every frame count, length, character and the version
    are checked, and a bad message is refused with a reason the caller
    counts. Encoding sends the payload zero-copy: libzmq frees the message
    once it is on the wire.
*/
#ifndef ACT_WIRE_H_INCLUDED
#define ACT_WIRE_H_INCLUDED

#include "act_msg_priv.h"

#define ACT_WIRE_MAGIC      0xAC        //  first byte of every header
#define ACT_WIRE_VERSION    1           //  this codec's version
#define ACT_WIRE_HEADER     16          //  bytes in the header frame
#define ACT_WIRE_FRAMES     4           //  frames after any routing id
#define ACT_WIRE_NAME_MAX   64          //  longest group or actor name
#define ACT_WIRE_ADDR_MAX   (2 * ACT_WIRE_NAME_MAX + 1)

//  Header flags.
#define ACT_WIRE_F_ASK      0x01u       //  the sender waits for a reply
#define ACT_WIRE_F_ERROR    0x02u       //  a failure reply: the payload is
                                        //  an act_exit_t in network order
#define ACT_WIRE_F_KNOWN    (ACT_WIRE_F_ASK | ACT_WIRE_F_ERROR)

typedef enum {
    ACT_WIRE_OK = 0,
    ACT_WIRE_BAD_FRAMES,        //  not exactly four frames
    ACT_WIRE_BAD_HEADER,        //  header of the wrong size or magic
    ACT_WIRE_BAD_VERSION,       //  a version we do not speak
    ACT_WIRE_BAD_FLAGS,         //  unknown flag bits set
    ACT_WIRE_BAD_TYPE,          //  a reserved type
    ACT_WIRE_BAD_TARGET,        //  target name empty, long or bad chars
    ACT_WIRE_BAD_SENDER,        //  sender address malformed
    ACT_WIRE_TOO_BIG,           //  payload over the size limit
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
    const void *payload;        //  borrowed from the frames
    size_t size;                //  payload bytes
} act_wire_head_t;

//  True if name is a valid group or actor name: 1..64 of [A-Za-z0-9_.-].
bool
    act_wire_name_valid (const char *name, size_t len);

//  True if addr is "group/actor" with two valid names.
bool
    act_wire_addr_valid (const char *addr, size_t len);

//  Check and split frames (routing id already removed). Returns
//  ACT_WIRE_OK and fills head, or the reason the frames are refused.
//  max_size 0 means no limit.
act_wire_reason_t
    act_wire_decode (const act_wire_frame_t *frames, size_t count,
                     size_t max_size, act_wire_head_t *head);

//  Send msg to target on socket, after routing_id when not NULL (a ROUTER
//  socket). sender may be NULL. Takes *msg_p on success; on failure
//  returns -1 with libzmq's errno and leaves *msg_p with the caller.
int
    act_wire_send (void *socket, const char *routing_id, const char *target,
                   const char *sender, uint32_t flags, act_msg_t **msg_p);

//  A short name for a reason, for counters and logs.
const char *
    act_wire_reason_name (act_wire_reason_t reason);

#endif
