/*
 * Paths, files and loaders, as kustomize's filesys and api/internal/loader
 * see them. All paths handled here are absolute "virtual" paths: with an
 * fs_root, the host directory fs_root plays "/" (the krusty tests'
 * in-memory file system); without one, they are host paths.
 */
#include "render/kustomize/internal.h"
#include "render/srcfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *kpath_clean(const char *path)
{
	size_t n = strlen(path), w = 0, i = 0, dotdot = 0;
	int rooted = path[0] == '/';
	char *out;

	if (n == 0)
		return strdup(".");
	if (!(out = malloc(n + 2)))
		return NULL;
	if (rooted) {
		out[w++] = '/';
		i = 1;
		dotdot = 1;
	}
	while (i < n) {
		if (path[i] == '/') {
			i++;
		} else if (path[i] == '.' && (i + 1 == n || path[i + 1] == '/')) {
			i++;
		} else if (path[i] == '.' && path[i + 1] == '.' && (i + 2 == n || path[i + 2] == '/')) {
			i += 2;
			if (w > dotdot) {
				/* Drop the last element. */
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			while (i < n && path[i] != '/')
				out[w++] = path[i++];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *kpath_join(const char *a, const char *b)
{
	struct buf j = BUF_INIT;
	char *r;

	if (!*a)
		return kpath_clean(b);
	if (!*b)
		return kpath_clean(a);
	buf_addf(&j, "%s/%s", a, b);
	r = buf_oom(&j) ? NULL : kpath_clean(j.ptr);
	buf_release(&j);
	return r;
}

char *kpath_base(const char *path)
{
	size_t n = strlen(path), s;

	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0)
		return strdup(path[0] == '/' ? "/" : ".");
	s = n;
	while (s > 0 && path[s - 1] != '/')
		s--;
	return strndup(path + s, n - s);
}

char *kpath_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *head, *r;

	if (!slash)
		return strdup(".");
	if (!(head = strndup(path, (size_t)(slash - path) + 1)))
		return NULL;
	r = kpath_clean(head);
	free(head);
	return r;
}

int kpath_has_prefix(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0 || strcmp(path, dir) == 0)
		return 1;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

int kfs_init(struct kfs *fs, const char *fs_root, struct diag *d)
{
	char real[PATH_MAX];

	fs->inmem = fs_root != NULL;
	if (!fs_root) {
		fs->host_root = strdup("");
	} else {
		if (!realpath(fs_root, real))
			return diag_set(d, DIAG_ENOTFOUND, "fs root '%s': %s", fs_root,
					strerror(errno));
		fs->host_root = strdup(strcmp(real, "/") == 0 ? "" : real);
	}
	return fs->host_root ? 0 : diag_set(d, DIAG_ENOMEM, "out of memory");
}

void kfs_release(struct kfs *fs)
{
	free(fs->host_root);
	fs->host_root = NULL;
}

static int host_path(struct buf *out, const struct kfs *fs, const char *path)
{
	buf_reset(out);
	buf_adds(out, fs->host_root);
	buf_adds(out, path);
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

enum kfs_kind kfs_stat(const struct kfs *fs, const char *path)
{
	struct buf hp = BUF_INIT;
	struct stat st;
	enum kfs_kind k = KFS_MISSING;

	if (host_path(&hp, fs, path) == 0 && stat(hp.ptr, &st) == 0)
		k = S_ISDIR(st.st_mode) ? KFS_DIR : KFS_FILE;
	buf_release(&hp);
	return k;
}

int kfs_read(const struct kfs *fs, const char *path, struct buf *out, struct diag *d)
{
	struct buf hp = BUF_INIT;
	char chunk[65536];
	FILE *f = NULL;
	size_t n;
	int error = 0;

	buf_reset(out);
	if ((error = host_path(&hp, fs, path)) < 0)
		goto done;
	switch (kfs_stat(fs, path)) {
	case KFS_MISSING:
		if (fs->inmem)
			error = diag_set(d, DIAG_ENOTFOUND, "'%s' doesn't exist", path);
		else
			error = diag_set(d, DIAG_ENOTFOUND, "open %s: no such file or directory",
					 path);
		goto done;
	case KFS_DIR:
		if (fs->inmem)
			error = diag_set(d, DIAG_ENOTFOUND, "cannot read content from non-file '%s'",
					 path);
		else
			error = diag_set(d, DIAG_ENOTFOUND, "read %s: is a directory", path);
		goto done;
	case KFS_FILE:
		break;
	}
	if (!(f = fopen(hp.ptr, "rb"))) {
		error = diag_set(d, DIAG_ENOTFOUND, "open %s: %s", path, strerror(errno));
		goto done;
	}
	out->max = SRCFILE_MAX_SIZE;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(out, chunk, n) < 0) {
			error = diag_set(d, DIAG_ELIMIT, "'%s' is too large", path);
			goto done;
		}
	if (ferror(f))
		error = diag_set(d, -1, "read %s: %s", path, strerror(errno));
done:
	if (f)
		fclose(f);
	out->max = 0;
	buf_release(&hp);
	return error;
}

/* filesys.CleanedAbs + ConfirmDir. */
/* filepath.EvalSymlinks stops at the first path component that is missing:
 * the prefix of the absolute path abs its lstat error names. */
static void first_missing(struct buf *out, const struct kfs *fs, const char *abs)
{
	size_t len = strlen(abs);

	buf_reset(out);
	for (size_t i = 1; i <= len; i++) {
		if (i < len && abs[i] != '/')
			continue;
		buf_set(out, abs, i);
		if (kfs_stat(fs, out->ptr) == KFS_MISSING)
			return;
	}
	buf_set(out, abs, len);
}

int kfs_confirm_dir(char **out, const struct kfs *fs, const char *path, struct diag *d)
{
	char cwd[PATH_MAX];
	char *abs = NULL;
	enum kfs_kind k;

	*out = NULL;
	if (!*path)
		return diag_set(d, DIAG_EINVALID, "directory path cannot be empty");
	if (path[0] == '/') {
		abs = kpath_clean(path);
	} else if (fs->inmem) {
		abs = kpath_join("/", path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return diag_set(d, -1, "getcwd: %s", strerror(errno));
		abs = kpath_join(cwd, path);
	}
	if (!abs)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	k = kfs_stat(fs, abs);
	if (k == KFS_MISSING) {
		int error;

		if (fs->inmem)
			error = diag_set(d, DIAG_ENOTFOUND, "not a valid directory: '%s' doesn't exist",
					 path);
		else {
			struct buf miss = BUF_INIT;

			first_missing(&miss, fs, abs);
			error = diag_set(d, DIAG_ENOTFOUND,
					 "not a valid directory: evalsymlink failure on '%s' : lstat %s: "
					 "no such file or directory", path, miss.ptr);
			buf_release(&miss);
		}
		free(abs);
		return error;
	}
	if (k == KFS_FILE) {
		free(abs);
		return diag_set(d, DIAG_EINVALID, "'%s': file is not directory", path);
	}
	if (!fs->inmem) {
		/* kustomize resolves symlinks in a root (filepath.EvalSymlinks). */
		char real[PATH_MAX];

		if (realpath(abs, real)) {
			free(abs);
			if (!(abs = strdup(real)))
				return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
	}
	*out = abs;
	return 0;
}

void kldr_release(struct kldr *l)
{
	free(l->root);
	l->root = NULL;
}

int kldr_is_remote(const char *path)
{
	static const char *const prefixes[] = {
		"http://", "https://", "git@", "git::", "ssh://", "github.com/", "gitlab.com/",
		"bitbucket.org/", "file://",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return strstr(path, "?ref=") != NULL || strstr(path, "?version=") != NULL ||
	       strstr(path, "?submodules=") != NULL;
}

/* On disk, kustomize judges a file by where its symlinks lead (EvalSymlinks):
 * replaces *dir by the real directory of path. 0 on ENOMEM. */
static int resolve_dir(char **dir, const char *path)
{
	char real[PATH_MAX];
	char *rd;

	if (!realpath(path, real))
		return 1; /* keep the lexical directory */
	if (!(rd = kpath_dir(real)))
		return 0;
	free(*dir);
	*dir = rd;
	return 1;
}

int kldr_load(const struct kldr *l, const char *path, struct buf *out, struct diag *d)
{
	char *abs = NULL, *dir = NULL;
	enum kfs_kind k;
	int error = 0;

	if (kldr_is_remote(path) && (strncmp(path, "http://", 7) == 0 ||
				     strncmp(path, "https://", 8) == 0))
		return diag_set(d, DIAG_EINVALID,
				"hydrate does not load remote files: '%s'", path);
	abs = path[0] == '/' ? kpath_clean(path) : kpath_join(l->root, path);
	if (!abs)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if (l->restrictor == KUSTOMIZE_LOAD_ROOT_ONLY) {
		/* RestrictionRootOnly: the path (joined, uncleaned in messages) must be a file
		 * in or below the root. */
		struct buf shown = BUF_INIT;

		buf_adds(&shown, path[0] == '/' ? path : abs);
		k = kfs_stat(l->fs, abs);
		if (k == KFS_MISSING) {
			if (l->fs->inmem)
				error = diag_set(d, DIAG_ENOTFOUND, "'%s' doesn't exist", shown.ptr);
			else {
				struct buf miss = BUF_INIT;

				first_missing(&miss, l->fs, abs);
				error = diag_set(d, DIAG_ENOTFOUND,
						 "evalsymlink failure on '%s' : lstat %s: no such file "
						 "or directory", shown.ptr, miss.ptr);
				buf_release(&miss);
			}
		} else if (k == KFS_DIR) {
			error = diag_set(d, DIAG_EINVALID, "'%s' must resolve to a file", shown.ptr);
		} else if (!(dir = kpath_dir(abs))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		} else if (!l->fs->inmem && !resolve_dir(&dir, abs)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		} else if (!kpath_has_prefix(dir, l->root)) {
			error = diag_set(d, DIAG_EINVALID, "security; file '%s' is not in or below '%s'",
					 shown.ptr, l->root);
		}
		buf_release(&shown);
		if (error < 0)
			goto done;
	}
	error = kfs_read(l->fs, abs, out, d);
done:
	free(abs);
	free(dir);
	return error;
}

static int has_ambiguous_segment(const char *path)
{
	const char *p = path;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n > 0 && !(n == 1 && p[0] == '.') && !(n == 2 && p[0] == '.' && p[1] == '.')) {
			for (size_t i = 0; i + 1 < n; i++)
				if (p[i] == '.' && p[i + 1] == '.')
					return 1;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

int kldr_new(struct kldr *out, const struct kldr *parent, const char *path, struct diag *d)
{
	char *joined = NULL, *root = NULL, *clean = NULL;
	int error = 0;

	out->root = NULL;
	if (!*path)
		return diag_set(d, DIAG_EINVALID, "new root cannot be empty");
	if (kldr_is_remote(path))
		return diag_set(d, DIAG_EINVALID,
				"hydrate does not fetch remote bases: '%s'", path);
	if (path[0] == '/')
		return diag_set(d, DIAG_EINVALID, "new root '%s' cannot be absolute", path);
	if (has_ambiguous_segment(path)) {
		clean = kpath_clean(path);
		error = diag_set(d, DIAG_EINVALID,
				 "path \"%s\" is ambiguous: resolves to \"%s\" after normalization, "
				 "which is likely not the intended target; check for YAML "
				 "indentation errors in your kustomization file",
				 path, clean ? clean : path);
		goto done;
	}
	if (!(joined = kpath_join(parent->root, path))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = kfs_confirm_dir(&root, parent->fs, joined, d)) < 0) {
		if (error == DIAG_EINVALID) {
			/* ConfirmDir names the path as given to it: the joined one. */
			diag_set(d, error, "'%s': file is not directory", joined);
		}
		diag_prefix(d, "must build at directory");
		goto done;
	}
	for (const struct kldr *l = parent; l; l = l->referrer) {
		if (kpath_has_prefix(l->root, root)) {
			error = diag_set(d, DIAG_EINVALID,
					 "cycle detected: candidate root '%s' contains visited root '%s'",
					 root, l->root);
			goto done;
		}
	}
	out->root = root;
	root = NULL;
	out->referrer = parent;
	out->fs = parent->fs;
	out->restrictor = parent->restrictor;
done:
	free(joined);
	free(root);
	free(clean);
	return error;
}
