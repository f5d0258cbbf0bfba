/*
 * stats.h - statistics that are correct and safe to publish: aggregates of the border records
 * (crossings, refusals of entry, overstays), kept current by roll-ups, and of the protection
 * records (cases, referrals, services delivered); disclosure control (primary and secondary
 * suppression); exports to CSV, JSON, SDMX-CSV 2.0 and XLSX; national indicators from imported
 * official series; long-term migration estimated from the border records with the 12/16-month
 * rule; seasonal alerts. docs/statistics.md explains the definitions and methods.
 *
 * Aggregates are data, not code: a table of dimensions (period, BCP, direction, nationality, sex,
 * age band, transport, ground of refusal, case type, state, agency, provider, service, project),
 * a table of sources (what can be counted and by which dimensions, with its disclosure rule) and
 * a table of roll-ups (lib/stats/rollup.c). Protection cases, referrals and services
 * (lib/protect) have a stricter rule: never a cell below STATS_CASES_MIN_CELL, to anyone (not
 * even the system may lower it).
 *
 * Permissions (auth.h): stats.read for every query (analysts see only suppressed tables);
 * stats.unsuppressed to ask for a smaller minimum cell than the deployment's (--min-cell 0 turns
 * suppression off); stats.write to import official series and rebuild the roll-ups. Every query
 * and export is audited (one event naming the source, dimensions, period, minimum cell and
 * format), in the same transaction as its work.
 *
 * Returned JSON values are new references owned by the caller.
 */
#ifndef MMIS_STATS_H
#define MMIS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/date.h"
#include "mmis/err.h"
#include "mmis/store.h"
#include "mmis/strbuf.h"

/* ---- dimensions */

enum stats_dim {
	STATS_DAY = 0,    /* YYYY-MM-DD (UTC, as every date in mmis) */
	STATS_WEEK,       /* ISO 8601 week, YYYY-Www */
	STATS_MONTH,      /* YYYY-MM */
	STATS_QUARTER,    /* YYYY-Qn */
	STATS_YEAR,       /* YYYY */
	STATS_BCP,        /* the BCP's code, MNE-DBR */
	STATS_DIRECTION,  /* entry, exit */
	STATS_NATIONALITY,/* ISO 3166-1 alpha-3 or ICAO code; XXX when unknown */
	STATS_SEX,        /* F, M, X (X: unspecified or unknown) */
	STATS_AGE_BAND,   /* Y_LT14, Y14-17, Y18-34, Y35-64, Y_GE65, UNK (age at the crossing) */
	STATS_TRANSPORT,  /* a border_transport_codes code; UNK when not recorded */
	STATS_GROUND,     /* a ground of refusal, A..I (Schengen Borders Code, Annex V Part B) */
	STATS_CASE_TYPE,  /* a protection case's type (protect_case_types) */
	STATS_STATE,      /* a case's state (protect_case_states) or a referral's
			   * (protect_referral_states), as it is now */
	STATS_AGENCY,     /* the code of the agency owning a case */
	STATS_PROVIDER,   /* the code of the agency receiving a referral or giving a service */
	STATS_SERVICE,    /* a service (protect_services) */
	STATS_PROJECT,    /* the code of the project funding a service; NONE without one */
	STATS_DIM__COUNT
};

#define STATS_DIMS_MAX 5       /* dimensions of one table */
#define STATS_TOTAL "_T"       /* the code of a margin (total) */
#define STATS_MIN_CELL_DEFAULT 5
#define STATS_MIN_CELL_FLOOR 3 /* a deployment's minimum cell is at least this */
#define STATS_MIN_CELL_MAX 1000
#define STATS_CASES_MIN_CELL 11 /* cases: never a cell below this (CTDC publishes with k = 11) */

struct stats_dim_def {
	const char *name;    /* "month" */
	const char *label;   /* "Month" */
	const char *sdmx_id; /* "TIME_PERIOD", "citizen", "sex", "age", ... */
	char freq;           /* SDMX frequency of a period dimension (D, W, M, Q, A); 0 otherwise */
	const char *const *codes; /* the codes in their published order (NULL-terminated), or NULL
				   * when open (BCPs, nationalities, periods: sorted as text) */
	const char *const *more_codes; /* further codes after those (the state dimension: the
					* referral states after the case states), or NULL */
};

const struct stats_dim_def *stats_dim(enum stats_dim d);
/* The dimension named `name`, or -1. */
int stats_dim_find(const char *name);
bool stats_dim_is_period(enum stats_dim d);

