/*
 * test_audit.c - the audit trail: the key file, the HMAC chain and its verification against
 * every kind of tampering, listing with filters, and events living and dying with their
 * transaction. Runs on SQLite and PostgreSQL (MMIS_TEST_BACKEND, see testdb.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "../../lib/auth/clock.h"
#include "mmis/audit.h"
#include "mmis/auth.h"
#include "testdb.h"

struct fx {
	struct store *s;
	struct audit_key key;
};

static int64_t fake_ms;
static int64_t fake_now(void)
{
	return fake_ms;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->s = testdb_fresh(NULL);
	randombytes_buf(f->key.bytes, sizeof(f->key.bytes));
	fake_ms = 1700000000000; /* 2023-11-14T22:13:20Z */
	auth_clock_set(fake_now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	auth_clock_set(NULL);
	store_close(f->s);
	free(f);
	return 0;
}

static void append(struct fx *f, const char *user, const char *action, const char *otype,
		   const char *oid, const char *detail)
{
	struct mmis_error err;
	struct actor a;
	struct audit_event ev = { action, otype, oid, AUDIT_OK, detail };

	actor_system(&a);
	if (user) {
		memset(&a, 0, sizeof(a));
		snprintf(a.username, sizeof(a.username), "%s", user);
		snprintf(a.user_id, sizeof(a.user_id), "0190a0a0-0000-7000-8000-%012d", (int)strlen(user));
		a.via = VIA_SESSION;
	}
	OK(audit_append(f->s, &f->key, user ? &a : NULL, &ev, &err));
	fake_ms += 1000;
}

static void append_n(struct fx *f, int n)
{
	char detail[32];
	for (int i = 1; i <= n; i++) {
		snprintf(detail, sizeof(detail), "event %d", i);
		append(f, "alice", "case.read", "case", "0190a0a0-0000-7000-8000-000000000001", detail);
	}
}

static void verify(struct fx *f, struct audit_verify_result *r)
{
	struct mmis_error err;
	OK(audit_verify(f->s, &f->key, NULL, r, &err));
}

static void expect_bad(struct fx *f, int64_t seq, const char *reason_part)
{
	struct audit_verify_result r;

	verify(f, &r);
	if (r.bad_seq != seq || !strstr(r.reason, reason_part))
		fail_msg("expected event %lld bad (%s), got %lld: %s", (long long)seq, reason_part,
			 (long long)r.bad_seq, r.reason);
}

/* ---- the key */

static void test_key_file(void **state)
{
	struct mmis_error err;
	struct audit_key k1, k2;
	char path[512], bad[512];
	struct stat sb;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/k-%d.key", testdb_dir(), rand());
	assert_int_equal(audit_key_load(path, &k1, &err), MMIS_ENOTFOUND);
	OK(audit_key_create(path, &err));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 65);
	OK(audit_key_load(path, &k1, &err));
	OK(audit_key_load(path, &k2, &err));
	assert_memory_equal(k1.bytes, k2.bytes, AUDIT_KEY_BYTES);
	assert_int_equal(audit_key_create(path, &err), MMIS_ECONFLICT);
	OK(audit_key_load(path, &k2, &err));
	assert_memory_equal(k1.bytes, k2.bytes, AUDIT_KEY_BYTES); /* not overwritten */

	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(audit_key_load(path, &k2, &err), MMIS_EDENIED);
	assert_non_null(strstr(err.message, "chmod 600"));

	snprintf(bad, sizeof(bad), "%s/bad-%d.key", testdb_dir(), rand());
	fp = fopen(bad, "w");
	assert_non_null(fp);
	fputs("not hex at all\n", fp);
	fclose(fp);
	assert_int_equal(chmod(bad, 0600), 0);
	assert_int_equal(audit_key_load(bad, &k2, &err), MMIS_EINVAL);
}

/* ---- the chain */

static void test_empty_chain_is_intact(void **state)
{
	struct fx *f = *state;
	struct audit_verify_result r;

	verify(f, &r);
	assert_int_equal(r.checked, 0);
	assert_int_equal(r.bad_seq, 0);
	assert_int_equal(r.head_seq, 0);
}

static void test_append_and_verify(void **state)
{
	struct fx *f = *state;
	struct audit_verify_result r;
	struct store_stmt *st;
	struct mmis_error err;
	bool row = false;

	append_n(f, 5);
	append(f, NULL, "db.init", NULL, NULL, NULL); /* the system, no object, no detail */
	verify(f, &r);
	assert_int_equal(r.checked, 6);
	assert_int_equal(r.bad_seq, 0);
	assert_int_equal(r.head_seq, 6);
	assert_int_equal(strlen(r.head_mac), 64);
	/* The head the walk reported is event 6; the verification itself became event 7. */
	OK(store_prepare(f->s, "SELECT seq, mac FROM audit_event WHERE seq = 6", &st, &err));
	OK(store_step(st, &row, &err));
	assert_true(row);
	assert_string_equal(store_column_text(st, 1), r.head_mac);
	store_finalize(st);
	assert_int_equal(testdb_int(f->s, "SELECT seq FROM audit_head"), 7);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE actor = 'system' "
				    "AND via = 'system' AND actor_id IS NULL AND detail IS NULL"), 1);
}

