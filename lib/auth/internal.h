/*
 * internal.h - what the files of lib/auth share (not part of the public API).
 */
#ifndef MMIS_AUTH_INTERNAL_H
#define MMIS_AUTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mmis/date.h"

/* Now (auth_clock_now) as "YYYY-MM-DDTHH:MM:SS.mmmZ"; `delta_ms` is added first. */
void auth_time_str(int64_t delta_ms, char out[TIMESTAMP_STR_MAX]);

/* Lower-case hex of `n` bytes into `out` (2n + 1 bytes). */
void auth_hex(const unsigned char *bytes, size_t n, char *out);

#endif
