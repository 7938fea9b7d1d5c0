/* Go's UTF-8, unicode and strconv rules as the Sprig string families need them. */
#include "render/tmpl/sprig_strings_util.h"
#include "render/buf.h"
#include "render/tmpl/tval.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

int32_t sprigu_decode(const char *str, size_t len, size_t *size)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c0 = len ? s[0] : 0;
	unsigned lo = 0x80, hi = 0xBF, n;
	int32_t r;

	if (len == 0) {
		*size = 0;
		return SPRIGU_RUNE_ERROR;
	}
	if (c0 < 0x80) {
		*size = 1;
		return (int32_t)c0;
	}
	/* Go's first-byte table: widths and the accepted range of byte 2. */
	if (c0 >= 0xC2 && c0 <= 0xDF) {
		n = 2;
	} else if (c0 >= 0xE0 && c0 <= 0xEF) {
		n = 3;
		if (c0 == 0xE0)
			lo = 0xA0;
		else if (c0 == 0xED)
			hi = 0x9F;
	} else if (c0 >= 0xF0 && c0 <= 0xF4) {
		n = 4;
		if (c0 == 0xF0)
			lo = 0x90;
		else if (c0 == 0xF4)
			hi = 0x8F;
	} else {
		*size = 1;
		return SPRIGU_RUNE_ERROR;
	}
	if (len < n || s[1] < lo || s[1] > hi) {
		*size = 1;
		return SPRIGU_RUNE_ERROR;
	}
	for (unsigned i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF) {
			*size = 1;
			return SPRIGU_RUNE_ERROR;
		}
	}
	if (n == 2)
		r = (int32_t)(((c0 & 0x1F) << 6) | (s[1] & 0x3F));
	else if (n == 3)
		r = (int32_t)(((c0 & 0x0F) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3F));
	else
		r = (int32_t)(((c0 & 0x07) << 18) | ((s[1] & 0x3Fu) << 12) |
			      ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3F));
	*size = n;
	return r;
}

int sprigu_put_rune(struct buf *out, int32_t r)
{
	unsigned char b[4];
	size_t n;

	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = SPRIGU_RUNE_ERROR;
	if (r < 0x80) {
		b[0] = (unsigned char)r;
		n = 1;
	} else if (r < 0x800) {
		b[0] = (unsigned char)(0xC0 | (r >> 6));
		b[1] = (unsigned char)(0x80 | (r & 0x3F));
		n = 2;
	} else if (r < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (r >> 12));
		b[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (r & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (r >> 18));
		b[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (r & 0x3F));
		n = 4;
	}
	return buf_add(out, b, n);
}

/* glibc's C.UTF-8 classification, made once; NULL if unavailable (then
 * only ASCII and Latin-1 are classified). */
static locale_t S_loc;
static pthread_once_t S_loc_once = PTHREAD_ONCE_INIT;
static wctrans_t S_totitle;

static void S_loc_init(void)
{
	S_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!S_loc)
		S_loc = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
	if (S_loc)
		S_totitle = wctrans_l("totitle", S_loc);
}

static locale_t S_locale(void)
{
	pthread_once(&S_loc_once, S_loc_init);
	return S_loc;
}

struct S_range {
	int32_t lo, hi;
};

