/*
 * From rendered files to what `helm template` prints: Helm v4.1.4
 * pkg/release/v1/util (manifest.go SplitManifests, manifest_sorter.go
 * SortManifests, kind_sorter.go InstallOrder), pkg/action/action.go
 * renderResources and pkg/cmd/template.go. See engine.h.
 */
#include "render/diag.h"
#include "render/goscalar.h"
#include "render/helm/chart.h"
#include "render/helm/engine.h"
#include "render/helm/helm_int.h"
#include "render/srcfile.h"
#include "render/tmpl/tmpl.h"
#include "render/yaml.h"
#include "render/yscan.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static const char *const S_install_order[] = {
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
};

int helm_kind_order(const char *kind)
{
	for (size_t i = 0; i < sizeof(S_install_order) / sizeof(S_install_order[0]); i++)
		if (strcmp(S_install_order[i], kind) == 0)
			return (int)i;
	return -1;
}

static const char *const S_hook_events[] = {
	"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
	"post-upgrade", "pre-rollback", "post-rollback", "test", "test-success",
};

struct mdoc {
	const char *path;   /* borrowed file name */
	const char *text;   /* borrowed, len bytes */
	size_t len;
	char *kind;         /* owned */
	int order;          /* helm_kind_order */
	int is_test;
	size_t seq;
};

struct mdocs {
	struct mdoc *v;
	size_t n, cap;
};

/* unicode.IsSpace at s (len n > 0): width of the space, or 0. */
static size_t S_space(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
		return 1;
	if (c == 0xC2 && n > 1 && ((unsigned char)s[1] == 0x85 || (unsigned char)s[1] == 0xA0))
		return 2;
	return 0;
}

/* strings.TrimSpace (ASCII and Latin-1 spaces). */
static void S_trim(const char **s, size_t *n)
{
	size_t w;

	while (*n && (w = S_space(*s, *n)) != 0) {
		*s += w;
		*n -= w;
	}
	for (;;) {
		if (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
			   (*s)[*n - 1] == '\v' || (*s)[*n - 1] == '\f' || (*s)[*n - 1] == '\r')) {
			(*n)--;
		} else if (*n >= 2 && (unsigned char)(*s)[*n - 2] == 0xC2 &&
			   ((unsigned char)(*s)[*n - 1] == 0x85 || (unsigned char)(*s)[*n - 1] == 0xA0)) {
			*n -= 2;
		} else {
			break;
		}
	}
}

/* RE2's \s: [\t\n\f\r ] */
static int S_re_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int S_add_doc(struct mdocs *docs, const char *path, const char *s, size_t n)
{
	struct mdoc *m;

	S_trim(&s, &n);
	if (n == 0)
		return 0;
	if (docs->n == docs->cap) {
		size_t cap = docs->cap ? docs->cap * 2 : 32;
		struct mdoc *nv = realloc(docs->v, cap * sizeof(*nv));
		if (!nv)
			return DIAG_ENOMEM;
		docs->v = nv;
		docs->cap = cap;
	}
	m = &docs->v[docs->n++];
	memset(m, 0, sizeof(*m));
	m->path = path;
	m->text = s;
	m->len = n;
	m->seq = docs->n;
	return 0;
}

/* SplitManifests: split on (?:^|\s*\n)---\s* after TrimSpace. A
 * separator is a newline followed by "---" (found with memchr), together
 * with the run of \s before it and the \s after it; the search goes on
 * after that trailing \s, where the previous match ended. */
static int S_split(struct mdocs *docs, const char *path, const char *s, size_t n)
{
	size_t start = 0, cur;
	int error;

	S_trim(&s, &n);
	if (n >= 3 && memcmp(s, "---", 3) == 0) {
		start = 3;
		while (start < n && S_re_space(s[start]))
			start++;
	}
	/* s[start] is not \s (TrimSpace, or the \s* just passed) */
	cur = start;
	while (cur < n) {
		const char *nl = memchr(s + cur, '\n', n - cur);
		size_t q, k, j;

		if (!nl)
			break;
		q = (size_t)(nl - s);
		if (q + 4 > n || memcmp(s + q + 1, "---", 3) != 0) {
			cur = q + 1;
			continue;
		}
		k = q;
		while (k > start && S_re_space(s[k - 1]))
			k--;
		if ((error = S_add_doc(docs, path, s + start, k - start)) < 0)
			return error;
		j = q + 4;
		while (j < n && S_re_space(s[j]))
			j++;
		start = cur = j;
	}
	return S_add_doc(docs, path, s + start, n - start);
}

