/*
 * Go's wording for errors hydrate detects with other tools (helm_int.h).
 */
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/helm_int.h"

#include "render/tmpl/tmpl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * go-yaml's error text for a libyaml failure that render/yaml.c reported as
 * "NAME:LINE:COL: PROBLEM[ (CONTEXT at L:C)]": "line N: PROBLEM", where N is
 * the 0-based problem line (+1 for scanner errors, as go-yaml's
 * parser.fail counts), else the context line.
 */
void helm__go_yaml_error(struct buf *out, const char *msg, const char *name)
{
	size_t nl = strlen(name);
	long line = 0, cline = 0;
	const char *p = msg, *ctx, *prob;
	char *end;
	int scanner;

	if (strncmp(p, name, nl) != 0 || p[nl] != ':') {
		buf_adds(out, msg);
		return;
	}
	p += nl + 1;
	line = strtol(p, &end, 10);
	if (*end != ':') {
		buf_adds(out, msg);
		return;
	}
	p = end + 1;
	strtol(p, &end, 10);
	prob = *end == ':' ? end + 1 : p;
	while (*prob == ' ')
		prob++;
	ctx = strstr(prob, " (while ");
	/* a scanner error: its context says "while scanning", or it is one of
	 * the three scanner problems that have no context (scannerc.go) */
	scanner = (ctx && (strncmp(ctx, " (while scanning", 16) == 0 ||
			   /* the one scanner context worded "parsing" (quoted
			    * scalars, scannerc.go) */
			   strncmp(ctx, " (while parsing a quoted scalar", 31) == 0)) ||
		  (!ctx && (strcmp(prob, "block sequence entries are not allowed in this context") == 0 ||
			    strcmp(prob, "mapping keys are not allowed in this context") == 0 ||
			    strcmp(prob, "mapping values are not allowed in this context") == 0));
	if (ctx) {
		const char *at = strrchr(ctx, '@') ? NULL : strstr(ctx, " at ");
		const char *last = at;
		while (at && (at = strstr(at + 1, " at ")) != NULL)
			last = at;
		if (last)
			cline = strtol(last + 4, NULL, 10);
	}
	/* go-yaml's failf errors (aliases) carry no line */
	if (strncmp(prob, "unknown anchor '", 16) == 0 ||
	    (strncmp(prob, "anchor '", 8) == 0 && strstr(prob, "' value contains itself")))
		line = cline = 0;
	if (line > 0 && line - 1 != 0)
		buf_addf(out, "line %ld: ", line - 1 + (scanner ? 1 : 0));
	else if (cline - 1 > 0)
		buf_addf(out, "line %ld: ", cline - 1);
	buf_add(out, prob, ctx ? (size_t)(ctx - prob) : strlen(prob));
}


int helm__yaml_diag(struct diag *d, int code, const char *name, const char *prefix)
{
	struct buf m = BUF_INIT;
	const char *msg, *json;

	if (!d || code == DIAG_ENOMEM || code == DIAG_ELIMIT)
		return code;
	msg = d->msg.ptr;
	buf_adds(&m, prefix);
	json = strstr(msg, "(json: cannot unmarshal ");
	if (json) {
		size_t n = strlen(json + 1);
		buf_adds(&m, "error unmarshaling JSON: while decoding JSON: ");
		buf_add(&m, json + 1, n && json[n] == ')' ? n - 1 : n);
	} else {
		buf_adds(&m, "error converting YAML to JSON: yaml: ");
		helm__go_yaml_error(&m, msg, name);
	}
	buf_reset(&d->context);
	if (buf_oom(&m)) {
		buf_release(&m);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	diag_set(d, code, "%s", m.ptr);
	buf_release(&m);
	return code;
}

/* slog's needsQuoting, for ASCII; other bytes are left unquoted (NEEDSWORK:
 * slog also quotes invalid UTF-8 and Unicode spaces / non-printables). */
static void S_slog_value(struct buf *log, const char *v)
{
	int quote = !*v;

	for (const char *p = v; *p && !quote; p++)
		if (*p == ' ' || *p == '=' || *p == '"' || (unsigned char)*p < 0x20 ||
		    (unsigned char)*p == 0x7f)
			quote = 1;
	if (quote)
		tmpl_quote(log, v, strlen(v));
	else
		buf_adds(log, v);
}

void helm__log(struct buf *log, const char *level, const char *msg, const char *const *kv,
	       size_t nkv)
{
	if (!log)
		return;
	buf_addf(log, "level=%s msg=", level);
	S_slog_value(log, msg);
	for (size_t i = 0; i + 1 < nkv; i += 2) {
		buf_addf(log, " %s=", kv[i]);
		S_slog_value(log, kv[i + 1]);
	}
	buf_addch(log, '\n');
}

int helm__is_remote(const char *path)
{
	static const char *const schemes[] = { "http", "https", "oci" };
	const char *colon = strchr(path, ':');
	size_t n;

	if (!colon || colon == path)
		return 0;
	n = (size_t)(colon - path);
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == n && strncasecmp(path, schemes[i], n) == 0)
			return 1;
	return 0;
}

const char *helm__read_path(const char *path)
{
	const char *p = path, *e = path + strlen(path);

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r' ||
			 e[-1] == '\v' || e[-1] == '\f'))
		e--;
	return e - p == 1 && *p == '-' ? "-" : path;
}
