/*
 * Sprig's path and URL functions: Go's path package (base, dir, clean, ext,
 * isAbs), path/filepath on a Unix host (the os* names: the same rules with
 * '/' as separator), and urlParse / urlJoin (url.go) over the parts of
 * Go's net/url that they reach: Parse, Hostname, Userinfo.String and
 * URL.String.
 */
#include "render/tmpl/funcs.h"
#include "render/tmpl/tmpl.h"
#include "render/tmpl/sprig.h"

#include "render/buf.h"
#include "render/diag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- path ---- */

/* path.Clean into out. */
static void path_clean(struct buf *out, const char *p, size_t n)
{
	int rooted;
	size_t r = 0, dotdot = 0;

	buf_reset(out);
	if (n == 0) {
		buf_addch(out, '.');
		return;
	}
	rooted = p[0] == '/';
	if (rooted) {
		buf_addch(out, '/');
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (out->len > dotdot) {
				size_t w = out->len - 1;

				while (w > dotdot && out->ptr[w] != '/')
					w--;
				buf_truncate(out, w);
			} else if (!rooted) {
				if (out->len > 0)
					buf_addch(out, '/');
				buf_adds(out, "..");
				dotdot = out->len;
			}
		} else {
			if ((rooted && out->len != 1) || (!rooted && out->len != 0))
				buf_addch(out, '/');
			for (; r < n && p[r] != '/'; r++)
				buf_addch(out, p[r]);
		}
	}
	if (out->len == 0)
		buf_addch(out, '.');
}

static int S_clean(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf b = BUF_INIT;
	size_t n;
	const char *p = tval_str_ptr(&argv[0], &n);

	path_clean(&b, p, n);
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static int S_base(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t n, i;
	const char *p = tval_str_ptr(&argv[0], &n);

	if (n == 0) {
		*out = tval_str(".");
		return 0;
	}
	while (n > 0 && p[n - 1] == '/')
		n--;
	if (n == 0) {
		*out = tval_str("/");
		return 0;
	}
	for (i = n; i > 0 && p[i - 1] != '/'; i--)
		;
	*out = tval_strn(p + i, n - i);
	return 0;
}

static int S_dir(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	struct buf b = BUF_INIT;
	size_t n, i;
	const char *p = tval_str_ptr(&argv[0], &n);

	for (i = n; i > 0 && p[i - 1] != '/'; i--)
		;
	path_clean(&b, p, i);
	*out = tval_strn(b.ptr, b.len);
	buf_release(&b);
	return 0;
}

static int S_ext(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t n, i;
	const char *p = tval_str_ptr(&argv[0], &n);

	for (i = n; i > 0 && p[i - 1] != '/'; i--) {
		if (p[i - 1] == '.') {
			*out = tval_strn(p + i - 1, n - i + 1);
			return 0;
		}
	}
	*out = tval_str("");
	return 0;
}

static int S_isAbs(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	size_t n;
	const char *p = tval_str_ptr(&argv[0], &n);

	*out = tval_bool(n > 0 && p[0] == '/');
	return 0;
}

/* ---- net/url ---- */

enum url_mode { ENC_PATH, ENC_HOST, ENC_ZONE, ENC_USER, ENC_QUERY, ENC_FRAGMENT };

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int unhex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* net/url's shouldEscape. */
static int should_escape(unsigned char c, enum url_mode mode)
{
	if (is_alnum(c))
		return 0;
	if (mode == ENC_HOST || mode == ENC_ZONE) {
		if (c && strchr("!$&'()*+,;=:[]<>\"", c))
			return 0;
	}
	if (c == '-' || c == '_' || c == '.' || c == '~')
		return 0;
	if (c && strchr("$&+,/:;=?@", c)) {
		switch (mode) {
		case ENC_USER:
			return c == '@' || c == '/' || c == '?' || c == ':';
		case ENC_PATH:
			return c == '?';
		case ENC_FRAGMENT:
			return 0;
		case ENC_QUERY:
			return 1;
		default:
			return 0;
		}
	}
	if (mode == ENC_FRAGMENT && (c == '!' || c == '(' || c == ')' || c == '*'))
		return 0;
	return 1;
}

/* net/url's escape. */
static void url_escape(struct buf *out, const char *s, size_t n, enum url_mode mode)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' && mode == ENC_QUERY) {
			buf_addch(out, '+');
		} else if (should_escape(c, mode)) {
			buf_addch(out, '%');
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		} else {
			buf_addch(out, (char)c);
		}
	}
}

