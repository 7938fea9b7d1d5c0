/*
 * The build: kustomize's KustTarget (api/internal/target/kusttarget.go) and
 * krusty.Kustomizer.Run, in the same order:
 *
 *   accumulate(dir):  resources (files, then directories recursively, each a
 *                     fresh accumulation merged in) -> configurations + CRDs ->
 *                     generators -> components (accumulated into this same
 *                     accumulation) -> transformers -> vars
 *   top level:        hash suffixes -> name references -> vars -> drop
 *                     local-config -> sort -> managed-by label -> strip build
 *                     annotations -> print
 */
#include "render/kustomize/internal.h"
#include "render/srcfile.h"
#include "render/value.h"
#include "render/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 64
#define MAX_LOADS 2000

struct kacc {
	struct kresmap rm;
	struct ktconfig tc;
	json_t *vars; /* object: name -> var */
};

struct ktarget {
	struct kbuild *b;
	const struct kldr *ldr;
	json_t *k;             /* the kustomization (owned) */
	const char *file_name; /* which recognized name it was read from */
	json_t *build_metadata; /* borrowed from the top kustomization */
	char *origin;           /* owned; NULL unless buildMetadata asks for origins */
};

#define ORIGIN_ANNO "config.kubernetes.io/origin"
#define TRANSFORMATIONS_ANNO "alpha.config.kubernetes.io/transformations"

/* resource.Origin as kyaml marshals it; item != 0 formats it as a list item. */
static void origin_yaml(struct buf *b, int item, const char *path, const char *configured_in,
			const char *api, const char *kind, const char *name, const char *ns)
{
	const char *first = item ? "- " : "", *ind = item ? "  " : "";
	int lines = 0;

	if (path && *path) {
		buf_addf(b, "%spath: %s\n", lines++ ? ind : first, path);
	}
	if (configured_in && *configured_in)
		buf_addf(b, "%sconfiguredIn: %s\n", lines++ ? ind : first, configured_in);
	if ((api && *api) || (kind && *kind) || (name && *name) || (ns && *ns)) {
		buf_addf(b, "%sconfiguredBy:\n", lines++ ? ind : first);
		if (api && *api)
			buf_addf(b, "%s  apiVersion: %s\n", ind, api);
		if (kind && *kind)
			buf_addf(b, "%s  kind: %s\n", ind, kind);
		if (name && *name)
			buf_addf(b, "%s  name: %s\n", ind, name);
		if (ns && *ns)
			buf_addf(b, "%s  namespace: %s\n", ind, ns);
	}
	if (!lines)
		buf_addf(b, "%s{}\n", first);
}

/* Records that a transformer ran: AddTransformerAnnotation on every resource. */
static int note_transformer(struct kresmap *m, const char *configured_in, const char *api,
			    const char *kind, const char *name, const char *ns)
{
	struct buf plain = BUF_INIT, item = BUF_INIT, all = BUF_INIT;
	int error = 0;

	origin_yaml(&plain, 0, NULL, configured_in, api, kind, name, ns);
	origin_yaml(&item, 1, NULL, configured_in, api, kind, name, ns);
	for (size_t i = 0; i < m->len && !error; i++) {
		struct kres *r = m->v[i];
		const char *cur = kres_annotation(r, TRANSFORMATIONS_ANNO);

		if (!kres_annotation(r, ORIGIN_ANNO)) {
			error = kres_set_annotation(r, ORIGIN_ANNO, plain.ptr);
			continue;
		}
		buf_reset(&all);
		if (cur)
			buf_adds(&all, cur);
		buf_add(&all, item.ptr, item.len);
		error = kres_set_annotation(r, TRANSFORMATIONS_ANNO, all.ptr);
	}
	buf_release(&plain);
	buf_release(&item);
	buf_release(&all);
	return error;
}

/* The origin of a builtin generator or transformer configured by this kustomization. */
static int note_builtin(struct ktarget *t, struct kresmap *m, const char *kind, struct diag *d)
{
	char *in;
	int error;

	if (!t->origin)
		return 0;
	if (!(in = kpath_join(t->origin, t->file_name)))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	error = note_transformer(m, in, "builtin", kind, NULL, NULL);
	free(in);
	return error < 0 ? diag_set(d, error, "out of memory") : 0;
}

/* The origin annotation's path field, or NULL. */
static char *origin_path_of(const struct kres *r)
{
	const char *o = kres_annotation(r, ORIGIN_ANNO), *p, *e;

	if (!o || !(p = strstr(o, "path: ")) || (p != o && p[-1] != '\n'))
		return NULL;
	p += 6;
	e = strchr(p, '\n');
	return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

static void kacc_release(struct kacc *a)
{
	kresmap_release(&a->rm);
	ktconfig_release(&a->tc);
	json_decref(a->vars);
	a->vars = NULL;
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* sigs.k8s.io/yaml goes through JSON: integral numbers print as integers. */
static json_t *integral_numbers(json_t *v)
{
	const char *k;
	json_t *c;
	size_t i;

	if (json_is_real(v)) {
		double x = json_real_value(v);

		if (x == (double)(json_int_t)x && x > -9.2e18 && x < 9.2e18)
			return json_integer((json_int_t)x);
		return json_incref(v);
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, c) json_object_set_new(v, k, integral_numbers(c));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) json_array_set_new(v, i, integral_numbers(c));
	}
	return json_incref(v);
}

/*
 * Parses one YAML document (a kustomization, a configuration file, a JSON
 * patch) as kustomize does, through sigs.k8s.io/yaml: go-yaml v2 typing
 * (yes/no are booleans, a repeated key's last value wins).
 */
static int parse_one(json_t **out, const char *name, const struct buf *text, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream ys = YSTREAM_INIT;
	const struct ydoc_limits lim = { .no_positions = 1 }; /* none are used */
	int error;

	*out = NULL;
	if (srcfile_set(&src, name, text->ptr, text->len) < 0)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((error = ystream_parse(&ys, &src, YDOC_HELM, &lim, d)) < 0) {
		kyaml_syntax_error(d, name, 0);
		goto done;
	}
	for (size_t i = 0; i < ys.ndocs; i++) {
		if (json_is_null(ys.docs[i].root))
			continue;
		*out = integral_numbers(ys.docs[i].root);
		break;
	}
	if (!*out)
		*out = json_null();
done:
	ystream_release(&ys);
	srcfile_release(&src);
	return error;
}

static const char *const kust_names[] = { "kustomization.yaml", "kustomization.yml",
					  "Kustomization" };

static const char *const known_fields[] = {
	"apiVersion", "kind", "metadata", "bases", "buildMetadata", "commonAnnotations",
	"commonLabels", "components", "configMapGenerator", "configurations", "crds",
	"generatorOptions", "generators", "helmChartInflationGenerator", "helmCharts",
	"helmGlobals", "imageTags", "images", "labels", "namePrefix", "nameSuffix", "namespace",
	"openapi", "patches", "patchesJson6902", "patchesStrategicMerge", "replacements",
	"replicas", "resources", "secretGenerator", "sortOptions", "transformers", "validators",
	"vars",
};

/* Go's encoding/json matches field names case-insensitively: "nameprefix" is
 * namePrefix. Renames obj's keys that match one of names that way. */
static void canonical_keys(json_t *obj, const char *const *names, size_t n)
{
	const char *key;
	json_t *v;
	void *tmp;

	if (!json_is_object(obj))
		return;
	json_object_foreach_safe(obj, tmp, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(key, names[i]))
				break;
		if (i < n)
			continue;
		for (i = 0; i < n; i++) {
			if (strcasecmp(key, names[i]) == 0) {
				json_object_set(obj, names[i], v);
				json_object_del(obj, key);
				break;
			}
		}
	}
}

static void canonical_kustomization(json_t *k)
{
	static const char *const var_fields[] = { "name", "objref", "fieldref" };
	static const char *const target_fields[] = { "apiVersion", "group", "version", "kind",
						     "name", "namespace" };
	static const char *const fieldref_fields[] = { "fieldPath" };
	json_t *vars = json_object_get(k, "vars"), *v;
	size_t i;

	canonical_keys(k, known_fields, sizeof(known_fields) / sizeof(known_fields[0]));
	json_array_foreach(vars, i, v) {
		canonical_keys(v, var_fields, 3);
		canonical_keys(json_object_get(v, "objref"), target_fields, 6);
		canonical_keys(json_object_get(v, "fieldref"), fieldref_fields, 1);
	}
}

/* The JSON type name Go's encoding/json reports. */
static const char *go_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	default: return "null";
	}
}

static int type_error(const json_t *v, const char *field, const char *want, struct diag *d)
{
	return diag_set(d, DIAG_EINVALID,
			"invalid Kustomization: json: cannot unmarshal %s into Go struct field %s of "
			"type %s", go_json_type(v), field, want);
}

/* v must be a string (or null). */
static int want_string(const json_t *v, const char *field, struct diag *d)
{
	return !v || json_is_null(v) || json_is_string(v) ? 0 : type_error(v, field, "string", d);
}

/* v must be a map of strings / a list of strings. */
static int want_string_map(const json_t *v, const char *field, struct diag *d)
{
	const char *k;
	json_t *e;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return type_error(v, field, "map[string]string", d);
	json_object_foreach((json_t *)v, k, e)
		if (want_string(e, field, d) < 0)
			return DIAG_EINVALID;
	return 0;
}

static int want_string_list(const json_t *v, const char *field, struct diag *d)
{
	size_t i;
	json_t *e;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return type_error(v, field, "[]string", d);
	json_array_foreach(v, i, e)
		if (want_string(e, field, d) < 0)
			return DIAG_EINVALID;
	return 0;
}

/* A field of a helm struct: its name and Go type ("string", "bool", "[]string",
 * "map[string]interface {}"). */
struct khelm_field {
	const char *name, *type;
};

static const struct khelm_field helm_chart_fields[] = {
	{ "name", "string" }, { "version", "string" }, { "repo", "string" },
	{ "releaseName", "string" }, { "namespace", "string" },
	{ "additionalValuesFiles", "[]string" }, { "valuesFile", "string" },
	{ "valuesInline", "map[string]interface {}" }, { "valuesMerge", "string" },
	{ "includeCRDs", "bool" }, { "skipHooks", "bool" }, { "apiVersions", "[]string" },
	{ "kubeVersion", "string" }, { "nameTemplate", "string" }, { "skipTests", "bool" },
	{ "debug", "bool" }, { "devel", "bool" },
};
static const struct khelm_field helm_globals_fields[] = {
	{ "chartHome", "string" }, { "configHome", "string" },
};
static const struct khelm_field helm_args_fields[] = {
	{ "chartName", "string" }, { "chartVersion", "string" }, { "chartRepoUrl", "string" },
	{ "chartHome", "string" }, { "chartRepoName", "string" }, { "helmBin", "string" },
	{ "helmHome", "string" }, { "values", "string" },
	{ "valuesLocal", "map[string]interface {}" }, { "valuesMerge", "string" },
	{ "releaseName", "string" }, { "releaseNamespace", "string" }, { "extraArgs", "[]string" },
};

/* One helm struct (type.field names its fields in messages): Go's decoder with
 * unknown fields disallowed; names match case-insensitively. */
