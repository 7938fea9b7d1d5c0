/*
 * render/proc.c: running a command with an environment, a directory,
 * stdin fed while stdout is read, a timeout and an output limit.
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

#include "render/buf.h"
#include "render/diag.h"
#include "render/proc.h"

static void S_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_proc__env_dir_and_streams(void **state)
{
	const char *argv[] = { "sh", "-c", "pwd; echo \"$PROC_A/$PROC_B\"; cat; echo oops >&2",
			       NULL };
	const char *env[] = { "PROC_A=one", "PROC_B=two" };
	struct proc_opts o;
	struct proc_result res;
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	setenv("PROC_B", "replaced", 1);
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.env_add = env;
	o.nenv_add = 2;
	o.dir = "/";
	o.in = "in\n";
	o.inlen = 3;
	assert_int_equal(proc_run(&out, &err, &res, &o, &d), 0);
	assert_string_equal(out.ptr, "/\none/two\nin\n");
	assert_string_equal(err.ptr, "oops\n");
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(res.timed_out, 0);
	S_no_children();
	buf_release(&out);
	buf_release(&err);
	diag_release(&d);
}

static void test_proc__exit_status_and_signal(void **state)
{
	const char *fail[] = { "sh", "-c", "exit 7", NULL };
	const char *kill[] = { "sh", "-c", "kill -KILL $$", NULL };
	struct proc_opts o;
	struct proc_result res;
	struct diag d = DIAG_INIT;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.argv = fail;
	assert_int_equal(proc_run(NULL, NULL, &res, &o, &d), 0);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_status, 7);
	o.argv = kill;
	assert_int_equal(proc_run(NULL, NULL, &res, &o, &d), 0);
	assert_int_equal(res.exited, 0);
	assert_int_equal(res.signal, 9);
	S_no_children();
	diag_release(&d);
}

static void test_proc__limits(void **state)
{
	const char *slow[] = { "sh", "-c", "sleep 30 & sleep 30", NULL };
	const char *loud[] = { "sh", "-c", "while :; do echo xxxxxxxxxxxxxxxx; done", NULL };
	struct proc_opts o;
	struct proc_result res;
	struct buf out = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.argv = slow;
	o.timeout_ms = 200;
	assert_int_equal(proc_run(&out, NULL, &res, &o, &d), 0);
	assert_int_equal(res.timed_out, 1);
	S_no_children();
	o.argv = loud;
	o.timeout_ms = 20000;
	o.max_output = 100000;
	assert_int_equal(proc_run(&out, NULL, &res, &o, &d), 0);
	assert_int_equal(res.too_big, 1);
	assert_true(out.len <= 100000);
	S_no_children();
	buf_release(&out);
	diag_release(&d);
}

static void test_proc__stderr_keep(void **state)
{
	const char *argv[] = { "sh", "-c", "echo 0123456789 >&2", NULL };
	struct proc_opts o;
	struct proc_result res;
	struct buf err = BUF_INIT;
	struct diag d = DIAG_INIT;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.stderr_keep = 4;
	assert_int_equal(proc_run(NULL, &err, &res, &o, &d), 0);
	assert_string_equal(err.ptr, "0123");
	buf_release(&err);
	diag_release(&d);
}

static void test_proc__cannot_run(void **state)
{
	const char *argv[] = { "hydrate-no-such-command", NULL };
	struct proc_opts o;
	struct proc_result res;
	struct diag d = DIAG_INIT;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	assert_int_equal(proc_run(NULL, NULL, &res, &o, &d), DIAG_EEXEC);
	assert_string_equal(d.msg.ptr,
			    "cannot run 'hydrate-no-such-command': No such file or directory");
	assert_int_equal(res.spawn_errno, ENOENT);
	assert_int_equal(res.spawned, 0);
	diag_release(&d);
}

static void test_proc__duration(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	proc_add_duration(&b, 500);
	buf_adds(&b, " ");
	proc_add_duration(&b, 90000);
	buf_adds(&b, " ");
	proc_add_duration(&b, 3600000);
	buf_adds(&b, " ");
	proc_add_duration(&b, 1250);
	assert_string_equal(b.ptr, "500ms 1m30s 1h0m0s 1.25s");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc__env_dir_and_streams),
		cmocka_unit_test(test_proc__exit_status_and_signal),
		cmocka_unit_test(test_proc__limits),
		cmocka_unit_test(test_proc__stderr_keep),
		cmocka_unit_test(test_proc__cannot_run),
		cmocka_unit_test(test_proc__duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
