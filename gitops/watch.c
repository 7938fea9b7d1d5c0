/*
 * Waiting for saves with inotify, and which jobs read a changed path.
 *
 * The kernel gives one watch descriptor per directory inode; a directory is
 * recorded once (struct watch_dir) with the union of what we want from it:
 * every name (recursive) or a few names (the parent of a root).
 */
#define _GNU_SOURCE
#include "gitops/watch.h"

#include "gitops/config.h"
#include "gitops/plan.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WATCH_MAX_DEPTH 64

#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
		      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct watch_dir {
	int wd;
	char *path;        /* normalized */
	int recursive;     /* every name below counts */
	int depth;         /* below its recursive root */
	char **names;      /* else: only these names count */
	size_t nnames;
};

struct watch_root {
	char *path;        /* normalized */
	int parent_wd;     /* its parent's watch, or -1 */
	int self_wd;       /* its own (a directory's) watch, or -1 */
	int covered;       /* every watch it needs is in place */
};

struct watch {
	int fd;
	unsigned debounce_ms, max_delay_ms;
	struct watch_dir *dirs;
	size_t ndirs, adirs;
	struct watch_root *roots;
	size_t nroots, aroots;
	struct watch_changes pending;  /* filled while reading events */
	int lost;                      /* a root is not covered: rearm */
};

/* ---- paths ---- */

int watch_path_normalize(struct buf *out, const char *path, struct diag *d)
{
	struct buf in = BUF_INIT;
	const char *p;
	int error = 0;

	buf_reset(out);
	if (path[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd))) {
			error = diag_set(d, DIAG_EGENERIC, "cannot read the current directory: %s",
					 strerror(errno));
			goto done;
		}
		buf_adds(&in, cwd);
		buf_addch(&in, '/');
	}
	buf_adds(&in, path);
	if (buf_oom(&in))
		goto oom;
	p = in.ptr;
	while (*p) {
		const char *slash;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* drop */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *last = memrchr(out->ptr, '/', out->len);

			buf_truncate(out, last ? (size_t)(last - out->ptr) : 0);
		} else {
			buf_addch(out, '/');
			buf_add(out, p, len);
		}
		p += len;
	}
	if (!out->len)
		buf_addch(out, '/');
	if (buf_oom(out))
		goto oom;
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	buf_release(&in);
	return error;
}

int watch_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- changes ---- */

void watch_changes_release(struct watch_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->paths[i]);
	free(c->paths);
	memset(c, 0, sizeof(*c));
}

static int changes_add(struct watch_changes *c, const char *path)
{
	char *copy;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->paths[i], path) == 0)
			return 0;
	if (c->n == c->alloc) {
		size_t alloc = c->alloc ? 2 * c->alloc : 8;
		char **p = realloc(c->paths, alloc * sizeof(*p));

		if (!p)
			return DIAG_ENOMEM;
		c->paths = p;
		c->alloc = alloc;
	}
	if (!(copy = strdup(path)))
		return DIAG_ENOMEM;
	c->paths[c->n++] = copy;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- directory records ---- */

