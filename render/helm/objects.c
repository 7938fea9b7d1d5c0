/*
 * .Capabilities and .Files host objects. See objects.h; the Go originals are
 * Helm v4.1.4 pkg/chart/common/capabilities.go, internal/version and
 * pkg/engine/files.go.
 */
#include "render/helm/objects.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/chart.h"
#include "render/tmpl/funcs.h"
#include "render/tmpl/helm_funcs.h"
#include "render/tmpl/tmpl.h"
#include "render/tmpl/tval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Printed by the reference binary: {{ range .Capabilities.APIVersions }}. */
const char *const helm_api_versions[] = {
	"v1",
	"admissionregistration.k8s.io/v1",
	"admissionregistration.k8s.io/v1alpha1",
	"admissionregistration.k8s.io/v1beta1",
	"internal.apiserver.k8s.io/v1alpha1",
	"apps/v1",
	"apps/v1beta1",
	"apps/v1beta2",
	"authentication.k8s.io/v1",
	"authentication.k8s.io/v1alpha1",
	"authentication.k8s.io/v1beta1",
	"authorization.k8s.io/v1",
	"authorization.k8s.io/v1beta1",
	"autoscaling/v1",
	"autoscaling/v2",
	"autoscaling/v2beta1",
	"autoscaling/v2beta2",
	"batch/v1",
	"batch/v1beta1",
	"certificates.k8s.io/v1",
	"certificates.k8s.io/v1beta1",
	"certificates.k8s.io/v1alpha1",
	"coordination.k8s.io/v1alpha2",
	"coordination.k8s.io/v1beta1",
	"coordination.k8s.io/v1",
	"discovery.k8s.io/v1",
	"discovery.k8s.io/v1beta1",
	"events.k8s.io/v1",
	"events.k8s.io/v1beta1",
	"extensions/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1beta1",
	"flowcontrol.apiserver.k8s.io/v1beta2",
	"flowcontrol.apiserver.k8s.io/v1beta3",
	"networking.k8s.io/v1",
	"networking.k8s.io/v1beta1",
	"node.k8s.io/v1",
	"node.k8s.io/v1alpha1",
	"node.k8s.io/v1beta1",
	"policy/v1",
	"policy/v1beta1",
	"rbac.authorization.k8s.io/v1",
	"rbac.authorization.k8s.io/v1beta1",
	"rbac.authorization.k8s.io/v1alpha1",
	"resource.k8s.io/v1",
	"resource.k8s.io/v1beta2",
	"resource.k8s.io/v1beta1",
	"resource.k8s.io/v1alpha3",
	"scheduling.k8s.io/v1alpha1",
	"scheduling.k8s.io/v1beta1",
	"scheduling.k8s.io/v1",
	"storage.k8s.io/v1beta1",
	"storage.k8s.io/v1",
	"storage.k8s.io/v1alpha1",
	"storagemigration.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1beta1",
	"apiextensions.k8s.io/v1",
};
const size_t helm_napi_versions = sizeof(helm_api_versions) / sizeof(helm_api_versions[0]);

#define HELM_VERSION "v4.1.4"
#define HELM_COMMIT "05fa37973dc9e42b76e1d2883494c87174b6074f"
#define HELM_TREE "clean"
#define HELM_GO "go1.25.9"
#define HELM_KUBECLIENT "v1.35"

/* One render's capabilities; the three sub-objects point back at it. */
struct helm_caps_obj {
	struct tobj caps, kv, vs, bi;
	char version[64];      /* KubeVersion.Version, "v1.35.0" */
	char normalized[64];   /* what String() gives */
	char major[24], minor[24];
	size_t nextra;
	const char *extra[];   /* --api-versions, appended to the defaults */
};

static const struct helm_caps_obj *S_caps(const struct tobj *o)
{
	return o->data;
}

