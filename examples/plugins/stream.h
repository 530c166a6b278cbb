/*  stream - what the stream plugin (stream.c) shares with its tests: the
    message types between its actors, and the layout of the receiver's
    record file
    SPDX-License-Identifier: MPL-2.0
*/
#ifndef STREAM_H_INCLUDED
#define STREAM_H_INCLUDED

#include <actorio.h>
#include <stdint.h>

//  The control socket of an actor of the plugin: a DEALER connected to
//  the endpoint that starts args, with the routing id "GROUP/ACTOR" (also
//  written in id). NULL if it cannot connect.
zsock_t *
    stream_control_new (act_t *self, const char *args, char *id, size_t id_size);

enum {
    STREAM_PING = 100,          //  u64 sequence number, echoed back
    STREAM_SEQ,                 //  u64 sequence number (big-endian), padding
    STREAM_CONTINUE,            //  a sender to itself: go on streaming
    STREAM_ASKED,               //  an ask's result, from the worker pool
    STREAM_HOLD                 //  an ask the receiver keeps, never answers
};

//  A STREAM_SEQ payload: the number (u64, big-endian), then, from 16
//  bytes on, the sender's pid (u64, big-endian) and from there on every
//  byte i is stream_byte (number, i), so a torn or mixed-up payload
//  shows.
static inline unsigned char
stream_byte (uint64_t number, size_t index)
{
    return (unsigned char) (number * 31 + index);
}

//  One life of a receiver: from its setup to the end of its process.
//  Written only by that process, with relaxed atomic stores; read by the
//  test with atomic loads, while it runs or after it was killed (the file
//  is mapped shared, so what it wrote survives SIGKILL).
typedef struct {
    int64_t pid;                //  the receiver's process
    uint64_t first;             //  first sequence number it got
    uint64_t last;              //  highest it got
    uint64_t count;             //  sequence messages it took (first/last
                                //  are valid when count > 0)
    uint64_t dups;              //  numbers at or below last: duplicated
                                //  or out of order
    uint64_t gaps;              //  jumps past last + 1 inside this life
    uint64_t gap_from;          //  the number before the first such jump
    uint64_t gap_at;            //  and the number after it
    uint64_t bad;               //  sequence messages of the wrong size or
                                //  with a wrong byte
    uint64_t senders;           //  sender lives seen (pid changes)
    uint64_t late;              //  sender lives whose first number here
                                //  was not 0, after the first one seen
} stream_life_t;

#define STREAM_LIVES_MAX 64

typedef struct {
    uint64_t lives;             //  lives started so far, in order
    stream_life_t life [STREAM_LIVES_MAX];
} stream_file_t;

#endif
