/*
 * Properties of Sprig's crypto functions (render/tmpl/sprig_crypto.c) that
 * no golden case can pin because their output is random: bcrypt against
 * hashes helm made (same salt, same hash), and certificates compared in
 * structure with those helm made (testdata/sprig/crypto/.fixtures): the
 * same extensions in the same order with the same criticality and bytes,
 * the same name encodings, signature algorithm, validity span, and the
 * key identifiers Go 1.25 computes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/sprig.h"
#include "render/tmpl/sprig_encoding_util.h"
#include "render/tmpl/tmpl.h"
#include "testutil.h"

static char *S_fixture(const char *name)
{
	char rel[256];
	char *s;

	snprintf(rel, sizeof(rel), "sprig/crypto/.fixtures/%s", name);
	s = tu_read_file(tu_testdata(rel), NULL);
	assert_non_null(s);
	return s;
}

/* Executes text with Sprig's functions and .Values.ec / .Values.ed set to
 * the fixture keys; the output (malloc'd) or NULL. */
static char *S_render(const char *text)
{
	struct tmpl_funcs *funcs = NULL;
	struct tmpl_set *set = NULL;
	struct tmpl_rt *rt = NULL;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;
	char *ec = S_fixture("ec-key.pem"), *ed = S_fixture("ed-key.pem");
	char *cak = S_fixture("ca-key.pem"), *ca = S_fixture("ca.pem");
	json_t *vals = json_pack("{ssssssss}", "ec", ec, "ed", ed, "cakey", cak, "cacert", ca);
	struct tval dot = tval_json_new(TV_VALUES, json_pack("{so}", "Values", vals));
	char *res = NULL;

	if (tmpl_funcs_new(&funcs) < 0 || sprig_register(funcs) < 0 ||
	    tmpl_set_new(&set, funcs) < 0 || tmpl_rt_new(&rt, NULL, TMPL_MISSINGKEY_ZERO) < 0)
		goto done;
	if (tmpl_set_parse(set, "t", text, strlen(text), &d) < 0 ||
	    tmpl_execute(&out, set, "t", &dot, rt, &d) < 0) {
		print_message("render error: %s\n", d.msg.ptr);
		goto done;
	}
	res = buf_detach(&out, NULL);
done:
	tval_release(&dot);
	tmpl_rt_free(rt);
	tmpl_set_free(set);
	tmpl_funcs_free(funcs);
	buf_release(&out);
	diag_release(&d);
	free(ec);
	free(ed);
	free(cak);
	free(ca);
	return res;
}

static X509 *S_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	assert_non_null(x);
	return x;
}

static X509 *S_cert_fixture(const char *name)
{
	char *pem = S_fixture(name);
	X509 *x = S_cert(pem);

	free(pem);
	return x;
}

static X509 *S_cert_rendered(const char *text)
{
	char *pem = S_render(text);
	X509 *x;

	assert_non_null(pem);
	x = S_cert(pem);
	free(pem);
	return x;
}

static EVP_PKEY *S_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

	BIO_free(bio);
	assert_non_null(k);
	return k;
}

static int S_der_eq_name(const X509_NAME *a, const X509_NAME *b)
{
	unsigned char *da = NULL, *db = NULL;
	int na = i2d_X509_NAME(a, &da), nb = i2d_X509_NAME(b, &db);
	int eq = na > 0 && na == nb && memcmp(da, db, (size_t)na) == 0;

	OPENSSL_free(da);
	OPENSSL_free(db);
	return eq;
}

static long S_span(const X509 *x)
{
	int days = 0, secs = 0;

	assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
					X509_get0_notAfter(x)), 1);
	return (long)days * 86400 + secs;
}

/*
 * mine and ref were made from the same template (ref by helm): the same
 * shape. same_names: the subject and issuer bytes must match too.
 */
