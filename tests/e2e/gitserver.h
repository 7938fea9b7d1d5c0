/*
 * Test git servers on loopback, for tests that drive real git (never a mock
 * of libgit2): `git daemon` (git://, receive-pack enabled) and git's
 * http-backend behind a tiny HTTP/1.1 server of our own (Basic auth
 * optional). Each server is a child process; stop it with gitserver_stop,
 * which kills it by its process id (and its process group).
 *
 * The unit test executables are globbed from tests/unit/test_*.c, so a test
 * that needs these includes gitserver.c directly.
 */
#ifndef HYDRATE_TESTS_GITSERVER_H
#define HYDRATE_TESTS_GITSERVER_H

#include <sys/types.h>

struct gitserver {
	pid_t pid;
	int port;
};

/* A loopback TCP port nobody listened on a moment ago (0 on failure). */
int gitserver_free_port(void);
/* Starts `git daemon` serving base_dir; retries on a port collision. 0 or -1. */
int gitserver_start_daemon(struct gitserver *s, const char *base_dir);
/* Starts the HTTP server for base_dir. If user is not NULL, every request
 * must carry Basic credentials user:password, else 401. 0 or -1. */
int gitserver_start_http(struct gitserver *s, const char *base_dir,
			 const char *user, const char *password);
/* Starts `openssl s_server` on a self-signed certificate it makes in dir
 * (for tests of TLS verification; it speaks no git). 0 or -1. */
int gitserver_start_tls(struct gitserver *s, const char *dir);
/* Starts OpenSSH's sshd (-D, on loopback) with a host key and a client key
 * it makes in dir: dir/host_key(.pub), dir/user_key(.pub) (authorized for
 * the current user), dir/known_hosts (the host key for [127.0.0.1]:port).
 * Git runs over it as `ssh://USER@127.0.0.1:PORT/ABSOLUTE/PATH`.
 * 1 when there is no sshd (the caller skips), 0, or -1. */
int gitserver_start_sshd(struct gitserver *s, const char *dir);
/* Kills and reaps the server. Safe on a stopped or never-started server. */
void gitserver_stop(struct gitserver *s);
/* Runs a shell command; returns its exit status (-1 if it could not run). */
int gitserver_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a shell command and returns its first output line, trimmed, in a
 * malloc'd string (NULL on failure). */
char *gitserver_sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
