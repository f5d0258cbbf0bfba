/*
 * err.h - the one error enum of libmmis and the detailed error it travels with.
 *
 * Every library function that can fail returns `enum mmis_err` (zero is success) and, when given a
 * non-NULL `struct mmis_error *`, fills it with a human-readable message and, for validation
 * errors, the name of the offending field. The library never prints or exits; front ends report.
 *
 * Values are never renumbered: scripts and partner systems may depend on them (curl's CURLcode).
 * New codes are appended before MMIS_ERR__COUNT.
 */
#ifndef MMIS_ERR_H
#define MMIS_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum mmis_err {
	MMIS_OK = 0,
	MMIS_ENOMEM = 1,      /* out of memory */
	MMIS_EINVAL = 2,      /* invalid data; `field` names what is wrong */
	MMIS_ENOTFOUND = 3,   /* no such object */
	MMIS_EDENIED = 4,     /* the actor may not do this */
	MMIS_ECONFLICT = 5,   /* the object's state does not allow it (already exists, wrong state) */
	MMIS_EIO = 6,         /* reading or writing a file failed */
	MMIS_EDB = 7,         /* the database failed (connection, SQL, constraint) */
	MMIS_EVERSION = 8,    /* the database was made by a newer mmis */
	MMIS_ETOOBIG = 9,     /* a limit was exceeded */
	MMIS_EUNSUPPORTED = 10, /* not supported by this build or backend */
	MMIS_EBUSY = 11,      /* locked or busy; retrying may help */
	MMIS_EAUTH = 12,      /* authentication failed */
	MMIS_ERR__COUNT
};

#define MMIS_ERROR_MESSAGE_MAX 512
#define MMIS_ERROR_FIELD_MAX 64

struct mmis_error {
	enum mmis_err code;
	char field[MMIS_ERROR_FIELD_MAX];     /* "" unless a validation error names a field */
	char message[MMIS_ERROR_MESSAGE_MAX]; /* "" when there is no detail beyond the code */
};

/* A short English description of `code` ("invalid data"); never NULL, also for unknown codes. */
const char *mmis_strerror(enum mmis_err code);

/* Empty `e` (NULL is allowed). */
void mmis_error_clear(struct mmis_error *e);

/*
 * Fill `e` (NULL is allowed) and return `code`, so that a failure path reads
 *     return mmis_error_set(err, MMIS_EINVAL, "birth_date", "not a date: %s", s);
 * `field` may be NULL. Messages longer than the buffer are cut, never overflowed.
 */
enum mmis_err mmis_error_set(struct mmis_error *e, enum mmis_err code, const char *field,
			     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
enum mmis_err mmis_error_setv(struct mmis_error *e, enum mmis_err code, const char *field,
			      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/*
 * Prefix the message already in `e` with context ("opening ./mmis.db: ..."), keeping code and
 * field. Returns e->code (MMIS_OK when e is NULL).
 */
enum mmis_err mmis_error_prefix(struct mmis_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Fill `e` (NULL is allowed) with MMIS_ENOMEM, "out of memory", and return MMIS_ENOMEM. */
enum mmis_err mmis_oom(struct mmis_error *e);

/* The best one-line text for `e`: its message, or mmis_strerror(code) when the message is empty. */
const char *mmis_error_text(const struct mmis_error *e);

#endif
