/*
 * Fuzz target for gitops/config.c: every input is loaded as hydrate.yaml,
 * dumped and resolved into jobs for each (app, environment), and parsed as
 * a .env file, and split as a rendered stream (render/manifest) in both
 * typing modes. Nothing may crash, leak or read out of bounds; a success
 * must give a consistent model.
 */
#include "fuzz.h"

#include "gitops/config.h"
#include "render/buf.h"
#include "render/diag.h"
#include "render/manifest.h"
#include "render/srcfile.h"

#include <string.h>

#define MAX_INPUT ((size_t)256 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srcfile src = SRCFILE_INIT;
	struct config *cfg = NULL;
	struct config_kv *kv = NULL;
	struct diag d = DIAG_INIT;
	struct buf out = BUF_INIT;
	size_t nkv = 0;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	if (srcfile_set(&src, "hydrate.yaml", data, size) < 0)
		return 0;
	if (config_dotenv_parse(&kv, &nkv, &src, &d) < 0 && (kv || nkv))
		__builtin_trap();
	if (config_parse(&cfg, &src, "/cfg", &d) == 0) {
		if (!cfg || !cfg->nenvs || !cfg->napps)
			__builtin_trap();
		config_dump(&out, cfg);
		for (size_t a = 0; a < cfg->napps; a++) {
			for (size_t e = 0; e < cfg->nenvs; e++) {
				struct config_job job = CONFIG_JOB_INIT;
				if (config_job_resolve(&job, cfg, &cfg->apps[a], &cfg->envs[e], kv,
						       nkv, &d) == 0 &&
				    (!job.path || job.path[0] == '/' || !job.source))
					__builtin_trap();
				config_job_release(&job);
			}
		}
	} else if (cfg || d.code == 0 || d.msg.len == 0) {
		__builtin_trap();
	}
	for (int mode = 0; mode < 2; mode++) {
		struct manifest_set set = MANIFEST_SET_INIT;
		if (manifest_split(&set, &src, mode ? YDOC_KUSTOMIZE : YDOC_HELM, &d) == 0) {
			for (size_t i = 0; i < set.n; i++) {
				const struct manifest_doc *m = &set.docs[i];
				if (!m->filename || !m->len || m->data[m->len - 1] != '\n' ||
				    (i && strcmp(set.docs[i - 1].filename, m->filename) >= 0) ||
				    manifest_set_find(&set, m->filename) != m)
					__builtin_trap();
			}
		}
		manifest_set_release(&set);
	}
	config_free(cfg);
	config_kv_free(kv, nkv);
	buf_release(&out);
	diag_release(&d);
	srcfile_release(&src);
	return 0;
}
