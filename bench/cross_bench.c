/*
 * cross_bench.c - how fast `mmis cross import` (crossing_import) brings in crossings, beside
 * SQLite's own insert rate for rows of the same shape and indexes, measured in the same run.
 *
 * usage: cross_bench DIR [ROWS [POSTGRES_URL]]     (ROWS default 1000000)
 *        cross_bench --raw-durable DIR [ROWS]       (SQLite, one durable commit per row: the
 *                                                    baseline for bench/http_cross_bench.sh)
 *
 * Writes DIR/crossings.csv (ROWS crossings of ROWS/10 travellers, in time order, entries and
 * exits alternating per traveller), imports it into a new SQLite database in DIR (and into the
 * PostgreSQL database at POSTGRES_URL when given), and inserts the same number of rows into a
 * table shaped like `crossing` with the raw sqlite3 API in one transaction. Prints a Markdown
 * table.
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
#include "mmis/store.h"
#include "mmis/uuid.h"

static const char *const bcps[] = {
	"MNE-DBR", "MNE-DOB", "MNE-KUL", "MNE-SUK", "MNE-TGD", "MNE-TIV", "MNE-SIT", "MNE-BAR",
};
static const char *const states[] = { "SRB", "BIH", "RKS", "ALB", "RUS", "TUR", "DEU", "UKR" };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "cross_bench: %s: %s\n", what, msg);
	exit(1);
}

static void write_csv(const char *path, long rows)
{
	FILE *f = fopen(path, "w");
	long persons = rows / 10 > 0 ? rows / 10 : 1;
	char at[TIMESTAMP_STR_MAX];

	if (!f)
		die(path, "cannot write");
	fputs("time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,"
	      "sex,birth_date,nationality,expiry_date,transport,purpose\n", f);
	for (long i = 0; i < rows; i++) {
		long p = i % persons, k = i / persons;
		timestamp_format(1700000000000LL + i * 20000LL, at);
		fprintf(f, "%s,%s,%s,P,%s,B%08ld,Surname%ld,Given,%c,19%02ld-%02ld-%02ld,%s,2035-01-01,car,"
			"tourism\n", at, bcps[p % 8], k % 2 ? "exit" : "entry", states[p % 8], p, p,
			p % 2 ? 'F' : 'M', 40 + p % 50, 1 + p % 12, 1 + p % 28, states[p % 8]);
	}
	if (fclose(f))
		die(path, "cannot write");
}

static double import_rate(const char *url, const char *csv, long rows, long *flagged)
{
	struct mmis_error err;
	struct store *s;
	struct audit_key key;
	struct actor sys;
	struct crossing_import_result res;
	FILE *in;
	double t0, t1;

	if (store_init(url, &s, NULL, NULL, &err))
		die(url, mmis_error_text(&err));
	randombytes_buf(key.bytes, sizeof(key.bytes));
	actor_system(&sys);
	struct mmis_ctx cx = { .store = s, .audit_key = &key };
	if (!(in = fopen(csv, "r")))
		die(csv, "cannot read");
	t0 = now_s();
	if (crossing_import(&cx, &sys, in, csv, NULL, NULL, &res, &err))
		die("import", mmis_error_text(&err));
	t1 = now_s();
	fclose(in);
	json_decref(res.errors);
	if (res.imported != rows)
		die("import", "not every row was imported");
	*flagged = (long)res.flagged;
	store_close(s);
	return (double)rows / (t1 - t0);
}

static void sq(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(sql, msg ? msg : "failed");
}

/* Rows per second into a crossing-shaped table with the same indexes, raw sqlite3 API. */
static double raw_rate(const char *path, long rows, bool durable_each)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char id[UUID_STR_MAX], person[UUID_STR_MAX], doc[UUID_STR_MAX], at[TIMESTAMP_STR_MAX];
	double t0, t1;

	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	sq(db, "PRAGMA journal_mode = WAL");
	sq(db, "PRAGMA synchronous = FULL");
	sq(db, "CREATE TABLE crossing (id TEXT PRIMARY KEY, person_id TEXT NOT NULL, document_id TEXT "
	       "NOT NULL, bcp_code TEXT NOT NULL, direction TEXT NOT NULL, at TEXT NOT NULL, transport "
	       "TEXT, purpose TEXT, flags TEXT NOT NULL DEFAULT '', officer_id TEXT, agency_id TEXT, "
	       "import_id TEXT, created_at TEXT NOT NULL)");
	sq(db, "CREATE INDEX crossing_person_at ON crossing (person_id, at)");
	sq(db, "CREATE INDEX crossing_bcp_at ON crossing (bcp_code, at)");
	sq(db, "CREATE INDEX crossing_at ON crossing (at)");
	sq(db, "CREATE INDEX crossing_agency ON crossing (agency_id)");
	if (sqlite3_prepare_v2(db, "INSERT INTO crossing (id, person_id, document_id, bcp_code, "
			       "direction, at, transport, purpose, flags, created_at) VALUES "
			       "(?, ?, ?, ?, ?, ?, 'car', 'tourism', '', ?)", -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	t0 = now_s();
	if (!durable_each)
		sq(db, "BEGIN");
	for (long i = 0; i < rows; i++) {
		uuid7_new_str(id);
		uuid7_new_str(person);
		uuid7_new_str(doc);
		timestamp_format(1700000000000LL + i * 20000LL, at);
		if (durable_each)
			sq(db, "BEGIN IMMEDIATE");
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, person, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, doc, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, bcps[i % 8], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, i % 2 ? "exit" : "entry", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, at, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, at, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(st);
		if (durable_each)
			sq(db, "COMMIT");
	}
	if (!durable_each)
		sq(db, "COMMIT");
	t1 = now_s();
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink(path);
	return (double)rows / (t1 - t0);
}

int main(int argc, char **argv)
{
	char csv[4096], db[4096], raw[4096];
	long rows = 1000000, flagged = 0;

	if (sodium_init() < 0)
		die("libsodium", "cannot initialise");
	if (argc >= 3 && !strcmp(argv[1], "--raw-durable")) {
		rows = argc > 3 ? atol(argv[3]) : 2000;
		snprintf(raw, sizeof(raw), "%s/raw-durable.db", argv[2]);
		printf("%.0f\n", raw_rate(raw, rows, true));
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: cross_bench DIR [ROWS [POSTGRES_URL]]\n"
				"       cross_bench --raw-durable DIR [ROWS]\n");
		return 2;
	}
	if (argc > 2)
		rows = atol(argv[2]);
	if (rows < 10)
		die("ROWS", "at least 10");
	snprintf(csv, sizeof(csv), "%s/crossings.csv", argv[1]);
	snprintf(db, sizeof(db), "%s/cross-bench.db", argv[1]);
	snprintf(raw, sizeof(raw), "%s/raw.db", argv[1]);
	unlink(db);
	double t0 = now_s();
	write_csv(csv, rows);
	double gen = now_s() - t0;
	double raw_r = raw_rate(raw, rows, false);
	double imp_r = import_rate(db, csv, rows, &flagged);
	printf("%ld crossings of %ld travellers (CSV written in %.1f s); %ld exits flagged.\n\n", rows,
	       rows / 10, gen, flagged);
	printf("| insert | rows | rows/s | seconds | ratio to raw SQLite |\n");
	printf("| --- | ---: | ---: | ---: | ---: |\n");
	printf("| raw sqlite3 API, crossing-shaped rows, same indexes, one transaction | %ld | %.0f | "
	       "%.1f | baseline |\n", rows, raw_r, (double)rows / raw_r);
	printf("| mmis cross import, SQLite (parse, validate, persons, documents, flags, audit) | %ld | "
	       "%.0f | %.1f | %.2f |\n", rows, imp_r, (double)rows / imp_r, imp_r / raw_r);
	if (argc > 3) {
		double pg = import_rate(argv[3], csv, rows, &flagged);
		printf("| mmis cross import, PostgreSQL | %ld | %.0f | %.1f | %.2f |\n", rows, pg,
		       (double)rows / pg, pg / raw_r);
	}
	unlink(csv);
	unlink(db);
	return 0;
}
