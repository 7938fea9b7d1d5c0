/*
 * Reports of a diff_result: text (optionally coloured), markdown for pull
 * request comments, and JSON (docs/diff.md). A report prints only what the
 * result holds: masked values are already digests there.
 */
#include "gitops/diff.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/value.h"

#include <string.h>

#define S_RED "\033[31m"
#define S_GREEN "\033[32m"
#define S_CYAN "\033[36m"
#define S_BOLD "\033[1m"
#define S_YELLOW "\033[33m"
#define S_RESET "\033[m"

/* A markdown report stays under GitHub's 65,536-character comment limit:
 * past this many bytes, files get their summary line only. */
#define S_MD_BUDGET 60000

/* Longest a value is shown in text and markdown (JSON shows it whole). */
#define S_VALUE_MAX 200

int diff_format_parse(enum diff_format *out, const char *name)
{
	if (!strcmp(name, "text"))
		*out = DIFF_FORMAT_TEXT;
	else if (!strcmp(name, "markdown") || !strcmp(name, "md"))
		*out = DIFF_FORMAT_MARKDOWN;
	else if (!strcmp(name, "json"))
		*out = DIFF_FORMAT_JSON;
	else
		return -1;
	return 0;
}

struct S_counts {
	size_t added, removed, changed;
};

struct S_totals {
	struct S_counts files, resources;
	size_t lines_added, lines_removed;
};

static void S_count(struct S_counts *c, enum diff_status s)
{
	if (s == DIFF_ADDED)
		c->added++;
	else if (s == DIFF_REMOVED)
		c->removed++;
	else
		c->changed++;
}

static void S_totals(struct S_totals *t, const struct diff_result *r, const char *root)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_file *f = &r->files[i];

		if (root && strcmp(f->root, root))
			continue;
		S_count(&t->files, f->status);
		for (size_t k = 0; k < f->nresources; k++)
			S_count(&t->resources, f->resources[k].status);
		t->lines_added += f->lines_added;
		t->lines_removed += f->lines_removed;
	}
}