/* net/url's unescape: 0, or -1 with the error text in err. */
static int url_unescape(struct buf *out, const char *s, size_t n, enum url_mode mode,
			struct buf *err)
{
	size_t i;

	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n) {
				size_t m = n - i > 3 ? 3 : n - i;

				buf_adds(err, "invalid URL escape ");
				tmpl_quote(err, s + i, m);
				return -1;
			}
			if (!is_hex((unsigned char)s[i + 1]) || !is_hex((unsigned char)s[i + 2])) {
				buf_adds(err, "invalid URL escape ");
				tmpl_quote(err, s + i, 3);
				return -1;
			}
			if (mode == ENC_HOST && unhex((unsigned char)s[i + 1]) < 8 &&
			    memcmp(s + i, "%25", 3) != 0) {
				buf_adds(err, "invalid URL escape ");
				tmpl_quote(err, s + i, 3);
				return -1;
			}
			if (mode == ENC_ZONE) {
				int v = unhex((unsigned char)s[i + 1]) * 16 + unhex((unsigned char)s[i + 2]);

				if (memcmp(s + i, "%25", 3) != 0 && v != ' ' && should_escape((unsigned char)v, ENC_HOST)) {
					buf_adds(err, "invalid URL escape ");
					tmpl_quote(err, s + i, 3);
					return -1;
				}
			}
			buf_addch(out, (char)(unhex((unsigned char)s[i + 1]) * 16 +
					      unhex((unsigned char)s[i + 2])));
			i += 3;
			continue;
		}
		if ((mode == ENC_HOST || mode == ENC_ZONE) && c < 0x80 && should_escape(c, mode)) {
			buf_adds(err, "invalid character ");
			tmpl_quote(err, s + i, 1);
			buf_adds(err, " in host name");
			return -1;
		}
		buf_addch(out, (char)c);
		i++;
	}
	return 0;
}

static int valid_optional_port(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	if (p[0] != ':')
		return 0;
	for (i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static const char *last_byte(const char *s, size_t n, char c)
{
	while (n > 0)
		if (s[--n] == c)
			return s + n;
	return NULL;
}

/* parseHost into out. */
static int parse_host(struct buf *out, const char *h, size_t n, struct buf *err)
{
	if (n > 0 && h[0] == '[') {
		const char *close = last_byte(h, n, ']');
		const char *zone = NULL;
		size_t i;

		if (!close) {
			buf_adds(err, "missing ']' in host");
			return -1;
		}
		if (!valid_optional_port(close + 1, n - (size_t)(close + 1 - h))) {
			buf_adds(err, "invalid port ");
			tmpl_quote(err, close + 1, n - (size_t)(close + 1 - h));
			buf_adds(err, " after host");
			return -1;
		}
		for (i = 0; i + 3 <= (size_t)(close - h); i++) {
			if (memcmp(h + i, "%25", 3) == 0) {
				zone = h + i;
				break;
			}
		}
		if (zone) {
			if (url_unescape(out, h, (size_t)(zone - h), ENC_HOST, err) < 0 ||
			    url_unescape(out, zone, (size_t)(close - zone), ENC_ZONE, err) < 0 ||
			    url_unescape(out, close, n - (size_t)(close - h), ENC_HOST, err) < 0)
				return -1;
			return 0;
		}
	} else {
		const char *colon = last_byte(h, n, ':');

		if (colon && !valid_optional_port(colon, n - (size_t)(colon - h))) {
			buf_adds(err, "invalid port ");
			tmpl_quote(err, colon, n - (size_t)(colon - h));
			buf_adds(err, " after host");
			return -1;
		}
	}
	return url_unescape(out, h, n, ENC_HOST, err);
}

static int valid_userinfo(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_alnum(c))
			continue;
		if (c && strchr("-._:~!$&'()*+,;=%@", c))
			continue;
		return 0;
	}
	return 1;
}

struct url {
	struct buf scheme, opaque, user, password, host, path, raw_query, fragment;
	int has_user, has_password, force_query, omit_host;
};

static void url_init(struct url *u)
{
	memset(u, 0, sizeof(*u));
	u->scheme = u->opaque = u->user = u->password = (struct buf)BUF_INIT;
	u->host = u->path = u->raw_query = u->fragment = (struct buf)BUF_INIT;
}

