/*
 * Internals shared by the files of render/tmpl (not for other modules).
 */
#ifndef HYDRATE_TMPL_INT_H
#define HYDRATE_TMPL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "render/buf.h"
#include "render/diag.h"
#include "render/tmpl/tmpl.h"

/* ---- arena: bump allocator freed at once (HYDRATE_DEBUG_POOL: one
 * malloc per allocation, so the sanitizers see each one's bounds).
 * cur..end is the front chunk's free space; the fast paths below are
 * inline because a parse takes thousands of nodes and strings. */
struct arena_chunk;
struct arena {
	char *cur, *end;
	struct arena_chunk *chunks;
};
#define ARENA_INIT { NULL, NULL, NULL }
#define ARENA_ALIGN _Alignof(max_align_t)
/* need bytes aligned to align (1 or ARENA_ALIGN) from a new chunk; not zeroed */
void *arena__take_slow(struct arena *a, size_t need, size_t align);
void arena__release(struct arena *a);

/* need bytes aligned to align (a power of two up to ARENA_ALIGN), not
 * zeroed; NULL on oom */
static inline void *arena__take(struct arena *a, size_t need, size_t align)
{
#ifndef HYDRATE_DEBUG_POOL
	uintptr_t at = ((uintptr_t)a->cur + align - 1) & ~(uintptr_t)(align - 1);

	if (at <= (uintptr_t)a->end && (uintptr_t)a->end - at >= need) {
		a->cur = (char *)(at + need);
		return (void *)at;
	}
#endif
	return arena__take_slow(a, need, align);
}

