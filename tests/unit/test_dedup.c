/*
 * test_dedup.c - duplicate persons (dedup.h): detection stores proposals with explanations, an
 * accepted merge moves every referencing row and the survivor's stay status counts the merged
 * crossings, a revert restores exactly (and gives back what was recorded since under the merged
 * person's documents), rejected pairs stay rejected, permissions and reach, bad input, and that
 * every table referencing person(id) is in the merge table. Runs on SQLite and PostgreSQL
 * (MMIS_TEST_BACKEND, see testdb.h). Every test ends by verifying the audit chain.
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
#include "mmis/dedup.h"
#include "mmis/stats.h"
#include "mmis/strbuf.h"
#include "testdb.h"

#define DAY_MS (86400 * 1000LL)

struct fx {
	struct store *s;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys, off, sup;
};

static void make_actor(struct fx *f, const char *name, const char *role, const char *agency,
		       struct actor *out)
{
	testdb_actor(&f->cx, &f->sys, name, role, agency, "police", out);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->s = testdb_open_ctx(&f->cx, &f->key, &f->sys, NULL);
	make_actor(f, "off", "border_officer", "BP", &f->off);
	make_actor(f, "sup", "border_supervisor", "BP", &f->sup);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	testdb_close_verified(f->s, &f->key);
	free(f);
	return 0;
}

static long long count(struct fx *f, const char *sql)
{
	return testdb_int(f->s, sql);
}

static int64_t days_ago(int d)
{
	return timestamp_now() - (int64_t)d * DAY_MS;
}

/* A crossing of a traveller; returns the person's id in pid (may be NULL). */
static void cross(struct fx *f, const struct actor *a, const char *number, const char *surname,
		  const char *given, const char *birth, enum crossing_direction dir, int ago,
		  char pid[UUID_STR_MAX])
{
	struct mmis_error err;
	struct crossing_in in = { 0 };
	json_t *out = NULL;

	in.document_type = "P";
	in.issuing_state = "RUS";
	in.document_number = number;
	in.surname = surname;
	in.given_names = given;
	in.sex = 'M';
	in.nationality = "RUS";
	if (birth) {
		OK(date_parse_partial(birth, "birth_date", &in.birth_date, &err));
		in.birth_known = true;
	}
	in.bcp = "MNE-TGD";
	in.direction = dir;
	in.at_ms = days_ago(ago);
	OK(crossing_record(&f->cx, a, &in, &out, &err));
	if (pid)
		snprintf(pid, UUID_STR_MAX, "%s",
			 json_string_value(json_object_get(json_object_get(out, "person"), "id")));
	json_decref(out);
}

/* Detection as `a` at the default threshold; the result's pairs are freed. */
static struct dedup_result detect(struct fx *f, const struct actor *a)
{
	struct mmis_error err;
	struct dedup_result res;
	struct dedup_options o = { .threads = 2 };

	OK(dedup_run(&f->cx, a, &o, &res, &err));
	json_decref(res.pairs);
	return res;
}

/* The id of the only open proposal between persons x and y (fails the test when there is none). */
static void proposal_of(struct fx *f, const char *x, const char *y, char id[UUID_STR_MAX])
{
	struct mmis_error err;
	json_t *list, *m;
	size_t i;

	id[0] = '\0';
	OK(merge_list(&f->cx, &f->sys, "all", MERGE_LIST_MAX, 0, &list, &err));
	json_array_foreach(json_object_get(list, "items"), i, m) {
		json_t *ps = json_object_get(m, "persons");
		const char *a = json_string_value(json_object_get(json_array_get(ps, 0), "id"));
		const char *b = json_string_value(json_object_get(json_array_get(ps, 1), "id"));
		if ((!strcmp(a, x) && !strcmp(b, y)) || (!strcmp(a, y) && !strcmp(b, x)))
			snprintf(id, UUID_STR_MAX, "%s", json_string_value(json_object_get(m, "id")));
	}
	json_decref(list);
	if (!id[0])
		fail_msg("no proposal for %s and %s", x, y);
}

/* Remove the crossings of the last `days` days (made after a snapshot, to compare with it). */
static void delete_since(struct fx *f, int days)
{
	char ts[TIMESTAMP_STR_MAX], sql[128];
	timestamp_format(days_ago(days), ts);
	snprintf(sql, sizeof(sql), "DELETE FROM crossing WHERE at > '%s'", ts);
	testdb_exec(f->s, sql);
}

