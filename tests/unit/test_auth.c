/*
 * test_auth.c - roles and permissions, passwords, agencies and users, logins with their delays
 * and locks, sessions and their expiry, API tokens, the first administrator and the demo data.
 * Runs on SQLite and PostgreSQL (MMIS_TEST_BACKEND, see testdb.h); time is moved by a fake clock.
 * Every test ends by verifying the audit chain it wrote.
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

#include "../../lib/auth/clock.h"
#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/demo.h"
#include "testdb.h"

#define GOOD_PW TESTDB_PASSWORD
#define GOOD_PW2 "Velika-Plaza-Ulcinj-42"

struct fx {
	struct store *s;
	struct audit_key key;
	struct mmis_ctx cx;
	struct actor sys;
};

static int64_t fake_ms;
static int64_t fake_now(void)
{
	return fake_ms;
}

static void advance(int64_t seconds)
{
	fake_ms += seconds * 1000;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->s = testdb_open_ctx(&f->cx, &f->key, &f->sys, NULL);
	snprintf(f->sys.origin, sizeof(f->sys.origin), "os user tester");
	fake_ms = 1700000000000;
	auth_clock_set(fake_now);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	auth_clock_set(NULL);
	testdb_close_verified(f->s, &f->key);
	free(f);
	return 0;
}

/* The number of audit events with this action and outcome. */
static long long events(struct fx *f, const char *action, const char *outcome)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_event WHERE action = '%s' AND outcome = '%s'",
		 action, outcome);
	return testdb_int(f->s, sql);
}

/* The detail of the newest event with this action. */
static char *last_detail(struct fx *f, const char *action)
{
	struct mmis_error err;
	struct audit_filter flt = { .action = action, .limit = 1 };
	json_t *out;
	char *d;

	OK(audit_list(f->s, &f->key, NULL, &flt, &out, &err));
	assert_int_equal(json_array_size(out), 1);
	d = json_string_value(json_object_get(json_array_get(out, 0), "detail"))
		? strdup(json_string_value(json_object_get(json_array_get(out, 0), "detail")))
		: strdup("");
	json_decref(out);
	return d;
}

static void add_agency(struct fx *f, const char *code)
{
	struct mmis_error err;
	OK(agency_add(&f->cx, &f->sys, code, "Agency", "police", NULL, &err));
}

static void add_user(struct fx *f, const char *name, const char *role, const char *agency)
{
	struct mmis_error err;
	OK(user_add(&f->cx, &f->sys, name, NULL, role, agency, GOOD_PW, NULL, &err));
}

/* Log in as `name` and resolve the session to its actor. */
static void login_as(struct fx *f, const char *name, const char *pw, struct session_info *si,
		     struct actor *a)
{
	struct mmis_error err;
	int retry = -1;

	OK(auth_login(&f->cx, name, pw, "127.0.0.1", si, &retry, &err));
	assert_int_equal(retry, 0);
	OK(auth_session(&f->cx, si->secret, a, NULL, &err));
}

/* ---- roles */

struct grant {
	const char *role;
	enum scope g[PERM__COUNT];
};

/* The documented table, written out again independently of lib/auth/roles.c. */
#define N SCOPE_NONE
#define O SCOPE_OWN
#define A SCOPE_AGENCY
#define L SCOPE_ALL
static const struct grant expected[] = {
	/*                          self users agen tok  audit b.rd b.wr b.sup c.rd c.wr c.sup av.rd av.wr st.rd st.un exch c.id scr  st.wr */
	{ "admin",                  { O,   L,    L,   L,   N,    N,   N,   N,    N,   N,   N,    N,    N,    N,    N,    N,   N,   N,   N } },
	{ "auditor",                { O,   N,    N,   N,   L,    N,   N,   N,    N,   N,   N,    N,    N,    N,    N,    N,   N,   N,   N } },
	{ "border_officer",         { O,   N,    N,   N,   N,    A,   O,   N,    O,   O,   N,    N,    N,    N,    N,    N,   N,   L,   N } },
	{ "border_supervisor",      { O,   N,    N,   N,   N,    L,   A,   A,    N,   N,   N,    N,    N,    N,    N,    N,   N,   L,   N } },
	{ "case_worker",            { O,   N,    N,   N,   N,    N,   N,   N,    A,   O,   N,    N,    N,    N,    N,    N,   N,   N,   N } },
	{ "case_supervisor",        { O,   N,    N,   N,   N,    N,   N,   N,    A,   A,   A,    N,    N,    N,    N,    N,   N,   N,   N } },
	{ "identification_officer", { O,   N,    N,   N,   N,    N,   N,   N,    A,   O,   N,    N,    N,    N,    N,    N,   A,   N,   N } },
	{ "return_counsellor",      { O,   N,    N,   N,   N,    N,   N,   N,    N,   N,   N,    A,    A,    N,    N,    N,   N,   N,   N } },
	{ "analyst",                { O,   N,    N,   N,   N,    N,   N,   N,    N,   N,   N,    N,    N,    L,    N,    N,   N,   N,   L } },
	{ "internal_analyst",       { O,   N,    N,   N,   N,    N,   N,   N,    N,   N,   N,    N,    N,    L,    L,    N,   N,   N,   L } },
	{ "exchange_officer",       { O,   N,    N,   N,   N,    N,   N,   N,    N,   N,   N,    N,    N,    L,    N,    L,   N,   N,   N } },
	{ "screening_client",       { O,   N,    N,   N,   N,    N,   N,   N,    N,   N,   N,    N,    N,    N,    N,    N,   N,   L,   N } },
};
#undef N
#undef O
#undef A
#undef L

