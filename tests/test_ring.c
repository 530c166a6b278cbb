/*  test_ring - the single-producer single-consumer ring of the shm link
    SPDX-License-Identifier: MPL-2.0

    Both sides live in one process here, on a heap block of exactly the
    ring's footprint, so a read past the ring is an AddressSanitizer report
    in the sanitized build. The hostile cases scribble over the shared
    bytes the way a buggy or dying peer could.
*/
#include "act_test.h"
#include "act_ring.h"

#define S_SIZE      4096        //  data bytes of the rings here

typedef struct {
    unsigned kind [64];         //  record kinds, in order
    size_t size [64];           //  body sizes
    unsigned char first [64];   //  first body byte, or 0 when empty
    size_t count;               //  records seen
    bool refuse;                //  refuse every body
} s_seen_t;

static bool
s_collect (void *arg, unsigned kind, const unsigned char *body, size_t size)
{
    s_seen_t *seen = (s_seen_t *) arg;
    if (seen->count < 64) {
        seen->kind [seen->count] = kind;
        seen->size [seen->count] = size;
        seen->first [seen->count] = size ? body [0] : 0;
    }
    seen->count++;
    return !seen->refuse;
}

//  A fresh ring of S_SIZE bytes, a producer and a consumer on it.
static void *
s_ring_new (act_ring_t *producer, act_ring_t *consumer)
{
    void *mem = aligned_alloc (ACT_RING_LINE, act_ring_footprint (S_SIZE));
    cr_assert_not_null (mem);
    act_ring_init (mem);
    act_ring_attach (producer, mem, S_SIZE);
    act_ring_attach (consumer, mem, S_SIZE);
    return mem;
}

//  Reserve, fill with fill, commit; false when the ring had no room.
static bool
s_put (act_ring_t *producer, unsigned kind, size_t size, unsigned char fill)
{
    size_t cap;
    unsigned char *body = act_ring_reserve (producer, size, size, &cap);
    if (!body)
        return false;
    cr_assert_eq (cap, size);
    memset (body, fill, size);
    act_ring_commit (producer, kind, size);
    return true;
}

//  Read up to max records into a cleared seen; the read's return value.
static int
s_read (act_ring_t *consumer, size_t max, s_seen_t *seen, act_ring_reason_t *why)
{
    static unsigned char scratch [S_SIZE];
    bool refuse = seen->refuse;
    memset (seen, 0, sizeof *seen);
    seen->refuse = refuse;
    *why = ACT_RING_OK;
    return act_ring_read (consumer, max, scratch, sizeof scratch, s_collect, seen, why);
}

//  Move both sides on by bytes (header included, a multiple of 8): one
//  record put and read.
static void
s_advance (act_ring_t *producer, act_ring_t *consumer, size_t bytes)
{
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert (s_put (producer, ACT_RING_BATCH, bytes - ACT_RING_REC_HEAD, 'x'));
    cr_assert_eq (s_read (consumer, 16, &seen, &why), 1);
}

Test (ring, records_go_through_in_order, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    cr_assert_not (act_ring_pending (&consumer));

    size_t sizes [] = { 0, 1, 7, 8, 100, 1000 };
    for (size_t i = 0; i < 6; i++)
        cr_assert (s_put (&producer, i % 2 ? ACT_RING_BLOCK : ACT_RING_BATCH,
                          sizes [i], (unsigned char) ('a' + i)));
    cr_assert (act_ring_pending (&consumer));

    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 6);
    for (size_t i = 0; i < 6; i++) {
        cr_assert_eq (seen.kind [i], i % 2 ? ACT_RING_BLOCK : ACT_RING_BATCH);
        cr_assert_eq (seen.size [i], sizes [i]);
        cr_assert_eq (seen.first [i], sizes [i] ? 'a' + i : 0);
    }
    cr_assert_not (act_ring_pending (&consumer));
    cr_assert_eq (act_ring_free (&producer), S_SIZE, "all space given back");
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 0);
    free (mem);
}

Test (ring, head_and_tail_sit_on_lines_of_their_own, .timeout = 10)
{
    cr_assert_eq (offsetof (act_ring_ctl_t, head), 0);
    cr_assert_eq (offsetof (act_ring_ctl_t, tail) % ACT_RING_LINE, 0);
    cr_assert_eq (offsetof (act_ring_ctl_t, resets) % ACT_RING_LINE, 0);
    cr_assert_geq (offsetof (act_ring_ctl_t, tail), ACT_RING_LINE);
    cr_assert_geq (offsetof (act_ring_ctl_t, resets) - offsetof (act_ring_ctl_t, tail),
                   ACT_RING_LINE);
    cr_assert_leq (sizeof (act_ring_ctl_t), ACT_RING_CTL);
    cr_assert_eq (act_ring_footprint (S_SIZE), ACT_RING_CTL + S_SIZE);
}