static void test_wrong_key(void **state)
{
	struct fx *f = *state;

	append_n(f, 3);
	f->key.bytes[0] ^= 1;
	expect_bad(f, 1, "MAC does not match");
}

static void test_modified_row(void **state)
{
	struct fx *f = *state;

	append_n(f, 5);
	testdb_exec(f->s, "UPDATE audit_event SET detail = 'x' WHERE seq = 3");
	expect_bad(f, 3, "MAC does not match");
}

static void test_modified_outcome(void **state)
{
	struct fx *f = *state;

	append_n(f, 4);
	testdb_exec(f->s, "UPDATE audit_event SET outcome = 'denied' WHERE seq = 2");
	expect_bad(f, 2, "MAC");
}

/* Moving bytes from one column to the next keeps the concatenation: the lengths catch it. */
static void test_shifted_bytes_between_columns(void **state)
{
	struct fx *f = *state;

	append_n(f, 3);
	testdb_exec(f->s, "UPDATE audit_event SET object_type = object_type || substr(object_id, 1, 1), "
		    "object_id = substr(object_id, 2) WHERE seq = 2");
	expect_bad(f, 2, "MAC");
}

static void test_null_versus_empty(void **state)
{
	struct fx *f = *state;

	append(f, "bob", "user.list", NULL, NULL, NULL);
	append(f, "bob", "user.list", NULL, NULL, NULL);
	testdb_exec(f->s, "UPDATE audit_event SET object_type = '' WHERE seq = 2");
	expect_bad(f, 2, "MAC");
}

static void test_deleted_row(void **state)
{
	struct fx *f = *state;

	append_n(f, 5);
	testdb_exec(f->s, "DELETE FROM audit_event WHERE seq = 3");
	expect_bad(f, 3, "sequence gap after 2");
}

static void test_deleted_last_row(void **state)
{
	struct fx *f = *state;

	append_n(f, 5);
	testdb_exec(f->s, "DELETE FROM audit_event WHERE seq = 5");
	expect_bad(f, 5, "missing");
}

static void test_deleted_everything(void **state)
{
	struct fx *f = *state;

	append_n(f, 2);
	testdb_exec(f->s, "DELETE FROM audit_event");
	expect_bad(f, 1, "missing");
}

static void test_inserted_row_at_the_end(void **state)
{
	struct fx *f = *state;

	append_n(f, 4);
	testdb_exec(f->s, "INSERT INTO audit_event (seq, id, at, actor, via, action, outcome, mac) "
		    "SELECT 5, '0190a0a0-0000-7000-8000-0000000000ff', at, actor, via, action, outcome, "
		    "mac FROM audit_event WHERE seq = 4");
	expect_bad(f, 5, "MAC");
}

static void test_inserted_row_beyond_the_head(void **state)
{
	struct fx *f = *state;

	/* Even a correct MAC (here: made with the key, then the head put back) is past the head. */
	append_n(f, 4);
	testdb_exec(f->s, "CREATE TABLE saved_head AS SELECT seq, mac FROM audit_head");
	append_n(f, 1);
	testdb_exec(f->s, "UPDATE audit_head SET seq = (SELECT seq FROM saved_head), "
		    "mac = (SELECT mac FROM saved_head)");
	expect_bad(f, 5, "beyond the audit head");
}

static void test_inserted_row_in_the_middle(void **state)
{
	struct fx *f = *state;

	append_n(f, 5);
	testdb_exec(f->s, "UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 3");
	testdb_exec(f->s, "UPDATE audit_event SET seq = seq - 999 WHERE seq > 1000");
	testdb_exec(f->s, "INSERT INTO audit_event (seq, id, at, actor, via, action, outcome, detail, mac) "
		    "SELECT 3, '0190a0a0-0000-7000-8000-0000000000fe', at, actor, via, action, outcome, "
		    "'inserted', mac FROM audit_event WHERE seq = 2");
	testdb_exec(f->s, "UPDATE audit_head SET seq = 6");
	expect_bad(f, 3, "MAC");
}

static void test_swapped_rows(void **state)
{
	struct fx *f = *state;

	append_n(f, 5);
	testdb_exec(f->s, "UPDATE audit_event SET seq = -1 WHERE seq = 2");
	testdb_exec(f->s, "UPDATE audit_event SET seq = 2 WHERE seq = 3");
	testdb_exec(f->s, "UPDATE audit_event SET seq = 3 WHERE seq = -1");
	expect_bad(f, 2, "MAC");
}