static int S_in(const struct S_range *t, size_t n, int32_t r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < t[mid].lo)
			hi = mid;
		else if (r > t[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

#define S_IN(table, r) S_in(table, sizeof(table) / sizeof(table[0]), r)

/* Lt: title-case letters (neither Lu nor Ll in Go). */
static const struct S_range S_title[] = {
	{ 0x01C5, 0x01C5 }, { 0x01C8, 0x01C8 }, { 0x01CB, 0x01CB }, { 0x01F2, 0x01F2 },
	{ 0x1F88, 0x1F8F }, { 0x1F98, 0x1F9F }, { 0x1FA8, 0x1FAF }, { 0x1FBC, 0x1FBC },
	{ 0x1FCC, 0x1FCC }, { 0x1FFC, 0x1FFC },
};

/* Cased code points that are not letters in Go (Nl, So). */
static const struct S_range S_cased_nonletter[] = {
	{ 0x2160, 0x217F }, { 0x24B6, 0x24E9 },
};

/* Nd, Nl, No outside ASCII (the common blocks). */
static const struct S_range S_number[] = {
	{ 0x00B2, 0x00B3 }, { 0x00B9, 0x00B9 }, { 0x00BC, 0x00BE }, { 0x0660, 0x0669 },
	{ 0x06F0, 0x06F9 }, { 0x07C0, 0x07C9 }, { 0x0966, 0x096F }, { 0x09E6, 0x09EF },
	{ 0x09F4, 0x09F9 }, { 0x0A66, 0x0A6F }, { 0x0AE6, 0x0AEF }, { 0x0B66, 0x0B6F },
	{ 0x0BE6, 0x0BF2 }, { 0x0C66, 0x0C6F }, { 0x0CE6, 0x0CEF }, { 0x0D66, 0x0D78 },
	{ 0x0DE6, 0x0DEF }, { 0x0E50, 0x0E59 }, { 0x0ED0, 0x0ED9 }, { 0x0F20, 0x0F33 },
	{ 0x1040, 0x1049 }, { 0x1090, 0x1099 }, { 0x1369, 0x137C }, { 0x16EE, 0x16F0 },
	{ 0x17E0, 0x17E9 }, { 0x1810, 0x1819 }, { 0x1946, 0x194F }, { 0x19D0, 0x19DA },
	{ 0x1A80, 0x1A89 }, { 0x1A90, 0x1A99 }, { 0x1B50, 0x1B59 }, { 0x1BB0, 0x1BB9 },
	{ 0x1C40, 0x1C49 }, { 0x1C50, 0x1C59 }, { 0x2070, 0x2070 }, { 0x2074, 0x2079 },
	{ 0x2080, 0x2089 }, { 0x2150, 0x2182 }, { 0x2185, 0x2189 }, { 0x2460, 0x249B },
	{ 0x24EA, 0x24FF }, { 0x2776, 0x2793 }, { 0x2CFD, 0x2CFD }, { 0x3007, 0x3007 },
	{ 0x3021, 0x3029 }, { 0x3038, 0x303A }, { 0x3192, 0x3195 }, { 0x3220, 0x3229 },
	{ 0x3248, 0x324F }, { 0x3251, 0x325F }, { 0x3280, 0x3289 }, { 0x32B1, 0x32BF },
	{ 0xA620, 0xA629 }, { 0xA6E6, 0xA6EF }, { 0xA8D0, 0xA8D9 }, { 0xA900, 0xA909 },
	{ 0xA9D0, 0xA9D9 }, { 0xA9F0, 0xA9F9 }, { 0xAA50, 0xAA59 }, { 0xABF0, 0xABF9 },
	{ 0xFF10, 0xFF19 }, { 0x104A0, 0x104A9 }, { 0x1D7CE, 0x1D7FF }, { 0x1F100, 0x1F10C },
};

/* Nd only (unicode.IsDigit) outside ASCII: the decimal blocks above. */
static const struct S_range S_digit[] = {
	{ 0x0660, 0x0669 }, { 0x06F0, 0x06F9 }, { 0x07C0, 0x07C9 }, { 0x0966, 0x096F },
	{ 0x09E6, 0x09EF }, { 0x0A66, 0x0A6F }, { 0x0AE6, 0x0AEF }, { 0x0B66, 0x0B6F },
	{ 0x0BE6, 0x0BEF }, { 0x0C66, 0x0C6F }, { 0x0CE6, 0x0CEF }, { 0x0D66, 0x0D6F },
	{ 0x0DE6, 0x0DEF }, { 0x0E50, 0x0E59 }, { 0x0ED0, 0x0ED9 }, { 0x0F20, 0x0F29 },
	{ 0x1040, 0x1049 }, { 0x1090, 0x1099 }, { 0x17E0, 0x17E9 }, { 0x1810, 0x1819 },
	{ 0x1946, 0x194F }, { 0x19D0, 0x19D9 }, { 0x1A80, 0x1A89 }, { 0x1A90, 0x1A99 },
	{ 0x1B50, 0x1B59 }, { 0x1BB0, 0x1BB9 }, { 0x1C40, 0x1C49 }, { 0x1C50, 0x1C59 },
	{ 0xA620, 0xA629 }, { 0xA8D0, 0xA8D9 }, { 0xA900, 0xA909 }, { 0xA9D0, 0xA9D9 },
	{ 0xA9F0, 0xA9F9 }, { 0xAA50, 0xAA59 }, { 0xABF0, 0xABF9 }, { 0xFF10, 0xFF19 },
	{ 0x104A0, 0x104A9 }, { 0x1D7CE, 0x1D7FF },
};

/* P* outside ASCII (the common blocks). */
static const struct S_range S_punct[] = {
	{ 0x00A1, 0x00A1 }, { 0x00A7, 0x00A7 }, { 0x00AB, 0x00AB }, { 0x00B6, 0x00B7 },
	{ 0x00BB, 0x00BB }, { 0x00BF, 0x00BF }, { 0x037E, 0x037E }, { 0x0387, 0x0387 },
	{ 0x055A, 0x055F }, { 0x0589, 0x058A }, { 0x05BE, 0x05BE }, { 0x05C0, 0x05C0 },
	{ 0x05C3, 0x05C3 }, { 0x05C6, 0x05C6 }, { 0x05F3, 0x05F4 }, { 0x0609, 0x060A },
	{ 0x060C, 0x060D }, { 0x061B, 0x061B }, { 0x061D, 0x061F }, { 0x066A, 0x066D },
	{ 0x06D4, 0x06D4 }, { 0x0964, 0x0965 }, { 0x0970, 0x0970 }, { 0x0E4F, 0x0E4F },
	{ 0x0E5A, 0x0E5B }, { 0x10FB, 0x10FB }, { 0x1360, 0x1368 }, { 0x166E, 0x166E },
	{ 0x169B, 0x169C }, { 0x16EB, 0x16ED }, { 0x2010, 0x2027 }, { 0x2030, 0x2043 },
	{ 0x2045, 0x2051 }, { 0x2053, 0x205E }, { 0x207D, 0x207E }, { 0x208D, 0x208E },
	{ 0x2308, 0x230B }, { 0x2329, 0x232A }, { 0x2768, 0x2775 }, { 0x27C5, 0x27C6 },
	{ 0x27E6, 0x27EF }, { 0x2983, 0x2998 }, { 0x29D8, 0x29DB }, { 0x29FC, 0x29FD },
	{ 0x2CF9, 0x2CFC }, { 0x2CFE, 0x2CFF }, { 0x2E00, 0x2E2E }, { 0x2E30, 0x2E4F },
	{ 0x2E52, 0x2E5D }, { 0x3001, 0x3003 }, { 0x3008, 0x3011 }, { 0x3014, 0x301F },
	{ 0x3030, 0x3030 }, { 0x303D, 0x303D }, { 0x30A0, 0x30A0 }, { 0x30FB, 0x30FB },
	{ 0xFE10, 0xFE19 }, { 0xFE30, 0xFE52 }, { 0xFE54, 0xFE61 }, { 0xFE63, 0xFE63 },
	{ 0xFE68, 0xFE68 }, { 0xFE6A, 0xFE6B }, { 0xFF01, 0xFF03 }, { 0xFF05, 0xFF0A },
	{ 0xFF0C, 0xFF0F }, { 0xFF1A, 0xFF1B }, { 0xFF1F, 0xFF20 }, { 0xFF3B, 0xFF3D },
	{ 0xFF3F, 0xFF3F }, { 0xFF5B, 0xFF5B }, { 0xFF5D, 0xFF5D }, { 0xFF5F, 0xFF65 },
};

/* Not printable for Go beyond what glibc says: spaces other than U+0020
 * (Z*) and format characters (Cf). */
static const struct S_range S_unprintable[] = {
	{ 0x00A0, 0x00A0 }, { 0x00AD, 0x00AD }, { 0x0600, 0x0605 }, { 0x061C, 0x061C },
	{ 0x06DD, 0x06DD }, { 0x070F, 0x070F }, { 0x0890, 0x0891 }, { 0x08E2, 0x08E2 },
	{ 0x1680, 0x1680 }, { 0x180E, 0x180E }, { 0x2000, 0x200F }, { 0x2028, 0x202F },
	{ 0x205F, 0x2064 }, { 0x2066, 0x206F }, { 0x3000, 0x3000 }, { 0xFEFF, 0xFEFF },
	{ 0xFFF9, 0xFFFB }, { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD }, { 0x13430, 0x1343F },
	{ 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F },
};

int sprigu_is_space(int32_t r)
{
	if (r <= 0xFF)
		return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0;
	return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
	       r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

int sprigu_is_title(int32_t r)
{
	return S_IN(S_title, r);
}

int sprigu_is_upper(int32_t r)
{
	locale_t l;

	if (r < 0x80)
		return r >= 'A' && r <= 'Z';
	if (r <= 0xFF)
		return (r >= 0xC0 && r <= 0xDE && r != 0xD7);
	if (sprigu_is_title(r) || S_IN(S_cased_nonletter, r))
		return 0;
	l = S_locale();
	return l && r <= 0x10FFFF && iswupper_l((wint_t)r, l);
}

int sprigu_is_lower(int32_t r)
{
	locale_t l;

	if (r < 0x80)
		return r >= 'a' && r <= 'z';
	if (r <= 0xFF)
		return r == 0xB5 || (r >= 0xDF && r <= 0xFF && r != 0xF7);
	if (sprigu_is_title(r) || S_IN(S_cased_nonletter, r))
		return 0;
	l = S_locale();
	return l && r <= 0x10FFFF && iswlower_l((wint_t)r, l);
}

int sprigu_is_digit(int32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return S_IN(S_digit, r);
}

int sprigu_is_number(int32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return S_IN(S_number, r);
}

int sprigu_is_letter(int32_t r)
{
	locale_t l;

	if (r < 0x80)
		return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
	if (r <= 0xFF)
		return r == 0xAA || r == 0xB5 || r == 0xBA ||
		       (r >= 0xC0 && r != 0xD7 && r != 0xF7);
	if (S_IN(S_number, r) || S_IN(S_cased_nonletter, r))
		return 0;
	l = S_locale();
	return l && r <= 0x10FFFF && iswalpha_l((wint_t)r, l);
}

int sprigu_is_punct(int32_t r)
{
	if (r < 0x80)
		return r > ' ' && r < 0x7F && !((r | 0x20) >= 'a' && (r | 0x20) <= 'z') &&
		       !(r >= '0' && r <= '9') && !strchr("$+<=>^`|~", (int)r);
	return S_IN(S_punct, r);
}

int sprigu_is_print(int32_t r)
{
	locale_t l;

	if (r < 0x80)
		return r >= ' ' && r < 0x7F;
	if (r <= 0xA0 || r == 0xAD)
		return 0;
	if (r <= 0xFF)
		return 1;
	if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF) || S_IN(S_unprintable, r))
		return 0;
	if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000)
		return 0; /* private use: Co is not graphic in Go */
	l = S_locale();
	return l && iswprint_l((wint_t)r, l);
}