static const char *S_json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "null";
	}
}

/* Appends a slog TextHandler line: level=L msg="M" KEY=VALUE (quoted when needed). */
static void S_log(struct buf *log, const char *level, const char *msg, const char *key,
		  const char *value)
{
	int quote = !*value;

	if (!log)
		return;
	for (const char *p = value; *p; p++)
		if (*p == ' ' || *p == '=' || *p == '"' || (unsigned char)*p < 0x20 ||
		    (unsigned char)*p >= 0x7f)
			quote = 1;
	buf_addf(log, "level=%s msg=\"%s\" %s=", level, msg, key);
	if (quote)
		tmpl_quote(log, value, strlen(value));
	else
		buf_adds(log, value);
	buf_addch(log, '\n');
}

/*
 * The SimpleHead of a document from libyaml's events alone, without the
 * value tree: the top-level kind, and metadata.annotations["helm.sh/hook"],
 * each the last of its key as yaml.v2 into a map keeps it. Everything
 * else is only passed over. Whenever the full reading (S_head) could end
 * differently, with an error or a value this scan does not follow, it
 * gives up and S_head runs: a root that is not a mapping, a second
 * document, anchors, aliases, tags, "<<", a key that is not a string, a
 * NaN or infinite number (JSON refuses them), "\/" (go-yaml refuses it),
 * UTF-16, deep nesting, very many nodes, and of course any syntax error.
 * Returns 1 with *kind_out and *hook_out (strings, owned, or NULL) set,
 * 0 to fall back, DIAG_ENOMEM.
 */
enum { HS_MAX_DEPTH = 500, HS_MAX_EVENTS = 1000000 };

/* the role of a mapping in the head, and of the key just read in it */
enum hs_role { HS_NONE, HS_ROOT, HS_META, HS_ANN };
enum hs_key { HK_OTHER, HK_KIND, HK_META, HK_ANN, HK_HOOK, HK_API, HK_NAME, HK_ANNVAL };

struct hs_level {
	unsigned char is_map, want_key, role, key;
};

/* What a plain scalar is for go-yaml v2, as render/yaml.c asks: -1 for
 * what only S_head may read (NaN, infinities). *is_str, *is_null. */
static int S_hs_plain(int *is_str, int *is_null, const char *s, size_t len)
{
	struct goscalar g;

	*is_str = 1;
	*is_null = 0;
	if (len > 5 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return 0;
	if (goscalar_resolve(&g, s, len, 0) < 0)
		return DIAG_ENOMEM;
	if (g.kind == GOSCALAR_FLOAT && (isnan(g.f) || isinf(g.f)))
		return -1;
	*is_str = g.kind == GOSCALAR_STR || g.kind == GOSCALAR_TIMESTAMP;
	*is_null = g.kind == GOSCALAR_NULL;
	return 0;
}

/* Go's strings.EqualFold for ASCII names against word (lower case). */
static int S_fold_eq(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n && word[i]; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != word[i])
			return 0;
	return i == n && !word[i];
}

/* A backslash followed by '/' anywhere in the text. */
static int S_has_slash_escape(const char *s, size_t n)
{
	const char *end = s + n;

	while (s < end && (s = memchr(s, '\\', (size_t)(end - s))) != NULL) {
		if (s + 1 < end && s[1] == '/')
			return 1;
		s++;
	}
	return 0;
}

/* S_head_scan_with's answer when yscan left its subset: scan with libyaml. */
#define HS_RETRY 2