/* Every (table, id, person) of the tables a merge moves, as one text. */
static char *snapshot(struct fx *f)
{
	struct mmis_error err;
	struct strbuf sb;
	char sql[256];

	strbuf_init(&sb, 1 << 20);
	for (size_t i = 0; i < person_ref_count(); i++) {
		const struct person_ref *r = person_ref_at(i);
		struct store_stmt *st;
		bool row = false;
		snprintf(sql, sizeof(sql), "SELECT id, %s FROM %s ORDER BY id", r->column, r->table);
		OK(store_prepare(f->s, sql, &st, &err));
		while (!store_step(st, &row, &err) && row)
			strbuf_addf(&sb, "%s %s %s\n", r->table, store_column_text(st, 0),
				    store_column_text(st, 1));
		store_finalize(st);
	}
	strbuf_addf(&sb, "merged %lld\n", count(f, "SELECT count(*) FROM person WHERE merged_into "
					      "IS NOT NULL"));
	return strbuf_detach(&sb, NULL);
}

static long long status_int(json_t *person, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(person, "status"), key));
}

static size_t overstayers(struct fx *f)
{
	struct mmis_error err;
	json_t *list;
	OK(border_overstayers(&f->cx, &f->sys, NULL, &list, &err));
	size_t n = json_array_size(list);
	json_decref(list);
	return n;
}

/* Smirnov recorded twice (two passports): 61 days, then 71 days and still present. Returns the
 * two persons; also records a different traveller. */
static void two_records(struct fx *f, char a[UUID_STR_MAX], char b[UUID_STR_MAX])
{
	cross(f, &f->off, "R1000001", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 150, a);
	cross(f, &f->off, "R1000001", "Smirnov", "Dmitry", "1984-06-12", CROSSING_EXIT, 90, NULL);
	cross(f, &f->off, "R2000002", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 70, b);
	cross(f, &f->off, "S3000003", "Jovanović", "Ana", "1990-01-30", CROSSING_ENTRY, 5, NULL);
	assert_string_not_equal(a, b);
}

static void test_propose(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct dedup_result res;
	struct dedup_options o = { .dry_run = true, .want_pairs = true };
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX];
	json_t *m, *list;

	two_records(f, a, b);
	/* A dry run says what it would propose and stores nothing. */
	OK(dedup_run(&f->cx, &f->sys, &o, &res, &err));
	assert_int_equal(res.persons, 3);
	assert_int_equal(res.found, 1);
	assert_int_equal(res.proposed, 1);
	assert_int_equal(json_array_size(res.pairs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res.pairs, 0), "status")),
			    "new");
	json_decref(res.pairs);
	assert_int_equal(count(f, "SELECT count(*) FROM person_merge"), 0);

	res = detect(f, &f->sys);
	assert_int_equal(res.proposed, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM person_merge WHERE status = 'proposed'"), 1);
	/* Again: the open proposal is refreshed, not doubled. */
	res = detect(f, &f->sys);
	assert_int_equal(res.proposed, 0);
	assert_int_equal(res.refreshed, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM person_merge"), 1);

	/* The queue and the proposal with both persons side by side and the explanation. */
	OK(merge_list(&f->cx, &f->sup, NULL, 0, 0, &list, &err));
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 1);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(list, "items"), 0),
						 "open")));
	json_decref(list);
	proposal_of(f, a, b, id);
	OK(merge_get(&f->cx, &f->sup, id, &m, &err));
	assert_string_equal(json_string_value(json_object_get(m, "status")), "proposed");
	assert_true(json_real_value(json_object_get(m, "score")) >= DEDUP_DEFAULT_THRESHOLD);
	assert_true(json_array_size(json_object_get(m, "reasons")) >= 1);
	json_t *pa = json_array_get(json_object_get(m, "persons"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(pa, "counts"), "crossing")),
			 !strcmp(json_string_value(json_object_get(pa, "id")), a) ? 2 : 1);
	assert_int_equal(json_array_size(json_object_get(pa, "documents")), 1);
	json_decref(m);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'merge.detect' "
			       "AND outcome = 'ok'"), 3);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'merge.read'"), 1);
}

