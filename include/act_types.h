/*  act_types - the opaque types, exit reasons and return codes shared by
    every actorio header
    SPDX-License-Identifier: MPL-2.0
*/
#ifndef ACT_TYPES_H_INCLUDED
#define ACT_TYPES_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <czmq.h>

#if defined(ACTORIO_BUILD)
#   define ACT_EXPORT __attribute__ ((visibility ("default")))
#else
#   define ACT_EXPORT
#endif

#define ACTORIO_VERSION_MAJOR 0
#define ACTORIO_VERSION_MINOR 1
#define ACTORIO_VERSION_PATCH 0

typedef struct _act_msg_t    act_msg_t;      //  a message
typedef struct _act_ref_t    act_ref_t;      //  a reference to an actor or inbox
typedef struct _act_t        act_t;          //  an actor, as its callbacks see it
typedef struct _act_system_t act_system_t;   //  a loop thread and its actors
typedef struct _act_inbox_t  act_inbox_t;    //  a mailbox for non-actor code
typedef struct act_class     act_class_t;    //  an actor's callbacks
typedef struct act_exit      act_exit_t;     //  why an actor stopped

//  Every timeout_ms in the API: ACT_FOREVER (any negative value) waits
//  without limit, 0 does not wait (only what is there already counts),
//  a positive value waits at most that many milliseconds.
#define ACT_FOREVER     (-1)

//  Return values of setup, handle, and the watch and timer handlers.
#define ACT_OK          0       //  go on
#define ACT_STOP        1       //  stop this actor normally (EndMainLoop)
#define ACT_UNHANDLED   2       //  handle only: this message is not for me
                                //  (stops the actor, kind ACT_EXIT_UNHANDLED)
                                //  any negative value: failure, stops the
                                //  actor with kind ACT_EXIT_ERROR

typedef enum {
    ACT_EXIT_NORMAL = 0,        //  ACT_STOP, or act_stop (self, 0)
    ACT_EXIT_ERROR,             //  a callback failed, or act_stop (self, code)
    ACT_EXIT_UNHANDLED,         //  handle returned ACT_UNHANDLED or was NULL
    ACT_EXIT_ESCALATED,         //  a child failed and we did not handle it
    ACT_EXIT_SHUTDOWN,          //  our parent or the system stopped us
    ACT_EXIT_LOST               //  monitors only: the actor's group went
                                //  down first (code EHOSTDOWN), or its
                                //  group keeps ACT_MONITOR_PEER_MAX for
                                //  ours already (code EAGAIN)
} act_exit_kind_t;

struct act_exit {
    act_exit_kind_t kind;       //  why
    int code;                   //  errno or act_stop code; message type for
                                //  UNHANDLED; the child's code for ESCALATED
};

//  Short name of an exit kind ("normal", "error", ...), never NULL.
ACT_EXPORT const char *
    act_exit_kind_name (act_exit_kind_t kind);

//  True if the exit is a failure (error, unhandled, escalated or lost).
ACT_EXPORT bool
    act_exit_failed (const act_exit_t *why);

#endif
