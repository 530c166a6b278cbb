/*  act_node - this host's node of a run across hosts
    SPDX-License-Identifier: MPL-2.0
*/
#include "act_node.h"
#include "act_log.h"
#include "act_sup.h"

#include <errno.h>
#include <sys/stat.h>

struct _act_node_t {
    char public_key [41];       //  our node's keys, Z85
    char secret_key [41];
    act_group_place_t *places;  //  every group of the run
    act_group_net_t net;        //  what the groups get
};

int
act_node_keygen (const char *dir, const char *name)
{
    if (!act_name_valid (name) || name [0] == '.') {
        act_log_fatal ("unable to write keys for '%s': bad node name", name);
        return ACT_RUN_EXIT_USAGE;
    }
    if (mkdir (dir, 0700) == -1 && errno != EEXIST) {
        act_log_fatal ("unable to create %s: %s", dir, strerror (errno));
        return ACT_RUN_EXIT_SYSTEM;
    }
    char *public_file = zsys_sprintf ("%s/%s.pub", dir, name);
    char *secret_file = zsys_sprintf ("%s/%s.key", dir, name);
    int code = ACT_RUN_EXIT_OK;
    zcert_t *cert = NULL;
    struct stat info;
    //  A key that exists may be in use by a running node: keep it
    if (stat (secret_file, &info) == 0 || stat (public_file, &info) == 0) {
        act_log_fatal ("unable to write keys for %s: %s exists (remove it first)",
                       name, stat (secret_file, &info) == 0 ? secret_file : public_file);
        code = ACT_RUN_EXIT_USAGE;
    }
    else
    if (!(cert = zcert_new ())) {
        act_log_fatal ("unable to make a key pair: %s", strerror (errno));
        code = ACT_RUN_EXIT_SYSTEM;
    }
    else {
        //  Private from its first byte: no window where others may read it
        mode_t mask = umask (077);
        int rc = zcert_save_secret (cert, secret_file);
        umask (mask);
        if (rc == 0) {
            rc = chmod (secret_file, 0600);
        }
        if (rc == 0) {
            rc = zcert_save_public (cert, public_file);
        }
        if (rc) {
            act_log_fatal ("unable to write keys to %s: %s", dir, strerror (errno));
            code = ACT_RUN_EXIT_SYSTEM;
        }
    }
    zcert_destroy (&cert);
    free (public_file);
    free (secret_file);
    return code;
}

//  The secret key in path into self, checked: a regular file nobody but
//  its owner may read. -1 after saying why.
static int
s_load_key (act_node_t *self, const char *path, const act_topo_node_t *node)
{
    struct stat info;
    if (stat (path, &info) == -1) {
        act_log_fatal ("unable to read secret key %s: %s", path, strerror (errno));
        return -1;
    }
    if (!S_ISREG (info.st_mode)) {
        act_log_fatal ("unable to use secret key %s: not a regular file", path);
        return -1;
    }
    if (info.st_mode & 077) {
        act_log_fatal ("unable to use secret key %s: its mode %04o lets %s read or "
                       "change it; run chmod 600 %s", path,
                       (unsigned) (info.st_mode & 07777),
                       info.st_mode & 007 ? "every user" : "its group", path);
        return -1;
    }
    zcert_t *cert = zcert_load (path);
    const char *secret = cert ? zcert_secret_txt (cert) : NULL;
    if (!cert || !secret || strlen (secret) != 40 || streq (secret, "0000000000000000000000000000000000000000")) {
        act_log_fatal ("unable to use secret key %s: not a secret key file (write "
                       "one with actor-run keygen)", path);
        zcert_destroy (&cert);
        return -1;
    }
    if (!streq (zcert_public_txt (cert), node->key)) {
        act_log_fatal ("unable to use secret key %s: it is not node %s's, whose "
                       "public key is %s", path, node->name, node->public_key);
        zcert_destroy (&cert);
        return -1;
    }
    snprintf (self->public_key, sizeof self->public_key, "%s", zcert_public_txt (cert));
    snprintf (self->secret_key, sizeof self->secret_key, "%s", secret);
    zcert_destroy (&cert);
    return 0;
}

static void
s_place (act_group_place_t *place, const act_topology_t *topology,
         const act_topo_group_t *group)
{
    const act_topo_node_t *node = &topology->nodes [group->node];
    place->name = group->name;
    place->node = node->name;
    place->endpoint = group->endpoint;
    place->public_key = node->key;
}

act_node_t *
act_node_new (act_topology_t *topology, const char *name, const char *key_file)
{
    int index = act_topology_node_index (topology, name);
    if (index < 0) {
        act_log_fatal ("unable to run node %s: %s names no such node", name,
                       topology->file);
        return NULL;
    }
    act_node_t *self = (act_node_t *) zmalloc (sizeof (act_node_t));
    if (s_load_key (self, key_file, &topology->nodes [index])) {
        act_node_destroy (&self);
        return NULL;
    }
    act_topology_keep_node (topology, name);
    size_t count = topology->group_count + topology->other_count;
    self->places = (act_group_place_t *) zmalloc ((count + 1) * sizeof (act_group_place_t));
    for (size_t i = 0; i < topology->group_count; i++) {
        s_place (&self->places [i], topology, &topology->groups [i]);
    }
    for (size_t i = 0; i < topology->other_count; i++) {
        s_place (&self->places [topology->group_count + i], topology,
                 &topology->others [i]);
    }
    self->net.node = topology->nodes [index].name;
    self->net.public_key = self->public_key;
    self->net.secret_key = self->secret_key;
    self->net.groups = self->places;
    self->net.group_count = count;
    return self;
}

const act_group_net_t *
act_node_net (act_node_t *self)
{
    return &self->net;
}

void
act_node_destroy (act_node_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    act_node_t *self = *self_p;
    //  The secret leaves no copy in freed memory
    memset (self->secret_key, 0, sizeof self->secret_key);
    free (self->places);
    free (self);
    *self_p = NULL;
}
