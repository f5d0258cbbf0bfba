/*
 * date.c - proleptic Gregorian dates, partial dates and UTC timestamps.
 *
 * Day arithmetic is Howard Hinnant's days_from_civil / civil_from_days
 * (https://howardhinnant.github.io/date_algorithms.html). It is exact for every year and needs
 * neither time_t nor a time zone, and unlike timegm() it never silently turns 31 April into 1 May
 * or 25:00 into the next day: the parsers below check every field and say which one is wrong.
 */
#include "mmis/date.h"

#include <assert.h>
#include <time.h>

#define MS_PER_DAY INT64_C(86400000)
#define DAYS_MIN INT64_C(-719162) /* 0001-01-01 */
#define DAYS_MAX INT64_C(2932896) /* 9999-12-31 */
#define QUOTE_MAX 48

static const char *const month_names[13] = {
	"", "January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December",
};

static const char date_forms[] = "expected YYYY-MM-DD";
static const char partial_forms[] = "expected YYYY, YYYY-MM or YYYY-MM-DD";
static const char timestamp_forms[] =
	"expected YYYY-MM-DDTHH:MM[:SS[.fff]] and Z or an offset such as +01:00";

bool date_is_leap_year(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int date_days_in_month(int year, int month)
{
	static const int days[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return month == 2 && date_is_leap_year(year) ? 29 : days[month];
}

bool date_valid_ymd(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && day >= 1 && day <= date_days_in_month(year, month);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct date *out)
{
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = (int)(y + (out->month <= 2));
	out->precision = DATE_DAY;
}

/* Input echoed in a message: at most 40 bytes, anything unprintable as '?'. */
static const char *quote(const char *s, char out[QUOTE_MAX])
{
	size_t i = 0, n = 0;

	out[n++] = '"';
	for (; s[i] && i < 40; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i]) {
		out[n++] = '.';
		out[n++] = '.';
		out[n++] = '.';
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

static enum mmis_err bad_form(const char *s, const char *what, const char *forms, const char *field,
			      struct mmis_error *err)
{
	char q[QUOTE_MAX];

	if (!s || !*s)
		return mmis_error_set(err, MMIS_EINVAL, field, "empty %s: %s", what, forms);
	return mmis_error_set(err, MMIS_EINVAL, field, "%s is not a %s: %s", quote(s, q), what, forms);
}

/* `n` ASCII digits at *p as a number, advancing *p; -1 (and *p unchanged) if any is not a digit.
 * Stops at the NUL, so it never reads past the string. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

/* The shape YYYY[-MM[-DD]] (at most `max_parts` parts) at *p: how many parts, 0 when malformed. */
static int scan_ymd(const char **p, int max_parts, int v[3])
{
	int n = 1;

	v[0] = digits(p, 4);
	v[1] = v[2] = 0;
	if (v[0] < 0)
		return 0;
	while (n < max_parts && **p == '-') {
		const char *q = *p + 1;

		v[n] = digits(&q, 2);
		if (v[n] < 0)
			return 0;
		*p = q;
		n++;
	}
	return n;
}

static enum mmis_err check_ymd(const int v[3], int parts, const char *field, struct mmis_error *err)
{
	int y = v[0], m = v[1], d = v[2], dim;

	if (y < 1)
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "year 0000 is out of range (0001 to 9999)");
	if (parts < 2)
		return MMIS_OK;
	if (m < 1 || m > 12)
		return mmis_error_set(err, MMIS_EINVAL, field, "month %d is out of range", m);
	if (parts < 3)
		return MMIS_OK;
	if (d < 1 || d > 31)
		return mmis_error_set(err, MMIS_EINVAL, field, "day %d is out of range", d);
	dim = date_days_in_month(y, m);
	if (d <= dim)
		return MMIS_OK;
	if (m == 2 && d == 29)
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "%04d-02-29 is not a date: %d is not a leap year", y, y);
	if (m == 2)
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "%04d-02-%02d is not a date: February %d has %d days",
				      y, d, y, dim);
	return mmis_error_set(err, MMIS_EINVAL, field,
			      "%04d-%02d-%02d is not a date: %s has %d days",
			      y, m, d, month_names[m], dim);
}

static enum mmis_err parse(const char *s, bool partial, const char *field, struct date *out,
			   struct mmis_error *err)
{
	const char *forms = partial ? partial_forms : date_forms;
	const char *p = s;
	int v[3], parts;
	enum mmis_err rc;

	if (!s)
		return bad_form(s, "date", forms, field, err);
	parts = scan_ymd(&p, 3, v);
	if (parts == 0 || *p || (!partial && parts < 3))
		return bad_form(s, "date", forms, field, err);
	rc = check_ymd(v, parts, field, err);
	if (rc)
		return rc;
	out->year = v[0];
	out->month = v[1];
	out->day = v[2];
	out->precision = parts == 3 ? DATE_DAY : parts == 2 ? DATE_MONTH : DATE_YEAR;
	return MMIS_OK;
}

enum mmis_err date_parse(const char *s, const char *field, struct date *out, struct mmis_error *err)
{
	return parse(s, false, field, out, err);
}

enum mmis_err date_parse_partial(const char *s, const char *field, struct date *out,
				 struct mmis_error *err)
{
	return parse(s, true, field, out, err);
}

/* Write `v` as exactly `width` digits (keeping the low ones), returning the end. */
static char *put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

