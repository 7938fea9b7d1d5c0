/*
 * gitops/git: the GitOps repository through libgit2, never checked out.
 *
 * A struct repo_cache is a bare repository under a cache directory, one per
 * remote URL (named by a hash of the URL without its userinfo), created on
 * first use, with the remote configured as "origin". repo_fetch brings one
 * branch into a private ref namespace (refs/hydrate/heads/<branch>); the
 * readers then work on object ids, so a later fetch never changes what an
 * earlier read saw. repo_commit_tree writes blobs straight into the object
 * database and builds a commit; repo_push sends it; repo_commit_push runs
 * the fetch-rebuild-push loop a moving branch needs.
 *
 * Threads: libgit2 is initialised once per process (pthread_once) and never
 * shut down. A struct repo_cache holds a mutex that every operation on it
 * takes, so threads may share one cache object; its operations then run one
 * at a time. For reads in parallel, open one cache object per thread for the
 * same URL and cache_dir: they share the directory (objects are
 * content-addressed, ref updates take git's lock files, and a fetch that
 * finds its ref locked by another retries for about a second).
 * repo_cache_open and repo_cache_free need no lock; free a cache only when
 * no thread uses it.
 *
 * Secrets: a token never reaches a diag, a config file or a ref name. The
 * URL's userinfo is stripped before the remote is configured (and is used
 * as the credential instead), and every libgit2 error text is passed through
 * repo_redact before it is copied into a diag.
 *
 * Errors (negative enum diag_code, details in the nullable diag):
 * DIAG_ENET (cannot connect, TLS, transport, a timeout), DIAG_EAUTH
 * (credentials missing or refused), REPO_ENOREPO (the remote has no such
 * repository), DIAG_ENOTFOUND (branch, tag, commit, path or object missing
 * in a repository that exists), DIAG_ECONFLICT (push rejected: the branch
 * moved), DIAG_EINVALID (a bad argument: branch, revision or path name),
 * DIAG_EGENERIC (other libgit2 failures). Messages name the operation and
 * the remote (redacted).
 *
 * Timeouts: every TCP connection libgit2 opens (git://, http://, https://
 * under TLS, ssh://) goes through a socket stream of ours, registered with
 * libgit2 once per process, that bounds connecting and every wait for the
 * server to send or accept bytes (repo_set_timeouts). ssh:// gets the
 * connect timeout only: libssh2 reads the socket itself. Name resolution
 * (getaddrinfo) is not bounded. A timeout fails the operation with
 * DIAG_ENET and a message that says "timed out".
 */
#ifndef HYDRATE_GITOPS_GIT_H
#define HYDRATE_GITOPS_GIT_H

#include <stddef.h>

#include "render/buf.h"
#include "render/diag.h"

/*
 * gitops/git's one code beyond enum diag_code (render/diag.h), in the same
 * negative space and clear of it: the remote (a URL or a local path) has no
 * repository at all. Distinct from DIAG_ENOTFOUND, which says the
 * repository is there but the branch, tag or commit is not.
 */
enum repo_error_code {
	REPO_ENOREPO = -32
};

/* The timeouts used when nothing else is set: seconds. */
#define REPO_CONNECT_TIMEOUT_DEFAULT 30
#define REPO_IDLE_TIMEOUT_DEFAULT 60

/*
 * Sets the process-wide network timeouts in milliseconds: connect_ms bounds
 * opening a TCP connection (all addresses of the host together), idle_ms
 * every single wait for the server (a read that gets no byte, a write that
 * cannot send one). 0 means no limit; a negative value unsets the setting,
 * and the environment then rules: $HYDRATE_GIT_CONNECT_TIMEOUT and
 * $HYDRATE_GIT_TIMEOUT, in seconds (a decimal fraction is fine, 0: no
 * limit), else REPO_CONNECT_TIMEOUT_DEFAULT and REPO_IDLE_TIMEOUT_DEFAULT.
 * Read when a connection opens; call it before starting threads.
 */
void repo_set_timeouts(int connect_ms, int idle_ms);
/* The timeouts a connection opened now would use, in milliseconds. */
void repo_get_timeouts(int *connect_ms_out, int *idle_ms_out);

/* An object id (SHA-1: libgit2 1.5 knows no other). */
struct repo_oid {
	unsigned char id[20];
};

#define REPO_OID_HEXSZ 40