static int S_head_scan_with(char **kind_out, char **hook_out, const char *text, size_t len,
			    int fast)
{
	yaml_parser_t parser;
	struct yscan sc;
	yaml_event_t ev;
	struct hs_level lv[HS_MAX_DEPTH];
	size_t depth = 0, nevents = 0, ndocs = 0;
	char *kind = NULL, *hook = NULL;
	int rc = 0, have_ev = 0;

	*kind_out = *hook_out = NULL;
	if (len >= SRCFILE_MAX_SIZE || (len >= 2 && ((unsigned char)text[0] == 0xFF ||
						     (unsigned char)text[0] == 0xFE)) ||
	    S_has_slash_escape(text, len))
		return 0;
	if (fast) {
		if (yscan_init(&sc, text, len) == YSCAN_BAIL) {
			yscan_release(&sc);
			return HS_RETRY;
		}
	} else {
		if (!yaml_parser_initialize(&parser))
			return DIAG_ENOMEM;
		yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	}
	for (;;) {
		struct hs_level *up = depth ? &lv[depth - 1] : NULL;
		int as_key, is_str = 1, is_null = 0, r;
		const char *s;
		size_t n;

		if (have_ev)
			yaml_event_delete(&ev);
		have_ev = 0;
		if (fast) {
			/* yscan's events are borrowed: never deleted */
			if (yscan_next(&sc, &ev) == YSCAN_BAIL) {
				rc = HS_RETRY;
				goto out;
			}
		} else {
			if (!yaml_parser_parse(&parser, &ev))
				goto out; /* S_head reports it */
			have_ev = 1;
		}
		if (++nevents > HS_MAX_EVENTS)
			goto out;
		as_key = up && up->is_map && up->want_key;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			continue;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1)
				goto out;
			continue;
		case YAML_STREAM_END_EVENT:
			if (ndocs != 1)
				goto out;
			*kind_out = kind;
			*hook_out = hook;
			kind = hook = NULL;
			rc = 1;
			goto out;
		case YAML_ALIAS_EVENT:
			goto out;
		case YAML_SCALAR_EVENT:
			if (!up || ev.data.scalar.anchor || ev.data.scalar.tag)
				goto out;
			s = (const char *)ev.data.scalar.value;
			n = ev.data.scalar.length;
			if (ev.data.scalar.plain_implicit) {
				if (as_key && n == 2 && memcmp(s, "<<", 2) == 0)
					goto out;
				if ((r = S_hs_plain(&is_str, &is_null, s, n)) < 0) {
					if (r == DIAG_ENOMEM)
						rc = r;
					goto out;
				}
			} else if (!ev.data.scalar.quoted_implicit) {
				goto out;
			}
			if (as_key) {
				if (!is_str || memchr(s, '\0', n))
					goto out;
				up->key = HK_OTHER;
				/* SimpleHead's fields, matched as encoding/json matches
				 * them: another spelling of one is left to S_head */
				if ((up->role == HS_ROOT && (S_fold_eq(s, n, "kind") ||
							     S_fold_eq(s, n, "apiversion") ||
							     S_fold_eq(s, n, "metadata")) &&
				     memcmp(s, n == 4 ? "kind" : n == 8 ? "metadata" : "apiVersion",
					    n) != 0) ||
				    (up->role == HS_META && (S_fold_eq(s, n, "name") ||
							     S_fold_eq(s, n, "annotations")) &&
				     memcmp(s, n == 4 ? "name" : "annotations", n) != 0))
					goto out;
				if (up->role == HS_ROOT && n == 10 && memcmp(s, "apiVersion", 10) == 0)
					up->key = HK_API;
				else if (up->role == HS_META && n == 4 && memcmp(s, "name", 4) == 0)
					up->key = HK_NAME;
				else if (up->role == HS_ANN)
					up->key = HK_ANNVAL;
				if (up->role == HS_ROOT && n == 4 && memcmp(s, "kind", 4) == 0) {
					up->key = HK_KIND;
					free(kind);
					kind = NULL;
				} else if (up->role == HS_ROOT && n == 8 && memcmp(s, "metadata", 8) == 0) {
					up->key = HK_META;
					free(hook);
					hook = NULL;
				} else if (up->role == HS_META && n == 11 &&
					   memcmp(s, "annotations", 11) == 0) {
					up->key = HK_ANN;
					free(hook);
					hook = NULL;
				} else if (up->role == HS_ANN && n == 12 &&
					   memcmp(s, "helm.sh/hook", 12) == 0) {
					up->key = HK_HOOK;
					free(hook);
					hook = NULL;
				}
				up->want_key = 0;
				continue;
			}
			/* a scalar where SimpleHead wants a mapping: S_head's error */
			if (up->is_map && (up->key == HK_META || up->key == HK_ANN) &&
			    !(ev.data.scalar.plain_implicit && is_null))
				goto out;
			if (up->is_map && is_str && (up->key == HK_KIND || up->key == HK_HOOK)) {
				char *v = strndup(s, n);

				if (!v) {
					rc = DIAG_ENOMEM;
					goto out;
				}
				*(up->key == HK_KIND ? &kind : &hook) = v;
			}
			if (up->is_map)
				up->want_key = 1;
			continue;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			int is_map = ev.type == YAML_MAPPING_START_EVENT;
			const void *anchor = is_map ? (const void *)ev.data.mapping_start.anchor
						    : (const void *)ev.data.sequence_start.anchor;
			const void *tag = is_map ? (const void *)ev.data.mapping_start.tag
						 : (const void *)ev.data.sequence_start.tag;
			struct hs_level *l;

			if (as_key || anchor || tag || depth == HS_MAX_DEPTH || (!up && !is_map))
				goto out;
			/* a collection where SimpleHead wants a string, a list
			 * where it wants a mapping: S_head's error */
			if (up && up->is_map &&
			    (up->key == HK_KIND || up->key == HK_API || up->key == HK_NAME ||
			     up->key == HK_HOOK || up->key == HK_ANNVAL ||
			     (!is_map && (up->key == HK_META || up->key == HK_ANN))))
				goto out;
			l = &lv[depth++];
			l->is_map = (unsigned char)is_map;
			l->want_key = 1;
			l->key = HK_OTHER;
			l->role = HS_NONE;
			if (!up)
				l->role = HS_ROOT;
			else if (is_map && up->is_map && up->key == HK_META)
				l->role = HS_META;
			else if (is_map && up->is_map && up->key == HK_ANN)
				l->role = HS_ANN;
			continue;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (!depth)
				goto out;
			depth--;
			if (depth && lv[depth - 1].is_map)
				lv[depth - 1].want_key = 1;
			continue;
		default:
			goto out;
		}
	}
