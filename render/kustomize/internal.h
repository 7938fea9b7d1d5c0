/*
 * Module-internal interfaces of render/kustomize (docs/kustomize.md).
 *
 * Resources are json_t objects. As in kustomize, a resource's build-time
 * bookkeeping (previous names, prefixes, generator behavior, ...) lives in
 * its metadata.annotations under internal.config.kubernetes.io/ and is
 * removed before printing, so every transformation sees what kustomize's
 * sees.
 */
#ifndef HYDRATE_KUSTOMIZE_INTERNAL_H
#define HYDRATE_KUSTOMIZE_INTERNAL_H

#include "render/buf.h"
#include "render/diag.h"
#include "render/kustomize/kustomize.h"

#include <jansson.h>
#include <stddef.h>

/* ---- paths and files (fs.c) ---- */

struct kfs {
	char *host_root; /* "" (the host's "/") or a host directory, no trailing '/' */
	int inmem;       /* word errors as kustomize's in-memory file system */
};

int kfs_init(struct kfs *fs, const char *fs_root, struct diag *d);
void kfs_release(struct kfs *fs);

/* Go's filepath.Clean (new string; NULL on ENOMEM). */
char *kpath_clean(const char *path);
/* Clean(a + "/" + b) (new string). */
char *kpath_join(const char *a, const char *b);
/* Go's filepath.Base / Dir (new strings). */
char *kpath_base(const char *path);
char *kpath_dir(const char *path);
/* True when path is dir or below it (both cleaned, absolute). */
int kpath_has_prefix(const char *path, const char *dir);

enum kfs_kind { KFS_MISSING, KFS_FILE, KFS_DIR };
/* What lies at the absolute (virtual) path. */
enum kfs_kind kfs_stat(const struct kfs *fs, const char *path);
/* Reads a file at an absolute (virtual) path into out (replacing it). */
int kfs_read(const struct kfs *fs, const char *path, struct buf *out, struct diag *d);
/* Makes a user-given directory absolute (virtual) and confirms it: new string. */
int kfs_confirm_dir(char **out, const struct kfs *fs, const char *path, struct diag *d);

/* ---- loaders (fs.c): a kustomization root and what it may read ---- */

struct kldr {
	char *root;                    /* absolute, cleaned (owned) */
	const struct kldr *referrer;   /* borrowed; NULL at the top */
	const struct kfs *fs;          /* borrowed */
	enum kustomize_load_restrictor restrictor;
};

void kldr_release(struct kldr *l);
/* Reads path (relative to the root) obeying the restrictor. */
int kldr_load(const struct kldr *l, const char *path, struct buf *out, struct diag *d);
/* A loader for the directory path relative to parent's root (kustomize's ldr.New). */
int kldr_new(struct kldr *out, const struct kldr *parent, const char *path, struct diag *d);
/* True for http(s) URLs and git repository specs, which hydrate refuses. */
int kldr_is_remote(const char *path);

/* ---- ids (id.c) ---- */

struct kgvk {
	const char *group, *version, *kind; /* borrowed or static; never NULL */
};

struct kid {
	/* owned: one block at group holds all five (kid_release frees it);
	 * never NULL after kid_*; set only through kid_* */
	char *group, *version, *kind, *name, *ns;
	int cluster_scoped;
};

#define KID_INIT { NULL, NULL, NULL, NULL, NULL, 0 }

void kid_release(struct kid *id);
/* The current id of a resource. */
int kid_from_res(struct kid *out, const json_t *res);
/* The id fields of a resource object, borrowed from its strings (not
 * NUL-terminated but version, which runs to the apiVersion's end). */
struct kidview {
	const char *group, *version, *kind, *name, *ns;
	size_t glen, vlen, klen, nlen, nslen;
};
void kid_view_of_res(struct kidview *v, const json_t *res);
/* kid_gvk_selected on a view. */
int kidview_gvk_selected(const struct kidview *v, const char *group, const char *version,
			 const char *kind);
int kid_set(struct kid *out, const char *group, const char *version, const char *kind,
	    const char *name, const char *ns);
