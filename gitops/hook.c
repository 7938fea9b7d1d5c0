/*
 * Hooks: render/proc runs the command; this file words the errors and
 * quotes the hook's stderr with Secret values masked.
 */
#define _GNU_SOURCE /* sigabbrev_np */

#include "gitops/hook.h"

#include "gitops/config.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/proc.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define HOOK_STDERR_LINES 5

/* Standard base64 (padding optional, no blanks) into out: 0, or -1 when s
 * is not base64. */
static int S_base64_decode(struct buf *out, const char *s, size_t n)
{
	unsigned acc = 0;
	int bits = 0;

	while (n && s[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addch(out, (int)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

static int S_add_secret_value(json_t *values, const char *s, size_t n)
{
	if (!n)
		return 0;
	return json_array_append_new(values, json_stringn_nocheck(s, n));
}

/* The string values of a Secret's data (as written and decoded) and
 * stringData, appended to values. */
static void S_secret_values(json_t *values, const json_t *obj, int depth)
{
	const char *key;
	json_t *v;
	struct buf dec = BUF_INIT;

	if (!json_is_object(obj) || depth > 8)
		return;
	if (json_is_array(json_object_get(obj, "items"))) {
		size_t i;
		json_array_foreach(json_object_get(obj, "items"), i, v)
			S_secret_values(values, v, depth + 1);
	}
	if (!json_is_string(json_object_get(obj, "kind")) ||
	    strcmp(json_string_value(json_object_get(obj, "kind")), "Secret") != 0)
		return;
	json_object_foreach(json_object_get(obj, "stringData"), key, v)
		if (json_is_string(v))
			S_add_secret_value(values, json_string_value(v), json_string_length(v));
	json_object_foreach(json_object_get(obj, "data"), key, v) {
		if (!json_is_string(v))
			continue;
		S_add_secret_value(values, json_string_value(v), json_string_length(v));
		buf_reset(&dec);
		if (S_base64_decode(&dec, json_string_value(v), json_string_length(v)) == 0 &&
		    !buf_oom(&dec))
			S_add_secret_value(values, dec.ptr, dec.len);
	}
	buf_release(&dec);
}

/* Every value of every Secret in the stream in (new array; empty when the
 * stream is not YAML or holds no Secret). A multi-line value also gives
 * each of its lines, as stderr is quoted line by line. */
static json_t *S_collect_secrets(const void *in, size_t inlen)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream st = YSTREAM_INIT;
	json_t *values = json_array(), *lines = NULL, *v;
	size_t i;

	if (!values || !in || !inlen || !memmem(in, inlen, "Secret", 6))
		return values;
	if (srcfile_set(&src, "<hook input>", in, inlen) < 0 ||
	    ystream_parse(&st, &src, YDOC_KUSTOMIZE, NULL, NULL) < 0)
		goto done;
	for (i = 0; i < st.ndocs; i++)
		S_secret_values(values, st.docs[i].root, 0);
	lines = json_array();
	json_array_foreach(values, i, v) {
		const char *p = json_string_value(v), *end = p + json_string_length(v);
		if (!memchr(p, '\n', (size_t)(end - p)))
			continue;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			S_add_secret_value(lines, p, len);
			p += len + 1;
		}
	}
	json_array_extend(values, lines);
done:
	json_decref(lines);
	ystream_release(&st);
	srcfile_release(&src);
	return values;
}

/* line (len bytes) with every occurrence of a value of secrets replaced by
 * HOOK_SECRET_MASK, longest values first, appended to out. */
static void S_add_masked(struct buf *out, const char *line, size_t len, const json_t *secrets)
{
	size_t i = 0;

	while (i < len) {
		size_t best = 0, k;
		json_t *v;
		json_array_foreach(secrets, k, v) {
			size_t n = json_string_length(v);
			if (n > best && n <= len - i && memcmp(line + i, json_string_value(v), n) == 0)
				best = n;
		}
		if (best) {
			buf_adds(out, HOOK_SECRET_MASK);
			i += best;
		} else {
			buf_addch(out, line[i++]);
		}
	}
}

/* The first lines of the hook's stderr, indented and masked, as diag context. */
static void S_stderr_context(struct diag *d, const struct buf *err, const void *in,
			     size_t inlen)
{
	const char *p = err->ptr, *end = err->ptr + err->len;
	json_t *secrets;
	int lines = 0;

	if (!d || !err->len)
		return;
	secrets = S_collect_secrets(in, inlen);
	buf_reset(&d->context);
	while (p < end && lines < HOOK_STDERR_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		buf_adds(&d->context, "    ");
		if (secrets)
			S_add_masked(&d->context, p, len, secrets);
		else
			buf_add(&d->context, p, len);
		buf_addch(&d->context, '\n');
		lines++;
		p += len + (nl ? 1 : 0);
	}
	if (p < end)
		buf_adds(&d->context, "    ...\n");
	json_decref(secrets);
}

int hook_run(struct buf *out, const struct config_hook *h, const char *what, const char *dir,
	     const void *in, size_t inlen, struct diag *d)
{
	struct proc_opts po;
	struct proc_result res;
	struct buf err = BUF_INIT;
	const char **argv = NULL;
	int error = 0;

	memset(&po, 0, sizeof(po));
	if (!(argv = calloc(h->command.n + 1, sizeof(*argv)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < h->command.n; i++)
		argv[i] = h->command.items[i];
	po.argv = argv;
	po.dir = dir;
	po.in = in;
	po.inlen = inlen;
	po.timeout_ms = h->timeout_ms ? h->timeout_ms : 1;
	po.max_output = HOOK_MAX_OUTPUT;
	if ((error = proc_run(out, &err, &res, &po, d)) < 0) {
		if (error != DIAG_ENOMEM)
			diag_prefix(d, "%s hook '%s'", what, h->name);
		goto done;
	}
	if (res.too_big) {
		error = diag_set(d, DIAG_ELIMIT, "%s hook '%s' printed more than %zu MiB", what,
				 h->name, HOOK_MAX_OUTPUT >> 20);
	} else if (res.timed_out) {
		struct buf t = BUF_INIT;
		proc_add_duration(&t, h->timeout_ms);
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s' timed out after %s", what, h->name,
				 t.ptr);
		buf_release(&t);
		S_stderr_context(d, &err, in, inlen);
	} else if (res.exited && res.exit_status != 0) {
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s' exited with status %d", what, h->name,
				 res.exit_status);
		S_stderr_context(d, &err, in, inlen);
	} else if (res.signal) {
		const char *abbrev = sigabbrev_np(res.signal);
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s' was killed by signal %d (SIG%s)", what,
				 h->name, res.signal, abbrev ? abbrev : "?");
		S_stderr_context(d, &err, in, inlen);
	}
done:
	free(argv);
	buf_release(&err);
	return error;
}
