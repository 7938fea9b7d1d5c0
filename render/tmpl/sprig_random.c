/*
 * Sprig's random functions (Sprig 3.3.0): randAlphaNum, randAlpha,
 * randNumeric, randAscii (Masterminds/goutils 1.1.1 CryptoRandom*),
 * randBytes, randInt, uuidv4 (google/uuid), shuffle (huandu/xstrings),
 * and getHostByName as Helm 4.1 gives it without DNS.
 *
 * Randomness comes from the kernel (getrandom(2), as Go's crypto/rand),
 * for the math/rand users (randInt, shuffle) too: only the distribution is
 * Go's. Not OpenSSL's RAND_bytes: its first call sets up providers and a
 * DRBG, ~8 million instructions, a third of a typical chart's render.
 */
#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_encoding_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

/* Go would try to allocate any count; ours keeps a template from
 * exhausting memory. */
#define S_MAX_COUNT ((int64_t)1 << 26)

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

/* Fills p with len bytes from the kernel. Returns 0 or -1 (no randomness). */
static int S_random_bytes(unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Random 64-bit words, drawn from the kernel 32 at a time: per thread, as
 * renders run on a thread pool. */
static _Thread_local uint64_t S_pool[32];
static _Thread_local size_t S_pool_left;

static int S_random_u64(uint64_t *out)
{
	if (S_pool_left == 0) {
		if (S_random_bytes((unsigned char *)S_pool, sizeof(S_pool)) < 0)
			return -1;
		S_pool_left = sizeof(S_pool) / sizeof(S_pool[0]);
	}
	*out = S_pool[--S_pool_left];
	S_pool[S_pool_left] = 0;
	return 0;
}

/* A uniform integer in [0, n), n > 0. Returns 0 or -1 (no randomness). */
static int S_uniform(uint64_t *out, uint64_t n)
{
	uint64_t v, limit = UINT64_MAX - UINT64_MAX % n;

	do {
		if (S_random_u64(&v) < 0)
			return -1;
	} while (v >= limit);
	*out = v % n;
	return 0;
}

/*
 * goutils.CryptoRandom over the ASCII range it draws from here: count
 * characters of [lo, hi] that pass the filter. A negative count is
 * goutils' error, which Sprig drops: "".
 */
static int S_random_string(struct tval *out, struct tmpl_call *call, int64_t count,
			   const char *alphabet)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(alphabet);
	int64_t i;

	if (count > S_MAX_COUNT)
		return tmpl_call_errorf(call, "random string length %lld is too large",
					(long long)count);
	for (i = 0; i < count; i++) {
		uint64_t k;

		if (S_uniform(&k, n) < 0) {
			buf_release(&b);
			return tmpl_call_errorf(call, "no randomness available");
		}
		buf_addch(&b, alphabet[k]);
	}
	return S_done_str(out, call, &b);
}

static const char S_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char S_alnum[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char S_digits[] = "0123456789";
static const char S_ascii[] =
	" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
	"abcdefghijklmnopqrstuvwxyz{|}~";

/*
 * goutils draws from [' ', 'z'] and keeps what unicode.IsLetter or IsDigit
 * accepts: every kept character is equally likely, as here.
 */
static int S_rand_alnum(S_ARGS)
{
	(void)argc;
	return S_random_string(out, call, argv[0].u.i, call->payload);
}

/* randBytes: count crypto/rand bytes, base64. make([]byte, count) panics
 * on a negative count. */
static int S_rand_bytes(S_ARGS)
{
	int64_t count = argv[0].u.i;
	struct buf b = BUF_INIT;
	unsigned char *p;

	(void)argc;
	if (count < 0)
		return tmpl_call_errorf(call, "runtime error: makeslice: len out of range");
	if (count > S_MAX_COUNT)
		return tmpl_call_errorf(call, "random byte count %lld is too large",
					(long long)count);
	p = malloc(count ? (size_t)count : 1);
	if (!p)
		return tmpl_call_errorf(call, "out of memory");
	if (S_random_bytes(p, (size_t)count) < 0) {
		free(p);
		return tmpl_call_errorf(call, "no randomness available");
	}
	sprig_enc_b64_encode(&b, p, (size_t)count);
	free(p);
	return S_done_str(out, call, &b);
}

/* randInt: rand.Intn(max-min) + min, an int. Intn panics unless n > 0. */
static int S_rand_int(S_ARGS)
{
	int64_t min = argv[0].u.i, max = argv[1].u.i;
	uint64_t n = (uint64_t)max - (uint64_t)min, k;

	(void)argc;
	/* Go's int subtraction wraps: the difference is what Intn sees */
	if ((int64_t)n <= 0)
		return tmpl_call_errorf(call, "invalid argument to Intn");
	if (S_uniform(&k, n) < 0)
		return tmpl_call_errorf(call, "no randomness available");
	*out = tval_int((int64_t)(k + (uint64_t)min));
	return 0;
}

/* uuid.New().String(): version 4, RFC 4122 variant, lower-case hex. */
static int S_uuidv4(S_ARGS)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char u[16];
	struct buf b = BUF_INIT;
	int i;

	(void)argc;
	(void)argv;
	if (S_random_bytes(u, sizeof(u)) < 0)
		return tmpl_call_errorf(call, "no randomness available");
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf_addch(&b, '-');
		buf_addch(&b, hex[u[i] >> 4]);
		buf_addch(&b, hex[u[i] & 15]);
	}
	return S_done_str(out, call, &b);
}

