/*
 * Go regexp on PCRE2: a parser that follows Go's regexp/syntax (Perl flags)
 * step by step, so that errors come out where and as Go reports them, and
 * that writes an explicit PCRE2 pattern on the way. See the header.
 *
 * The translation never relies on PCRE2 option defaults for meaning:
 *   ^ $        \A \z, or (?:\A|(?<=\n)) (?=\n|\z) under (?m)
 *   .          [^\n], or (?s:.) under (?s)
 *   literals   \x{HEX}, wrapped in (?i:...) under (?i)
 *   \d \s \w   explicit ASCII classes (Go's \s has no \v)
 *   x* x{n,m}  greediness decided here ((?U) swaps it), the operand
 *              always wrapped in (?:...) so any atom can be repeated
 *   (?P<n>x)   a plain capture; names are kept here (Go allows duplicates
 *              and names PCRE2 refuses)
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "render/tmpl/sprig_regex_util.h"

#include "render/buf.h"
#include "render/diag.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sre {
	pcre2_code *code;
	size_t ncap;
	unsigned nmarks; /* callout ids 1..nmarks may occur; 0: no callouts */
	size_t npcre;    /* PCRE2's capture count (copies of x{n,m} add some) */
	size_t *gomap;   /* PCRE2 group -> Go group (npcre + 1), NULL: same */
	char **names; /* ncap + 1 entries, "" when unnamed */
};

enum {
	F_FOLD = 1 << 0,      /* (?i) */
	F_MULTILINE = 1 << 1, /* (?m): Go clears OneLine */
	F_DOTNL = 1 << 2,     /* (?s) */
	F_NONGREEDY = 1 << 3, /* (?U) */
};

#define MAX_RUNE 0x10FFFF
#define MAX_REPEAT 1000
#define MAX_DEPTH 1000

struct frame {
	unsigned flags;       /* flags to restore at ')' */
	size_t open;          /* where the group starts in out */
	int had_atom;         /* the enclosing frame's last atom */
	size_t atom_start, atom_prod, cur_prod;
	int cat_null, alt_null; /* the enclosing frame's nullability state */
	unsigned join;        /* mark id of the node after this group's |, or 0 */
	size_t pcap;          /* PCRE2 groups before this one */
	unsigned mark;        /* mark ids handed out before this group */
};

struct parser {
	const char *whole;
	size_t wlen;
	struct buf *out;
	struct buf *err;
	unsigned flags;
	int have_atom;        /* a repeatable item is on top of the stack */
	size_t atom_start;    /* where it starts in out */
	size_t atom_prod;     /* product of nested repeat counts inside it */
	size_t atom_end;      /* where it ends in out (flag switches may follow) */
	int atom_simple;      /* one PCRE2 item: a quantifier may follow it as is */
	size_t cur_prod;      /* the largest such product in this group */
	struct frame *stack;
	size_t depth, alloc;
	size_t ncap;
	struct buf names;     /* NUL-separated names, one per capture */
	/* nullability as Go's compiler computes it (frag.nullable) */
	int atom_null;        /* the atom on top can match empty */
	int cat_null;         /* the atoms before it in this alternative can */
	int alt_null;         /* an earlier alternative of this group can */
	int saw_empty_loop;   /* a loop whose body can match empty was seen */
	int instrument;       /* emit visit marks (second pass) */
	unsigned nmarks;      /* mark ids handed out */
	size_t atom_pcap;     /* PCRE2 groups before the atom on top */
	unsigned atom_mark;   /* mark ids handed out before it */
	size_t *gomap;        /* PCRE2 group -> Go group; [0] is 0 */
	size_t npcre, gomap_alloc;
};

/* ---- UTF-8 ---- */

size_t sre_rune_width(const unsigned char *s, size_t len)
{
	unsigned c;
	size_t n, i;
	unsigned r;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, r = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, r = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, r = c & 0x07;
	else
		return 1;
	if (len < n)
		return 1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		r = (r << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > MAX_RUNE)) ||
	    (r >= 0xD800 && r <= 0xDFFF))
		return 1;
	return n;
}

/* Decodes one rune at s (len > 0): its value, or -1 if invalid. */
static long decode_rune(const char *s, size_t len, size_t *width)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t w = sre_rune_width(u, len), i;
	long r;

	*width = w;
	if (w == 1)
		return u[0] < 0x80 ? (long)u[0] : -1;
	r = u[0] & (w == 2 ? 0x1F : w == 3 ? 0x0F : 0x07);
	for (i = 1; i < w; i++)
		r = (r << 6) | (u[i] & 0x3F);
	return r;
}

/* ---- errors ---- */

static int fail(struct parser *p, const char *code, const char *expr, size_t len)
{
	if (p->err) {
		buf_adds(p->err, "error parsing regexp: ");
		buf_adds(p->err, code);
		buf_adds(p->err, ": `");
		buf_add(p->err, expr, len);
		buf_addch(p->err, '`');
	}
	return DIAG_EPARSE;
}

#define E_CLASS_RANGE "invalid character class range"
#define E_ESCAPE "invalid escape sequence"
#define E_NAMED "invalid named capture"
#define E_PERL "invalid or unsupported Perl syntax"
#define E_REPEAT_OP "invalid nested repetition operator"
#define E_REPEAT_SIZE "invalid repeat count"
#define E_UTF8 "invalid UTF-8"
#define E_BRACKET "missing closing ]"
#define E_PAREN "missing closing )"
#define E_ARG "missing argument to repetition operator"
#define E_BACKSLASH "trailing backslash at end of expression"
#define E_UNEXPECTED "unexpected )"
#define E_DEPTH "expression nests too deeply"

/* The rest of the pattern from s: Go's error expressions end there. */
static size_t rest_len(const struct parser *p, const char *s)
{
	return (size_t)(p->whole + p->wlen - s);
}

/* nextRune: the rune at s, or Go's invalid UTF-8 error. */
static int next_rune(struct parser *p, const char *s, const char *end, long *r, const char **next)
{
	size_t w;

	if (s >= end) {
		/* Go's DecodeRuneInString("") gives RuneError, width 0. */
		*r = 0xFFFD;
		*next = s;
		return 0;
	}
	*r = decode_rune(s, (size_t)(end - s), &w);
	if (*r < 0)
		return fail(p, E_UTF8, s, (size_t)(end - s));
	*next = s + w;
	return 0;
}

static int check_utf8(struct parser *p, const char *s, const char *end)
{
	long r;
	const char *n;
	int error;

	while (s < end) {
		if ((error = next_rune(p, s, end, &r, &n)) < 0)
			return error;
		s = n;
	}
	return 0;
}

/* ---- emitting ---- */

static int is_surrogate(long r)
{
	return r >= 0xD800 && r <= 0xDFFF;
}

static void emit_range(struct buf *o, long lo, long hi)
{
	/* PCRE2 refuses surrogate code points; no string holds them anyway. */
	if (lo >= 0xD800 && lo <= 0xDFFF)
		lo = 0xE000;
	if (hi >= 0xD800 && hi <= 0xDFFF)
		hi = 0xD7FF;
	if (lo > hi)
		return;
	if (lo == hi)
		buf_addf(o, "\\x{%lx}", lo);
	else
		buf_addf(o, "\\x{%lx}-\\x{%lx}", lo, hi);
}

/* Start of an atom at the current end of out. */
static void atom_begin(struct parser *p)
{
	if (p->have_atom)
		p->cat_null &= p->atom_null;
	p->atom_null = 0;
	p->atom_pcap = p->npcre;
	p->atom_mark = p->nmarks;
	p->have_atom = 1;
	p->atom_start = p->out->len;
	p->atom_prod = 1;
	p->atom_simple = 0;
}

/* End of the atom begun last; simple if a quantifier may follow it. */
static void atom_end(struct parser *p, int simple)
{
	p->atom_end = p->out->len;
	p->atom_simple = simple;
}

static void emit_literal(struct parser *p, long r)
{
	atom_begin(p);
	if (is_surrogate(r)) {
		buf_adds(p->out, "(?!)");
		atom_end(p, 0);
		return;
	}
	buf_addf(p->out, "\\x{%lx}", r);
	atom_end(p, 1);
}

static void emit_op(struct parser *p, const char *text, int simple)
{
	atom_begin(p);
	buf_adds(p->out, text);
	atom_end(p, simple);
}

/* An empty-width operator (^ $ \b ...): an atom that matches empty. */
static void emit_assert(struct parser *p, const char *text)
{
	emit_op(p, text, 0);
	p->atom_null = 1;
}