static void test_permission_table(void **state)
{
	(void)state;
	assert_int_equal(role_count(), sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct role *r = role_find(expected[i].role);
		struct actor a;

		assert_non_null(r);
		assert_ptr_equal(role_at(i), r);
		assert_true(r->label && *r->label);
		memset(&a, 0, sizeof(a));
		a.role = r;
		snprintf(a.user_id, sizeof(a.user_id), "u");
		snprintf(a.username, sizeof(a.username), "someone");
		for (int p = 0; p < PERM__COUNT; p++) {
			if (r->grants[p] != expected[i].g[p] || actor_scope(&a, (enum perm)p) != expected[i].g[p])
				fail_msg("%s %s: %s, expected %s", r->name, perm_name((enum perm)p),
					 scope_name(r->grants[p]), scope_name(expected[i].g[p]));
		}
	}
	assert_null(role_at(role_count()));
	assert_null(role_find("boss"));
	assert_null(role_find(NULL));
	assert_string_equal(perm_name(PERM_USERS_ADMIN), "users.admin");
	assert_string_equal(perm_name(PERM_STATS_UNSUPPRESSED), "stats.unsuppressed");
	assert_string_equal(perm_name(PERM_EXCHANGE), "exchange");
	assert_string_equal(perm_name(PERM_CASE_IDENTIFY), "case.identify");
	for (int p = 0; p < PERM__COUNT; p++)
		assert_string_not_equal(perm_name((enum perm)p), "unknown");
	assert_string_equal(scope_name(SCOPE_NONE), "none");
	assert_string_equal(scope_name(SCOPE_OWN), "own");
	assert_string_equal(scope_name(SCOPE_AGENCY), "agency");
	assert_string_equal(scope_name(SCOPE_ALL), "all");
}

static void test_actor_may(void **state)
{
	struct actor sys, zero, cw, sup;

	(void)state;
	actor_system(&sys);
	assert_true(actor_is_system(&sys));
	assert_string_equal(sys.username, "system");
	for (int p = 0; p < PERM__COUNT; p++)
		assert_int_equal(actor_scope(&sys, (enum perm)p), SCOPE_ALL);
	assert_true(actor_may(&sys, PERM_CASE_READ, NULL, NULL));

	/* A zero-filled actor is nobody. */
	memset(&zero, 0, sizeof(zero));
	assert_false(actor_is_system(&zero));
	for (int p = 0; p < PERM__COUNT; p++)
		assert_int_equal(actor_scope(&zero, (enum perm)p), SCOPE_NONE);
	assert_false(actor_may(&zero, PERM_SELF, "", ""));

	memset(&cw, 0, sizeof(cw));
	cw.role = role_find("case_worker");
	snprintf(cw.user_id, sizeof(cw.user_id), "u1");
	snprintf(cw.agency_id, sizeof(cw.agency_id), "g1");
	snprintf(cw.username, sizeof(cw.username), "cw");
	cw.via = VIA_SESSION;
	assert_false(actor_is_system(&cw));
	assert_true(actor_may(&cw, PERM_CASE_READ, "u1", "g1"));
	assert_true(actor_may(&cw, PERM_CASE_READ, "u2", "g1"));  /* reads the agency's */
	assert_false(actor_may(&cw, PERM_CASE_READ, "u2", "g2"));
	assert_true(actor_may(&cw, PERM_CASE_WRITE, "u1", "g1"));
	assert_false(actor_may(&cw, PERM_CASE_WRITE, "u2", "g1")); /* changes its own only */
	assert_false(actor_may(&cw, PERM_CASE_WRITE, NULL, "g1"));
	assert_false(actor_may(&cw, PERM_CASE_SUPERVISE, "u1", "g1"));
	assert_false(actor_may(&cw, PERM_USERS_ADMIN, "u1", "g1"));

	sup = cw;
	sup.role = role_find("case_supervisor");
	assert_true(actor_may(&sup, PERM_CASE_READ, "u2", "g1"));
	assert_false(actor_may(&sup, PERM_CASE_READ, "u2", "g2")); /* agency only */
	assert_false(actor_may(&sup, PERM_CASE_READ, "u2", NULL));

	/* A system-looking actor with a user id is not the system. */
	sys.user_id[0] = 'x';
	assert_false(actor_is_system(&sys));
	assert_int_equal(actor_scope(&sys, PERM_USERS_ADMIN), SCOPE_NONE);
}

/* ---- passwords */

