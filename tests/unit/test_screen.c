/*
 * test_screen.c - alert lists and screening (lib/screen): the imports (native CSV and
 * OpenSanctions; every bad line named; all or nothing; atomic replacement; permissions), the
 * screening service (search across scripts, documents, validity dates, a rebuild noticed through
 * the generation), queries and their bad input, crossings screened with their hits saved, the
 * officer's decisions and the dismissed pair not raised again. Runs on SQLite and PostgreSQL
 * (MMIS_TEST_BACKEND, see testdb.h); every test ends by verifying the audit chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/border.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/screen.h"
#include "testdb.h"


struct fx {
	struct store *s;
	const char *url;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mmis_error err;

	assert_non_null(f);
	f->s = testdb_open_ctx(&f->cx, &f->key, &f->sys, &f->url);
	OK(screen_new(f->url, &f->cx.screen, &err));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	screen_free(f->cx.screen);
	testdb_close_verified(f->s, &f->key);
	free(f);
	return 0;
}

static long long count(struct fx *f, const char *sql)
{
	return testdb_int(f->s, sql);
}

static void make_actor(struct fx *f, const char *name, const char *role, const char *agency,
		       struct actor *out)
{
	testdb_actor(&f->cx, &f->sys, name, role, agency, "police", out);
}

/* Import `text` as list `name`; the result's errors are kept in *errors when not NULL. */
static enum mmis_err import(struct fx *f, const struct actor *a, const char *text,
			    const char *name, const char *format, const char *action,
			    struct watchlist_import_result *res, struct mmis_error *err)
{
	struct watchlist_meta m = { .name = name, .format = format, .action = action };
	FILE *in = strlen(text) ? fmemopen((void *)text, strlen(text), "r") : fopen("/dev/null", "r");
	enum mmis_err rc;

	assert_non_null(in);
	rc = watchlist_import(&f->cx, a, in, "test.csv", &m, NULL, NULL, res, err);
	fclose(in);
	return rc;
}

static void import_ok(struct fx *f, const char *text, const char *name, const char *action)
{
	struct watchlist_import_result res;
	struct mmis_error err;
	OK(import(f, &f->sys, text, name, NULL, action, &res, &err));
	json_decref(res.errors);
}

/* The line and field of bad line i of an import's errors. */
static void assert_line(const json_t *errors, size_t i, long long line, const char *field)
{
	const json_t *e = json_array_get(errors, i);
	const char *fld = json_string_value(json_object_get(e, "field"));
	if (!e)
		fail_msg("no error %zu", i);
	if (json_integer_value(json_object_get(e, "line")) != line || !fld || strcmp(fld, field))
		fail_msg("error %zu: line %lld field %s (%s), expected line %lld field %s", i,
			 (long long)json_integer_value(json_object_get(e, "line")), fld ? fld : "-",
			 json_string_value(json_object_get(e, "message")), line, field);
}

/* Screen one query object (JSON text); the hits array of the result (new reference). */
static json_t *screen1(struct fx *f, const struct actor *a, const char *query, double threshold)
{
	struct mmis_error err;
	struct screen_query q;
	json_t *obj, *out = NULL, *hits;

	OK(mjson_parse_object(query, strlen(query), &obj, &err));
	OK(screen_query_read(obj, NULL, &q, &err));
	OK(screen_queries(&f->cx, a, &q, 1, threshold, 10, &out, &err));
	hits = json_incref(json_object_get(json_array_get(out, 0), "hits"));
	json_decref(out);
	json_decref(obj);
	return hits;
}

static const char *hit_entry(const json_t *hits, size_t i)
{
	return json_string_value(json_object_get(json_array_get(hits, i), "entry_id"));
}

static const char alerts[] =
	"id,name,aliases,birth_date,nationality,document_number\n"
	"NA-1,Мухамед Абдулах,\"Muhammad Abdullah; محمد عبد الله\",1984-06-15,JOR,\n"
	"NA-2,Radomir Vukašinović,,1969-02-11,SRB;D,X-123 456\n"
	"NA-3,\"Kastrati, Elvira\",,1991,ALB;RKS,\n";

/* ---- imports */

