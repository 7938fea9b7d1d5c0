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
 * tval_copy what it keeps. A tval is 16 bytes and cheap to pass.
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
 *   TV_FLOAT64    float64                       u.f       numbers in values files
 *   TV_STRING     string                        u.j       json string, any bytes
 *   TV_BYTES      []uint8                       u.j       json string, any bytes
 *   TV_LIST       []interface {}                u.j       json array
 *   TV_STRLIST    []string                      u.j       json array of strings
 *   TV_MAP        map[string]interface {}       u.j       json object
 *   TV_VALUES     common.Values                 u.j       json object (., .Values)
 *   TV_TIME       time.Time                     u.t
 *   TV_DURATION   time.Duration                 u.i       nanoseconds
 *   TV_SEMVER     *semver.Version               u.j       json object, see below
 *   TV_OBJECT     host object (e.g. engine.files) u.o     borrowed, see tobj
 *   TV_FUNC       a function value (for call)  u.fn      borrowed registry entry
 *
 * Elements of json containers read back as Go would see the data Helm
 * loads: json integer -> int64, real -> float64, string -> string,
 * true/false -> bool, null -> nil, array -> []interface {}, object ->
 * map[string]interface {}. A value json cannot hold (TV_TIME, TV_OBJECT,
 * TV_INT, ...) put into a container by tval_to_json is "boxed" into the
 * execution's box table (struct tmpl_rt) and reads back unchanged.
 * NEEDSWORK: TV_INT stored in a container reads back as int64 unless boxed;
 * tval_to_json boxes only what json cannot represent at all.
 *
 * TV_SEMVER's object has "major" "minor" "patch" (integers), "pre" and
 * "metadata" (strings) and "original" (string): Masterminds/semver's fields.
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
	TV_FLOAT64,
	TV_STRING,
	TV_BYTES,
	TV_LIST,
	TV_STRLIST,
	TV_MAP,
	TV_VALUES,
	TV_TIME,
	TV_DURATION,
	TV_SEMVER,
	TV_OBJECT,
	TV_FUNC
};

/* time.Time: seconds since the Unix epoch (UTC), nanoseconds, and the
 * zone's offset east of UTC in seconds with its abbreviation ("UTC"). */
struct tval_time {
	int64_t sec;
	int32_t nsec;
	int32_t offset;
};

/*
 * A host object (Helm's .Files, .Capabilities, ...): the engine asks its
 * type for fields and methods by name. Objects are borrowed: whoever makes
 * them keeps them alive for the whole execution (struct tmpl_rt's life).
 */
struct tobj;

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
};

struct tobj {
	const struct tobj_type *type;
	void *data;
};

struct tval {
	enum tval_kind kind;
	union {
		int b;
		int64_t i;
		double f;
		json_t *j;
		struct tval_time t;
		const struct tobj *o;
		const struct tmpl_func *fn;
	} u;
};

#define TVAL_INIT { TV_INVALID, { 0 } }

/* Constructors: return the value; those taking json_t steal the reference
 * (like jansson's *_new); on allocation failure they give TV_INVALID. */
struct tval tval_invalid(void);
struct tval tval_nil(void);
struct tval tval_bool(int b);
struct tval tval_int(int64_t i);        /* Go int (64-bit) */
struct tval tval_int64(int64_t i);
struct tval tval_float(double f);
struct tval tval_str(const char *s);   /* copies a C string */
struct tval tval_strn(const char *s, size_t len);   /* copies bytes */
struct tval tval_bytes(const void *p, size_t len);  /* copies bytes */
struct tval tval_json_new(enum tval_kind kind, json_t *j); /* steals j */
struct tval tval_time(struct tval_time t);
struct tval tval_obj(const struct tobj *o);

/* Adds a reference: the result must be released too. */
struct tval tval_copy(const struct tval *v);
/* Drops the reference (if any) and sets v to TV_INVALID. NULL is fine. */
void tval_release(struct tval *v);

/* The bytes of a TV_STRING or TV_BYTES (borrowed, NUL-terminated);
 * NULL for any other kind. */
const char *tval_str_ptr(const struct tval *v, size_t *len_out);

/*
 * Reads a json_t (a container element) as the Go value Helm's data holds:
 * see the table above. Unboxes boxed values through rt (may be NULL: then
 * boxes read as maps). The result is new.
 */
struct tmpl_rt;
struct tval tval_from_json(struct tmpl_rt *rt, json_t *j);
/*
 * The json_t to put into a container (new reference): strings, numbers,
 * bools, nil, lists and maps as themselves; other kinds are boxed into rt.
 * TV_INVALID gives json null. NULL on allocation failure.
 */
json_t *tval_to_json(struct tmpl_rt *rt, const struct tval *v);
/*
 * As tval_to_json, but boxes every kind whose Go type a json value would
 * not keep (TV_INT and TV_UINT8 too), so the element reads back with the
 * same %T: for Helm's own data (.Release.Revision is an int). New.
 */
json_t *tval_box(struct tmpl_rt *rt, const struct tval *v);
/*
 * A deep copy of j with every box replaced by plain data, as Go's
 * encoding/json would marshal it (time -> RFC 3339 string, semver ->
 * string, ints as ints): what toJson / toYaml should be given. New.
 */
json_t *tval_unbox_deep(struct tmpl_rt *rt, json_t *j);

/* Go's %T text of v ("int", "map[string]interface {}", "<nil>"): static. */
const char *tval_type_name(const struct tval *v);
/* Go's reflect.Kind name of v ("int", "map", "slice", "string", "invalid"). */
const char *tval_kind_name(const struct tval *v);

/* Go's truth (template "if"): 1 true, 0 false. */
int tval_truth(const struct tval *v);

/* fmt.Sprint(v): appends the %v text of v. Returns 0 or -1 (oom). */
int tval_format(struct buf *out, struct tmpl_rt *rt, const struct tval *v);

#endif