static int S_str_field(struct tval *out, const char *s)
{
	*out = tval_str(s);
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

/* ---- common.KubeVersion */

static int S_kv_field(struct tval *out, const struct tobj *o, const char *name)
{
	const struct helm_caps_obj *c = S_caps(o);

	if (strcmp(name, "Version") == 0)
		return S_str_field(out, c->version);
	if (strcmp(name, "Major") == 0)
		return S_str_field(out, c->major);
	if (strcmp(name, "Minor") == 0)
		return S_str_field(out, c->minor);
	return DIAG_ENOTFOUND;
}

static int S_kv_string(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	return S_str_field(out, call->self ? S_caps(call->self)->normalized : "");
}

static int S_kv_git_version(struct tval *out, struct tmpl_call *call, int argc,
			    const struct tval *argv)
{
	return S_str_field(out, call->self ? S_caps(call->self)->version : "");
}

static const struct tmpl_func S_kv_methods[] = {
	{ "String", S_kv_string, "", TMPL_FN_NOERR, NULL },
	{ "GitVersion", S_kv_git_version, "", TMPL_FN_NOERR, NULL },
};

static const struct tmpl_func *S_kv_method(const struct tobj *o, const char *name)
{
	for (size_t i = 0; i < sizeof(S_kv_methods) / sizeof(S_kv_methods[0]); i++)
		if (strcmp(S_kv_methods[i].name, name) == 0)
			return &S_kv_methods[i];
	return NULL;
}

/*
 * {{ .Capabilities.KubeVersion }} is an addressable field whose pointer has
 * String(), so text/template prints the normalized version; fmt inside a
 * printed Capabilities shows the fields (S_caps_format).
 */
static int S_kv_format(struct buf *out, const struct tobj *o)
{
	return buf_adds(out, S_caps(o)->normalized);
}

static const struct tobj_type S_kv_type = {
	"common.KubeVersion", "struct", S_kv_field, S_kv_method, S_kv_format, 1, NULL
};

/* ---- common.VersionSet */

static int S_vs_has(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct helm_caps_obj *c = call->self ? S_caps(call->self) : NULL;
	const char *s = tval_str_ptr(&argv[0], NULL);
	int has = 0;

	for (size_t i = 0; i < helm_napi_versions && s; i++)
		if (strcmp(helm_api_versions[i], s) == 0)
			has = 1;
	for (size_t i = 0; c && s && i < c->nextra; i++)
		if (strcmp(c->extra[i], s) == 0)
			has = 1;
	*out = tval_bool(has);
	return 0;
}

static const struct tmpl_func S_vs_has_fn = { "Has", S_vs_has, "s", TMPL_FN_NOERR, NULL };

static const struct tmpl_func *S_vs_method(const struct tobj *o, const char *name)
{
	return strcmp(name, "Has") == 0 ? &S_vs_has_fn : NULL;
}

static int S_vs_format(struct buf *out, const struct tobj *o)
{
	const struct helm_caps_obj *c = S_caps(o);

	buf_addch(out, '[');
	for (size_t i = 0; i < helm_napi_versions; i++) {
		if (i)
			buf_addch(out, ' ');
		buf_adds(out, helm_api_versions[i]);
	}
	for (size_t i = 0; i < c->nextra; i++) {
		buf_addch(out, ' ');
		buf_adds(out, c->extra[i]);
	}
	return buf_addch(out, ']');
}

/* Its data: the []string itself, in Helm's order. */
static int S_vs_data(struct tval *out, const struct tobj *o, struct tmpl_rt *rt)
{
	const struct helm_caps_obj *c = S_caps(o);
	json_t *a = json_array();

	(void)rt;
	if (!a)
		return DIAG_ENOMEM;
	for (size_t i = 0; i < helm_napi_versions; i++)
		if (json_array_append_new(a, json_string(helm_api_versions[i])) < 0)
			goto oom;
	for (size_t i = 0; i < c->nextra; i++)
		if (json_array_append_new(a, json_stringn_nocheck(c->extra[i], strlen(c->extra[i]))) < 0)
			goto oom;
	*out = tval_json_new(TV_STRLIST, a);
	return out->kind == TV_STRLIST ? 0 : DIAG_ENOMEM;
oom:
	json_decref(a);
	return DIAG_ENOMEM;
}

static const struct tobj_type S_vs_type = {
	"common.VersionSet", "slice", NULL, S_vs_method, S_vs_format, 1, S_vs_data
};

/* ---- version.BuildInfo */

static int S_bi_field(struct tval *out, const struct tobj *o, const char *name)
{
	if (strcmp(name, "Version") == 0)
		return S_str_field(out, HELM_VERSION);
	if (strcmp(name, "GitCommit") == 0)
		return S_str_field(out, HELM_COMMIT);
	if (strcmp(name, "GitTreeState") == 0)
		return S_str_field(out, HELM_TREE);
	if (strcmp(name, "GoVersion") == 0)
		return S_str_field(out, HELM_GO);
	if (strcmp(name, "KubeClientVersion") == 0)
		return S_str_field(out, HELM_KUBECLIENT);
	return DIAG_ENOTFOUND;
}

static int S_bi_format(struct buf *out, const struct tobj *o)
{
	return buf_adds(out, "{" HELM_VERSION " " HELM_COMMIT " " HELM_TREE " " HELM_GO " "
			     HELM_KUBECLIENT "}");
}

static const struct tobj_type S_bi_type = {
	"version.BuildInfo", "struct", S_bi_field, NULL, S_bi_format, 1, NULL
};

/* ---- *common.Capabilities */

static int S_caps_field(struct tval *out, const struct tobj *o, const char *name)
{
	const struct helm_caps_obj *c = S_caps(o);

	if (strcmp(name, "KubeVersion") == 0)
		*out = tval_obj(&c->kv);
	else if (strcmp(name, "APIVersions") == 0)
		*out = tval_obj(&c->vs);
	else if (strcmp(name, "HelmVersion") == 0)
		*out = tval_obj(&c->bi);
	else
		return DIAG_ENOTFOUND;
	return 0;
}

static int S_caps_format(struct buf *out, const struct tobj *o)
{
	const struct helm_caps_obj *c = S_caps(o);

	buf_addf(out, "{{%s %s %s %s} ", c->version, c->normalized, c->major, c->minor);
	S_vs_format(out, o);
	buf_addch(out, ' ');
	S_bi_format(out, o);
	return buf_addch(out, '}');
}

static const struct tobj_type S_caps_type = {
	"*common.Capabilities", "ptr", S_caps_field, NULL, S_caps_format, 1, NULL
};

/* k8s.io/apimachinery version.ParseGeneric: "v1.30", "1.30.2-gke.1", ... */
static int S_parse_kube_version(struct helm_caps_obj *c, const char *v, struct diag *d)
{
	const char *p = v;
	unsigned long long comps[8];
	size_t n = 0;
	struct buf norm = BUF_INIT;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == 'v')
		p++;
	while (n < 8 && *p >= '0' && *p <= '9') {
		char *end;
		if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
			return diag_set(d, DIAG_EINVALID, "invalid kube version '%s': illegal "
					"zero-prefixed version component \"%.*s\" in \"%s\"", v,
					(int)strspn(p, "0123456789"), p, v);
		comps[n++] = strtoull(p, &end, 10);
		p = end;
		if (*p != '.')
			break;
		p++;
	}
	if (n < 2)
		return diag_set(d, DIAG_EINVALID, "invalid kube version '%s': could not parse "
				"\"%s\" as version", v, v);
	buf_addch(&norm, 'v');
	for (size_t i = 0; i < n; i++)
		buf_addf(&norm, i ? ".%llu" : "%llu", comps[i]);
	if (buf_oom(&norm) || norm.len >= sizeof(c->normalized) ||
	    strlen(v) + 2 > sizeof(c->version)) {
		buf_release(&norm);
		return diag_set(d, DIAG_EINVALID, "invalid kube version '%s': too long", v);
	}
	memcpy(c->normalized, norm.ptr, norm.len + 1);
	buf_release(&norm);
	snprintf(c->version, sizeof(c->version), "%s%s", v[0] == 'v' ? "" : "v", v);
	snprintf(c->major, sizeof(c->major), "%llu", comps[0]);
	snprintf(c->minor, sizeof(c->minor), "%llu", comps[1]);
	return 0;
}

