/*
 * jslab: blocks are aligned, distinct while live, reused once freed, large
 * ones come from malloc, and jansson works through it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jslab.h"

#define N 3000

static void test_jslab__blocks_are_aligned_and_disjoint(void **state)
{
	static unsigned char *p[N];
	static size_t sz[N];
	size_t i, k;

	(void)state;
	for (i = 0; i < N; i++) {
		sz[i] = (i * 37) % (JSLAB_MAX_SMALL + 200); /* 0 .. past the small limit */
		p[i] = jslab_malloc(sz[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], (int)(i & 0xff), sz[i]);
	}
	/* every block still holds its own bytes: none overlapped another */
	for (i = 0; i < N; i++)
		for (k = 0; k < sz[i]; k++)
			if (p[i][k] != (unsigned char)(i & 0xff))
				fail_msg("block %zu byte %zu overwritten", i, k);
	for (i = 0; i < N; i++)
		jslab_free(p[i]);
	jslab_release_all();
}

/* Past the first 1 MiB of slabs jslab takes 2 MiB regions of their own
 * mapping: 120,000 blocks of 48 bytes (64 with the header, ~7.3 MiB) cross
 * several of them. Every block stays aligned and keeps its bytes, and a
 * release then a new round starts over with small slabs. */
static void test_jslab__large_builds_span_huge_regions(void **state)
{
	enum { M = 120000 };
	static unsigned char *p[M];
	size_t i, round;

	(void)state;
	for (round = 0; round < 2; round++) {
		for (i = 0; i < M; i++) {
			p[i] = jslab_malloc(48);
			assert_non_null(p[i]);
			assert_int_equal((uintptr_t)p[i] % 16, 0);
			memset(p[i], (int)(i % 251), 48);
		}
		for (i = 0; i < M; i++)
			if (p[i][0] != (unsigned char)(i % 251) || p[i][47] != (unsigned char)(i % 251))
				fail_msg("round %zu: block %zu overwritten", round, i);
		for (i = 0; i < M; i += 2)
			jslab_free(p[i]);
		for (i = 0; i < M; i += 2) {
			p[i] = jslab_malloc(40); /* the freed blocks come back */
			assert_non_null(p[i]);
		}
		jslab_release_all();
	}
}

static void test_jslab__freed_small_block_is_reused(void **state)
{
	void *a, *b, *c;

	(void)state;
	a = jslab_malloc(40);
	b = jslab_malloc(40);
	assert_ptr_not_equal(a, b);
	jslab_free(a);
	c = jslab_malloc(33); /* the same 48-byte class */
	assert_ptr_equal(c, a);
	jslab_free(b);
	jslab_free(c);
	jslab_free(NULL);
	jslab_release_all();
}

static void test_jslab__jansson_through_it(void **state)
{
	json_t *o;
	char *text;
	int i;

	(void)state;
	json_set_alloc_funcs(jslab_malloc, jslab_free);
	o = json_object();
	for (i = 0; i < 500; i++) {
		char key[32];

		snprintf(key, sizeof(key), "key%d", i);
		assert_int_equal(json_object_set_new(o, key, json_pack("{s:[i,s]}", "v", i, key)), 0);
	}
	assert_int_equal(json_object_size(o), 500);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(json_object_get(o, "key321"), "v"), 0)), 321);
	text = json_dumps(json_object_get(o, "key7"), JSON_COMPACT);
	assert_string_equal(text, "{\"v\":[7,\"key7\"]}");
	jslab_free(text);
	json_decref(o);
	json_set_alloc_funcs(malloc, free);
	jslab_release_all();
}

/* A thread's blocks, handed over with jslab_thread_done, stay valid and
 * keep their bytes while this thread allocates (from its own slabs, so no
 * block is given out twice), and may be freed here. */
enum { T = 20000 };

static void *make_blocks(void *arg)
{
	unsigned char **p = arg;

	jslab_thread_large(); /* straight to 2 MiB regions */
	for (size_t i = 0; i < T; i++) {
		if (!(p[i] = jslab_malloc(16 + i % 300)))
			return NULL;
		memset(p[i], (int)(i % 253), 16 + i % 300);
	}
	/* some freed on their own thread: that thread's lists go with it */
	for (size_t i = 0; i < T; i += 7) {
		jslab_free(p[i]);
		p[i] = NULL;
	}
	jslab_thread_done();
	return p;
}

static void test_jslab__blocks_of_an_ended_thread_stay_valid(void **state)
{
	static unsigned char *theirs[T], *mine[T];
	pthread_t t;
	void *ret = NULL;
	size_t i, k;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, make_blocks, theirs), 0);
	for (i = 0; i < T; i++) {
		mine[i] = jslab_malloc(16 + i % 300);
		assert_non_null(mine[i]);
		memset(mine[i], 0xA5, 16 + i % 300);
	}
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_ptr_equal(ret, theirs);
	for (i = 0; i < T; i++) {
		if (!theirs[i])
			continue;
		for (k = 0; k < 16 + i % 300; k++)
			if (theirs[i][k] != (unsigned char)(i % 253))
				fail_msg("their block %zu byte %zu overwritten", i, k);
	}
	for (i = 0; i < T; i++)
		for (k = 0; k < 16 + i % 300; k++)
			if (mine[i][k] != 0xA5)
				fail_msg("my block %zu byte %zu overwritten", i, k);
	/* freed here, their blocks are handed out again here */
	for (i = 8; i < T; i += 7)
		jslab_free(theirs[i]);
	jslab_free(theirs[1]);
	assert_ptr_equal(jslab_malloc(17), theirs[1]);
	jslab_free(theirs[1]);
	for (i = 0; i < T; i++)
		jslab_free(mine[i]);
	jslab_release_all();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jslab__blocks_are_aligned_and_disjoint),
		cmocka_unit_test(test_jslab__large_builds_span_huge_regions),
		cmocka_unit_test(test_jslab__freed_small_block_is_reused),
		cmocka_unit_test(test_jslab__jansson_through_it),
		cmocka_unit_test(test_jslab__blocks_of_an_ended_thread_stay_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