static void test_accept_moves_and_stay(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX];
	struct date from, to;
	json_t *m, *p;

	two_records(f, a, b);
	/* B was also refused once, and held a visa long ago. */
	struct refusal_in rin = { 0 };
	rin.who.document_type = "P";
	rin.who.issuing_state = "RUS";
	rin.who.document_number = "R2000002";
	rin.who.surname = "Smirnov";
	rin.who.given_names = "Dmitry";
	rin.who.bcp = "MNE-DBR";
	rin.who.at_ms = days_ago(300);
	rin.grounds = "C";
	OK(refusal_record(&f->cx, &f->off, &rin, &p, &err));
	json_decref(p);
	date_add_days(&(struct date){ 2000, 1, 1, DATE_DAY }, 0, &from);
	date_add_days(&from, 30, &to);
	OK(stay_authorisation_add(&f->cx, &f->sys, b, "visa", &from, &to, 0, NULL, NULL, &err));

	/* Each record alone is under 90 days: nobody overstays. */
	OK(person_get(&f->cx, &f->sys, a, &p, &err));
	assert_int_equal(status_int(p, "days_used"), 61);
	assert_int_equal(status_int(p, "overstay_days"), 0);
	json_decref(p);
	OK(person_get(&f->cx, &f->sys, b, &p, &err));
	assert_int_equal(status_int(p, "days_used"), 71);
	assert_int_equal(status_int(p, "overstay_days"), 0);
	json_decref(p);
	assert_int_equal(overstayers(f), 0);

	detect(f, &f->sys);
	proposal_of(f, a, b, id);
	/* The proposal says what merging would show: 61 and 71 days apart, 132 together. */
	OK(merge_get(&f->cx, &f->sup, id, &m, &err));
	json_t *stay = json_object_get(m, "stay");
	long long d0 = json_integer_value(json_object_get(json_array_get(json_object_get(stay, "each"), 0),
							  "days_used"));
	long long d1 = json_integer_value(json_object_get(json_array_get(json_object_get(stay, "each"), 1),
							  "days_used"));
	assert_int_equal(d0 + d1, 61 + 71);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(stay, "together"),
							    "days_used")), 132);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(stay, "together"),
							    "overstay_days")), 42);
	json_decref(m);
	OK(merge_accept(&f->cx, &f->sup, id, NULL, "same face, two passports", &m, &err));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(m, "stay"),
									    "together"),
							    "overstay_days")), 42);
	assert_null(json_object_get(json_object_get(m, "stay"), "each"));
	assert_string_equal(json_string_value(json_object_get(m, "status")), "accepted");
	/* The record made first survives. */
	assert_string_equal(json_string_value(json_object_get(m, "survivor_id")), a);
	assert_string_equal(json_string_value(json_object_get(m, "merged_id")), b);
	assert_string_equal(json_string_value(json_object_get(m, "decided_by")), "sup");
	json_t *moved = json_object_get(m, "moved");
	assert_int_equal(json_integer_value(json_object_get(moved, "travel_document")), 1);
	assert_int_equal(json_integer_value(json_object_get(moved, "crossing")), 1);
	assert_int_equal(json_integer_value(json_object_get(moved, "refusal")), 1);
	assert_int_equal(json_integer_value(json_object_get(moved, "stay_authorisation")), 1);
	/* Each side shown as it was before the merge. */
	json_t *ps = json_object_get(m, "persons");
	for (size_t i = 0; i < 2; i++) {
		json_t *x = json_array_get(ps, i);
		bool is_b = !strcmp(json_string_value(json_object_get(x, "id")), b);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(x, "counts"),
								    "crossing")), is_b ? 1 : 2);
		assert_int_equal(json_array_size(json_object_get(x, "documents")), 1);
	}
	json_decref(m);

	/* Everything is the survivor's now; the merged record stays, marked. */
	assert_int_equal(count(f, "SELECT count(*) FROM person"), 3);
	for (size_t i = 0; i < person_ref_count(); i++) {
		char sql[200];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = '%s'",
			 person_ref_at(i)->table, person_ref_at(i)->column, b);
		assert_int_equal(count(f, sql), 0);
	}
	assert_int_equal(count(f, "SELECT count(*) FROM person_merge_moved WHERE phase = 'merge'"), 4);
	OK(person_get(&f->cx, &f->sys, b, &p, &err));
	assert_string_equal(json_string_value(json_object_get(p, "merged_into")), a);
	json_decref(p);
	OK(person_get(&f->cx, &f->sys, a, &p, &err));
	assert_int_equal(json_array_size(json_object_get(p, "documents")), 2);
	assert_int_equal(json_array_size(json_object_get(p, "crossings")), 3);
	assert_int_equal(json_array_size(json_object_get(p, "refusals")), 1);
	assert_int_equal(json_array_size(json_object_get(p, "merged_records")), 1);
	/* 61 + 71 days in the last 180: merged, the traveller overstays. */
	assert_int_equal(status_int(p, "days_used"), 132);
	assert_int_equal(status_int(p, "overstay_days"), 42);
	json_decref(p);
	assert_int_equal(overstayers(f), 1);

	/* The merged person's old document, seen again, is the survivor's. */
	char again[UUID_STR_MAX];
	cross(f, &f->off, "R2000002", "Smirnov", "Dmitry", NULL, CROSSING_EXIT, 1, again);
	assert_string_equal(again, a);
	/* A crossing naming the merged person goes to the survivor too. */
	struct crossing_in in = { 0 };
	in.document_type = "P";
	in.issuing_state = "RUS";
	in.document_number = "R9999999";
	in.surname = "Smirnov";
	in.person_id = b;
	in.bcp = "MNE-TGD";
	in.direction = CROSSING_ENTRY;
	OK(crossing_record(&f->cx, &f->off, &in, &p, &err));
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "crossing"),
							      "person_id")), a);
	json_decref(p);
	/* A stay authorisation for the merged record is refused, naming the survivor. */
	assert_int_equal(stay_authorisation_add(&f->cx, &f->sys, b, "visa", &from, &to, 0, NULL, NULL,
						&err), MMIS_EINVAL);
	assert_string_equal(err.field, "person_id");
	assert_non_null(strstr(err.message, a));

	/* The next detection compares the survivor with the merged record's names too, and
	 * proposes nothing new. */
	struct dedup_result res = detect(f, &f->sys);
	assert_int_equal(res.persons, 2);
	assert_int_equal(res.proposed, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'merge.accept' "
			       "AND outcome = 'ok'"), 1);
}