/*
 * ---- visit marks ----
 *
 * Go's matchers (backtracker and Pike VM alike) visit each (instruction,
 * position) once: a path that comes back to an instruction at the position
 * it already passed dies there. Only loops whose body can match empty make
 * such a path a cycle; PCRE2 instead lets an empty iteration succeed once
 * and keeps its captures. So inside the bodies of those loops the
 * translation carries string callouts "(?C{L<id>})" at the instructions
 * Go's compiler makes where paths join (loop heads, loop ends, the node
 * after an alternation or a ?), and the callout fails a second visit at one
 * position. Marks are written "(?C{d<id>})" (dead) first; a loop with a
 * nullable body turns those in its body live ('L'); a counted repeat
 * (x{2,5}), which PCRE2 copies with the same callouts where Go's copies are
 * distinct instructions, poisons them ('x'); dead and poisoned marks are
 * dropped at the end. Marks are only written in a second pass, when the
 * first found such a loop.
 */
static unsigned mark_new(struct parser *p)
{
	return ++p->nmarks;
}

static void mark_emit(struct parser *p, unsigned id, char state)
{
	if (p->instrument)
		buf_addf(p->out, "(?C{%c%u})", state, id);
}

/* Sets the state of the marks in out[from..to) that are in one of states. */
static void mark_set(struct parser *p, size_t from, size_t to, const char *states, char state)
{
	char *s = p->out->ptr;
	size_t i;

	if (!p->instrument || p->out->oom)
		return;
	for (i = from; i + 4 < to; i++)
		if (memcmp(s + i, "(?C{", 4) == 0 && strchr(states, s[i + 4]))
			s[i + 4] = state;
}

/* Drops dead and poisoned marks from out. */
static void mark_strip(struct buf *out)
{
	size_t i, j;
	char *s = out->ptr;

	if (out->oom)
		return;
	for (i = 0, j = 0; i < out->len;) {
		if (i + 4 < out->len && memcmp(s + i, "(?C{", 4) == 0 && s[i + 4] != 'L') {
			while (s[i] != ')')
				i++;
			i++;
			continue;
		}
		s[j++] = s[i++];
	}
	buf_truncate(out, j);
}

/* ---- character classes ---- */

struct named_class {
	const char *name;
	const char *ranges; /* pairs of bytes lo hi */
};

static const struct named_class posix_classes[] = {
	{ "alnum", "09AZaz" },
	{ "alpha", "AZaz" },
	{ "ascii", "\x01\x7f" }, /* \x00 added below: NUL ends a C string */
	{ "blank", "\t\t  " },
	{ "cntrl", "\x01\x1f\x7f\x7f" },
	{ "digit", "09" },
	{ "graph", "!~" },
	{ "lower", "az" },
	{ "print", " ~" },
	{ "punct", "!/:@[`{~" },
	{ "space", "\t\r  " },
	{ "upper", "AZ" },
	{ "word", "09AZ__az" },
	{ "xdigit", "09AFaf" },
};

static const struct named_class perl_classes[] = {
	{ "d", "09" },
	{ "s", "\t\n\f\r  " },
	{ "w", "09AZ__az" },
};

/* Ranges of a table, NUL included where the table starts at \x01. */
static size_t table_ranges(const struct named_class *c, long *lo, long *hi)
{
	size_t n = strlen(c->ranges) / 2, i;

	for (i = 0; i < n; i++) {
		lo[i] = (unsigned char)c->ranges[2 * i];
		hi[i] = (unsigned char)c->ranges[2 * i + 1];
	}
	if (n && lo[0] == 1)
		lo[0] = 0;
	return n;
}

/*
 * Emits the class items of an ASCII table, or of its complement (sign < 0).
 * Under (?i) Go folds the table before negating it: the complement then
 * loses the other case of each letter, and the long s and Kelvin sign that
 * fold to s and k.
 */
static void emit_table(struct buf *o, const struct named_class *c, int sign, int fold)
{
	long lo[8], hi[8], r, start = -1;
	size_t n = table_ranges(c, lo, hi), i;
	unsigned char in[128];

	if (sign > 0) {
		for (i = 0; i < n; i++)
			emit_range(o, lo[i], hi[i]);
		return;
	}
	memset(in, 0, sizeof(in));
	for (i = 0; i < n; i++)
		for (r = lo[i]; r <= hi[i]; r++)
			in[r] = 1;
	if (fold) {
		for (r = 'a'; r <= 'z'; r++)
			if (in[r] || in[r - 'a' + 'A'])
				in[r] = in[r - 'a' + 'A'] = 1;
	}
	for (r = 0; r < 128; r++) {
		if (!in[r] && start < 0)
			start = r;
		if (in[r] && start >= 0) {
			emit_range(o, start, r - 1);
			start = -1;
		}
	}
	if (start < 0)
		start = 128;
	if (fold && in['s'] && in['k']) {
		emit_range(o, start, 0x17E);
		emit_range(o, 0x180, 0x2129);
		emit_range(o, 0x212B, MAX_RUNE);
	} else if (fold && in['s']) {
		emit_range(o, start, 0x17E);
		emit_range(o, 0x180, MAX_RUNE);
	} else if (fold && in['k']) {
		emit_range(o, start, 0x2129);
		emit_range(o, 0x212B, MAX_RUNE);
	} else {
		emit_range(o, start, MAX_RUNE);
	}
}

static const struct named_class *find_perl_class(char c, int *sign)
{
	size_t i;

	for (i = 0; i < sizeof(perl_classes) / sizeof(perl_classes[0]); i++) {
		if (c == perl_classes[i].name[0]) {
			*sign = 1;
			return &perl_classes[i];
		}
		if (c == perl_classes[i].name[0] - 'a' + 'A') {
			*sign = -1;
			return &perl_classes[i];
		}
	}
	return NULL;
}

/* Go's canonicalName: first letter upper, the rest lower, no _ - or space. */
static void canonical_name(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i, n = 0;
	int first = 1;

	for (i = 0; i < len && n + 1 < cap; i++) {
		char c = s[i];

		if (c == '_' || c == '-' || c == ' ')
			continue;
		if (first) {
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			first = 0;
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		dst[n++] = c;
	}
	dst[n] = '\0';
}

static const char *const categories[] = {
	"C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc",
	"Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po",
	"Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
};

/* Unicode's long names of the general categories, canonicalised. */
static const char *const category_aliases[][2] = {
	{ "Casedletter", "L&" }, { "Closepunctuation", "Pe" },
	{ "Combiningmark", "M" }, { "Connectorpunctuation", "Pc" },
	{ "Control", "Cc" }, { "Cntrl", "Cc" }, { "Currencysymbol", "Sc" },
	{ "Dashpunctuation", "Pd" }, { "Decimalnumber", "Nd" }, { "Digit", "Nd" },
	{ "Enclosingmark", "Me" }, { "Finalpunctuation", "Pf" }, { "Format", "Cf" },
	{ "Initialpunctuation", "Pi" }, { "Letter", "L" }, { "Letternumber", "Nl" },
	{ "Lineseparator", "Zl" }, { "Lowercaseletter", "Ll" }, { "Mark", "M" },
	{ "Mathsymbol", "Sm" }, { "Modifierletter", "Lm" }, { "Modifiersymbol", "Sk" },
	{ "Nonspacingmark", "Mn" }, { "Number", "N" }, { "Openpunctuation", "Ps" },
	{ "Other", "C" }, { "Otherletter", "Lo" }, { "Othernumber", "No" },
	{ "Otherpunctuation", "Po" }, { "Othersymbol", "So" },
	{ "Paragraphseparator", "Zp" }, { "Privateuse", "Co" }, { "Punct", "P" },
	{ "Punctuation", "P" }, { "Separator", "Z" }, { "Spaceseparator", "Zs" },
	{ "Spacingmark", "Mc" }, { "Surrogate", "Cs" }, { "Symbol", "S" },
	{ "Titlecaseletter", "Lt" }, { "Unassigned", "Cn" }, { "Uppercaseletter", "Lu" },
};

/*
 * Go's unicode.Scripts names that its canonical lookup can find: Go 1.25
 * canonicalises the name (Old_Italic -> Olditalic) before looking it up in
 * a table keyed by Unicode's spelling, so only one-word names match.
 */
static const char *const scripts[] = {
	"Adlam", "Ahom", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum",
	"Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese",
	"Buhid", "Carian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common",
	"Coptic", "Cuneiform", "Cypriot", "Cyrillic", "Deseret", "Devanagari", "Dogra",
	"Duployan", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic",
	"Gothic", "Grantha", "Greek", "Gujarati", "Gurmukhi", "Han", "Hangul",
	"Hanunoo", "Hatran", "Hebrew", "Hiragana", "Inherited", "Javanese", "Kaithi",
	"Kannada", "Katakana", "Kawi", "Kharoshthi", "Khmer", "Khojki", "Khudawadi",
	"Lao", "Latin", "Lepcha", "Limbu", "Lisu", "Lycian", "Lydian", "Mahajani",
	"Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen", "Medefaidrin",
	"Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean",
	"Nandinagari", "Newa", "Nko", "Nushu", "Ogham", "Oriya", "Osage", "Osmanya",
	"Palmyrene", "Phoenician", "Rejang", "Runic", "Samaritan", "Saurashtra",
	"Sharada", "Shavian", "Siddham", "Sinhala", "Sogdian", "Soyombo", "Sundanese",
	"Syriac", "Tagalog", "Tagbanwa", "Takri", "Tamil", "Tangsa", "Tangut",
	"Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Toto",
	"Ugaritic", "Vai", "Vithkuqi", "Wancho", "Yezidi", "Yi",
};

/*
 * Characters that change under case mapping (CWU, CWL) yet are alone in
 * their simple case-folding orbit, so Go's (?i) does not pair them with
 * anything: Turkish dotless i and dotted I, and the letters whose upper
 * case is a sequence (ŉ ǰ ΐ ΰ և ẖ-ẚ, Greek with breathing or iota, the
 * ligatures ﬀ-ﬆ ﬓ-ﬗ).
 */
#define FOLD_SINGLETONS_LL "\\x{131}\\x{149}\\x{1f0}\\x{390}\\x{3b0}\\x{587}\\x{1e96}-\\x{1e9a}" \
	"\\x{1f50}\\x{1f52}\\x{1f54}\\x{1f56}\\x{1fb2}\\x{1fb4}\\x{1fb6}\\x{1fb7}\\x{1fc2}" \
	"\\x{1fc4}\\x{1fc6}\\x{1fc7}\\x{1fd2}\\x{1fd3}\\x{1fd6}\\x{1fd7}\\x{1fe2}-\\x{1fe4}" \
	"\\x{1fe6}\\x{1fe7}\\x{1ff2}\\x{1ff4}\\x{1ff6}\\x{1ff7}\\x{fb00}-\\x{fb06}\\x{fb13}-\\x{fb17}"
#define FOLD_SINGLETONS_LU "\\x{130}"

/* What Go's (?i) adds to a category or script: the characters of its
 * FoldCategory / FoldScript tables, and for Lu Ll those that change under
 * case mapping (which is what their fold tables hold). */
static const char *const fold_extra[][2] = {
	{ "Lu", "\\p{CWU}\\p{CWL}" },
	{ "Ll", "\\p{CWU}\\p{CWL}" },
	{ "Lt", "\\x{1c4}-\\x{1cc}\\x{1f1}-\\x{1f3}\\x{1f80}-\\x{1faf}\\x{1fb3}\\x{1fbc}"
		"\\x{1fc3}\\x{1fcc}\\x{1ff3}\\x{1ffc}" },
	{ "L", "\\x{345}" },
	{ "M", "\\x{399}\\x{3b9}\\x{1fbe}" },
	{ "Mn", "\\x{399}\\x{3b9}\\x{1fbe}" },
	{ "Greek", "\\x{b5}\\x{345}" },
	{ "Common", "\\x{39c}\\x{3bc}" },
	{ "Inherited", "\\x{399}\\x{3b9}\\x{1fbe}" },
};

/* Whether PCRE2 knows \p{name} (used for script names). */
static int pcre_knows_property(const char *name)
{
	char pat[96];
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *c;

	snprintf(pat, sizeof(pat), "\\p{%s}", name);
	c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode,
			  &erroff, NULL);
	pcre2_code_free(c);
	return c != NULL;
}

