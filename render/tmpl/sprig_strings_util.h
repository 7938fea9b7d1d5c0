/*
 * Helpers shared by the strings, conv, defaults and reflect Sprig families:
 * Go's UTF-8 rules, the few unicode predicates and case mappings Go's
 * strings, goutils and xstrings use, strconv.Quote, and Sprig's strval and
 * empty. Prefix: sprigu_.
 *
 * Unicode: categories and simple case mappings are tables of Go 1.25's
 * (Unicode 15.0.0), checked against helm 4.1.4 code point by code point
 * over U+0080..U+3FFFF; nothing depends on the host's locale.
 */
#ifndef HYDRATE_TMPL_SPRIG_STRINGS_UTIL_H
#define HYDRATE_TMPL_SPRIG_STRINGS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct buf;
struct tval;
struct tmpl_rt;

#define SPRIGU_RUNE_ERROR 0xFFFD

/* Go's utf8.DecodeRuneInString: the rune at s (len bytes) and its width
 * in *size; invalid or short encodings give SPRIGU_RUNE_ERROR with width
 * 1, an empty string gives SPRIGU_RUNE_ERROR with width 0. */
int32_t sprigu_decode(const char *s, size_t len, size_t *size);
/* Go's utf8.DecodeLastRuneInString over s[start, end) (end > start): the
 * last rune, with the offset where it starts in *at. */
int32_t sprigu_decode_last(const char *s, size_t start, size_t end, size_t *at);
/* Go's WriteRune / string(rune): invalid runes become U+FFFD. */
int sprigu_put_rune(struct buf *out, int32_t r);

/* Go's unicode.IsSpace, IsUpper, IsLower, IsTitle, IsLetter, IsDigit,
 * IsNumber, IsPunct, IsPrint; ToUpper, ToLower, ToTitle. */
int sprigu_is_space(int32_t r);
int sprigu_is_upper(int32_t r);
int sprigu_is_lower(int32_t r);
int sprigu_is_title(int32_t r);
int sprigu_is_letter(int32_t r);
int sprigu_is_digit(int32_t r);
int sprigu_is_number(int32_t r);
int sprigu_is_punct(int32_t r);
int sprigu_is_print(int32_t r);
int32_t sprigu_to_upper(int32_t r);
int32_t sprigu_to_lower(int32_t r);
int32_t sprigu_to_title(int32_t r);

/* Go's strconv.Quote (what %q prints for a string): appends. */
int sprigu_quote(struct buf *out, const char *s, size_t len);

/* Sprig's strval: a string or []byte as its bytes, anything else as
 * fmt's %v. Appends; 0 or -1 (out of memory). */
int sprigu_strval(struct buf *out, struct tmpl_rt *rt, const struct tval *v);

/* Sprig's strslice: the strings that v gives as a json array (new; NULL
 * on allocation failure): []string as is, []interface {} without nils and
 * each through strval, []byte as its numbers, nil as none, anything else
 * as [strval(v)]. */
json_t *sprigu_strslice(struct tmpl_rt *rt, const struct tval *v);
/* Go's cap of strslice(v) when it holds len strings: a []string is
 * returned as it is (its own cap); any other slice or array becomes
 * make([]string, 0, len(v)) with its nils skipped; anything else a
 * one-element slice. Never less than len. */
size_t sprigu_strslice_cap(const struct tval *v, size_t len);

/* Sprig's empty(): 1 if v is the zero value of its type (nil, 0, "",
 * false, an empty list or map), else 0. */
int sprigu_empty(const struct tval *v);

/*
 * Go's strconv.ParseInt(s, base, 64) (base 0 reads the 0x, 0o, 0b and 0
 * prefixes and allows underscores). Returns 0 and *out on success; -1 on a
 * syntax error (*out 0); -2 when out of range (*out clamped, as Go does).
 */
int sprigu_parse_int(int64_t *out, const char *s, size_t len, int base);
/* Go's strconv.ParseFloat(s, 64): 0 and *out, -1 on a syntax error, -2
 * when out of range (*out is +-Inf). */
int sprigu_parse_float(double *out, const char *s, size_t len);

#endif