static void url_release(struct url *u)
{
	buf_release(&u->scheme);
	buf_release(&u->opaque);
	buf_release(&u->user);
	buf_release(&u->password);
	buf_release(&u->host);
	buf_release(&u->path);
	buf_release(&u->raw_query);
	buf_release(&u->fragment);
}

/* parseAuthority. */
static int parse_authority(struct url *u, const char *a, size_t n, struct buf *err)
{
	const char *at = last_byte(a, n, '@');
	const char *ui, *colon;
	size_t uil;

	if (parse_host(&u->host, at ? at + 1 : a, at ? n - (size_t)(at + 1 - a) : n, err) < 0)
		return -1;
	if (!at)
		return 0;
	ui = a;
	uil = (size_t)(at - a);
	if (!valid_userinfo(ui, uil)) {
		buf_adds(err, "net/url: invalid userinfo");
		return -1;
	}
	u->has_user = 1;
	colon = memchr(ui, ':', uil);
	if (!colon)
		return url_unescape(&u->user, ui, uil, ENC_USER, err);
	u->has_password = 1;
	if (url_unescape(&u->user, ui, (size_t)(colon - ui), ENC_USER, err) < 0)
		return -1;
	return url_unescape(&u->password, colon + 1, uil - (size_t)(colon + 1 - ui), ENC_USER, err);
}

/* url.parse(rawURL, false). */
static int url_parse_part(struct url *u, const char *s, size_t n, struct buf *err)
{
	const char *rest = s;
	size_t rn = n, i, qcount = 0;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) {
			buf_adds(err, "net/url: invalid control character in URL");
			return -1;
		}
	}
	if (n == 1 && s[0] == '*') {
		buf_addch(&u->path, '*');
		return 0;
	}
	/* getScheme */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
			if (i == 0)
				break;
			continue;
		}
		if (c == ':') {
			size_t k;

			if (i == 0) {
				buf_adds(err, "missing protocol scheme");
				return -1;
			}
			for (k = 0; k < i; k++)
				buf_addch(&u->scheme, (s[k] >= 'A' && s[k] <= 'Z') ? s[k] + 32 : s[k]);
			rest = s + i + 1;
			rn = n - i - 1;
		}
		break;
	}
	for (i = 0; i < rn; i++)
		if (rest[i] == '?')
			qcount++;
	if (rn > 0 && rest[rn - 1] == '?' && qcount == 1) {
		u->force_query = 1;
		rn--;
	} else {
		const char *q = memchr(rest, '?', rn);

		if (q) {
			buf_add(&u->raw_query, q + 1, rn - (size_t)(q + 1 - rest));
			rn = (size_t)(q - rest);
		}
	}
	if (rn == 0 || rest[0] != '/') {
		const char *slash, *colon;
		size_t seg;

		if (u->scheme.len) {
			buf_add(&u->opaque, rest, rn);
			return 0;
		}
		slash = memchr(rest, '/', rn);
		seg = slash ? (size_t)(slash - rest) : rn;
		colon = memchr(rest, ':', seg);
		if (colon) {
			buf_adds(err, "first path segment in URL cannot contain colon");
			return -1;
		}
	}
	if ((u->scheme.len || !(rn >= 3 && memcmp(rest, "///", 3) == 0)) && rn >= 2 &&
	    rest[0] == '/' && rest[1] == '/') {
		const char *a = rest + 2, *slash;
		size_t an = rn - 2;

		slash = memchr(a, '/', an);
		if (slash) {
			rest = slash;
			rn = an - (size_t)(slash - a);
			an = (size_t)(slash - a);
		} else {
			rest = a + an;
			rn = 0;
		}
		if (parse_authority(u, a, an, err) < 0)
			return -1;
	} else if (u->scheme.len && rn > 0 && rest[0] == '/') {
		u->omit_host = 1;
	}
	return url_unescape(&u->path, rest, rn, ENC_PATH, err);
}

