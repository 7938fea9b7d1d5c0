/*
 * struct srcfile: the text of one input (a file, stdin, or a string) and its
 * display name, with a lazily built line map for turning positions into
 * 1-based line:column and for quoting a line under an error.
 */
#ifndef HYDRATE_SRCFILE_H
#define HYDRATE_SRCFILE_H

#include <stddef.h>

struct diag;

struct srcfile {
	char *name;        /* as shown in messages; owned */
	char *data;        /* NUL-terminated; may hold NULs; owned */
	size_t len;
	size_t *lines;     /* byte offset of each line's start; built on demand */
	size_t nlines;
};

#define SRCFILE_INIT { NULL, NULL, 0, NULL, 0 }

/* Largest input read by srcfile_read: 64 MiB. */
#define SRCFILE_MAX_SIZE ((size_t)64 << 20)

/* Reads path ("-" is standard input, named "<stdin>"). DIAG_ENOTFOUND if it
 * does not exist, DIAG_ELIMIT past SRCFILE_MAX_SIZE, -1 otherwise. */
int srcfile_read(struct srcfile *src, const char *path, struct diag *d);
/* Reads path but shows it as name in messages. */
int srcfile_read_as(struct srcfile *src, const char *path, const char *name,
		    struct diag *d);
/* A regular file read whole into an allocation of its exact size plus a
 * NUL, in four system calls (open, fstat, one read asking for a byte more
 * than the size, close): 0 with *data_out (the caller's) and *len_out; 1
 * when it is larger than limit (nothing read); -1 when it cannot be opened,
 * is not a regular file or changed size while read, leaving srcfile_read
 * (which words any error) to do it. */
int srcfile_slurp(const char *path, size_t limit, char **data_out, size_t *len_out);
/* Copies len bytes of data; name is what messages show. */
int srcfile_set(struct srcfile *src, const char *name, const void *data, size_t len);
void srcfile_release(struct srcfile *src);

/* 1-based line and column (in bytes) of a byte offset. */
void srcfile_locate(struct srcfile *src, size_t offset, int *line_out, int *col_out);
/* The text of 1-based line (without its newline); NULL past the end. */
const char *srcfile_line(struct srcfile *src, int line, size_t *len_out);

#endif