static void test_password_policy(void **state)
{
	struct mmis_error err;
	char big[PASSWORD_MAX_LEN + 2];

	(void)state;
	assert_int_equal(password_check("alice", NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "password");
	assert_int_equal(password_check("alice", "Short-1x", &err), MMIS_EINVAL);
	assert_non_null(strstr(err.message, "at least 12"));
	/* 11 characters of two bytes each are 22 bytes and still too short. */
	assert_int_equal(password_check("alice", "ččččččččččč", &err), MMIS_EINVAL);
	assert_int_equal(password_check("alice", "password123456", &err), MMIS_EINVAL);
	assert_non_null(strstr(err.message, "too weak"));
	assert_int_equal(password_check("longusername12", "longusername12", &err), MMIS_EINVAL);
	assert_non_null(strstr(err.message, "username"));
	assert_int_equal(password_check("longusername12", "LongUserName12", &err), MMIS_EINVAL);
	assert_int_equal(password_check("alice", "aaaaaaaaaaaaaaaa", &err), MMIS_EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(password_check("alice", big, &err), MMIS_EINVAL);
	assert_non_null(strstr(err.message, "longer"));
	OK(password_check("alice", GOOD_PW, &err));
	OK(password_check("alice", "Zk8#mQ2!pL4x", &err));
	OK(password_check(NULL, GOOD_PW2, &err));
}

/* ---- agencies and users */

static void test_agencies(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char id[UUID_STR_MAX];
	json_t *list;

	OK(agency_add(&f->cx, &f->sys, "BP", "Border Police", "police", id, &err));
	assert_true(uuid_valid(id));
	OK(agency_add(&f->cx, &f->sys, "CSW-PG", "Centre for Social Work Podgorica", NULL, NULL, &err));
	assert_int_equal(agency_add(&f->cx, &f->sys, "BP", "Again", "police", NULL, &err), MMIS_ECONFLICT);
	assert_int_equal(agency_add(&f->cx, &f->sys, "bp", "Lower", "police", NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "code");
	/* The statistics code their margins _T: no agency may be coded so. */
	assert_int_equal(agency_add(&f->cx, &f->sys, "_T", "Total", "police", NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "code");
	assert_int_equal(agency_add(&f->cx, &f->sys, "X", "Short", "police", NULL, &err), MMIS_EINVAL);
	assert_int_equal(agency_add(&f->cx, &f->sys, "NEW", "", "police", NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(agency_add(&f->cx, &f->sys, "NEW", "New", "circus", NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "kind");

	OK(agency_list(&f->cx, &f->sys, &list, &err));
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "code")), "BP");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "kind")), "police");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "kind")), "other");
	assert_non_null(json_object_get(json_array_get(list, 0), "created_at"));
	json_decref(list);

	assert_int_equal(events(f, "agency.create", "ok"), 2);
	assert_int_equal(events(f, "agency.create", "failed"), 6);
	assert_int_equal(events(f, "agency.list", "ok"), 1);
	char *d = last_detail(f, "agency.create");
	assert_non_null(strstr(d, "os user tester"));
	free(d);
}

static void test_users(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char id[UUID_STR_MAX];
	json_t *list, *u;

	add_agency(f, "BP");
	OK(user_add(&f->cx, &f->sys, "marko.p", "Marko Petrović", "border_officer", "BP", GOOD_PW, id,
		    &err));
	assert_true(uuid_valid(id));
	assert_int_equal(user_add(&f->cx, &f->sys, "marko.p", NULL, "border_officer", "BP", GOOD_PW,
				  NULL, &err), MMIS_ECONFLICT);
	assert_int_equal(user_add(&f->cx, &f->sys, "Marko", NULL, "border_officer", "BP", GOOD_PW,
				  NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "username");
	assert_int_equal(user_add(&f->cx, &f->sys, "1abc", NULL, "border_officer", "BP", GOOD_PW,
				  NULL, &err), MMIS_EINVAL);
	assert_int_equal(user_add(&f->cx, &f->sys, "ana", NULL, "boss", "BP", GOOD_PW, NULL, &err),
			 MMIS_EINVAL);
	assert_string_equal(err.field, "role");
	assert_int_equal(user_add(&f->cx, &f->sys, "ana", NULL, "analyst", "NOPE", GOOD_PW, NULL, &err),
			 MMIS_ENOTFOUND);
	assert_string_equal(err.field, "agency");
	assert_int_equal(user_add(&f->cx, &f->sys, "ana", NULL, "analyst", "BP", "password123456",
				  NULL, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "password");
	/* The password never reaches the audit trail, not even a refused one. */
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE detail LIKE "
				    "'%password123456%'"), 0);

	OK(user_list(&f->cx, &f->sys, &list, &err));
	assert_int_equal(json_array_size(list), 1);
	u = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(u, "id")), id);
	assert_string_equal(json_string_value(json_object_get(u, "username")), "marko.p");
	assert_string_equal(json_string_value(json_object_get(u, "display_name")), "Marko Petrović");
	assert_string_equal(json_string_value(json_object_get(u, "role")), "border_officer");
	assert_string_equal(json_string_value(json_object_get(u, "agency_code")), "BP");
	assert_true(json_is_false(json_object_get(u, "disabled")));
	assert_true(json_is_null(json_object_get(u, "locked_until")));
	assert_true(json_is_null(json_object_get(u, "last_login_at")));
	assert_null(json_object_get(u, "password_hash"));
	json_decref(list);

	OK(user_get(&f->cx, &f->sys, "marko.p", &u, &err));
	assert_string_equal(json_string_value(json_object_get(u, "username")), "marko.p");
	json_decref(u);
	assert_int_equal(user_get(&f->cx, &f->sys, "nobody", &u, &err), MMIS_ENOTFOUND);
	assert_null(u);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM app_user WHERE password_hash LIKE "
				    "'$argon2id$%'"), 1);
	assert_int_equal(events(f, "user.create", "ok"), 1);
	assert_int_equal(events(f, "user.list", "ok"), 1);
	assert_int_equal(events(f, "user.read", "ok"), 1);
}

