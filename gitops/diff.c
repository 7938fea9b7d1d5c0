/*
 * The rendered tree against the old files under its managed roots: per
 * file, per resource, per field, with Secret data masked (gitops/diff.h).
 */
#include "gitops/diff.h"

#include "gitops/git.h"
#include "gitops/textdiff.h"
#include "gitops/tree.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "render/value.h"
#include "render/yaml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

const char *diff_status_name(enum diff_status s)
{
	switch (s) {
	case DIFF_ADDED:
		return "added";
	case DIFF_REMOVED:
		return "removed";
	default:
		return "changed";
	}
}

/* ---- salt and digests ---- */

static unsigned char S_salt[16];
static int S_salt_ok;
static pthread_once_t S_salt_once = PTHREAD_ONCE_INIT;

static void S_salt_init(void)
{
	S_salt_ok = RAND_bytes(S_salt, sizeof(S_salt)) == 1;
}

const unsigned char *diff_salt_default(size_t *len_out)
{
	const char *env = getenv("HYDRATE_DIFF_SALT");

	if (env && *env) {
		*len_out = strlen(env);
		return (const unsigned char *)env;
	}
	pthread_once(&S_salt_once, S_salt_init);
	*len_out = S_salt_ok ? sizeof(S_salt) : 0;
	return S_salt_ok ? S_salt : NULL;
}

static void S_be64(unsigned char out[8], size_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

int diff_digest(char out[DIFF_DIGEST_LEN + 1], const unsigned char *salt, size_t salt_len,
		const char *key, const void *value, size_t value_len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE], len8[8];
	unsigned int mdlen = 0;
	size_t key_len = strlen(key);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	out[0] = '\0';
	if (!ctx)
		return DIAG_ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	S_be64(len8, salt_len);
	ok = ok && EVP_DigestUpdate(ctx, len8, 8) == 1;
	ok = ok && EVP_DigestUpdate(ctx, salt, salt_len) == 1;
	S_be64(len8, key_len);
	ok = ok && EVP_DigestUpdate(ctx, len8, 8) == 1;
	ok = ok && EVP_DigestUpdate(ctx, key, key_len) == 1;
	ok = ok && EVP_DigestUpdate(ctx, value, value_len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok || mdlen < DIFF_DIGEST_LEN / 2)
		return -1;
	for (int i = 0; i < DIFF_DIGEST_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[DIFF_DIGEST_LEN] = '\0';
	return 0;
}

/* ---- the result ---- */

static void S_field_release(struct diff_field *f)
{
	free(f->path);
	json_decref(f->old_value);
	json_decref(f->new_value);
}

static void S_resource_release(struct diff_resource *r)
{
	free(r->api_version);
	free(r->kind);
	free(r->namespace);
	free(r->name);
	for (size_t i = 0; i < r->nfields; i++)
		S_field_release(&r->fields[i]);
	free(r->fields);
}

static void S_file_release(struct diff_file *f)
{
	free(f->path);
	free(f->root);
	for (size_t i = 0; i < f->nresources; i++)
		S_resource_release(&f->resources[i]);
	free(f->resources);
	free(f->text);
}

void diff_result_release(struct diff_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		S_file_release(&r->files[i]);
	free(r->files);
	for (size_t i = 0; i < r->nroots; i++)
		free(r->roots[i]);
	free(r->roots);
	memset(r, 0, sizeof(*r));
}

int diff_result_differs(const struct diff_result *r)
{
	return r->n > 0;
}

/* ---- what we compare in one run ---- */

struct S_ctx {
	const unsigned char *salt;
	size_t salt_len;
	int context;
	int oom;
};

/* A growable array of T, where T is known to the caller. */
static void *S_grow(void *v, size_t *alloc, size_t n, size_t size)
{
	void *nv;
	size_t na;

	if (n < *alloc)
		return v;
	na = *alloc ? *alloc * 2 : 8;
	nv = realloc(v, na * size);
	if (!nv)
		return NULL;
	*alloc = na;
	return nv;
}

static const char *S_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A Secret document (a v1 Secret; any apiVersion is masked, to be safe). */
static int S_is_secret(const json_t *doc)
{
	return json_is_object(doc) && strcmp(S_str(doc, "kind"), "Secret") == 0;
}

/* A document holding a Secret: itself, or a List item. */
static int S_holds_secret(const json_t *doc)
{
	const json_t *items;
	size_t i;
	json_t *it;

	if (S_is_secret(doc))
		return 1;
	items = json_object_get(doc, "items");
	json_array_foreach(items, i, it)
		if (S_is_secret(it))
			return 1;
	return 0;
}

/* Raw text that might hold a Secret, for text we could not parse. */
static int S_text_mentions_secret(const char *p, size_t len)
{
	const char *end = p + len;

	for (const char *q = p; q + 6 <= end; q++) {
		if (memcmp(q, "Secret", 6) == 0)
			return 1;
	}
	return 0;
}

/* The bytes a masked value is digested as: a string's text, else its JSON. */
static int S_value_digest(char out[DIFF_DIGEST_LEN + 1], struct S_ctx *c, const char *key,
			  const json_t *v)
{
	struct buf b = BUF_INIT;
	int error;

	if (json_is_string(v))
		return diff_digest(out, c->salt, c->salt_len, key, json_string_value(v),
				   json_string_length(v));
	if ((error = value_to_json(&b, v, 0, NULL)) == 0)
		error = diff_digest(out, c->salt, c->salt_len, key, b.ptr, b.len);
	buf_release(&b);
	return error;
}

/* ---- field paths ---- */

static int S_simple_key(const char *k, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = k[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		      (i > 0 && ((ch >= '0' && ch <= '9') || ch == '-'))))
			return 0;
	}
	return 1;
}

