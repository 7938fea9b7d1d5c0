/* Small helpers shared by the cmocka unit tests. */
#ifndef HYDRATE_TESTUTIL_H
#define HYDRATE_TESTUTIL_H

#include <stddef.h>

/* Reads a whole file into a NUL-terminated malloc'd string; NULL if absent. */
char *tu_read_file(const char *path, size_t *len_out);
/* A path under TESTDATA_DIR (static buffer, overwritten by the next call). */
const char *tu_testdata(const char *rel);

#endif