/* Writes 40 lowercase hex digits and a NUL into out. */
void repo_oid_fmt(char out[REPO_OID_HEXSZ + 1], const struct repo_oid *oid);
/* Parses 40 hex digits; DIAG_EINVALID otherwise. */
int repo_oid_parse(struct repo_oid *out, const char *hex);
int repo_oid_equal(const struct repo_oid *a, const struct repo_oid *b);

/*
 * How to authenticate. Every field may be NULL/0; the struct is copied by
 * repo_cache_open (strings too), so it need not outlive the call.
 *
 * HTTPS: the password is token, else the URL's password, else the first of
 * $HYDRATE_TOKEN, $GITHUB_TOKEN, $GITLAB_TOKEN, $GITEA_TOKEN that is set.
 * The user name is username, else the URL's user name, else
 * $HYDRATE_USERNAME, else the convention of the forge the token came
 * from: "x-access-token" (GitHub, and HYDRATE_TOKEN), "oauth2" (GitLab),
 * "hydrate" (Gitea accepts any user name with a token as password).
 * A credential is offered once; if the server refuses it, the operation
 * fails with DIAG_EAUTH instead of asking again.
 *
 * SSH: the key pair ssh_key (private) / ssh_pubkey (may be NULL) with
 * ssh_passphrase, else ssh-agent. The user name is the URL's, else "git".
 *
 * TLS certificates are verified unless insecure_skip_tls_verify is set.
 */
struct repo_auth {
	const char *username;
	const char *token;
	const char *ssh_key;
	const char *ssh_pubkey;
	const char *ssh_passphrase;
	int insecure_skip_tls_verify;
};

struct repo_cache;

/*
 * Opens (creating on first use) the bare cache for url_or_path under
 * cache_dir (created if missing). url_or_path is an https://, http://,
 * ssh://, git:// or file:// URL, scp-like user@host:path, or a local path
 * (made absolute). auth may be NULL (environment only). On success *out is
 * new; free it with repo_cache_free.
 */
int repo_cache_open(struct repo_cache **out, const char *url_or_path,
		    const char *cache_dir, const struct repo_auth *auth,
		    struct diag *d);
/* NULL is fine. */
void repo_cache_free(struct repo_cache *cache);
/* The cache's git directory (borrowed from cache). */
const char *repo_cache_path(const struct repo_cache *cache);
/* The remote URL with any userinfo removed (borrowed from cache). */
const char *repo_cache_url(const struct repo_cache *cache);

/*
 * Fetches only refs/heads/<branch> (all of its history: libgit2 1.5 has no
 * shallow fetch) into refs/hydrate/heads/<branch> and sets *out to its
 * commit. DIAG_ENOTFOUND if the remote has no such branch (the private ref
 * is then deleted too); REPO_ENOREPO if there is no repository.
 */
int repo_fetch(struct repo_oid *out, struct repo_cache *cache,
	       const char *branch, struct diag *d);

enum repo_rev_kind {
	REPO_REV_BRANCH = 1, /* refs/heads/... */
	REPO_REV_TAG = 2,    /* refs/tags/... */
	REPO_REV_REF = 3,    /* HEAD or another ref the remote advertises */
	REPO_REV_COMMIT = 4  /* a commit id, full or abbreviated */
};

/*
 * Resolves rev as `git rev-parse rev^{commit}` would in the remote, as far
 * as a fetch can see it, fetches it and sets *out to the commit:
 *  - 40 hex digits: that object;
 *  - else the first ref the remote advertises among rev itself (HEAD or a
 *    full name such as refs/heads/main), refs/<rev>, refs/tags/<rev>,
 *    refs/heads/<rev>, refs/remotes/<rev>, refs/remotes/<rev>/HEAD (git's
 *    order: a tag wins over a branch of the same name); only that ref is
 *    fetched, into refs/hydrate/ (branches as repo_fetch does);
 *  - else 4 to 39 hex digits: the object they abbreviate.
 * For an object id every branch and tag is fetched (into refs/hydrate/heads
 * and refs/hydrate/tags), and the commit must be reachable from one of
 * them: a server hands out nothing else. Tags are peeled to their commit.
 * *kind_out (nullable) says how rev was read.
 * DIAG_ENOTFOUND if rev names nothing there (or no commit: a tag of a tree),
 * REPO_ENOREPO if the repository is missing, DIAG_EINVALID if rev is empty,
 * not a valid name, or an ambiguous abbreviation.
 */
int repo_fetch_rev(struct repo_oid *out, enum repo_rev_kind *kind_out,
		   struct repo_cache *cache, const char *rev, struct diag *d);

