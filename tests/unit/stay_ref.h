/*
 * stay_ref.h - a brute-force reference for the stay rule, written straight from its wording, day
 * by day, to check lib/border/stay.c against (tests/unit/test_stay.c) and to measure it against
 * (bench/stay_bench.c). Slow on purpose: a day array over the whole history and a window counted
 * afresh for every day that needs one. Expects valid input (what stay_calc accepts).
 */
#ifndef MMIS_STAY_REF_H
#define MMIS_STAY_REF_H

#include <stdint.h>
#include <stdlib.h>

#include "mmis/date.h"
#include "mmis/stay.h"

struct stay_ref {
	unsigned char *present; /* present[d - lo]: a recorded day of presence (on or before `on`) */
	int64_t lo, on;
	int window;
};

/* Days counted in the window ending on day d; `projected`: also every day from `on` on. */
static inline int stay_ref_window(const struct stay_ref *x, int64_t d, bool projected)
{
	int c = 0;

	for (int64_t t = d - x->window + 1; t <= d; t++)
		c += (projected && t >= x->on) || (t <= x->on && x->present[t - x->lo]);
	return c;
}

/* Returns false when out of memory. */
static inline bool stay_ref_calc(const struct stay *stays, size_t n, const struct date *on,
				 int limit, int window, struct stay_result *out)
{
	struct stay_ref x = { .on = date_to_days(on), .window = window };

	x.lo = x.on - window;
	for (size_t i = 0; i < n; i++)
		if (date_to_days(&stays[i].entry) - window < x.lo)
			x.lo = date_to_days(&stays[i].entry) - window;
	x.present = calloc((size_t)(x.on - x.lo + 1), 1);
	if (!x.present)
		return false;
	for (size_t i = 0; i < n; i++) {
		int64_t a = date_to_days(&stays[i].entry);
		int64_t b = stays[i].open ? x.on : date_to_days(&stays[i].exit);
		for (int64_t d = a; d <= b && d <= x.on; d++)
			x.present[d - x.lo] = 1;
	}

	out->on = *on;
	out->days_used = stay_ref_window(&x, x.on, false);
	out->days_remaining = out->days_used > limit ? 0 : limit - out->days_used;
	out->overstay_days = 0;
	for (int64_t d = x.lo; d <= x.on; d++)
		if (x.present[d - x.lo] && stay_ref_window(&x, d, false) > limit)
			out->overstay_days++;
	/* The traveller stays from `on` on until the day before the first day over the limit. */
	out->may_stay_until = *on;
	out->may_stay_until_known = stay_ref_window(&x, x.on, true) <= limit;
	if (out->may_stay_until_known) {
		int64_t d = x.on;
		while (stay_ref_window(&x, d + 1, true) <= limit)
			d++;
		date_from_days(d, &out->may_stay_until);
	}
	free(x.present);
	return true;
}

#endif