/* url.Parse: 0, or -1 with the whole Go error text in err. */
static int url_parse(struct url *u, const char *s, size_t n, struct buf *err)
{
	const char *hash = memchr(s, '#', n);
	size_t un = hash ? (size_t)(hash - s) : n;
	struct buf e = BUF_INIT;
	int error = 0;

	if (url_parse_part(u, s, un, &e) < 0) {
		buf_adds(err, "parse ");
		tmpl_quote(err, s, un);
		buf_adds(err, ": ");
		buf_add(err, e.ptr, e.len);
		error = -1;
	} else if (hash && hash + 1 < s + n &&
		   url_unescape(&u->fragment, hash + 1, n - un - 1, ENC_FRAGMENT, &e) < 0) {
		buf_adds(err, "parse ");
		tmpl_quote(err, s, n);
		buf_adds(err, ": ");
		buf_add(err, e.ptr, e.len);
		error = -1;
	}
	buf_release(&e);
	return error;
}

static void userinfo_string(struct buf *out, const struct url *u)
{
	url_escape(out, u->user.ptr, u->user.len, ENC_USER);
	if (u->has_password) {
		buf_addch(out, ':');
		url_escape(out, u->password.ptr, u->password.len, ENC_USER);
	}
}

static int S_urlParse(struct tval *out, struct tmpl_call *call, int argc,
		      const struct tval *argv)
{
	struct url u;
	struct buf err = BUF_INIT, ui = BUF_INIT;
	size_t n;
	const char *s = tval_str_ptr(&argv[0], &n);
	const char *h;
	size_t hn;
	const char *colon;
	json_t *d = NULL;
	int error = 0;

	url_init(&u);
	if (url_parse(&u, s, n, &err) < 0) {
		error = tmpl_call_errorf(call, "unable to parse url: %s", err.ptr);
		goto done;
	}
	/* Hostname(): splitHostPort, then strip [ ] */
	h = u.host.ptr;
	hn = u.host.len;
	colon = last_byte(h, hn, ':');
	if (colon && valid_optional_port(colon, hn - (size_t)(colon - h)))
		hn = (size_t)(colon - h);
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	if (u.has_user)
		userinfo_string(&ui, &u);
	d = json_object();
	if (!d ||
	    json_object_set_new(d, "scheme", json_stringn_nocheck(u.scheme.ptr, u.scheme.len)) ||
	    json_object_set_new(d, "host", json_stringn_nocheck(u.host.ptr, u.host.len)) ||
	    json_object_set_new(d, "hostname", json_stringn_nocheck(h, hn)) ||
	    json_object_set_new(d, "path", json_stringn_nocheck(u.path.ptr, u.path.len)) ||
	    json_object_set_new(d, "query", json_stringn_nocheck(u.raw_query.ptr, u.raw_query.len)) ||
	    json_object_set_new(d, "opaque", json_stringn_nocheck(u.opaque.ptr, u.opaque.len)) ||
	    json_object_set_new(d, "fragment", json_stringn_nocheck(u.fragment.ptr, u.fragment.len)) ||
	    json_object_set_new(d, "userinfo", json_stringn_nocheck(ui.ptr, ui.len))) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	*out = tval_json_new(TV_MAP, d);
	d = NULL;
done:
	json_decref(d);
	url_release(&u);
	buf_release(&err);
	buf_release(&ui);
	return error;
}

/* dictGetOrEmpty: the string at key, "" when absent; panics otherwise. */
static int dict_get(struct tmpl_call *call, json_t *d, const char *key, const char **s, size_t *n)
{
	json_t *v = json_object_get(d, key);
	struct tval t;
	int error;

	*s = "";
	*n = 0;
	if (!v)
		return 0;
	if (json_is_string(v)) {
		*s = json_string_value(v);
		*n = json_string_length(v);
		return 0;
	}
	/* the element's reflect kind (boxed Go values read back typed) */
	t = tval_from_json(call->rt, v);
	if (t.kind == TV_NIL || t.kind == TV_INVALID)
		/* reflect.TypeOf(nil).Kind() dereferences a nil Type. */
		error = tmpl_call_errorf(call,
					 "runtime error: invalid memory address or nil pointer dereference");
	else
		error = tmpl_call_errorf(call, "unable to parse %s key, must be of type string, but %s found",
					 key, tval_kind_name(&t));
	tval_release(&t);
	return error;
}

