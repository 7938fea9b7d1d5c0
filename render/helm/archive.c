/*
 * .tgz charts: an inflater (RFC 1951), the gzip framing (RFC 1952) and a
 * tar reader (POSIX ustar, pax and GNU long names), then Helm's
 * LoadArchiveFiles rules. See archive.h.
 */
#include "render/helm/archive.h"
#include "render/buf.h"
#include "render/diag.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- DEFLATE */

struct bits {
	const unsigned char *in;
	size_t len, pos;
	uint32_t buf;
	int cnt;
	int eof;
};

/* Reads n (<= 16) bits, least significant first; sets eof past the input. */
static uint32_t S_bits_get(struct bits *b, int n)
{
	uint32_t v;

	while (b->cnt < n) {
		if (b->pos >= b->len) {
			b->eof = 1;
			return 0;
		}
		b->buf |= (uint32_t)b->in[b->pos++] << b->cnt;
		b->cnt += 8;
	}
	v = b->buf & ((1u << n) - 1);
	b->buf >>= n;
	b->cnt -= n;
	return v;
}

#define MAXBITS 15

struct huff {
	short count[MAXBITS + 1];   /* codes of each length */
	short symbol[320];          /* symbols in canonical order */
};

/* Builds the canonical code for lengths[0..n); -1 if over-subscribed. */
static int S_huff_build(struct huff *h, const short *lengths, int n)
{
	short offs[MAXBITS + 1];
	int left = 1, len, sym;

	memset(h->count, 0, sizeof(h->count));
	for (sym = 0; sym < n; sym++)
		h->count[lengths[sym]]++;
	if (h->count[0] == n)
		return 0;   /* no codes: a decode will fail */
	for (len = 1; len <= MAXBITS; len++) {
		left <<= 1;
		left -= h->count[len];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (len = 1; len < MAXBITS; len++)
		offs[len + 1] = (short)(offs[len] + h->count[len]);
	for (sym = 0; sym < n; sym++)
		if (lengths[sym])
			h->symbol[offs[lengths[sym]]++] = (short)sym;
	return left;
}

/* Decodes one symbol, walking the code one bit at a time; -1 on bad input. */
static int S_huff_decode(struct bits *b, const struct huff *h)
{
	int code = 0, first = 0, index = 0, len;

	for (len = 1; len <= MAXBITS; len++) {
		code |= (int)S_bits_get(b, 1);
		if (b->eof)
			return -1;
		if (code - h->count[len] < first)
			return h->symbol[index + (code - first)];
		index += h->count[len];
		first += h->count[len];
		first <<= 1;
		code <<= 1;
	}
	return -1;
}

static const short S_lbase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
	35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const short S_lext[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
	4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const short S_dbase[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
	257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const short S_dext[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
	9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

enum { INF_OK = 0, INF_CORRUPT = -1, INF_EOF = -2, INF_LIMIT = -3, INF_NOMEM = -4 };

static int S_codes(struct bits *b, struct buf *out, size_t max, const struct huff *lit,
		   const struct huff *dist)
{
	for (;;) {
		int sym = S_huff_decode(b, lit);
		if (sym < 0)
			return b->eof ? INF_EOF : INF_CORRUPT;
		if (sym < 256) {
			if (out->len >= max)
				return INF_LIMIT;
			if (buf_addch(out, sym) < 0)
				return INF_NOMEM;
		} else if (sym == 256) {
			return INF_OK;
		} else {
			size_t len, d;
			sym -= 257;
			if (sym >= 29)
				return INF_CORRUPT;
			len = (size_t)S_lbase[sym] + S_bits_get(b, S_lext[sym]);
			sym = S_huff_decode(b, dist);
			if (sym < 0 || sym >= 30)
				return b->eof ? INF_EOF : INF_CORRUPT;
			d = (size_t)S_dbase[sym] + S_bits_get(b, S_dext[sym]);
			if (b->eof)
				return INF_EOF;
			if (d > out->len)
				return INF_CORRUPT;
			if (out->len + len > max)
				return INF_LIMIT;
			if (buf_grow(out, len) < 0)
				return INF_NOMEM;
			/* byte by byte: the source may overlap what is written */
			for (size_t i = 0; i < len; i++)
				out->ptr[out->len + i] = out->ptr[out->len - d + i];
			out->len += len;
			out->ptr[out->len] = '\0';
		}
	}
}

/* Fixed-code blocks: the tables are rebuilt each time (cheap, and no
 * shared mutable state between threads). */
static int S_fixed(struct bits *b, struct buf *out, size_t max)
{
	struct huff lit, dist;
	short lengths[288];
	int i;

	for (i = 0; i < 144; i++)
		lengths[i] = 8;
	for (; i < 256; i++)
		lengths[i] = 9;
	for (; i < 280; i++)
		lengths[i] = 7;
	for (; i < 288; i++)
		lengths[i] = 8;
	S_huff_build(&lit, lengths, 288);
	for (i = 0; i < 30; i++)
		lengths[i] = 5;
	S_huff_build(&dist, lengths, 30);
	return S_codes(b, out, max, &lit, &dist);
}

static int S_dynamic(struct bits *b, struct buf *out, size_t max)
{
	static const short order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2,
		14, 1, 15 };
	short lengths[320];
	struct huff lencode, lit, dist;
	int nlen, ndist, ncode, index, err;

	nlen = (int)S_bits_get(b, 5) + 257;
	ndist = (int)S_bits_get(b, 5) + 1;
	ncode = (int)S_bits_get(b, 4) + 4;
	if (b->eof)
		return INF_EOF;
	if (nlen > 286 || ndist > 30)
		return INF_CORRUPT;
	for (index = 0; index < ncode; index++)
		lengths[order[index]] = (short)S_bits_get(b, 3);
	for (; index < 19; index++)
		lengths[order[index]] = 0;
	if (b->eof)
		return INF_EOF;
	if (S_huff_build(&lencode, lengths, 19) != 0)
		return INF_CORRUPT;
	index = 0;
	while (index < nlen + ndist) {
		int sym = S_huff_decode(b, &lencode), len = 0, rep;
		if (sym < 0)
			return b->eof ? INF_EOF : INF_CORRUPT;
		if (sym < 16) {
			lengths[index++] = (short)sym;
			continue;
		}
		if (sym == 16) {
			if (index == 0)
				return INF_CORRUPT;
			len = lengths[index - 1];
			rep = 3 + (int)S_bits_get(b, 2);
		} else if (sym == 17) {
			rep = 3 + (int)S_bits_get(b, 3);
		} else {
			rep = 11 + (int)S_bits_get(b, 7);
		}
		if (b->eof)
			return INF_EOF;
		if (index + rep > nlen + ndist)
			return INF_CORRUPT;
		while (rep--)
			lengths[index++] = (short)len;
	}
	if (lengths[256] == 0)
		return INF_CORRUPT;
	err = S_huff_build(&lit, lengths, nlen);
	if (err < 0 || (err > 0 && nlen - lit.count[0] != 1))
		return INF_CORRUPT;
	err = S_huff_build(&dist, lengths + nlen, ndist);
	if (err < 0 || (err > 0 && ndist - dist.count[0] != 1))
		return INF_CORRUPT;
	return S_codes(b, out, max, &lit, &dist);
}

/* Inflates one DEFLATE stream at b; b->pos ends after its last byte. */
static int S_inflate(struct bits *b, struct buf *out, size_t max)
{
	int last, type, err;

	do {
		last = (int)S_bits_get(b, 1);
		type = (int)S_bits_get(b, 2);
		if (b->eof)
			return INF_EOF;
		if (type == 0) {
			size_t len, nlen;
			b->buf = 0;   /* to a byte boundary */
			b->cnt = 0;
			if (b->pos + 4 > b->len)
				return INF_EOF;
			len = b->in[b->pos] | ((size_t)b->in[b->pos + 1] << 8);
			nlen = b->in[b->pos + 2] | ((size_t)b->in[b->pos + 3] << 8);
			b->pos += 4;
			if (len != (~nlen & 0xffff))
				return INF_CORRUPT;
			if (b->pos + len > b->len)
				return INF_EOF;
			if (out->len + len > max)
				return INF_LIMIT;
			if (buf_add(out, b->in + b->pos, len) < 0)
				return INF_NOMEM;
			b->pos += len;
			err = INF_OK;
		} else if (type == 1) {
			err = S_fixed(b, out, max);
		} else if (type == 2) {
			err = S_dynamic(b, out, max);
		} else {
			err = INF_CORRUPT;
		}
		if (err != INF_OK)
			return err;
	} while (!last);
	/* unused bits of the last byte belong to the stream */
	b->buf = 0;
	b->cnt = 0;
	return INF_OK;
}

/* ---- gzip */

static uint32_t S_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	uint32_t table[256];

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int helm_gunzip(struct buf *out, const unsigned char *in, size_t len, size_t max,
		struct diag *d)
{
	size_t pos = 0;
	int members = 0;

	while (pos < len || members == 0) {
		struct bits b;
		size_t start = out->len, p = pos;
		unsigned flg;
		int err;

		if (len - pos < 10 || in[p] != 0x1f || in[p + 1] != 0x8b || in[p + 2] != 8) {
			if (members > 0 && len - pos == 0)
				break;
			return diag_set(d, DIAG_EPARSE, len - pos < 10 && members == 0 && len - pos > 0 &&
					in[p] == 0x1f ? "unexpected EOF" : "gzip: invalid header");
		}
		flg = in[p + 3];
		p += 10;
		if (flg & 4) {   /* FEXTRA */
			size_t xlen;
			if (p + 2 > len)
				return diag_set(d, DIAG_EPARSE, "unexpected EOF");
			xlen = in[p] | ((size_t)in[p + 1] << 8);
			p += 2 + xlen;
		}
		if (flg & 8)     /* FNAME */
			while (p < len && in[p++] != 0)
				;
		if (flg & 16)    /* FCOMMENT */
			while (p < len && in[p++] != 0)
				;
		if (flg & 2)     /* FHCRC */
			p += 2;
		if (p > len)
			return diag_set(d, DIAG_EPARSE, "unexpected EOF");
		memset(&b, 0, sizeof(b));
		b.in = in;
		b.len = len;
		b.pos = p;
		err = S_inflate(&b, out, max);
		if (err == INF_NOMEM)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		if (err == INF_LIMIT)
			return diag_set(d, DIAG_ELIMIT, "decompressed chart is larger than the "
					"maximum size %zu", max);
		if (err == INF_EOF)
			return diag_set(d, DIAG_EPARSE, "unexpected EOF");
		if (err != INF_OK)
			return diag_set(d, DIAG_EPARSE, "flate: corrupt input before offset %zu",
					b.pos - p);
		if (b.pos + 8 > len)
			return diag_set(d, DIAG_EPARSE, "unexpected EOF");
		{
			uint32_t want = in[b.pos] | (uint32_t)in[b.pos + 1] << 8 |
					(uint32_t)in[b.pos + 2] << 16 | (uint32_t)in[b.pos + 3] << 24;
			uint32_t size = in[b.pos + 4] | (uint32_t)in[b.pos + 5] << 8 |
					(uint32_t)in[b.pos + 6] << 16 | (uint32_t)in[b.pos + 7] << 24;
			if (S_crc32(0, (const unsigned char *)out->ptr + start, out->len - start) != want ||
			    size != (uint32_t)(out->len - start))
				return diag_set(d, DIAG_EPARSE, "gzip: invalid checksum");
		}
		pos = b.pos + 8;
		members++;
	}
	return 0;
}

/* ---- tar */

static int S_all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* An octal (or base-256) numeric field; -1 if malformed. */
static long long S_tar_num(const unsigned char *p, size_t n)
{
	long long v = 0;
	size_t i = 0;

	if (n && (p[0] & 0x80)) {
		/* base-256: big-endian, the top bit is a flag */
		v = p[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v > (LLONG_MAX >> 8))
				return -1;
			v = (v << 8) | p[i];
		}
		return v;
	}
	while (i < n && (p[i] == ' ' || p[i] == 0))
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v > (LLONG_MAX >> 3))
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != ' ' && p[i] != 0)
			return -1;
	return v;
}