static void test_import_native(void **state)
{
	struct fx *f = *state;
	struct watchlist_import_result res;
	struct mmis_error err;
	json_t *lists;

	OK(import(f, &f->sys, alerts, "national", NULL, "refuse_entry", &res, &err));
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.lines, 3);
	assert_int_equal(res.generation, 1);
	assert_int_equal(json_array_size(res.errors), 0);
	json_decref(res.errors);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE external_id = 'NA-1' "
			       "AND birth_dates = '[\"1984-06-15\"]' AND nationalities = '[\"JOR\"]'"), 1);
	/* Several values, Germany's D as DEU, documents normalised, a comma inside quotes. */
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE external_id = 'NA-2' "
			       "AND nationalities = '[\"SRB\",\"DEU\"]' AND documents = '[\"X123456\"]'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE external_id = 'NA-3' "
			       "AND name = 'Kastrati, Elvira' AND birth_dates = '[\"1991\"]'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE external_id = 'NA-1' "
			       "AND aliases LIKE '[\"Muhammad Abdullah\",%'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist WHERE name = 'national' AND "
			       "action = 'refuse_entry' AND category = 'other' AND format = 'csv' AND "
			       "entry_count = 3 AND generation = 1 AND source = 'test.csv'"), 1);
	assert_int_equal(count(f, "SELECT generation FROM watchlist_state"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'watchlist.import' AND outcome = 'ok'"), 1);
	OK(watchlist_list(&f->cx, &f->sys, &lists, &err));
	assert_int_equal(json_array_size(lists), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(lists, 0), "name")),
			    "national");
	json_decref(lists);

	/* Columns in another order, without a name column: a list of documents. */
	OK(import(f, &f->sys, "document_number,id\nAB 123,L1\nZX-9,L2\n", "lost", NULL, NULL, &res,
		  &err));
	assert_int_equal(res.imported, 2);
	json_decref(res.errors);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE name IS NULL AND "
			       "documents = '[\"AB123\"]'"), 1);
	assert_int_equal(count(f, "SELECT generation FROM watchlist_state"), 2);
}

static void test_import_bad_lines(void **state)
{
	struct fx *f = *state;
	struct watchlist_import_result res;
	struct mmis_error err;
	char *text;
	size_t len;
	FILE *mem = open_memstream(&text, &len);

	/* Line numbers count the header as line 1. */
	fputs("id,name,aliases,birth_date,nationality,document_number\n", mem);
	fputs("G1,Good Name,,,,\n", mem);                  /* 2: fine */
	fputs("B1,,,,,\n", mem);                            /* 3: no name, no document */
	fputs("B2,\"?!. -\",,,,\n", mem);                   /* 4: punctuation only */
	fputs("B3,", mem);                                  /* 5: a 10 kB name */
	for (int i = 0; i < 10240; i++)
		fputc('a', mem);
	fputs(",,,,\n", mem);
	fputs("B4,Bad \xff\xfe UTF-8,,,,\n", mem);          /* 6: invalid UTF-8 */
	fputs("B5,Fine Name,,1984-13-01,,\n", mem);         /* 7: month 13 */
	fputs("B6,Fine Name,,,ZZZ,\n", mem);                /* 8: no such country */
	fputs("B7,Fine Name,,,,AB$12\n", mem);              /* 9: not a document number */
	fputs("G1,Same Id,,,,\n", mem);                     /* 10: the id of line 2 */
	fputs("B8,Fine Name,\"ok alias;;...\",,,\n", mem); /* 11: an alias of punctuation */
	fputs(",No Id,,,,\n", mem);                         /* 12: no id */
	fclose(mem);
	assert_int_equal(import(f, &f->sys, text, "bad", NULL, NULL, &res, &err), MMIS_EINVAL);
	free(text);
	assert_int_equal(res.imported, 0);
	assert_int_equal(json_array_size(res.errors), 10);
	assert_line(res.errors, 0, 3, "name");
	assert_line(res.errors, 1, 4, "name");
	assert_line(res.errors, 2, 5, "name");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(res.errors, 2),
								 "message")), "1024"));
	assert_line(res.errors, 3, 6, "name");
	assert_line(res.errors, 4, 7, "birth_date");
	assert_line(res.errors, 5, 8, "nationality");
	assert_line(res.errors, 6, 9, "document_number");
	assert_line(res.errors, 7, 10, "id");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(res.errors, 7),
								 "message")), "line 2"));
	assert_line(res.errors, 8, 11, "aliases");
	assert_line(res.errors, 9, 12, "id");
	json_decref(res.errors);
	assert_non_null(strstr(err.message, "10 bad lines, nothing imported; line 3"));
	/* Nothing half-imported: no list, no entry, the generation unchanged; audited as failed. */
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry"), 0);
	assert_int_equal(count(f, "SELECT generation FROM watchlist_state"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'watchlist.import' AND outcome = 'failed'"), 1);
}

static void test_import_header_and_meta(void **state)
{
	struct fx *f = *state;
	struct watchlist_import_result res;
	struct mmis_error err;
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "name,birth_date\nIvan Petrov,1980\n", "line 1: the file has no id column" },
		{ "", "line 1: the file is empty" },
		{ "id,name,colour\nA,B,red\n", "line 1: unknown column 'colour'" },
		{ "id,name,name\nA,B,C\n", "line 1: column 'name' twice" },
		{ "id,aliases\nA,B\n", "needs a name or a document_number column" },
		{ "id,\"name\nA,B\n", "line 1: the header" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(import(f, &f->sys, bad[i].text, "h", NULL, NULL, &res, &err),
				 MMIS_EINVAL);
		json_decref(res.errors);
		if (!strstr(err.message, bad[i].want))
			fail_msg("%zu: '%s' does not say '%s'", i, err.message, bad[i].want);
	}
	assert_int_equal(import(f, &f->sys, alerts, "bad name!", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	json_decref(res.errors);
	assert_string_equal(err.field, "name");
	assert_int_equal(import(f, &f->sys, alerts, "x", "xml", NULL, &res, &err), MMIS_EINVAL);
	json_decref(res.errors);
	assert_string_equal(err.field, "format");
	assert_int_equal(import(f, &f->sys, alerts, "x", NULL, "shoot", &res, &err), MMIS_EINVAL);
	json_decref(res.errors);
	assert_string_equal(err.field, "action");
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist"), 0);
}

static void test_import_replace(void **state)
{
	struct fx *f = *state;
	struct watchlist_import_result res;
	struct mmis_error err;

	import_ok(f, alerts, "national", "refuse_entry");
	/* Re-imported with two entries, one new: the list is what the file says, generation 2;
	 * the action given before stays when none is given. */
	OK(import(f, &f->sys, "id,name\nNA-1,Mohamed Abdalla\nNA-9,New Person\n", "national", NULL,
		  NULL, &res, &err));
	assert_int_equal(res.generation, 2);
	json_decref(res.errors);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE external_id = 'NA-9'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist WHERE entry_count = 2 AND "
			       "generation = 2 AND action = 'refuse_entry'"), 1);
	/* A bad file leaves the list as it was. */
	assert_int_equal(import(f, &f->sys, "id,name\nNA-1,Fine\nNA-2,...\n", "national", NULL,
				NULL, &res, &err), MMIS_EINVAL);
	json_decref(res.errors);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE name = 'New Person'"), 1);
	assert_int_equal(count(f, "SELECT generation FROM watchlist"), 2);
	assert_int_equal(count(f, "SELECT generation FROM watchlist_state"), 2);
}

