/*
 * Sprig's strings functions (Sprig 3.3.0 functions.go, "Strings" and the
 * string slices): Go's strings package, Masterminds/goutils 1.1.1 and
 * huandu/xstrings 1.5.0 as Sprig calls them, byte for byte.
 */
#define _GNU_SOURCE /* memmem, memrchr: linear-time searches */
#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_strings_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No Go limit applies (Go would try to allocate); ours keeps a template
 * from exhausting memory. */
#define S_MAX_OUTPUT ((size_t)1 << 28)
/* Go's largest allocation on linux/amd64: a longer Repeat panics in make. */
#define S_GO_MAX_ALLOC ((uint64_t)1 << 48)

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

/* The string of argument i ('s' arguments are TV_STRING). */
static const char *S_str(const struct tval *argv, int i, size_t *len)
{
	const char *s = tval_str_ptr(&argv[i], len);

	if (!s) {
		*len = 0;
		return "";
	}
	return s;
}

/* Finishes a call whose result was built in b: a Go string. */
static int S_done_str(struct tval *out, struct tmpl_call *call, struct buf *b)
{
	if (buf_oom(b)) {
		buf_release(b);
		return tmpl_call_errorf(call, "out of memory");
	}
	*out = tval_strn(b->ptr, b->len);
	buf_release(b);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
}

static int S_ret_strn(struct tval *out, struct tmpl_call *call, const char *s, size_t len)
{
	*out = tval_strn(s, len);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
}

static int S_hello(S_ARGS)
{
	return S_ret_strn(out, call, "Hello!", 6);
}

/* goutils.AbbreviateFull, whose errors Sprig drops (giving ""). */
static void S_abbreviate_full(struct buf *b, const char *s, size_t len, int64_t offset,
			      int64_t width)
{
	int64_t n = (int64_t)len;

	if (len == 0 || width < 4)
		return;
	if (n <= width) {
		buf_add(b, s, len);
		return;
	}
	if (offset > n)
		offset = n;
	/* Go's ints wrap: a hugely negative offset makes n - offset negative */
	if ((int64_t)((uint64_t)n - (uint64_t)offset) < width - 3)
		offset = n - (width - 3);
	if (offset <= 4) {
		buf_add(b, s, (size_t)(width - 3));
		buf_adds(b, "...");
		return;
	}
	if (width < 7)
		return;
	if (offset + width - 3 < n) {
		buf_adds(b, "...");
		S_abbreviate_full(b, s + offset, (size_t)(n - offset), 0, width - 3);
		return;
	}
	buf_adds(b, "...");
	buf_add(b, s + (n - (width - 3)), (size_t)(width - 3));
}

static int S_abbrev(S_ARGS)
{
	int64_t width = argv[0].u.i;
	size_t len;
	const char *s = S_str(argv, 1, &len);
	struct buf b = BUF_INIT;

	if (width < 4)
		return S_ret_strn(out, call, s, len);
	S_abbreviate_full(&b, s, len, 0, width);
	return S_done_str(out, call, &b);
}

static int S_abbrevboth(S_ARGS)
{
	int64_t left = argv[0].u.i, right = argv[1].u.i;
	size_t len;
	const char *s = S_str(argv, 2, &len);
	struct buf b = BUF_INIT;

	if (right < 4 || (left > 0 && right < 7))
		return S_ret_strn(out, call, s, len);
	S_abbreviate_full(&b, s, len, left, right);
	return S_done_str(out, call, &b);
}

static int S_trunc(S_ARGS)
{
	int64_t c = argv[0].u.i;
	size_t len;
	const char *s = S_str(argv, 1, &len);
	int64_t n = (int64_t)len;

	if (c < 0 && n + c > 0)
		return S_ret_strn(out, call, s + (n + c), (size_t)-c);
	if (c >= 0 && n > c)
		return S_ret_strn(out, call, s, (size_t)c);
	return S_ret_strn(out, call, s, len);
}

static int S_trim(S_ARGS)
{
	size_t len, w, start = 0, end;
	const char *s = S_str(argv, 0, &len);

	while (start < len) {
		int32_t r = sprigu_decode(s + start, len - start, &w);

		if (!sprigu_is_space(r))
			break;
		start += w;
	}
	end = len;
	while (end > start) {
		size_t k;
		int32_t r = sprigu_decode_last(s, start, end, &k);

		if (!sprigu_is_space(r))
			break;
		end = k;
	}
	return S_ret_strn(out, call, s + start, end - start);
}

/* strings.Map over the runes of s (invalid bytes read as U+FFFD). */
static int S_map(struct tval *out, struct tmpl_call *call, const char *s, size_t len,
		 int32_t (*fn)(int32_t))
{
	struct buf b = BUF_INIT;
	size_t i = 0, w;

	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		sprigu_put_rune(&b, fn(r));
		i += w;
	}
	return S_done_str(out, call, &b);
}

static int S_upper(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);

	return S_map(out, call, s, len, sprigu_to_upper);
}

