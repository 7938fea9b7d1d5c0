/* Small helpers shared by the cmocka unit tests. */
#ifndef HYDRATE_TESTUTIL_H
#define HYDRATE_TESTUTIL_H

#include <stddef.h>

/* Reads a whole file into a NUL-terminated malloc'd string; NULL if absent. */
char *tu_read_file(const char *path, size_t *len_out);
/* A path under TESTDATA_DIR (static buffer, overwritten by the next call). */
const char *tu_testdata(const char *rel);

/* snprintf into the array buf; a truncated result aborts the test (and
 * checking the result keeps gcc's -Wformat-truncation quiet at -O2). */
#define TU_FMT(buf, ...)                                                     \
	do {                                                                 \
		if (snprintf((buf), sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf)) \
			tu_truncated(__FILE__, __LINE__);                    \
	} while (0)
void tu_truncated(const char *file, int line) __attribute__((noreturn));

#endif
