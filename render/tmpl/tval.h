/*
 * struct tval: the template engine's value, a small tagged union that stands
 * for one Go value as text/template sees it through reflection.
 *
 * Data is jansson's json_t (DESIGN.md): strings, lists and maps are json_t,
 * and a tval only adds the Go type that templates can observe (typeOf,
 * kindOf, printf "%T", comparison rules). What json_t cannot hold (time,
 * Helm objects with methods, ...) lives in the tval itself.
 *
 * Ownership: a tval that carries a json_t (u.j) owns one reference to it.
 * Copy with tval_copy (adds a reference), drop with tval_release (NULL-safe,
 * leaves TV_INVALID). Passing a tval by value "borrows" it: the callee must
 * tval_copy what it keeps. A tval is 24 bytes and cheap to pass.
 *
 * Go types and their kinds:
 *
 *   kind          Go type (%T)                  payload
 *   TV_INVALID    (invalid reflect.Value)       -         prints "<no value>"
 *   TV_NIL        nil interface                 -         prints "<nil>"
 *   TV_BOOL       bool                          u.b
 *   TV_INT        int                           u.i       literals, len, atoi
 *   TV_INT64      int64                         u.i       --set ints, add, int64
 *   TV_UINT8      uint8                         u.i       a byte ((index $bytes 0))
 *   TV_UINT64     uint64                        u.i       bits  semver's .Major ...
 *   TV_FLOAT64    float64                       u.f       numbers in values files
 *   TV_STRING     string                        u.j       json string, any bytes
 *   TV_BYTES      []uint8                       u.j       json string, any bytes
 *   TV_LIST       []interface {}                u.j       json array
 *   TV_STRLIST    []string                      u.j       json array of strings
 *   TV_INTLIST    []int                         u.j       json array of integers
 *   TV_LISTLIST   [][]interface {}              u.j       json array of arrays
 *   TV_MAP        map[string]interface {}       u.j       json object
 *   TV_STRMAP     map[string]string             u.j       json object of strings
 *   TV_VALUES     common.Values                 u.j       json object (., .Values)
 *   TV_TIME       time.Time                     u.t
 *   TV_DURATION   time.Duration                 u.i       nanoseconds
 *   TV_MONTH      time.Month                    u.i       1 January .. 12
 *   TV_WEEKDAY    time.Weekday                  u.i       0 Sunday .. 6
 *   TV_SEMVER     *semver.Version               u.j       json object, see below
 *   TV_SEMVERVAL  semver.Version (IncMajor ...) u.j       the same json object
 *   TV_OBJECT     host object (e.g. engine.files) u.o     borrowed, see tobj
 *   TV_FUNC       a function value (for call)  u.fn      borrowed registry entry
 *
 * Elements of json containers read back as Go would see the data Helm
 * loads: json integer -> int64, real -> float64, string -> string,
 * true/false -> bool, null -> nil, array -> []interface {}, object ->
 * map[string]interface {}. Values data therefore never needs boxes. Any
 * other Go type put into a container by tval_to_json (TV_INT, TV_UINT8,
 * TV_TIME, TV_STRLIST, TV_OBJECT, ...) is "boxed": the container holds a
 * one-key json object naming a slot of the execution's box table (struct
 * tmpl_rt), and the element reads back with its Go type. The element type
 * of a typed container comes from the container: read elements with
 * tval_elem, which gives TV_INT for a []int's json integers (a []int holds
 * plain integers, no boxes); []string, [][]interface {} and
 * map[string]string hold json that reads back right by itself.
 *
 * TV_SEMVER's object has "major" "minor" "patch" (integers, read as
 * uint64), "pre" and "metadata" (strings) and "original" (string):
 * Masterminds/semver's fields.
 *
 * Methods: time.Time, time.Duration, *semver.Version and semver.Version
 * values have Go's methods (render/tmpl/methods.c, docs/template-engine.md).
 */
#ifndef HYDRATE_TMPL_TVAL_H
#define HYDRATE_TMPL_TVAL_H

#include <stdint.h>
#include <jansson.h>