/* Least privilege: who may administer whom, and refusals are audited. */
static void test_denied_and_scoped(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor admin, cw, aud;
	json_t *out;

	add_agency(f, "BP");
	add_agency(f, "DM");
	add_user(f, "admin1", "admin", "DM");
	add_user(f, "carla", "case_worker", "BP");
	add_user(f, "audrey", "auditor", "DM");
	login_as(f, "admin1", GOOD_PW, &si, &admin);
	login_as(f, "carla", GOOD_PW, &si, &cw);
	login_as(f, "audrey", GOOD_PW, &si, &aud);

	/* A case worker administers nothing. */
	assert_int_equal(user_list(&f->cx, &cw, &out, &err), MMIS_EDENIED);
	assert_null(out);
	assert_int_equal(user_add(&f->cx, &cw, "newbie", NULL, "admin", "BP", GOOD_PW, NULL, &err),
			 MMIS_EDENIED);
	assert_int_equal(agency_add(&f->cx, &cw, "ZZ", "Z", NULL, NULL, &err), MMIS_EDENIED);
	assert_int_equal(agency_list(&f->cx, &cw, &out, &err), MMIS_EDENIED);
	assert_int_equal(token_create(&f->cx, &cw, "carla", "mine", (char[SECRET_STR_MAX]){ 0 }, NULL,
				      &err), MMIS_EDENIED);
	assert_int_equal(user_set_disabled(&f->cx, &cw, "admin1", true, &err), MMIS_EDENIED);
	assert_int_equal(user_set_password(&f->cx, &cw, "admin1", NULL, GOOD_PW2, &err), MMIS_EDENIED);
	assert_int_equal(events(f, "user.list", "denied"), 1);
	assert_int_equal(events(f, "user.create", "denied"), 1);
	assert_int_equal(events(f, "user.disable", "denied"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM app_user"), 3);
	/* ... but sees itself. */
	OK(user_get(&f->cx, &cw, "carla", &out, &err));
	json_decref(out);
	assert_int_equal(user_get(&f->cx, &cw, "audrey", &out, &err), MMIS_EDENIED);

	/* The auditor reads no accounts; the administrator does, and cannot disable itself. */
	assert_int_equal(user_list(&f->cx, &aud, &out, &err), MMIS_EDENIED);
	OK(user_list(&f->cx, &admin, &out, &err));
	assert_int_equal(json_array_size(out), 3);
	json_decref(out);
	assert_int_equal(user_set_disabled(&f->cx, &admin, "admin1", true, &err), MMIS_ECONFLICT);
	OK(user_set_disabled(&f->cx, &admin, "carla", true, &err));

	/* The actor is recorded. */
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'user.disable' AND outcome = 'ok' AND actor = 'admin1' AND via = "
				    "'session' AND actor_id IS NOT NULL AND agency_id IS NOT NULL"), 1);
}

/* ---- logins */

static void test_login_and_session(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor a;
	char csrf[SECRET_STR_MAX];
	json_t *u;
	int retry = -1;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	OK(auth_login(&f->cx, "marko", GOOD_PW, "192.0.2.7", &si, &retry, &err));
	assert_int_equal(retry, 0);
	assert_true(uuid_valid(si.id));
	assert_int_equal(strlen(si.secret), 43);
	assert_int_equal(strlen(si.csrf), 43);
	assert_string_not_equal(si.secret, si.csrf);
	assert_int_equal(si.expires_ms, fake_ms + SESSION_ABSOLUTE_SECONDS * 1000LL);
	/* Only a hash is stored. */
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM user_session WHERE length(secret_hash) = 64"), 1);

	OK(auth_session(&f->cx, si.secret, &a, csrf, &err));
	assert_string_equal(csrf, si.csrf);
	assert_string_equal(a.username, "marko");
	assert_ptr_equal(a.role, role_find("border_officer"));
	assert_int_equal(a.via, VIA_SESSION);
	assert_string_equal(a.credential_id, si.id);
	assert_true(a.agency_id[0]);
	assert_non_null(strstr(a.origin, "192.0.2.7"));

	/* Case does not matter in the name typed. */
	OK(auth_login(&f->cx, "Marko", GOOD_PW, NULL, &si, NULL, &err));

	assert_int_equal(auth_session(&f->cx, "nonsense", &a, NULL, &err), MMIS_EAUTH);
	assert_int_equal(auth_session(&f->cx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &a, NULL,
				      &err), MMIS_EAUTH);
	assert_false(actor_is_system(&a));
	assert_null(a.role);

	OK(user_get(&f->cx, &f->sys, "marko", &u, &err));
	assert_true(json_is_string(json_object_get(u, "last_login_at")));
	json_decref(u);
	assert_int_equal(events(f, "session.login", "ok"), 2);
	char *d = last_detail(f, "session.login");
	assert_non_null(d);
	free(d);
}

