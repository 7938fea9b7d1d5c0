/*
 * runrss RESULT_FILE CMD [ARG...]: runs CMD and writes "SECONDS MAXRSS_KIB
 * STATUS CPU_SECONDS" to RESULT_FILE (CPU_SECONDS: the child's user plus
 * system time, which a loaded machine inflates less than wall time). The benchmarks measure through this small process
 * because Linux keeps a process's peak RSS across exec: a child forked from
 * the Python harness would report the harness's own ~14 MiB as its floor.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: runrss RESULT_FILE CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!(f = fopen(argv[1], "w")))
		return 2;
	fprintf(f, "%.6f %ld %d %.6f\n",
		(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		(double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return fclose(f) == 0 ? 0 : 2;
}