static void S_caps_init(struct helm_caps_obj *c)
{
	c->caps.type = &S_caps_type;
	c->caps.data = c;
	c->kv.type = &S_kv_type;
	c->kv.data = c;
	c->vs.type = &S_vs_type;
	c->vs.data = c;
	c->bi.type = &S_bi_type;
	c->bi.data = c;
}

int helm_capabilities_new(const struct tobj **out, struct helm_funcs_state *st,
			  const struct helm_caps *opts, struct diag *d)
{
	size_t nextra = opts ? opts->napi_versions : 0;
	struct helm_caps_obj *c = calloc(1, sizeof(*c) + nextra * sizeof(c->extra[0]));
	int error;

	*out = NULL;
	if (!c)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	S_caps_init(c);
	if ((error = S_parse_kube_version(c, opts && opts->kube_version ? opts->kube_version
								  : HELM_DEFAULT_KUBE_VERSION, d)) < 0) {
		free(c);
		return error;
	}
	for (size_t i = 0; i < nextra; i++)
		c->extra[i] = opts->api_versions[i];
	c->nextra = nextra;
	if ((error = helm_funcs_state_own(st, c)) < 0)
		return diag_set(d, error, "out of memory");
	*out = &c->caps;
	return 0;
}

const char *helm_capabilities_kube_version(const struct tobj *caps)
{
	return S_caps(caps)->version;
}