static int check_helm_struct(json_t *obj, const struct khelm_field *fs, size_t n,
			     const char *type, const char *field, struct diag *d)
{
	const char *names[32], *key;
	struct buf f = BUF_INIT;
	json_t *v;
	int error = 0;

	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj)) {
		buf_addf(&f, "types.%s", type);
		buf_addf(&f, "%cKustomization.%s", '\0', field);
		error = type_error(obj, f.ptr + strlen(f.ptr) + 1, f.ptr, d);
		buf_release(&f);
		return error;
	}
	for (size_t i = 0; i < n && i < 32; i++)
		names[i] = fs[i].name;
	canonical_keys(obj, names, n);
	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(key, fs[i].name))
				break;
		if (i == n) {
			error = diag_set(d, DIAG_EINVALID,
					 "invalid Kustomization: json: unknown field \"%s\"", key);
			break;
		}
		buf_reset(&f);
		buf_addf(&f, "%s.%s.%s", type, field, key);
		if (json_is_null(v))
			continue;
		if (!strcmp(fs[i].type, "string"))
			error = want_string(v, f.ptr, d);
		else if (!strcmp(fs[i].type, "[]string"))
			error = want_string_list(v, f.ptr, d);
		else if (!strcmp(fs[i].type, "bool") && !json_is_boolean(v))
			error = type_error(v, f.ptr, "bool", d);
		else if (fs[i].type[0] == 'm' && !json_is_object(v))
			error = type_error(v, f.ptr, fs[i].type, d);
		if (error < 0)
			break;
	}
	buf_release(&f);
	return error;
}

/* helmGlobals, helmCharts and helmChartInflationGenerator as Go decodes them. */
static int check_helm_types(const json_t *k, struct diag *d)
{
	static const struct {
		const char *field, *type;
		const struct khelm_field *fs;
		size_t n;
	} lists[] = {
		{ "helmCharts", "HelmChart", helm_chart_fields,
		  sizeof(helm_chart_fields) / sizeof(helm_chart_fields[0]) },
		{ "helmChartInflationGenerator", "HelmChartArgs", helm_args_fields,
		  sizeof(helm_args_fields) / sizeof(helm_args_fields[0]) },
	};
	int error = check_helm_struct(json_object_get(k, "helmGlobals"), helm_globals_fields, 2,
				      "HelmGlobals", "helmGlobals", d);

	for (size_t l = 0; l < 2 && !error; l++) {
		json_t *list = json_object_get(k, lists[l].field), *e;
		size_t i;
		struct buf t = BUF_INIT;

		if (!list || json_is_null(list))
			continue;
		if (!json_is_array(list)) {
			buf_addf(&t, "[]types.%s", lists[l].type);
			buf_addf(&t, "%cKustomization.%s", '\0', lists[l].field);
			error = type_error(list, t.ptr + strlen(t.ptr) + 1, t.ptr, d);
			buf_release(&t);
			break;
		}
		json_array_foreach(list, i, e)
			if (!error)
				error = check_helm_struct(e, lists[l].fs, lists[l].n, lists[l].type,
							  lists[l].field, d);
	}
	return error;
}

/* Go's json.Decode into types.Kustomization refuses mistyped fields; the common ones. */
static int check_kustomization_types(const json_t *k, struct diag *d)
{
	static const char *const strings[] = { "namePrefix", "nameSuffix", "namespace" };
	static const char *const maps[] = { "commonLabels", "commonAnnotations" };
	static const char *const lists[] = { "resources", "bases", "components", "crds",
					     "configurations", "generators", "transformers",
					     "validators", "patchesStrategicMerge", "buildMetadata" };
	static const char *const gens[][2] = { { "configMapGenerator", "ConfigMapArgs" },
					       { "secretGenerator", "SecretArgs" } };
	struct buf f = BUF_INIT;
	json_t *e;
	size_t i;
	int error = 0;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]) && !error; i++) {
		buf_reset(&f);
		buf_addf(&f, "Kustomization.%s", strings[i]);
		error = want_string(json_object_get(k, strings[i]), f.ptr, d);
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]) && !error; i++) {
		buf_reset(&f);
		buf_addf(&f, "Kustomization.%s", maps[i]);
		error = want_string_map(json_object_get(k, maps[i]), f.ptr, d);
	}
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && !error; i++) {
		buf_reset(&f);
		buf_addf(&f, "Kustomization.%s", lists[i]);
		error = want_string_list(json_object_get(k, lists[i]), f.ptr, d);
	}
	json_array_foreach(json_object_get(k, "images"), i, e) {
		static const char *const fs[] = { "name", "newName", "newTag", "digest", "tagSuffix" };

		for (size_t j = 0; j < 5 && !error; j++) {
			buf_reset(&f);
			buf_addf(&f, "Image.images.%s", fs[j]);
			error = want_string(json_object_get(e, fs[j]), f.ptr, d);
		}
	}
	json_array_foreach(json_object_get(k, "replicas"), i, e) {
		json_t *c = json_object_get(e, "count");

		if (!error)
			error = want_string(json_object_get(e, "name"), "Replica.replicas.name", d);
		if (!error && c && !json_is_null(c) && !json_is_integer(c))
			error = type_error(c, "Replica.replicas.count", "int64", d);
	}
	json_array_foreach(json_object_get(k, "labels"), i, e)
		if (!error)
			error = want_string_map(json_object_get(e, "pairs"), "Label.labels.pairs", d);
	if (!error) {
		json_t *go = json_object_get(k, "generatorOptions");

		error = want_string_map(json_object_get(go, "labels"),
					"GeneratorOptions.generatorOptions.labels", d);
		if (!error)
			error = want_string_map(json_object_get(go, "annotations"),
						"GeneratorOptions.generatorOptions.annotations", d);
	}
	for (size_t g = 0; g < 2 && !error; g++) {
		json_array_foreach(json_object_get(k, gens[g][0]), i, e) {
			static const char *const srcs[] = { "literals", "files", "envs" };
			json_t *opts = json_object_get(e, "options");

			for (size_t j = 0; j < 3 && !error; j++) {
				buf_reset(&f);
				buf_addf(&f, "%s.%s.GeneratorArgs.KvPairSources.%s", gens[g][1], gens[g][0],
					 srcs[j]);
				error = want_string_list(json_object_get(e, srcs[j]), f.ptr, d);
			}
			if (!error) {
				buf_reset(&f);
				buf_addf(&f, "GeneratorOptions.%s.GeneratorArgs.options.labels", gens[g][0]);
				error = want_string_map(json_object_get(opts, "labels"), f.ptr, d);
			}
			if (!error) {
				buf_reset(&f);
				buf_addf(&f, "GeneratorOptions.%s.GeneratorArgs.options.annotations",
					 gens[g][0]);
				error = want_string_map(json_object_get(opts, "annotations"), f.ptr, d);
			}
		}
	}
	buf_release(&f);
	return error ? error : check_helm_types(k, d);
}

/* KustTarget.Load: find, parse, fix and check the kustomization file. */
static int target_load(struct ktarget *t, struct diag *d)
{
	struct buf text = BUF_INIT, one = BUF_INIT;
	struct diag ignore = DIAG_INIT;
	const char *found = NULL;
	json_t *k = NULL, *v;
	const char *key;
	int matches = 0, error = 0;

	for (size_t i = 0; i < sizeof(kust_names) / sizeof(kust_names[0]); i++) {
		diag_clear(&ignore);
		if (kldr_load(t->ldr, kust_names[i], &one, &ignore) == 0) {
			matches++;
			found = kust_names[i];
			buf_set(&text, one.ptr, one.len);
		}
	}
	diag_release(&ignore);
	if (matches == 0) {
		error = diag_set(d, DIAG_ENOTFOUND,
				 "unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
				 "'Kustomization' in directory '%s'", t->ldr->root);
		goto done;
	}
	if (matches > 1) {
		error = diag_set(d, DIAG_EINVALID, "Found multiple kustomization files under: %s\n",
				 t->ldr->root);
		goto done;
	}
	if ((error = parse_one(&k, found, &text, d)) < 0) {
		diag_prefix(d, "invalid Kustomization");
		goto done;
	}
	if (json_is_null(k)) {
		json_decref(k);
		k = json_object();
	}
	if (!json_is_object(k)) {
		error = diag_set(d, DIAG_EINVALID,
				 "invalid Kustomization: json: cannot unmarshal %s into Go value of type "
				 "types.Kustomization", json_is_array(k) ? "array" : "string");
		goto done;
	}
	canonical_kustomization(k);
	if ((error = check_kustomization_types(k, d)) < 0)
		goto done;
	json_object_foreach(k, key, v) {
		size_t i;

		for (i = 0; i < sizeof(known_fields) / sizeof(known_fields[0]); i++)
			if (strcmp(key, known_fields[i]) == 0)
				break;
		if (i == sizeof(known_fields) / sizeof(known_fields[0])) {
			error = diag_set(d, DIAG_EINVALID,
					 "invalid Kustomization: json: unknown field \"%s\"", key);
			goto done;
		}
	}
	{
		const char *kind = jstr(k, "kind"), *av = jstr(k, "apiVersion");
		struct buf errs = BUF_INIT;
		int is_comp = strcmp(kind, "Component") == 0;

		if (*kind && strcmp(kind, "Kustomization") != 0 && !is_comp)
			buf_adds(&errs, "kind should be Kustomization or Component");
		if (*av && strcmp(av, is_comp ? "kustomize.config.k8s.io/v1alpha1" :
				  "kustomize.config.k8s.io/v1beta1") != 0) {
			if (errs.len)
				buf_addch(&errs, '\n');
			buf_addf(&errs, "apiVersion for %s should be %s", *kind ? kind : "Kustomization",
				 is_comp ? "kustomize.config.k8s.io/v1alpha1" :
				 "kustomize.config.k8s.io/v1beta1");
		}
		if (errs.len) {
			error = diag_set(d, DIAG_EINVALID,
					 "Failed to read kustomization file under %s:\n%s",
					 t->ldr->root, errs.ptr);
			buf_release(&errs);
			goto done;
		}
		buf_release(&errs);
	}
	/* CheckDeprecatedFields */
	if (t->b->opts->warnings) {
		static const char *const dep[][2] = {
			{ "bases", "'bases' is deprecated. Please use 'resources' instead." },
			{ "commonLabels", "'commonLabels' is deprecated. Please use 'labels' instead." },
			{ "imageTags", "'imageTags' is deprecated. Please use 'images' instead." },
			{ "patchesJson6902", "'patchesJson6902' is deprecated. Please use 'patches' instead." },
			{ "patchesStrategicMerge",
			  "'patchesStrategicMerge' is deprecated. Please use 'patches' instead." },
			{ "vars", "'vars' is deprecated. Please use 'replacements' instead." },
		};

		for (size_t i = 0; i < sizeof(dep) / sizeof(dep[0]); i++) {
			json_t *dv = json_object_get(k, dep[i][0]);

			if (!dv || json_is_null(dv))
				continue;
			buf_addf(t->b->opts->warnings, "# Warning: %s %sRun 'kustomize edit fix' to update "
				 "your Kustomization automatically.\n", dep[i][1],
				 !strcmp(dep[i][0], "vars") ? "[EXPERIMENTAL] " : "");
		}
	}
	/* FixKustomization: bases join resources, imageTags join images. */
	{
		json_t *res = json_object_get(k, "resources"), *bases = json_object_get(k, "bases");

		if (json_is_array(bases) && json_array_size(bases)) {
			if (!json_is_array(res)) {
				res = json_array();
				json_object_set_new(k, "resources", res);
			}
			json_array_extend(res, bases);
		}
		json_object_del(k, "bases");
	}
	{
		/* helmChartInflationGenerator (HelmChartArgs) joins helmCharts. */
		json_t *old = json_object_get(k, "helmChartInflationGenerator"), *a;
		json_t *charts = json_object_get(k, "helmCharts"), *globals = json_object();
		size_t i;

		json_array_foreach(old, i, a) {
			static const char *const map[][2] = {
				{ "chartName", "name" }, { "chartVersion", "version" },
				{ "chartRepoUrl", "repo" }, { "values", "valuesFile" },
				{ "valuesLocal", "valuesInline" }, { "valuesMerge", "valuesMerge" },
				{ "releaseName", "releaseName" },
			};
			json_t *c = json_object();

			if (!json_is_array(charts)) {
				charts = json_array();
				json_object_set_new(k, "helmCharts", charts);
			}
			for (size_t m = 0; c && m < sizeof(map) / sizeof(map[0]); m++) {
				json_t *f = json_object_get(a, map[m][0]);

				if (f && !json_is_null(f))
					json_object_set(c, map[m][1], f);
			}
			json_array_append_new(charts, c);
			if (*jstr(a, "helmHome"))
				json_object_set(globals, "configHome", json_object_get(a, "helmHome"));
			if (*jstr(a, "chartHome"))
				json_object_set(globals, "chartHome", json_object_get(a, "chartHome"));
		}
		a = json_object_get(k, "helmGlobals");
		if (json_object_size(globals) && (!a || json_is_null(a)))
			json_object_set(k, "helmGlobals", globals);
		json_decref(globals);
		json_object_del(k, "helmChartInflationGenerator");
	}
	{
		json_t *im = json_object_get(k, "images"), *tags = json_object_get(k, "imageTags");

		if (json_is_array(tags) && json_array_size(tags)) {
			if (!json_is_array(im)) {
				im = json_array();
				json_object_set_new(k, "images", im);
			}
			json_array_extend(im, tags);
		}
		json_object_del(k, "imageTags");
	}
	{
		size_t n = 0;
		const char *kk;
		json_t *vv;

		json_object_foreach(k, kk, vv) {
			/* reflect.DeepEqual with an empty Kustomization: zero scalars are
			 * empty, empty lists and maps are not (they are non-nil). */
			if (strcmp(kk, "apiVersion") != 0 && strcmp(kk, "kind") != 0 &&
			    !json_is_null(vv) && !json_is_false(vv) &&
			    !(json_is_string(vv) && json_string_length(vv) == 0) &&
			    !(json_is_integer(vv) && json_integer_value(vv) == 0))
				n++;
		}
		if (n == 0) {
			error = diag_set(d, DIAG_EINVALID, "kustomization.yaml is empty");
			goto done;
		}
	}
	t->k = k;
	k = NULL;
	t->file_name = found;
done:
	json_decref(k);
	buf_release(&text);
	buf_release(&one);
	return error;
}