static void test_revert_exact(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX], p1[UUID_STR_MAX], p2[UUID_STR_MAX];
	json_t *m, *p;

	two_records(f, a, b);
	detect(f, &f->sys);
	proposal_of(f, a, b, id);
	char *before = snapshot(f);
	/* The merged record survives this time (the supervisor chooses). */
	OK(merge_accept(&f->cx, &f->sup, id, b, NULL, &m, &err));
	assert_string_equal(json_string_value(json_object_get(m, "survivor_id")), b);
	json_decref(m);
	assert_int_equal(overstayers(f), 1);
	char *merged = snapshot(f);
	assert_string_not_equal(before, merged);

	/* Since the merge: an exit on B's document and one more trip on A's old passport. Both are
	 * recorded for B, the survivor. */
	cross(f, &f->off, "R2000002", "Smirnov", "Dmitry", NULL, CROSSING_EXIT, 2, p1);
	cross(f, &f->off, "R1000001", "Smirnov", "Dmitry", NULL, CROSSING_ENTRY, 1, p2);
	assert_string_equal(p1, b);
	assert_string_equal(p2, b);

	/* A revert needs a reason. */
	assert_int_equal(merge_revert(&f->cx, &f->sup, id, NULL, &m, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "note");
	OK(merge_revert(&f->cx, &f->sup, id, "two brothers with one name and one birthday", &m, &err));
	assert_string_equal(json_string_value(json_object_get(m, "status")), "reverted");
	assert_string_equal(json_string_value(json_object_get(m, "revert_note")),
			    "two brothers with one name and one birthday");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "moved_back_since"),
							    "crossing")), 1);
	json_decref(m);

	/* Exactly as before, plus the two new crossings, each with its document's holder. */
	assert_int_equal(count(f, "SELECT count(*) FROM person WHERE merged_into IS NOT NULL"), 0);
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM crossing WHERE person_id = '%s'", a);
	assert_int_equal(count(f, sql), 3);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM crossing WHERE person_id = '%s'", b);
	assert_int_equal(count(f, sql), 2);
	delete_since(f, 3);
	char *after = snapshot(f);
	assert_string_equal(before, after);
	free(before);
	free(merged);
	free(after);
	OK(person_get(&f->cx, &f->sys, a, &p, &err));
	assert_int_equal(json_array_size(json_object_get(p, "merged_records")), 0);
	json_decref(p);

	/* A reverted merge cannot be reverted again, nor accepted; the pair is not proposed again. */
	assert_int_equal(merge_revert(&f->cx, &f->sup, id, "again", NULL, &err), MMIS_ECONFLICT);
	assert_int_equal(merge_accept(&f->cx, &f->sup, id, NULL, NULL, NULL, &err), MMIS_ECONFLICT);
	struct dedup_result res = detect(f, &f->sys);
	assert_int_equal(res.skipped, 1);
	assert_int_equal(res.proposed, 0);
}