out:
	if (have_ev)
		yaml_event_delete(&ev);
	if (fast)
		yscan_release(&sc);
	else
		yaml_parser_delete(&parser);
	free(kind);
	free(hook);
	return rc;
}

/* The events come from yscan (render/yscan.h), libyaml's own for the
 * subset it keeps to, and from libyaml when it leaves it. */
static int S_head_scan(char **kind_out, char **hook_out, const char *text, size_t len)
{
	int rc = S_head_scan_with(kind_out, hook_out, text, len, 1);

	if (rc == HS_RETRY)
		rc = S_head_scan_with(kind_out, hook_out, text, len, 0);
	return rc;
}

/* The hook events of m (annotation text hook): -1 to drop m (an unknown
 * event, logged), else 0; m->is_test set for the test events. */
static int S_read_hooks(struct mdoc *m, const char *hook, struct buf *log)
{
	const char *p = hook;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p), k;
		char ev[64];
		int known = 0;
		S_trim(&p, &len);
		if (len < sizeof(ev)) {
			for (k = 0; k < len; k++)
				ev[k] = (char)((p[k] >= 'A' && p[k] <= 'Z') ? p[k] + 32 : p[k]);
			ev[len] = '\0';
			for (k = 0; k < sizeof(S_hook_events) / sizeof(S_hook_events[0]); k++)
				if (strcmp(ev, S_hook_events[k]) == 0)
					known = 1;
			if (strcmp(ev, "test") == 0 || strcmp(ev, "test-success") == 0)
				m->is_test = 1;
		}
		if (!known) {
			S_log(log, "INFO", "skipping unknown hooks", "hookTypes", hook);
			return -1;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int S_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* obj's keys in the order encoding/json meets them: sigs.k8s.io/yaml
 * writes a mapping's keys sorted. NULL when obj is empty or out of memory
 * (*n then tells which). */
static const char **S_sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys;
	const char *k;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(obj);
	if (!*n || !(keys = malloc(*n * sizeof(*keys))))
		return NULL;
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, *n, sizeof(*keys), S_cmp_str);
	return keys;
}

static int S_is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

#define S_META_TYPE "struct { Name string \"json:\\\"name\\\"\"; Annotations " \
	"map[string]string \"json:\\\"annotations\\\"\" }"

/*
 * The first error encoding/json meets decoding root (an object) into
 * Helm's SimpleHead { apiVersion, kind string; metadata *struct { name
 * string; annotations map[string]string } }: field names match in any
 * case; a scalar goes into a string (sigs.k8s.io/yaml converts it), a
 * list or mapping does not; metadata and annotations want a mapping (or
 * null). 0 when there is none.
 */