static void S_quoted(struct buf *b, const char *s, size_t len)
{
	buf_addch(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			buf_addf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			buf_addf(b, "\\u%04x", ch);
		else
			buf_addch(b, ch);
	}
	buf_addch(b, '"');
}

static void S_path_key(struct buf *b, const char *k, size_t len)
{
	if (S_simple_key(k, len)) {
		if (b->len)
			buf_addch(b, '.');
		buf_add(b, k, len);
	} else {
		buf_addch(b, '[');
		S_quoted(b, k, len);
		buf_addch(b, ']');
	}
}

static void S_path_name(struct buf *b, const char *name, size_t len)
{
	int simple = len > 0;

	for (size_t i = 0; i < len; i++)
		if (name[i] == ']' || name[i] == '"' || name[i] == '[' ||
		    (unsigned char)name[i] < 0x20 || name[i] == ' ')
			simple = 0;
	buf_adds(b, "[name=");
	if (simple)
		buf_add(b, name, len);
	else
		S_quoted(b, name, len);
	buf_addch(b, ']');
}

/* ---- the field diff ---- */

struct S_fields {
	struct diff_field *v;
	size_t n, alloc;
};

static int S_add_field(struct S_ctx *c, struct S_fields *f, const struct buf *path,
		       enum diff_status st, json_t *old_value, json_t *new_value)
{
	struct diff_field *e;
	struct diff_field *nv = S_grow(f->v, &f->alloc, f->n, sizeof(*f->v));

	if (!nv) {
		c->oom = 1;
		return DIAG_ENOMEM;
	}
	f->v = nv;
	e = &f->v[f->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path->ptr);
	if (!e->path) {
		c->oom = 1;
		return DIAG_ENOMEM;
	}
	e->status = st;
	e->old_value = old_value ? json_deep_copy(old_value) : NULL;
	e->new_value = new_value ? json_deep_copy(new_value) : NULL;
	if ((old_value && !e->old_value) || (new_value && !e->new_value)) {
		S_field_release(e);
		c->oom = 1;
		return DIAG_ENOMEM;
	}
	f->n++;
	return 0;
}

static int S_add_masked(struct S_ctx *c, struct S_fields *f, const struct buf *path,
			const char *digest_key, const json_t *old_value, const json_t *new_value)
{
	struct diff_field *e;
	int error;

	if ((error = S_add_field(c, f, path, !old_value ? DIFF_ADDED :
				 !new_value ? DIFF_REMOVED : DIFF_CHANGED, NULL, NULL)) < 0)
		return error;
	e = &f->v[f->n - 1];
	e->masked = 1;
	if ((old_value && S_value_digest(e->old_digest, c, digest_key, old_value) < 0) ||
	    (new_value && S_value_digest(e->new_digest, c, digest_key, new_value) < 0))
		return -1;
	return 0;
}

/* Items all mappings with a distinct string `name`. */
static int S_named_list(const json_t *arr)
{
	size_t n = json_array_size(arr);

	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		const json_t *it = json_array_get(arr, i);
		const json_t *nm = json_object_get(it, "name");

		if (!json_is_object(it) || !json_is_string(nm))
			return 0;
		for (size_t j = 0; j < i; j++) {
			const json_t *o = json_object_get(json_array_get(arr, j), "name");

			if (json_equal(o, nm))
				return 0;
		}
	}
	return 1;
}

static const json_t *S_find_named(const json_t *arr, const json_t *name, size_t *idx)
{
	size_t i;
	json_t *it;

	json_array_foreach(arr, i, it) {
		if (json_equal(json_object_get(it, "name"), name)) {
			*idx = i;
			return it;
		}
	}
	return NULL;
}

