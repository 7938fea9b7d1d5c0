/*
 * A string-keyed multimap of positions (struct kidx): the id lookups of a
 * build (patch targets, generator merges, name references) go through one
 * instead of a scan of every resource per lookup, which made builds grow
 * quadratically with the number of resources (docs/kustomize.md,
 * "Performance").
 *
 * Open addressing with linear probing over a table of 32-bit entry
 * numbers (load factor at most 1/2); the entries sit densely in insertion
 * order, their keys in one text block (offsets, so it may move) and a
 * key's first position in the entry itself: adding a key costs no
 * allocation of its own, and the sparse table is 4 bytes a slot instead of
 * a whole entry (it was most of the index's page faults). Keys are never
 * removed (a position list may become empty), so no tombstones.
 */
#include "render/kustomize/internal.h"

#include <limits.h>
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
	for (size_t i = 0; i < x->n; i++)
		free(x->e[i].v);
	free(x->e);
	free(x->slot);
	free(x->keys);
	buf_release(&x->scratch);
	memset(x, 0, sizeof(*x));
	x->scratch = (struct buf)BUF_INIT;
}

/* The table slot holding key's entry number, or the empty (0) slot where
 * it would go; entry numbers are stored plus one. */
static unsigned int *slot(const struct kidx *x, const char *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (x->cap - 1);

	for (;;) {
		unsigned int *s = &x->slot[i];
		const struct kidx_ent *e;

		if (!*s)
			return s;
		e = &x->e[*s - 1];
		if (e->hash == h && e->klen == len && memcmp(x->keys + e->koff, key, len) == 0)
			return s;
		i = (i + 1) & (x->cap - 1);
	}
}

static int grow_table(struct kidx *x)
{
	size_t ncap = x->cap ? x->cap * 2 : 64;
	unsigned int *ns;

	if (ncap > (size_t)UINT_MAX || !(ns = calloc(ncap, sizeof(*ns))))
		return DIAG_ENOMEM;
	free(x->slot);
	x->slot = ns;
	x->cap = ncap;
	/* the keys are distinct: each entry goes to the first empty slot */
	for (size_t k = 0; k < x->n; k++) {
		size_t i = (size_t)x->e[k].hash & (ncap - 1);

		while (ns[i])
			i = (i + 1) & (ncap - 1);
		ns[i] = (unsigned int)(k + 1);
	}
	return 0;
}

/* The entry's positions (len of them). */
static size_t *ent_vals(struct kidx_ent *e)
{
	return e->alloc ? e->v : &e->one;
}

/* A new entry for key (hash h) at the empty slot s; NULL on ENOMEM. */
static struct kidx_ent *new_entry(struct kidx *x, unsigned int *s, const char *key, size_t len,
				  uint64_t h)
{
	struct kidx_ent *e;

	if (x->n == x->nalloc) {
		size_t na = x->nalloc ? x->nalloc * 2 : 32;
		struct kidx_ent *ne = realloc(x->e, na * sizeof(*ne));

		if (!ne)
			return NULL;
		x->e = ne;
		x->nalloc = na;
	}
	if (x->klen_used + len + 1 > x->kalloc) {
		size_t na = x->kalloc ? x->kalloc * 2 : 1024;
		char *nk;

		while (na < x->klen_used + len + 1)
			na *= 2;
		if (!(nk = realloc(x->keys, na)))
			return NULL;
		x->keys = nk;
		x->kalloc = na;
	}
	e = &x->e[x->n];
	memset(e, 0, sizeof(*e));
	e->koff = x->klen_used;
	e->klen = len;
	e->hash = h;
	memcpy(x->keys + x->klen_used, key, len);
	x->keys[x->klen_used + len] = '\0';
	x->klen_used += len + 1;
	*s = (unsigned int)(++x->n);
	return e;
}

int kidx_reserve(struct kidx *x, size_t n)
{
	/* ids' keys run ~30-60 bytes ("apps\x1fv1\x1fDeployment\x1fname\x1fns") */
	size_t keys = n * 64, cap = x->cap ? x->cap : 64;

	if (n > ((size_t)UINT_MAX) / 4)
		return 0; /* a hint only: growing as usual still works */
	if (n > x->nalloc) {
		struct kidx_ent *ne = realloc(x->e, n * sizeof(*ne));

		if (!ne)
			return DIAG_ENOMEM;
		x->e = ne;
		x->nalloc = n;
	}
	if (keys > x->kalloc) {
		char *nk = realloc(x->keys, keys);

		if (!nk)
			return DIAG_ENOMEM;
		x->keys = nk;
		x->kalloc = keys;
	}
	while (cap < 2 * n)
		cap *= 2;
	while (x->cap < cap)
		if (grow_table(x) < 0)
			return DIAG_ENOMEM;
	return 0;
}

int kidx_add(struct kidx *x, const char *key, size_t val)
{
	size_t len = strlen(key);
	uint64_t h = hash_key(key, len);
	struct kidx_ent *e;
	unsigned int *s;

	if ((x->n + 1) * 2 > x->cap && grow_table(x) < 0)
		return DIAG_ENOMEM;
	s = slot(x, key, len, h);
	if (*s)
		e = &x->e[*s - 1];
	else if (!(e = new_entry(x, s, key, len, h)))
		return DIAG_ENOMEM;
	if (e->len > 0 && ent_vals(e)[e->len - 1] == val)
		return 0;
	if (e->len == 0 && !e->alloc) {
		e->one = val;
		e->len = 1;
		return 0;
	}
	if (e->len >= e->alloc) {
		/* the first list beyond the inline position holds 4 */
		size_t na = e->alloc ? e->alloc * 2 : 4;
		size_t *nv = realloc(e->v, na * sizeof(*nv));

		if (!nv)
			return DIAG_ENOMEM;
		if (!e->alloc && e->len)
			nv[0] = e->one;
		e->v = nv;
		e->alloc = na;
	}
	e->v[e->len++] = val;
	return 0;
}

const size_t *kidx_get(const struct kidx *x, const char *key, size_t *n)
{
	size_t len = strlen(key);
	unsigned int *s;
	struct kidx_ent *e;

	*n = 0;
	if (!x->cap)
		return NULL;
	s = slot(x, key, len, hash_key(key, len));
	if (!*s)
		return NULL;
	e = &x->e[*s - 1];
	*n = e->len;
	return ent_vals(e);
}

void kidx_del(struct kidx *x, const char *key, size_t val)
{
	size_t len = strlen(key), k = 0, *v;
	unsigned int *s;
	struct kidx_ent *e;

	if (!x->cap)
		return;
	s = slot(x, key, len, hash_key(key, len));
	if (!*s)
		return;
	e = &x->e[*s - 1];
	v = ent_vals(e);
	for (size_t i = 0; i < e->len; i++)
		if (v[i] != val)
			v[k++] = v[i];
	e->len = k;
}
/* Calls add or del with the key of each of r's ids: the current one, then the previous. */
struct id_key_op {
	struct kidx *x;
	size_t val;
	int add;
};

static int id_key_op(const char *key, void *arg)
{
	struct id_key_op *op = arg;

	if (op->add)
		return kidx_add(op->x, key, op->val);
	kidx_del(op->x, key, op->val);
	return 0;
}

static int each_id_key(struct kidx *x, const struct kres *r, size_t val, int add)
{
	struct id_key_op op = { x, val, add };

	return kres_each_id_key(r, &x->scratch, id_key_op, &op);
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
	int error;

	if ((error = kid_key_of_res(&x->scratch, r->obj)) == 0)
		error = kidx_add(x, x->scratch.ptr, val);
	return error;
}
