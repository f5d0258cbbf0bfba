/*
 * dims.c - the dimensions statistics are counted by, the age bands, period codes, the sources
 * that can be counted (stats.h), and the parsing of a query's text form. The codes of the
 * protection dimensions are lib/protect's own lists (protect.h), not copies.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/protect.h"

static const char *const directions[] = { "entry", "exit", NULL };
static const char *const sexes[] = { "F", "M", "X", NULL };
const char *const stats_age_bands[] = { "Y_LT14", "Y14-17", "Y18-34", "Y35-64", "Y_GE65", "UNK",
					NULL };
static const char *const transports[] = { "car", "bus", "truck", "motorcycle", "bicycle", "foot",
					  "train", "aircraft", "vessel", "other", "UNK", NULL };
static const char *const grounds[] = { "A", "B", "C", "D", "E", "F", "G", "H", "I", NULL };

static const struct stats_dim_def dims[STATS_DIM__COUNT] = {
	[STATS_DAY] = { "day", "Day", "TIME_PERIOD", 'D', NULL, NULL },
	[STATS_WEEK] = { "week", "Week", "TIME_PERIOD", 'W', NULL, NULL },
	[STATS_MONTH] = { "month", "Month", "TIME_PERIOD", 'M', NULL, NULL },
	[STATS_QUARTER] = { "quarter", "Quarter", "TIME_PERIOD", 'Q', NULL, NULL },
	[STATS_YEAR] = { "year", "Year", "TIME_PERIOD", 'A', NULL, NULL },
	[STATS_BCP] = { "bcp", "Border crossing point", "bcp", 0, NULL, NULL },
	[STATS_DIRECTION] = { "direction", "Direction", "direction", 0, directions, NULL },
	[STATS_NATIONALITY] = { "nationality", "Nationality", "citizen", 0, NULL, NULL },
	[STATS_SEX] = { "sex", "Sex", "sex", 0, sexes, NULL },
	[STATS_AGE_BAND] = { "age_band", "Age band", "age", 0, stats_age_bands, NULL },
	[STATS_TRANSPORT] = { "transport", "Means of transport", "transport", 0, transports, NULL },
	[STATS_GROUND] = { "ground", "Ground of refusal", "reason", 0, grounds, NULL },
	[STATS_CASE_TYPE] = { "case_type", "Case type", "case_type", 0, protect_case_types, NULL },
	[STATS_STATE] = { "state", "State", "state", 0, protect_case_states,
			  protect_referral_states },
	[STATS_AGENCY] = { "agency", "Agency", "agency", 0, NULL, NULL },
	[STATS_PROVIDER] = { "provider", "Provider", "provider", 0, NULL, NULL },
	[STATS_SERVICE] = { "service", "Service", "service", 0, protect_services, NULL },
	[STATS_PROJECT] = { "project", "Project", "project", 0, NULL, NULL },
};

const struct stats_dim_def *stats_dim(enum stats_dim d)
{
	return (unsigned)d < STATS_DIM__COUNT ? &dims[d] : NULL;
}

int stats_dim_find(const char *name)
{
	for (int i = 0; name && i < STATS_DIM__COUNT; i++)
		if (!strcmp(dims[i].name, name))
			return i;
	return -1;
}

bool stats_dim_is_period(enum stats_dim d)
{
	return d <= STATS_YEAR;
}

/* ---- sources */

#define BIT(d) (1u << (d))
#define PERIODS (BIT(STATS_DAY) | BIT(STATS_WEEK) | BIT(STATS_MONTH) | BIT(STATS_QUARTER) | \
		 BIT(STATS_YEAR))
#define PERSON_DIMS (BIT(STATS_NATIONALITY) | BIT(STATS_SEX) | BIT(STATS_AGE_BAND))

#define BORDER_RECORDS "mmis border records (Montenegro)"
#define PROTECTION_RECORDS "mmis protection case records (Montenegro)"

