/*
 * The helper thread (see assist.h). One per process, made by the first
 * assist_run and never ended: a command that calls assist_run several
 * times (the chart directory, then the templates) pays for one thread
 * start, and a batch is taken by a thread that is already awake.
 *
 * A batch is posted through one atomic pointer. The helper takes it with
 * an exchange; the caller, done with its own lane, takes it back with a
 * compare-exchange when the helper has not: whichever exchange succeeds
 * owns the batch, so the caller never waits for a helper that has not
 * begun, and the helper never touches a batch (on the caller's stack)
 * that was taken back. Both sides spin a little before they sleep: on
 * these VMs a sleeping CPU takes 30-60 us to wake, as long as a small
 * batch.
 */
#define _GNU_SOURCE
#include "render/assist.h"
#include "render/jslab.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

struct batch {
	assist_fn fn;
	void *arg;
	atomic_int done;     /* set by the helper when fn(arg, 1) returned */
};

/* How long each side spins before it sleeps: the helper after a batch
 * (the next one often follows within a few hundred microseconds) and
 * the caller waiting for the helper's lane. */
#define HELPER_SPIN_NS 400000L
#define CALLER_SPIN_NS 2000000L

static pthread_once_t S_once = PTHREAD_ONCE_INIT;
static int S_have_helper;
static _Atomic(struct batch *) S_posted;
static pthread_mutex_t S_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t S_posted_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t S_done_cv = PTHREAD_COND_INITIALIZER;
static int S_helper_sleeps;                               /* under S_mu */
static int S_callers_sleeping;                            /* under S_mu */
static cpu_set_t S_allowed;                               /* restored in the helper */
static int S_have_allowed;

static long S_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void S_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* The next posted batch, spinning first and then sleeping. */
static struct batch *S_next_batch(void)
{
	struct batch *b;
	long until = S_ns() + HELPER_SPIN_NS;

	for (unsigned i = 0;; i++) {
		if (atomic_load_explicit(&S_posted, memory_order_relaxed) &&
		    (b = atomic_exchange(&S_posted, NULL)) != NULL)
			return b;
		S_pause();
		if ((i & 63) == 63 && S_ns() > until)
			break;
	}
	pthread_mutex_lock(&S_mu);
	S_helper_sleeps = 1;
	while (!(b = atomic_exchange(&S_posted, NULL)))
		pthread_cond_wait(&S_posted_cv, &S_mu);
	S_helper_sleeps = 0;
	pthread_mutex_unlock(&S_mu);
	return b;
}

static void *S_helper(void *unused)
{
	(void)unused;
	/* placed on another CPU; from here the scheduler may move it */
	if (S_have_allowed)
		sched_setaffinity(0, sizeof(S_allowed), &S_allowed);
	for (;;) {
		struct batch *b = S_next_batch();

		b->fn(b->arg, 1);
		jslab_thread_done();   /* in case fn made json values */
		pthread_mutex_lock(&S_mu);
		atomic_store(&b->done, 1);
		if (S_callers_sleeping)
			pthread_cond_broadcast(&S_done_cv);
		pthread_mutex_unlock(&S_mu);
	}
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

static void S_start(void)
{
	pthread_attr_t attr;
	pthread_t thread;
	cpu_set_t other;

	S_have_allowed = sched_getaffinity(0, sizeof(S_allowed), &S_allowed) == 0;
	/* one CPU: the helper could only take turns with the caller */
	if (S_have_allowed && CPU_COUNT(&S_allowed) < 2)
		return;
	if (pthread_attr_init(&attr) != 0)
		return;
	/* 4 MiB: the template parser's and the YAML reader's own guards keep
	 * each within 1 MiB of stack */
	if (pthread_attr_setstacksize(&attr, (size_t)4 << 20) == 0 &&
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
	    (!S_have_allowed || !S_other_cpu(&other, &S_allowed) ||
	     pthread_attr_setaffinity_np(&attr, sizeof(other), &other) == 0))
		S_have_helper = pthread_create(&thread, &attr, S_helper, NULL) == 0;
	pthread_attr_destroy(&attr);
}

int assist_run(assist_fn fn, void *arg)
{
	struct batch b = { fn, arg, 0 };
	struct batch *expect;
	long until;

	pthread_once(&S_once, S_start);
	if (!S_have_helper) {
		fn(arg, 0);
		return 0;
	}
	/* one batch at a time: another thread's is still posted */
	expect = NULL;
	if (!atomic_compare_exchange_strong(&S_posted, &expect, &b)) {
		fn(arg, 0);
		return 0;
	}
	pthread_mutex_lock(&S_mu);
	if (S_helper_sleeps)
		pthread_cond_signal(&S_posted_cv);
	pthread_mutex_unlock(&S_mu);
	fn(arg, 0);
	expect = &b;
	/* not taken yet: take it back, and the helper never sees it */
	if (atomic_compare_exchange_strong(&S_posted, &expect, NULL))
		return 0;
	until = S_ns() + CALLER_SPIN_NS;
	for (unsigned i = 0; !atomic_load(&b.done); i++) {
		S_pause();
		if ((i & 63) == 63 && S_ns() > until) {
			pthread_mutex_lock(&S_mu);
			S_callers_sleeping++;
			while (!atomic_load(&b.done))
				pthread_cond_wait(&S_done_cv, &S_mu);
			S_callers_sleeping--;
			pthread_mutex_unlock(&S_mu);
		}
	}
	return 1;
}