static void S_compare_shape(X509 *mine, X509 *ref, int same_names)
{
	int i, n = X509_get_ext_count(ref);
	const ASN1_INTEGER *serial = X509_get0_serialNumber(mine);

	assert_int_equal(X509_get_version(mine), X509_get_version(ref));
	assert_int_equal(X509_get_signature_nid(mine), X509_get_signature_nid(ref));
	assert_int_equal(EVP_PKEY_get_base_id(X509_get0_pubkey(mine)),
			 EVP_PKEY_get_base_id(X509_get0_pubkey(ref)));
	assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(mine)),
			 EVP_PKEY_get_bits(X509_get0_pubkey(ref)));
	if (same_names) {
		assert_true(S_der_eq_name(X509_get_subject_name(mine), X509_get_subject_name(ref)));
		assert_true(S_der_eq_name(X509_get_issuer_name(mine), X509_get_issuer_name(ref)));
	}
	assert_int_equal(ASN1_STRING_type(X509_get0_notBefore(mine)),
			 ASN1_STRING_type(X509_get0_notBefore(ref)));
	assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(mine)),
			 ASN1_STRING_type(X509_get0_notAfter(ref)));
	assert_true(labs(S_span(mine) - S_span(ref)) <= 1);
	/* a positive serial of at most 128 bits */
	assert_int_equal(ASN1_STRING_type(serial), V_ASN1_INTEGER);
	assert_true(ASN1_STRING_length(serial) <= 17);
	assert_int_equal(X509_get_ext_count(mine), n);
	for (i = 0; i < n; i++) {
		X509_EXTENSION *a = X509_get_ext(mine, i), *b = X509_get_ext(ref, i);
		const ASN1_OCTET_STRING *da = X509_EXTENSION_get_data(a);
		const ASN1_OCTET_STRING *db = X509_EXTENSION_get_data(b);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(b));

		assert_int_equal(OBJ_cmp(X509_EXTENSION_get_object(a), X509_EXTENSION_get_object(b)), 0);
		assert_int_equal(X509_EXTENSION_get_critical(a), X509_EXTENSION_get_critical(b));
		assert_int_equal(ASN1_STRING_length(da), ASN1_STRING_length(db));
		if (nid != NID_subject_key_identifier && nid != NID_authority_key_identifier)
			assert_memory_equal(ASN1_STRING_get0_data(da), ASN1_STRING_get0_data(db),
					    (size_t)ASN1_STRING_length(db));
	}
}

/* Go 1.25's subject key id: SHA-256 of the key's bits, 20 bytes. */
static void S_check_ski(X509 *x)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
	unsigned char h[32];

	assert_non_null(ski);
	assert_int_equal(EVP_Digest(bits->data, (size_t)bits->length, h, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(ASN1_STRING_length(ski), 20);
	assert_memory_equal(ASN1_STRING_get0_data(ski), h, 20);
}

static void test_sprig_crypto__bcrypt_matches_helm(void **state)
{
	/* hashes printed by helm 4.1.4: bcrypt "password", bcrypt "",
	 * htpasswd "user" "pw"; the salt is their characters 7..28 */
	static const struct {
		const char *pw, *hash;
	} cases[] = {
		{ "password", "$2a$10$KD/TSQxeP7HjOp7CVfEDPOy.gtG91JP9j5UqSJ6DY8XEw9tcA6b3y" },
		{ "", "$2a$10$C.uuE4nSg/5DKjdoq/fAt.R2kJGNhrHe8K9yPzmFWeKFIAZaRHZ1u" },
		{ "pw", "$2a$10$Bz8N3BjtLtoNXAcTHE/9z.CJocBgYLrUIwll6I2UDVTwe/rSIR1Qu" },
	};
	static const char alpha[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char salt[18];
		unsigned v = 0;
		int bits = 0, n = 0, k;
		struct buf b = BUF_INIT;

		for (k = 7; k < 29; k++) {
			v = v << 6 | (unsigned)(strchr(alpha, cases[i].hash[k]) - alpha);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (n < 16)
					salt[n++] = (unsigned char)(v >> bits);
			}
		}
		assert_int_equal(sprig_enc_bcrypt(&b, cases[i].pw, strlen(cases[i].pw), 10, salt), 0);
		assert_string_equal(b.ptr, cases[i].hash);
		buf_release(&b);
	}
}

