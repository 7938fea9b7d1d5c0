/*
 * struct tval: constructors, references, Go type names, truth, and the
 * json_t boxes that let containers hold what json cannot.
 */
#include "render/tmpl/tmpl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BOX_KEY "\001hydrate-box"

/* ---- arena */

struct arena_chunk {
	struct arena_chunk *next;
	max_align_t data[];
};

/* Chunks are 16 KiB; a larger request gets a chunk of its own behind the
 * front one, so the front chunk's free space is not given up for it. */
#define ARENA_CHUNK 16384

void *arena__take_slow(struct arena *a, size_t need, size_t align)
{
	size_t csize = need > ARENA_CHUNK ? need : ARENA_CHUNK;
	struct arena_chunk *c;

#ifdef HYDRATE_DEBUG_POOL
	csize = need;
#endif
	(void)align; /* a chunk's data is aligned for anything */
	if (csize > SIZE_MAX - sizeof(*c))
		return NULL;
	if (!(c = malloc(sizeof(*c) + csize)))
		return NULL;
	if (csize > ARENA_CHUNK / 4 && a->chunks && a->end - a->cur >= 256) {
		/* keep the roomier chunk in front */
		c->next = a->chunks->next;
		a->chunks->next = c;
		return c->data;
	}
	c->next = a->chunks;
	a->chunks = c;
	a->cur = (char *)c->data + need;
	a->end = (char *)c->data + csize;
	return c->data;
}

void arena__release(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	a->chunks = NULL;
	a->cur = a->end = NULL;
}

/* ---- constructors */

struct tval tval_nil(void)
{
	struct tval v = TVAL_INIT;
	v.kind = TV_NIL;
	return v;
}

struct tval tval_bool(int b)
{
	struct tval v = TVAL_INIT;
	v.kind = TV_BOOL;
	v.u.b = !!b;
	return v;
}

struct tval tval_int(int64_t i)
{
	struct tval v = TVAL_INIT;
	v.kind = TV_INT;
	v.u.i = i;
	return v;
}

struct tval tval_int64(int64_t i)
{
	struct tval v = TVAL_INIT;
	v.kind = TV_INT64;
	v.u.i = i;
	return v;
}

struct tval tval_float(double f)
{
	struct tval v = TVAL_INIT;
	v.kind = TV_FLOAT64;
	v.u.f = f;
	return v;
}

struct tval tval_strn(const char *s, size_t len)
{
	return tval_json_new(TV_STRING, json_stringn_nocheck(s ? s : "", s ? len : 0));
}

struct tval tval_str(const char *s)
{
	return tval_strn(s, s ? strlen(s) : 0);
}

struct tval tval_bytes(const void *p, size_t len)
{
	return tval_json_new(TV_BYTES, json_stringn_nocheck(p ? p : "", p ? len : 0));
}

struct tval tval_json_new(enum tval_kind kind, json_t *j)
{
	struct tval v = TVAL_INIT;

	if (!j)
		return v;
	v.kind = kind;
	v.u.j = j;
	return v;
}

struct tval tval_nil_slice(enum tval_kind kind)
{
	struct tval v = tval_json_new(kind, json_array());

	if (v.kind != TV_INVALID)
		v.nilslice = 1;
	return v;
}

void tval_time_zone(struct tval_time *t, enum tval_loc loc, const char *name, size_t len)
{
	memset(t->zone, 0, sizeof(t->zone));
	if (name)
		memcpy(t->zone, name, len < sizeof(t->zone) - 1 ? len : sizeof(t->zone) - 1);
	t->loc = (unsigned char)loc;
}

struct tval tval_time(struct tval_time t)
{
	struct tval v = TVAL_INIT;
	v.kind = TV_TIME;
	v.u.t = t;
	return v;
}

struct tval tval_obj(const struct tobj *o)
{
	struct tval v = TVAL_INIT;

	if (!o)
		return tval_nil();
	v.kind = TV_OBJECT;
	v.u.o = o;
	return v;
}

const char *tval_str_ptr(const struct tval *v, size_t *len_out)
{
	if (v->kind != TV_STRING && v->kind != TV_BYTES) {
		if (len_out)
			*len_out = 0;
		return NULL;
	}
	if (len_out)
		*len_out = json_string_length(v->u.j);
	return json_string_value(v->u.j);
}

