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
 * Not thread-safe, and process-wide (json_set_alloc_funcs): install it only
 * in a command that makes no thread and before it holds any json value (a
 * value malloc made must never reach jslab's free). The gitops commands,
 * which render on threads, keep glibc's malloc.
 */
#ifndef HYDRATE_JSLAB_H
#define HYDRATE_JSLAB_H

#include <stddef.h>

#define JSLAB_MAX_SMALL 496

/* Makes jansson allocate through jslab from now on. */
void jslab_install(void);

/* Frees every slab. Only once no json value made since jslab_install is
 * alive any more (the end of the command); jansson keeps allocating
 * through jslab, in new slabs. */
void jslab_release_all(void);

/* For tests: the allocator's two halves. */
void *jslab_malloc(size_t size);
void jslab_free(void *p);

#endif
