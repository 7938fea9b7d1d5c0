/*
 * jslab: per-size free lists over 64 KiB slabs for jansson (see jslab.h).
 *
 * Every block has a 16-byte header (keeping the payload 16-byte aligned as
 * malloc's is) holding its size class: 1..31 for payloads of up to 16 times
 * the class bytes, carved from a slab; 0 for a larger block, which is
 * malloc's. A freed small block goes on its class's list, linked through
 * its payload, and is the next one that class hands out.
 */
#include "render/jslab.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#define S_HDR 16
#define S_SLAB ((size_t)64 << 10)
#define S_CLASSES (JSLAB_MAX_SMALL / 16 + 1)

struct S_hdr {
	uint32_t cls;
};

static char *S_free[S_CLASSES]; /* headers of free blocks, by class */
static char *S_cur, *S_end;     /* the front slab's unused bytes */
static void *S_slabs;           /* every slab, linked through its first word */

void *jslab_malloc(size_t size)
{
	size_t cls, total;
	char *b;

	if (size > JSLAB_MAX_SMALL) {
		if (size > SIZE_MAX - S_HDR || !(b = malloc(size + S_HDR)))
			return NULL;
		((struct S_hdr *)b)->cls = 0;
		return b + S_HDR;
	}
	cls = size ? (size + 15) >> 4 : 1;
	if ((b = S_free[cls]) != NULL) {
		S_free[cls] = *(char **)(b + S_HDR);
		return b + S_HDR;
	}
	total = S_HDR + (cls << 4);
	if ((size_t)(S_end - S_cur) < total) {
		char *slab = malloc(S_SLAB);

		if (!slab)
			return NULL;
		*(void **)slab = S_slabs;
		S_slabs = slab;
		S_cur = slab + S_HDR;
		S_end = slab + S_SLAB;
	}
	b = S_cur;
	S_cur += total;
	((struct S_hdr *)b)->cls = (uint32_t)cls;
	return b + S_HDR;
}

void jslab_free(void *p)
{
	char *b;
	uint32_t cls;

	if (!p)
		return;
	b = (char *)p - S_HDR;
	cls = ((struct S_hdr *)b)->cls;
	if (cls == 0) {
		free(b);
		return;
	}
	*(char **)p = S_free[cls];
	S_free[cls] = b;
}

void jslab_install(void)
{
	/* AddressSanitizer sees use after free and leaks only in malloc's
	 * blocks: a sanitizer build keeps malloc for jansson */
#if !defined(__SANITIZE_ADDRESS__)
	json_set_alloc_funcs(jslab_malloc, jslab_free);
#endif
}

void jslab_release_all(void)
{
	size_t i;

	while (S_slabs) {
		void *next = *(void **)S_slabs;

		free(S_slabs);
		S_slabs = next;
	}
	for (i = 0; i < S_CLASSES; i++)
		S_free[i] = NULL;
	S_cur = S_end = NULL;
}
