/*
 * gitops/known_hosts.c: OpenSSH known_hosts lookups. The files in
 * testdata/known_hosts were made with ssh-keygen: a.pub, b.pub (ed25519)
 * and c.pub (ecdsa) are public keys; `plain` lists them for plain, bracketed,
 * wildcard and negated host patterns, a @cert-authority line and a @revoked
 * one; `hashed` is plain's host lines hashed by `ssh-keygen -H`. Which host
 * each file names was checked with `ssh-keygen -F HOST -f FILE`; the
 * match/mismatch/revoked rules are ssh(1)'s (sshd(8), SSH_KNOWN_HOSTS FILE
 * FORMAT).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "gitops/known_hosts.h"
#include "testutil.h"

struct key {
	unsigned char blob[512];
	size_t len;
};

/* The key blob of a "TYPE BASE64" public key file. */
static void S_key(struct key *k, const char *name)
{
	char path[512], *text, *b64, *end;
	int n, pad = 0;

	snprintf(path, sizeof(path), "known_hosts/%s", name);
	text = tu_read_file(tu_testdata(path), NULL);
	assert_non_null(text);
	b64 = strchr(text, ' ');
	assert_non_null(b64);
	b64++;
	end = b64 + strcspn(b64, " \n");
	*end = '\0';
	n = EVP_DecodeBlock(k->blob, (const unsigned char *)b64, (int)strlen(b64));
	assert_true(n > 0);
	pad = (end[-1] == '=') + (end[-2] == '=');
	k->len = (size_t)(n - pad);
	free(text);
}

static char *S_file(const char *name)
{
	char path[512], *text;

	snprintf(path, sizeof(path), "known_hosts/%s", name);
	text = tu_read_file(tu_testdata(path), NULL);
	assert_non_null(text);
	return text;
}

static enum kh_result S_check(const char *text, const char *host, int port, const struct key *k)
{
	return kh_check(text, strlen(text), host, port, k->blob, k->len);
}

static void test_known_hosts__plain_patterns(void **state)
{
	struct key a, b, c;
	char *plain = S_file("plain");

	(void)state;
	S_key(&a, "a.pub");
	S_key(&b, "b.pub");
	S_key(&c, "c.pub");
	assert_int_equal(S_check(plain, "git.example.com", 22, &a), KH_MATCH);
	assert_int_equal(S_check(plain, "GIT.example.com", 22, &a), KH_MATCH);
	assert_int_equal(S_check(plain, "192.0.2.7", 22, &a), KH_MATCH);
	/* the same type, another key: the host changed its key */
	assert_int_equal(S_check(plain, "git.example.com", 22, &b), KH_MISMATCH);
	/* a port other than 22 is "[host]:port", its own entry */
	assert_int_equal(S_check(plain, "git.example.com", 2222, &b), KH_MATCH);
	assert_int_equal(S_check(plain, "git.example.com", 2222, &a), KH_MISMATCH);
	assert_int_equal(S_check(plain, "git.example.com", 2022, &a), KH_UNKNOWN);
	/* wildcards, and a negated pattern that rules the line out */
	assert_int_equal(S_check(plain, "x.corp.example", 22, &a), KH_MATCH);
	assert_int_equal(S_check(plain, "bad.corp.example", 22, &a), KH_UNKNOWN);
	assert_int_equal(S_check(plain, "corp.example", 22, &a), KH_UNKNOWN);
	/* @cert-authority lines name CAs, not host keys */
	assert_int_equal(S_check(plain, "a.example.org", 22, &b), KH_UNKNOWN);
	/* a key of another type than the host's listed one: unknown, not changed */
	assert_int_equal(S_check(plain, "mixed.example", 22, &a), KH_UNKNOWN);
	/* a @revoked key is refused for every host, listed or not */
	assert_int_equal(S_check(plain, "mixed.example", 22, &c), KH_REVOKED);
	assert_int_equal(S_check(plain, "other.example", 22, &c), KH_REVOKED);
	assert_int_equal(S_check(plain, "other.example", 22, &a), KH_UNKNOWN);
	free(plain);
}

static void test_known_hosts__hashed(void **state)
{
	struct key a, b;
	char *hashed = S_file("hashed");

	(void)state;
	S_key(&a, "a.pub");
	S_key(&b, "b.pub");
	assert_non_null(strstr(hashed, "|1|"));
	assert_null(strstr(hashed, "git.example.com"));
	assert_int_equal(S_check(hashed, "git.example.com", 22, &a), KH_MATCH);
	assert_int_equal(S_check(hashed, "192.0.2.7", 22, &a), KH_MATCH);
	assert_int_equal(S_check(hashed, "git.example.com", 2222, &b), KH_MATCH);
	assert_int_equal(S_check(hashed, "hashme.example", 22, &a), KH_MATCH);
	assert_int_equal(S_check(hashed, "hashme.example", 22, &b), KH_MISMATCH);
	assert_int_equal(S_check(hashed, "x.corp.example", 22, &a), KH_UNKNOWN);
	assert_int_equal(S_check(hashed, "other.example", 22, &a), KH_UNKNOWN);
	free(hashed);
}

/* Lines that are not known_hosts lines are skipped, never read past. */
static void test_known_hosts__malformed(void **state)
{
	static const char *const texts[] = {
		"", "\n\n", "host", "host ssh-ed25519", "host ssh-ed25519 !!!!",
		"host ssh-ed25519 AAAA=", "host ssh-ed25519 A", "@revoked", "@revoked host",
		"|1|", "|1|x|y ssh-ed25519 AAAA", "|1|AAAA|AAAA ssh-ed25519 AAAA", "*,!,, a b c",
		"\r\n\t \r", "# host ssh-ed25519 AAAA",
	};
	struct key a;

	(void)state;
	S_key(&a, "a.pub");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_int_equal(S_check(texts[i], "host", 22, &a), KH_UNKNOWN);
	/* a key blob too short to name its type matches nothing */
	assert_int_equal(kh_check("host ssh-ed25519 AAAA\n", 22, "host", 22,
				  (const unsigned char *)"\0\0", 2), KH_UNKNOWN);
}

static void test_known_hosts__key_type(void **state)
{
	struct key a, c;
	char type[64];

	(void)state;
	S_key(&a, "a.pub");
	S_key(&c, "c.pub");
	kh_key_type(type, sizeof(type), a.blob, a.len);
	assert_string_equal(type, "ssh-ed25519");
	kh_key_type(type, sizeof(type), c.blob, c.len);
	assert_string_equal(type, "ecdsa-sha2-nistp256");
	kh_key_type(type, 4, c.blob, c.len);
	assert_string_equal(type, "");
	kh_key_type(type, sizeof(type), (const unsigned char *)"\0\0\0\xff" "abc", 7);
	assert_string_equal(type, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_hosts__plain_patterns),
		cmocka_unit_test(test_known_hosts__hashed),
		cmocka_unit_test(test_known_hosts__malformed),
		cmocka_unit_test(test_known_hosts__key_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
