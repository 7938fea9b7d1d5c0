/*
 * Go regular expressions (RE2 syntax, package regexp) run with PCRE2.
 *
 * sre_compile parses a pattern as Go's regexp/syntax does with the Perl
 * flags regexp.Compile uses, rejects what Go rejects with Go's error text
 * ("error parsing regexp: invalid escape sequence: `\1`"), and translates
 * the rest into a PCRE2 pattern that spells out Go's meaning (^ $ . \s \w
 * [[:alpha:]] (?U) ...), so PCRE2's leftmost-first backtracking gives the
 * same matches as Go's leftmost-first engine.
 *
 * Loops whose body can match empty ((a*)*, (a|)+, ((ab)*|a)*x) differ:
 * Go's matchers visit each (instruction, position) once, so an iteration
 * that comes back to where it started dies (Go keeps $1 = "abab" where
 * PCRE2 keeps the final empty iteration's ""). Such patterns are compiled
 * with callouts at the instructions where Go's program joins paths, which
 * fail a second visit at one position, and counted repeats around them are
 * written out as Go's simplify writes them (x{2,3} = xx(x)?, copies of a
 * group reported as the one set last).
 *
 * Known differences: Unicode tables follow PCRE2's Unicode version (10.42:
 * Unicode 14; Go 1.25: 15); Go factors common prefixes of alternatives
 * (ab|ac = a(?:b|c)) before compiling, which may move a join inside a loop
 * with an empty body; expansions of x{n,m} over 256 KiB fall back to
 * PCRE2's semantics; a match visiting more than 2^24 marks is a limit
 * error; a match whose end PCRE2's backtracking cannot find within its
 * limits, even anchored at the start the DFA matcher gives, is an error
 * (Go's engine is linear); (?i) inside [...] with a negated \P{Lu} is
 * approximate.
 *
 * Compiled expressions are immutable: one may serve several threads.
 */
#ifndef HYDRATE_TMPL_SPRIG_REGEX_UTIL_H
#define HYDRATE_TMPL_SPRIG_REGEX_UTIL_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct sre;

/*
 * Compiles the Go pattern pat[0..len). On success *out (new, free with
 * sre_free) and 0. On a syntax error, DIAG_EPARSE and Go's error text
 * (`error parsing regexp: ...`) appended to err (may be NULL); DIAG_ENOMEM
 * on allocation failure.
 */
int sre_compile(struct sre **out, const char *pat, size_t len, struct buf *err);
void sre_free(struct sre *re);

/* Number of capturing groups (Go's NumSubexp). */
size_t sre_ncap(const struct sre *re);
/* The name of group i (1-based), or "" when it has none. Borrowed. */
const char *sre_name(const struct sre *re, size_t i);

/*
 * A subject string prepared for matching. Go reads each byte of invalid
 * UTF-8 as U+FFFD; so does the copy PCRE2 is given here, and offsets are
 * mapped back to s. Borrows s; release with sre_subject_release.
 */
struct sre_subject {
	const char *s;
	size_t len;
	const char *text;   /* s, or the repaired copy */
	size_t tlen;
	size_t *to_text;    /* s offset -> text offset; NULL when text == s */
	size_t *to_orig;    /* text offset -> s offset */
};
int sre_subject_init(struct sre_subject *sub, const char *s, size_t len);
void sre_subject_release(struct sre_subject *sub);

/*
 * Finds the leftmost match in the subject that starts at or after pos (the
 * text before pos still counts for \b and ^). ovec receives 2 * (ncap + 1)
 * offsets into s, -1 for groups that did not take part. Returns 1 (match),
 * 0 (no match), or a negative diag code with a message in err (may be NULL).
 * Where PCRE2's backtracking hits its limits (Go's engine is linear,
 * PCRE2's can be exponential), PCRE2's DFA matcher decides whether there
 * is no match at all; only a match whose end backtracking cannot find is
 * an error ("regexp: match limit exceeded").
 */
int sre_exec(const struct sre *re, const struct sre_subject *sub, size_t pos,
	     ssize_t *ovec, struct buf *err);

/* Whether the subject holds a match (Go's MatchString): 1, 0, or a
 * negative diag code with a message in err. */
int sre_test(const struct sre *re, const struct sre_subject *sub, struct buf *err);

/* Go's regexp.FindAllString(s, n) as byte offsets: calls fn for each
 * match (start, end); fn returns 0 to go on. Returns 0 or a negative code. */
typedef int (*sre_match_fn)(const ssize_t *ovec, void *payload);
int sre_find_all(const struct sre *re, const char *s, size_t len, long long n,
		 sre_match_fn fn, void *payload, struct buf *err);

/* Width of the UTF-8 sequence at s[0..len) as Go's utf8.DecodeRune counts
 * it: 1 for an invalid byte, 0 at the end. */
size_t sre_rune_width(const unsigned char *s, size_t len);

/* Appends Go's regexp.QuoteMeta(s). */
int sre_quote_meta(struct buf *out, const char *s, size_t len);

/* Appends Go's regexp Expand of template for a match (ovec from sre_exec). */
int sre_expand(struct buf *out, const struct sre *re, const char *tmpl, size_t tlen,
	       const char *src, const ssize_t *ovec);

#endif
