/*
 * Sprig's crypto functions (Sprig 3.3.0 crypto.go) on OpenSSL libcrypto
 * 3.0: sha1sum, sha256sum, sha512sum, adler32sum, bcrypt, htpasswd,
 * derivePassword, genPrivateKey, buildCustomCert, genCA, genCAWithKey,
 * genSelfSignedCert(WithKey), genSignedCert(WithKey), encryptAES,
 * decryptAES.
 *
 * Certificates are made as Go 1.25's x509.CreateCertificate makes them
 * from Sprig's template: v3, a random 128-bit serial, CN-only subject
 * (PrintableString when Go would choose it), NotBefore now, NotAfter now
 * plus days (Go's wrapping time.Duration arithmetic), critical key usage,
 * server+client extended key usage, critical basic constraints, a subject
 * key id for CAs (truncated SHA-256 of the key bits, as Go 1.25), an
 * authority key id from the parent's, then the SANs (DNS names, then
 * IPs), signed with SHA-256 (RSA, P-256), SHA-384 / SHA-512 (P-384 /
 * P-521) or pure Ed25519.
 *
 * Sprig's certificate value (a Go struct with Cert and Key fields) is a
 * host object whose storage is kept alive by the execution's box table:
 * see S_cert_new.
 */
#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_encoding_util.h"
#include "render/tmpl/tmpl.h"

/* sha1sum, sha256sum and sha512sum use the SHA*_Init/Update/Final calls
 * that OpenSSL 3.0 deprecates: EVP_Digest would initialise the library
 * (configuration, providers, error strings), ~5 million instructions and
 * ~1.5 MiB for a chart's one checksum annotation. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_ARGS struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv

static const char *S_str(const struct tval *argv, int i, size_t *len)
{
	const char *s = tval_str_ptr(&argv[i], len);

	if (!s) {
		*len = 0;
		return "";
	}
	return s;
}

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

/* ---- digests */

static int S_digest(S_ARGS)
{
	static const char hex[] = "0123456789abcdef";
	const char *name = call->payload;
	unsigned char md[SHA512_DIGEST_LENGTH];
	unsigned int mdlen = 0, i;
	size_t len;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;
	int ok = 0;

	(void)argc;
	if (strcmp(name, "SHA1") == 0) {
		SHA_CTX c;

		ok = SHA1_Init(&c) && SHA1_Update(&c, s, len) && SHA1_Final(md, &c);
		mdlen = SHA_DIGEST_LENGTH;
	} else if (strcmp(name, "SHA256") == 0) {
		SHA256_CTX c;

		ok = SHA256_Init(&c) && SHA256_Update(&c, s, len) && SHA256_Final(md, &c);
		mdlen = SHA256_DIGEST_LENGTH;
	} else if (strcmp(name, "SHA512") == 0) {
		SHA512_CTX c;

		ok = SHA512_Init(&c) && SHA512_Update(&c, s, len) && SHA512_Final(md, &c);
		mdlen = SHA512_DIGEST_LENGTH;
	}
	if (!ok)
		return tmpl_call_errorf(call, "digest %s failed", name);
	for (i = 0; i < mdlen; i++) {
		buf_addch(&b, hex[md[i] >> 4]);
		buf_addch(&b, hex[md[i] & 15]);
	}
	return S_done_str(out, call, &b);
}

/* hash/adler32, printed as a decimal uint32. */
static int S_adler32sum(S_ARGS)
{
	size_t len, i;
	const unsigned char *s = (const unsigned char *)S_str(argv, 0, &len);
	uint32_t a = 1, b2 = 0;
	struct buf b = BUF_INIT;

	(void)argc;
	for (i = 0; i < len; i++) {
		a = (a + s[i]) % 65521;
		b2 = (b2 + a) % 65521;
	}
	buf_addf(&b, "%lu", (unsigned long)(b2 << 16 | a));
	return S_done_str(out, call, &b);
}

/* ---- bcrypt, htpasswd */

/* bcrypt.GenerateFromPassword(input, 10); Sprig returns errors as text. */
static void S_bcrypt(struct buf *b, const char *s, size_t len)
{
	unsigned char salt[16];

	if (len > 72) {
		buf_adds(b, "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes");
		return;
	}
	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		buf_adds(b, "failed to encrypt string with bcrypt: no randomness available");
		return;
	}
	sprig_enc_bcrypt(b, s, len, 10, salt);
}

static int S_bcrypt_fn(S_ARGS)
{
	size_t len;
	const char *s = S_str(argv, 0, &len);
	struct buf b = BUF_INIT;

	(void)argc;
	S_bcrypt(&b, s, len);
	return S_done_str(out, call, &b);
}

static int S_htpasswd(S_ARGS)
{
	size_t ulen, plen;
	const char *user = S_str(argv, 0, &ulen);
	const char *pw = S_str(argv, 1, &plen);
	struct buf b = BUF_INIT;

	(void)argc;
	if (memchr(user, ':', ulen)) {
		buf_adds(&b, "invalid username: ");
		buf_add(&b, user, ulen);
	} else {
		buf_add(&b, user, ulen);
		buf_addch(&b, ':');
		S_bcrypt(&b, pw, plen);
	}
	return S_done_str(out, call, &b);
}

/* ---- derivePassword (Master Password) */

static const struct {
	const char *type;
	const char *templates[21];
} S_mp_templates[] = {
	{ "maximum", { "anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno" } },
	{ "long", { "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv",
		    "CvccCvcvnoCvcv", "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv",
		    "CvcvCvccCvcvno", "CvcvnoCvcvCvcc", "CvcvCvcvnoCvcc", "CvcvCvcvCvccno",
		    "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno", "CvcvnoCvccCvcc",
		    "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
		    "CvccCvcvCvccno" } },
	{ "medium", { "CvcnoCvc", "CvcCvcno" } },
	{ "short", { "Cvcn" } },
	{ "basic", { "aaanaaan", "aannaaan", "aaannaaa" } },
	{ "pin", { "nnnn" } },
};

static const char *S_mp_chars(char c)
{
	switch (c) {
	case 'V': return "AEIOU";
	case 'C': return "BCDFGHJKLMNPQRSTVWXYZ";
	case 'v': return "aeiou";
	case 'c': return "bcdfghjklmnpqrstvwxyz";
	case 'A': return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
	case 'a': return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
	case 'n': return "0123456789";
	case 'o': return "@&%?,=[]_:-+*$#!'^~;()/.";
	case 'x': return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
	}
	return "";
}

static void S_put_be32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };
	buf_add(b, p, 4);
}