/*
 * Go's unicodeTable: writes the class items for \p{name} (sign > 0) or its
 * negation into o. Returns 0, or 1 if Go does not know the name.
 */
static int emit_unicode_table(struct buf *o, const char *name, size_t len, int sign,
			      int fold, int *negated, const char **exclude)
{
	char canon[64];
	const char *prop = NULL;
	size_t i;

	if (len >= sizeof(canon) - 8)
		return 1;
	canonical_name(canon, sizeof(canon), name, len);
	if (strcmp(canon, "Any") == 0) {
		if (sign > 0)
			emit_range(o, 0, MAX_RUNE);
		return 0;
	}
	if (strcmp(canon, "Assigned") == 0) {
		buf_adds(o, sign > 0 ? "\\P{Cn}" : "\\p{Cn}");
		return 0;
	}
	if (strcmp(canon, "Ascii") == 0) {
		if (sign > 0)
			emit_range(o, 0, 0x7F);
		else
			emit_range(o, 0x80, MAX_RUNE);
		return 0;
	}
	if (strcmp(canon, "Lc") == 0)
		prop = "L&";
	for (i = 0; !prop && i < sizeof(categories) / sizeof(categories[0]); i++)
		if (strcmp(canon, categories[i]) == 0)
			prop = categories[i];
	for (i = 0; !prop && i < sizeof(category_aliases) / sizeof(category_aliases[0]); i++)
		if (strcmp(canon, category_aliases[i][0]) == 0)
			prop = category_aliases[i][1];
	if (!prop) {
		for (i = 0; !prop && i < sizeof(scripts) / sizeof(scripts[0]); i++)
			if (strcmp(canon, scripts[i]) == 0)
				prop = scripts[i];
		/* A script this PCRE2 does not know cannot be matched. */
		if (!prop || !pcre_knows_property(prop))
			return 1;
	}
	for (i = 0; fold && i < sizeof(fold_extra) / sizeof(fold_extra[0]); i++) {
		if (strcmp(prop, fold_extra[i][0]) != 0)
			continue;
		/* Under (?i) Go adds every character whose case orbit meets
		 * the class (unicode.FoldCategory, FoldScript); PCRE2 never
		 * folds \p, so those characters are listed. */
		if (sign < 0 && !negated)
			break; /* inside [...]: the plain class, approximately */
		buf_addf(o, "\\p{%s}%s", prop, fold_extra[i][1]);
		if (sign < 0)
			*negated = 1;
		if (exclude && !strcmp(prop, "Lu"))
			*exclude = FOLD_SINGLETONS_LL;
		else if (exclude && !strcmp(prop, "Ll"))
			*exclude = FOLD_SINGLETONS_LU;
		return 0;
	}
	buf_addf(o, "\\%c{%s}", sign > 0 ? 'p' : 'P', prop);
	return 0;
}

/*
 * parseUnicodeClass at s ("\p..." or "\P..."): emits the items and sets
 * *next; *next stays NULL when s is no Unicode class.
 */
static int parse_unicode_class(struct parser *p, const char *s, const char *end,
			       struct buf *o, const char **next, int *negated,
			       const char **exclude)
{
	int sign;
	const char *t, *name, *seq_end;
	size_t name_len;
	long c;
	int error;

	*next = NULL;
	if (end - s < 2 || s[0] != '\\' || (s[1] != 'p' && s[1] != 'P'))
		return 0;
	sign = s[1] == 'P' ? -1 : 1;
	if ((error = next_rune(p, s + 2, end, &c, &t)) < 0)
		return error;
	if (c != '{') {
		seq_end = t;
		name = s + 2;
		name_len = (size_t)(t - name);
	} else {
		const char *close = memchr(s, '}', (size_t)(end - s));

		if (!close) {
			if ((error = check_utf8(p, s, end)) < 0)
				return error;
			return fail(p, E_CLASS_RANGE, s, (size_t)(end - s));
		}
		seq_end = close + 1;
		name = s + 3;
		name_len = (size_t)(close - name);
		if ((error = check_utf8(p, name, close)) < 0)
			return error;
	}
	if (name_len > 0 && name[0] == '^') {
		sign = -sign;
		name++;
		name_len--;
	}
	if (emit_unicode_table(o, name, name_len, sign, (p->flags & F_FOLD) != 0, negated,
			       exclude))
		return fail(p, E_CLASS_RANGE, s, (size_t)(seq_end - s));
	*next = seq_end;
	return 0;
}

