/*
 * Helpers of the encoding, crypto and random Sprig families
 * (render/tmpl/sprig_encoding.c, sprig_crypto.c, sprig_random.c): Go's
 * encoding/base64, encoding/base32, encoding/json decoding and
 * golang.org/x/crypto/bcrypt, as Sprig 3.3.0 calls them.
 *
 * All append to a caller-owned struct buf; a failed allocation shows as
 * buf_oom(out) (the return value says so too, where there is one).
 */
#ifndef HYDRATE_TMPL_SPRIG_ENCODING_UTIL_H
#define HYDRATE_TMPL_SPRIG_ENCODING_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct buf;

/*
 * utf8.DecodeRune: the rune at p (n > 0 bytes) and its width in *w; an
 * invalid or short sequence gives -1 with width 1 (Go's RuneError, 1).
 */
int32_t sprig_enc_utf8_rune(const unsigned char *p, size_t n, int *w);
/* utf8.Valid. */
int sprig_enc_utf8_valid(const char *s, size_t n);

/* base64.StdEncoding.EncodeToString. */
void sprig_enc_b64_encode(struct buf *out, const void *p, size_t n);
/*
 * base64.StdEncoding.DecodeString: appends the decoded bytes and returns
 * 0, or returns -1 and sets *bad_out to Go's CorruptInputError offset
 * ("illegal base64 data at input byte N"); then what was appended is
 * unspecified.
 */
int sprig_enc_b64_decode(struct buf *out, const char *s, size_t n, int64_t *bad_out);
/* base32.StdEncoding.EncodeToString. */
void sprig_enc_b32_encode(struct buf *out, const void *p, size_t n);
/* base32.StdEncoding.DecodeString; errors as sprig_enc_b64_decode
 * ("illegal base32 data at input byte N"). */
int sprig_enc_b32_decode(struct buf *out, const char *s, size_t n, int64_t *bad_out);

/*
 * json.Unmarshal(s, &v) with v an interface {}: objects become json
 * objects, arrays json arrays, numbers json reals (float64), strings
 * (invalid UTF-8 and lone surrogates as U+FFFD), true, false, null.
 *
 * Returns 0 with *out set (new); or -1 with Go's error text in err and
 * *out set to what Go's v holds then: NULL after a syntax error (v stays
 * nil), or the value with null for each number float64 cannot hold
 * ("json: cannot unmarshal number 1e999 into Go value of type float64").
 * Returns DIAG_ENOMEM (and *out NULL) when memory runs out.
 */
int sprig_enc_json_decode(json_t **out, const char *s, size_t n, struct buf *err);

/*
 * bcrypt.GenerateFromPassword with the given 16-byte salt and cost (4..31):
 * appends "$2a$" cost "$" salt hash (60 bytes). As Go, only the first 72
 * bytes of the password count. Returns 0, or -1 if the cost is out of range.
 */
int sprig_enc_bcrypt(struct buf *out, const void *pw, size_t pwlen, int cost,
		     const unsigned char salt[16]);

/* bcrypt's own base64 (alphabet "./A-Za-z0-9", no padding). */
void sprig_enc_bcrypt_b64(struct buf *out, const unsigned char *p, size_t n);

struct tmpl_call;
struct tval;

/*
 * The plain data Go's json.Marshal sees in v (the engine's boxes replaced
 * by what their Go types marshal to: time.Time as RFC 3339 text, []byte as
 * base64, semver and certificates as Go prints them ...). 0 with *out
 * (new); -1 with Go's marshal error in err (NaN, Inf, ...); DIAG_ENOMEM.
 * Sprig's toJson family and Helm's toJson/toYaml/toToml share it.
 */
int sprig_enc_plain(json_t **out, struct tmpl_call *call, const struct tval *v, struct buf *err);

#endif