static void test_login_failures_look_alike(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	char msg[4][MMIS_ERROR_MESSAGE_MAX];
	int retry;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	add_user(f, "ivana", "border_officer", "BP");
	OK(user_set_disabled(&f->cx, &f->sys, "ivana", true, &err));

	assert_int_equal(auth_login(&f->cx, "marko", "Wrong-Password-123", NULL, &si, &retry, &err),
			 MMIS_EAUTH);
	snprintf(msg[0], sizeof(msg[0]), "%s", err.message);
	assert_true(si.secret[0] == '\0');
	assert_int_equal(auth_login(&f->cx, "nobody", GOOD_PW, NULL, &si, &retry, &err), MMIS_EAUTH);
	snprintf(msg[1], sizeof(msg[1]), "%s", err.message);
	assert_int_equal(auth_login(&f->cx, "ivana", GOOD_PW, NULL, &si, &retry, &err), MMIS_EAUTH);
	snprintf(msg[2], sizeof(msg[2]), "%s", err.message);
	assert_int_equal(auth_login(&f->cx, "Not A Name!", GOOD_PW, NULL, &si, &retry, &err), MMIS_EAUTH);
	snprintf(msg[3], sizeof(msg[3]), "%s", err.message);
	for (int i = 0; i < 4; i++)
		assert_string_equal(msg[i], "wrong username or password");
	assert_int_equal(auth_login(&f->cx, NULL, NULL, NULL, &si, NULL, &err), MMIS_EAUTH);

	/* The audit trail says why; the caller was not told. */
	assert_int_equal(events(f, "session.login", "denied"), 5);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'session.login' AND detail = 'wrong password'"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'session.login' AND detail = 'unknown user' AND actor = 'nobody'"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'session.login' AND detail = 'account disabled'"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE "
				    "detail LIKE '%Wrong-Password%' OR detail LIKE '%Correct-Horse%'"), 0);
}

static void test_login_delays_and_lock(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	static const int delays[LOGIN_LOCK_FAILURES] = { 0, 0, 0, 1, 2, 4, 8, 16, 30, 30 };
	int retry;
	json_t *u;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	/* Success resets the count. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(auth_login(&f->cx, "marko", "Wrong-Password-123", NULL, &si, &retry,
					    &err), MMIS_EAUTH);
	assert_int_equal(retry, 0);
	OK(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si, &retry, &err));
	assert_int_equal(retry, 0);

	for (int i = 0; i < LOGIN_LOCK_FAILURES; i++) {
		assert_int_equal(auth_login(&f->cx, "marko", "Wrong-Password-123", NULL, &si, &retry,
					    &err), MMIS_EAUTH);
		if (retry != delays[i])
			fail_msg("failure %d: delay %d, expected %d", i + 1, retry, delays[i]);
		advance(1);
	}
	/* Locked: the right password is refused, with the same words. */
	assert_int_equal(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si, &retry, &err), MMIS_EAUTH);
	assert_string_equal(err.message, "wrong username or password");
	assert_int_equal(retry, 30);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'session.login' AND detail LIKE '%locked after too many failures%'"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'session.login' AND detail = 'account locked'"), 1);
	OK(user_get(&f->cx, &f->sys, "marko", &u, &err));
	assert_true(json_is_string(json_object_get(u, "locked_until")));
	json_decref(u);

	advance(LOGIN_LOCK_SECONDS - 5);
	assert_int_equal(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si, &retry, &err), MMIS_EAUTH);
	advance(LOGIN_LOCK_SECONDS);
	OK(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si, &retry, &err));
	assert_int_equal(retry, 0);
	OK(user_get(&f->cx, &f->sys, "marko", &u, &err));
	assert_true(json_is_null(json_object_get(u, "locked_until")));
	json_decref(u);
}

