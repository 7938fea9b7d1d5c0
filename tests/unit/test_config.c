/*
 * gitops/config.c: hydrate.yaml loading and validation, .env files, path
 * templates, variables and resolved jobs.
 *
 * No reference binary applies here: every expected value (messages,
 * positions, carets, model dumps) was written by hand from
 * docs/hydrate-yaml.md. The golden cases live in testdata/config/<case>/:
 * hydrate.yaml plus expected.err (the whole diagnostic: message line, quoted
 * line, caret) or expected.dump (config_dump of the model, loaded with
 * "/cfg" as its directory), and optionally dotenv + expected.jobs (every
 * app x environment resolved with that .env).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gitops/config.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/jsonschema.h"
#include "render/srcfile.h"
#include "render/yaml.h"
#include "testutil.h"

static int parse_text(struct config **out, const char *text, struct diag *d)
{
	struct srcfile src = SRCFILE_INIT;
	int rc;

	assert_int_equal(srcfile_set(&src, "hydrate.yaml", text, strlen(text)), 0);
	rc = config_parse(out, &src, "/cfg", d);
	srcfile_release(&src);
	return rc;
}

/* The whole printed diagnostic: message, newline, context. */
static void full_diag(struct buf *out, const struct diag *d)
{
	buf_add(out, d->msg.ptr, d->msg.len);
	buf_addch(out, '\n');
	buf_add(out, d->context.ptr, d->context.len);
}

static void expect_error(const char *text, int code, const char *expected)
{
	struct config *cfg = NULL;
	struct diag d = DIAG_INIT;
	struct buf got = BUF_INIT;

	assert_int_equal(parse_text(&cfg, text, &d), code);
	assert_null(cfg);
	full_diag(&got, &d);
	assert_string_equal(got.ptr, expected);
	buf_release(&got);
	diag_release(&d);
}

#define HEAD "apiVersion: hydrate/v1\nenvironments:\n  - name: prod\napps:\n"

static void test_config__unknown_key_did_you_mean(void **state)
{
	(void)state;
	expect_error(HEAD "  - name: web\n    chart: c\n    valuesFile: values/prod.yaml\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:7:5: unknown key 'valuesFile' in app 'web' (did you mean "
		     "'valuesFiles'?)\n"
		     "        valuesFile: values/prod.yaml\n"
		     "        ^^^^^^^^^^\n");
}

static void test_config__unknown_key_no_suggestion(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v1\nfrobnicate: 1\n", DIAG_EINVALID,
		     "hydrate.yaml:2:1: unknown key 'frobnicate' in hydrate.yaml\n"
		     "    frobnicate: 1\n"
		     "    ^^^^^^^^^^\n");
}

static void test_config__transposition_suggestion(void **state)
{
	(void)state;
	/* "nmae" is one transposition from "name" */
	expect_error("apiVersion: hydrate/v1\nenvironments:\n  - nmae: x\n    name: prod\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:3:5: unknown key 'nmae' in environment 'prod' (did you "
		     "mean 'name'?)\n"
		     "      - nmae: x\n"
		     "        ^^^^\n");
}

static void test_config__wrong_type(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v1\nrepository:\n  branch: [a, b]\n", DIAG_EINVALID,
		     "hydrate.yaml:3:11: 'branch' in repository must be a string, not a "
		     "sequence\n"
		     "      branch: [a, b]\n"
		     "              ^\n");
	expect_error("apiVersion: hydrate/v1\nlayout:\n  split: on\n", DIAG_EINVALID,
		     "hydrate.yaml:3:10: 'split' in layout must be a boolean, not a string\n"
		     "      split: on\n"
		     "             ^^\n");
}

static void test_config__api_version(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v2\n", DIAG_EINVALID,
		     "hydrate.yaml:1:13: unsupported apiVersion 'hydrate/v2' (this hydrate "
		     "reads 'hydrate/v1')\n"
		     "    apiVersion: hydrate/v2\n"
		     "                ^^^^^^^^^^\n");
	expect_error("environments: []\n", DIAG_EINVALID,
		     "hydrate.yaml:1:1: missing 'apiVersion' in hydrate.yaml\n"
		     "    environments: []\n"
		     "    ^\n");
}