static int S_lower(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);

	return S_map(out, call, s, len, sprigu_to_lower);
}

/* strings.Title's isSeparator. */
static int S_is_separator(int32_t r)
{
	if (r <= 0x7F) {
		if ((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
		    r == '_')
			return 0;
		return 1;
	}
	if (sprigu_is_letter(r) || sprigu_is_digit(r))
		return 0;
	return sprigu_is_space(r);
}

static int S_title(S_ARGS)
{
	size_t len, i = 0, w;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	int32_t prev = ' ';

	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		sprigu_put_rune(&b, S_is_separator(prev) ? sprigu_to_title(r) : r);
		prev = r;
		i += w;
	}
	return S_done_str(out, call, &b);
}

/* goutils.Uncapitalize with whitespace delimiters. */
static int S_untitle(S_ARGS)
{
	size_t len, i = 0, w;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	int next = 1;

	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		if (sprigu_is_space(r)) {
			next = 1;
		} else if (next) {
			r = sprigu_to_lower(r);
			next = 0;
		}
		sprigu_put_rune(&b, r);
		i += w;
	}
	return S_done_str(out, call, &b);
}

static int S_substr(S_ARGS)
{
	int64_t start = argv[0].u.i, end = argv[1].u.i;
	size_t len;
	const char *s = S_str(argv, 2, &len);
	int64_t n = (int64_t)len;

	if (start < 0) {
		if (end < 0)
			return tmpl_call_errorf(call, "runtime error: slice bounds out of range [:%lld]",
						(long long)end);
		if (end > n)
			return tmpl_call_errorf(call,
						"runtime error: slice bounds out of range [:%lld] with length %lld",
						(long long)end, (long long)n);
		return S_ret_strn(out, call, s, (size_t)end);
	}
	if (end < 0 || end > n) {
		if (start > n)
			return tmpl_call_errorf(call, "runtime error: slice bounds out of range [%lld:%lld]",
						(long long)start, (long long)n);
		return S_ret_strn(out, call, s + start, (size_t)(n - start));
	}
	if (start > end)
		return tmpl_call_errorf(call, "runtime error: slice bounds out of range [%lld:%lld]",
					(long long)start, (long long)end);
	return S_ret_strn(out, call, s + start, (size_t)(end - start));
}

/* strings.Repeat, with its panics. */
static int S_repeat_into(struct buf *b, struct tmpl_call *call, const char *s, size_t len,
			 int64_t count)
{
	if (count == 0)
		return 0;
	if (count < 0)
		return tmpl_call_errorf(call, "strings: negative Repeat count");
	if (len == 0)
		return 0;
	if (len && (uint64_t)count > (uint64_t)INT64_MAX / len)
		return tmpl_call_errorf(call, "strings: Repeat output length overflow");
	if (len * (uint64_t)count > S_GO_MAX_ALLOC)
		return tmpl_call_errorf(call, "runtime error: makeslice: len out of range");
	if (len * (uint64_t)count > S_MAX_OUTPUT)
		return tmpl_call_errorf(call, "output of %lld bytes is over the limit of %zu bytes",
					(long long)(len * (uint64_t)count), S_MAX_OUTPUT);
	if (buf_grow(b, len * (size_t)count) < 0)
		return tmpl_call_errorf(call, "out of memory");
	for (int64_t i = 0; i < count; i++)
		buf_add(b, s, len);
	return 0;
}

static int S_repeat(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 1, &len);
	struct buf b = BUF_INIT;
	int error;

	if ((error = S_repeat_into(&b, call, s, len, argv[0].u.i)) < 0) {
		buf_release(&b);
		return error;
	}
	return S_done_str(out, call, &b);
}

