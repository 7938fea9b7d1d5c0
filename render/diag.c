#include "render/diag.h"
#include "render/srcfile.h"

#include <stdarg.h>
#include <string.h>

int diag_set(struct diag *d, int code, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return code;
	diag_clear(d);
	d->code = code;
	va_start(ap, fmt);
	buf_vaddf(&d->msg, fmt, ap);
	va_end(ap);
	return code;
}

int diag_set_at(struct diag *d, int code, struct srcfile *src, int line, int col,
		int width, const char *fmt, ...)
{
	const char *text;
	size_t len;
	va_list ap;

	if (!d)
		return code;
	diag_clear(d);
	d->code = code;
	buf_addf(&d->msg, "%s:%d:%d: ", src && src->name ? src->name : "<input>", line, col);
	va_start(ap, fmt);
	buf_vaddf(&d->msg, fmt, ap);
	va_end(ap);
	if (src && (text = srcfile_line(src, line, &len)) != NULL && len < 512) {
		buf_adds(&d->context, "    ");
		buf_add(&d->context, text, len);
		buf_adds(&d->context, "\n    ");
		/* col counts characters (libyaml's marks), not bytes: one pad
		 * per UTF-8 character, keeping tabs so the caret lines up. */
		for (size_t i = 0, chars = 1; i < len && (int)chars < col; chars++) {
			buf_addch(&d->context, text[i] == '\t' ? '\t' : ' ');
			do
				i++;
			while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80);
		}
		buf_addchn(&d->context, '^', width > 0 ? (size_t)width : 1);
		buf_addch(&d->context, '\n');
	}
	return code;
}

int diag_prefix(struct diag *d, const char *fmt, ...)
{
	struct buf pre = BUF_INIT;
	va_list ap;

	if (!d)
		return 0;
	va_start(ap, fmt);
	buf_vaddf(&pre, fmt, ap);
	va_end(ap);
	buf_adds(&pre, ": ");
	buf_add(&pre, d->msg.ptr, d->msg.len);
	buf_release(&d->msg);
	d->msg = pre;
	return d->code;
}

void diag_clear(struct diag *d)
{
	if (!d)
		return;
	d->code = 0;
	buf_reset(&d->msg);
	buf_reset(&d->context);
}

void diag_release(struct diag *d)
{
	if (!d)
		return;
	buf_release(&d->msg);
	buf_release(&d->context);
	d->code = 0;
}

const char *diag_code_name(int code)
{
	switch (code) {
	case DIAG_OK: return "ok";
	case DIAG_EGENERIC: return "error";
	case DIAG_ENOTFOUND: return "not-found";
	case DIAG_EPARSE: return "parse";
	case DIAG_EEXEC: return "exec";
	case DIAG_ECONFLICT: return "conflict";
	case DIAG_EAUTH: return "auth";
	case DIAG_ENET: return "net";
	case DIAG_ENOMEM: return "nomem";
	case DIAG_ELIMIT: return "limit";
	case DIAG_EINVALID: return "invalid";
	}
	return "unknown";
}