static void test_config__duplicate_names(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v1\nenvironments:\n  - name: prod\n  - name: prod\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:4:11: duplicate environment 'prod' (first defined on line "
		     "3)\n"
		     "      - name: prod\n"
		     "              ^^^^\n");
	expect_error(HEAD "  - name: web\n    chart: a\n  - name: web\n    chart: b\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:7:11: duplicate app 'web' (first defined on line 5)\n"
		     "      - name: web\n"
		     "              ^^^\n");
}

static void test_config__duplicate_key_is_yaml_error(void **state)
{
	struct config *cfg = NULL;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(parse_text(&cfg, "apiVersion: hydrate/v1\napiVersion: x\n", &d),
			 DIAG_EPARSE);
	assert_non_null(strstr(d.msg.ptr, "hydrate.yaml:2:1: "));
	diag_release(&d);
}

static void test_config__bad_names(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v1\nenvironments:\n  - name: Prod\n", DIAG_EINVALID,
		     "hydrate.yaml:3:11: invalid name 'Prod' in environment #1: use at most "
		     "63 lowercase letters, digits and '-', starting and ending with a letter "
		     "or digit\n"
		     "      - name: Prod\n"
		     "              ^^^^\n");
}

static void test_config__path_template(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v1\nlayout:\n  pathTemplate: clusters/{envv}/{app}\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:3:17: unknown placeholder '{envv}' in "
		     "'clusters/{envv}/{app}' (did you mean '{env}'?)\n"
		     "      pathTemplate: clusters/{envv}/{app}\n"
		     "                    ^^^^^^^^^^^^^^^^^^^^^\n");
	expect_error("apiVersion: hydrate/v1\nlayout:\n  pathTemplate: ../{env}/{app}\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:3:17: path '../env/app' from '../{env}/{app}' leaves the "
		     "repository ('..')\n"
		     "      pathTemplate: ../{env}/{app}\n"
		     "                    ^^^^^^^^^^^^^^\n");
	expect_error("apiVersion: hydrate/v1\nenvironments:\n  - name: a\n"
		     "    pathTemplate: /srv/{app}\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:4:19: path '/srv/app' from '/srv/{app}' is absolute; paths "
		     "in the GitOps repository are relative\n"
		     "        pathTemplate: /srv/{app}\n"
		     "                      ^^^^^^^^^^\n");
}

static void test_config__app_source(void **state)
{
	(void)state;
	expect_error(HEAD "  - name: web\n    namespace: x\n", DIAG_EINVALID,
		     "hydrate.yaml:5:5: app 'web' needs 'chart' (a Helm chart) or 'kustomize' "
		     "(an overlay)\n"
		     "      - name: web\n"
		     "        ^\n");
	expect_error(HEAD "  - name: web\n    chart: a\n    kustomize: b\n", DIAG_EINVALID,
		     "hydrate.yaml:7:5: app 'web' takes 'chart' or 'kustomize', not both\n"
		     "        kustomize: b\n"
		     "        ^^^^^^^^^\n");
	expect_error(HEAD "  - name: web\n    kustomize: a\n    set: {x: 1}\n", DIAG_EINVALID,
		     "hydrate.yaml:7:5: 'set' in app 'web' needs a Helm chart; a Kustomize "
		     "overlay takes no values\n"
		     "        set: {x: 1}\n"
		     "        ^^^\n");
}

static void test_config__unknown_app_environment(void **state)
{
	(void)state;
	expect_error(HEAD "  - name: web\n    chart: a\n    environments:\n      prd:\n"
		     "        enabled: false\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:8:7: unknown environment 'prd' in app 'web' (did you mean "
		     "'prod'?)\n"
		     "          prd:\n"
		     "          ^^^\n");
}

