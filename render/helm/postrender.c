/*
 * Post-renderer plugins: plugin lookup (internal/plugin/loader.go), the
 * subprocess runtime (runtime_subprocess.go, subprocess_commands.go) and
 * the annotate / split round trip of pkg/action/action.go, done on
 * libyaml's event stream so that styles and key order survive.
 */
#define _GNU_SOURCE /* strerror_r (GNU) */

#include "render/helm/postrender.h"

#include "render/buf.h"
#include "render/diag.h"
#include "render/helm/engine.h"
#include "render/helm/helm_int.h"
#include "render/helm/template.h"
#include "render/proc.h"
#include "render/srcfile.h"
#include "render/yaml.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define FILENAME_ANNOTATION "postrenderer.helm.sh/postrender-filename"
#define MAX_DOC_EVENTS 4000000

#if defined(__x86_64__)
#define GOARCH "amd64"
#elif defined(__aarch64__)
#define GOARCH "arm64"
#elif defined(__i386__)
#define GOARCH "386"
#elif defined(__arm__)
#define GOARCH "arm"
#else
#define GOARCH "unknown"
#endif

static void S_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void helm_plugin_free(struct helm_plugin *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->dir);
	free(p->runtime);
	S_strv_free(p->command, p->ncommand);
	S_strv_free(p->args, p->nargs);
	free(p);
}

/* ---- lookup */

static int S_valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int S_ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static const char *S_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* Splits s on single spaces (strings.Split(s, " ")) into p->command. */
static int S_split_command(struct helm_plugin *p, const char *s)
{
	size_t n = 1;

	for (const char *c = s; *c; c++)
		n += *c == ' ';
	if (!(p->command = calloc(n, sizeof(*p->command))))
		return -1;
	for (const char *c = s;; ) {
		const char *sp = strchr(c, ' ');
		size_t len = sp ? (size_t)(sp - c) : strlen(c);
		if (!(p->command[p->ncommand++] = strndup(c, len)))
			return -1;
		if (!sp)
			break;
		c = sp + 1;
	}
	return 0;
}

/* getPlatformCommand: the entry for this OS and arch, else the first for
 * this OS without an arch, else the first without either. */
static int S_platform_command(struct helm_plugin *p, const json_t *cmds)
{
	const json_t *pick = NULL, *c, *args;
	int found = 0, found_os = 0;
	size_t i;

	json_array_foreach(cmds, i, c) {
		const char *os = S_str(c, "os"), *arch = S_str(c, "arch");
		if (S_ascii_ieq(os, "linux") && S_ascii_ieq(arch, GOARCH)) {
			pick = c;
			break;
		}
		if ((*os && !S_ascii_ieq(os, "linux")) || *arch)
			continue;
		if (!found_os && *os) {
			pick = c;
			found = found_os = 1;
		} else if (!found) {
			pick = c;
			found = 1;
		}
	}
	if (!pick)
		return 0;
	if (S_split_command(p, S_str(pick, "command")) < 0)
		return -1;
	args = json_object_get(pick, "args");
	if (json_is_array(args) && json_array_size(args)) {
		if (!(p->args = calloc(json_array_size(args), sizeof(*p->args))))
			return -1;
		json_array_foreach(args, i, c)
			if (!(p->args[p->nargs++] = strdup(json_is_string(c) ? json_string_value(c) : "")))
				return -1;
	}
	return 0;
}

/* Loads DIR/plugin.yaml as LoadDir does, for what a post-renderer needs:
 * 1 with *out set, 0 when it does not load (Helm warns and skips it), or
 * DIAG_ENOMEM. */