const char *helm_capabilities_kube_string(const struct tobj *caps)
{
	return S_caps(caps)->normalized;
}

/* ---- glob (gobwas/glob, separator '/') */

static size_t S_utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;

	for (size_t i = 1; i < n; i++)
		if (!s[i])
			return i;
	return n;
}

/* One pattern without braces; p..pe. */
static int S_match(const char *p, const char *pe, const char *s, int depth)
{
	if (depth > 1000)
		return 0;
	while (p < pe) {
		switch (*p) {
		case '*':
			if (p + 1 < pe && p[1] == '*') {
				const char *q = p + 2;
				for (const char *t = s;; t++) {
					if (S_match(q, pe, t, depth + 1))
						return 1;
					if (!*t)
						return 0;
				}
			} else {
				for (const char *t = s;; t++) {
					if (S_match(p + 1, pe, t, depth + 1))
						return 1;
					if (!*t || *t == '/')
						return 0;
				}
			}
		case '?':
			if (!*s || *s == '/')
				return 0;
			s += S_utf8_len(s);
			p++;
			break;
		case '[': {
			int neg = 0, ok = 0;
			const char *q = p + 1;
			if (q < pe && *q == '!') {
				neg = 1;
				q++;
			}
			if (!*s)
				return 0;
			while (q < pe && *q != ']') {
				unsigned char lo = (unsigned char)*q, hi = lo;
				if (q + 2 < pe && q[1] == '-' && q[2] != ']') {
					hi = (unsigned char)q[2];
					q += 3;
				} else {
					q++;
				}
				if ((unsigned char)*s >= lo && (unsigned char)*s <= hi)
					ok = 1;
			}
			if (q >= pe || ok == neg)
				return 0;
			s += S_utf8_len(s);
			p = q + 1;
			break;
		}
		case '\\':
			if (p + 1 < pe)
				p++;
			/* fallthrough */
		default:
			if (*s != *p)
				return 0;
			s++;
			p++;
		}
	}
	return *s == '\0';
}

/* Expands the first {a,b} and matches each alternative. */
static int S_match_braces(const char *pat, size_t plen, const char *name, int depth)
{
	size_t i, open = (size_t)-1, close = (size_t)-1;
	int level = 0;

	if (depth > 32)
		return -1;
	for (i = 0; i < plen; i++) {
		if (pat[i] == '\\') {
			i++;
			continue;
		}
		if (pat[i] == '{') {
			if (level++ == 0)
				open = i;
		} else if (pat[i] == '}' && level > 0) {
			if (--level == 0) {
				close = i;
				break;
			}
		}
	}
	if (level > 0)
		return -1;
	if (open == (size_t)-1)
		return S_match(pat, pat + plen, name, 0);
	{
		size_t start = open + 1, k;
		int lv = 0;
		for (k = open + 1; k <= close; k++) {
			if (pat[k] == '\\') {
				k++;
				continue;
			}
			if (pat[k] == '{')
				lv++;
			else if (pat[k] == '}' && lv > 0)
				lv--;
			else if ((pat[k] == ',' && lv == 0) || k == close) {
				struct buf alt = BUF_INIT;
				int r;
				buf_add(&alt, pat, open);
				buf_add(&alt, pat + start, k - start);
				buf_add(&alt, pat + close + 1, plen - close - 1);
				if (buf_oom(&alt)) {
					buf_release(&alt);
					return -1;
				}
				r = S_match_braces(alt.ptr, alt.len, name, depth + 1);
				buf_release(&alt);
				if (r != 0)
					return r;
				start = k + 1;
			}
		}
	}
	return 0;
}

