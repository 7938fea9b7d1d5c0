/*
 * One batch of work shared by the calling thread and, if it is free in
 * time, the process's helper thread on another CPU.
 *
 *   assist_run(fn, arg)   runs fn(arg, 0) here and fn(arg, 1) on the
 *                         helper; returns once fn(arg, 0) has returned
 *                         and the helper's call has either returned or
 *                         never begun (it then never will).
 *
 * Made for work of a millisecond or less, where how soon the second
 * thread runs decides everything. The helper is made by the first call
 * (with its affinity set to another allowed CPU, so that it does not wait
 * in the creator's run queue; it lifts the affinity once running) and
 * then kept: a command that shares several batches pays for one thread
 * start. The caller never waits for a helper that has not begun its
 * batch: fn must take its items from a shared atomic counter, so that
 * lane 0 alone can do the whole batch, and must treat lane 1's results
 * as absent when assist_run returns 0. With one allowed CPU, or while
 * another thread's batch is posted, fn(arg, 0) alone runs.
 */
#ifndef HYDRATE_ASSIST_H
#define HYDRATE_ASSIST_H

typedef void (*assist_fn)(void *arg, int lane);

/* 1 when fn(arg, 1) ran (and returned), 0 when it did not. */
int assist_run(assist_fn fn, void *arg);

#endif