struct S_rune {
	size_t off, len;
	int valid;
};

/* xstrings.Shuffle: a Fisher-Yates shuffle of the string's runes
 * ([]rune(s): each invalid byte becomes U+FFFD). */
static int S_shuffle(S_ARGS)
{
	size_t len, nr = 0, i, pos;
	const char *s = tval_str_ptr(&argv[0], &len);
	struct S_rune *r = NULL;
	struct buf b = BUF_INIT;

	(void)argc;
	if (!s || len == 0) {
		*out = tval_str("");
		return out->kind == TV_INVALID ? tmpl_call_errorf(call, "out of memory") : 0;
	}
	r = malloc(len * sizeof(*r));
	if (!r)
		return tmpl_call_errorf(call, "out of memory");
	for (pos = 0; pos < len; nr++) {
		int w;

		r[nr].off = pos;
		r[nr].valid = sprig_enc_utf8_rune((const unsigned char *)s + pos, len - pos, &w) >= 0;
		r[nr].len = (size_t)w;
		pos += r[nr].len;
	}
	for (i = nr - 1; i > 0; i--) {
		uint64_t k;

		if (S_uniform(&k, (uint64_t)i + 1) < 0) {
			free(r);
			return tmpl_call_errorf(call, "no randomness available");
		}
		if (k != i) {
			struct S_rune t = r[i];
			r[i] = r[k];
			r[k] = t;
		}
	}
	for (i = 0; i < nr; i++) {
		if (r[i].valid)
			buf_add(&b, s + r[i].off, r[i].len);
		else
			buf_adds(&b, "\xef\xbf\xbd");
	}
	free(r);
	return S_done_str(out, call, &b);
}

/*
 * getHostByName: Helm 4.1 (pkg/engine/engine.go) replaces Sprig's DNS
 * lookup with one returning "" unless --enable-dns is given, and hydrate
 * renders without network access.
 */
static int S_get_host_by_name(S_ARGS)
{
	(void)argc;
	(void)argv;
	*out = tval_str("");
	return out->kind == TV_INVALID ? tmpl_call_errorf(call, "out of memory") : 0;
}

static const struct tmpl_func S_funcs[] = {
	{ "randAlphaNum", S_rand_alnum, "i", TMPL_FN_NOERR, (void *)S_alnum },
	{ "randAlpha", S_rand_alnum, "i", TMPL_FN_NOERR, (void *)S_alpha },
	{ "randAscii", S_rand_alnum, "i", TMPL_FN_NOERR, (void *)S_ascii },
	{ "randNumeric", S_rand_alnum, "i", TMPL_FN_NOERR, (void *)S_digits },
	{ "randBytes", S_rand_bytes, "i", 0, NULL },
	{ "randInt", S_rand_int, "ii", TMPL_FN_NOERR, NULL },
	{ "uuidv4", S_uuidv4, "", TMPL_FN_NOERR, NULL },
	{ "shuffle", S_shuffle, "s", TMPL_FN_NOERR, NULL },
	{ "getHostByName", S_get_host_by_name, "s", TMPL_FN_NOERR, NULL },
};

int sprig_random_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