static int S_cmp_rune(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* The runes of cutset, sorted (an invalid byte reads as U+FFFD, which is
 * how Go's ContainsRune matches them). New array of *n runes; NULL on
 * allocation failure. */
static int32_t *S_cutset(const char *cut, size_t cutlen, size_t *n)
{
	int32_t *set = malloc((cutlen ? cutlen : 1) * sizeof(*set));
	size_t i = 0, w, k = 0;

	if (!set)
		return NULL;
	while (i < cutlen) {
		set[k++] = sprigu_decode(cut + i, cutlen - i, &w);
		i += w;
	}
	qsort(set, k, sizeof(*set), S_cmp_rune);
	*n = k;
	return set;
}

static int S_in_cutset(const int32_t *set, size_t n, int32_t r)
{
	return bsearch(&r, set, n, sizeof(*set), S_cmp_rune) != NULL;
}

/* strings.Trim(s, cutset). */
static int S_trimall(S_ARGS)
{
	size_t cutlen, len, start = 0, end, w, n;
	const char *cut = S_str(argv, 0, &cutlen);
	const char *s = S_str(argv, 1, &len);
	int32_t *set;
	int error;

	if (len == 0 || cutlen == 0)
		return S_ret_strn(out, call, s, len);
	set = S_cutset(cut, cutlen, &n);
	if (!set)
		return tmpl_call_errorf(call, "out of memory");
	while (start < len) {
		int32_t r = sprigu_decode(s + start, len - start, &w);

		if (!S_in_cutset(set, n, r))
			break;
		start += w;
	}
	end = len;
	while (end > start) {
		size_t k;
		int32_t r = sprigu_decode_last(s, start, end, &k);

		if (!S_in_cutset(set, n, r))
			break;
		end = k;
	}
	error = S_ret_strn(out, call, s + start, end - start);
	free(set);
	return error;
}

static int S_trim_suffix(S_ARGS)
{
	size_t xlen, len;
	const char *x = S_str(argv, 0, &xlen);
	const char *s = S_str(argv, 1, &len);

	if (xlen <= len && memcmp(s + len - xlen, x, xlen) == 0)
		len -= xlen;
	return S_ret_strn(out, call, s, len);
}

static int S_trim_prefix(S_ARGS)
{
	size_t xlen, len;
	const char *x = S_str(argv, 0, &xlen);
	const char *s = S_str(argv, 1, &len);

	if (xlen <= len && memcmp(s, x, xlen) == 0)
		return S_ret_strn(out, call, s + xlen, len - xlen);
	return S_ret_strn(out, call, s, len);
}

/* goutils works byte by byte and writes each kept byte as a rune:
 * bytes >= 0x80 come out as two-byte UTF-8 (Latin-1 read). */
static int S_nospace(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	size_t kept = 0;

	for (size_t i = 0; i < len; i++) {
		int32_t c = (unsigned char)s[i];

		if (!sprigu_is_space(c)) {
			sprigu_put_rune(&b, c);
			kept++;
		}
	}
	if (kept == len) {
		buf_release(&b);
		return S_ret_strn(out, call, s, len);
	}
	return S_done_str(out, call, &b);
}

static int S_initials(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	int gap = 1;

	for (size_t i = 0; i < len; i++) {
		int32_t c = (unsigned char)s[i];

		if (sprigu_is_space(c)) {
			gap = 1;
		} else if (gap) {
			sprigu_put_rune(&b, c);
			gap = 0;
		}
	}
	return S_done_str(out, call, &b);
}

/* goutils.SwapCase. */
static int S_swapcase(S_ARGS)
{
	size_t len, i = 0, w;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	int white = 1;

	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		if (sprigu_is_upper(r) || sprigu_is_title(r)) {
			r = sprigu_to_lower(r);
			white = 0;
		} else if (sprigu_is_lower(r)) {
			if (white) {
				r = sprigu_to_title(r);
				white = 0;
			} else {
				r = sprigu_to_upper(r);
			}
		} else {
			white = sprigu_is_space(r);
		}
		sprigu_put_rune(&b, r);
		i += w;
	}
	return S_done_str(out, call, &b);
}

/* --- xstrings 1.5.0: ToSnakeCase, ToKebabCase, ToPascalCase --- */

enum S_word {
	S_W_INVALID,
	S_W_NUMBER,
	S_W_UPPER,
	S_W_ALPHA,
	S_W_CONNECTOR,
	S_W_PUNCT,
	S_W_OTHER
};

static int S_is_connector(int32_t r)
{
	return r == '-' || r == '_' || sprigu_is_space(r);
}

static int S_is_alphabet(int32_t r)
{
	if (!sprigu_is_letter(r))
		return 0;
	if (r < 0x3400)
		return 1;
	if ((r >= 0x4E00 && r <= 0x9FCC) || (r >= 0x3400 && r <= 0x4D85) ||
	    (r >= 0x20000 && r <= 0x2B81D))
		return 0;
	return 1;
}

/* xstrings' nextValidRune: skips invalid runes (and U+FFFD). */
static int32_t S_next_valid(const char *s, size_t len, int32_t prev, size_t *size)
{
	size_t i = 0, w;

	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		i += w;
		if (r != SPRIGU_RUNE_ERROR) {
			*size = i;
			return r;
		}
	}
	*size = i;
	return prev;
}

/* xstrings' nextWord: the kind and length of the word at s; the rest
 * starts at s + *wlen_out unless *rest_out says otherwise. */
static enum S_word S_next_word(const char *s, size_t len, size_t *wlen_out, size_t *rest_out)
{
	size_t offset = 0, size, rem;
	int32_t r;
	enum S_word wt;