static int accumulate_target(struct ktarget *t, struct kacc *ra, struct diag *d);
static int run_plugins(struct ktarget *t, struct kacc *ra, const char *field, int generator,
		       struct diag *d);

/*
 * openapi.SetSchema: the first kustomization (top first, then depth-first)
 * naming a schema decides for the whole build. Its file must load even when
 * another schema was already chosen.
 */
static int set_schema(struct kbuild *b, const struct kldr *l, const json_t *k, struct diag *d)
{
	const json_t *openapi = json_object_get(k, "openapi");
	const char *path = jstr(openapi, "path"), *version = jstr(openapi, "version");
	struct buf text = BUF_INIT;
	json_t *doc = NULL;
	int error = 0;

	if (*path && (error = kldr_load(l, path, &text, d)) < 0)
		goto done;
	if (b->schema_set || (!*path && !*version))
		goto done;
	if (*path && *version) {
		error = diag_set(d, DIAG_EINVALID,
				 "builtin version and custom schema provided, cannot use both");
		goto done;
	}
	if (*version) {
		if (strcmp(version, "v1.21.2") != 0)
			error = diag_set(d, DIAG_EINVALID, "the specified OpenAPI version is not built in");
		b->schema_set = 1;
		goto done;
	}
	if ((error = parse_one(&doc, path, &text, d)) < 0) {
		diag_prefix(d, "invalid schema file");
		goto done;
	}
	b->schema = doc;
	doc = NULL;
	b->schema_set = 1;
	b->schema_builtin = b->saw_custom_type;
done:
	json_decref(doc);
	buf_release(&text);
	return error;
}

/* accumulateDirectory; ids: NULL or kidx_add_cur of every resource of ra->rm. */
static int accumulate_directory(struct ktarget *t, struct kacc *ra, const struct kldr *sub,
				const char *entry, int is_component, struct kidx *ids,
				struct diag *d)
{
	struct ktarget st = { t->b, sub, NULL, NULL, t->build_metadata,
			      t->origin ? kpath_join(t->origin, entry) : NULL };
	struct kacc fresh = { 0 };
	int error;

	if (t->b->depth >= MAX_DEPTH) {
		error = diag_set(d, DIAG_ELIMIT, "kustomizations nested deeper than %d", MAX_DEPTH);
		goto done;
	}
	/* Bases shared in diamonds are built once per use, as kustomize does; bound
	 * the total so a deep diamond cannot run for ever. */
	if (++t->b->loads > MAX_LOADS) {
		error = diag_set(d, DIAG_ELIMIT, "more than %d kustomizations to build", MAX_LOADS);
		goto done;
	}
	if ((t->origin && !st.origin) || !(fresh.vars = json_object())) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = target_load(&st, d)) < 0) {
		diag_prefix(d, "couldn't make target for path '%s'", sub->root);
		goto done;
	}
	if ((error = set_schema(t->b, sub, st.k, d)) < 0)
		goto done;
	if (is_component && strcmp(jstr(st.k, "kind"), "Component") != 0) {
		error = diag_set(d, DIAG_EINVALID,
				 "expected kind 'Component' for path '%s' but got '%s'", sub->root,
				 *jstr(st.k, "kind") ? jstr(st.k, "kind") : "Kustomization");
		goto done;
	}
	if (!is_component && strcmp(jstr(st.k, "kind"), "Component") == 0) {
		error = diag_set(d, DIAG_EINVALID, "expected kind != 'Component' for path '%s'",
				 sub->root);
		goto done;
	}
	t->b->depth++;
	if (is_component) {
		error = accumulate_target(&st, ra, d);
	} else {
		error = accumulate_target(&st, &fresh, d);
	}
	t->b->depth--;
	if (error < 0) {
		diag_prefix(d, "recursed accumulation of path '%s'", sub->root);
		goto done;
	}
	if (!is_component) {
		if ((error = kresmap_append_all_indexed(&ra->rm, &fresh.rm, ids, d)) < 0 ||
		    (error = ktconfig_merge(&ra->tc, &fresh.tc, d)) < 0) {
			diag_prefix(d, "recursed merging from path '%s'", sub->root);
			goto done;
		}
		if (fresh.vars && (error = kvars_merge_set(ra->vars, fresh.vars, d)) < 0) {
			diag_prefix(d, "recursed merging from path '%s'", sub->root);
			goto done;
		}
	}
done:
	kacc_release(&fresh);
	json_decref(st.k);
	free(st.origin);
	return error;
}

/* accumulateFile: the resources of one file. */
static int accumulate_file(struct ktarget *t, struct kacc *ra, const char *path, int *malformed,
			   struct kidx *ids, struct diag *d)
{
	struct buf text = BUF_INIT;
	struct kresmap rm = KRESMAP_INIT;
	int error;

	*malformed = 0;
	if ((error = kldr_load(t->ldr, path, &text, d)) < 0)
		goto fail;
	if ((error = kres_parse_stream_buf(&rm, path, &text, t->b->opts->threads, d)) < 0) {
		*malformed = error == DIAG_EPARSE;
		goto fail;
	}
	for (size_t i = 0; i < rm.len; i++)
		if (!kpatch_builtin_group(kres_api_version(rm.v[i])))
			t->b->saw_custom_type = 1;
	if (t->origin) {
		char *op = kpath_join(t->origin, path);
		struct buf anno = BUF_INIT;

		origin_yaml(&anno, 0, op, NULL, NULL, NULL, NULL, NULL);
		for (size_t i = 0; i < rm.len && op; i++)
			kres_set_annotation(rm.v[i], ORIGIN_ANNO, anno.ptr);
		free(op);
		buf_release(&anno);
	}
	if ((error = kresmap_append_all_indexed(&ra->rm, &rm, ids, d)) < 0) {
		diag_prefix(d, "merging resources from '%s'", path);
		kresmap_release(&rm);
		return error;
	}
	return 0;
fail:
	diag_prefix(d, "accumulating resources from '%s'", path);
	buf_release(&text);
	kresmap_release(&rm);
	return error;
}

static int accumulate_resources(struct ktarget *t, struct kacc *ra, json_t *paths,
				struct diag *d)
{
	struct kidx ids = KIDX_INIT; /* the current ids of ra->rm, kept up to date */
	size_t i;
	json_t *p;
	int error = 0;