static void test_import_opensanctions(void **state)
{
	struct fx *f = *state;
	struct watchlist_import_result res;
	struct mmis_error err;
	static const char os[] =
		"id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,"
		"emails,dataset,first_seen,last_seen,last_change\n"
		"NK-1,Person,Ivan Ivanovich Petrov,\"Иван Иванович Петров;Petrov, Ivan;!!!\","
		"1961-03-02;1962,ru;xk;su,,\"770708389312;ИНН 123;P1234567\",,,,test,,,\n"
		"NK-2,Organization,Some Company LLC,,,ru,,,,,,test,,,\n"
		"NK-3,Person,Jane Roe,,not-a-date,gb,,,,,,test,,,\n";

	OK(import(f, &f->sys, os, "os-test", "opensanctions", NULL, &res, &err));
	assert_int_equal(res.imported, 2);
	assert_int_equal(res.skipped, 1); /* the company */
	/* Left out: the alias "!!!", the country "su", the identifier "ИНН 123", "not-a-date". */
	assert_int_equal(res.dropped, 4);
	json_decref(res.errors);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist_entry WHERE external_id = 'NK-1' "
			       "AND nationalities = '[\"RUS\",\"RKS\"]' AND birth_dates = "
			       "'[\"1961-03-02\",\"1962\"]' AND documents = "
			       "'[\"770708389312\",\"P1234567\"]'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist WHERE format = 'opensanctions' "
			       "AND category = 'sanctions'"), 1);
	/* A Person whose name does not normalise is a bad line. */
	assert_int_equal(import(f, &f->sys,
				"id,schema,name\nP1,Person,Fine Name\nP2,Person,\"...\"\n", "os2",
				"opensanctions", NULL, &res, &err), MMIS_EINVAL);
	assert_line(res.errors, 0, 3, "name");
	json_decref(res.errors);
	/* Without a schema column it is not OpenSanctions' file. */
	assert_int_equal(import(f, &f->sys, "id,name\nA,B\n", "os3", "opensanctions", NULL, &res,
				&err), MMIS_EINVAL);
	json_decref(res.errors);
	assert_non_null(strstr(err.message, "'schema' is missing"));
}