static int S_diff_value(struct S_ctx *c, struct S_fields *f, struct buf *path,
			const json_t *a, const json_t *b)
{
	size_t mark = path->len;
	int error = 0;

	if (json_equal(a, b))
		return 0;
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)b, k, v) {
			const json_t *av = json_object_get(a, k);

			S_path_key(path, k, strlen(k));
			if (av)
				error = S_diff_value(c, f, path, av, v);
			else
				error = S_add_field(c, f, path, DIFF_ADDED, NULL, v);
			buf_truncate(path, mark);
			if (error < 0)
				return error;
		}
		json_object_foreach((json_t *)a, k, v) {
			if (json_object_get(b, k))
				continue;
			S_path_key(path, k, strlen(k));
			error = S_add_field(c, f, path, DIFF_REMOVED, v, NULL);
			buf_truncate(path, mark);
			if (error < 0)
				return error;
		}
		return 0;
	}
	if (json_is_array(a) && json_is_array(b)) {
		size_t na = json_array_size(a), nb = json_array_size(b), i, j;
		json_t *v;

		if (S_named_list(a) && S_named_list(b) && (na || nb)) {
			json_array_foreach(b, i, v) {
				const json_t *nm = json_object_get(v, "name");
				const json_t *av = S_find_named(a, nm, &j);

				S_path_name(path, json_string_value(nm), json_string_length(nm));
				if (av)
					error = S_diff_value(c, f, path, av, v);
				else
					error = S_add_field(c, f, path, DIFF_ADDED, NULL, v);
				buf_truncate(path, mark);
				if (error < 0)
					return error;
			}
			json_array_foreach(a, i, v) {
				const json_t *nm = json_object_get(v, "name");

				if (S_find_named(b, nm, &j))
					continue;
				S_path_name(path, json_string_value(nm), json_string_length(nm));
				error = S_add_field(c, f, path, DIFF_REMOVED, v, NULL);
				buf_truncate(path, mark);
				if (error < 0)
					return error;
			}
			return 0;
		}
		for (i = 0; i < na || i < nb; i++) {
			buf_addf(path, "[%zu]", i);
			if (i < na && i < nb)
				error = S_diff_value(c, f, path, json_array_get(a, i),
						     json_array_get(b, i));
			else if (i < nb)
				error = S_add_field(c, f, path, DIFF_ADDED, NULL,
						    json_array_get(b, i));
			else
				error = S_add_field(c, f, path, DIFF_REMOVED,
						    json_array_get(a, i), NULL);
			buf_truncate(path, mark);
			if (error < 0)
				return error;
		}
		return 0;
	}
	return S_add_field(c, f, path, DIFF_CHANGED, (json_t *)a, (json_t *)b);
}

/*
 * A Secret without its secret parts, for the ordinary field diff: data and
 * stringData removed, the last-applied annotation replaced by a marker
 * holding its digest. New reference.
 */
static json_t *S_secret_rest(struct S_ctx *c, const json_t *doc)
{
	json_t *copy = json_deep_copy(doc);
	json_t *ann;
	const json_t *la;

	if (!copy)
		return NULL;
	json_object_del(copy, "data");
	json_object_del(copy, "stringData");
	ann = json_object_get(json_object_get(copy, "metadata"), "annotations");
	la = json_object_get(ann, S_LAST_APPLIED);
	if (la) {
		char dg[DIFF_DIGEST_LEN + 1], text[64];

		if (S_value_digest(dg, c, "metadata.annotations." S_LAST_APPLIED, la) < 0) {
			json_decref(copy);
			return NULL;
		}
		snprintf(text, sizeof(text), "<masked %s>", dg);
		if (json_object_set_new(ann, S_LAST_APPLIED, json_string(text)) < 0) {
			json_decref(copy);
			return NULL;
		}
	}
	return copy;
}

/* The per-key report of a Secret's data or stringData. */
static int S_diff_secret_map(struct S_ctx *c, struct S_fields *f, struct buf *path,
			     const char *field, const json_t *a, const json_t *b)
{
	size_t mark = path->len;
	struct buf key = BUF_INIT;
	const char *k;
	json_t *v;
	int error = 0;

	if (json_equal(a, b))
		return 0;
	S_path_key(path, field, strlen(field));
	if (!(a == NULL || json_is_object(a)) || !(b == NULL || json_is_object(b))) {
		/* Not a mapping: one masked value. */
		error = S_add_masked(c, f, path, field, a, b);
		buf_truncate(path, mark);
		return error;
	}
	json_object_foreach((json_t *)b, k, v) {
		const json_t *av = json_object_get(a, k);
		size_t m2 = path->len;

		if (av && json_equal(av, v))
			continue;
		buf_reset(&key);
		buf_addf(&key, "%s.%s", field, k);
		S_path_key(path, k, strlen(k));
		error = S_add_masked(c, f, path, key.ptr, av, v);
		buf_truncate(path, m2);
		if (error < 0)
			goto done;
	}
	json_object_foreach((json_t *)a, k, v) {
		size_t m2 = path->len;

		if (json_object_get(b, k))
			continue;
		buf_reset(&key);
		buf_addf(&key, "%s.%s", field, k);
		S_path_key(path, k, strlen(k));
		error = S_add_masked(c, f, path, key.ptr, v, NULL);
		buf_truncate(path, m2);
		if (error < 0)
			goto done;
	}
done:
	buf_truncate(path, mark);
	buf_release(&key);
	return buf_oom(&key) || buf_oom(path) ? DIAG_ENOMEM : error;
}