size_t date_format(const struct date *d, char buf[DATE_STR_MAX])
{
	char *p = buf;

	assert(d->year >= 1 && d->year <= 9999);
	p = put_digits(p, d->year, 4);
	if (d->precision != DATE_YEAR) {
		*p++ = '-';
		p = put_digits(p, d->month, 2);
	}
	if (d->precision == DATE_DAY) {
		*p++ = '-';
		p = put_digits(p, d->day, 2);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

int64_t date_to_days(const struct date *d)
{
	return days_from_civil(d->year, d->month ? d->month : 1, d->day ? d->day : 1);
}

enum mmis_err date_from_days(int64_t days, struct date *out)
{
	if (days < DAYS_MIN || days > DAYS_MAX)
		return MMIS_EINVAL;
	civil_from_days(days, out);
	return MMIS_OK;
}

enum mmis_err date_add_days(const struct date *d, int64_t n, struct date *out)
{
	/* Any n beyond the span of the calendar is out of range; checking first avoids overflow. */
	if (n < DAYS_MIN - DAYS_MAX || n > DAYS_MAX - DAYS_MIN)
		return MMIS_EINVAL;
	return date_from_days(date_to_days(d) + n, out);
}

int date_cmp(const struct date *a, const struct date *b)
{
	int64_t x = date_to_days(a), y = date_to_days(b);

	return (x > y) - (x < y);
}

bool date_compatible(const struct date *a, const struct date *b)
{
	/* The coarser precision decides how much must agree. */
	enum date_precision p = a->precision > b->precision ? a->precision : b->precision;

	if (a->year != b->year)
		return false;
	if (p == DATE_YEAR)
		return true;
	if (a->month != b->month)
		return false;
	return p == DATE_MONTH || a->day == b->day;
}

int64_t timestamp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split a timestamp into its day and the milliseconds into that day, clamped to years 1..9999. */
static int64_t split_ms(int64_t unix_ms, int64_t *ms_of_day)
{
	int64_t days;

	if (unix_ms < DAYS_MIN * MS_PER_DAY)
		unix_ms = DAYS_MIN * MS_PER_DAY;
	if (unix_ms > (DAYS_MAX + 1) * MS_PER_DAY - 1)
		unix_ms = (DAYS_MAX + 1) * MS_PER_DAY - 1;
	days = unix_ms / MS_PER_DAY;
	if (unix_ms % MS_PER_DAY < 0)
		days--;
	*ms_of_day = unix_ms - days * MS_PER_DAY;
	return days;
}

void date_today(struct date *out)
{
	timestamp_date(timestamp_now(), out);
}

void timestamp_date(int64_t unix_ms, struct date *out)
{
	int64_t ms;

	civil_from_days(split_ms(unix_ms, &ms), out);
}

size_t timestamp_format(int64_t unix_ms, char buf[TIMESTAMP_STR_MAX])
{
	struct date d;
	int64_t ms;
	char *p;

	civil_from_days(split_ms(unix_ms, &ms), &d);
	p = buf + date_format(&d, buf);
	*p++ = 'T';
	p = put_digits(p, ms / 3600000, 2);
	*p++ = ':';
	p = put_digits(p, ms / 60000 % 60, 2);
	*p++ = ':';
	p = put_digits(p, ms / 1000 % 60, 2);
	*p++ = '.';
	p = put_digits(p, ms % 1000, 3);
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

enum mmis_err timestamp_parse(const char *s, const char *field, int64_t *unix_ms,
			      struct mmis_error *err)
{
	const char *p = s;
	int v[3], hh, mi, ss = 0, ms = 0, off = 0;
	int64_t days, t;
	enum mmis_err rc;
	char q[QUOTE_MAX];

	if (!s || scan_ymd(&p, 3, v) != 3)
		return bad_form(s, "timestamp", timestamp_forms, field, err);
	rc = check_ymd(v, 3, field, err);
	if (rc)
		return rc;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return bad_form(s, "timestamp", timestamp_forms, field, err);
	p++;
	hh = digits(&p, 2);
	if (hh < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0)
		return bad_form(s, "timestamp", timestamp_forms, field, err);
	if (*p == ':') {
		p++;
		if ((ss = digits(&p, 2)) < 0)
			return bad_form(s, "timestamp", timestamp_forms, field, err);
		if (*p == '.') {
			int n = 0;

			for (p++; *p >= '0' && *p <= '9'; p++, n++)
				if (n < 3)
					ms = ms * 10 + (*p - '0');
			if (n == 0)
				return bad_form(s, "timestamp", timestamp_forms, field, err);
			for (; n < 3; n++)
				ms *= 10;
		}
	}
	if (hh > 23)
		return mmis_error_set(err, MMIS_EINVAL, field, "hour %d is out of range", hh);
	if (mi > 59)
		return mmis_error_set(err, MMIS_EINVAL, field, "minute %d is out of range", mi);
	if (ss > 59)
		return mmis_error_set(err, MMIS_EINVAL, field, "second %d is out of range", ss);

	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		oh = digits(&p, 2);
		if (oh < 0 || *p++ != ':' || (om = digits(&p, 2)) < 0)
			return bad_form(s, "timestamp", timestamp_forms, field, err);
		if (oh > 23 || om > 59)
			return mmis_error_set(err, MMIS_EINVAL, field,
					      "time zone offset %c%02d:%02d is out of range",
					      sign < 0 ? '-' : '+', oh, om);
		off = sign * (oh * 60 + om);
	} else if (!*p) {
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "%s has no time zone: add Z or an offset such as +01:00",
				      quote(s, q));
	}
	if (*p)
		return bad_form(s, "timestamp", timestamp_forms, field, err);

	days = days_from_civil(v[0], v[1], v[2]);
	t = days * MS_PER_DAY + ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + ms -
	    (int64_t)off * 60000;
	if (t < DAYS_MIN * MS_PER_DAY || t >= (DAYS_MAX + 1) * MS_PER_DAY)
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "%s is out of range: UTC years 0001 to 9999", quote(s, q));
	*unix_ms = t;
	return MMIS_OK;
}
