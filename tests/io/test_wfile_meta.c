/* test_wfile_meta.c - safetensors __metadata__ written by wfile_save_safetensors_meta and read
   back by wfile_metadata, escapes and all; "trained_on" labels the loaded weights. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support.h"
#include "wfile.h"

static void test_metadata_round_trip(void **state)
{
    (void)state;
    Weights w;
    Err e = {0};
    assert_int_equal(weights_builtin(&arch_lenet5, 3, &w, &e), 0);
    const char *path = ts_path("m.safetensors");
    const char *keys[] = {"trained_on", "command", "odd"};
    const char *vals[] = {"Fashion-MNIST", "alexscope train --seed 7", "a \"quote\", a \\ and\ta tab, é"};
    assert_int_equal(wfile_save_safetensors_meta(path, &w, keys, vals, 3, &e), 0);
    char out[256];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(wfile_metadata(path, keys[i], out, sizeof out, &e), 0);
        assert_string_equal(out, vals[i]);
    }
    assert_int_equal(wfile_metadata(path, "arch", out, sizeof out, &e), 0);
    assert_string_equal(out, "lenet5");
    assert_int_equal(wfile_metadata(path, "missing", out, sizeof out, &e), 1);
    assert_int_equal(wfile_metadata(path, "command", out, 10, &e), 0); /* truncated, terminated */
    assert_true(strlen(out) < 10);
    assert_int_equal(strncmp(out, "alexscope", strlen(out)), 0);

    Weights r;
    assert_int_equal(wfile_load(path, NULL, &r, &e), 0);
    assert_string_equal(r.source, "m.safetensors (trained on Fashion-MNIST)");
    assert_memory_equal(r.l[0].w, w.l[0].w, sizeof(float) * (size_t)w.l[0].nw);
    weights_free(&r);

    /* no trained_on: the file name alone; not a safetensors file: absent */
    assert_int_equal(wfile_save_safetensors(path, &w, &e), 0);
    assert_int_equal(wfile_load(path, NULL, &r, &e), 0);
    assert_string_equal(r.source, "m.safetensors");
    weights_free(&r);
    ts_write_file(ts_path("x.bin"), "\x08\x01 not safetensors", 18);
    assert_int_equal(wfile_metadata(ts_path("x.bin"), "arch", out, sizeof out, &e), 1);
    assert_int_equal(wfile_metadata(ts_path("none"), "arch", out, sizeof out, &e), -1);
    assert_non_null(strstr(e.msg, "none"));
    weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_metadata_round_trip)};
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
