/*  act_rundir - the run's private directory and its lock
    SPDX-License-Identifier: MPL-2.0

    Everything below works relative to a descriptor of the directory
    (openat, unlinkat, O_NOFOLLOW), so a path swapped under us for a
    symlink cannot send the clean-up elsewhere.
*/
#include "act_rundir.h"
#include "act_log.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_LOCK_FILE "lock"

struct _act_rundir_t {
    char *path;                 //  absolute path
    int dir_fd;                 //  the directory, O_DIRECTORY
    int lock_fd;                //  RUNDIR/lock, flock'ed
};

//  Makes sure path is a directory of ours with no access for others.
static int
s_private_dir (const char *path, bool *created)
{
    *created = mkdir (path, 0700) == 0;
    if (!*created && errno != EEXIST) {
        act_log_fatal ("unable to create %s: %s", path, strerror (errno));
        return -1;
    }
    int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat info;
    if (fd == -1 || fstat (fd, &info) == -1) {
        act_log_fatal ("unable to open %s: %s", path,
                       errno == ELOOP ? "it is a symbolic link" : strerror (errno));
        if (fd >= 0) {
            close (fd);
        }
        return -1;
    }
    if (info.st_uid != geteuid ()) {
        act_log_fatal ("unable to use %s: it is owned by uid %u, not by us "
                       "(uid %u)", path, (unsigned) info.st_uid, (unsigned) geteuid ());
        close (fd);
        return -1;
    }
    if ((info.st_mode & 077) && fchmod (fd, 0700) == -1) {
        act_log_fatal ("unable to make %s private: %s", path, strerror (errno));
        close (fd);
        return -1;
    }
    return fd;
}

char *
act_rundir_default (const char *name)
{
    char parent [PATH_MAX];
    const char *runtime = getenv ("XDG_RUNTIME_DIR");
    if (runtime && *runtime == '/') {
        snprintf (parent, sizeof parent, "%s/actorio", runtime);
    }
    else {
        snprintf (parent, sizeof parent, "/tmp/actorio-%u", (unsigned) geteuid ());
    }
    bool created;
    int fd = s_private_dir (parent, &created);
    if (fd == -1) {
        return NULL;
    }
    close (fd);
    char *path = NULL;
    if (asprintf (&path, "%s/%s", parent, name) == -1) {
        return NULL;
    }
    return path;
}

static bool
s_is_dots (const char *name)
{
    return strcmp (name, ".") == 0 || strcmp (name, "..") == 0;
}

//  Calls fn for each entry of the directory but "." and ".."; stops at
//  the first non-zero return and returns it.
static int
s_each (int dir_fd, int (*fn) (int dir_fd, const char *name, void *arg), void *arg)
{
    int fd = dup (dir_fd);
    DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
    if (!dir) {
        if (fd >= 0) {
            close (fd);
        }
        return -1;
    }
    //  The dup shares dir_fd's offset, left at the end by the last walk.
    rewinddir (dir);
    int rc = 0;
    struct dirent *entry;
    while (rc == 0 && (entry = readdir (dir))) {
        if (!s_is_dots (entry->d_name)) {
            rc = fn (dir_fd, entry->d_name, arg);
        }
    }
    closedir (dir);
    return rc;
}

//  Removes one entry, a directory with all it holds; the lock file only
//  when arg is not NULL.
static int
s_remove (int dir_fd, const char *name, void *arg)
{
    if (!arg && strcmp (name, S_LOCK_FILE) == 0) {
        return 0;
    }
    if (unlinkat (dir_fd, name, 0) == 0) {
        return 0;
    }
    if (errno == EISDIR || errno == EPERM) {
        int sub = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            s_each (sub, s_remove, (void *) "all");
            close (sub);
        }
        if (unlinkat (dir_fd, name, AT_REMOVEDIR) == 0) {
            return 0;
        }
    }
    //  Go on with the rest: leaving one entry is better than leaving all
    return 0;
}

static int
s_found (int dir_fd, const char *name, void *arg)
{
    (void) dir_fd;
    (void) arg;
    (void) name;
    return 1;
}

act_rundir_t *
act_rundir_open (const char *path)
{
    bool created;
    int dir_fd = s_private_dir (path, &created);
    if (dir_fd == -1) {
        return NULL;
    }
    int lock_fd = openat (dir_fd, S_LOCK_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (lock_fd == -1 && errno == ENOENT) {
        //  No lock file: a new directory, or one we must not empty.
        if (!created && s_each (dir_fd, s_found, NULL) != 0) {
            act_log_fatal ("unable to use %s as run directory: it holds files "
                           "but no lock file, so it is not a run directory", path);
            close (dir_fd);
            return NULL;
        }
        lock_fd = openat (dir_fd, S_LOCK_FILE, O_RDWR | O_CREAT | O_EXCL
                          | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (lock_fd == -1) {
        act_log_fatal ("unable to open %s/%s: %s", path, S_LOCK_FILE, strerror (errno));
        close (dir_fd);
        return NULL;
    }
    if (flock (lock_fd, LOCK_EX | LOCK_NB) == -1) {
        int error = errno;
        char pid [32] = "";
        ssize_t size = pread (lock_fd, pid, sizeof pid - 1, 0);
        pid [size > 0 ? size : 0] = 0;
        pid [strcspn (pid, "\n")] = 0;
        if (error == EWOULDBLOCK) {
            act_log_fatal ("unable to lock %s: another actor-run%s%s%s runs there",
                           path, *pid ? " (pid " : "", pid, *pid ? ")" : "");
        }
        else {
            act_log_fatal ("unable to lock %s: %s", path, strerror (error));
        }
        close (lock_fd);
        close (dir_fd);
        return NULL;
    }
    //  The lock is ours: whatever else is here was left by a dead run
    s_each (dir_fd, s_remove, NULL);
    char pid [32];
    int size = snprintf (pid, sizeof pid, "%d\n", (int) getpid ());
    if (ftruncate (lock_fd, 0) == -1 || pwrite (lock_fd, pid, (size_t) size, 0) != size) {
        act_log_fatal ("unable to write %s/%s: %s", path, S_LOCK_FILE, strerror (errno));
        close (lock_fd);
        close (dir_fd);
        return NULL;
    }
    act_rundir_t *self = (act_rundir_t *) calloc (1, sizeof (act_rundir_t));
    assert (self);
    self->path = realpath (path, NULL);
    if (!self->path) {
        act_log_fatal ("unable to resolve %s: %s", path, strerror (errno));
        free (self);
        close (lock_fd);
        close (dir_fd);
        return NULL;
    }
    self->dir_fd = dir_fd;
    self->lock_fd = lock_fd;
    return self;
}

const char *
act_rundir_path (act_rundir_t *self)
{
    return self->path;
}

void
act_rundir_remove (act_rundir_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    act_rundir_t *self = *self_p;
    //  The lock file goes last and the lock itself after the directory,
    //  so no second run can slip in while we still clear it.
    s_each (self->dir_fd, s_remove, NULL);
    unlinkat (self->dir_fd, S_LOCK_FILE, 0);
    if (rmdir (self->path) == -1) {
        act_log ("unable to remove %s: %s", self->path, strerror (errno));
    }
    close (self->dir_fd);
    close (self->lock_fd);
    free (self->path);
    free (self);
    *self_p = NULL;
}