int diff_summary(struct buf *out, const struct diff_result *r)
{
	struct S_totals t;

	S_totals(&t, r, NULL);
	if (!r->n) {
		buf_addf(out, "no differences (%zu file%s unchanged)", r->unchanged,
			 r->unchanged == 1 ? "" : "s");
	} else {
		buf_addf(out, "%zu file%s differ%s (%zu added, %zu removed, %zu changed), "
			 "%zu unchanged; resources: %zu added, %zu removed, %zu changed",
			 r->n, r->n == 1 ? "" : "s", r->n == 1 ? "s" : "",
			 t.files.added, t.files.removed, t.files.changed, r->unchanged,
			 t.resources.added, t.resources.removed, t.resources.changed);
	}
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

/* ---- shared pieces ---- */

static const char *S_mark(enum diff_status s)
{
	return s == DIFF_ADDED ? "+" : s == DIFF_REMOVED ? "-" : "~";
}

/* "apps/v1 Deployment ns/name" (parts left out when empty). */
static void S_resource_id(struct buf *out, const struct diff_resource *res)
{
	if (!res->kind[0] && !res->name[0] && !res->api_version[0]) {
		buf_adds(out, "(document)");
		return;
	}
	if (res->api_version[0])
		buf_addf(out, "%s ", res->api_version);
	buf_adds(out, res->kind[0] ? res->kind : "(no kind)");
	buf_addch(out, ' ');
	if (res->namespace[0])
		buf_addf(out, "%s/", res->namespace);
	buf_adds(out, res->name[0] ? res->name : "(no name)");
}

/* A value as compact JSON, cut at S_VALUE_MAX bytes. */
static void S_value_short(struct buf *out, const json_t *v)
{
	struct buf b = BUF_INIT;

	if (value_to_json(&b, v, VALUE_JSON_RAW, NULL) < 0) {
		buf_adds(out, "(?)");
	} else if (b.len > S_VALUE_MAX) {
		size_t cut = S_VALUE_MAX;

		/* Do not cut a UTF-8 sequence in two. */
		while (cut > 0 && ((unsigned char)b.ptr[cut] & 0xc0) == 0x80)
			cut--;
		buf_add(out, b.ptr, cut);
		buf_adds(out, "...");
	} else {
		buf_add(out, b.ptr, b.len);
	}
	buf_release(&b);
}

/* "spec.replicas: 2 -> 3", "data.password: (masked) 1a2b3c4d -> 5e6f7a8b". */
static void S_field_line(struct buf *out, const struct diff_field *f)
{
	buf_addf(out, "%s %s: ", S_mark(f->status), f->path[0] ? f->path : "(document)");
	if (f->masked) {
		buf_adds(out, "(masked) ");
		if (f->status == DIFF_ADDED)
			buf_addf(out, "%s", f->new_digest);
		else if (f->status == DIFF_REMOVED)
			buf_addf(out, "%s", f->old_digest);
		else
			buf_addf(out, "%s -> %s", f->old_digest, f->new_digest);
		return;
	}
	if (f->status == DIFF_ADDED) {
		S_value_short(out, f->new_value);
	} else if (f->status == DIFF_REMOVED) {
		S_value_short(out, f->old_value);
	} else {
		S_value_short(out, f->old_value);
		buf_adds(out, " -> ");
		S_value_short(out, f->new_value);
	}
}

/* ---- text ---- */

static void S_text_diff(struct buf *out, const char *text, size_t len, int color)
{
	const char *p = text, *end = text + len;

	if (!color) {
		buf_add(out, text, len);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *c = NULL;
		int hunk = 0;

		if (n >= 4 && (!memcmp(p, "--- ", 4) || !memcmp(p, "+++ ", 4)))
			c = S_BOLD;
		else if (n >= 2 && !memcmp(p, "@@", 2))
			c = S_CYAN, hunk = 1;
		else if (n >= 1 && p[0] == '-')
			c = S_RED;
		else if (n >= 1 && p[0] == '+')
			c = S_GREEN;
		if (hunk) {
			/* Colour "@@ ... @@" only, as git does; the function line stays plain. */
			size_t head = n;

			for (size_t k = 2; k + 1 < n; k++)
				if (p[k] == '@' && p[k + 1] == '@') {
					head = k + 2;
					break;
				}

			buf_adds(out, c);
			buf_add(out, p, head);
			buf_adds(out, S_RESET);
			buf_add(out, p + head, n - head);
		} else if (c) {
			buf_adds(out, c);
			buf_add(out, p, n);
			buf_adds(out, S_RESET);
		} else {
			buf_add(out, p, n);
		}
		buf_addch(out, '\n');
		p += n + 1;
	}
}

static void S_report_text(struct buf *out, const struct diff_result *r, int color)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_file *f = &r->files[i];
		const char *sc = f->status == DIFF_ADDED ? S_GREEN
				 : f->status == DIFF_REMOVED ? S_RED : S_YELLOW;

		if (color)
			buf_addf(out, "%s%s%-8s%s %s%s%s", S_BOLD, sc, diff_status_name(f->status),
				 S_RESET, S_BOLD, f->path, S_RESET);
		else
			buf_addf(out, "%-8s %s", diff_status_name(f->status), f->path);
		if (f->flags & DIFF_FILE_SECRET)
			buf_adds(out, " (Secret data masked)");
		if (f->flags & DIFF_FILE_BINARY)
			buf_adds(out, " (binary)");
		else if (f->flags & DIFF_FILE_UNPARSED)
			buf_adds(out, " (not YAML: no resource diff)");
		buf_addch(out, '\n');
		for (size_t k = 0; k < f->nresources; k++) {
			const struct diff_resource *res = &f->resources[k];

			buf_addf(out, "  %s ", S_mark(res->status));
			S_resource_id(out, res);
			buf_addch(out, '\n');
			for (size_t m = 0; m < res->nfields; m++) {
				buf_adds(out, "      ");
				S_field_line(out, &res->fields[m]);
				buf_addch(out, '\n');
			}
		}
		if ((f->flags & DIFF_FILE_SECRET) && (f->flags & DIFF_FILE_UNPARSED))
			buf_adds(out, "  (text diff withheld: a Secret that does not parse)\n");
		S_text_diff(out, f->text, f->text_len, color);
		buf_addch(out, '\n');
	}
	diff_summary(out, r);
	buf_addch(out, '\n');
}

