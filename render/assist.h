/*
 * One batch of work shared by the calling thread and, if it starts in
 * time, a second thread on another CPU.
 *
 *   assist_run(fn, arg)   runs fn(arg, 1) on a new thread and fn(arg, 0)
 *                         here; returns once fn(arg, 0) has returned and
 *                         the other call has either returned or never
 *                         begun (it then never will).
 *
 * Made for work of a millisecond or so, where how soon the second thread
 * runs decides everything. A new thread is placed on the creator's CPU
 * and waits there until the scheduler moves it (up to a few ms on these
 * VMs); this one is created with its affinity set to another allowed CPU
 * (the CPU's wake-up, some 10-50 us), then allowed on all of them again.
 * The caller never waits for a thread that has not begun: fn must take
 * its items from a shared atomic counter, so that lane 0 alone can do the
 * whole batch, and must treat lane 1's results as absent when assist_run
 * returns 0.
 */
#ifndef HYDRATE_ASSIST_H
#define HYDRATE_ASSIST_H

typedef void (*assist_fn)(void *arg, int lane);

/* 1 when fn(arg, 1) ran (and returned), 0 when it did not. */
int assist_run(assist_fn fn, void *arg);

#endif