static int is_alnum(long c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int unhex(long c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* Go's parseEscape at s (s[0] == '\\'): the rune, and *next after it. */
static int parse_escape(struct parser *p, const char *s, const char *end, long *out,
			const char **next)
{
	const char *t = s + 1;
	long c, r;
	int error, i;

	if (t >= end)
		return fail(p, E_BACKSLASH, "", 0);
	if ((error = next_rune(p, t, end, &c, &t)) < 0)
		return error;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		/* A single non-zero digit would be a backreference. */
		if (t >= end || *t < '0' || *t > '7')
			break;
		/* fall through */
	case '0':
		r = c - '0';
		for (i = 1; i < 3; i++) {
			if (t >= end || *t < '0' || *t > '7')
				break;
			r = r * 8 + (*t - '0');
			t++;
		}
		*out = r;
		*next = t;
		return 0;
	case 'x': {
		int x, y;

		if (t >= end)
			break;
		if ((error = next_rune(p, t, end, &c, &t)) < 0)
			return error;
		if (c == '{') {
			int nhex = 0;

			r = 0;
			for (;;) {
				if (t >= end)
					goto bad;
				if ((error = next_rune(p, t, end, &c, &t)) < 0)
					return error;
				if (c == '}')
					break;
				if (unhex(c) < 0)
					goto bad;
				r = r * 16 + unhex(c);
				if (r > MAX_RUNE)
					goto bad;
				nhex++;
			}
			if (nhex == 0)
				goto bad;
			*out = r;
			*next = t;
			return 0;
		}
		x = unhex(c);
		if ((error = next_rune(p, t, end, &c, &t)) < 0)
			return error;
		y = unhex(c);
		if (x < 0 || y < 0)
			break;
		*out = x * 16 + y;
		*next = t;
		return 0;
	}
	case 'a': *out = '\a'; *next = t; return 0;
	case 'f': *out = '\f'; *next = t; return 0;
	case 'n': *out = '\n'; *next = t; return 0;
	case 'r': *out = '\r'; *next = t; return 0;
	case 't': *out = '\t'; *next = t; return 0;
	case 'v': *out = '\v'; *next = t; return 0;
	default:
		if (c < 0x80 && !is_alnum(c)) {
			*out = c;
			*next = t;
			return 0;
		}
		break;
	}
bad:
	return fail(p, E_ESCAPE, s, (size_t)(t - s));
}

/* Go's parseClass at s (s[0] == '['). */
static int parse_class(struct parser *p, const char *s, const char *end, const char **next)
{
	struct buf items = BUF_INIT, folded = BUF_INIT, excl = BUF_INIT, tmp = BUF_INIT;
	const char *t = s + 1, *nt;
	int negate = 0, first = 1, error = 0, simple = 0;

	if (t < end && *t == '^') {
		negate = 1;
		t++;
	}
	while (t >= end || *t != ']' || first) {
		long lo, hi;
		const char *rng;

		first = 0;
		/* POSIX [:alnum:] etc. */
		if (end - t > 2 && t[0] == '[' && t[1] == ':') {
			const char *q = t + 2, *close = NULL;

			for (; q + 1 < end; q++) {
				if (q[0] == ':' && q[1] == ']') {
					close = q;
					break;
				}
			}
			if (close) {
				const char *nm = t + 2;
				size_t nlen = (size_t)(close - nm), i;
				int sign = 1, found = 0;

				if (nlen > 0 && nm[0] == '^') {
					sign = -1;
					nm++;
					nlen--;
				}
				for (i = 0; i < sizeof(posix_classes) / sizeof(posix_classes[0]); i++) {
					if (strlen(posix_classes[i].name) == nlen &&
					    memcmp(posix_classes[i].name, nm, nlen) == 0) {
						emit_table(&items, &posix_classes[i], sign, p->flags & F_FOLD);
						found = 1;
						break;
					}
				}
				if (!found) {
					error = fail(p, E_CLASS_RANGE, t, (size_t)(close + 2 - t));
					goto done;
				}
				t = close + 2;
				continue;
			}
		}
		/* Unicode \p{Han}; under (?i) \p{Lu} and \p{Ll} come with
		 * characters to leave out again (see FOLD_SINGLETONS_LL). */
		{
			const char *ex = NULL;

			buf_reset(&tmp);
			if ((error = parse_unicode_class(p, t, end, &tmp, &nt, NULL, &ex)) < 0)
				goto done;
			if (nt) {
				buf_add(ex ? &folded : &items, tmp.ptr, tmp.len);
				if (ex)
					buf_adds(&excl, ex);
				t = nt;
				continue;
			}
		}
		/* Perl \d \s \w */
		if (end - t >= 2 && t[0] == '\\') {
			int sign;
			const struct named_class *pc = find_perl_class(t[1], &sign);

			if (pc) {
				emit_table(&items, pc, sign, p->flags & F_FOLD);
				t += 2;
				continue;
			}
		}
		/* A character or a range. */
		rng = t;
		if (t >= end) {
			error = fail(p, E_BRACKET, s, rest_len(p, s));
			goto done;
		}
		if (*t == '\\')
			error = parse_escape(p, t, end, &lo, &t);
		else
			error = next_rune(p, t, end, &lo, &t);
		if (error < 0)
			goto done;
		hi = lo;
		if (end - t >= 2 && t[0] == '-' && t[1] != ']') {
			t++;
			if (*t == '\\')
				error = parse_escape(p, t, end, &hi, &t);
			else
				error = next_rune(p, t, end, &hi, &t);
			if (error < 0)
				goto done;
			if (hi < lo) {
				error = fail(p, E_CLASS_RANGE, rng, (size_t)(t - rng));
				goto done;
			}
		}
		emit_range(&items, lo, hi);
	}
	t++; /* ] */

	atom_begin(p);
	if (excl.len) {
		/* the class is (folded - excl) | items */
		if (negate && items.len)
			buf_addf(p->out, "(?:[^%s%s]|(?![%s])[%s])", folded.ptr, items.ptr,
				 items.ptr, excl.ptr);
		else if (negate)
			buf_addf(p->out, "(?:[^%s]|[%s])", folded.ptr, excl.ptr);
		else if (items.len)
			buf_addf(p->out, "(?:(?![%s])[%s%s]|[%s])", excl.ptr, folded.ptr,
				 items.ptr, items.ptr);
		else
			buf_addf(p->out, "(?:(?![%s])[%s])", excl.ptr, folded.ptr);
	} else if (items.len == 0) {
		buf_adds(p->out, negate ? "(?s:.)" : "(?!)");
	} else {
		buf_addf(p->out, "[%s%s]", negate ? "^" : "", items.ptr);
		simple = 1;
	}
	atom_end(p, simple);
	*next = t;
done:
	buf_release(&items);
	buf_release(&folded);
	buf_release(&excl);
	buf_release(&tmp);
	return error;
}

/* ---- groups ---- */

static int push_frame(struct parser *p, size_t open)
{
	struct frame *f;

	if (p->depth >= MAX_DEPTH)
		return fail(p, E_DEPTH, p->whole, p->wlen);
	if (p->depth == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 8;
		struct frame *s = realloc(p->stack, n * sizeof(*s));

		if (!s)
			return DIAG_ENOMEM;
		p->stack = s;
		p->alloc = n;
	}
	f = &p->stack[p->depth++];
	f->flags = p->flags;
	f->open = open;
	f->had_atom = p->have_atom;
	f->atom_start = p->atom_start;
	f->atom_prod = p->atom_prod;
	f->cur_prod = p->cur_prod;
	if (p->have_atom)
		p->cat_null &= p->atom_null;
	f->cat_null = p->cat_null;
	f->alt_null = p->alt_null;
	f->join = 0;
	f->pcap = p->npcre;
	f->mark = p->nmarks;
	p->have_atom = 0;
	p->cur_prod = 1;
	p->cat_null = 1;
	p->alt_null = 0;
	return 0;
}

/* Records that PCRE2's next group is Go's group g. */
static int gomap_add(struct parser *p, size_t g)
{
	if (p->npcre + 2 > p->gomap_alloc) {
		size_t n = p->gomap_alloc ? p->gomap_alloc * 2 : 16;
		size_t *m = realloc(p->gomap, n * sizeof(*m));

		if (!m)
			return DIAG_ENOMEM;
		p->gomap = m;
		p->gomap_alloc = n;
		m[0] = 0;
	}
	p->gomap[++p->npcre] = g;
	return 0;
}

static int open_capture(struct parser *p, const char *name, size_t len)
{
	size_t open = p->out->len;
	int error;

	p->ncap++;
	buf_add(&p->names, name, len);
	buf_addch(&p->names, '\0');
	buf_addch(p->out, '(');
	if ((error = push_frame(p, open)) < 0)
		return error;
	return gomap_add(p, p->ncap);
}

static int is_capture_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] != '_' && !is_alnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Go's parsePerlFlags at s ("(?..."). */
static int parse_perl_flags(struct parser *p, const char *s, const char *end, const char **next)
{
	const char *t = s;
	size_t n = (size_t)(end - s);
	unsigned flags;
	int sign = 1, saw = 0, error;
	long c;

	if ((n > 4 && t[2] == 'P' && t[3] == '<') || (n > 3 && t[2] == '<')) {
		size_t start = t[2] == 'P' ? 4 : 3;
		const char *gt = memchr(t, '>', n);

		if (!gt) {
			if ((error = check_utf8(p, t, end)) < 0)
				return error;
			return fail(p, E_NAMED, s, n);
		}
		if ((error = check_utf8(p, t + start, gt)) < 0)
			return error;
		if (!is_capture_name(t + start, (size_t)(gt - t - start)))
			return fail(p, E_NAMED, t, (size_t)(gt + 1 - t));
		if ((error = open_capture(p, t + start, (size_t)(gt - t - start))) < 0)
			return error;
		*next = gt + 1;
		return 0;
	}

	t += 2;
	flags = p->flags;
	while (t < end) {
		if ((error = next_rune(p, t, end, &c, &t)) < 0)
			return error;
		switch (c) {
		case 'i': flags |= F_FOLD; saw = 1; continue;
		case 'm': flags |= F_MULTILINE; saw = 1; continue;
		case 's': flags |= F_DOTNL; saw = 1; continue;
		case 'U': flags |= F_NONGREEDY; saw = 1; continue;
		case '-':
			if (sign < 0)
				break;
			sign = -1;
			flags = ~flags;
			saw = 0;
			continue;
		case ':':
		case ')':
			if (sign < 0) {
				if (!saw)
					break;
				flags = ~flags;
			}
			flags &= F_FOLD | F_MULTILINE | F_DOTNL | F_NONGREEDY;
			/* Only (?i) is left to PCRE2, whose option scoping is
			 * Go's: to the end of the enclosing group, across |. */
			if (c == ':') {
				size_t open = p->out->len;

				if ((flags ^ p->flags) & F_FOLD)
					buf_adds(p->out, (flags & F_FOLD) ? "(?i:" : "(?-i:");
				else
					buf_adds(p->out, "(?:");
				if ((error = push_frame(p, open)) < 0)
					return error;
			} else if ((flags ^ p->flags) & F_FOLD) {
				buf_adds(p->out, (flags & F_FOLD) ? "(?i)" : "(?-i)");
			}
			p->flags = flags;
			*next = t;
			return 0;
		default:
			break;
		}
		break;
	}
	return fail(p, E_PERL, s, (size_t)(t - s));
}

