/*
 * Fuzz target for the parsers of Helm's inputs that are not YAML:
 * strvals (--set, --set-string, --set-json, --set-literal: each line of the
 * input is one argument), TOML (fromToml), gzip + tar (a chart .tgz), and
 * values.schema.json (the input as a schema validating {"a": [1, "x"]}).
 * The first byte picks the parser, so one corpus reaches all four. Nothing
 * may crash, leak, read out of bounds or run for long; a success must give
 * a well-formed result.
 */
#include "fuzz.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/archive.h"
#include "render/helm/strvals.h"
#include "render/helm/toml.h"
#include "render/jsonschema.h"

#include <jansson.h>
#include <string.h>

#define MAX_INPUT ((size_t)64 << 10)

static void S_strvals(const char *s, size_t n)
{
	static const enum helm_strvals_mode modes[] = { HELM_STRVALS_TYPED, HELM_STRVALS_STRING,
							HELM_STRVALS_JSON, HELM_STRVALS_LITERAL };
	struct buf line = BUF_INIT;
	json_t *vals = json_object();
	size_t i = 0;

	while (vals && i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (s + i)) : n - i;
		struct diag d = DIAG_INIT;

		buf_reset(&line);
		buf_add(&line, s + i, len);
		if (buf_oom(&line))
			break;
		/* a NUL inside the line ends the C string the parser reads */
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			if (helm_strvals_parse_into(vals, line.ptr, modes[m], &d) < 0 &&
			    d.code == 0)
				__builtin_trap();
		diag_release(&d);
		i += len + 1;
	}
	if (vals && !json_is_object(vals))
		__builtin_trap();
	json_decref(vals);
	buf_release(&line);
}

static void S_toml(const char *s, size_t n)
{
	struct buf err = BUF_INIT;
	json_t *v = NULL;
	int error = helm_toml_parse(&v, s, n, &err);

	if (error == 0 && !json_is_object(v))
		__builtin_trap();
	if (error == -1 && err.len == 0)
		__builtin_trap();
	json_decref(v);
	buf_release(&err);
}

/* 1 if name is absolute or has a ".." component (outside the chart). */
static int S_leaves(const char *name)
{
	const char *p = name;

	if (*p == '/')
		return 1;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

static void S_archive(const unsigned char *s, size_t n)
{
	struct helm_archive_file *files = NULL;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	size_t nfiles = 0;

	if (helm_archive_load(&files, &nfiles, s, n, &d) == 0) {
		for (size_t i = 0; i < nfiles; i++)
			if (!files[i].name || !files[i].data || files[i].data[files[i].len] != '\0' ||
			    S_leaves(files[i].name))
				__builtin_trap();
	} else if (d.code == 0) {
		__builtin_trap();
	}
	helm_archive_files_free(files, nfiles);
	diag_release(&d);
	/* the decompressor alone, on input that is not an archive */
	helm_gunzip(&out, s, n, (size_t)1 << 20, &d);
	buf_release(&out);
	diag_release(&d);
}

static void S_schema(const char *s, size_t n)
{
	struct buf errors = BUF_INIT;
	struct diag d = DIAG_INIT;
	json_t *inst = json_loads("{\"a\": [1, \"x\", {\"b\": null}], \"c\": 2.5}", 0, NULL);

	if (inst)
		jschema_validate_text(&errors, s, n, inst, "fuzz", &d);
	json_decref(inst);
	buf_release(&errors);
	diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1 > MAX_INPUT ? MAX_INPUT : size - 1;
	switch (data[0] & 3) {
	case 0:
		S_strvals(s, n);
		break;
	case 1:
		S_toml(s, n);
		break;
	case 2:
		S_archive((const unsigned char *)s, n);
		break;
	default:
		S_schema(s, n);
		break;
	}
	return 0;
}