/* The statistics' roll-ups as text, one line per row of each. */
static char *rollups(struct fx *f)
{
	static const char *const sql[] = {
		"SELECT period, bcp, direction, nationality, '', '', n FROM stats_crossing_month "
		"WHERE n <> 0 ORDER BY 1, 2, 3, 4",
		"SELECT period, '', direction, nationality, sex, age_band, n FROM "
		"stats_crossing_month_person WHERE n <> 0 ORDER BY 1, 3, 4, 5, 6",
	};
	struct mmis_error err;
	struct strbuf sb;

	strbuf_init(&sb, 1 << 16);
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		struct store_stmt *st;
		bool row = false;
		OK(store_prepare(f->s, sql[i], &st, &err));
		while (!store_step(st, &row, &err) && row) {
			for (int c = 0; c < 7; c++)
				strbuf_addf(&sb, "%s%s", c ? " " : "", store_column_text(st, c));
			strbuf_addch(&sb, '\n');
		}
		store_finalize(st);
	}
	return strbuf_detach(&sb, NULL);
}

/* The roll-ups as kept equal the roll-ups recomputed from the records. */
static void assert_rollups_current(struct fx *f)
{
	struct mmis_error err;
	char *kept = rollups(f), *rebuilt;

	OK(stats_rebuild(&f->cx, &f->sys, NULL, &err));
	rebuilt = rollups(f);
	assert_string_equal(kept, rebuilt);
	free(kept);
	free(rebuilt);
}

/*
 * A merge moves crossings to a person counted by another nationality, sex and age; the
 * statistics follow it, and its revert, in the same transaction.
 */
static void test_merge_keeps_statistics(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX], sql[256];

	two_records(f, a, b);
	detect(f, &f->sys);
	proposal_of(f, a, b, id);
	/* A's record says otherwise than B's: another nationality, sex and age band. */
	snprintf(sql, sizeof(sql), "UPDATE person SET nationality = 'UKR', sex = 'F', "
		 "birth_date = '2010-01-01' WHERE id = '%s'", a);
	testdb_exec(f->s, sql);
	OK(stats_rebuild(&f->cx, &f->sys, NULL, &err));
	char *before = rollups(f);
	assert_non_null(strstr(before, "UKR"));

	OK(merge_accept(&f->cx, &f->sup, id, b, NULL, NULL, &err));
	char *merged = rollups(f);
	assert_null(strstr(merged, "UKR"));
	assert_rollups_current(f);

	OK(merge_revert(&f->cx, &f->sup, id, "two people after all", NULL, &err));
	char *reverted = rollups(f);
	assert_string_equal(before, reverted);
	assert_rollups_current(f);
	free(before);
	free(merged);
	free(reverted);
}

static void test_revert_refuses_partial(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX], sql[300];

	two_records(f, a, b);
	detect(f, &f->sys);
	proposal_of(f, a, b, id);
	OK(merge_accept(&f->cx, &f->sys, id, a, NULL, NULL, &err));
	/* Somebody moved one of the moved crossings elsewhere by hand. */
	snprintf(sql, sizeof(sql), "UPDATE crossing SET person_id = (SELECT id FROM person WHERE "
		 "surname = 'JOVANOVIC') WHERE id IN (SELECT row_id FROM person_merge_moved WHERE "
		 "table_name = 'crossing')");
	testdb_exec(f->s, sql);
	char *before = snapshot(f);
	assert_int_equal(merge_revert(&f->cx, &f->sys, id, "wrong", NULL, &err), MMIS_ECONFLICT);
	assert_non_null(strstr(err.message, "nothing was reverted"));
	char *after = snapshot(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(count(f, "SELECT count(*) FROM person_merge WHERE status = 'accepted'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'merge.revert' AND "
			       "outcome = 'failed'"), 1);
}

