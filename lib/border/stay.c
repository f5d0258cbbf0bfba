/*
 * stay.c - the short-stay rule (90 days in any 180), see include/mmis/stay.h.
 *
 * Days are numbered (days since 1970-01-01). The stays become day ranges, cut at the day of the
 * check, sorted and merged into disjoint ranges that neither overlap nor touch; each range keeps
 * the number of days of presence before it, so that "days of presence up to day t" is one binary
 * search (count_upto).
 *
 * The window count f(d) = days of presence in [d - W + 1, d] changes by p(d) - p(d - W) from one
 * day to the next (p: 1 on a day of presence). Between consecutive boundaries of the ranges and of
 * the ranges shifted by W days, that slope is constant, so the overstay days are counted segment by
 * segment in closed form (overstay_days): the cost depends on the number of stays, not on how many
 * days they span. may_stay_until is a binary search, because with presence assumed on every day
 * from the check on, the window count can only grow from one day to the next (a day of presence
 * comes in, at most one leaves).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/json.h"
#include "mmis/stay.h"

/* Presence on every day from a to b; pre: days of presence in the ranges before this one. */
struct range {
	int64_t a, b, pre;
};

#define LOCAL_RANGES 64 /* stays handled without allocating */

static bool full_date(const struct date *d)
{
	return d->precision == DATE_DAY && date_valid_ymd(d->year, d->month, d->day);
}

