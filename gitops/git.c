/*
 * gitops/git: a bare cache of the GitOps repository, through libgit2.
 * See git.h for the contract; this file says why things are done so.
 */
#include "gitops/git.h"
#include "gitops/known_hosts.h"
#include "render/srcfile.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/stream.h>
#include <openssl/evp.h>

/* Trees are acyclic, but a crafted repository can nest deeply. */
#define S_MAX_DEPTH 256
#define S_PRIVATE_NS "refs/hydrate/heads/"
#define S_PUSH_NS "refs/hydrate/push/"
#define S_TAGS_NS "refs/hydrate/tags/"
/* other refs a revision names: refs/hydrate/rev/<its full name> */
#define S_REV_NS "refs/hydrate/rev/"
#define S_REMOTE "origin"
#define S_LOCK_RETRIES 10

struct repo_cache {
	git_repository *repo;
	pthread_mutex_t lock; /* held by every public operation */
	char *path;      /* the bare repository's directory */
	char *url;       /* without userinfo: what messages show */
	char *url_user;  /* userinfo from the URL, percent-decoded, or NULL */
	char *url_pass;
	char *username, *token, *ssh_key, *ssh_pubkey, *ssh_passphrase;
	int insecure;
	int local;       /* a path or file:// URL: no credentials */
	int http;        /* http:// or https:// */
};

/* One per network operation: what the callbacks saw. */
struct S_op {
	struct repo_cache *cache;
	int userpass_tries, ssh_tries;
	int auth_failed;
	struct buf msg;       /* our own reason, preferred over libgit2's */
	struct buf rejected;  /* a push status the remote sent back */
};

#define S_OP_INIT(c) { (c), 0, 0, 0, BUF_INIT, BUF_INIT }

/*
 * libgit2 is loaded on first use (dlopen), not linked: linked, it and the
 * ~18 libraries it needs (mbedTLS, libssh2, Kerberos, http-parser ...) are
 * loaded and relocated at every start of hydrate, some 3 MiB of resident
 * memory and milliseconds before main, which `hydrate template` and
 * `hydrate kustomize` would pay for nothing (docs/architecture.md,
 * "Performance"). The functions this file calls are listed once here and
 * reached through S_git; S_global_init (run by repo_cache_open, which every
 * operation needs) fills it.
 */
#ifndef HYDRATE_LIBGIT2_SONAME
#define HYDRATE_LIBGIT2_SONAME "libgit2.so.1.5"
#endif

#define S_GIT_FUNCS(X) \
	X(git_blob_create_from_buffer) \
	X(git_blob_free) \
	X(git_blob_lookup) \
	X(git_blob_rawcontent) \
	X(git_blob_rawsize) \
	X(git_buf_dispose) \
	X(git_commit_create) \
	X(git_commit_free) \
	X(git_commit_lookup) \
	X(git_commit_tree) \
	X(git_config_free) \
	X(git_config_get_string_buf) \
	X(git_credential_ssh_key_from_agent) \
	X(git_credential_ssh_key_new) \
	X(git_credential_username_new) \
	X(git_credential_userpass_plaintext_new) \
	X(git_error_last) \
	X(git_error_set_str) \
	X(git_fetch_options_init) \
	X(git_graph_descendant_of) \
	X(git_libgit2_init) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_lookup_prefix) \
	X(git_object_peel) \
	X(git_oid_cpy) \
	X(git_oid_equal) \
	X(git_oid_fromstrn) \
	X(git_oid_tostr) \
	X(git_push_options_init) \
	X(git_reference_create) \
	X(git_reference_delete) \
	X(git_reference_free) \
	X(git_reference_lookup) \
	X(git_reference_name_is_valid) \
	X(git_remote_create_options_init) \
	X(git_remote_connect) \
	X(git_remote_create_with_opts) \
	X(git_remote_fetch) \
	X(git_remote_free) \
	X(git_remote_ls) \
	X(git_remote_push) \
	X(git_remote_set_url) \
	X(git_repository_config) \
	X(git_repository_free) \
	X(git_repository_init) \
	X(git_repository_open_bare) \
	X(git_signature_free) \
	X(git_signature_new) \
	X(git_signature_now) \
	X(git_stream_register) \
	X(git_tree_create_updated) \
	X(git_tree_entry_byindex) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_filemode) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_entry_name) \
	X(git_tree_entry_type) \
	X(git_tree_entrycount) \
	X(git_tree_free) \
	X(git_tree_id) \
	X(git_tree_lookup) \
	X(git_treebuilder_free) \
	X(git_treebuilder_new) \
	X(git_treebuilder_write)

static struct {
#define X(f) __typeof__(f) *f;
	S_GIT_FUNCS(X)
#undef X
} S_git;

static int S_register_stream(void);

static pthread_once_t S_once = PTHREAD_ONCE_INIT;
static int S_init_error;
static char S_init_msg[256];