	for (i = 0; i < ra->rm.len; i++)
		if (kidx_add_cur(&ids, ra->rm.v[i], i) < 0) {
			kidx_release(&ids);
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
	json_array_foreach(paths, i, p) {
		const char *path = json_is_string(p) ? json_string_value(p) : "";
		struct diag derr = DIAG_INIT;
		struct kldr sub = { NULL, NULL, NULL, KUSTOMIZE_LOAD_ROOT_ONLY };
		int malformed = 0;

		if (kldr_is_remote(path) && (strncmp(path, "http://", 7) == 0 ||
					     strncmp(path, "https://", 8) == 0)) {
			error = diag_set(d, DIAG_EINVALID,
					 "hydrate does not fetch remote resources: '%s'", path);
			goto done;
		}
		if (accumulate_file(t, ra, path, &malformed, &ids, &derr) == 0) {
			diag_release(&derr);
			continue;
		}
		if (derr.code == DIAG_ENOMEM || derr.code == DIAG_ELIMIT) {
			error = diag_set(d, derr.code, "%s", derr.msg.ptr);
			diag_release(&derr);
			goto done;
		}
		if ((error = kldr_new(&sub, t->ldr, path, d)) < 0) {
			if (malformed) {
				error = diag_set(d, derr.code, "%s", derr.msg.ptr);
			} else {
				diag_prefix(d, "accumulation err='%s'", derr.msg.ptr);
			}
			diag_release(&derr);
			goto done;
		}
		error = accumulate_directory(t, ra, &sub, path, 0, &ids, d);
		if (error < 0)
			diag_prefix(d, "accumulation err='%s'", derr.msg.ptr);
		diag_release(&derr);
		kldr_release(&sub);
		if (error < 0)
			goto done;
	}
	error = 0;
done:
	kidx_release(&ids);
	return error;
}

/* Replaces d's message by prefix + Go's %q of it (fmt.Errorf("...%q", err)). */
static int diag_wrap_quoted(struct diag *d, const char *prefix, int code)
{
	struct buf q = BUF_INIT;
	const unsigned char *p;

	if (!d)
		return code;
	buf_adds(&q, prefix);
	buf_addch(&q, '"');
	for (p = (const unsigned char *)d->msg.ptr; *p; p++) {
		switch (*p) {
		case '"': buf_adds(&q, "\\\""); break;
		case '\\': buf_adds(&q, "\\\\"); break;
		case '\n': buf_adds(&q, "\\n"); break;
		case '\t': buf_adds(&q, "\\t"); break;
		case '\r': buf_adds(&q, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_addf(&q, "\\x%02x", *p);
			else
				buf_addch(&q, (char)*p);
		}
	}
	buf_addch(&q, '"');
	buf_set(&d->msg, q.ptr, q.len);
	buf_release(&q);
	return code;
}

static int accumulate_components(struct ktarget *t, struct kacc *ra, json_t *paths,
				 struct diag *d)
{
	size_t i;
	json_t *p;
	int error = 0;

	json_array_foreach(paths, i, p) {
		const char *path = json_is_string(p) ? json_string_value(p) : "";
		struct kldr sub = { NULL, NULL, NULL, KUSTOMIZE_LOAD_ROOT_ONLY };

		if ((error = kldr_new(&sub, t->ldr, path, d)) < 0)
			return diag_wrap_quoted(d, "loader.New ", error);
		error = accumulate_directory(t, ra, &sub, path, 1, NULL, d);
		kldr_release(&sub);
		if (error < 0)
			return diag_wrap_quoted(d, "accumulateDirectory: ", error);
	}
	return 0;
}

/* ---- transformer configuration ---- */

static int make_tconfig(struct ktarget *t, struct ktconfig *out, struct diag *d)
{
	json_t *paths = json_object_get(t->k, "configurations"), *p;
	struct ktconfig user = { 0 };
	struct buf text = BUF_INIT;
	size_t i;
	int error;

	if ((error = ktconfig_default(out, d)) < 0)
		return error;
	json_array_foreach(paths, i, p) {
		json_t *doc = NULL;
		struct ktconfig one = { 0 };

		if (!json_is_string(p))
			continue;
		if ((error = kldr_load(t->ldr, json_string_value(p), &text, d)) < 0 ||
		    (error = parse_one(&doc, json_string_value(p), &text, d)) < 0 ||
		    (error = ktconfig_from_json(&one, doc, d)) < 0) {
			json_decref(doc);
			goto done;
		}
		json_decref(doc);
		error = ktconfig_merge(&user, &one, d);
		ktconfig_release(&one);
		if (error < 0)
			goto done;
	}
	error = ktconfig_merge(out, &user, d);
done:
	ktconfig_release(&user);
	buf_release(&text);
	if (error < 0)
		ktconfig_release(out);
	return error;
}

/* ---- generators ---- */

/* Absorbs a generator's resources, giving them its origin when asked for. */
static int absorb_generated(struct ktarget *t, struct kacc *ra, struct kresmap *out,
			    const char *kind, struct diag *d)
{
	int error;

	if (t->origin) {
		char *in = kpath_join(t->origin, t->file_name);
		struct buf anno = BUF_INIT;

		origin_yaml(&anno, 0, NULL, in, "builtin", kind, NULL, NULL);
		for (size_t j = 0; j < out->len && in; j++)
			if (!kres_annotation(out->v[j], ORIGIN_ANNO))
				kres_set_annotation(out->v[j], ORIGIN_ANNO, anno.ptr);
		free(in);
		buf_release(&anno);
	}
	for (size_t j = 0; j < out->len; j++) {
		struct kres *r = out->v[j];

		out->v[j] = NULL;
		if ((error = kresmap_absorb(&ra->rm, r, d)) < 0)
			return error;
	}
	return 0;
}

/* helmCharts, after configMapGenerator and secretGenerator (kustomize's order). */
static int run_helm_charts(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	json_t *charts = json_object_get(t->k, "helmCharts"), *chart;
	json_t *globals = json_object_get(t->k, "helmGlobals");
	size_t i;
	int error = 0;

	json_array_foreach(charts, i, chart) {
		struct kresmap out = KRESMAP_INIT;

		if ((error = khelm_generate(&out, t->ldr, globals, chart, t->b->opts, d)) == 0)
			error = absorb_generated(t, ra, &out, "HelmChartInflationGenerator", d);
		kresmap_release(&out);
		if (error < 0)
			return error;
	}
	return 0;
}

static int run_generators(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	static const char *const fields[] = { "configMapGenerator", "secretGenerator" };
	json_t *gopts = json_object_get(t->k, "generatorOptions");
	struct kidx ids = KIDX_INIT; /* every id of ra->rm, kept up to date */
	int error = 0, any = json_array_size(json_object_get(t->k, fields[0])) > 0 ||
			     json_array_size(json_object_get(t->k, fields[1])) > 0;

	if (any && kidx_reserve(&ids, ra->rm.len) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; any && i < ra->rm.len; i++)
		if (kidx_add_res(&ids, ra->rm.v[i], i) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	for (int s = 0; s < 2; s++) {
		json_t *list = json_object_get(t->k, fields[s]), *args;
		size_t i;

		json_array_foreach(list, i, args) {
			struct kresmap out = KRESMAP_INIT;

			if ((error = kgen_configmap(&out, t->ldr, args, gopts, s, d)) < 0) {
				kresmap_release(&out);
				goto done;
			}
			if (t->origin) {
				char *in = kpath_join(t->origin, t->file_name);
				struct buf anno = BUF_INIT;

				origin_yaml(&anno, 0, NULL, in, "builtin",
					    s ? "SecretGenerator" : "ConfigMapGenerator", NULL, NULL);
				for (size_t j = 0; j < out.len && in; j++)
					if (!kres_annotation(out.v[j], ORIGIN_ANNO))
						kres_set_annotation(out.v[j], ORIGIN_ANNO, anno.ptr);
				free(in);
				buf_release(&anno);
			}
			for (size_t j = 0; j < out.len; j++) {
				struct kres *r = out.v[j];

				out.v[j] = NULL;
				if ((error = kresmap_absorb_indexed(&ra->rm, r, &ids, d)) < 0) {
					kresmap_release(&out);
					goto done;
				}
			}
			kresmap_release(&out);
		}
	}
done:
	kidx_release(&ids);
	return error < 0 ? error : run_helm_charts(t, ra, d);
}

/* ---- patches ---- */

/* GetById(patch.OrgId()): the one resource any of whose ids equals id, looked up
 * in idx (kidx_add_res of every resource of m). */
static int find_by_any_id(size_t *out, const struct kidx *idx, const struct kid *id,
			  struct diag *d)
{
	struct buf s = BUF_INIT;
	const size_t *at;
	size_t n = 0;

	kid_key(&s, id);
	if (buf_oom(&s)) {
		buf_release(&s);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	at = kidx_get(idx, s.ptr, &n);
	if (n == 1) {
		*out = at[0];
		buf_release(&s);
		return 0;
	}
	buf_reset(&s);
	kid_string(&s, id);
	diag_set(d, DIAG_ENOTFOUND, "%s for Id %s; failed to find unique target for patch %s",
		 n > 1 ? "multiple matches" : "no matches", s.ptr, s.ptr);
	buf_release(&s);
	return DIAG_ENOTFOUND;
}

/* Resource.ApplySmPatch; *deleted set when the patch deleted the target. */
/* consume: the caller frees patch without looking at it again, so its tree
 * (when nothing else holds it) is taken instead of copied. */
static int apply_smp(struct kres *target, struct kres *patch, int consume, const json_t *schema,
		     int schema_builtin, int *deleted, struct diag *d)
{
	char *name = strdup(kres_name(target)), *ns = strdup(kres_namespace(target));
	char *kind = strdup(kres_kind(target));
	json_t *p = NULL;
	int allow_name = kres_annotation(patch, KANNO_ALLOW_NAME_CHANGE) != NULL;
	int allow_kind = kres_annotation(patch, KANNO_ALLOW_KIND_CHANGE) != NULL;
	int error = 0;

	*deleted = 0;
	if (!name || !ns || !kind) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((allow_name || allow_kind) && (error = kres_store_previous_id(target)) < 0)
		goto done;
	/* The patch takes the target's apiVersion; its build annotations stay out. */
	if (consume && patch->obj && patch->obj->refcount == 1) {
		p = patch->obj;
		patch->obj = NULL;
	} else if (!(p = json_deep_copy(patch->obj))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	json_object_set(p, "apiVersion", json_object_get(target->obj, "apiVersion"));
	{
		struct kres tmp = { p, NULL, 0 };

		kres_remove_build_annotations(&tmp);
	}
	error = kpatch_smp_steal(&target->obj, p, schema, schema_builtin, d);
	p = NULL;
	if (error < 0)
		goto done;
	if (!target->obj || json_is_null(target->obj) ||
	    (json_is_object(target->obj) && json_object_size(target->obj) == 0)) {
		*deleted = 1;
		goto done;
	}
	if (!allow_kind)
		json_object_set_new(target->obj, "kind", json_string(kind));
	if (!allow_name)
		kres_set_name(target, name);
	kres_set_namespace(target, ns);
done:
	json_decref(p);
	free(name);
	free(ns);
	free(kind);
	return error;
}

/* configureBuiltinPlugin's wrapping of a plugin's configuration error. */
static int config_error(struct diag *d, int code, const char *kind, const json_t *config)
{
	struct buf y = BUF_INIT;
	struct diag ignore = DIAG_INIT;

	if (config)
		value_to_yaml(&y, config, &ignore);
	diag_prefix(d, "trouble configuring builtin %s with config: `\n%s`", kind, y.ptr);
	buf_release(&y);
	diag_release(&ignore);
	return code;
}

/* A JSON 6902 patch; kustomize's internal annotations survive it. */
static int json6902_keep_internal(struct kres *r, const json_t *ops, struct diag *d)
{
	json_t *keep = json_deep_copy(kres_annotations(r));
	int error;

	if ((error = kpatch_json6902(&r->obj, ops, d)) < 0) {
		json_decref(keep);
		return error;
	}
	if (keep) {
		const char *k;
		json_t *v;

		json_object_foreach(keep, k, v) {
			if (strncmp(k, KANNO_PREFIX, strlen(KANNO_PREFIX)) == 0 &&
			    json_is_string(v) && kres_set_annotation(r, k, json_string_value(v)) < 0) {
				json_decref(keep);
				return diag_set(d, DIAG_ENOMEM, "out of memory");
			}
		}
		json_decref(keep);
	}
	return 0;
}

/* Parses patch text; *is_yaml_map tells whether it held resources. */
static int load_patch_resources(struct kresmap *out, const char *name, const char *text,
				size_t len, struct diag *d)
{
	return kres_parse_stream(out, name, text, len, 0, d);
}

/* Applies each of patches to the resource its original id names; patches
 * are taken apart (apply_smp's consume): the caller only frees them. */
static int patch_by_ids(struct kresmap *m, struct kresmap *patches, const char *what,
			const json_t *schema, int schema_builtin, struct diag *d)
{
	struct kidx idx = KIDX_INIT;
	int error = 0, removed = 0;

	/* Every id of every resource, kept up to date as patches change them; a
	 * deleted resource leaves a hole in m until the end. */
	if (patches->len > 0 && kidx_reserve(&idx, m->len) < 0) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < m->len && patches->len > 0; i++)
		if (kidx_add_res(&idx, m->v[i], i) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	for (size_t i = 0; i < patches->len; i++) {
		struct kid org = KID_INIT;
		size_t at = 0;
		int deleted = 0;

		if ((error = kres_org_id(&org, patches->v[i])) < 0) {
			error = diag_set(d, error, "out of memory");
			goto done;
		}
		if ((error = find_by_any_id(&at, &idx, &org, d)) < 0) {
			if (what) {
				struct buf s = BUF_INIT;

				kid_string(&s, &org);
				diag_prefix(d, "no resource matches strategic merge patch \"%s\"", s.ptr);
				buf_release(&s);
			}
			kid_release(&org);
			goto done;
		}
		kid_release(&org);
		if (kidx_del_res(&idx, m->v[at], at) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if ((error = apply_smp(m->v[at], patches->v[i], 1, schema, schema_builtin, &deleted,
				       d)) < 0)
			goto done;
		if (deleted) {
			kres_free(m->v[at]);
			m->v[at] = NULL;
			removed = 1;
		} else if (kidx_add_res(&idx, m->v[at], at) < 0) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
done:
	if (removed) {
		size_t k = 0;

		for (size_t i = 0; i < m->len; i++)
			if (m->v[i])
				m->v[k++] = m->v[i];
		m->len = k;
	}
	kidx_release(&idx);
	return error;
}

/* PatchStrategicMergeTransformer: the patches of list (inline YAML or paths),
 * then those of the YAML stream extra (NULL: none), each applied by id. */
static int run_smp_list(struct ktarget *t, struct kacc *ra, const json_t *list,
			const char *extra, struct diag *d)
{
	struct kresmap patches = KRESMAP_INIT;
	struct buf text = BUF_INIT;
	json_t *p;
	size_t i;
	int error = 0;

	json_array_foreach(list, i, p) {
		const char *s = json_is_string(p) ? json_string_value(p) : "";
		struct diag ignore = DIAG_INIT;
		struct kresmap inl = KRESMAP_INIT;

		/* An entry is inline YAML when it parses as resources, else a path. */
		if (strchr(s, '\n') && kres_parse_stream(&inl, "patch", s, strlen(s), 0, &ignore) == 0 &&
		    inl.len > 0) {
			diag_release(&ignore);
			if ((error = kresmap_append_all(&patches, &inl, d)) < 0)
				goto done;
			continue;
		}
		diag_release(&ignore);
		kresmap_release(&inl);
		if ((error = kldr_load(t->ldr, s, &text, d)) < 0 ||
		    (error = load_patch_resources(&inl, s, text.ptr, text.len, d)) < 0) {
			json_t *cfg = json_pack("{s:O}", "paths", list);

			kresmap_release(&inl);
			config_error(d, error, "PatchStrategicMergeTransformer", cfg);
			json_decref(cfg);
			goto done;
		}
		for (size_t j = 0; j < inl.len; j++) {
			error = kresmap_push(&patches, inl.v[j]);
			inl.v[j] = NULL;
			if (error < 0) {
				kresmap_release(&inl);
				goto done;
			}
		}
		kresmap_release(&inl);
	}
	if (extra && *extra) {
		struct kresmap inl = KRESMAP_INIT;

		if ((error = load_patch_resources(&inl, "patches", extra, strlen(extra), d)) == 0)
			error = kresmap_append_all(&patches, &inl, d);
		kresmap_release(&inl);
		if (error < 0)
			goto done;
	}
	if (patches.len == 0) {
		error = diag_set(d, DIAG_EINVALID, "patch appears to be empty");
		goto done;
	}
	error = patch_by_ids(&ra->rm, &patches, NULL, t->b->schema, t->b->schema_builtin, d);
done:
	kresmap_release(&patches);
	buf_release(&text);
	return error;
}

static int run_patches_strategic_merge(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	json_t *list = json_object_get(t->k, "patchesStrategicMerge");

	if (!json_array_size(list))
		return 0;
	return run_smp_list(t, ra, list, NULL, d);
}

static int run_patch(struct ktarget *t, struct kacc *ra, const json_t *pc, struct diag *d)
{
	const char *path = jstr(pc, "path");
	const json_t *target = json_object_get(pc, "target"), *opts = json_object_get(pc, "options");
	struct buf text = BUF_INIT, src = BUF_INIT;
	struct kresmap sm = KRESMAP_INIT;
	struct diag dsm = DIAG_INIT;
	json_t *ops = NULL;
	struct kres **sel = NULL;
	size_t nsel = 0;
	int error = 0, sm_ok, json_ok = 0;

	{
		const char *pt = jstr(pc, "patch");
		size_t a = 0, b = strlen(pt);

		while (a < b && strchr(" \t\n\r\v\f", pt[a]))
			a++;
		while (b > a && strchr(" \t\n\r\v\f", pt[b - 1]))
			b--;
		buf_add(&text, pt + a, b - a);
	}
	if (!text.len && !*path) {
		struct buf y = BUF_INIT;
		struct diag ignore = DIAG_INIT;

		value_to_yaml(&y, pc, &ignore);
		error = diag_set(d, DIAG_EINVALID, "must specify one of patch and path in\n%s", y.ptr);
		buf_release(&y);
		diag_release(&ignore);
		config_error(d, error, "PatchTransformer", pc);
		goto done;
	}
	if (text.len && *path) {
		struct buf y = BUF_INIT;
		struct diag ignore = DIAG_INIT;

		value_to_yaml(&y, pc, &ignore);
		error = diag_set(d, DIAG_EINVALID, "patch and path can't be set at the same time\n%s",
				 y.ptr);
		buf_release(&y);
		diag_release(&ignore);
		config_error(d, error, "PatchTransformer", pc);
		goto done;
	}
	if (text.len) {
		buf_adds(&src, "[patch: \"");
		buf_add(&src, text.ptr, text.len);
		buf_adds(&src, "\"]");
	} else {
		if ((error = kldr_load(t->ldr, path, &text, d)) < 0) {
			diag_prefix(d, "failed to get the patch file from path(%s)", path);
			config_error(d, error, "PatchTransformer", pc);
			goto done;
		}
		buf_addf(&src, "[path: \"%s\"]", path);
	}
	sm_ok = kres_parse_stream(&sm, *path ? path : "patch", text.ptr, text.len,
				  t->b->opts->threads, &dsm) == 0;
	/* Resources parsed: the first non-empty document is a mapping, so no JSON 6902
	 * list (no need to parse a long patch file twice). */
	if (!sm_ok || sm.len == 0) {
		/* A JSON 6902 patch: a list of operations, in JSON or YAML. */
		json_t *doc = NULL;
		struct diag ignore = DIAG_INIT;

		if (parse_one(&doc, "patch", &text, &ignore) == 0 && json_is_array(doc)) {
			ops = doc;
			json_ok = 1;
		} else {
			json_decref(doc);
		}
		diag_release(&ignore);
	}
	if (sm_ok && json_ok && sm.len > 0 && json_array_size(ops) > 0) {
		error = diag_set(d, DIAG_EINVALID, "illegally qualifies as both an SM and JSON patch: %s",
				 src.ptr);
		config_error(d, error, "PatchTransformer", pc);
		goto done;
	}
	if (!sm_ok && !json_ok) {
		error = diag_set(d, DIAG_EINVALID, "unable to parse SM or JSON patch from %s", src.ptr);
		config_error(d, error, "PatchTransformer", pc);
		goto done;
	}
	if (sm_ok && !(json_ok && sm.len == 0)) {
		for (size_t i = 0; i < sm.len && json_is_object(opts); i++) {
			if (json_is_true(json_object_get(opts, "allowNameChange")))
				kres_set_annotation(sm.v[i], KANNO_ALLOW_NAME_CHANGE, "enabled");
			if (json_is_true(json_object_get(opts, "allowKindChange")))
				kres_set_annotation(sm.v[i], KANNO_ALLOW_KIND_CHANGE, "enabled");
		}
		if (!target || json_is_null(target)) {
			error = patch_by_ids(&ra->rm, &sm, "sm", t->b->schema, t->b->schema_builtin, d);
			goto done;
		}
		if (sm.len > 1) {
			error = diag_set(d, DIAG_EINVALID,
					 "Multiple Strategic-Merge Patches in one `patches` entry is not "
					 "allowed to set `patches.target` field: %s", src.ptr);
			goto done;
		}
		if (sm.len == 0)
			goto done;
		if ((error = kselect(&sel, &nsel, &ra->rm, target, d)) < 0)
			goto done;
		for (size_t i = 0; i < nsel; i++) {
			struct kres *patch = kres_dup(sm.v[0]);
			int deleted = 0;

			if (!patch) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			/* The patch's kind stays; its group/version become the target's. */
			error = apply_smp(sel[i], patch, 1, t->b->schema, t->b->schema_builtin, &deleted, d);
			kres_free(patch);
			if (error < 0)
				goto done;
			if (deleted) {
				for (size_t j = 0; j < ra->rm.len; j++)
					if (ra->rm.v[j] == sel[i]) {
						kresmap_remove_at(&ra->rm, j);
						break;
					}
			}
		}
		goto done;
	}
	/* JSON 6902 */
	if (!target || json_is_null(target)) {
		error = diag_set(d, DIAG_EINVALID, "must specify a target for JSON patch %s", src.ptr);
		goto done;
	}
	if ((error = kselect(&sel, &nsel, &ra->rm, target, d)) < 0)
		goto done;
	for (size_t i = 0; i < nsel; i++) {
		json_t *keep;

		if ((error = kres_store_previous_id(sel[i])) < 0)
			goto done;
		(void)keep;
		if ((error = json6902_keep_internal(sel[i], ops, d)) < 0)
			goto done;
	}
done:
	free(sel);
	json_decref(ops);
	kresmap_release(&sm);
	diag_release(&dsm);
	buf_release(&text);
	buf_release(&src);
	return error;
}

/* One patchesJson6902 entry / PatchJson6902Transformer: target, path or ops text. */
static int run_json6902(struct ktarget *t, struct kacc *ra, const json_t *target,
			const char *path, const char *ops_text, struct diag *d)
{
	struct buf text = BUF_INIT;
	json_t *ops = NULL;
	struct kres **sel = NULL;
	size_t nsel = 0;
	int error;

	if (*path) {
		if ((error = kldr_load(t->ldr, path, &text, d)) < 0) {
			json_t *cfg = json_pack("{s:s}", "path", path);

			if (cfg && json_is_object(target))
				json_object_set(cfg, "target", (json_t *)target);
			config_error(d, error, "PatchJson6902Transformer", cfg);
			json_decref(cfg);
			return error;
		}
	} else {
		buf_adds(&text, ops_text);
	}
	error = parse_one(&ops, *path ? path : "patch", &text, d);
	buf_release(&text);
	if (error < 0)
		return error;
	if (!json_is_array(ops)) {
		json_decref(ops);
		return diag_set(d, DIAG_EINVALID, "unable to parse JSON patch");
	}
	if (json_array_size(ops) == 0) {
		json_decref(ops);
		return diag_set(d, DIAG_EINVALID, "patch appears to be empty; file=%s", path);
	}
	if (!json_is_object(target)) {
		json_decref(ops);
		return diag_set(d, DIAG_EINVALID, "must specify a target for patch");
	}
	if ((error = kselect(&sel, &nsel, &ra->rm, target, d)) < 0) {
		json_decref(ops);
		return error;
	}
	for (size_t j = 0; j < nsel && !error; j++)
		error = json6902_keep_internal(sel[j], ops, d);
	free(sel);
	json_decref(ops);
	return error;
}

static int run_patches_json6902(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	json_t *list = json_object_get(t->k, "patchesJson6902"), *pc;
	size_t i;
	int error;

	json_array_foreach(list, i, pc) {
		if ((error = run_json6902(t, ra, json_object_get(pc, "target"), jstr(pc, "path"),
					  jstr(pc, "patch"), d)) < 0 ||
		    (error = note_builtin(t, &ra->rm, "PatchJson6902Transformer", d)) < 0)
			return error;
	}
	return 0;
}

/* ---- transformers ---- */

static int run_labels(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	json_t *labels = json_object_get(t->k, "labels"), *l;
	json_t *common = json_object_get(t->k, "commonLabels");
	size_t i;
	int error;

	json_array_foreach(labels, i, l) {
		struct kfslist fss = { NULL, 0, 0 };

		if ((error = kfslist_from_json(&fss, json_object_get(l, "fields"), d)) < 0 ||
		    (error = kfslist_merge(&fss, &ra->tc.labels, d)) < 0)
			goto fail;
		if (json_is_true(json_object_get(l, "includeSelectors"))) {
			if ((error = kfslist_merge(&fss, &ra->tc.common_labels, d)) < 0)
				goto fail;
		} else {
			struct kfslist meta = { NULL, 0, 0 };

			if (json_is_true(json_object_get(l, "includeTemplates")) &&
			    (error = kfslist_merge(&fss, &ra->tc.template_labels, d)) < 0)
				goto fail;
			if (json_is_true(json_object_get(l, "includeVolumeClaimTemplates")) &&
			    (error = kfslist_merge(&fss, &ra->tc.vct_labels, d)) < 0)
				goto fail;
			if (kfslist_add(&meta, "", "", "", "metadata/labels", 1) < 0) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto fail;
			}
			error = kfslist_merge(&fss, &meta, d);
			kfslist_release(&meta);
			if (error < 0)
				goto fail;
		}
		error = kt_labels(&ra->rm, json_object_get(l, "pairs"), &fss, d);
		if (error == 0)
			error = note_builtin(t, &ra->rm, "LabelTransformer", d);
fail:
		kfslist_release(&fss);
		if (error < 0)
			return error;
	}
	if (!json_array_size(labels) && !json_object_size(common))
		return 0;
	if ((error = kt_labels(&ra->rm, common, &ra->tc.common_labels, d)) < 0)
		return error;
	return note_builtin(t, &ra->rm, "LabelTransformer", d);
}

/* ReplicaCountTransformer's check: some resource (by any of its ids) has the
 * replica's name and a kind one of the field specs selects. */
static int replicas_found(const struct kresmap *m, const json_t *replica,
			  const struct kfslist *fss, struct diag *d)
{
	const char *name = kres_str(replica, "name");
	struct buf gvks = BUF_INIT;
	int error;

	for (size_t i = 0; i < m->len; i++) {
		struct kid *ids = NULL;
		size_t n = 0;
		int hit = 0;

		if ((error = kres_prev_ids(&ids, &n, m->v[i])) < 0)
			return diag_set(d, error, "out of memory");
		for (size_t k = 0; k <= n && !hit; k++) {
			struct kid cur = KID_INIT;
			const struct kid *id = k < n ? &ids[k] : &cur;

			if (k == n && kres_cur_id(&cur, m->v[i]) < 0)
				break;
			if (!strcmp(id->name, name))
				for (size_t j = 0; j < fss->len && !hit; j++)
					hit = kid_gvk_selected(id, fss->v[j].group, fss->v[j].version,
							       fss->v[j].kind);
			kid_release(&cur);
		}
		kid_array_free(ids, n);
		if (hit)
			return 0;
	}
	buf_addch(&gvks, '[');
	for (size_t j = 0; j < fss->len; j++) {
		if (j)
			buf_addch(&gvks, ' ');
		kgvk_string(&gvks, fss->v[j].group, fss->v[j].version, fss->v[j].kind);
	}
	buf_addch(&gvks, ']');
	error = diag_set(d, DIAG_EINVALID, "resource with name %s does not match a config with the "
			 "following GVK %s", name, gvks.ptr);
	buf_release(&gvks);
	return error;
}

static int run_transformers(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	json_t *k = t->k, *list, *e;
	size_t i;
	int error;

	if ((error = run_patches_strategic_merge(t, ra, d)) < 0)
		return error;
	if (json_array_size(json_object_get(k, "patchesStrategicMerge")) &&
	    (error = note_builtin(t, &ra->rm, "PatchStrategicMergeTransformer", d)) < 0)
		return error;
	list = json_object_get(k, "patches");
	json_array_foreach(list, i, e) {
		if ((error = run_patch(t, ra, e, d)) < 0 ||
		    (error = note_builtin(t, &ra->rm, "PatchTransformer", d)) < 0)
			return error;
	}
	if ((error = kt_namespace(&ra->rm, jstr(k, "namespace"), &ra->tc.name_space, NULL, 0, d)) < 0)
		return error;
	if (*jstr(k, "namespace") && (error = note_builtin(t, &ra->rm, "NamespaceTransformer", d)) < 0)
		return error;
	if (*jstr(k, "namePrefix") &&
	    ((error = kt_prefix_suffix(&ra->rm, jstr(k, "namePrefix"), "", &ra->tc.name_prefix, d)) < 0 ||
	     (error = note_builtin(t, &ra->rm, "PrefixTransformer", d)) < 0))
		return error;
	if (*jstr(k, "nameSuffix") &&
	    ((error = kt_prefix_suffix(&ra->rm, "", jstr(k, "nameSuffix"), &ra->tc.name_suffix, d)) < 0 ||
	     (error = note_builtin(t, &ra->rm, "SuffixTransformer", d)) < 0))
		return error;
	if ((error = run_labels(t, ra, d)) < 0)
		return error;
	if ((error = kt_annotations(&ra->rm, json_object_get(k, "commonAnnotations"),
				    &ra->tc.common_annotations, d)) < 0)
		return error;
	if (json_object_size(json_object_get(k, "commonAnnotations")) &&
	    (error = note_builtin(t, &ra->rm, "AnnotationsTransformer", d)) < 0)
		return error;
	if ((error = run_patches_json6902(t, ra, d)) < 0)
		return error;
	list = json_object_get(k, "replicas");
	json_array_foreach(list, i, e) {
		if ((error = replicas_found(&ra->rm, e, &ra->tc.replicas, d)) < 0 ||
		    (error = kt_replicas(&ra->rm, e, &ra->tc.replicas, d)) < 0 ||
		    (error = note_builtin(t, &ra->rm, "ReplicaCountTransformer", d)) < 0)
			return error;
	}
	list = json_object_get(k, "images");
	json_array_foreach(list, i, e) {
		if ((error = kt_images(&ra->rm, e, &ra->tc.images, d)) < 0 ||
		    (error = note_builtin(t, &ra->rm, "ImageTagTransformer", d)) < 0)
			return error;
	}
	list = json_object_get(k, "replacements");
	if (json_array_size(list)) {
		json_t *all = json_array();

		if (!all)
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		json_array_foreach(list, i, e) {
			const char *path = jstr(e, "path");
			struct buf text = BUF_INIT;
			json_t *doc = NULL;

			if (!*path) {
				json_array_append(all, e);
				continue;
			}
			if (json_object_get(e, "source") || json_array_size(json_object_get(e, "targets"))) {
				json_decref(all);
				return diag_set(d, DIAG_EINVALID,
						"cannot specify both path and inline replacement");
			}
			if ((error = kldr_load(t->ldr, path, &text, d)) < 0 ||
			    (error = parse_one(&doc, path, &text, d)) < 0) {
				buf_release(&text);
				json_decref(all);
				return error;
			}
			buf_release(&text);
			if (json_is_array(doc))
				json_array_extend(all, doc);
			else if (json_is_object(doc))
				json_array_append(all, doc);
			json_decref(doc);
		}
		error = kt_replacements(&ra->rm, all, d);
		json_decref(all);
		if (error < 0 || (error = note_builtin(t, &ra->rm, "ReplacementTransformer", d)) < 0)
			return error;
	}
	return run_plugins(t, ra, "transformers", 0, d);
}

/* ---- builtin plugin configurations (generators:, transformers:) ---- */

/* The configs named by entries: inline YAML, or files / kustomization directories. */
static int load_plugin_configs(struct ktarget *t, json_t *entries, struct kresmap *out,
			       struct diag *d)
{
	size_t i;
	json_t *e;
	int error;

	json_array_foreach(entries, i, e) {
		const char *s = json_is_string(e) ? json_string_value(e) : "";
		struct kresmap inl = KRESMAP_INIT;
		struct diag ignore = DIAG_INIT;
		struct kacc sub = { 0 };
		json_t *one;

		if (kres_parse_stream(&inl, "plugin", s, strlen(s), 0, &ignore) == 0) {
			diag_release(&ignore);
			if (t->origin) {
				char *op = kpath_join(t->origin, t->file_name);
				struct buf anno = BUF_INIT;

				origin_yaml(&anno, 0, op, NULL, NULL, NULL, NULL, NULL);
				for (size_t j = 0; j < inl.len && op; j++)
					kres_set_annotation(inl.v[j], ORIGIN_ANNO, anno.ptr);
				free(op);
				buf_release(&anno);
			}
			if ((error = kresmap_append_all(out, &inl, d)) < 0)
				return error;
			continue;
		}
		diag_release(&ignore);
		kresmap_release(&inl);
		if (!(sub.vars = json_object()) || !(one = json_pack("[s]", s))) {
			kacc_release(&sub);
			return diag_set(d, DIAG_ENOMEM, "out of memory");
		}
		error = accumulate_resources(t, &sub, one, d);
		json_decref(one);
		if (error == 0)
			error = kresmap_append_all(out, &sub.rm, d);
		kacc_release(&sub);
		if (error < 0)
			return error;
	}
	return 0;
}

static int plugin_fieldspecs(struct kfslist *out, const json_t *cfg, struct diag *d)
{
	return kfslist_from_json(out, json_object_get(cfg, "fieldSpecs"), d);
}

static int plugin_id_error(const struct kres *cfg, const char *what, struct diag *d)
{
	struct kid id = KID_INIT;
	struct buf s = BUF_INIT;
	int error;

	if (kres_org_id(&id, cfg) == 0)
		kid_string(&s, &id);
	error = diag_set(d, DIAG_EINVALID, "plugin %s not a %s", s.ptr, what);
	kid_release(&id);
	buf_release(&s);
	return error;
}

/* pluginloader's wrapping of a plugin's Config error. */
static void plugin_config_error(const struct kres *cfg, struct diag *d)
{
	struct kid id = KID_INIT;
	struct buf s = BUF_INIT;

	if (kres_org_id(&id, cfg) == 0)
		kid_string(&s, &id);
	diag_prefix(d, "plugin %s fails configuration", s.ptr);
	kid_release(&id);
	buf_release(&s);
}

static int is_builtin_plugin(const struct kres *cfg)
{
	return strcmp(kres_api_version(cfg), "builtin") == 0;
}

static const char *const generator_kinds[] = { "ConfigMapGenerator", "SecretGenerator",
					       "IAMPolicyGenerator", "HelmChartInflationGenerator" };
static const char *const transformer_kinds[] = {
	"AnnotationsTransformer", "HashTransformer", "ImageTagTransformer", "LabelTransformer",
	"NamespaceTransformer", "PatchJson6902Transformer", "PatchStrategicMergeTransformer",
	"PatchTransformer", "PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer",
	"ReplacementTransformer", "ReplicaCountTransformer", "ValueAddTransformer",
};

static int kind_in(const char *kind, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kind, list[i]))
			return 1;
	return 0;
}

/* Checks a config names a builtin plugin of the wanted sort. */
static int check_plugin(const struct kres *cfg, int generator, struct diag *d)
{
	const char *kind = kres_kind(cfg);
	int is_gen = kind_in(kind, generator_kinds, 4), is_tr = kind_in(kind, transformer_kinds, 14);

	if (!is_builtin_plugin(cfg))
		return diag_set(d, DIAG_EINVALID,
				"external plugins disabled; unable to load external plugin '%s'", kind);
	if (!is_gen && !is_tr) {
		struct buf s = BUF_INIT;
		int error;

		kgvk_string(&s, "", "builtin", kind);
		error = diag_set(d, DIAG_EINVALID, "unable to load builtin %s", s.ptr);
		buf_release(&s);
		return error;
	}
	if (generator && !is_gen)
		return plugin_id_error(cfg, "generator", d);
	if (!generator && !is_tr)
		return plugin_id_error(cfg, "transformer", d);
	return 0;
}

static int run_generator_plugin(struct ktarget *t, struct kacc *ra, const struct kres *cfg,
				struct diag *d)
{
	const char *kind = kres_kind(cfg);
	struct kresmap out = KRESMAP_INIT;
	int error = 0;

	if (!strcmp(kind, "ConfigMapGenerator") || !strcmp(kind, "SecretGenerator")) {
		error = kgen_configmap(&out, t->ldr, cfg->obj, NULL, !strcmp(kind, "SecretGenerator"), d);
	} else if (!strcmp(kind, "HelmChartInflationGenerator")) {
		error = khelm_generate(&out, t->ldr, cfg->obj, cfg->obj, t->b->opts, d);
	} else if (!strcmp(kind, "IAMPolicyGenerator")) {
		const json_t *ks = json_object_get(cfg->obj, "kubernetesService");
		const json_t *sa = json_object_get(cfg->obj, "serviceAccount");
		struct buf gsa = BUF_INIT;
		json_t *obj;

		if (strcmp(kres_str(cfg->obj, "cloud"), "gke") != 0) {
			error = diag_set(d, DIAG_EINVALID, "unsupported cloud provider: %s",
					 kres_str(cfg->obj, "cloud"));
			goto done;
		}
		buf_addf(&gsa, "%s@%s.iam.gserviceaccount.com", kres_str(sa, "name"),
			 kres_str(sa, "projectId"));
		obj = json_pack("{s:s, s:s, s:{s:s, s:{s:s}}}", "apiVersion", "v1", "kind",
				"ServiceAccount", "metadata", "name", kres_str(ks, "name"),
				"annotations", "iam.gke.io/gcp-service-account", gsa.ptr);
		buf_release(&gsa);
		if (obj && *kres_str(ks, "namespace"))
			json_object_set_new(json_object_get(obj, "metadata"), "namespace",
					    json_string(kres_str(ks, "namespace")));
		error = kresmap_push(&out, kres_new(obj));
		if (error < 0)
			diag_set(d, error, "out of memory");
	} else {
		error = diag_set(d, DIAG_EINVALID, "hydrate does not run %s yet", kind);
	}
	if (error < 0)
		goto done;
	{
		char *cin = origin_path_of(cfg);

		if (cin) {
			struct buf anno = BUF_INIT;

			origin_yaml(&anno, 0, NULL, cin, kres_api_version(cfg), kind, kres_name(cfg),
				    kres_namespace(cfg));
			for (size_t j = 0; j < out.len; j++)
				if (!kres_annotation(out.v[j], ORIGIN_ANNO))
					kres_set_annotation(out.v[j], ORIGIN_ANNO, anno.ptr);
			buf_release(&anno);
			free(cin);
		}
	}
	for (size_t j = 0; j < out.len; j++) {
		struct kres *r = out.v[j];

		out.v[j] = NULL;
		if ((error = kresmap_absorb(&ra->rm, r, d)) < 0)
			goto done;
	}
done:
	kresmap_release(&out);
	return error;
}

static int run_transformer_plugin(struct ktarget *t, struct kacc *ra, const struct kres *cfg,
				  struct diag *d)
{
	const char *kind = kres_kind(cfg);
	const json_t *c = cfg->obj;
	struct kfslist fss = { NULL, 0, 0 };
	int error = 0;

	if ((error = plugin_fieldspecs(&fss, c, d)) < 0)
		goto done;
	if (!strcmp(kind, "NamespaceTransformer")) {
		error = kt_namespace(&ra->rm, kres_str(c, "metadata/namespace"), &fss,
				     kres_str(c, "setRoleBindingSubjects"),
				     json_is_true(json_object_get(c, "unsetOnly")), d);
	} else if (!strcmp(kind, "PrefixTransformer") || !strcmp(kind, "SuffixTransformer") ||
		   !strcmp(kind, "PrefixSuffixTransformer")) {
		int pre = strcmp(kind, "SuffixTransformer") != 0;
		int suf = strcmp(kind, "PrefixTransformer") != 0;

		if (!json_object_get(c, "fieldSpecs")) {
			error = diag_set(d, DIAG_EINVALID, "fieldSpecs is not expected to be nil");
			goto done;
		}
		if (pre && (error = kt_prefix_suffix(&ra->rm, kres_str(c, "prefix"), "", &fss, d)) < 0)
			goto done;
		if (suf)
			error = kt_prefix_suffix(&ra->rm, "", kres_str(c, "suffix"), &fss, d);
	} else if (!strcmp(kind, "LabelTransformer")) {
		error = kt_labels(&ra->rm, json_object_get(c, "labels"), &fss, d);
	} else if (!strcmp(kind, "AnnotationsTransformer")) {
		error = kt_annotations(&ra->rm, json_object_get(c, "annotations"), &fss, d);
	} else if (!strcmp(kind, "ImageTagTransformer")) {
		error = kt_images(&ra->rm, json_object_get(c, "imageTag"), &fss, d);
	} else if (!strcmp(kind, "ReplicaCountTransformer")) {
		error = replicas_found(&ra->rm, json_object_get(c, "replica"), &fss, d);
		if (error == 0)
			error = kt_replicas(&ra->rm, json_object_get(c, "replica"), &fss, d);
	} else if (!strcmp(kind, "PatchTransformer")) {
		error = run_patch(t, ra, c, d);
	} else if (!strcmp(kind, "PatchJson6902Transformer")) {
		const json_t *target = json_object_get(c, "target");

		if (!*kres_str(target, "name"))
			error = diag_set(d, DIAG_EINVALID, "must specify the target name");
		else
			error = run_json6902(t, ra, target, kres_str(c, "path"),
					     kres_str(c, "jsonOp"), d);
	} else if (!strcmp(kind, "ReplacementTransformer")) {
		error = kt_replacements(&ra->rm, json_object_get(c, "replacements"), d);
	} else if (!strcmp(kind, "HashTransformer")) {
		error = kt_hash(&ra->rm, d);
	} else if (!strcmp(kind, "PatchStrategicMergeTransformer")) {
		const json_t *paths = json_object_get(c, "paths");

		if (!json_array_size(paths) && !*kres_str(c, "patches")) {
			error = diag_set(d, DIAG_EINVALID, "empty file path and empty patch content");
			plugin_config_error(cfg, d);
		} else {
			error = run_smp_list(t, ra, paths, kres_str(c, "patches"), d);
		}
	} else if (!strcmp(kind, "ValueAddTransformer")) {
		int config_failed = 0;

		error = kt_value_add(&ra->rm, t->ldr, c, &config_failed, d);
		if (error < 0 && config_failed)
			plugin_config_error(cfg, d);
	} else {
		error = diag_set(d, DIAG_EINVALID, "hydrate does not run %s yet", kind);
	}
done:
	kfslist_release(&fss);
	return error;
}

static int run_plugins(struct ktarget *t, struct kacc *ra, const char *field, int generator,
		       struct diag *d)
{
	json_t *entries = json_object_get(t->k, field);
	struct kresmap cfgs = KRESMAP_INIT;
	int error = 0;

	if (!json_array_size(entries))
		return 0;
	if ((error = load_plugin_configs(t, entries, &cfgs, d)) < 0) {
		if (generator)
			diag_prefix(d, "loading generator plugins");
		goto done;
	}
	for (size_t i = 0; i < cfgs.len; i++)
		if ((error = check_plugin(cfgs.v[i], generator, d)) < 0)
			goto done;
	for (size_t i = 0; i < cfgs.len; i++) {
		char *cin;

		error = generator ? run_generator_plugin(t, ra, cfgs.v[i], d) :
			run_transformer_plugin(t, ra, cfgs.v[i], d);
		if (error < 0)
			goto done;
		if (!generator && (cin = origin_path_of(cfgs.v[i])) != NULL) {
			error = note_transformer(&ra->rm, cin, kres_api_version(cfgs.v[i]),
						 kres_kind(cfgs.v[i]), kres_name(cfgs.v[i]),
						 kres_namespace(cfgs.v[i]));
			free(cin);
			if (error < 0) {
				error = diag_set(d, error, "out of memory");
				goto done;
			}
		}
	}
done:
	kresmap_release(&cfgs);
	return error;
}

/* A resource as kustomize's Resource.String() prints it: its JSON without build
 * annotations. */
static void validator_json(struct buf *out, const struct kres *r)
{
	struct kres *c = kres_dup(r);

	if (c) {
		kres_remove_build_annotations(c);
		value_to_json(out, c->obj, 0, NULL);
		kres_free(c);
	}
}

/*
 * validators: builtin transformer configs run as KustTarget.runValidators
 * does: each must leave the resource map as it found it (bar a validated-by
 * label), compared as ResMap.ErrorIfNotEqualSets compares.
 */
static int run_validators(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	json_t *entries = json_object_get(t->k, "validators");
	struct kresmap cfgs = KRESMAP_INIT, before = KRESMAP_INIT;
	int error = 0;

	if (!json_array_size(entries))
		return 0;
	if ((error = load_plugin_configs(t, entries, &cfgs, d)) < 0)
		goto done;
	for (size_t i = 0; i < cfgs.len; i++)
		if ((error = check_plugin(cfgs.v[i], 0, d)) < 0)
			goto done;
	for (size_t i = 0; i < cfgs.len; i++) {
		kresmap_release(&before);
		for (size_t j = 0; j < ra->rm.len; j++) {
			struct kres *c = kres_dup(ra->rm.v[j]);

			if (!c || kresmap_push(&before, c) < 0) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
		}
		if ((error = run_transformer_plugin(t, ra, cfgs.v[i], d)) < 0)
			goto done;
		if (before.len != ra->rm.len) {
			error = diag_set(d, DIAG_EINVALID, "validator shouldn't modify the resource map: "
					 "lists have different number of entries");
			goto done;
		}
		for (size_t j = 0; j < before.len; j++) {
			struct kres *now = kres_dup(ra->rm.v[j]);
			json_t *labels;

			if (!now) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			labels = json_object_get(json_object_get(now->obj, "metadata"), "labels");
			if (json_is_object(labels) && json_object_get(labels, "validated-by")) {
				json_object_del(labels, "validated-by");
				if (!json_object_size(labels))
					json_object_del(json_object_get(now->obj, "metadata"), "labels");
			}
			if (!json_equal(before.v[j]->obj, now->obj)) {
				struct buf a = BUF_INIT, b = BUF_INIT;

				validator_json(&a, before.v[j]);
				validator_json(&b, now);
				error = diag_set(d, DIAG_EINVALID, "validator shouldn't modify the resource "
						 "map: nodes unequal: \n -- %s,\n -- %s\n", a.ptr, b.ptr);
				buf_release(&a);
				buf_release(&b);
			}
			kres_free(now);
			if (error < 0)
				goto done;
		}
	}
done:
	kresmap_release(&before);
	kresmap_release(&cfgs);
	return error;
}

static int accumulate_target(struct ktarget *t, struct kacc *ra, struct diag *d)
{
	struct ktconfig tc = { 0 };
	json_t *vars;
	int error;

	if ((error = accumulate_resources(t, ra, json_object_get(t->k, "resources"), d)) < 0)
		return diag_prefix(d, "accumulating resources");
	if ((error = make_tconfig(t, &tc, d)) < 0)
		return error;
	error = ktconfig_merge(&ra->tc, &tc, d);
	ktconfig_release(&tc);
	if (error < 0)
		return error;
	{
		json_t *crds = json_object_get(t->k, "crds"), *p;
		size_t i;

		json_array_foreach(crds, i, p) {
			const char *path = json_is_string(p) ? json_string_value(p) : "";
			struct buf text = BUF_INIT;
			struct ktconfig crd = { 0 };
			json_t *doc = NULL;

			if ((error = kldr_load(t->ldr, path, &text, d)) < 0 ||
			    (error = parse_one(&doc, path, &text, d)) < 0 ||
			    (error = ktconfig_from_crd(&crd, doc, d)) < 0) {
				if (error != DIAG_ENOTFOUND)
					diag_prefix(d, "unable to parse open API definition from '%s'", path);
				buf_release(&text);
				json_decref(doc);
				return error;
			}
			buf_release(&text);
			json_decref(doc);
			error = ktconfig_merge(&ra->tc, &crd, d);
			ktconfig_release(&crd);
			if (error < 0)
				return error;
		}
	}
	if ((error = run_generators(t, ra, d)) < 0 ||
	    (error = run_plugins(t, ra, "generators", 1, d)) < 0)
		return error;
	if ((error = accumulate_components(t, ra, json_object_get(t->k, "components"), d)) < 0)
		return diag_prefix(d, "accumulating components");
	if ((error = run_transformers(t, ra, d)) < 0 || (error = run_validators(t, ra, d)) < 0)
		return error;
	vars = json_object_get(t->k, "vars");
	if (json_array_size(vars) && (error = kvars_merge(ra->vars, vars, &ra->rm, d)) < 0) {
		struct buf vs = BUF_INIT;

		kvars_list_string(&vs, vars);
		diag_prefix(d, "merging vars %s", vs.ptr);
		buf_release(&vs);
		return error;
	}
	return 0;
}

/* IgnoreLocal: drop resources annotated config.kubernetes.io/local-config. */
static void drop_local(struct kresmap *m)
{
	for (size_t i = 0; i < m->len;) {
		const char *v = kres_annotation(m->v[i], "config.kubernetes.io/local-config");

		if (v && strcmp(v, "false") != 0)
			kresmap_remove_at(m, i);
		else
			i++;
	}
}

static int apply_sort(struct ktarget *t, struct kresmap *m, const struct kustomize_opts *o,
		      struct diag *d)
{
	json_t *so = json_object_get(t->k, "sortOptions");

	if (so && !json_is_null(so)) {
		const char *order = jstr(so, "order");
		json_t *legacy = json_object_get(so, "legacySortOptions");

		if (strcmp(order, "fifo") != 0 && strcmp(order, "legacy") != 0)
			return diag_set(d, DIAG_EINVALID,
					"the field 'sortOptions.order' must be one of [fifo, legacy]");
		if (strcmp(order, "fifo") == 0 && legacy && !json_is_null(legacy))
			return diag_set(d, DIAG_EINVALID,
					"the field 'sortOptions.legacySortOptions' is set but the "
					"selected sort order is 'fifo', not 'legacy'");
		if (strcmp(order, "legacy") == 0) {
			if (json_is_object(legacy))
				return kresmap_sort_legacy(m, json_object_get(legacy, "orderFirst"),
							   json_object_get(legacy, "orderLast"), d);
			return kresmap_sort_legacy(m, NULL, NULL, d);
		}
		return 0;
	}
	if (o->reorder == KUSTOMIZE_REORDER_LEGACY)
		return kresmap_sort_legacy(m, NULL, NULL, d);
	return 0;
}

static int has_build_metadata(const json_t *k, const char *what)
{
	json_t *bm = json_object_get(k, "buildMetadata"), *e;
	size_t i;

	json_array_foreach(bm, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), what) == 0)
			return 1;
	return 0;
}

static int write_files(struct kustomize_file **files, size_t *nfiles, const struct kresmap *m,
		       struct diag *d);

/* What the last step keeps of the build's own annotations. */
struct finish {
	int keep_origin, keep_trans;
};

/* The last step on a resource: kustomize's build annotations removed, and
 * the origin and transformer ones unless buildMetadata keeps them. Changes
 * only r's own metadata. */
static void finish_resource(struct kres *r, const struct finish *fin)
{
	json_t *md = kjson_getn(r->obj, "metadata", 8), *an;

	kres_remove_build_annotations(r);
	/* no annotations left (the usual case): nothing more to drop */
	if ((fin->keep_origin && fin->keep_trans) || !kjson_getn(md, "annotations", 11))
		return;
	/* kyaml's SetAnnotations drops an empty (or null) annotations map. */
	if (!fin->keep_origin)
		kres_del_annotation(r, ORIGIN_ANNO);
	if (!fin->keep_trans)
		kres_del_annotation(r, TRANSFORMATIONS_ANNO);
	an = json_object_get(md, "annotations");
	if (an && (json_is_null(an) || (json_is_object(an) && !json_object_size(an))))
		json_object_del(md, "annotations");
}

static void finish_resource_cb(struct kres *r, void *arg)
{
	finish_resource(r, arg);
}

static int build(struct buf *out, struct kustomize_file **files, size_t *nfiles,
		 const char *path, const struct kustomize_opts *opts, struct diag *d)
{
	struct finish fin = { 0, 0 };
	struct kustomize_opts defaults = KUSTOMIZE_OPTS_INIT;
	struct kfs fs = { NULL, 0 };
	struct kldr top = { NULL, NULL, NULL, KUSTOMIZE_LOAD_ROOT_ONLY };
	struct kbuild b = { NULL, NULL, 0, 0, 0, NULL, 0, 0 };
	struct ktarget t = { NULL, NULL, NULL, NULL, NULL, NULL };
	struct kacc ra = { 0 };
	int error;

	if (!opts)
		opts = &defaults;
	if (!(ra.vars = json_object()))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	if ((error = kfs_init(&fs, opts->fs_root, d)) < 0)
		goto done;
	b.fs = &fs;
	b.opts = opts;
	if (kldr_is_remote(path)) {
		error = diag_set(d, DIAG_EINVALID, "hydrate does not build remote targets: '%s'", path);
		goto done;
	}
	if ((error = kfs_confirm_dir(&top.root, &fs, path, d)) < 0) {
		diag_prefix(d, "must build at directory");
		goto done;
	}
	top.fs = &fs;
	top.restrictor = opts->load_restrictor;
	t.b = &b;
	t.ldr = &top;
	if ((error = target_load(&t, d)) < 0)
		goto done;
	t.build_metadata = json_object_get(t.k, "buildMetadata");
	if (json_array_size(t.build_metadata) && !(t.origin = strdup(""))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = set_schema(&b, &top, t.k, d)) < 0)
		goto done;
	if ((error = accumulate_target(&t, &ra, d)) < 0)
		goto done;
	if ((error = kt_hash(&ra.rm, d)) < 0 || (error = kt_nameref(&ra.rm, &ra.tc, d)) < 0 ||
	    (error = kvars_resolve(&ra.rm, ra.vars, &ra.tc.var_reference, d)) < 0)
		goto done;
	drop_local(&ra.rm);
	if ((error = apply_sort(&t, &ra.rm, opts, d)) < 0)
		goto done;
	if (opts->add_managedby_label || has_build_metadata(t.k, "managedByLabel")) {
		struct kfslist fss = { NULL, 0, 0 };
		json_t *labels = json_object();
		struct buf v = BUF_INIT;

		buf_addf(&v, "kustomize-%s", opts->version ? opts->version : "v5.7.1");
		json_object_set_new(labels, "app.kubernetes.io/managed-by", json_string(v.ptr));
		buf_release(&v);
		if (kfslist_add(&fss, "", "", "", "metadata/labels", 1) < 0)
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
		else
			error = kt_labels(&ra.rm, labels, &fss, d);
		kfslist_release(&fss);
		json_decref(labels);
		if (error < 0)
			goto done;
	}
	fin.keep_origin = has_build_metadata(t.k, "originAnnotations");
	fin.keep_trans = has_build_metadata(t.k, "transformerAnnotations");
	if (!out)
		for (size_t i = 0; i < ra.rm.len; i++)
			finish_resource(ra.rm.v[i], &fin);
	/* printing finishes each resource first and frees it after, on
	 * whichever thread prints it */
	error = out ? kresmap_print(out, &ra.rm, KPRINT_CONSUME |
				    (opts->threads ? KPRINT_THREADS : 0), finish_resource_cb, &fin, d)
		    : write_files(files, nfiles, &ra.rm, d);
done:
	kacc_release(&ra);
	json_decref(t.k);
	json_decref(b.schema);
	free(t.origin);
	kldr_release(&top);
	kfs_release(&fs);
	return error;
}

int kustomize_build(struct buf *out, const char *path, const struct kustomize_opts *opts,
		    struct diag *d)
{
	return build(out, NULL, NULL, path, opts, d);
}

void kustomize_files_free(struct kustomize_file *files, size_t n)
{
	if (!files)
		return;
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		buf_release(&files[i].data);
	}
	free(files);
}

