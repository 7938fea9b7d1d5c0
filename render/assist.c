/*
 * A second thread for one batch (see assist.h). The batch's state lives
 * in a block both threads hold a reference to, so the caller can return
 * while a thread that never began is still queued (it is then detached);
 * a thread that ran is joined.
 */
#define _GNU_SOURCE
#include "render/assist.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { A_QUEUED, A_RUNNING, A_DONE, A_CANCELLED };

struct assist {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;           /* under mu */
	atomic_int refs;     /* the caller's and the thread's */
	assist_fn fn;
	void *arg;
	cpu_set_t allowed;   /* the process's CPUs, restored in the thread */
	int have_allowed;
};

static void S_unref(struct assist *a)
{
	if (atomic_fetch_sub(&a->refs, 1) != 1)
		return;
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

static void *S_thread(void *arg)
{
	struct assist *a = arg;
	int run;

	pthread_mutex_lock(&a->mu);
	run = a->state == A_QUEUED;
	if (run)
		a->state = A_RUNNING;
	pthread_mutex_unlock(&a->mu);
	if (run) {
		/* placed on another CPU; from here the scheduler may move it */
		if (a->have_allowed)
			sched_setaffinity(0, sizeof(a->allowed), &a->allowed);
		a->fn(a->arg, 1);
		pthread_mutex_lock(&a->mu);
		a->state = A_DONE;
		pthread_cond_signal(&a->cv);
		pthread_mutex_unlock(&a->mu);
	}
	S_unref(a);
	return NULL;
}

/* An allowed CPU other than the one this thread runs on, into *other. */
static int S_other_cpu(cpu_set_t *other, const cpu_set_t *allowed)
{
	int here = sched_getcpu();

	CPU_ZERO(other);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (c != here && CPU_ISSET(c, allowed)) {
			CPU_SET(c, other);
			return 1;
		}
	}
	return 0;
}

int assist_run(assist_fn fn, void *arg)
{
	struct assist *a = calloc(1, sizeof(*a));
	pthread_attr_t attr;
	pthread_t thread;
	cpu_set_t other;
	int started = 0, ran;

	if (!a || pthread_mutex_init(&a->mu, NULL) != 0) {
		free(a);
		fn(arg, 0);
		return 0;
	}
	pthread_cond_init(&a->cv, NULL);
	a->state = A_QUEUED;
	atomic_init(&a->refs, 2);
	a->fn = fn;
	a->arg = arg;
	a->have_allowed = sched_getaffinity(0, sizeof(a->allowed), &a->allowed) == 0;
	if (pthread_attr_init(&attr) == 0) {
		/* 4 MiB: the template parser's and the YAML reader's own guards
		 * keep each within 1 MiB of stack */
		if (pthread_attr_setstacksize(&attr, (size_t)4 << 20) == 0 &&
		    (!a->have_allowed || !S_other_cpu(&other, &a->allowed) ||
		     pthread_attr_setaffinity_np(&attr, sizeof(other), &other) == 0))
			started = pthread_create(&thread, &attr, S_thread, a) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!started)
		atomic_store(&a->refs, 1);
	fn(arg, 0);
	pthread_mutex_lock(&a->mu);
	if (a->state == A_QUEUED)
		a->state = A_CANCELLED;
	while (a->state == A_RUNNING)
		pthread_cond_wait(&a->cv, &a->mu);
	ran = a->state == A_DONE;
	pthread_mutex_unlock(&a->mu);
	/* a thread that ran is about to end: join it (its stack and TLS are
	 * then freed, before any exit); one that never began ends by itself
	 * whenever it is scheduled */
	if (started) {
		if (ran)
			pthread_join(thread, NULL);
		else
			pthread_detach(thread);
	}
	S_unref(a);
	return ran;
}
