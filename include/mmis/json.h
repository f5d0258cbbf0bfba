/*
 * json.h - helpers over jansson for reading outside input safely.
 *
 * Input from outside (HTTP bodies, JSON lines on stdin, exchange packages) is parsed with limits
 * and read field by field with validation; every failure is MMIS_EINVAL with `field` naming the
 * offending member, so that the HTTP front end can answer with an RFC 9457 problem naming it.
 *
 * Functions returning `const char *` hand out strings owned by the JSON value: valid while it is.
 */
#ifndef MMIS_JSON_H
#define MMIS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/date.h"
#include "mmis/err.h"

#define MJSON_MAX_DEPTH 32 /* nesting refused beyond this */

/*
 * Parse `len` bytes of JSON text into a new reference (*out; json_decref it). Refuses invalid
 * UTF-8, duplicate object keys, NUL bytes in strings, nesting deeper than MJSON_MAX_DEPTH and
 * trailing data; the message names the line and column. `len` may be 0 for an empty input, which
 * is an error ("empty body").
 */
enum mmis_err mjson_parse(const char *text, size_t len, json_t **out, struct mmis_error *err);

/* As mjson_parse, and the value must be an object. */
enum mmis_err mjson_parse_object(const char *text, size_t len, json_t **out, struct mmis_error *err);

/*
 * Refuse members of `obj` not named in `allowed` (a NULL-terminated list): a typo in a field name
 * must not be silently ignored. The error names the first unknown member.
 */
enum mmis_err mjson_only_keys(const json_t *obj, const char *const *allowed, struct mmis_error *err);

/*
 * Read member `key` of object `obj`. When the member is absent or null: if `required`, MMIS_EINVAL
 * ("is required"); otherwise MMIS_OK with the output left at a documented default. A value of the
 * wrong type or out of range is MMIS_EINVAL naming `key`.
 */

/* A string of at most `max_len` bytes (0: no limit), valid UTF-8 without control characters
 * other than tab and newline. Absent: *out = NULL. */
enum mmis_err mjson_get_string(const json_t *obj, const char *key, bool required, size_t max_len,
			       const char **out, struct mmis_error *err);

/* An integer in [min, max]. Absent: *out unchanged. Floats and strings are refused. */
enum mmis_err mjson_get_int(const json_t *obj, const char *key, bool required, int64_t min,
			    int64_t max, int64_t *out, struct mmis_error *err);

/* A boolean. Absent: *out unchanged. */
enum mmis_err mjson_get_bool(const json_t *obj, const char *key, bool required, bool *out,
			     struct mmis_error *err);

/* A number (integer or real) in [min, max]. Absent: *out unchanged. */
enum mmis_err mjson_get_number(const json_t *obj, const char *key, bool required, double min,
			       double max, double *out, struct mmis_error *err);

/* A date "YYYY-MM-DD", or, when `partial`, also "YYYY" or "YYYY-MM". Absent: *present = false. */
enum mmis_err mjson_get_date(const json_t *obj, const char *key, bool required, bool partial,
			     struct date *out, bool *present, struct mmis_error *err);

/* One of the strings in `choices` (NULL-terminated); *index receives its position. Absent: -1. */
enum mmis_err mjson_get_enum(const json_t *obj, const char *key, bool required,
			     const char *const *choices, int *index, struct mmis_error *err);

/* Whether s[0..n) is valid UTF-8 (shortest forms, no surrogates, nothing above U+10FFFF) and,
 * unless `controls`, free of control characters other than tab and newline (C0, DEL, C1). NUL
 * bytes pass only when `controls`. The CSV imports check their fields with it too. */
bool mjson_text_ok(const char *s, size_t n, bool controls);

/* Compact serialisation with keys in insertion order, reals with 15 significant digits; free()
 * the result. NULL when out of memory. */
char *mjson_dump(const json_t *value);

/* Convenience setters that ignore NULL values (no member is added) and report out of memory. */
enum mmis_err mjson_set_string(json_t *obj, const char *key, const char *value);
enum mmis_err mjson_set_int(json_t *obj, const char *key, int64_t value);
enum mmis_err mjson_set_date(json_t *obj, const char *key, const struct date *value);

#endif