static void test_reject_and_groups(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], c[UUID_STR_MAX];
	char ab[UUID_STR_MAX], ac[UUID_STR_MAX], bc[UUID_STR_MAX];
	json_t *list, *m;

	/* Three records of one name. */
	cross(f, &f->off, "R1", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 30, a);
	cross(f, &f->off, "R2", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 20, b);
	cross(f, &f->off, "R3", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 10, c);
	struct dedup_result res = detect(f, &f->sys);
	assert_int_equal(res.proposed, 3);
	proposal_of(f, a, b, ab);
	proposal_of(f, a, c, ac);
	proposal_of(f, b, c, bc);

	OK(merge_reject(&f->cx, &f->sup, ab, "different fathers' names", &m, &err));
	assert_string_equal(json_string_value(json_object_get(m, "status")), "rejected");
	assert_string_equal(json_string_value(json_object_get(m, "note")), "different fathers' names");
	json_decref(m);
	assert_int_equal(merge_reject(&f->cx, &f->sup, ab, NULL, NULL, &err), MMIS_ECONFLICT);
	OK(merge_accept(&f->cx, &f->sup, ac, a, NULL, NULL, &err));

	/* B-C waits: C is merged into A now. It is out of the queue, and cannot be accepted. */
	OK(merge_list(&f->cx, &f->sup, "open", 0, 0, &list, &err));
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 0);
	json_decref(list);
	OK(merge_list(&f->cx, &f->sup, "proposed", 0, 0, &list, &err));
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 1);
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(list, "items"), 0),
						  "open")));
	json_decref(list);
	assert_int_equal(merge_accept(&f->cx, &f->sup, bc, NULL, NULL, NULL, &err), MMIS_ECONFLICT);
	assert_non_null(strstr(err.message, "has since been merged"));

	/* A (with C's records) against B: A and B were rejected, so it is not proposed. */
	res = detect(f, &f->sys);
	assert_int_equal(res.persons, 2);
	assert_int_equal(res.found, 1);
	assert_int_equal(res.proposed, 0);
	assert_int_equal(res.skipped, 1);
	OK(merge_list(&f->cx, &f->sup, "decided", 0, 0, &list, &err));
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 2);
	json_decref(list);
}

