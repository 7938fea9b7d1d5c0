#include "render/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char buf__empty[1];

void buf_init(struct buf *b, size_t hint)
{
	b->ptr = buf__empty;
	b->len = b->alloc = b->max = 0;
	b->oom = 0;
	if (hint)
		buf_grow(b, hint);
}

int buf_grow(struct buf *b, size_t extra)
{
	size_t need, alloc;
	char *p;

	if (b->oom)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (b->max && need > b->max + 1)
		goto fail;
	if (need <= b->alloc)
		return 0;
	alloc = b->alloc < 256 ? 256 : b->alloc;
	while (alloc < need)
		alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
	if (b->max && alloc > b->max + 1)
		alloc = b->max + 1;
	p = realloc(b->alloc ? b->ptr : NULL, alloc);
	if (!p)
		goto fail;
	if (!b->alloc)
		p[0] = '\0';
	b->ptr = p;
	b->alloc = alloc;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

int buf_add(struct buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_add_uint(struct buf *b, unsigned long long n)
{
	char d[24], *p = d + sizeof(d);

	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	return buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

int buf_add_int(struct buf *b, long long n)
{
	if (n < 0) {
		if (buf_addch(b, '-') < 0)
			return -1;
		return buf_add_uint(b, 0ULL - (unsigned long long)n);
	}
	return buf_add_uint(b, (unsigned long long)n);
}

int (buf_addch)(struct buf *b, int c)
{
	char ch = (char)c;
	return buf_add(b, &ch, 1);
}

int buf_addchn(struct buf *b, int c, size_t n)
{
	if (buf_grow(b, n) < 0)
		return -1;
	memset(b->ptr + b->len, c, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	if (!b->oom && b->alloc > b->len) {
		/* format straight into the room there is; again only if short */
		size_t room = b->alloc - b->len;

		n = vsnprintf(b->ptr + b->len, room, fmt, cp);
		va_end(cp);
		if (n >= 0 && (size_t)n < room && (!b->max || b->len + (size_t)n <= b->max)) {
			b->len += (size_t)n;
			return 0;
		}
		b->ptr[b->len] = '\0';
	} else {
		n = vsnprintf(NULL, 0, fmt, cp);
		va_end(cp);
	}
	if (n < 0 || buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	if (b->alloc)
		b->ptr[len] = '\0';
}

void buf_shrink(struct buf *b)
{
	char *p;

	if (!b->alloc || b->alloc <= b->len + 1)
		return;
	/* a failed shrink keeps the larger allocation, which is still fine */
	if ((p = realloc(b->ptr, b->len + 1)) != NULL) {
		b->ptr = p;
		b->alloc = b->len + 1;
	}
}

void buf_reset(struct buf *b)
{
	buf_truncate(b, 0);
	b->oom = 0;
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		free(b->ptr);
	buf_init(b, 0);
}

char *buf_detach(struct buf *b, size_t *len_out)
{
	char *s;

	if (len_out)
		*len_out = b->len;
	if (!b->alloc) {
		s = calloc(1, 1);
		if (!s)
			abort();
	} else {
		s = b->ptr;
	}
	buf_init(b, 0);
	return s;
}

int buf_set(struct buf *b, const void *data, size_t len)
{
	buf_truncate(b, 0);
	return buf_add(b, data, len);
}
