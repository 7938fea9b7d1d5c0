/* Test git servers: see gitserver.h. */
#include "gitserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GS_MAX_HEAD 65536
#define GS_MAX_BODY (64 << 20)

static void gs_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int gs_listen(int port, int *port_out)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		close(fd);
		return -1;
	}
	*port_out = ntohs(sa.sin_port);
	return fd;
}

int gitserver_free_port(void)
{
	int port = 0, fd = gs_listen(0, &port);

	if (fd < 0)
		return 0;
	close(fd);
	return port;
}

static int gs_can_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int gitserver_start_daemon(struct gitserver *s, const char *base_dir)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		char port_arg[32], base_arg[4096];
		int port = gitserver_free_port(), status;
		pid_t pid;

		if (!port)
			return -1;
		snprintf(port_arg, sizeof(port_arg), "--port=%d", port);
		snprintf(base_arg, sizeof(base_arg), "--base-path=%s", base_dir);
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid == 0) {
			/* Own process group, so stop reaches the daemon's children. */
			char log[4096];
			FILE *f;

			setpgid(0, 0);
			/* The daemon's complaints go to a log beside the repositories. */
			snprintf(log, sizeof(log), "%s/daemon.log", base_dir);
			f = fopen(log, "a");
			if (f)
				dup2(fileno(f), 2);
			execlp("git", "git", "daemon", "--export-all", "--enable=receive-pack",
			       "--reuseaddr", "--informative-errors", base_arg,
			       "--listen=127.0.0.1", port_arg, base_dir, (char *)NULL);
			_exit(127);
		}
		setpgid(pid, pid);
		for (int i = 0; i < 500; i++) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				pid = 0; /* it exited: most likely the port was taken */
				break;
			}
			if (gs_can_connect(port)) {
				s->pid = pid;
				s->port = port;
				return 0;
			}
			gs_sleep_ms(10);
		}
		if (pid > 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	return -1;
}

void gitserver_stop(struct gitserver *s)
{
	int status;

	if (s->pid <= 0)
		return;
	kill(-s->pid, SIGTERM);
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
}

/* ------------------------------------------------------------------ */
/* HTTP: one request per connection, answered by git http-backend. */