/* An unknown name is delayed exactly like a known one: the delays tell nothing. */
static void test_unknown_user_delays(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	int known, unknown;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	for (int i = 0; i < 6; i++) {
		assert_int_equal(auth_login(&f->cx, "marko", "Wrong-Password-123", NULL, &si, &known,
					    &err), MMIS_EAUTH);
		assert_int_equal(auth_login(&f->cx, "ghost", "Wrong-Password-123", NULL, &si, &unknown,
					    &err), MMIS_EAUTH);
		assert_int_equal(known, unknown);
	}
	assert_int_equal(known, 4);
	/* An administrator's password reset lifts the count. */
	OK(user_set_password(&f->cx, &f->sys, "marko", NULL, GOOD_PW2, &err));
	assert_int_equal(auth_login(&f->cx, "marko", "Wrong-Password-123", NULL, &si, &known, &err),
			 MMIS_EAUTH);
	assert_int_equal(known, 0);
}

static void test_session_idle_expiry(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor a;
	int64_t open = 0;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	login_as(f, "marko", GOOD_PW, &si, &a);
	OK(auth_open_sessions(&f->cx, &open, &err));
	assert_int_equal(open, 1);
	advance(SESSION_IDLE_SECONDS - 60);
	OK(auth_session(&f->cx, si.secret, &a, NULL, &err)); /* refreshes the idle timer */
	advance(SESSION_IDLE_SECONDS - 60);
	OK(auth_session(&f->cx, si.secret, &a, NULL, &err));
	advance(SESSION_IDLE_SECONDS);
	assert_int_equal(auth_session(&f->cx, si.secret, &a, NULL, &err), MMIS_EAUTH);
	OK(auth_open_sessions(&f->cx, &open, &err));
	assert_int_equal(open, 0);
	/* Gone for good, even if the clock went back. */
	fake_ms -= SESSION_IDLE_SECONDS * 1000LL;
	assert_int_equal(auth_session(&f->cx, si.secret, &a, NULL, &err), MMIS_EAUTH);
}

static void test_session_absolute_expiry(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor a;
	int64_t removed = -1;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	login_as(f, "marko", GOOD_PW, &si, &a);
	for (int64_t t = 0; t + 20 * 60 < SESSION_ABSOLUTE_SECONDS; t += 20 * 60) {
		advance(20 * 60);
		OK(auth_session(&f->cx, si.secret, &a, NULL, &err));
	}
	advance(20 * 60);
	assert_int_equal(auth_session(&f->cx, si.secret, &a, NULL, &err), MMIS_EAUTH);

	/* The server's sweep removes idle sessions and says so in the audit trail. */
	login_as(f, "marko", GOOD_PW, &si, &a);
	login_as(f, "marko", GOOD_PW, &si, &a);
	OK(auth_expire_sessions(&f->cx, &removed, &err));
	assert_int_equal(removed, 0);
	advance(SESSION_IDLE_SECONDS + 1);
	OK(auth_expire_sessions(&f->cx, &removed, &err));
	assert_int_equal(removed, 2);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM user_session"), 0);
	assert_int_equal(events(f, "session.expire", "ok"), 1);
}

static void test_logout(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si, si2;
	struct actor a, a2;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	login_as(f, "marko", GOOD_PW, &si, &a);
	login_as(f, "marko", GOOD_PW, &si2, &a2);
	OK(auth_logout(&f->cx, &a, &err));
	assert_int_equal(auth_session(&f->cx, si.secret, &a, NULL, &err), MMIS_EAUTH);
	OK(auth_session(&f->cx, si2.secret, &a2, NULL, &err)); /* the other one stays */
	assert_int_equal(auth_logout(&f->cx, &f->sys, &err), MMIS_EINVAL);
	assert_int_equal(events(f, "session.logout", "ok"), 1);
}

static void test_change_own_password(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si, si2;
	struct actor a, a2, admin;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	add_user(f, "root1", "admin", "BP");
	login_as(f, "marko", GOOD_PW, &si, &a);
	login_as(f, "marko", GOOD_PW, &si2, &a2);
	login_as(f, "root1", GOOD_PW, &si2, &admin);

	assert_int_equal(user_set_password(&f->cx, &a, "marko", NULL, GOOD_PW2, &err), MMIS_EAUTH);
	assert_int_equal(user_set_password(&f->cx, &a, "marko", "Wrong-Password-123", GOOD_PW2, &err),
			 MMIS_EAUTH);
	assert_int_equal(user_set_password(&f->cx, &a, "marko", GOOD_PW, "marko", &err), MMIS_EINVAL);
	OK(user_set_password(&f->cx, &a, "marko", GOOD_PW, GOOD_PW2, &err));
	/* The session that changed it stays; the other one ended. */
	OK(auth_session(&f->cx, si.secret, &a, NULL, &err));
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM user_session s JOIN app_user u ON "
				    "u.id = s.user_id WHERE u.username = 'marko'"), 1);
	assert_int_equal(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si2, NULL, &err), MMIS_EAUTH);
	OK(auth_login(&f->cx, "marko", GOOD_PW2, NULL, &si2, NULL, &err));

	/* An administrator resets it without the old one, and every session ends. */
	OK(user_set_password(&f->cx, &admin, "marko", NULL, GOOD_PW, &err));
	assert_int_equal(auth_session(&f->cx, si.secret, &a, NULL, &err), MMIS_EAUTH);
	/* Even an administrator gives the current password for its own. */
	assert_int_equal(user_set_password(&f->cx, &admin, "root1", NULL, GOOD_PW2, &err), MMIS_EAUTH);
	assert_int_equal(events(f, "user.password", "ok"), 2);
	assert_int_equal(events(f, "user.password", "denied"), 3);
}

