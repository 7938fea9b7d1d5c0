/*
 * Hooks: posix_spawnp in a new process group, stdin written and stdout and
 * stderr read together with poll() until all are closed and the child is
 * reaped, or until the deadline (then the group is killed and reaped).
 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addchdir_np, sigabbrev_np, GNU strerror_r */

#include "gitops/hook.h"

#include "gitops/config.h"
#include "render/buf.h"
#include "render/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define HOOK_STDERR_KEEP 4096
#define HOOK_STDERR_LINES 5
#define HOOK_CHUNK 65536

static long long S_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Go's time.Duration String for whole milliseconds: 500ms, 30s, 1m30s, 1h0m0s. */
static void S_add_duration(struct buf *b, unsigned long ms)
{
	unsigned long s = ms / 1000, frac = ms % 1000;

	if (ms < 1000) {
		buf_addf(b, "%lums", ms);
		return;
	}
	if (s >= 3600)
		buf_addf(b, "%luh", s / 3600);
	if (s >= 60)
		buf_addf(b, "%lum", s / 60 % 60);
	buf_addf(b, "%lu", s % 60);
	if (frac) {
		char f[8];
		int len = snprintf(f, sizeof(f), "%03lu", frac);
		while (len > 0 && f[len - 1] == '0')
			f[--len] = 0;
		buf_addf(b, ".%s", f);
	}
	buf_addch(b, 's');
}

static void S_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The first lines of the hook's stderr, indented, as diag context. */
static void S_stderr_context(struct diag *d, const struct buf *err)
{
	const char *p = err->ptr, *end = err->ptr + err->len;
	int lines = 0;

	if (!d)
		return;
	buf_reset(&d->context);
	while (p < end && lines < HOOK_STDERR_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		buf_adds(&d->context, "    ");
		buf_add(&d->context, p, len);
		buf_addch(&d->context, '\n');
		lines++;
		p += len + (nl ? 1 : 0);
	}
	if (p < end)
		buf_adds(&d->context, "    ...\n");
}