static void test_sprig_crypto__ca_like_helms(void **state)
{
	X509 *ref = S_cert_fixture("ca.pem");
	X509 *mine = S_cert_rendered("{{ (genCA \"my-ca\" 365).Cert }}");

	(void)state;
	S_compare_shape(mine, ref, 1);
	S_check_ski(mine);
	S_check_ski(ref);
	assert_int_equal(X509_check_ca(mine), 1);
	assert_int_equal(X509_verify(mine, X509_get0_pubkey(mine)), 1);
	X509_free(ref);
	X509_free(mine);
}

static void test_sprig_crypto__signed_like_helms(void **state)
{
	X509 *ref = S_cert_fixture("leaf.pem");
	X509 *ca = S_cert_fixture("ca.pem");
	X509 *mine = S_cert_rendered(
		"{{ $ca := buildCustomCert (b64enc .Values.cacert) (b64enc .Values.cakey) }}"
		"{{ (genSignedCert \"leaf\" (mustFromJson \"[\\\"10.0.0.1\\\",\\\"::1\\\","
		"\\\"::ffff:1.2.3.4\\\"]\") (mustFromJson \"[\\\"a.example.com\\\",\\\"b\\\"]\")"
		" 30 $ca).Cert }}");
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(mine);

	(void)state;
	/* same CA, so the issuer and the authority key id match too */
	S_compare_shape(mine, ref, 1);
	assert_non_null(aki);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(ca)), 0);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki, X509_get0_authority_key_id(ref)), 0);
	assert_null(X509_get0_subject_key_id(mine));
	assert_int_equal(X509_verify(mine, X509_get0_pubkey(ca)), 1);
	assert_int_equal(X509_check_ca(mine), 0);
	X509_free(ref);
	X509_free(ca);
	X509_free(mine);
}

static void test_sprig_crypto__names_like_helms(void **state)
{
	X509 *ref = S_cert_fixture("wildcard.pem");
	X509 *mine = S_cert_rendered("{{ (genSelfSignedCert \"*.example.com\" nil nil 1).Cert }}");

	(void)state;
	/* '*' makes Go choose UTF8String over PrintableString */
	S_compare_shape(mine, ref, 1);
	X509_free(ref);
	X509_free(mine);
	ref = S_cert_fixture("empty-cn.pem");
	mine = S_cert_rendered(
		"{{ (genSelfSignedCert \"\" nil (mustFromJson \"[\\\"x.y\\\"]\") 1).Cert }}");
	/* no subject at all, and so a critical subjectAltName */
	S_compare_shape(mine, ref, 1);
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(mine)), 0);
	X509_free(ref);
	X509_free(mine);
}

static void test_sprig_crypto__keys_like_helms(void **state)
{
	X509 *ref = S_cert_fixture("ec-ca.pem");
	X509 *mine = S_cert_rendered("{{ (genCAWithKey \"ec-ca\" 10 .Values.ec).Cert }}");

	(void)state;
	S_compare_shape(mine, ref, 1);
	/* the same key, so the same key id */
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(mine), X509_get0_pubkey(ref)), 1);
	assert_int_equal(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(mine),
					       X509_get0_subject_key_id(ref)), 0);
	assert_int_equal(X509_verify(mine, X509_get0_pubkey(mine)), 1);
	X509_free(ref);
	X509_free(mine);
	ref = S_cert_fixture("ed-self.pem");
	mine = S_cert_rendered("{{ (genSelfSignedCertWithKey \"ed\" (mustFromJson "
			       "\"[\\\"1.1.1.1\\\"]\") nil 2 .Values.ed).Cert }}");
	S_compare_shape(mine, ref, 1);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(mine), X509_get0_pubkey(ref)), 1);
	assert_int_equal(X509_verify(mine, X509_get0_pubkey(mine)), 1);
	X509_free(ref);
	X509_free(mine);
}

static void test_sprig_crypto__validity_like_helms(void **state)
{
	X509 *ref = S_cert_fixture("neg-days.pem");
	X509 *mine = S_cert_rendered("{{ (genSelfSignedCert \"neg\" nil nil -3).Cert }}");

	(void)state;
	S_compare_shape(mine, ref, 1);
	assert_int_equal(S_span(mine), -3 * 86400);
	X509_free(ref);
	X509_free(mine);
	/* time.Hour * 24 * 200000 wraps around int64 nanoseconds */
	ref = S_cert_fixture("wrap-days.pem");
	mine = S_cert_rendered("{{ (genSelfSignedCert \"wrap\" nil nil 200000).Cert }}");
	S_compare_shape(mine, ref, 1);
	assert_true(S_span(mine) < 0);
	X509_free(ref);
	X509_free(mine);
}