int32_t sprigu_to_upper(int32_t r)
{
	locale_t l;

	if (r < 0x80)
		return (r >= 'a' && r <= 'z') ? r - 32 : r;
	if (r == 0xB5)
		return 0x39C;
	if (r == 0xFF)
		return 0x178;
	if (r <= 0xFF)
		return (r >= 0xE0 && r <= 0xFE && r != 0xF7) ? r - 32 : r;
	l = S_locale();
	if (!l || r > 0x10FFFF)
		return r;
	return (int32_t)towupper_l((wint_t)r, l);
}

int32_t sprigu_to_lower(int32_t r)
{
	locale_t l;

	if (r < 0x80)
		return (r >= 'A' && r <= 'Z') ? r + 32 : r;
	if (r <= 0xFF)
		return (r >= 0xC0 && r <= 0xDE && r != 0xD7) ? r + 32 : r;
	l = S_locale();
	if (!l || r > 0x10FFFF)
		return r;
	return (int32_t)towlower_l((wint_t)r, l);
}

int32_t sprigu_to_title(int32_t r)
{
	locale_t l;

	if (r <= 0xFF)
		return sprigu_to_upper(r);
	l = S_locale();
	if (!l || !S_totitle || r > 0x10FFFF)
		return sprigu_to_upper(r);
	return (int32_t)towctrans_l((wint_t)r, S_totitle, l);
}

