/*
 * The decoders of render/tmpl/sprig_encoding_util.c on inputs no golden
 * case lists: every byte string decodes or fails without a crash, encode
 * then decode is the identity, errors point inside the input, and JSON
 * that decodes re-encodes (value_to_json) to text that decodes to the same
 * value. Exact Go behaviour is pinned by testdata/sprig/encoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/value.h"
#include "render/tmpl/sprig_encoding_util.h"

/* A small deterministic generator (xorshift64*): reproducible runs. */
static uint64_t S_seed = 0x9e3779b97f4a7c15ULL;

static uint32_t S_next(void)
{
	S_seed ^= S_seed >> 12;
	S_seed ^= S_seed << 25;
	S_seed ^= S_seed >> 27;
	return (uint32_t)((S_seed * 0x2545f4914f6cdd1dULL) >> 32);
}

static void test_sprig_encoding__base64_roundtrip(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		unsigned char in[64];
		size_t n = S_next() % sizeof(in), i;
		struct buf enc = BUF_INIT, dec = BUF_INIT;
		int64_t bad = -1;

		for (i = 0; i < n; i++)
			in[i] = (unsigned char)S_next();
		sprig_enc_b64_encode(&enc, in, n);
		assert_int_equal(enc.len, (n + 2) / 3 * 4);
		assert_int_equal(sprig_enc_b64_decode(&dec, enc.ptr, enc.len, &bad), 0);
		assert_int_equal(dec.len, n);
		assert_memory_equal(dec.ptr, in, n);
		buf_reset(&enc);
		buf_reset(&dec);
		sprig_enc_b32_encode(&enc, in, n);
		assert_int_equal(enc.len, (n + 4) / 5 * 8);
		assert_int_equal(sprig_enc_b32_decode(&dec, enc.ptr, enc.len, &bad), 0);
		assert_int_equal(dec.len, n);
		assert_memory_equal(dec.ptr, in, n);
		buf_release(&enc);
		buf_release(&dec);
	}
}

static void test_sprig_encoding__base_decoders_any_bytes(void **state)
{
	static const char alphabet[] = "AZaz09+/=\n\r MY27-_!";
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		char in[24];
		size_t n = S_next() % sizeof(in), i;
		struct buf dec = BUF_INIT;
		int64_t bad = -1;

		for (i = 0; i < n; i++)
			in[i] = round % 3 ? alphabet[S_next() % (sizeof(alphabet) - 1)]
					  : (char)S_next();
		if (sprig_enc_b64_decode(&dec, in, n, &bad) < 0)
			assert_true(bad >= 0 && (size_t)bad <= n);
		else
			assert_true(dec.len <= n);
		buf_reset(&dec);
		bad = -1;
		if (sprig_enc_b32_decode(&dec, in, n, &bad) < 0)
			assert_true(bad >= 0 && (size_t)bad <= n);
		else
			assert_true(dec.len <= n);
		buf_release(&dec);
	}
}

/* decode(text) = v implies decode(value_to_json(v)) = v. */
static void S_json_stable(const char *text, size_t n)
{
	struct buf err = BUF_INIT, enc = BUF_INIT;
	json_t *v = NULL, *w = NULL;
	int r = sprig_enc_json_decode(&v, text, n, &err);

	if (r == 0) {
		assert_non_null(v);
		assert_int_equal(value_to_json(&enc, v, 0, NULL), 0);
		assert_int_equal(sprig_enc_json_decode(&w, enc.ptr, enc.len, &err), 0);
		assert_true(json_equal(v, w));
	} else {
		assert_int_equal(r, -1);
		assert_true(err.len > 0);
	}
	json_decref(v);
	json_decref(w);
	buf_release(&err);
	buf_release(&enc);
}

static void test_sprig_encoding__json_any_bytes(void **state)
{
	static const char *pieces[] = { "{", "}", "[", "]", ",", ":", "\"a\"", "\"\\u00e9\"",
					"\"\\ud83d\\ude00\"", "1", "-0.5e3", "1e999", "true",
					"null", " ", "\"\xff\"", "\\", "\"", "tru", "0x", "\n" };
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		char in[96];
		size_t n = 0, k = S_next() % 12;

		while (k--) {
			const char *p = pieces[S_next() % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(p);

			if (n + l >= sizeof(in))
				break;
			memcpy(in + n, p, l);
			n += l;
		}
		if (round % 5 == 0 && n) /* and some raw damage */
			in[S_next() % n] = (char)S_next();
		S_json_stable(in, n);
	}
}

static void test_sprig_encoding__json_values(void **state)
{
	struct buf err = BUF_INIT;
	json_t *v = NULL;
	const char doc[] = "{\"a\":[1,2.5,\"x\",null,true,false,{}],\"a\":{\"b\":\"c\\u0000d\"}}";

	(void)state;
	assert_int_equal(sprig_enc_json_decode(&v, doc, sizeof(doc) - 1, &err), 0);
	/* the later duplicate wins, numbers are reals, NUL kept */
	assert_true(json_is_object(json_object_get(v, "a")));
	assert_int_equal(json_string_length(json_object_get(json_object_get(v, "a"), "b")), 3);
	json_decref(v);
	assert_int_equal(sprig_enc_json_decode(&v, "[7]", 3, &err), 0);
	assert_true(json_is_real(json_array_get(v, 0)));
	json_decref(v);
	/* a range error keeps the value, with null where the number was */
	assert_int_equal(sprig_enc_json_decode(&v, "[1e400,2]", 9, &err), -1);
	assert_string_equal(err.ptr, "json: cannot unmarshal number 1e400 into Go value of type float64");
	assert_true(json_is_null(json_array_get(v, 0)));
	assert_true(json_real_value(json_array_get(v, 1)) == 2.0);
	json_decref(v);
	buf_reset(&err);
	/* a syntax error leaves nothing */
	assert_int_equal(sprig_enc_json_decode(&v, "[1e400,x]", 9, &err), -1);
	assert_null(v);
	assert_string_equal(err.ptr, "invalid character 'x' looking for beginning of value");
	buf_release(&err);
}

static void test_sprig_encoding__json_deep(void **state)
{
	size_t depth = 200000, i;
	char *text = malloc(2 * depth);
	struct buf err = BUF_INIT;
	json_t *v = NULL;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < depth; i++) {
		text[i] = '[';
		text[depth + i] = ']';
	}
	/* no recursion: a deep text fails at the limit, not on the stack */
	assert_int_equal(sprig_enc_json_decode(&v, text, 2 * depth, &err), -1);
	assert_null(v);
	assert_string_equal(err.ptr, "invalid character '[' exceeded max depth");
	free(text);
	buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sprig_encoding__base64_roundtrip),
		cmocka_unit_test(test_sprig_encoding__base_decoders_any_bytes),
		cmocka_unit_test(test_sprig_encoding__json_any_bytes),
		cmocka_unit_test(test_sprig_encoding__json_values),
		cmocka_unit_test(test_sprig_encoding__json_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