static int S_derive_password(S_ARGS)
{
	static const char seed[] = "com.lyndir.masterpassword";
	uint32_t counter = (uint32_t)argv[0].u.i;
	size_t tlen, plen, ulen, slen, i, ntpl = 0;
	const char *type = S_str(argv, 1, &tlen);
	const char *pw = S_str(argv, 2, &plen);
	const char *user = S_str(argv, 3, &ulen);
	const char *site = S_str(argv, 4, &slen);
	const char *const *tpls = NULL;
	struct buf salt = BUF_INIT, msg = BUF_INIT, b = BUF_INIT;
	unsigned char key[64], mac[32];
	unsigned int maclen = 0;
	const char *tpl;

	(void)argc;
	for (i = 0; i < sizeof(S_mp_templates) / sizeof(S_mp_templates[0]); i++) {
		if (strlen(S_mp_templates[i].type) == tlen &&
		    memcmp(S_mp_templates[i].type, type, tlen) == 0) {
			tpls = S_mp_templates[i].templates;
			while (ntpl < 21 && tpls[ntpl])
				ntpl++;
		}
	}
	if (!tpls) {
		buf_adds(&b, "cannot find password template ");
		buf_add(&b, type, tlen);
		return S_done_str(out, call, &b);
	}
	buf_adds(&salt, seed);
	S_put_be32(&salt, (uint32_t)ulen);
	buf_add(&salt, user, ulen);
	if (buf_oom(&salt) ||
	    EVP_PBE_scrypt(pw, plen, (const unsigned char *)salt.ptr, salt.len, 32768, 8, 2,
			   (uint64_t)64 << 20, key, sizeof(key)) != 1) {
		buf_release(&salt);
		return tmpl_call_errorf(call, "out of memory");
	}
	buf_adds(&msg, seed);
	S_put_be32(&msg, (uint32_t)slen);
	buf_add(&msg, site, slen);
	S_put_be32(&msg, counter);
	if (buf_oom(&msg) || !HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)msg.ptr,
				   msg.len, mac, &maclen)) {
		buf_release(&salt);
		buf_release(&msg);
		return tmpl_call_errorf(call, "out of memory");
	}
	tpl = tpls[mac[0] % ntpl];
	for (i = 0; tpl[i]; i++) {
		const char *chars = S_mp_chars(tpl[i]);
		buf_addch(&b, chars[mac[i + 1] % strlen(chars)]);
	}
	memset(key, 0, sizeof(key));
	buf_release(&salt);
	buf_release(&msg);
	return S_done_str(out, call, &b);
}

/* ---- PEM (encoding/pem) */

/* pem.Encode of a block without headers. */
static void S_pem_encode(struct buf *out, const char *type, const unsigned char *der, size_t n)
{
	struct buf b64 = BUF_INIT;
	size_t i;

	sprig_enc_b64_encode(&b64, der, n);
	buf_addf(out, "-----BEGIN %s-----\n", type);
	for (i = 0; i < b64.len; i += 64) {
		buf_add(out, b64.ptr + i, b64.len - i < 64 ? b64.len - i : 64);
		buf_addch(out, '\n');
	}
	buf_addf(out, "-----END %s-----\n", type);
	if (buf_oom(&b64))
		out->oom = 1;
	buf_release(&b64);
}

/* getLine of encoding/pem: the line at p (trailing spaces, tabs and \r
 * dropped) and where the next one starts. */
static size_t S_get_line(const char *p, size_t n, size_t *next)
{
	const char *nl = memchr(p, '\n', n);
	size_t len = nl ? (size_t)(nl - p) : n;

	*next = nl ? len + 1 : n;
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	return len;
}

static const char *S_memmem(const char *h, size_t hn, const char *needle)
{
	size_t nn = strlen(needle), i;

	for (i = 0; nn <= hn && i <= hn - nn; i++)
		if (h[i] == needle[0] && memcmp(h + i, needle, nn) == 0)
			return h + i;
	return NULL;
}

struct S_pem {
	struct buf type;
	struct buf der;
};

/*
 * pem.Decode: the first well-formed block of data (headers skipped).
 * Returns 0 with the block, or -1 if there is none.
 */
static int S_pem_decode(struct S_pem *blk, const char *data, size_t n)
{
	const char *rest = data;
	size_t rn = n;

	for (;;) {
		size_t next, tlen, hdrs = 0, end_idx, trailer_idx;
		const char *typ, *p;
		int64_t bad;

		if (rn >= 11 && memcmp(rest, "-----BEGIN ", 11) == 0) {
			rest += 11;
			rn -= 11;
		} else if ((p = S_memmem(rest, rn, "\n-----BEGIN ")) != NULL) {
			rn -= (size_t)(p + 12 - rest);
			rest = p + 12;
		} else {
			return -1;
		}
		typ = rest;
		tlen = S_get_line(rest, rn, &next);
		rest += next;
		rn -= next;
		if (tlen < 5 || memcmp(typ + tlen - 5, "-----", 5) != 0)
			continue;
		tlen -= 5;
		/* headers: lines holding a colon */
		for (;;) {
			size_t ll;

			if (rn == 0)
				return -1;
			ll = S_get_line(rest, rn, &next);
			if (!memchr(rest, ':', ll))
				break;
			hdrs++;
			rest += next;
			rn -= next;
		}
		if (hdrs == 0 && rn >= 9 && memcmp(rest, "-----END ", 9) == 0) {
			end_idx = 0;
			trailer_idx = 9;
		} else {
			p = S_memmem(rest, rn, "\n-----END ");
			if (!p)
				continue;
			end_idx = (size_t)(p - rest);
			trailer_idx = end_idx + 10;
		}
		if (rn - trailer_idx < tlen + 5 || memcmp(rest + trailer_idx, typ, tlen) != 0 ||
		    memcmp(rest + trailer_idx + tlen, "-----", 5) != 0)
			continue;
		if (S_get_line(rest + trailer_idx + tlen + 5, rn - trailer_idx - tlen - 5, &next) != 0)
			continue;
		{
			struct buf clean = BUF_INIT;
			size_t i;
			int r;

			for (i = 0; i < end_idx; i++)
				if (rest[i] != ' ' && rest[i] != '\t')
					buf_addch(&clean, rest[i]);
			buf_reset(&blk->der);
			r = sprig_enc_b64_decode(&blk->der, clean.ptr, clean.len, &bad);
			buf_release(&clean);
			if (r < 0)
				continue;
		}
		buf_set(&blk->type, typ, tlen);
		return 0;
	}
}

/* ---- keys */