int sprigu_quote(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, w;

	buf_addch(out, '"');
	while (i < len) {
		int32_t r = sprigu_decode(s + i, len - i, &w);

		if (w == 1 && r == SPRIGU_RUNE_ERROR) {
			unsigned char c = (unsigned char)s[i];

			buf_adds(out, "\\x");
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		} else if (r == '"' || r == '\\') {
			buf_addch(out, '\\');
			buf_addch(out, (int)r);
		} else if (sprigu_is_print(r)) {
			buf_add(out, s + i, w);
		} else {
			switch (r) {
			case '\a': buf_adds(out, "\\a"); break;
			case '\b': buf_adds(out, "\\b"); break;
			case '\f': buf_adds(out, "\\f"); break;
			case '\n': buf_adds(out, "\\n"); break;
			case '\r': buf_adds(out, "\\r"); break;
			case '\t': buf_adds(out, "\\t"); break;
			case '\v': buf_adds(out, "\\v"); break;
			default:
				if (r < ' ' || r == 0x7F)
					buf_addf(out, "\\x%c%c", hex[r >> 4], hex[r & 15]);
				else if (r < 0x10000)
					buf_addf(out, "\\u%04x", (unsigned)r);
				else
					buf_addf(out, "\\U%08x", (unsigned)r);
			}
		}
		i += w;
	}
	return buf_addch(out, '"');
}

