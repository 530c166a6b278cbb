/*  test_shm - the shared-memory link end to end: real group processes
    under actor-run, real kills, real shared memory written by a rogue
    SPDX-License-Identifier: MPL-2.0

    The run of test_groups.h, on the shm link (its default). Where a test
    looks inside the region it maps actor-run's memfd, found through
    /proc, as any process of the same user could: shm groups are b (index
    0) and a (index 1), in topology order, with the default sizes.
*/
#include "test_groups.h"
#include "act_test_proc.h"
#include "act_shm.h"
#include <dirent.h>

//  The region of a live run, mapped read-write into the test.
typedef struct {
    void *base;
    size_t size;
    act_shm_layout_t layout;
} s_region_t;

#define S_B 0                   //  group b's index in the region
#define S_A 1                   //  group a's
#define S_C 2                   //  group c's, in a run with a third group

static s_region_t
s_region_map (run_t *run, size_t groups)
{
    s_region_t region = { NULL, 0, { 0 } };
    char path [64], link [256];
    snprintf (path, sizeof path, "/proc/%d/fd", (int) run->pid);
    DIR *dir = opendir (path);
    cr_assert_not_null (dir);
    struct dirent *entry;
    int fd = -1;
    while (fd == -1 && (entry = readdir (dir))) {
        char fd_path [320];
        snprintf (fd_path, sizeof fd_path, "%s/%s", path, entry->d_name);
        ssize_t size = readlink (fd_path, link, sizeof link - 1);
        link [size > 0 ? size : 0] = 0;
        if (strstr (link, "memfd:actorio-run"))
            fd = open (fd_path, O_RDWR | O_CLOEXEC);
    }
    closedir (dir);
    cr_assert_neq (fd, -1, "actor-run holds no region");
    struct stat info;
    cr_assert_eq (fstat (fd, &info), 0);
    region.size = (size_t) info.st_size;
    region.base = mmap (NULL, region.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    cr_assert_neq (region.base, MAP_FAILED);
    //  Sealed: nobody may shrink it under the groups' mappings.
    cr_assert_eq (ftruncate (fd, 4096), -1);
    cr_assert_eq (errno, EPERM);
    close (fd);
    cr_assert_eq (act_shm_layout (&region.layout, groups, ACT_REGION_RING_DEFAULT,
                                  ACT_REGION_AREA_DEFAULT), 0);
    cr_assert_eq (region.layout.total, region.size);
    cr_assert_eq (memcmp (region.base, ACT_SHM_MAGIC, 8), 0);
    return region;
}

static act_shm_area_t *
s_area (s_region_t *region, size_t index)
{
    return act_shm_area (region->base, &region->layout, index);
}

//  ----------------------------------------------------------------------
//  The sender killed mid-stream: s_kill_the_sender (test_groups.h)

Test (shm, kill9_of_the_sender_a_hundred_times_mid_stream,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_kill_the_sender ("shm", "64", 100);
}

Test (shm, kill9_of_a_sender_of_blocks_mid_stream,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_kill_the_sender ("shm", "16384", 30);
}

//  The receiver's handler blocks, so its ring and the sender's block area
//  fill (payloads of 16 KiB travel in blocks) and the sender is refused;
//  then the receiver is killed. Its next life reads nothing that was in
//  the ring, every block the dead life held goes back to the sender once,
//  and the sender hears ACT_MSG_WRITABLE and streams on.
Test (shm, kill9_of_the_receiver_with_its_ring_full_and_blocks_held,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) {
        .run_extra = "    intensity = 100\n", .gate = true });
    s_region_t region = s_region_map (g->run, 2);
    act_shm_area_t *area = s_area (&region, S_A);
    s_find (g, "main", "b/recv");
    s_command (g, "stream", "0", "size=16384", NULL);
    probe_expect (g->run, "b/recv", "blocked", S_WAIT);
    zmsg_t *refused = probe_take (g->run, "a/src", "refused", S_WAIT);
    cr_assert_not_null (refused, "the sender was never refused");
    cr_assert_eq (s_frame_int (refused, 2), EAGAIN);
    zmsg_destroy (&refused);
    s_counts_t before = s_counts (g);
    uint64_t held = atomic_load (&area->blocks) - atomic_load (&area->reclaimed);
    cr_assert_gt (held, 100, "only %" PRIu64 " blocks held", held);
    cr_assert_eq (atomic_load (&area->reclaimed_dead), 0);

    cr_assert_eq (kill (g->b, SIGKILL), 0);
    run_pid (g->run, "ready", "b", S_WAIT);
    probe_expect (g->run, "b/recv", "hello", S_WAIT);
    zmsg_t *writable = probe_take (g->run, "a/src", "writable", S_WAIT);
    cr_assert_not_null (writable, "the sender never heard ACT_MSG_WRITABLE");
    zmsg_destroy (&writable);
    cr_assert (RUN_UNTIL (g->run, s_lives (g) == 2 && s_life (g, 1).count >= 1000, 20000),
               "the stream did not reach the new receiver");
    s_command (g, "halt", NULL);
    s_counts_t sent = s_counts_take (g, "halted", S_WAIT);
    cr_assert (RUN_UNTIL (g->run, s_life (g, 1).last + 1 >= sent.next, 20000));
    stream_life_t second = s_life (g, 1);
    //  Nothing from the ring of the dead life: the new one starts after
    //  everything the sender had been accepted before the kill.
    cr_assert_geq (second.first, before.next, "the new life read %" PRIu64
                   ", sent before the kill (%" PRIu64 " were)", second.first, before.next);
    cr_assert_eq (s_check_lives (g, sent.next), s_life (g, 0).count + second.count);
    //  Every block comes back once: those the dead life had taken (in its
    //  mailbox) as such, those still in the ring when it died because
    //  its ring was emptied past them.
    cr_assert (RUN_UNTIL (g->run, atomic_load (&area->reclaimed)
                                  == atomic_load (&area->blocks), 20000),
               "%" PRIu64 " blocks handed out, %" PRIu64 " taken back",
               atomic_load (&area->blocks), atomic_load (&area->reclaimed));
    uint64_t dead = atomic_load (&area->reclaimed_dead);
    cr_assert (dead >= 1 && dead <= held, "%" PRIu64 " held for the dead life, %" PRIu64
               " taken back from it", held, dead);
    cr_log_info ("shm: receiver killed holding %" PRIu64 " blocks: %" PRIu64 " taken back "
                 "from the dead life, %" PRIu64 " blocks in all", held, dead,
                 atomic_load (&area->blocks));
    munmap (region.base, region.size);
    s_groups_destroy (&g);
}

