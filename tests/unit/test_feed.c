/*
** test_feed.c: the change feed client's gap check (adapters/core/feed.c,
** feed_continues) on answers built by hand (cmocka): an answer continues
** only from the position asked for, with its events in order and within
** the range it says it covers; anything else is a gap and is asked again.
** The loop itself (reconnect, position file) is tested against a real hub
** in tests/integration/test_feed.sh.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "feed.h"

/* An answer after `after` covering up to `to`, with the given event seqs. */
static Hub__Answer *
s_answer(uint64_t after, uint64_t to, const uint64_t *seqs, size_t n)
{
    static Hub__Answer a;
    static Hub__Event ev[8];
    static Hub__Event *evp[8];
    hub__answer__init(&a);
    a.has_events_after = a.has_events_to = 1;
    a.events_after = after;
    a.events_to = to;
    for (size_t i = 0; i < n; i++) {
        hub__event__init(&ev[i]);
        ev[i].has_event_seq = 1;
        ev[i].event_seq = seqs[i];
        evp[i] = &ev[i];
    }
    a.n_events = n;
    a.events = evp;
    return &a;
}

static void
test_continues(void **state)
{
    (void)state;
    uint64_t s[] = {11, 12, 15};
    assert_true(feed_continues(10, s_answer(10, 15, s, 3)));
    assert_true(feed_continues(10, s_answer(10, 20, s, 3)));   /* 16..20 not in scope */
    assert_true(feed_continues(10, s_answer(10, 10, NULL, 0)));   /* nothing new */
    assert_true(feed_continues(-1, s_answer(7, 15, s, 3)));    /* first answer: from the hub's position */
}

static void
test_gaps(void **state)
{
    (void)state;
    uint64_t s[] = {11, 12, 15}, back[] = {11, 15, 12}, same[] = {11, 11}, low[] = {9, 11};
    assert_false(feed_continues(12, s_answer(10, 15, s, 3)));     /* an answer to an older request */
    assert_false(feed_continues(8, s_answer(10, 15, s, 3)));      /* starts later than asked: 9, 10 missing */
    assert_false(feed_continues(10, s_answer(10, 15, back, 3)));  /* out of order */
    assert_false(feed_continues(10, s_answer(10, 15, same, 2)));  /* one twice */
    assert_false(feed_continues(10, s_answer(10, 15, low, 2)));   /* one at or before the position */
    assert_false(feed_continues(10, s_answer(10, 14, s, 3)));     /* beyond what it covers */
    Hub__Answer *a = s_answer(10, 15, s, 3);
    a->has_events_to = 0;                                          /* not an events answer */
    assert_false(feed_continues(10, a));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_continues),
        cmocka_unit_test(test_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