static const struct stats_source sources[] = {
	{ "crossings", "Border crossings", "NR", "MMIS:CROSSINGS(1.0)",
	  PERIODS | BIT(STATS_BCP) | BIT(STATS_DIRECTION) | PERSON_DIMS | BIT(STATS_TRANSPORT), false,
	  0, false,
	  "Entries into and exits from Montenegro recorded at its border crossing points (BCPs), "
	  "counted by the UTC day of the crossing. Nationality, sex and date of birth are the "
	  "traveller's as recorded; the age band is the age on the day of the crossing (Eurostat's "
	  "classes; UNK when the date of birth is unknown or too partial to place the traveller in "
	  "one band). A traveller crossing several times counts once per crossing.",
	  BORDER_RECORDS },
	{ "refusals", "Refusals of entry", "NR", "MMIS:REFUSALS(1.0)",
	  PERIODS | BIT(STATS_BCP) | PERSON_DIMS | BIT(STATS_GROUND), false, 0, false,
	  "Refusals of entry at the border (Schengen Borders Code, Annex V Part B), counted by the "
	  "UTC day of the refusal. By ground, a refusal on several grounds counts once for each of "
	  "them, so that the counts by ground add up to the grounds cited, not to the refusals.",
	  BORDER_RECORDS },
	{ "overstays", "Overstayers", "NR", "MMIS:OVERSTAYS(1.0)",
	  BIT(STATS_BCP) | PERSON_DIMS, true, 0, false,
	  "Travellers present on the day beyond their authorised stay (90 days in any 180, or a "
	  "visa's own days), by the BCP of their last entry; the age band is the age on the day.",
	  BORDER_RECORDS },
	/* Protection (lib/protect): counts of victims and children are never published below
	 * STATS_CASES_MIN_CELL, to anyone, not even the system. */
	{ "cases", "Protection cases", "NR", "MMIS:CASES(1.0)",
	  PERIODS | BIT(STATS_CASE_TYPE) | BIT(STATS_STATE) | BIT(STATS_AGENCY) | PERSON_DIMS, false,
	  STATS_CASES_MIN_CELL, true,
	  "Protection cases opened in the period (victims and presumed victims of trafficking, "
	  "unaccompanied and separated children, smuggled and other vulnerable migrants), counted "
	  "by the day the case was opened. By case type, a case of several types counts once for "
	  "each of them, so that the counts by type add up to the types recorded, not to the cases. "
	  "Type, state and agency are the case's as they are now; nationality is the person's "
	  "citizenship (XXX when unknown); the age band is the age on the day the case was opened. "
	  "No cell below 11 is published.",
	  PROTECTION_RECORDS },
	{ "referrals", "Referrals of protection cases", "NR", "MMIS:REFERRALS(1.0)",
	  PERIODS | BIT(STATS_PROVIDER) | BIT(STATS_SERVICE) | BIT(STATS_STATE), false,
	  STATS_CASES_MIN_CELL, true,
	  "Referrals of protection cases to a service provider made in the period (by the UTC day "
	  "the referral was made), by the agency referred to, the service asked for and the "
	  "referral's state as it is now. No cell below 11 is published.",
	  PROTECTION_RECORDS },
	{ "services", "Services delivered to protection cases", "NR", "MMIS:SERVICES(1.0)",
	  PERIODS | BIT(STATS_PROVIDER) | BIT(STATS_PROJECT) | BIT(STATS_SERVICE), false,
	  STATS_CASES_MIN_CELL, true,
	  "Services delivered to protection cases in the period (by the day delivered), by the "
	  "agency that gave them, the project that funded them (NONE when no project did) and the "
	  "service. A person given a service several times counts once per time. No cell below 11 "
	  "is published.",
	  PROTECTION_RECORDS },
};

#undef BORDER_RECORDS
#undef PROTECTION_RECORDS

size_t stats_source_count(void)
{
	return sizeof(sources) / sizeof(sources[0]);
}

const struct stats_source *stats_source_at(size_t i)
{
	return i < stats_source_count() ? &sources[i] : NULL;
}

const struct stats_source *stats_source_find(const char *name)
{
	for (size_t i = 0; name && i < stats_source_count(); i++)
		if (!strcmp(sources[i].name, name))
			return &sources[i];
	return NULL;
}

static const char *const format_names[] = {
	[STATS_JSON] = "json", [STATS_CSV] = "csv", [STATS_SDMX_CSV] = "sdmx-csv",
	[STATS_XLSX] = "xlsx",
};

int stats_format_find(const char *name)
{
	for (int i = 0; name && i < (int)(sizeof(format_names) / sizeof(format_names[0])); i++)
		if (!strcmp(format_names[i], name))
			return i;
	return -1;
}

const char *stats_format_name(enum stats_format f)
{
	return (unsigned)f <= STATS_XLSX ? format_names[f] : "json";
}

/* ---- ages */

/* Completed years on `on` of someone born y-m-d (full). A birthday on 29 February is reached on
 * 1 March in common years. */
static int age_on(int y, int m, int d, const struct date *on)
{
	return on->year - y - ((on->month < m || (on->month == m && on->day < d)) ? 1 : 0);
}

static int band_index(int age)
{
	return age < 14 ? 0 : age < 18 ? 1 : age < 35 ? 2 : age < 65 ? 3 : 4;
}