static const char gs_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void gs_base64(char *out, const unsigned char *in, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*out++ = gs_b64[in[i] >> 2];
		*out++ = gs_b64[(in[i] & 3) << 4 | in[i + 1] >> 4];
		*out++ = gs_b64[(in[i + 1] & 15) << 2 | in[i + 2] >> 6];
		*out++ = gs_b64[in[i + 2] & 63];
	}
	if (i < len) {
		*out++ = gs_b64[in[i] >> 2];
		if (i + 1 < len) {
			*out++ = gs_b64[(in[i] & 3) << 4 | in[i + 1] >> 4];
			*out++ = gs_b64[(in[i + 1] & 15) << 2];
		} else {
			*out++ = gs_b64[(in[i] & 3) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

static int gs_write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t n = write(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A growable byte array for the server (no dependency on render/). */
struct gs_bytes {
	char *p;
	size_t len, alloc;
};

static int gs_append(struct gs_bytes *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->alloc) {
		size_t alloc = (b->len + len + 1) * 2;
		char *p = realloc(b->p, alloc);

		if (!p)
			return -1;
		b->p = p;
		b->alloc = alloc;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

/* Reads until the buffer holds at least want bytes; -1 on EOF or error. */
static int gs_fill(int fd, struct gs_bytes *b, size_t want)
{
	char tmp[16384];

	while (b->len < want) {
		ssize_t n = read(fd, tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || gs_append(b, tmp, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static const char *gs_header(const char *head, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);

	for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
		const char *v = l + 2, *e;

		if (strncasecmp(v, name, n) != 0 || v[n] != ':')
			continue;
		v += n + 1;
		while (*v == ' ')
			v++;
		e = strstr(v, "\r\n");
		if (!e || (size_t)(e - v) >= outsz)
			return NULL;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = '\0';
		return out;
	}
	return NULL;
}

static void gs_respond(int fd, const char *status, const char *extra)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "HTTP/1.1 %s\r\n%sContent-Length: 0\r\n"
		 "Connection: close\r\n\r\n", status, extra);
	gs_write_all(fd, msg, strlen(msg));
}

/* Decodes a chunked body that starts at in[0]; reads more as needed. */
static int gs_read_chunked(int fd, struct gs_bytes *in, size_t pos, struct gs_bytes *body)
{
	for (;;) {
		char *end;
		size_t size;

		while (!strstr(in->p + pos, "\r\n"))
			if (gs_fill(fd, in, in->len + 1) < 0)
				return -1;
		size = strtoul(in->p + pos, &end, 16);
		pos = (size_t)(strstr(in->p + pos, "\r\n") - in->p) + 2;
		if (size > GS_MAX_BODY)
			return -1;
		if (gs_fill(fd, in, pos + size + 2) < 0)
			return -1;
		if (size == 0)
			return 0;
		if (gs_append(body, in->p + pos, size) < 0)
			return -1;
		pos += size + 2;
	}
}

static void gs_serve(int fd, const char *base_dir, const char *expect_auth)
{
	struct gs_bytes in = { 0 }, body = { 0 }, out = { 0 };
	char method[16], target[2048], val[1024], path[2048], query[2048];
	char *hend, *q;
	size_t head_len;
	FILE *tmp = NULL;
	int pipefd[2] = { -1, -1 }, status;
	pid_t pid;

	while (!(hend = in.p ? strstr(in.p, "\r\n\r\n") : NULL)) {
		if (in.len > GS_MAX_HEAD || gs_fill(fd, &in, in.len + 1) < 0)
			goto done;
	}
	head_len = (size_t)(hend - in.p) + 4;
	if (sscanf(in.p, "%15s %2047s", method, target) != 2)
		goto done;
	hend[2] = '\0'; /* headers end with the last "\r\n" */
	if (expect_auth && (!gs_header(in.p, "Authorization", val, sizeof(val)) ||
			    strcmp(val, expect_auth) != 0)) {
		gs_respond(fd, "401 Unauthorized", "WWW-Authenticate: Basic realm=\"test\"\r\n");
		goto done;
	}
	if (gs_header(in.p, "Transfer-Encoding", val, sizeof(val)) &&
	    strcasecmp(val, "chunked") == 0) {
		if (gs_read_chunked(fd, &in, head_len, &body) < 0)
			goto done;
	} else if (gs_header(in.p, "Content-Length", val, sizeof(val))) {
		size_t n = strtoul(val, NULL, 10);

		if (n > GS_MAX_BODY || gs_fill(fd, &in, head_len + n) < 0 ||
		    gs_append(&body, in.p + head_len, n) < 0)
			goto done;
	}
	q = strchr(target, '?');
	snprintf(path, sizeof(path), "%.*s", q ? (int)(q - target) : (int)strlen(target), target);
	snprintf(query, sizeof(query), "%s", q ? q + 1 : "");
	tmp = tmpfile();
	if (!tmp || (body.len && fwrite(body.p, 1, body.len, tmp) != body.len) ||
	    fflush(tmp) != 0 || pipe(pipefd) < 0)
		goto done;
	rewind(tmp);
	pid = fork();
	if (pid < 0)
		goto done;
	if (pid == 0) {
		char clen[32];

		snprintf(clen, sizeof(clen), "%zu", body.len);
		int null = open("/dev/null", O_WRONLY);

		dup2(fileno(tmp), 0);
		dup2(pipefd[1], 1);
		if (null >= 0)
			dup2(null, 2); /* the backend's complaints: the test checks the status */
		close(pipefd[0]);
		setenv("GIT_PROJECT_ROOT", base_dir, 1);
		setenv("GIT_HTTP_EXPORT_ALL", "1", 1);
		setenv("REQUEST_METHOD", method, 1);
		setenv("PATH_INFO", path, 1);
		setenv("QUERY_STRING", query, 1);
		setenv("CONTENT_LENGTH", clen, 1);
		setenv("REMOTE_USER", "tester", 1);
		setenv("REMOTE_ADDR", "127.0.0.1", 1);
		if (gs_header(in.p, "Content-Type", val, sizeof(val)))
			setenv("CONTENT_TYPE", val, 1);
		if (gs_header(in.p, "Git-Protocol", val, sizeof(val)))
			setenv("GIT_PROTOCOL", val, 1);
		execlp("git", "git", "http-backend", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		char buf[16384];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || gs_append(&out, buf, (size_t)n) < 0)
			break;
	}
	waitpid(pid, &status, 0);
	if (!out.p) {
		gs_respond(fd, "500 Internal Server Error", "");
		goto done;
	}
	{
		/* CGI headers: "Status:" becomes the status line, the rest pass. */
		char *sep = strstr(out.p, "\r\n\r\n");
		size_t skip = 4, hlen;
		char status_line[128] = "200 OK", resp[8192], *line;
		size_t rlen = 0;

		if (!sep) {
			sep = strstr(out.p, "\n\n");
			skip = 2;
		}
		if (!sep) {
			gs_respond(fd, "500 Internal Server Error", "");
			goto done;
		}
		hlen = (size_t)(sep - out.p);
		out.p[hlen] = '\0';
		resp[0] = '\0';
		for (line = strtok(out.p, "\r\n"); line; line = strtok(NULL, "\r\n")) {
			if (strncasecmp(line, "Status:", 7) == 0) {
				snprintf(status_line, sizeof(status_line), "%s", line + 8);
				continue;
			}
			rlen += (size_t)snprintf(resp + rlen, sizeof(resp) - rlen, "%s\r\n", line);
			if (rlen >= sizeof(resp))
				goto done;
		}
		{
			char first[256];
			size_t blen = out.len - hlen - skip;

			snprintf(first, sizeof(first), "HTTP/1.1 %s\r\n", status_line);
			gs_write_all(fd, first, strlen(first));
			gs_write_all(fd, resp, rlen);
			snprintf(first, sizeof(first), "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen);
			gs_write_all(fd, first, strlen(first));
			gs_write_all(fd, out.p + hlen + skip, blen);
		}
	}
done:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (tmp)
		fclose(tmp);
	free(in.p);
	free(body.p);
	free(out.p);
}

int gitserver_start_http(struct gitserver *s, const char *base_dir,
			 const char *user, const char *password)
{
	char auth[1024] = "";
	int port = 0, fd;
	pid_t pid;

	if (user) {
		char plain[512];

		snprintf(plain, sizeof(plain), "%s:%s", user, password ? password : "");
		strcpy(auth, "Basic ");
		gs_base64(auth + 6, (const unsigned char *)plain, strlen(plain));
	}
	/* Bound before the fork: no window for another process to take it. */
	fd = gs_listen(0, &port);
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_IGN);
		for (;;) {
			struct timeval tv = { 5, 0 };
			int c = accept(fd, NULL, NULL);

			if (c < 0) {
				if (errno == EINTR)
					continue;
				_exit(1);
			}
			setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			gs_serve(c, base_dir, user ? auth : NULL);
			close(c);
		}
	}
	setpgid(pid, pid);
	close(fd);
	s->pid = pid;
	s->port = port;
	return 0;
}

/* Waits (at most 5 s) until the server forked as pid accepts on port:
 * 0 with s filled in, or -1 with it killed and reaped. */
static int gs_wait_ready(struct gitserver *s, pid_t pid, int port)
{
	int status;

	setpgid(pid, pid);
	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		if (gs_can_connect(port)) {
			s->pid = pid;
			s->port = port;
			return 0;
		}
		gs_sleep_ms(10);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

int gitserver_start_tls(struct gitserver *s, const char *dir)
{
	char cert[4096], key[4096], port_arg[32];
	int port = gitserver_free_port();
	pid_t pid;

	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	if (!port || gitserver_sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
				  "-subj /CN=localhost -keyout '%s' -out '%s' 2>/dev/null",
				  key, cert) != 0)
		return -1;
	snprintf(port_arg, sizeof(port_arg), "%d", port);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		if (chdir(dir) < 0)
			_exit(127);
		execlp("openssl", "openssl", "s_server", "-accept", port_arg, "-cert", cert,
		       "-key", key, "-WWW", "-quiet", (char *)NULL);
		_exit(127);
	}
	return gs_wait_ready(s, pid, port);
}

/* ------------------------------------------------------------------ */

int gitserver_start_sshd(struct gitserver *s, const char *dir)
{
	const char *sshd = "/usr/sbin/sshd";
	char conf[4096], logf[4096];
	int port;
	pid_t pid;
	FILE *f;

	if (access(sshd, X_OK) != 0)
		return 1;
	if (gitserver_sh("set -e; mkdir -p '%s'; cd '%s'; rm -f host_key* user_key*; "
			 "ssh-keygen -q -t ed25519 -N '' -C host -f host_key; "
			 "ssh-keygen -q -t ed25519 -N '' -C user -f user_key; "
			 "cp user_key.pub authorized_keys; chmod 600 authorized_keys; "
			 "if [ \"$(id -u)\" = 0 ]; then mkdir -p /run/sshd; fi", dir, dir) != 0)
		return -1;
	port = gitserver_free_port();
	if (!port)
		return -1;
	snprintf(conf, sizeof(conf), "%s/sshd_config", dir);
	snprintf(logf, sizeof(logf), "%s/sshd.log", dir);
	if (!(f = fopen(conf, "w")))
		return -1;
	fprintf(f, "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_key\n"
		"AuthorizedKeysFile %s/authorized_keys\nPidFile none\nStrictModes no\n"
		"UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
		"PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
		"LogLevel ERROR\n", port, dir, dir);
	fclose(f);
	if (gitserver_sh("cd '%s' && printf '[127.0.0.1]:%d ' > known_hosts && "
			 "cut -d' ' -f1,2 host_key.pub >> known_hosts", dir, port) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		execl(sshd, sshd, "-D", "-f", conf, "-E", logf, (char *)NULL);
		_exit(127);
	}
	return gs_wait_ready(s, pid, port);
}

int gitserver_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	status = system(cmd);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

char *gitserver_sh_out(const char *fmt, ...)
{
	char cmd[8192], line[4096];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (!fgets(line, sizeof(line), p)) {
		pclose(p);
		return NULL;
	}
	pclose(p);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return strdup(line);
}
