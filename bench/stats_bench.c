/*
 * stats_bench.c - statistics over many crossings (lib/stats): the question "crossings by month,
 * BCP and nationality over ten years" answered from the roll-ups, beside the same question as a
 * plain SQL GROUP BY over the raw crossings in the same run; and what keeping the roll-ups current
 * costs when recording a crossing and when importing, beside the same work without them.
 *
 * usage: stats_bench DIR [CROSSINGS [RECORDS]]     (CROSSINGS default 10000000, RECORDS 2000)
 *
 * 1. Makes DIR/stats.db with mmis's schema and fills it with the raw sqlite3 API in one
 *    transaction (the indexes made after): CROSSINGS crossings of CROSSINGS/10 travellers over the
 *    ten years 2015-2024, with seasons, 28 BCPs and 60 nationalities of skewed weights, each
 *    nationality crossing mostly at its own border's BCPs (STATS_BENCH_WORST=1: anywhere),
 *    partial dates of birth. Then `stats_rebuild` builds the roll-ups from them (timed).
 * 2. The question, five times each: stats_run (the library call behind `mmis stats flows` and the
 *    API: planner, roll-up read, the cube, margins) without and with disclosure control, and the
 *    roll-up's own SQL; then the raw GROUP BY (crossing JOIN person) twice.
 * 3. Recording: RECORDS crossings with crossing_record on a fresh database, each its own durable
 *    transaction (synchronous=FULL, as `mmis serve` records them), in blocks of 100 alternating
 *    with and without the roll-ups (stats_rollup_set_enabled); then the same in one transaction
 *    (no fsync: the CPU cost alone); and an import of 200,000 crossings over two months (a
 *    period's records of every BCP) with and without, alternating.
 * Prints Markdown tables. STATS_BENCH_REUSE=1 keeps DIR/stats.db of an earlier run (no generation,
 * no rebuild); STATS_BENCH_QUICK=1 leaves out the raw GROUP BY and the recording (to try a change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/date.h"
#include "mmis/stats.h"
#include "mmis/store.h"
#include "mmis/rng.h"

#define YEARS 10
#define FIRST_DAY 16436 /* 2015-01-01 */

static const char *const bcps[] = {
	"MNE-DBR", "MNE-KOB", "MNE-SIT", "MNE-VRA", "MNE-SCP", "MNE-MET", "MNE-SUL", "MNE-KRS",
	"MNE-ILB", "MNE-NUD", "MNE-DOB", "MNE-DRA", "MNE-RAN", "MNE-VUC", "MNE-CEM", "MNE-BPR",
	"MNE-KUL", "MNE-SUK", "MNE-BOZ", "MNE-GRN", "MNE-TZR", "MNE-TGD", "MNE-TIV", "MNE-BAR",
	"MNE-KOT", "MNE-ZEL", "MNE-BUD", "MNE-RIS",
};
static const char *const nats[] = {
	"SRB", "BIH", "RKS", "ALB", "RUS", "TUR", "DEU", "UKR", "ISR", "HRV", "ITA", "CHN", "FRA",
	"GBR", "POL", "USA", "MKD", "SVN", "AUT", "CZE", "NLD", "HUN", "ROU", "BGR", "GRC", "ESP",
	"SWE", "CHE", "BEL", "SVK", "KAZ", "BLR", "IRN", "IND", "JPN", "KOR", "CAN", "AUS", "BRA",
	"ARG", "MEX", "EGY", "MAR", "TUN", "LBN", "JOR", "SYR", "IRQ", "AFG", "PAK", "BGD", "NGA",
	"GEO", "ARM", "AZE", "MDA", "LTU", "LVA", "EST", "NOR",
};
static const char *const transports[] = { "car", "car", "car", "bus", "truck", "aircraft", "vessel",
					  "train", "foot" };
#define N_BCP (sizeof(bcps) / sizeof(bcps[0]))
#define N_NAT (sizeof(nats) / sizeof(nats[0]))

static struct rng rng = { 0x5eed };

static uint64_t rnd(void)
{
	return rng_next(&rng);
}

/* A skewed pick among n: about a quarter on the first, a long tail. */
static size_t skewed(size_t n)
{
	double u = (double)(rnd() >> 11) / 9007199254740992.0;
	size_t k = (size_t)((double)n * u * u * u);
	return k < n ? k : n - 1;
}