static int close_group(struct parser *p)
{
	struct frame *f;
	size_t prod;

	if (p->depth == 0)
		return fail(p, E_UNEXPECTED, p->whole, p->wlen);
	f = &p->stack[--p->depth];
	if (p->have_atom)
		p->cat_null &= p->atom_null;
	if (f->join)
		mark_emit(p, f->join, 'd');
	buf_addch(p->out, ')');
	p->atom_null = p->alt_null | p->cat_null;
	p->atom_pcap = f->pcap;
	p->atom_mark = f->mark;
	p->cat_null = f->cat_null;
	p->alt_null = f->alt_null;
	prod = p->cur_prod;
	p->flags = f->flags;
	p->cur_prod = f->cur_prod > prod ? f->cur_prod : prod;
	p->have_atom = 1;
	p->atom_start = f->open;
	p->atom_prod = prod;
	atom_end(p, 1);
	return 0;
}

/* ---- repetition ---- */

/* Go's parseInt: decimal, no leading zeros; -1 when too big. */
static int parse_int(const char **s, const char *end, long *n)
{
	const char *t = *s;

	if (t >= end || *t < '0' || *t > '9')
		return 0;
	if (end - t >= 2 && t[0] == '0' && t[1] >= '0' && t[1] <= '9')
		return 0;
	*n = 0;
	for (; t < end && *t >= '0' && *t <= '9'; t++) {
		if (*n >= 100000000)
			*n = -1;
		else if (*n >= 0)
			*n = *n * 10 + (*t - '0');
	}
	*s = t;
	return 1;
}

/* Go's parseRepeat at s ("{"): 1 if it is a repeat, with *next after '}'. */
static int parse_repeat(const char *s, const char *end, long *min, long *max, const char **next)
{
	const char *t = s + 1;

	if (!parse_int(&t, end, min) || t >= end)
		return 0;
	if (*t != ',') {
		*max = *min;
	} else {
		t++;
		if (t >= end)
			return 0;
		if (*t == '}') {
			*max = -1;
		} else {
			if (!parse_int(&t, end, max))
				return 0;
			if (*max < 0)
				*min = -1;
		}
	}
	if (t >= end || *t != '}')
		return 0;
	*next = t + 1;
	return 1;
}

static size_t mul_sat(size_t a, size_t b)
{
	if (a > MAX_REPEAT || b > MAX_REPEAT)
		return MAX_REPEAT + 1;
	return a * b > MAX_REPEAT ? MAX_REPEAT + 1 : a * b;
}

/*
 * Appends copy k of an atom's text: its marks above base renumbered by
 * k * span, its PCRE2 groups pcap+1..pend (Go's groups) counted again.
 */
static int emit_copy(struct parser *p, const char *body, size_t blen, unsigned base,
		     unsigned span, unsigned k, size_t pcap, size_t pend)
{
	size_t i, j;
	int error;

	for (i = 0; i < blen;) {
		if (i + 5 < blen && memcmp(body + i, "(?C{", 4) == 0) {
			char st = body[i + 4];
			unsigned long id = 0;

			for (j = i + 5; j < blen && body[j] >= '0' && body[j] <= '9'; j++)
				id = id * 10 + (unsigned long)(body[j] - '0');
			if (id > base)
				id += (unsigned long)k * span;
			buf_addf(p->out, "(?C{%c%lu})", st, id);
			i = j + 2; /* "})" */
			continue;
		}
		buf_addch(p->out, body[i++]);
	}
	if (k > 0)
		for (j = pcap + 1; j <= pend; j++)
			if ((error = gomap_add(p, p->gomap[j])) < 0)
				return error;
	return 0;
}

/* Expanded counted repeats larger than this are left to PCRE2's copies. */
#define MAX_EXPANSION ((size_t)1 << 18)

/*
 * x{min,max} (min >= 2 or max >= 2 or max < 0 with min >= 2) as Go's
 * simplify writes it, x{2,5} = xx(x(x(x)?)?)? and x{3,} = xxx+, each copy
 * with its own marks, so that visits are told apart as Go's distinct
 * instructions are. 0 when done, 1 when too large (left to PCRE2).
 */
static int expand_counted(struct parser *p, long min, long max, int nongreedy, int body_null)
{
	size_t blen = p->out->len - p->atom_start, pend = p->npcre;
	unsigned base = p->atom_mark, span = p->nmarks - base;
	long copies = max < 0 ? min : max, k, j;
	char *body;
	int error = 0;

	if ((size_t)copies * (blen + 16) > MAX_EXPANSION)
		return 1;
	if (!(body = malloc(blen + 1)))
		return DIAG_ENOMEM;
	memcpy(body, p->out->ptr + p->atom_start, blen);
	buf_truncate(p->out, p->atom_start);
	p->nmarks = base + span * (unsigned)copies;
	k = 0;
	if (max < 0) {
		unsigned l, e;
		char st = body_null ? 'L' : 'd';
		size_t from;

		for (; k < min - 1 && error == 0; k++)
			error = emit_copy(p, body, blen, base, span, (unsigned)k, p->atom_pcap, pend);
		l = mark_new(p);
		e = mark_new(p);
		buf_adds(p->out, "(?:");
		mark_emit(p, l, st);
		from = p->out->len;
		if (error == 0)
			error = emit_copy(p, body, blen, base, span, (unsigned)k, p->atom_pcap, pend);
		if (body_null)
			mark_set(p, from, p->out->len, "d", 'L');
		mark_emit(p, e, st);
		buf_adds(p->out, nongreedy ? ")+?" : ")+");
	} else {
		for (; k < min && error == 0; k++)
			error = emit_copy(p, body, blen, base, span, (unsigned)k, p->atom_pcap, pend);
		for (j = min; j < max && error == 0; j++, k++) {
			buf_adds(p->out, "(?:");
			error = emit_copy(p, body, blen, base, span, (unsigned)k, p->atom_pcap, pend);
		}
		for (j = min; j < max; j++) {
			buf_adds(p->out, nongreedy ? ")??" : ")?");
			mark_emit(p, mark_new(p), 'd');
		}
	}
	free(body);
	return error;
}

/*
 * Go's repeat: op ('*', '+', '?' or '{' with min/max) at before; after
 * points past the operator. *last is the previous repeat's start (or NULL).
 */