/* pemBlockForKey + pem.Encode: PKCS#1 for RSA, SEC 1 for EC, the
 * (version, p, q, g, y, x) sequence for DSA, PKCS#8 otherwise. */
static int S_key_pem(struct buf *out, EVP_PKEY *k)
{
	unsigned char *der = NULL;
	int n, id = EVP_PKEY_get_base_id(k);
	const char *type;

	if (id == EVP_PKEY_RSA || id == EVP_PKEY_EC || id == EVP_PKEY_DSA) {
		type = id == EVP_PKEY_RSA ? "RSA PRIVATE KEY" :
		       id == EVP_PKEY_EC ? "EC PRIVATE KEY" : "DSA PRIVATE KEY";
		n = i2d_PrivateKey(k, &der);
	} else {
		PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);

		type = "PRIVATE KEY";
		n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	if (n <= 0)
		return -1;
	S_pem_encode(out, type, der, (size_t)n);
	OPENSSL_clear_free(der, (size_t)n);
	return buf_oom(out) ? -1 : 0;
}

/* Which curves Go's x509 accepts: P-224, P-256, P-384, P-521. */
static int S_ec_curve_ok(const EVP_PKEY *k)
{
	char name[64];
	size_t len = 0;

	if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name),
					   &len) != 1)
		return 0;
	return !strcmp(name, "P-224") || !strcmp(name, "P-256") || !strcmp(name, "P-384") ||
	       !strcmp(name, "P-521") || !strcmp(name, "secp224r1") ||
	       !strcmp(name, "prime256v1") || !strcmp(name, "secp384r1") ||
	       !strcmp(name, "secp521r1");
}

/*
 * The error Go's asn1.Unmarshal gives when der's outer value is not a
 * well-formed SEQUENCE header (Go type name for the message): 1 with the
 * text in err, or 0 when the header is fine. Errors inside the SEQUENCE
 * are not imitated (the callers say so in their own words).
 */
static int S_asn1_outer(struct buf *err, const unsigned char *p, size_t n, const char *name)
{
	size_t off = 1;
	int64_t tag, len = 0;
	int cls, compound;

	if (n == 0) {
		buf_adds(err, "asn1: syntax error: sequence truncated");
		return 1;
	}
	cls = p[0] >> 6;
	compound = (p[0] & 0x20) != 0;
	tag = p[0] & 0x1f;
	if (tag == 0x1f) {
		int shifted = 0;

		tag = 0;
		for (;;) {
			if (off >= n) {
				buf_adds(err, "asn1: syntax error: truncated base 128 integer");
				return 1;
			}
			if (shifted == 5) {
				buf_adds(err, "asn1: structure error: base 128 integer too large");
				return 1;
			}
			if (shifted == 0 && p[off] == 0x80) {
				buf_adds(err, "asn1: syntax error: integer is not minimally encoded");
				return 1;
			}
			tag = tag << 7 | (p[off] & 0x7f);
			shifted++;
			if (!(p[off++] & 0x80))
				break;
		}
		if (tag > INT32_MAX) {
			buf_adds(err, "asn1: structure error: base 128 integer too large");
			return 1;
		}
		if (tag < 0x1f) {
			buf_adds(err, "asn1: syntax error: non-minimal tag");
			return 1;
		}
	}
	if (off >= n) {
		buf_adds(err, "asn1: syntax error: truncated tag or length");
		return 1;
	}
	if (!(p[off] & 0x80)) {
		len = p[off++] & 0x7f;
	} else {
		int k, nb = p[off++] & 0x7f;

		if (nb == 0) {
			buf_adds(err, "asn1: syntax error: indefinite length found (not DER)");
			return 1;
		}
		for (k = 0; k < nb; k++) {
			if (off >= n) {
				buf_adds(err, "asn1: syntax error: truncated tag or length");
				return 1;
			}
			if (len >= (1 << 23)) {
				buf_adds(err, "asn1: structure error: length too large");
				return 1;
			}
			len = len << 8 | p[off++];
			if (len == 0) {
				buf_adds(err, "asn1: structure error: superfluous leading zeros in length");
				return 1;
			}
		}
		if (len < 0x80) {
			buf_adds(err, "asn1: structure error: non-minimal length");
			return 1;
		}
	}
	if (cls != 0 || tag != 16 || !compound) {
		buf_addf(err, "asn1: structure error: tags don't match (16 vs {class:%d tag:%lld "
			      "length:%lld isCompound:%s}) {optional:false explicit:false "
			      "application:false private:false defaultValue:<nil> tag:<nil> "
			      "stringType:0 timeType:0 set:false omitEmpty:false} %s @%zu",
			 cls, (long long)tag, (long long)len, compound ? "true" : "false", name, off);
		return 1;
	}
	if ((uint64_t)len > n - off) {
		buf_adds(err, "asn1: syntax error: data truncated");
		return 1;
	}
	if (len == 0) {
		/* each of the structures begins with a required version */
		buf_adds(err, "asn1: syntax error: sequence truncated");
		return 1;
	}
	return 0;
}

/*
 * parsePrivateKeyPEM: *out (new) or -1 with Sprig's message in err.
 * The x509 parse errors are Go's for the common case of undecodable
 * bytes; OpenSSL cannot tell Go's finer reasons apart.
 */