//  Puts a record into the ring from c to b, as a rogue would: at the
//  ring's head, which it then moves. c itself never sends, so nothing
//  but the rogue writes there; b finds it when traffic from a wakes it
//  (a rogue cannot ring b's doorbell: only the run's processes hold it).
static void
s_rogue_record (s_region_t *region, unsigned kind, uint32_t len, uint8_t magic,
                const void *body)
{
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) act_shm_ring (region->base, &region->layout,
                                                           S_C, S_B);
    unsigned char *data = (unsigned char *) ctl + ACT_RING_CTL;
    uint64_t head = atomic_load (&ctl->head);
    uint64_t size = region->layout.ring_size;
    uint64_t pos = head & (size - 1);
    if (pos + 8 + len > size) {
        //  As a producer would: a PAD record to the end, then from 0.
        uint32_t pad = (uint32_t) (size - pos - 8);
        unsigned char filler [8] = { 0, 0, 0, 0, ACT_RING_PAD, ACT_RING_MAGIC, 0, 0 };
        memcpy (filler, &pad, 4);
        memcpy (data + pos, filler, 8);
        head += size - pos;
        pos = 0;
    }
    unsigned char header [8] = { 0 };
    memcpy (header, &len, 4);
    header [4] = (unsigned char) kind;
    header [5] = magic;
    if (body)
        memcpy (data + pos + 8, body, len);
    memcpy (data + pos, header, 8);
    atomic_store (&ctl->head, head + 8 + ((len + 7) & ~7u));
}

//  Numbers 0 to count - 1 from a, all of them in order.
static void
s_stream_flows (s_groups_t *g, const char *count)
{
    uint64_t before = s_taken (g);
    s_command (g, "stream", count, "", NULL);
    s_counts_t sent = s_counts_take (g, "streamed", 30000);
    cr_assert (RUN_UNTIL (g->run, s_taken (g) >= before + (uint64_t) atoll (count), 20000),
               "the stream did not get through; log:\n%s", g->run->out);
    stream_life_t life = s_life (g, 0);
    cr_assert_eq (life.last + 1, sent.next);
    cr_assert_eq (life.dups + life.bad + life.gaps, 0);
}

