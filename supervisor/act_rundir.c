/*  act_rundir - the run's private directory and its lock
    SPDX-License-Identifier: MPL-2.0

    Everything below works relative to a descriptor of the directory
    (openat, unlinkat, O_NOFOLLOW), so a path swapped under us for a
    symlink cannot send the clean-up elsewhere.

    The rule is: remove only what is provably ours. A user's directory may
    hold a file called "lock", so a lock file counts as ours only if it
    starts with ACT_RUNDIR_LOCK_MAGIC; and even then only the sockets it
    lists are removed, by name, never "everything else". A directory is
    checked whole before anything in it changes (its mode, its files), so
    a refused directory is left exactly as it was found.

    The lock file's text:
        actorio run directory lock 1
        pid 4242
        created yes                 the run made the directory
        mode 0755                   its mode before, restored if not made
        file front                  one line per endpoint the run may bind
*/
#include "act_rundir.h"
#include "act_log.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_LOCK_FILE     "lock"
#define S_LOCK_MAX      (256 * 1024)    //  larger than any lock we write
#define S_NAME_MAX      255             //  longest file name

struct _act_rundir_t {
    char *path;                 //  absolute path
    int dir_fd;                 //  the directory, O_DIRECTORY
    int lock_fd;                //  RUNDIR/lock, flock'ed
    char **names;               //  files the run may create, count entries
    size_t count;               //  entries in names
    bool created;               //  the directory is a run's: remove it
    mode_t mode;                //  its mode before us, when not created
};

//  What a lock file says, its strings pointing into text
typedef struct {
    char *text;                 //  the whole file, NUL-terminated
    bool ours;                  //  starts with ACT_RUNDIR_LOCK_MAGIC
    const char *pid;            //  "4242", or ""
    bool created;               //  "created yes"
    mode_t mode;                //  "mode 0755", or 0700
    const char **files;         //  "file NAME" lines, count entries
    size_t count;               //  entries in files
} s_lock_t;

//  Opens the directory at path, making it (mode 0700) if it is missing;
//  refuses a symbolic link and a directory of another user. Changes
//  nothing in an existing directory.
static int
s_open_dir (const char *path, bool *created, struct stat *info)
{
    *created = mkdir (path, 0700) == 0;
    if (!*created && errno != EEXIST) {
        act_log_fatal ("unable to create %s: %s", path, strerror (errno));
        return -1;
    }
    int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1 || fstat (fd, info) == -1) {
        act_log_fatal ("unable to open %s: %s", path,
                       errno == ELOOP ? "it is a symbolic link" : strerror (errno));
        if (fd >= 0) {
            close (fd);
        }
        return -1;
    }
    if (info->st_uid != geteuid ()) {
        act_log_fatal ("unable to use %s: it is owned by uid %u, not by us "
                       "(uid %u)", path, (unsigned) info->st_uid, (unsigned) geteuid ());
        close (fd);
        return -1;
    }
    return fd;
}

//  The parent of the default run directory, into parent.
static void
s_default_parent (char *parent, size_t size)
{
    const char *runtime = getenv ("XDG_RUNTIME_DIR");
    if (runtime && *runtime == '/') {
        snprintf (parent, size, "%s/actorio", runtime);
    }
    else {
        snprintf (parent, size, "/tmp/actorio-%u", (unsigned) geteuid ());
    }
}

char *
act_rundir_default (const char *name, bool create)
{
    char parent [PATH_MAX];
    s_default_parent (parent, sizeof parent);
    if (create) {
        //  The parent is ours by name, and holds only run directories
        bool created;
        struct stat info;
        int fd = s_open_dir (parent, &created, &info);
        if (fd == -1) {
            return NULL;
        }
        if ((info.st_mode & 077) && fchmod (fd, 0700) == -1) {
            act_log_fatal ("unable to make %s private: %s", parent, strerror (errno));
            close (fd);
            return NULL;
        }
        close (fd);
    }
    char *path = NULL;
    if (asprintf (&path, "%s/%s", parent, name) == -1) {
        return NULL;
    }
    return path;
}

//  The absolute path the groups will see: resolved if it exists, else
//  its parent resolved, else made absolute. Caller frees.
static char *
s_absolute (const char *path)
{
    char *resolved = realpath (path, NULL);
    if (resolved) {
        return resolved;
    }
    char *copy = strdup (path);
    assert (copy);
    char *slash = strrchr (copy, '/');
    char *parent = NULL;
    char *result = NULL;
    if (slash && slash [1]) {
        *slash = 0;
        parent = realpath (*copy ? copy : "/", NULL);
    }
    if (parent) {
        if (asprintf (&result, "%s/%s", strcmp (parent, "/") == 0 ? "" : parent,
                      slash + 1) == -1) {
            result = NULL;
        }
    }
    else
    if (path [0] != '/') {
        char cwd [PATH_MAX];
        if (getcwd (cwd, sizeof cwd) && asprintf (&result, "%s/%s", cwd, path) == -1) {
            result = NULL;
        }
    }
    free (parent);
    free (copy);
    return result ? result : strdup (path);
}