	*wlen_out = *rest_out = 0;
	if (len == 0)
		return S_W_INVALID;
	r = S_next_valid(s, len, SPRIGU_RUNE_ERROR, &size);
	offset += size;
	rem = 0; /* remaining starts at s + rem */
	if (r == SPRIGU_RUNE_ERROR) {
		*wlen_out = offset;
		*rest_out = offset;
		return S_W_INVALID;
	}
	if (S_is_connector(r)) {
		wt = S_W_CONNECTOR;
		rem += size;
		while (rem < len) {
			r = S_next_valid(s + rem, len - rem, r, &size);
			if (!S_is_connector(r))
				break;
			offset += size;
			rem += size;
		}
	} else if (sprigu_is_punct(r)) {
		wt = S_W_PUNCT;
		rem += size;
		while (rem < len) {
			r = S_next_valid(s + rem, len - rem, r, &size);
			if (!sprigu_is_punct(r))
				break;
			offset += size;
			rem += size;
		}
	} else if (sprigu_is_upper(r)) {
		wt = S_W_UPPER;
		rem += size;
		if (rem < len) {
			r = S_next_valid(s + rem, len - rem, r, &size);
			if (sprigu_is_upper(r)) {
				size_t prev_size = size;

				offset += size;
				rem += size;
				while (rem < len) {
					r = S_next_valid(s + rem, len - rem, r, &size);
					if (!sprigu_is_upper(r))
						break;
					prev_size = size;
					offset += size;
					rem += size;
				}
				if (rem < len && S_is_alphabet(r)) {
					offset -= prev_size;
					rem = offset;
				}
			} else if (S_is_alphabet(r)) {
				offset += size;
				rem += size;
				while (rem < len) {
					r = S_next_valid(s + rem, len - rem, r, &size);
					if (!S_is_alphabet(r) || sprigu_is_upper(r))
						break;
					offset += size;
					rem += size;
				}
			}
		}
	} else if (S_is_alphabet(r)) {
		wt = S_W_ALPHA;
		rem += size;
		while (rem < len) {
			r = S_next_valid(s + rem, len - rem, r, &size);
			if (!S_is_alphabet(r) || sprigu_is_upper(r))
				break;
			offset += size;
			rem += size;
		}
	} else if (sprigu_is_number(r)) {
		wt = S_W_NUMBER;
		rem += size;
		while (rem < len) {
			r = S_next_valid(s + rem, len - rem, r, &size);
			if (!sprigu_is_number(r))
				break;
			offset += size;
			rem += size;
		}
	} else {
		wt = S_W_OTHER;
		rem += size;
		while (rem < len) {
			r = S_next_valid(s + rem, len - rem, r, &size);
			if (size == 0 || S_is_connector(r) || S_is_alphabet(r) ||
			    sprigu_is_number(r) || sprigu_is_punct(r))
				break;
			offset += size;
			rem += size;
		}
	}
	*wlen_out = offset;
	*rest_out = rem;
	return wt;
}

static void S_word_lower(struct buf *b, enum S_word wt, const char *s, size_t len, int32_t conn)
{
	size_t i = 0, w;

	if (wt != S_W_UPPER && wt != S_W_CONNECTOR) {
		buf_add(b, s, len);
		return;
	}
	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		i += w;
		if (S_is_connector(r))
			sprigu_put_rune(b, conn);
		else if (sprigu_is_upper(r))
			sprigu_put_rune(b, sprigu_to_lower(r));
		else
			sprigu_put_rune(b, r);
	}
}

/* A cursor over the words of a string, as xstrings' (wt, word, remaining). */
struct S_words {
	const char *s;
	size_t len;
	enum S_word wt;
	const char *word;
	size_t wlen;
	const char *rem;
	size_t remlen;
};

static void S_words_next(struct S_words *w)
{
	size_t wlen, rest;

	w->wt = S_next_word(w->rem, w->remlen, &wlen, &rest);
	w->word = w->rem;
	w->wlen = wlen;
	w->rem += rest;
	w->remlen -= rest;
}

static void S_camel_to_lower(struct buf *b, const char *s, size_t len, int32_t conn)
{
	struct S_words w = { s, len, S_W_INVALID, s, 0, s, len };

	if (len == 0)
		return;
	S_words_next(&w);
	while (w.remlen > 0) {
		enum S_word prev = w.wt;
		const char *last = w.word;
		size_t lastlen = w.wlen;

		if (w.wt != S_W_CONNECTOR)
			S_word_lower(b, w.wt, w.word, w.wlen, conn);
		S_words_next(&w);
		switch (prev) {
		case S_W_NUMBER:
			while (w.wt == S_W_ALPHA || w.wt == S_W_NUMBER) {
				S_word_lower(b, w.wt, w.word, w.wlen, conn);
				S_words_next(&w);
			}
			if (w.wt != S_W_INVALID && w.wt != S_W_PUNCT && w.wt != S_W_CONNECTOR)
				sprigu_put_rune(b, conn);
			break;
		case S_W_CONNECTOR:
			S_word_lower(b, prev, last, lastlen, conn);
			break;
		case S_W_PUNCT:
			break;
		default:
			if (w.wt != S_W_NUMBER) {
				if (w.wt != S_W_CONNECTOR && w.wt != S_W_PUNCT)
					sprigu_put_rune(b, conn);
				break;
			}
			if (w.remlen == 0)
				break;
			last = w.word;
			lastlen = w.wlen;
			S_words_next(&w);
			if (w.wt != S_W_ALPHA) {
				S_word_lower(b, S_W_NUMBER, last, lastlen, conn);
				if (w.wt != S_W_CONNECTOR && w.wt != S_W_PUNCT)
					sprigu_put_rune(b, conn);
				break;
			}
			sprigu_put_rune(b, conn);
			S_word_lower(b, S_W_NUMBER, last, lastlen, conn);
			while (w.wt == S_W_ALPHA || w.wt == S_W_NUMBER) {
				S_word_lower(b, w.wt, w.word, w.wlen, conn);
				S_words_next(&w);
			}
			if (w.wt != S_W_INVALID && w.wt != S_W_CONNECTOR && w.wt != S_W_PUNCT)
				sprigu_put_rune(b, conn);
		}
	}
	S_word_lower(b, w.wt, w.word, w.wlen, conn);
}