static int S_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int hook_run(struct buf *out, const struct config_hook *h, const char *what, const char *dir,
	     const void *in, size_t inlen, struct diag *d)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int fa_ok = 0, attr_ok = 0, error = 0, status = 0, reaped = 0, got_epipe = 0;
	int timed_out = 0, too_big = 0;
	char **argv = NULL;
	struct buf scratch = BUF_INIT, err = BUF_INIT;
	sigset_t pipe_set, old_mask, empty, all;
	size_t written = 0;
	pid_t pid = -1;
	long long deadline;
	char chunk[HOOK_CHUNK];

	if (!out)
		out = &scratch;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

	if (!(argv = calloc(h->command.n + 1, sizeof(*argv)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < h->command.n; i++)
		argv[i] = h->command.items[i];
	if ((in && pipe2(inp, O_CLOEXEC) < 0) || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s': cannot create a pipe: %s", what,
				 h->name, strerror_r(errno, chunk, sizeof(chunk)));
		goto done;
	}
	if (posix_spawn_file_actions_init(&fa) != 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	fa_ok = 1;
	if (posix_spawnattr_init(&attr) != 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	attr_ok = 1;
	sigemptyset(&empty);
	sigfillset(&all);
	if ((in ? posix_spawn_file_actions_adddup2(&fa, inp[0], 0)
		: posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, outp[1], 1) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, errp[1], 2) != 0 ||
	    (dir && posix_spawn_file_actions_addchdir_np(&fa, dir) != 0) ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						   POSIX_SPAWN_SETSIGDEF) != 0 ||
	    posix_spawnattr_setpgroup(&attr, 0) != 0 ||
	    posix_spawnattr_setsigmask(&attr, &empty) != 0 ||
	    posix_spawnattr_setsigdefault(&attr, &all) != 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	error = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	if (error != 0) {
		int e = error;
		pid = -1;
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s': cannot run '%s': %s", what, h->name,
				 argv[0], strerror_r(e, chunk, sizeof(chunk)));
		goto done;
	}
	S_close(&inp[0]);
	S_close(&outp[1]);
	S_close(&errp[1]);
	if ((inp[1] >= 0 && S_set_nonblock(inp[1]) < 0) || S_set_nonblock(outp[0]) < 0 ||
	    S_set_nonblock(errp[0]) < 0) {
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s': fcntl: %s", what, h->name,
				 strerror_r(errno, chunk, sizeof(chunk)));
		goto done;
	}
	if (inp[1] >= 0 && inlen == 0)
		S_close(&inp[1]);

	deadline = S_now_ms() + (long long)h->timeout_ms;
	while (outp[0] >= 0 || errp[0] >= 0 || inp[1] >= 0 || !reaped) {
		struct pollfd pf[3];
		nfds_t np = 0;
		long long left = deadline - S_now_ms();
		int wait_ms, r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (outp[0] < 0 && errp[0] < 0 && inp[1] < 0) {
			/* all pipes closed: wait for the exit, polling, up to the deadline */
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				reaped = 1;
				break;
			}
			if (w < 0 && errno != EINTR) {
				error = diag_set(d, DIAG_EEXEC, "%s hook '%s': waitpid: %s", what,
						 h->name, strerror_r(errno, chunk, sizeof(chunk)));
				goto done;
			}
			struct timespec ts = { 0, 2 * 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (inp[1] >= 0) {
			pf[np].fd = inp[1];
			pf[np++].events = POLLOUT;
		}
		if (outp[0] >= 0) {
			pf[np].fd = outp[0];
			pf[np++].events = POLLIN;
		}
		if (errp[0] >= 0) {
			pf[np].fd = errp[0];
			pf[np++].events = POLLIN;
		}
		wait_ms = left > 1000 ? 1000 : (int)left;
		r = poll(pf, np, wait_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error = diag_set(d, DIAG_EEXEC, "%s hook '%s': poll: %s", what, h->name,
					 strerror_r(errno, chunk, sizeof(chunk)));
			goto done;
		}
		for (nfds_t i = 0; i < np; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == inp[1]) {
				size_t want = inlen - written;
				ssize_t n;
				if (want > HOOK_CHUNK)
					want = HOOK_CHUNK;
				n = write(inp[1], (const char *)in + written, want);
				if (n > 0) {
					written += (size_t)n;
					if (written == inlen)
						S_close(&inp[1]);
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					/* EPIPE: the hook stopped reading; its exit status decides */
					if (errno == EPIPE)
						got_epipe = 1;
					S_close(&inp[1]);
				}
			} else {
				int is_out = pf[i].fd == outp[0];
				ssize_t n = read(pf[i].fd, chunk, sizeof(chunk));
				if (n > 0) {
					if (is_out) {
						if (out->len + (size_t)n > HOOK_MAX_OUTPUT) {
							too_big = 1;
							break;
						}
						if (out != &scratch)
							buf_add(out, chunk, (size_t)n);
					} else if (err.len < HOOK_STDERR_KEEP) {
						size_t room = HOOK_STDERR_KEEP - err.len;
						buf_add(&err, chunk, (size_t)n < room ? (size_t)n : room);
					}
				} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
					S_close(is_out ? &outp[0] : &errp[0]);
				}
			}
		}
		if (too_big)
			break;
	}
	if (timed_out || too_big) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		reaped = 1;
		pid = -1;
		if (too_big) {
			error = diag_set(d, DIAG_ELIMIT, "%s hook '%s' printed more than %zu MiB",
					 what, h->name, HOOK_MAX_OUTPUT >> 20);
		} else {
			struct buf t = BUF_INIT;
			S_add_duration(&t, h->timeout_ms);
			error = diag_set(d, DIAG_EEXEC, "%s hook '%s' timed out after %s", what,
					 h->name, t.ptr);
			buf_release(&t);
			S_stderr_context(d, &err);
		}
		goto done;
	}
	pid = -1;
	if (buf_oom(out) || buf_oom(&err)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s' exited with status %d", what, h->name,
				 WEXITSTATUS(status));
		S_stderr_context(d, &err);
	} else if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));
		error = diag_set(d, DIAG_EEXEC, "%s hook '%s' was killed by signal %d (SIG%s)", what,
				 h->name, WTERMSIG(status), abbrev ? abbrev : "?");
		S_stderr_context(d, &err);
	}
done:
	if (pid > 0) {
		/* an error after the spawn: do not leave the hook running */
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	S_close(&inp[0]);
	S_close(&inp[1]);
	S_close(&outp[0]);
	S_close(&outp[1]);
	S_close(&errp[0]);
	S_close(&errp[1]);
	if (got_epipe) {
		/* the SIGPIPE our write raised is pending on this thread: take it */
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	free(argv);
	buf_release(&scratch);
	buf_release(&err);
	return error;
}