int sprigu_strval(struct buf *out, struct tmpl_rt *rt, const struct tval *v)
{
	size_t len;
	const char *s;

	if (v->kind == TV_STRING || v->kind == TV_BYTES) {
		s = tval_str_ptr(v, &len);
		return buf_add(out, s, len);
	}
	return tval_format(out, rt, v);
}

int sprigu_empty(const struct tval *v)
{
	switch (v->kind) {
	case TV_INVALID:
	case TV_NIL:
		return 1;
	case TV_BOOL:
		return !v->u.b;
	case TV_INT:
	case TV_INT64:
	case TV_UINT8:
	case TV_DURATION:
		return v->u.i == 0;
	case TV_FLOAT64:
		return v->u.f == 0;
	case TV_STRING:
	case TV_BYTES:
		return json_string_length(v->u.j) == 0;
	case TV_LIST:
	case TV_STRLIST:
		return json_array_size(v->u.j) == 0;
	case TV_MAP:
	case TV_VALUES:
		return json_object_size(v->u.j) == 0;
	default:
		/* structs (time.Time), non-nil pointers and host objects */
		return 0;
	}
}

static int S_lower(int c)
{
	return c | 0x20;
}

/* Go's underscoreOK: underscores only between digits (a base prefix
 * counts as a digit). */