int kid_copy(struct kid *out, const struct kid *in);
/* "Kind.version.group/name.namespace" with kustomize's [noGrp] markers. */
void kid_string(struct buf *out, const struct kid *id);
void kgvk_string(struct buf *out, const char *group, const char *version, const char *kind);
/* "default" for "", "_non_namespaceable_" for cluster-scoped kinds. */
const char *kid_effective_ns(const struct kid *id);
int kid_equals(const struct kid *a, const struct kid *b);
/* A string equal for two ids exactly when kid_equals is true (for hash maps). */
void kid_key(struct buf *out, const struct kid *id);
/* kid_key of kid_from_res(res) without building the id (no allocation but
 * out's). */
int kid_key_of_res(struct buf *out, const json_t *res);
/* The same for the group, version and kind alone (kid_key begins with it). */
void kid_gvk_key(struct buf *out, const struct kid *id);
int kid_gvkn_equals(const struct kid *a, const struct kid *b);
/* Empty selector fields match anything. */
int kid_gvk_selected(const struct kid *id, const char *group, const char *version,
		     const char *kind);
/* Splits an apiVersion into group and version (new strings). */
int kapi_split(const char *api_version, char **group, char **version);
int kis_cluster_scoped(const char *api_version, const char *kind);
/* The same for a group and kind of given lengths; version runs to its NUL. */
int kid_cluster_scoped_n(const char *group, size_t glen, const char *version, const char *kind,
			 size_t klen);
/* kid_effective_ns of a view: "_non_namespaceable_" for a cluster-scoped
 * kind, "default" for none, else the view's own namespace. */
void kid_view_effective_ns(const struct kidview *v, const char **ns, size_t *nslen);
/* Kustomize's legacy ordering of kinds (index < 0 first, > 0 last). */
int kgvk_type_order(const char *kind);
/* "group_version_kind" with ~G/~V/~K for empty fields. */
void kgvk_stable_string(struct buf *out, const char *group, const char *version,
			const char *kind);
/* Gvk.IsLessThan */
int kgvk_less(const char *g1, const char *v1, const char *k1, const char *g2, const char *v2,
	      const char *k2);
/* The same with each side's kgvk_type_order given (computed once per
 * element when sorting). */
int kgvk_less_ordered(int o1, const char *g1, const char *v1, const char *k1, int o2,
		      const char *g2, const char *v2, const char *k2);

/* ---- resources (res.c) ---- */

struct kres {
	json_t *obj;          /* owned */
	char **refvars;       /* owned; names of vars pointing at this resource */
	size_t nrefvars;
};

struct kresmap {
	struct kres **v;
	size_t len, alloc;
};

#define KRESMAP_INIT { NULL, 0, 0 }

#define KANNO_PREFIX "internal.config.kubernetes.io/"
#define KANNO_PREV_NAMES KANNO_PREFIX "previousNames"
#define KANNO_PREV_NS KANNO_PREFIX "previousNamespaces"
#define KANNO_PREV_KINDS KANNO_PREFIX "previousKinds"
#define KANNO_PREFIXES KANNO_PREFIX "prefixes"
#define KANNO_SUFFIXES KANNO_PREFIX "suffixes"
#define KANNO_REFBY KANNO_PREFIX "refBy"
#define KANNO_BEHAVIOR KANNO_PREFIX "generatorBehavior"
#define KANNO_NEEDS_HASH KANNO_PREFIX "needsHashSuffix"
#define KANNO_ALLOW_NAME_CHANGE KANNO_PREFIX "allowNameChange"
#define KANNO_ALLOW_KIND_CHANGE KANNO_PREFIX "allowKindChange"

/* A new resource owning obj (steals it even on failure). */
struct kres *kres_new(json_t *obj);
void kres_free(struct kres *r);
struct kres *kres_dup(const struct kres *r);

/* json_object_getn for the small objects of resources: a scan of the
 * members (length first) when o holds few, jansson's hashed lookup (~150
 * instructions a key) otherwise. Borrowed; NULL when absent or o is not an
 * object. */
