/*
 * clock.h - the clock of lib/auth, injectable by tests (not part of the public API).
 *
 * Sessions, login throttling, token use and audit times all read auth_clock_now(), so that a test
 * can move time forward instead of sleeping through a 30-minute idle timeout.
 */
#ifndef MMIS_AUTH_CLOCK_H
#define MMIS_AUTH_CLOCK_H

#include <stdint.h>

/* Now, in Unix milliseconds: timestamp_now() unless a test set another clock. */
int64_t auth_clock_now(void);

/* Replace the clock (tests only; not thread-safe). NULL restores the real one. */
void auth_clock_set(int64_t (*now)(void));

#endif