static int S_snakecase(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;

	S_camel_to_lower(&b, s, len, '_');
	return S_done_str(out, call, &b);
}

static int S_kebabcase(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;

	S_camel_to_lower(&b, s, len, '-');
	return S_done_str(out, call, &b);
}

/* xstrings.ToPascalCase (toCamelCase with isBig). */
static int S_camelcase(S_ARGS)
{
	size_t len, i = 0, size = 0;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	int first_upper = 0;
	int32_t r0 = 0, r1;

	if (len == 0)
		return S_ret_strn(out, call, "", 0);
	while (i < len) {
		r0 = sprigu_decode(s + i, len - i, &size);
		i += size;
		if (!S_is_connector(r0)) {
			first_upper = sprigu_is_upper(r0);
			r0 = sprigu_to_upper(r0);
			break;
		}
		sprigu_put_rune(&b, r0);
	}
	if (i >= len) {
		if (size != 0)
			sprigu_put_rune(&b, r0);
		return S_done_str(out, call, &b);
	}
	while (i < len) {
		r1 = r0;
		r0 = sprigu_decode(s + i, len - i, &size);
		i += size;
		if (S_is_connector(r0) && S_is_connector(r1)) {
			sprigu_put_rune(&b, r1);
			continue;
		}
		if (S_is_connector(r1)) {
			first_upper = sprigu_is_upper(r0);
			r0 = sprigu_to_upper(r0);
		} else {
			if (first_upper) {
				if (sprigu_is_upper(r0))
					r0 = sprigu_to_lower(r0);
				else
					first_upper = 0;
			}
			sprigu_put_rune(&b, r1);
		}
	}
	sprigu_put_rune(&b, r0);
	return S_done_str(out, call, &b);
}

/* goutils.WrapCustom. */
static void S_wrap_custom(struct buf *b, const char *s, size_t len, int64_t wl, const char *nl,
			  size_t nllen, int long_words)
{
	size_t offset = 0;

	if (len == 0)
		return;
	if (nllen == 0) {
		nl = "\n";
		nllen = 1;
	}
	if (wl < 1)
		wl = 1;
	while ((int64_t)(len - offset) > wl) {
		size_t end, at;
		const char *sp;

		if (s[offset] == ' ') {
			offset++;
			continue;
		}
		end = (size_t)wl + offset + 1;
		sp = memrchr(s + offset, ' ', end - offset);
		if (sp) {
			at = (size_t)(sp - s);
			buf_add(b, s + offset, at - offset);
			buf_add(b, nl, nllen);
			offset = at + 1;
		} else if (long_words) {
			buf_add(b, s + offset, (size_t)wl);
			buf_add(b, nl, nllen);
			offset += (size_t)wl;
		} else {
			const char *p;

			end = (size_t)wl + offset;
			p = memchr(s + end, ' ', len - end);
			if (!p) {
				buf_add(b, s + offset, len - offset);
				offset = len;
			} else {
				at = (size_t)(p - s);
				buf_add(b, s + offset, at - offset);
				buf_add(b, nl, nllen);
				offset = at + 1;
			}
		}
		if (b->len > S_MAX_OUTPUT) {
			b->oom = 1;
			return;
		}
	}
	buf_add(b, s + offset, len - offset);
}

static int S_wrap(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 1, &len);
	struct buf b = BUF_INIT;

	S_wrap_custom(&b, s, len, argv[0].u.i, "", 0, 0);
	return S_done_str(out, call, &b);
}

static int S_wrap_with(S_ARGS)
{
	size_t nllen, len;
	const char *nl = S_str(argv, 1, &nllen);
	const char *s = S_str(argv, 2, &len);
	struct buf b = BUF_INIT;

	S_wrap_custom(&b, s, len, argv[0].u.i, nl, nllen, 1);
	return S_done_str(out, call, &b);
}

/* The first x in s, or NULL (Go's strings.Index; "" is found at s). */
static const char *S_find(const char *s, size_t len, const char *x, size_t xlen)
{
	if (xlen == 0)
		return s;
	return memmem(s, len, x, xlen);
}