json_t *kjson_getn(const json_t *o, const char *key, size_t len);
/* The same for a C string key. */
json_t *kjson_get(const json_t *o, const char *key);

/* Borrowed getters; "" when absent or not a string. */
const char *kres_str(const json_t *obj, const char *pointer_like_path);
const char *kres_kind(const struct kres *r);
const char *kres_name(const struct kres *r);
const char *kres_namespace(const struct kres *r);
const char *kres_api_version(const struct kres *r);
int kres_set_name(struct kres *r, const char *name);
int kres_set_namespace(struct kres *r, const char *ns);
/* metadata.annotations / labels: borrowed object or NULL. */
json_t *kres_annotations(const struct kres *r);
const char *kres_annotation(const struct kres *r, const char *key);
int kres_set_annotation(struct kres *r, const char *key, const char *value);
void kres_del_annotation(struct kres *r, const char *key);
/* Appends value to a comma-separated annotation (nothing for ""). */
int kres_append_csv(struct kres *r, const char *key, const char *value);
/* Splits a comma-separated annotation; *n == 0 when absent. Free with kstrv_free. */
int kres_get_csv(char ***out, size_t *n, const struct kres *r, const char *key);
void kstrv_free(char **v, size_t n);

int kres_cur_id(struct kid *out, const struct kres *r);
/* Previous ids (from the build annotations), oldest first. */
int kres_prev_ids(struct kid **out, size_t *n, const struct kres *r);
/* The kid_key of each id of r, the current one first, then the previous
 * ones oldest first: written into key in turn, each handed to fn (a
 * negative return stops the walk and is returned). No id is built. */
int kres_each_id_key(const struct kres *r, struct buf *key,
		     int (*fn)(const char *key, void *arg), void *arg);
void kid_array_free(struct kid *ids, size_t n);
/* The first previous id, or the current one. */
int kres_org_id(struct kid *out, const struct kres *r);
/* The texts of the three previous-id annotations of annotations (names,
 * namespaces, kinds: comma-separated, borrowed) and how many ids they
 * hold (0: none); DIAG_EEXEC when their counts disagree. */
int kres_prev_annotations(const json_t *annotations, const char *vals[3], size_t *n);
/* Its group, version and kind as a view (name and namespace are the
 * current ones'); kres_org_id's errors. */
int kres_org_gvk(struct kidview *out, const struct kres *r);
int kres_store_previous_id(struct kres *r);
/* Removes kustomize's build annotations (and an emptied annotations map). */
void kres_remove_build_annotations(struct kres *r);

void kresmap_release(struct kresmap *m);
/* Appends r (taking it) without checking ids. */
int kresmap_push(struct kresmap *m, struct kres *r);
/* Appends r (taking it, even on failure); errors on an id already present. */
int kresmap_append(struct kresmap *m, struct kres *r, struct diag *d);
/* Moves every resource of src to m's end, checking ids. src ends empty. */
int kresmap_append_all(struct kresmap *m, struct kresmap *src, struct diag *d);
struct kidx;
/* The same with idx holding kidx_add_cur of every resource of m (kept so). */
int kresmap_append_all_indexed(struct kresmap *m, struct kresmap *src, struct kidx *idx,
			       struct diag *d);
/* Generator semantics: create, or merge / replace an existing one. */
int kresmap_absorb(struct kresmap *m, struct kres *r, struct diag *d);
/* The same with idx holding kidx_add_res of every resource of m (kept so). */
int kresmap_absorb_indexed(struct kresmap *m, struct kres *r, struct kidx *idx,
			   struct diag *d);
void kresmap_remove_at(struct kresmap *m, size_t i);

/* Parses a YAML stream of resources (List kinds inlined, empty docs dropped);
 * threads: a long one may be parsed in two halves at once (ydoc_limits). */
int kres_parse_stream(struct kresmap *out, const char *name, const char *data, size_t len,
		      int threads, struct diag *d);
/* The same on text, whose allocation it takes (text is BUF_INIT after):
 * the stream is parsed from it without a copy. */