/* ---- json */

struct tval tmpl__unbox(struct tmpl_rt *rt, json_t *j)
{
	return tval_from_json(rt, j);
}

/*
 * Whether j is one of rt's boxes; its index in *ix. A box is recognised by
 * identity, not by its shape: values data or fromJson output may hold an
 * object with the same key and number, and must stay a plain map.
 */
static int tv_is_box(const struct tmpl_rt *rt, json_t *j, size_t *ix)
{
	json_t *box;
	json_int_t i;
	void *it;

	/* a box has one key: read it through the iterator, not a hashed lookup */
	if (!rt || !rt->nboxes || json_object_size(j) != 1 || !(it = json_object_iter(j)) ||
	    json_object_iter_key_len(it) != sizeof(BOX_KEY) - 1 ||
	    memcmp(json_object_iter_key(it), BOX_KEY, sizeof(BOX_KEY) - 1) != 0 ||
	    !(box = json_object_iter_value(it)) || !json_is_integer(box))
		return 0;
	i = json_integer_value(box);
	if (i < 0 || (size_t)i >= rt->nboxes || rt->boxobj[i] != j)
		return 0;
	*ix = (size_t)i;
	return 1;
}

/*
 * Kept capacities. Go stores a slice header, capacity and all, into a map
 * or a slice; the json array we store holds only the elements, and a bare
 * array reads back as decoded (TVC_DECODED). So a list stored with any
 * other capacity is remembered here, keyed by its array, and reads back
 * with its own. An entry holds a reference, so the address stays its
 * array's; entries whose array nobody else holds any more are dropped when
 * the table grows. The last store of one array wins (Go could keep two
 * headers of one array with two capacities; nothing in Sprig makes that).
 */
static size_t kept_slot(const struct tmpl_rt *rt, const json_t *j)
{
	size_t mask = rt->keptsz - 1;
	size_t i = (size_t)(((uint64_t)(uintptr_t)j >> 4) * 0x9E3779B97F4A7C15ULL >> 20) & mask;

	while (rt->kept[i].u.j && rt->kept[i].u.j != j)
		i = (i + 1) & mask;
	return i;
}

static const struct tval *kept_find(const struct tmpl_rt *rt, const json_t *j)
{
	size_t i;

	if (!rt || !rt->nkept)
		return NULL;
	i = kept_slot(rt, j);
	return rt->kept[i].u.j ? &rt->kept[i] : NULL;
}

/* Rebuilds the table with room for one more entry, dropping dead ones. */
static int kept_grow(struct tmpl_rt *rt)
{
	struct tval *old = rt->kept;
	size_t oldsz = rt->keptsz, live = 0, sz = 16, i;

	for (i = 0; i < oldsz; i++)
		if (old[i].u.j && old[i].u.j->refcount > 1)
			live++;
	while (sz < (live + 1) * 2)
		sz *= 2;
	if (!(rt->kept = calloc(sz, sizeof(*rt->kept)))) {
		rt->kept = old;
		return -1;
	}
	rt->keptsz = sz;
	rt->nkept = 0;
	for (i = 0; i < oldsz; i++) {
		if (!old[i].u.j)
			continue;
		if (old[i].u.j->refcount > 1) {
			rt->kept[kept_slot(rt, old[i].u.j)] = old[i];
			rt->nkept++;
		} else {
			tval_release(&old[i]);
		}
	}
	free(old);
	return 0;
}

/* Remembers list v's capacity for its array; -1 on allocation failure. */
static int kept_put(struct tmpl_rt *rt, const struct tval *v)
{
	size_t i;

	if (rt->nkept + 1 > rt->keptsz / 2 && kept_grow(rt) < 0)
		return -1;
	i = kept_slot(rt, v->u.j);
	if (rt->kept[i].u.j)
		tval_release(&rt->kept[i]);
	else
		rt->nkept++;
	rt->kept[i] = tval_copy(v);
	return 0;
}

struct tval tval_from_json(struct tmpl_rt *rt, json_t *j)
{
	size_t ix;