static int S_load(struct helm_plugin **out, const char *dir, const char *file)
{
	static const char *const known[] = { "apiVersion", "name", "type", "runtime", "version",
					     "sourceURL", "config", "runtimeConfig" };
	struct srcfile src = SRCFILE_INIT;
	struct ystream st = YSTREAM_INIT;
	struct helm_plugin *p = NULL;
	const json_t *root, *rc;
	const char *key;
	json_t *v;
	int ok = 0;

	*out = NULL;
	if (srcfile_read(&src, file, NULL) < 0 ||
	    ystream_parse(&st, &src, YDOC_KUSTOMIZE, NULL, NULL) < 0 || st.ndocs == 0)
		goto done;
	root = st.docs[0].root;
	if (!json_is_object(root) || strcmp(S_str(root, "apiVersion"), "v1") != 0)
		goto done;   /* legacy plugins are cli/v1 or getter/v1 */
	json_object_foreach((json_t *)root, key, v) {
		size_t k = 0;
		while (k < sizeof(known) / sizeof(known[0]) && strcmp(known[k], key) != 0)
			k++;
		if (k == sizeof(known) / sizeof(known[0]))
			goto done;   /* KnownFields(true) */
	}
	if (!S_valid_name(S_str(root, "name")) || !*S_str(root, "version") ||
	    !*S_str(root, "type") || !*S_str(root, "runtime"))
		goto done;
	if (!(p = calloc(1, sizeof(*p))) || !(p->name = strdup(S_str(root, "name"))) ||
	    !(p->dir = strdup(dir)) || !(p->runtime = strdup(S_str(root, "runtime")))) {
		ok = DIAG_ENOMEM;
		goto done;
	}
	if (strcmp(S_str(root, "type"), "postrenderer/v1") != 0) {
		/* another type: found, so that duplicates count, but never matched */
		free(p->runtime);
		p->runtime = NULL;
	}
	rc = json_object_get(root, "runtimeConfig");
	if (p->runtime && json_is_array(json_object_get(rc, "platformCommand")) &&
	    S_platform_command(p, json_object_get(rc, "platformCommand")) < 0) {
		ok = DIAG_ENOMEM;
		goto done;
	}
	*out = p;
	p = NULL;
	ok = 1;
done:
	helm_plugin_free(p);
	ystream_release(&st);
	srcfile_release(&src);
	return ok;
}

static int S_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LoadAllDir(base) filtered by name: 1 with *out, 0, or an error. */
static int S_find_in(struct helm_plugin **out, const char *base, const char *name,
		     struct diag *d)
{
	char **ents = NULL, *clean = helm_path_join(base, "");
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dh = NULL;
	struct helm_plugin **loaded = NULL;
	size_t nloaded = 0;
	int error = 0;

