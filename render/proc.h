/*
 * render/proc: running a command with bounded input, output and time.
 *
 * The command is an argv run without a shell (posix_spawnp: argv[0] is
 * looked up in PATH unless it holds a '/'), in a given directory, as the
 * leader of a new process group, with the caller's environment plus
 * NAME=VALUE additions (an addition replaces a variable of the same name).
 * Its standard input is the given bytes (or /dev/null); its standard output
 * is collected up to a limit, the first bytes of its standard error up to
 * another. Input is written and output read at the same time with poll(),
 * so a command that prints as it reads never deadlocks on a big stream.
 * When the timeout passes, or the output passes its limit, the whole
 * process group is killed (SIGKILL) and reaped. The call is safe from
 * several threads at once: every descriptor is opened close-on-exec, and
 * SIGPIPE (a command that stops reading) is blocked in the calling thread
 * for the call and consumed.
 *
 * Ownership: all arguments are borrowed for the call.
 */
#ifndef HYDRATE_RENDER_PROC_H
#define HYDRATE_RENDER_PROC_H

#include <stddef.h>

struct buf;
struct diag;

struct proc_opts {
	const char *const *argv;     /* NULL-terminated; argv[0] non-empty */
	const char *const *env_add;  /* NAME=VALUE entries, or NULL */
	size_t nenv_add;
	const char *dir;             /* NULL: the current directory */
	const void *in;              /* standard input; NULL: /dev/null */
	size_t inlen;
	unsigned long timeout_ms;    /* 0: PROC_DEFAULT_TIMEOUT_MS */
	size_t max_output;           /* 0: PROC_MAX_OUTPUT */
	size_t stderr_keep;          /* bytes of stderr kept; 0: PROC_STDERR_KEEP */
};

#define PROC_DEFAULT_TIMEOUT_MS 60000UL
#define PROC_MAX_OUTPUT ((size_t)256 << 20)
#define PROC_STDERR_KEEP 4096

/* How the command ended. */
struct proc_result {
	int spawned;    /* 1 once the process was started */
	int spawn_errno; /* why it could not be started (with DIAG_EEXEC) */
	int timed_out;  /* killed at the deadline */
	int too_big;    /* killed when its output passed max_output */
	int exited;     /* 1: exit_status is valid */
	int exit_status;
	int signal;     /* the signal that ended it, or 0 */
};

/*
 * Runs o->argv. Its standard output is appended to out (NULL: dropped),
 * the first o->stderr_keep bytes of its standard error to err (NULL:
 * dropped). Returns 0 when the command ran to its end, whatever its exit
 * status (see *res); timed_out and too_big also return 0 with res set.
 * Errors: DIAG_EEXEC "cannot run 'CMD': REASON" (res->spawn_errno set),
 * "cannot create a pipe: ...", "poll: ...", "waitpid: ...";
 * DIAG_ENOMEM. On error out may hold partial output.
 */
int proc_run(struct buf *out, struct buf *err, struct proc_result *res,
	     const struct proc_opts *o, struct diag *d);

/* Go's time.Duration String for whole milliseconds: 500ms, 30s, 1m30s,
 * 1h0m0s, 1.5s. */
void proc_add_duration(struct buf *b, unsigned long ms);

#endif