static int repeat(struct parser *p, char op, long min, long max, const char *before,
		  const char **after, const char *end, const char *last)
{
	int nongreedy = (p->flags & F_NONGREEDY) != 0;
	const char *a = *after;
	size_t prod;
	int star, plus, quest, counted, body_null, error;

	if (a < end && *a == '?') {
		a++;
		nongreedy = !nongreedy;
	}
	if (last)
		return fail(p, E_REPEAT_OP, last, (size_t)(a - last));
	if (!p->have_atom)
		return fail(p, E_ARG, before, (size_t)(a - before));

	prod = p->atom_prod;
	if (op == '{') {
		long m = max;

		if (m == 0) {
			prod = 1;
		} else {
			if (m < 0)
				m = min;
			if (m > 0)
				prod = mul_sat((size_t)m, prod);
		}
		if ((min >= 2 || max >= 2) && prod > MAX_REPEAT)
			return fail(p, E_REPEAT_SIZE, before, (size_t)(a - before));
	}

	/* Go's simplify: x{0,} is x*, x{1,} is x+, x{0,1} is x?; other counts
	 * copy x (distinct instructions in Go, one set of callouts in PCRE2) */
	star = op == '*' || (op == '{' && min == 0 && max < 0);
	plus = op == '+' || (op == '{' && min == 1 && max < 0);
	quest = op == '?' || (op == '{' && min == 0 && max == 1);
	counted = op == '{' && !star && !plus && !quest && (min >= 2 || max >= 2 || max < 0);
	body_null = p->atom_null;
	if ((star || plus || (counted && max < 0)) && body_null)
		p->saw_empty_loop = 1;

	/* atom quantifier, or (?:atom)quantifier when the atom is not one
	 * PCRE2 item; flag switches emitted after the atom stay after it */
	{
		size_t tail_len = p->out->len - p->atom_end;
		char *tail = NULL;

		if (tail_len) {
			if (!(tail = malloc(tail_len)))
				return DIAG_ENOMEM;
			memcpy(tail, p->out->ptr + p->atom_end, tail_len);
			buf_truncate(p->out, p->atom_end);
		}
		if (p->instrument && counted &&
		    (error = expand_counted(p, min, max, nongreedy, body_null)) <= 0) {
			if (error < 0) {
				free(tail);
				return error;
			}
			goto quantified;
		}
		if (p->instrument && (star || plus)) {
			/* Go: x* is L: split(x, out) with x jumping back to L;
			 * nullable x* is (x+)?; x+ is L: x; S: split(L, out) */
			size_t blen = p->out->len - p->atom_start;
			char *body = malloc(blen + 1);
			unsigned l = mark_new(p), e = star && !body_null ? l : mark_new(p);
			char st = body_null ? 'L' : 'd';

			if (!body) {
				free(tail);
				return DIAG_ENOMEM;
			}
			if (body_null)
				mark_set(p, p->atom_start, p->out->len, "d", 'L');
			memcpy(body, p->out->ptr + p->atom_start, blen);
			buf_truncate(p->out, p->atom_start);
			if (star && !body_null)
				mark_emit(p, l, st);
			buf_adds(p->out, "(?:");
			if (!(star && !body_null))
				mark_emit(p, l, st);
			buf_add(p->out, body, blen);
			mark_emit(p, e, st);
			buf_addch(p->out, ')');
			free(body);
		} else if (!p->atom_simple) {
			if (buf_grow(p->out, 3) < 0) {
				free(tail);
				return DIAG_ENOMEM;
			}
			memmove(p->out->ptr + p->atom_start + 3, p->out->ptr + p->atom_start,
				p->out->len - p->atom_start + 1);
			memcpy(p->out->ptr + p->atom_start, "(?:", 3);
			p->out->len += 3;
			buf_addch(p->out, ')');
		}
		if (counted)
			mark_set(p, p->atom_start, p->out->len, "dL", 'x');
		if (op == '{') {
			if (max == min)
				buf_addf(p->out, "{%ld}", min);
			else if (max < 0)
				buf_addf(p->out, "{%ld,}", min);
			else
				buf_addf(p->out, "{%ld,%ld}", min, max);
		} else {
			buf_addch(p->out, op);
		}
		if (nongreedy)
			buf_addch(p->out, '?');
		/* the instruction after x? or (x+)? joins two paths */
		if (quest || (star && body_null) || counted)
			mark_emit(p, mark_new(p), 'd');
quantified:
		/* a quantified item takes no second quantifier as is */
		atom_end(p, 0);
		if (tail) {
			buf_add(p->out, tail, tail_len);
			free(tail);
		}
	}
	if (star || quest || (op == '{' && min == 0))
		p->atom_null = 1;
	p->atom_prod = prod;
	if (prod > p->cur_prod)
		p->cur_prod = prod;
	*after = a;
	return 0;
}

/* ---- the parse loop ---- */

static int translate(struct parser *p)
{
	const char *t = p->whole, *end = p->whole + p->wlen;
	const char *last_repeat = NULL;
	int error;

	while (t < end) {
		const char *repeat_at = NULL;
		long c;

		switch (*t) {
		case '(':
			if (end - t >= 2 && t[1] == '?') {
				if ((error = parse_perl_flags(p, t, end, &t)) < 0)
					return error;
				break;
			}
			if ((error = open_capture(p, "", 0)) < 0)
				return error;
			t++;
			break;
		case '|':
			if (p->have_atom)
				p->cat_null &= p->atom_null;
			p->alt_null |= p->cat_null;
			p->cat_null = 1;
			if (p->depth > 0) {
				struct frame *f = &p->stack[p->depth - 1];

				if (!f->join)
					f->join = mark_new(p);
				mark_emit(p, f->join, 'd');
			}
			buf_addch(p->out, '|');
			p->have_atom = 0;
			t++;
			break;
		case ')':
			if ((error = close_group(p)) < 0)
				return error;
			t++;
			break;
		case '^':
			emit_assert(p, (p->flags & F_MULTILINE) ? "(?:\\A|(?<=\\n))" : "\\A");
			t++;
			break;
		case '$':
			emit_assert(p, (p->flags & F_MULTILINE) ? "(?=\\n|\\z)" : "\\z");
			t++;
			break;
		case '.':
			emit_op(p, (p->flags & F_DOTNL) ? "[\\x{0}-\\x{10ffff}]" : "[^\\n]", 1);
			t++;
			break;
		case '[':
			if ((error = parse_class(p, t, end, &t)) < 0)
				return error;
			break;
		case '*':
		case '+':
		case '?': {
			const char *before = t, *after = t + 1;

			if ((error = repeat(p, *t, 0, 0, before, &after, end, last_repeat)) < 0)
				return error;
			repeat_at = before;
			t = after;
			break;
		}
		case '{': {
			const char *before = t, *after;
			long min, max;

			if (!parse_repeat(t, end, &min, &max, &after)) {
				emit_literal(p, '{');
				t++;
				break;
			}
			if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
				return fail(p, E_REPEAT_SIZE, before, (size_t)(after - before));
			if ((error = repeat(p, '{', min, max, before, &after, end, last_repeat)) < 0)
				return error;
			repeat_at = before;
			t = after;
			break;
		}
		case '\\': {
			const char *nt;
			int sign;
			const struct named_class *pc;

			if (end - t >= 2) {
				switch (t[1]) {
				case 'A': emit_assert(p, "\\A"); t += 2; goto next;
				case 'b': emit_assert(p, "\\b"); t += 2; goto next;
				case 'B': emit_assert(p, "\\B"); t += 2; goto next;
				case 'z': emit_assert(p, "\\z"); t += 2; goto next;
				case 'C': return fail(p, E_ESCAPE, t, 2);
				case 'Q': {
					const char *lit = t + 2, *lend = end, *q;

					for (q = lit; q + 1 < end; q++) {
						if (q[0] == '\\' && q[1] == 'E') {
							lend = q;
							break;
						}
					}
					t = lend == end ? end : lend + 2;
					while (lit < lend) {
						if ((error = next_rune(p, lit, lend, &c, &lit)) < 0)
							return error;
						emit_literal(p, c);
					}
					goto next;
				}
				default:
					break;
				}
			}
			if (end - t >= 2 && (t[1] == 'p' || t[1] == 'P')) {
				struct buf items = BUF_INIT;
				int negated = 0;
				const char *excl = NULL;

				error = parse_unicode_class(p, t, end, &items, &nt, &negated, &excl);
				if (error == 0 && nt) {
					int simple = 0;

					atom_begin(p);
					if (excl && negated)
						buf_addf(p->out, "(?:[%s]|[^%s])", excl, items.ptr);
					else if (excl)
						buf_addf(p->out, "(?:(?![%s])[%s])", excl, items.ptr);
					else if (items.len)
						buf_addf(p->out, "[%s%s]", negated ? "^" : "", items.ptr),
						simple = 1;
					else
						buf_adds(p->out, "(?!)");
					atom_end(p, simple);
					t = nt;
				}
				buf_release(&items);
				if (error < 0)
					return error;
				if (nt)
					goto next;
			}
			if (end - t >= 2 && (pc = find_perl_class(t[1], &sign)) != NULL) {
				atom_begin(p);
				buf_addch(p->out, '[');
				emit_table(p->out, pc, sign, p->flags & F_FOLD);
				buf_addch(p->out, ']');
				atom_end(p, 1);
				t += 2;
				goto next;
			}
			if ((error = parse_escape(p, t, end, &c, &t)) < 0)
				return error;
			emit_literal(p, c);
			break;
		}
		default:
			if ((error = next_rune(p, t, end, &c, &t)) < 0)
				return error;
			emit_literal(p, c);
			break;
		}
next:
		last_repeat = repeat_at;
	}
	if (p->depth > 0)
		return fail(p, E_PAREN, p->whole, p->wlen);
	return 0;
}

/* ---- compile and match ---- */

void sre_free(struct sre *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re->gomap);
	free(re->names);
	free(re);
}

