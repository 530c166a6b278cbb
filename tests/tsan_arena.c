/*  tsan_arena - lets Criterion's runner start under ThreadSanitizer
    SPDX-License-Identifier: MPL-2.0

    Preloaded (LD_PRELOAD) into the test programs of the TSan build only.
    Criterion keeps its shared state in a BoxFort arena that must sit at
    the same address in the runner and in every test worker, so BoxFort
    picks one at random in [0x2000_0000_0000, 0x6000_0000_0000), probes
    it with mincore, and maps it there with MAP_FIXED. ThreadSanitizer
    reserves nearly all of that range for its shadow and meta memory
    (0x2000..0x5500 on x86_64), and refuses fixed mappings outside its
    application ranges: after ten probes Criterion gives up with "Could
    not initialize inheritable arena", or crashes.

    Here the probes of that range say "free", and the arena's first
    mapping is moved to 0x5660_0000_0000 and up: application memory for
    TSan, above where a PIE binary and its heap can land, and still inside
    BoxFort's range, which it checks. Workers map the arena at the address
    the runner got, which is then an ordinary fixed mapping of app memory.
    Every other call goes straight through to the next mmap and mincore
    (TSan's interceptors).
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

#define BXF_LOW    0x200000000000UL     //  BoxFort's arena range
#define BXF_HIGH   0x600000000000UL
#define TSAN_LOW   0x550000000000UL     //  where TSan lets apps map
#define ARENA_BASE 0x566000000000UL     //  our slots for arenas, 1 GiB
#define ARENA_STEP 0x000040000000UL     //  each (they grow in place)
#define ARENA_TOP  0x568000000000UL

static bool
s_boxfort_range (const void *addr)
{
    uintptr_t at = (uintptr_t) addr;
    return at >= BXF_LOW && at < TSAN_LOW;
}

int
mincore (void *addr, size_t length, unsigned char *vec)
{
    static int (*next) (void *, size_t, unsigned char *);
    if (!next)
        next = (int (*) (void *, size_t, unsigned char *)) dlsym (RTLD_NEXT, "mincore");
    if (s_boxfort_range (addr)) {
        //  TSan's reserved range, never the app's: say it is free so
        //  BoxFort goes on to map it (and we move the mapping below).
        errno = ENOMEM;
        return -1;
    }
    return next (addr, length, vec);
}

static void *
s_mmap (void *(*next) (void *, size_t, int, int, int, off_t), void *addr,
        size_t length, int prot, int flags, int fd, off_t offset)
{
    if (!s_boxfort_range (addr) || !(flags & MAP_FIXED) || !(flags & MAP_SHARED) || fd < 0)
        return next (addr, length, prot, flags, fd, offset);
    //  Criterion makes an arena per test and unmaps it after: take the
    //  first free slot.
    flags = (flags & ~MAP_FIXED) | MAP_FIXED_NOREPLACE;
    for (uintptr_t at = ARENA_BASE; at < ARENA_TOP && length <= ARENA_STEP; at += ARENA_STEP) {
        void *got = next ((void *) at, length, prot, flags, fd, offset);
        if (got != MAP_FAILED || errno != EEXIST)
            return got;
    }
    errno = ENOMEM;
    return MAP_FAILED;
}

//  BoxFort is built with large-file support: it calls mmap64.
void *
mmap (void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    static void *(*next) (void *, size_t, int, int, int, off_t);
    if (!next)
        next = (void *(*) (void *, size_t, int, int, int, off_t)) dlsym (RTLD_NEXT, "mmap");
    return s_mmap (next, addr, length, prot, flags, fd, offset);
}

void *
mmap64 (void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    static void *(*next) (void *, size_t, int, int, int, off_t);
    if (!next)
        next = (void *(*) (void *, size_t, int, int, int, off_t)) dlsym (RTLD_NEXT, "mmap64");
    return s_mmap (next, addr, length, prot, flags, fd, offset);
}
