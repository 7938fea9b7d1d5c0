/*
 * gitops/hook.c: running hooks without a shell, with a timeout, feeding
 * stdin while reading stdout, and the error texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gitops/config.h"
#include "gitops/hook.h"
#include "render/buf.h"
#include "render/diag.h"

/* A hook from a NULL-terminated argv (borrowed). */
static struct config_hook S_hook(const char *name, unsigned long timeout_ms, char **argv)
{
	struct config_hook h;
	size_t n = 0;

	while (argv[n])
		n++;
	h.name = (char *)name;
	h.command.items = argv;
	h.command.n = n;
	h.timeout_ms = timeout_ms;
	return h;
}

static double S_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* No child of ours is left, running or as a zombie. */
static void S_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_hook__ok_stdin_to_stdout(void **state)
{
	char *argv[] = { "tr", "a-z", "A-Z", NULL };
	struct config_hook h = S_hook("upper", 10000, argv);
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, "kind: a\n", 8, &d), 0);
	assert_string_equal(out.ptr, "KIND: A\n");
	/* empty input: stdin is closed at once */
	buf_reset(&out);
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, "", 0, &d), 0);
	assert_int_equal(out.len, 0);
	S_no_children();
	buf_release(&out);
	diag_release(&d);
}

static void test_hook__runs_in_dir_without_shell(void **state)
{
	char *pwd[] = { "pwd", NULL };
	char *echo[] = { "echo", "$HOME", "a b", "*", NULL };
	struct config_hook h = S_hook("where", 10000, pwd);
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(hook_run(&out, &h, "pre-render", "/", NULL, 0, &d), 0);
	assert_string_equal(out.ptr, "/\n");
	buf_reset(&out);
	h = S_hook("echo", 10000, echo);
	assert_int_equal(hook_run(&out, &h, "pre-render", NULL, NULL, 0, &d), 0);
	assert_string_equal(out.ptr, "$HOME a b *\n");
	S_no_children();
	buf_release(&out);
	diag_release(&d);
}

static void test_hook__exit_status_and_stderr(void **state)
{
	char *argv[] = { "sh", "-c",
			 "echo line1 >&2; echo line2 >&2; echo l3 >&2; echo l4 >&2; echo l5 >&2; "
			 "echo l6 >&2; exit 3",
			 NULL };
	struct config_hook h = S_hook("policy", 10000, argv);
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, "x\n", 2, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "post-render hook 'policy' exited with status 3");
	assert_string_equal(d.context.ptr,
			    "    line1\n    line2\n    l3\n    l4\n    l5\n    ...\n");
	S_no_children();
	buf_release(&out);
	diag_release(&d);
}

static void test_hook__signal(void **state)
{
	char *argv[] = { "sh", "-c", "kill -TERM $$", NULL };
	struct config_hook h = S_hook("boom", 10000, argv);
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(hook_run(NULL, &h, "pre-render", NULL, NULL, 0, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "pre-render hook 'boom' was killed by signal 15 (SIGTERM)");
	S_no_children();
	diag_release(&d);
}

static void test_hook__timeout_kills_the_group(void **state)
{
	/* a grandchild keeps stdout open: only killing the group ends it */
	char *argv[] = { "sh", "-c", "echo partial; sleep 30 & sleep 30", NULL };
	struct config_hook h = S_hook("slow", 300, argv);
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	double t0 = S_seconds();

	(void)state;
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, "x", 1, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "post-render hook 'slow' timed out after 300ms");
	assert_true(S_seconds() - t0 < 5.0);
	S_no_children();
	h.timeout_ms = 1500;
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, "x", 1, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "post-render hook 'slow' timed out after 1.5s");
	buf_release(&out);
	diag_release(&d);
}

static void test_hook__big_stream(void **state)
{
	char *argv[] = { "cat", NULL };
	struct config_hook h = S_hook("cat", 60000, argv);
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	size_t n = (size_t)8 << 20;
	char *in = malloc(n);

	(void)state;
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	/* far beyond a pipe's buffer: it only works if writing and reading interleave */
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, in, n, &d), 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.ptr, in, n);
	S_no_children();
	free(in);
	buf_release(&out);
	diag_release(&d);
}