	*out = NULL;
	if (!clean)
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	dh = opendir(clean);
	while (dh && (e = readdir(dh)) != NULL) {
		if (e->d_name[0] == '.')
			continue;   /* filepath.Glob's "*" does not match a leading dot */
		if (n == cap) {
			char **nv = realloc(ents, (cap = cap ? cap * 2 : 16) * sizeof(*ents));
			if (!nv) {
				error = diag_set(d, DIAG_ENOMEM, "out of memory");
				goto done;
			}
			ents = nv;
		}
		if (!(ents[n] = strdup(e->d_name))) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		n++;
	}
	if (n)
		qsort(ents, n, sizeof(*ents), S_cmp_str);
	if (n && !(loaded = calloc(n, sizeof(*loaded)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		char *dir = helm_path_join(clean, ents[i]), *file = NULL;
		struct stat sb;
		int r = 0;
		if (dir && (file = helm_path_join(dir, "plugin.yaml")) && stat(file, &sb) == 0)
			r = S_load(&loaded[nloaded], dir, file);
		if (!dir || (!file && dir))
			r = DIAG_ENOMEM;
		free(dir);
		free(file);
		if (r < 0) {
			error = diag_set(d, r, "out of memory");
			goto done;
		}
		if (r == 0)
			continue;
		for (size_t k = 0; k < nloaded; k++)
			if (strcmp(loaded[k]->name, loaded[nloaded]->name) == 0) {
				error = diag_set(d, DIAG_EINVALID,
						 "two plugins claim the name \"%s\" at \"%s\" and \"%s\"",
						 loaded[k]->name, loaded[k]->dir, loaded[nloaded]->dir);
				nloaded++;
				goto done;
			}
		nloaded++;
	}
	for (size_t k = 0; k < nloaded; k++)
		if (loaded[k]->runtime && strcmp(loaded[k]->name, name) == 0) {
			*out = loaded[k];
			loaded[k] = NULL;
			error = 1;
			break;
		}
done:
	for (size_t k = 0; k < nloaded; k++)
		helm_plugin_free(loaded[k]);
	free(loaded);
	if (dh)
		closedir(dh);
	S_strv_free(ents, n);
	free(clean);
	return error;
}

int helm_plugin_find(struct helm_plugin **out, const char *name, struct diag *d)
{
	const char *dirs = getenv("HELM_PLUGINS"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_DATA_HOME"), *data = getenv("HELM_DATA_HOME");
	struct buf def = BUF_INIT, one = BUF_INIT;
	int error = 0;

	*out = NULL;
	if (!dirs || !*dirs) {
		if (data && *data)
			buf_addf(&def, "%s/plugins", data);
		else if (xdg && *xdg)
			buf_addf(&def, "%s/helm/plugins", xdg);
		else
			buf_addf(&def, "%s/.local/share/helm/plugins", home ? home : "");
		dirs = def.ptr;
	}
	for (const char *p = dirs; !error;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		buf_reset(&one);
		buf_add(&one, p, len);
		if (buf_oom(&one) || buf_oom(&def)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		error = S_find_in(out, one.ptr, name, d);
		if (!colon)
			break;
		p = colon + 1;
	}
	if (error == 0)
		error = diag_set(d, DIAG_ENOTFOUND, "plugin: {Name:%s Type:postrenderer/v1} not found",
				 name);
	buf_release(&def);
	buf_release(&one);
	return error < 0 ? error : 0;
}

/* ---- the command */

/* A plugin's environment: the process's, plus HELM_PLUGIN_NAME and
 * HELM_PLUGIN_DIR. */
static const char *S_plugin_env(const char *name, void *arg)
{
	const struct helm_plugin *p = arg;

	return strcmp(name, "HELM_PLUGIN_NAME") == 0 ? p->name
	       : strcmp(name, "HELM_PLUGIN_DIR") == 0 ? p->dir : getenv(name);
}

/* os.Expand(s, lookup) with the plugin's environment. */
static void S_expand(struct buf *b, const char *s, const struct helm_plugin *p)
{
	helm__os_expand(b, s, strlen(s), S_plugin_env, (void *)p);
}

/* Go's exec.LookPath for a name without '/': the first executable regular
 * file in PATH (an empty entry is "."). A new string, or NULL. */
static char *S_look_path(const char *name)
{
	const char *path = getenv("PATH");
	struct buf f = BUF_INIT;

	if (!path)
		return NULL;
	for (const char *p = path;;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		struct stat sb;
		buf_reset(&f);
		if (len)
			buf_add(&f, p, len);
		else
			buf_addch(&f, '.');
		buf_addf(&f, "/%s", name);
		if (!buf_oom(&f) && stat(f.ptr, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 0111))
			return buf_detach(&f, NULL);
		if (!colon)
			break;
		p = colon + 1;
	}
	buf_release(&f);
	return NULL;
}

/* ---- YAML documents as libyaml events */

struct S_doc {
	yaml_event_t *ev;   /* the events between DOCUMENT-START and -END */
	size_t n, cap;
};

static void S_doc_release(struct S_doc *doc)
{
	for (size_t i = 0; i < doc->n; i++)
		yaml_event_delete(&doc->ev[i]);
	free(doc->ev);
	doc->ev = NULL;
	doc->n = doc->cap = 0;
}

static int S_doc_push(struct S_doc *doc, yaml_event_t *e)
{
	if (doc->n == doc->cap) {
		size_t nc = doc->cap ? doc->cap * 2 : 64;
		yaml_event_t *nv = doc->n >= MAX_DOC_EVENTS ? NULL : realloc(doc->ev, nc * sizeof(*nv));
		if (!nv) {
			yaml_event_delete(e);
			return -1;
		}
		doc->ev = nv;
		doc->cap = nc;
	}
	doc->ev[doc->n++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* IsYNodeEmptyDoc: the root is a null scalar. */
static int S_doc_empty(const struct S_doc *doc)
{
	const yaml_event_t *e = &doc->ev[0];
	const char *v;

	if (doc->n == 0)
		return 1;
	if (e->type != YAML_SCALAR_EVENT)
		return 0;
	if (e->data.scalar.tag)
		return strcmp((const char *)e->data.scalar.tag, "tag:yaml.org,2002:null") == 0;
	if (!e->data.scalar.plain_implicit || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)e->data.scalar.value;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

/* Parses text into documents (empty ones dropped). On a syntax error d
 * gets go-yaml's "yaml: line N: PROBLEM". */
static int S_parse(struct S_doc **docs_out, size_t *n_out, const char *text, size_t len,
		   struct diag *d)
{
	yaml_parser_t parser;
	yaml_event_t e;
	struct S_doc *docs = NULL, cur = { NULL, 0, 0 };
	size_t n = 0, cap = 0;
	int error = 0, in_doc = 0, done = 0;

	*docs_out = NULL;
	*n_out = 0;
	if (!yaml_parser_initialize(&parser))
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &e)) {
			error = diag_set(d, DIAG_EPARSE, "yaml: line %lu: %s",
					 (unsigned long)(parser.problem_mark.line + 1),
					 parser.problem ? parser.problem : "syntax error");
			goto fail;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			yaml_event_delete(&e);
			break;
		case YAML_DOCUMENT_START_EVENT:
			in_doc = 1;
			yaml_event_delete(&e);
			break;
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&e);
			in_doc = 0;
			if (S_doc_empty(&cur)) {
				S_doc_release(&cur);
				break;
			}
			if (n == cap) {
				struct S_doc *nv = realloc(docs, (cap = cap ? cap * 2 : 8) * sizeof(*nv));
				if (!nv) {
					error = diag_set(d, DIAG_ENOMEM, "out of memory");
					goto fail;
				}
				docs = nv;
			}
			docs[n++] = cur;
			memset(&cur, 0, sizeof(cur));
			break;
		default:
			if (!in_doc) {
				yaml_event_delete(&e);
				break;
			}
			if (S_doc_push(&cur, &e) < 0) {
				error = diag_set(d, DIAG_ELIMIT, "post-render: a document is too big");
				goto fail;
			}
		}
	}
	yaml_parser_delete(&parser);
	*docs_out = docs;
	*n_out = n;
	return 0;
fail:
	yaml_parser_delete(&parser);
	S_doc_release(&cur);
	for (size_t i = 0; i < n; i++)
		S_doc_release(&docs[i]);
	free(docs);
	return error;
}

/* Where the parts annotations live in a document's events. */
struct S_where {
	long root_end, meta_key, meta_end, ann_key, ann_end, fkey, fval;
	size_t ann_pairs, meta_pairs;
};

/* Finds metadata.annotations and the filename annotation in doc. */
static void S_locate(struct S_where *w, const struct S_doc *doc)
{
	enum { R_OTHER, R_ROOT, R_META, R_ANN };
	struct frame { int is_map, expect_key, role; long key; const char *keytext; };
	struct frame stack[64];
	int sp = 0, overflow = 0;

	memset(w, 0, sizeof(*w));
	w->root_end = w->meta_key = w->meta_end = w->ann_key = w->ann_end = w->fkey = w->fval = -1;
	for (size_t i = 0; i < doc->n; i++) {
		const yaml_event_t *e = &doc->ev[i];
		int starts = e->type == YAML_SCALAR_EVENT || e->type == YAML_ALIAS_EVENT ||
			     e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT;
		int role = R_OTHER;

		if (starts && sp > 0 && sp <= 64) {
			struct frame *f = &stack[sp - 1];
			if (f->is_map && f->expect_key) {
				f->expect_key = 0;
				f->key = (long)i;
				f->keytext = e->type == YAML_SCALAR_EVENT ? (const char *)e->data.scalar.value
									   : NULL;
				starts = e->type == YAML_SEQUENCE_START_EVENT ||
					 e->type == YAML_MAPPING_START_EVENT;
				if (!starts)
					continue;
			} else if (f->is_map) {
				f->expect_key = 1;
				if (f->keytext && e->type == YAML_MAPPING_START_EVENT) {
					if (f->role == R_ROOT && strcmp(f->keytext, "metadata") == 0 &&
					    w->meta_key < 0) {
						role = R_META;
						w->meta_key = f->key;
					} else if (f->role == R_META &&
						   strcmp(f->keytext, "annotations") == 0 &&
						   w->ann_key < 0) {
						role = R_ANN;
						w->ann_key = f->key;
					}
				}
				if (f->role == R_META)
					w->meta_pairs++;
				if (f->role == R_ANN) {
					w->ann_pairs++;
					if (f->keytext && e->type == YAML_SCALAR_EVENT &&
					    strcmp(f->keytext, FILENAME_ANNOTATION) == 0) {
						w->fkey = f->key;
						w->fval = (long)i;
					}
				}
			}
		} else if (starts && sp == 0 && i == 0 && e->type == YAML_MAPPING_START_EVENT) {
			role = R_ROOT;
		}
		if (e->type == YAML_SEQUENCE_START_EVENT || e->type == YAML_MAPPING_START_EVENT) {
			if (sp >= 64) {
				overflow++;
				continue;
			}
			stack[sp].is_map = e->type == YAML_MAPPING_START_EVENT;
			stack[sp].expect_key = 1;
			stack[sp].role = role;
			stack[sp].key = -1;
			stack[sp].keytext = NULL;
			sp++;
		} else if (e->type == YAML_SEQUENCE_END_EVENT || e->type == YAML_MAPPING_END_EVENT) {
			if (overflow) {
				overflow--;
				continue;
			}
			if (sp == 0)
				continue;
			sp--;
			if (stack[sp].role == R_ROOT)
				w->root_end = (long)i;
			else if (stack[sp].role == R_META)
				w->meta_end = (long)i;
			else if (stack[sp].role == R_ANN)
				w->ann_end = (long)i;
		}
	}
}

static int S_write_handler(void *data, unsigned char *buffer, size_t size)
{
	return buf_add(data, buffer, size) == 0;
}

static int S_scalar(yaml_event_t *e, const char *v, yaml_scalar_style_t style)
{
	return yaml_scalar_event_initialize(e, NULL, NULL, (yaml_char_t *)v, (int)strlen(v),
					    style == YAML_PLAIN_SCALAR_STYLE,
					    style != YAML_PLAIN_SCALAR_STYLE, style);
}

/* Emits doc's events (consumed: doc is released) as yaml.v3 via kyaml
 * would, with the event at index insert_at preceded by the nins events of
 * ins (consumed), and the events marked in skip left out. */
static int S_emit(struct buf *out, struct S_doc *doc, long insert_at, yaml_event_t *ins,
		  size_t nins, const char *skip, struct diag *d)
{
	yaml_emitter_t em;
	yaml_event_t e;
	size_t i, k = 0;
	int ok;

	if (!yaml_emitter_initialize(&em)) {
		for (k = 0; k < nins; k++)
			yaml_event_delete(&ins[k]);
		S_doc_release(doc);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	yaml_emitter_set_output(&em, S_write_handler, out);
	yaml_emitter_set_indent(&em, 2);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_unicode(&em, 1);
	ok = yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING) && yaml_emitter_emit(&em, &e);
	ok = ok && yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1) &&
	     yaml_emitter_emit(&em, &e);
	for (i = 0; i < doc->n; i++) {
		if ((long)i == insert_at)
			for (; k < nins; k++) {
				if (ok)
					ok = yaml_emitter_emit(&em, &ins[k]);
				else
					yaml_event_delete(&ins[k]);
			}
		if (skip && skip[i])
			yaml_event_delete(&doc->ev[i]);
		else if (ok)
			ok = yaml_emitter_emit(&em, &doc->ev[i]);
		else
			yaml_event_delete(&doc->ev[i]);
		memset(&doc->ev[i], 0, sizeof(doc->ev[i]));
	}
	for (; k < nins; k++)
		yaml_event_delete(&ins[k]);
	ok = ok && yaml_document_end_event_initialize(&e, 1) && yaml_emitter_emit(&em, &e);
	ok = ok && yaml_stream_end_event_initialize(&e) && yaml_emitter_emit(&em, &e);
	ok = ok && yaml_emitter_flush(&em);
	if (!ok)
		diag_set(d, DIAG_EEXEC, "writing YAML: %s", em.problem ? em.problem : "out of memory");
	yaml_emitter_delete(&em);
	doc->n = 0;
	S_doc_release(doc);
	return ok ? 0 : DIAG_EEXEC;
}

/* SetAnnotation(filename): doc emitted with the annotation added. */
static int S_emit_annotated(struct buf *out, struct S_doc *doc, const char *fname, struct diag *d)
{
	yaml_event_t ins[8];
	struct S_where w;
	size_t n = 0;
	long at;
	int ok = 1;

	S_locate(&w, doc);
	if (w.root_end < 0) {
		S_doc_release(doc);
		return diag_set(d, DIAG_EPARSE, "annotating %s: wrong node kind: expected "
				"MappingNode", fname);
	}
	if (w.ann_end >= 0) {
		at = w.ann_end;
	} else if (w.meta_end >= 0) {
		at = w.meta_end;
		ok = S_scalar(&ins[n++], "annotations", YAML_PLAIN_SCALAR_STYLE) &&
		     yaml_mapping_start_event_initialize(&ins[n++], NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE);
	} else {
		at = w.root_end;
		ok = S_scalar(&ins[n++], "metadata", YAML_PLAIN_SCALAR_STYLE) &&
		     yaml_mapping_start_event_initialize(&ins[n++], NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) &&
		     S_scalar(&ins[n++], "annotations", YAML_PLAIN_SCALAR_STYLE) &&
		     yaml_mapping_start_event_initialize(&ins[n++], NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE);
	}
	ok = ok && S_scalar(&ins[n++], FILENAME_ANNOTATION, YAML_PLAIN_SCALAR_STYLE) &&
	     S_scalar(&ins[n++], fname, YAML_SINGLE_QUOTED_SCALAR_STYLE);
	if (ok && at != w.ann_end)
		ok = yaml_mapping_end_event_initialize(&ins[n++]);
	if (ok && at == w.root_end)
		ok = yaml_mapping_end_event_initialize(&ins[n++]);
	if (!ok) {
		/* a failed initialize leaves its event zeroed: deleting it is safe */
		for (size_t i = 0; i < n; i++)
			yaml_event_delete(&ins[i]);
		S_doc_release(doc);
		return diag_set(d, DIAG_ENOMEM, "out of memory");
	}
	return S_emit(out, doc, at, ins, n, NULL, d);
}

/* ---- the round trip */

/* fixDocSeparators: a "---" starting a line and followed by something
 * other than a line end or a blank gets a newline after it. */
static void S_fix_separators(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_addch(out, s[i]);
		if (s[i] == '-' && i + 2 < n && s[i + 1] == '-' && s[i + 2] == '-' &&
		    (i == 0 || s[i - 1] == '\n')) {
			buf_add(out, "--", 2);
			i += 2;
			if (i + 1 < n && s[i + 1] != '\n' && s[i + 1] != '\r' && s[i + 1] != ' ' &&
			    s[i + 1] != '\t')
				buf_addch(out, '\n');
		}
	}
}

static int S_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\n\r\v\f", s[i]))
			return 0;
	return 1;
}

