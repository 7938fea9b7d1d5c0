#include "render/srcfile.h"
#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int srcfile_slurp(const char *path, size_t limit, char **data_out, size_t *len_out)
{
	struct stat st;
	size_t size, got = 0;
	char *data = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 0)
		goto fail;
	if ((unsigned long long)st.st_size > limit) {
		close(fd);
		return 1;
	}
	if ((unsigned long long)st.st_size >= SRCFILE_MAX_SIZE)
		goto fail;
	size = (size_t)st.st_size;
	if (!(data = malloc(size + 1)))
		goto fail;
	/* a regular file's read comes back short only at its end */
	for (;;) {
		size_t want = size + 1 - got;
		ssize_t n = read(fd, data + got, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got > size || (size_t)n < want)
			break;
	}
	if (got != size)
		goto fail;   /* it changed since fstat: the stream reader has it */
	close(fd);
	data[size] = '\0';
	*data_out = data;
	*len_out = size;
	return 0;
fail:
	free(data);
	close(fd);
	return -1;
}

static int read_stream(struct buf *out, FILE *f)
{
	char chunk[65536];
	size_t n;

	out->max = SRCFILE_MAX_SIZE;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(out, chunk, n) < 0)
			return DIAG_ELIMIT;
	return ferror(f) ? -1 : 0;
}

int srcfile_read_as(struct srcfile *src, const char *path, const char *name,
		    struct diag *d)
{
	struct buf text = BUF_INIT;
	FILE *f = NULL;
	int is_stdin = strcmp(path, "-") == 0;
	int error = 0;

	if (!is_stdin) {
		char *data;
		size_t len;

		if (srcfile_slurp(path, SRCFILE_MAX_SIZE, &data, &len) == 0) {
			char *copy = strdup(name ? name : path);

			if (!copy) {
				free(data);
				return diag_set(d, DIAG_ENOMEM, "out of memory");
			}
			srcfile_release(src);
			src->name = copy;
			src->data = data;
			src->len = len;
			return 0;
		}
	}
	if (is_stdin) {
		f = stdin;
	} else if (!(f = fopen(path, "rb"))) {
		error = errno == ENOENT ? DIAG_ENOTFOUND : -1;
		diag_set(d, error, "open %s: %s", path,
			 errno == ENOENT ? "no such file or directory" : strerror(errno));
		goto done;
	}
	error = read_stream(&text, f);
	if (error == DIAG_ELIMIT) {
		diag_set(d, error, "'%s' is larger than %zu bytes", path, SRCFILE_MAX_SIZE);
		goto done;
	}
	if (error < 0) {
		diag_set(d, error, "read %s: %s", path, strerror(errno));
		goto done;
	}
	srcfile_release(src);
	src->name = strdup(name ? name : is_stdin ? "<stdin>" : path);
	src->len = text.len;
	src->data = buf_detach(&text, NULL);
	if (!src->name)
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	if (f && !is_stdin)
		fclose(f);
	buf_release(&text);
	return error;
}

int srcfile_read(struct srcfile *src, const char *path, struct diag *d)
{
	return srcfile_read_as(src, path, NULL, d);
}

int srcfile_set(struct srcfile *src, const char *name, const void *data, size_t len)
{
	srcfile_release(src);
	src->name = strdup(name);
	src->data = malloc(len + 1);
	if (!src->name || !src->data) {
		srcfile_release(src);
		return DIAG_ENOMEM;
	}
	if (len)
		memcpy(src->data, data, len);
	src->data[len] = '\0';
	src->len = len;
	return 0;
}

void srcfile_release(struct srcfile *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->data);
	free(src->lines);
	memset(src, 0, sizeof(*src));
}

static int build_lines(struct srcfile *src)
{
	size_t i, n = 1;

	if (src->lines)
		return 0;
	for (i = 0; i < src->len; i++)
		n += src->data[i] == '\n';
	src->lines = malloc(n * sizeof(*src->lines));
	if (!src->lines)
		return -1;
	src->lines[0] = 0;
	src->nlines = 1;
	for (i = 0; i < src->len; i++)
		if (src->data[i] == '\n')
			src->lines[src->nlines++] = i + 1;
	return 0;
}

void srcfile_locate(struct srcfile *src, size_t offset, int *line_out, int *col_out)
{
	size_t lo = 0, hi;

	*line_out = *col_out = 0;
	if (build_lines(src) < 0)
		return;
	if (offset > src->len)
		offset = src->len;
	hi = src->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->lines[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	*line_out = (int)lo + 1;
	*col_out = (int)(offset - src->lines[lo]) + 1;
}

const char *srcfile_line(struct srcfile *src, int line, size_t *len_out)
{
	size_t start, end;

	if (line < 1 || build_lines(src) < 0 || (size_t)line > src->nlines)
		return NULL;
	start = src->lines[line - 1];
	end = (size_t)line < src->nlines ? src->lines[line] - 1 : src->len;
	if (end > start && src->data[end - 1] == '\r')
		end--;
	*len_out = end - start;
	return src->data + start;
}
