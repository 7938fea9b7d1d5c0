/*
 * The rendered tree in memory, provenance files, and writing a tree into a
 * directory (temp files first, renames once all were written, then pruning).
 */
#include "gitops/tree.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tree_release(struct tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->entries[i].path);
		free(t->entries[i].data);
	}
	free(t->entries);
	for (size_t i = 0; i < t->nroots; i++)
		free(t->roots[i]);
	free(t->roots);
	memset(t, 0, sizeof(*t));
}

int tree_check_path(const char *path, struct diag *d)
{
	const char *p = path;

	if (!path[0])
		return diag_set(d, DIAG_EINVALID, "empty path in the rendered tree");
	if (path[0] == '/')
		return diag_set(d, DIAG_EINVALID, "absolute path '%s' in the rendered tree", path);
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && !memcmp(p, "..", 2)))
			return diag_set(d, DIAG_EINVALID, "path '%s' has an empty, '.' or '..' "
					"component", path);
		if (len == 4 && !memcmp(p, ".git", 4))
			return diag_set(d, DIAG_EINVALID, "path '%s' enters '.git'", path);
		p += len;
		if (*p == '/') {
			p++;
			if (!*p)
				return diag_set(d, DIAG_EINVALID, "path '%s' ends with '/'", path);
		}
	}
	return 0;
}

/* Index of path, or where it would go (*found tells). */
static size_t bsearch_path(char *const *base, size_t stride, size_t n, const char *path,
			   int *found)
{
	size_t lo = 0, hi = n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *key = *(char *const *)((const char *)base + mid * stride);
		int c = strcmp(key, path);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tree_add(struct tree *t, const char *path, const void *data, size_t len,
	     unsigned flags, struct diag *d)
{
	struct tree_entry e = { NULL, NULL, 0, flags };
	size_t at;
	int found, error;

	if ((error = tree_check_path(path, d)) < 0)
		return error;
	found = 0;
	at = t->n ? bsearch_path(&t->entries->path, sizeof(*t->entries), t->n, path, &found) : 0;
	if (found)
		return diag_set(d, DIAG_ECONFLICT, "'%s' is rendered twice", path);
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 16;
		struct tree_entry *ne = realloc(t->entries, na * sizeof(*ne));
		if (!ne)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		t->entries = ne;
		t->alloc = na;
	}
	e.path = strdup(path);
	e.data = malloc(len + 1);
	if (!e.path || !e.data) {
		free(e.path);
		free(e.data);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	if (len)
		memcpy(e.data, data, len);
	e.data[len] = '\0';
	e.len = len;
	memmove(&t->entries[at + 1], &t->entries[at], (t->n - at) * sizeof(*t->entries));
	t->entries[at] = e;
	t->n++;
	return 0;
}

const struct tree_entry *tree_find(const struct tree *t, const char *path)
{
	size_t at;
	int found;

	if (!t->n)
		return NULL;
	at = bsearch_path(&t->entries->path, sizeof(*t->entries), t->n, path, &found);
	return found ? &t->entries[at] : NULL;
}

int tree_add_root(struct tree *t, const char *root, struct diag *d)
{
	char **nr, *copy;
	size_t at;
	int found, error;

	if ((error = tree_check_path(root, d)) < 0)
		return error;
	found = 0;
	at = t->nroots ? bsearch_path(t->roots, sizeof(*t->roots), t->nroots, root, &found) : 0;
	if (found)
		return diag_set(d, DIAG_ECONFLICT, "path '%s' is rendered by two jobs", root);
	nr = realloc(t->roots, (t->nroots + 1) * sizeof(*nr));
	if (!nr)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	t->roots = nr;
	if (!(copy = strdup(root)))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	memmove(&nr[at + 1], &nr[at], (t->nroots - at) * sizeof(*nr));
	nr[at] = copy;
	t->nroots++;
	return 0;
}

int tree_add_manifests(struct tree *t, const char *root, const struct manifest_set *set,
		       int split, struct diag *d)
{
	struct buf path = BUF_INIT, joined = BUF_INIT;
	unsigned flags = 0;
	int error;

	if ((error = tree_add_root(t, root, d)) < 0)
		return error;
	if (split) {
		for (size_t i = 0; i < set->n && !error; i++) {
			const struct manifest_doc *m = &set->docs[i];
			buf_reset(&path);
			buf_addf(&path, "%s/%s", root, m->filename);
			if (buf_oom(&path))
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
			else
				error = tree_add(t, path.ptr, m->data, m->len,
						 m->flags & MANIFEST_SECRET ? TREE_SECRET : 0, d);
		}
		goto done;
	}
	for (size_t k = 0; k < set->n; k++) {
		for (size_t i = 0; i < set->n; i++) {
			if (set->docs[i].index != k)
				continue;
			buf_adds(&joined, "---\n");
			buf_add(&joined, set->docs[i].data, set->docs[i].len);
			if (set->docs[i].flags & MANIFEST_SECRET)
				flags |= TREE_SECRET;
		}
	}
	buf_addf(&path, "%s/manifest.yaml", root);
	if (buf_oom(&path) || buf_oom(&joined))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	else
		error = tree_add(t, path.ptr, joined.ptr, joined.len, flags, d);
done:
	buf_release(&path);
	buf_release(&joined);
	return error;
}

/* ---- provenance ---- */

static int sys_err(struct diag *d, const char *op, const char *path)
{
	return diag_set(d, DIAG_EGENERIC, "cannot %s '%s': %s", op, path, strerror(errno));
}


int tree_digest_init(struct tree_digest *dg)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	dg->error = 0;
	dg->ctx = ctx;
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		dg->ctx = NULL;
		dg->error = DIAG_ENOMEM;
		return DIAG_ENOMEM;
	}
	return 0;
}