static int S_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* annotateAndMerge */
static int S_merge(struct buf *out, const struct helm_rendered *files, struct diag *d)
{
	struct buf fixed = BUF_INIT;
	int error = 0, first = 1;

	for (size_t i = 0; i < files->n && !error; i++) {
		const struct helm_rendered_file *f = &files->v[i];
		const char *base = strrchr(f->name, '/');
		struct S_doc *docs = NULL;
		size_t ndocs = 0, k;

		base = base ? base + 1 : f->name;
		if (base[0] == '_' || S_ends_with(f->name, "NOTES.txt") ||
		    S_blank(f->text.ptr, f->text.len))
			continue;
		buf_reset(&fixed);
		S_fix_separators(&fixed, f->text.ptr, f->text.len);
		if (buf_oom(&fixed)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			break;
		}
		if ((error = S_parse(&docs, &ndocs, fixed.ptr, fixed.len, d)) < 0) {
			diag_prefix(d, "error merging manifests: parsing %s", f->name);
			break;
		}
		for (k = 0; k < ndocs; k++) {
			if (!error) {
				if (!first)
					buf_adds(out, "---\n");
				first = 0;
				error = S_emit_annotated(out, &docs[k], f->name, d);
				if (error < 0)
					diag_prefix(d, "error merging manifests");
			} else {
				S_doc_release(&docs[k]);
			}
		}
		free(docs);
	}
	buf_release(&fixed);
	return error;
}

