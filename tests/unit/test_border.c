/*
 * test_border.c - border records: BCPs and their import, crossings (same document, same person;
 * flags; refused input leaves nothing behind), stays and authorisations, refusals, overstayers,
 * the summary, the crossing import and permissions. Runs on SQLite and PostgreSQL
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
#include "testdb.h"

#define DAY_MS (86400 * 1000LL)

static long long count(struct testdb_fx *f, const char *sql)
{
	return testdb_int(f->s, sql);
}

/* A user of `role` in agency `agency` (made when missing), as an actor. */
static void make_actor(struct testdb_fx *f, const char *name, const char *role, const char *agency,
		       struct actor *out)
{
	testdb_actor(&f->cx, &f->sys, name, role, agency, "police", out);
}

static struct crossing_in traveller(const char *state, const char *number, const char *bcp,
				    enum crossing_direction dir, int64_t at_ms)
{
	struct crossing_in in = { 0 };
	in.document_type = "P";
	in.issuing_state = state;
	in.document_number = number;
	in.surname = "Petrović";
	in.given_names = "Marko";
	in.sex = 'M';
	in.bcp = bcp;
	in.direction = dir;
	in.at_ms = at_ms;
	return in;
}

static const char *pid_of(json_t *res)
{
	return json_string_value(json_object_get(json_object_get(res, "person"), "id"));
}

static bool has_flag(json_t *res, const char *flag)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(res, "flags"), i, v)
		if (!strcmp(json_string_value(v), flag))
			return true;
	return false;
}

static int64_t days_ago(int d)
{
	return timestamp_now() - (int64_t)d * DAY_MS;
}

static void test_reference_data(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	json_t *list;

	assert_true(count(f, "SELECT count(*) FROM bcp") >= 25);
	assert_int_equal(count(f, "SELECT count(*) FROM bcp WHERE code = 'MNE-DBR' AND neighbour = 'HRV' "
			       "AND kind = 'road'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM bcp WHERE kind = 'air'"), 2);
	OK(bcp_list(&f->cx, &f->sys, &list, &err));
	assert_true(json_array_size(list) >= 25);
	json_decref(list);
	assert_int_equal(refusal_ground_count(), 9);
	assert_non_null(refusal_ground_find('F'));
	assert_null(refusal_ground_find('J'));
	assert_non_null(strstr(refusal_ground_find('F')->text, "90 days"));

	char out[32], c[4];
	OK(border_doc_number_norm(" ab-12 34<", out, &err));
	assert_string_equal(out, "AB1234");
	assert_int_equal(border_doc_number_norm("a$b", out, &err), MMIS_EINVAL);
	OK(border_country_norm("D<<", "x", c, &err));
	assert_string_equal(c, "DEU");
	OK(border_country_norm("rks", "x", c, &err));
	assert_string_equal(c, "RKS");
	assert_int_equal(border_country_norm("ZZZ", "nationality", c, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "nationality");
}

static void test_bcp_add_and_import(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor sup;
	json_t *errors = NULL;
	int64_t n = 0;
	FILE *in;

	OK(bcp_add(&f->cx, &f->sys, "MNE-TST", "Test crossing", "road", "SRB", &err));
	assert_int_equal(bcp_add(&f->cx, &f->sys, "MNE-TST", "Again", "road", NULL, &err),
			 MMIS_ECONFLICT);
	assert_int_equal(bcp_add(&f->cx, &f->sys, "MNE-BUS", "Bus", "bus", NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "kind");
	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	assert_int_equal(bcp_add(&f->cx, &sup, "MNE-SUP", "By a supervisor", "road", NULL, &err),
			 MMIS_EDENIED);

	static const char bad[] = "code,name,kind,neighbour\n"
				  "MNE-AA1,One,road,SRB\n"
				  "MNE-AA2,Two,rail,\n"
				  "MNE-AA3,Three,air,\n"
				  "MNE-AA4,Four,sea,\n"
				  "MNE-AA5,Five,road,XXQ\n"
				  "MNE-AA6,Six,bus,ALB\n"
				  "MNE-TST,Dup,road,\n";
	in = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(bcp_import(&f->cx, &f->sys, in, "bad.csv", &n, &errors, &err), MMIS_EINVAL);
	fclose(in);
	assert_int_equal(json_array_size(errors), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 0), "line")), 6);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 1), "line")), 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "message")),
			    "kind 'bus' is not one of road, rail, air, sea");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 2), "line")), 8);
	json_decref(errors);
	assert_int_equal(count(f, "SELECT count(*) FROM bcp WHERE code LIKE 'MNE-AA%'"), 0);

	static const char good[] = "code,name,kind,neighbour\nMNE-AA1,One,road,SRB\n\"MNE-AA2\",\"Two, with a comma\",rail,\n";
	in = fmemopen((void *)good, sizeof(good) - 1, "r");
	OK(bcp_import(&f->cx, &f->sys, in, "good.csv", &n, NULL, &err));
	fclose(in);
	assert_int_equal(n, 2);
	assert_int_equal(count(f, "SELECT count(*) FROM bcp WHERE name = 'Two, with a comma'"), 1);
}