static void test_import_permissions(void **state)
{
	struct fx *f = *state;
	struct watchlist_import_result res;
	struct mmis_error err;
	struct actor sup, off, client;
	json_t *lists;

	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	make_actor(f, "off", "border_officer", "BP", &off);
	make_actor(f, "visa", "screening_client", "DM", &client);
	assert_int_equal(import(f, &sup, alerts, "x", NULL, NULL, &res, &err), MMIS_EDENIED);
	json_decref(res.errors);
	assert_int_equal(import(f, &off, alerts, "x", NULL, NULL, &res, &err), MMIS_EDENIED);
	json_decref(res.errors);
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'watchlist.import' AND outcome = 'denied'"), 2);
	OK(watchlist_list(&f->cx, &client, &lists, &err));
	json_decref(lists);
	OK(watchlist_list(&f->cx, &off, &lists, &err));
	json_decref(lists);
}

/* ---- the service and queries */

static void test_search(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct actor client, analyst;
	json_t *hits, *st;
	char text[512];
	struct date d;

	import_ok(f, alerts, "national", "refuse_entry");
	import_ok(f, "id,document_number\nLS-1,ZX0000009\n", "lost", NULL);
	make_actor(f, "visa", "screening_client", "DM", &client);
	make_actor(f, "ana", "analyst", "DM", &analyst);
	OK(screen_load(f->cx.screen, f->s, NULL, NULL, &err));

	/* Latin against the Cyrillic entry, with the reasons. */
	hits = screen1(f, &client, "{\"id\":7,\"name\":\"MOHAMMED ABDULLAH\",\"birth_date\":"
		       "\"1984\",\"nationality\":\"JOR\"}", MATCH_DEFAULT_THRESHOLD);
	assert_int_equal(json_array_size(hits), 1);
	assert_string_equal(hit_entry(hits, 0), "NA-1");
	json_t *h = json_array_get(hits, 0);
	assert_string_equal(json_string_value(json_object_get(h, "list")), "national");
	assert_string_equal(json_string_value(json_object_get(h, "action")), "refuse_entry");
	assert_string_equal(json_string_value(json_object_get(h, "name")), "Мухамед Абдулах");
	assert_true(json_real_value(json_object_get(h, "score")) >= MATCH_DEFAULT_THRESHOLD);
	assert_true(json_array_size(json_object_get(h, "reasons")) >= 2);
	json_decref(hits);
	/* A name alone that is not listed; a contradicting birth date lowers the score. */
	hits = screen1(f, &client, "{\"name\":\"Ivana Horvat\"}", MATCH_DEFAULT_THRESHOLD);
	assert_int_equal(json_array_size(hits), 0);
	json_decref(hits);
	/* A document of the lost list, whatever the name; also a listed person's document. */
	hits = screen1(f, &client, "{\"name\":\"Petra Novak\",\"document_number\":\"zx-0000009\"}",
		       MATCH_DEFAULT_THRESHOLD);
	assert_int_equal(json_array_size(hits), 1);
	assert_string_equal(hit_entry(hits, 0), "LS-1");
	assert_true(json_is_null(json_object_get(json_array_get(hits, 0), "name")));
	json_decref(hits);
	hits = screen1(f, &client, "{\"document_number\":\"X123456\"}", MATCH_DEFAULT_THRESHOLD);
	assert_int_equal(json_array_size(hits), 1);
	assert_string_equal(hit_entry(hits, 0), "NA-2");
	json_decref(hits);

	/* Permissions: an analyst may not screen; the attempt is audited as denied. */
	{
		struct screen_query q;
		json_t *obj, *out = NULL;
		OK(mjson_parse_object("{\"name\":\"x y\"}", strlen("{\"name\":\"x y\"}"), &obj, &err));
		OK(screen_query_read(obj, NULL, &q, &err));
		assert_int_equal(screen_queries(&f->cx, &analyst, &q, 1, 0.8, 10, &out, &err),
				 MMIS_EDENIED);
		assert_int_equal(screen_queries(&f->cx, &client, &q, 1, 0, 10, &out, &err),
				 MMIS_EINVAL);
		assert_string_equal(err.field, "threshold");
		assert_int_equal(screen_queries(&f->cx, &client, &q, 1, 0.8, 101, &out, &err),
				 MMIS_EINVAL);
		assert_string_equal(err.field, "limit");
		json_decref(obj);
	}
	assert_true(count(f, "SELECT count(*) FROM audit_event WHERE action = 'screen.query' AND "
			  "outcome = 'ok'") >= 4);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'screen.query' "
			       "AND outcome = 'denied'"), 1);

	/* Validity: an entry that ended yesterday and one that starts tomorrow are not screened. */
	date_today(&d);
	struct date y, t;
	char ys[DATE_STR_MAX], ts[DATE_STR_MAX];
	OK(date_add_days(&d, -1, &y));
	OK(date_add_days(&d, 1, &t));
	date_format(&y, ys);
	date_format(&t, ts);
	snprintf(text, sizeof(text), "id,name,valid_from,valid_to\nV1,Old Alert Person,,%s\n"
		 "V2,Future Alert Person,%s,\nV3,Current Alert Person,%s,%s\n", ys, ts, ys, ts);
	import_ok(f, text, "timed", NULL);
	OK(screen_load(f->cx.screen, f->s, NULL, NULL, &err));
	hits = screen1(f, &client, "{\"name\":\"Old Alert Person\"}", 0.9);
	assert_int_equal(json_array_size(hits), 0);
	json_decref(hits);
	hits = screen1(f, &client, "{\"name\":\"Future Alert Person\"}", 0.9);
	assert_int_equal(json_array_size(hits), 0);
	json_decref(hits);
	hits = screen1(f, &client, "{\"name\":\"Current Alert Person\"}", 0.9);
	assert_int_equal(json_array_size(hits), 1);
	json_decref(hits);

	st = screen_status(f->cx.screen);
	assert_int_equal(json_integer_value(json_object_get(st, "entries")), 5);
	assert_int_equal(json_integer_value(json_object_get(st, "lists")), 3);
	json_decref(st);
}