int kres_parse_stream_buf(struct kresmap *out, const char *name, struct buf *text,
			  int threads, struct diag *d);
/* Rewrites a YAML syntax error of the file name into go-yaml's words
 * ("yaml: line N: problem"); v3 picks yaml.v3's line rule, else yaml.v2's. */
int kyaml_syntax_error(struct diag *d, const char *name, int v3);

/* Sorts m in kustomize's legacy order. */
int kresmap_sort_legacy(struct kresmap *m, json_t *first, json_t *last, struct diag *d);
/* Prints m as kustomize build does, calling prepare (when given) on each
 * resource just before it is printed. KPRINT_THREADS: a long map is
 * printed by two threads at once, each taking the next run of resources
 * (the same text, and the same first error; prepare must change only its
 * resource). KPRINT_CONSUME: each resource is freed once printed (its slot
 * in m becomes NULL; the caller still releases m). */
#define KPRINT_THREADS 1
#define KPRINT_CONSUME 2
int kresmap_print(struct buf *out, struct kresmap *m, int flags,
		  void (*prepare)(struct kres *r, void *arg), void *arg, struct diag *d);

/* ---- indexes (index.c) ---- */

/*
 * A multimap from string keys (kid_key of ids, names, ...) to positions in
 * a resource list, each key's positions in insertion order. Keys and lists
 * are owned by the index; kidx_get's list is borrowed until the next change.
 */
struct kidx_ent {
	size_t koff, klen; /* the key: klen bytes at keys + koff, NUL-terminated */
	unsigned long long hash;
	size_t one;        /* the only position while alloc == 0 */
	size_t *v;         /* owned; the positions once alloc > 0 */
	size_t len, alloc;
};

struct kidx {
	struct kidx_ent *e;   /* owned; n entries in insertion order */
	size_t n, nalloc;
	unsigned int *slot;   /* owned; cap slots, entry number + 1 or 0 (empty) */
	size_t cap;
	char *keys;           /* owned; every key, NUL after each */
	size_t klen_used, kalloc;
	struct buf scratch;   /* owned; where kidx_*_res write ids' keys */
};

#define KIDX_INIT { NULL, 0, 0, NULL, 0, NULL, 0, 0, BUF_INIT }

void kidx_release(struct kidx *x);
/* Makes room for n keys of ids at once (a hint: the index still grows
 * past it), instead of doubling its arrays from small. */
int kidx_reserve(struct kidx *x, size_t n);
/* Appends val to key's positions unless it is already the last one. */
int kidx_add(struct kidx *x, const char *key, size_t val);
/* key's positions (borrowed), NULL with *n == 0 when none. */
const size_t *kidx_get(const struct kidx *x, const char *key, size_t *n);
/* Removes val from key's positions. */
void kidx_del(struct kidx *x, const char *key, size_t val);
/* Adds (removes) val under the kid_key of r's current and previous ids. */
int kidx_add_res(struct kidx *x, const struct kres *r, size_t val);
int kidx_del_res(struct kidx *x, const struct kres *r, size_t val);
/* Adds val under the kid_key of r's current id only. */
int kidx_add_cur(struct kidx *x, const struct kres *r, size_t val);

/* ---- field specs (fieldspec.c, tconfig.c) ---- */

/* A field spec's path split into its keys once (kfslist_add), not at
 * every resource it is applied to. */
struct kfseg {
	const char *key; /* NUL-terminated, without a list segment's "[]" */
	size_t len;
	int is_seq;      /* the segment ended in "[]" */
};

struct kfpath {
	size_t n;
	struct kfseg seg[]; /* n of them; the keys' text follows */
};

struct kfspec {
	char *group, *version, *kind, *path; /* owned; "" when unset */
	int create;
	/* owned by the list (kfslist_add makes it): path split; NULL (a spec
	 * made by hand) splits path at each kfspec_apply */
	struct kfpath *split;
};

struct kfslist {
	struct kfspec *v;
	size_t len, alloc;
};

struct knameref {
	char *group, *version, *kind; /* the referral target */
	struct kfslist referrers;
};

