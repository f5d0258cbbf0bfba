/*
 * uuid.h - UUIDv7 identifiers (RFC 9562): a 48-bit Unix millisecond time, then random bits.
 *
 * Identifiers are unique across sites without coordination and sort by creation time, which keeps
 * database indexes compact. Random bits come from libsodium's randombytes. Within one process the
 * identifiers are strictly increasing, also within one millisecond and across threads (RFC 9562
 * section 6.2, method 1: a 12-bit counter in rand_a, seeded randomly each millisecond).
 *
 * The text form is lower-case "xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx".
 */
#ifndef MMIS_UUID_H
#define MMIS_UUID_H

#include <stdbool.h>
#include <stdint.h>

#include "mmis/err.h"

#define UUID_STR_MAX 37 /* 36 characters and the NUL */

struct uuid {
	uint8_t bytes[16];
};

/* A new UUIDv7. Thread-safe. */
void uuid7_new(struct uuid *out);

/* A new UUIDv7 in text form. */
void uuid7_new_str(char out[UUID_STR_MAX]);

/* The lower-case text form. */
void uuid_format(const struct uuid *u, char out[UUID_STR_MAX]);

/* Parse the 36-character text form (either case). MMIS_EINVAL naming `field` when malformed. */
enum mmis_err uuid_parse(const char *s, const char *field, struct uuid *out, struct mmis_error *err);

/* Whether `s` is a well-formed UUID text (any version). */
bool uuid_valid(const char *s);

/* The version nibble (7 for ours). */
int uuid_version(const struct uuid *u);

/* The creation time of a UUIDv7, in Unix milliseconds. */
int64_t uuid7_time_ms(const struct uuid *u);

#endif