static int S_parse_private_key(EVP_PKEY **out, const char *pem, size_t n, struct buf *err)
{
	struct S_pem blk = { BUF_INIT, BUF_INIT };
	const unsigned char *p;
	EVP_PKEY *k = NULL;
	int ret = -1;

	*out = NULL;
	if (S_pem_decode(&blk, pem, n) < 0) {
		buf_adds(err, "no PEM data in input");
		goto done;
	}
	p = (const unsigned char *)blk.der.ptr;
	if (strcmp(blk.type.ptr, "PRIVATE KEY") == 0) {
		PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)blk.der.len);
		const ASN1_OBJECT *alg = NULL;
		int nid;

		if (p8 && PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8) == 1 && alg) {
			/* the algorithms Go's ParsePKCS8PrivateKey knows */
			nid = OBJ_obj2nid(alg);
			if (nid != NID_rsaEncryption && nid != NID_X9_62_id_ecPublicKey &&
			    nid != NID_ED25519 && nid != NID_X25519) {
				char oid[128];

				OBJ_obj2txt(oid, sizeof(oid), alg, 1);
				buf_addf(err, "decoding PEM as PKCS#8: x509: PKCS#8 wrapping contained "
					      "private key with unknown algorithm: %s", oid);
				PKCS8_PRIV_KEY_INFO_free(p8);
				goto done;
			}
		}
		if (p8)
			k = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
		if (k && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC && !S_ec_curve_ok(k)) {
			buf_adds(err, "decoding PEM as PKCS#8: x509: failed to parse EC private key "
				      "embedded in PKCS#8: x509: unknown elliptic curve");
			goto done;
		}
		if (!k) {
			buf_adds(err, "decoding PEM as PKCS#8: ");
			if (!S_asn1_outer(err, (const unsigned char *)blk.der.ptr, blk.der.len, "pkcs8"))
				buf_adds(err, "x509: failed to parse private key");
			goto done;
		}
	} else if (blk.type.len < 12 ||
		   strcmp(blk.type.ptr + blk.type.len - 12, " PRIVATE KEY") != 0) {
		buf_addf(err, "no private key data in PEM block of type %s", blk.type.ptr);
		goto done;
	} else if (blk.type.len == 15 && memcmp(blk.type.ptr, "RSA", 3) == 0) {
		k = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, (long)blk.der.len);
		if (k && p != (const unsigned char *)blk.der.ptr + blk.der.len) {
			/* ParsePKCS1PrivateKey refuses what follows the key */
			buf_adds(err, "parsing RSA private key from PEM: asn1: syntax error: trailing data");
			goto done;
		}
		if (!k) {
			buf_adds(err, "parsing RSA private key from PEM: ");
			if (!S_asn1_outer(err, (const unsigned char *)blk.der.ptr, blk.der.len,
					  "pkcs1PrivateKey"))
				buf_adds(err, "x509: failed to parse private key");
			goto done;
		}
	} else if (blk.type.len == 14 && memcmp(blk.type.ptr, "EC", 2) == 0) {
		k = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, (long)blk.der.len);
		if (k && !S_ec_curve_ok(k)) {
			buf_adds(err, "parsing EC private key from PEM: x509: unknown elliptic curve");
			goto done;
		}
		if (!k) {
			struct buf asn = BUF_INIT;

			buf_adds(err, "parsing EC private key from PEM: x509: failed to parse EC private key");
			if (S_asn1_outer(&asn, (const unsigned char *)blk.der.ptr, blk.der.len,
					 "ecPrivateKey")) {
				buf_adds(err, ": ");
				buf_add(err, asn.ptr, asn.len);
			}
			buf_release(&asn);
			goto done;
		}
	} else if (blk.type.len == 15 && memcmp(blk.type.ptr, "DSA", 3) == 0) {
		k = d2i_PrivateKey(EVP_PKEY_DSA, NULL, &p, (long)blk.der.len);
		if (!k) {
			buf_adds(err, "parsing DSA private key from PEM: ");
			if (!S_asn1_outer(err, (const unsigned char *)blk.der.ptr, blk.der.len,
					  "DSAKeyFormat"))
				buf_adds(err, "asn1: structure error");
			goto done;
		}
	} else {
		buf_addf(err, "invalid private key type %s", blk.type.ptr);
		goto done;
	}
	*out = k;
	k = NULL;
	ret = 0;
done:
	EVP_PKEY_free(k);
	buf_release(&blk.type);
	buf_release(&blk.der);
	return ret;
}

static int S_gen_private_key(S_ARGS)
{
	size_t tlen;
	const char *typ = S_str(argv, 0, &tlen);
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	struct buf b = BUF_INIT;

	(void)argc;
	if (tlen == 0 || (tlen == 3 && !memcmp(typ, "rsa", 3))) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	} else if (tlen == 5 && !memcmp(typ, "ecdsa", 5)) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	} else if (tlen == 7 && !memcmp(typ, "ed25519", 7)) {
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	} else if (tlen == 3 && !memcmp(typ, "dsa", 3)) {
		/* dsa.L2048N256 parameters, then a key */
		EVP_PKEY *params = NULL;

		ctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
		if (ctx && EVP_PKEY_paramgen_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx, 2048) == 1 &&
		    EVP_PKEY_CTX_set_dsa_paramgen_q_bits(ctx, 256) == 1 &&
		    EVP_PKEY_paramgen(ctx, &params) == 1) {
			EVP_PKEY_CTX_free(ctx);
			ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
			if (ctx && EVP_PKEY_keygen_init(ctx) == 1)
				EVP_PKEY_keygen(ctx, &k);
		}
		EVP_PKEY_free(params);
	} else {
		buf_adds(&b, "Unknown type ");
		buf_add(&b, typ, tlen);
		return S_done_str(out, call, &b);
	}
	EVP_PKEY_CTX_free(ctx);
	if (!k)
		buf_adds(&b, "failed to generate private key: key generation failed");
	else if (S_key_pem(&b, k) < 0 && !buf_oom(&b))
		buf_adds(&b, "failed to generate private key: encoding failed");
	EVP_PKEY_free(k);
	return S_done_str(out, call, &b);
}

/* ---- Sprig's certificate value */

/*
 * A certificate{Cert, Key string}: the host object and its strings in one
 * block. NEEDSWORK: the engine has no way for a function to make a host
 * object that lives as long as the execution; the block is the payload of
 * a []byte value boxed into the runtime (tval_to_json), which the runtime
 * keeps, and frees, with its other boxes.
 */
struct S_cert {
	struct tobj obj;
	size_t certlen, keylen;
	char data[]; /* cert, NUL, key, NUL */
};

static const struct S_cert *S_cert_of(const struct tobj *o)
{
	return (const struct S_cert *)(const void *)o;
}

static int S_cert_field(struct tval *out, const struct tobj *o, const char *name)
{
	const struct S_cert *c = S_cert_of(o);

	if (strcmp(name, "Cert") == 0)
		*out = tval_strn(c->data, c->certlen);
	else if (strcmp(name, "Key") == 0)
		*out = tval_strn(c->data + c->certlen + 1, c->keylen);
	else
		return DIAG_ENOTFOUND;
	return out->kind == TV_INVALID ? DIAG_ENOMEM : 0;
}

/* fmt's %v of the struct: {Cert Key} */
static int S_cert_format(struct buf *out, const struct tobj *o)
{
	const struct S_cert *c = S_cert_of(o);

	buf_addch(out, '{');
	buf_add(out, c->data, c->certlen);
	buf_addch(out, ' ');
	buf_add(out, c->data + c->certlen + 1, c->keylen);
	buf_addch(out, '}');
	return buf_oom(out) ? -1 : 0;
}

static const struct tobj_type S_cert_type = {
	"sprig.certificate", "struct", S_cert_field, NULL, S_cert_format, 1, NULL
};