static void test_disable_ends_sessions_and_tokens(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor a;
	char token[SECRET_STR_MAX];
	json_t *u;

	add_agency(f, "BP");
	add_user(f, "marko", "border_officer", "BP");
	login_as(f, "marko", GOOD_PW, &si, &a);
	OK(token_create(&f->cx, &f->sys, "marko", "script", token, NULL, &err));
	OK(auth_token(&f->cx, token, &a, &err));

	OK(user_set_disabled(&f->cx, &f->sys, "marko", true, &err));
	assert_int_equal(auth_session(&f->cx, si.secret, &a, NULL, &err), MMIS_EAUTH);
	assert_int_equal(auth_token(&f->cx, token, &a, &err), MMIS_EAUTH);
	assert_int_equal(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si, NULL, &err), MMIS_EAUTH);
	assert_int_equal(token_create(&f->cx, &f->sys, "marko", "again", token, NULL, &err),
			 MMIS_ECONFLICT);
	OK(user_get(&f->cx, &f->sys, "marko", &u, &err));
	assert_true(json_is_true(json_object_get(u, "disabled")));
	json_decref(u);
	char *d = last_detail(f, "user.disable");
	assert_non_null(strstr(d, "1 sessions ended, 1 tokens revoked"));
	free(d);

	/* Enabled again: logins work, the old token stays revoked. */
	OK(user_set_disabled(&f->cx, &f->sys, "marko", false, &err));
	OK(auth_login(&f->cx, "marko", GOOD_PW, NULL, &si, NULL, &err));
	assert_int_equal(auth_token(&f->cx, token, &a, &err), MMIS_EAUTH);
	assert_int_equal(events(f, "user.enable", "ok"), 1);
}

/* ---- tokens */

static void test_tokens(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char token[SECRET_STR_MAX], id[UUID_STR_MAX], id2[UUID_STR_MAX], token2[SECRET_STR_MAX];
	struct actor a;
	json_t *list, *t;
	char *dump;

	add_agency(f, "BP");
	add_user(f, "marko", "border_supervisor", "BP");
	OK(token_create(&f->cx, &f->sys, "marko", "nightly export", token, id, &err));
	assert_int_equal(strlen(token), 48);
	assert_memory_equal(token, "mmis_", 5);
	assert_true(uuid_valid(id));
	OK(token_create(&f->cx, &f->sys, "marko", NULL, token2, id2, &err));
	assert_string_not_equal(token, token2);
	char scratch[SECRET_STR_MAX] = "x";
	assert_int_equal(token_create(&f->cx, &f->sys, "nobody", "x", scratch, NULL, &err), MMIS_ENOTFOUND);
	assert_string_equal(scratch, "");

	OK(auth_token(&f->cx, token, &a, &err));
	assert_string_equal(a.username, "marko");
	assert_int_equal(a.via, VIA_TOKEN);
	assert_string_equal(a.credential_id, id);
	assert_ptr_equal(a.role, role_find("border_supervisor"));
	/* Use is audited once a minute at most. */
	OK(auth_token(&f->cx, token, &a, &err));
	OK(auth_token(&f->cx, token, &a, &err));
	assert_int_equal(events(f, "token.use", "ok"), 1);
	advance(61);
	OK(auth_token(&f->cx, token, &a, &err));
	assert_int_equal(events(f, "token.use", "ok"), 2);

	assert_int_equal(auth_token(&f->cx, "mmis_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &a, &err),
			 MMIS_EAUTH);
	assert_int_equal(auth_token(&f->cx, "Bearer nonsense", &a, &err), MMIS_EAUTH);
	assert_int_equal(auth_token(&f->cx, NULL, &a, &err), MMIS_EAUTH);
	assert_null(a.role);
	assert_int_equal(events(f, "token.use", "denied"), 3);

	OK(token_list(&f->cx, &f->sys, &list, &err));
	assert_int_equal(json_array_size(list), 2);
	t = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(t, "id")), id);
	assert_string_equal(json_string_value(json_object_get(t, "name")), "nightly export");
	assert_string_equal(json_string_value(json_object_get(t, "username")), "marko");
	assert_true(json_is_string(json_object_get(t, "last_used_at")));
	assert_true(json_is_null(json_object_get(t, "revoked_at")));
	dump = json_dumps(list, 0);
	assert_null(strstr(dump, token + 5)); /* never the token itself */
	assert_null(strstr(dump, token2 + 5));
	free(dump);
	json_decref(list);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM api_token WHERE length(token_hash) = 64"), 2);

	OK(token_revoke(&f->cx, &f->sys, id, &err));
	assert_int_equal(auth_token(&f->cx, token, &a, &err), MMIS_EAUTH);
	OK(auth_token(&f->cx, token2, &a, &err));
	assert_int_equal(token_revoke(&f->cx, &f->sys, id, &err), MMIS_ECONFLICT);
	assert_int_equal(token_revoke(&f->cx, &f->sys, "0190a0a0-0000-7000-8000-000000000000", &err),
			 MMIS_ENOTFOUND);
	assert_int_equal(token_revoke(&f->cx, &f->sys, "not-an-id", &err), MMIS_EINVAL);
	OK(token_list(&f->cx, &f->sys, &list, &err));
	assert_true(json_is_string(json_object_get(json_array_get(list, 0), "revoked_at")));
	json_decref(list);
	assert_int_equal(events(f, "token.create", "ok"), 2);
	assert_int_equal(events(f, "token.revoke", "ok"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM audit_event WHERE action = "
				    "'token.use' AND outcome = 'denied' AND detail = 'token revoked'"), 1);
}