	if (!j)
		return tval_invalid();
	switch (json_typeof(j)) {
	case JSON_STRING:
		json_incref(j);
		return tval_json_new(TV_STRING, j);
	case JSON_INTEGER:
		return tval_int64(json_integer_value(j));
	case JSON_REAL:
		return tval_float(json_real_value(j));
	case JSON_TRUE:
		return tval_bool(1);
	case JSON_FALSE:
		return tval_bool(0);
	case JSON_NULL:
		return tval_nil();
	case JSON_ARRAY: {
		struct tval v;
		const struct tval *kept = kept_find(rt, j);

		if (kept)
			return tval_copy(kept);
		json_incref(j);
		v = tval_json_new(TV_LIST, j);
		if (v.kind == TV_LIST)
			v.capmode = TVC_DECODED;
		return v;
	}
	case JSON_OBJECT:
		if (tv_is_box(rt, j, &ix))
			return tval_copy(&rt->boxes[ix]);
		json_incref(j);
		return tval_json_new(TV_MAP, j);
	}
	return tval_invalid();
}

/* Go's malloc size classes (runtime/sizeclasses.go, Go 1.25). */
static const uint16_t go_size_classes[] = {
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
	3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
	24576, 27264, 28672, 32768
};

/* Go's roundupsize: the bytes malloc gives for size, less the 8-byte
 * header objects with pointers over 512 bytes carry. */
static size_t go_roundupsize(size_t size, int noscan)
{
	size_t req = size, i;

	if (req <= 32768 - 8) {
		if (!noscan && req > 512)
			req += 8;
		for (i = 0; i < sizeof(go_size_classes) / sizeof(go_size_classes[0]); i++)
			if (go_size_classes[i] >= req)
				return go_size_classes[i] - (req - size);
	}
	if (req + 8191 < req)
		return size;
	return (req + 8191) & ~(size_t)8191;
}

size_t tval_go_grow(enum tval_kind k, size_t oldcap, size_t newlen)
{
	size_t es = k == TV_INTLIST ? 8 : k == TV_LISTLIST ? 24 : 16;
	size_t newcap = oldcap, dbl = oldcap + oldcap;

	/* runtime.nextslicecap */
	if (newlen > dbl) {
		newcap = newlen;
	} else if (oldcap < 256) {
		newcap = dbl;
	} else {
		while (newcap < newlen)
			newcap += (newcap + 3 * 256) >> 2;
	}
	if (newcap > SIZE_MAX / 32)
		return newlen;
	return go_roundupsize(newcap * es, k == TV_INTLIST) / es;
}

size_t tval_go_appended(enum tval_kind k, size_t cap0, size_t n)
{
	size_t cap = cap0;

	while (cap < n)
		cap = tval_go_grow(k, cap, cap + 1);
	return cap;
}

size_t tval_cap(const struct tval *v)
{
	size_t n = tval_is_array(v) ? json_array_size(v->u.j) : 0;

	switch (v->capmode) {
	case TVC_DECODED:
		return tval_go_appended(v->kind, 0, n);
	case TVC_SPARE:
	case TVC_SHARED:
		return n + v->spare;
	default:
		return n;
	}
}

void tval_set_cap(struct tval *v, size_t cap)
{
	size_t n = tval_is_array(v) ? json_array_size(v->u.j) : 0;

	if (v->capmode == TVC_SHARED)
		json_decref(v->u.sl.tail);

	if (cap <= n) {
		v->capmode = TVC_LEN;
		v->spare = 0;
		return;
	}
	v->capmode = TVC_SPARE;
	v->spare = cap - n > 65535 ? 65535 : (uint16_t)(cap - n);
}

json_t *tval_past_len(const struct tval *v, size_t i)
{
	size_t n = tval_is_array(v) ? json_array_size(v->u.j) : 0;

	if (v->capmode != TVC_SHARED || i < n)
		return NULL;
	return json_array_get(v->u.sl.tail, i - n);
}

void tval_set_shared(struct tval *v, size_t cap, json_t *tail)
{
	tval_set_cap(v, cap);
	if (!tail || json_array_size(tail) == 0 || v->capmode != TVC_SPARE) {
		json_decref(tail);
		return;
	}
	v->capmode = TVC_SHARED;
	v->u.sl.tail = tail;
}