enum repo_file_kind {
	REPO_FILE_BLOB = 0,       /* data: the bytes */
	REPO_FILE_EXECUTABLE = 1, /* a blob with mode 100755; data: the bytes */
	REPO_FILE_SYMLINK = 2,    /* not followed; data: the link target */
	REPO_FILE_SUBMODULE = 3   /* not followed; data: the commit id in hex */
};

struct repo_file {
	char *path; /* full path in the repository, '/'-separated */
	char *data; /* NUL-terminated for convenience; may hold NULs */
	size_t len;
	enum repo_file_kind kind;
};

/* A list of files, sorted by path (bytewise) when returned by a reader. */
struct repo_files {
	struct repo_file *v;
	size_t n, alloc;
};

#define REPO_FILES_INIT { NULL, 0, 0 }

/* Appends a copy of path and data (the list owns both). */
int repo_files_add(struct repo_files *files, const char *path,
		   const void *data, size_t len, enum repo_file_kind kind);
/* Sorts by path, bytewise. */
void repo_files_sort(struct repo_files *files);
/* Binary search in a sorted list; borrowed from files, NULL if absent. */
const struct repo_file *repo_files_find(const struct repo_files *files,
					const char *path);
/* Frees every entry; the list is REPO_FILES_INIT afterwards. NULL is fine. */
void repo_files_release(struct repo_files *files);

/*
 * Every entry under prefix ("" or NULL: the whole tree; a file's path: that
 * file alone) in the tree of commit oid, appended to *out (which the caller
 * initialised and owns) and sorted. A missing prefix gives no entries and
 * returns 0. Trees are walked; symlinks and submodules are listed as such.
 */
int repo_read_tree(struct repo_files *out, struct repo_cache *cache,
		   const struct repo_oid *oid, const char *prefix,
		   struct diag *d);
/* The bytes of the blob at path in commit oid, appended to out.
 * DIAG_ENOTFOUND if absent, DIAG_EINVALID if path is a directory or
 * submodule (a symlink gives its target). */
int repo_read_file(struct buf *out, struct repo_cache *cache,
		   const struct repo_oid *oid, const char *path, struct diag *d);

struct repo_signature {
	const char *name;
	const char *email;
	long long when;  /* seconds since the epoch; 0: now */
	int offset;      /* minutes east of UTC */
};

/*
 * Builds a commit on parent (NULL: a root commit on an empty tree) whose
 * tree is parent's with every managed path replaced: whatever parent held
 * under a managed path (a directory, or a single file) is removed, then
 * every entry of files is written. Paths outside the managed paths are kept
 * as they were. Each file must lie under a managed path (DIAG_EINVALID
 * otherwise), and paths must be relative and clean (no "", ".", "..",
 * ".git" components, no leading, trailing or doubled '/').
 * Author and committer are author. If the new tree equals parent's, no
 * commit is made and *out = *parent. The commit is in the cache's object
 * database only; no ref moves.
 */
int repo_commit_tree(struct repo_oid *out, struct repo_cache *cache,
		     const struct repo_oid *parent,
		     const char *const *managed_paths, size_t n_managed,
		     const struct repo_files *files, const char *message,
		     const struct repo_signature *author, struct diag *d);

/*
 * Pushes commit oid to refs/heads/<branch> (never forced). DIAG_ECONFLICT
 * if the remote refused it because the branch is not an ancestor of oid
 * any more (it moved since the fetch).
 */
int repo_push(struct repo_cache *cache, const char *branch,
	      const struct repo_oid *oid, struct diag *d);

/*
 * Fetches branch, builds the commit with repo_commit_tree on its head and
 * pushes it; on DIAG_ECONFLICT fetches again and rebuilds, up to
 * max_attempts times in all (0: 5). *out is the commit pushed, or the head
 * when nothing changed (then nothing is pushed). *attempts_out (nullable)
 * counts the pushes tried.
 */
int repo_commit_push(struct repo_oid *out, int *attempts_out,
		     struct repo_cache *cache, const char *branch,
		     const char *const *managed_paths, size_t n_managed,
		     const struct repo_files *files, const char *message,
		     const struct repo_signature *author, int max_attempts,
		     struct diag *d);

/*
 * Copies text into out with secrets removed: the userinfo of every
 * "scheme://user:pass@" (or "scheme://token@") becomes "***@", and every
 * occurrence of each of the n secrets (NULL or shorter than 4 bytes are
 * skipped) becomes "***". Used on every libgit2 message; exported for tests.
 */
int repo_redact(struct buf *out, const char *text, const char *const *secrets,
		size_t n);

#endif