int sre_compile(struct sre **out, const char *pat, size_t len, struct buf *err)
{
	struct parser p;
	struct buf pcre = BUF_INIT;
	struct sre *re = NULL;
	pcre2_compile_context *cctx = NULL;
	int error, errcode;
	PCRE2_SIZE erroff;
	size_t i, off;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass > 0) {
			free(p.stack);
			free(p.gomap);
			buf_release(&p.names);
			buf_truncate(&pcre, 0);
		}
		memset(&p, 0, sizeof(p));
		p.whole = pat;
		p.wlen = len;
		p.out = &pcre;
		p.err = err;
		p.cur_prod = 1;
		p.cat_null = 1;
		p.instrument = pass > 0;
		p.names = (struct buf)BUF_INIT;
		buf_addch(&p.names, '\0'); /* group 0 */
		if ((error = translate(&p)) < 0)
			goto done;
		if (!p.saw_empty_loop)
			break;
	}
	if (p.instrument)
		mark_strip(&pcre);
	if (buf_oom(&pcre) || buf_oom(&p.names)) {
		error = DIAG_ENOMEM;
		goto done;
	}
	if (!(re = calloc(1, sizeof(*re))) ||
	    !(re->names = calloc(p.ncap + 1, sizeof(char *)))) {
		error = DIAG_ENOMEM;
		goto done;
	}
	re->ncap = p.ncap;
	if (p.instrument && strstr(pcre.ptr, "(?C{L"))
		re->nmarks = p.nmarks;
	re->npcre = p.npcre;
	if (p.npcre != p.ncap) {
		re->gomap = p.gomap;
		p.gomap = NULL;
	}
	/* names point into one block kept after the pointer array */
	{
		char **blk = realloc(re->names, (p.ncap + 1) * sizeof(char *) + p.names.len);
		char *text;

		if (!blk) {
			error = DIAG_ENOMEM;
			goto done;
		}
		re->names = blk;
		text = (char *)(blk + p.ncap + 1);
		memcpy(text, p.names.ptr, p.names.len);
		for (i = 0, off = 0; i <= p.ncap; i++) {
			blk[i] = text + off;
			off += strlen(text + off) + 1;
		}
	}
	cctx = pcre2_compile_context_create(NULL);
	if (!cctx) {
		error = DIAG_ENOMEM;
		goto done;
	}
	pcre2_set_parens_nest_limit(cctx, 4 * MAX_DEPTH + 16);
	re->code = pcre2_compile((PCRE2_SPTR)pcre.ptr, pcre.len,
				 PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C |
				 (re->nmarks ? PCRE2_NO_AUTO_POSSESS : 0),
				 &errcode, &erroff, cctx);
	if (!re->code) {
		/* The translation is ours: a failure here is a limit of PCRE2. */
		if (err)
			buf_addf(err, "error parsing regexp: expression too large: `%.*s`",
				 (int)len, pat);
		error = DIAG_ELIMIT;
		goto done;
	}
	*out = re;
	re = NULL;
	error = 0;
done:
	pcre2_compile_context_free(cctx);
	sre_free(re);
	free(p.stack);
	free(p.gomap);
	buf_release(&p.names);
	buf_release(&pcre);
	return error;
}

size_t sre_ncap(const struct sre *re)
{
	return re->ncap;
}

const char *sre_name(const struct sre *re, size_t i)
{
	return i <= re->ncap ? re->names[i] : "";
}

int sre_subject_init(struct sre_subject *sub, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, w, bad = 0, t;
	char *text;

	memset(sub, 0, sizeof(*sub));
	sub->s = s;
	sub->len = len;
	sub->text = s;
	sub->tlen = len;
	for (i = 0; i < len; i += w)
		if ((w = sre_rune_width(u + i, len - i)) == 1 && u[i] >= 0x80)
			bad++;
	if (!bad)
		return 0;
	sub->tlen = len + 2 * bad;
	text = malloc(sub->tlen + 1);
	sub->to_text = malloc((len + 1) * sizeof(size_t));
	sub->to_orig = malloc((sub->tlen + 1) * sizeof(size_t));
	if (!text || !sub->to_text || !sub->to_orig) {
		free(text);
		sub->text = NULL;
		sre_subject_release(sub);
		return DIAG_ENOMEM;
	}
	for (i = 0, t = 0; i < len; i += w) {
		size_t k;

		w = sre_rune_width(u + i, len - i);
		sub->to_text[i] = t;
		if (w == 1 && u[i] >= 0x80) {
			memcpy(text + t, "\xEF\xBF\xBD", 3);
			sub->to_orig[t] = sub->to_orig[t + 1] = sub->to_orig[t + 2] = i;
			t += 3;
			continue;
		}
		for (k = 0; k < w; k++) {
			text[t + k] = s[i + k];
			sub->to_orig[t + k] = i;
			if (k > 0)
				sub->to_text[i + k] = t;
		}
		t += w;
	}
	sub->to_text[len] = t;
	sub->to_orig[t] = len;
	text[t] = '\0';
	sub->text = text;
	return 0;
}

void sre_subject_release(struct sre_subject *sub)
{
	if (!sub)
		return;
	if (sub->text && sub->text != sub->s)
		free((char *)sub->text);
	free(sub->to_text);
	free(sub->to_orig);
	memset(sub, 0, sizeof(*sub));
}

static int dfa_exists(const struct sre *re, const struct sre_subject *sub, size_t tpos,
		      size_t *start);

/* The (mark, position) pairs one match call has visited (see "visit
 * marks"): an open-addressing set of mark * width + position + 1, so that
 * its cost follows the visits, not the subject's length. */
struct visits {
	uint64_t *slots;
	size_t cap, count;    /* cap: a power of two */
	size_t width;         /* positions per mark: the text's length + 1 */
};

/* More visits than this end the match as a limit (Go's engine is linear). */
#define MAX_VISITS ((size_t)1 << 24)

static size_t visit_slot(const uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);

	while (slots[i] && slots[i] != key)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Adds key: 1 if it was new, 0 if present, <0 on failure. */
static int visit_add(struct visits *v, uint64_t key)
{
	size_t i;

	if (v->slots && v->slots[visit_slot(v->slots, v->cap, key)] == key)
		return 0;
	if ((v->count + 1) * 2 > v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 256, k;
		uint64_t *n;

		if (v->count >= MAX_VISITS || !(n = calloc(ncap, sizeof(*n))))
			return -1;
		for (k = 0; k < v->cap; k++)
			if (v->slots[k])
				n[visit_slot(n, ncap, v->slots[k])] = v->slots[k];
		free(v->slots);
		v->slots = n;
		v->cap = ncap;
	}
	i = visit_slot(v->slots, v->cap, key);
	v->slots[i] = key;
	v->count++;
	return 1;
}

/* PCRE2 callout "(?C{L<id>})": fails the second visit of a mark at one
 * position, as Go's matchers do. */
static int visit_once(pcre2_callout_block *cb, void *data)
{
	struct visits *v = data;
	const char *s = (const char *)cb->callout_string;
	uint64_t id = 0;
	size_t i;
	int added;

	if (!s || cb->callout_string_length < 2 || s[0] != 'L')
		return 0;
	for (i = 1; i < cb->callout_string_length; i++)
		id = id * 10 + (uint64_t)(s[i] - '0');
	added = visit_add(v, id * v->width + cb->current_position + 1);
	if (added < 0)
		return PCRE2_ERROR_MATCHLIMIT;
	return added ? 0 : 1;
}