static struct watch_dir *dir_find(struct watch *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void dir_release(struct watch_dir *dir)
{
	free(dir->path);
	for (size_t i = 0; i < dir->nnames; i++)
		free(dir->names[i]);
	free(dir->names);
}

static void dir_remove(struct watch *w, struct watch_dir *dir)
{
	size_t i = (size_t)(dir - w->dirs);

	for (size_t r = 0; r < w->nroots; r++) {
		struct watch_root *root = &w->roots[r];

		if (root->parent_wd == dir->wd || root->self_wd == dir->wd) {
			if (root->parent_wd == dir->wd)
				root->parent_wd = -1;
			if (root->self_wd == dir->wd)
				root->self_wd = -1;
			root->covered = 0;
			w->lost = 1;
		}
	}
	dir_release(dir);
	memmove(&w->dirs[i], &w->dirs[i + 1], (w->ndirs - i - 1) * sizeof(*w->dirs));
	w->ndirs--;
}

static int dir_wants(const struct watch_dir *dir, const char *name)
{
	if (dir->recursive)
		return 1;
	for (size_t i = 0; i < dir->nnames; i++)
		if (strcmp(dir->names[i], name) == 0)
			return 1;
	return 0;
}

static int add_error(struct diag *d, const char *path, int err)
{
	if (err == ENOSPC)
		return diag_set(d, DIAG_ELIMIT, "cannot watch '%s': the limit of inotify watches "
				"was reached (raise fs.inotify.max_user_watches)", path);
	if (err == ENOMEM)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	return diag_set(d, DIAG_EGENERIC, "cannot watch '%s': %s", path, strerror(err));
}

/*
 * Adds (or extends) the kernel watch on directory path: recursive, or for
 * the one name. *wd_out is the descriptor, or -1 when path is not a
 * directory that can be watched (ENOENT, ENOTDIR: not an error here).
 */
static int dir_add(struct watch *w, int *wd_out, const char *path, int recursive, int depth,
		   const char *name, struct diag *d)
{
	struct watch_dir *dir;
	int wd;

	*wd_out = -1;
	/* Below a recursive root, symbolic links to directories are not followed. */
	wd = inotify_add_watch(w->fd, path,
			       WATCH_EVENTS | (recursive && depth > 0 ? IN_DONT_FOLLOW : 0));
	if (wd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
			return 0;
		return add_error(d, path, errno);
	}
	*wd_out = wd;
	if (!(dir = dir_find(w, wd))) {
		if (w->ndirs == w->adirs) {
			size_t alloc = w->adirs ? 2 * w->adirs : 8;
			struct watch_dir *p = realloc(w->dirs, alloc * sizeof(*p));

			if (!p)
				goto oom;
			w->dirs = p;
			w->adirs = alloc;
		}
		dir = &w->dirs[w->ndirs];
		memset(dir, 0, sizeof(*dir));
		dir->wd = wd;
		if (!(dir->path = strdup(path)))
			goto oom;
		dir->depth = depth;
		w->ndirs++;
	}
	if (recursive) {
		if (!dir->recursive || depth < dir->depth)
			dir->depth = depth;
		dir->recursive = 1;
	}
	if (name && !dir_wants(dir, name)) {
		char **p = realloc(dir->names, (dir->nnames + 1) * sizeof(*p));

		if (!p)
			goto oom;
		dir->names = p;
		if (!(p[dir->nnames] = strdup(name)))
			goto oom;
		dir->nnames++;
	}
	return 0;
oom:
	return diag_set(d, DIAG_ENOMEM, "out of memory");
}

/*
 * Watches the directory path and every directory below it (not through
 * symbolic links). With report set, every entry found is added to the
 * pending changes (a directory that appeared may already hold files).
 */
static int tree_add(struct watch *w, int *wd_out, const char *path, int depth, int report,
		    struct diag *d)
{
	struct buf sub = BUF_INIT;
	DIR *dir = NULL;
	struct dirent *de;
	int wd, subwd, error;

	*wd_out = -1;
	if (depth > WATCH_MAX_DEPTH)
		return diag_set(d, DIAG_ELIMIT, "cannot watch '%s': directories nest deeper than %d",
				path, WATCH_MAX_DEPTH);
	if ((error = dir_add(w, &wd, path, 1, depth, NULL, d)) < 0 || wd < 0)
		return error;
	*wd_out = wd;
	if (!(dir = opendir(path)))
		return 0;  /* gone meanwhile: its removal is an event too */
	while ((de = readdir(dir))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		buf_reset(&sub);
		buf_adds(&sub, path);
		if (sub.len > 1)
			buf_addch(&sub, '/');
		buf_adds(&sub, de->d_name);
		if (buf_oom(&sub)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (report && changes_add(&w->pending, sub.ptr) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (lstat(sub.ptr, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (error = tree_add(w, &subwd, sub.ptr, depth + 1, report, d)) < 0)
			goto done;
	}
done:
	closedir(dir);
	buf_release(&sub);
	return error;
}

/* Puts a root's watches in place: its parent for its name, and itself
 * recursively when it is a directory (with report set, the files found
 * there are pending changes: the directory appeared or was replaced). */
static int root_arm(struct watch *w, struct watch_root *root, int report, struct diag *d)
{
	struct buf parent = BUF_INIT;
	const char *slash = strrchr(root->path, '/');
	struct stat st;
	int error = 0;

	if (slash == root->path)
		buf_addch(&parent, '/');
	else
		buf_add(&parent, root->path, (size_t)(slash - root->path));
	if (buf_oom(&parent)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if (!slash[1])
		root->parent_wd = 0;  /* "/" has no parent; nothing replaces it */
	else if (root->parent_wd < 0 &&
		 (error = dir_add(w, &root->parent_wd, parent.ptr, 0, 0, slash + 1, d)) < 0)
		goto done;
	if (root->self_wd < 0 && stat(root->path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (error = tree_add(w, &root->self_wd, root->path, 0, report, d)) < 0)
		goto done;
	root->covered = root->parent_wd >= 0 &&
		(root->self_wd >= 0 || stat(root->path, &st) < 0 || !S_ISDIR(st.st_mode));
done:
	buf_release(&parent);
	return error;
}

/* ---- public ---- */

int watch_new(struct watch **out, const struct watch_opts *opts, struct diag *d)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	w->debounce_ms = opts && opts->debounce_ms ? opts->debounce_ms : 10;
	w->max_delay_ms = opts && opts->max_delay_ms ? opts->max_delay_ms : 500;
	if (w->max_delay_ms < w->debounce_ms)
		w->max_delay_ms = w->debounce_ms;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int err = errno;

		free(w);
		if (err == EMFILE)
			return diag_set(d, DIAG_ELIMIT, "cannot start watching: the limit of inotify "
					"instances was reached (fs.inotify.max_user_instances)");
		return diag_set(d, DIAG_EGENERIC, "inotify_init1: %s", strerror(err));
	}
	*out = w;
	return 0;
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->ndirs; i++)
		dir_release(&w->dirs[i]);
	free(w->dirs);
	for (size_t i = 0; i < w->nroots; i++)
		free(w->roots[i].path);
	free(w->roots);
	watch_changes_release(&w->pending);
	free(w);
}

size_t watch_count(const struct watch *w)
{
	return w->ndirs;
}

int watch_add(struct watch *w, const char *path, struct diag *d)
{
	struct buf norm = BUF_INIT;
	struct watch_root *root;
	int error;

	if ((error = watch_path_normalize(&norm, path, d)) < 0)
		goto done;
	for (size_t i = 0; i < w->nroots; i++)
		if (strcmp(w->roots[i].path, norm.ptr) == 0)
			goto done;
	if (w->nroots == w->aroots) {
		size_t alloc = w->aroots ? 2 * w->aroots : 8;
		struct watch_root *p = realloc(w->roots, alloc * sizeof(*p));

		if (!p) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		w->roots = p;
		w->aroots = alloc;
	}
	root = &w->roots[w->nroots++];
	root->path = buf_detach(&norm, NULL);
	root->parent_wd = root->self_wd = -1;
	root->covered = 0;
	if ((error = root_arm(w, root, 0, d)) == 0 && !root->covered)
		w->lost = 1;
done:
	buf_release(&norm);
	return error;
}

/* Pending change for the entry name of dir, or for dir itself (name NULL). */
static int note(struct watch *w, const struct watch_dir *dir, const char *name)
{
	struct buf path = BUF_INIT;
	int error;

	buf_adds(&path, dir->path);
	if (name) {
		if (path.len > 1)
			buf_addch(&path, '/');
		buf_adds(&path, name);
	}
	error = buf_oom(&path) ? DIAG_ENOMEM : changes_add(&w->pending, path.ptr);
	buf_release(&path);
	return error;
}

/* A root directory at path (re)appeared: arm it again at the end of the batch. */
static void uncover(struct watch *w, const char *path)
{
	for (size_t i = 0; i < w->nroots; i++) {
		if (strcmp(w->roots[i].path, path) == 0) {
			w->roots[i].self_wd = -1;
			w->roots[i].covered = 0;
			w->lost = 1;
		}
	}
}

static int handle_event(struct watch *w, const struct inotify_event *ev, struct diag *d)
{
	struct watch_dir *dir;
	int error = 0, wd;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->pending.overflow = 1;
		return 0;
	}
	if (!(dir = dir_find(w, ev->wd)))
		return 0;
	if (ev->mask & IN_IGNORED) {
		/* The kernel dropped the watch (deleted, unmounted, or removed by us). */
		dir_remove(w, dir);
		return 0;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		if (dir->recursive) {
			error = note(w, dir, NULL);
		} else {
			for (size_t i = 0; i < dir->nnames && !error; i++)
				error = note(w, dir, dir->names[i]);
		}
		/* A moved directory keeps its watch under a path that is now
		 * wrong: drop it (IN_IGNORED follows and removes the record). */
		if (ev->mask & IN_MOVE_SELF) {
			for (size_t i = 0; i < w->ndirs; i++)
				if (w->dirs[i].recursive &&
				    watch_path_within(w->dirs[i].path, dir->path))
					inotify_rm_watch(w->fd, w->dirs[i].wd);
			if (!dir->recursive)
				inotify_rm_watch(w->fd, dir->wd);
		}
		return error < 0 ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
	}
	if (!ev->len || !ev->name[0] || !dir_wants(dir, ev->name))
		return 0;
	if ((error = note(w, dir, ev->name)) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
		struct buf sub = BUF_INIT;

		buf_adds(&sub, dir->path);
		if (sub.len > 1)
			buf_addch(&sub, '/');
		buf_adds(&sub, ev->name);
		if (buf_oom(&sub))
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		else if (dir->recursive)
			error = tree_add(w, &wd, sub.ptr, dir->depth + 1, 1, d);
		else
			uncover(w, sub.ptr);  /* a root directory (re)appeared */
		buf_release(&sub);
	}
	return error;
}

/* Reads every queued event (the descriptor is non-blocking). */
static int read_events(struct watch *w, struct diag *d)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int error;

	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return diag_set(d, DIAG_EGENERIC, "reading inotify events: %s",
					strerror(errno));
		}
		if (n == 0)
			return 0;
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev = (const void *)(buf + off);

			if ((error = handle_event(w, ev, d)) < 0)
				return error;
			off += sizeof(*ev) + ev->len;
		}
	}
}