int
act_rundir_check (const char *path, const char **names, size_t count)
{
    char *absolute = s_absolute (path);
    size_t longest = 0;
    for (size_t i = 0; i < count; i++) {
        if (strlen (names [i]) > strlen (names [longest])) {
            longest = i;
        }
    }
    int rc = 0;
    //  The control socket is one more path to fit, the same for any run
    size_t control = strlen (ACT_RUNDIR_CONTROL);
    size_t size = strlen (absolute) + 1 + (count ? strlen (names [longest]) : 0);
    size_t longest_len = count ? strlen (names [longest]) : 0;
    size_t room = ACT_RUNDIR_SOCKET_MAX - 1 - (longest_len > control ? longest_len : control);
    if (count && size > ACT_RUNDIR_SOCKET_MAX) {
        act_log_fatal ("unable to use %s as run directory: the endpoint %s/%s of "
                       "group '%s' is %zu bytes, and a unix socket path holds at "
                       "most %d; choose a run directory of at most %zu bytes with "
                       "--rundir, or shorten the group name", absolute, absolute,
                       names [longest], names [longest], size,
                       ACT_RUNDIR_SOCKET_MAX, room);
        rc = -1;
    }
    else
    if (strlen (absolute) + 1 + control > ACT_RUNDIR_SOCKET_MAX) {
        act_log_fatal ("unable to use %s as run directory: its control socket "
                       "%s/%s is %zu bytes, and a unix socket path holds at most "
                       "%d; choose a run directory of at most %zu bytes with "
                       "--rundir", absolute, absolute, ACT_RUNDIR_CONTROL,
                       strlen (absolute) + 1 + control, ACT_RUNDIR_SOCKET_MAX, room);
        rc = -1;
    }
    free (absolute);
    return rc;
}

//  A name a lock may list: one plain file name, never the lock itself.
static bool
s_listable (const char *name)
{
    size_t len = strlen (name);
    return len >= 1 && len <= S_NAME_MAX && name [0] != '.' && !strchr (name, '/')
        && strcmp (name, S_LOCK_FILE) != 0;
}

//  Reads and parses a lock file. Lines it does not know are skipped, so
//  a rewrite cut short by a crash still parses; only the magic decides.
static void
s_lock_read (int fd, s_lock_t *lock)
{
    memset (lock, 0, sizeof *lock);
    lock->pid = "";
    lock->mode = 0700;
    lock->text = (char *) calloc (1, S_LOCK_MAX + 1);
    assert (lock->text);
    size_t size = 0;
    while (size < S_LOCK_MAX) {
        ssize_t got = pread (fd, lock->text + size, S_LOCK_MAX - size, (off_t) size);
        if (got == -1 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        size += (size_t) got;
    }
    lock->text [size] = 0;
    size_t magic = strlen (ACT_RUNDIR_LOCK_MAGIC);
    lock->ours = size < S_LOCK_MAX && memchr (lock->text, 0, size) == NULL
              && strncmp (lock->text, ACT_RUNDIR_LOCK_MAGIC, magic) == 0
              && lock->text [magic] == '\n';
    if (!lock->ours) {
        return;
    }
    lock->files = (const char **) calloc (size / 6 + 1, sizeof (char *));
    assert (lock->files);
    char *line = lock->text + magic + 1;
    while (*line) {
        char *end = strchr (line, '\n');
        if (!end) {
            break;              //  a line cut short: not a whole line
        }
        *end = 0;
        if (strncmp (line, "pid ", 4) == 0) {
            lock->pid = line + 4;
        }
        else
        if (strcmp (line, "created yes") == 0) {
            lock->created = true;
        }
        else
        if (strncmp (line, "mode ", 5) == 0) {
            lock->mode = (mode_t) strtoul (line + 5, NULL, 8) & 07777;
        }
        else
        if (strncmp (line, "file ", 5) == 0 && s_listable (line + 5)) {
            lock->files [lock->count++] = line + 5;
        }
        line = end + 1;
    }
}

static void
s_lock_free (s_lock_t *lock)
{
    free (lock->text);
    free (lock->files);
    memset (lock, 0, sizeof *lock);
}

static bool
s_listed (const char *name, const char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp (names [i], name) == 0) {
            return true;
        }
    }
    return false;
}