static void digest_u64(EVP_MD_CTX *ctx, unsigned long long v, int *error)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	if (EVP_DigestUpdate(ctx, b, 8) != 1)
		*error = DIAG_EGENERIC;
}

void tree_digest_add(struct tree_digest *dg, const char *name, const void *data, size_t len)
{
	EVP_MD_CTX *ctx = dg->ctx;
	size_t nlen = strlen(name);

	if (!ctx || dg->error)
		return;
	digest_u64(ctx, nlen, &dg->error);
	if (EVP_DigestUpdate(ctx, name, nlen) != 1)
		dg->error = DIAG_EGENERIC;
	digest_u64(ctx, len, &dg->error);
	if (len && EVP_DigestUpdate(ctx, data, len) != 1)
		dg->error = DIAG_EGENERIC;
}

int tree_digest_final(struct tree_digest *dg, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int error = dg->error;

	if (!error && (!dg->ctx || EVP_DigestFinal_ex(dg->ctx, md, &mdlen) != 1 || mdlen != 32))
		error = DIAG_EGENERIC;
	if (!error && outlen < 7 + 64 + 1)
		error = DIAG_EGENERIC;
	if (!error) {
		memcpy(out, "sha256:", 7);
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	}
	tree_digest_release(dg);
	return error;
}

void tree_digest_release(struct tree_digest *dg)
{
	if (!dg)
		return;
	EVP_MD_CTX_free(dg->ctx);
	dg->ctx = NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int digest_walk(struct tree_digest *dg, const char *name, const char *path, int depth,
		       struct diag *d)
{
	struct stat st;
	int error = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? diag_set(d, DIAG_ENOTFOUND, "'%s' does not exist", path)
				       : sys_err(d, "inspect", path);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));
		struct buf nm = BUF_INIT;
		if (n < 0)
			return sys_err(d, "read link", path);
		buf_addf(&nm, "%s -> ", name);
		if (buf_oom(&nm))
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		else
			tree_digest_add(dg, nm.ptr, target, (size_t)n);
		buf_release(&nm);
		return error;
	}
	if (S_ISREG(st.st_mode)) {
		struct buf data = BUF_INIT;
		char chunk[65536];
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			return sys_err(d, "read", path);
		for (;;) {
			ssize_t n = read(fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				error = sys_err(d, "read", path);
				break;
			}
			if (n == 0)
				break;
			buf_add(&data, chunk, (size_t)n);
		}
		close(fd);
		if (!error && buf_oom(&data))
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		if (!error)
			tree_digest_add(dg, name, data.ptr, data.len);
		buf_release(&data);
		return error;
	}
	if (S_ISDIR(st.st_mode)) {
		char **names = NULL;
		size_t n = 0, alloc = 0;
		struct dirent *ent;
		DIR *dp;

		if (depth >= 64)
			return diag_set(d, DIAG_ELIMIT, "'%s' is nested too deeply", path);
		if (!(dp = opendir(path)))
			return sys_err(d, "read directory", path);
		while (!error && (ent = readdir(dp)) != NULL) {
			if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..") ||
			    !strcmp(ent->d_name, ".git"))
				continue;
			if (n == alloc) {
				char **nn = realloc(names, (alloc = alloc * 2 + 16) * sizeof(*nn));
				if (!nn) {
					error = diag_set(d, DIAG_ENOMEM, "out of memory");
					break;
				}
				names = nn;
			}
			if (!(names[n] = strdup(ent->d_name)))
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
			else
				n++;
		}
		closedir(dp);
		if (n)
			qsort(names, n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < n && !error; i++) {
			struct buf sub = BUF_INIT, subname = BUF_INIT;
			buf_addf(&sub, "%s/%s", path, names[i]);
			buf_addf(&subname, "%s/%s", name, names[i]);
			if (buf_oom(&sub) || buf_oom(&subname))
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
			else
				error = digest_walk(dg, subname.ptr, sub.ptr, depth + 1, d);
			buf_release(&sub);
			buf_release(&subname);
		}
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return error;
	}
	return 0; /* sockets, fifos, devices: not inputs */
}