const char *stats_age_band(const struct date *birth, bool known, const struct date *on)
{
	if (!known || !birth || birth->year < 1)
		return "UNK";
	/* The earliest and the latest day the person can have been born. */
	int m0 = birth->precision == DATE_YEAR ? 1 : birth->month;
	int m1 = birth->precision == DATE_YEAR ? 12 : birth->month;
	int d0 = birth->precision == DATE_DAY ? birth->day : 1;
	int d1 = birth->precision == DATE_DAY ? birth->day : date_days_in_month(birth->year, m1);
	int oldest = age_on(birth->year, m0, d0, on), youngest = age_on(birth->year, m1, d1, on);
	if (youngest < 0 || oldest > 130 || m0 < 1 || m1 > 12 || d1 < 1)
		return "UNK";
	int b = band_index(youngest);
	return b == band_index(oldest) ? stats_age_bands[b] : "UNK";
}

/* ---- periods */

/* `width` digits of v (0 <= v < 10^width) at p; returns the end. */
static char *digits(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + (v % 10));
	return p + width;
}

void stats_period_code(enum stats_dim d, const struct date *day, char out[16])
{
	int year = day->year < 0 ? 0 : day->year % 10000;
	char *p = out;

	switch (d) {
	case STATS_WEEK: {
		int64_t days = date_to_days(day);
		int64_t wd = ((days % 7) + 7 + 3) % 7 + 1; /* Monday 1 .. Sunday 7; 1970-01-01 Thursday */
		struct date thu, jan1;
		date_from_days(days - wd + 4, &thu);
		jan1 = (struct date){ thu.year, 1, 1, DATE_DAY };
		int week = (int)((days - wd + 4 - date_to_days(&jan1)) / 7) + 1;
		p = digits(p, thu.year % 10000, 4);
		*p++ = '-';
		*p++ = 'W';
		p = digits(p, week, 2);
		break;
	}
	case STATS_MONTH:
		p = digits(p, year, 4);
		*p++ = '-';
		p = digits(p, day->month % 100, 2);
		break;
	case STATS_QUARTER:
		p = digits(p, year, 4);
		*p++ = '-';
		*p++ = 'Q';
		p = digits(p, (day->month % 100 + 2) / 3 % 10, 1);
		break;
	case STATS_YEAR:
		p = digits(p, year, 4);
		break;
	case STATS_DAY:
	default:
		p = digits(p, year, 4);
		*p++ = '-';
		p = digits(p, day->month % 100, 2);
		*p++ = '-';
		p = digits(p, day->day % 100, 2);
		break;
	}
	*p = '\0';
}

/* ---- the deployment's minimum cell */

static bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;
	if (!s || !*s || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

enum mmis_err stats_deployment_min_cell(int *out, struct mmis_error *err)
{
	const char *s = getenv("MMIS_MIN_CELL");
	long v;

	*out = STATS_MIN_CELL_DEFAULT;
	if (!s || !*s)
		return MMIS_OK;
	if (!parse_int(s, STATS_MIN_CELL_FLOOR, STATS_MIN_CELL_MAX, &v))
		return mmis_error_set(err, MMIS_EINVAL, "MMIS_MIN_CELL",
				      "MMIS_MIN_CELL is the smallest count published, a whole number "
				      "from %d to %d (not '%.20s')", STATS_MIN_CELL_FLOOR,
				      STATS_MIN_CELL_MAX, s);
	*out = (int)v;
	return MMIS_OK;
}

/* ---- queries */

/* A bound: YYYY-MM-DD, or YYYY-MM / YYYY meaning their first (or, for an end, last) day. */
static enum mmis_err parse_bound(const char *s, const char *field, bool end, struct date *out,
				 struct mmis_error *err)
{
	struct date d;
	enum mmis_err rc;

	if (!s || !*s)
		return mmis_error_set(err, MMIS_EINVAL, field, "%s: a date is required (YYYY-MM-DD)",
				      field);
	if ((rc = date_parse_partial(s, field, &d, err))) {
		mmis_error_prefix(err, "%s: ", field);
		return rc;
	}
	if (d.precision == DATE_YEAR) {
		d.month = end ? 12 : 1;
		d.day = end ? 31 : 1;
	} else if (d.precision == DATE_MONTH) {
		d.day = end ? date_days_in_month(d.year, d.month) : 1;
	}
	d.precision = DATE_DAY;
	*out = d;
	return MMIS_OK;
}

/* The names of the dimensions a source is counted by, comma-separated, for messages. */
static void source_dims_text(const struct stats_source *src, char *out, size_t cap)
{
	size_t k = 0;

	out[0] = '\0';
	for (int d = 0; d < STATS_DIM__COUNT; d++) {
		size_t n = strlen(dims[d].name);
		if (!(src->dims & BIT(d)))
			continue;
		if (k + n + 3 >= cap)
			break;
		if (k) {
			memcpy(out + k, ", ", 2);
			k += 2;
		}
		memcpy(out + k, dims[d].name, n);
		k += n;
		out[k] = '\0';
	}
}

enum mmis_err stats_query_parse(struct stats_query *q, const char *source, const char *by,
				const char *from, const char *to, const char *on,
				const char *min_cell, const char *format, bool totals,
				struct mmis_error *err)
{
	const struct stats_source *src = stats_source_find(source);
	enum mmis_err rc;
	bool period = false;

	memset(q, 0, sizeof(*q));
	q->min_cell = -1;
	q->totals = totals;
	if (!src)
		return mmis_error_set(err, MMIS_EINVAL, "source", "no statistics of '%.40s'",
				      source ? source : "");
	q->source = src->name;
	for (const char *p = by ? by : ""; *p;) {
		size_t n = strcspn(p, ",");
		char name[32];
		int d;
		if (n == 0 || n >= sizeof(name))
			return mmis_error_set(err, MMIS_EINVAL, "by",
					      "by: a comma-separated list of dimensions (month,bcp,...)");
		memcpy(name, p, n);
		name[n] = '\0';
		if ((d = stats_dim_find(name)) < 0 || !(src->dims & BIT(d))) {
			char list[256];
			source_dims_text(src, list, sizeof(list));
			if (d < 0)
				return mmis_error_set(err, MMIS_EINVAL, "by",
						      "by: unknown dimension '%s' (%s are counted by "
						      "%s)", name, src->name, list);
			return mmis_error_set(err, MMIS_EINVAL, "by",
					      "by: %s are not counted by %s (but by %s)", src->name,
					      name, list);
		}
		for (int i = 0; i < q->n_dims; i++)
			if (q->dims[i] == (enum stats_dim)d)
				return mmis_error_set(err, MMIS_EINVAL, "by",
						      "by: '%s' is given twice", name);
		if (stats_dim_is_period((enum stats_dim)d)) {
			if (period)
				return mmis_error_set(err, MMIS_EINVAL, "by",
						      "by: one period (day, week, month, quarter or "
						      "year) per table");
			period = true;
		}
		if (q->n_dims == STATS_DIMS_MAX)
			return mmis_error_set(err, MMIS_EINVAL, "by",
					      "by: at most %d dimensions per table", STATS_DIMS_MAX);
		q->dims[q->n_dims++] = (enum stats_dim)d;
		p += n;
		if (*p == ',' && !*++p)
			return mmis_error_set(err, MMIS_EINVAL, "by", "by: a dimension after ','");
	}
	if (src->stock) {
		if (from || to)
			return mmis_error_set(err, MMIS_EINVAL, from ? "from" : "to",
					      "%s are counted on one day: give on, not from and to",
					      src->name);
		if (on && *on) {
			if ((rc = date_parse(on, "on", &q->on, err))) {
				mmis_error_prefix(err, "on: ");
				return rc;
			}
		} else {
			date_today(&q->on);
		}
	} else {
		if (on)
			return mmis_error_set(err, MMIS_EINVAL, "on",
					      "%s are counted over a period: give from and to",
					      src->name);
		if ((rc = parse_bound(from, "from", false, &q->from, err)) ||
		    (rc = parse_bound(to, "to", true, &q->to, err)))
			return rc;
		if (date_cmp(&q->from, &q->to) > 0)
			return mmis_error_set(err, MMIS_EINVAL, "from",
					      "from (%.10s) is after to (%.10s)", from, to);
		if (date_to_days(&q->to) - date_to_days(&q->from) > 36525)
			return mmis_error_set(err, MMIS_EINVAL, "to",
					      "a period of at most 100 years");
	}
	if (min_cell) {
		long v;
		if (!parse_int(min_cell, 0, STATS_MIN_CELL_MAX, &v))
			return mmis_error_set(err, MMIS_EINVAL, "min_cell",
					      "min_cell: a whole number from 0 to %d",
					      STATS_MIN_CELL_MAX);
		q->min_cell = (int)v;
	}
	if (format) {
		int f = stats_format_find(format);
		if (f < 0)
			return mmis_error_set(err, MMIS_EINVAL, "format",
					      "format: csv, json, xlsx or sdmx-csv (not '%.20s')",
					      format);
		q->format = (enum stats_format)f;
	}
	return MMIS_OK;
}