long long watch_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long now_ms(void)
{
	return watch_now_us() / 1000;
}

/* poll on the inotify descriptor and wake_fd: 1 inotify ready, 2 woken,
 * 0 timeout, -1 EINTR. */
static int wait_fds(struct watch *w, int wake_fd, int timeout_ms, struct diag *d, int *error)
{
	struct pollfd fds[2];
	nfds_t n = 1;
	int r;

	fds[0].fd = w->fd;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	if (wake_fd >= 0) {
		fds[1].fd = wake_fd;
		fds[1].events = POLLIN;
		fds[1].revents = 0;
		n = 2;
	}
	r = poll(fds, n, timeout_ms);
	if (r < 0) {
		if (errno == EINTR)
			return -1;
		*error = diag_set(d, DIAG_EGENERIC, "poll: %s", strerror(errno));
		return 0;
	}
	if (n == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
		return 2;
	if (fds[0].revents & POLLIN)
		return 1;
	return 0;
}

static int rearm(struct watch *w, struct diag *d)
{
	int error;

	w->lost = 0;
	for (size_t i = 0; i < w->nroots; i++) {
		if (w->roots[i].covered)
			continue;
		if ((error = root_arm(w, &w->roots[i], 1, d)) < 0)
			return error;
		if (!w->roots[i].covered)
			w->lost = 1;
	}
	return 0;
}

int watch_wait(struct watch *w, struct watch_changes *out, int timeout_ms, int wake_fd,
	       struct diag *d)
{
	long long first, now, first_us = watch_now_us();
	int error = 0, r;

	watch_changes_release(out);
	watch_changes_release(&w->pending);
	if (w->lost && (error = rearm(w, d)) < 0)
		goto done;
	if (w->pending.n)
		goto finish;  /* rearming found files that appeared meanwhile */
	for (;;) {
		r = wait_fds(w, wake_fd, timeout_ms, d, &error);
		if (error < 0)
			goto done;
		if (r == 2) {
			out->woken = 1;
			goto done;
		}
		if (r <= 0)
			goto done;
		first_us = watch_now_us();
		if ((error = read_events(w, d)) < 0)
			goto done;
		if (w->pending.n || w->pending.overflow)
			break;
		/* Only events that do not count (a swap file in a parent): wait on,
		 * without rearming the timeout (good enough for a watcher). */
	}
	first = now_ms();
	for (;;) {
		now = now_ms();
		long long left = first + w->max_delay_ms - now;
		int quiet = (int)(left < w->debounce_ms ? left : w->debounce_ms);

		if (quiet <= 0)
			break;
		r = wait_fds(w, wake_fd, quiet, d, &error);
		if (error < 0)
			goto done;
		if (r == 2) {
			out->woken = 1;
			goto done;
		}
		if (r == 0)
			break;
		if (r < 0)
			continue;
		if ((error = read_events(w, d)) < 0)
			goto done;
	}
	if (w->lost && (error = rearm(w, d)) < 0)
		goto done;
finish:
	qsort(w->pending.paths, w->pending.n, sizeof(*w->pending.paths), cmp_str);
	w->pending.first_us = first_us;
	*out = w->pending;
	memset(&w->pending, 0, sizeof(w->pending));
done:
	if (error == DIAG_ENOMEM && d && !d->msg.len)
		diag_set(d, DIAG_ENOMEM, "out of memory");
	return error;
}

/* ---- the map ---- */

int watch_map_add(struct watch_map *m, const char *path, size_t job, struct diag *d)
{
	struct buf norm = BUF_INIT;
	int error;

	if ((error = watch_path_normalize(&norm, path, d)) < 0)
		goto done;
	if (m->n == m->alloc) {
		size_t alloc = m->alloc ? 2 * m->alloc : 16;
		struct watch_map_entry *p = realloc(m->entries, alloc * sizeof(*p));

		if (!p) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		m->entries = p;
		m->alloc = alloc;
	}
	m->entries[m->n].job = job;
	m->entries[m->n].path = buf_detach(&norm, NULL);
	m->n++;
done:
	buf_release(&norm);
	return error;
}

void watch_map_release(struct watch_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].path);
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