static int S_underscore_ok(const char *s, size_t len)
{
	char saw = '^';
	size_t i = 0;
	int hex = 0;

	if (len >= 1 && (s[0] == '-' || s[0] == '+')) {
		s++;
		len--;
	}
	if (len >= 2 && s[0] == '0' &&
	    (S_lower(s[1]) == 'b' || S_lower(s[1]) == 'o' || S_lower(s[1]) == 'x')) {
		i = 2;
		saw = '0';
		hex = S_lower(s[1]) == 'x';
	}
	for (; i < len; i++) {
		int c = (unsigned char)s[i];

		if ((c >= '0' && c <= '9') || (hex && S_lower(c) >= 'a' && S_lower(c) <= 'f')) {
			saw = '0';
			continue;
		}
		if (c == '_') {
			if (saw != '0')
				return 0;
			saw = '_';
			continue;
		}
		if (saw == '_')
			return 0;
		saw = '!';
	}
	return saw != '_';
}

int sprigu_parse_int(int64_t *out, const char *s0, size_t len0, int base)
{
	const char *s = s0;
	size_t len = len0;
	int neg = 0, underscores = 0;
	uint64_t n = 0, cutoff, maxval = UINT64_MAX;

	*out = 0;
	if (len == 0)
		return -1;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		s++;
		len--;
	}
	if (len == 0)
		return -1;
	if (base == 0) {
		base = 10;
		if (s[0] == '0') {
			if (len >= 3 && S_lower(s[1]) == 'b') {
				base = 2;
				s += 2;
				len -= 2;
			} else if (len >= 3 && S_lower(s[1]) == 'o') {
				base = 8;
				s += 2;
				len -= 2;
			} else if (len >= 3 && S_lower(s[1]) == 'x') {
				base = 16;
				s += 2;
				len -= 2;
			} else {
				base = 8;
				s++;
				len--;
			}
		}
		underscores = 1; /* allowed, checked below */
	}
	cutoff = UINT64_MAX / (uint64_t)base + 1;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i], d;

		if (c == '_' && underscores) {
			underscores = 2;
			continue;
		} else if (c >= '0' && c <= '9') {
			d = c - '0';
		} else if (S_lower(c) >= 'a' && S_lower(c) <= 'z') {
			d = S_lower(c) - 'a' + 10;
		} else {
			return -1;
		}
		if (d >= base)
			return -1;
		if (n >= cutoff) {
			n = maxval;
			goto range;
		}
		n *= (uint64_t)base;
		if (n + (uint64_t)d < n) {
			n = maxval;
			goto range;
		}
		n += (uint64_t)d;
	}
	if (underscores == 2 && !S_underscore_ok(s0, len0))
		return -1;
	if (!neg && n > (uint64_t)INT64_MAX) {
		*out = INT64_MAX;
		return -2;
	}
	if (neg && n > (uint64_t)INT64_MAX + 1) {
		*out = INT64_MIN;
		return -2;
	}
	*out = neg ? (int64_t)(0 - n) : (int64_t)n;
	return 0;
range:
	/* Go reports the range error only after the whole text was read as
	 * digits; a bad character later is still a syntax error. */
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i], d;

		if (c == '_' && underscores)
			continue;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (S_lower(c) >= 'a' && S_lower(c) <= 'z')
			d = S_lower(c) - 'a' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
	}
	*out = neg ? INT64_MIN : INT64_MAX;
	return -2;
}

/* "inf", "infinity", "nan" in any case, with an optional sign. */
static int S_special(double *out, const char *s, size_t len)
{
	int neg = 0, sign = 0;
	char low[9];

	if (len && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		sign = 1;
		s++;
		len--;
	}
	if (len != 3 && len != 8)
		return 0;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)S_lower((unsigned char)s[i]);
	low[len] = 0;
	if (strcmp(low, "inf") == 0 || strcmp(low, "infinity") == 0) {
		*out = neg ? -INFINITY : INFINITY;
		return 1;
	}
	if (strcmp(low, "nan") == 0 && !sign) {
		*out = NAN;
		return 1;
	}
	return 0;
}