int sre_exec(const struct sre *re, const struct sre_subject *sub, size_t pos,
	     ssize_t *ovec, struct buf *err)
{
	pcre2_match_data *md = NULL;
	pcre2_match_context *mctx = NULL;
	PCRE2_SIZE *v;
	int rc, error;
	size_t i, tpos = sub->to_text ? sub->to_text[pos] : pos;
	struct visits vis = { NULL, 0, 0, sub->tlen + 1 };

	md = pcre2_match_data_create_from_pattern(re->code, NULL);
	mctx = pcre2_match_context_create(NULL);
	if (!md || !mctx) {
		error = DIAG_ENOMEM;
		goto done;
	}
	if (re->nmarks)
		pcre2_set_callout(mctx, visit_once, &vis);
	pcre2_set_match_limit(mctx, 1000000);
	pcre2_set_depth_limit(mctx, 100000);
	rc = pcre2_match(re->code, (PCRE2_SPTR)sub->text, sub->tlen, tpos, PCRE2_NO_UTF_CHECK,
			 md, mctx);
	if (rc == PCRE2_ERROR_NOMATCH) {
		error = 0;
		goto done;
	}
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT) {
		/* Backtracking blew up where Go's linear engine would not.
		 * The DFA matcher tells whether and where the leftmost match
		 * starts; no earlier start can match, so backtracking
		 * anchored there finds Go's leftmost-first match. */
		size_t start = 0;
		int e = dfa_exists(re, sub, tpos, &start);

		if (e == 0 || e == DIAG_ENOMEM) {
			error = e;
			goto done;
		}
		if (e == 1) {
			/* the last resort may work harder */
			pcre2_set_match_limit(mctx, 50000000);
			if (vis.slots)
				memset(vis.slots, 0, vis.cap * sizeof(*vis.slots));
			vis.count = 0;
			rc = pcre2_match(re->code, (PCRE2_SPTR)sub->text, sub->tlen, start,
					 PCRE2_NO_UTF_CHECK | PCRE2_ANCHORED, md, mctx);
		}
	}
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		if (err)
			buf_addf(err, "regexp: %s", (const char *)msg);
		error = DIAG_ELIMIT;
		goto done;
	}
	v = pcre2_get_ovector_pointer(md);
	for (i = 0; i <= re->ncap; i++)
		ovec[2 * i] = ovec[2 * i + 1] = -1;
	/* Copies of one Go group (x{2,5}) are set one after the other along
	 * the match, at positions that only grow: the one set last starts
	 * last (or, both starting there, the empty one was first). */
	for (i = 0; i <= re->npcre && i < (size_t)rc; i++) {
		if (v[2 * i] != PCRE2_UNSET) {
			size_t a = v[2 * i], b = v[2 * i + 1];
			size_t g = re->gomap ? re->gomap[i] : i;

			if (sub->to_orig) {
				a = sub->to_orig[a];
				b = sub->to_orig[b];
			}
			if (ovec[2 * g] >= 0 && ((ssize_t)a < ovec[2 * g] ||
			    ((ssize_t)a == ovec[2 * g] && (ssize_t)b < ovec[2 * g + 1])))
				continue;
			ovec[2 * g] = (ssize_t)a;
			ovec[2 * g + 1] = (ssize_t)b;
		}
	}
	error = 1;
done:
	free(vis.slots);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mctx);
	return error;
}

/* PCRE2's DFA matcher from tpos: 1 if some match exists (*start: where the
 * leftmost one starts), 0 if none, <0. */
static int dfa_exists(const struct sre *re, const struct sre_subject *sub, size_t tpos,
		      size_t *start)
{
	pcre2_match_data *md = NULL;
	pcre2_match_context *mctx = NULL;
	int *ws = NULL, rc = PCRE2_ERROR_NOMEMORY, error;
	size_t wscount = 4096;

	md = pcre2_match_data_create(1, NULL);
	mctx = pcre2_match_context_create(NULL);
	if (!md || !mctx) {
		error = DIAG_ENOMEM;
		goto done;
	}
	pcre2_set_match_limit(mctx, 1000000);
	pcre2_set_depth_limit(mctx, 100000);
	for (;;) {
		if (!(ws = malloc(wscount * sizeof(int)))) {
			error = DIAG_ENOMEM;
			goto done;
		}
		rc = pcre2_dfa_match(re->code, (PCRE2_SPTR)sub->text, sub->tlen, tpos,
				     PCRE2_NO_UTF_CHECK | PCRE2_DFA_SHORTEST, md, mctx, ws, wscount);
		free(ws);
		ws = NULL;
		if (rc == PCRE2_ERROR_DFA_WSSIZE && wscount < (1u << 22)) {
			wscount *= 4;
			continue;
		}
		break;
	}
	error = rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : DIAG_ELIMIT;
	if (error == 1)
		*start = pcre2_get_ovector_pointer(md)[0];
done:
	free(ws);
	pcre2_match_data_free(md);
	pcre2_match_context_free(mctx);
	return error;
}

int sre_test(const struct sre *re, const struct sre_subject *sub, struct buf *err)
{
	ssize_t *ovec = malloc(2 * (re->ncap + 1) * sizeof(*ovec));
	int error;

	if (!ovec)
		return DIAG_ENOMEM;
	error = sre_exec(re, sub, 0, ovec, err);
	free(ovec);
	return error;
}

int sre_find_all(const struct sre *re, const char *s, size_t len, long long n,
		 sre_match_fn fn, void *payload, struct buf *err)
{
	ssize_t *ovec;
	size_t pos = 0;
	ssize_t prev_end = -1;
	long long i = 0;
	int error = 0;

	if (n < 0)
		n = (long long)len + 1;
	struct sre_subject sub;

	if ((error = sre_subject_init(&sub, s, len)) < 0)
		return error;
	if (!(ovec = malloc(2 * (re->ncap + 1) * sizeof(*ovec)))) {
		sre_subject_release(&sub);
		return DIAG_ENOMEM;
	}
	while (i < n && pos <= len) {
		int accept = 1;

		if ((error = sre_exec(re, &sub, pos, ovec, err)) <= 0)
			break;
		error = 0;
		if ((size_t)ovec[1] == pos) {
			size_t w = sre_rune_width((const unsigned char *)s + pos, len - pos);

			if (ovec[0] == prev_end)
				accept = 0;
			pos = w > 0 ? pos + w : len + 1;
		} else {
			pos = (size_t)ovec[1];
		}
		prev_end = ovec[1];
		if (accept) {
			if ((error = fn(ovec, payload)) < 0)
				break;
			i++;
		}
	}
	free(ovec);
	sre_subject_release(&sub);
	return error < 0 ? error : 0;
}

int sre_quote_meta(struct buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (strchr("\\.+*?()|[]{}^$", s[i]) && s[i])
			buf_addch(out, '\\');
		buf_addch(out, s[i]);
	}
	return buf_oom(out) ? -1 : 0;
}

/* unicode.IsLetter || unicode.IsDigit for a non-ASCII rune, asked of PCRE2. */
static int is_unicode_word(const char *s, size_t w)
{
	int errcode, rc;
	PCRE2_SIZE erroff;
	pcre2_code *c;
	pcre2_match_data *md;

	c = pcre2_compile((PCRE2_SPTR) "^[\\p{L}\\p{Nd}]", PCRE2_ZERO_TERMINATED, PCRE2_UTF,
			  &errcode, &erroff, NULL);
	if (!c)
		return 0;
	md = pcre2_match_data_create_from_pattern(c, NULL);
	rc = md ? pcre2_match(c, (PCRE2_SPTR)s, w, 0, 0, md, NULL) : -1;
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	return rc > 0;
}

/* Go's extract: the name after '$' ("name" or "{name}"). */
static int extract(const char *s, const char *end, const char **name, size_t *nlen,
		   long *num, const char **rest)
{
	int brace = 0;
	const char *t;
	size_t i;

	if (s >= end)
		return 0;
	if (*s == '{') {
		brace = 1;
		s++;
	}
	t = s;
	while (t < end) {
		unsigned char c = (unsigned char)*t;
		size_t w;

		if (c < 0x80) {
			if (!is_alnum(c) && c != '_')
				break;
			t++;
			continue;
		}
		w = sre_rune_width((const unsigned char *)t, (size_t)(end - t));
		if (w == 1 || !is_unicode_word(t, w))
			break;
		t += w;
	}
	if (t == s)
		return 0;
	*name = s;
	*nlen = (size_t)(t - s);
	if (brace) {
		if (t >= end || *t != '}')
			return 0;
		t++;
	}
	*num = 0;
	for (i = 0; i < *nlen; i++) {
		if (s[i] < '0' || s[i] > '9' || *num >= 100000000) {
			*num = -1;
			break;
		}
		*num = *num * 10 + (s[i] - '0');
	}
	if (s[0] == '0' && *nlen > 1)
		*num = -1;
	*rest = t;
	return 1;
}

int sre_expand(struct buf *out, const struct sre *re, const char *tmpl, size_t tlen,
	       const char *src, const ssize_t *ovec)
{
	const char *t = tmpl, *end = tmpl + tlen;

	while (t < end) {
		const char *dollar = memchr(t, '$', (size_t)(end - t));
		const char *name, *rest;
		size_t nlen, i;
		long num;

		if (!dollar)
			break;
		buf_add(out, t, (size_t)(dollar - t));
		t = dollar + 1;
		if (t < end && *t == '$') {
			buf_addch(out, '$');
			t++;
			continue;
		}
		if (!extract(t, end, &name, &nlen, &num, &rest)) {
			buf_addch(out, '$');
			continue;
		}
		t = rest;
		if (num >= 0) {
			if ((size_t)num <= re->ncap && ovec[2 * num] >= 0)
				buf_add(out, src + ovec[2 * num],
					(size_t)(ovec[2 * num + 1] - ovec[2 * num]));
			continue;
		}
		for (i = 0; i <= re->ncap; i++) {
			if (strlen(re->names[i]) == nlen && memcmp(re->names[i], name, nlen) == 0 &&
			    ovec[2 * i] >= 0) {
				buf_add(out, src + ovec[2 * i],
					(size_t)(ovec[2 * i + 1] - ovec[2 * i]));
				break;
			}
		}
	}
	buf_add(out, t, (size_t)(end - t));
	return buf_oom(out) ? -1 : 0;
}