static void test_hook__stops_reading(void **state)
{
	/* the hook exits without reading: our write gets EPIPE, not a SIGPIPE death */
	char *argv[] = { "true", NULL };
	char *fails[] = { "false", NULL };
	struct config_hook h = S_hook("ignore", 10000, argv);
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;
	size_t n = (size_t)4 << 20;
	char *in = calloc(1, n);

	(void)state;
	assert_non_null(in);
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, in, n, &d), 0);
	h = S_hook("fails", 10000, fails);
	assert_int_equal(hook_run(&out, &h, "post-render", NULL, in, n, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "post-render hook 'fails' exited with status 1");
	assert_int_equal(d.context.len, 0);
	S_no_children();
	free(in);
	buf_release(&out);
	diag_release(&d);
}

static void test_hook__missing_command(void **state)
{
	char *argv[] = { "hydrate-no-such-command", "x", NULL };
	char *rel[] = { "./no-such-script.sh", NULL };
	struct config_hook h = S_hook("gen", 10000, argv);
	struct diag d = DIAG_INIT;

	(void)state;
	assert_int_equal(hook_run(NULL, &h, "pre-render", NULL, NULL, 0, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "pre-render hook 'gen': cannot run 'hydrate-no-such-command': "
				       "No such file or directory");
	h = S_hook("gen", 10000, rel);
	assert_int_equal(hook_run(NULL, &h, "pre-render", "/", NULL, 0, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr, "pre-render hook 'gen': cannot run './no-such-script.sh': "
				       "No such file or directory");
	S_no_children();
	diag_release(&d);
}

static void test_hook__stderr_masks_secret_values(void **state)
{
	/* the hook echoes what it was given: Secret values never reach the diag */
	char *argv[] = { "sh", "-c", "cat >&2; exit 1", NULL };
	struct config_hook h = S_hook("leak", 10000, argv);
	struct diag d = DIAG_INIT;
	const char *in = "apiVersion: v1\n"
			 "kind: Secret\n"
			 "metadata: {name: s}\n"
			 "data: {password: aHVudGVyMg==}\n"
			 "stringData: {token: tok-123}\n";

	(void)state;
	assert_int_equal(hook_run(NULL, &h, "post-render", NULL, in, strlen(in), &d), DIAG_EEXEC);
	assert_string_equal(d.context.ptr, "    apiVersion: v1\n"
					   "    kind: Secret\n"
					   "    metadata: {name: s}\n"
					   "    data: {password: [MASKED]}\n"
					   "    stringData: {token: [MASKED]}\n");
	/* the decoded value and each line of a multi-line one */
	in = "kind: Secret\n"
	     "data: {a: aHVudGVyMg==}\n"
	     "stringData: {b: \"line-one\\nline-two\"}\n"
	     "---\n"
	     "kind: ConfigMap\n"
	     "data: {c: plain}\n";
	argv[2] = "echo hunter2 line-two plain >&2; exit 1";
	assert_int_equal(hook_run(NULL, &h, "post-render", NULL, in, strlen(in), &d), DIAG_EEXEC);
	assert_string_equal(d.context.ptr, "    [MASKED] [MASKED] plain\n");
	S_no_children();
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook__ok_stdin_to_stdout),
		cmocka_unit_test(test_hook__runs_in_dir_without_shell),
		cmocka_unit_test(test_hook__exit_status_and_stderr),
		cmocka_unit_test(test_hook__signal),
		cmocka_unit_test(test_hook__timeout_kills_the_group),
		cmocka_unit_test(test_hook__big_stream),
		cmocka_unit_test(test_hook__stops_reading),
		cmocka_unit_test(test_hook__missing_command),
		cmocka_unit_test(test_hook__stderr_masks_secret_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