static int S_cert_new(struct tval *out, struct tmpl_call *call, const struct buf *cert,
		      const struct buf *key)
{
	size_t total = sizeof(struct S_cert) + cert->len + key->len + 2;
	struct tval holder;
	json_t *box;
	struct S_cert *c;

	if (!call->rt)
		return tmpl_call_errorf(call, "certificate outside an execution");
	{
		char *zero = calloc(1, total);
		if (!zero)
			return tmpl_call_errorf(call, "out of memory");
		holder = tval_bytes(zero, total);
		free(zero);
	}
	if (holder.kind != TV_BYTES)
		return tmpl_call_errorf(call, "out of memory");
	box = tval_to_json(call->rt, &holder);
	if (!box || json_is_null(box)) {
		json_decref(box);
		tval_release(&holder);
		return tmpl_call_errorf(call, "out of memory");
	}
	json_decref(box);
	/* jansson's string storage is malloc'd once and never moves */
	c = (struct S_cert *)(void *)json_string_value(holder.u.j);
	c->obj.type = &S_cert_type;
	c->obj.data = c;
	c->certlen = cert->len;
	c->keylen = key->len;
	memcpy(c->data, cert->ptr, cert->len);
	memcpy(c->data + cert->len + 1, key->ptr, key->len);
	tval_release(&holder); /* the runtime's box keeps it */
	*out = tval_obj(&c->obj);
	return 0;
}

/* The certificate argument i, or an error like the engine's. */
static int S_cert_arg(const struct S_cert **c, struct tmpl_call *call, const struct tval *argv,
		      int i)
{
	if (argv[i].kind == TV_OBJECT && argv[i].u.o->type == &S_cert_type) {
		*c = S_cert_of(argv[i].u.o);
		return 0;
	}
	return tmpl_call_errorf(call, "wrong type for value; expected sprig.certificate; got %s",
				tval_type_name(&argv[i]));
}

/* ---- certificates */

struct S_base {
	const char *cn;
	size_t cnlen;
	unsigned char (*ips)[16];
	int *iplens;
	size_t nips;
	const char **dns;
	size_t *dnslens;
	size_t ndns;
	int64_t days;
};

static void S_base_release(struct S_base *t)
{
	free(t->ips);
	free(t->iplens);
	free(t->dns);
	free(t->dnslens);
	memset(t, 0, sizeof(*t));
}

/* fmt's %v of a list element, for getNetIPs' messages. */
static void S_format_elem(struct buf *b, struct tmpl_call *call, json_t *e)
{
	struct tval v = tval_from_json(call->rt, e);

	tval_format(b, call->rt, &v);
	tval_release(&v);
}

/* net.ParseIP, then To4 where it applies: 4 or 16 bytes, or 0. */
static int S_parse_ip(unsigned char ip[16], const char *s, size_t len)
{
	char tmp[64];
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (len == 0 || len >= sizeof(tmp) || memchr(s, '\0', len))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, ip) == 1)
		return 4;
	if (!strchr(tmp, ':') || strchr(tmp, '%') || inet_pton(AF_INET6, tmp, ip) != 1)
		return 0;
	if (memcmp(ip, v4mapped, 12) == 0) {
		memmove(ip, ip + 12, 4);
		return 4;
	}
	return 16;
}

/* getBaseCertTemplate's checks of the lists: 0, or an error returned. */
static int S_base_init(struct S_base *t, struct tmpl_call *call, const struct tval *argv,
		       int cn_i, int ips_i, int dns_i, int days_i)
{
	json_t *ips = argv[ips_i].kind == TV_LIST ? argv[ips_i].u.j : NULL;
	json_t *dns = argv[dns_i].kind == TV_LIST ? argv[dns_i].u.j : NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->cn = S_str(argv, cn_i, &t->cnlen);
	t->days = argv[days_i].u.i;
	t->nips = ips ? json_array_size(ips) : 0;
	t->ndns = dns ? json_array_size(dns) : 0;
	t->ips = calloc(t->nips + 1, sizeof(*t->ips));
	t->iplens = calloc(t->nips + 1, sizeof(*t->iplens));
	t->dns = calloc(t->ndns + 1, sizeof(*t->dns));
	t->dnslens = calloc(t->ndns + 1, sizeof(*t->dnslens));
	if (!t->ips || !t->iplens || !t->dns || !t->dnslens)
		return tmpl_call_errorf(call, "out of memory");
	for (i = 0; i < t->nips; i++) {
		json_t *e = json_array_get(ips, i);
		struct tval v = tval_from_json(call->rt, e);
		struct buf b = BUF_INIT;
		int err;

		if (v.kind != TV_STRING) {
			buf_adds(&b, "error parsing ip: ");
			S_format_elem(&b, call, e);
			buf_adds(&b, " is not a string");
		} else {
			size_t len;
			const char *s = tval_str_ptr(&v, &len);

			t->iplens[i] = S_parse_ip(t->ips[i], s, len);
			if (t->iplens[i] == 0) {
				buf_adds(&b, "error parsing ip: ");
				buf_add(&b, s, len);
			}
		}
		tval_release(&v);
		if (b.len) {
			err = tmpl_call_errorf(call, "%s", b.ptr);
			buf_release(&b);
			return err;
		}
		buf_release(&b);
	}
	for (i = 0; i < t->ndns; i++) {
		json_t *e = json_array_get(dns, i);

		if (!json_is_string(e)) {
			struct buf b = BUF_INIT;
			int err;

			S_format_elem(&b, call, e);
			err = tmpl_call_errorf(call,
					       "error processing alternate dns name: %s is not a string",
					       b.ptr);
			buf_release(&b);
			return err;
		}
		t->dns[i] = json_string_value(e);
		t->dnslens[i] = json_string_length(e);
	}
	return 0;
}

/* Go's asn1 PrintableString set (no '*', no '&'). */
static int S_printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(" '()+,-./:=?", c)) || c == 0)
			return 0;
	}
	return 1;
}

/* Go compares the issuer's and the subject's DER bytes (X509_NAME_cmp
 * would compare canonical forms, ignoring case). */
static int S_same_name_der(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *pa = NULL, *pb = NULL;
	size_t la = 0, lb = 0;

	if (X509_NAME_get0_der(a, &pa, &la) != 1 || X509_NAME_get0_der(b, &pb, &lb) != 1)
		return 0;
	return la == lb && memcmp(pa, pb, la) == 0;
}

/* The message of a CreateCertificate failure, prefixed as getCertAndKey. */
#define S_CREATE_ERR "error creating certificate: "