static void test_tampered_head(void **state)
{
	struct fx *f = *state;

	append_n(f, 3);
	testdb_exec(f->s, "UPDATE audit_head SET mac = "
		    "'00000000000000000000000000000000000000000000000000000000000000ff'");
	expect_bad(f, 3, "head");
}

/* ---- the transaction */

static void test_rollback_removes_the_event(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct audit_verify_result r;

	append_n(f, 2);
	OK(store_begin(f->s, &err));
	append(f, "alice", "case.update", "case", "x", "rolled back");
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event"), 3);
	OK(store_rollback(f->s, &err));
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event"), 2);
	assert_int_equal(testdb_int(f->s, "SELECT seq FROM audit_head"), 2);

	/* Inside a savepoint: the outer transaction keeps what it had. */
	OK(store_begin(f->s, &err));
	append(f, "alice", "case.update", "case", "x", "kept");
	OK(store_begin(f->s, &err));
	append(f, "alice", "case.update", "case", "x", "rolled back");
	OK(store_rollback(f->s, &err));
	append(f, "alice", "case.update", "case", "x", "kept too");
	OK(store_commit(f->s, &err));
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event"), 4);
	verify(f, &r);
	assert_int_equal(r.bad_seq, 0);
	assert_int_equal(r.checked, 4);
}

static void test_event_validation_and_origin(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct audit_event ev = { .action = "" };
	struct actor a;
	json_t *out;

	assert_int_equal(audit_append(f->s, &f->key, NULL, &ev, &err), MMIS_EINVAL);
	assert_int_equal(audit_append(f->s, &f->key, NULL, NULL, &err), MMIS_EINVAL);
	actor_system(&a);
	snprintf(a.origin, sizeof(a.origin), "os user root");
	ev = (struct audit_event){ "user.create", "user", "u1", AUDIT_FAILED, "invalid role" };
	OK(audit_append(f->s, &f->key, &a, &ev, &err));
	ev.detail = NULL;
	OK(audit_append(f->s, &f->key, &a, &ev, &err));
	OK(audit_list(f->s, &f->key, NULL, NULL, &out, &err));
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "detail")),
			    "invalid role; os user root");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "detail")),
			    "os user root");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "outcome")),
			    "failed");
	json_decref(out);
	assert_string_equal(audit_outcome_name(AUDIT_OK), "ok");
	assert_string_equal(audit_outcome_name(AUDIT_DENIED), "denied");
	assert_string_equal(audit_outcome_name(AUDIT_FAILED), "failed");
}

/* ---- listing */

/* Events listed, not counting the audit.list events that earlier listings appended. */
static size_t list_count(struct fx *f, const struct audit_filter *flt)
{
	struct mmis_error err;
	json_t *out = NULL, *e;
	size_t n = 0, i;

	OK(audit_list(f->s, &f->key, NULL, flt, &out, &err));
	json_array_foreach(out, i, e)
		n += strcmp(json_string_value(json_object_get(e, "action")), "audit.list") != 0;
	json_decref(out);
	return n;
}

static void test_reads_are_audited(void **state)
{
	struct fx *f = *state;
	struct audit_verify_result r;

	append_n(f, 3);
	assert_int_equal(list_count(f, NULL), 3);
	verify(f, &r);
	assert_int_equal(r.checked, 4); /* the three and the listing */
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = 'audit.list' "
				    "AND detail LIKE '3 events%'"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'audit.verify' AND detail = 'chain intact, 4 events'"), 1);
	verify(f, &r);
	assert_int_equal(r.bad_seq, 0);
	assert_int_equal(r.checked, 5);
}