static int S_head_types(const json_t *root, const char *path, struct diag *d)
{
	const char **keys, **mkeys = NULL, **akeys = NULL;
	const char *field = NULL, *value = NULL, *type = NULL, *owner = "SimpleHead";
	size_t n, mn, an;
	int error = 0;

	if (!(keys = S_sorted_keys(root, &n)))
		return n ? diag_set(d, DIAG_ENOMEM, "out of memory") : 0;
	for (size_t i = 0; i < n && !field; i++) {
		const char *k = keys[i];
		const json_t *v = json_object_get(root, k), *ann = NULL;

		if (S_fold_eq(k, strlen(k), "apiversion") || S_fold_eq(k, strlen(k), "kind")) {
			if (!S_is_scalar(v)) {
				field = S_fold_eq(k, strlen(k), "kind") ? "kind" : "apiVersion";
				value = json_is_array(v) ? "array" : "object";
				type = "string";
			}
			continue;
		}
		if (!S_fold_eq(k, strlen(k), "metadata") || json_is_null(v))
			continue;
		if (!json_is_object(v)) {
			field = "metadata";
			value = S_json_kind(v);
			type = S_META_TYPE;
			break;
		}
		free(mkeys);
		if (!(mkeys = S_sorted_keys(v, &mn)) && mn) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t j = 0; j < mn && !field; j++) {
			const char *mk = mkeys[j];
			const json_t *mv = json_object_get(v, mk);

			owner = "";
			if (S_fold_eq(mk, strlen(mk), "name") && !S_is_scalar(mv)) {
				field = ".metadata.name";
				value = S_json_kind(mv);
				type = "string";
			} else if (S_fold_eq(mk, strlen(mk), "annotations") && !json_is_null(mv)) {
				if (!json_is_object(mv)) {
					field = ".metadata.annotations";
					value = S_json_kind(mv);
					type = "map[string]string";
				} else {
					ann = mv;
					free(akeys);
					if (!(akeys = S_sorted_keys(ann, &an)) && an) {
						error = diag_set(d, DIAG_ENOMEM, "out of memory");
						goto done;
					}
					for (size_t a = 0; a < an && !field; a++) {
						const json_t *av = json_object_get(ann, akeys[a]);
						if (!S_is_scalar(av)) {
							field = ".metadata.annotations";
							value = S_json_kind(av);
							type = "string";
						}
					}
				}
			}
			if (!field)
				owner = "SimpleHead";
		}
	}
	if (field)
		error = diag_set(d, DIAG_EPARSE, "YAML parse error on %s: error unmarshaling JSON: "
				 "while decoding JSON: json: cannot unmarshal %s into Go struct "
				 "field %s%s%s of type %s", path, value, owner,
				 owner[0] ? "." : "", field, type);
done:
	free(keys);
	free(mkeys);
	free(akeys);
	return error;
}