/*
 * getCertAndKey: signs template t with signer (parent NULL: self-signed)
 * for signee's public key; the PEM of the certificate and of signee.
 */
static int S_make_cert(struct buf *cert_pem, struct buf *key_pem, struct tmpl_call *call,
		       const struct S_base *t, int is_ca, EVP_PKEY *signee, X509 *parent,
		       EVP_PKEY *signer)
{
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL, *bound = NULL;
	ASN1_BIT_STRING *ku = NULL;
	EXTENDED_KEY_USAGE *eku = NULL;
	BASIC_CONSTRAINTS *bc = NULL;
	ASN1_OCTET_STRING *ski = NULL;
	AUTHORITY_KEYID *akid = NULL;
	GENERAL_NAMES *gens = NULL;
	unsigned char *der = NULL;
	const EVP_MD *md = NULL;
	struct timespec now;
	int error = -1, n, sid = EVP_PKEY_get_base_id(signer);
	size_t i;

	if (sid == EVP_PKEY_DSA || sid == EVP_PKEY_X25519)
		return tmpl_call_errorf(call, S_CREATE_ERR "x509: certificate private key does not "
							   "implement crypto.Signer");
	if (EVP_PKEY_get_base_id(signee) == EVP_PKEY_DSA ||
	    EVP_PKEY_get_base_id(signee) == EVP_PKEY_X25519)
		return tmpl_call_errorf(call, S_CREATE_ERR "x509: unsupported public key type: %s",
					EVP_PKEY_get_base_id(signee) == EVP_PKEY_DSA ? "*dsa.PublicKey"
										     : "*ecdh.PublicKey");
	if (parent && X509_get0_pubkey(parent) && EVP_PKEY_eq(X509_get0_pubkey(parent), signer) != 1)
		return tmpl_call_errorf(call, S_CREATE_ERR "x509: provided PrivateKey doesn't match "
							   "parent's PublicKey");
	for (i = 0; i < t->ndns; i++) {
		size_t k;

		for (k = 0; k < t->dnslens[i]; k++) {
			if ((unsigned char)t->dns[i][k] >= 0x80) {
				struct buf q = BUF_INIT;
				int err;

				tmpl_quote(&q, t->dns[i], t->dnslens[i]);
				err = tmpl_call_errorf(call, S_CREATE_ERR "x509: %s cannot be encoded "
									  "as an IA5String", q.ptr);
				buf_release(&q);
				return err;
			}
		}
	}
	if (t->cnlen && !sprig_enc_utf8_valid(t->cn, t->cnlen))
		return tmpl_call_errorf(call, S_CREATE_ERR "asn1: string not valid UTF-8");

	if (sid == EVP_PKEY_RSA) {
		md = EVP_sha256();
	} else if (sid == EVP_PKEY_EC) {
		int bits = EVP_PKEY_get_bits(signer);
		md = bits > 384 ? EVP_sha512() : bits > 256 ? EVP_sha384() : EVP_sha256();
	}
	if (!(x = X509_new()) || !(name = X509_NAME_new()) || !(bn = BN_new()) ||
	    !(bound = BN_new()) || X509_set_version(x, X509_VERSION_3) != 1)
		goto oom;
	/* serial: rand.Int(rand.Reader, 2^128) */
	if (BN_lshift(bound, BN_value_one(), 128) != 1 || BN_rand_range(bn, bound) != 1 ||
	    !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto oom;
	if (t->cnlen &&
	    X509_NAME_add_entry_by_NID(name, NID_commonName,
				       S_printable(t->cn, t->cnlen) ? V_ASN1_PRINTABLESTRING :
								      V_ASN1_UTF8STRING,
				       (const unsigned char *)t->cn, (int)t->cnlen, -1, 0) != 1)
		goto oom;
	if (X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, parent ? X509_get_subject_name(parent) : name) != 1)
		goto oom;
	/* NotBefore: now; NotAfter: now + time.Hour * 24 * days (wrapping) */
	clock_gettime(CLOCK_REALTIME, &now);
	{
		int64_t d = (int64_t)((uint64_t)86400000000000ULL * (uint64_t)t->days);
		int64_t sec = (int64_t)now.tv_sec + d / 1000000000, nsec = now.tv_nsec + d % 1000000000;

		if (nsec >= 1000000000)
			sec++;
		else if (nsec < 0)
			sec--;
		if (!ASN1_TIME_set(X509_getm_notBefore(x), now.tv_sec) ||
		    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)sec))
			goto oom;
	}
	if (X509_set_pubkey(x, signee) != 1)
		goto oom;
	/* extensions, in Go's order */
	if (!(ku = ASN1_BIT_STRING_new()) || ASN1_BIT_STRING_set_bit(ku, 0, 1) != 1 ||
	    ASN1_BIT_STRING_set_bit(ku, 2, 1) != 1 ||
	    (is_ca && ASN1_BIT_STRING_set_bit(ku, 5, 1) != 1) ||
	    X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) != 1)
		goto oom;
	if (!(eku = sk_ASN1_OBJECT_new_null()) ||
	    !sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_server_auth)) ||
	    !sk_ASN1_OBJECT_push(eku, OBJ_nid2obj(NID_client_auth)) ||
	    X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) != 1)
		goto oom;
	if (!(bc = BASIC_CONSTRAINTS_new()))
		goto oom;
	bc->ca = is_ca ? 0xff : 0;
	if (X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) != 1)
		goto oom;
	if (is_ca) {
		/* Go 1.25: the first 20 bytes of SHA-256 over the key's bits */
		const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
		unsigned char h[32];

		if (!bits || EVP_Digest(bits->data, (size_t)bits->length, h, NULL, EVP_sha256(),
					NULL) != 1 ||
		    !(ski = ASN1_OCTET_STRING_new()) || ASN1_OCTET_STRING_set(ski, h, 20) != 1 ||
		    X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_DEFAULT) != 1)
			goto oom;
	}
	if (parent && X509_get0_subject_key_id(parent) &&
	    !S_same_name_der(X509_get_subject_name(parent), name)) {
		if (!(akid = AUTHORITY_KEYID_new()) ||
		    !(akid->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(parent))) ||
		    X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT) != 1)
			goto oom;
	}
	if (t->ndns || t->nips) {
		if (!(gens = sk_GENERAL_NAME_new_null()))
			goto oom;
		for (i = 0; i < t->ndns + t->nips; i++) {
			GENERAL_NAME *g = GENERAL_NAME_new();
			ASN1_STRING *s = i < t->ndns ? ASN1_IA5STRING_new() : ASN1_OCTET_STRING_new();
			int ok;

			if (i < t->ndns)
				ok = s && ASN1_STRING_set(s, t->dns[i], (int)t->dnslens[i]) == 1;
			else
				ok = s && ASN1_STRING_set(s, t->ips[i - t->ndns],
							  t->iplens[i - t->ndns]) == 1;
			if (!g || !ok) {
				GENERAL_NAME_free(g);
				ASN1_STRING_free(s);
				goto oom;
			}
			GENERAL_NAME_set0_value(g, i < t->ndns ? GEN_DNS : GEN_IPADD, s);
			if (!sk_GENERAL_NAME_push(gens, g)) {
				GENERAL_NAME_free(g);
				goto oom;
			}
		}
		if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, t->cnlen == 0,
				      X509V3_ADD_DEFAULT) != 1)
			goto oom;
	}
	if (X509_sign(x, signer, md) <= 0)
		goto oom;
	if ((n = i2d_X509(x, &der)) <= 0)
		goto oom;
	S_pem_encode(cert_pem, "CERTIFICATE", der, (size_t)n);
	if (S_key_pem(key_pem, signee) < 0 || buf_oom(cert_pem))
		goto oom;
	error = 0;
	goto done;