size_t watch_map_mark(const struct watch_map *m, const char *changed, unsigned char *mark,
		      size_t njobs)
{
	size_t count = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct watch_map_entry *e = &m->entries[i];

		if (e->job >= njobs || mark[e->job])
			continue;
		if (watch_path_within(changed, e->path) || watch_path_within(e->path, changed)) {
			mark[e->job] = 1;
			count++;
		}
	}
	return count;
}

/* ---- kustomize inputs ---- */

static int list_has(const struct config_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return 1;
	return 0;
}

static int list_add(struct config_list *l, const char *s)
{
	char **p = realloc(l->items, (l->n + 1) * sizeof(*p));

	if (!p)
		return DIAG_ENOMEM;
	l->items = p;
	if (!(p[l->n] = strdup(s)))
		return DIAG_ENOMEM;
	l->n++;
	return 0;
}

/* Reads dir's kustomization into *root (NULL when there is none or it does
 * not parse). */
static int kustomization_read(json_t **root, const char *dir)
{
	static const char *const names[] = { "kustomization.yaml", "kustomization.yml",
					     "Kustomization" };
	struct srcfile src = SRCFILE_INIT;
	struct ystream st = YSTREAM_INIT;
	struct buf path = BUF_INIT;
	int error = 0;

	*root = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, names[i]);
		if (buf_oom(&path)) {
			error = DIAG_ENOMEM;
			goto done;
		}
		if (srcfile_read(&src, path.ptr, NULL) == 0)
			break;
		srcfile_release(&src);
	}
	if (!src.data)
		goto done;
	if (ystream_parse(&st, &src, YDOC_KUSTOMIZE, NULL, NULL) == 0 && st.ndocs > 0 &&
	    json_is_object(st.docs[0].root))
		*root = json_incref(st.docs[0].root);