static int S_urlJoin(struct tval *out, struct tmpl_call *call, int argc,
		     const struct tval *argv)
{
	json_t *d = argv[0].u.j;
	const char *scheme, *host, *path, *query, *opaque, *fragment, *userinfo;
	size_t schemel, hostl, pathl, queryl, opaquel, fragmentl, userinfol;
	struct url tmp;
	struct buf b = BUF_INIT, err = BUF_INIT, ui = BUF_INIT, esc = BUF_INIT;
	int error, has_user = 0;

	url_init(&tmp);
	if ((error = dict_get(call, d, "scheme", &scheme, &schemel)) < 0 ||
	    (error = dict_get(call, d, "host", &host, &hostl)) < 0 ||
	    (error = dict_get(call, d, "path", &path, &pathl)) < 0 ||
	    (error = dict_get(call, d, "query", &query, &queryl)) < 0 ||
	    (error = dict_get(call, d, "opaque", &opaque, &opaquel)) < 0 ||
	    (error = dict_get(call, d, "fragment", &fragment, &fragmentl)) < 0 ||
	    (error = dict_get(call, d, "userinfo", &userinfo, &userinfol)) < 0)
		goto done;
	if (userinfol) {
		struct buf raw = BUF_INIT;

		buf_adds(&raw, "proto://");
		buf_add(&raw, userinfo, userinfol);
		buf_adds(&raw, "@host");
		if (url_parse(&tmp, raw.ptr, raw.len, &err) < 0) {
			buf_release(&raw);
			error = tmpl_call_errorf(call, "unable to parse userinfo in dict: %s", err.ptr);
			goto done;
		}
		buf_release(&raw);
		if (tmp.has_user) {
			has_user = 1;
			userinfo_string(&ui, &tmp);
		}
	}
	/* URL.String() */
	if (schemel) {
		buf_add(&b, scheme, schemel);
		buf_addch(&b, ':');
	}
	if (opaquel) {
		buf_add(&b, opaque, opaquel);
	} else {
		if (schemel || hostl || has_user) {
			if (hostl || pathl || has_user)
				buf_adds(&b, "//");
			if (has_user) {
				buf_add(&b, ui.ptr, ui.len);
				buf_addch(&b, '@');
			}
			if (hostl)
				url_escape(&b, host, hostl, ENC_HOST);
		}
		if (pathl == 1 && path[0] == '*')
			buf_addch(&esc, '*');
		else
			url_escape(&esc, path, pathl, ENC_PATH);
		if (esc.len && esc.ptr[0] != '/' && hostl)
			buf_addch(&b, '/');
		if (b.len == 0) {
			const char *slash = memchr(esc.ptr, '/', esc.len);
			size_t seg = slash ? (size_t)(slash - esc.ptr) : esc.len;

			if (memchr(esc.ptr, ':', seg))
				buf_adds(&b, "./");
		}
		buf_add(&b, esc.ptr, esc.len);
	}
	if (queryl) {
		buf_addch(&b, '?');
		buf_add(&b, query, queryl);
	}
	if (fragmentl) {
		buf_addch(&b, '#');
		url_escape(&b, fragment, fragmentl, ENC_FRAGMENT);
	}
	if (buf_oom(&b)) {
		error = tmpl_call_errorf(call, "out of memory");
		goto done;
	}
	*out = tval_strn(b.ptr, b.len);
	error = 0;
done:
	url_release(&tmp);
	buf_release(&b);
	buf_release(&err);
	buf_release(&ui);
	buf_release(&esc);
	return error;
}

static const struct tmpl_func S_funcs[] = {
	{ "base", S_base, "s", TMPL_FN_NOERR, NULL },
	{ "dir", S_dir, "s", TMPL_FN_NOERR, NULL },
	{ "clean", S_clean, "s", TMPL_FN_NOERR, NULL },
	{ "ext", S_ext, "s", TMPL_FN_NOERR, NULL },
	{ "isAbs", S_isAbs, "s", TMPL_FN_NOERR, NULL },
	{ "osBase", S_base, "s", TMPL_FN_NOERR, NULL },
	{ "osClean", S_clean, "s", TMPL_FN_NOERR, NULL },
	{ "osDir", S_dir, "s", TMPL_FN_NOERR, NULL },
	{ "osExt", S_ext, "s", TMPL_FN_NOERR, NULL },
	{ "osIsAbs", S_isAbs, "s", TMPL_FN_NOERR, NULL },
	{ "urlParse", S_urlParse, "s", TMPL_FN_NOERR, NULL },
	{ "urlJoin", S_urlJoin, "m", TMPL_FN_NOERR, NULL },
};

int sprig_paths_register(struct tmpl_funcs *r)
{
	return tmpl_funcs_add(r, S_funcs, sizeof(S_funcs) / sizeof(S_funcs[0]));
}