/* Reads the SimpleHead of doc m; -1: drop it (unknown hook); <-1: error. */
static int S_head(struct mdoc *m, int *is_hook, struct buf *log, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream ys = YSTREAM_INIT;
	struct diag yd = DIAG_INIT;
	struct ydoc_limits lim = YDOC_LIMITS_DEFAULT;
	json_t *root, *md, *ann, *kind, *hook;
	int error = 0;

	*is_hook = 0;
	{
		char *kind_s, *hook_s;

		error = S_head_scan(&kind_s, &hook_s, m->text, m->len);
		if (error < 0)
			return diag_set(d, error, "out of memory");
		if (error == 1) {
			m->kind = kind_s;
			error = 0;
			if (hook_s) {
				*is_hook = 1;
				error = S_read_hooks(m, hook_s, log);
				free(hook_s);
			}
			return error;
		}
	}
	if (srcfile_set(&src, m->path, m->text, m->len) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	lim.no_positions = 1;
	if ((error = ystream_parse(&ys, &src, YDOC_HELM, &lim, &yd)) < 0) {
		if (error == DIAG_ENOMEM)
			diag_set(d, error, "out of memory");
		else {
			struct buf g = BUF_INIT;
			const char *json = strstr(yd.msg.ptr, ": json: unsupported value: ");

			/* NaN and infinities fail the JSON encoding after the YAML
			 * was read: no "yaml:" and no line (sigs.k8s.io/yaml) */
			if (json)
				buf_adds(&g, json + 2);
			else
				helm__go_yaml_error(&g, yd.msg.ptr, m->path);
			diag_set(d, DIAG_EPARSE, "YAML parse error on %s: error converting YAML to "
				 "JSON: %s%s", m->path, json ? "" : "yaml: ", g.ptr);
			buf_release(&g);
		}
		error = error == DIAG_ENOMEM ? error : DIAG_EPARSE;
		goto done;
	}
	root = ys.ndocs ? ys.docs[0].root : NULL;
	if (!root || json_is_null(root))
		goto done;
	if (!json_is_object(root)) {
		error = diag_set(d, DIAG_EPARSE, "YAML parse error on %s: error unmarshaling JSON: "
				 "while decoding JSON: json: cannot unmarshal %s into Go value of "
				 "type util.SimpleHead", m->path, S_json_kind(root));
		goto done;
	}
	if ((error = S_head_types(root, m->path, d)) < 0)
		goto done;
	kind = json_object_get(root, "kind");
	if (json_is_string(kind)) {
		if (!(m->kind = strdup(json_string_value(kind)))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	md = json_object_get(root, "metadata");
	ann = json_is_object(md) ? json_object_get(md, "annotations") : NULL;
	if (!json_is_object(ann) || json_object_size(ann) == 0)
		goto done;
	hook = json_object_get(ann, "helm.sh/hook");
	if (!json_is_string(hook))
		goto done;
	*is_hook = 1;
	error = S_read_hooks(m, json_string_value(hook), log);
done:
	ystream_release(&ys);
	srcfile_release(&src);
	diag_release(&yd);
	return error;
}

/* lessByKind, made a total order with the original position. */
static int S_cmp_kind(const void *a, const void *b)
{
	const struct mdoc *x = a, *y = b;
	const char *kx = x->kind ? x->kind : "", *ky = y->kind ? y->kind : "";

	if (x->order < 0 && y->order < 0) {
		int c = strcmp(kx, ky);
		if (c)
			return c;
	} else if (x->order < 0) {
		return 1;
	} else if (y->order < 0) {
		return -1;
	} else if (x->order != y->order) {
		return x->order < y->order ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int S_print(struct buf *out, const struct mdoc *m)
{
	buf_adds(out, "---\n# Source: ");
	buf_adds(out, m->path);
	buf_addch(out, '\n');
	buf_add(out, m->text, m->len);
	return buf_addch(out, '\n');
}

/* The crds/ files read (chart_file_load), the subcharts' too. */
static int S_load_crds(const struct chart *c, int depth, struct diag *d)
{
	int error = 0;

	if (depth > 64)
		return 0;
	for (size_t i = 0; i < c->ncrds && !error; i++)
		error = chart_file_load(&c->crds[i], d);
	for (size_t i = 0; i < c->ndeps && !error; i++)
		error = S_load_crds(c->deps[i], depth + 1, d);
	return error;
}

/* CRDObjects: crds/ files with a manifest extension, then the subcharts'. */
static int S_crds(struct buf *out, const struct chart *c, int depth)
{
	struct buf full = BUF_INIT;

	if (depth > 64)
		return 0;
	chart_full_path(&full, c);
	for (size_t i = 0; i < c->ncrds; i++) {
		const char *name = c->crds[i].name, *ext = strrchr(name, '.');
		if (!ext || (strcasecmp(ext, ".yaml") && strcasecmp(ext, ".yml") &&
			     strcasecmp(ext, ".json")))
			continue;
		buf_addf(out, "---\n# Source: %s/%s\n", full.ptr, name);
		buf_add(out, c->crds[i].data, c->crds[i].len);
		buf_addch(out, '\n');
	}
	buf_release(&full);
	for (size_t i = 0; i < c->ndeps; i++)
		S_crds(out, c->deps[i], depth + 1);
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

static int S_push(struct mdocs *dst, const struct mdoc *m)
{
	if (dst->n == dst->cap) {
		size_t cap = dst->cap ? dst->cap * 2 : 32;
		struct mdoc *nv = realloc(dst->v, cap * sizeof(*nv));
		if (!nv)
			return DIAG_ENOMEM;
		dst->v = nv;
		dst->cap = cap;
	}
	dst->v[dst->n++] = *m;
	return 0;
}

static void S_mdocs_release(struct mdocs *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].kind);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

/* SortManifests: the documents of the printable files, split into
 * manifests (gen) and hooks, each stably sorted by InstallOrder. */
static int S_sort(struct mdocs *gen, struct mdocs *hooks, const struct helm_rendered *files,
		  struct buf *log, struct diag *d)
{
	struct mdocs all = { NULL, 0, 0 };
	size_t i;
	int error = 0;

	for (i = 0; i < files->n; i++) {
		const struct helm_rendered_file *f = &files->v[i];
		const char *base = strrchr(f->name, '/');
		size_t nl = strlen(f->name);
		base = base ? base + 1 : f->name;
		if (base[0] == '_')
			continue;
		if (nl >= 9 && strcmp(f->name + nl - 9, "NOTES.txt") == 0)
			continue;
		if ((error = S_split(&all, f->name, f->text.ptr, f->text.len)) < 0) {
			diag_set(d, error, "out of memory");
			goto done;
		}
	}
	for (i = 0; i < all.n; i++) {
		struct mdoc *m = &all.v[i];
		int is_hook;
		error = S_head(m, &is_hook, log, d);
		if (error == -1) {
			free(m->kind);
			m->kind = NULL;
			continue;
		}
		if (error < 0)
			goto done;
		m->order = m->kind ? helm_kind_order(m->kind) : -1;
		if ((error = S_push(is_hook ? hooks : gen, m)) < 0) {
			diag_set(d, error, "out of memory");
			goto done;
		}
		m->kind = NULL;   /* moved */
	}
	error = 0;
	if (gen->n)
		qsort(gen->v, gen->n, sizeof(*gen->v), S_cmp_kind);
	if (hooks->n)
		qsort(hooks->v, hooks->n, sizeof(*hooks->v), S_cmp_kind);
done:
	S_mdocs_release(&all);
	return error;
}

int helm_manifest(struct buf *out, const struct helm_rendered *files, const struct chart *c,
		  unsigned flags, struct buf *log, struct diag *d)
{
	struct mdocs gen = { NULL, 0, 0 }, hooks = { NULL, 0, 0 };
	struct buf mb = BUF_INIT;
	size_t i;
	int error;

	if ((error = S_sort(&gen, &hooks, files, log, d)) < 0)
		goto done;
	if ((flags & HELM_MANIFEST_INCLUDE_CRDS) && c &&
	    (error = S_load_crds(c, 0, d)) < 0)
		goto done;
	if ((flags & HELM_MANIFEST_INCLUDE_CRDS) && c && S_crds(&mb, c, 0) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < gen.n; i++)
		S_print(&mb, &gen.v[i]);
	{
		const char *s = mb.ptr;
		size_t n = mb.len;
		S_trim(&s, &n);
		buf_add(out, s, n);
		buf_addch(out, '\n');
	}
	for (i = 0; i < hooks.n && !(flags & HELM_MANIFEST_NO_HOOKS); i++) {
		if ((flags & HELM_MANIFEST_SKIP_TESTS) && hooks.v[i].is_test)
			continue;
		S_print(out, &hooks.v[i]);
	}
	if (buf_oom(out) || buf_oom(&mb))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	S_mdocs_release(&gen);
	S_mdocs_release(&hooks);
	buf_release(&mb);
	return error;
}

void helm_outfiles_release(struct helm_outfiles *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		buf_release(&f->v[i].data);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

/* One writeToFile: DIR/NAME gets "---\n# Source: NAME\nDATA\n". */
static int S_outfile(struct helm_outfiles *f, const char *dir, const char *name,
		     const char *data, size_t len, enum helm_outfile_mode mode)
{
	struct helm_outfile *o;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct helm_outfile *nv = realloc(f->v, cap * sizeof(*nv));
		if (!nv)
			return DIAG_ENOMEM;
		f->v = nv;
		f->cap = cap;
	}
	o = &f->v[f->n];
	{
		size_t n = strlen(dir) + strlen(name) + 2;
		if (!(o->path = malloc(n)))
			return DIAG_ENOMEM;
		snprintf(o->path, n, "%s/%s", dir, name);
	}
	o->mode = mode;
	buf_init(&o->data, 0);
	f->n++;
	buf_addf(&o->data, "---\n# Source: %s\n", name);
	buf_add(&o->data, data, len);
	buf_addch(&o->data, '\n');
	return buf_oom(&o->data) ? DIAG_ENOMEM : 0;
}

/* Whether name was written earlier in this run (renderResources' fileWritten). */
static int S_written(const struct helm_outfiles *f, size_t from, const char *path)
{
	for (size_t i = from; i < f->n; i++)
		if (strcmp(f->v[i].path, path) == 0)
			return 1;
	return 0;
}

/* The crds/ files as renderResources writes them (into DIR, never the
 * release's subdirectory). */
static int S_crd_files(struct helm_outfiles *f, size_t from, const char *dir, const struct chart *c,
		       int depth)
{
	struct buf full = BUF_INIT, path = BUF_INIT;
	int error = 0;

	if (depth > 64)
		return 0;
	chart_full_path(&full, c);
	for (size_t i = 0; i < c->ncrds && !error; i++) {
		const char *name = c->crds[i].name, *ext = strrchr(name, '.');
		if (!ext || (strcasecmp(ext, ".yaml") && strcasecmp(ext, ".yml") &&
			     strcasecmp(ext, ".json")))
			continue;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", full.ptr, name);
		if (buf_oom(&path) || buf_oom(&full)) {
			error = DIAG_ENOMEM;
			break;
		}
		{
			struct buf whole = BUF_INIT;
			buf_addf(&whole, "%s/%s", dir, path.ptr);
			error = buf_oom(&whole) ? DIAG_ENOMEM :
				S_outfile(f, dir, path.ptr, c->crds[i].data, c->crds[i].len,
					  S_written(f, from, whole.ptr) ? HELM_OUTFILE_APPEND :
					  HELM_OUTFILE_CREATE);
			buf_release(&whole);
		}
	}
	buf_release(&full);
	buf_release(&path);
	for (size_t i = 0; i < c->ndeps && !error; i++)
		error = S_crd_files(f, from, dir, c->deps[i], depth + 1);
	return error;
}

int helm_manifest_dir(struct helm_outfiles *out, const struct helm_rendered *files,
		      const struct chart *c, unsigned flags, const char *dir, const char *rel_dir,
		      struct buf *log, struct diag *d)
{
	struct mdocs gen = { NULL, 0, 0 }, hooks = { NULL, 0, 0 };
	struct buf path = BUF_INIT;
	size_t i, from = out->n;
	int error;

	if (!rel_dir)
		rel_dir = dir;
	if ((error = S_sort(&gen, &hooks, files, log, d)) < 0)
		goto done;
	if ((flags & HELM_MANIFEST_INCLUDE_CRDS) && c &&
	    (error = S_load_crds(c, 0, d)) < 0)
		goto done;
	if ((flags & HELM_MANIFEST_INCLUDE_CRDS) && c &&
	    (error = S_crd_files(out, from, dir, c, 0)) < 0)
		goto oom;
	for (i = 0; i < gen.n; i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", rel_dir, gen.v[i].path);
		if (buf_oom(&path) ||
		    (error = S_outfile(out, rel_dir, gen.v[i].path, gen.v[i].text, gen.v[i].len,
				       S_written(out, from, path.ptr) ? HELM_OUTFILE_APPEND :
				       HELM_OUTFILE_CREATE)) < 0)
			goto oom;
	}
	/* template.go writes the hooks itself: it appends to any file that
	 * exists by then, even one a previous run left */
	for (i = 0; i < hooks.n && !(flags & HELM_MANIFEST_NO_HOOKS); i++) {
		if ((flags & HELM_MANIFEST_SKIP_TESTS) && hooks.v[i].is_test)
			continue;
		if ((error = S_outfile(out, rel_dir, hooks.v[i].path, hooks.v[i].text,
				       hooks.v[i].len, HELM_OUTFILE_APPEND_IF_EXISTS)) < 0)
			goto oom;
	}
	goto done;
oom:
	error = diag_set(d, DIAG_ENOMEM, "out of memory");
done:
	S_mdocs_release(&gen);
	S_mdocs_release(&hooks);
	buf_release(&path);
	return error;
}

/* "# Source: [^/]+/(.+)": the path after the chart's name; NULL if none. */
static char *S_source_path(const char *doc, size_t len)
{
	const char *p = doc, *end = doc + len;

	for (; p + 10 <= end; p++) {
		const char *q, *slash, *eol;
		if (memcmp(p, "# Source: ", 10) != 0)
			continue;
		q = p + 10;
		eol = memchr(q, '\n', (size_t)(end - q));
		if (!eol)
			eol = end;
		slash = memchr(q, '/', (size_t)(eol - q));
		if (!slash || slash == q || slash + 1 >= eol)
			continue;
		return strndup(slash + 1, (size_t)(eol - slash - 1));
	}
	return NULL;
}

int helm_show_only(struct buf *out, const char *text, size_t len,
		   const char *const *patterns, size_t npatterns, struct diag *d)
{
	struct mdocs docs = { NULL, 0, 0 };
	int error = 0;

	if ((error = S_split(&docs, "", text, len)) < 0)
		return diag_set(d, error, "out of memory");
	for (size_t f = 0; f < npatterns; f++) {
		int found = 0;
		for (size_t i = 0; i < docs.n; i++) {
			char *path = S_source_path(docs.v[i].text, docs.v[i].len);
			if (!path)
				continue;
			if (fnmatch(patterns[f], path, FNM_PATHNAME) == 0) {
				buf_adds(out, "---\n");
				buf_add(out, docs.v[i].text, docs.v[i].len);
				buf_addch(out, '\n');
				found = 1;
			}
			free(path);
		}
		if (!found) {
			error = diag_set(d, DIAG_ENOTFOUND, "could not find template %s in chart",
					 patterns[f]);
			break;
		}
	}
	free(docs.v);
	if (!error && buf_oom(out))
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
	return error;
}