oom:
	error = tmpl_call_errorf(call, S_CREATE_ERR "signing failed");
done:
	OPENSSL_free(der);
	GENERAL_NAMES_free(gens);
	AUTHORITY_KEYID_free(akid);
	ASN1_OCTET_STRING_free(ski);
	BASIC_CONSTRAINTS_free(bc);
	sk_ASN1_OBJECT_free(eku);
	ASN1_BIT_STRING_free(ku);
	BN_free(bound);
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(x);
	return error;
}

/* The kinds of certificate functions (payload). */
enum S_certfn {
	S_CA, S_CA_KEY, S_SELF, S_SELF_KEY, S_SIGNED, S_SIGNED_KEY
};
static const enum S_certfn S_certfns[] = { S_CA, S_CA_KEY, S_SELF, S_SELF_KEY, S_SIGNED,
					   S_SIGNED_KEY };

static int S_gen_cert(S_ARGS)
{
	enum S_certfn kind = *(const enum S_certfn *)call->payload;
	struct S_base t;
	struct buf err = BUF_INIT, cert = BUF_INIT, key = BUF_INIT;
	EVP_PKEY *priv = NULL, *signer = NULL;
	X509 *parent = NULL;
	const struct S_cert *ca = NULL;
	int error = 0, key_i = -1;

	(void)argc;
	memset(&t, 0, sizeof(t));
	/* the supplied key comes first: its errors do */
	if (kind == S_CA_KEY)
		key_i = 2;
	else if (kind == S_SELF_KEY)
		key_i = 4;
	else if (kind == S_SIGNED_KEY)
		key_i = 5;
	if (key_i >= 0) {
		size_t len;
		const char *pem = S_str(argv, key_i, &len);

		if (S_parse_private_key(&priv, pem, len, &err) < 0) {
			error = tmpl_call_errorf(call, "parsing private key: %s", err.ptr);
			goto done;
		}
	}
	if (kind == S_SIGNED || kind == S_SIGNED_KEY) {
		struct S_pem blk = { BUF_INIT, BUF_INIT };
		const unsigned char *p;

		if ((error = S_cert_arg(&ca, call, argv, 4)) < 0)
			goto done;
		if (S_pem_decode(&blk, ca->data, ca->certlen) < 0) {
			buf_release(&blk.type);
			buf_release(&blk.der);
			error = tmpl_call_errorf(call, "unable to decode certificate");
			goto done;
		}
		p = (const unsigned char *)blk.der.ptr;
		parent = d2i_X509(NULL, &p, (long)blk.der.len);
		buf_release(&blk.type);
		buf_release(&blk.der);
		if (!parent) {
			error = tmpl_call_errorf(call, "error parsing certificate: "
						       "decodedSignerCert.Bytes: x509: malformed certificate");
			goto done;
		}
		buf_reset(&err);
		if (S_parse_private_key(&signer, ca->data + ca->certlen + 1, ca->keylen, &err) < 0) {
			error = tmpl_call_errorf(call, "error parsing private key: %s", err.ptr);
			goto done;
		}
	}
	if (kind == S_CA || kind == S_CA_KEY) {
		t.cn = S_str(argv, 0, &t.cnlen);
		t.days = argv[1].u.i;
	} else if ((error = S_base_init(&t, call, argv, 0, 1, 2, 3)) < 0) {
		goto done;
	}
	if (!priv && !(priv = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048))) {
		error = tmpl_call_errorf(call, "error generating rsa key: key generation failed");
		goto done;
	}
	if ((error = S_make_cert(&cert, &key, call, &t, kind == S_CA || kind == S_CA_KEY, priv,
				 parent, signer ? signer : priv)) < 0)
		goto done;
	error = S_cert_new(out, call, &cert, &key);
done:
	S_base_release(&t);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(signer);
	X509_free(parent);
	buf_release(&err);
	buf_release(&cert);
	OPENSSL_cleanse(key.ptr, key.len);
	buf_release(&key);
	return error;
}

/* buildCustomCert: checks both and keeps them as given. */
static int S_build_custom_cert(S_ARGS)
{
	size_t clen, klen;
	const char *c64 = S_str(argv, 0, &clen);
	const char *k64 = S_str(argv, 1, &klen);
	struct buf cert = BUF_INIT, key = BUF_INIT, err = BUF_INIT;
	struct S_pem blk = { BUF_INIT, BUF_INIT };
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	int64_t bad;
	int error;

	(void)argc;
	if (sprig_enc_b64_decode(&cert, c64, clen, &bad) < 0) {
		error = tmpl_call_errorf(call, "unable to decode base64 certificate");
		goto done;
	}
	if (sprig_enc_b64_decode(&key, k64, klen, &bad) < 0) {
		error = tmpl_call_errorf(call, "unable to decode base64 private key");
		goto done;
	}
	if (S_pem_decode(&blk, cert.ptr, cert.len) < 0) {
		error = tmpl_call_errorf(call, "unable to decode certificate");
		goto done;
	}
	{
		const unsigned char *p = (const unsigned char *)blk.der.ptr;

		x = d2i_X509(NULL, &p, (long)blk.der.len);
		if (!x) {
			error = tmpl_call_errorf(call, "error parsing certificate: decodedCert.Bytes: "
						       "x509: malformed certificate");
			goto done;
		}
	}
	if (S_parse_private_key(&k, key.ptr, key.len, &err) < 0) {
		error = tmpl_call_errorf(call, "error parsing private key: %s", err.ptr);
		goto done;
	}
	error = S_cert_new(out, call, &cert, &key);
done:
	X509_free(x);
	EVP_PKEY_free(k);
	buf_release(&blk.type);
	buf_release(&blk.der);
	buf_release(&cert);
	buf_release(&key);
	buf_release(&err);
	return error;
}