static void S_init(void)
{
	void *lib = dlopen(HYDRATE_LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *err;

	if (!lib) {
		err = dlerror();
		snprintf(S_init_msg, sizeof(S_init_msg), "cannot load libgit2: %s",
			 err ? err : HYDRATE_LIBGIT2_SONAME);
		S_init_error = 1;
		return;
	}
	/* POSIX's way from a data pointer to a function pointer: copy it */
#define X(f)                                                                      \
	do {                                                                      \
		void *sym = dlsym(lib, #f);                                       \
		if (!sym) {                                                       \
			snprintf(S_init_msg, sizeof(S_init_msg),                  \
				 "cannot load libgit2: %s has no %s", HYDRATE_LIBGIT2_SONAME, #f); \
			S_init_error = 1;                                         \
			return;                                                   \
		}                                                                 \
		memcpy(&S_git.f, &sym, sizeof(sym));                              \
	} while (0);
	S_GIT_FUNCS(X)
#undef X
	/* Never shut down nor unloaded: shutdown is process-wide and a thread
	 * pool may still hold caches. git_libgit2_init returns the init count. */
	if (S_git.git_libgit2_init() < 0) {
		snprintf(S_init_msg, sizeof(S_init_msg), "cannot initialise libgit2");
		S_init_error = 1;
		return;
	}
	if (S_register_stream() < 0) {
		snprintf(S_init_msg, sizeof(S_init_msg), "cannot register a socket stream with libgit2");
		S_init_error = 1;
	}
}

static int S_global_init(struct diag *d)
{
	pthread_once(&S_once, S_init);
	if (S_init_error)
		return diag_set(d, DIAG_EGENERIC, "%s", S_init_msg);
	return 0;
}

static void S_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static char *S_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------------------ */
/* Network timeouts: our socket stream */

/*
 * libgit2 1.5 has no timeout of its own (GIT_OPT_SET_SERVER_TIMEOUT came in
 * 1.7): a server that accepts and never answers blocks a fetch forever. It
 * does let a program register the "standard" stream, the plain TCP socket
 * every transport asks for (git://, http://; the TLS stream of https://
 * wraps one; ssh:// too), so this one bounds each wait with poll().
 *
 * Layout: libgit2 1.5's ssh transport does not use the stream for I/O; it
 * takes the descriptor out of it, casting to its private git_socket_stream
 * { git_stream parent; char *host; char *port; int s; }
 * (src/libgit2/transports/ssh.c, _git_ssh_session_create). struct S_stream
 * starts with the same members in the same order, so that cast finds fd.
 * The descriptor is left in blocking mode after connecting, as libssh2
 * expects; our reads and writes poll first and pass MSG_DONTWAIT.
 */
struct S_stream {
	git_stream parent;
	char *host;
	char *port;
	int fd;          /* git_socket_stream.s: keep it here */
	int connect_ms;  /* 0: no limit */
	int idle_ms;
};

/* What our socket stream says when it gave up waiting, for S_fail; set in
 * the thread that runs the operation, cleared when an operation starts. */
static _Thread_local char S_timeout_msg[256];

/* -1: not set (the environment or the default rules) */
static int S_connect_ms_set = -1, S_idle_ms_set = -1;

void repo_set_timeouts(int connect_ms, int idle_ms)
{
	S_connect_ms_set = connect_ms < 0 ? -1 : connect_ms;
	S_idle_ms_set = idle_ms < 0 ? -1 : idle_ms;
}

/* Seconds from the environment variable name, in ms; def_s if unset or bad. */
static int S_env_ms(const char *name, int def_s)
{
	const char *v = getenv(name);
	char *end;
	double s;

	if (!v || !*v)
		return def_s * 1000;
	errno = 0;
	s = strtod(v, &end);
	if (errno || *end || !(s >= 0) || s > 86400.0)
		return def_s * 1000;
	return (int)(s * 1000.0 + 0.5);
}

void repo_get_timeouts(int *connect_ms_out, int *idle_ms_out)
{
	int c = S_connect_ms_set, i = S_idle_ms_set;

	*connect_ms_out = c >= 0 ? c : S_env_ms("HYDRATE_GIT_CONNECT_TIMEOUT",
						 REPO_CONNECT_TIMEOUT_DEFAULT);
	*idle_ms_out = i >= 0 ? i : S_env_ms("HYDRATE_GIT_TIMEOUT", REPO_IDLE_TIMEOUT_DEFAULT);
}

static long long S_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "1.5 s", "30 s" */
static void S_fmt_secs(char *out, size_t size, int ms)
{
	if (ms % 1000)
		snprintf(out, size, "%d.%03d s", ms / 1000, ms % 1000);
	else
		snprintf(out, size, "%d s", ms / 1000);
}

/* Records a timeout for S_fail and tells libgit2. */
static void S_timed_out(const struct S_stream *st, const char *doing, int ms)
{
	char secs[32];

	S_fmt_secs(secs, sizeof(secs), ms);
	snprintf(S_timeout_msg, sizeof(S_timeout_msg), "timed out after %s %s %s:%s", secs,
		 doing, st->host, st->port);
	S_git.git_error_set_str(GIT_ERROR_NET, S_timeout_msg);
}

/*
 * Waits until fd is ready for events or ms pass (0: forever; deadline_ms,
 * when not 0, caps it). 1 ready, 0 timed out, -1 error (errno).
 */
static int S_wait_fd(int fd, short events, int ms, long long deadline_ms)
{
	struct pollfd p = { fd, events, 0 };
	long long end = deadline_ms ? deadline_ms : (ms ? S_now_ms() + ms : 0);

	for (;;) {
		int wait = -1, r;

		if (end) {
			long long left = end - S_now_ms();

			if (left <= 0)
				return 0;
			wait = left > INT_MAX ? INT_MAX : (int)left;
		}
		r = poll(&p, 1, wait);
		if (r > 0)
			return 1;
		if (r == 0)
			continue; /* re-checks the clock, then returns 0 */
		if (errno != EINTR)
			return -1;
	}
}

static int S_stream_connect(git_stream *stream)
{
	struct S_stream *st = (struct S_stream *)stream;
	struct addrinfo hints, *info = NULL, *p;
	long long deadline = st->connect_ms ? S_now_ms() + st->connect_ms : 0;
	int fd = -1, err = 0, ret, timed_out = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	if ((ret = getaddrinfo(st->host, st->port, &hints, &info)) != 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "failed to resolve address for %s: %s", st->host,
			 gai_strerror(ret));
		S_git.git_error_set_str(GIT_ERROR_NET, msg);
		return -1;
	}
	for (p = info; p; p = p->ai_next) {
		int soerr = 0, flags;
		socklen_t len = sizeof(soerr);

		fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    p->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, p->ai_addr, p->ai_addrlen) < 0) {
			if (errno != EINPROGRESS) {
				soerr = errno;
			} else {
				ret = S_wait_fd(fd, POLLOUT, 0, deadline);
				if (ret == 0) {
					timed_out = 1;
					close(fd);
					fd = -1;
					break;
				}
				if (ret < 0)
					soerr = errno;
				else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
					soerr = errno;
			}
		}
		if (!soerr && (flags = fcntl(fd, F_GETFL)) >= 0 &&
		    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0)
			break;
		err = soerr ? soerr : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(info);
	if (timed_out) {
		S_timed_out(st, "connecting to", st->connect_ms);
		return -1;
	}
	if (fd < 0) {
		char msg[512];

		snprintf(msg, sizeof(msg), "failed to connect to %s: %s", st->host,
			 strerror(err ? err : ECONNREFUSED));
		S_git.git_error_set_str(GIT_ERROR_OS, msg);
		return -1;
	}
	st->fd = fd;
	return 0;
}

static ssize_t S_stream_read(git_stream *stream, void *data, size_t len)
{
	struct S_stream *st = (struct S_stream *)stream;

	for (;;) {
		int r = S_wait_fd(st->fd, POLLIN, st->idle_ms, 0);
		ssize_t n;

		if (r == 0) {
			S_timed_out(st, "waiting for data from", st->idle_ms);
			return -1;
		}
		if (r > 0) {
			n = recv(st->fd, data, len, MSG_DONTWAIT);
			if (n >= 0)
				return n;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
		}
		S_git.git_error_set_str(GIT_ERROR_NET, "error receiving socket data");
		return -1;
	}
}

static ssize_t S_stream_write(git_stream *stream, const char *data, size_t len, int flags)
{
	struct S_stream *st = (struct S_stream *)stream;

	for (;;) {
		int r = S_wait_fd(st->fd, POLLOUT, st->idle_ms, 0);
		ssize_t n;

		if (r == 0) {
			S_timed_out(st, "sending to", st->idle_ms);
			return -1;
		}
		if (r > 0) {
			n = send(st->fd, data, len, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n >= 0)
				return n;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
		}
		S_git.git_error_set_str(GIT_ERROR_NET, "error sending data");
		return -1;
	}
}

static int S_stream_close(git_stream *stream)
{
	struct S_stream *st = (struct S_stream *)stream;
	int error = 0;

	if (st->fd >= 0)
		error = close(st->fd);
	st->fd = -1;
	return error;
}

static void S_stream_free(git_stream *stream)
{
	struct S_stream *st = (struct S_stream *)stream;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	free(st->host);
	free(st->port);
	free(st);
}

static int S_stream_new(git_stream **out, const char *host, const char *port)
{
	struct S_stream *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (!st || !(st->host = strdup(host ? host : "")) ||
	    !(st->port = strdup(port ? port : ""))) {
		if (st) {
			free(st->host);
			free(st);
		}
		S_git.git_error_set_str(GIT_ERROR_NOMEMORY, "out of memory");
		return -1;
	}
	st->parent.version = GIT_STREAM_VERSION;
	st->parent.connect = S_stream_connect;
	st->parent.read = S_stream_read;
	st->parent.write = S_stream_write;
	st->parent.close = S_stream_close;
	st->parent.free = S_stream_free;
	st->fd = -1;
	repo_get_timeouts(&st->connect_ms, &st->idle_ms);
	*out = &st->parent;
	return 0;
}

static int S_register_stream(void)
{
	git_stream_registration reg;

	memset(&reg, 0, sizeof(reg));
	reg.version = GIT_STREAM_VERSION;
	reg.init = S_stream_new;
	return S_git.git_stream_register(GIT_STREAM_STANDARD, &reg);
}

/* ------------------------------------------------------------------ */
/* Object ids */

void repo_oid_fmt(char out[REPO_OID_HEXSZ + 1], const struct repo_oid *oid)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < sizeof(oid->id); i++) {
		out[2 * i] = hex[oid->id[i] >> 4];
		out[2 * i + 1] = hex[oid->id[i] & 15];
	}
	out[REPO_OID_HEXSZ] = '\0';
}

