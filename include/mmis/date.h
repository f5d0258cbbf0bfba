/*
 * date.h - calendar dates (also partial dates of birth) and UTC timestamps.
 *
 * Dates are proleptic Gregorian, written YYYY-MM-DD (ISO 8601 calendar date). A date of birth may
 * be partial: year only ("1987") or year and month ("1987-03"); it says so in `precision`.
 * Timestamps are UTC, milliseconds since 1970-01-01T00:00:00Z, written
 * "YYYY-MM-DDTHH:MM:SS.mmmZ".
 *
 * Years are limited to 0001..9999 (what the text form can hold).
 */
#ifndef MMIS_DATE_H
#define MMIS_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmis/err.h"

enum date_precision {
	DATE_DAY = 0,   /* a full date */
	DATE_MONTH = 1, /* year and month known, day unknown (day is 0) */
	DATE_YEAR = 2,  /* only the year known (month and day are 0) */
};

struct date {
	int year;  /* 1..9999 */
	int month; /* 1..12, or 0 when unknown */
	int day;   /* 1..31, or 0 when unknown */
	enum date_precision precision;
};

#define DATE_STR_MAX 11    /* "YYYY-MM-DD" and the NUL */
#define TIMESTAMP_STR_MAX 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" and the NUL */

/* Whether year/month/day form a real date (29 February only in leap years). */
bool date_valid_ymd(int year, int month, int day);
bool date_is_leap_year(int year);
int date_days_in_month(int year, int month); /* 0 for a bad month */

/*
 * Parse a full date "YYYY-MM-DD" (exactly that form; no surrounding space). On failure returns
 * MMIS_EINVAL with a message saying what is wrong ("month 13 is out of range") and `field` set to
 * `field` (may be NULL).
 */
enum mmis_err date_parse(const char *s, const char *field, struct date *out, struct mmis_error *err);

/* Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD", setting the precision. Errors as date_parse. */
enum mmis_err date_parse_partial(const char *s, const char *field, struct date *out,
				 struct mmis_error *err);

/* Write the date at its precision ("1987", "1987-03", "1987-03-14") into buf; returns the length. */
size_t date_format(const struct date *d, char buf[DATE_STR_MAX]);

/* Days since 1970-01-01 of a full date (negative before). A partial date counts from its first day. */
int64_t date_to_days(const struct date *d);

/* The full date `days` after 1970-01-01. Returns MMIS_EINVAL when outside years 1..9999. */
enum mmis_err date_from_days(int64_t days, struct date *out);

/* The full date `n` days after (negative: before) `d`. MMIS_EINVAL when outside years 1..9999. */
enum mmis_err date_add_days(const struct date *d, int64_t n, struct date *out);

/* <0, 0, >0 as a is before, equal to, after b; partial dates compare by their first day. */
int date_cmp(const struct date *a, const struct date *b);

/*
 * Whether two possibly partial dates can be the same day: "1987" agrees with "1987-03-14",
 * "1987-03" with "1987-03-14", and full dates only with the same day.
 */
bool date_compatible(const struct date *a, const struct date *b);

/* Today's date in UTC. */
void date_today(struct date *out);

/* Now, in milliseconds since the epoch (UTC, CLOCK_REALTIME). */
int64_t timestamp_now(void);

/* Write a timestamp as "YYYY-MM-DDTHH:MM:SS.mmmZ"; returns the length. */
size_t timestamp_format(int64_t unix_ms, char buf[TIMESTAMP_STR_MAX]);

/*
 * Parse an ISO 8601 timestamp: "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM"
 * (a space is accepted for the "T"). A timestamp without a zone is refused: the library does not
 * guess time zones. Fractions beyond milliseconds are truncated.
 */
enum mmis_err timestamp_parse(const char *s, const char *field, int64_t *unix_ms,
			      struct mmis_error *err);

/* The UTC date of a timestamp. */
void timestamp_date(int64_t unix_ms, struct date *out);

#endif
