/*
 * configMapGenerator / secretGenerator (kustomize's api/internal/generators
 * and api/kv) and the name hash of generated objects (api/hasher).
 */
#include "render/kustomize/internal.h"

/* SHA256_Init/Update/Final, which OpenSSL 3.0 deprecates: EVP_Digest
 * initialises the library first (configuration file, providers), ~5.3
 * million instructions for a generator's one hash. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* ---- Go encoding/json, for the strings and maps the hasher encodes ---- */

static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

static void go_json_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_addch(b, '"');
	while (i < n) {
		unsigned c = p[i];

		if (c < 0x80) {
			if (c == '"' || c == '\\') {
				buf_addch(b, '\\');
				buf_addch(b, (int)c);
			} else if (c == '\n') {
				buf_adds(b, "\\n");
			} else if (c == '\r') {
				buf_adds(b, "\\r");
			} else if (c == '\t') {
				buf_adds(b, "\\t");
			} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				buf_adds(b, "\\u00");
				buf_addch(b, hex[c >> 4]);
				buf_addch(b, hex[c & 15]);
			} else {
				buf_addch(b, (int)c);
			}
			i++;
			continue;
		}
		{
			size_t len = utf8_len(p + i, n - i);

			if (len == 0) {
				buf_adds(b, "\\ufffd");
				i++;
			} else if (len == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
				   (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
				buf_adds(b, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
				i += 3;
			} else {
				buf_add(b, p + i, len);
				i += len;
			}
		}
	}
	buf_addch(b, '"');
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A map of scalars as kustomize's hasher marshals it: sorted keys, values as text. */
static int go_json_map(struct buf *b, const json_t *m)
{
	size_t n = json_object_size(m), i = 0;
	const char **keys;
	const char *k;
	json_t *v;

	if (!(keys = calloc(n ? n : 1, sizeof(*keys))))
		return DIAG_ENOMEM;
	json_object_foreach((json_t *)m, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	buf_addch(b, '{');
	for (i = 0; i < n; i++) {
		json_t *val = json_object_get(m, keys[i]);

		if (i)
			buf_addch(b, ',');
		go_json_string(b, keys[i], strlen(keys[i]));
		buf_addch(b, ':');
		if (json_is_string(val))
			go_json_string(b, json_string_value(val), json_string_length(val));
		else if (json_is_integer(val))
			buf_addf(b, "%lld", (long long)json_integer_value(val));
		else if (json_is_true(val))
			buf_adds(b, "true");
		else if (json_is_false(val))
			buf_adds(b, "false");
		else if (json_is_object(val))
			go_json_map(b, val);
		else
			buf_adds(b, "null");
	}
	buf_addch(b, '}');
	free(keys);
	return 0;
}

static void field_value(struct buf *b, const json_t *obj, const char *field)
{
	json_t *v = json_object_get(obj, field);

	if (json_is_object(v))
		go_json_map(b, v);
	else if (json_is_string(v))
		go_json_string(b, json_string_value(v), json_string_length(v));
	else if (!v || json_is_null(v))
		buf_adds(b, "\"\"");
	else
		buf_adds(b, "null");
}

int kgen_hash(char out[11], const json_t *obj, struct diag *d)
{
	struct buf enc = BUF_INIT;
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX sha;
	const char *kind = jstr(obj, "kind");
	/* The hasher looks up "metadata/name" as one (absent) key: name is "". */
	const char *name = "";
	int error = 0;

	if (strcmp(kind, "ConfigMap") == 0) {
		json_t *bin = json_object_get(obj, "binaryData");

		if (json_is_object(bin)) {
			buf_adds(&enc, "{\"binaryData\":");
			go_json_map(&enc, bin);
			buf_adds(&enc, ",\"data\":");
		} else {
			buf_adds(&enc, "{\"data\":");
		}
		field_value(&enc, obj, "data");
		buf_adds(&enc, ",\"kind\":\"ConfigMap\",\"name\":");
		go_json_string(&enc, name, strlen(name));
		buf_addch(&enc, '}');
	} else if (strcmp(kind, "Secret") == 0) {
		json_t *sd = json_object_get(obj, "stringData");

		buf_adds(&enc, "{\"data\":");
		field_value(&enc, obj, "data");
		buf_adds(&enc, ",\"kind\":\"Secret\",\"name\":");
		go_json_string(&enc, name, strlen(name));
		if (json_is_object(sd)) {
			buf_adds(&enc, ",\"stringData\":");
			go_json_map(&enc, sd);
		}
		buf_adds(&enc, ",\"type\":");
		field_value(&enc, obj, "type");
		buf_addch(&enc, '}');
	} else {
		error = diag_set(d, DIAG_EEXEC, "hydrate cannot hash a '%s' yet", kind);
		goto done;
	}
	if (buf_oom(&enc)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (!SHA256_Init(&sha) || !SHA256_Update(&sha, enc.ptr, enc.len) || !SHA256_Final(md, &sha)) {
		error = diag_set(d, -1, "sha256 failed");
		goto done;
	}
	for (int i = 0; i < 10; i++) {
		static const char hex[] = "0123456789abcdef";
		char c = hex[(md[i / 2] >> (i % 2 ? 0 : 4)) & 15];

		switch (c) {
		case '0': c = 'g'; break;
		case '1': c = 'h'; break;
		case '3': c = 'k'; break;
		case 'a': c = 'm'; break;
		case 'e': c = 't'; break;
		default: break;
		}
		out[i] = c;
	}
	out[10] = '\0';
done:
	buf_release(&enc);
	return error;
}

/* ---- key/value sources ---- */

struct kv {
	char *key;
	struct buf value;
};

struct kvlist {
	struct kv *v;
	size_t len, alloc;
};

static void kvlist_release(struct kvlist *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->v[i].key);
		buf_release(&l->v[i].value);
	}
	free(l->v);
}

static int kvlist_add(struct kvlist *l, const char *key, size_t klen, const char *val, size_t vlen)
{
	struct kv *e;

	if (l->len == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 8;
		struct kv *nv = realloc(l->v, na * sizeof(*nv));

		if (!nv)
			return DIAG_ENOMEM;
		l->v = nv;
		l->alloc = na;
	}
	e = &l->v[l->len];
	if (!(e->key = strndup(key, klen)))
		return DIAG_ENOMEM;
	buf_init(&e->value, 0);
	if (buf_add(&e->value, val, vlen) < 0) {
		free(e->key);
		buf_release(&e->value);
		return DIAG_ENOMEM;
	}
	l->len++;
	return 0;
}

static int env_lines(struct kvlist *l, const char *data, size_t len, struct diag *d)
{
	size_t pos = 0;
	int lineno = 0;

	while (pos < len) {
		const char *line = data + pos, *eq;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (lineno == 0 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			n -= 3;
		}
		lineno++;
		while (n > 0 && (*line == ' ' || *line == '\t' || *line == '\v' || *line == '\f' ||
				 *line == '\r'))
			line++, n--;
		if (n == 0 || line[0] == '#')
			continue;
		eq = memchr(line, '=', n);
		{
			size_t klen = eq ? (size_t)(eq - line) : n;

			/* kustomize's field validator accepts any name (IsEnvVarName is a no-op). */
			if (kvlist_add(l, line, klen, eq ? eq + 1 : "",
				       eq ? n - klen - 1 : 0) < 0)
				return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* Go's %v of a []string: [a b c]. */
static void go_string_list(struct buf *b, const json_t *list)
{
	size_t i;
	json_t *e;

	buf_addch(b, '[');
	json_array_foreach(list, i, e) {
		if (i)
			buf_addch(b, ' ');
		if (json_is_string(e))
			buf_adds(b, json_string_value(e));
	}
	buf_addch(b, ']');
}

/* what is "env source files:", "literal sources" or "file sources:". */
static int source_error(struct diag *d, int code, const char *what, const json_t *list)
{
	struct buf b = BUF_INIT;

	go_string_list(&b, list);
	diag_prefix(d, "%s %s", what, b.ptr);
	buf_release(&b);
	return code;
}

static int load_sources(struct kvlist *l, const struct kldr *ldr, const json_t *args,
			struct diag *d)
{
	struct buf content = BUF_INIT;
	json_t *envs = json_object_get(args, "envs"), *lits, *files, *e;
	const char *env = jstr(args, "env");
	size_t i;
	int error = 0;

	/* `env:` is the deprecated single form of `envs:`. */
	{
		/* envs, then the deprecated env (FixKustomization appends it) */
		json_t *all = json_array();
		size_t k;

		if (!all)
			goto oom;
		json_array_extend(all, envs && json_is_array(envs) ? envs : NULL);
		if (*env)
			json_array_append_new(all, json_string(env));
		json_array_foreach(all, k, e) {
			if (!json_is_string(e))
				continue;
			if ((error = kldr_load(ldr, json_string_value(e), &content, d)) < 0 ||
			    (error = env_lines(l, content.ptr, content.len, d)) < 0) {
				source_error(d, error, "env source files:", all);
				json_decref(all);
				goto done;
			}
		}
		json_decref(all);
	}
	lits = json_object_get(args, "literals");
	json_array_foreach(lits, i, e) {
		const char *s, *eq;
		size_t vlen;

		if (!json_is_string(e))
			continue;
		s = json_string_value(e);
		eq = strchr(s, '=');
		if (!eq || eq == s) {
			error = diag_set(d, DIAG_EINVALID,
					 "invalid literal source %s, expected key=value", s);
			source_error(d, error, "literal sources", lits);
			goto done;
		}
		vlen = strlen(eq + 1);
		if (vlen >= 2 && eq[1] == eq[vlen] && (eq[1] == '"' || eq[1] == '\'')) {
			if (kvlist_add(l, s, (size_t)(eq - s), eq + 2, vlen - 2) < 0)
				goto oom;
		} else if (kvlist_add(l, s, (size_t)(eq - s), eq + 1, vlen) < 0) {
			goto oom;
		}
	}
	files = json_object_get(args, "files");
	json_array_foreach(files, i, e) {
		const char *s, *path, *eq;
		char *key = NULL;
		size_t neq = 0;

		if (!json_is_string(e))
			continue;
		s = json_string_value(e);
		for (const char *p = s; *p; p++)
			neq += *p == '=';
		eq = strchr(s, '=');
		if (neq == 0) {
			key = kpath_base(s);
			path = s;
		} else if (neq == 1 && eq == s) {
			error = diag_set(d, DIAG_EINVALID,
					 "missing key name for file path \"%s\" in source \"%s\"", s + 1, s);
			source_error(d, error, "file sources:", files);
			goto done;
		} else if (neq == 1 && eq[1] == '\0') {
			error = diag_set(d, DIAG_EINVALID,
					 "missing file path for key name \"%.*s\" in source \"%s\"",
					 (int)(eq - s), s, s);
			source_error(d, error, "file sources:", files);
			goto done;
		} else if (neq > 1) {
			error = diag_set(d, DIAG_EINVALID,
					 "source \"%s\" key name or file path contains '='", s);
			source_error(d, error, "file sources:", files);
			goto done;
		} else {
			key = strndup(s, (size_t)(eq - s));
			path = eq + 1;
		}
		if (!key)
			goto oom;
		if ((error = kldr_load(ldr, path, &content, d)) < 0) {
			free(key);
			source_error(d, error, "file sources:", files);
			goto done;
		}
		error = kvlist_add(l, key, strlen(key), content.ptr, content.len);
		free(key);
		if (error < 0)
			goto oom;
	}
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	buf_release(&content);
	return error;
}

static int valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);

		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* Go's base64.StdEncoding, broken into 70-column lines when longer. */
static void base64_lines(struct buf *out, const unsigned char *s, size_t n)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf enc = BUF_INIT;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		buf_addch(&enc, tbl[(v >> 18) & 63]);
		buf_addch(&enc, tbl[(v >> 12) & 63]);
		buf_addch(&enc, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
		buf_addch(&enc, i + 2 < n ? tbl[v & 63] : '=');
	}
	if (enc.len < 70) {
		buf_add(out, enc.ptr, enc.len);
	} else {
		for (size_t i = 0; i < enc.len; i += 70) {
			size_t k = enc.len - i < 70 ? enc.len - i : 70;

			buf_add(out, enc.ptr + i, k);
			buf_addch(out, '\n');
		}
	}
	buf_release(&enc);
}

static int set_string_map(json_t *obj, const char *field, const json_t *m)
{
	json_t *md = json_object_get(obj, "metadata"), *dst;
	const char *k;
	json_t *v;

	if (!json_is_object(m) || json_object_size(m) == 0)
		return 0;
	dst = json_object_get(md, field);
	if (!dst) {
		dst = json_object();
		if (json_object_set_new(md, field, dst) < 0)
			return DIAG_ENOMEM;
	}
	json_object_foreach((json_t *)m, k, v) {
		if (json_is_string(v))
			json_object_set(dst, k, v);
		else if (json_is_integer(v))
			json_object_set_new(dst, k, json_sprintf("%lld", (long long)json_integer_value(v)));
		else if (json_is_boolean(v))
			json_object_set_new(dst, k, json_string(json_is_true(v) ? "true" : "false"));
	}
	return 0;
}

int kgen_configmap(struct kresmap *out, const struct kldr *l, const json_t *args,
		   const json_t *global_opts, int secret, struct diag *d)
{
	struct kvlist kvs = { NULL, 0, 0 };
	json_t *obj = NULL, *md, *data = NULL, *bin = NULL, *lopts, *labels = NULL, *annos = NULL;
	struct kres *r = NULL;
	const char *name = jstr(args, "name"), *ns = jstr(args, "namespace");
	const char *behavior = jstr(args, "behavior");
	int disable_hash = 0, immutable = 0, error = 0;

	if (!*name)
		name = kres_str(args, "metadata/name");
	if (!*ns)
		ns = kres_str(args, "metadata/namespace");
	if (!*name)
		return diag_set(d, DIAG_EINVALID, "a configmap must have a name");
	if ((error = load_sources(&kvs, l, args, d)) < 0) {
		diag_prefix(d, "loading KV pairs");
		goto done;
	}
	{
		/* The first key seen before (an index, not a scan of all earlier keys). */
		struct kidx seen = KIDX_INIT;

		for (size_t i = 0; i < kvs.len && !error; i++) {
			size_t n = 0;

			kidx_get(&seen, kvs.v[i].key, &n);
			if (n > 0)
				error = diag_set(d, DIAG_EINVALID,
						 "configmap %s illegally repeats the key `%s`", name,
						 kvs.v[i].key);
			else if (kidx_add(&seen, kvs.v[i].key, i) < 0)
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
		}
		kidx_release(&seen);
		if (error < 0)
			goto done;
	}
	obj = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
			secret ? "Secret" : "ConfigMap", "metadata", "name", name);
	if (!obj)
		goto oom;
	md = json_object_get(obj, "metadata");
	if (*ns && json_object_set_new(md, "namespace", json_string(ns)) < 0)
		goto oom;
	if (secret) {
		const char *type = jstr(args, "type");

		if (json_object_set_new(obj, "type", json_string(*type ? type : "Opaque")) < 0)
			goto oom;
	}
	for (size_t i = 0; i < kvs.len; i++) {
		struct kv *e = &kvs.v[i];
		struct buf enc = BUF_INIT;
		json_t **dst;

		if (secret || !valid_utf8(e->value.ptr, e->value.len)) {
			base64_lines(&enc, (const unsigned char *)e->value.ptr, e->value.len);
			dst = secret ? &data : &bin;
		} else {
			buf_add(&enc, e->value.ptr, e->value.len);
			dst = &data;
		}
		if (!*dst)
			*dst = json_object();
		if (buf_oom(&enc) || !*dst ||
		    json_object_set_new(*dst, e->key, json_stringn(enc.ptr, enc.len)) < 0) {
			buf_release(&enc);
			goto oom;
		}
		buf_release(&enc);
	}
	if (data && json_object_set_new(obj, "data", data) < 0) {
		data = NULL;
		goto oom;
	}
	data = NULL;
	if (bin && json_object_set_new(obj, "binaryData", bin) < 0) {
		bin = NULL;
		goto oom;
	}
	bin = NULL;

	/* Options: local ones, then what generatorOptions adds. */
	lopts = json_object_get(args, "options");
	if (json_is_object(lopts)) {
		labels = json_deep_copy(json_object_get(lopts, "labels"));
		annos = json_deep_copy(json_object_get(lopts, "annotations"));
		disable_hash = json_is_true(json_object_get(lopts, "disableNameSuffixHash"));
		immutable = json_is_true(json_object_get(lopts, "immutable"));
	}
	if (json_is_object(global_opts)) {
		json_t *gl = json_object_get(global_opts, "labels");
		json_t *ga = json_object_get(global_opts, "annotations");

		if (json_is_object(gl)) {
			if (!json_is_object(labels)) {
				json_decref(labels);
				labels = json_deep_copy(gl);
			} else {
				json_object_update_missing(labels, gl);
			}
		}
		if (json_is_object(ga)) {
			if (!json_is_object(annos)) {
				json_decref(annos);
				annos = json_deep_copy(ga);
			} else {
				json_object_update_missing(annos, ga);
			}
		}
		if (json_is_true(json_object_get(global_opts, "disableNameSuffixHash")))
			disable_hash = 1;
		if (json_is_true(json_object_get(global_opts, "immutable")))
			immutable = 1;
	}
	if (set_string_map(obj, "labels", labels) < 0 ||
	    set_string_map(obj, "annotations", annos) < 0)
		goto oom;
	if (immutable && json_object_set_new(obj, "immutable", json_true()) < 0)
		goto oom;
	r = kres_new(obj);
	obj = NULL;
	if (!r)
		goto oom;
	if (!disable_hash && kres_set_annotation(r, KANNO_NEEDS_HASH, "enabled") < 0)
		goto oom;
	if (!*behavior)
		behavior = "unspecified";
	if (kres_set_annotation(r, KANNO_BEHAVIOR, behavior) < 0)
		goto oom;
	error = kresmap_push(out, r);
	r = NULL;
	if (error < 0)
		goto oom;
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	kres_free(r);
	json_decref(obj);
	json_decref(data);
	json_decref(bin);
	json_decref(labels);
	json_decref(annos);
	kvlist_release(&kvs);
	return error;
}
