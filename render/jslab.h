/*
 * A size-class allocator for jansson, for a command that builds on one
 * thread.
 *
 * `hydrate kustomize` makes and frees some 600,000 small jansson blocks for
 * 4,000 resources (objects, their hash tables, strings, arrays), of many
 * sizes freed in between, which glibc's malloc serves through its slow
 * paths (~130 instructions a call, a fifth of the build). jslab serves every
 * request up to JSLAB_MAX_SMALL bytes from per-size free lists carved out
 * of 64 KiB slabs (a few instructions) and passes larger ones to malloc.
 *
 * Process-wide (json_set_alloc_funcs): install it only before the command
 * holds any json value (a value malloc made must never reach jslab's
 * free). Each thread has its own lists and slabs, so threads may allocate
 * and free at once; a block may be freed on another thread than the one
 * that made it. A thread that made json values calls jslab_thread_done
 * before it ends, handing its slabs over. Used by `hydrate kustomize`,
 * which parses and prints on a second thread; the gitops commands keep
 * glibc's malloc.
 */
#ifndef HYDRATE_JSLAB_H
#define HYDRATE_JSLAB_H

#include <stddef.h>

#define JSLAB_MAX_SMALL 496

/* Makes jansson allocate through jslab from now on. */
void jslab_install(void);

/* The calling thread will build a lot: its next slabs are 2 MiB regions
 * at once, not 64 KiB slabs first (fewer page faults for a worker that
 * parses half of a long file). */
void jslab_thread_large(void);

/* Hands the calling thread's slabs over to the next jslab_release_all
 * (the blocks in them stay valid until then); call it when a thread that
 * allocated through jslab ends. */
void jslab_thread_done(void);

/* Frees every slab, the calling thread's and those handed over. Only once
 * no json value made since jslab_install is alive any more (the end of the
 * command); jansson keeps allocating through jslab, in new slabs. */
void jslab_release_all(void);

/* For tests: the allocator's two halves. */
void *jslab_malloc(size_t size);
void jslab_free(void *p);

#endif
