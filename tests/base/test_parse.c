/* test_parse.c - strict command-line numbers (parse.h): whole string, range, no overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse.h"

static void test_int(void **ctx)
{
    (void)ctx;
    int v = 7;
    assert_int_equal(parse_int("12", 1, 1000, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(parse_int("1", 1, 1000, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(parse_int("1000", 1, 1000, &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(parse_int("-3", -5, 5, &v), 0);
    assert_int_equal(v, -3);
    v = 7;
    const char *bad[] = {"", "0", "1001", "12x", "x12", "1.5", "99999999999999999999", " ", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(parse_int(bad[i], 1, 1000, &v), -1);
    assert_int_equal(v, 7); /* untouched on failure */
}

static void test_ll(void **ctx)
{
    (void)ctx;
    long long v = 0;
    assert_int_equal(parse_ll("4611686018427387904", 0, 1LL << 62, &v), 0);
    assert_true(v == 1LL << 62);
    assert_int_equal(parse_ll("4611686018427387905", 0, 1LL << 62, &v), -1);
    assert_int_equal(parse_ll("9223372036854775808", 0, 1LL << 62, &v), -1); /* overflows long long */
}

static void test_float(void **ctx)
{
    (void)ctx;
    float v = 9;
    assert_int_equal(parse_float("1.5", 0.5f, 3, &v), 0);
    assert_true(v == 1.5f);
    assert_int_equal(parse_float("0.5", 0.5f, 3, &v), 0);
    assert_true(v == 0.5f);
    assert_int_equal(parse_float("3", 0.5f, 3, &v), 0);
    assert_true(v == 3.0f);
    v = 9;
    const char *bad[] = {"", "0.49", "3.01", "nan", "inf", "1e99", "1.5x", "x", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(parse_float(bad[i], 0.5f, 3, &v), -1);
    assert_true(v == 9.0f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_int), cmocka_unit_test(test_ll), cmocka_unit_test(test_float)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