/* The age bands, in order (NULL-terminated), and the band of someone born `birth` (possibly
 * partial; known false: unknown) on `on`: exact for a full date of birth; for a partial one the
 * band holding every age the person can have that day, else "UNK"; "UNK" also for a birth after
 * `on` or an age above 130. Never NULL. */
extern const char *const stats_age_bands[];
const char *stats_age_band(const struct date *birth, bool known, const struct date *on);

/* The code of the period of dimension `d` that holds `day` ("2024-03", "2024-Q1", "2024-W09"),
 * into out (at least 11 bytes). */
void stats_period_code(enum stats_dim d, const struct date *day, char out[16]);

/* ---- sources: what can be counted */

struct stats_source {
	const char *name;      /* "crossings", "refusals", "overstays", "cases", "referrals",
				* "services" */
	const char *label;     /* "Border crossings" */
	const char *unit;      /* SDMX unit of the counts: "NR" (number) */
	const char *structure_id; /* SDMX-CSV STRUCTURE_ID: "MMIS:CROSSINGS(1.0)" */
	unsigned dims;         /* the dimensions it may be counted by (bit per enum stats_dim) */
	bool stock;            /* a stock on one day (--on), not flows over a period */
	int min_cell_floor;    /* cells below this are always suppressed (0: the deployment's K) */
	bool unsuppressible;   /* never published without suppression, not even to the system;
				* and no line's hidden cells may add up to less than K (the
				* protection sources: docs/statistics.md) */
	const char *definition; /* one paragraph, for the notes of exports */
	const char *records;    /* the records counted, for the notes: "mmis border records
				 * (Montenegro)" */
};

size_t stats_source_count(void);
const struct stats_source *stats_source_at(size_t i);
const struct stats_source *stats_source_find(const char *name); /* NULL when unknown */

/* ---- a query and its table */

enum stats_format { STATS_JSON = 0, STATS_CSV, STATS_SDMX_CSV, STATS_XLSX };
/* "json", "csv", "sdmx-csv", "xlsx"; -1 for anything else. */
int stats_format_find(const char *name);
const char *stats_format_name(enum stats_format f);

struct stats_query {
	const char *source;             /* a stats_source name */
	struct date from, to;           /* full dates, both included (flows) */
	struct date on;                 /* the day of a stock (overstays) */
	enum stats_dim dims[STATS_DIMS_MAX];
	int n_dims;                     /* 0: the grand total only */
	int min_cell;                   /* -1: the deployment's; 0: no suppression (stats.unsuppressed) */
	bool totals;                    /* publish the margins (_T) too */
	enum stats_format format;       /* named in the audit event */
};

/* Read a query from its text form: `by` a comma-separated list of dimension names in the order
 * wanted ("month,bcp,nationality"), `from`/`to` YYYY-MM-DD (also YYYY-MM or YYYY: the first or
 * last day of it), `on` YYYY-MM-DD (NULL: today), `min_cell` NULL or a number, `format` NULL or a
 * format name. MMIS_EINVAL naming the field ("by", "from", "to", "on", "min_cell", "format"):
 * an unknown or repeated dimension, two period dimensions, a dimension the source has not,
 * `from` after `to`, a period longer than 100 years. */
enum mmis_err stats_query_parse(struct stats_query *q, const char *source, const char *by,
				const char *from, const char *to, const char *on,
				const char *min_cell, const char *format, bool totals,
				struct mmis_error *err);

struct stats_table;

/*
 * Count, suppress and return the table: the cells of every combination of the dimensions' codes
 * that has records (combinations without records are zero and not listed), and with `totals`
 * the margins (a dimension's code STATS_TOTAL). The minimum cell K is the query's, or
 * `deployment_min_cell` when the query says -1; a K below the deployment's needs
 * stats.unsuppressed (MMIS_EDENIED, audited), and a source's floor always applies: for an
 * unsuppressible source (cases, referrals, services) a K below the deployment's is refused to
 * every actor, the system included, and K is at least STATS_CASES_MIN_CELL.
 * Suppression (docs/statistics.md): every cell and margin with 0 < count < K is suppressed
 * (primary); then, so that no suppressed cell can be worked out from the margins along any
 * dimension, each suppressed cell is made a corner of a hypercube of suppressed non-zero cells
 * (secondary), choosing the hypercube that hides the least. Margins are taken into account
 * whether or not they are published: they can be asked for in another table.
 * MMIS_ECONFLICT when the roll-ups need `mmis stats rebuild`; MMIS_ETOOBIG when a dimension has
 * more than 4,000 codes.
 */
