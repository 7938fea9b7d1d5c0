/*
 * jslab: per-size free lists over 64 KiB slabs, then 2 MiB huge-page
 * regions, for jansson (see jslab.h).
 *
 * Every block has a 16-byte header (keeping the payload 16-byte aligned as
 * malloc's is) holding its size class: 1..31 for payloads of up to 16 times
 * the class bytes, carved from a slab; 0 for a larger block, which is
 * malloc's. A freed small block goes on its class's list, linked through
 * its payload, and is the next one that class hands out.
 */
#include "render/jslab.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define S_HDR 16
#define S_SLAB ((size_t)64 << 10)
/* After S_NSMALL slabs (1 MiB) the slabs are 2 MiB regions of their own
 * mapping, aligned and marked for transparent huge pages: one page fault
 * then brings 2 MiB where 64 KiB slabs took 512 (a large build touches
 * some 10 MiB of them), while a small command keeps to small slabs. */
#define S_NSMALL 16
#define S_HUGE ((size_t)2 << 20)
#define S_CLASSES (JSLAB_MAX_SMALL / 16 + 1)

struct S_hdr {
	uint32_t cls;
};

/* Each thread carves and recycles blocks on its own; a block freed on
 * another thread than the one that made it joins the freeing thread's list. */
static _Thread_local char *S_free[S_CLASSES]; /* headers of free blocks, by class */
static _Thread_local char *S_cur, *S_end;     /* the front slab's unused bytes */
static _Thread_local void *S_slabs;           /* every slab, linked through its first word */
static _Thread_local void *S_huge;            /* every 2 MiB region, linked the same way */
static _Thread_local size_t S_nslabs;         /* slabs made since the last release */

/* The slabs and regions of threads that ended (jslab_thread_done), freed
 * by the next jslab_release_all. */
static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static void *S_left_slabs, *S_left_huge;

/* A 2 MiB region aligned to 2 MiB, marked for huge pages; NULL when the
 * system gives none. */
static char *S_map_huge(void)
{
	char *m = mmap(NULL, 2 * S_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	uintptr_t at;
	size_t head;

	if (m == MAP_FAILED)
		return NULL;
	at = ((uintptr_t)m + S_HUGE - 1) & ~(uintptr_t)(S_HUGE - 1);
	head = (size_t)(at - (uintptr_t)m);
	if (head)
		munmap(m, head);
	munmap((char *)at + S_HUGE, S_HUGE - head);
#ifdef MADV_HUGEPAGE
	madvise((char *)at, S_HUGE, MADV_HUGEPAGE); /* a hint: failure is fine */
#endif
	return (char *)at;
}

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
		char *slab = S_nslabs >= S_NSMALL ? S_map_huge() : NULL;

		if (slab) {
			*(void **)slab = S_huge;
			S_huge = slab;
			S_end = slab + S_HUGE;
		} else {
			if (!(slab = malloc(S_SLAB)))
				return NULL;
			*(void **)slab = S_slabs;
			S_slabs = slab;
			S_end = slab + S_SLAB;
		}
		S_nslabs++;
		S_cur = slab + S_HDR;
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

/* Prepends list (linked through first words) to *to. */
static void S_splice(void **to, void *list)
{
	void *last = list;

	if (!list)
		return;
	while (*(void **)last)
		last = *(void **)last;
	*(void **)last = *to;
	*to = list;
}

void jslab_thread_large(void)
{
	if (S_nslabs < S_NSMALL)
		S_nslabs = S_NSMALL;
}

void jslab_thread_done(void)
{
	size_t i;

	pthread_mutex_lock(&S_lock);
	S_splice(&S_left_slabs, S_slabs);
	S_splice(&S_left_huge, S_huge);
	pthread_mutex_unlock(&S_lock);
	S_slabs = S_huge = NULL;
	for (i = 0; i < S_CLASSES; i++)
		S_free[i] = NULL;
	S_cur = S_end = NULL;
	S_nslabs = 0;
}

void jslab_release_all(void)
{
	size_t i;

	pthread_mutex_lock(&S_lock);
	S_splice(&S_slabs, S_left_slabs);
	S_splice(&S_huge, S_left_huge);
	S_left_slabs = S_left_huge = NULL;
	pthread_mutex_unlock(&S_lock);
	while (S_slabs) {
		void *next = *(void **)S_slabs;

		free(S_slabs);
		S_slabs = next;
	}
	while (S_huge) {
		void *next = *(void **)S_huge;

		munmap(S_huge, S_HUGE);
		S_huge = next;
	}
	for (i = 0; i < S_CLASSES; i++)
		S_free[i] = NULL;
	S_cur = S_end = NULL;
	S_nslabs = 0;
}