//  True if name is a socket in the directory (what zmq_bind made).
static bool
s_is_socket (int dir_fd, const char *name)
{
    struct stat info;
    return fstatat (dir_fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK (info.st_mode);
}

//  The first entry of the directory that is not provably a run's: with
//  no lock, any entry; with a lock of ours, anything but the lock and
//  the sockets it lists. Caller frees; NULL when there is none.
static char *
s_foreign (int dir_fd, const s_lock_t *lock)
{
    int fd = dup (dir_fd);
    DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
    if (!dir) {
        if (fd >= 0) {
            close (fd);
        }
        return strdup ("?");    //  unreadable: refuse rather than guess
    }
    //  The dup shares dir_fd's offset, left at the end by the last walk.
    rewinddir (dir);
    char *found = NULL;
    struct dirent *entry;
    while (!found && (entry = readdir (dir))) {
        const char *name = entry->d_name;
        if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0) {
            continue;
        }
        bool ours = lock && (strcmp (name, S_LOCK_FILE) == 0
                          || (strcmp (name, ACT_RUNDIR_CONTROL) == 0
                              && s_is_socket (dir_fd, name))
                          || (s_listed (name, lock->files, lock->count)
                              && s_is_socket (dir_fd, name)));
        if (!ours) {
            found = strdup (name);
        }
    }
    closedir (dir);
    return found;
}

//  Removes the sockets among names, and the control socket; anything
//  else by those names stays.
static void
s_remove_sockets (int dir_fd, const char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (s_is_socket (dir_fd, names [i])) {
            unlinkat (dir_fd, names [i], 0);
        }
    }
    if (s_is_socket (dir_fd, ACT_RUNDIR_CONTROL)) {
        unlinkat (dir_fd, ACT_RUNDIR_CONTROL, 0);
    }
}

//  The text of our lock. Caller frees.
static char *
s_lock_text (act_rundir_t *self)
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    assert (stream);
    fprintf (stream, "%s\npid %d\ncreated %s\nmode %04o\n", ACT_RUNDIR_LOCK_MAGIC,
             (int) getpid (), self->created ? "yes" : "no", (unsigned) self->mode);
    for (size_t i = 0; i < self->count; i++) {
        fprintf (stream, "file %s\n", self->names [i]);
    }
    fclose (stream);
    return text;
}

//  A new lock file, flock'ed and written before it gets its name, so a
//  lock file that can be seen is always whole and, while its run lives,
//  locked. Falls back to create-then-write where O_TMPFILE is missing.
static int
s_lock_create (act_rundir_t *self)
{
    char *text = s_lock_text (self);
    size_t size = strlen (text);
    int fd = openat (self->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
        char proc [64];
        snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (flock (fd, LOCK_EX | LOCK_NB) == -1
        ||  pwrite (fd, text, size, 0) != (ssize_t) size
        ||  linkat (AT_FDCWD, proc, self->dir_fd, S_LOCK_FILE, AT_SYMLINK_FOLLOW) == -1) {
            int error = errno;
            close (fd);
            fd = -1;
            errno = error;
        }
    }
    else
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
        fd = openat (self->dir_fd, S_LOCK_FILE, O_RDWR | O_CREAT | O_EXCL
                     | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 && (flock (fd, LOCK_EX | LOCK_NB) == -1
                     || pwrite (fd, text, size, 0) != (ssize_t) size)) {
            int error = errno;
            unlinkat (self->dir_fd, S_LOCK_FILE, 0);
            close (fd);
            fd = -1;
            errno = error;
        }
    }
    free (text);
    return fd;
}

//  Rewrites a dead run's lock as ours: the new text first, then the cut,
//  so a crash half-way still leaves the magic line in front.
static int
s_lock_rewrite (act_rundir_t *self)
{
    char *text = s_lock_text (self);
    size_t size = strlen (text);
    int rc = pwrite (self->lock_fd, text, size, 0) == (ssize_t) size
          && ftruncate (self->lock_fd, (off_t) size) == 0 ? 0 : -1;
    free (text);
    return rc;
}

static act_rundir_t *
s_new (int dir_fd, const char **names, size_t count)
{
    act_rundir_t *self = (act_rundir_t *) calloc (1, sizeof (act_rundir_t));
    assert (self);
    self->dir_fd = dir_fd;
    self->lock_fd = -1;
    self->names = (char **) calloc (count + 1, sizeof (char *));
    assert (self->names);
    for (size_t i = 0; i < count; i++) {
        self->names [i] = strdup (names [i]);
        assert (self->names [i]);
    }
    self->count = count;
    return self;
}

static void
s_free (act_rundir_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        free (self->names [i]);
    }
    free (self->names);
    free (self->path);
    if (self->lock_fd >= 0) {
        close (self->lock_fd);
    }
    close (self->dir_fd);
    free (self);
}