static void test_sprig_crypto__cert_key_pairs(void **state)
{
	char *out = S_render("{{ $c := genSelfSignedCert \"h\" nil nil 1 }}{{ $c.Cert }}{{ $c.Key }}");
	X509 *x;
	EVP_PKEY *k;

	(void)state;
	assert_non_null(out);
	x = S_cert(out);
	assert_non_null(strstr(out, "-----BEGIN RSA PRIVATE KEY-----\n"));
	k = S_key(strstr(out, "-----BEGIN RSA PRIVATE KEY-----"));
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), k), 1);
	assert_int_equal(EVP_PKEY_get_bits(k), 2048);
	EVP_PKEY_free(k);
	X509_free(x);
	free(out);
}

static void test_sprig_crypto__private_keys(void **state)
{
	static const struct {
		const char *type, *pem_type;
		int id, bits;
	} cases[] = {
		{ "ecdsa", "EC PRIVATE KEY", EVP_PKEY_EC, 256 },
		{ "ed25519", "PRIVATE KEY", EVP_PKEY_ED25519, 256 },
		{ "dsa", "DSA PRIVATE KEY", EVP_PKEY_DSA, 2048 },
		{ "rsa", "RSA PRIVATE KEY", EVP_PKEY_RSA, 4096 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[64], begin[64];
		char *pem;
		EVP_PKEY *k;

		snprintf(text, sizeof(text), "{{ genPrivateKey \"%s\" }}", cases[i].type);
		snprintf(begin, sizeof(begin), "-----BEGIN %s-----\n", cases[i].pem_type);
		pem = S_render(text);
		assert_non_null(pem);
		assert_memory_equal(pem, begin, strlen(begin));
		k = S_key(pem);
		assert_int_equal(EVP_PKEY_get_base_id(k), cases[i].id);
		assert_int_equal(EVP_PKEY_get_bits(k), cases[i].bits);
		EVP_PKEY_free(k);
		free(pem);
	}
}

/* encryptAES is AES-256-CBC: IV, then PKCS#7-padded text; check it with
 * libcrypto's own padding. */
static void test_sprig_crypto__encrypt_aes_format(void **state)
{
	char *b64 = S_render("{{ encryptAES \"key\" \"attack at dawn, attack at dawn!\" }}");
	struct buf raw = BUF_INIT;
	unsigned char key[32] = "key", plain[64];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int64_t bad;
	int n = 0, m = 0;

	(void)state;
	assert_non_null(b64);
	assert_int_equal(sprig_enc_b64_decode(&raw, b64, strlen(b64), &bad), 0);
	assert_int_equal(raw.len, 16 + 32); /* 31 bytes + 1 of padding */
	memset(key + 3, 0, 29);
	assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key,
					    (unsigned char *)raw.ptr), 1);
	assert_int_equal(EVP_DecryptUpdate(ctx, plain, &n, (unsigned char *)raw.ptr + 16, 32), 1);
	assert_int_equal(EVP_DecryptFinal_ex(ctx, plain + n, &m), 1);
	assert_int_equal(n + m, 31);
	assert_memory_equal(plain, "attack at dawn, attack at dawn!", 31);
	EVP_CIPHER_CTX_free(ctx);
	buf_release(&raw);
	free(b64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sprig_crypto__bcrypt_matches_helm),
		cmocka_unit_test(test_sprig_crypto__ca_like_helms),
		cmocka_unit_test(test_sprig_crypto__signed_like_helms),
		cmocka_unit_test(test_sprig_crypto__names_like_helms),
		cmocka_unit_test(test_sprig_crypto__keys_like_helms),
		cmocka_unit_test(test_sprig_crypto__validity_like_helms),
		cmocka_unit_test(test_sprig_crypto__cert_key_pairs),
		cmocka_unit_test(test_sprig_crypto__private_keys),
		cmocka_unit_test(test_sprig_crypto__encrypt_aes_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