/* zeroed, aligned to ARENA_ALIGN; NULL on oom */
static inline void *arena__alloc(struct arena *a, size_t size)
{
	size_t need = size ? (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : ARENA_ALIGN;
	void *p;

	if (need < size || !(p = arena__take(a, need, ARENA_ALIGN)))
		return NULL;
	memset(p, 0, need);
	return p;
}

/* a NUL-terminated copy of s[0..len); NULL on oom */
static inline char *arena__strndup(struct arena *a, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
#ifndef HYDRATE_DEBUG_POOL
	if ((uintptr_t)a->end - (uintptr_t)a->cur > len) {
		p = a->cur;
		a->cur += len + 1;
	} else
#endif
	if (!(p = arena__take_slow(a, len + 1, 1)))
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* ---- runtime */
struct rt_defer {
	void (*fn)(void *arg);
	void *arg;
};

/* ints and uint8s 0 .. TMPL_RT_INTBOXES-1 put into containers share one
 * box each */
#define TMPL_RT_INTBOXES 256

struct tmpl_rt {
	struct arena mem;
	struct rt_defer *defers;
	size_t ndefers, defercap;
	struct tval *boxes;
	json_t **boxobj;     /* the json object standing for boxes[i]: a reference,
			      * so its address stays unique for the execution */
	size_t nboxes, boxcap;
	json_t *intbox[2][TMPL_RT_INTBOXES]; /* [0] int, [1] uint8: a reference or NULL */
	/* Lists put into a container with a capacity their json cannot show
	 * (a Go slice header's cap): the tval as stored, a reference, found
	 * again by its json array when read back (tval.c, "kept capacities").
	 * Open addressing on the array's address; NULL u.j marks a free slot. */
	struct tval *kept;
	size_t nkept, keptsz;
	struct tmpl_limits lim;
	enum tmpl_missingkey missingkey;
	void *userdata;
	struct rx_cache *regexes;  /* sprig_regex.c: compiled patterns (a defer frees them) */
	uint64_t steps;
	char *stack_base;
};

/* ---- AST (text/template/parse node.go) */
enum tnode_type {
	N_TEXT, N_ACTION, N_BOOL, N_CHAIN, N_COMMAND, N_DOT, N_ELSE, N_END,
	N_FIELD, N_IDENT, N_IF, N_LIST, N_NIL, N_NUMBER, N_PIPE, N_RANGE,
	N_STRING, N_TEMPLATE, N_VARIABLE, N_WITH, N_COMMENT, N_BREAK, N_CONTINUE
};

struct ttree;

/*
 * One node of a parsed template. A tree holds thousands (sealed-secrets'
 * templates and its library chart make ~4,600), so the fields a node's type
 * uses share their bytes: a node is at most 48 bytes, and takes only the
 * bytes up to its type's last slot (parse.c's ps_node_size). It does not
 * point to its tree: the executor knows the template it walks, whose tree
 * shares the node's text. Read only the members of the node's own type
 * (the comments say which).
 */
struct tnode {
	unsigned char type;                               /* enum tnode_type */
	unsigned char is_assign;                          /* PIPE */
	unsigned char b;                                  /* BOOL */
	unsigned char is_int, is_uint, is_float, is_complex; /* NUMBER */
	unsigned char ndecl;   /* PIPE: declared variables (Go allows two) */
	uint32_t pos;          /* byte offset in its tree's text (below 4 GiB) */
	uint32_t len;          /* bytes of text */
	union {
		/* TEXT, COMMENT: text; STRING: unquoted text; NUMBER: text;
		 * IDENT: name; TEMPLATE: name */
		const char *text;
		struct tnode **kids;   /* LIST: nodes; COMMAND: args; PIPE: commands */
		const char **ids;      /* FIELD, VARIABLE, CHAIN: identifiers
					* (without the dots) */
	};
	union {
		struct tnode *pipe;    /* ACTION, IF, RANGE, WITH; TEMPLATE (or NULL) */
		const char *quoted;    /* STRING: the original, quoted */
		const struct tmpl_func *func;  /* IDENT */
		struct tnode **decl;   /* PIPE: declared variables */
		struct tnode *node;    /* CHAIN: what the fields apply to */
		/* NUMBER: is_int's and is_uint's value, one 64-bit pattern
		 * (when both hold, the value is below 2^63) */
		int64_t i64;
		uint64_t u64;
	};
	union {
		struct tnode *list;    /* IF, RANGE, WITH */
		double f64;            /* NUMBER: is_float's value, or a complex's real part */
		uint32_t nkids;        /* LIST, COMMAND, PIPE */
		uint32_t nids;         /* FIELD, VARIABLE, CHAIN */
		uint32_t qlen;         /* STRING: quoted's bytes */
	};
	union {
		struct tnode *elselist; /* IF, RANGE, WITH (or NULL) */
		double imag;           /* NUMBER: a complex's imaginary part */
		struct tnode *kid1;    /* LIST, COMMAND, PIPE with one kid: kids
					* points here (nodes are never copied) */
	};
};

struct ttree {
	const char *name;
	const char *parse_name;
	const char *text;      /* the whole text parsed (for line:col) */
	size_t text_len;
	struct tnode *root;
};

struct tmpl_parse_unit;   /* one Parse call's arena */

struct tmpl_set {
	const struct tmpl_funcs *funcs;
	struct ttree **slots;       /* hash table by name */
	size_t nslots, count;
	struct arena *arenas;       /* one per successful parse */
	size_t narenas, arenacap;
	const struct tmpl_set *parent; /* overlay: look up here after self */
};

const struct ttree *tmpl__set_lookup(const struct tmpl_set *set, const char *name);
/* borrow: the trees point into text, which must outlive the set; else
 * they point into a copy in the set's arena. */
int tmpl__parse(struct tmpl_set *set, const char *name, const char *text, size_t len,
		int borrow, struct buf *err);

/* node.String() of Go, appended. */
void tmpl__node_string(struct buf *out, const struct tnode *n);

/* ---- fmt */
/* printValue of exec: what {{ x }} prints. */
int tmpl__print_value(struct buf *out, struct tmpl_rt *rt, const struct tval *v);

/* UTF-8: decodes one rune at s (n > 0 bytes); invalid gives 0xFFFD, width 1. */
int32_t tmpl__utf8_decode(const char *s, size_t n, int *width);
int tmpl__utf8_encode(struct buf *out, int32_t r);
/* unicode.IsPrint / IsLetter / IsDigit, approximated outside ASCII. */
int tmpl__is_print(int32_t r);
int tmpl__is_letter(int32_t r);
int tmpl__is_digit(int32_t r);
/* strconv.QuoteRune */
int tmpl__quote_rune(struct buf *out, int32_t r);

/* ---- builtins */
#define TMPL_FN__ANDOR (1u << 15)  /* the builtin and/or: lazy */
#define TMPL_FN__VALUES (1u << 13) /* a method of a value kind: payload = receiver */
#define TMPL_FN__CONCRETE (1u << 12) /* Go's result type is not interface {} */
#define TMPL_FN__CALL (1u << 14)   /* the builtin call: gets the callee's name */
int tmpl__builtins_add(struct tmpl_funcs *r);
/* Go's comparison: eq with several, lt. 0 ok (*res set), else message in err. */
int tmpl__eq(int *res, struct tmpl_rt *rt, const struct tval *a, int n, const struct tval *b,
	     struct buf *err);
int tmpl__lt(int *res, const struct tval *a, const struct tval *b, struct buf *err);

/* ---- methods of value kinds (methods.c) */
/* Go's method name of recv's kind (time.Time, time.Duration, time.Month,
 * time.Weekday, *semver.Version, semver.Version), or NULL. Borrowed. */
const struct tmpl_func *tmpl__kind_method(const struct tval *recv, const char *name);
/* time.Month / time.Weekday String(), appended. */
void tmpl__month_string(struct buf *out, int64_t m);
void tmpl__weekday_string(struct buf *out, int64_t d);
/* t.Format(layout), appended. 0 or -1 (out could not grow). */
int tmpl__time_format(struct buf *out, const struct tval_time *t, const char *layout, size_t n);

/* The tval a container element reads as (json) with nil for null. */
struct tval tmpl__unbox(struct tmpl_rt *rt, json_t *j);

#endif
