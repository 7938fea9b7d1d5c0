#include "golden_common.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Expected files are small; a cap keeps a stray huge file from hurting. */
#define GOLDEN_MAX_FILE ((size_t)64 << 20)
/* How much of a differing line one FAIL line shows. */
#define GOLDEN_SHOW 160

static int S_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void golden_names_free(char **names, size_t n)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int golden_list_cases(char ***names_out, size_t *n_out, const char *dir)
{
	DIR *d = NULL;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct buf path = BUF_INIT;
	struct stat st;
	int error = -1;

	*names_out = NULL;
	*n_out = 0;
	if (!(d = opendir(dir)))
		goto done;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, e->d_name);
		if (buf_oom(&path))
			goto done;
		if (stat(path.ptr, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (n == alloc) {
			size_t nalloc = alloc ? alloc * 2 : 64;
			char **p = realloc(names, nalloc * sizeof(*p));

			if (!p)
				goto done;
			names = p;
			alloc = nalloc;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto done;
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), S_cmp_names);
	*names_out = names;
	*n_out = n;
	names = NULL;
	error = 0;
done:
	golden_names_free(names, n);
	buf_release(&path);
	if (d)
		closedir(d);
	return error;
}

char *golden_path(const struct golden_case *c, const char *file)
{
	struct buf p = BUF_INIT;

	buf_addf(&p, "%s/%s", c->dir, file);
	if (buf_oom(&p)) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p, NULL);
}

int golden_has(const struct golden_case *c, const char *file)
{
	char *p = golden_path(c, file);
	struct stat st;
	int has;

	has = p && stat(p, &st) == 0;
	free(p);
	return has;
}

int golden_read(struct buf *out, const struct golden_case *c, const char *file)
{
	char *p = golden_path(c, file);
	FILE *f = NULL;
	char chunk[8192];
	size_t n;
	int error = -1;

	buf_reset(out);
	if (!p)
		goto done;
	if (!(f = fopen(p, "rb"))) {
		error = errno == ENOENT ? 1 : -1;
		goto done;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > GOLDEN_MAX_FILE)
			goto done;
		buf_add(out, chunk, n);
	}
	if (ferror(f) || buf_oom(out))
		goto done;
	error = 0;
done:
	if (f)
		fclose(f);
	free(p);
	return error;
}

void golden_escape(struct buf *out, const char *s, size_t len, size_t max)
{
	size_t i;

	for (i = 0; i < len && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		switch (ch) {
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\\': buf_adds(out, "\\\\"); break;
		case '"': buf_adds(out, "\\\""); break;
		default:
			if (ch < 0x20 || ch > 0x7e)
				buf_addf(out, "\\x%02x", ch);
			else
				buf_addch(out, ch);
		}
	}
	if (i < len)
		buf_adds(out, "...");
}