/* Where travellers of a nationality cross: their border's BCPs (or the airports and ports for
 * those from afar), 95 % of the time; any BCP otherwise. Without this every nationality would
 * cross everywhere, which no border sees (the worst case is in bench/README.md too). */
static const struct {
	const char *nat, *bcps;
} homes[] = {
	{ "SRB", "MNE-DOB MNE-DRA MNE-RAN MNE-VUC MNE-CEM MNE-BPR MNE-TGD" },
	{ "BIH", "MNE-SIT MNE-VRA MNE-SCP MNE-MET MNE-SUL MNE-KRS MNE-ILB MNE-NUD" },
	{ "RKS", "MNE-KUL MNE-TGD" },
	{ "ALB", "MNE-SUK MNE-BOZ MNE-GRN MNE-TZR" },
	{ "HRV", "MNE-DBR MNE-KOB" },
	{ "MKD", "MNE-KUL MNE-SUK MNE-TGD" },
	{ "SVN", "MNE-DBR MNE-TIV" },
	{ "ITA", "MNE-BAR MNE-KOT MNE-TIV" },
};
#define FAR_BCPS "MNE-TGD MNE-TIV MNE-TIV MNE-DBR MNE-BAR MNE-KOT MNE-ZEL MNE-BUD"
static bool worst_case; /* every nationality everywhere */

/* A BCP for a traveller of `nat`. */
static const char *bcp_for(const char *nat, char buf[17])
{
	const char *list = FAR_BCPS;
	if (worst_case || rnd() % 20 == 0) {
		size_t k = rnd() % 28;
		static const char *const all[] = {
			"MNE-DBR", "MNE-KOB", "MNE-SIT", "MNE-VRA", "MNE-SCP", "MNE-MET", "MNE-SUL",
			"MNE-KRS", "MNE-ILB", "MNE-NUD", "MNE-DOB", "MNE-DRA", "MNE-RAN", "MNE-VUC",
			"MNE-CEM", "MNE-BPR", "MNE-KUL", "MNE-SUK", "MNE-BOZ", "MNE-GRN", "MNE-TZR",
			"MNE-TGD", "MNE-TIV", "MNE-BAR", "MNE-KOT", "MNE-ZEL", "MNE-BUD", "MNE-RIS",
		};
		return worst_case ? bcps[skewed(28)] : all[k];
	}
	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++)
		if (!strcmp(homes[i].nat, nat))
			list = homes[i].bcps;
	size_t words = 1, k;
	for (const char *q = list; *q; q++)
		words += *q == ' ';
	k = rnd() % words;
	while (k-- > 0)
		list = strchr(list, ' ') + 1;
	size_t len = strcspn(list, " ");
	memcpy(buf, list, len);
	buf[len] = '\0';
	return buf;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "stats_bench: %s: %s\n", what, msg);
	exit(1);
}

static void sql(sqlite3 *db, const char *q)
{
	char *e = NULL;
	if (sqlite3_exec(db, q, NULL, NULL, &e) != SQLITE_OK)
		die(q, e ? e : "failed");
}

/* A day of the ten years, more in summer. */
static int64_t season_day(void)
{
	for (;;) {
		int64_t d = FIRST_DAY + (int64_t)(rnd() % (365 * YEARS + 2));
		struct date x;
		date_from_days(d, &x);
		int w = x.month >= 6 && x.month <= 9 ? 10 : x.month == 12 || x.month == 1 ? 5 : 3;
		if ((int)(rnd() % 10) < w)
			return d;
	}
}

