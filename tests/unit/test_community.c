/*
** test_community.c: community names in the forms departments write them
** (hub/community.c) against the built-in list (deploy/communities.csv).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "community.h"

static adp_communities_t *s_list;

static void
s_expect(const char *raw, const char *code)
{
    const char *got = adp_community_code(s_list, raw);
    if (!code) {
        if (got)
            print_error("\"%s\": got %s, want no code\n", raw, got);
        assert_null(got);
        return;
    }
    if (!got || strcmp(got, code) != 0)
        print_error("\"%s\": got %s, want %s\n", raw, got ? got : "(none)", code);
    assert_non_null(got);
    assert_string_equal(got, code);
}

static void
test_forms(void **state)
{
    (void)state;
    s_expect("北龙社区", "350802001002");
    s_expect("北龙", "350802001002");
    s_expect("北龙社区居委会", "350802001002");
    s_expect("东城街道北龙社区", "350802001002");
    s_expect(" 北龙 社区 ", "350802001002");
    s_expect("北龙社区居民委员会", "350802001002");
    s_expect("南龙社区", NULL);
}

/* A community converted from a village (村改居型) is still written by its
** village name; a purely residential one never had one. */
static void
test_village_names(void **state)
{
    (void)state;
    s_expect("西陂村", "350802005001");
    s_expect("西陂村委会", "350802005001");
    s_expect("西陂村民委员会", "350802005001");
    s_expect("西陂街道西陂村", "350802005001");
    s_expect("北龙村", NULL);      /* 纯居型: no village of that name */
    s_expect("村", NULL);
}

int
main(void)
{
    char err[256];
    s_list = adp_communities_load(NULL, err, sizeof err);
    if (!s_list)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_village_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    adp_communities_destroy(&s_list);
    return rc;
}