Test (ring, records_never_wrap, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    unsigned char *data = (unsigned char *) mem + ACT_RING_CTL;
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    s_advance (&producer, &consumer, 4000);     //  96 bytes before the end

    size_t cap;
    unsigned char *body = act_ring_reserve (&producer, 200, 200, &cap);
    cr_assert_eq (body, data + ACT_RING_REC_HEAD, "the record starts over at 0");
    memset (body, 'y', 200);
    act_ring_commit (&producer, ACT_RING_BATCH, 200);
    //  The end is one PAD record: length, kind, magic, reserved bytes.
    uint32_t len;
    memcpy (&len, data + 4000, 4);
    cr_assert_eq (len, 96 - ACT_RING_REC_HEAD);
    cr_assert_eq (data [4000 + 4], ACT_RING_PAD);
    cr_assert_eq (data [4000 + 5], ACT_RING_MAGIC);
    cr_assert_eq (data [4000 + 6] | data [4000 + 7], 0);

    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 1, "the PAD is not a record");
    cr_assert_eq (seen.size [0], 200);
    cr_assert_eq (seen.first [0], 'y');
    cr_assert_eq (act_ring_free (&producer), S_SIZE);
    free (mem);
}

Test (ring, a_full_ring_refuses_until_read, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    size_t put = 0;
    while (s_put (&producer, ACT_RING_BATCH, 100, (unsigned char) put))
        put++;
    cr_assert_eq (put, S_SIZE / 112, "records of 8 + 104 bytes fill it");
    cr_assert_lt (act_ring_free (&producer), 112);
    size_t cap;
    cr_assert_null (act_ring_reserve (&producer, 100, 100, &cap));

    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert_eq (s_read (&consumer, 2, &seen, &why), 2, "max bounds a read");
    cr_assert_geq (act_ring_free (&producer), 2 * 112);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 100, 0xEE));
    cr_assert_eq (s_read (&consumer, 64, &seen, &why), (int) put - 1);
    cr_assert_eq (seen.first [put - 2], 0xEE, "the last one in is the last out");
    free (mem);
}

Test (ring, free_counts_what_the_consumer_gave_back, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    cr_assert_eq (act_ring_free (&producer), S_SIZE);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 13, 1));
    cr_assert_eq (act_ring_free (&producer), S_SIZE - 24, "header plus 13 rounded to 16");
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert_eq (s_read (&consumer, 1, &seen, &why), 1);
    cr_assert_eq (act_ring_free (&producer), S_SIZE);
    free (mem);
}

//  The consumer reset its ring to a head a rogue wrote, ahead of the
//  producer's: the producer goes on from there, so the pair is not stuck.
Test (ring, a_consumer_reset_ahead_of_the_producer_is_followed, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) mem;
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert (s_put (&producer, ACT_RING_BATCH, 100, 1));
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 1);
    atomic_store (&ctl->head, atomic_load (&ctl->head) + 4096 + 64);
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), -1);
    act_ring_reset (&consumer);
    cr_assert_eq (act_ring_free (&producer), S_SIZE);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 100, 2));
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 1, "reason %s",
                  act_ring_reason_name (why));
    cr_assert_eq (seen.first [seen.count - 1], 2);
    free (mem);
}

Test (ring, a_scribbled_tail_cannot_free_unread_space, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) mem;
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    //  Past the first lap, so that a tail can be too far behind.
    for (int i = 0; i < 5; i++)
        s_advance (&producer, &consumer, 1008);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 1000, 2));
    uint64_t head = atomic_load (&ctl->head);
    cr_assert_gt (head, S_SIZE + 8);
    size_t cap;
    uint64_t nonsense [] = { head + ((uint64_t) 1 << 50), UINT64_MAX, head - S_SIZE - 8 };
    for (size_t i = 0; i < 3; i++) {
        atomic_store (&ctl->tail, nonsense [i]);
        cr_assert_eq (act_ring_free (&producer), 0, "tail %llu",
                      (unsigned long long) nonsense [i]);
        //  The producer may still use the room it counted from a tail
        //  the consumer really had, never the unread record's.
        unsigned char *at = act_ring_reserve (&producer, 8, S_SIZE, &cap);
        cr_assert (!at || cap + ACT_RING_REC_HEAD <= S_SIZE - (head - consumer.tail),
                   "%zu bytes offered", cap);
    }
    //  The consumer's own tail is untouched: it still reads the record.
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 1);
    cr_assert_eq (seen.size [0], 1000);
    cr_assert_eq (seen.first [0], 2);
    cr_assert_eq (act_ring_free (&producer), S_SIZE);
    free (mem);
}