static int S_contains(S_ARGS)
{
	size_t xlen, len;
	const char *x = S_str(argv, 0, &xlen);
	const char *s = S_str(argv, 1, &len);

	*out = tval_bool(S_find(s, len, x, xlen) != NULL);
	return 0;
}

static int S_has_prefix(S_ARGS)
{
	size_t xlen, len;
	const char *x = S_str(argv, 0, &xlen);
	const char *s = S_str(argv, 1, &len);

	*out = tval_bool(xlen <= len && memcmp(s, x, xlen) == 0);
	return 0;
}

static int S_has_suffix(S_ARGS)
{
	size_t xlen, len;
	const char *x = S_str(argv, 0, &xlen);
	const char *s = S_str(argv, 1, &len);

	*out = tval_bool(xlen <= len && memcmp(s + len - xlen, x, xlen) == 0);
	return 0;
}

static int S_is_nil(const struct tval *v)
{
	return v->kind == TV_NIL || v->kind == TV_INVALID;
}

static int S_quote(S_ARGS)
{
	struct buf b = BUF_INIT, tmp = BUF_INIT;
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (S_is_nil(&argv[i]))
			continue;
		if (n++)
			buf_addch(&b, ' ');
		buf_reset(&tmp);
		if (sprigu_strval(&tmp, call->rt, &argv[i]) < 0)
			b.oom = 1;
		sprigu_quote(&b, tmp.ptr, tmp.len);
	}
	if (tmp.oom)
		b.oom = 1;
	buf_release(&tmp);
	return S_done_str(out, call, &b);
}

static int S_squote(S_ARGS)
{
	struct buf b = BUF_INIT;
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (S_is_nil(&argv[i]))
			continue;
		if (n++)
			buf_addch(&b, ' ');
		buf_addch(&b, '\'');
		if (tval_format(&b, call->rt, &argv[i]) < 0)
			b.oom = 1;
		buf_addch(&b, '\'');
	}
	return S_done_str(out, call, &b);
}

static int S_cat(S_ARGS)
{
	struct buf b = BUF_INIT;
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (S_is_nil(&argv[i]))
			continue;
		if (n++)
			buf_addch(&b, ' ');
		if (tval_format(&b, call->rt, &argv[i]) < 0)
			b.oom = 1;
	}
	return S_done_str(out, call, &b);
}

static int S_indent_into(struct buf *b, struct tmpl_call *call, int64_t spaces, const char *s,
			 size_t len)
{
	size_t lines = 1;

	if (spaces < 0)
		return tmpl_call_errorf(call, "strings: negative Repeat count");
	if ((uint64_t)spaces > S_GO_MAX_ALLOC)
		return tmpl_call_errorf(call, "runtime error: makeslice: len out of range");
	const char *p = s, *end = s + len, *nl;

	for (nl = p; nl < end && (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL; nl++)
		lines++;
	if ((uint64_t)spaces > S_MAX_OUTPUT || (uint64_t)spaces * lines > S_MAX_OUTPUT)
		return tmpl_call_errorf(call, "output of more than %zu bytes is over the limit",
					S_MAX_OUTPUT);
	/* room for all of it at once, then line by line */
	if (buf_grow(b, len + (size_t)spaces * lines) < 0)
		return 0;   /* the caller sees buf_oom */
	buf_addchn(b, ' ', (size_t)spaces);
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		buf_add(b, p, (size_t)(nl - p) + 1);
		buf_addchn(b, ' ', (size_t)spaces);
		p = nl + 1;
	}
	buf_add(b, p, (size_t)(end - p));
	return 0;
}

static int S_indent(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 1, &len);
	struct buf b = BUF_INIT;
	int error;

	if ((error = S_indent_into(&b, call, argv[0].u.i, s, len)) < 0) {
		buf_release(&b);
		return error;
	}
	return S_done_str(out, call, &b);
}

static int S_nindent(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 1, &len);
	struct buf b = BUF_INIT;
	int error;

	buf_addch(&b, '\n');
	if ((error = S_indent_into(&b, call, argv[0].u.i, s, len)) < 0) {
		buf_release(&b);
		return error;
	}
	return S_done_str(out, call, &b);
}

/* strings.Replace(src, old, new, -1). */
static int S_replace(S_ARGS)
{
	size_t olen, nlen, len, i = 0, w;
	const char *old = S_str(argv, 0, &olen);
	const char *new = S_str(argv, 1, &nlen);
	const char *s = S_str(argv, 2, &len);
	struct buf b = BUF_INIT;

	if (olen == nlen && memcmp(old, new, olen) == 0)
		return S_ret_strn(out, call, s, len);
	if (olen == 0) {
		/* new goes before every rune and at the end */
		buf_add(&b, new, nlen);
		while (i < len) {
			sprigu_decode(s + i, len - i, &w);
			buf_add(&b, s + i, w);
			buf_add(&b, new, nlen);
			i += w;
			if (b.len > S_MAX_OUTPUT) {
				buf_release(&b);
				return tmpl_call_errorf(call, "output of more than %zu bytes is over the limit",
							S_MAX_OUTPUT);
			}
		}
		return S_done_str(out, call, &b);
	}
	while (i < len) {
		const char *p = S_find(s + i, len - i, old, olen);

		if (!p)
			break;
		buf_add(&b, s + i, (size_t)(p - (s + i)));
		buf_add(&b, new, nlen);
		i = (size_t)(p - s) + olen;
		if (b.len > S_MAX_OUTPUT) {
			buf_release(&b);
			return tmpl_call_errorf(call, "output of more than %zu bytes is over the limit",
						S_MAX_OUTPUT);
		}
	}
	buf_add(&b, s + i, len - i);
	return S_done_str(out, call, &b);
}