struct buf;
struct tval;
struct tmpl_func;
struct tmpl_call;

enum tval_kind {
	TV_INVALID = 0,
	TV_NIL,
	TV_BOOL,
	TV_INT,
	TV_INT64,
	TV_UINT8,
	TV_UINT64,
	TV_FLOAT64,
	TV_STRING,
	TV_BYTES,
	TV_LIST,
	TV_STRLIST,
	TV_INTLIST,
	TV_LISTLIST,
	TV_MAP,
	TV_STRMAP,
	TV_VALUES,
	TV_TIME,
	TV_DURATION,
	TV_MONTH,
	TV_WEEKDAY,
	TV_SEMVER,
	TV_SEMVERVAL,
	TV_OBJECT,
	TV_FUNC
};

/* Where a time.Time's *time.Location comes from (struct tval_time.loc). */
enum tval_loc {
	TVT_UTC = 0,   /* time.UTC (and the zero Time's nil location) */
	TVT_LOCAL,     /* time.Local (now, toDate without a foreign zone) */
	TVT_FIXED      /* a time.FixedZone a parse made ("CET" at 0, "+0530") */
};

/*
 * time.Time: seconds since the Unix epoch (UTC), nanoseconds, the zone's
 * offset east of UTC in seconds, its abbreviation as a layout's "MST"
 * prints it (NUL-padded, at most 6 bytes, "" for none: then "UTC" at
 * offset 0 for TVT_UTC/TVT_LOCAL, else "+hhmm"), and the location kind
 * (enum tval_loc). Set zone and loc with tval_time_zone so that the unused
 * bytes stay zero (eq compares times bytewise).
 */
struct tval_time {
	int64_t sec;
	int32_t nsec;
	int32_t offset;
	char zone[7];
	unsigned char loc;
};

/* Sets t's location kind and abbreviation (name of len bytes, cut to 6;
 * NULL for none). */
void tval_time_zone(struct tval_time *t, enum tval_loc loc, const char *name, size_t len);

/*
 * A host object (Helm's .Files, .Capabilities, ...): the engine asks its
 * type for fields and methods by name. Objects are borrowed: whoever makes
 * them keeps them alive for the whole execution (struct tmpl_rt's life).
 */
struct tobj;
struct tmpl_rt;

struct tobj_type {
	const char *go_type;   /* what %T and typeOf print: "engine.files" */
	const char *go_kind;   /* what kindOf prints: "map", "ptr", "struct" */
	/* A field: 0 and *out (new) set; DIAG_ENOTFOUND if there is none
	 * (the engine then tries method). May be NULL. */
	int (*field)(struct tval *out, const struct tobj *o, const char *name);
	/* A method: the function to call with the object as its receiver
	 * (call->self). NULL if there is none. May be NULL. */
	const struct tmpl_func *(*method)(const struct tobj *o, const char *name);
	/* How fmt's %v prints it; NULL prints "{...}". */
	int (*format)(struct buf *out, const struct tobj *o);
	/* Truth value for if/with/and/or (Go: non-nil pointer = true). */
	int truth;
	/* For an object whose Go type is a named map or slice (engine.files is
	 * map[string][]byte, common.VersionSet is []string): 0 and *out (new)
	 * set to that data as an engine value (TV_MAP of boxed []byte,
	 * TV_STRLIST), which range, len, index and functions wanting the
	 * underlying slice or map work on; %T and %v keep the object's own.
	 * Boxes go into rt. Negative diag_code on failure. May be NULL. */
	int (*data)(struct tval *out, const struct tobj *o, struct tmpl_rt *rt);
};

struct tobj {
	const struct tobj_type *type;
	void *data;
};