//  Locks an existing lock file of a dead run and checks the directory
//  holds nothing but what that run listed; -1 after logging why.
static int
s_take_over (act_rundir_t *self, const char *path)
{
    struct stat info;
    if (fstat (self->lock_fd, &info) == -1 || !S_ISREG (info.st_mode)) {
        act_log_fatal ("unable to use %s as run directory: its 'lock' is not a "
                       "regular file, so it is not a run directory; choose "
                       "another with --rundir", path);
        return -1;
    }
    int locked = flock (self->lock_fd, LOCK_EX | LOCK_NB);
    int error = errno;
    s_lock_t lock;
    s_lock_read (self->lock_fd, &lock);
    int rc = -1;
    if (locked == -1 && error == EWOULDBLOCK) {
        act_log_fatal ("unable to lock %s: another actor-run%s%s%s runs there", path,
                       *lock.pid ? " (pid " : "", lock.pid, *lock.pid ? ")" : "");
    }
    else
    if (locked == -1) {
        act_log_fatal ("unable to lock %s: %s", path, strerror (error));
    }
    else
    if (!lock.ours) {
        act_log_fatal ("unable to use %s as run directory: its file 'lock' was "
                       "not written by actor-run, so it is not a run directory "
                       "(actor-run never removes what it did not create); choose "
                       "another with --rundir", path);
    }
    else {
        char *foreign = s_foreign (self->dir_fd, &lock);
        if (foreign) {
            act_log_fatal ("unable to use %s as run directory: it holds '%s', which "
                           "actor-run did not create (actor-run never removes what "
                           "it did not create); move it away or choose another "
                           "directory with --rundir", path, foreign);
            free (foreign);
        }
        else {
            //  A dead run's, whole: what it made is ours to clear now
            s_remove_sockets (self->dir_fd, lock.files, lock.count);
            self->created = lock.created;
            self->mode = lock.mode;
            rc = 0;
        }
    }
    s_lock_free (&lock);
    return rc;
}

act_rundir_t *
act_rundir_open (const char *path, const char **names, size_t count)
{
    bool created;
    struct stat info;
    int dir_fd = s_open_dir (path, &created, &info);
    if (dir_fd == -1) {
        return NULL;
    }
    act_rundir_t *self = s_new (dir_fd, names, count);
    self->created = created;
    self->mode = info.st_mode & 07777;
    bool fresh = false;
    self->lock_fd = openat (dir_fd, S_LOCK_FILE, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (self->lock_fd >= 0) {
        if (s_take_over (self, path) == -1) {
            s_free (self);
            return NULL;
        }
    }
    else
    if (errno == ENOENT) {
        //  No lock file: only an empty directory may become a run's
        char *foreign = s_foreign (dir_fd, NULL);
        if (foreign) {
            act_log_fatal ("unable to use %s as run directory: it holds '%s' but "
                           "no lock file, so it is not a run directory; choose an "
                           "empty or new directory with --rundir", path, foreign);
            free (foreign);
            s_free (self);
            return NULL;
        }
        self->lock_fd = s_lock_create (self);
        fresh = true;
    }
    if (self->lock_fd == -1) {
        act_log_fatal ("unable to %s %s/%s: %s", fresh ? "create" : "open", path,
                       S_LOCK_FILE, strerror (errno));
        if (created) {
            rmdir (path);
        }
        s_free (self);
        return NULL;
    }
    //  The directory is checked: from here on we change it
    self->path = realpath (path, NULL);
    if (!self->path
    ||  (!fresh && s_lock_rewrite (self) == -1)
    ||  ((info.st_mode & 077) && fchmod (dir_fd, 0700) == -1)) {
        act_log_fatal ("unable to take %s as run directory: %s", path, strerror (errno));
        act_rundir_remove (&self);
        return NULL;
    }
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
    s_remove_sockets (self->dir_fd, (const char **) self->names, self->count);
    if (!self->created && (self->mode & 07777) != 0700) {
        fchmod (self->dir_fd, self->mode);
    }
    unlinkat (self->dir_fd, S_LOCK_FILE, 0);
    //  The path may lead elsewhere now (the directory was removed under
    //  the run, and made again): that one is not ours to remove
    struct stat ours, there;
    if (self->created && self->path
    && (fstat (self->dir_fd, &ours) == -1 || stat (self->path, &there) == -1
     || ours.st_dev != there.st_dev || ours.st_ino != there.st_ino)) {
        act_log ("left %s alone: it is no longer the run's directory (removed or "
                 "replaced under the run)", self->path);
    }
    else
    if (self->created && self->path && rmdir (self->path) == -1) {
        act_log ("left %s in place: %s%s", self->path, strerror (errno),
                 errno == ENOTEMPTY ? " (it holds files actor-run did not create)" : "");
    }
    s_free (self);
    *self_p = NULL;
}