static int S_cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct helm_rendered_file *)a)->name,
		      ((const struct helm_rendered_file *)b)->name);
}

/* splitAndDeannotate: out's files, sorted by name. */
static int S_split(struct helm_rendered *out, const char *text, size_t len, struct diag *d)
{
	struct S_doc *docs = NULL;
	size_t ndocs = 0, i;
	char *skip = NULL;
	int error;

	if ((error = S_parse(&docs, &ndocs, text, len, d)) < 0) {
		diag_prefix(d, "error while parsing post rendered output: error parsing YAML");
		return error;
	}
	if (ndocs && !(out->v = calloc(ndocs, sizeof(*out->v)))) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < ndocs; i++) {
		struct S_where w;
		struct buf name = BUF_INIT;
		size_t k;

		S_locate(&w, &docs[i]);
		if (w.fval >= 0 && *docs[i].ev[w.fval].data.scalar.value)
			buf_adds(&name, (const char *)docs[i].ev[w.fval].data.scalar.value);
		else
			buf_addf(&name, "generated-by-postrender-%zu.yaml", i);
		free(skip);
		if (!(skip = calloc(docs[i].n ? docs[i].n : 1, 1)) || buf_oom(&name)) {
			buf_release(&name);
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		if (w.fval >= 0) {
			skip[w.fkey] = skip[w.fval] = 1;
			/* ClearEmptyAnnotations: an empty annotations mapping goes,
			 * and then an empty metadata mapping */
			if (w.ann_pairs == 1 && w.meta_pairs == 1)
				memset(skip + w.meta_key, 1, (size_t)(w.meta_end - w.meta_key + 1));
			else if (w.ann_pairs == 1)
				memset(skip + w.ann_key, 1, (size_t)(w.ann_end - w.ann_key + 1));
		}
		for (k = 0; k < out->n && strcmp(out->v[k].name, name.ptr) != 0; k++)
			;
		if (k == out->n) {
			out->v[k].name = buf_detach(&name, NULL);
			buf_init(&out->v[k].text, 0);
			out->n++;
		} else {
			buf_adds(&out->v[k].text, "---\n");
			buf_release(&name);
		}
		if ((error = S_emit(&out->v[k].text, &docs[i], -1, NULL, 0, skip, d)) < 0) {
			diag_prefix(d, "error while parsing post rendered output: re-writing %s",
				    out->v[k].name);
			goto done;
		}
		if (buf_oom(&out->v[k].text)) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), S_cmp_files);