/* ---- set-up */

static void test_bootstrap(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	char pw[SECRET_STR_MAX], pw2[SECRET_STR_MAX];
	struct session_info si;
	struct actor a;

	OK(auth_bootstrap(&f->cx, NULL, pw, &err));
	assert_true(strlen(pw) >= 20);
	OK(password_check("admin", pw, &err));
	login_as(f, "admin", pw, &si, &a);
	assert_ptr_equal(a.role, role_find("admin"));
	assert_int_equal(auth_bootstrap(&f->cx, NULL, pw2, &err), MMIS_ECONFLICT);
	assert_string_equal(pw2, "");
	assert_int_equal(auth_bootstrap(&f->cx, GOOD_PW, NULL, &err), MMIS_ECONFLICT);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM agency WHERE code = 'ADMIN'"), 1);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM app_user"), 1);
	/* The password was not written anywhere. */
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_event WHERE detail LIKE '%%%s%%'", pw);
	assert_int_equal(testdb_int(f->s, sql), 0);
}

static void test_bootstrap_with_password(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor a;
	char pw[SECRET_STR_MAX];

	assert_int_equal(auth_bootstrap(&f->cx, "password123456", pw, &err), MMIS_EINVAL);
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM agency"), 0); /* all or nothing */
	OK(auth_bootstrap(&f->cx, GOOD_PW, pw, &err));
	assert_string_equal(pw, "");
	login_as(f, "admin", GOOD_PW, &si, &a);
}

static void test_demo_seed(void **state)
{
	struct fx *f = *state;
	struct mmis_error err;
	struct session_info si;
	struct actor a;
	json_t *accounts, *acc;
	size_t i;

	OK(demo_seed(&f->cx, 42, &accounts, &err));
	size_t n_accounts = json_array_size(accounts);
	assert_true(n_accounts >= role_count()); /* every role, and the protection walk-through's */
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM agency"), 6);
	assert_int_equal(testdb_int(f->s, "SELECT count(DISTINCT role) FROM app_user"), (long long)role_count());
	json_array_foreach(accounts, i, acc) {
		const char *name = json_string_value(json_object_get(acc, "username"));
		const char *pw = json_string_value(json_object_get(acc, "password"));
		assert_non_null(role_find(json_string_value(json_object_get(acc, "role"))));
		if (i < 2) /* logging in is slow on purpose: two are enough */
			login_as(f, name, pw, &si, &a);
	}
	json_decref(accounts);
	/* Again: nothing new, nothing refused. */
	OK(demo_seed(&f->cx, 42, NULL, &err));
	assert_int_equal(testdb_int(f->s, "SELECT count(*) FROM app_user"), (long long)n_accounts);
	/* A database with real users is refused. */
	add_user(f, "real.person", "analyst", "DM");
	assert_int_equal(demo_seed(&f->cx, 42, NULL, &err), MMIS_ECONFLICT);
}

static void pg_missing(void **state)
{
	(void)state;
	fail_msg("MMIS_TEST_PG_URL is not set: run the tests through tests/run.sh");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permission_table),
		cmocka_unit_test(test_actor_may),
		cmocka_unit_test(test_password_policy),
		T(test_agencies),
		T(test_users),
		T(test_denied_and_scoped),
		T(test_login_and_session),
		T(test_login_failures_look_alike),
		T(test_login_delays_and_lock),
		T(test_unknown_user_delays),
		T(test_session_idle_expiry),
		T(test_session_absolute_expiry),
		T(test_logout),
		T(test_change_own_password),
		T(test_disable_ends_sessions_and_tokens),
		T(test_tokens),
		T(test_bootstrap),
		T(test_bootstrap_with_password),
		T(test_demo_seed),
	};
	const struct CMUnitTest missing[] = { cmocka_unit_test(pg_missing) };
	int rc;

	if (!testdb_start())
		return cmocka_run_group_tests_name("auth", missing, NULL, NULL);
	rc = cmocka_run_group_tests_name(testdb_backend() == STORE_POSTGRES ? "auth-postgres"
									 : "auth-sqlite",
					 tests, NULL, NULL);
	testdb_finish();
	return rc;
}