/* ---- markdown ---- */

static void S_html(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			buf_adds(out, "&amp;");
		else if (*s == '<')
			buf_adds(out, "&lt;");
		else if (*s == '>')
			buf_adds(out, "&gt;");
		else if (*s == '"')
			buf_adds(out, "&quot;");
		else if (*s == '|')
			buf_adds(out, "&#124;");
		else if (*s == '`')
			buf_adds(out, "&#96;");
		else
			buf_addch(out, *s);
	}
}

/* A fence longer than any run of backticks in text (at least 3). */
static size_t S_fence_len(const char *text, size_t len)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; i < len; i++) {
		run = text[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best >= 3 ? best + 1 : 3;
}

static void S_fenced(struct buf *out, const char *lang, const char *text, size_t len)
{
	size_t fence = S_fence_len(text, len);

	buf_addchn(out, '`', fence);
	buf_adds(out, lang);
	buf_addch(out, '\n');
	buf_add(out, text, len);
	if (len && text[len - 1] != '\n')
		buf_addch(out, '\n');
	buf_addchn(out, '`', fence);
	buf_addch(out, '\n');
}

static void S_report_markdown(struct buf *out, const struct diff_result *r)
{
	struct buf fields = BUF_INIT;
	size_t base = out->len;

	buf_adds(out, "### hydrate diff\n\n");
	diff_summary(out, r);
	buf_adds(out, "\n\n");
	if (r->nroots) {
		buf_adds(out, "| path | files added | files removed | files changed | "
			      "resources |\n|---|---:|---:|---:|---:|\n");
		for (size_t i = 0; i < r->nroots; i++) {
			struct S_totals t;

			S_totals(&t, r, r->roots[i]);
			buf_adds(out, "| <code>");
			S_html(out, r->roots[i]);
			buf_addf(out, "</code> | %zu | %zu | %zu | %zu |\n", t.files.added,
				 t.files.removed, t.files.changed,
				 t.resources.added + t.resources.removed + t.resources.changed);
		}
		buf_addch(out, '\n');
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_file *f = &r->files[i];

		if (out->len - base > S_MD_BUDGET) {
			buf_addf(out, "_%zu more file%s not shown: the comment would be too long "
				      "(run `hydrate diff` for everything)._\n\n",
				 r->n - i, r->n - i == 1 ? "" : "s");
			break;
		}
		buf_adds(out, "<details>\n<summary><code>");
		S_html(out, f->path);
		buf_addf(out, "</code> %s", diff_status_name(f->status));
		if (f->lines_added || f->lines_removed)
			buf_addf(out, " (+%zu -%zu)", f->lines_added, f->lines_removed);
		if (f->flags & DIFF_FILE_SECRET)
			buf_adds(out, ", Secret data masked");
		buf_adds(out, "</summary>\n\n");
		buf_reset(&fields);
		for (size_t k = 0; k < f->nresources; k++) {
			const struct diff_resource *res = &f->resources[k];

			buf_addf(&fields, "%s ", S_mark(res->status));
			S_resource_id(&fields, res);
			buf_addch(&fields, '\n');
			for (size_t m = 0; m < res->nfields; m++) {
				buf_adds(&fields, "    ");
				S_field_line(&fields, &res->fields[m]);
				buf_addch(&fields, '\n');
			}
		}
		if (fields.len) {
			S_fenced(out, "text", fields.ptr, fields.len);
			buf_addch(out, '\n');
		}
		if (f->text_len && (out->len - base) + f->text_len > S_MD_BUDGET) {
			buf_addf(out, "_The diff (%zu lines) is too long for a comment._\n\n",
				 f->lines_added + f->lines_removed);
		} else if (f->text_len) {
			S_fenced(out, "diff", f->text, f->text_len);
			buf_addch(out, '\n');
		} else if ((f->flags & DIFF_FILE_SECRET) && (f->flags & DIFF_FILE_UNPARSED)) {
			buf_adds(out, "Text diff withheld: a Secret that does not parse.\n\n");
		}
		buf_adds(out, "</details>\n\n");
	}
	buf_release(&fields);
}

/* ---- json ---- */

/* A JSON string; bytes that are not UTF-8 become U+FFFD. */
static void S_json_str(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	buf_addch(out, '"');
	while (p < end) {
		unsigned char ch = *p;
		size_t n = 0;

		if (ch == '"' || ch == '\\') {
			buf_addch(out, '\\');
			buf_addch(out, ch);
			p++;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f) {
			if (ch == '\n')
				buf_adds(out, "\\n");
			else if (ch == '\t')
				buf_adds(out, "\\t");
			else if (ch == '\r')
				buf_adds(out, "\\r");
			else
				buf_addf(out, "\\u%04x", ch);
			p++;
			continue;
		}
		if (ch < 0x80) {
			buf_addch(out, ch);
			p++;
			continue;
		}
		if (ch >= 0xc2 && ch <= 0xdf)
			n = 2;
		else if (ch >= 0xe0 && ch <= 0xef)
			n = 3;
		else if (ch >= 0xf0 && ch <= 0xf4)
			n = 4;
		if (n && (size_t)(end - p) >= n) {
			int ok = 1;
			unsigned long cp = ch & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);

			for (size_t k = 1; k < n; k++) {
				if ((p[k] & 0xc0) != 0x80)
					ok = 0;
				cp = (cp << 6) | (p[k] & 0x3f);
			}
			if (ok && ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
				   (n == 4 && (cp < 0x10000 || cp > 0x10ffff))))
				ok = 0;
			if (ok) {
				buf_add(out, p, n);
				p += n;
				continue;
			}
		}
		buf_adds(out, "\\ufffd");
		p++;
	}
	buf_addch(out, '"');
}