static int S_diff_secret(struct S_ctx *c, struct S_fields *f, struct buf *path,
			 const json_t *a, const json_t *b)
{
	json_t *ra = S_secret_rest(c, a), *rb = S_secret_rest(c, b);
	int error;

	if (!ra || !rb) {
		error = DIAG_ENOMEM;
		goto done;
	}
	if ((error = S_diff_value(c, f, path, ra, rb)) < 0 ||
	    (error = S_diff_secret_map(c, f, path, "data", json_object_get(a, "data"),
				       json_object_get(b, "data"))) < 0 ||
	    (error = S_diff_secret_map(c, f, path, "stringData", json_object_get(a, "stringData"),
				       json_object_get(b, "stringData"))) < 0)
		goto done;
	/* The marker of the annotation is a digest, not the value: say so. */
	for (size_t i = 0; i < f->n; i++) {
		struct diff_field *e = &f->v[i];
		const char *o = json_string_value(e->old_value);
		const char *n = json_string_value(e->new_value);

		if (!strstr(e->path, S_LAST_APPLIED) || e->masked)
			continue;
		if (o && !strncmp(o, "<masked ", 8) && strlen(o) == 8 + DIFF_DIGEST_LEN + 1) {
			memcpy(e->old_digest, o + 8, DIFF_DIGEST_LEN);
			e->old_digest[DIFF_DIGEST_LEN] = '\0';
		}
		if (n && !strncmp(n, "<masked ", 8) && strlen(n) == 8 + DIFF_DIGEST_LEN + 1) {
			memcpy(e->new_digest, n + 8, DIFF_DIGEST_LEN);
			e->new_digest[DIFF_DIGEST_LEN] = '\0';
		}
		if (e->old_digest[0] || e->new_digest[0]) {
			e->masked = 1;
			json_decref(e->old_value);
			json_decref(e->new_value);
			e->old_value = e->new_value = NULL;
		}
	}
done:
	json_decref(ra);
	json_decref(rb);
	return error;
}

/*
 * A masked copy of a document for the text diff: each Secret (the document
 * or a List item) with its data and stringData values and its last-applied
 * annotation replaced by "<masked DIGEST>". New reference.
 */