static void test_crossings(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor off;
	struct crossing_in in;
	json_t *a, *b, *c;

	make_actor(f, "off", "border_officer", "BP", &off);
	in = traveller("SRB", "AB123", "MNE-DOB", CROSSING_ENTRY, days_ago(10));
	in.expiry_date = (struct date){ 2035, 1, 1, DATE_DAY };
	in.expiry_known = true;
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	assert_true(json_is_true(json_object_get(json_object_get(a, "status"), "present")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "status"), "days_used")), 1);

	/* The same document, written differently: the same person; the exit closes the stay. */
	in = traveller("srb", "ab 123", "MNE-DOB", CROSSING_EXIT, days_ago(1));
	OK(crossing_record(&f->cx, &off, &in, &b, &err));
	assert_string_equal(pid_of(a), pid_of(b));
	assert_false(has_flag(b, "exit_without_entry"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "status"), "days_used")), 10);
	assert_false(json_is_true(json_object_get(json_object_get(b, "status"), "present")));

	/* Another exit: no entry before it, recorded and flagged. */
	in = traveller("SRB", "AB123", "MNE-DOB", CROSSING_EXIT, 0);
	OK(crossing_record(&f->cx, &off, &in, &c, &err));
	assert_true(has_flag(c, "exit_without_entry"));
	assert_int_equal(count(f, "SELECT count(*) FROM crossing WHERE flags = 'exit_without_entry'"), 1);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	assert_int_equal(count(f, "SELECT count(*) FROM person"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM travel_document"), 1);

	/* Refused, nothing saved. */
	long long before = count(f, "SELECT count(*) FROM crossing");
	in = traveller("BIH", "NEW1", "MNE-SIT", CROSSING_ENTRY, timestamp_now() + 3600 * 1000LL);
	assert_int_equal(crossing_record(&f->cx, &off, &in, &a, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "time");
	in = traveller("BIH", "NEW1", "MNE-NOPE", CROSSING_ENTRY, 0);
	assert_int_equal(crossing_record(&f->cx, &off, &in, &a, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "bcp");
	in = traveller("BIH", "NEW1", "MNE-SIT", CROSSING_ENTRY, 0);
	in.surname = NULL;
	assert_int_equal(crossing_record(&f->cx, &off, &in, &a, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "surname");
	assert_int_equal(count(f, "SELECT count(*) FROM person"), 1);

	/* An exit before the entry it would close. */
	in = traveller("RKS", "K1", "MNE-KUL", CROSSING_ENTRY, days_ago(1));
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	json_decref(a);
	in = traveller("RKS", "K1", "MNE-KUL", CROSSING_EXIT, days_ago(2));
	assert_int_equal(crossing_record(&f->cx, &off, &in, &a, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "time");
	assert_int_equal(count(f, "SELECT count(*) FROM crossing"), before + 1);

	/* An expired document: recorded with a warning and a flag. */
	in = traveller("TUR", "U1", "MNE-TGD", CROSSING_ENTRY, 0);
	in.expiry_date = (struct date){ 2020, 1, 1, DATE_DAY };
	in.expiry_known = true;
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	assert_true(has_flag(a, "document_expired"));
	assert_int_equal(json_array_size(json_object_get(a, "warnings")), 1);
	json_decref(a);

	/* Audited: the ok ones and the failed ones. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'crossing.create' "
			       "AND outcome = 'ok'"), 5);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'crossing.create' "
			       "AND outcome = 'failed'"), 4);
}

static void test_persons_and_scope(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor off, other, analyst, sup;
	struct crossing_in in;
	json_t *a, *p, *list;
	char pid[UUID_STR_MAX];

	make_actor(f, "off", "border_officer", "BP", &off);
	make_actor(f, "other", "border_officer", "BP2", &other);
	make_actor(f, "ana", "analyst", "DM", &analyst);
	make_actor(f, "sup", "border_supervisor", "BP2", &sup);
	in = traveller("ALB", "A77", "MNE-SUK", CROSSING_ENTRY, days_ago(3));
	in.birth_date = (struct date){ 1990, 0, 0, DATE_YEAR };
	in.birth_known = true;
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	snprintf(pid, sizeof(pid), "%s", pid_of(a));
	json_decref(a);
	OK(person_get(&f->cx, &off, pid, &p, &err));
	assert_string_equal(json_string_value(json_object_get(p, "birth_date")), "1990");
	assert_int_equal(json_array_size(json_object_get(p, "crossings")), 1);
	assert_int_equal(json_array_size(json_object_get(p, "documents")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "status"), "days_used")), 4);
	json_decref(p);
	assert_int_equal(person_get(&f->cx, &other, pid, &p, &err), MMIS_ENOTFOUND);
	assert_int_equal(person_get(&f->cx, &analyst, pid, &p, &err), MMIS_EDENIED);
	OK(person_get(&f->cx, &sup, pid, &p, &err));
	json_decref(p);
	OK(person_find(&f->cx, &off, "a-77", "ALB", &list, &err));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	OK(person_find(&f->cx, &other, "A77", NULL, &list, &err));
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'person.read'"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'person.read' AND "
			       "outcome = 'denied'"), 1);
	in = traveller("ALB", "A78", "MNE-SUK", CROSSING_ENTRY, 0);
	assert_int_equal(crossing_record(&f->cx, &analyst, &in, &a, &err), MMIS_EDENIED);
}

static void test_overstayers_and_authorisations(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor off, sup;
	struct crossing_in in;
	json_t *a, *list, *s;
	char pid[UUID_STR_MAX], pid2[UUID_STR_MAX];
	struct date today, from, to;

	make_actor(f, "off", "border_officer", "BP", &off);
	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	in = traveller("RUS", "R1", "MNE-TGD", CROSSING_ENTRY, days_ago(100));
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	snprintf(pid, sizeof(pid), "%s", pid_of(a));
	json_decref(a);
	in = traveller("UKR", "U2", "MNE-TGD", CROSSING_ENTRY, days_ago(120));
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	snprintf(pid2, sizeof(pid2), "%s", pid_of(a));
	json_decref(a);
	in = traveller("TUR", "T3", "MNE-TGD", CROSSING_ENTRY, days_ago(50));
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	json_decref(a);
	assert_int_equal(border_overstayers(&f->cx, &off, NULL, &list, &err), MMIS_EDENIED);
	OK(border_overstayers(&f->cx, &sup, NULL, &list, &err));
	assert_int_equal(json_array_size(list), 2);
	/* Longest first. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "person_id")), pid2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "overstay_days")), 11);
	size_t len = 0;
	char *csv = border_overstayers_csv(list, &len);
	assert_non_null(csv);
	assert_true(!strncmp(csv, "person_id,surname,", 18));
	assert_non_null(strstr(csv, pid));
	free(csv);
	json_decref(list);

	/* A residence permit decides the status instead. */
	date_today(&today);
	date_add_days(&today, -200, &from);
	date_add_days(&today, 200, &to);
	OK(stay_authorisation_add(&f->cx, &sup, pid2, "residence_permit", &from, &to, 0, NULL, NULL, &err));
	assert_int_equal(stay_authorisation_add(&f->cx, &sup, pid2, "tourist", &from, &to, 0, NULL, NULL, &err),
			 MMIS_EINVAL);
	OK(border_overstayers(&f->cx, &sup, NULL, &list, &err));
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "person_id")), pid);
	json_decref(list);
	OK(person_get(&f->cx, &sup, pid2, &a, &err));
	s = json_object_get(a, "status");
	assert_string_equal(json_string_value(json_object_get(s, "basis")), "residence_permit");
	json_decref(a);

	/* On an earlier day nobody had overstayed yet. */
	struct date earlier;
	date_add_days(&today, -40, &earlier);
	OK(border_overstayers(&f->cx, &sup, &earlier, &list, &err));
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	/* After the exit, no longer present. */
	in = traveller("RUS", "R1", "MNE-TGD", CROSSING_EXIT, 0);
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "status"), "days_used")), 101);
	json_decref(a);
	OK(border_overstayers(&f->cx, &sup, NULL, &list, &err));
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