int sprigu_parse_float(double *out, const char *s, size_t len)
{
	struct buf clean = BUF_INIT;
	size_t i = 0;
	int hex = 0, digits = 0, underscores = 0, ret = -1;
	char *end;
	double v;

	*out = 0;
	if (S_special(out, s, len))
		return 0;
	/* Go's float literal: [sign] (digits [. digits] | . digits) [e [sign]
	 * digits], or 0x hex mantissa with a mandatory p exponent. */
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i + 2 < len && s[i] == '0' && S_lower(s[i + 1]) == 'x') {
		hex = 1;
		i += 2;
	}
	for (int dot = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '_') {
			underscores = 1;
			continue;
		}
		if (c == '.' && !dot) {
			dot = 1;
			continue;
		}
		if ((c >= '0' && c <= '9') || (hex && S_lower(c) >= 'a' && S_lower(c) <= 'f')) {
			digits = 1;
			continue;
		}
		break;
	}
	if (!digits)
		goto done;
	if (i < len && S_lower(s[i]) == (hex ? 'p' : 'e')) {
		int edigits = 0;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < len; i++) {
			if (s[i] == '_') {
				underscores = 1;
				continue;
			}
			if (s[i] < '0' || s[i] > '9')
				break;
			edigits = 1;
		}
		if (!edigits)
			goto done;
	} else if (hex) {
		goto done;
	}
	if (i != len || (underscores && !S_underscore_ok(s, len)))
		goto done;
	for (i = 0; i < len; i++)
		if (s[i] != '_')
			buf_addch(&clean, s[i]);
	if (buf_oom(&clean))
		goto done;
	errno = 0;
	v = strtod(clean.ptr, &end);
	if (*end)
		goto done;
	*out = v;
	ret = (errno == ERANGE && isinf(v)) ? -2 : 0;
done:
	buf_release(&clean);
	return ret;
}

json_t *sprigu_strslice(struct tmpl_rt *rt, const struct tval *v)
{
	json_t *a = json_array(), *e;
	struct buf b = BUF_INIT;
	size_t i, len;
	const char *s;

	if (!a)
		return NULL;
	switch (v->kind) {
	case TV_STRLIST:
		json_array_foreach(v->u.j, i, e)
			if (json_array_append(a, e) < 0)
				goto fail;
		break;
	case TV_LIST:
		json_array_foreach(v->u.j, i, e) {
			struct tval x = tval_from_json(rt, e);

			if (x.kind == TV_NIL || x.kind == TV_INVALID) {
				tval_release(&x);
				continue;
			}
			buf_reset(&b);
			if (sprigu_strval(&b, rt, &x) < 0 || buf_oom(&b) ||
			    json_array_append_new(a, json_stringn_nocheck(b.ptr, b.len)) < 0) {
				tval_release(&x);
				goto fail;
			}
			tval_release(&x);
		}
		break;
	case TV_BYTES:
		s = tval_str_ptr(v, &len);
		for (i = 0; i < len; i++) {
			char num[8];

			snprintf(num, sizeof(num), "%u", (unsigned char)s[i]);
			if (json_array_append_new(a, json_string_nocheck(num)) < 0)
				goto fail;
		}
		break;
	case TV_NIL:
	case TV_INVALID:
		break;
	default:
		if (sprigu_strval(&b, rt, v) < 0 || buf_oom(&b) ||
		    json_array_append_new(a, json_stringn_nocheck(b.ptr, b.len)) < 0)
			goto fail;
	}
	buf_release(&b);
	return a;
fail:
	buf_release(&b);
	json_decref(a);
	return NULL;
}