enum mmis_err stats_run(const struct mmis_ctx *cx, const struct actor *a,
			const struct stats_query *q, int deployment_min_cell,
			struct stats_table **out, struct mmis_error *err);

void stats_table_free(struct stats_table *t); /* NULL is allowed */

/* Reading a table: rows in order (each dimension's codes in their order, the margin last). */
size_t stats_table_rows(const struct stats_table *t);
int stats_table_dims(const struct stats_table *t, enum stats_dim dims[STATS_DIMS_MAX]);
const char *stats_table_code(const struct stats_table *t, size_t row, int dim);
/* The count, or -1 for a suppressed cell. */
int64_t stats_table_count(const struct stats_table *t, size_t row);
bool stats_table_is_total(const struct stats_table *t, size_t row); /* a margin row */
int stats_table_min_cell(const struct stats_table *t);
size_t stats_table_suppressed(const struct stats_table *t, size_t *primary); /* how many */
/* Every cell of the extended table (margins included, published or not), for tests and the
 * exports' checks: the count before suppression (the caller must be allowed to see it: the
 * library only fills it for tables it made), whether suppressed, and its codes. */
size_t stats_table_all_cells(const struct stats_table *t);
void stats_table_cell_at(const struct stats_table *t, size_t i, int32_t idx[STATS_DIMS_MAX],
			 int64_t *count, bool *suppressed);
/* Codes of dimension `dim`: how many (without the total) and the i-th (i == n: STATS_TOTAL). */
size_t stats_table_codes(const struct stats_table *t, int dim);
const char *stats_table_code_at(const struct stats_table *t, int dim, size_t i);

/*
 * Disclosure control on its own (the algorithm stats_run uses), for tests and tools: a table of
 * `n_dims` dimensions with sizes `sizes` (codes, margins excluded) and `n_cells` non-zero cells
 * `idx` (n_dims indices each) with `counts`. Builds the margins and suppresses with K.
 */
enum mmis_err stats_table_from_cells(int n_dims, const size_t *sizes, size_t n_cells,
				     const int32_t *idx, const int64_t *counts, int min_cell,
				     struct stats_table **out, struct mmis_error *err);

/* ---- exports (pure: no database, no audit; stats_run audited the query with its format) */

/* CSV: one column per dimension in the query's order, then count, then conf_status (empty, or C
 * for a suppressed cell, whose count is empty). Lines end with CRLF. */
enum mmis_err stats_write_csv(const struct stats_table *t, struct strbuf *out);
/* SDMX-CSV 2.0: STRUCTURE, STRUCTURE_ID, ACTION, freq (a period dimension), unit, the
 * dimensions (citizen, sex, age, ...), geo (MNE's ME), TIME_PERIOD, OBS_VALUE, CONF_STATUS
 * (F free, C confidential: OBS_VALUE NaN). Codes as Eurostat's: citizen alpha-2 (EL, UK, XK,
 * STLS, UNK), sex UNK for X. */
enum mmis_err stats_write_sdmx_csv(const struct stats_table *t, struct strbuf *out);
/* JSON: {source, unit, from, to, on, dimensions, min_cell, suppressed, rows: [{DIM: code, ...,
 * count (null when suppressed), conf_status (null or "C")}], notes}. */
json_t *stats_table_json(const struct stats_table *t);
/* XLSX (libxlsxwriter): a sheet for the table and a notes sheet (source, definitions, the
 * suppression rule, when made). Into the file `path`, or into memory (*buf, free() it). */
enum mmis_err stats_write_xlsx(const struct stats_table *t, const char *path,
			       struct mmis_error *err);
enum mmis_err stats_write_xlsx_buffer(const struct stats_table *t, char **buf, size_t *len,
				      struct mmis_error *err);
/* The table in `format` into memory: *buf (free() it), its length and content type. */
enum mmis_err stats_export(const struct stats_table *t, enum stats_format format, char **buf,
			   size_t *len, const char **content_type, struct mmis_error *err);

/* ---- roll-ups: crossings counted as they are recorded */

/*
 * What a crossing is counted by. lib/border fills it when it records or imports a crossing, from
 * the person as stored (nationality, sex, date of birth) and the crossing.
 */
struct stats_crossing_facts {
	int64_t at_ms;
	const char *bcp;
	bool exit;
	const char *nationality; /* NULL or "": unknown */
	const char *sex;         /* "F", "M", "X"; NULL: X */
	const char *birth_date;  /* "YYYY", "YYYY-MM", "YYYY-MM-DD" or NULL */
	const char *transport;   /* NULL or "": unknown */
};

