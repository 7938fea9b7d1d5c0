/*
 * gitops/watch: waiting for saves to the inputs of a plan (Linux inotify),
 * and the map from a changed path to the jobs that read it, for
 * `hydrate watch` (docs/watch.md).
 *
 * A watched path ("root") is a file or a directory. Every root is watched
 * through its parent directory, for its own name only, so that an editor
 * that saves by writing a new file and renaming it over the old one (the
 * old inode, and any watch on it, is gone) is seen, and so is a root that
 * does not exist yet (an optional .env file) when it appears. A directory
 * root is also watched recursively: subdirectories created (or moved in)
 * later are added as they appear, and the files found in them are reported
 * as changed. Symbolic links inside a watched directory are reported when
 * they change but never followed.
 *
 * Events that count as a change: IN_CLOSE_WRITE, IN_CREATE, IN_MOVED_TO,
 * IN_MOVED_FROM, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF. IN_MODIFY alone
 * does not (a save ends with IN_CLOSE_WRITE), so a half-written file is not
 * rendered. After the first change, watch_wait keeps reading until no event
 * came for debounce_ms (but returns at the latest after max_delay_ms), so
 * that a save that touches several files (write, rename, chmod) is one
 * batch. After every batch, roots that disappeared are watched again if
 * they exist again.
 *
 * Paths are compared after watch_path_normalize: absolute (against the
 * current directory at the time of the call) and lexically cleaned. They
 * are not resolved through symbolic links.
 *
 * Ownership: a struct watch owns its inotify descriptor, its paths and its
 * records; watch_free closes and frees them. A struct watch_changes and a
 * struct watch_map own their strings. Not thread-safe: one thread uses a
 * struct watch.
 *
 * Errors: DIAG_ENOMEM; DIAG_ELIMIT when the kernel refuses more watches
 * (fs.inotify.max_user_watches) or a directory tree is deeper than 64;
 * DIAG_EGENERIC for other system call failures (the message names the call
 * and the path).
 */
#ifndef HYDRATE_GITOPS_WATCH_H
#define HYDRATE_GITOPS_WATCH_H

#include <stddef.h>

struct buf;
struct config_list;
struct diag;

struct watch;

struct watch_opts {
	unsigned debounce_ms;   /* quiet time that ends a batch; 0: 10 ms */
	unsigned max_delay_ms;  /* a batch ends at the latest this long after its
				   first event; 0: 500 ms */
};

/* Opens an inotify instance. opts may be NULL (the defaults). *out is new;
 * free it with watch_free. */
int watch_new(struct watch **out, const struct watch_opts *opts, struct diag *d);
/* Closes the descriptor and frees everything; NULL is fine. */
void watch_free(struct watch *w);

/* Watches path (a file or a directory, existing or not; see above). A path
 * already watched is not added twice. A missing parent directory is not an
 * error: the root is retried after each batch. */
int watch_add(struct watch *w, const char *path, struct diag *d);

/* The number of kernel watches held (directories), for tests and logs. */
size_t watch_count(const struct watch *w);

struct watch_changes {
	char **paths;    /* normalized, sorted bytewise, unique; owned */
	size_t n, alloc;
	int overflow;    /* the kernel dropped events: treat everything as changed */
	int woken;       /* wake_fd became readable: the caller should stop */
	long long first_us; /* when the batch's first event was read
			       (CLOCK_MONOTONIC, microseconds; watch_now_us) */
};

#define WATCH_CHANGES_INIT { NULL, 0, 0, 0, 0, 0 }

/* CLOCK_MONOTONIC in microseconds. */
long long watch_now_us(void);

void watch_changes_release(struct watch_changes *c);

/*
 * Waits up to timeout_ms (negative: without end) for a change, then
 * debounces, and sets *out (released first) to the batch. A timeout gives
 * 0 with out->n == 0. When wake_fd (>= 0; -1 for none) becomes readable,
 * returns at once with out->woken set (a self-pipe written by a signal
 * handler); wake_fd is not read. An interrupted poll (EINTR) returns 0 with
 * nothing set, so that the caller can check its signal flags.
 */
int watch_wait(struct watch *w, struct watch_changes *out, int timeout_ms, int wake_fd,
	       struct diag *d);

/*
 * Writes into out (reset first) path made absolute against the current
 * directory, with empty and "." components dropped and ".." applied
 * lexically ("/.." is "/"). Returns 0, DIAG_ENOMEM, or DIAG_EGENERIC when
 * the current directory cannot be read.
 */
int watch_path_normalize(struct buf *out, const char *path, struct diag *d);

/* True if path is inside dir or is dir itself (both normalized). */
int watch_path_within(const char *path, const char *dir);

/* ---- which jobs read a path ---- */

struct watch_map_entry {
	char *path;      /* normalized; owned */
	size_t job;
};

struct watch_map {
	struct watch_map_entry *entries;
	size_t n, alloc;
};

#define WATCH_MAP_INIT { NULL, 0, 0 }

/* Records that job reads path (a file, or a directory and all below it). */
int watch_map_add(struct watch_map *m, const char *path, size_t job, struct diag *d);
void watch_map_release(struct watch_map *m);

struct plan;

/*
 * Records in m every input of every job of p (plan_job_inputs), under the
 * job's index in p, and, when w is not NULL, puts each under watch. Built
 * from a plan with --app/--env/--shard filters, it holds only that share:
 * a save to an input of another job marks nothing and is not watched at
 * all unless one of p's jobs reads it too.
 */
int watch_add_plan(struct watch *w, struct watch_map *m, const struct plan *p,
		   struct diag *d);

/*
 * Sets mark[job] = 1 for every job of m with an input that contains
 * changed or that changed contains (a directory removed or renamed as a
 * whole); jobs >= njobs are skipped. Returns how many marks were newly set.
 */
size_t watch_map_mark(const struct watch_map *m, const char *changed, unsigned char *mark,
		      size_t njobs);

/* ---- inputs a plan does not list ---- */

/*
 * A Kustomize overlay reads other kustomizations (`resources`, `bases`,
 * `components` entries that are directories, usually ../../base) and, with
 * LoadRestrictionsNone, files outside its directory. Appends to *out (as
 * new strings, normalized, each once, dir itself not included) every local
 * path named there that exists, following directories transitively (to a
 * depth of 32). Remote resources (URLs) are skipped; a missing or malformed
 * kustomization is skipped too (the render reports it). DIAG_ENOMEM only.
 */
int watch_kustomize_inputs(struct config_list *out, const char *dir, struct diag *d);

#endif
