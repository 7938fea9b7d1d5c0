/*
 * Diagnostics. Functions in render/ and gitops/ return 0 or a negative
 * enum diag_code, and put the details in a caller-owned, nullable
 * struct diag (like jansson's json_error_t). There is no global last error.
 *
 * msg is the whole first line as it should be printed, position included
 * ("values.yaml:3:7: ..."), or the exact text of the tool hydrate replaces
 * for render errors. context, when set, holds extra lines (a quoted source
 * line and a caret) that follow it.
 */
#ifndef HYDRATE_DIAG_H
#define HYDRATE_DIAG_H

#include "render/buf.h"

enum diag_code {
	DIAG_OK = 0,
	DIAG_EGENERIC = -1,
	DIAG_ENOTFOUND = -2,
	DIAG_EPARSE = -3,   /* malformed input */
	DIAG_EEXEC = -4,    /* a template or transformation failed */
	DIAG_ECONFLICT = -5,
	DIAG_EAUTH = -6,
	DIAG_ENET = -7,
	DIAG_ENOMEM = -8,
	DIAG_ELIMIT = -9,   /* a limit on untrusted input was hit */
	DIAG_EINVALID = -10 /* a valid document with a wrong value or type */
};

struct srcfile;

struct diag {
	int code;
	struct buf msg;
	struct buf context;
};

#define DIAG_INIT { 0, BUF_INIT, BUF_INIT }

/* Sets code and message, replacing what was there. Returns code, so
 * `return diag_set(d, DIAG_EPARSE, ...)` reads naturally. d may be NULL. */
int diag_set(struct diag *d, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As diag_set, prefixed with "name:line:col: " (1-based; col counts UTF-8
 * characters, as libyaml's marks do), and with the source line and a caret
 * under [col, col + width) as context. */
int diag_set_at(struct diag *d, int code, struct srcfile *src, int line, int col,
		int width, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Prepends "prefix: " to the message (to add what the caller was doing). */
int diag_prefix(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void diag_clear(struct diag *d);
void diag_release(struct diag *d);
/* A short name for a code, for tests and logs. */
const char *diag_code_name(int code);

#endif