/* Reads the "path" record of a pax header block into name. */
static void S_pax_path(const unsigned char *p, size_t n, struct buf *name)
{
	size_t i = 0;

	while (i < n) {
		size_t rec = 0, j = i;
		while (j < n && p[j] >= '0' && p[j] <= '9')
			rec = rec * 10 + (p[j++] - '0');
		if (rec == 0 || i + rec > n || j >= n || p[j] != ' ')
			return;
		j++;
		if (i + rec - j > 5 && memcmp(p + j, "path=", 5) == 0) {
			buf_reset(name);
			buf_add(name, p + j + 5, i + rec - j - 5 - 1);   /* drop "\n" */
		}
		i += rec;
	}
}

void helm_archive_files_free(struct helm_archive_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].data);
	}
	free(files);
}

/* path.Clean of a slash-separated name. */
static char *S_clean(const char *n)
{
	size_t len = strlen(n);
	char *out = malloc(len + 2), **parts = NULL;
	size_t np = 0, i, o = 0;
	int rooted = n[0] == '/';
	const char *p = n;

	if (!out || !(parts = calloc(len + 1, sizeof(*parts)))) {
		free(out);
		return NULL;
	}
	while (*p) {
		const char *s = p;
		while (*p && *p != '/')
			p++;
		if (p - s == 0 || (p - s == 1 && s[0] == '.')) {
			/* skip */
		} else if (p - s == 2 && s[0] == '.' && s[1] == '.') {
			if (np && strcmp(parts[np - 1], "..") != 0)
				free(parts[--np]);
			else if (!rooted)
				parts[np++] = strdup("..");
		} else {
			parts[np++] = strndup(s, (size_t)(p - s));
		}
		if (*p == '/')
			p++;
	}
	if (rooted)
		out[o++] = '/';
	for (i = 0; i < np; i++) {
		size_t l = parts[i] ? strlen(parts[i]) : 0;
		if (i)
			out[o++] = '/';
		if (o + l + 1 > len + 2) {
			char *bigger = realloc(out, o + l + 2);
			if (!bigger)
				break;
			out = bigger;
		}
		if (parts[i])
			memcpy(out + o, parts[i], l);
		o += l;
		free(parts[i]);
	}
	for (; i < np; i++)
		free(parts[i]);
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	free(parts);
	return out;
}