static void test_rebuild(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct actor client;
	json_t *hits, *st;
	long long gen;

	make_actor(f, "visa", "screening_client", "DM", &client);
	import_ok(f, alerts, "national", "refuse_entry");
	OK(screen_load(f->cx.screen, f->s, NULL, NULL, &err));
	/* Another list arrives (as from `mmis watchlist import` in another process). */
	import_ok(f, "id,name\nB1,Ivana Horvat\n", "second", "notify");
	gen = count(f, "SELECT generation FROM watchlist_state");
	hits = screen1(f, &client, "{\"name\":\"Ivana Horvat\"}", 0.9); /* starts the rebuild */
	json_decref(hits);
	screen_wait(f->cx.screen);
	hits = screen1(f, &client, "{\"name\":\"Ivana Horvat\"}", 0.9);
	assert_int_equal(json_array_size(hits), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "action")),
			    "notify");
	json_decref(hits);
	st = screen_status(f->cx.screen);
	assert_int_equal(json_integer_value(json_object_get(st, "generation")), gen);
	assert_false(json_is_true(json_object_get(st, "rebuilding")));
	assert_true(json_is_null(json_object_get(st, "failed")));
	json_decref(st);
}

static void test_query_read(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *json, *field, *prefix;
	} bad[] = {
		{ "{\"name\":\"\"}", "name", NULL },
		{ "{\"name\":\"?!.-\"}", "name", NULL },
		{ "{\"name\":\"Ivan\",\"dob\":\"1980\"}", "dob", NULL },
		{ "{\"name\":\"Ivan\",\"sex\":\"male\"}", "sex", NULL },
		{ "{\"name\":\"Ivan\",\"birth_date\":\"1980-02-30\"}", "birth_date", NULL },
		{ "{\"name\":\"Ivan\",\"nationality\":\"ZZZ\"}", "nationality", NULL },
		{ "{\"name\":\"Ivan\",\"document_number\":\"A$B\"}", "document_number", NULL },
		{ "{\"id\":1.5,\"name\":\"Ivan\"}", "id", NULL },
		{ "{\"id\":\"x\"}", "name", NULL },
		{ "{\"name\":42}", "queries[3].name", "queries[3]." },
	};
	struct screen_query q;
	struct mmis_error err;
	char big[12000];
	json_t *obj;

	(void)f;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		OK(mjson_parse_object(bad[i].json, strlen(bad[i].json), &obj, &err));
		assert_int_equal(screen_query_read(obj, bad[i].prefix, &q, &err), MMIS_EINVAL);
		if (strcmp(err.field, bad[i].field))
			fail_msg("%s: field %s, expected %s (%s)", bad[i].json, err.field, bad[i].field,
				 err.message);
		json_decref(obj);
	}
	assert_non_null(strstr(err.message, "queries[3]: "));
	/* A 10 kB name. */
	obj = json_object();
	memset(big, 'a', 10240);
	big[10240] = '\0';
	json_object_set_new(obj, "name", json_string(big));
	assert_int_equal(screen_query_read(obj, NULL, &q, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "name");
	json_decref(obj);
	/* A good one: the nationality and document normalised. */
	{
		static const char good[] = "{\"id\":\"q1\",\"name\":\"Ivan\",\"nationality\":\"d\","
					   "\"document_number\":\"ab 12\",\"sex\":\"M\","
					   "\"birth_date\":\"1980\"}";
		OK(mjson_parse_object(good, strlen(good), &obj, &err));
	}
	OK(screen_query_read(obj, NULL, &q, &err));
	assert_string_equal(q.nationality_norm, "DEU");
	assert_string_equal(q.document_norm, "AB12");
	assert_string_equal(q.sex, "M");
	json_decref(obj);
}