static void test_revert_order(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], d[UUID_STR_MAX];
	char ab[UUID_STR_MAX], ad[UUID_STR_MAX];

	cross(f, &f->off, "R1", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 30, a);
	cross(f, &f->off, "R2", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 20, b);
	cross(f, &f->off, "R4", "Smirnov", "Dmitry", "1984-06-12", CROSSING_ENTRY, 10, d);
	char *before = snapshot(f);
	detect(f, &f->sys);
	proposal_of(f, a, b, ab);
	proposal_of(f, a, d, ad);
	OK(merge_accept(&f->cx, &f->sup, ab, a, NULL, NULL, &err));
	/* Then A (holding B's records) into D. */
	OK(merge_accept(&f->cx, &f->sup, ad, d, NULL, NULL, &err));
	char pid[UUID_STR_MAX];
	cross(f, &f->off, "R2", "Smirnov", "Dmitry", NULL, CROSSING_EXIT, 1, pid);
	assert_string_equal(pid, d);

	/* Newest first: A is merged into D, so A-B waits for D-A. */
	assert_int_equal(merge_revert(&f->cx, &f->sup, ab, "mistake", NULL, &err), MMIS_ECONFLICT);
	assert_non_null(strstr(err.message, ad));
	OK(merge_revert(&f->cx, &f->sup, ad, "mistake", NULL, &err));
	OK(merge_revert(&f->cx, &f->sup, ab, "mistake", NULL, &err));
	/* B's document's exit recorded meanwhile went back with it, through both reverts. */
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM crossing WHERE person_id = '%s'", b);
	assert_int_equal(count(f, sql), 2);
	delete_since(f, 5);
	char *after = snapshot(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_permissions_and_reach(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct actor other_sup, caseworker, officer2;
	struct dedup_result res;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX];
	json_t *list = NULL, *m = NULL;

	make_actor(f, "sup2", "border_supervisor", "BP2", &other_sup);
	make_actor(f, "cworker", "case_worker", "CSW", &caseworker);
	make_actor(f, "off2", "border_officer", "BP2", &officer2);
	two_records(f, a, b);

	/* Officers and case workers review nothing and detect nothing. */
	struct dedup_options o = { 0 };
	assert_int_equal(dedup_run(&f->cx, &f->off, &o, &res, &err), MMIS_EDENIED);
	assert_non_null(strstr(err.message, "border.supervise"));
	assert_int_equal(dedup_run(&f->cx, &caseworker, &o, &res, &err), MMIS_EDENIED);
	assert_int_equal(merge_list(&f->cx, &f->off, NULL, 0, 0, &list, &err), MMIS_EDENIED);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'merge.detect' AND "
			       "outcome = 'denied'"), 2);

	/* A supervisor of another agency reaches none of these persons: nothing to compare. */
	res = detect(f, &other_sup);
	assert_int_equal(res.persons, 0);
	/* The BP supervisor's detection compares the BP's travellers. */
	res = detect(f, &f->sup);
	assert_int_equal(res.persons, 3);
	assert_int_equal(res.proposed, 1);
	proposal_of(f, a, b, id);

	/* Outside reach: not found, never a hint that it exists. */
	OK(merge_list(&f->cx, &other_sup, "all", 0, 0, &list, &err));
	assert_int_equal(json_integer_value(json_object_get(list, "total")), 0);
	json_decref(list);
	assert_int_equal(merge_get(&f->cx, &other_sup, id, &m, &err), MMIS_ENOTFOUND);
	assert_int_equal(merge_accept(&f->cx, &other_sup, id, NULL, NULL, &m, &err), MMIS_ENOTFOUND);
	assert_int_equal(merge_reject(&f->cx, &officer2, id, NULL, &m, &err), MMIS_EDENIED);

	/* Once the other agency records one of them, one person is in its reach: still not both. */
	cross(f, &officer2, "R2000002", "Smirnov", "Dmitry", NULL, CROSSING_EXIT, 1, NULL);
	assert_int_equal(merge_get(&f->cx, &other_sup, id, &m, &err), MMIS_ENOTFOUND);
	cross(f, &officer2, "R1000001", "Smirnov", "Dmitry", NULL, CROSSING_ENTRY, 0, NULL);
	OK(merge_get(&f->cx, &other_sup, id, &m, &err));
	json_decref(m);

	/* The BP supervisor accepts; the system (the command line) may too. */
	OK(merge_accept(&f->cx, &f->sup, id, NULL, NULL, NULL, &err));
	OK(merge_get(&f->cx, &f->sys, id, &m, &err));
	json_decref(m);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action LIKE 'merge.%' AND "
			       "outcome = 'denied'"), 4);
}

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct dedup_result res;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], id[UUID_STR_MAX], note[DEDUP_NOTE_MAX + 2];
	json_t *list = NULL, *m = NULL;

	two_records(f, a, b);
	struct dedup_options o = { .threshold = 0.3 };
	assert_int_equal(dedup_run(&f->cx, &f->sys, &o, &res, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "threshold");
	o.threshold = 1.5;
	assert_int_equal(dedup_run(&f->cx, &f->sys, &o, &res, &err), MMIS_EINVAL);
	o.threshold = 0;
	o.max_persons = 2;
	assert_int_equal(dedup_run(&f->cx, &f->sys, &o, &res, &err), MMIS_ETOOBIG);
	assert_non_null(strstr(err.message, "mmis dedup"));
	assert_int_equal(count(f, "SELECT count(*) FROM person_merge"), 0);

	detect(f, &f->sys);
	proposal_of(f, a, b, id);
	assert_int_equal(merge_list(&f->cx, &f->sys, "maybe", 0, 0, &list, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "status");
	assert_int_equal(merge_list(&f->cx, &f->sys, NULL, MERGE_LIST_MAX + 1, 0, &list, &err),
			 MMIS_EINVAL);
	assert_string_equal(err.field, "limit");
	assert_int_equal(merge_list(&f->cx, &f->sys, NULL, 10, -1, &list, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "offset");
	assert_int_equal(merge_get(&f->cx, &f->sys, "not-an-id", &m, &err), MMIS_ENOTFOUND);
	assert_int_equal(merge_get(&f->cx, &f->sys, "0190d6c4-7a8b-7c3d-8e9f-a0b1c2d3e4f5", &m, &err),
			 MMIS_ENOTFOUND);

	char *before = snapshot(f);
	memset(note, 'x', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	assert_int_equal(merge_accept(&f->cx, &f->sys, id, NULL, note, &m, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "note");
	assert_int_equal(merge_accept(&f->cx, &f->sys, id, NULL, "bell\a", &m, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "note");
	assert_int_equal(merge_accept(&f->cx, &f->sys, id, NULL, "bad \xff utf-8", &m, &err),
			 MMIS_EINVAL);
	assert_int_equal(merge_accept(&f->cx, &f->sys, id, "0190d6c4-7a8b-7c3d-8e9f-a0b1c2d3e4f5",
				      NULL, &m, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "survivor");
	assert_int_equal(merge_revert(&f->cx, &f->sys, id, "not accepted yet", &m, &err),
			 MMIS_ECONFLICT);
	char *after = snapshot(f);
	assert_string_equal(before, after);
	assert_null(m);
	free(before);
	free(after);
	/* A note with a line break is fine. */
	OK(merge_reject(&f->cx, &f->sys, id, "checked the photos:\nnot the same man", NULL, &err));
}

/* Every column that references person(id) is either merge bookkeeping or in person_refs: a table
 * added later without its line there fails here. */
static void test_every_reference_is_moved(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct store_stmt *st;
	bool row = false;
	size_t found = 0;
	const char *sql = testdb_backend() == STORE_SQLITE ?
		"SELECT m.name, k.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) k "
		"WHERE m.type = 'table' AND k.\"table\" = 'person'" :
		"SELECT c.table_name, c.column_name FROM information_schema.referential_constraints r "
		"JOIN information_schema.key_column_usage c ON c.constraint_name = r.constraint_name "
		"JOIN information_schema.key_column_usage p ON p.constraint_name = "
		"r.unique_constraint_name WHERE p.table_name = 'person'";

	OK(store_prepare(f->s, sql, &st, &err));
	while (!store_step(st, &row, &err) && row) {
		const char *t = store_column_text(st, 0), *c = store_column_text(st, 1);
		bool listed = false;
		if (!strcmp(t, "person") || !strcmp(t, "person_merge"))
			continue; /* the merge's own bookkeeping */
		for (size_t i = 0; i < person_ref_count(); i++)
			listed = listed || (!strcmp(person_ref_at(i)->table, t) &&
					    !strcmp(person_ref_at(i)->column, c));
		if (!listed)
			fail_msg("%s.%s references person(id) but is not in person_refs "
				 "(lib/person/merge.c): a merge would leave its rows behind", t, c);
		found++;
	}
	store_finalize(st);
	assert_int_equal(found, person_ref_count());
}

/* A record known by name alone (a refusal without a birth date) is not proposed against every
 * traveller of that name; a year of birth that agrees is enough, a shared document too. */
static void test_names_alone(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct dedup_result res;
	char a[UUID_STR_MAX], b[UUID_STR_MAX], c[UUID_STR_MAX], id[UUID_STR_MAX];

	cross(f, &f->off, "R1", "Ivanov", "Ivan", "1970-01-02", CROSSING_ENTRY, 30, a);
	cross(f, &f->off, "R2", "Ivanov", "Ivan", NULL, CROSSING_ENTRY, 20, b);
	res = detect(f, &f->sys);
	assert_int_equal(res.proposed, 0);
	assert_int_equal(res.names_only, 1);
	cross(f, &f->off, "R3", "Ivanov", "Ivan", "1970", CROSSING_ENTRY, 10, c);
	res = detect(f, &f->sys);
	assert_int_equal(res.proposed, 1);
	assert_int_equal(res.names_only, 2);
	proposal_of(f, a, c, id);

	/* The status of records taken together is a supervisor's read, audited, of visible persons. */
	json_t *st = NULL;
	const char *ids[] = { a, "0190d6c4-7a8b-7c3d-8e9f-a0b1c2d3e4f5" };
	assert_int_equal(border_status_together(&f->cx, &f->sup, ids, 2, &st, &err), MMIS_ENOTFOUND);
	assert_int_equal(border_status_together(&f->cx, &f->sup, ids, 0, &st, &err), MMIS_EINVAL);
	struct actor cw;
	make_actor(f, "cworker", "case_worker", "CSW", &cw);
	assert_int_equal(border_status_together(&f->cx, &cw, ids, 1, &st, &err), MMIS_EDENIED);
	OK(border_status_together(&f->cx, &f->sup, ids, 1, &st, &err));
	json_decref(st);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'person.status'"), 4);
}

static void progress_count(void *ctx, enum dedup_phase phase, uint64_t done, uint64_t total)
{
	unsigned *seen = ctx;
	(void)done;
	(void)total;
	seen[phase]++;
}

static void test_progress_and_pairs(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct dedup_result res;
	unsigned seen[4] = { 0 };
	char a[UUID_STR_MAX], b[UUID_STR_MAX];
	struct dedup_options o = { .want_pairs = true, .progress = progress_count, .progress_ctx = seen };

	two_records(f, a, b);
	OK(dedup_run(&f->cx, &f->sys, &o, &res, &err));
	for (int i = 0; i < 4; i++)
		assert_true(seen[i] >= 1);
	json_t *pr = json_array_get(res.pairs, 0);
	assert_non_null(json_string_value(json_object_get(pr, "merge_id")));
	json_t *ps = json_object_get(pr, "persons");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 0), "id")),
			    strcmp(a, b) < 0 ? a : b);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 0), "birth_date")),
			    "1984-06-12");
	json_decref(res.pairs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_propose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_moves_and_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revert_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_keeps_statistics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revert_refuses_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_and_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revert_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_and_reach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_reference_is_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress_and_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_alone, setup, teardown),
	};
	int rc;

	if (!testdb_start())
		return 1;
	rc = cmocka_run_group_tests_name(testdb_backend_name(), tests, NULL, NULL);
	testdb_finish();
	return rc;
}