int tree_digest_path(struct tree_digest *dg, const char *label, const char *path,
		     struct diag *d)
{
	return digest_walk(dg, label, path, 0, d);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int tree_add_provenance(struct tree *t, const char *root, const struct tree_provenance *p,
			struct diag *d)
{
	json_t *o = json_object(), *src = json_object();
	struct buf path = BUF_INIT;
	char *text = NULL;
	int error = 0;

	if (!o || !src) {
		json_decref(src);
		src = NULL;
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	json_object_set_new(src, "repository", str_or_null(p->source_repository));
	json_object_set_new(src, "commit", str_or_null(p->source_commit));
	json_object_set_new(o, "app", str_or_null(p->app));
	json_object_set_new(o, "environment", str_or_null(p->env));
	json_object_set_new(o, "hydrateVersion", str_or_null(p->hydrate_version));
	json_object_set_new(o, "inputsDigest", str_or_null(p->inputs_digest));
	json_object_set_new(o, "source", src);
	text = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_ENSURE_ASCII);
	buf_addf(&path, "%s/%s", root, TREE_PROVENANCE_FILE);
	if (!text || buf_oom(&path)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	{
		struct buf bytes = BUF_INIT;
		buf_adds(&bytes, text);
		buf_addch(&bytes, '\n');
		error = buf_oom(&bytes) ? diag_set(d, DIAG_ENOMEM, "out of memory")
					: tree_add(t, path.ptr, bytes.ptr, bytes.len, 0, d);
		buf_release(&bytes);
	}
done:
	free(text);
	json_decref(o);
	buf_release(&path);
	return error;
}

/* ---- writing ---- */

/* mkdir -p of the directories of rel under dir; refuses symbolic links. */
static int make_parents(const char *dir, const char *rel, int include_last, struct diag *d)
{
	struct buf p = BUF_INIT;
	const char *s = rel;
	struct stat st;
	int error = 0;

	buf_adds(&p, dir);
	while (!error) {
		const char *slash = strchr(s, '/');
		if (!slash && !include_last)
			break;
		buf_addch(&p, '/');
		buf_add(&p, s, slash ? (size_t)(slash - s) : strlen(s));
		if (buf_oom(&p)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		if (lstat(p.ptr, &st) == 0) {
			if (S_ISLNK(st.st_mode))
				error = diag_set(d, DIAG_EINVALID, "refusing to write through the "
						 "symbolic link '%s'", p.ptr);
			else if (!S_ISDIR(st.st_mode))
				error = diag_set(d, DIAG_EINVALID, "'%s' is not a directory", p.ptr);
		} else if (errno != ENOENT || mkdir(p.ptr, 0777) < 0) {
			error = sys_err(d, "create directory", p.ptr);
		}
		if (!slash)
			break;
		s = slash + 1;
	}
	buf_release(&p);
	return error;
}

static int same_bytes(const char *path, const char *data, size_t len)
{
	struct stat st;
	char buf[65536];
	size_t off = 0;
	int fd, same = 1;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	while (off < len && same) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0 || (size_t)n > len - off || memcmp(buf, data + off, (size_t)n) != 0)
			same = 0;
		else
			off += (size_t)n;
	}
	close(fd);
	return same && off == len;
}

static int write_temp(const char *target, const char *data, size_t len, char **tmp_out,
		      struct diag *d)
{
	struct buf tmp = BUF_INIT;
	const char *slash = strrchr(target, '/');
	size_t off = 0;
	int fd;

