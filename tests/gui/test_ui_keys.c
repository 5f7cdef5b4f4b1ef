/* test_ui_keys.c - the window's one key table (ui_keys.c): every action has a key and a help
   line, no key is bound twice, the generated help names every bound key, and the lookups
   the old key switch made (modifiers, the keys only the picker mentions). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui_keys.h"

#define EACH_BIND(i, b) \
    for (int i = 0; i < ui_keys_count; i++) \
        for (const UiKeyBind *b = ui_keys[i].bind; b < ui_keys[i].bind + UI_KEYS_PER_ROW && b->key; b++)

static void test_every_action_has_a_key(void **ctx)
{
    (void)ctx;
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        if (a == ACT_LESSON_EXIT) continue; /* the lesson bar's button; Esc leaves through ACT_DESELECT */
        int found = 0;
        EACH_BIND(i, b)
            if (b->act == (UiAction)a) {
                found = 1;
                if (strlen(ui_keys[i].what) < 4 || strlen(ui_keys[i].keys) < 1) fail_msg("action %d: no help text", a);
            }
        if (!found) fail_msg("action %d has no key", a);
    }
}

static void test_no_duplicates(void **ctx)
{
    (void)ctx;
    int n = 0;
    EACH_BIND(i, b) {
        n++;
        assert_int_not_equal(b->act, ACT_NONE);
        EACH_BIND(j, c)
            if (c != b && c->key == b->key) fail_msg("key %d bound in rows %d and %d", b->key, i, j);
    }
    assert_true(n >= 30); /* 33 bindings today: the check above compared something */
}

static void test_help_lists_every_key(void **ctx)
{
    (void)ctx;
    char help[4096], name[32];
    int len = ui_keys_help(help, sizeof help);
    assert_int_equal(len, (int)strlen(help));
    EACH_BIND(i, b) {
        ui_keys_name(b->key, b->mods, name, sizeof name);
        if (!strstr(help, name)) fail_msg("help lacks '%s'", name);
    }
    /* one line per row, each row's text on it */
    int lines = 0;
    for (const char *p = help; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, ui_keys_count);
    assert_non_null(strstr(help, "  Q  Ctrl W"));
    /* WHAT in one column: "→" is one column though three bytes */
    const char *l1 = strstr(help, "  →  PgDn  Space  N "), *l2 = strstr(help, "  Home  End ");
    assert_non_null(l1);
    assert_non_null(l2);
    assert_int_equal(strstr(l1, "next layer") - l1 - 2, strstr(l2, "input /") - l2); /* → takes 3 bytes */
}

static void test_help_truncates_safely(void **ctx)
{
    (void)ctx;
    char small[40];
    int len = ui_keys_help(small, sizeof small);
    assert_true(len > (int)sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(ui_keys_help(NULL, 0), len);
}

static void test_lookups(void **ctx)
{
    (void)ctx;
    assert_int_equal(ui_keys_action('n', 0), ACT_NEXT);
    assert_int_equal(ui_keys_action('n', UI_MOD_SHIFT), ACT_NEXT); /* extra modifiers are ignored */
    assert_int_equal(ui_keys_action(UI_KEY_DOWN, 0), ACT_NEXT);
    assert_int_equal(ui_keys_action(UI_KEY_UP, 0), ACT_PREV);
    assert_int_equal(ui_keys_action(UI_KEY_BACKSPACE, 0), ACT_PREV);
    assert_int_equal(ui_keys_action(UI_KEY_ENTER, 0), ACT_PICK);
    assert_int_equal(ui_keys_action(UI_KEY_ESCAPE, 0), ACT_DESELECT);
    assert_int_equal(ui_keys_action('?', 0), ACT_HELP);
    assert_int_equal(ui_keys_action(UI_KEY_F1, 0), ACT_HELP);
    assert_int_equal(ui_keys_action('4', 0), ACT_CARD_MATH);
    assert_int_equal(ui_keys_action('+', 0), ACT_NONE); /* zoom needs Ctrl */
    assert_int_equal(ui_keys_action('+', UI_MOD_CTRL), ACT_ZOOM_IN);
    assert_int_equal(ui_keys_action('-', UI_MOD_CTRL | UI_MOD_SHIFT), ACT_ZOOM_OUT);
    assert_int_equal(ui_keys_action('0', 0), ACT_NONE);
    assert_int_equal(ui_keys_action('0', UI_MOD_CTRL), ACT_ZOOM_RESET);
    assert_int_equal(ui_keys_action('w', 0), ACT_NONE);
    assert_int_equal(ui_keys_action('w', UI_MOD_CTRL), ACT_QUIT);
    assert_int_equal(ui_keys_action('q', 0), ACT_QUIT);
    assert_int_equal(ui_keys_action('u', 0), ACT_NONE);
    assert_int_equal(ui_keys_action('z', 0), ACT_TRAIN_SUBSET);
    assert_int_equal(ui_keys_action('j', 0), ACT_TRAIN);
    assert_int_equal(ui_keys_action(0, 0), ACT_NONE);
}

static void test_names(void **ctx)
{
    (void)ctx;
    char b[32];
    assert_string_equal(ui_keys_name('w', UI_MOD_CTRL, b, sizeof b), "Ctrl W");
    assert_string_equal(ui_keys_name(UI_KEY_PAGEDOWN, 0, b, sizeof b), "PgDn");
    assert_string_equal(ui_keys_name(UI_KEY_RIGHT, 0, b, sizeof b), "→");
    assert_string_equal(ui_keys_name('-', UI_MOD_CTRL, b, sizeof b), "Ctrl −");
    assert_string_equal(ui_keys_name(' ', 0, b, sizeof b), "Space");
    assert_string_equal(ui_keys_name('3', 0, b, sizeof b), "3");
    assert_string_equal(ui_keys_name(0x7777, 0, b, sizeof b), "?30583");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_has_a_key), cmocka_unit_test(test_no_duplicates),
        cmocka_unit_test(test_help_lists_every_key),   cmocka_unit_test(test_help_truncates_safely),
        cmocka_unit_test(test_lookups),                cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