static void fill(const char *path, long crossings)
{
	sqlite3 *db;
	sqlite3_stmt *p, *d, *c;
	long persons = crossings / 10 > 0 ? crossings / 10 : 1;
	char id[32], pid[32], did[32], at[TIMESTAMP_STR_MAX], birth[16], num[32];

	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000");
	sql(db, "DROP INDEX crossing_person_at; DROP INDEX crossing_bcp_at; DROP INDEX crossing_at; "
		"DROP INDEX crossing_agency");
	sql(db, "BEGIN");
	if (sqlite3_prepare_v2(db, "INSERT INTO person (id, surname, given_names, sex, birth_date, "
			       "nationality, created_at) VALUES (?, 'BENCH', 'TRAVELLER', ?, ?, ?, "
			       "'2025-01-01T00:00:00.000Z')", -1, &p, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO travel_document (id, person_id, doc_type, "
			       "issuing_state, number, created_at) VALUES (?, ?, 'P', ?, ?, "
			       "'2025-01-01T00:00:00.000Z')", -1, &d, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO crossing (id, person_id, document_id, bcp_code, "
			       "direction, at, transport, flags, created_at) VALUES (?, ?, ?, ?, ?, ?, "
			       "?, '', '2025-01-01T00:00:00.000Z')", -1, &c, NULL))
		die("prepare", sqlite3_errmsg(db));
	unsigned char *nat_of = malloc((size_t)persons);
	if (!nat_of)
		die("memory", "out of memory");
	for (long i = 0; i < persons; i++) {
		size_t ni = skewed(N_NAT);
		const char *nat = nats[ni];
		nat_of[i] = (unsigned char)ni;
		int y = 1940 + (int)(rnd() % 75);
		switch (rnd() % 10) {
		case 0:
			snprintf(birth, sizeof(birth), "%04d", y);
			break;
		case 1:
			snprintf(birth, sizeof(birth), "%04d-%02d", y, 1 + (int)(rnd() % 12));
			break;
		default:
			snprintf(birth, sizeof(birth), "%04d-%02d-%02d", y, 1 + (int)(rnd() % 12),
				 1 + (int)(rnd() % 28));
		}
		snprintf(pid, sizeof(pid), "p%09ld", i);
		snprintf(did, sizeof(did), "d%09ld", i);
		snprintf(num, sizeof(num), "N%09ld", i);
		sqlite3_bind_text(p, 1, pid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(p, 2, rnd() % 2 ? "F" : "M", -1, SQLITE_STATIC);
		sqlite3_bind_text(p, 3, birth, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(p, 4, nat, -1, SQLITE_STATIC);
		if (sqlite3_step(p) != SQLITE_DONE)
			die("person", sqlite3_errmsg(db));
		sqlite3_reset(p);
		sqlite3_bind_text(d, 1, did, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(d, 2, pid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(d, 3, nat, -1, SQLITE_STATIC);
		sqlite3_bind_text(d, 4, num, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(d) != SQLITE_DONE)
			die("document", sqlite3_errmsg(db));
		sqlite3_reset(d);
	}
	for (long i = 0; i < crossings; i++) {
		long who = (long)(rnd() % (uint64_t)persons);
		snprintf(id, sizeof(id), "c%010ld", i);
		snprintf(pid, sizeof(pid), "p%09ld", who);
		snprintf(did, sizeof(did), "d%09ld", who);
		timestamp_format(season_day() * 86400000LL + (int64_t)(rnd() % 86400000), at);
		sqlite3_bind_text(c, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 2, pid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 3, did, -1, SQLITE_TRANSIENT);
		char bbuf[17];
		sqlite3_bind_text(c, 4, bcp_for(nats[nat_of[who]], bbuf), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 5, rnd() % 2 ? "exit" : "entry", -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 6, at, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c, 7, transports[rnd() % 9], -1, SQLITE_STATIC);
		if (sqlite3_step(c) != SQLITE_DONE)
			die("crossing", sqlite3_errmsg(db));
		sqlite3_reset(c);
	}
	free(nat_of);
	sqlite3_finalize(p);
	sqlite3_finalize(d);
	sqlite3_finalize(c);
	sql(db, "COMMIT");
	sql(db, "CREATE INDEX crossing_person_at ON crossing (person_id, at); "
		"CREATE INDEX crossing_bcp_at ON crossing (bcp_code, at); "
		"CREATE INDEX crossing_at ON crossing (at); "
		"CREATE INDEX crossing_agency ON crossing (agency_id); ANALYZE");
	sqlite3_close(db);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long long count_rows(struct store *s, const char *q)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	long long n = -1;
	if (store_prepare(s, q, &st, &err))
		die(q, err.message);
	if (!store_step(st, &row, &err) && row)
		n = store_column_int64(st, 0);
	store_finalize(st);
	return n;
}

/* Step through a query's rows; their number. */
static long long drain(struct store *s, const char *q, const char *a, const char *b)
{
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	long long n = 0;
	enum mmis_err rc;
	if (store_prepare(s, q, &st, &err))
		die(q, err.message);
	store_bind_text(st, 1, a);
	store_bind_text(st, 2, b);
	while (!(rc = store_step(st, &row, &err)) && row)
		n++;
	if (rc)
		die(q, err.message);
	store_finalize(st);
	return n;
}

static void query_bench(const char *dir, long crossings)
{
	struct mmis_error err;
	struct store *s;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
	char path[4096];
	double t0, t1, runs[5];
	int64_t counted = 0;

	snprintf(path, sizeof(path), "%s/stats.db", dir);
	/* STATS_BENCH_REUSE=1: the database of an earlier run (to try a change of the queries) */
	bool reuse = getenv("STATS_BENCH_REUSE") && *getenv("STATS_BENCH_REUSE") && !access(path, R_OK);
	double t_fill = 0;
	if (!reuse) {
		unlink(path);
		if (store_init(path, &s, NULL, NULL, &err))
			die(path, err.message);
		store_close(s);
		t0 = now_s();
		fill(path, crossings);
		t1 = now_s();
		t_fill = t1 - t0;
	}
	if (store_open(path, 0, &s, &err))
		die(path, err.message);
	randombytes_buf(key.bytes, sizeof(key.bytes));
	cx.store = s;
	cx.audit_key = &key;
	actor_system(&sys);
	t0 = now_s();
	if (!reuse && stats_rebuild(&cx, &sys, &counted, &err))
		die("stats_rebuild", err.message);
	double t_rebuild = now_s() - t0;
	bool quick = getenv("STATS_BENCH_QUICK") && *getenv("STATS_BENCH_QUICK");
	long long month_rows = count_rows(s, "SELECT COUNT(*) FROM stats_crossing_month");
	long long person_rows = count_rows(s, "SELECT COUNT(*) FROM stats_crossing_month_person");

	struct stats_query q;
	if (stats_query_parse(&q, "crossings", "month,bcp,nationality", "2015-01-01", "2024-12-31",
			      NULL, "0", "json", false, &err))
		die("query", err.message);
	struct stats_table *t = NULL;
	size_t cells = 0, sup = 0;
	double med_run, med_sdc, med_sql, med_raw;
	for (int i = 0; i < 5; i++) {
		t0 = now_s();
		if (stats_run(&cx, &sys, &q, 5, &t, &err))
			die("stats_run", err.message);
		runs[i] = now_s() - t0;
		cells = stats_table_rows(t);
		stats_table_free(t);
	}
	med_run = median(runs, 5);
	q.min_cell = -1;
	q.totals = true;
	for (int i = 0; i < 5; i++) {
		t0 = now_s();
		if (stats_run(&cx, &sys, &q, 5, &t, &err))
			die("stats_run", err.message);
		runs[i] = now_s() - t0;
		sup = stats_table_suppressed(t, NULL);
		stats_table_free(t);
	}
	med_sdc = median(runs, 5);
	long long n_sql = 0;
	for (int i = 0; i < 5; i++) {
		t0 = now_s();
		n_sql = drain(s, "SELECT period, bcp, nationality, SUM(n) FROM stats_crossing_month "
				 "WHERE period >= ? AND period <= ? GROUP BY 1, 2, 3", "2015-01", "2024-12");
		runs[i] = now_s() - t0;
	}
	med_sql = median(runs, 5);
	long long n_raw = n_sql;
	for (int i = 0; i < 2 && !quick; i++) {
		t0 = now_s();
		n_raw = drain(s, "SELECT substr(c.at, 1, 7), c.bcp_code, p.nationality, COUNT(*) FROM "
				 "crossing c JOIN person p ON p.id = c.person_id WHERE c.at >= ? AND "
				 "c.at < ? GROUP BY 1, 2, 3", "2015-01-01T00:00:00.000Z",
			      "2025-01-01T00:00:00.000Z");
		runs[i] = now_s() - t0;
	}
	med_raw = (runs[0] + runs[1]) / 2;
	if (n_raw != n_sql || (long long)cells != n_sql)
		fprintf(stderr, "stats_bench: the answers differ: raw %lld rows, roll-up %lld, table %zu\n",
			n_raw, n_sql, cells);
	store_close(s);

	printf("Data: %ld crossings of %ld travellers over 2015-2024, %s (%lld counted by the "
	       "rebuild); generated in %.1f s with the raw sqlite3 API, roll-ups rebuilt in %.1f s.\n\n",
	       crossings, crossings / 10, worst_case ? "every nationality at every BCP (worst case)" :
	       "each nationality mostly at its own border's BCPs", (long long)counted, t_fill, t_rebuild);
	printf("| roll-up | rows | crossings per row |\n| --- | ---: | ---: |\n");
	printf("| stats_crossing_month (month, BCP, direction, nationality) | %lld | %.0f |\n",
	       month_rows, (double)crossings / (double)month_rows);
	printf("| stats_crossing_month_person (month, direction, nationality, sex, age band) | %lld | %.0f |\n\n",
	       person_rows, (double)crossings / (double)person_rows);
	printf("Monthly crossings by BCP x nationality, ten years (%lld cells):\n\n", n_sql);
	printf("| how | time (ms, median) | ratio to the raw GROUP BY |\n| --- | ---: | ---: |\n");
	printf("| raw SQL GROUP BY over crossing JOIN person (2 runs) | %.0f | baseline |\n", med_raw * 1e3);
	printf("| the roll-up's SQL alone (5 runs) | %.1f | %.0fx faster |\n", med_sql * 1e3, med_raw / med_sql);
	printf("| stats_run, no suppression (the table as the system asks it) | %.1f | %.0fx faster |\n",
	       med_run * 1e3, med_raw / med_run);
	printf("| stats_run, K = 5 with margins (what an analyst gets; %zu cells hidden) | %.1f | %.0fx faster |\n\n",
	       sup, med_sdc * 1e3, med_raw / med_sdc);
}

/* ---- recording */

static void record_some(struct mmis_ctx *cx, struct actor *a, int n, long *serial, double *secs)
{
	struct mmis_error err;
	char num[24];
	for (int i = 0; i < n; i++) {
		struct crossing_in in = { 0 };
		json_t *out = NULL;
		snprintf(num, sizeof(num), "R%010ld", (*serial)++);
		in.document_type = "P";
		in.issuing_state = nats[skewed(N_NAT)];
		in.nationality = in.issuing_state;
		in.document_number = num;
		in.surname = "BENCH";
		in.sex = rnd() % 2 ? 'F' : 'M';
		in.birth_date = (struct date){ 1950 + (int)(rnd() % 60), 1 + (int)(rnd() % 12), 1 + (int)(rnd() % 28), DATE_DAY };
		in.birth_known = true;
		in.bcp = bcps[skewed(N_BCP)];
		in.direction = CROSSING_ENTRY;
		in.transport = "car";
		in.at_ms = timestamp_now() - (int64_t)(rnd() % 86400000LL);
		double t0 = now_s();
		if (crossing_record(cx, a, &in, &out, &err))
			die("crossing_record", err.message);
		*secs += now_s() - t0;
		json_decref(out);
	}
}

static void record_bench(const char *dir, int records)
{
	struct mmis_error err;
	struct store *s;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
	char path[4096];
	long serial = 0;
	double with = 0, without = 0;
	int block = 100;

	snprintf(path, sizeof(path), "%s/record.db", dir);
	unlink(path);
	if (store_init(path, &s, NULL, NULL, &err))
		die(path, err.message);
	randombytes_buf(key.bytes, sizeof(key.bytes));
	cx.store = s;
	cx.audit_key = &key;
	actor_system(&sys);
	/* warm up */
	record_some(&cx, &sys, 50, &serial, &with);
	with = 0;
	for (int done = 0; done < records; done += 2 * block) {
		stats_rollup_set_enabled(false);
		record_some(&cx, &sys, block, &serial, &without);
		stats_rollup_set_enabled(true);
		record_some(&cx, &sys, block, &serial, &with);
	}
	int per = (records + 2 * block - 1) / (2 * block) * block;
	/* the same in one transaction: no fsync, the CPU cost alone */
	double with_tx = 0, without_tx = 0;
	int tx_n = records * 5;
	for (int r = 0; r < 2; r++) {
		if (store_begin(s, &err))
			die("begin", err.message);
		stats_rollup_set_enabled(r == 1);
		record_some(&cx, &sys, tx_n / 2, &serial, r ? &with_tx : &without_tx);
		stats_rollup_set_enabled(true);
		if (store_commit(s, &err))
			die("commit", err.message);
	}
	for (int r = 0; r < 2; r++) {
		if (store_begin(s, &err))
			die("begin", err.message);
		stats_rollup_set_enabled(r == 0);
		record_some(&cx, &sys, tx_n / 2, &serial, r == 0 ? &with_tx : &without_tx);
		stats_rollup_set_enabled(true);
		if (store_commit(s, &err))
			die("commit", err.message);
	}
	store_close(s);

	/* an import of 200,000 crossings, with and without */
	double imp[2] = { 0, 0 };
	for (int r = 0; r < 4; r++) {
		char csv[4096], db[4096];
		struct crossing_import_result res;
		snprintf(csv, sizeof(csv), "%s/imp.csv", dir);
		snprintf(db, sizeof(db), "%s/imp%d.db", dir, r);
		FILE *f = fopen(csv, "w");
		if (!f)
			die(csv, "cannot write");
		fputs("time,bcp,direction,document_type,issuing_state,document_number,surname,sex,"
		      "birth_date,nationality,transport\n", f);
		for (long i = 0; i < 200000; i++) {
			char at[TIMESTAMP_STR_MAX];
			/* two months of all BCPs' records, as an import of a period's records is */
			timestamp_format((FIRST_DAY + i % 60) * 86400000LL + (i * 997) % 86400000LL, at);
			const char *nat = nats[skewed(N_NAT)];
			fprintf(f, "%s,%s,%s,P,%s,I%08ld,BENCH,%c,19%02ld-%02ld-%02ld,%s,car\n", at,
				bcps[skewed(N_BCP)], i % 2 ? "exit" : "entry", nat, i / 2,
				i % 3 ? 'F' : 'M', 40 + i % 50, 1 + i % 12, 1 + i % 28, nat);
		}
		fclose(f);
		unlink(db);
		if (store_init(db, &s, NULL, NULL, &err))
			die(db, err.message);
		cx.store = s;
		bool on = r % 2 == 0;
		stats_rollup_set_enabled(on);
		f = fopen(csv, "r");
		double t0 = now_s();
		if (crossing_import(&cx, &sys, f, "bench", NULL, NULL, &res, &err))
			die("import", err.message);
		imp[on ? 1 : 0] += now_s() - t0;
		json_decref(res.errors);
		fclose(f);
		stats_rollup_set_enabled(true);
		store_close(s);
		unlink(db);
	}
	printf("Recording crossings (crossing_record: the document, person, crossing, stay status and "
	       "audit event), new travellers, blocks of %d alternating:\n\n", block);
	printf("| what | crossings | without roll-ups (µs each) | with roll-ups (µs each) | ratio |\n"
	       "| --- | ---: | ---: | ---: | ---: |\n");
	printf("| one durable transaction each (synchronous=FULL) | %d + %d | %.0f | %.0f | %.3f |\n", per,
	       per, without / per * 1e6, with / per * 1e6, with / without);
	printf("| all in one transaction (the CPU cost, no fsync) | %d + %d | %.0f | %.0f | %.3f |\n", tx_n,
	       tx_n, without_tx / tx_n * 1e6, with_tx / tx_n * 1e6, with_tx / without_tx);
	printf("| crossing_import of 200,000 rows over two months (two runs each) | 400000 + 400000 | %.1f s | %.1f s | %.3f |\n",
	       imp[0], imp[1], imp[1] / imp[0]);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: stats_bench DIR [CROSSINGS [RECORDS]]\n");
		return 2;
	}
	long crossings = argc > 2 ? atol(argv[2]) : 10000000;
	worst_case = getenv("STATS_BENCH_WORST") && *getenv("STATS_BENCH_WORST");
	int records = argc > 3 ? atoi(argv[3]) : 2000;
	if (sodium_init() < 0)
		die("sodium", "cannot start");
	query_bench(argv[1], crossings);
	if (!getenv("STATS_BENCH_QUICK") || !*getenv("STATS_BENCH_QUICK"))
		record_bench(argv[1], records);
	return 0;
}