static int S_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int repo_oid_parse(struct repo_oid *out, const char *hex)
{
	if (!hex || strlen(hex) != REPO_OID_HEXSZ)
		return DIAG_EINVALID;
	for (size_t i = 0; i < sizeof(out->id); i++) {
		int hi = S_hexval((unsigned char)hex[2 * i]);
		int lo = S_hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return DIAG_EINVALID;
		out->id[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int repo_oid_equal(const struct repo_oid *a, const struct repo_oid *b)
{
	return memcmp(a->id, b->id, sizeof(a->id)) == 0;
}

static void S_to_git(git_oid *out, const struct repo_oid *oid)
{
	memcpy(out->id, oid->id, sizeof(oid->id));
}

static void S_from_git(struct repo_oid *out, const git_oid *oid)
{
	memcpy(out->id, oid->id, sizeof(out->id));
}

/* ------------------------------------------------------------------ */
/* Redaction */

static int S_replace_all(struct buf *out, const char *in, size_t len,
			 const char *needle)
{
	size_t nlen = strlen(needle), i = 0;

	while (i < len) {
		if (len - i >= nlen && memcmp(in + i, needle, nlen) == 0) {
			buf_adds(out, "***");
			i += nlen;
		} else {
			buf_addch(out, in[i++]);
		}
	}
	return buf_oom(out) ? -1 : 0;
}

/* Ends an authority: what cannot be inside "user:pass@host:port". */
static int S_authority_end(int c)
{
	return c == '\0' || c == '/' || c == ' ' || c == '\t' || c == '\n' ||
	       c == '\r' || c == '\'' || c == '"' || c == '?' || c == '#' ||
	       c == '<' || c == '>';
}

int repo_redact(struct buf *out, const char *text, const char *const *secrets,
		size_t n)
{
	struct buf cur = BUF_INIT, next = BUF_INIT;
	int error = 0;

	buf_adds(&cur, text ? text : "");
	for (size_t s = 0; s < n; s++) {
		if (!secrets[s] || strlen(secrets[s]) < 4)
			continue;
		buf_reset(&next);
		S_replace_all(&next, cur.ptr, cur.len, secrets[s]);
		buf_set(&cur, next.ptr, next.len);
	}
	for (size_t i = 0; i < cur.len;) {
		if (cur.len - i >= 3 && memcmp(cur.ptr + i, "://", 3) == 0) {
			size_t start = i + 3, end = start, at = 0;
			int has_at = 0;

			while (end < cur.len && !S_authority_end((unsigned char)cur.ptr[end])) {
				if (cur.ptr[end] == '@') {
					at = end;
					has_at = 1;
				}
				end++;
			}
			buf_adds(out, "://");
			if (has_at) {
				buf_adds(out, "***");
				buf_add(out, cur.ptr + at, end - at);
			} else {
				buf_add(out, cur.ptr + start, end - start);
			}
			i = end;
		} else {
			buf_addch(out, cur.ptr[i++]);
		}
	}
	if (buf_oom(out) || buf_oom(&cur) || buf_oom(&next))
		error = DIAG_ENOMEM;
	buf_release(&cur);
	buf_release(&next);
	return error;
}

static const char *const S_token_vars[] = {
	"HYDRATE_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN", "GITEA_TOKEN"
};
static const char *const S_token_users[] = {
	"x-access-token", "x-access-token", "oauth2", "hydrate"
};

/* Every secret a message could carry, for repo_redact. */
static size_t S_secrets(const char **out, const struct repo_cache *c)
{
	size_t n = 0;

	if (c) {
		out[n++] = c->token;
		out[n++] = c->url_pass;
		out[n++] = c->ssh_passphrase;
		/* https://TOKEN@host: the user name may be the token */
		out[n++] = c->http ? c->url_user : NULL;
	}
	for (size_t i = 0; i < sizeof(S_token_vars) / sizeof(*S_token_vars); i++)
		out[n++] = getenv(S_token_vars[i]);
	return n;
}

/* Appends text to d's message, redacted. */
static void S_add_redacted(struct diag *d, const struct repo_cache *c,
			   const char *text)
{
	const char *secrets[9];
	size_t n = S_secrets(secrets, c);

	if (d)
		repo_redact(&d->msg, text, secrets, n);
}

/* A server's way of saying the repository does not exist (git daemon,
 * HTTP, ssh and local transports of libgit2 1.5). */
static int S_says_no_repository(const char *msg)
{
	return strstr(msg, "no such repository") ||
	       strstr(msg, "status code: 404") ||
	       strstr(msg, "could not find repository") ||
	       strstr(msg, "does not appear to be a git repository") ||
	       strstr(msg, "Repository not found");
}

/*
 * Sets d from a failed libgit2 call: the code from the error class, the
 * message "<what>: <reason>" with the reason redacted. what is ours and
 * holds no secret (the URL in it is already clean).
 */
static int S_fail(struct diag *d, int gerr, struct S_op *op,
		  const struct repo_cache *c, const char *what)
{
	const git_error *e = S_git.git_error_last();
	int code = DIAG_EGENERIC;

	if (S_timeout_msg[0]) {
		/* Our stream timed out; libgit2 (or mbedTLS above it) may have
		 * put its own words on top: ours say what happened. */
		if (d) {
			diag_set(d, DIAG_ENET, "%s: ", what);
			S_add_redacted(d, c, S_timeout_msg);
		}
		S_timeout_msg[0] = '\0';
		return DIAG_ENET;
	}
	if ((op && op->auth_failed) || gerr == GIT_EAUTH)
		code = DIAG_EAUTH;
	else if (e && e->message && S_says_no_repository(e->message))
		code = REPO_ENOREPO;
	else if (gerr == GIT_ECERTIFICATE)
		code = DIAG_ENET;
	else if (e && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_HTTP ||
		       e->klass == GIT_ERROR_SSH || e->klass == GIT_ERROR_SSL ||
		       e->klass == GIT_ERROR_OS))
		code = DIAG_ENET;
	else if (gerr == GIT_ENOTFOUND)
		code = DIAG_ENOTFOUND;
	else if (gerr == GIT_ENONFASTFORWARD)
		code = DIAG_ECONFLICT;
	if (!d)
		return code;
	diag_set(d, code, "%s: ", what);
	if (op && op->msg.len)
		S_add_redacted(d, c, op->msg.ptr);
	else if (e && e->message)
		S_add_redacted(d, c, e->message);
	else
		buf_addf(&d->msg, "libgit2 error %d", gerr);
	return code;
}

/* ------------------------------------------------------------------ */
/* URLs and the cache */

static int S_unhex_pct(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '%' && S_hexval((unsigned char)r[1]) >= 0 &&
		    S_hexval((unsigned char)r[2]) >= 0) {
			*w++ = (char)(S_hexval((unsigned char)r[1]) << 4 |
				      S_hexval((unsigned char)r[2]));
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
}

/*
 * Splits url_or_path into the clean URL and its userinfo. Local paths are
 * made absolute, so the cache does not depend on the working directory.
 */
static int S_parse_url(struct repo_cache *c, const char *in, struct diag *d)
{
	const char *scheme_end = strstr(in, "://");
	const char *colon = strchr(in, ':');
	const char *slash = strchr(in, '/');
	struct buf url = BUF_INIT;

	if (!*in)
		return diag_set(d, DIAG_EINVALID, "empty repository URL");
	if (scheme_end && (!slash || scheme_end < slash)) {
		const char *auth = scheme_end + 3, *end = auth, *at = NULL;

		while (!S_authority_end((unsigned char)*end)) {
			if (*end == '@')
				at = end;
			end++;
		}
		buf_add(&url, in, (size_t)(auth - in));
		if (at) {
			const char *sep = memchr(auth, ':', (size_t)(at - auth));
			size_t ulen = (size_t)((sep ? sep : at) - auth);

			c->url_user = strndup(auth, ulen);
			if (sep)
				c->url_pass = strndup(sep + 1, (size_t)(at - sep - 1));
			if (!c->url_user || (sep && !c->url_pass))
				goto oom;
			S_unhex_pct(c->url_user);
			if (c->url_pass)
				S_unhex_pct(c->url_pass);
			if (!*c->url_user) {
				free(c->url_user);
				c->url_user = NULL;
			}
			auth = at + 1;
		}
		buf_adds(&url, auth);
		c->local = strncmp(in, "file://", 7) == 0;
		c->http = strncmp(in, "http://", 7) == 0 || strncmp(in, "https://", 8) == 0;
		/* ssh://user@host keeps its user name (no secret) in the URL. */
		if (!c->http && at && !c->url_pass) {
			free(c->url_user);
			c->url_user = NULL;
			buf_reset(&url);
			buf_adds(&url, in);
		}
	} else if (colon && (!slash || colon < slash) && colon != in) {
		/* scp-like user@host:path: ssh, userinfo kept (it is no secret) */
		buf_adds(&url, in);
	} else if (in[0] == '/') {
		buf_adds(&url, in);
		c->local = 1;
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return diag_set(d, DIAG_EGENERIC, "cannot resolve '%s': %s",
					in, strerror(errno));
		buf_addf(&url, "%s/%s", cwd, in);
		c->local = 1;
	}
	if (buf_oom(&url))
		goto oom;
	c->url = buf_detach(&url, NULL);
	return 0;
oom:
	buf_release(&url);
	return diag_set(d, DIAG_ENOMEM, "out of memory");
}

static int S_mkdirs(const char *path)
{
	char *p = strdup(path);
	int error = 0;

	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			error = -1;
		*s = '/';
	}
	if (!error && mkdir(p, 0777) < 0 && errno != EEXIST)
		error = -1;
	free(p);
	return error;
}

static int S_cache_name(struct buf *out, const char *dir, const char *url)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(url, strlen(url), md, &mdlen, EVP_sha256(), NULL))
		return -1;
	buf_addf(out, "%s/", dir);
	for (unsigned int i = 0; i < 20 && i < mdlen; i++)
		buf_addf(out, "%02x", md[i]);
	buf_adds(out, ".git");
	return buf_oom(out) ? -1 : 0;
}

/*
 * The remote libgit2 works with: in memory, not looked up by name, with
 * url.<base>.insteadOf ignored. Rewriting would make the remote depend on
 * the machine's configuration. (git_remote_lookup in libgit2 1.5.1 also
 * leaks PCRE2 match data on every call; this path does not.)
 */