done:
	ystream_release(&st);
	srcfile_release(&src);
	buf_release(&path);
	return error;
}

static int kustomize_walk(struct config_list *out, const char *dir, int depth)
{
	static const char *const keys[] = { "resources", "bases", "components" };
	struct buf path = BUF_INIT, norm = BUF_INIT;
	json_t *root = NULL;
	int error;

	if (depth > 32)
		return 0;
	if ((error = kustomization_read(&root, dir)) < 0 || !root)
		goto done;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *list = json_object_get(root, keys[k]), *item;
		size_t i;

		json_array_foreach(list, i, item) {
			const char *entry = json_string_value(item);
			struct stat st;

			if (!entry || !entry[0] || strstr(entry, "://") || strncmp(entry, "git@", 4) == 0 ||
			    strncmp(entry, "github.com/", 11) == 0)
				continue;
			buf_reset(&path);
			if (entry[0] != '/')
				buf_addf(&path, "%s/", dir);
			buf_adds(&path, entry);
			if (buf_oom(&path)) {
				error = DIAG_ENOMEM;
				goto done;
			}
			if ((error = watch_path_normalize(&norm, path.ptr, NULL)) < 0)
				goto done;
			if (stat(norm.ptr, &st) < 0 || list_has(out, norm.ptr))
				continue;
			/* A file inside dir is watched with dir already. */
			if (!S_ISDIR(st.st_mode) && watch_path_within(norm.ptr, dir))
				continue;
			if ((error = list_add(out, norm.ptr)) < 0)
				goto done;
			if (S_ISDIR(st.st_mode)) {
				char *sub = strdup(norm.ptr);

				if (!sub) {
					error = DIAG_ENOMEM;
					goto done;
				}
				error = kustomize_walk(out, sub, depth + 1);
				free(sub);
				if (error < 0)
					goto done;
			}
		}
	}