static void test_config__hooks(void **state)
{
	(void)state;
	expect_error(HEAD "  - name: web\n    chart: a\nhooks:\n  postRender:\n"
		     "    - name: lint\n      command: [x]\n      timeout: 10 minutes\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:11:16: invalid 'timeout' in hook 'lint': use a duration "
		     "such as 30s, 2m or 1m30s (at most 24h), or seconds\n"
		     "          timeout: 10 minutes\n"
		     "                   ^^^^^^^^^^\n");
	expect_error(HEAD "  - name: web\n    chart: a\nhooks:\n  preRender:\n"
		     "    - name: lint\n      command: []\n",
		     DIAG_EINVALID,
		     "hydrate.yaml:10:16: 'command' in hook 'lint' must not be empty\n"
		     "          command: []\n"
		     "                   ^\n");
}

static void test_config__not_a_mapping(void **state)
{
	(void)state;
	expect_error("- a\n", DIAG_EINVALID,
		     "hydrate.yaml:1:1: hydrate.yaml must be a mapping, not a sequence\n"
		     "    - a\n"
		     "    ^\n");
	expect_error("# nothing\n", DIAG_EINVALID,
		     "hydrate.yaml: empty configuration (expected 'apiVersion: hydrate/v1', "
		     "'environments' and 'apps')\n");
	expect_error("apiVersion: hydrate/v1\n---\na: 1\n", DIAG_EINVALID,
		     "hydrate.yaml:3:1: hydrate.yaml holds one document, found a second one\n"
		     "    a: 1\n"
		     "    ^\n");
}

static void test_config__quoted_and_unicode_keys(void **state)
{
	(void)state;
	expect_error("apiVersion: hydrate/v1\n\"layuot\": {}\n", DIAG_EINVALID,
		     "hydrate.yaml:2:1: unknown key 'layuot' in hydrate.yaml (did you mean "
		     "'layout'?)\n"
		     "    \"layuot\": {}\n"
		     "    ^^^^^^^^\n");
	/* columns count characters, as the YAML reader's do */
	expect_error("apiVersion: hydrate/v1\nvars: {\xc3\xa9: 1, b\xc3\xa9: 2}\n", DIAG_EINVALID,
		     "hydrate.yaml:2:8: invalid variable name '\xc3\xa9' in hydrate.yaml "
		     "(letters, digits and '_', not starting with a digit)\n"
		     "    vars: {\xc3\xa9: 1, b\xc3\xa9: 2}\n"
		     "           ^^\n");
}

static void test_config__timeouts(void **state)
{
	struct config *cfg = NULL;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(parse_text(&cfg, HEAD "  - name: web\n    chart: c\nhooks:\n"
				    "  preRender:\n"
				    "    - {name: a, command: [x]}\n"
				    "    - {name: b, command: [x], timeout: 1m30s}\n"
				    "    - {name: c, command: [x], timeout: 500ms}\n"
				    "    - {name: d, command: [x], timeout: 2}\n"
				    "    - {name: e, command: [x], timeout: 24h}\n"
				    "    - {name: f, command: [x], timeout: 1h0m1s}\n", &d), 0);
	assert_int_equal(cfg->npre_render, 6);
	assert_int_equal(cfg->pre_render[0].timeout_ms, 60000);
	assert_int_equal(cfg->pre_render[1].timeout_ms, 90000);
	assert_int_equal(cfg->pre_render[2].timeout_ms, 500);
	assert_int_equal(cfg->pre_render[3].timeout_ms, 2000);
	assert_int_equal(cfg->pre_render[4].timeout_ms, 86400000);
	assert_int_equal(cfg->pre_render[5].timeout_ms, 3601000);
	config_free(cfg);
	static const char *const bad[] = { "0s", "1", "-1s", "1d", "s", "24h1ms", "1.5s", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf text = BUF_INIT;
		buf_addf(&text, HEAD "  - name: web\n    chart: c\nhooks:\n  postRender:\n"
			 "    - {name: a, command: [x], timeout: \"%s\"}\n", bad[i]);
		assert_int_equal(parse_text(&cfg, text.ptr, &d), DIAG_EINVALID);
		assert_non_null(strstr(d.msg.ptr, "invalid 'timeout' in hook 'a'"));
		buf_release(&text);
	}
	assert_int_equal(parse_text(&cfg, HEAD "  - name: web\n    chart: c\nhooks:\n"
				    "  postRender:\n    - {name: a, command: [x], timeout: 0}\n",
				    &d), DIAG_EINVALID);
	diag_release(&d);
}