/* Count one crossing (sign +1) or take it back (-1) in every roll-up, in the caller's transaction. */
enum mmis_err stats_rollup_crossing(struct store *s, const struct stats_crossing_facts *f, int sign,
				    struct mmis_error *err);

/* Many crossings (an import): added up in memory, written with batched upserts when the batch
 * grows large and at stats_rollup_batch_flush. */
struct stats_rollup_batch;
struct stats_rollup_batch *stats_rollup_batch_new(void); /* NULL when out of memory */
enum mmis_err stats_rollup_batch_add(struct stats_rollup_batch *b, struct store *s,
				     const struct stats_crossing_facts *f, struct mmis_error *err);
enum mmis_err stats_rollup_batch_flush(struct stats_rollup_batch *b, struct store *s,
				       struct mmis_error *err);
void stats_rollup_batch_free(struct stats_rollup_batch *b);

/*
 * Take a person's crossings out of the roll-ups (sign -1) or put them back (+1), in the caller's
 * transaction: call with -1 before changing what a person is counted by (nationality, sex, date
 * of birth; merging two persons) and with +1 after, so the roll-ups stay equal to the records.
 */
enum mmis_err stats_rollup_person(struct store *s, const char *person_id, int sign,
				  struct mmis_error *err);

/* Recompute every roll-up from the records (mmis stats rebuild), in one transaction. Needs
 * stats.write. *crossings (may be NULL) receives the crossings counted. */
enum mmis_err stats_rebuild(const struct mmis_ctx *cx, const struct actor *a, int64_t *crossings,
			    struct mmis_error *err);

/* Whether the roll-ups are current (false after an upgrade of a database holding crossings,
 * until stats_rebuild). */
enum mmis_err stats_rollups_current(struct store *s, bool *current, struct mmis_error *err);

/* For benchmarks only: record crossings without keeping the roll-ups (the baseline of the
 * recording cost). A database written so needs stats_rebuild. Process-wide; default on. */
void stats_rollup_set_enabled(bool on);

/* ---- official series and national indicators */

/* The indicators a series file may hold (NULL-terminated): population, immigrants, emigrants,
 * remittances_usd, immigrant_stock, immigrant_stock_female. */
extern const char *const stats_indicator_names[];

struct series_row {
	char country[4];
	char indicator[32];
	char period[16];     /* YYYY, YYYY-Qn or YYYY-MM */
	char value[40];      /* as written (a decimal number) */
	double number;
	char source[201];
	char unit[33];
	int64_t line;
};

/*
 * Parse a series file: the header names the columns indicator, period, value, source, unit (in
 * any order; all required) and optionally country (ISO alpha-3 or ICAO; empty cells take
 * `default_country`, itself "MNE" when NULL). Strict: an unknown indicator, a value that is not a
 * decimal number (or negative, or a population of zero), a period that is not YYYY, YYYY-Qn or
 * YYYY-MM (2024-13), an unknown country, the same country, indicator and period twice, an empty
 * source: each bad line in *errors ({line, field, message}, at most 1000) and MMIS_EINVAL naming
 * the first; nothing returned. *rows is malloc'd (free() it).
 */
enum mmis_err series_parse(FILE *in, const char *default_country, struct series_row **rows,
			   size_t *n, json_t **errors, struct mmis_error *err);

/* Import a series file, all or nothing, replacing values already held for the same country,
 * indicator and period (official figures are revised). Needs stats.write; one audit event. */
enum mmis_err series_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			    const char *name, const char *default_country, int64_t *imported,
			    json_t **errors, struct mmis_error *err);

/* Series held, as a JSON array of {country, indicator, period, value, source, unit,
 * imported_at}, by country, indicator and period; `country` and `indicator` filter when not NULL.
 * Needs stats.read. Not audited: published official figures, no personal data. */
enum mmis_err series_list(const struct mmis_ctx *cx, const struct actor *a, const char *country,
			  const char *indicator, json_t **out, struct mmis_error *err);

/*
 * The national indicators of `year` for `country` (NULL: MNE):
 *   {year, country,
 *    net_migration_rate: {value (one decimal, as published), exact, unit: "per 1000",
 *                         source, period, inputs: {immigrants, emigrants, population}} | null,
 *    women_pct_immigrants: {value, exact, source, period} | null,
 *    remittances_usd: {value, source, period} | null,
 *    immigrants, emigrants, population, immigrant_stock: {value, source, period} | null,
 *    long_term: the 12/16-month estimate from the border records (stats_long_term) or null for
 *               another country}
 * Each is null when an input is missing. Needs stats.read; audited (it reads crossings).
 */
