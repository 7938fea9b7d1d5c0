#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

char *tu_read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f)
		return NULL;
	do {
		if (alloc - len < 4096) {
			char *p = realloc(data, alloc = alloc * 2 + 8192);
			if (!p) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = p;
		}
		n = fread(data + len, 1, alloc - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	data[len] = '\0';
	if (len_out)
		*len_out = len;
	return data;
}

const char *tu_testdata(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", TESTDATA_DIR, rel);
	return path;
}

void tu_truncated(const char *file, int line)
{
	fprintf(stderr, "%s:%d: path or text too long for its buffer\n", file, line);
	abort();
}
