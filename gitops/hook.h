/*
 * gitops/hook: running hydrate.yaml's pre- and post-render hooks.
 *
 * A hook is an argv run without a shell (posix_spawnp: the command is
 * looked up in PATH unless it holds a '/'), in a given directory (the
 * directory of hydrate.yaml), as the leader of a new process group. Its
 * standard input is the given bytes (or /dev/null), its standard output is
 * collected, the first 4 KiB of its standard error are kept for the error
 * message. Input is written and output read at the same time with poll(),
 * so a hook that prints as it reads never deadlocks on a big stream. When
 * the timeout passes, the whole process group is killed (SIGKILL) and
 * reaped. The calls are safe from several threads at once: every
 * descriptor is opened close-on-exec, and SIGPIPE (a hook that stops
 * reading) is blocked in the calling thread for the call and consumed.
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