int helm_glob_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern), i;
	int level = 0;

	for (i = 0; i < n; i++) {
		if (pattern[i] == '\\') {
			if (++i == n)
				return -1;
		} else if (pattern[i] == '[') {
			if (!strchr(pattern + i, ']'))
				return -1;
		} else if (pattern[i] == '{') {
			level++;
		} else if (pattern[i] == '}') {
			if (--level < 0)
				return -1;
		}
	}
	if (level)
		return -1;
	return S_match_braces(pattern, n, name, 0);
}

/* ---- engine.files */

struct helm_files {
	struct tobj obj;
	size_t n;
	/* The data (S_files_data), made once per execution: loops over it
	 * must not copy the files and grow the box table every time. The
	 * reference is the rt's (released by its defer); cache_rt says
	 * which execution it belongs to. */
	json_t *cache;
	const struct tmpl_rt *cache_rt;
	const struct chart_file *v[];
};

static const struct helm_files *S_files(struct tmpl_call *call)
{
	return call->self ? call->self->data : NULL;
}

static const struct chart_file *S_files_get(const struct helm_files *f, const char *name)
{
	const struct chart_file *found = NULL;

	for (size_t i = 0; f && name && i < f->n; i++)
		if (strcmp(f->v[i]->name, name) == 0)
			found = f->v[i];
	return found;
}

/* cf's data read (chart_file_load), or the call's error. */
static int S_load(struct tmpl_call *call, const struct chart_file *cf)
{
	struct diag d = DIAG_INIT;
	int error = cf ? chart_file_load(cf, &d) : 0;

	if (error < 0 && error != DIAG_ENOMEM)
		error = tmpl_call_errorf(call, "%s", d.msg.ptr);
	diag_release(&d);
	return error;
}

static int S_f_get(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct chart_file *cf = S_files_get(S_files(call), tval_str_ptr(&argv[0], NULL));
	int error = S_load(call, cf);

	if (error < 0)
		return error;
	*out = cf ? tval_strn(cf->data, cf->len) : tval_str("");
	return out->kind == TV_STRING ? 0 : DIAG_ENOMEM;
}

static int S_f_get_bytes(struct tval *out, struct tmpl_call *call, int argc,
			 const struct tval *argv)
{
	const struct chart_file *cf = S_files_get(S_files(call), tval_str_ptr(&argv[0], NULL));
	int error = S_load(call, cf);

	if (error < 0)
		return error;
	*out = cf ? tval_bytes(cf->data, cf->len) : tval_bytes("", 0);
	return out->kind == TV_BYTES ? 0 : DIAG_ENOMEM;
}

static int S_f_glob(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct helm_files *f = S_files(call);
	struct helm_funcs_state *st = call->rt ? tmpl_rt_userdata(call->rt) : NULL;
	const char *pat = tval_str_ptr(&argv[0], NULL);
	const struct chart_file **sel = NULL;
	const struct tobj *o = NULL;
	size_t n = 0;
	int error;

	if (!st)
		return tmpl_call_errorf(call, "Glob needs Helm's rendering state");
	if (helm_glob_match(pat, "") < 0)
		pat = "**";
	if (f && f->n && !(sel = calloc(f->n, sizeof(*sel))))
		return DIAG_ENOMEM;
	for (size_t i = 0; f && i < f->n; i++)
		if (helm_glob_match(pat, f->v[i]->name) == 1)
			sel[n++] = f->v[i];
	error = helm_files_new(&o, st, sel, n);
	free(sel);
	if (error < 0)
		return error;
	*out = tval_obj(o);
	return 0;
}

