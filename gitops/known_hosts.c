/*
 * known_hosts lookups (known_hosts.h). The text is scanned line by line in
 * place; nothing is allocated but the decoded key of one line at a time.
 */
#include "gitops/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest base64 key field considered (an RSA-16384 key is ~2.8 KiB). */
#define KH_MAX_B64 8192

static int S_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Glob match of name against pattern[0, plen): `*`, `?`, case-insensitive. */
static int S_glob(const char *pat, size_t plen, const char *name)
{
	size_t p = 0;
	const char *star_p = NULL, *star_n = NULL;

	for (;;) {
		if (p < plen && pat[p] == '*') {
			star_p = pat + ++p;
			star_n = name;
			continue;
		}
		if (!*name)
			break;
		if (p < plen && (pat[p] == '?' || S_lower((unsigned char)pat[p]) ==
					       S_lower((unsigned char)*name))) {
			p++;
			name++;
			continue;
		}
		if (!star_p)
			return 0;
		p = (size_t)(star_p - pat);
		name = ++star_n;
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

/* Decodes standard base64 (with padding) into out (size n); the length, or
 * -1. */
static long S_unbase64(unsigned char *out, size_t n, const char *s, size_t len)
{
	int got, pad = 0;

	if (len == 0 || len % 4 || len > KH_MAX_B64 || n < len / 4 * 3)
		return -1;
	if (s[len - 1] == '=')
		pad++;
	if (s[len - 2] == '=')
		pad++;
	got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	return got < 0 ? -1 : (long)got - pad;
}

/* A hashed name "|1|salt|hash": HMAC-SHA1(salt, name) == hash. */
static int S_hashed_match(const char *pat, size_t plen, const char *name)
{
	unsigned char salt[64], hash[64], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	const char *s = pat + 3, *bar, *end = pat + plen;
	long nsalt, nhash;

	bar = memchr(s, '|', (size_t)(end - s));
	if (!bar)
		return 0;
	nsalt = S_unbase64(salt, sizeof(salt), s, (size_t)(bar - s));
	nhash = S_unbase64(hash, sizeof(hash), bar + 1, (size_t)(end - bar - 1));
	if (nsalt <= 0 || nhash != 20)
		return 0;
	if (!HMAC(EVP_sha1(), salt, (int)nsalt, (const unsigned char *)name, strlen(name), mac,
		  &maclen) || maclen != 20)
		return 0;
	return memcmp(mac, hash, 20) == 0;
}

/* Does the host field [f, f + flen) name name? A negated pattern that
 * matches rules the line out. */
static int S_hosts_match(const char *f, size_t flen, const char *name)
{
	const char *end = f + flen;
	int any = 0;

	if (flen >= 3 && !memcmp(f, "|1|", 3))
		return S_hashed_match(f, flen, name);
	while (f < end) {
		const char *comma = memchr(f, ',', (size_t)(end - f));
		size_t n = comma ? (size_t)(comma - f) : (size_t)(end - f);

		if (n > 0 && f[0] == '!') {
			if (S_glob(f + 1, n - 1, name))
				return 0;
		} else if (n > 0 && S_glob(f, n, name)) {
			any = 1;
		}
		f += n + (comma ? 1 : 0);
	}
	return any;
}

void kh_key_type(char *out, size_t n, const unsigned char *key, size_t keylen)
{
	size_t tlen;

	out[0] = '\0';
	if (keylen < 4 || n == 0)
		return;
	tlen = (size_t)key[0] << 24 | (size_t)key[1] << 16 | (size_t)key[2] << 8 | key[3];
	if (tlen == 0 || tlen > keylen - 4 || tlen >= n)
		return;
	memcpy(out, key + 4, tlen);
	out[tlen] = '\0';
}

/* The next blank-separated field of [*p, end), or NULL. */
static const char *S_field(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *f;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end)
		return NULL;
	f = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*len = (size_t)(s - f);
	*p = s;
	return f;
}

enum kh_result kh_check(const char *text, size_t len, const char *host, int port,
			const unsigned char *key, size_t keylen)
{
	char name[300], type[64];
	const char *p = text, *end = text + len;
	unsigned char *blob;
	int match = 0, mismatch = 0, revoked = 0;

	if (port > 0 && port != 22)
		snprintf(name, sizeof(name), "[%s]:%d", host, port);
	else
		snprintf(name, sizeof(name), "%s", host);
	kh_key_type(type, sizeof(type), key, keylen);
	if (!type[0] || !(blob = malloc(KH_MAX_B64 / 4 * 3)))
		return KH_UNKNOWN;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl ? nl : end, *q = p, *f;
		size_t flen, hlen, tlen, klen;
		const char *hosts, *ktype, *kb64;
		int is_revoked = 0;
		long n;

		p = nl ? nl + 1 : end;
		if (line_end > q && line_end[-1] == '\r')
			line_end--;
		f = S_field(&q, line_end, &flen);
		if (!f || f[0] == '#')
			continue;
		if (f[0] == '@') {
			if (flen == 8 && !memcmp(f, "@revoked", 8))
				is_revoked = 1;
			else
				continue;  /* @cert-authority, or unknown */
			if (!(f = S_field(&q, line_end, &flen)))
				continue;
		}
		hosts = f;
		hlen = flen;
		if (!(ktype = S_field(&q, line_end, &tlen)) || !(kb64 = S_field(&q, line_end, &klen)))
			continue;
		/* a revoked key is refused whatever host it is listed for */
		if (!is_revoked && !S_hosts_match(hosts, hlen, name))
			continue;
		n = S_unbase64(blob, KH_MAX_B64 / 4 * 3, kb64, klen);
		if (n < 0)
			continue;
		if ((size_t)n == keylen && !memcmp(blob, key, keylen)) {
			if (is_revoked)
				revoked = 1;
			else
				match = 1;
		} else if (!is_revoked && strlen(type) == tlen && !memcmp(type, ktype, tlen)) {
			mismatch = 1;
		}
	}
	free(blob);
	if (revoked)
		return KH_REVOKED;
	if (match)
		return KH_MATCH;
	return mismatch ? KH_MISMATCH : KH_UNKNOWN;
}