enum mmis_err stats_indicators(const struct mmis_ctx *cx, const struct actor *a, int year,
			       const char *country, json_t **out, struct mmis_error *err);

/* The indicators computed as stats_indicators does, from the annual series of every country held,
 * for the years from..to: a JSON array of {year, country, net_migration_rate, ...} (without the
 * long-term estimate), by country and year, for the regional view. Needs stats.read; not audited
 * (published official figures, no personal data). */
enum mmis_err stats_regional(const struct mmis_ctx *cx, const struct actor *a, int from_year,
			     int to_year, json_t **out, struct mmis_error *err);

/* ---- long-term migration from the border records (12/16-month rule) */

#define STATS_LT_WINDOW_MONTHS 16
#define STATS_LT_MIN_DAYS 365

/* One traveller's crossings in time order, and the long-term arrivals and departures they make
 * (docs/statistics.md, "Long-term migration"). `decided_until` is the last day with data: a
 * crossing whose 16 months are not over by then is decided only when the 12 months are already
 * reached (or can no longer be). Pure: for tests and stats_long_term. */
struct lt_crossing {
	int64_t day; /* days since 1970-01-01 */
	bool exit;
};
struct lt_result {
	int64_t arrivals, departures;   /* long-term, decided */
	int64_t undecided_arrivals, undecided_departures;
};
/* Add to *r the long-term movements of one traveller whose crossing day lies in [from, to]. */
void stats_lt_classify(const struct lt_crossing *x, size_t n, int64_t from, int64_t to,
		       int64_t decided_until, struct lt_result *r);

/* The estimate for a calendar year: {year, travellers (who crossed in the year), arrivals,
 * departures, net, undecided_arrivals,
 * undecided_departures, final (the data reach 16 months past the year's end), as_of, method}.
 * Needs stats.read; audited. */
enum mmis_err stats_long_term(const struct mmis_ctx *cx, const struct actor *a, int year,
			      json_t **out, struct mmis_error *err);

/* ---- trends */

/*
 * Seasonal alerts: for each BCP, the arrivals (entries) of the latest complete month `month`
 * (NULL: the last complete month) against the same month of up to five previous years. The
 * expectation is the median of those years scaled by the BCP's trend (the median ratio of the
 * twelve months before to the same months a year earlier); an alert when the count lies outside
 * the Poisson bounds of the expectation at p < 0.001 (either side) and the robust z-score
 * |x - median| / (1.4826 MAD, at least sqrt(expectation)) is above 3.5. Needs at least two
 * previous years. Answers {month, alerts: [{bcp, name, count, expected, low, high, z, direction:
 * "above"|"below", history: [counts of the previous years]}], checked}; suppressed: a BCP whose
 * count or expectation is below the minimum cell is not reported. Needs stats.read; audited.
 */
enum mmis_err stats_alerts(const struct mmis_ctx *cx, const struct actor *a, const char *month,
			   int deployment_min_cell, json_t **out, struct mmis_error *err);

/* The alert test on its own (pure, for tests): counts of the same month of previous years
 * (oldest first), the trend factor, and this year's count. */
struct stats_alert_test {
	double expected, low, high, z;
	bool alert;
	bool above;
};
void stats_alert_check(const int64_t *history, size_t n, double trend, int64_t count,
		       struct stats_alert_test *out);

/* The deployment's minimum cell: $MMIS_MIN_CELL (STATS_MIN_CELL_FLOOR..STATS_MIN_CELL_MAX), else
 * STATS_MIN_CELL_DEFAULT. MMIS_EINVAL naming MMIS_MIN_CELL when set to anything else. */
enum mmis_err stats_deployment_min_cell(int *out, struct mmis_error *err);

/* ---- demo data (called by demo_seed) */

/* Synthetic official series for Montenegro and its neighbours (ALB, BIH, HRV, MKD, SRB, RKS)
 * for the last ten years, marked as synthetic in their source, and three more years of
 * crossings before the border demo's year (fewer travellers; enough for the trends). */
enum mmis_err stats_demo_seed(const struct mmis_ctx *cx, const struct actor *a, uint64_t seed,
			      const struct date *today, struct mmis_error *err);

#endif