static int S_plural(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, argv[2].u.i == 1 ? 0 : 1, &len);

	return S_ret_strn(out, call, s, len);
}

/*
 * strings.SplitN(s, sep, n) into a json array of strings (n < 0: all).
 * NULL on allocation failure.
 */
static json_t *S_split_n(const char *s, size_t len, const char *sep, size_t seplen, int64_t n)
{
	json_t *a = json_array();
	size_t i = 0, w;

	if (!a || n == 0)
		return a;
	if (seplen == 0) {
		/* explode into runes, the last part taking the rest */
		int64_t count = 0;

		for (size_t k = 0; k < len; k += w, count++)
			sprigu_decode(s + k, len - k, &w);
		if (n < 0 || n > count)
			n = count;
		for (int64_t part = 0; part < n; part++) {
			size_t take = len - i;

			if (part < n - 1) {
				sprigu_decode(s + i, len - i, &w);
				take = w;
			}
			if (json_array_append_new(a, json_stringn_nocheck(s + i, take)) < 0)
				goto fail;
			i += take;
		}
		return a;
	}
	for (int64_t part = 1; n < 0 || part < n; part++) {
		const char *p = S_find(s + i, len - i, sep, seplen);

		if (!p)
			break;
		if (json_array_append_new(a, json_stringn_nocheck(s + i, (size_t)(p - (s + i)))) < 0)
			goto fail;
		i = (size_t)(p - s) + seplen;
	}
	if (json_array_append_new(a, json_stringn_nocheck(s + i, len - i)) < 0)
		goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* Sprig's split result: a map[string]string from "_0", "_1", ... to the
 * parts. */
static int S_parts_map(struct tval *out, struct tmpl_call *call, json_t *parts)
{
	json_t *m = json_object(), *e;
	size_t i;
	char key[32];

	if (!parts || !m)
		goto fail;
	json_array_foreach(parts, i, e) {
		snprintf(key, sizeof(key), "_%zu", i);
		if (json_object_set(m, key, e) < 0)
			goto fail;
	}
	json_decref(parts);
	*out = tval_json_new(TV_STRMAP, m);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
fail:
	json_decref(parts);
	json_decref(m);
	return tmpl_call_errorf(call, "out of memory");
}

static int S_split(S_ARGS)
{
	size_t seplen, len;
	const char *sep = S_str(argv, 0, &seplen);
	const char *s = S_str(argv, 1, &len);

	return S_parts_map(out, call, S_split_n(s, len, sep, seplen, -1));
}

static int S_splitn(S_ARGS)
{
	size_t seplen, len;
	const char *sep = S_str(argv, 0, &seplen);
	const char *s = S_str(argv, 2, &len);

	return S_parts_map(out, call, S_split_n(s, len, sep, seplen, argv[1].u.i));
}

static int S_split_list(S_ARGS)
{
	size_t seplen, len;
	const char *sep = S_str(argv, 0, &seplen);
	const char *s = S_str(argv, 1, &len);
	json_t *a = S_split_n(s, len, sep, seplen, -1);

	if (!a)
		return tmpl_call_errorf(call, "out of memory");
	*out = tval_json_new(TV_STRLIST, a);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	return 0;
}

static int S_join(S_ARGS)
{
	size_t seplen, i;
	const char *sep = S_str(argv, 0, &seplen);
	json_t *a = sprigu_strslice(call->rt, &argv[1]), *e;
	struct buf b = BUF_INIT;

	if (!a)
		return tmpl_call_errorf(call, "out of memory");
	json_array_foreach(a, i, e) {
		if (i)
			buf_add(&b, sep, seplen);
		buf_add(&b, json_string_value(e), json_string_length(e));
	}
	json_decref(a);
	return S_done_str(out, call, &b);
}

static int S_cmp_json_str(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	size_t la = json_string_length(a), lb = json_string_length(b);
	int c = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);

	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

/* NEEDSWORK: Go sorts a []string argument in place (the caller's list
 * changes too); we sort a copy. */
static int S_sort_alpha(S_ARGS)
{
	const struct tval *v = &argv[0];
	json_t *a = NULL, *sorted = NULL;
	json_t **items = NULL;
	size_t n;
	struct buf b = BUF_INIT;

	if (tval_is_array(v) || v->kind == TV_BYTES ||
	    (v->kind == TV_OBJECT && !strcmp(v->u.o->type->go_kind, "slice"))) {
		a = sprigu_strslice(call->rt, v);
		if (!a)
			goto oom;
	} else {
		if (sprigu_strval(&b, call->rt, v) < 0 || buf_oom(&b))
			goto oom;
		a = json_array();
		if (!a || json_array_append_new(a, json_stringn_nocheck(b.ptr, b.len)) < 0)
			goto oom;
	}
	n = json_array_size(a);
	items = calloc(n ? n : 1, sizeof(*items));
	sorted = json_array();
	if (!items || !sorted)
		goto oom;
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(a, i);
	qsort(items, n, sizeof(*items), S_cmp_json_str);
	for (size_t i = 0; i < n; i++)
		if (json_array_append(sorted, items[i]) < 0)
			goto oom;
	free(items);
	json_decref(a);
	buf_release(&b);
	*out = tval_json_new(TV_STRLIST, sorted);
	if (out->kind == TV_INVALID)
		return tmpl_call_errorf(call, "out of memory");
	tval_set_cap(out, sprigu_strslice_cap(v, json_array_size(out->u.j)));
	return 0;
oom:
	free(items);
	json_decref(a);
	json_decref(sorted);
	buf_release(&b);
	return tmpl_call_errorf(call, "out of memory");
}

static const struct tmpl_func S_funcs[] = {
	{ "hello", S_hello, "", TMPL_FN_NOERR, NULL },
	{ "abbrev", S_abbrev, "is", TMPL_FN_NOERR, NULL },
	{ "abbrevboth", S_abbrevboth, "iis", TMPL_FN_NOERR, NULL },
	{ "trunc", S_trunc, "is", TMPL_FN_NOERR, NULL },
	{ "trim", S_trim, "s", TMPL_FN_NOERR, NULL },
	{ "upper", S_upper, "s", TMPL_FN_NOERR, NULL },
	{ "lower", S_lower, "s", TMPL_FN_NOERR, NULL },
	{ "title", S_title, "s", TMPL_FN_NOERR, NULL },
	{ "untitle", S_untitle, "s", TMPL_FN_NOERR, NULL },
	{ "substr", S_substr, "iis", TMPL_FN_NOERR, NULL },
	{ "repeat", S_repeat, "is", TMPL_FN_NOERR, NULL },
	{ "trimall", S_trimall, "ss", TMPL_FN_NOERR, NULL },
	{ "trimAll", S_trimall, "ss", TMPL_FN_NOERR, NULL },
	{ "trimSuffix", S_trim_suffix, "ss", TMPL_FN_NOERR, NULL },
	{ "trimPrefix", S_trim_prefix, "ss", TMPL_FN_NOERR, NULL },
	{ "nospace", S_nospace, "s", TMPL_FN_NOERR, NULL },
	{ "initials", S_initials, "s", TMPL_FN_NOERR, NULL },
	{ "swapcase", S_swapcase, "s", TMPL_FN_NOERR, NULL },
	{ "snakecase", S_snakecase, "s", TMPL_FN_NOERR, NULL },
	{ "camelcase", S_camelcase, "s", TMPL_FN_NOERR, NULL },
	{ "kebabcase", S_kebabcase, "s", TMPL_FN_NOERR, NULL },
	{ "wrap", S_wrap, "is", TMPL_FN_NOERR, NULL },
	{ "wrapWith", S_wrap_with, "iss", TMPL_FN_NOERR, NULL },
	{ "contains", S_contains, "ss", TMPL_FN_NOERR, NULL },
	{ "hasPrefix", S_has_prefix, "ss", TMPL_FN_NOERR, NULL },
	{ "hasSuffix", S_has_suffix, "ss", TMPL_FN_NOERR, NULL },
	{ "quote", S_quote, "v*", TMPL_FN_NOERR, NULL },
	{ "squote", S_squote, "v*", TMPL_FN_NOERR, NULL },
	{ "cat", S_cat, "v*", TMPL_FN_NOERR, NULL },
	{ "indent", S_indent, "is", TMPL_FN_NOERR, NULL },
	{ "nindent", S_nindent, "is", TMPL_FN_NOERR, NULL },
	{ "replace", S_replace, "sss", TMPL_FN_NOERR, NULL },
	{ "plural", S_plural, "ssi", TMPL_FN_NOERR, NULL },
	{ "split", S_split, "ss", TMPL_FN_NOERR, NULL },
	{ "splitList", S_split_list, "ss", TMPL_FN_NOERR, NULL },
	{ "splitn", S_splitn, "sis", TMPL_FN_NOERR, NULL },
	{ "join", S_join, "sv", TMPL_FN_NOERR, NULL },
	{ "sortAlpha", S_sort_alpha, "v", TMPL_FN_NOERR, NULL },
};

int sprig_strings_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