//  Waits until b's output holds text, after what it held before.
static void
s_expect_out (s_groups_t *g, size_t from, const char *text)
{
    cr_assert (RUN_UNTIL (g->run, strstr (g->run->out + from, text), S_WAIT),
               "no '%s' in b's output:\n%s", text, g->run->out + from);
}

//  The resets of the ring from c to b, as b counts them there.
static uint64_t
s_resets (s_region_t *region)
{
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) act_shm_ring (region->base, &region->layout,
                                                           S_C, S_B);
    return atomic_load (&ctl->resets);
}

//  The rogue's garbage is found with the next traffic from a (or before:
//  b may be awake, spinning), which goes on unhurt; b resets the ring
//  once since before, counted before the rogue wrote.
static void
s_expect_reset (s_groups_t *g, s_region_t *region, uint64_t before)
{
    s_stream_flows (g, "1000");
    cr_assert (RUN_UNTIL (g->run, s_resets (region) == before + 1, S_WAIT),
               "the ring was reset %" PRIu64 " times, not once",
               s_resets (region) - before);
}

Test (shm, garbage_in_a_ring_is_counted_and_the_group_survives,
      .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    s_groups_t *g = s_groups_new ((s_options_t) { .link = "shm", .third = true });
    s_region_t region = s_region_map (g->run, 3);
    s_find (g, "main", "b/recv");
    s_stream_flows (g, "1000");

    //  A record header with a wrong magic byte.
    size_t from = strlen (g->run->out);
    uint64_t before = s_resets (&region);
    s_rogue_record (&region, ACT_RING_BATCH, 64, 0x77, NULL);
    s_expect_reset (g, &region, before);
    s_expect_out (g, from, "b: ring from group c reset after bad input (header), "
                  "1 resets so far");
    s_expect_out (g, from, "b: dropped malformed ring (header), 1 so far");

    //  A good record header around a batch that is garbage.
    from = strlen (g->run->out);
    unsigned char junk [256];
    for (size_t i = 0; i < sizeof junk; i++)
        junk [i] = (unsigned char) (i * 7 + 3);
    before = s_resets (&region);
    s_rogue_record (&region, ACT_RING_BATCH, sizeof junk, ACT_RING_MAGIC, junk);
    s_expect_reset (g, &region, before);
    s_expect_out (g, from, "b: dropped malformed ring record (header), 2 so far");

    //  A block descriptor pointing past the sender's area; one whose
    //  block is not the sender's to give.
    act_shm_desc_t desc = { (uint64_t) 1 << 40, 100, 0, 0 };
    unsigned char body [sizeof desc + 32] = { 0 };
    memcpy (body, &desc, sizeof desc);
    before = s_resets (&region);
    s_rogue_record (&region, ACT_RING_BLOCK, sizeof body, ACT_RING_MAGIC, body);
    s_expect_reset (g, &region, before);
    desc.offset = 4096;
    memcpy (body, &desc, sizeof desc);
    before = s_resets (&region);
    s_rogue_record (&region, ACT_RING_BLOCK, sizeof body, ACT_RING_MAGIC, body);
    s_expect_reset (g, &region, before);
    cr_assert_eq (atomic_load (&s_area (&region, S_C)->refused), 2);

    //  A head far ahead of the tail; then one behind it.
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) act_shm_ring (region.base, &region.layout,
                                                           S_C, S_B);
    before = s_resets (&region);
    atomic_store (&ctl->head, atomic_load (&ctl->head) + ((uint64_t) 1 << 40));
    s_expect_reset (g, &region, before);
    before = s_resets (&region);
    atomic_store (&ctl->head, atomic_load (&ctl->head) - 4096);
    s_expect_reset (g, &region, before);

    //  A flood of bad records: counted, logged once per power of two.
    from = strlen (g->run->out);
    for (int i = 0; i < 200; i++) {
        before = s_resets (&region);
        s_rogue_record (&region, ACT_RING_BATCH, 64, 0x77, NULL);
        s_expect_reset (g, &region, before);
    }
    s_expect_out (g, from, "128 resets so far");
    int lines = 0;
    for (const char *p = g->run->out + from; (p = strstr (p, "warning b[")); p++)
        lines++;
    cr_assert_lt (lines, 20, "the log was flooded:\n%s", g->run->out + from);

    //  b took it all in its stride: same process, same life, every
    //  number from a in order.
    cr_assert_eq (kill (g->b, 0), 0, "group b died");
    cr_assert_eq (s_lives (g), 1, "b was restarted; log:\n%s", g->run->err);
    cr_assert_eq (run_count (g->run, "actor-run: stop b"), 0);
    s_counts_t sent = s_counts (g);
    cr_assert_eq (s_check_lives (g, sent.next), sent.next);
    munmap (region.base, region.size);
    s_groups_destroy (&g);
}