done:
	free(skip);
	for (i = 0; i < ndocs; i++)
		S_doc_release(&docs[i]);
	free(docs);
	return error;
}

/* Go's text of an errno: strerror with a lower-case first letter. */
static void S_add_errno(struct buf *b, int err)
{
	char msg[256];
	const char *s = strerror_r(err, msg, sizeof(msg));

	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z')) {
		buf_addch(b, s[0] - 'A' + 'a');
		s++;
	}
	buf_adds(b, s);
}

int helm_postrender(struct helm_rendered *files, const struct helm_plugin *p,
		    const char *const *args, size_t nargs, struct buf *debug_log, struct diag *d)
{
	struct buf in = BUF_INIT, out = BUF_INIT, env_name = BUF_INIT, env_dir = BUF_INIT;
	struct buf *exp = NULL, msg = BUF_INIT;
	struct helm_rendered res = HELM_RENDERED_INIT;
	const char **argv = NULL, *env[2];
	char *path = NULL;
	size_t n = 0, i;
	struct proc_opts po;
	struct proc_result pr;
	int error = 0;

	memset(&po, 0, sizeof(po));
	if ((error = S_merge(&in, files, d)) < 0)
		goto done;
	if (!p->ncommand || !p->command[0][0]) {
		error = diag_set(d, DIAG_EEXEC, "error while running post render on files: failed to "
				 "invoke post-renderer plugin \"%s\": failed to prepare plugin "
				 "command: no plugin command is applicable", p->name);
		goto done;
	}
	if (p->runtime && strcmp(p->runtime, "subprocess") != 0) {
		error = diag_set(d, DIAG_EEXEC, "error while running post render on files: "
				 "post-renderer plugin \"%s\": hydrate runs only subprocess plugins, "
				 "not %s", p->name, p->runtime);
		goto done;
	}
	exp = calloc(p->ncommand + p->nargs, sizeof(*exp));
	argv = calloc(p->ncommand + p->nargs + nargs + 1, sizeof(*argv));
	if (!exp || !argv) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < p->ncommand + p->nargs; i++) {
		S_expand(&exp[i], i < p->ncommand ? p->command[i] : p->args[i - p->ncommand], p);
		if (buf_oom(&exp[i])) {
			error = diag_set(d, DIAG_ENOMEM, "out of memory");
			goto done;
		}
		argv[n++] = exp[i].ptr;
	}
	for (i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	buf_addf(&msg, "error while running post render on files: failed to invoke post-renderer "
		 "plugin \"%s\": ", p->name);
	/* exec.Command resolves a name without '/' in PATH; the command is
	 * logged (--debug) before a failed lookup is reported */
	if (!strchr(argv[0], '/') && (path = S_look_path(argv[0])) != NULL)
		argv[0] = path;
	if (debug_log) {
		/* exec.Cmd.String: the path and the arguments, joined by spaces */
		struct buf c = BUF_INIT;
		const char *kv[4] = { "pluginName", p->name, "command", NULL };
		for (i = 0; argv[i]; i++) {
			if (i)
				buf_addch(&c, ' ');
			buf_adds(&c, argv[i]);
		}
		kv[3] = c.ptr;
		helm__log(debug_log, "DEBUG", "executing plugin command", kv, 4);
		buf_release(&c);
	}
	if (!strchr(argv[0], '/')) {
		error = diag_set(d, DIAG_EEXEC, "%sexec: \"%s\": executable file not found in "
				 "$PATH", msg.ptr, argv[0]);
		goto done;
	}
	buf_addf(&env_name, "HELM_PLUGIN_NAME=%s", p->name);
	buf_addf(&env_dir, "HELM_PLUGIN_DIR=%s", p->dir);
	env[0] = env_name.ptr;
	env[1] = env_dir.ptr;
	po.argv = argv;
	po.env_add = env;
	po.nenv_add = 2;
	po.in = in.ptr;
	po.inlen = in.len;
	po.timeout_ms = HELM_POSTRENDER_TIMEOUT_MS;
	po.max_output = HELM_POSTRENDER_MAX_OUTPUT;
	if (buf_oom(&env_name) || buf_oom(&env_dir) || buf_oom(&in) || buf_oom(&msg)) {
		error = diag_set(d, DIAG_ENOMEM, "out of memory");
		goto done;
	}
	if ((error = proc_run(&out, NULL, &pr, &po, d)) < 0) {
		if (pr.spawn_errno) {
			struct buf t = BUF_INIT;
			S_add_errno(&t, pr.spawn_errno);
			error = diag_set(d, DIAG_EEXEC, "%sfork/exec %s: %s", msg.ptr, argv[0], t.ptr);
			buf_release(&t);
		}
		goto done;
	}
	if (pr.timed_out || pr.too_big) {
		struct buf t = BUF_INIT;
		proc_add_duration(&t, HELM_POSTRENDER_TIMEOUT_MS);
		if (pr.timed_out)
			error = diag_set(d, DIAG_EEXEC, "%splugin \"%s\" timed out after %s (hydrate's "
					 "limit)", msg.ptr, p->name, t.ptr);
		else
			error = diag_set(d, DIAG_ELIMIT, "%splugin \"%s\" printed more than %zu MiB "
					 "(hydrate's limit)", msg.ptr, p->name,
					 HELM_POSTRENDER_MAX_OUTPUT >> 20);
		buf_release(&t);
		goto done;
	}
	if (!pr.exited || pr.exit_status != 0) {
		if (debug_log) {
			struct buf e = BUF_INIT, c = BUF_INIT;
			const char *kv[8] = { "pluginName", p->name, "error", NULL, "exitCode", NULL,
					      "stderr", "" };
			if (pr.exited)
				buf_addf(&e, "exit status %d", pr.exit_status);
			else
				buf_addf(&e, "signal: %s", strsignal(pr.signal));
			buf_addf(&c, "%d", pr.exited ? pr.exit_status : -1);
			kv[3] = e.ptr;
			kv[5] = c.ptr;
			helm__log(debug_log, "DEBUG", "plugin execution failed", kv, 8);
			buf_release(&e);
			buf_release(&c);
		}
		error = diag_set(d, DIAG_EEXEC, "%splugin \"%s\" exited with error", msg.ptr, p->name);
		goto done;
	}
	if (S_blank(out.ptr, out.len)) {
		error = diag_set(d, DIAG_EEXEC, "error while running post render on files: "
				 "post-renderer \"%s\" produced empty output", p->name);
		goto done;
	}
	if ((error = S_split(&res, out.ptr, out.len, d)) < 0)
		goto done;
	helm_rendered_release(files);
	*files = res;
	memset(&res, 0, sizeof(res));
done:
	helm_rendered_release(&res);
	if (exp)
		for (i = 0; i < p->ncommand + p->nargs; i++)
			buf_release(&exp[i]);
	free(exp);
	free(argv);
	free(path);
	buf_release(&in);
	buf_release(&out);
	buf_release(&msg);
	buf_release(&env_name);
	buf_release(&env_dir);
	return error;
}
