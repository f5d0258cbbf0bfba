/*
 * stay.h - the short-stay rule: at most 90 days in any 180-day period.
 *
 * The rule (Regulation (EU) 610/2013, applied by Montenegro to visa-free foreigners under its Law
 * on Foreigners): the day of entry is the first day of a stay and the day of exit the last, so
 * both count; the 180-day period is rolling: the window of a day is that day and the 179 days
 * before it. A day of presence counts once, however many recorded stays cover it.
 *
 *     struct stay stays[2];
 *     struct stay_result r;
 *     struct date on;
 *     stay_parse("2014-08-15..2014-09-30", &stays[0], &err);
 *     stay_parse("2014-11-01..", &stays[1], &err);          (still present)
 *     date_parse("2014-11-30", "on", &on, &err);
 *     stay_calc(stays, 2, &on, STAY_LIMIT_DAYS, STAY_WINDOW_DAYS, &r, &err);
 *         r.days_used 77, r.days_remaining 13, r.overstay_days 0, r.may_stay_until 2014-12-13
 *
 * Everything here is pure computation: no database, no allocation the caller sees, thread-safe.
 * Cost: O(n log n) in the number of stays (sorting), independent of how many days they span;
 * 500 stays take 10 to 25 microseconds (bench/README.md).
 */
#ifndef MMIS_STAY_H
#define MMIS_STAY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "mmis/date.h"
#include "mmis/err.h"

#define STAY_LIMIT_DAYS 90   /* the Schengen and Montenegrin short-stay limit */
#define STAY_WINDOW_DAYS 180 /* ... in any period of this many days */
#define STAY_WINDOW_MAX 36600 /* the longest window stay_calc accepts (about a century) */

/* One stay: present from `entry` to `exit`, both days included. */
struct stay {
	struct date entry; /* a full date */
	struct date exit;  /* a full date, not before entry; ignored when `open` */
	bool open;         /* still present: no exit yet (present up to and including the check day) */
};

/* The traveller's position on one day, as stay_calc computes it. */
struct stay_result {
	struct date on;       /* the day of the check */
	int days_used;        /* days of presence in the window ending on `on` (only recorded stays) */
	int days_remaining;   /* limit - days_used, never below 0 */
	/*
	 * Days of presence up to and including `on` on which the window ending that day held more
	 * than `limit` days: the length of every overstay so far, over the whole history given.
	 */
	int overstay_days;
	/*
	 * Assuming presence on every day from `on` on (the traveller enters, or stays, on the day of
	 * the check and does not leave): `may_stay_until` is the last day whose window still holds
	 * at most `limit` days; the traveller must leave on that day at the latest. It is at most
	 * `limit - 1` days after `on`. When the window of `on` itself already holds more than
	 * `limit` days (with `on` counted as a day of presence), there is no such day:
	 * may_stay_until_known is false and may_stay_until is left as `on`.
	 */
	bool may_stay_until_known;
	struct date may_stay_until;
};

/*
 * Compute the position on day `on` of a traveller with `n` recorded stays (`stays` may be NULL when
 * n is 0) under the rule "at most `limit_days` in any `window_days`" (STAY_LIMIT_DAYS and
 * STAY_WINDOW_DAYS for the short-stay rule; 1 <= limit_days < window_days <= STAY_WINDOW_MAX).
 *
 * Stays may come in any order and may overlap or touch: a day counts once. An open stay is present
 * from its entry up to and including `on`. Days of a closed stay after `on` play no part (the
 * projection behind may_stay_until assumes presence on them anyway).
 *
 * Errors, all MMIS_EINVAL, with `field` naming the offending input ("stays[2]" counts from 0,
 * the message from 1, as a person would: "stay 3 ..."):
 *   - a date that is not a valid full date ("stays[i]", "on");
 *   - a closed stay whose exit is before its entry: "stay 3: exit 2014-01-01 is before entry
 *     2014-02-01";
 *   - a stay starting after `on`: "stay 3 starts after the day of the check";
 *   - limit_days or window_days out of range ("limit_days", "window_days");
 *   - `on` so late that may_stay_until would pass 9999-12-31 ("on").
 * On error *out is unspecified. MMIS_ENOMEM when a copy of many stays cannot be allocated.
 */
enum mmis_err stay_calc(const struct stay *stays, size_t n, const struct date *on, int limit_days,
			int window_days, struct stay_result *out, struct mmis_error *err);

/*
 * Parse one stay written "YYYY-MM-DD..YYYY-MM-DD" (entry..exit) or "YYYY-MM-DD.." (entry, still
 * present). MMIS_EINVAL with field "stay" for anything else, for an impossible date, and for an
 * exit before the entry; the message says which.
 */
enum mmis_err stay_parse(const char *text, struct stay *out, struct mmis_error *err);

/*
 * The result as a new JSON object (json_decref it; NULL when out of memory):
 *     {"on": "2014-11-30", "days_used": 77, "days_remaining": 13, "overstay_days": 0,
 *      "may_stay_until": "2014-12-13"}
 * with "may_stay_until": null when it is not known.
 */
json_t *stay_result_json(const struct stay_result *r);

#endif