/* kustomize's Writer.WriteIndividualFiles: group_version_kind_name.yaml, lower-cased,
 * prefixed with the namespace when resources span several namespaces. */
static int write_files(struct kustomize_file **files, size_t *nfiles, const struct kresmap *m,
		       struct diag *d)
{
	struct kustomize_file *v = calloc(m->len + 1, sizeof(*v));
	json_t *namespaces = json_object();
	int error = 0;

	*files = NULL;
	*nfiles = 0;
	if (!v || !namespaces) {
		free(v);
		json_decref(namespaces);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < m->len; i++) {
		struct kid id = KID_INIT;

		if (kres_cur_id(&id, m->v[i]) == 0 && !id.cluster_scoped)
			json_object_set_new(namespaces, kid_effective_ns(&id), json_true());
		kid_release(&id);
	}
	for (size_t i = 0; i < m->len && !error; i++) {
		struct kid id = KID_INIT;
		struct buf name = BUF_INIT;

		if ((error = kres_cur_id(&id, m->v[i])) < 0) {
			error = diag_set(d, error, "out of memory");
			break;
		}
		if (!id.cluster_scoped && json_object_size(namespaces) > 1)
			buf_addf(&name, "%s_", kid_effective_ns(&id));
		if (*id.group)
			buf_addf(&name, "%s_", id.group);
		if (*id.version)
			buf_addf(&name, "%s_", id.version);
		if (*id.kind)
			buf_addf(&name, "%s", id.kind);
		if (name.len && name.ptr[name.len - 1] == '_')
			buf_truncate(&name, name.len - 1);
		buf_addf(&name, "_%s.yaml", id.name);
		for (size_t k = 0; k < name.len; k++)
			if (name.ptr[k] >= 'A' && name.ptr[k] <= 'Z')
				name.ptr[k] = (char)(name.ptr[k] - 'A' + 'a');
		kid_release(&id);
		v[i].name = buf_detach(&name, NULL);
		error = value_to_yaml(&v[i].data, m->v[i]->obj, d);
		(*nfiles)++;
	}
	json_decref(namespaces);
	if (error < 0) {
		kustomize_files_free(v, *nfiles);
		*nfiles = 0;
		return error;
	}
	*files = v;
	return 0;
}

int kustomize_build_files(struct kustomize_file **files, size_t *nfiles, const char *path,
			  const struct kustomize_opts *opts, struct diag *d)
{
	*files = NULL;
	*nfiles = 0;
	return build(NULL, files, nfiles, path, opts, d);
}
