/*
 * Packaged charts: gzip-compressed tar archives (.tgz), read as Helm v4.1.4
 * pkg/chart/loader/archive does (LoadArchiveFiles): each regular file's
 * name loses its first path component ("mychart/templates/x.yaml" ->
 * "templates/x.yaml"), directories and pax headers are skipped, unsafe
 * names are refused, a UTF-8 BOM is stripped, sizes are capped (100 MiB in
 * all, 5 MiB a file). DEFLATE (RFC 1951), gzip (RFC 1952) and tar are our
 * own code: no compression library is linked.
 */
#ifndef HYDRATE_HELM_ARCHIVE_H
#define HYDRATE_HELM_ARCHIVE_H

#include <stddef.h>

struct buf;
struct diag;

#define HELM_ARCHIVE_MAX_TOTAL ((size_t)100 * 1024 * 1024)
#define HELM_ARCHIVE_MAX_FILE ((size_t)5 * 1024 * 1024)

/*
 * Decompresses a gzip stream (one or more members) into out, failing past
 * max bytes. 0, DIAG_EPARSE ("gzip: invalid header", "gzip: invalid
 * checksum", "flate: corrupt input before offset N", "unexpected EOF"),
 * DIAG_ELIMIT or DIAG_ENOMEM.
 */
int helm_gunzip(struct buf *out, const unsigned char *in, size_t len, size_t max,
		struct diag *d);

/* One file of an archive: name after the first component; data owned. */
struct helm_archive_file {
	char *name;
	char *data;   /* NUL-terminated */
	size_t len;
};

/*
 * LoadArchiveFiles over the bytes of a .tgz: *out_files (new array, free
 * with helm_archive_files_free) in archive order. Helm's error texts
 * ("chart illegally references parent directory", "no files in chart
 * archive", ...).
 */
int helm_archive_load(struct helm_archive_file **out_files, size_t *out_n,
		      const unsigned char *in, size_t len, struct diag *d);
void helm_archive_files_free(struct helm_archive_file *files, size_t n);

#endif
