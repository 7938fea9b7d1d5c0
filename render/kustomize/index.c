/*
 * A string-keyed multimap of positions (struct kidx): the id lookups of a
 * build (patch targets, generator merges, name references) go through one
 * instead of a scan of every resource per lookup, which made builds grow
 * quadratically with the number of resources (docs/kustomize.md,
 * "Performance").
 *
 * Open addressing with linear probing, load factor at most 1/2; keys are
 * never removed (a position list may become empty), so no tombstones.
 */
#include "render/kustomize/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_key(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void kidx_release(struct kidx *x)
{
	for (size_t i = 0; i < x->cap; i++) {
		free(x->e[i].key);
		free(x->e[i].v);
	}
	free(x->e);
	x->e = NULL;
	x->cap = x->n = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static struct kidx_ent *slot(const struct kidx *x, const char *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (x->cap - 1);

	for (;;) {
		struct kidx_ent *e = &x->e[i];

		if (!e->key || (e->hash == h && e->klen == len && memcmp(e->key, key, len) == 0))
			return e;
		i = (i + 1) & (x->cap - 1);
	}
}

static int grow(struct kidx *x)
{
	size_t ncap = x->cap ? x->cap * 2 : 64;
	struct kidx_ent *old = x->e, *ne = calloc(ncap, sizeof(*ne));
	size_t ocap = x->cap;

	if (!ne)
		return DIAG_ENOMEM;
	x->e = ne;
	x->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key)
			*slot(x, old[i].key, old[i].klen, old[i].hash) = old[i];
	free(old);
	return 0;
}

int kidx_add(struct kidx *x, const char *key, size_t val)
{
	size_t len = strlen(key);
	uint64_t h = hash_key(key, len);
	struct kidx_ent *e;

	if ((x->n + 1) * 2 > x->cap && grow(x) < 0)
		return DIAG_ENOMEM;
	e = slot(x, key, len, h);
	if (!e->key) {
		if (!(e->key = malloc(len + 1)))
			return DIAG_ENOMEM;
		memcpy(e->key, key, len + 1);
		e->klen = len;
		e->hash = h;
		x->n++;
	}
	if (e->len > 0 && e->v[e->len - 1] == val)
		return 0;
	if (e->len == e->alloc) {
		size_t na = e->alloc ? e->alloc * 2 : 2;
		size_t *nv = realloc(e->v, na * sizeof(*nv));

		if (!nv)
			return DIAG_ENOMEM;
		e->v = nv;
		e->alloc = na;
	}
	e->v[e->len++] = val;
	return 0;
}

const size_t *kidx_get(const struct kidx *x, const char *key, size_t *n)
{
	size_t len = strlen(key);
	struct kidx_ent *e;

	*n = 0;
	if (!x->cap)
		return NULL;
	e = slot(x, key, len, hash_key(key, len));
	if (!e->key)
		return NULL;
	*n = e->len;
	return e->v;
}

void kidx_del(struct kidx *x, const char *key, size_t val)
{
	size_t len = strlen(key), k = 0;
	struct kidx_ent *e;

	if (!x->cap)
		return;
	e = slot(x, key, len, hash_key(key, len));
	if (!e->key)
		return;
	for (size_t i = 0; i < e->len; i++)
		if (e->v[i] != val)
			e->v[k++] = e->v[i];
	e->len = k;
}

/* Calls add or del with the key of each of r's ids: the current one, then the previous. */
static int each_id_key(struct kidx *x, const struct kres *r, size_t val, int add)
{
	struct kid *prev = NULL;
	struct buf key = BUF_INIT;
	size_t np = 0;
	int error;

	/* the current id's key straight from the object, no id built */
	if ((error = kres_prev_ids(&prev, &np, r)) < 0 ||
	    (error = kid_key_of_res(&key, r->obj)) < 0)
		goto done;
	for (size_t i = 0; i <= np && !error; i++) {
		if (i > 0)
			kid_key(&key, &prev[i - 1]);
		if (buf_oom(&key))
			error = DIAG_ENOMEM;
		else if (add)
			error = kidx_add(x, key.ptr, val);
		else
			kidx_del(x, key.ptr, val);
	}
done:
	kid_array_free(prev, np);
	buf_release(&key);
	return error;
}

int kidx_add_res(struct kidx *x, const struct kres *r, size_t val)
{
	return each_id_key(x, r, val, 1);
}

int kidx_del_res(struct kidx *x, const struct kres *r, size_t val)
{
	return each_id_key(x, r, val, 0);
}

int kidx_add_cur(struct kidx *x, const struct kres *r, size_t val)
{
	struct buf key = BUF_INIT;
	int error;

	if ((error = kid_key_of_res(&key, r->obj)) == 0)
		error = kidx_add(x, key.ptr, val);
	buf_release(&key);
	return error;
}