int helm_archive_load(struct helm_archive_file **out_files, size_t *out_n,
		      const unsigned char *in, size_t len, struct diag *d)
{
	struct buf tar = BUF_INIT, longname = BUF_INIT, name = BUF_INIT;
	struct helm_archive_file *files = NULL;
	size_t n = 0, cap = 0, pos = 0, remaining = HELM_ARCHIVE_MAX_TOTAL;
	int error;

	*out_files = NULL;
	*out_n = 0;
	/* the tar stream may be larger than the files it holds (headers) */
	if ((error = helm_gunzip(&tar, in, len, HELM_ARCHIVE_MAX_TOTAL * 2, d)) < 0)
		goto done;
	while (pos + 512 <= tar.len) {
		const unsigned char *h = (const unsigned char *)tar.ptr + pos;
		long long size;
		char type;
		size_t dlen;
		char *clean = NULL;
		const char *first_slash, *rel;

		if (S_all_zero(h, 512))
			break;
		size = S_tar_num(h + 124, 12);
		if (size < 0) {
			error = diag_set(d, DIAG_EPARSE, "archive/tar: invalid tar header");
			goto done;
		}
		type = (char)h[156];
		pos += 512;
		dlen = (size_t)size;
		if (dlen > tar.len - pos) {
			error = diag_set(d, DIAG_EPARSE, "unexpected EOF");
			goto done;
		}
		if (type == 'L') {   /* GNU long name for the next entry */
			buf_reset(&longname);
			buf_add(&longname, tar.ptr + pos, strnlen(tar.ptr + pos, dlen));
			pos += (dlen + 511) / 512 * 512;
			continue;
		}
		if (type == 'x') {   /* pax header: its path applies to the next entry */
			S_pax_path((const unsigned char *)tar.ptr + pos, dlen, &longname);
			pos += (dlen + 511) / 512 * 512;
			continue;
		}
		buf_reset(&name);
		if (longname.len) {
			buf_add(&name, longname.ptr, longname.len);
			buf_reset(&longname);
		} else {
			if (memcmp(h + 257, "ustar", 5) == 0 && h[345]) {
				buf_add(&name, h + 345, strnlen((const char *)h + 345, 155));
				buf_addch(&name, '/');
			}
			buf_add(&name, h, strnlen((const char *)h, 100));
		}
		if (buf_oom(&name)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (type == '5' || type == 'g' ||
		    (name.len && name.ptr[name.len - 1] == '/' && (type == '0' || type == 0))) {
			pos += (dlen + 511) / 512 * 512;
			continue;
		}
		/* strip the first component ("\" separates on Windows-made archives) */
		{
			char sep = memchr(name.ptr, '\\', name.len) ? '\\' : '/';
			for (size_t i = 0; i < name.len; i++)
				if (name.ptr[i] == sep)
					name.ptr[i] = '/';
				else if (sep == '\\' && name.ptr[i] == '/')
					name.ptr[i] = '/';
		}
		first_slash = strchr(name.ptr, '/');
		rel = first_slash ? first_slash + 1 : "";
		if (rel[0] == '/') {
			error = diag_set(d, DIAG_EINVALID, "chart illegally contains absolute paths");
			goto done;
		}
		if (!(clean = S_clean(rel))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (strcmp(clean, ".") == 0) {
			free(clean);
			error = diag_set(d, DIAG_EINVALID, "chart illegally contains content outside "
					 "the base directory: \"%s\"", name.ptr);
			goto done;
		}
		if (strncmp(clean, "..", 2) == 0) {
			free(clean);
			error = diag_set(d, DIAG_EINVALID, "chart illegally references parent directory");
			goto done;
		}
		if (((clean[0] >= 'a' && clean[0] <= 'z') || (clean[0] >= 'A' && clean[0] <= 'Z')) &&
		    clean[1] == ':' && clean[2] == '/') {
			free(clean);
			error = diag_set(d, DIAG_EINVALID, "chart contains illegally named files");
			goto done;
		}
		if (!first_slash && strcmp(name.ptr, "Chart.yaml") == 0) {
			free(clean);
			error = diag_set(d, DIAG_EINVALID, "chart yaml not in base directory");
			goto done;
		}
		if (dlen > remaining) {
			free(clean);
			error = diag_set(d, DIAG_ELIMIT, "decompressed chart is larger than the maximum "
					 "size %zu", HELM_ARCHIVE_MAX_TOTAL);
			goto done;
		}
		if (dlen > HELM_ARCHIVE_MAX_FILE) {
			free(clean);
			error = diag_set(d, DIAG_ELIMIT, "decompressed chart file \"%s\" is larger than "
					 "the maximum file size %zu", name.ptr, HELM_ARCHIVE_MAX_FILE);
			goto done;
		}
		remaining -= dlen;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct helm_archive_file *nv = realloc(files, nc * sizeof(*nv));
			if (!nv) {
				free(clean);
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			files = nv;
			cap = nc;
		}
		{
			size_t skip = dlen >= 3 && memcmp(tar.ptr + pos, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
			char *data = malloc(dlen - skip + 1);
			if (!data) {
				free(clean);
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			memcpy(data, tar.ptr + pos + skip, dlen - skip);
			data[dlen - skip] = '\0';
			files[n].name = clean;
			files[n].data = data;
			files[n].len = dlen - skip;
			n++;
		}
		pos += (dlen + 511) / 512 * 512;
	}
	if (n == 0) {
		error = diag_set(d, DIAG_EINVALID, "no files in chart archive");
		goto done;
	}
	*out_files = files;
	*out_n = n;
	files = NULL;
	n = 0;
	error = 0;
done:
	helm_archive_files_free(files, n);
	buf_release(&tar);
	buf_release(&longname);
	buf_release(&name);
	return error;
}