	*tmp_out = NULL;
	buf_add(&tmp, target, slash ? (size_t)(slash - target + 1) : 0);
	buf_addf(&tmp, ".%s.hydrate-XXXXXX", slash ? slash + 1 : target);
	if (buf_oom(&tmp)) {
		buf_release(&tmp);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		int error = sys_err(d, "create a temporary file for", target);
		buf_release(&tmp);
		return error;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int error = sys_err(d, "write", tmp.ptr);
			close(fd);
			unlink(tmp.ptr);
			buf_release(&tmp);
			return error;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
		int error = sys_err(d, "write", tmp.ptr);
		unlink(tmp.ptr);
		buf_release(&tmp);
		return error;
	}
	*tmp_out = buf_detach(&tmp, NULL);
	return 0;
}

/* Removes files under dir/rel (a managed root) that the tree does not hold;
 * rel grows as the walk descends. Returns whether the directory is empty. */
static int prune(const struct tree *t, const char *dir, struct buf *rel, size_t *removed,
		 int *empty_out, int depth, struct diag *d)
{
	struct buf full = BUF_INIT;
	struct dirent *ent;
	DIR *dp;
	int error = 0, empty = 1;

	buf_addf(&full, "%s/%s", dir, rel->ptr);
	if (buf_oom(&full)) {
		buf_release(&full);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	dp = opendir(full.ptr);
	if (!dp) {
		if (errno == ENOENT) {
			buf_release(&full);
			*empty_out = 1;
			return 0;
		}
		error = sys_err(d, "read directory", full.ptr);
		buf_release(&full);
		return error;
	}
	while (!error && (ent = readdir(dp)) != NULL) {
		size_t keep = rel->len;
		struct stat st;

		if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, ".."))
			continue;
		buf_addch(rel, '/');
		buf_adds(rel, ent->d_name);
		buf_reset(&full);
		buf_addf(&full, "%s/%s", dir, rel->ptr);
		if (buf_oom(rel) || buf_oom(&full)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		} else if (lstat(full.ptr, &st) < 0) {
			error = sys_err(d, "inspect", full.ptr);
		} else if (S_ISDIR(st.st_mode) && depth < 64) {
			int sub_empty = 0;
			error = prune(t, dir, rel, removed, &sub_empty, depth + 1, d);
			if (!error && sub_empty && rmdir(full.ptr) < 0 && errno != ENOTEMPTY)
				error = sys_err(d, "remove directory", full.ptr);
			if (!sub_empty)
				empty = 0;
		} else if (!S_ISDIR(st.st_mode) && !tree_find(t, rel->ptr)) {
			if (unlink(full.ptr) < 0)
				error = sys_err(d, "remove", full.ptr);
			else
				(*removed)++;
		} else {
			empty = 0;
		}
		buf_truncate(rel, keep);
	}
	closedir(dp);
	buf_release(&full);
	*empty_out = empty;
	return error;
}

int tree_write(const struct tree *t, const char *dir, struct tree_write_stats *stats,
	       struct diag *d)
{
	struct tree_write_stats st = { 0, 0, 0 };
	struct buf target = BUF_INIT, rel = BUF_INIT;
	char **tmps = NULL;
	size_t i;
	int error = 0;

	/* every managed root must be a real directory (or absent), not a link */
	for (i = 0; i < t->nroots && !error; i++)
		error = make_parents(dir, t->roots[i], 1, d);
	if (error)
		goto done;
	tmps = calloc(t->n + 1, sizeof(*tmps));
	if (!tmps) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	/* 1. everything into temporary files */
	for (i = 0; i < t->n && !error; i++) {
		const struct tree_entry *e = &t->entries[i];
		buf_reset(&target);
		buf_addf(&target, "%s/%s", dir, e->path);
		if (buf_oom(&target)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		if ((error = make_parents(dir, e->path, 0, d)) < 0)
			break;
		{
			struct stat ts;
			if (lstat(target.ptr, &ts) == 0 && !S_ISREG(ts.st_mode)) {
				error = diag_set(d, DIAG_EINVALID, "'%s' exists and is not a "
						 "regular file", target.ptr);
				break;
			}
		}
		if (same_bytes(target.ptr, e->data, e->len)) {
			st.unchanged++;
			continue;
		}
		error = write_temp(target.ptr, e->data, e->len, &tmps[i], d);
	}
	if (error) {
		for (i = 0; i < t->n; i++)
			if (tmps[i])
				unlink(tmps[i]);
		goto done;
	}
	/* 2. into place */
	for (i = 0; i < t->n && !error; i++) {
		if (!tmps[i])
			continue;
		buf_reset(&target);
		buf_addf(&target, "%s/%s", dir, t->entries[i].path);
		if (buf_oom(&target) || rename(tmps[i], target.ptr) < 0) {
			error = buf_oom(&target) ? diag_set(d, DIAG_ENOMEM, "out of memory")
						 : sys_err(d, "rename into", target.ptr);
			for (size_t j = i; j < t->n; j++)
				if (tmps[j])
					unlink(tmps[j]);
			break;
		}
		st.written++;
	}
	if (error)
		goto done;
	/* 3. stale files under the managed paths */
	for (i = 0; i < t->nroots && !error; i++) {
		int empty = 0;
		buf_reset(&rel);
		buf_adds(&rel, t->roots[i]);
		error = prune(t, dir, &rel, &st.removed, &empty, 0, d);
	}
done:
	if (tmps) {
		for (i = 0; i < t->n; i++)
			free(tmps[i]);
		free(tmps);
	}
	buf_release(&target);
	buf_release(&rel);
	if (stats)
		*stats = st;
	return error;
}