struct tval tval_elem(struct tmpl_rt *rt, const struct tval *c, json_t *e)
{
	if (c->kind == TV_INTLIST && json_is_integer(e))
		return tval_int(json_integer_value(e));
	if (c->kind == TV_LISTLIST && json_is_array(e)) {
		/* chunk's make([]interface{}, n) */
		json_incref(e);
		return tval_json_new(TV_LIST, e);
	}
	return tval_from_json(rt, e);
}

static json_t *tv_box(struct tmpl_rt *rt, const struct tval *v)
{
	json_t *o;
	json_t **cache = NULL;

	if (!rt)
		return json_null();
	/* small ints (indexes, counts, literals) and bytes share one box each */
	if ((v->kind == TV_INT || v->kind == TV_UINT8) && v->u.i >= 0 && v->u.i < TMPL_RT_INTBOXES)
		cache = &rt->intbox[v->kind == TV_UINT8][v->u.i];
	if (cache && *cache)
		return json_incref(*cache);
	if (rt->nboxes == rt->boxcap) {
		size_t cap = rt->boxcap ? rt->boxcap * 2 : 16;
		struct tval *nb = realloc(rt->boxes, cap * sizeof(*nb));
		json_t **no;
		if (!nb)
			return NULL;
		rt->boxes = nb;
		if (!(no = realloc(rt->boxobj, cap * sizeof(*no))))
			return NULL;
		rt->boxobj = no;
		rt->boxcap = cap;
	}
	o = json_object();
	if (!o || json_object_set_new(o, BOX_KEY, json_integer((json_int_t)rt->nboxes)) < 0) {
		json_decref(o);
		return NULL;
	}
	rt->boxobj[rt->nboxes] = json_incref(o);
	rt->boxes[rt->nboxes++] = tval_copy(v);
	if (cache)
		*cache = json_incref(o);
	return o;
}

json_t *tval_to_json(struct tmpl_rt *rt, const struct tval *v)
{
	switch (v->kind) {
	case TV_INVALID: case TV_NIL:
		return json_null();
	case TV_BOOL:
		return json_boolean(v->u.b);
	case TV_INT64:
		return json_integer(v->u.i);
	case TV_FLOAT64:
		if (isnan(v->u.f) || isinf(v->u.f))
			return tv_box(rt, v);
		return json_real(v->u.f);
	case TV_LIST:
		/* a nil slice keeps its nil-ness in a box (encoding/json: null) */
		if (v->nilslice)
			return tv_box(rt, v);
		if (rt && (v->capmode != TVC_DECODED || kept_find(rt, v->u.j)) &&
		    kept_put(rt, v) < 0)
			return NULL;
		/* fall through */
	case TV_STRING: case TV_MAP:
		json_incref(v->u.j);
		return v->u.j;
	default:
		return tv_box(rt, v);
	}
}

json_t *tval_box(struct tmpl_rt *rt, const struct tval *v)
{
	return tval_to_json(rt, v);
}

/* Go's base64.StdEncoding of p into b (appended). 0 or -1 (oom). */
static int tv_base64(struct buf *b, const char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)p;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned long x = (unsigned long)u[i] << 16 | (unsigned long)u[i + 1] << 8 | u[i + 2];
		char q[4] = { tab[x >> 18 & 63], tab[x >> 12 & 63], tab[x >> 6 & 63], tab[x & 63] };
		buf_add(b, q, 4);
	}
	if (n - i == 1) {
		unsigned long x = (unsigned long)u[i] << 16;
		char q[4] = { tab[x >> 18 & 63], tab[x >> 12 & 63], '=', '=' };
		buf_add(b, q, 4);
	} else if (n - i == 2) {
		unsigned long x = (unsigned long)u[i] << 16 | (unsigned long)u[i + 1] << 8;
		char q[4] = { tab[x >> 18 & 63], tab[x >> 12 & 63], tab[x >> 6 & 63], '=' };
		buf_add(b, q, 4);
	}
	return buf_oom(b) ? -1 : 0;
}