done:
	json_decref(root);
	buf_release(&path);
	buf_release(&norm);
	return error;
}

int watch_kustomize_inputs(struct config_list *out, const char *dir, struct diag *d)
{
	struct buf norm = BUF_INIT;
	int error;

	if ((error = watch_path_normalize(&norm, dir, d)) < 0)
		goto done;
	/* Marks dir itself as seen, so that a cycle back to it stops; removed
	 * again below. */
	if ((error = list_add(out, norm.ptr)) < 0)
		goto done;
	{
		size_t self = out->n - 1;

		error = kustomize_walk(out, norm.ptr, 0);
		free(out->items[self]);
		memmove(&out->items[self], &out->items[self + 1],
			(out->n - self - 1) * sizeof(*out->items));
		out->n--;
	}
done:
	if (error == DIAG_ENOMEM)
		diag_set(d, DIAG_ENOMEM, "out of memory");
	buf_release(&norm);
	return error;
}

int watch_add_plan(struct watch *w, struct watch_map *m, const struct plan *p,
		   struct diag *d)
{
	int error = 0;

	for (size_t j = 0; j < p->n && !error; j++) {
		struct config_list in = CONFIG_LIST_INIT;

		error = plan_job_inputs(&in, p, j, d);
		for (size_t i = 0; i < in.n; i++) {
			if (!error)
				error = watch_map_add(m, in.items[i], j, d);
			if (!error && w)
				error = watch_add(w, in.items[i], d);
			free(in.items[i]);
		}
		free(in.items);
	}
	return error;
}
