/*
 * Commands: posix_spawnp in a new process group, stdin written and stdout
 * and stderr read together with poll() until all are closed and the child
 * is reaped, or until the deadline or the output limit (then the group is
 * killed and reaped).
 */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addchdir_np, GNU strerror_r */

#include "render/proc.h"

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

#define PROC_CHUNK 65536

static long long S_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void proc_add_duration(struct buf *b, unsigned long ms)
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

static int S_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* environ with o's additions: a new array of borrowed strings (free the
 * array only), or NULL when out of memory. */
static char **S_envp(const struct proc_opts *o)
{
	size_t n = 0, k = 0;
	char **envp;

	while (environ && environ[n])
		n++;
	envp = calloc(n + o->nenv_add + 1, sizeof(*envp));
	if (!envp)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int replaced = 0;
		for (size_t j = 0; j < o->nenv_add && !replaced; j++)
			replaced = strncmp(o->env_add[j], environ[i], len) == 0 &&
				   o->env_add[j][len] == '=';
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (size_t j = 0; j < o->nenv_add; j++)
		envp[k++] = (char *)o->env_add[j];
	envp[k] = NULL;
	return envp;
}

int proc_run(struct buf *out, struct buf *err, struct proc_result *res,
	     const struct proc_opts *o, struct diag *d)
{
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int fa_ok = 0, attr_ok = 0, error = 0, status = 0, reaped = 0, got_epipe = 0;
	char **envp = NULL;
	struct buf scratch = BUF_INIT, errscratch = BUF_INIT;
	sigset_t pipe_set, old_mask, empty, all;
	size_t written = 0, outlen0, max_out = o->max_output ? o->max_output : PROC_MAX_OUTPUT;
	size_t keep = o->stderr_keep ? o->stderr_keep : PROC_STDERR_KEEP, errlen0;
	unsigned long timeout = o->timeout_ms ? o->timeout_ms : PROC_DEFAULT_TIMEOUT_MS;
	const void *in = o->in;
	size_t inlen = o->inlen;
	pid_t pid = -1;
	long long deadline;
	char *chunk = NULL, msg[256];

	memset(res, 0, sizeof(*res));
	if (!out)
		out = &scratch;
	if (!err)
		err = &errscratch;
	outlen0 = out->len;
	errlen0 = err->len;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

	if (!(chunk = malloc(PROC_CHUNK)) || !(envp = S_envp(o))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((in && pipe2(inp, O_CLOEXEC) < 0) || pipe2(outp, O_CLOEXEC) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		error = diag_set(d, DIAG_EEXEC, "cannot create a pipe: %s",
				 strerror_r(errno, msg, sizeof(msg)));
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
	    (o->dir && posix_spawn_file_actions_addchdir_np(&fa, o->dir) != 0) ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						   POSIX_SPAWN_SETSIGDEF) != 0 ||
	    posix_spawnattr_setpgroup(&attr, 0) != 0 ||
	    posix_spawnattr_setsigmask(&attr, &empty) != 0 ||
	    posix_spawnattr_setsigdefault(&attr, &all) != 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	error = posix_spawnp(&pid, o->argv[0], &fa, &attr, (char *const *)o->argv, envp);
	if (error != 0) {
		res->spawn_errno = error;
		pid = -1;
		error = diag_set(d, DIAG_EEXEC, "cannot run '%s': %s", o->argv[0],
				 strerror_r(res->spawn_errno, msg, sizeof(msg)));
		goto done;
	}
	res->spawned = 1;
	S_close(&inp[0]);
	S_close(&outp[1]);
	S_close(&errp[1]);
	if ((inp[1] >= 0 && S_set_nonblock(inp[1]) < 0) || S_set_nonblock(outp[0]) < 0 ||
	    S_set_nonblock(errp[0]) < 0) {
		error = diag_set(d, DIAG_EEXEC, "fcntl: %s", strerror_r(errno, msg, sizeof(msg)));
		goto done;
	}
	if (inp[1] >= 0 && inlen == 0)
		S_close(&inp[1]);

	deadline = S_now_ms() + (long long)timeout;
	while (outp[0] >= 0 || errp[0] >= 0 || inp[1] >= 0 || !reaped) {
		struct pollfd pf[3];
		nfds_t np = 0;
		long long left = deadline - S_now_ms();
		int wait_ms, r;

		if (left <= 0) {
			res->timed_out = 1;
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
				error = diag_set(d, DIAG_EEXEC, "waitpid: %s",
						 strerror_r(errno, msg, sizeof(msg)));
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
			error = diag_set(d, DIAG_EEXEC, "poll: %s", strerror_r(errno, msg, sizeof(msg)));
			goto done;
		}
		for (nfds_t i = 0; i < np; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == inp[1]) {
				size_t want = inlen - written;
				ssize_t n;
				if (want > PROC_CHUNK)
					want = PROC_CHUNK;
				n = write(inp[1], (const char *)in + written, want);
				if (n > 0) {
					written += (size_t)n;
					if (written == inlen)
						S_close(&inp[1]);
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					/* EPIPE: it stopped reading; its exit status decides */
					if (errno == EPIPE)
						got_epipe = 1;
					S_close(&inp[1]);
				}
			} else {
				int is_out = pf[i].fd == outp[0];
				ssize_t n = read(pf[i].fd, chunk, PROC_CHUNK);
				if (n > 0) {
					if (is_out) {
						if (out->len - outlen0 + (size_t)n > max_out) {
							res->too_big = 1;
							break;
						}
						if (out != &scratch)
							buf_add(out, chunk, (size_t)n);
					} else if (err->len - errlen0 < keep && err != &errscratch) {
						size_t room = keep - (err->len - errlen0);
						buf_add(err, chunk, (size_t)n < room ? (size_t)n : room);
					}
				} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
					S_close(is_out ? &outp[0] : &errp[0]);
				}
			}
		}
		if (res->too_big)
			break;
	}
	if (res->timed_out || res->too_big) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		pid = -1;
		goto done;
	}
	pid = -1;
	if (buf_oom(out) || buf_oom(err)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (WIFEXITED(status)) {
		res->exited = 1;
		res->exit_status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	}
done:
	if (pid > 0) {
		/* an error after the spawn: do not leave it running */
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
	free(envp);
	free(chunk);
	buf_release(&scratch);
	buf_release(&errscratch);
	return error;
}