//  A group alone on shm has nobody to share memory with: no region; and
//  a topology whose region would not fit is refused before anything
//  starts.
Test (shm, check_refuses_a_region_over_region_size,
      .timeout = S_TIMEOUT)
{
    run_t *run = run_new ();
    run_write (run,
        "run\n"
        "    name = big\n"
        "    ring_size = 1M\n"
        "    region_size = 8M\n"
        "group = a\n"
        "    actor = e\n"
        "        class = echo\n"
        "group = b\n"
        "    actor = e\n"
        "        class = echo\n");
    run_start (run, "--check", run->topology);
    cr_assert_eq (run_wait (run, S_WAIT), 100);
    cr_assert (strstr (run->err, ":4: the shared region for 2 groups on link shm needs"),
               "%s", run->err);
    run_destroy (&run);
}


//  CPU time of a process so far, clock ticks.
static long
s_cpu_ticks (pid_t pid)
{
    char path [64], text [1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *file = fopen (path, "r");
    cr_assert_not_null (file);
    size_t size = fread (text, 1, sizeof text - 1, file);
    fclose (file);
    text [size] = 0;
    //  After the command's closing parenthesis: state, then fields 4 on;
    //  utime and stime are fields 14 and 15.
    const char *p = strrchr (text, ')');
    cr_assert_not_null (p);
    unsigned long utime = 0, stime = 0;
    cr_assert_eq (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                          &utime, &stime), 2);
    return (long) (utime + stime);
}

//  Groups that have talked and then have nothing to do sleep: the spin
//  after the last message is bounded, and nothing wakes them after it.
Test (shm, idle_groups_do_not_wake_up, .timeout = S_TIMEOUT, .fini = s_cleanup)
{
    //  Heartbeats wake a group by design (actor-run(1), LIVENESS)
    s_groups_t *g = s_groups_new ((s_options_t) { .link = "shm",
                                                  .run_extra = "    heartbeat = off\n" });
    s_find (g, "main", "b/echo");
    s_command (g, "ping", "1000", NULL);
    zmsg_t *pong = probe_take (g->run, "a/src", "pong", S_WAIT);
    cr_assert_not_null (pong);
    zmsg_destroy (&pong);
    //  Once the last spins have ended (every thread asleep), count for a
    //  second: what is measured is that period, nothing waits on luck.
    cr_assert (RUN_UNTIL (g->run, act_test_asleep (g->a) && act_test_asleep (g->b), 5000),
               "the groups never went to sleep after the last message");
    long a = act_test_switches (g->a), b = act_test_switches (g->b);
    long a_cpu = s_cpu_ticks (g->a), b_cpu = s_cpu_ticks (g->b);
    RUN_UNTIL (g->run, false, 1000);
    long a_woke = act_test_switches (g->a) - a, b_woke = act_test_switches (g->b) - b;
    cr_assert_leq (a_woke, 2, "group a woke %ld times in a second", a_woke);
    cr_assert_leq (b_woke, 2, "group b woke %ld times in a second", b_woke);
    //  And none spins: a busy thread would not switch, but it would burn
    //  a second (100 ticks).
    long a_used = s_cpu_ticks (g->a) - a_cpu, b_used = s_cpu_ticks (g->b) - b_cpu;
    cr_assert_leq (a_used, 2, "group a used %ld ticks of CPU in a second", a_used);
    cr_assert_leq (b_used, 2, "group b used %ld ticks of CPU in a second", b_used);
    s_groups_destroy (&g);
}