Test (ring, a_producer_dying_before_commit_exposes_nothing, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 10, 'a'));
    size_t cap;
    unsigned char *body = act_ring_reserve (&producer, 50, 50, &cap);
    cr_assert_not_null (body);
    memset (body, 'z', 50);
    //  ... and it dies. Its next life attaches where the last one committed.
    act_ring_t reborn;
    act_ring_attach (&reborn, mem, S_SIZE);
    cr_assert (s_put (&reborn, ACT_RING_BATCH, 20, 'b'));

    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 2, "%s", act_ring_reason_name (why));
    cr_assert_eq (seen.size [0], 10);
    cr_assert_eq (seen.first [0], 'a');
    cr_assert_eq (seen.size [1], 20);
    cr_assert_eq (seen.first [1], 'b');
    free (mem);
}

Test (ring, a_consumer_reset_drops_what_was_committed, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) mem;
    for (int i = 0; i < 5; i++)
        cr_assert (s_put (&producer, ACT_RING_BATCH, 30, 'a'));
    //  A restarted consumer attaches and resets before reading.
    act_ring_t restarted;
    act_ring_attach (&restarted, mem, S_SIZE);
    act_ring_reset (&restarted);
    cr_assert_eq (atomic_load (&ctl->resets), 1);
    cr_assert_not (act_ring_pending (&restarted));
    cr_assert_eq (act_ring_free (&producer), S_SIZE, "the space is the producer's again");
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    cr_assert_eq (s_read (&restarted, 16, &seen, &why), 0);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 30, 'n'));
    cr_assert_eq (s_read (&restarted, 16, &seen, &why), 1);
    cr_assert_eq (seen.first [0], 'n');
    (void) consumer;
    free (mem);
}

//  One hostile case: what to scribble after two good records of 16 and
//  32 bytes were committed at 0 and 24 (head 64), what read must say.
typedef struct {
    const char *name;
    uint64_t head;              //  the shared head written, or 0
    size_t at;                  //  data offset written to
    size_t bytes;               //  bytes of value written there: 0, 1 or 4
    uint32_t value;             //  a header byte, or a u32 length
    act_ring_reason_t why;
    size_t before;              //  good records read before the bad one
    bool drain;                 //  read the two before scribbling
} s_case_t;