static void test_config__job_errors(void **state)
{
	struct config *cfg = NULL;
	struct config_job job = CONFIG_JOB_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(parse_text(&cfg, HEAD "  - name: web\n    chart: c\n"
				    "    set: {image.tag: \"${TAG}\"}\n", &d), 0);
	assert_int_equal(config_job_resolve(&job, cfg, &cfg->apps[0], &cfg->envs[0], NULL, 0,
					    &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "hydrate.yaml:7:22: app 'web' in environment 'prod': "
			    "set 'image.tag': undefined variable 'TAG' in '${TAG}'");
	assert_string_equal(d.context.ptr, "        set: {image.tag: \"${TAG}\"}\n"
			    "                         ^^^^^^^^\n");
	assert_null(job.path);
	{
		const struct config_kv local[] = { { (char *)"TAG", (char *)"dev", { 0, 0, 0 } } };
		assert_int_equal(config_job_resolve(&job, cfg, &cfg->apps[0], &cfg->envs[0],
						    local, 1, &d), 0);
		assert_int_equal(job.nset, 1);
		assert_string_equal(job.set[0].value, "dev");
		assert_string_equal(job.path, "prod/web");
		assert_string_equal(job.source, "/cfg/c");
		config_job_release(&job);
	}
	config_free(cfg);
	diag_release(&d);
}

/* repository.path is resolved against hydrate.yaml's directory and cleaned
 * lexically (as Go's filepath.Clean), so messages name it plainly. */
static void test_config__repository_path_cleaned(void **state)
{
	static const struct {
		const char *dir, *path, *want;
	} cases[] = {
		{ "/cfg", "../gitops", "/gitops" },
		{ "/cfg", "../gitops/./x//y/..", "/gitops/x" },
		{ "/cfg", "../../../..", "/" },
		{ "/cfg", "/abs/./r/", "/abs/r" },
		{ "app", "../gitops", "gitops" },
		{ "app", "../../a/../../b", "../../b" },
		{ ".", "./x/..", "." },
		{ "a/b", "../../..", ".." },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srcfile src = SRCFILE_INIT;
		struct config *cfg = NULL;
		struct diag d = DIAG_INIT;
		struct buf text = BUF_INIT;

		buf_addf(&text, "apiVersion: hydrate/v1\nrepository: {path: \"%s\"}\n"
			 "environments: [{name: dev}]\napps: [{name: web, chart: c}]\n",
			 cases[i].path);
		assert_int_equal(srcfile_set(&src, "hydrate.yaml", text.ptr, text.len), 0);
		assert_int_equal(config_parse(&cfg, &src, cases[i].dir, &d), 0);
		if (strcmp(cfg->repo.path, cases[i].want) != 0)
			fail_msg("%s + %s: got %s, want %s", cases[i].dir, cases[i].path,
				 cfg->repo.path, cases[i].want);
		config_free(cfg);
		srcfile_release(&src);
		buf_release(&text);
		diag_release(&d);
	}
}

static void test_config__edit_distance(void **state)
{
	(void)state;
	assert_int_equal(config_edit_distance("", ""), 0);
	assert_int_equal(config_edit_distance("abc", ""), 3);
	assert_int_equal(config_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(config_edit_distance("ab", "ba"), 1);
	assert_int_equal(config_edit_distance("valuesFile", "valuesFiles"), 1);
	/* optimal string alignment: "ca" -> "abc" is 3, not 2 */
	assert_int_equal(config_edit_distance("ca", "abc"), 3);
}

static void dotenv_ok(const char *text, const char *expect)
{
	struct srcfile src = SRCFILE_INIT;
	struct config_kv *kv = NULL;
	struct diag d = DIAG_INIT;
	struct buf got = BUF_INIT;
	size_t n = 0;

	assert_int_equal(srcfile_set(&src, ".env", text, strlen(text)), 0);
	assert_int_equal(config_dotenv_parse(&kv, &n, &src, &d), 0);
	for (size_t i = 0; i < n; i++)
		buf_addf(&got, "%s=[%s]\n", kv[i].key, kv[i].value);
	assert_string_equal(got.ptr, expect);
	config_kv_free(kv, n);
	buf_release(&got);
	srcfile_release(&src);
}

static void dotenv_err(const char *text, const char *expect)
{
	struct srcfile src = SRCFILE_INIT;
	struct config_kv *kv = NULL;
	struct diag d = DIAG_INIT;
	struct buf got = BUF_INIT;
	size_t n = 0;

	assert_int_equal(srcfile_set(&src, ".env", text, strlen(text)), 0);
	assert_int_equal(config_dotenv_parse(&kv, &n, &src, &d), DIAG_EINVALID);
	assert_null(kv);
	full_diag(&got, &d);
	assert_string_equal(got.ptr, expect);
	buf_release(&got);
	diag_release(&d);
	srcfile_release(&src);
}

static void test_config__dotenv(void **state)
{
	(void)state;
	dotenv_ok("", "");
	dotenv_ok("# c\n\nA=1\n", "A=[1]\n");
	dotenv_ok("export B = two words  # trailing\n", "B=[two words]\n");
	dotenv_ok("C=a#b\n", "C=[a#b]\n");
	dotenv_ok("D=\"x\\ny \\\"q\\\" \\$\" # c\n", "D=[x\ny \"q\" $]\n");
	dotenv_ok("E='lit \\n $X'\n", "E=[lit \\n $X]\n");
	dotenv_ok("F=\nG=1\r\nF=2", "F=[2]\nG=[1]\n");
	dotenv_ok("exportX=1\n", "exportX=[1]\n");
	dotenv_err("A=1\n9X=2\n", ".env:2:1: expected a variable name (letters, digits and '_')\n"
		   "    9X=2\n    ^\n");
	dotenv_err("A 1\n", ".env:1:3: expected '=' after the variable name\n    A 1\n      ^\n");
	dotenv_err("A=\"open\n", ".env:1:3: unterminated quoted value\n    A=\"open\n      ^\n");
	dotenv_err("A='x' y\n", ".env:1:7: unexpected text after the closing quote\n"
		   "    A='x' y\n          ^\n");
}

static void test_config__vars_expand(void **state)
{
	const struct config_kv vars[] = { { (char *)"A", (char *)"1", { 0, 0, 0 } },
					  { (char *)"E", (char *)"", { 0, 0, 0 } },
					  { (char *)"A", (char *)"2", { 0, 0, 0 } } };
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(config_vars_expand(&b, "x${A}y$$z$w ${E:-d} ${N:-} ${E}", vars, 3, &d), 0);
	assert_string_equal(b.ptr, "x2y$z$w d  ");
	buf_reset(&b);
	assert_int_equal(config_vars_expand(&b, "${NOPE}", vars, 3, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "undefined variable 'NOPE' in '${NOPE}'");
	assert_int_equal(config_vars_expand(&b, "${A", vars, 3, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "unclosed '${' in '${A'");
	assert_int_equal(config_vars_expand(&b, "${1a}", vars, 3, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "invalid variable reference '${1a}' in '${1a}'");
	buf_release(&b);
	diag_release(&d);
}

static void test_config__path_expand(void **state)
{
	struct buf b = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(config_path_expand(&b, "c/{env}/{namespace}/{app}-{release}", "prod",
					    "web", "ns", "rel", &d), 0);
	assert_string_equal(b.ptr, "c/prod/ns/web-rel");
	buf_reset(&b);
	assert_int_equal(config_path_expand(&b, "c/{namespace}/{app}", "prod", "web", NULL,
					    NULL, &d), DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "path 'c//web' from 'c/{namespace}/{app}' has an empty "
			    "or '.' component");
	buf_reset(&b);
	assert_int_equal(config_path_expand(&b, "{app}/.git/x", "p", "w", NULL, NULL, &d),
			 DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "path 'w/.git/x' from '{app}/.git/x' enters '.git'");
	buf_reset(&b);
	assert_int_equal(config_path_expand(&b, "{app}/", "p", "w", NULL, NULL, &d),
			 DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "path 'w/' from '{app}/' ends with '/'");
	buf_reset(&b);
	assert_int_equal(config_path_expand(&b, "{app", "p", "w", NULL, NULL, &d),
			 DIAG_EINVALID);
	assert_string_equal(d.msg.ptr, "unclosed '{' in '{app'");
	buf_release(&b);
	diag_release(&d);
}

/* ---- golden cases ---- */

static void dump_jobs(struct buf *out, const struct config *cfg, const struct config_kv *dotenv,
		      size_t ndotenv)
{
	for (size_t a = 0; a < cfg->napps; a++) {
		for (size_t e = 0; e < cfg->nenvs; e++) {
			struct config_job job = CONFIG_JOB_INIT;
			struct diag d = DIAG_INIT;
			int rc = config_job_resolve(&job, cfg, &cfg->apps[a], &cfg->envs[e],
						    cfg->envs[e].env_file ? dotenv : NULL,
						    cfg->envs[e].env_file ? ndotenv : 0, &d);
			buf_addf(out, "%s@%s: ", cfg->apps[a].name, cfg->envs[e].name);
			if (rc < 0) {
				buf_addf(out, "%s: %s\n", diag_code_name(rc), d.msg.ptr);
				diag_release(&d);
				continue;
			}
			buf_addf(out, "%s %s release=%s namespace=%s path=%s branch=%s\n",
				 job.kind == CONFIG_SOURCE_CHART ? "chart" : "kustomize",
				 job.source, job.release_name,
				 job.namespace ? job.namespace : "-", job.path, job.branch);
			for (size_t i = 0; i < job.values_files.n; i++)
				buf_addf(out, "  -f %s\n", job.values_files.items[i]);
			for (size_t i = 0; i < job.nset; i++)
				buf_addf(out, "  --set %s=%s\n", job.set[i].key, job.set[i].value);
			config_job_release(&job);
			diag_release(&d);
		}
	}
}

/* "dir/name/file" in b (replacing its contents). */
static const char *case_file(struct buf *b, const char *dir, const char *name, const char *file)
{
	buf_reset(b);
	buf_addf(b, "%s/%s/%s", dir, name, file);
	return b->ptr;
}

static int run_case(const char *dir, const char *name)
{
	struct buf pathb = BUF_INIT, expb = BUF_INIT;
	const char *path, *exp;
	struct srcfile src = SRCFILE_INIT, envsrc = SRCFILE_INIT;
	struct config *cfg = NULL;
	struct config_kv *dotenv = NULL;
	struct diag d = DIAG_INIT;
	struct buf got = BUF_INIT;
	char *want = NULL;
	size_t ndotenv = 0;
	int rc, ok = 1;

	path = case_file(&pathb, dir, name, "hydrate.yaml");
	if (srcfile_read_as(&src, path, "hydrate.yaml", &d) < 0) {
		ok = 0;
		goto done;
	}
	rc = config_parse(&cfg, &src, "/cfg", &d);
	exp = case_file(&expb, dir, name, "expected.err");
	if ((want = tu_read_file(exp, NULL)) != NULL) {
		if (rc == 0)
			buf_adds(&got, "(no error)\n");
		else
			full_diag(&got, &d);
	} else {
		exp = case_file(&expb, dir, name, "expected.dump");
		want = tu_read_file(exp, NULL);
		if (rc < 0)
			full_diag(&got, &d);
		else
			config_dump(&got, cfg);
	}
	if (!want || strcmp(want, got.ptr) != 0) {
		printf("case %s: want\n%s\ngot\n%s\n", name, want ? want : "(no expected file)",
		       got.ptr);
		ok = 0;
	}
	free(want);
	exp = case_file(&expb, dir, name, "expected.jobs");
	if (cfg && (want = tu_read_file(exp, NULL)) != NULL) {
		path = case_file(&pathb, dir, name, "dotenv");
		if (srcfile_read_as(&envsrc, path, ".env", &d) == 0) {
			if (config_dotenv_parse(&dotenv, &ndotenv, &envsrc, &d) < 0)
				ok = 0;
		}
		buf_reset(&got);
		dump_jobs(&got, cfg, dotenv, ndotenv);
		if (strcmp(want, got.ptr) != 0) {
			printf("case %s jobs: want\n%s\ngot\n%s\n", name, want, got.ptr);
			ok = 0;
		}
		free(want);
	}
done:
	config_kv_free(dotenv, ndotenv);
	config_free(cfg);
	buf_release(&pathb);
	buf_release(&expb);
	buf_release(&got);
	diag_release(&d);
	srcfile_release(&src);
	srcfile_release(&envsrc);
	return ok;
}

/*
 * schema/hydrate.schema.json, the JSON Schema shipped for editors, must
 * agree with the loader: every hydrate.yaml the loader accepts (the golden
 * cases with expected.dump, the example, the gitops test repositories)
 * validates, and every golden case the loader rejects is rejected by the
 * schema too, but for the checks a JSON Schema cannot express, listed here
 * with the reason.
 */
static const char *const schema_cannot[] = {
	"timeout-too-long",     /* "25h": the 24-hour cap on a sum of units */
	NULL
};

/* 0: the schema accepts path; 1: it rejects it; -1: not YAML. */
static int S_schema_rejects(const char *schema, size_t len, const char *path)
{
	struct srcfile src = SRCFILE_INIT;
	struct ystream ys = YSTREAM_INIT;
	struct buf errs = BUF_INIT;
	int rc;

	if (srcfile_read(&src, path, NULL) < 0 ||
	    ystream_parse(&ys, &src, YDOC_KUSTOMIZE, NULL, NULL) < 0 || ys.ndocs != 1) {
		rc = -1;
	} else {
		rc = jschema_validate_text(&errs, schema, len, ys.docs[0].root, "hydrate.yaml",
					   NULL);
		assert_true(rc == 0 || rc == DIAG_EINVALID); /* the schema compiles */
		rc = rc == DIAG_EINVALID;
	}
	ystream_release(&ys);
	srcfile_release(&src);
	buf_release(&errs);
	return rc;
}

static void test_config__json_schema(void **state)
{
	struct srcfile schema = SRCFILE_INIT;
	struct buf path = BUF_INIT, exp = BUF_INIT;
	const char *dir = tu_testdata("config");
	static const char *const valid[] = { "examples/hydrate.yaml",
		"testdata/gitops/basic/hydrate.yaml", "testdata/gitops/failing/hydrate.yaml" };
	struct dirent *ent;
	DIR *dp;
	int accepted = 0, rejected = 0;

	(void)state;
	buf_addf(&path, "%s/schema/hydrate.schema.json", SOURCE_DIR);
	assert_int_equal(srcfile_read(&schema, path.ptr, NULL), 0);
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		buf_reset(&path);
		buf_addf(&path, "%s/%s", SOURCE_DIR, valid[i]);
		if (S_schema_rejects(schema.data, schema.len, path.ptr) != 0)
			fail_msg("the schema rejects %s", valid[i]);
		accepted++;
	}
	assert_non_null(dp = opendir(dir));
	while ((ent = readdir(dp)) != NULL) {
		int rc, cannot = 0;
		FILE *f;

		if (ent->d_name[0] == '.' || ent->d_name[0] == '_')
			continue;
		for (size_t i = 0; schema_cannot[i]; i++)
			cannot |= !strcmp(schema_cannot[i], ent->d_name);
		buf_reset(&exp);
		buf_addf(&exp, "%s/%s/expected.err", dir, ent->d_name);
		buf_reset(&path);
		buf_addf(&path, "%s/%s/hydrate.yaml", dir, ent->d_name);
		rc = S_schema_rejects(schema.data, schema.len, path.ptr);
		if ((f = fopen(exp.ptr, "r")) == NULL) {
			if (rc != 0)
				fail_msg("case %s: the loader accepts it, the schema does not",
					 ent->d_name);
			accepted++;
			continue;
		}
		fclose(f);
		if (rc == 0 && !cannot)
			fail_msg("case %s: the loader rejects it, the schema accepts it",
				 ent->d_name);
		if (rc == 1 && cannot)
			fail_msg("case %s: listed in schema_cannot, but the schema rejects it",
				 ent->d_name);
		rejected += rc == 1;
	}
	closedir(dp);
	printf("schema: %d accepted, %d rejected as the loader does\n", accepted, rejected);
	assert_true(accepted >= 5 && rejected >= 10);
	srcfile_release(&schema);
	buf_release(&path);
	buf_release(&exp);
}

static void test_config__golden(void **state)
{
	const char *dir = tu_testdata("config");
	char dirbuf[4096];
	struct dirent *ent;
	DIR *dp;
	int cases = 0, passed = 0;

	(void)state;
	snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
	dp = opendir(dirbuf);
	assert_non_null(dp);
	while ((ent = readdir(dp)) != NULL) {
		if (ent->d_name[0] == '.' || ent->d_name[0] == '_')
			continue;
		cases++;
		passed += run_case(dirbuf, ent->d_name);
	}
	closedir(dp);
	printf("config golden: %d/%d cases pass\n", passed, cases);
	assert_true(cases > 0);
	assert_int_equal(passed, cases);
}

static void test_config__load_file(void **state)
{
	struct config *cfg = NULL;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(config_load(&cfg, tu_testdata("config/full/hydrate.yaml"), &d), 0);
	assert_non_null(cfg);
	assert_string_equal(cfg->dir, tu_testdata("config/full"));
	assert_int_equal(cfg->napps, 2);
	assert_non_null(config_app_find(cfg, "api"));
	assert_null(config_app_find(cfg, "nope"));
	assert_non_null(config_env_find(cfg, "staging"));
	{
		/* dev's envFile (.env next to hydrate.yaml) does not exist: no overrides */
		struct config_kv *kv = (struct config_kv *)1;
		size_t n = 7;
		assert_int_equal(config_env_dotenv(&kv, &n, config_env_find(cfg, "dev"), &d), 0);
		assert_null(kv);
		assert_int_equal(n, 0);
		assert_int_equal(config_env_dotenv(&kv, &n, config_env_find(cfg, "prod"), &d), 0);
		assert_int_equal(n, 0);
	}
	config_free(cfg);
	assert_int_equal(config_load(&cfg, tu_testdata("config/absent.yaml"), &d),
			 DIAG_ENOTFOUND);
	assert_null(cfg);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__unknown_key_did_you_mean),
		cmocka_unit_test(test_config__unknown_key_no_suggestion),
		cmocka_unit_test(test_config__transposition_suggestion),
		cmocka_unit_test(test_config__wrong_type),
		cmocka_unit_test(test_config__api_version),
		cmocka_unit_test(test_config__duplicate_names),
		cmocka_unit_test(test_config__duplicate_key_is_yaml_error),
		cmocka_unit_test(test_config__bad_names),
		cmocka_unit_test(test_config__path_template),
		cmocka_unit_test(test_config__app_source),
		cmocka_unit_test(test_config__unknown_app_environment),
		cmocka_unit_test(test_config__hooks),
		cmocka_unit_test(test_config__not_a_mapping),
		cmocka_unit_test(test_config__quoted_and_unicode_keys),
		cmocka_unit_test(test_config__timeouts),
		cmocka_unit_test(test_config__job_errors),
		cmocka_unit_test(test_config__edit_distance),
		cmocka_unit_test(test_config__dotenv),
		cmocka_unit_test(test_config__vars_expand),
		cmocka_unit_test(test_config__path_expand),
		cmocka_unit_test(test_config__golden),
		cmocka_unit_test(test_config__json_schema),
		cmocka_unit_test(test_config__repository_path_cleaned),
		cmocka_unit_test(test_config__load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