struct ktconfig {
	struct kfslist name_prefix, name_suffix, name_space, common_labels, labels,
		template_labels, vct_labels, common_annotations, var_reference, images, replicas;
	struct knameref *nameref;
	size_t nnameref;
};

void kfslist_release(struct kfslist *l);
int kfslist_add(struct kfslist *l, const char *group, const char *version, const char *kind,
		const char *path, int create);
/* FsSlice.MergeAll: add what is missing; conflicting create flags fail. */
int kfslist_merge(struct kfslist *l, const struct kfslist *in, struct diag *d);
int kfslist_from_json(struct kfslist *out, const json_t *arr, struct diag *d);

void ktconfig_release(struct ktconfig *c);
/* kustomize's built-in field specs. */
int ktconfig_default(struct ktconfig *out, struct diag *d);
/* A transformer configuration file's contents (`configurations:`). */
int ktconfig_from_json(struct ktconfig *out, const json_t *doc, struct diag *d);
/* The field specs a `crds:` OpenAPI definitions file declares (x-kubernetes-* extensions). */
int ktconfig_from_crd(struct ktconfig *out, const json_t *defs, struct diag *d);
/* into = into + in, sorted as kustomize sorts. */
int ktconfig_merge(struct ktconfig *into, const struct ktconfig *in, struct diag *d);

/*
 * Calls fn on the node(s) at fs's path in res if res's gvk matches fs:
 * parent is the object or array holding the node, key its key (NULL in an
 * array, then idx), value the node (NULL when it was created missing and
 * fs->create is off... never: missing nodes without create are skipped).
 * With create, missing maps on the way are made, and a missing last field
 * becomes a new node of create_kind (JSON_OBJECT or JSON_STRING) or, when
 * create_kind is JSON_NULL, is left to fn with value NULL.
 */
typedef int (*kfs_setfn)(json_t *parent, const char *key, size_t idx, json_t *value,
			 void *payload, struct diag *d);
int kfspec_apply(json_t *res, const struct kfspec *fs, int create_kind, kfs_setfn fn,
		 void *payload, struct diag *d);
/*
 * Containers a walk found, by depth, for the next walk over the same
 * resource to reuse instead of looking their keys up again: field specs of
 * one gvk share long prefixes (spec/template/spec/...). Valid only while no
 * container of the resource is replaced or removed (setters that change
 * scalar leaves only, and no create); zero it for each resource.
 */
#define KWALK_MEMO 8
struct kwalk_memo {
	struct {
		const json_t *parent;
		const char *key;
		size_t len;
		json_t *child;
	} at[KWALK_MEMO];
};
/* kfspec_apply with memo (create_kind must be negative). */
int kfspec_apply_memo(json_t *res, const struct kfspec *fs, kfs_setfn fn, void *payload,
		      struct kwalk_memo *memo, struct diag *d);
/* Whether res's apiVersion/kind match fs's gvk. */
int kfspec_matches(const json_t *res, const struct kfspec *fs);

/* ---- transformers (transform.c) ---- */

int kt_prefix_suffix(struct kresmap *m, const char *prefix, const char *suffix,
		     const struct kfslist *fss, struct diag *d);
int kt_labels(struct kresmap *m, const json_t *labels, const struct kfslist *fss,
	      struct diag *d);
int kt_annotations(struct kresmap *m, const json_t *annos, const struct kfslist *fss,
		   struct diag *d);
int kt_namespace(struct kresmap *m, const char *ns, const struct kfslist *fss,
		 const char *role_binding_mode, int unset_only, struct diag *d);
int kt_images(struct kresmap *m, const json_t *image, const struct kfslist *fss,
	      struct diag *d);
int kt_replicas(struct kresmap *m, const json_t *replica, const struct kfslist *fss,
		struct diag *d);
int kt_hash(struct kresmap *m, struct diag *d);
int kt_nameref(struct kresmap *m, const struct ktconfig *tc, struct diag *d);

/* ---- generators (generate.c) ---- */