void golden_fail(struct golden_case *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed++)
		return;
	printf("FAIL %s: ", c->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Start and length of 1-based line `line` of s (len 0 past the end). */
static void S_line(const char *s, size_t len, size_t line, size_t *start, size_t *n)
{
	size_t i = 0, l = 1;
	const char *nl;

	while (l < line && i < len) {
		nl = memchr(s + i, '\n', len - i);
		if (!nl) {
			i = len;
			break;
		}
		i = (size_t)(nl - s) + 1;
		l++;
	}
	if (l < line) {
		*start = len;
		*n = 0;
		return;
	}
	*start = i;
	nl = memchr(s + i, '\n', len - i);
	*n = nl ? (size_t)(nl - (s + i)) + 1 : len - i;
}

/* Appends one side of a difference: the line from column skip on, escaped. */
static void S_show(struct buf *out, const char *s, size_t len, size_t skip)
{
	if (len == 0) {
		buf_adds(out, "<end of text>");
		return;
	}
	if (skip)
		buf_adds(out, "...");
	buf_addch(out, '"');
	golden_escape(out, s + skip, len - skip, GOLDEN_SHOW);
	buf_addch(out, '"');
}

static void S_context(const char *tag, const char *s, size_t len, size_t line)
{
	size_t l, start, n;
	struct buf esc = BUF_INIT;

	for (l = line > 3 ? line - 3 : 1; l <= line + 3; l++) {
		S_line(s, len, l, &start, &n);
		if (!n)
			break;
		buf_reset(&esc);
		golden_escape(&esc, s + start, n, 4 * GOLDEN_SHOW);
		printf("    %s%4zu%s %s\n", tag, l, l == line ? ">" : "|", esc.ptr);
	}
	buf_release(&esc);
}

int golden_compare(struct golden_case *c, const char *file,
		   const char *expected, size_t expected_len,
		   const char *got, size_t got_len)
{
	size_t i = 0, line = 1, col = 0, es, en, gs, gn, skip;
	struct buf msg = BUF_INIT;
	const char *verbose;

	if (expected_len == got_len && memcmp(expected, got, got_len) == 0)
		return 0;
	while (i < expected_len && i < got_len && expected[i] == got[i]) {
		if (expected[i] == '\n') {
			line++;
			col = 0;
		} else {
			col++;
		}
		i++;
	}
	S_line(expected, expected_len, line, &es, &en);
	S_line(got, got_len, line, &gs, &gn);
	/* Show the lines from a little before the first differing byte. */
	skip = col > GOLDEN_SHOW / 2 ? col - GOLDEN_SHOW / 4 : 0;
	if (skip > en)
		skip = en;
	if (skip > gn)
		skip = gn;
	buf_addf(&msg, "%s line %zu col %zu: expected ", file, line, col + 1);
	S_show(&msg, expected + es, en, skip);
	buf_adds(&msg, ", got ");
	S_show(&msg, got + gs, gn, skip);
	golden_fail(c, "%s", buf_oom(&msg) ? "(out of memory)" : msg.ptr);
	buf_release(&msg);

	verbose = getenv("GOLDEN_VERBOSE");
	if (verbose && *verbose && strcmp(verbose, "0") != 0) {
		S_context("-", expected, expected_len, line);
		S_context("+", got, got_len, line);
	}
	return 1;
}

static int S_digits_at(const char *s)
{
	return *s >= '0' && *s <= '9';
}

int golden_names_file_and_line(const char *msg, const char *file_name)
{
	size_t flen = strlen(file_name);
	const char *p;
	int has_line = 0;

	if (!strstr(msg, file_name))
		return 0;
	for (p = msg; (p = strstr(p, file_name)) != NULL; p += flen)
		if (p[flen] == ':' && S_digits_at(p + flen + 1))
			has_line = 1;
	for (p = msg; !has_line && (p = strstr(p, "line ")) != NULL; p += 5)
		if (S_digits_at(p + 5))
			has_line = 1;
	return has_line;
}

static int S_wanted(const char *name, int argc, char **argv)
{
	int i;

	if (argc <= 2)
		return 1;
	for (i = 2; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/*
 * DIR/KNOWN_FAILURES lists cases that fail today for a documented reason,
 * one a line: the case name, a space, the reason. They still run and still
 * count as failed in the closing line; only they do not fail the suite.
 */
static const char *S_known_reason(const struct buf *known, const char *name)
{
	size_t n = strlen(name);
	const char *p = known->ptr;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == known->ptr || p[-1] == '\n') && p[n] == ' ')
			return p + n + 1;
		p += n;
	}
	return NULL;
}

int golden_main(int argc, char **argv, golden_case_fn fn, void *payload)
{
	char **names = NULL;
	size_t n = 0, i, passed = 0, failed = 0, unexpected = 0;
	struct buf dir = BUF_INIT, known = BUF_INIT;
	struct golden_case c;
	const char *why;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR [CASE...]\n", argc ? argv[0] : "golden");
		return 2;
	}
	if (golden_list_cases(&names, &n, argv[1]) < 0) {
		fprintf(stderr, "%s: cannot list cases: %s\n", argv[1], strerror(errno));
		return 2;
	}
	c.dir = argv[1];
	c.name = "";
	golden_read(&known, &c, "KNOWN_FAILURES");
	for (i = 0; i < n; i++) {
		if (!S_wanted(names[i], argc, argv))
			continue;
		buf_reset(&dir);
		buf_addf(&dir, "%s/%s", argv[1], names[i]);
		c.dir = dir.ptr;
		c.name = names[i];
		c.failed = 0;
		if (buf_oom(&dir))
			golden_fail(&c, "out of memory");
		else
			fn(&c, payload);
		why = S_known_reason(&known, names[i]);
		if (c.failed) {
			failed++;
			if (why)
				printf("    (known failure: %.*s)\n", (int)strcspn(why, "\n"), why);
			else
				unexpected++;
		} else {
			passed++;
			if (why)
				printf("note: %s passes now; remove it from KNOWN_FAILURES\n", names[i]);
		}
		fflush(stdout);
	}
	if (failed > unexpected)
		printf("(%zu of the failures are listed in KNOWN_FAILURES)\n", failed - unexpected);
	printf("%zu passed, %zu failed\n", passed, failed);
	golden_names_free(names, n);
	buf_release(&dir);
	buf_release(&known);
	if (passed + failed == 0) {
		fprintf(stderr, "%s: no cases\n", argv[1]);
		return 2;
	}
	return unexpected ? 1 : 0;
}