/* ---- crossings */

static struct crossing_in traveller(const char *number, const char *surname, const char *given,
				    enum crossing_direction dir)
{
	struct crossing_in in = { 0 };
	in.document_type = "P";
	in.issuing_state = "JOR";
	in.document_number = number;
	in.surname = surname;
	in.given_names = given;
	in.sex = 'M';
	in.nationality = "JOR";
	date_parse("1984-06-15", NULL, &in.birth_date, NULL);
	in.birth_known = true;
	in.bcp = "MNE-TGD";
	in.direction = dir;
	return in;
}

static void test_crossing_hits(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct actor off, off2, sup, other;
	struct crossing_in in;
	json_t *res = NULL, *hit = NULL, *list = NULL;
	char hit_id[UUID_STR_MAX];

	import_ok(f, alerts, "national", "refuse_entry");
	import_ok(f, "id,name\nW-1,Mohammed Abdullah\n", "wanted", "detain");
	OK(screen_load(f->cx.screen, f->s, NULL, NULL, &err));
	make_actor(f, "off", "border_officer", "BP", &off);
	make_actor(f, "off2", "border_officer", "BP", &off2);
	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	make_actor(f, "other", "border_officer", "DM", &other);

	/* The listed traveller enters: two hits (both lists), refuse entry first, saved. */
	in = traveller("DM4417205", "ABDULLAH", "MOHAMMED", CROSSING_ENTRY);
	OK(crossing_record(&f->cx, &off, &in, &res, &err));
	json_t *hits = json_object_get(res, "hits");
	assert_int_equal(json_array_size(hits), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "action")),
			    "refuse_entry");
	assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 1), "action")),
			    "detain");
	hit = json_array_get(hits, 0);
	assert_string_equal(json_string_value(json_object_get(hit, "status")), "pending");
	assert_string_equal(json_string_value(json_object_get(hit, "entry_id")), "NA-1");
	assert_true(json_array_size(json_object_get(json_object_get(hit, "entry"), "names")) == 3);
	assert_true(json_array_size(json_object_get(hit, "reasons")) >= 2);
	assert_true(json_is_true(json_object_get(json_object_get(res, "screening"), "current")));
	snprintf(hit_id, sizeof(hit_id), "%s", json_string_value(json_object_get(hit, "id")));
	json_decref(res);
	assert_int_equal(count(f, "SELECT count(*) FROM screening_hit WHERE status = 'pending'"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'crossing.create' AND detail LIKE '%2 alert-list hits%'"), 1);

	/* Reading: the officer, the supervisor; not an officer of another agency. */
	OK(screen_hit_get(&f->cx, &off, hit_id, &hit, &err));
	json_decref(hit);
	OK(screen_hit_get(&f->cx, &sup, hit_id, &hit, &err));
	json_decref(hit);
	assert_int_equal(screen_hit_get(&f->cx, &other, hit_id, &hit, &err), MMIS_ENOTFOUND);
	OK(screen_hit_list(&f->cx, &sup, "pending", 100, &list, &err));
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	OK(screen_hit_list(&f->cx, &other, NULL, 100, &list, &err));
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(screen_hit_list(&f->cx, &off, "maybe", 100, &list, &err), MMIS_EINVAL);

	/* Deciding: a note is needed to dismiss; another officer's hit is not his to decide (own
	 * scope); another agency's cannot be seen; a decided hit is not decided again. */
	assert_int_equal(screen_hit_decide(&f->cx, &off, hit_id, false, NULL, NULL, &err),
			 MMIS_EINVAL);
	assert_string_equal(err.field, "note");
	assert_int_equal(screen_hit_decide(&f->cx, &off2, hit_id, false, "not him", NULL, &err),
			 MMIS_EDENIED);
	assert_int_equal(screen_hit_decide(&f->cx, &other, hit_id, false, "not him", NULL, &err),
			 MMIS_ENOTFOUND);
	OK(screen_hit_decide(&f->cx, &off, hit_id, false, "different father's name", &hit, &err));
	assert_string_equal(json_string_value(json_object_get(hit, "status")), "dismissed");
	assert_string_equal(json_string_value(json_object_get(hit, "decided_by")), "off");
	assert_string_equal(json_string_value(json_object_get(hit, "note")), "different father's name");
	json_decref(hit);
	assert_int_equal(screen_hit_decide(&f->cx, &sup, hit_id, true, NULL, NULL, &err),
			 MMIS_ECONFLICT);
	assert_int_equal(count(f, "SELECT count(*) FROM screening_dismissal"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'screening_hit.dismiss' AND outcome = 'ok'"), 1);

	/* The same document again: the dismissed entry is not raised; the other list's is. */
	in = traveller("DM4417205", "ABDULLAH", "MOHAMMED", CROSSING_EXIT);
	OK(crossing_record(&f->cx, &off, &in, &res, &err));
	hits = json_object_get(res, "hits");
	assert_int_equal(json_array_size(hits), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "entry_id")),
			    "W-1");
	/* The supervisor of the agency may confirm the officer's hit. */
	OK(screen_hit_decide(&f->cx, &sup, json_string_value(json_object_get(json_array_get(hits, 0),
									     "id")),
			     true, NULL, NULL, &err));
	json_decref(res);
	/* A new document of the same traveller is screened afresh. */
	in = traveller("DM9999999", "ABDULLAH", "MOHAMMED", CROSSING_ENTRY);
	OK(crossing_record(&f->cx, &off, &in, &res, &err));
	assert_int_equal(json_array_size(json_object_get(res, "hits")), 2);
	json_decref(res);
	/* Someone else: no hit. */
	in = traveller("HR7766554", "HORVAT", "IVANA", CROSSING_ENTRY);
	in.sex = 'F';
	OK(crossing_record(&f->cx, &off, &in, &res, &err));
	assert_int_equal(json_array_size(json_object_get(res, "hits")), 0);
	json_decref(res);
	/* A crossing refused for another reason (an unknown BCP) leaves no hit behind. */
	long long before = count(f, "SELECT count(*) FROM screening_hit");
	in = traveller("DM4417205", "ABDULLAH", "MOHAMMED", CROSSING_ENTRY);
	in.bcp = "MNE-XXX";
	assert_int_equal(crossing_record(&f->cx, &off, &in, &res, &err), MMIS_EINVAL);
	assert_int_equal(count(f, "SELECT count(*) FROM screening_hit"), before);
}

/*
 * An import screens each document once, at its last crossing in the file: the listed traveller
 * crossing twice raises one hit per entry, on the exit; an import refused for a bad line raises
 * none; the hits belong to the importing agency.
 */
static void test_import_hits(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct crossing_import_result res;
	struct actor sup;
	json_t *list = NULL;
	static const char head[] = "time,bcp,direction,document_type,issuing_state,"
				   "document_number,surname,given_names,sex,birth_date,nationality\n";
	char text[1024];
	FILE *in;

	import_ok(f, alerts, "national", "refuse_entry");
	OK(screen_load(f->cx.screen, f->s, NULL, NULL, &err));
	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	snprintf(text, sizeof(text), "%s"
		 "2026-01-05T10:00:00Z,MNE-DBR,entry,P,JOR,DM4417205,ABDULLAH,MOHAMMED,M,1984-06-15,JOR\n"
		 "2026-01-09T10:00:00Z,MNE-DBR,exit,P,JOR,DM4417205,ABDULLAH,MOHAMMED,M,1984-06-15,JOR\n"
		 "2026-01-05T11:00:00Z,MNE-DBR,entry,P,HRV,HR1234567,HORVAT,IVANA,F,1990-01-01,HRV\n"
		 "2026-01-05T12:00:00Z,MNE-SUK,entry,P,SRB,X-123 456,PETROVIC,JOVAN,M,1970-03-03,SRB\n",
		 head);
	in = fmemopen(text, strlen(text), "r");
	OK(crossing_import(&f->cx, &sup, in, "offline-bcp.csv", NULL, NULL, &res, &err));
	fclose(in);
	json_decref(res.errors);
	assert_int_equal(res.imported, 4);
	assert_int_equal(res.screened, 3);
	/* Abdullah by name; the third traveller by the lost document number NA-2 lists. */
	assert_int_equal(res.hits, 2);
	assert_int_equal(count(f, "SELECT count(*) FROM screening_hit h JOIN crossing c ON c.id = "
			       "h.crossing_id WHERE h.status = 'pending' AND c.direction = 'exit' "
			       "AND h.entry_external_id = 'NA-1'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'crossing.import' AND detail LIKE '%2 alert-list hits%'"), 1);
	OK(screen_hit_list(&f->cx, &sup, "pending", 100, &list, &err));
	assert_int_equal(json_array_size(list), 2);
	/* Each hit says who crossed, where and when: what a supervisor decides on. */
	size_t k = strcmp(json_string_value(json_object_get(json_array_get(list, 0), "entry_id")),
			  "NA-1") ? 1 : 0;
	json_t *trav = json_object_get(json_array_get(list, k), "traveller");
	assert_string_equal(json_string_value(json_object_get(trav, "surname")), "ABDULLAH");
	assert_string_equal(json_string_value(json_object_get(trav, "direction")), "exit");
	assert_string_equal(json_string_value(json_object_get(trav, "bcp")), "MNE-DBR");
	assert_string_equal(json_string_value(json_object_get(trav, "crossing_at")),
			    "2026-01-09T10:00:00.000Z");
	json_decref(list);

	/* A bad line: nothing saved, no hit. */
	snprintf(text, sizeof(text), "%s"
		 "2026-02-05T10:00:00Z,MNE-DBR,entry,P,JOR,DM4417299,ABDULLAH,MOHAMMED,M,1984-06-15,JOR\n"
		 "2026-02-05T10:00:00Z,MNE-XXX,entry,P,HRV,HR1234599,HORVAT,IVANA,F,1990-01-01,HRV\n",
		 head);
	in = fmemopen(text, strlen(text), "r");
	assert_int_equal(crossing_import(&f->cx, &sup, in, "bad.csv", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	fclose(in);
	json_decref(res.errors);
	assert_int_equal(res.hits, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM screening_hit"), 2);
}

static void test_crossing_without_service(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct actor off;
	struct crossing_in in = traveller("DM4417205", "ABDULLAH", "MOHAMMED", CROSSING_ENTRY);
	struct screen *sc = f->cx.screen;
	json_t *res;

	import_ok(f, alerts, "national", "refuse_entry");
	make_actor(f, "off", "border_officer", "BP", &off);
	f->cx.screen = NULL;
	OK(crossing_record(&f->cx, &off, &in, &res, &err));
	f->cx.screen = sc;
	assert_int_equal(json_array_size(json_object_get(res, "hits")), 0);
	assert_true(json_is_null(json_object_get(res, "screening")));
	json_decref(res);
}

static void test_demo_lists(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct actor off;
	struct crossing_in in;
	json_t *res;

	make_actor(f, "demo.border", "border_officer", "BP", &off);
	OK(watchlist_demo_seed(&f->cx, &f->sys, &err));
	OK(watchlist_demo_seed(&f->cx, &f->sys, &err)); /* again: nothing new */
	assert_int_equal(count(f, "SELECT count(*) FROM watchlist"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM crossing"), 1);
	OK(screen_load(f->cx.screen, f->s, NULL, NULL, &err));
	/* The demo traveller's exit (his passport in Latin letters) hits the Cyrillic entry. */
	in = traveller("DM4417205", "ABDULLAH", "MOHAMMED", CROSSING_EXIT);
	OK(crossing_record(&f->cx, &off, &in, &res, &err));
	assert_int_equal(json_array_size(json_object_get(res, "hits")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(res, "hits"), 0), "entry_id")),
			    "DEMO-0001");
	json_decref(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_native, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_header_and_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_opensanctions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crossing_hits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_hits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crossing_without_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_demo_lists, setup, teardown),
	};
	int rc;

	if (!testdb_start())
		return 1;
	rc = cmocka_run_group_tests_name(testdb_backend_name(), tests, NULL, NULL);
	testdb_finish();
	return rc;
}
