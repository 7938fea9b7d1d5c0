/*
 * jtree_copy: an equal, independent tree with every kind of value, keys in
 * the original's order, strings with NULs kept, and refusal past
 * JTREE_MAX_DEPTH.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jtree.h"

static void test_jtree__copy_is_equal_and_independent(void **state)
{
	json_error_t e;
	json_t *v = json_loads("{\"z\":1,\"a\":[true,false,null,1.5,-7,\"s\"],"
			       "\"m\":{\"y\":{},\"b\":[]}}", 0, &e);
	json_t *c;
	const char *key;
	json_t *val;
	const char *order[3];
	size_t n = 0;

	(void)state;
	assert_non_null(v);
	c = jtree_copy(v);
	assert_non_null(c);
	assert_ptr_not_equal(c, v);
	assert_true(json_equal(c, v));
	/* an integer stays an integer, a real a real */
	assert_true(json_is_integer(json_array_get(json_object_get(c, "a"), 4)));
	assert_true(json_is_real(json_array_get(json_object_get(c, "a"), 3)));
	/* keys come in the original's order, not sorted */
	json_object_foreach(c, key, val)
		order[n++] = key;
	assert_int_equal(n, 3);
	assert_string_equal(order[0], "z");
	assert_string_equal(order[1], "a");
	assert_string_equal(order[2], "m");
	/* no container is shared */
	assert_ptr_not_equal(json_object_get(c, "m"), json_object_get(v, "m"));
	json_object_set_new(json_object_get(json_object_get(c, "m"), "y"), "new", json_true());
	json_array_append_new(json_object_get(c, "a"), json_null());
	assert_int_equal(json_object_size(json_object_get(json_object_get(v, "m"), "y")), 0);
	assert_int_equal(json_array_size(json_object_get(v, "a")), 6);
	json_decref(c);
	json_decref(v);
	assert_null(jtree_copy(NULL));
}

static void test_jtree__strings_keep_their_bytes(void **state)
{
	json_t *v = json_object(), *c;

	(void)state;
	json_object_setn_new(v, "k\0ey", 4, json_stringn("a\0b", 3));
	c = jtree_copy(v);
	assert_non_null(c);
	/* (json_equal looks keys up as C strings: not for a key with a NUL) */
	assert_int_equal(json_object_size(c), 1);
	assert_int_equal(json_string_length(json_object_getn(c, "k\0ey", 4)), 3);
	assert_memory_equal(json_string_value(json_object_getn(c, "k\0ey", 4)), "a\0b", 3);
	json_decref(c);
	json_decref(v);
}

static json_t *S_nest(int depth)
{
	json_t *top = json_array(), *cur = top;

	for (int i = 0; i < depth; i++) {
		json_t *kid = i % 2 ? json_array() : json_object();

		if (json_is_array(cur))
			json_array_append_new(cur, kid);
		else
			json_object_set_new(cur, "k", kid);
		cur = kid;
	}
	return top;
}

static void test_jtree__depth_limit(void **state)
{
	json_t *ok = S_nest(JTREE_MAX_DEPTH), *deep = S_nest(JTREE_MAX_DEPTH + 1), *c;

	(void)state;
	c = jtree_copy(ok);
	assert_non_null(c);
	assert_true(json_equal(c, ok));
	json_decref(c);
	assert_null(jtree_copy(deep));
	json_decref(ok);
	json_decref(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jtree__copy_is_equal_and_independent),
		cmocka_unit_test(test_jtree__strings_keep_their_bytes),
		cmocka_unit_test(test_jtree__depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