/* ---- AES-256-CBC (encryptAES, decryptAES) */

static int S_aes_key(unsigned char key[32], const char *pw, size_t len)
{
	memset(key, 0, 32);
	memcpy(key, pw, len < 32 ? len : 32);
	return 0;
}

static int S_encrypt_aes(S_ARGS)
{
	size_t plen, tlen, padded;
	const char *pw = S_str(argv, 0, &plen);
	const char *text = S_str(argv, 1, &tlen);
	unsigned char key[32], *buf = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	struct buf b = BUF_INIT;
	int n = 0, error = 0;

	(void)argc;
	if (tlen == 0)
		return S_done_str(out, call, &b);
	if (tlen > ((size_t)1 << 30))
		return tmpl_call_errorf(call, "out of memory");
	S_aes_key(key, pw, plen);
	padded = tlen + 16 - tlen % 16;
	buf = malloc(16 + padded);
	if (!buf)
		return tmpl_call_errorf(call, "out of memory");
	memcpy(buf + 16, text, tlen);
	memset(buf + 16 + tlen, (int)(padded - tlen), padded - tlen);
	if (RAND_bytes(buf, 16) != 1 || !(ctx = EVP_CIPHER_CTX_new()) ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, buf) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, buf + 16, &n, buf + 16, (int)padded) != 1 || (size_t)n != padded) {
		error = tmpl_call_errorf(call, "encryption failed");
		goto done;
	}
	sprig_enc_b64_encode(&b, buf, 16 + padded);
done:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	free(buf);
	if (error < 0) {
		buf_release(&b);
		return error;
	}
	return S_done_str(out, call, &b);
}

/*
 * decryptAES: Sprig checks nothing, so Go's runtime panics are its
 * errors. The decoded slice's capacity is base64's DecodedLen of the
 * input (newlines included), which decides the first panic's text.
 */
static int S_decrypt_aes(S_ARGS)
{
	size_t plen, clen, rest;
	const char *pw = S_str(argv, 0, &plen);
	const char *c64 = S_str(argv, 1, &clen);
	unsigned char key[32];
	EVP_CIPHER_CTX *ctx = NULL;
	struct buf raw = BUF_INIT, b = BUF_INIT;
	int64_t bad;
	int n = 0, error = 0;
	size_t cap = clen / 4 * 3;
	unsigned pad;

	(void)argc;
	if (clen == 0)
		return S_done_str(out, call, &b);
	if (sprig_enc_b64_decode(&raw, c64, clen, &bad) < 0) {
		error = tmpl_call_errorf(call, "illegal base64 data at input byte %lld", (long long)bad);
		goto done;
	}
	if (buf_oom(&raw)) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	if (cap < 16) {
		error = tmpl_call_errorf(call, "runtime error: slice bounds out of range [:16] with "
					       "capacity %zu", cap);
		goto done;
	}
	if (raw.len < 16) {
		error = tmpl_call_errorf(call, "runtime error: slice bounds out of range [16:%zu]",
					 raw.len);
		goto done;
	}
	rest = raw.len - 16;
	if (rest % 16) {
		error = tmpl_call_errorf(call, "crypto/cipher: input not full blocks");
		goto done;
	}
	if (rest == 0) {
		error = tmpl_call_errorf(call, "runtime error: index out of range [-1]");
		goto done;
	}
	S_aes_key(key, pw, plen);
	if (buf_grow(&b, rest) < 0 || !(ctx = EVP_CIPHER_CTX_new()) ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, (unsigned char *)raw.ptr) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)b.ptr, &n, (unsigned char *)raw.ptr + 16,
			      (int)rest) != 1 || (size_t)n != rest) {
		error = tmpl_call_errorf(call, "decryption failed");
		goto done;
	}
	b.len = rest;
	b.ptr[b.len] = '\0';
	pad = (unsigned char)b.ptr[rest - 1];
	if (pad > rest) {
		error = tmpl_call_errorf(call, "runtime error: slice bounds out of range [:%lld]",
					 (long long)rest - (long long)pad);
		goto done;
	}
	buf_truncate(&b, rest - pad);
done:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(key, sizeof(key));
	buf_release(&raw);
	if (error < 0) {
		buf_release(&b);
		return error;
	}
	return S_done_str(out, call, &b);
}

static const struct tmpl_func S_funcs[] = {
	{ "sha1sum", S_digest, "s", TMPL_FN_NOERR, (void *)"SHA1" },
	{ "sha256sum", S_digest, "s", TMPL_FN_NOERR, (void *)"SHA256" },
	{ "sha512sum", S_digest, "s", TMPL_FN_NOERR, (void *)"SHA512" },
	{ "adler32sum", S_adler32sum, "s", TMPL_FN_NOERR, NULL },
	{ "bcrypt", S_bcrypt_fn, "s", TMPL_FN_NOERR, NULL },
	{ "htpasswd", S_htpasswd, "ss", TMPL_FN_NOERR, NULL },
	/* NEEDSWORK: Go's counter is a uint32; the engine has no such letter */
	{ "derivePassword", S_derive_password, "ussss", TMPL_FN_NOERR, NULL },
	{ "genPrivateKey", S_gen_private_key, "s", TMPL_FN_NOERR, NULL },
	{ "buildCustomCert", S_build_custom_cert, "ss", 0, NULL },
	{ "genCA", S_gen_cert, "si", 0, (void *)&S_certfns[S_CA] },
	{ "genCAWithKey", S_gen_cert, "sis", 0, (void *)&S_certfns[S_CA_KEY] },
	{ "genSelfSignedCert", S_gen_cert, "slli", 0, (void *)&S_certfns[S_SELF] },
	{ "genSelfSignedCertWithKey", S_gen_cert, "sllis", 0, (void *)&S_certfns[S_SELF_KEY] },
	{ "genSignedCert", S_gen_cert, "slliC", 0, (void *)&S_certfns[S_SIGNED] },
	{ "genSignedCertWithKey", S_gen_cert, "slliCs", 0, (void *)&S_certfns[S_SIGNED_KEY] },
	{ "encryptAES", S_encrypt_aes, "ss", 0, NULL },
	{ "decryptAES", S_decrypt_aes, "ss", 0, NULL },
};

int sprig_crypto_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