static void test_list_filters(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct audit_filter flt;
	json_t *out, *e;
	int64_t t0 = fake_ms;

	append(f, "alice", "session.login", "session", "s1", NULL);   /* seq 1, t0 */
	append(f, "alice", "case.read", "case", "c1", NULL);          /* seq 2, t0 + 1 s */
	append(f, "bob", "session.login", "session", "s2", NULL);     /* seq 3 */
	append(f, "bob", "case.read", "case", "c2", NULL);            /* seq 4 */
	append(f, "bob", "session.logout", "session", "s2", NULL);    /* seq 5 */
	append(f, "alice", "sessions.odd", NULL, NULL, NULL);         /* seq 6: not "session." */

	memset(&flt, 0, sizeof(flt));
	OK(audit_list(f->s, &f->key, NULL, &flt, &out, &err));
	assert_int_equal(json_array_size(out), 6);
	e = json_array_get(out, 0); /* newest first */
	assert_int_equal(json_integer_value(json_object_get(e, "seq")), 6);
	assert_true(json_is_null(json_object_get(e, "object_type")));
	e = json_array_get(out, 5);
	assert_int_equal(json_integer_value(json_object_get(e, "seq")), 1);
	assert_string_equal(json_string_value(json_object_get(e, "actor")), "alice");
	assert_string_equal(json_string_value(json_object_get(e, "via")), "session");
	assert_string_equal(json_string_value(json_object_get(e, "action")), "session.login");
	assert_string_equal(json_string_value(json_object_get(e, "object_id")), "s1");
	assert_string_equal(json_string_value(json_object_get(e, "outcome")), "ok");
	assert_string_equal(json_string_value(json_object_get(e, "at")), "2023-11-14T22:13:20.000Z");
	assert_non_null(json_object_get(e, "actor_id"));
	assert_non_null(json_object_get(e, "agency_id"));
	assert_non_null(json_object_get(e, "detail"));
	json_decref(out);

	flt = (struct audit_filter){ .actor = "bob" };
	assert_int_equal(list_count(f, &flt), 3);
	flt = (struct audit_filter){ .action = "session.login" };
	assert_int_equal(list_count(f, &flt), 2);
	flt = (struct audit_filter){ .action = "session." };
	assert_int_equal(list_count(f, &flt), 3);
	flt = (struct audit_filter){ .action = "session" }; /* exact: no such action */
	assert_int_equal(list_count(f, &flt), 0);
	flt = (struct audit_filter){ .actor = "alice", .action = "session." };
	assert_int_equal(list_count(f, &flt), 1);
	flt = (struct audit_filter){ .object_type = "session", .object_id = "s2" };
	assert_int_equal(list_count(f, &flt), 2);
	flt = (struct audit_filter){ .object_type = "case" };
	assert_int_equal(list_count(f, &flt), 2);
	flt = (struct audit_filter){ .from_ms = t0 + 2000 };
	assert_int_equal(list_count(f, &flt), 4);
	flt = (struct audit_filter){ .to_ms = t0 + 2000 };
	assert_int_equal(list_count(f, &flt), 3);
	flt = (struct audit_filter){ .from_ms = t0 + 1000, .to_ms = t0 + 3000 };
	assert_int_equal(list_count(f, &flt), 3);
	flt = (struct audit_filter){ .before_seq = 3 };
	assert_int_equal(list_count(f, &flt), 2);
	flt = (struct audit_filter){ .limit = 4, .before_seq = 7 }; /* past the listings' own events */
	OK(audit_list(f->s, &f->key, NULL, &flt, &out, &err));
	assert_int_equal(json_array_size(out), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 3), "seq")), 3);
	json_decref(out);
	flt = (struct audit_filter){ .limit = 2, .before_seq = 3 };
	OK(audit_list(f->s, &f->key, NULL, &flt, &out, &err));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 0), "seq")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 1), "seq")), 1);
	json_decref(out);

	flt = (struct audit_filter){ .limit = 1001 };
	assert_int_equal(audit_list(f->s, &f->key, NULL, &flt, &out, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "limit");
	assert_null(out);
	flt = (struct audit_filter){ .limit = -1 };
	assert_int_equal(audit_list(f->s, &f->key, NULL, &flt, &out, &err), MMIS_EINVAL);
}

static void test_list_default_limit(void **state)
{
	struct fx *f = *state;
	struct audit_filter flt = { 0 };

	append_n(f, 120);
	assert_int_equal(list_count(f, &flt), 100);
	flt.limit = 1000;
	assert_int_equal(list_count(f, &flt), 120);
}

/* A long chain is verified across pages. */
static void test_verify_long_chain(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct audit_verify_result r;

	OK(store_begin(f->s, &err));
	append_n(f, 5100);
	OK(store_commit(f->s, &err));
	verify(f, &r);
	assert_int_equal(r.checked, 5100);
	assert_int_equal(r.bad_seq, 0);
	testdb_exec(f->s, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 5050");
	expect_bad(f, 5050, "MAC");
}

static void pg_missing(void **state)
{
	(void)state;
	fail_msg("MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_file),
		cmocka_unit_test_setup_teardown(test_empty_chain_is_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modified_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modified_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shifted_bytes_between_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_versus_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_last_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inserted_row_at_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inserted_row_beyond_the_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inserted_row_in_the_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_removes_the_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_validation_and_origin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_default_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_are_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_long_chain, setup, teardown),
	};
	const struct CMUnitTest missing[] = { cmocka_unit_test(pg_missing) };
	int rc;

	if (!testdb_start())
		return cmocka_run_group_tests_name("audit", missing, NULL, NULL);
	rc = cmocka_run_group_tests_name(testdb_backend() == STORE_POSTGRES ? "audit-postgres"
									 : "audit-sqlite",
					 tests, NULL, NULL);
	testdb_finish();
	return rc;
}