/* A person who entered `ago` days ago and is still there; their id into pid. */
static void present_since(struct testdb_fx *f, const struct actor *off, const char *number, int ago,
			  char pid[UUID_STR_MAX])
{
	struct mmis_error err;
	struct crossing_in in = traveller("UKR", number, "MNE-TGD", CROSSING_ENTRY, days_ago(ago));
	json_t *a;
	OK(crossing_record(&f->cx, off, &in, &a, &err));
	snprintf(pid, UUID_STR_MAX, "%s", pid_of(a));
	json_decref(a);
}

static json_t *status_now(struct testdb_fx *f, const struct actor *a, const char *pid)
{
	struct mmis_error err;
	json_t *p, *s;
	OK(person_get(&f->cx, a, pid, &p, &err));
	s = json_incref(json_object_get(p, "status"));
	json_decref(p);
	return s;
}

static long long jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void day_str(int offset, char out[DATE_STR_MAX])
{
	struct date today, d;
	date_today(&today);
	date_add_days(&today, offset, &d);
	date_format(&d, out);
}

static bool listed(const json_t *list, const char *pid, long long *over)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *o = json_array_get(list, i);
		if (!strcmp(jstr(o, "person_id"), pid)) {
			*over = jint(o, "overstay_days");
			return true;
		}
	}
	return false;
}