Test (ring, a_bad_ring_is_refused_with_its_reason, .timeout = 10)
{
    s_case_t cases [] = {
        { "head behind tail", 56, 0, 0, 0, ACT_RING_BAD_INDEX, 0, true },
        { "head too far ahead", S_SIZE + 8, 0, 0, 0, ACT_RING_BAD_INDEX, 0, false },
        { "unaligned head", 60, 0, 0, 0, ACT_RING_BAD_INDEX, 0, false },
        { "bad magic", 0, 24 + 5, 1, 0xA5, ACT_RING_BAD_HEADER, 1, false },
        { "bad kind", 0, 4, 1, ACT_RING_BLOCK + 1, ACT_RING_BAD_HEADER, 0, false },
        { "reserved byte set", 0, 24 + 7, 1, 1, ACT_RING_BAD_HEADER, 1, false },
        //  33 rounds to 40: 48 bytes from 24, past head.
        { "length past head", 0, 24, 4, 33, ACT_RING_BAD_LENGTH, 1, false },
        { "PAD not ending the ring", 0, 4, 1, ACT_RING_PAD, ACT_RING_BAD_PAD, 0, false },
        { "length past everything", 0, 0, 4, UINT32_MAX, ACT_RING_BAD_LENGTH, 0, false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        act_ring_t producer, consumer;
        void *mem = s_ring_new (&producer, &consumer);
        cr_assert (s_put (&producer, ACT_RING_BATCH, 16, 'a'));
        cr_assert (s_put (&producer, ACT_RING_BATCH, 32, 'b'));
        s_seen_t seen = { 0 };
        act_ring_reason_t why;
        if (cases [i].drain)
            cr_assert_eq (s_read (&consumer, 16, &seen, &why), 2);
        const s_case_t *c = &cases [i];
        if (c->head)
            atomic_store (&((act_ring_ctl_t *) mem)->head, c->head);
        unsigned char *data = (unsigned char *) mem + ACT_RING_CTL;
        if (c->bytes == 4)
            memcpy (data + c->at, &c->value, 4);
        else
        if (c->bytes == 1)
            data [c->at] = (unsigned char) c->value;
        cr_assert_eq (s_read (&consumer, 16, &seen, &why), -1, "%s", c->name);
        cr_assert_eq (why, c->why, "%s: %s", c->name, act_ring_reason_name (why));
        cr_assert_eq (seen.count, c->before, "%s", c->name);
        //  The caller resets; the ring then reads empty.
        act_ring_reset (&consumer);
        cr_assert_eq (s_read (&consumer, 16, &seen, &why), 0, "%s", c->name);
        free (mem);
    }
}

Test (ring, a_record_past_the_end_is_refused, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    unsigned char *data = (unsigned char *) mem + ACT_RING_CTL;
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    //  A record in the last 64 bytes, then a PAD and a large one at 0:
    //  head is far enough that only the ring's end bounds the first.
    s_advance (&producer, &consumer, 4032);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 40, 'y'));
    cr_assert (s_put (&producer, ACT_RING_BATCH, 1000, 'z'));
    uint32_t len = 200;
    memcpy (data + 4032, &len, 4);
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), -1);
    cr_assert_eq (why, ACT_RING_BAD_LENGTH, "%s", act_ring_reason_name (why));
    free (mem);
}

Test (ring, a_body_longer_than_scratch_is_refused, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 65, 'a'));
    unsigned char *scratch = malloc (64);
    s_seen_t seen = { 0 };
    act_ring_reason_t why = ACT_RING_OK;
    cr_assert_eq (act_ring_read (&consumer, 16, scratch, 64, s_collect, &seen, &why), -1);
    cr_assert_eq (why, ACT_RING_BAD_LENGTH);
    cr_assert_eq (seen.count, 0);
    free (scratch);
    free (mem);
}

Test (ring, a_body_the_handler_refuses_is_consumed_and_reported, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 8, 'a'));
    cr_assert (s_put (&producer, ACT_RING_BATCH, 8, 'b'));
    s_seen_t seen = { .refuse = true };
    act_ring_reason_t why;
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), -1);
    cr_assert_eq (why, ACT_RING_BAD_BODY);
    cr_assert_eq (seen.count, 1, "the read stops at the refused body");
    cr_assert_eq (act_ring_free (&producer), S_SIZE - 16, "and gives its space back");
    cr_assert_str_eq (act_ring_reason_name (why), "body");
    cr_assert_str_eq (act_ring_reason_name (ACT_RING_REASONS), "unknown");
    free (mem);
}

Test (ring, a_scribbled_head_at_a_reset_cannot_misalign_the_consumer, .timeout = 10)
{
    act_ring_t producer, consumer;
    void *mem = s_ring_new (&producer, &consumer);
    act_ring_ctl_t *ctl = (act_ring_ctl_t *) mem;
    s_seen_t seen = { 0 };
    act_ring_reason_t why;
    //  Both sides past the ring's first lap: head and tail at 4208.
    s_advance (&producer, &consumer, 4000);
    s_advance (&producer, &consumer, 112);
    //  A head scribbled three bytes before the ring's end: refused, and
    //  the reset takes it as the consumer's tail.
    atomic_store (&ctl->head, S_SIZE - 3);
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), -1);
    cr_assert_eq (why, ACT_RING_BAD_INDEX);
    act_ring_reset (&consumer);
    //  The producer goes on from its own head. A header read at the odd
    //  tail would run 5 bytes past the ring.
    cr_assert (s_put (&producer, ACT_RING_BATCH, 100, 'y'));
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), -1);
    cr_assert_eq (why, ACT_RING_BAD_INDEX, "%s", act_ring_reason_name (why));
    act_ring_reset (&consumer);
    cr_assert (s_put (&producer, ACT_RING_BATCH, 100, 'z'));
    cr_assert_eq (s_read (&consumer, 16, &seen, &why), 1, "back in step");
    cr_assert_eq (seen.first [0], 'z');
    free (mem);
}
