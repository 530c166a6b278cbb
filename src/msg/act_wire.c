/*  act_wire - the codec of messages between groups
    SPDX-License-Identifier: MPL-2.0

    Header layout, network byte order:
        0   magic 0xAC          1   version
        2   flags               3   reserved, 0
        4   type (u32)          8   correlation id (u64)
*/
#include "act_wire.h"
#include <arpa/inet.h>

static const char *s_reason_names [ACT_WIRE_REASONS] = {
    "ok", "frames", "header", "version", "flags", "type", "target", "sender",
    "size"
};

const char *
act_wire_reason_name (act_wire_reason_t reason)
{
    return (unsigned) reason < ACT_WIRE_REASONS ? s_reason_names [reason] : "unknown";
}

bool
act_wire_name_valid (const char *name, size_t len)
{
    if (!name || len == 0 || len > ACT_WIRE_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name [i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        ||    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
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

static uint64_t
s_get64 (const unsigned char *p)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = (value << 8) | p [i];
    return value;
}

static void
s_put64 (unsigned char *p, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        p [i] = (unsigned char) (value & 0xFF);
        value >>= 8;
    }
}

act_wire_reason_t
act_wire_decode (const act_wire_frame_t *frames, size_t count, size_t max_size,
                 act_wire_head_t *head)
{
    if (!frames || count != ACT_WIRE_FRAMES)
        return ACT_WIRE_BAD_FRAMES;
    const unsigned char *h = (const unsigned char *) frames [0].data;
    if (frames [0].size != ACT_WIRE_HEADER || !h || h [0] != ACT_WIRE_MAGIC)
        return ACT_WIRE_BAD_HEADER;
    if (h [1] != ACT_WIRE_VERSION)
        return ACT_WIRE_BAD_VERSION;
    if ((h [2] & ~ACT_WIRE_F_KNOWN) || h [3])
        return ACT_WIRE_BAD_FLAGS;
    uint32_t type;
    memcpy (&type, h + 4, 4);
    type = ntohl (type);
    if (type >= ACT_MSG_SYSTEM)
        return ACT_WIRE_BAD_TYPE;
    if (!act_wire_name_valid ((const char *) frames [1].data, frames [1].size))
        return ACT_WIRE_BAD_TARGET;
    if (frames [2].size && !act_wire_addr_valid ((const char *) frames [2].data,
                                                 frames [2].size))
        return ACT_WIRE_BAD_SENDER;
    if (max_size && frames [3].size > max_size)
        return ACT_WIRE_TOO_BIG;
    if (frames [3].size && !frames [3].data)
        return ACT_WIRE_BAD_FRAMES;
    head->type = type;
    head->flags = h [2];
    head->corr = s_get64 (h + 8);
    memcpy (head->target, frames [1].data, frames [1].size);
    head->target [frames [1].size] = 0;
    if (frames [2].size)
        memcpy (head->sender, frames [2].data, frames [2].size);
    head->sender [frames [2].size] = 0;
    head->payload = frames [3].data;
    head->size = frames [3].size;
    return ACT_WIRE_OK;
}

static void
s_free_msg (void *data, void *hint)
{
    (void) data;
    act_msg_t *msg = (act_msg_t *) hint;
    act_msg_destroy (&msg);
}

int
act_wire_send (void *socket, const char *routing_id, const char *target,
               const char *sender, uint32_t flags, act_msg_t **msg_p)
{
    act_msg_t *msg = *msg_p;
    unsigned char header [ACT_WIRE_HEADER] = { ACT_WIRE_MAGIC, ACT_WIRE_VERSION,
                                               (unsigned char) flags, 0 };
    uint32_t type = htonl (msg->type);
    memcpy (header + 4, &type, 4);
    s_put64 (header + 8, msg->corr);
    //  An unroutable peer (ROUTER_MANDATORY) or a full pipe (DONTWAIT)
    //  fails the first frame, and then the message is still the caller's.
    //  Once the first frame is in, libzmq takes the rest atomically.
    const void *first = routing_id ? (const void *) routing_id : header;
    size_t first_size = routing_id ? strlen (routing_id) : sizeof header;
    if (zmq_send (socket, first, first_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    *msg_p = NULL;
    if (routing_id)
        zmq_send (socket, header, sizeof header, ZMQ_SNDMORE);
    zmq_send (socket, target, strlen (target), ZMQ_SNDMORE);
    zmq_send (socket, sender ? sender : "", sender ? strlen (sender) : 0, ZMQ_SNDMORE);
    zmq_msg_t payload;
    if (msg->size) {
        //  Zero-copy: libzmq frees the whole message when done with it.
        zmq_msg_init_data (&payload, msg->data, msg->size, s_free_msg, msg);
    }
    else {
        zmq_msg_init (&payload);
        act_msg_destroy (&msg);
    }
    if (zmq_msg_send (&payload, socket, 0) < 0)
        zmq_msg_close (&payload);
    return 0;
}