struct tval {
	enum tval_kind kind;
	/* TV_LIST / TV_STRLIST only: 1 for Go's nil slice (what rest of an
	 * empty list, concat of nothing, a regexFindAll without a match give):
	 * empty like [], printed [] by fmt, but null by encoding/json and
	 * unequal to [] for deepEqual. Always 0 for other kinds. */
	unsigned char nilslice;
	/* Slices only: Go's capacity, which Sprig's slice may reach past the
	 * length (elements there read as the zero value): enum tval_cap, with
	 * spare = cap - len for TVC_SPARE. 0 (TVC_LEN) for other kinds. */
	unsigned char capmode;
	uint16_t spare;
	union {
		int b;
		int64_t i;
		double f;
		json_t *j;
		/* TVC_SHARED slices: j, and past its length the elements a
		 * longer slice left in the backing array (owned) */
		struct { json_t *j; json_t *tail; } sl;
		struct tval_time t;
		const struct tobj *o;
		const struct tmpl_func *fn;
	} u;
};

#define TVAL_INIT { TV_INVALID, 0, 0, 0, { 0 } }

/*
 * How a slice's capacity follows from its length (struct tval.capmode):
 * TVC_LEN: cap == len (make(n), list's variadic slice, strings.Split, what
 * constructors give); TVC_DECODED: grown by appending one element at a
 * time from empty, as encoding/json fills a []interface {} (values files,
 * fromJson, fromYaml: what tval_from_json gives for json arrays);
 * TVC_SPARE: len + spare (saturates at 65535 spare elements), zero values
 * past len; TVC_SHARED: the same, but the first elements past len are
 * u.sl.tail's, what a longer slice sharing the backing array left there
 * (slice (slice $l 0 1) 0 3 sees $l's elements again). Json keeps no
 * capacity: a list stored into a map or list with any capacity but
 * TVC_DECODED's is remembered by the runtime (tmpl_rt.kept) under its json
 * array, and tval_from_json gives it back with that capacity, as Go keeps
 * the slice header it stored.
 */
enum tval_cap { TVC_LEN = 0, TVC_DECODED, TVC_SPARE, TVC_SHARED };

/* Constructors: return the value; those taking json_t steal the reference
 * (like jansson's *_new); on allocation failure they give TV_INVALID. */
static inline struct tval tval_invalid(void)
{
	struct tval v = TVAL_INIT;
	return v;
}
struct tval tval_nil(void);
struct tval tval_bool(int b);
struct tval tval_int(int64_t i);        /* Go int (64-bit) */
struct tval tval_int64(int64_t i);
struct tval tval_float(double f);
struct tval tval_str(const char *s);   /* copies a C string */
struct tval tval_strn(const char *s, size_t len);   /* copies bytes */
struct tval tval_bytes(const void *p, size_t len);  /* copies bytes */
struct tval tval_json_new(enum tval_kind kind, json_t *j); /* steals j */
/* Go's nil slice of type kind (TV_LIST or TV_STRLIST): an empty json array
 * with nilslice set. */
struct tval tval_nil_slice(enum tval_kind kind);
struct tval tval_time(struct tval_time t);
struct tval tval_obj(const struct tobj *o);

/* Whether a kind's value is a json_t reference (u.j). */
static inline int tval_kind_has_json(enum tval_kind k)
{
	switch (k) {
	case TV_STRING: case TV_BYTES: case TV_LIST: case TV_STRLIST:
	case TV_INTLIST: case TV_LISTLIST: case TV_MAP: case TV_STRMAP:
	case TV_VALUES: case TV_SEMVER: case TV_SEMVERVAL:
		return 1;
	default:
		return 0;
	}
}

/* Adds a reference: the result must be released too. (Inline: the
 * executor copies and releases a value for nearly every node.) */
static inline struct tval tval_copy(const struct tval *v)
{
	struct tval c = *v;

	if (tval_kind_has_json(c.kind))
		json_incref(c.u.j);
	if (c.capmode == TVC_SHARED)
		json_incref(c.u.sl.tail);
	return c;
}

/* Drops the reference (if any) and sets v to TV_INVALID. NULL is fine. */
static inline void tval_release(struct tval *v)
{
	struct tval inv = TVAL_INIT;

	if (!v)
		return;
	if (v->capmode == TVC_SHARED)
		json_decref(v->u.sl.tail);
	if (tval_kind_has_json(v->kind))
		json_decref(v->u.j);
	*v = inv;
}