static void S_json_key(struct buf *out, int indent, const char *key, int first)
{
	if (!first)
		buf_addch(out, ',');
	buf_addch(out, '\n');
	buf_addchn(out, ' ', (size_t)indent);
	S_json_str(out, key, strlen(key));
	buf_adds(out, ": ");
}

static void S_json_counts(struct buf *out, int indent, const char *key,
			  const struct S_counts *c, int first)
{
	S_json_key(out, indent, key, first);
	buf_addf(out, "{\"added\": %zu, \"removed\": %zu, \"changed\": %zu}", c->added,
		 c->removed, c->changed);
}

static int S_json_value(struct buf *out, const json_t *v)
{
	return value_to_json(out, v, 0, NULL);
}

static int S_report_json(struct buf *out, const struct diff_result *r)
{
	struct S_totals t;
	int error = 0;

	S_totals(&t, r, NULL);
	buf_adds(out, "{");
	S_json_key(out, 2, "version", 1);
	buf_adds(out, "1");
	S_json_key(out, 2, "differ", 0);
	buf_adds(out, r->n ? "true" : "false");
	S_json_key(out, 2, "summary", 0);
	buf_adds(out, "{");
	S_json_counts(out, 4, "files", &t.files, 1);
	S_json_key(out, 4, "unchanged", 0);
	buf_addf(out, "%zu", r->unchanged);
	S_json_counts(out, 4, "resources", &t.resources, 0);
	S_json_key(out, 4, "lines", 0);
	buf_addf(out, "{\"added\": %zu, \"removed\": %zu}", t.lines_added, t.lines_removed);
	buf_adds(out, "\n  }");
	S_json_key(out, 2, "roots", 0);
	buf_adds(out, "[");
	for (size_t i = 0; i < r->nroots; i++) {
		struct S_totals rt;

		S_totals(&rt, r, r->roots[i]);
		buf_adds(out, i ? ",\n    {" : "\n    {");
		S_json_key(out, 6, "path", 1);
		S_json_str(out, r->roots[i], strlen(r->roots[i]));
		S_json_counts(out, 6, "files", &rt.files, 0);
		S_json_counts(out, 6, "resources", &rt.resources, 0);
		buf_adds(out, "\n    }");
	}
	buf_adds(out, r->nroots ? "\n  ]" : "]");
	S_json_key(out, 2, "files", 0);
	buf_adds(out, "[");
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_file *f = &r->files[i];

		buf_adds(out, i ? ",\n    {" : "\n    {");
		S_json_key(out, 6, "path", 1);
		S_json_str(out, f->path, strlen(f->path));
		S_json_key(out, 6, "root", 0);
		S_json_str(out, f->root, strlen(f->root));
		S_json_key(out, 6, "status", 0);
		buf_addf(out, "\"%s\"", diff_status_name(f->status));
		S_json_key(out, 6, "secret", 0);
		buf_adds(out, f->flags & DIFF_FILE_SECRET ? "true" : "false");
		S_json_key(out, 6, "binary", 0);
		buf_adds(out, f->flags & DIFF_FILE_BINARY ? "true" : "false");
		S_json_key(out, 6, "parsed", 0);
		buf_adds(out, f->flags & DIFF_FILE_UNPARSED ? "false" : "true");
		S_json_key(out, 6, "linesAdded", 0);
		buf_addf(out, "%zu", f->lines_added);
		S_json_key(out, 6, "linesRemoved", 0);
		buf_addf(out, "%zu", f->lines_removed);
		S_json_key(out, 6, "resources", 0);
		buf_adds(out, "[");
		for (size_t k = 0; k < f->nresources; k++) {
			const struct diff_resource *res = &f->resources[k];

			buf_adds(out, k ? ",\n        {" : "\n        {");
			S_json_key(out, 10, "apiVersion", 1);
			S_json_str(out, res->api_version, strlen(res->api_version));
			S_json_key(out, 10, "kind", 0);
			S_json_str(out, res->kind, strlen(res->kind));
			S_json_key(out, 10, "namespace", 0);
			S_json_str(out, res->namespace, strlen(res->namespace));
			S_json_key(out, 10, "name", 0);
			S_json_str(out, res->name, strlen(res->name));
			S_json_key(out, 10, "status", 0);
			buf_addf(out, "\"%s\"", diff_status_name(res->status));
			S_json_key(out, 10, "secret", 0);
			buf_adds(out, res->secret ? "true" : "false");
			S_json_key(out, 10, "fields", 0);
			buf_adds(out, "[");
			for (size_t m = 0; m < res->nfields; m++) {
				const struct diff_field *fd = &res->fields[m];

				buf_adds(out, m ? ",\n            {" : "\n            {");
				S_json_key(out, 14, "path", 1);
				S_json_str(out, fd->path, strlen(fd->path));
				S_json_key(out, 14, "status", 0);
				buf_addf(out, "\"%s\"", diff_status_name(fd->status));
				S_json_key(out, 14, "masked", 0);
				buf_adds(out, fd->masked ? "true" : "false");
				if (fd->masked) {
					if (fd->old_digest[0]) {
						S_json_key(out, 14, "oldDigest", 0);
						buf_addf(out, "\"%s\"", fd->old_digest);
					}
					if (fd->new_digest[0]) {
						S_json_key(out, 14, "newDigest", 0);
						buf_addf(out, "\"%s\"", fd->new_digest);
					}
				} else {
					if (fd->old_value) {
						S_json_key(out, 14, "old", 0);
						if ((error = S_json_value(out, fd->old_value)) < 0)
							return error;
					}
					if (fd->new_value) {
						S_json_key(out, 14, "new", 0);
						if ((error = S_json_value(out, fd->new_value)) < 0)
							return error;
					}
				}
				buf_adds(out, "\n            }");
			}
			buf_adds(out, res->nfields ? "\n          ]" : "]");
			buf_adds(out, "\n        }");
		}
		buf_adds(out, f->nresources ? "\n      ]" : "]");
		S_json_key(out, 6, "diff", 0);
		S_json_str(out, f->text, f->text_len);
		buf_adds(out, "\n    }");
	}
	buf_adds(out, r->n ? "\n  ]" : "]");
	buf_adds(out, "\n}\n");
	return 0;
}

int diff_report(struct buf *out, const struct diff_result *r, enum diff_format f, int color,
		struct diag *d)
{
	int error = 0;

	if (f == DIFF_FORMAT_MARKDOWN)
		S_report_markdown(out, r);
	else if (f == DIFF_FORMAT_JSON)
		error = S_report_json(out, r);
	else
		S_report_text(out, r, color);
	if (error == 0 && buf_oom(out))
		error = DIAG_ENOMEM;
	if (error < 0)
		return diag_set(d, error, "cannot write the diff report");
	return 0;
}