static int S_f_lines(struct tval *out, struct tmpl_call *call, int argc, const struct tval *argv)
{
	const struct chart_file *cf = S_files_get(S_files(call), tval_str_ptr(&argv[0], NULL));
	json_t *a;
	size_t len, start = 0, i;
	int error = S_load(call, cf);

	if (error < 0)
		return error;
	if (!(a = json_array()))
		return DIAG_ENOMEM;
	if (cf) {
		len = cf->len;
		if (len == 0) {
			json_decref(a);
			return tmpl_call_errorf(call, "runtime error: index out of range [-1]");
		}
		if (cf->data[len - 1] == '\n')
			len--;
		for (i = 0; i <= len; i++) {
			if (i == len || cf->data[i] == '\n') {
				if (json_array_append_new(a, json_stringn(cf->data + start, i - start)) < 0) {
					json_decref(a);
					return DIAG_ENOMEM;
				}
				start = i + 1;
			}
		}
	}
	*out = tval_json_new(TV_STRLIST, a);
	return 0;
}

static const char S_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int S_base64(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		buf_addch(out, S_b64[p[i] >> 2]);
		buf_addch(out, S_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)]);
		buf_addch(out, S_b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)]);
		buf_addch(out, S_b64[p[i + 2] & 63]);
	}
	if (n - i == 1) {
		buf_addch(out, S_b64[p[i] >> 2]);
		buf_addch(out, S_b64[(p[i] & 3) << 4]);
		buf_adds(out, "==");
	} else if (n - i == 2) {
		buf_addch(out, S_b64[p[i] >> 2]);
		buf_addch(out, S_b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)]);
		buf_addch(out, S_b64[(p[i + 1] & 15) << 2]);
		buf_addch(out, '=');
	}
	return buf_oom(out) ? DIAG_ENOMEM : 0;
}

static int S_f_as(struct tval *out, struct tmpl_call *call, int secrets)
{
	const struct helm_files *f = S_files(call);
	json_t *m = json_object();
	struct buf res = BUF_INIT, enc = BUF_INIT;
	int error = 0;

	if (!m)
		return DIAG_ENOMEM;
	for (size_t i = 0; f && i < f->n; i++) {
		const char *base = strrchr(f->v[i]->name, '/');
		json_t *s;
		base = base ? base + 1 : f->v[i]->name;
		if ((error = S_load(call, f->v[i])) < 0)
			goto done;
		if (secrets) {
			buf_reset(&enc);
			if (S_base64(&enc, (const unsigned char *)f->v[i]->data, f->v[i]->len) < 0) {
				error = DIAG_ENOMEM;
				goto done;
			}
			s = json_stringn(enc.ptr, enc.len);
		} else {
			s = json_stringn(f->v[i]->data, f->v[i]->len);
		}
		if (json_object_set_new(m, base, s) < 0) {
			error = DIAG_ENOMEM;
			goto done;
		}
	}
	if ((error = helm_to_yaml(&res, m)) < 0)
		goto done;
	*out = tval_strn(res.ptr, res.len);
	if (out->kind != TV_STRING)
		error = DIAG_ENOMEM;
done:
	json_decref(m);
	buf_release(&res);
	buf_release(&enc);
	return error;
}

static int S_f_as_config(struct tval *out, struct tmpl_call *call, int argc,
			 const struct tval *argv)
{
	return S_f_as(out, call, 0);
}

static int S_f_as_secrets(struct tval *out, struct tmpl_call *call, int argc,
			  const struct tval *argv)
{
	return S_f_as(out, call, 1);
}

static const struct tmpl_func S_files_methods[] = {
	{ "Get", S_f_get, "s", TMPL_FN_NOERR, NULL },
	{ "GetBytes", S_f_get_bytes, "s", TMPL_FN_NOERR, NULL },
	{ "Glob", S_f_glob, "s", TMPL_FN_NOERR, NULL },
	{ "Lines", S_f_lines, "s", TMPL_FN_NOERR, NULL },
	{ "AsConfig", S_f_as_config, "", TMPL_FN_NOERR, NULL },
	{ "AsSecrets", S_f_as_secrets, "", TMPL_FN_NOERR, NULL },
};

