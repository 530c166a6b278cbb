/*  act_msg_priv - the message layout, shared by the layers above it
    SPDX-License-Identifier: MPL-2.0

    The struct is visible to src/loop so a message can be its own queue
    node: moving a message between actors of a group is a pointer move, no
    copy and no allocation.
*/
#ifndef ACT_MSG_PRIV_H_INCLUDED
#define ACT_MSG_PRIV_H_INCLUDED

#include "actorio.h"

//  Internal types, above the public ACT_MSG_DOWN.
#define ACT_MSG_SPAWN         (ACT_MSG_SYSTEM + 0x100)  //  ptr: actor to start
#define ACT_MSG_CHILD_STOPPED (ACT_MSG_SYSTEM + 0x101)  //  sender: child; data: act_exit_t
#define ACT_MSG_STOP_ALL      (ACT_MSG_SYSTEM + 0x102)  //  stop every top-level actor
#define ACT_MSG_CALL          (ACT_MSG_SYSTEM + 0x103)  //  ptr: act_call_t to run
//  Requests between the runtimes of two groups (act_ref_stop, monitors):
//  told to a remote reference, they travel as runtime records (see
//  actorio-wire(7)), never reach an actor's handle.
#define ACT_MSG_STOP          (ACT_MSG_SYSTEM + 0x110)  //  data: int code
#define ACT_MSG_MONITOR       (ACT_MSG_SYSTEM + 0x111)  //  sender: watcher;
                                                        //  corr: its id
#define ACT_MSG_DEMONITOR     (ACT_MSG_SYSTEM + 0x112)  //  as MONITOR
#define ACT_MSG_HELLO         (ACT_MSG_SYSTEM + 0x114)  //  data: u32 life, then
                                                        //  the group's name
#define ACT_MSG_MONITOR_DOWN  (ACT_MSG_SYSTEM + 0x113)  //  an ACT_MSG_DOWN for a
                                                        //  monitor's watcher there

//  Payload of ACT_MSG_DOWN: why the target is gone, and the errno an ask
//  waiting on it fails with (ESRCH stopped, ENOENT unknown, EAGAIN full).
typedef struct {
    act_exit_t exit;            //  the target's exit, if it had one
    int err;                    //  errno for the asker
} act_down_t;

#define ACT_MSG_F_ASK   0x1u    //  an ask: its sender waits for a reply
#define ACT_MSG_F_SMALL 0x2u    //  a recycled fixed-size block
#define ACT_MSG_F_LOCAL 0x4u    //  sender held by its loop-local count
#define ACT_MSG_F_EXTERN 0x8u   //  payload at ptr, not in data: see below
#define ACT_MSG_F_INBOUND 0x10u //  from another group, counted in its
                                //  loop's inbound queue until taken out
#define ACT_MSG_F_HANDED 0x20u  //  handed to a handler by a loop: its
                                //  destroy calls hooks->forget

//  The references a message carries (act_msg_add_ref), each counted.
typedef struct {
    uint32_t count;             //  entries in use
    uint32_t cap;               //  entries allocated
    act_ref_t *ref [];          //  ACT_MSG_REFS_MAX at most
} act_msg_refs_t;

struct _act_msg_t {
    act_msg_t *next;            //  mailbox or queue link
    act_ref_t *to;              //  target while posted across threads (owned)
    act_ref_t *sender;          //  owned reference, or NULL
    void *ptr;                  //  internal payload of system messages
    uint64_t corr;              //  correlation id
    uint32_t type;              //  type tag
    uint32_t flags;             //  ACT_MSG_F_*
    size_t size;                //  payload bytes in data
    act_msg_refs_t *refs;       //  carried references, or NULL: made on
                                //  the first act_msg_add_ref only; last,
                                //  so the fields every message uses keep
                                //  their places
    unsigned char data [];      //  payload, allocated with the message
};

//  A message of any type, reserved ones included, for the runtime's own
//  use; data NULL leaves the size bytes of payload for the caller to fill. Aborts on out of memory, as every allocation in a group does.
act_msg_t *
    act_msg_new_internal (uint32_t type, const void *data, size_t size);

//  Append a reference the caller owns: msg takes that ownership. The
//  caller checks the limit (act_msg_refs < ACT_MSG_REFS_MAX).
void
    act_msg_take_ref (act_msg_t *msg, act_ref_t *ref);

//  Give back a payload that lives outside the message (any thread).
typedef void (act_msg_release_fn) (void *arg, void *ctx);

//  A message whose payload stays where it is (a block in shared memory):
//  no copy; release (arg, ctx) runs once, when the message is destroyed.
//  The payload must stay valid until then. Aborts on out of memory.
act_msg_t *
    act_msg_new_extern (uint32_t type, const void *payload, size_t size,
                        act_msg_release_fn *release, void *arg, void *ctx);

//  What a message needs of the loop layer, which sits above this one and
//  so is never called by name from here: releasing the references a
//  message holds, and telling the loop that a message it may be handling
//  is gone. The loop installs them before it makes its first reference or
//  core; until then no message can hold a reference or be in a loop's
//  hands, so only forget is called, and it does nothing.
typedef struct {
    act_ref_t *(*ref_dup) (act_ref_t *ref);     //  one more counted owner
    void (*ref_release) (act_ref_t **ref_p);    //  one counted owner less
    void (*ref_drop_local) (act_ref_t *ref);    //  drop a loop-local hold
                                                //  (ACT_MSG_F_LOCAL)
    void (*forget) (act_msg_t *msg);            //  msg, ACT_MSG_F_HANDED,
                                                //  is being destroyed: the
                                                //  loop must not free it
} act_msg_hooks_t;

//  Install the loop layer's hooks, which must stay valid for good; any
//  thread, any number of times, the same table each time.
void
    act_msg_hooks_set (const act_msg_hooks_t *hooks);

#endif
