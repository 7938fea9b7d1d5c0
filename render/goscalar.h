/*
 * Go's scalar syntax as go-yaml and strconv accept it: integers with Go's
 * base prefixes and underscores (strconv.ParseInt/ParseUint), decimal
 * floats (strconv.ParseFloat), go-yaml's yamlStyleFloat pattern, its
 * timestamp layouts, YAML 1.1 base-60 floats, and the boolean and null
 * spellings of go-yaml v2 (YAML 1.1) and v3 (YAML 1.2 core).
 *
 * One copy for the YAML reader (render/yaml.c: what a plain scalar becomes)
 * and the YAML emitter (render/value.c: whether a string must be quoted so
 * that it reads back as a string). docs/yaml.md and docs/emit.md say where
 * each is used. Nothing here allocates except goscalar_parse_float and
 * goscalar_resolve, for texts longer than a small stack buffer.
 */
#ifndef HYDRATE_GOSCALAR_H
#define HYDRATE_GOSCALAR_H

#include <stddef.h>
#include <stdint.h>

/*
 * strconv.ParseUint(s, base, 64) and strconv.ParseInt(s, base, 64) on the
 * len bytes at s. base is 0 or 2..36. Base 0 reads Go's prefixes ("0b",
 * "0o", "0x", any case, need a digit after them; a lone leading "0" means
 * octal) and allows '_' where Go's underscoreOK does; other bases allow
 * neither. ParseInt takes one optional '+' or '-' first.
 * Returns 0 and sets *out (out may be NULL), DIAG_EPARSE for bad syntax
 * (empty text too), or DIAG_ELIMIT when the value is out of range; *out is
 * untouched on error.
 */
int goscalar_parse_uint(uint64_t *out, const char *s, size_t len, int base);
int goscalar_parse_int(int64_t *out, const char *s, size_t len, int base);

/*
 * strconv.ParseFloat(s, 64) for decimal text: an optional sign, digits with
 * at most one '.', an optional exponent, '_' only between digits (Go's
 * underscoreOK). Correctly rounded; underflow gives 0 or a subnormal and
 * is not an error. Hexadecimal floats and the Inf/NaN words are not
 * accepted (go-yaml never hands them to ParseFloat: they are either caught
 * by yamlStyleFloat or start with '.').
 * Returns 0 and sets *out (out may be NULL), DIAG_EPARSE for bad syntax,
 * DIAG_ELIMIT when the value overflows to infinity (Go's ErrRange), or
 * DIAG_ENOMEM.
 */
int goscalar_parse_float(double *out, const char *s, size_t len);

/* 1 when s matches go-yaml's yamlStyleFloat,
 * ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$, else 0. */
int goscalar_is_yaml_float(const char *s, size_t len);

/* 1 when s matches go-yaml v2's isBase60Float,
 * ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$, else 0. The v2
 * encoder quotes such strings (YAML 1.1 would read them as numbers). */
int goscalar_is_base60_float(const char *s, size_t len);

/* A time as go-yaml's parseTimestamp hands it over (time.Parse). */
struct goscalar_time {
	int year, mon, day, hour, min, sec;
	long nsec; /* fraction, truncated to nanoseconds */
	int off;   /* seconds east of UTC */
};

/*
 * go-yaml's parseTimestamp (v2 and v3 agree): s starts with four digits and
 * '-', and time.Parse accepts it under one of the layouts
 * "2006-1-2T15:4:5.999999999Z07:00", the same with 't',
 * "2006-1-2 15:4:5.999999999" (the space matches a run of spaces) or
 * "2006-1-2". Returns 0 and fills *out (out may be NULL), or DIAG_EPARSE.
 */
int goscalar_parse_timestamp(struct goscalar_time *out, const char *s, size_t len);

enum goscalar_flags {
	/* go-yaml v3's rules: only true/false booleans, and the "0o" fallback
	 * for signed octal ("0o+7"). Without it: v2's YAML 1.1 rules. */
	GOSCALAR_V3 = 1 << 0,
	/* Do not try timestamps (go-yaml tries them only for an untagged
	 * scalar or one tagged !!timestamp). */
	GOSCALAR_NO_TIMESTAMP = 1 << 1
};

enum goscalar_kind {
	GOSCALAR_STR,
	GOSCALAR_NULL,
	GOSCALAR_BOOL,
	GOSCALAR_INT,  /* fits int64: .i */
	GOSCALAR_UINT, /* above INT64_MAX: .u */
	GOSCALAR_FLOAT,
	GOSCALAR_TIMESTAMP
};

struct goscalar {
	enum goscalar_kind kind;
	int b;
	int64_t i;
	uint64_t u;
	double f; /* NaN and the infinities too (".nan", ".inf", "-.inf") */
	struct goscalar_time t;
};

/*
 * The words go-yaml's resolver looks up before trying numbers: booleans
 * (v2: y/yes/true/on and n/no/false/off in three casings; v3: true/false
 * only), null ("", "~", null), ".nan" and the infinities. Returns 1 and
 * fills *out when s is one (out may be NULL), else 0.
 */
int goscalar_word(struct goscalar *out, const char *s, size_t len, unsigned flags);

/*
 * go-yaml's resolve() for a scalar that is not tagged !!str or !!binary:
 * what the text s means by its spelling (flags: enum goscalar_flags). The
 * kind is GOSCALAR_STR when it means nothing else. "<<" is a string here:
 * the merge key is the caller's business. Returns 0, or DIAG_ENOMEM.
 */
int goscalar_resolve(struct goscalar *out, const char *s, size_t len, unsigned flags);

/*
 * strconv's underscoreOK: in a number literal (optional sign, optional 0b,
 * 0o or 0x prefix), '_' stands only between digits, or between the prefix
 * and a digit. 1 if s[0..len) follows the rule.
 */
int goscalar_underscore_ok(const char *s, size_t len);

#endif