json_t *tval_unbox_deep(struct tmpl_rt *rt, json_t *j)
{
	json_t *out = NULL;
	size_t i;

	if (!j)
		return NULL;
	if (json_is_object(j)) {
		const char *k;
		json_t *e;
		if (tv_is_box(rt, j, &i)) {
			struct tval v = tval_from_json(rt, j);
			struct buf b = BUF_INIT;
			if (v.nilslice) {
				/* encoding/json: a nil slice is null */
				tval_release(&v);
				return json_null();
			}
			switch (v.kind) {
			case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST: case TV_STRMAP:
			case TV_VALUES:
				out = tval_unbox_deep(rt, v.u.j);
				break;
			case TV_INT: case TV_UINT8: case TV_MONTH: case TV_WEEKDAY:
				out = json_integer(v.u.i);
				break;
			case TV_UINT64:
				/* NEEDSWORK: above 2^63-1 Go writes the exact digits */
				out = v.u.i >= 0 ? json_integer(v.u.i) : json_real((double)(uint64_t)v.u.i);
				break;
			case TV_BYTES:
				/* encoding/json: a []byte is its base64 text */
				if (tv_base64(&b, json_string_value(v.u.j), json_string_length(v.u.j)) == 0)
					out = json_stringn_nocheck(b.ptr, b.len);
				break;
			case TV_OBJECT: {
				/* a named map or slice (engine.files): its data */
				struct tval data = TVAL_INIT;

				if (tval_obj_data(&data, rt, &v) > 0) {
					out = tval_unbox_deep(rt, data.u.j);
					tval_release(&data);
				} else if (tval_format(&b, rt, &v) == 0) {
					out = json_stringn_nocheck(b.ptr, b.len);
				}
				break;
			}
			case TV_DURATION:
				out = json_integer(v.u.i);
				break;
			case TV_INVALID: case TV_NIL:
				out = json_null();
				break;
			default:
				if (tval_format(&b, rt, &v) == 0)
					out = json_stringn_nocheck(b.ptr, b.len);
				break;
			}
			buf_release(&b);
			tval_release(&v);
			return out;
		}
		out = json_object();
		if (!out)
			return NULL;
		json_object_foreach(j, k, e) {
			if (json_object_set_new(out, k, tval_unbox_deep(rt, e)) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	if (json_is_array(j)) {
		out = json_array();
		if (!out)
			return NULL;
		for (i = 0; i < json_array_size(j); i++) {
			if (json_array_append_new(out, tval_unbox_deep(rt, json_array_get(j, i))) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	json_incref(j);
	return j;
}

/* ---- Go types */

int tval_is_array(const struct tval *v)
{
	return v->kind == TV_LIST || v->kind == TV_STRLIST || v->kind == TV_INTLIST ||
	       v->kind == TV_LISTLIST;
}

int tval_is_object(const struct tval *v)
{
	return v->kind == TV_MAP || v->kind == TV_VALUES || v->kind == TV_STRMAP;
}

int tval_obj_data(struct tval *out, struct tmpl_rt *rt, const struct tval *v)
{
	int error;

	if (v->kind != TV_OBJECT || !v->u.o->type->data)
		return 0;
	if ((error = v->u.o->type->data(out, v->u.o, rt)) < 0)
		return error;
	return 1;
}

const char *tval_type_name(const struct tval *v)
{
	switch (v->kind) {
	case TV_INVALID: case TV_NIL: return "<nil>";
	case TV_BOOL: return "bool";
	case TV_INT: return "int";
	case TV_INT64: return "int64";
	case TV_UINT8: return "uint8";
	case TV_UINT64: return "uint64";
	case TV_FLOAT64: return "float64";
	case TV_STRING: return "string";
	case TV_BYTES: return "[]uint8";
	case TV_LIST: return "[]interface {}";
	case TV_STRLIST: return "[]string";
	case TV_INTLIST: return "[]int";
	case TV_LISTLIST: return "[][]interface {}";
	case TV_MAP: return "map[string]interface {}";
	case TV_STRMAP: return "map[string]string";
	case TV_VALUES: return "common.Values";
	case TV_TIME: return "time.Time";
	case TV_DURATION: return "time.Duration";
	case TV_MONTH: return "time.Month";
	case TV_WEEKDAY: return "time.Weekday";
	case TV_SEMVER: return "*semver.Version";
	case TV_SEMVERVAL: return "semver.Version";
	case TV_OBJECT: return v->u.o->type->go_type;
	case TV_FUNC: return "func(...interface {}) (interface {}, error)";
	}
	return "<nil>";
}

const char *tval_kind_name(const struct tval *v)
{
	switch (v->kind) {
	case TV_INVALID: case TV_NIL: return "invalid";
	case TV_BOOL: return "bool";
	case TV_INT: case TV_MONTH: case TV_WEEKDAY: return "int";
	case TV_INT64: case TV_DURATION: return "int64";
	case TV_UINT8: return "uint8";
	case TV_UINT64: return "uint64";
	case TV_FLOAT64: return "float64";
	case TV_STRING: return "string";
	case TV_BYTES: case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST:
		return "slice";
	case TV_MAP: case TV_VALUES: case TV_STRMAP: return "map";
	case TV_TIME: case TV_SEMVERVAL: return "struct";
	case TV_SEMVER: return "ptr";
	case TV_OBJECT: return v->u.o->type->go_kind;
	case TV_FUNC: return "func";
	}
	return "invalid";
}

int tval_truth(const struct tval *v)
{
	switch (v->kind) {
	case TV_INVALID: case TV_NIL: return 0;
	case TV_BOOL: return v->u.b;
	case TV_INT: case TV_INT64: case TV_UINT8: case TV_UINT64: case TV_DURATION:
	case TV_MONTH: case TV_WEEKDAY:
		return v->u.i != 0;
	case TV_FLOAT64: return v->u.f != 0;
	case TV_STRING: case TV_BYTES: return json_string_length(v->u.j) > 0;
	case TV_LIST: case TV_STRLIST: case TV_INTLIST: case TV_LISTLIST:
		return json_array_size(v->u.j) > 0;
	case TV_MAP: case TV_VALUES: case TV_STRMAP: return json_object_size(v->u.j) > 0;
	case TV_TIME: case TV_SEMVER: case TV_SEMVERVAL: case TV_FUNC: return 1;
	case TV_OBJECT: return v->u.o->type->truth;
	}
	return 0;
}

/* ---- runtime */

int tmpl_rt_new(struct tmpl_rt **out, const struct tmpl_limits *limits,
		enum tmpl_missingkey missingkey)
{
	struct tmpl_rt *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return DIAG_ENOMEM;
	if (limits)
		rt->lim = *limits;
	if (!rt->lim.max_output)
		rt->lim.max_output = (size_t)256 << 20;
	if (!rt->lim.max_steps)
		rt->lim.max_steps = 1000000000ULL;
	if (!rt->lim.max_stack)
		rt->lim.max_stack = (size_t)4 << 20;
	rt->missingkey = missingkey;
	*out = rt;
	return 0;
}

void tmpl_rt_free(struct tmpl_rt *rt)
{
	size_t i;

	if (!rt)
		return;
	for (i = 0; i < TMPL_RT_INTBOXES; i++) {
		json_decref(rt->intbox[0][i]);
		json_decref(rt->intbox[1][i]);
	}
	for (i = 0; i < rt->nboxes; i++) {
		tval_release(&rt->boxes[i]);
		json_decref(rt->boxobj[i]);
	}
	free(rt->boxes);
	free(rt->boxobj);
	for (i = 0; i < rt->keptsz; i++)
		tval_release(&rt->kept[i]);
	free(rt->kept);
	while (rt->ndefers > 0) {
		struct rt_defer *d = &rt->defers[--rt->ndefers];
		d->fn(d->arg);
	}
	free(rt->defers);
	arena__release(&rt->mem);
	free(rt);
}

void *tmpl_rt_alloc(struct tmpl_rt *rt, size_t size)
{
	return arena__alloc(&rt->mem, size);
}

int tmpl_rt_defer(struct tmpl_rt *rt, void (*fn)(void *arg), void *arg)
{
	if (rt->ndefers == rt->defercap) {
		size_t cap = rt->defercap ? rt->defercap * 2 : 8;
		struct rt_defer *nd = realloc(rt->defers, cap * sizeof(*nd));
		if (!nd)
			return DIAG_ENOMEM;
		rt->defers = nd;
		rt->defercap = cap;
	}
	rt->defers[rt->ndefers].fn = fn;
	rt->defers[rt->ndefers].arg = arg;
	rt->ndefers++;
	return 0;
}

void tmpl_rt_set_userdata(struct tmpl_rt *rt, void *userdata)
{
	rt->userdata = userdata;
}

void *tmpl_rt_userdata(const struct tmpl_rt *rt)
{
	return rt->userdata;
}