/* The bytes of a TV_STRING or TV_BYTES (borrowed, NUL-terminated);
 * NULL for any other kind. */
const char *tval_str_ptr(const struct tval *v, size_t *len_out);

/*
 * Reads a json_t (a container element) as the Go value Helm's data holds:
 * see the table above. Unboxes boxed values through rt (may be NULL: then
 * boxes read as maps). The result is new.
 */
struct tval tval_from_json(struct tmpl_rt *rt, json_t *j);
/*
 * Element e (borrowed, of container c's json) as c's Go element type: a
 * []int's integers read as int, everything else as tval_from_json. New.
 */
struct tval tval_elem(struct tmpl_rt *rt, const struct tval *c, json_t *e);
/*
 * The json_t to put into a container (new reference): strings, int64s,
 * float64s, bools, nil, []interface {} and map[string]interface {} as
 * themselves; every other kind (int and uint8 too) is boxed into rt, so it
 * reads back with the same %T. TV_INVALID gives json null. NULL on
 * allocation failure. Without rt, boxes become json null.
 */
json_t *tval_to_json(struct tmpl_rt *rt, const struct tval *v);
/* The same as tval_to_json (kept for Helm's own data). New. */
json_t *tval_box(struct tmpl_rt *rt, const struct tval *v);
/*
 * A deep copy of j with every box replaced by plain data, as Go's
 * encoding/json would marshal it (time -> RFC 3339 string, semver ->
 * string, ints as ints): what toJson / toYaml should be given. New.
 */
json_t *tval_unbox_deep(struct tmpl_rt *rt, json_t *j);

/* Go's cap of slice v (a json array kind), from capmode. */
size_t tval_cap(const struct tval *v);
/* Sets v's capacity to cap (>= its length); zero values past len. */
void tval_set_cap(struct tval *v, size_t cap);
/* Slice v's element at i, len <= i < cap, as the backing array holds it:
 * borrowed, or NULL for the zero value. */
json_t *tval_past_len(const struct tval *v, size_t i);
/* Sets v's capacity to cap, with the json array tail (stolen, may be NULL)
 * as the first elements past len. */
void tval_set_shared(struct tval *v, size_t cap, json_t *tail);
/*
 * Go's runtime growslice for the element kind of slice kind k (TV_LIST,
 * TV_STRLIST: 16-byte elements with pointers; TV_INTLIST: 8 bytes without;
 * TV_LISTLIST: 24 with): the capacity append gives when a slice of
 * capacity oldcap must hold newlen elements (Go 1.25's size classes).
 */
size_t tval_go_grow(enum tval_kind k, size_t oldcap, size_t newlen);
/* The capacity after appending n elements one at a time to an empty
 * slice of capacity cap0 (Go's `s = append(s, x)` loop). */
size_t tval_go_appended(enum tval_kind k, size_t cap0, size_t n);

/* v is a slice held as a json array (not []uint8): []interface {},
 * []string, []int, [][]interface {}. */
int tval_is_array(const struct tval *v);
/* v is a map held as a json object: map[string]interface {},
 * common.Values, map[string]string. */
int tval_is_object(const struct tval *v);

/*
 * If v is a host object with a data hook: 1 and *out (new) set to its data;
 * 0 (and *out untouched) for anything else; negative diag_code if the hook
 * failed.
 */
int tval_obj_data(struct tval *out, struct tmpl_rt *rt, const struct tval *v);

/* Go's %T text of v ("int", "map[string]interface {}", "<nil>"): static. */
const char *tval_type_name(const struct tval *v);
/* Go's reflect.Kind name of v ("int", "map", "slice", "string", "invalid"). */
const char *tval_kind_name(const struct tval *v);

/* Go's truth (template "if"): 1 true, 0 false. */
int tval_truth(const struct tval *v);

/* fmt.Sprint(v): appends the %v text of v. Returns 0 or -1 (oom). */
int tval_format(struct buf *out, struct tmpl_rt *rt, const struct tval *v);

#endif