static int S_remote(git_remote **out, struct repo_cache *c)
{
	git_remote_create_options opts;

	S_git.git_remote_create_options_init(&opts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	opts.repository = c->repo;
	opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
		     GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	return S_git.git_remote_create_with_opts(out, c->url, &opts);
}

/* Records the remote in the cache's config, for people and git tools that
 * look at the cache; hydrate itself uses S_remote. */
static int S_setup_remote(struct repo_cache *c, struct diag *d)
{
	git_remote_create_options opts;
	git_config *cfg = NULL;
	git_remote *remote = NULL;
	git_buf url = GIT_BUF_INIT;
	int error;

	if ((error = S_git.git_repository_config(&cfg, c->repo)) < 0)
		goto done;
	error = S_git.git_config_get_string_buf(&url, cfg, "remote." S_REMOTE ".url");
	if (error == GIT_ENOTFOUND) {
		S_git.git_remote_create_options_init(&opts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
		opts.repository = c->repo;
		opts.name = S_REMOTE;
		opts.fetchspec = "+refs/heads/*:" S_PRIVATE_NS "*";
		opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF;
		error = S_git.git_remote_create_with_opts(&remote, c->url, &opts);
	} else if (error == 0 && strcmp(url.ptr, c->url) != 0) {
		error = S_git.git_remote_set_url(c->repo, S_REMOTE, c->url);
	}
done:
	S_git.git_remote_free(remote);
	S_git.git_config_free(cfg);
	S_git.git_buf_dispose(&url);
	if (error < 0) {
		struct buf what = BUF_INIT;

		buf_addf(&what, "cannot configure the remote '%s' in '%s'", c->url, c->path);
		error = S_fail(d, error, NULL, c, what.ptr);
		buf_release(&what);
	}
	return error;
}

int repo_cache_open(struct repo_cache **out, const char *url_or_path,
		    const char *cache_dir, const struct repo_auth *auth,
		    struct diag *d)
{
	struct repo_cache *c = NULL;
	struct buf path = BUF_INIT;
	int error;

	*out = NULL;
	if ((error = S_global_init(d)) < 0)
		return error;
	if (!url_or_path || !cache_dir || !*cache_dir)
		return diag_set(d, DIAG_EINVALID, "no repository URL or cache directory");
	c = calloc(1, sizeof(*c));
	if (!c)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return diag_set(d, DIAG_EGENERIC, "cannot create a mutex");
	}
	if ((error = S_parse_url(c, url_or_path, d)) < 0)
		goto done;
	if (auth) {
		c->username = S_strdup(auth->username);
		c->token = S_strdup(auth->token);
		c->ssh_key = S_strdup(auth->ssh_key);
		c->ssh_pubkey = S_strdup(auth->ssh_pubkey);
		c->ssh_passphrase = S_strdup(auth->ssh_passphrase);
		c->insecure = auth->insecure_skip_tls_verify;
		if ((auth->username && !c->username) || (auth->token && !c->token) ||
		    (auth->ssh_key && !c->ssh_key) ||
		    (auth->ssh_pubkey && !c->ssh_pubkey) ||
		    (auth->ssh_passphrase && !c->ssh_passphrase)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (S_mkdirs(cache_dir) < 0) {
		error = diag_set(d, DIAG_EGENERIC, "cannot create the cache directory '%s': %s",
				 cache_dir, strerror(errno));
		goto done;
	}
	if (S_cache_name(&path, cache_dir, c->url) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	c->path = buf_detach(&path, NULL);
	error = S_git.git_repository_open_bare(&c->repo, c->path);
	if (error == GIT_ENOTFOUND)
		error = S_git.git_repository_init(&c->repo, c->path, 1);
	if (error < 0) {
		struct buf what = BUF_INIT;

		buf_addf(&what, "cannot open the cache '%s' for '%s'", c->path, c->url);
		error = S_fail(d, error, NULL, c, what.ptr);
		buf_release(&what);
		goto done;
	}
	if ((error = S_setup_remote(c, d)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	buf_release(&path);
	repo_cache_free(c);
	return error;
}

void repo_cache_free(struct repo_cache *c)
{
	if (!c)
		return;
	if (c->repo)
		S_git.git_repository_free(c->repo);
	free(c->path);
	free(c->url);
	free(c->url_user);
	if (c->url_pass)
		memset(c->url_pass, 0, strlen(c->url_pass));
	free(c->url_pass);
	free(c->username);
	if (c->token)
		memset(c->token, 0, strlen(c->token));
	free(c->token);
	free(c->ssh_key);
	free(c->ssh_pubkey);
	free(c->ssh_passphrase);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const char *repo_cache_path(const struct repo_cache *c)
{
	return c->path;
}

const char *repo_cache_url(const struct repo_cache *c)
{
	return c->url;
}

/* ------------------------------------------------------------------ */
/* Callbacks */

/* Fails the credential request with "reason 'arg'" (arg may be NULL;
 * quoted if quote is set). */
static int S_auth_error(struct S_op *op, const char *reason, const char *arg,
			int quote)
{
	op->auth_failed = 1;
	buf_reset(&op->msg);
	buf_adds(&op->msg, reason);
	if (arg)
		buf_addf(&op->msg, quote ? " '%s'" : " %s", arg);
	S_git.git_error_set_str(GIT_ERROR_NET, op->msg.ptr);
	return GIT_EAUTH;
}

static int S_credentials(git_credential **out, const char *url,
			 const char *user_from_url, unsigned int allowed,
			 void *payload)
{
	struct S_op *op = payload;
	struct repo_cache *c = op->cache;
	const char *user = c->username ? c->username : user_from_url;

	if (!user)
		user = c->url_user;
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		if (!user)
			user = "git";
		if (op->ssh_tries++ > 0)
			return S_auth_error(op, "the server refused the SSH key of user", user, 1);
		if (c->ssh_key)
			return S_git.git_credential_ssh_key_new(out, user, c->ssh_pubkey,
							  c->ssh_key, c->ssh_passphrase);
		/* the commands' way to name a key: HYDRATE_SSH_KEY (a private key
		 * file; its public key beside it as KEY.pub, or derived) */
		if (getenv("HYDRATE_SSH_KEY") && *getenv("HYDRATE_SSH_KEY"))
			return S_git.git_credential_ssh_key_new(out, user, NULL,
							  getenv("HYDRATE_SSH_KEY"),
							  getenv("HYDRATE_SSH_PASSPHRASE"));
		return S_git.git_credential_ssh_key_from_agent(out, user);
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return S_git.git_credential_username_new(out, user ? user : "git");
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		const char *token = c->token ? c->token : c->url_pass;
		const char *from = c->token ? "the caller" : "the URL";
		const char *conv = "x-access-token";

		for (size_t i = 0; !token && i < sizeof(S_token_vars) / sizeof(*S_token_vars); i++) {
			const char *v = getenv(S_token_vars[i]);

			if (v && *v) {
				token = v;
				from = S_token_vars[i];
				conv = S_token_users[i];
			}
		}
		if (!token && c->url_user && !c->username) {
			/* https://TOKEN@host, as GitHub and Gitea accept it */
			if (op->userpass_tries++ > 0)
				return S_auth_error(op, "the server refused the user name in the URL", NULL, 0);
			return S_git.git_credential_userpass_plaintext_new(out, c->url_user, "");
		}
		if (!token)
			return S_auth_error(op, "authentication required but no token is set "
				"(HYDRATE_TOKEN, GITHUB_TOKEN, GITLAB_TOKEN or GITEA_TOKEN)", NULL, 0);
		if (op->userpass_tries++ > 0)
			return S_auth_error(op, "the server refused the token from", from, 0);
		if (!user)
			user = getenv("HYDRATE_USERNAME");
		if (!user || !*user)
			user = conv;
		return S_git.git_credential_userpass_plaintext_new(out, user, token);
	}
	return S_auth_error(op, "the server asks for a kind of credential hydrate does not support", NULL, 0);
}

/* Host and port of an SSH remote: ssh://[user@]host[:port]/path, or
 * [user@]host:path (port 22). 0, or -1 when url is neither. */
static int S_ssh_host_port(const char *url, char *host, size_t n, int *port)
{
	const char *h, *end, *at;
	size_t len;

	*port = 22;
	if (!strncmp(url, "ssh://", 6) || !strncmp(url, "git+ssh://", 10) ||
	    !strncmp(url, "ssh+git://", 10)) {
		h = strstr(url, "://") + 3;
		end = h + strcspn(h, "/");
		at = memchr(h, '@', (size_t)(end - h));
		if (at)
			h = at + 1;
		if (*h == '[') {          /* [v6]:port */
			const char *close = memchr(h, ']', (size_t)(end - h));
			if (!close)
				return -1;
			len = (size_t)(close - h - 1);
			if (close + 1 < end && close[1] == ':')
				*port = atoi(close + 2);
			h++;
		} else {
			const char *colon = memchr(h, ':', (size_t)(end - h));
			len = (size_t)((colon ? colon : end) - h);
			if (colon)
				*port = atoi(colon + 1);
		}
	} else {
		end = url + strcspn(url, ":/");
		if (*end != ':')
			return -1;
		at = memchr(url, '@', (size_t)(end - url));
		h = at ? at + 1 : url;
		len = (size_t)(end - h);
	}
	if (len == 0 || len >= n || *port <= 0 || *port > 65535)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	return 0;
}

/*
 * libgit2 1.5 verifies no SSH host key: without this the connection fails
 * ("invalid or unknown remote ssh hostkey"). The key must be in
 * $HYDRATE_SSH_KNOWN_HOSTS if set, else in ~/.ssh/known_hosts or
 * /etc/ssh/ssh_known_hosts, as ssh(1) with StrictHostKeyChecking=yes wants.
 */
static int S_ssh_host_check(struct S_op *op, const git_cert_hostkey *hk)
{
	const char *env = getenv("HYDRATE_SSH_KNOWN_HOSTS"), *home = getenv("HOME");
	char host[256], type[64], fpr[64] = "", where[300];
	struct buf path = BUF_INIT;
	const char *files[3];
	size_t nfiles = 0;
	int port, result = KH_UNKNOWN;

	if (!(hk->type & GIT_CERT_SSH_RAW) ||
	    S_ssh_host_port(op->cache->url, host, sizeof(host), &port) < 0) {
		buf_reset(&op->msg);
		buf_adds(&op->msg, "cannot verify the SSH host key (no raw key, or no host in "
			 "the URL)");
		S_git.git_error_set_str(GIT_ERROR_SSH, op->msg.ptr);
		return GIT_ECERTIFICATE;
	}
	if (env && *env) {
		files[nfiles++] = env;
	} else {
		if (home && *home) {
			buf_addf(&path, "%s/.ssh/known_hosts", home);
			if (!buf_oom(&path))
				files[nfiles++] = path.ptr;
		}
		files[nfiles++] = "/etc/ssh/ssh_known_hosts";
	}
	for (size_t i = 0; i < nfiles && result != KH_REVOKED; i++) {
		struct srcfile f = SRCFILE_INIT;
		int r;

		if (srcfile_read(&f, files[i], NULL) < 0)
			continue;
		r = kh_check(f.data, f.len, host, port, (const unsigned char *)hk->hostkey,
			     hk->hostkey_len);
		srcfile_release(&f);
		if (r == KH_REVOKED || r == KH_MATCH || (r == KH_MISMATCH && result == KH_UNKNOWN))
			result = result == KH_MATCH && r != KH_REVOKED ? KH_MATCH : r;
	}
	buf_release(&path);
	if (result == KH_MATCH)
		return 0;
	kh_key_type(type, sizeof(type), (const unsigned char *)hk->hostkey, hk->hostkey_len);
	if (hk->type & GIT_CERT_SSH_SHA256) {
		unsigned char b64[48];
		int n = EVP_EncodeBlock(b64, hk->hash_sha256, 32);
		while (n > 0 && b64[n - 1] == '=')
			n--;
		snprintf(fpr, sizeof(fpr), " SHA256:%.*s", n, (const char *)b64);
	}
	if (port != 22)
		snprintf(where, sizeof(where), "[%s]:%d", host, port);
	else
		snprintf(where, sizeof(where), "%s", host);
	buf_reset(&op->msg);
	op->auth_failed = 0;
	if (result == KH_REVOKED)
		buf_addf(&op->msg, "the SSH host key of %s (%s%s) is marked @revoked in known_hosts",
			 where, type, fpr);
	else if (result == KH_MISMATCH)
		buf_addf(&op->msg, "the SSH host key of %s (%s%s) is not the one known_hosts holds "
			 "for it: the host changed its key, or the connection is intercepted",
			 where, type, fpr);
	else {
		char popt[16] = "";

		if (port != 22)
			snprintf(popt, sizeof(popt), " -p %d", port);
		buf_addf(&op->msg, "the SSH host key of %s (%s%s) is not in %s: check it, then "
			 "add it, e.g. with `ssh-keyscan%s %s >> %s`", where, type, fpr,
			 env && *env ? env : "~/.ssh/known_hosts or /etc/ssh/ssh_known_hosts",
			 popt, host, env && *env ? env : "~/.ssh/known_hosts");
	}
	S_git.git_error_set_str(GIT_ERROR_SSH, op->msg.ptr);
	return GIT_ECERTIFICATE;
}

static int S_certificate_check(git_cert *cert, int valid, const char *host,
			       void *payload)
{
	struct S_op *op = payload;

	(void)host;
	/* Accept what libgit2 could not verify only when the user turned
	 * verification off by name; otherwise keep libgit2's verdict. */
	if (op->cache->insecure)
		return 0;
	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2)
		return valid ? 0 : S_ssh_host_check(op, (const git_cert_hostkey *)cert);
	return GIT_PASSTHROUGH;
}

static int S_push_update(const char *refname, const char *status, void *payload)
{
	struct S_op *op = payload;

	if (status && !op->rejected.len)
		buf_adds(&op->rejected, status);
	return 0;
}

static void S_callbacks(git_remote_callbacks *cb, struct S_op *op)
{
	cb->credentials = S_credentials;
	cb->certificate_check = S_certificate_check;
	cb->push_update_reference = S_push_update;
	cb->payload = op;
}

/* Fetch options for one fetch of c: our callbacks, no pruning, no tags, no
 * FETCH_HEAD, a proxy only for network remotes. A local remote must exist
 * (libgit2 takes a missing local path for an unknown protocol):
 * REPO_ENOREPO, "WHAT: no such repository". */
static int S_fetch_options(git_fetch_options *opts, struct S_op *op, const struct repo_cache *c,
			   const char *what, struct diag *d)
{
	S_git.git_fetch_options_init(opts, GIT_FETCH_OPTIONS_VERSION);
	S_callbacks(&opts->callbacks, op);
	opts->prune = GIT_FETCH_NO_PRUNE;
	opts->update_fetchhead = 0;
	opts->download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	opts->proxy_opts.type = c->local ? GIT_PROXY_NONE : GIT_PROXY_AUTO;
	if (c->local) {
		const char *p = strncmp(c->url, "file://", 7) == 0 ? c->url + 7 : c->url;
		struct stat st;

		if (stat(p, &st) < 0)
			return diag_set(d, REPO_ENOREPO, "%s: no such repository", what);
	}
	return 0;
}

static void S_op_release(struct S_op *op)
{
	buf_release(&op->msg);
	buf_release(&op->rejected);
}

/* ------------------------------------------------------------------ */
/* Fetch */

static int S_check_branch(struct buf *ref, const char *ns, const char *branch,
			  struct diag *d)
{
	int valid = 0;

	if (!branch || !*branch)
		return diag_set(d, DIAG_EINVALID, "empty branch name");
	buf_addf(ref, "%s%s", ns, branch);
	if (buf_oom(ref))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (S_git.git_reference_name_is_valid(&valid, ref->ptr) < 0 || !valid)
		return diag_set(d, DIAG_EINVALID, "invalid branch name '%s'", branch);
	return 0;
}

static int S_fetch(struct repo_oid *out, struct repo_cache *c, const char *branch,
	       struct diag *d)
{
	git_fetch_options opts;
	struct S_op op = S_OP_INIT(c);
	struct buf src = BUF_INIT, dst = BUF_INIT, spec = BUF_INIT, what = BUF_INIT;
	git_remote *remote = NULL;
	const git_remote_head **heads = NULL;
	git_reference *ref = NULL;
	git_commit *commit = NULL;
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	size_t nheads = 0, i;
	int error;

	S_timeout_msg[0] = '\0';
	if ((error = S_check_branch(&src, "refs/heads/", branch, d)) < 0 ||
	    (error = S_check_branch(&dst, S_PRIVATE_NS, branch, d)) < 0)
		goto done;
	buf_addf(&spec, "+%s:%s", src.ptr, dst.ptr);
	buf_addf(&what, "cannot fetch '%s' from '%s'", branch, c->url);
	if (buf_oom(&spec) || buf_oom(&what)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	specs[0] = spec.ptr;
	if ((error = S_fetch_options(&opts, &op, c, what.ptr, d)) < 0)
		goto done;
	if ((error = S_remote(&remote, c)) < 0) {
		error = S_fail(d, error, &op, c, what.ptr);
		goto done;
	}
	/* Another cache object (thread or process) updating the same ref
	 * holds its lock for a moment: libgit2 fails at once, so retry. */
	for (int tries = 0;; tries++) {
		error = S_git.git_remote_fetch(remote, &refspecs, &opts, "hydrate: fetch");
		if (error != GIT_ELOCKED || tries == S_LOCK_RETRIES)
			break;
		S_sleep_ms(20 + 20 * tries);
	}
	if (error < 0 || (error = S_git.git_remote_ls(&heads, &nheads, remote)) < 0) {
		error = S_fail(d, error, &op, c, what.ptr);
		goto done;
	}
	/* A refspec whose source the remote lacks fetches nothing and is no
	 * error to libgit2: the advertisement says whether the branch exists. */
	for (i = 0; i < nheads; i++)
		if (strcmp(heads[i]->name, src.ptr) == 0)
			break;
	if (i == nheads) {
		if (S_git.git_reference_lookup(&ref, c->repo, dst.ptr) == 0)
			S_git.git_reference_delete(ref);
		error = diag_set(d, DIAG_ENOTFOUND, "branch '%s' not found on '%s'",
				 branch, c->url);
		goto done;
	}
	/* The ref was updated from this very advertisement; check the commit
	 * arrived rather than trusting it. */
	if ((error = S_git.git_commit_lookup(&commit, c->repo, &heads[i]->oid)) < 0) {
		error = S_fail(d, error, &op, c, what.ptr);
		goto done;
	}
	S_from_git(out, &heads[i]->oid);
done:
	S_timeout_msg[0] = '\0'; /* used by S_fail or stale: never outlives the operation */
	S_git.git_commit_free(commit);
	S_git.git_reference_free(ref);
	S_git.git_remote_free(remote);
	buf_release(&src);
	buf_release(&dst);
	buf_release(&spec);
	buf_release(&what);
	S_op_release(&op);
	return error;
}

/*
 * Which advertised ref rev names, in git's order (refs.c, ref_rev_parse_rules):
 * the index in heads, or -1. Peeled entries ("^{}") are never names.
 */
static long S_find_rev_ref(const git_remote_head **heads, size_t nheads, const char *rev)
{
	/* prefix + rev + suffix */
	static const char *const rules[][2] = {
		{ "", "" }, { "refs/", "" }, { "refs/tags/", "" }, { "refs/heads/", "" },
		{ "refs/remotes/", "" }, { "refs/remotes/", "/HEAD" }
	};
	struct buf name = BUF_INIT;
	long found = -1;

	for (size_t r = 0; found < 0 && r < sizeof(rules) / sizeof(*rules); r++) {
		buf_reset(&name);
		buf_addf(&name, "%s%s%s", rules[r][0], rev, rules[r][1]);
		if (buf_oom(&name))
			break;
		/* the bare rule matches only HEAD or a full ref name */
		if (r == 0 && strcmp(rev, "HEAD") && strncmp(rev, "refs/", 5))
			continue;
		for (size_t i = 0; i < nheads; i++)
			if (!strcmp(heads[i]->name, name.ptr)) {
				found = (long)i;
				break;
			}
	}
	buf_release(&name);
	return found;
}

static int S_is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (S_hexval((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

/* The commit obj peels to, in *out; DIAG_ENOTFOUND when it is none. */
static int S_peel_commit(git_oid *out, struct repo_cache *c, const git_oid *id, size_t len,
			 const char *rev, struct diag *d)
{
	git_object *obj = NULL, *commit = NULL;
	int error;

	error = S_git.git_object_lookup_prefix(&obj, c->repo, id, len, GIT_OBJECT_ANY);
	if (error == GIT_EAMBIGUOUS) {
		error = diag_set(d, DIAG_EINVALID, "short object id '%s' is ambiguous in '%s'",
				 rev, c->url);
		goto done;
	}
	if (error == GIT_ENOTFOUND) {
		error = diag_set(d, DIAG_ENOTFOUND, "no branch, tag or commit '%s' in '%s'",
				 rev, c->url);
		goto done;
	}
	if (error < 0) {
		error = S_fail(d, error, NULL, c, "cannot look up an object");
		goto done;
	}
	if (S_git.git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		error = diag_set(d, DIAG_ENOTFOUND, "'%s' in '%s' is not a commit", rev, c->url);
		goto done;
	}
	S_git.git_oid_cpy(out, S_git.git_object_id(commit));
done:
	S_git.git_object_free(commit);
	S_git.git_object_free(obj);
	return error;
}

/* The private ref a fetched remote ref is kept under. */
static int S_private_ref(struct buf *out, const char *name)
{
	if (!strncmp(name, "refs/heads/", 11))
		buf_addf(out, S_PRIVATE_NS "%s", name + 11);
	else if (!strncmp(name, "refs/tags/", 10))
		buf_addf(out, S_TAGS_NS "%s", name + 10);
	else
		buf_addf(out, S_REV_NS "%s", name);
	return buf_oom(out) ? -1 : 0;
}

static int S_fetch_rev(struct repo_oid *out, enum repo_rev_kind *kind_out,
		       struct repo_cache *c, const char *rev, struct diag *d)
{
	git_fetch_options opts;
	struct S_op op = S_OP_INIT(c);
	struct buf spec = BUF_INIT, dst = BUF_INIT, what = BUF_INIT;
	git_remote *remote = NULL;
	const git_remote_head **heads = NULL;
	git_oid *tips = NULL, want;
	char *specs[2], *name = NULL;
	git_strarray refspecs = { specs, 1 };
	size_t nheads = 0, ntips = 0, hexlen = 0;
	enum repo_rev_kind kind;
	long at;
	int error, valid = 0;

	S_timeout_msg[0] = '\0';
	if (!rev || !*rev)
		return diag_set(d, DIAG_EINVALID, "empty revision");
	for (const char *p = rev; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ' ' || *p == ':' ||
		    *p == '^' || *p == '~' || *p == '?' || *p == '*' || *p == '[' || *p == '\\')
			return diag_set(d, DIAG_EINVALID, "invalid revision '%s'", rev);
	buf_addf(&what, "cannot fetch '%s' from '%s'", rev, c->url);
	if (buf_oom(&what)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = S_fetch_options(&opts, &op, c, what.ptr, d)) < 0)
		goto done;
	if ((error = S_remote(&remote, c)) < 0 ||
	    (error = S_git.git_remote_connect(remote, GIT_DIRECTION_FETCH, &opts.callbacks,
					      &opts.proxy_opts, NULL)) < 0 ||
	    (error = S_git.git_remote_ls(&heads, &nheads, remote)) < 0) {
		error = S_fail(d, error, &op, c, what.ptr);
		goto done;
	}
	/* Copy what is needed from the advertisement: the fetch owns it. */
	if (S_is_hex(rev, REPO_OID_HEXSZ, REPO_OID_HEXSZ)) {
		at = -1;
	} else {
		at = S_find_rev_ref(heads, nheads, rev);
		if (at < 0 && !S_is_hex(rev, 4, REPO_OID_HEXSZ - 1)) {
			error = diag_set(d, DIAG_ENOTFOUND, "no branch, tag or commit '%s' in '%s'",
					 rev, c->url);
			goto done;
		}
	}
	if (at >= 0) {
		if (!(name = strdup(heads[at]->name))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		S_git.git_oid_cpy(&want, &heads[at]->oid);
		kind = !strncmp(name, "refs/heads/", 11) ? REPO_REV_BRANCH :
		       !strncmp(name, "refs/tags/", 10) ? REPO_REV_TAG : REPO_REV_REF;
		if (S_private_ref(&dst, name) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (S_git.git_reference_name_is_valid(&valid, dst.ptr) < 0 || !valid) {
			error = diag_set(d, DIAG_EINVALID, "cannot keep the ref '%s' of '%s'", name,
					 c->url);
			goto done;
		}
		buf_addf(&spec, "+%s:%s", name, dst.ptr);
		specs[0] = spec.ptr;
	} else {
		/* An object id: every branch and tag, and remember their tips. */
		kind = REPO_REV_COMMIT;
		hexlen = strlen(rev);
		if (S_git.git_oid_fromstrn(&want, rev, hexlen) < 0) {
			error = diag_set(d, DIAG_EINVALID, "invalid revision '%s'", rev);
			goto done;
		}
		if (nheads && !(tips = calloc(nheads, sizeof(*tips)))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < nheads; i++)
			if ((!strncmp(heads[i]->name, "refs/heads/", 11) ||
			     !strncmp(heads[i]->name, "refs/tags/", 10)) &&
			    !strstr(heads[i]->name, "^{}"))
				S_git.git_oid_cpy(&tips[ntips++], &heads[i]->oid);
		buf_adds(&spec, "+refs/heads/*:" S_PRIVATE_NS "*");
		buf_adds(&dst, "+refs/tags/*:" S_TAGS_NS "*");
		specs[0] = spec.ptr;
		specs[1] = dst.ptr;
		refspecs.count = 2;
	}
	if (buf_oom(&spec) || buf_oom(&dst)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (kind != REPO_REV_COMMIT || ntips) {
		for (int tries = 0;; tries++) {
			error = S_git.git_remote_fetch(remote, &refspecs, &opts, "hydrate: fetch");
			if (error != GIT_ELOCKED || tries == S_LOCK_RETRIES)
				break;
			S_sleep_ms(20 + 20 * tries);
		}
		if (error < 0) {
			error = S_fail(d, error, &op, c, what.ptr);
			goto done;
		}
	}
	if (kind != REPO_REV_COMMIT) {
		git_oid commit;

		if ((error = S_peel_commit(&commit, c, &want, GIT_OID_HEXSZ, rev, d)) < 0)
			goto done;
		S_from_git(out, &commit);
	} else {
		git_oid commit;
		size_t i;

		if ((error = S_peel_commit(&commit, c, &want, hexlen, rev, d)) < 0)
			goto done;
		/* Only what the remote's branches and tags reach counts: the
		 * cache also holds commits of its own (repo_commit_tree). */
		for (i = 0; i < ntips; i++) {
			git_oid tip;
			int reach;

			if (S_peel_commit(&tip, c, &tips[i], GIT_OID_HEXSZ, "tip", NULL) < 0)
				continue;
			if (S_git.git_oid_equal(&tip, &commit))
				break;
			reach = S_git.git_graph_descendant_of(c->repo, &tip, &commit);
			if (reach == 1)
				break;
		}
		if (i == ntips) {
			error = diag_set(d, DIAG_ENOTFOUND, "no branch, tag or commit '%s' in '%s'",
					 rev, c->url);
			goto done;
		}
		S_from_git(out, &commit);
	}
	if (kind_out)
		*kind_out = kind;
	error = 0;
done:
	S_timeout_msg[0] = '\0'; /* used by S_fail or stale: never outlives the operation */
	S_git.git_remote_free(remote);
	free(tips);
	free(name);
	buf_release(&spec);
	buf_release(&dst);
	buf_release(&what);
	S_op_release(&op);
	return error;
}

/* ------------------------------------------------------------------ */
/* Reading */

static int S_tree_of(git_tree **out, struct repo_cache *c,
			 const struct repo_oid *oid, struct diag *d)
{
	git_commit *commit = NULL;
	git_oid goid;
	char hex[REPO_OID_HEXSZ + 1];
	int error;

	S_to_git(&goid, oid);
	if ((error = S_git.git_commit_lookup(&commit, c->repo, &goid)) < 0 ||
	    (error = S_git.git_commit_tree(out, commit)) < 0) {
		repo_oid_fmt(hex, oid);
		if (error == GIT_ENOTFOUND)
			error = diag_set(d, DIAG_ENOTFOUND, "commit '%s' not found in the cache of '%s'",
					 hex, c->url);
		else
			error = diag_set(d, DIAG_EGENERIC, "cannot read commit '%s' of '%s': %s",
					 hex, c->url, S_git.git_error_last() ? S_git.git_error_last()->message : "?");
	}
	S_git.git_commit_free(commit);
	return error;
}

/* Adds one non-tree entry at path. */
static int S_add_entry(struct repo_files *out, struct repo_cache *c,
		       const char *path, const git_tree_entry *e, struct diag *d)
{
	git_filemode_t mode = S_git.git_tree_entry_filemode(e);
	git_blob *blob = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int error;

	if (mode == GIT_FILEMODE_COMMIT) {
		S_git.git_oid_tostr(hex, sizeof(hex), S_git.git_tree_entry_id(e));
		return repo_files_add(out, path, hex, strlen(hex), REPO_FILE_SUBMODULE) < 0
			? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
	}
	if ((error = S_git.git_blob_lookup(&blob, c->repo, S_git.git_tree_entry_id(e))) < 0)
		return diag_set(d, DIAG_EGENERIC, "cannot read '%s' in '%s': %s", path,
				c->url, S_git.git_error_last() ? S_git.git_error_last()->message : "?");
	error = repo_files_add(out, path, S_git.git_blob_rawcontent(blob),
			       (size_t)S_git.git_blob_rawsize(blob),
			       mode == GIT_FILEMODE_LINK ? REPO_FILE_SYMLINK :
			       mode == GIT_FILEMODE_BLOB_EXECUTABLE ? REPO_FILE_EXECUTABLE :
			       REPO_FILE_BLOB);
	S_git.git_blob_free(blob);
	return error < 0 ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
}

static int S_walk(struct repo_files *out, struct repo_cache *c,
		  const git_tree *tree, struct buf *path, int depth,
		  struct diag *d)
{
	size_t n = S_git.git_tree_entrycount(tree), base = path->len;
	int error = 0;

	if (depth > S_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "trees nested deeper than %d in '%s'",
				S_MAX_DEPTH, c->url);
	for (size_t i = 0; i < n && !error; i++) {
		const git_tree_entry *e = S_git.git_tree_entry_byindex(tree, i);

		buf_truncate(path, base);
		if (base)
			buf_addch(path, '/');
		buf_adds(path, S_git.git_tree_entry_name(e));
		if (buf_oom(path))
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		if (S_git.git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;

			if ((error = S_git.git_tree_lookup(&sub, c->repo, S_git.git_tree_entry_id(e))) < 0)
				error = diag_set(d, DIAG_EGENERIC, "cannot read '%s' in '%s': %s",
						 path->ptr, c->url,
						 S_git.git_error_last() ? S_git.git_error_last()->message : "?");
			else
				error = S_walk(out, c, sub, path, depth + 1, d);
			S_git.git_tree_free(sub);
		} else {
			error = S_add_entry(out, c, path->ptr, e, d);
		}
	}
	buf_truncate(path, base);
	return error;
}

/* prefix without leading and trailing slashes, in out. */
static int S_clean_prefix(struct buf *out, const char *prefix)
{
	size_t len;

	if (!prefix)
		prefix = "";
	while (*prefix == '/')
		prefix++;
	len = strlen(prefix);
	while (len && prefix[len - 1] == '/')
		len--;
	buf_add(out, prefix, len);
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

static int S_read_tree(struct repo_files *out, struct repo_cache *c,
		   const struct repo_oid *oid, const char *prefix, struct diag *d)
{
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *entry = NULL;
	struct buf path = BUF_INIT;
	int error;

	if ((error = S_clean_prefix(&path, prefix)) < 0) {
		error = diag_set(d, error, "out of memory");
		goto done;
	}
	if ((error = S_tree_of(&tree, c, oid, d)) < 0)
		goto done;
	if (!path.len) {
		error = S_walk(out, c, tree, &path, 0, d);
		goto done;
	}
	error = S_git.git_tree_entry_bypath(&entry, tree, path.ptr);
	if (error == GIT_ENOTFOUND) {
		error = 0;
		goto done;
	}
	if (error < 0) {
		error = diag_set(d, DIAG_EGENERIC, "cannot read '%s' in '%s': %s", path.ptr,
				 c->url, S_git.git_error_last() ? S_git.git_error_last()->message : "?");
		goto done;
	}
	if (S_git.git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
		error = S_add_entry(out, c, path.ptr, entry, d);
		goto done;
	}
	if ((error = S_git.git_tree_lookup(&sub, c->repo, S_git.git_tree_entry_id(entry))) < 0) {
		error = diag_set(d, DIAG_EGENERIC, "cannot read '%s' in '%s': %s", path.ptr,
				 c->url, S_git.git_error_last() ? S_git.git_error_last()->message : "?");
		goto done;
	}
	error = S_walk(out, c, sub, &path, 1, d);
done:
	if (!error)
		repo_files_sort(out);
	S_git.git_tree_entry_free(entry);
	S_git.git_tree_free(sub);
	S_git.git_tree_free(tree);
	buf_release(&path);
	return error;
}

static int S_read_file(struct buf *out, struct repo_cache *c,
		   const struct repo_oid *oid, const char *path, struct diag *d)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int error;

	if (!path || !*path)
		return diag_set(d, DIAG_EINVALID, "empty path");
	if ((error = S_tree_of(&tree, c, oid, d)) < 0)
		goto done;
	error = S_git.git_tree_entry_bypath(&entry, tree, path);
	if (error == GIT_ENOTFOUND) {
		error = diag_set(d, DIAG_ENOTFOUND, "'%s' not found in '%s'", path, c->url);
		goto done;
	}
	if (error < 0) {
		error = diag_set(d, DIAG_EGENERIC, "cannot read '%s' in '%s': %s", path,
				 c->url, S_git.git_error_last() ? S_git.git_error_last()->message : "?");
		goto done;
	}
	if (S_git.git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
		error = diag_set(d, DIAG_EINVALID, "'%s' in '%s' is not a file", path, c->url);
		goto done;
	}
	if ((error = S_git.git_blob_lookup(&blob, c->repo, S_git.git_tree_entry_id(entry))) < 0) {
		error = diag_set(d, DIAG_EGENERIC, "cannot read '%s' in '%s': %s", path,
				 c->url, S_git.git_error_last() ? S_git.git_error_last()->message : "?");
		goto done;
	}
	buf_add(out, S_git.git_blob_rawcontent(blob), (size_t)S_git.git_blob_rawsize(blob));
	if (buf_oom(out))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	S_git.git_blob_free(blob);
	S_git.git_tree_entry_free(entry);
	S_git.git_tree_free(tree);
	return error;
}

/* ------------------------------------------------------------------ */
/* File lists */

int repo_files_add(struct repo_files *f, const char *path, const void *data,
		   size_t len, enum repo_file_kind kind)
{
	struct repo_file *e;

	if (f->n == f->alloc) {
		size_t alloc = f->alloc ? f->alloc * 2 : 16;
		struct repo_file *v;

		if (alloc > SIZE_MAX / sizeof(*v))
			return DIAG_ENOMEM;
		v = realloc(f->v, alloc * sizeof(*v));
		if (!v)
			return DIAG_ENOMEM;
		f->v = v;
		f->alloc = alloc;
	}
	e = &f->v[f->n];
	e->path = strdup(path);
	e->data = len < SIZE_MAX ? malloc(len + 1) : NULL;
	if (!e->path || !e->data) {
		free(e->path);
		free(e->data);
		return DIAG_ENOMEM;
	}
	if (len)
		memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->len = len;
	e->kind = kind;
	f->n++;
	return 0;
}

static int S_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct repo_file *)a)->path,
		      ((const struct repo_file *)b)->path);
}

void repo_files_sort(struct repo_files *f)
{
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), S_file_cmp);
}

const struct repo_file *repo_files_find(const struct repo_files *f, const char *path)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(path, f->v[mid].path);

		if (!cmp)
			return &f->v[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void repo_files_release(struct repo_files *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].data);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->alloc = 0;
}

/* ------------------------------------------------------------------ */
/* Commit */

/* A relative, clean path: no empty, ".", ".." or ".git" component. */
static int S_path_ok(const char *p)
{
	const char *s = p;

	if (!*p)
		return 0;
	for (;;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.') ||
		    (n == 4 && strncasecmp(s, ".git", 4) == 0))
			return 0;
		if (!e)
			return 1;
		s = e + 1;
	}
}

/* Whether path is prefix itself or lies under it. */
static int S_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int S_strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Two files collide when their paths are equal or one is a directory of
 * the other ("a" and "a/b"). Sorted, a duplicate is a neighbour; for the
 * second kind each leading directory of a path is looked up.
 */
static int S_check_collisions(const struct repo_files *files, struct diag *d)
{
	const char **v = NULL;
	struct buf dir = BUF_INIT;
	size_t n = files ? files->n : 0;
	int error = 0;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = files->v[i].path;
	qsort(v, n, sizeof(*v), S_strptr_cmp);
	for (size_t i = 0; i < n && !error; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0) {
			error = diag_set(d, DIAG_EINVALID, "'%s' is given twice", v[i]);
			break;
		}
		for (const char *s = strchr(v[i], '/'); s && !error; s = strchr(s + 1, '/')) {
			const char *key;
			const char **hit;

			buf_set(&dir, v[i], (size_t)(s - v[i]));
			if (buf_oom(&dir)) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				break;
			}
			key = dir.ptr;
			hit = bsearch(&key, v, n, sizeof(*v), S_strptr_cmp);
			if (hit)
				error = diag_set(d, DIAG_EINVALID, "'%s' and '%s' collide",
						 *hit, v[i]);
		}
	}
	buf_release(&dir);
	free(v);
	return error;
}

static int S_lookup_tree(git_tree **out, git_repository *repo, const git_oid *oid,
			 struct repo_cache *c, struct diag *d)
{
	int error = S_git.git_tree_lookup(out, repo, oid);

	return error < 0 ? S_fail(d, error, NULL, c, "cannot read a tree") : 0;
}

static int S_commit_tree(struct repo_oid *out, struct repo_cache *c,
		     const struct repo_oid *parent,
		     const char *const *managed, size_t n_managed,
		     const struct repo_files *files, const char *message,
		     const struct repo_signature *author, struct diag *d)
{
	git_tree *base = NULL, *pruned = NULL, *result = NULL;
	git_commit *parent_commit = NULL;
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_tree_update *ups = NULL;
	size_t nups = 0, nfiles = files ? files->n : 0;
	git_oid oid, coid;
	int error = 0;

	for (size_t i = 0; i < n_managed; i++)
		if (!S_path_ok(managed[i]))
			return diag_set(d, DIAG_EINVALID, "invalid managed path '%s'", managed[i]);
	for (size_t i = 0; i < nfiles; i++) {
		const char *p = files->v[i].path;
		size_t j;

		if (!S_path_ok(p))
			return diag_set(d, DIAG_EINVALID, "invalid path '%s'", p);
		for (j = 0; j < n_managed && !S_under(p, managed[j]); j++)
			;
		if (j == n_managed)
			return diag_set(d, DIAG_EINVALID, "'%s' is not under a managed path", p);
	}
	if (!author || !author->name || !author->email)
		return diag_set(d, DIAG_EINVALID, "no author for the commit");
	ups = calloc((n_managed > nfiles ? n_managed : nfiles) + 1, sizeof(*ups));
	if (!ups)
		return diag_set(d, DIAG_ENOMEM, "out of memory");

	if (parent) {
		S_to_git(&oid, parent);
		if ((error = S_git.git_commit_lookup(&parent_commit, c->repo, &oid)) < 0 ||
		    (error = S_git.git_commit_tree(&base, parent_commit)) < 0) {
			error = S_fail(d, error, NULL, c, "cannot read the parent commit");
			goto done;
		}
	} else {
		if ((error = S_git.git_treebuilder_new(&tb, c->repo, NULL)) < 0 ||
		    (error = S_git.git_treebuilder_write(&oid, tb)) < 0) {
			error = S_fail(d, error, NULL, c, "cannot write an empty tree");
			goto done;
		}
		if ((error = S_lookup_tree(&base, c->repo, &oid, c, d)) < 0)
			goto done;
	}

	/* Pass 1: remove each managed path (not nested in another, so no
	 * removal targets what an earlier one already removed). */
	for (size_t i = 0; i < n_managed; i++) {
		git_tree_entry *e = NULL;
		size_t j;

		for (j = 0; j < n_managed; j++)
			if (j != i && S_under(managed[i], managed[j]) &&
			    (strcmp(managed[i], managed[j]) != 0 || j < i))
				break;
		if (j < n_managed)
			continue;
		if (S_git.git_tree_entry_bypath(&e, base, managed[i]) < 0)
			continue;
		S_git.git_tree_entry_free(e);
		ups[nups].action = GIT_TREE_UPDATE_REMOVE;
		ups[nups].path = managed[i];
		nups++;
	}
	if (nups) {
		if ((error = S_git.git_tree_create_updated(&oid, c->repo, base, nups, ups)) < 0) {
			error = S_fail(d, error, NULL, c, "cannot prune the managed paths");
			goto done;
		}
		if ((error = S_lookup_tree(&pruned, c->repo, &oid, c, d)) < 0)
			goto done;
	}

	/* Pass 2: write every blob and insert it. */
	for (size_t i = 0; i < nfiles; i++) {
		const struct repo_file *f = &files->v[i];

		ups[i].action = GIT_TREE_UPDATE_UPSERT;
		ups[i].path = f->path;
		switch (f->kind) {
		case REPO_FILE_SUBMODULE:
			ups[i].filemode = GIT_FILEMODE_COMMIT;
			if (S_git.git_oid_fromstrn(&ups[i].id, f->data, f->len) < 0 ||
			    f->len != GIT_OID_HEXSZ) {
				error = diag_set(d, DIAG_EINVALID, "bad submodule commit for '%s'",
						 f->path);
				goto done;
			}
			continue;
		case REPO_FILE_SYMLINK:
			ups[i].filemode = GIT_FILEMODE_LINK;
			break;
		case REPO_FILE_EXECUTABLE:
			ups[i].filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
			break;
		default:
			ups[i].filemode = GIT_FILEMODE_BLOB;
			break;
		}
		if ((error = S_git.git_blob_create_from_buffer(&ups[i].id, c->repo, f->data, f->len)) < 0) {
			error = S_fail(d, error, NULL, c, "cannot write a blob");
			goto done;
		}
	}
	if ((error = S_check_collisions(files, d)) < 0)
		goto done;
	if (nfiles) {
		if ((error = S_git.git_tree_create_updated(&oid, c->repo, pruned ? pruned : base,
						     nfiles, ups)) < 0) {
			error = S_fail(d, error, NULL, c, "cannot build the new tree");
			if (error == DIAG_EGENERIC)
				error = DIAG_EINVALID;
			goto done;
		}
	} else {
		S_git.git_oid_cpy(&oid, S_git.git_tree_id(pruned ? pruned : base));
	}
	if (parent && S_git.git_oid_equal(&oid, S_git.git_tree_id(base))) {
		*out = *parent;
		goto done;
	}
	if ((error = S_lookup_tree(&result, c->repo, &oid, c, d)) < 0)
		goto done;
	if (author->when)
		error = S_git.git_signature_new(&sig, author->name, author->email,
					  (git_time_t)author->when, author->offset);
	else
		error = S_git.git_signature_now(&sig, author->name, author->email);
	if (error < 0) {
		error = S_fail(d, error, NULL, c, "invalid author");
		if (error == DIAG_EGENERIC)
			error = DIAG_EINVALID;
		goto done;
	}
	{
		const git_commit *parents[1] = { parent_commit };

		error = S_git.git_commit_create(&coid, c->repo, NULL, sig, sig, NULL,
					  message ? message : "", result,
					  parent_commit ? 1 : 0, parents);
	}
	if (error < 0) {
		error = S_fail(d, error, NULL, c, "cannot write the commit");
		goto done;
	}
	S_from_git(out, &coid);
done:
	S_git.git_signature_free(sig);
	S_git.git_treebuilder_free(tb);
	S_git.git_tree_free(result);
	S_git.git_tree_free(pruned);
	S_git.git_tree_free(base);
	S_git.git_commit_free(parent_commit);
	free(ups);
	return error;
}

/* ------------------------------------------------------------------ */
/* Push */

/* What a rejection means: the branch moved (retry), or a refusal. */
static int S_rejection_code(const char *status)
{
	if (strstr(status, "non-fast-forward") || strstr(status, "fetch first") ||
	    strstr(status, "stale") || strstr(status, "failed to update ref") ||
	    strstr(status, "failed to lock") || strstr(status, "cannot lock"))
		return DIAG_ECONFLICT;
	return DIAG_EGENERIC;
}

static int S_push(struct repo_cache *c, const char *branch,
	      const struct repo_oid *oid, struct diag *d)
{
	git_push_options opts;
	struct S_op op = S_OP_INIT(c);
	struct buf src = BUF_INIT, dst = BUF_INIT, track = BUF_INIT,
		   spec = BUF_INIT, what = BUF_INIT;
	git_remote *remote = NULL;
	git_reference *ref = NULL;
	char *specs[1];
	git_strarray refspecs = { specs, 1 };
	git_oid goid;
	int error;

	S_timeout_msg[0] = '\0';
	if ((error = S_check_branch(&src, S_PUSH_NS, branch, d)) < 0 ||
	    (error = S_check_branch(&dst, "refs/heads/", branch, d)) < 0 ||
	    (error = S_check_branch(&track, S_PRIVATE_NS, branch, d)) < 0)
		goto done;
	buf_addf(&spec, "%s:%s", src.ptr, dst.ptr);
	buf_addf(&what, "cannot push '%s' to '%s'", branch, c->url);
	if (buf_oom(&spec) || buf_oom(&what)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	specs[0] = spec.ptr;
	S_to_git(&goid, oid);
	/* libgit2 pushes refs, not bare ids: name the commit first. */
	if ((error = S_git.git_reference_create(&ref, c->repo, src.ptr, &goid, 1,
					  "hydrate: push")) < 0) {
		error = S_fail(d, error, NULL, c, what.ptr);
		goto done;
	}
	S_git.git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	S_callbacks(&opts.callbacks, &op);
	opts.proxy_opts.type = c->local ? GIT_PROXY_NONE : GIT_PROXY_AUTO;
	if ((error = S_remote(&remote, c)) < 0 ||
	    (error = S_git.git_remote_push(remote, &refspecs, &opts)) < 0) {
		error = S_fail(d, error, &op, c, what.ptr);
		goto done;
	}
	if (op.rejected.len) {
		error = diag_set(d, S_rejection_code(op.rejected.ptr), "%s: ", what.ptr);
		if (d)
			buf_adds(&d->msg, "rejected: ");
		S_add_redacted(d, c, op.rejected.ptr);
		goto done;
	}
	/* The remote branch is oid now: keep the private ref in step. */
	S_git.git_reference_free(ref);
	ref = NULL;
	S_git.git_reference_create(&ref, c->repo, track.ptr, &goid, 1, "hydrate: pushed");
done:
	S_timeout_msg[0] = '\0'; /* used by S_fail or stale: never outlives the operation */
	S_git.git_reference_free(ref);
	S_git.git_remote_free(remote);
	buf_release(&src);
	buf_release(&dst);
	buf_release(&track);
	buf_release(&spec);
	buf_release(&what);
	S_op_release(&op);
	return error;
}

static int S_commit_push(struct repo_oid *out, int *attempts_out,
		     struct repo_cache *c, const char *branch,
		     const char *const *managed, size_t n_managed,
		     const struct repo_files *files, const char *message,
		     const struct repo_signature *author, int max_attempts,
		     struct diag *d)
{
	struct repo_oid head, commit;
	int error = 0, attempts = 0;

	if (max_attempts <= 0)
		max_attempts = 5;
	for (;;) {
		if ((error = S_fetch(&head, c, branch, d)) < 0 ||
		    (error = S_commit_tree(&commit, c, &head, managed, n_managed,
					      files, message, author, d)) < 0)
			break;
		if (repo_oid_equal(&commit, &head)) {
			*out = head;
			break;
		}
		attempts++;
		error = S_push(c, branch, &commit, d);
		if (error != DIAG_ECONFLICT) {
			if (!error)
				*out = commit;
			break;
		}
		if (attempts >= max_attempts) {
			diag_prefix(d, "gave up after %d attempts", attempts);
			break;
		}
	}
	if (attempts_out)
		*attempts_out = attempts;
	return error;
}

/* ------------------------------------------------------------------ */
/* The public operations: one at a time per cache object. */

int repo_fetch(struct repo_oid *out, struct repo_cache *c, const char *branch,
	       struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_fetch(out, c, branch, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}

int repo_fetch_rev(struct repo_oid *out, enum repo_rev_kind *kind_out,
		   struct repo_cache *c, const char *rev, struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_fetch_rev(out, kind_out, c, rev, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}

int repo_read_tree(struct repo_files *out, struct repo_cache *c,
		   const struct repo_oid *oid, const char *prefix, struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_read_tree(out, c, oid, prefix, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}

int repo_read_file(struct buf *out, struct repo_cache *c,
		   const struct repo_oid *oid, const char *path, struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_read_file(out, c, oid, path, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}

int repo_commit_tree(struct repo_oid *out, struct repo_cache *c,
		     const struct repo_oid *parent,
		     const char *const *managed, size_t n_managed,
		     const struct repo_files *files, const char *message,
		     const struct repo_signature *author, struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_commit_tree(out, c, parent, managed, n_managed, files, message,
			       author, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}

int repo_push(struct repo_cache *c, const char *branch,
	      const struct repo_oid *oid, struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_push(c, branch, oid, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}

int repo_commit_push(struct repo_oid *out, int *attempts_out,
		     struct repo_cache *c, const char *branch,
		     const char *const *managed, size_t n_managed,
		     const struct repo_files *files, const char *message,
		     const struct repo_signature *author, int max_attempts,
		     struct diag *d)
{
	int error;

	pthread_mutex_lock(&c->lock);
	error = S_commit_push(out, attempts_out, c, branch, managed, n_managed,
			      files, message, author, max_attempts, d);
	pthread_mutex_unlock(&c->lock);
	return error;
}