/* Stay authorisations as the issue asks: a residence permit's or long-stay visa's days are out
 * of the 90/180 count and the permit decides the status while valid; a short-stay visa's limit
 * is its own number of days over its validity. */
static void test_authorisation_rules(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor off, sup;
	struct date today, from, to;
	char pa[UUID_STR_MAX], pb[UUID_STR_MAX], pc[UUID_STR_MAX], pd[UUID_STR_MAX], d[DATE_STR_MAX];
	json_t *s, *list, *p;
	long long over = 0;

	make_actor(f, "off", "border_officer", "BP", &off);
	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	date_today(&today);
	present_since(f, &off, "PA1", 100, pa);
	present_since(f, &off, "PB1", 50, pb);
	present_since(f, &off, "PC1", 10, pc);
	present_since(f, &off, "PD1", 200, pd);

	/* Who may, and what is refused. */
	date_add_days(&today, -60, &from);
	date_add_days(&today, 100, &to);
	assert_int_equal(stay_authorisation_add(&f->cx, &off, pa, "residence_permit", &from, &to, 0,
						NULL, NULL, &err), MMIS_EDENIED);
	assert_int_equal(stay_authorisation_add(&f->cx, &sup, pa, "residence_permit", &from, &to, 30,
						NULL, NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "days_allowed");
	assert_int_equal(stay_authorisation_add(&f->cx, &sup, pa, "visa", &from, &to, 500, NULL,
						NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "days_allowed");
	assert_int_equal(stay_authorisation_add(&f->cx, &sup, pa, "visa", &to, &from, 0, NULL, NULL,
						&err), MMIS_EINVAL);
	assert_string_equal(err.field, "valid_to");
	assert_int_equal(stay_authorisation_add(&f->cx, &sup, pa, "visa", &from, &to, 0, "#!",
						NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "number");
	assert_int_equal(count(f, "SELECT count(*) FROM stay_authorisation"), 0);

	/* A: 101 days present, an overstayer under 90/180 ... */
	s = status_now(f, &sup, pa);
	assert_string_equal(jstr(s, "basis"), "90/180");
	assert_int_equal(jint(s, "days_used"), 101);
	assert_int_equal(jint(s, "limit"), 90);
	json_decref(s);
	/* ... until a residence permit from 60 days ago: its days do not count (40 left), and it
	 * decides the status. */
	OK(stay_authorisation_add(&f->cx, &sup, pa, "residence_permit", &from, &to, 0, "ab-123 45",
				  NULL, &err));
	s = status_now(f, &sup, pa);
	assert_string_equal(jstr(s, "basis"), "residence_permit");
	assert_int_equal(jint(s, "days_used"), 40);
	assert_int_equal(jint(s, "overstay_days"), 0);
	assert_true(json_is_null(json_object_get(s, "limit")));
	day_str(100, d);
	assert_string_equal(jstr(s, "may_stay_until"), d);
	char want[80];
	snprintf(want, sizeof(want), "residence permit valid until %s", d);
	assert_string_equal(jstr(s, "summary"), want);
	assert_string_equal(jstr(json_object_get(s, "authorisation"), "number"), "AB12345");
	json_decref(s);
	OK(person_get(&f->cx, &sup, pa, &p, &err));
	assert_string_equal(jstr(json_array_get(json_object_get(p, "stay_authorisations"), 0),
				 "number"), "AB12345");
	json_decref(p);

	/* B: 51 days present, under a short-stay visa of 30 days valid from 55 days ago. */
	date_add_days(&today, -55, &from);
	date_add_days(&today, 30, &to);
	OK(stay_authorisation_add(&f->cx, &sup, pb, "visa", &from, &to, 30, NULL, NULL, &err));
	s = status_now(f, &sup, pb);
	assert_string_equal(jstr(s, "basis"), "visa");
	assert_int_equal(jint(s, "limit"), 30);
	assert_int_equal(jint(s, "days_used"), 51);
	assert_int_equal(jint(s, "days_remaining"), 0);
	assert_int_equal(jint(s, "overstay_days"), 21);
	assert_true(json_is_null(json_object_get(s, "may_stay_until")));
	day_str(30, d);
	snprintf(want, sizeof(want), "visa valid until %s: 51 of 30 days used", d);
	assert_string_equal(jstr(s, "summary"), want);
	json_decref(s);

	/* C: 11 days present under a visa for its whole validity (26 days, to 5 days ahead). */
	date_add_days(&today, -20, &from);
	date_add_days(&today, 5, &to);
	OK(stay_authorisation_add(&f->cx, &sup, pc, "visa", &from, &to, 0, "V-1", NULL, &err));
	s = status_now(f, &sup, pc);
	assert_int_equal(jint(s, "limit"), 26);
	assert_int_equal(jint(s, "days_used"), 11);
	assert_int_equal(jint(s, "days_remaining"), 15);
	day_str(5, d);
	assert_string_equal(jstr(s, "may_stay_until"), d); /* the validity ends first */
	json_decref(s);

	/* D: 201 days present; a long-stay visa covered days -200..-100, which do not count after it
	 * ends either: 100 days of the last 180 count, 10 over. */
	date_add_days(&today, -200, &from);
	date_add_days(&today, -100, &to);
	OK(stay_authorisation_add(&f->cx, &sup, pd, "long_stay_visa", &from, &to, 0, NULL, NULL,
				  &err));
	s = status_now(f, &sup, pd);
	assert_string_equal(jstr(s, "basis"), "90/180");
	assert_int_equal(jint(s, "days_used"), 100);
	json_decref(s);

	/* The overstayers: B (visa, 21 over) and D (10 over); not A (permit) nor C. */
	OK(border_overstayers(&f->cx, &sup, NULL, &list, &err));
	assert_true(listed(list, pb, &over));
	assert_int_equal(over, 21);
	assert_true(listed(list, pd, &over));
	assert_int_equal(over, 10);
	assert_false(listed(list, pa, &over));
	assert_false(listed(list, pc, &over));
	json_decref(list);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = "
			       "'stay_authorisation.create' AND outcome = 'ok'"), 4);
}

static void test_refusals_and_summary(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct actor off, sup;
	struct refusal_in rin = { 0 };
	json_t *a, *list, *sum;

	make_actor(f, "off", "border_officer", "BP", &off);
	make_actor(f, "sup", "border_supervisor", "BP", &sup);
	rin.who = traveller("CHN", "E12345", "MNE-TGD", CROSSING_ENTRY, 0);
	rin.grounds = "A,C";
	rin.note = "no visa";
	OK(refusal_record(&f->cx, &off, &rin, &a, &err));
	assert_int_equal(json_array_size(json_object_get(json_object_get(a, "refusal"), "grounds")), 2);
	json_decref(a);
	rin.grounds = "Z";
	assert_int_equal(refusal_record(&f->cx, &off, &rin, &a, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "grounds");
	rin.grounds = "";
	assert_int_equal(refusal_record(&f->cx, &off, &rin, &a, &err), MMIS_EINVAL);
	assert_int_equal(count(f, "SELECT count(*) FROM refusal"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM refusal_ground"), 2);
	OK(refusal_list(&f->cx, &off, 0, 0, 100, &list, &err));
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	struct crossing_in in = traveller("ISR", "I1", "MNE-TGD", CROSSING_ENTRY, 0);
	OK(crossing_record(&f->cx, &off, &in, &a, &err));
	json_decref(a);
	assert_int_equal(border_summary(&f->cx, &off, NULL, &sum, &err), MMIS_EDENIED);
	OK(border_summary(&f->cx, &sup, NULL, &sum, &err));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "totals"), "entries")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "totals"), "refusals")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(sum, "refusals"), 2),
							    "count")), 1);
	json_decref(sum);
}

