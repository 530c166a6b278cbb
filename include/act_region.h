/*  act_region - the shared memory that the groups of a run talk through
    SPDX-License-Identifier: MPL-2.0

    A region is made once, by the process that forks the groups (actor-run,
    or a program of yours), before the first fork: an anonymous memfd,
    sealed against resizing, mapped shared, plus one eventfd doorbell per
    group. Every group forked afterwards, restarted ones too, inherits the
    mapping and the doorbells, and joins with act_transport_join_region.
    Nothing has a name in /dev/shm, so nothing is left behind by a crash,
    and only processes descended from the maker (or given the fds) reach
    it. Inside: one single-producer single-consumer ring per directed pair
    of groups, and per group an area for large payloads that cross without
    a copy. The layout is in actorio-shm(7); delivery rules in
    act_transport(3).
*/
#ifndef ACT_REGION_H_INCLUDED
#define ACT_REGION_H_INCLUDED

#include "act_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _act_region_t act_region_t;

//  Defaults, bytes: at least 32 groups fit ACT_REGION_SIZE_DEFAULT.
#define ACT_REGION_RING_DEFAULT   (128 * 1024)      //  one ring's data
#define ACT_REGION_AREA_DEFAULT   (8 * 1024 * 1024) //  one group's block area
#define ACT_REGION_SIZE_DEFAULT   (512 * 1024 * 1024)   //  the largest region
#define ACT_REGION_GROUPS_MAX     1024

//  Bytes a region for count groups takes, or 0 if ring_size is not a
//  power of two from 4 KiB to 1 GiB, area_size not a multiple of 64
//  from 64 KiB to 16 GiB, or count 0 or over ACT_REGION_GROUPS_MAX.
//  Payloads over 8 KiB (or a quarter ring, if less) cross in a block of
//  the sender's area, not through the ring: a payload larger than the
//  area cannot cross (EMSGSIZE).
ACT_EXPORT size_t
    act_region_size (size_t count, size_t ring_size, size_t area_size);

//  Make a region for the named groups (count names, each a valid group
//  name, no two alike). NULL with errno EINVAL (bad arguments), or the
//  error of memfd_create, ftruncate, mmap or eventfd.
ACT_EXPORT act_region_t *
    act_region_new (const char *const *groups, size_t count, size_t ring_size,
                    size_t area_size);

//  Unmap and close a region; accepts NULL, nulls the caller's pointer. A
//  group process never calls it: messages may point into the region
//  until the process ends.
ACT_EXPORT void
    act_region_destroy (act_region_t **self_p);

//  The group's process is gone: start a new epoch for it, so blocks its
//  last life held go back to their senders, and empty the rings into it,
//  so its next life reads nothing addressed to this one. Call it from
//  the maker after reaping the process and before forking the next.
//  0, or -1 + EINVAL (not a group of the region).
ACT_EXPORT int
    act_region_group_down (act_region_t *self, const char *group);

//  The group's process is being killed but not reaped yet (a group
//  declared hung): its peers take it for down from now on, as after
//  act_region_group_down, which still follows at the reap. Call it from
//  the maker before telling the peers. 0, or -1 + EINVAL (not a group of
//  the region).
ACT_EXPORT int
    act_region_group_leaving (act_region_t *self, const char *group);

//  The descriptors a forked group must keep open (the memfd, then every
//  doorbell); writes at most max into fds, returns how many there are.
ACT_EXPORT size_t
    act_region_fds (const act_region_t *self, int *fds, size_t max);

//  True if group is one of the region's.
ACT_EXPORT bool
    act_region_has (const act_region_t *self, const char *group);

//  Join a run as group, as act_transport_join does, and reach every
//  other group of region through its rings; groups outside the region
//  are reached over ipc://RUNDIR. The process must have inherited region
//  from its maker. 0, or -1 with the errors of act_transport_join, or
//  EINVAL if group is not one of the region's.
ACT_EXPORT int
    act_transport_join_region (act_system_t *system, const char *group,
                               const char *rundir, act_region_t *region,
                               int64_t max_msg_size, int hwm);

#ifdef __cplusplus
}
#endif

#endif
