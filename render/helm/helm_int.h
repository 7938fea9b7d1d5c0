/*
 * Internals shared by the files of render/helm (not for other modules).
 */
#ifndef HYDRATE_HELM_INT_H
#define HYDRATE_HELM_INT_H

#include <stddef.h>

struct buf;
struct diag;

/*
 * go-yaml's error text for a libyaml failure that render/yaml.c reported as
 * "NAME:LINE:COL: PROBLEM[ (CONTEXT at L:C)]": "line N: PROBLEM", where N is
 * the 0-based problem line (+1 for scanner errors), else the context line.
 * A message of another shape is appended unchanged.
 */
void helm__go_yaml_error(struct buf *out, const char *msg, const char *name);

/*
 * Go's os.Expand(s, lookup) appended to out: $NAME, ${NAME} and the shell's
 * special one-character names ($1, ${#}, ...) replaced by lookup's value
 * (NULL: nothing), bad syntax eaten as Go eats it, a lone '$' kept. s has n
 * bytes. 0, or -1 when out ran out of memory.
 */
int helm__os_expand(struct buf *out, const char *s, size_t n,
		    const char *(*lookup)(const char *name, void *arg), void *arg);

/*
 * Rewrites d's message (a render/yaml.c parse error of file name) as Helm
 * prints a sigs.k8s.io/yaml failure: prefix + "error converting YAML to
 * JSON: yaml: line N: ..." or, for a document of the wrong kind, prefix +
 * "error unmarshaling JSON: while decoding JSON: json: ...". Returns code.
 */
int helm__yaml_diag(struct diag *d, int code, const char *name, const char *prefix);

/*
 * Whether Helm would download path rather than read it (readFile /
 * LocateChart: a URL whose scheme has a getter: http, https, oci, compared
 * without case as url.Parse lowers it). 1 or 0.
 */
int helm__is_remote(const char *path);

/* readFile's path to open: "-" (stdin) for any path that is "-" with blanks
 * around it (strings.TrimSpace), else path itself. Borrowed. */
const char *helm__read_path(const char *path);

/*
 * Appends one line of Go's slog TextHandler (what Helm's default logger
 * prints on stderr): level=LEVEL msg=MSG K1=V1 ..., each value quoted as
 * strconv.Quote when slog would (empty, spaces, '=', '"', controls). kv
 * holds nkv keys and values, alternating. Nothing when log is NULL.
 */
void helm__log(struct buf *log, const char *level, const char *msg, const char *const *kv,
	       size_t nkv);

#endif