static json_t *S_masked_doc(struct S_ctx *c, const json_t *doc)
{
	json_t *copy = json_deep_copy(doc);
	json_t *items, *it;
	size_t i;
	int bad = !copy;

	if (bad)
		return NULL;
	items = json_object_get(copy, "items");
	for (i = 0; i <= json_array_size(items) && !bad; i++) {
		json_t *s = i == 0 ? copy : json_array_get(items, i - 1);
		static const char *const fields[] = { "data", "stringData" };
		json_t *ann, *la;

		if (!S_is_secret(s))
			continue;
		for (size_t fi = 0; fi < 2 && !bad; fi++) {
			json_t *m = json_object_get(s, fields[fi]);
			const char *k;
			json_t *v;
			char dg[DIFF_DIGEST_LEN + 1], text[64];

			if (!m)
				continue;
			if (!json_is_object(m)) {
				bad = S_value_digest(dg, c, fields[fi], m) < 0;
				snprintf(text, sizeof(text), "<masked %s>", dg);
				bad = bad || json_object_set_new(s, fields[fi], json_string(text)) < 0;
				continue;
			}
			json_object_foreach(m, k, it) {
				struct buf key = BUF_INIT;

				v = it;
				buf_addf(&key, "%s.%s", fields[fi], k);
				bad = buf_oom(&key) || S_value_digest(dg, c, key.ptr, v) < 0;
				buf_release(&key);
				if (bad)
					break;
				snprintf(text, sizeof(text), "<masked %s>", dg);
				if (json_object_set_new(m, k, json_string(text)) < 0) {
					bad = 1;
					break;
				}
			}
		}
		ann = json_object_get(json_object_get(s, "metadata"), "annotations");
		la = json_object_get(ann, S_LAST_APPLIED);
		if (la && !bad) {
			char dg[DIFF_DIGEST_LEN + 1], text[64];

			bad = S_value_digest(dg, c, "metadata.annotations." S_LAST_APPLIED, la) < 0;
			snprintf(text, sizeof(text), "<masked %s>", dg);
			bad = bad || json_object_set_new(ann, S_LAST_APPLIED, json_string(text)) < 0;
		}
	}
	if (bad) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

/* ---- one file ---- */

struct S_side {
	const char *data;      /* NULL: the file is absent on this side */
	size_t len;
	int regular;           /* a regular file (not a link or submodule) */
	struct srcfile src;
	struct ystream ys;
	int parsed;            /* 1: ys holds the documents */
};

static void S_side_release(struct S_side *s)
{
	ystream_release(&s->ys);
	srcfile_release(&s->src);
}

static int S_side_parse(struct S_side *s, const char *path)
{
	struct diag d = DIAG_INIT;
	int error;

	if (!s->data || !s->regular || memchr(s->data, 0, s->len))
		return 0;
	if (srcfile_set(&s->src, path, s->data, s->len) < 0)
		return DIAG_ENOMEM;
	error = ystream_parse(&s->ys, &s->src, YDOC_KUSTOMIZE, NULL, &d);
	diag_release(&d);
	if (error == DIAG_ENOMEM)
		return error;
	s->parsed = error == 0;
	return 0;
}

static int S_side_secret(const struct S_side *s)
{
	if (!s->data)
		return 0;
	if (!s->parsed)
		return S_text_mentions_secret(s->data, s->len);
	for (size_t i = 0; i < s->ys.ndocs; i++)
		if (S_holds_secret(s->ys.docs[i].root))
			return 1;
	return 0;
}

/* The masked rendering of a side, for the text diff. */
static int S_side_masked_text(struct buf *out, struct S_ctx *c, const struct S_side *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->ys.ndocs; i++) {
		const json_t *root = s->ys.docs[i].root;
		json_t *m;
		int error;

		if (!root || json_is_null(root))
			continue;
		if (!(m = S_masked_doc(c, root)))
			return DIAG_ENOMEM;
		if (kept++)
			buf_adds(out, "---\n");
		error = value_to_yaml(out, m, NULL);
		json_decref(m);
		if (error == DIAG_ENOMEM)
			return error;
		if (error < 0)
			buf_adds(out, "<masked: cannot be shown>\n");
	}
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

struct S_res {
	const json_t *doc;
	int used;
};

static int S_same_id(const json_t *a, const json_t *b)
{
	static const char *const keys[] = { "apiVersion", "kind" };
	const json_t *ma = json_object_get(a, "metadata"), *mb = json_object_get(b, "metadata");

	for (size_t i = 0; i < 2; i++)
		if (strcmp(S_str(a, keys[i]), S_str(b, keys[i])))
			return 0;
	return !strcmp(S_str(ma, "namespace"), S_str(mb, "namespace")) &&
	       !strcmp(S_str(ma, "name"), S_str(mb, "name"));
}

static int S_add_resource(struct S_ctx *c, struct diff_file *file, size_t *alloc,
			  const json_t *doc, enum diff_status st, struct S_fields *fields)
{
	struct diff_resource *r, *nv;
	const json_t *md = json_object_get(doc, "metadata");

	nv = S_grow(file->resources, alloc, file->nresources, sizeof(*nv));
	if (!nv)
		return DIAG_ENOMEM;
	file->resources = nv;
	r = &file->resources[file->nresources];
	memset(r, 0, sizeof(*r));
	r->api_version = strdup(S_str(doc, "apiVersion"));
	r->kind = strdup(S_str(doc, "kind"));
	r->namespace = strdup(S_str(md, "namespace"));
	r->name = strdup(S_str(md, "name"));
	r->status = st;
	r->secret = S_holds_secret(doc);
	if (fields) {
		r->fields = fields->v;
		r->nfields = fields->n;
		fields->v = NULL;
		fields->n = fields->alloc = 0;
	}
	file->nresources++;
	if (!r->api_version || !r->kind || !r->namespace || !r->name)
		return DIAG_ENOMEM;
	(void)c;
	return 0;
}

static void S_fields_release(struct S_fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		S_field_release(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* Diffs the documents of a parsed file (a side may be absent). */
static int S_diff_resources(struct S_ctx *c, struct diff_file *file, struct S_side *o,
			    struct S_side *n)
{
	struct S_res *olds = NULL;
	size_t nold = 0, alloc = 0;
	struct S_fields fields = { 0 };
	struct buf path = BUF_INIT;
	int error = 0;

	if (o->data) {
		olds = calloc(o->ys.ndocs + 1, sizeof(*olds));
		if (!olds)
			return DIAG_ENOMEM;
		for (size_t i = 0; i < o->ys.ndocs; i++)
			if (o->ys.docs[i].root && !json_is_null(o->ys.docs[i].root))
				olds[nold++].doc = o->ys.docs[i].root;
	}
	for (size_t i = 0; n->data && i < n->ys.ndocs; i++) {
		const json_t *doc = n->ys.docs[i].root;
		struct S_res *match = NULL;

		if (!doc || json_is_null(doc))
			continue;
		for (size_t j = 0; j < nold && !match; j++)
			if (!olds[j].used && S_same_id(olds[j].doc, doc))
				match = &olds[j];
		if (!match) {
			/* A document without a kind (provenance.json, plain data) is
			 * no resource: the file's status says enough. */
			if (S_str(doc, "kind")[0] &&
			    (error = S_add_resource(c, file, &alloc, doc, DIFF_ADDED, NULL)) < 0)
				goto done;
			continue;
		}
		match->used = 1;
		if (json_equal(match->doc, doc))
			continue;
		buf_reset(&path);
		if (S_is_secret(doc) && S_is_secret(match->doc))
			error = S_diff_secret(c, &fields, &path, match->doc, doc);
		else if (S_holds_secret(doc) || S_holds_secret(match->doc)) {
			/* A List with Secrets: compare the masked forms. */
			json_t *ma = S_masked_doc(c, match->doc), *mb = S_masked_doc(c, doc);

			error = ma && mb ? S_diff_value(c, &fields, &path, ma, mb) : DIAG_ENOMEM;
			json_decref(ma);
			json_decref(mb);
		} else {
			error = S_diff_value(c, &fields, &path, match->doc, doc);
		}
		if (error < 0 || c->oom || buf_oom(&path)) {
			error = error < 0 ? error : DIAG_ENOMEM;
			goto done;
		}
		if (fields.n &&
		    (error = S_add_resource(c, file, &alloc, doc, DIFF_CHANGED, &fields)) < 0)
			goto done;
		S_fields_release(&fields);
	}
	for (size_t j = 0; j < nold; j++)
		if (!olds[j].used && S_str(olds[j].doc, "kind")[0] &&
		    (error = S_add_resource(c, file, &alloc, olds[j].doc, DIFF_REMOVED, NULL)) < 0)
			goto done;
done:
	S_fields_release(&fields);
	buf_release(&path);
	free(olds);
	return error;
}

static int S_diff_file(struct S_ctx *c, struct diff_file *file, const struct tree_entry *ne,
		       const struct repo_file *oe)
{
	struct S_side o = { 0 }, n = { 0 };
	struct buf text = BUF_INIT, ma = BUF_INIT, mb = BUF_INIT, la = BUF_INIT, lb = BUF_INIT;
	struct textdiff_stats st = { 0 };
	int error = 0, secret;

	if (oe) {
		o.data = oe->data;
		o.len = oe->len;
		o.regular = oe->kind == REPO_FILE_BLOB || oe->kind == REPO_FILE_EXECUTABLE;
	}
	if (ne) {
		n.data = ne->data;
		n.len = ne->len;
		n.regular = 1;
	}
	if ((o.data && memchr(o.data, 0, o.len)) || (n.data && memchr(n.data, 0, n.len)))
		file->flags |= DIFF_FILE_BINARY;
	if ((error = S_side_parse(&o, file->path)) < 0 ||
	    (error = S_side_parse(&n, file->path)) < 0)
		goto done;
	secret = (ne && (ne->flags & TREE_SECRET)) || S_side_secret(&o) || S_side_secret(&n);
	if (secret)
		file->flags |= DIFF_FILE_SECRET;
	if ((o.data && !o.parsed) || (n.data && !n.parsed))
		file->flags |= DIFF_FILE_UNPARSED;
	else if ((error = S_diff_resources(c, file, &o, &n)) < 0)
		goto done;

	buf_addf(&la, "a/%s", file->path);
	buf_addf(&lb, "b/%s", file->path);
	if (!secret) {
		error = textdiff_unified(&text, o.data, o.len, n.data, n.len,
					 o.data ? la.ptr : "/dev/null",
					 n.data ? lb.ptr : "/dev/null", c->context, &st);
	} else if (!(file->flags & DIFF_FILE_UNPARSED)) {
		if ((o.data && (error = S_side_masked_text(&ma, c, &o)) < 0) ||
		    (n.data && (error = S_side_masked_text(&mb, c, &n)) < 0))
			goto done;
		error = textdiff_unified(&text, o.data ? ma.ptr : NULL, ma.len,
					 n.data ? mb.ptr : NULL, mb.len,
					 o.data ? la.ptr : "/dev/null",
					 n.data ? lb.ptr : "/dev/null", c->context, &st);
	}
	if (error < 0)
		goto done;
	if (buf_oom(&la) || buf_oom(&lb) || buf_oom(&text)) {
		error = DIAG_ENOMEM;
		goto done;
	}
	file->lines_added = st.added;
	file->lines_removed = st.removed;
	file->text_len = text.len;
	file->text = buf_detach(&text, NULL);
done:
	S_side_release(&o);
	S_side_release(&n);
	buf_release(&text);
	buf_release(&ma);
	buf_release(&mb);
	buf_release(&la);
	buf_release(&lb);
	return error;
}

/* ---- the run ---- */

static int S_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!n)
		return 1;
	return !strncmp(path, root, n) && (path[n] == '\0' || path[n] == '/');
}

/* Whether the first len bytes of path are one of t's (sorted) roots. */
static const char *S_root_find(const struct tree *t, const char *path, size_t len)
{
	size_t lo = 0, hi = t->nroots;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(t->roots[mid], path, len);

		if (c == 0 && t->roots[mid][len] != '\0')
			c = 1;
		if (c == 0)
			return t->roots[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The longest root path lies under, or NULL: a binary search for each of
 * its prefixes that ends at a '/' (and for the whole path). */
static const char *S_root_of(const struct tree *t, const char *path)
{
	size_t len = strlen(path);
	const char *root;

	if ((root = S_root_find(t, path, len)))
		return root;
	while (len > 0) {
		while (len > 0 && path[len - 1] != '/')
			len--;
		if (len == 0)
			break;
		len--;
		if ((root = S_root_find(t, path, len)))
			return root;
	}
	return NULL;
}

static int S_add_file(struct diff_result *r, size_t *alloc, struct S_ctx *c,
		      const struct tree *t, const struct tree_entry *ne,
		      const struct repo_file *oe)
{
	struct diff_file *f, *nv;
	const char *path = ne ? ne->path : oe->path;
	const char *root;
	int error;

	if (ne && oe && ne->len == oe->len && !memcmp(ne->data, oe->data, ne->len) &&
	    (oe->kind == REPO_FILE_BLOB || oe->kind == REPO_FILE_EXECUTABLE)) {
		r->unchanged++;
		return 0;
	}
	root = S_root_of(t, path);
	nv = S_grow(r->files, alloc, r->n, sizeof(*nv));
	if (!nv)
		return DIAG_ENOMEM;
	r->files = nv;
	f = &r->files[r->n++];
	memset(f, 0, sizeof(*f));
	f->status = !oe ? DIFF_ADDED : !ne ? DIFF_REMOVED : DIFF_CHANGED;
	f->path = strdup(path);
	f->root = strdup(root ? root : "");
	if (!f->path || !f->root)
		return DIAG_ENOMEM;
	if ((error = S_diff_file(c, f, ne, oe)) < 0)
		return error;
	return 0;
}

int diff_trees(struct diff_result *out, const struct tree *new_tree,
	       const struct repo_files *old, const struct diff_opts *o, struct diag *d)
{
	struct diff_result r = DIFF_RESULT_INIT;
	struct S_ctx c = { 0 };
	const struct repo_file **olds = NULL;
	size_t nold = 0, alloc = 0, i = 0, j = 0;
	int error = 0;

	c.context = o ? o->context : -1;
	if (o && o->salt) {
		c.salt = o->salt;
		c.salt_len = o->salt_len;
	} else if (!(c.salt = diff_salt_default(&c.salt_len))) {
		return diag_set(d, DIAG_EGENERIC, "cannot make a salt for Secret digests");
	}
	r.roots = calloc(new_tree->nroots + 1, sizeof(char *));
	olds = calloc(old->n + 1, sizeof(*olds));
	if (!r.roots || !olds)
		goto oom;
	for (size_t k = 0; k < new_tree->nroots; k++) {
		if (!(r.roots[k] = strdup(new_tree->roots[k])))
			goto oom;
		r.nroots++;
	}
	/* The old files under a managed root, in path order. */
	for (size_t k = 0; k < old->n; k++)
		if (S_root_of(new_tree, old->v[k].path))
			olds[nold++] = &old->v[k];
	for (size_t k = 1; k < nold; k++) {
		/* old is sorted by its reader, but be safe: insertion sort. */
		const struct repo_file *x = olds[k];
		size_t m = k;

		while (m > 0 && strcmp(olds[m - 1]->path, x->path) > 0) {
			olds[m] = olds[m - 1];
			m--;
		}
		olds[m] = x;
	}
	while (i < new_tree->n || j < nold) {
		const struct tree_entry *ne = i < new_tree->n ? &new_tree->entries[i] : NULL;
		const struct repo_file *oe = j < nold ? olds[j] : NULL;
		int cmp = !ne ? 1 : !oe ? -1 : strcmp(ne->path, oe->path);

		if (cmp < 0)
			error = S_add_file(&r, &alloc, &c, new_tree, ne, NULL), i++;
		else if (cmp > 0)
			error = S_add_file(&r, &alloc, &c, new_tree, NULL, oe), j++;
		else
			error = S_add_file(&r, &alloc, &c, new_tree, ne, oe), i++, j++;
		if (error == DIAG_ENOMEM)
			goto oom;
		if (error < 0) {
			diag_set(d, error, "cannot compare '%s'", ne ? ne->path : oe->path);
			goto done;
		}
	}
	*out = r;
	memset(&r, 0, sizeof(r));
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory while comparing the rendered tree");
done:
	free(olds);
	diff_result_release(&r);
	return error;
}

/* ---- reading a directory ---- */

static int S_read_file(struct buf *out, const char *path, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char chunk[65536];
	ssize_t got;

	if (fd < 0)
		return diag_set(d, DIAG_EGENERIC, "cannot read '%s': %s", path, strerror(errno));
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return diag_set(d, DIAG_EGENERIC, "cannot read '%s': %s", path,
					strerror(errno));
		}
		if (out->len + (size_t)got > SRCFILE_MAX_SIZE) {
			close(fd);
			return diag_set(d, DIAG_ELIMIT, "'%s' is larger than %zu bytes", path,
					(size_t)SRCFILE_MAX_SIZE);
		}
		buf_add(out, chunk, (size_t)got);
	}
	close(fd);
	return buf_oom(out) ? diag_set(d, DIAG_ENOMEM, "out of memory reading '%s'", path) : 0;
}

static int S_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the entry rel (relative to dir) and, for a directory, all below it. */
static int S_read_entry(struct repo_files *out, const char *dir, struct buf *rel, int depth,
			struct diag *d)
{
	struct buf full = BUF_INIT, data = BUF_INIT;
	struct stat st;
	char **names = NULL;
	size_t nnames = 0, anames = 0;
	DIR *dh = NULL;
	int error = 0;

	if (depth > 64)
		return diag_set(d, DIAG_ELIMIT, "'%s/%s' is nested deeper than 64 directories",
				dir, rel->ptr);
	buf_addf(&full, "%s/%s", dir, rel->ptr);
	if (buf_oom(&full)) {
		error = DIAG_ENOMEM;
		goto done;
	}
	if (lstat(full.ptr, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			error = diag_set(d, DIAG_EGENERIC, "cannot read '%s': %s", full.ptr,
					 strerror(errno));
		goto done;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(full.ptr, target, sizeof(target));

		if (n < 0) {
			error = diag_set(d, DIAG_EGENERIC, "cannot read the link '%s': %s",
					 full.ptr, strerror(errno));
			goto done;
		}
		if (repo_files_add(out, rel->ptr, target, (size_t)n, REPO_FILE_SYMLINK) < 0)
			error = DIAG_ENOMEM;
		goto done;
	}
	if (S_ISREG(st.st_mode)) {
		if ((error = S_read_file(&data, full.ptr, d)) < 0)
			goto done;
		if (repo_files_add(out, rel->ptr, data.ptr, data.len,
				   (st.st_mode & 0111) ? REPO_FILE_EXECUTABLE : REPO_FILE_BLOB) < 0)
			error = DIAG_ENOMEM;
		goto done;
	}
	if (!S_ISDIR(st.st_mode))
		goto done;
	if (!(dh = opendir(full.ptr))) {
		error = diag_set(d, DIAG_EGENERIC, "cannot read '%s': %s", full.ptr,
				 strerror(errno));
		goto done;
	}
	for (struct dirent *de; (de = readdir(dh));) {
		char **nv;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, ".git"))
			continue;
		if (!(nv = S_grow(names, &anames, nnames, sizeof(*names))) ||
		    !(nv[nnames] = strdup(de->d_name))) {
			names = nv ? nv : names;
			error = DIAG_ENOMEM;
			goto done;
		}
		names = nv;
		nnames++;
	}
	qsort(names, nnames, sizeof(*names), S_name_cmp);
	for (size_t i = 0; i < nnames; i++) {
		size_t mark = rel->len;

		if (rel->len)
			buf_addch(rel, '/');
		buf_adds(rel, names[i]);
		error = buf_oom(rel) ? DIAG_ENOMEM : S_read_entry(out, dir, rel, depth + 1, d);
		buf_truncate(rel, mark);
		if (error < 0)
			goto done;
	}
done:
	if (dh)
		closedir(dh);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_release(&full);
	buf_release(&data);
	if (error == DIAG_ENOMEM)
		diag_set(d, DIAG_ENOMEM, "out of memory reading '%s'", dir);
	return error;
}

int diff_read_dir(struct repo_files *out, const char *dir, char *const *roots,
		  size_t nroots, struct diag *d)
{
	struct stat st;
	struct buf rel = BUF_INIT;
	int error = 0;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return diag_set(d, DIAG_ENOTFOUND, "'%s' is not a directory", dir);
	for (size_t i = 0; i < nroots && !error; i++) {
		int dup = 0;

		/* A root under another root was read with it. */
		for (size_t k = 0; k < nroots; k++)
			if (k != i && S_under(roots[i], roots[k]) &&
			    (strcmp(roots[i], roots[k]) || k < i))
				dup = 1;
		if (dup)
			continue;
		buf_reset(&rel);
		buf_adds(&rel, roots[i]);
		error = buf_oom(&rel) ? diag_set(d, DIAG_ENOMEM, "out of memory")
				      : S_read_entry(out, dir, &rel, 0, d);
	}
	buf_release(&rel);
	repo_files_sort(out);
	return error;
}