/* MMIS_EINVAL naming stays[k] in the field; the message counts from 1 as people do. */
static enum mmis_err stay_error(struct mmis_error *err, size_t k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum mmis_err stay_error(struct mmis_error *err, size_t k, const char *fmt, ...)
{
	char field[MMIS_ERROR_FIELD_MAX];
	va_list ap;

	snprintf(field, sizeof(field), "stays[%zu]", k);
	va_start(ap, fmt);
	mmis_error_setv(err, MMIS_EINVAL, field, fmt, ap);
	va_end(ap);
	return MMIS_EINVAL;
}

static int range_cmp(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return (a->a > b->a) - (a->a < b->a);
}

/* Days of presence on or before day t. */
static int64_t count_upto(const struct range *r, size_t m, int64_t t)
{
	size_t lo = 0, hi = m;

	while (lo < hi) { /* the first range starting after t */
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].a <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	const struct range *p = &r[lo - 1];
	return p->pre + (t < p->b ? t : p->b) - p->a + 1;
}

/* Boundary k of the merged ranges: even k, the first day of range k/2 (presence begins); odd k,
 * the day after its last day (presence ends). Strictly increasing in k. */
static int64_t boundary(const struct range *r, size_t k)
{
	return k & 1 ? r[k / 2].b + 1 : r[k / 2].a;
}

/*
 * How many t in [1, len] have F + s*t > limit, for a slope s of 0 or 1 (on days of presence the
 * window count never falls: a day comes in, at most one leaves).
 */
static int64_t days_over(int64_t F, int s, int64_t len, int64_t limit)
{
	if (s == 0)
		return F > limit ? len : 0;
	int64_t c = F + len - limit; /* F + t > limit for t > limit - F */
	return c < 0 ? 0 : c > len ? len : c;
}

/* Days of presence d <= on whose window [d - window + 1, d] holds more than `limit` days. */
static int64_t overstay_days(const struct range *r, size_t m, int64_t on, int64_t limit,
			     int64_t window)
{
	const size_t nb = 2 * m;
	size_t i = 0, j = 0; /* next boundary of the ranges, and of the ranges shifted by window */
	int p = 0, q = 0;    /* presence on day x, and on day x - window */
	int64_t f = 0;       /* the window count of the day before x */
	int64_t total = 0;

	while (i < nb) { /* after the last boundary there is no presence left to count */
		int64_t bi = boundary(r, i);
		int64_t bj = boundary(r, j) + window; /* j <= i: boundary(j) + window > boundary(j) */
		int64_t x = bi < bj ? bi : bj;

		if (x > on)
			break;
		if (bi == x)
			p = !(i++ & 1);
		if (bj == x)
			q = !(j++ & 1);
		/* j < nb here: the shifted boundaries end after the plain ones. */
		int64_t next = boundary(r, j) + window;
		if (i < nb && boundary(r, i) < next)
			next = boundary(r, i);
		int s = p - q;
		if (p) {
			int64_t end = next - 1 < on ? next - 1 : on;
			total += days_over(f, s, end - x + 1, limit);
		}
		f += s * (next - x);
	}
	return total;
}

enum mmis_err stay_calc(const struct stay *stays, size_t n, const struct date *on, int limit_days,
			int window_days, struct stay_result *out, struct mmis_error *err)
{
	struct range local[LOCAL_RANGES], *r = local;
	bool sorted = true;
	size_t m = 0;
	enum mmis_err rc = MMIS_OK;

	assert(out);
	if (!on || !full_date(on))
		return mmis_error_set(err, MMIS_EINVAL, "on", "the day of the check is not a full date");
	if (window_days < 2 || window_days > STAY_WINDOW_MAX)
		return mmis_error_set(err, MMIS_EINVAL, "window_days",
				      "the window must be 2 to %d days, not %d", STAY_WINDOW_MAX,
				      window_days);
	if (limit_days < 1 || limit_days >= window_days)
		return mmis_error_set(err, MMIS_EINVAL, "limit_days",
				      "the limit must be 1 to %d days (less than the window), not %d",
				      window_days - 1, limit_days);
	if (n > 0 && !stays)
		return mmis_error_set(err, MMIS_EINVAL, "stays", "no stays given");

	const int64_t day = date_to_days(on), limit = limit_days, window = window_days;

	if (n > LOCAL_RANGES) {
		if (n > SIZE_MAX / sizeof(*r))
			return mmis_error_set(err, MMIS_ETOOBIG, "stays", "too many stays");
		r = malloc(n * sizeof(*r));
		if (!r)
			return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory for %zu stays", n);
	}
	for (size_t k = 0; k < n; k++) {
		const struct stay *s = &stays[k];
		char a[DATE_STR_MAX], b[DATE_STR_MAX];

		if (!full_date(&s->entry)) {
			rc = stay_error(err, k, "stay %zu: the entry is not a full date", k + 1);
			goto out;
		}
		if (!s->open && !full_date(&s->exit)) {
			rc = stay_error(err, k, "stay %zu: the exit is not a full date", k + 1);
			goto out;
		}
		r[k].a = date_to_days(&s->entry);
		r[k].b = s->open ? day : date_to_days(&s->exit);
		if (!s->open && r[k].b < r[k].a) {
			date_format(&s->entry, a);
			date_format(&s->exit, b);
			rc = stay_error(err, k, "stay %zu: exit %s is before entry %s", k + 1, b, a);
			goto out;
		}
		if (r[k].a > day) {
			rc = stay_error(err, k, "stay %zu starts after the day of the check", k + 1);
			goto out;
		}
		if (r[k].b > day)
			r[k].b = day; /* the days after the check play no part */
		if (k > 0 && r[k].a < r[k - 1].a)
			sorted = false;
	}
	if (!sorted)
		qsort(r, n, sizeof(*r), range_cmp);
	for (size_t k = 0; k < n; k++) { /* merge overlapping and touching ranges */
		if (m > 0 && r[k].a <= r[m - 1].b + 1) {
			if (r[k].b > r[m - 1].b)
				r[m - 1].b = r[k].b;
		} else {
			r[m++] = r[k];
		}
	}
	for (size_t k = 0; k < m; k++)
		r[k].pre = k ? r[k - 1].pre + r[k - 1].b - r[k - 1].a + 1 : 0;

	memset(out, 0, sizeof(*out));
	out->on = *on;
	const int64_t before = count_upto(r, m, day - 1);
	out->days_used = (int)(count_upto(r, m, day) - count_upto(r, m, day - window));
	out->days_remaining = out->days_used < limit_days ? limit_days - out->days_used : 0;
	out->overstay_days = (int)overstay_days(r, m, day, limit, window);

	/*
	 * With presence on every day from the check on, the window of day on + k holds the days of
	 * presence in [on + k - window + 1, on - 1] and the k + 1 days from on: g(k), never
	 * decreasing in k, and above the limit from k = limit on. The answer is the largest k with
	 * g(k) <= limit.
	 */
#define G(k) (before - count_upto(r, m, day + (k) - window) + (k) + 1)
	out->may_stay_until = *on;
	if (G(0) <= limit) {
		int64_t lo = 0, hi = limit - 1; /* g(lo) <= limit; the answer is in [lo, hi] */
		while (lo < hi) {
			int64_t mid = lo + (hi - lo + 1) / 2;
			if (G(mid) <= limit)
				lo = mid;
			else
				hi = mid - 1;
		}
		if (date_from_days(day + lo, &out->may_stay_until)) {
			rc = mmis_error_set(err, MMIS_EINVAL, "on",
					    "the day of the check is too late: the stay would end after 9999-12-31");
			goto out;
		}
		out->may_stay_until_known = true;
	}
#undef G
out:
	if (r != local)
		free(r);
	return rc;
}

enum mmis_err stay_parse(const char *text, struct stay *out, struct mmis_error *err)
{
	static const char forms[] = "expected ENTRY..EXIT or ENTRY.. (dates YYYY-MM-DD)";
	char entry[DATE_STR_MAX];
	const char *dots;
	struct stay s = { 0 };

	if (!text || !*text)
		return mmis_error_set(err, MMIS_EINVAL, "stay", "empty stay: %s", forms);
	dots = strstr(text, "..");
	if (!dots || dots == text)
		return mmis_error_set(err, MMIS_EINVAL, "stay", "not a stay: %s", forms);
	if ((size_t)(dots - text) >= sizeof(entry))
		return mmis_error_set(err, MMIS_EINVAL, "stay", "the entry is not a date: %s", forms);
	memcpy(entry, text, (size_t)(dots - text));
	entry[dots - text] = '\0';
	if (date_parse(entry, "stay", &s.entry, err))
		return mmis_error_prefix(err, "entry");
	if (dots[2] == '\0') {
		s.open = true;
		s.exit = s.entry;
	} else {
		if (date_parse(dots + 2, "stay", &s.exit, err))
			return mmis_error_prefix(err, "exit");
		if (date_cmp(&s.exit, &s.entry) < 0)
			return mmis_error_set(err, MMIS_EINVAL, "stay", "exit %s is before entry %s",
					      dots + 2, entry);
	}
	*out = s;
	return MMIS_OK;
}

json_t *stay_result_json(const struct stay_result *r)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	bool bad = mjson_set_date(o, "on", &r->on) || mjson_set_int(o, "days_used", r->days_used) ||
		   mjson_set_int(o, "days_remaining", r->days_remaining) ||
		   mjson_set_int(o, "overstay_days", r->overstay_days);
	if (r->may_stay_until_known)
		bad = bad || mjson_set_date(o, "may_stay_until", &r->may_stay_until);
	else
		bad = bad || json_object_set_new(o, "may_stay_until", json_null());
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
