/*
 * gitops/hook: running hydrate.yaml's pre- and post-render hooks.
 *
 * A hook is an argv run by render/proc (no shell, PATH lookup, a new
 * process group killed at the timeout, stdin fed while stdout is read; see
 * render/proc.h) in a given directory (the directory of hydrate.yaml). The
 * first 4 KiB of its standard error are kept for the error message, whose
 * quoted lines never show Secret data: every value of a Secret's data (as
 * written and base64-decoded) and stringData in the stream the hook was
 * given, and each line of a multi-line one, is replaced by HOOK_SECRET_MASK.
 *
 * Ownership: all arguments are borrowed for the call.
 */
#ifndef HYDRATE_GITOPS_HOOK_H
#define HYDRATE_GITOPS_HOOK_H

#include <stddef.h>

struct buf;
struct diag;
struct config_hook;

/* Largest output a hook may print: 256 MiB (DIAG_ELIMIT past it). */
#define HOOK_MAX_OUTPUT ((size_t)256 << 20)

/* What a Secret value reads as in a quoted line of a hook's stderr. */
#define HOOK_SECRET_MASK "[MASKED]"

/*
 * Runs hook h in directory dir (NULL: the current one). in/inlen is fed to
 * its standard input; in == NULL gives it /dev/null. Its standard output
 * is appended to out (which may be NULL to drop it). what names the kind
 * of hook in messages ("pre-render", "post-render").
 *
 * Errors (DIAG_EEXEC): "WHAT hook 'NAME': cannot run 'CMD': REASON",
 * "WHAT hook 'NAME' exited with status N", "... was killed by signal N
 * (NAME)", "... timed out after T"; the first lines of the hook's standard
 * error follow in d->context, indented. DIAG_ELIMIT for too much output,
 * DIAG_ENOMEM. On error out may hold partial output.
 */
int hook_run(struct buf *out, const struct config_hook *h, const char *what, const char *dir,
	     const void *in, size_t inlen, struct diag *d);

#endif