static void test_import(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct crossing_import_result res;
	struct actor analyst;
	char *text;
	size_t len;
	FILE *in;

	static const char head[] = "time,bcp,direction,document_type,issuing_state,document_number,"
				   "surname,given_names,sex,birth_date,nationality,expiry_date,"
				   "transport,purpose\n";
	static const char rows[] =
		"2025-07-01T10:00:00Z,MNE-DBR,entry,P,HRV,H1,Horvat,Ivan,M,1975,HRV,2030-01-01,car,tourism\n"
		"2025-07-10T10:00:00Z,MNE-DBR,exit,P,HRV,h-1,Horvat,Ivan,M,1975,HRV,2030-01-01,car,tourism\n"
		"2025-07-11T10:00:00Z,MNE-KUL,exit,I,RKS,K9,Krasniqi,Arben,M,,RKS,,car,\n"
		"\"2025-07-12T10:00:00Z\",MNE-TGD,entry,P,D,C01X,\"Müller, Jr\",Hans,M,1970-03,D,,aircraft,\n"
		"2025-07-13T10:00:00+02:00,MNE-BAR,entry,P,ITA,YA1,Rossi,Mario,M,1960-01-01,ITA,,vessel,\n"
		"2025-07-14T10:00:00Z,MNE-BAR,exit,P,ITA,YA1,Rossi,Mario,M,1960-01-01,ITA,,vessel,\n";
	len = strlen(head) + strlen(rows) + 1;
	text = malloc(len);
	snprintf(text, len, "%s%s", head, rows);
	in = fmemopen(text, strlen(text), "r");
	OK(crossing_import(&f->cx, &f->sys, in, "good.csv", NULL, NULL, &res, &err));
	fclose(in);
	json_decref(res.errors);
	assert_int_equal(res.imported, 6);
	assert_int_equal(res.new_persons, 4);
	assert_int_equal(res.flagged, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM crossing WHERE flags = 'exit_without_entry'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM person WHERE surname = 'MUELLER, JR'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM travel_document WHERE issuing_state = 'DEU'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'crossing.import'"), 1);
	free(text);

	/* Bad lines: all reported with their numbers, nothing saved. */
	static const char bad[] =
		"time,bcp,direction,document_type,issuing_state,document_number,surname\n"
		"2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,N1,A\n"
		"2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,N2,B\n"
		"2025-08-01T10:00:00Z,MNE-XYZ,entry,P,HRV,N3,C\n"
		"2025-08-01T10:00:00Z,MNE-DBR,sideways,P,HRV,N4,D\n"
		"2025-08-01T10:00:00Z,MNE-DBR,entry,P,QQQ,N5,E\n"
		"2025-02-30T10:00:00Z,MNE-DBR,entry,P,HRV,N6,F\n"
		"2999-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,N7,G\n"
		"2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,N8\n";
	in = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(crossing_import(&f->cx, &f->sys, in, "bad.csv", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	fclose(in);
	assert_int_equal(res.imported, 0);
	assert_int_equal(json_array_size(res.errors), 6);
	static const struct { int line; const char *field; } want[] = {
		{ 4, "bcp" }, { 5, "direction" }, { 6, "issuing_state" }, { 7, "time" },
		{ 8, "time" }, { 9, "surname" },
	};
	for (size_t i = 0; i < 6; i++) {
		json_t *e = json_array_get(res.errors, i);
		assert_int_equal(json_integer_value(json_object_get(e, "line")), want[i].line);
		assert_string_equal(json_string_value(json_object_get(e, "field")), want[i].field);
	}
	json_decref(res.errors);
	assert_non_null(strstr(err.message, "6 bad lines, nothing imported; line 4"));
	assert_int_equal(count(f, "SELECT count(*) FROM person WHERE surname IN ('A', 'B')"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM crossing"), 6);
	assert_int_equal(count(f, "SELECT count(*) FROM audit_event WHERE action = 'crossing.import' "
			       "AND outcome = 'failed'"), 1);

	/* A bad header, and the permission. */
	static const char hdr[] = "time,bcp,direction,colour\n";
	in = fmemopen((void *)hdr, sizeof(hdr) - 1, "r");
	assert_int_equal(crossing_import(&f->cx, &f->sys, in, "h.csv", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	fclose(in);
	json_decref(res.errors);
	assert_non_null(strstr(err.message, "line 1: unknown column 'colour'"));
	make_actor(f, "ana", "analyst", "DM", &analyst);
	in = fmemopen((void *)bad, sizeof(bad) - 1, "r");
	assert_int_equal(crossing_import(&f->cx, &analyst, in, "bad.csv", NULL, NULL, &res, &err),
			 MMIS_EDENIED);
	fclose(in);
	json_decref(res.errors);
}

static void test_import_many(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct crossing_import_result res;
	char *buf = NULL;
	size_t size = 0;
	FILE *w = open_memstream(&buf, &size);

	/* More rows than a batch, documents seen again across batches. */
	fputs("time,bcp,direction,document_type,issuing_state,document_number,surname\n", w);
	for (int i = 0; i < 1000; i++) {
		char at[TIMESTAMP_STR_MAX];
		timestamp_format(1735689600000LL + i * 3600000LL, at);
		fprintf(w, "%s,MNE-DBR,%s,P,SRB,D%d,S%d\n", at, (i / 100) % 2 ? "exit" : "entry",
			i % 100, i % 100);
	}
	fclose(w);
	FILE *in = fmemopen(buf, size, "r");
	OK(crossing_import(&f->cx, &f->sys, in, "many.csv", NULL, NULL, &res, &err));
	fclose(in);
	json_decref(res.errors);
	free(buf);
	assert_int_equal(res.imported, 1000);
	assert_int_equal(res.new_persons, 100);
	assert_int_equal(count(f, "SELECT count(*) FROM crossing"), 1000);
	assert_int_equal(count(f, "SELECT count(*) FROM person"), 100);
}

/* The CSV reader (libcsv): quoting, line ends, a byte order mark, the line a record starts on,
 * and every kind of malformed record reported with its line and column. */
static void test_import_csv(void **state)
{
	struct testdb_fx *f = *state;
	struct mmis_error err;
	struct crossing_import_result res;
	char *buf = NULL;
	size_t size = 0;
	FILE *in, *w;

	static const char good[] =
		"\xef\xbb\xbf" "time, bcp ,direction,document_type,issuing_state,document_number,"
		"surname,given_names,transport\r\n"
		"\r\n"
		"2025-07-01T10:00:00Z,MNE-DBR,entry,P,IRL,OB1,\"O\"\"Brien\",\"Se\xc3\xa1n, \xc3\x93g\",car\r\n"
		"  2025-07-02T10:00:00Z , MNE-DBR ,exit,P,IRL,OB1,\"O\"\"Brien\" ,,\"\"\r\n"
		"2025-07-03T10:00:00Z,MNE-DBR,entry,P,IRL,OB1,O'Brien,,bus";
	in = fmemopen((void *)good, sizeof(good) - 1, "r");
	OK(crossing_import(&f->cx, &f->sys, in, "good.csv", NULL, NULL, &res, &err));
	fclose(in);
	json_decref(res.errors);
	assert_int_equal(res.imported, 3);
	assert_int_equal(count(f, "SELECT count(*) FROM person WHERE given_names_typed = "
			       "'Se\xc3\xa1n, \xc3\x93g'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM person WHERE surname_typed = 'O\"Brien'"), 1);

	w = open_memstream(&buf, &size);
	fputs("time,bcp,direction,document_type,issuing_state,document_number,surname\n", w);
	/* 2-3: one record over two lines (CRLF inside the quotes); a line break is no name */
	fputs("2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q1,\"Two\r\nlines\"\r\n", w);
	fputs("2025-08-01T10:00:00Z,MNE-XYZ,entry,P,HRV,Q2,A\n", w);          /* 4 */
	fputs("2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q3,ab\"c\n", w);      /* 5 */
	fputs("2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q4,\"x\"y\n", w);     /* 6 */
	fputs("2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q5,\"", w);           /* 7 */
	for (int i = 0; i < 5000; i++)
		fputc('n', w);
	fputs("\"\n", w);
	for (int i = 0; i < 40; i++)                                          /* 8 */
		fputs(i ? ",x" : "x", w);
	fputs("\n2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q6,\xc3\x28\n", w);  /* 9 */
	fputs("2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q7,\"a\nb\"\"c\" d\n", w); /* 10-11 */
	fputs("2025-08-01T10:00:00Z,MNE-DBR,entry,P,HRV,Q8,\"never\nclosed\n", w);  /* 12- */
	fclose(w);
	in = fmemopen(buf, size, "r");
	assert_int_equal(crossing_import(&f->cx, &f->sys, in, "bad.csv", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	fclose(in);
	static const struct { int line; const char *field; const char *msg; } want[] = {
		{ 2, "surname", "printable" },
		{ 4, "bcp", "no BCP" },
		{ 5, "surname", "malformed quoting" },
		{ 6, "surname", "malformed quoting" },
		{ 7, "surname", "longer than 4096 bytes" },
		{ 8, "", "more than 32 fields" },
		{ 9, "surname", "not valid UTF-8" },
		{ 10, "surname", "malformed quoting: a quote inside an unquoted field, or text after "
				 "a closing quote (on line 11)" },
		{ 12, "surname", "not closed at the end of the file" },
	};
	size_t nw = sizeof(want) / sizeof(want[0]);
	for (size_t i = 0; i < nw && i < json_array_size(res.errors); i++) {
		json_t *e = json_array_get(res.errors, i);
		const char *field = json_string_value(json_object_get(e, "field"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (json_integer_value(json_object_get(e, "line")) != want[i].line ||
		    (want[i].field ? !field || strcmp(field, want[i].field) : field != NULL) ||
		    !strstr(msg, want[i].msg))
			fail_msg("error %zu: line %lld field %s: %s", i,
				 (long long)json_integer_value(json_object_get(e, "line")),
				 field ? field : "(none)", msg);
	}
	assert_int_equal(json_array_size(res.errors), nw);
	assert_int_equal(res.imported, 0);
	json_decref(res.errors);
	free(buf);
	assert_int_equal(count(f, "SELECT count(*) FROM travel_document WHERE number LIKE 'Q%'"), 0);

	/* Transport and purpose are codes, not free text. */
	static const char codes[] = "time,bcp,direction,document_type,issuing_state,document_number,"
				    "surname,transport,purpose\n"
				    "2025-07-01T10:00:00Z,MNE-TGD,entry,P,IRL,OB2,Byrne,plane,\n"
				    "2025-07-01T10:00:00Z,MNE-TGD,entry,P,IRL,OB3,Byrne,aircraft,fun\n";
	in = fmemopen((void *)codes, sizeof(codes) - 1, "r");
	assert_int_equal(crossing_import(&f->cx, &f->sys, in, "c.csv", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	fclose(in);
	assert_int_equal(json_array_size(res.errors), 2);
	assert_string_equal(jstr(json_array_get(res.errors, 0), "field"), "transport");
	assert_string_equal(jstr(json_array_get(res.errors, 1), "field"), "purpose");
	assert_non_null(strstr(jstr(json_array_get(res.errors, 0), "message"),
			       "transport 'plane' is not one of car, bus,"));
	json_decref(res.errors);
	struct crossing_in ci = traveller("IRL", "OB4", "MNE-TGD", CROSSING_ENTRY, 0);
	json_t *out = NULL;
	ci.purpose = "holiday";
	assert_int_equal(crossing_record(&f->cx, &f->sys, &ci, &out, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "purpose");

	/* The header's own faults name line 1. */
	static const char hdr[] = "time,\"bcp\"x,direction\n";
	in = fmemopen((void *)hdr, sizeof(hdr) - 1, "r");
	assert_int_equal(crossing_import(&f->cx, &f->sys, in, "h.csv", NULL, NULL, &res, &err),
			 MMIS_EINVAL);
	fclose(in);
	json_decref(res.errors);
	assert_non_null(strstr(err.message, "line 1: the header: malformed quoting"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reference_data, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_bcp_add_and_import, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_crossings, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_persons_and_scope, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_overstayers_and_authorisations, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_authorisation_rules, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_and_summary, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_import, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_import_many, testdb_setup, testdb_teardown),
		cmocka_unit_test_setup_teardown(test_import_csv, testdb_setup, testdb_teardown),
	};
	int rc;

	if (!testdb_start())
		return 1;
	rc = cmocka_run_group_tests_name(testdb_backend_name(), tests, NULL, NULL);
	testdb_finish();
	return rc;
}
