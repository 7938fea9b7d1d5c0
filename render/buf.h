/*
 * struct buf: a growable byte buffer (git's strbuf invariants).
 *
 * - ptr is never NULL: an empty buffer points at a static "" (BUF_INIT).
 * - Contents are always NUL-terminated, yet may hold NULs: use len.
 * - max, when non-zero, caps growth for outside input; growing past it
 *   (or a failed allocation) sets the sticky oom flag and drops the write.
 *   Check buf_oom() once at the end instead of after every append.
 */
#ifndef HYDRATE_BUF_H
#define HYDRATE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len, alloc, max;
	int oom;
};

extern char buf__empty[];
#define BUF_INIT { buf__empty, 0, 0, 0, 0 }

void buf_init(struct buf *b, size_t hint);
/* Makes room for at least extra more bytes; returns -1 (and sets oom) if it cannot. */
int buf_grow(struct buf *b, size_t extra);
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
/* The decimal digits of n (with '-' when negative), as printf's %lld / %llu. */
int buf_add_int(struct buf *b, long long n);
int buf_add_uint(struct buf *b, unsigned long long n);
int buf_addch(struct buf *b, int c);
/* buf_addch's fast path, inline: room for the byte and its NUL, no cap hit. */
static inline int buf_addch_inline(struct buf *b, int c)
{
	if (b->len + 2 <= b->alloc && !b->oom && (!b->max || b->len < b->max)) {
		b->ptr[b->len++] = (char)c;
		b->ptr[b->len] = '\0';
		return 0;
	}
	return (buf_addch)(b, c);
}
#define buf_addch(b, c) buf_addch_inline((b), (c))
/* Appends c n times. */
int buf_addchn(struct buf *b, int c, size_t n);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Shortens to len (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Gives back the allocation's unused room (for a buffer kept long after
 * it is written); the contents stay. */
void buf_shrink(struct buf *b);
/* Empties the buffer, keeping its allocation. */
void buf_reset(struct buf *b);
/* Frees the allocation; the buffer is BUF_INIT afterwards. NULL is fine. */
void buf_release(struct buf *b);
/* The caller now owns the string (never NULL; free() it); b is reset to BUF_INIT. */
char *buf_detach(struct buf *b, size_t *len_out);
/* Replaces the contents with a copy of data. */
int buf_set(struct buf *b, const void *data, size_t len);
static inline int buf_oom(const struct buf *b) { return b->oom; }

#endif
