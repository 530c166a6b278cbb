/*  act_region - the shared memory that the groups of a run talk through
    SPDX-License-Identifier: MPL-2.0

    The maker lays the region out and never changes its shape again: the
    memfd is sealed against growing and shrinking, so no process can make
    another's mapping fault by truncating it. What the maker still writes
    after the first fork is limited to a dead group's epoch and the tails
    of the rings into it, which only that group's consumer side owns.
*/
#include "act_shm.h"
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert (sizeof (act_shm_group_t) == ACT_SHM_GROUP, "group entry size");
_Static_assert (sizeof (act_ring_ctl_t) == ACT_RING_CTL, "ring control size");
_Static_assert (sizeof (act_shm_area_t) <= ACT_SHM_AREA_HEAD, "area head size");
_Static_assert (sizeof (act_shm_block_t) <= ACT_SHM_BLOCK_HEAD, "block head size");
_Static_assert (sizeof (act_shm_head_t) <= ACT_SHM_HEAD, "region head size");

int
act_shm_layout (act_shm_layout_t *self, size_t count, size_t ring_size, size_t area_size)
{
    if (count == 0 || count > ACT_REGION_GROUPS_MAX
    ||  ring_size < ACT_RING_MIN || (ring_size & (ring_size - 1))
    ||  ring_size > ((size_t) 1 << 30)
    ||  area_size < ACT_SHM_AREA_MIN || area_size > ((size_t) 1 << 34)
    ||  (area_size & 63))
        return -1;
    self->count = count;
    self->ring_size = ring_size;
    self->area_size = area_size;
    self->rings = ACT_SHM_HEAD + count * ACT_SHM_GROUP;
    self->ring_stride = act_ring_footprint (ring_size);
    self->areas = self->rings + count * (count - 1) * self->ring_stride;
    self->area_stride = ACT_SHM_AREA_HEAD + area_size;
    self->total = self->areas + count * self->area_stride;
    return 0;
}

size_t
act_region_size (size_t count, size_t ring_size, size_t area_size)
{
    act_shm_layout_t layout;
    return act_shm_layout (&layout, count, ring_size, area_size) ? 0 : layout.total;
}

int
act_shm_index (const act_region_t *region, const char *group)
{
    for (size_t i = 0; region && group && i < region->layout.count; i++)
        if (streq (region->names [i], group))
            return (int) i;
    return -1;
}

bool
act_region_has (const act_region_t *self, const char *group)
{
    return act_shm_index (self, group) >= 0;
}

act_region_t *
act_region_new (const char *const *groups, size_t count, size_t ring_size,
                size_t area_size)
{
    act_shm_layout_t layout;
    if (!groups || act_shm_layout (&layout, count, ring_size, area_size)) {
        errno = EINVAL;
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        if (!groups [i] || !act_wire_name_valid (groups [i], strlen (groups [i]))) {
            errno = EINVAL;
            return NULL;
        }
        for (size_t j = 0; j < i; j++)
            if (streq (groups [i], groups [j])) {
                errno = EINVAL;
                return NULL;
            }
    }
    act_region_t *self = (act_region_t *) calloc (1, sizeof (act_region_t));
    if (!self)
        abort ();
    self->layout = layout;
    self->fd = -1;
    self->doorbells = (int *) malloc (count * sizeof (int));
    self->names = (char **) calloc (count, sizeof (char *));
    if (!self->doorbells || !self->names)
        abort ();
    for (size_t i = 0; i < count; i++)
        self->doorbells [i] = -1;
    int err;
    self->fd = memfd_create ("actorio-run", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (self->fd == -1 || ftruncate (self->fd, (off_t) layout.total) == -1)
        goto failed;
    //  Sealed: nobody can grow or shrink it under another's mapping.
    if (fcntl (self->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == -1)
        goto failed;
    self->base = mmap (NULL, layout.total, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
    if (self->base == MAP_FAILED) {
        self->base = NULL;
        goto failed;
    }
    //  A fresh memfd reads as zeros: empty rings, free areas, epoch 0.
    act_shm_head_t *head = (act_shm_head_t *) self->base;
    memcpy (head->magic, ACT_SHM_MAGIC, sizeof head->magic);
    head->version = ACT_SHM_VERSION;
    head->groups = (uint32_t) count;
    head->ring_size = ring_size;
    head->area_size = area_size;
    head->total = layout.total;
    for (size_t i = 0; i < count; i++) {
        self->names [i] = strdup (groups [i]);
        snprintf (act_shm_group (self->base, i)->name, ACT_WIRE_NAME_MAX + 1, "%s",
                  groups [i]);
        self->doorbells [i] = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (self->doorbells [i] == -1)
            goto failed;
    }
    return self;
failed:
    err = errno;
    act_region_destroy (&self);
    errno = err;
    return NULL;
}

void
act_region_destroy (act_region_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_region_t *self = *self_p;
    *self_p = NULL;
    if (self->base)
        munmap (self->base, self->layout.total);
    if (self->fd >= 0)
        close (self->fd);
    for (size_t i = 0; i < self->layout.count; i++) {
        if (self->doorbells [i] >= 0)
            close (self->doorbells [i]);
        free (self->names [i]);
    }
    free (self->doorbells);
    free (self->names);
    free (self);
}

//  The index of group in the region, or -1 + EINVAL.
static int
s_index (const act_region_t *self, const char *group)
{
    int index = act_shm_index (self, group);
    if (index < 0)
        errno = EINVAL;
    return index;
}

int
act_region_group_down (act_region_t *self, const char *group)
{
    int index = s_index (self, group);
    if (index < 0)
        return -1;
    const act_shm_layout_t *layout = &self->layout;
    act_shm_group_t *entry = act_shm_group (self->base, (size_t) index);
    //  Down until its next life joins: no block is handed out for it,
    //  as one might wait there for a life that never comes. Before the
    //  new epoch (senders read them the other way round): a sender that
    //  sees the new epoch sees down too.
    atomic_store (&entry->down, 1);
    //  The new epoch: from now on a sender takes back the blocks it had
    //  handed out for the dead life, taken or not, and the next life
    //  refuses descriptors meant for this one.
    atomic_fetch_add (&entry->epoch, 1);
    atomic_store (&entry->parked, 0);
    for (size_t from = 0; from < layout->count; from++) {
        if ((int) from == index)
            continue;
        act_ring_t ring;
        act_ring_attach (&ring, act_shm_ring (self->base, layout, from, (size_t) index),
                         layout->ring_size);
        act_ring_reset (&ring);
        //  Its senders may wait for room that only the reset made.
        if (atomic_exchange (&ring.ctl->want_room, 0)) {
            uint64_t one = 1;
            ssize_t rc = write (self->doorbells [from], &one, sizeof one);
            (void) rc;
        }
    }
    uint64_t value;
    ssize_t rc = read (self->doorbells [index], &value, sizeof value);
    (void) rc;
    return 0;
}

int
act_region_group_leaving (act_region_t *self, const char *group)
{
    int index = s_index (self, group);
    if (index < 0)
        return -1;
    //  Only down: the epoch and the rings wait for the reap, since the
    //  process may still run a moment after the kill.
    atomic_store (&act_shm_group (self->base, (size_t) index)->down, 1);
    return 0;
}

size_t
act_region_fds (const act_region_t *self, int *fds, size_t max)
{
    if (!self)
        return 0;
    size_t count = 0;
    if (count < max && fds)
        fds [count] = self->fd;
    count++;
    for (size_t i = 0; i < self->layout.count; i++, count++)
        if (count < max && fds)
            fds [count] = self->doorbells [i];
    return count;
}