struct ktarget;
/* Runs one configMapGenerator / secretGenerator entry; result appended to out. */
int kgen_configmap(struct kresmap *out, const struct kldr *l, const json_t *args,
		   const json_t *global_opts, int secret, struct diag *d);
/* kustomize's hash of a ConfigMap / Secret (10 characters + NUL). */
int kgen_hash(char out[11], const json_t *obj, struct diag *d);

/* ---- ValueAddTransformer (valueadd.c) ---- */

/* Runs a ValueAddTransformer config (borrowed) over m; l reads targetFilePath.
 * On error *config_failed says whether the config itself was refused. */
int kt_value_add(struct kresmap *m, const struct kldr *l, const json_t *cfg, int *config_failed,
		 struct diag *d);

/* ---- helmCharts (helm.c) ---- */

/* HelmChartInflationGenerator: inflates one helmCharts entry (chart, with
 * helmGlobals globals; both borrowed, either may be NULL) relative to l's
 * root through hydrate's Helm engine, appending the resources to out. */
int khelm_generate(struct kresmap *out, const struct kldr *l, const json_t *globals,
		   const json_t *chart, const struct kustomize_opts *o, struct diag *d);

/* ---- patches (patch.c) ---- */

/* Strategic merge of patch into *target (replaced by the result; maps of it
 * that nothing else holds are changed in place). schema: a custom OpenAPI
 * document (`openapi: path:`), or NULL for the built-in Kubernetes model. */
int kpatch_smp(json_t **target, const json_t *patch, const json_t *schema, int with_builtin,
	       struct diag *d);
/* kpatch_smp with a patch the merge may take apart: patch (a new reference,
 * or one the caller gives up) is consumed, also on error. */
int kpatch_smp_steal(json_t **target, json_t *patch, const json_t *schema, int with_builtin,
		     struct diag *d);
/* Whether an apiVersion belongs to Kubernetes' own API groups. */
int kpatch_builtin_group(const char *api_version);
/* RFC 6902 operations (a JSON array) applied to *target. */
int kpatch_json6902(json_t **target, const json_t *ops, struct diag *d);

/* ---- vars (vars.c) ---- */

/* ResAccumulator.MergeVars: records each var on the resource it names, adds it to set. */
int kvars_merge(json_t *set, const json_t *vars, struct kresmap *rm, struct diag *d);
/* Go's %v of a kustomization's vars list (for "merging vars ..." errors). */
void kvars_list_string(struct buf *b, const json_t *vars);
/* VarSet.MergeSet */
int kvars_merge_set(json_t *set, const json_t *other, struct diag *d);
/* ResolveVars: replaces $(NAME) in the varReference fields. */
int kvars_resolve(struct kresmap *rm, const json_t *set, const struct kfslist *varref,
		  struct diag *d);

/* ---- selectors (select.c) ---- */

/* The resources a patch target selects (array of borrowed pointers; free() it). */
int kselect(struct kres ***out, size_t *n, const struct kresmap *m, const json_t *target,
	    struct diag *d);

/* Matches s against an RE2-syntax pattern ("" matches anything), anchored or not. */
int kregex_match(const char *pattern, const char *s, int anchored, int *out, struct diag *d);
/* A selector's labelSelector and annotationSelector against a resource's metadata. */
int kselector_labels_match(const json_t *sel, const json_t *metadata, int *out, struct diag *d);

/* ---- replacements (replace.c) ---- */

int kt_replacements(struct kresmap *m, const json_t *list, struct diag *d);

/* ---- the build (build.c) ---- */

struct kbuild {
	const struct kfs *fs;
	const struct kustomize_opts *opts;
	int depth;
	size_t loads;        /* kustomizations accumulated so far (diamonds repeat them) */
	int schema_set;      /* the first openapi: field met decides (kyaml's SetSchema) */
	json_t *schema;      /* owned; a custom OpenAPI document, or NULL */
	int saw_custom_type; /* a resource of a non-Kubernetes type was loaded */
	int schema_builtin;  /* the built-in schema stays loaded beside the custom one */
};

#endif
