/*
 * Helpers shared by Sprig's lists, dicts and math families (sprig_lists.c,
 * sprig_dicts.c, sprig_math.c): Go's conversions as github.com/spf13/cast
 * v1.7 does them, Sprig's empty(), reflect.DeepEqual on template data, and
 * access to anything of reflect kind slice ([]interface {}, []string,
 * []uint8) as a json array.
 *
 * All take borrowed tvals; nothing here keeps a reference.
 */
#ifndef HYDRATE_TMPL_SPRIG_LISTS_UTIL_H
#define HYDRATE_TMPL_SPRIG_LISTS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "render/tmpl/tval.h"

struct buf;
struct tmpl_call;

/* The largest list a function of these families builds (until, seq, ...):
 * Go would exhaust memory instead; we fail with sprigl_limit_error. */
#define SPRIGL_MAX_ITEMS 1000000
/* How deep the walks over nested data (equality, cycle checks, merge,
 * deepCopy) go; deeper data counts as unequal / cyclic / is shared. */
#define SPRIGL_MAX_DEPTH 1000

/* Go's int64(f) on amd64: truncation; NaN and out-of-range give MinInt64. */
int64_t sprigl_f2i(double f);

/* strconv.ParseFloat(s, 64): 0 and *out, or -1 (syntax or range error). */
int sprigl_parse_float(double *out, const char *s, size_t len);

/* cast.ToInt64E / cast.ToIntE (Go int is 64-bit): 0 and *out, or -1 when
 * cast reports an error (then *out is 0, what cast.ToInt64 gives). */
int sprigl_to_int64(int64_t *out, const struct tval *v);
/* cast.ToFloat64E: 0 and *out, or -1 (then *out is 0). */
int sprigl_to_float64(double *out, const struct tval *v);

/* Sprig's empty(v): 1 if v is Go's zero/empty value. */
int sprigl_empty(const struct tval *v);

/* 1 if v's reflect kind is slice: []interface {}, []string, []int,
 * [][]interface {}, []uint8. */
int sprigl_is_slice(const struct tval *v);
/*
 * The elements of a slice-kind v as the json array of a []interface {}
 * (new reference): the list itself for []interface {}, []string and
 * [][]interface {}; boxed ints for []int and boxed uint8s for []uint8 (in
 * rt), so they keep their Go type. NULL on allocation failure.
 */
json_t *sprigl_items(struct tmpl_rt *rt, const struct tval *v);
/* Element i of a slice-kind v as Go's Index(i).Interface() gives it. New. */
struct tval sprigl_item(struct tmpl_rt *rt, const struct tval *v, size_t i);

/* reflect.DeepEqual(a, b) for template data; _json compares with a
 * container element. */
int sprigl_equal(struct tmpl_rt *rt, const struct tval *a, const struct tval *b);
int sprigl_equal_json(struct tmpl_rt *rt, const struct tval *a, json_t *b);

/* Sprig's strval(v): strings and []byte as they are, else fmt's %v. 0 or -1. */
int sprigl_strval(struct buf *out, struct tmpl_rt *rt, const struct tval *v);

/* 1 if putting value into container would make a cycle (boxes included,
 * or the data is absurdly deep). */
int sprigl_would_cycle(struct tmpl_rt *rt, json_t *container, json_t *value);

/* The message Go's runtime gives for reflect.TypeOf(nil).Kind(). */
int sprigl_nil_type_error(struct tmpl_call *call);
/* Our own error for a result above SPRIGL_MAX_ITEMS elements. */
int sprigl_limit_error(struct tmpl_call *call);

#endif