static const struct tmpl_func *S_files_method(const struct tobj *o, const char *name)
{
	for (size_t i = 0; i < sizeof(S_files_methods) / sizeof(S_files_methods[0]); i++)
		if (strcmp(S_files_methods[i].name, name) == 0)
			return &S_files_methods[i];
	return NULL;
}

/* fmt's %v of map[string][]byte: keys sorted, values as byte lists. */
static int S_files_format(struct buf *out, const struct tobj *o)
{
	const struct helm_files *f = o->data;
	const struct chart_file **v = NULL;
	size_t i, j;

	buf_adds(out, "map[");
	if (f->n && !(v = calloc(f->n, sizeof(*v))))
		return DIAG_ENOMEM;
	for (i = 0; i < f->n; i++) {
		/* insertion sort: file lists are small */
		for (j = i; j > 0 && strcmp(v[j - 1]->name, f->v[i]->name) > 0; j--)
			v[j] = v[j - 1];
		v[j] = f->v[i];
	}
	for (i = 0; i < f->n; i++) {
		int error = chart_file_load(v[i], NULL);
		if (error < 0) {
			free(v);
			return error;
		}
		if (i)
			buf_addch(out, ' ');
		buf_addf(out, "%s:[", v[i]->name);
		for (j = 0; j < v[i]->len; j++)
			buf_addf(out, j ? " %u" : "%u", (unsigned char)v[i]->data[j]);
		buf_addch(out, ']');
	}
	free(v);
	return buf_addch(out, ']');
}

/* Its data: map[string][]byte, each value a boxed []byte. */
static void S_files_cache_free(void *arg)
{
	json_decref(arg);
}

static int S_files_data(struct tval *out, const struct tobj *o, struct tmpl_rt *rt)
{
	struct helm_files *f = o->data;
	json_t *m;

	if (f->cache && f->cache_rt == rt) {
		*out = tval_json_new(TV_MAP, json_incref(f->cache));
		return out->kind == TV_MAP ? 0 : DIAG_ENOMEM;
	}
	if (!(m = json_object()))
		return DIAG_ENOMEM;
	for (size_t i = 0; i < f->n; i++) {
		struct tval b;
		json_t *j;
		int error = chart_file_load(f->v[i], NULL);

		if (error < 0) {
			json_decref(m);
			return error;
		}
		b = tval_bytes(f->v[i]->data, f->v[i]->len);
		if (b.kind != TV_BYTES)
			goto oom;
		j = tval_to_json(rt, &b);
		tval_release(&b);
		if (!j || json_object_set_new_nocheck(m, f->v[i]->name, j) < 0)
			goto oom;
	}
	if (rt) {
		json_incref(m);
		if (tmpl_rt_defer(rt, S_files_cache_free, m) == 0) {
			f->cache = m;
			f->cache_rt = rt;
		} else {
			json_decref(m); /* no cache: made again next time */
		}
	}
	*out = tval_json_new(TV_MAP, m);
	return out->kind == TV_MAP ? 0 : DIAG_ENOMEM;
oom:
	json_decref(m);
	return DIAG_ENOMEM;
}

/* Go's truth of a map is its length: an empty Glob result is false. */
static const struct tobj_type S_files_type = {
	"engine.files", "map", NULL, S_files_method, S_files_format, 1, S_files_data
};
static const struct tobj_type S_files_type_empty = {
	"engine.files", "map", NULL, S_files_method, S_files_format, 0, S_files_data
};

int helm_files_new(const struct tobj **out, struct helm_funcs_state *st,
		   const struct chart_file *const *files, size_t n)
{
	struct helm_files *f = malloc(sizeof(*f) + n * sizeof(f->v[0]));
	int error;

	*out = NULL;
	if (!f)
		return DIAG_ENOMEM;
	f->obj.type = n ? &S_files_type : &S_files_type_empty;
	f->obj.data = f;
	f->n = n;
	f->cache = NULL;
	f->cache_rt = NULL;
	for (size_t i = 0; i < n; i++)
		f->v[i] = files[i];
	if ((error = helm_funcs_state_own(st, f)) < 0)
		return error;
	*out = &f->obj;
	return 0;
}
