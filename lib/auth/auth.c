/*
 * auth.c - agencies, users, passwords, sessions, API tokens and the first administrator.
 *
 * Every public function that reads or changes accounts checks the actor's permission and writes
 * an audit event in the same transaction as its work: when the work rolls back, the "ok" event
 * goes with it and a "denied" or "failed" event is written instead.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <stddef.h> /* crack.h uses size_t without including it */
#include <crack.h>
#include <sodium.h>

#include "clock.h"
#include "internal.h"
#include "mmis/auth.h"
#include "mmis/date.h"
#include "mmis/store_json.h"
#include "mmis/strbuf.h"

#define HASH_HEX (2 * crypto_generichash_BYTES + 1)
#define SECRET_BYTES 32
#define TOKEN_PREFIX "mmis_"
#define TOUCH_EVERY_MS 60000 /* refresh a session's idle timer or a token's use at most this often */
#define DISPLAY_NAME_MAX 200
#define AGENCY_NAME_MAX 200
#define TOKEN_NAME_MAX 64
#define LOGIN_DELAY_CAP 30
#define THROTTLE_FORGET_MS (24 * 3600 * 1000LL) /* failures older than this are forgotten */

/* ---- small helpers */

static enum mmis_err oom(struct mmis_error *err)
{
	return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
}

/* Copy `src` (may be NULL) into a fixed buffer, cutting if need be. */
static int64_t parse_time(const char *s)
{
	int64_t ms = 0;
	return s && !timestamp_parse(s, NULL, &ms, NULL) ? ms : 0;
}

static bool valid_username(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 3 || n > AUTH_NAME_MAX || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    !strchr("._-", s[i]))
			return false;
	return true;
}

static bool valid_agency_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	/* Not "_T" and the like: the statistics' margins are coded so (stats.h). */
	if (n < 2 || n > 32 || s[0] == '_' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr("_-", s[i]))
			return false;
	return true;
}

/* Printable text of 1..max bytes: no control characters (UTF-8 beyond ASCII is welcome). */
static bool valid_label(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static const char *const agency_kinds[] = {
	"police", "government", "social_work", "ngo", "international", "other", NULL,
};

static bool valid_kind(const char *k)
{
	for (size_t i = 0; agency_kinds[i]; i++)
		if (!strcmp(agency_kinds[i], k))
			return true;
	return false;
}

/* 32 random bytes as 43 base64url characters. */
static void random_secret(char out[SECRET_STR_MAX])
{
	unsigned char b[SECRET_BYTES];

	randombytes_buf(b, sizeof(b));
	sodium_bin2base64(out, SECRET_STR_MAX, b, sizeof(b), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(b, sizeof(b));
}

static void secret_hash(const char *secret, char out[HASH_HEX])
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
	auth_hex(h, sizeof(h), out);
}

/* The CSRF token of a session: derived from its secret, so nothing more is stored. */
static void session_csrf(const char *secret, char out[SECRET_STR_MAX])
{
	static const char label[] = "mmis csrf token";
	unsigned char h[SECRET_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1,
			   (const unsigned char *)secret, strlen(secret));
	sodium_bin2base64(out, SECRET_STR_MAX, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(h, sizeof(h));
}

/* Whether `s` has the form of a session secret or token body: 43 base64url characters. */
static bool valid_secret_text(const char *s)
{
	if (!s || strlen(s) != 43)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* ---- transactions with their audit event */

enum mmis_err audited_begin(struct audited_op *op, const struct mmis_ctx *cx, const struct actor *a,
			    const char *action, const char *object_type, struct mmis_error *err)
{
	memset(op, 0, sizeof(*op));
	op->cx = cx;
	op->a = a;
	op->action = action;
	op->object_type = object_type;
	return store_begin(cx->store, err);
}

void audited_detail(struct audited_op *op, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(op->detail, sizeof(op->detail), fmt, ap);
	va_end(ap);
}

/*
 * End an operation: on success write its "ok" event and commit; on failure roll the work back
 * and write a "denied" or "failed" event with the reason (outside the failed work, inside the
 * caller's transaction when there is one).
 */
enum mmis_err audited_end(struct audited_op *op, enum mmis_err rc, struct mmis_error *err)
{
	struct store *s = op->cx->store;
	struct audit_event ev = {
		.action = op->action,
		.object_type = op->object_type,
		.object_id = op->object_id[0] ? op->object_id : NULL,
		.outcome = AUDIT_OK,
		.detail = op->detail[0] ? op->detail : NULL,
	};

	if (!rc) {
		rc = audit_append(s, op->cx->audit_key, op->a, &ev, err);
		if (!rc)
			return store_commit(s, err);
	}
	store_rollback(s, NULL);
	if (rc == MMIS_EDB || rc == MMIS_ENOMEM || rc == MMIS_EBUSY)
		return rc; /* the database itself failed: an event would most likely fail too */
	ev.outcome = rc == MMIS_EDENIED || rc == MMIS_EAUTH ? AUDIT_DENIED : AUDIT_FAILED;
	ev.detail = mmis_error_text(err);
	audit_append(s, op->cx->audit_key, op->a, &ev, NULL);
	return rc;
}

enum mmis_err actor_denied(struct mmis_error *err, enum perm p)
{
	return mmis_error_set(err, MMIS_EDENIED, NULL, "not allowed: needs the permission %s",
			      perm_name(p));
}

enum mmis_err mmis_ctx_check(const struct mmis_ctx *cx, const struct actor *a,
			     struct mmis_error *err)
{
	if (!cx || !cx->store || !cx->audit_key)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or no audit key");
	if (!a)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no actor");
	return MMIS_OK;
}

/* ---- queries */

static enum mmis_err query_count(struct store *s, const char *sql, const char *param,
				 int64_t *out, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*out = 0;
	if ((rc = store_prepare(s, sql, &st, err)))
		return rc;
	if (param)
		store_bind_text(st, 1, param);
	if (!(rc = store_step(st, &row, err)) && row)
		*out = store_column_int64(st, 0);
	store_finalize(st);
	return rc;
}

struct agency_row {
	char id[UUID_STR_MAX];
	char code[40];
};

static enum mmis_err find_agency(struct store *s, const char *code, struct agency_row *out,
				 struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "SELECT id, code FROM agency WHERE code = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, code);
	if (!(rc = store_step(st, &row, err)) && row) {
		str_copy(out->id, sizeof(out->id), store_column_text(st, 0));
		str_copy(out->code, sizeof(out->code), store_column_text(st, 1));
	}
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "agency", "no agency '%s'", code);
	return rc;
}

enum mmis_err actor_system_for(struct store *s, const char *code, struct actor *out,
			       struct mmis_error *err)
{
	struct agency_row ag;
	enum mmis_err rc;

	if (!actor_is_system(out))
		return mmis_error_set(err, MMIS_EINVAL, NULL, "only the system works for an agency");
	if (!code || !*code)
		return mmis_error_set(err, MMIS_EINVAL, "agency", "an agency code is required");
	if ((rc = find_agency(s, code, &ag, err)))
		return rc;
	str_copy(out->agency_id, sizeof(out->agency_id), ag.id);
	str_copy(out->agency_code, sizeof(out->agency_code), ag.code);
	return MMIS_OK;
}

struct user_row {
	char id[UUID_STR_MAX];
	char username[AUTH_NAME_MAX + 1];
	char agency_id[UUID_STR_MAX];
	char role[40];
	char hash[crypto_pwhash_STRBYTES];
	bool disabled;
};

static enum mmis_err find_user(struct store *s, const char *username, struct user_row *out,
			       struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_prepare(s, "SELECT id, username, agency_id, role, password_hash, disabled "
				"FROM app_user WHERE username = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, username);
	if (!(rc = store_step(st, &row, err)) && row) {
		str_copy(out->id, sizeof(out->id), store_column_text(st, 0));
		str_copy(out->username, sizeof(out->username), store_column_text(st, 1));
		str_copy(out->agency_id, sizeof(out->agency_id), store_column_text(st, 2));
		str_copy(out->role, sizeof(out->role), store_column_text(st, 3));
		str_copy(out->hash, sizeof(out->hash), store_column_text(st, 4));
		out->disabled = store_column_bool(st, 5);
	}
	store_finalize(st);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, "username", "no user '%s'",
				    valid_username(username) ? username : "(invalid name)");
	return rc;
}

#define RUN STORE_RUN /* with the parameters listed */

/* ---- passwords */

static pthread_mutex_t crack_lock = PTHREAD_MUTEX_INITIALIZER; /* cracklib is not thread-safe */

/* Whether cracklib's dictionary is there: without it FascistCheck would exit the process. */
static bool crack_dict_present(const char *dict)
{
	static const char *const suffixes[] = { ".pwd", ".pwi", ".hwm" };
	char path[512];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s", dict, suffixes[i]) >= sizeof(path) ||
		    access(path, R_OK))
			return false;
	}
	return true;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

enum mmis_err password_check(const char *username, const char *password, struct mmis_error *err)
{
	const char *dict = GetDefaultCracklibDict(), *why;
	char reason[160];

	if (!password || !*password)
		return mmis_error_set(err, MMIS_EINVAL, "password", "a password is required");
	if (strlen(password) > PASSWORD_MAX_LEN)
		return mmis_error_set(err, MMIS_EINVAL, "password", "the password is longer than %d bytes",
				      PASSWORD_MAX_LEN);
	if (utf8_chars(password) < PASSWORD_MIN_LEN)
		return mmis_error_set(err, MMIS_EINVAL, "password",
				      "the password must have at least %d characters", PASSWORD_MIN_LEN);
	if (username && !strcasecmp(username, password))
		return mmis_error_set(err, MMIS_EINVAL, "password",
				      "the password must not be the username");
	if (!dict || !crack_dict_present(dict))
		return mmis_error_set(err, MMIS_EUNSUPPORTED, "password",
				      "cannot check passwords: cracklib's dictionary %s is missing "
				      "(install cracklib-runtime)", dict ? dict : "");
	pthread_mutex_lock(&crack_lock);
	why = FascistCheckUser(password, dict, username && *username ? username : "mmis", NULL);
	str_copy(reason, sizeof(reason), why);
	pthread_mutex_unlock(&crack_lock);
	if (why)
		return mmis_error_set(err, MMIS_EINVAL, "password", "the password is too weak: %s",
				      reason);
	return MMIS_OK;
}

static enum mmis_err hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
				   struct mmis_error *err)
{
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory hashing the password");
	return MMIS_OK;
}

/* An argon2id hash of a random password: unknown users are checked against it, so that they
 * take as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static bool dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[SECRET_STR_MAX];

	random_secret(pw);
	dummy_ok = !crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE);
	sodium_memzero(pw, sizeof(pw));
}

/* ---- agencies */

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

enum mmis_err agency_add(const struct mmis_ctx *cx, const struct actor *a, const char *code,
			 const char *name, const char *kind, char id_out[UUID_STR_MAX],
			 struct mmis_error *err)
{
	struct mmis_error local;
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX];
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if (!kind || !*kind)
		kind = "other";
	if ((rc = audited_begin(&op, cx, a, "agency.create", "agency", err)))
		return rc;
	if (actor_scope(a, PERM_AGENCIES_ADMIN) != SCOPE_ALL)
		rc = actor_denied(err, PERM_AGENCIES_ADMIN);
	else if (!valid_agency_code(code))
		rc = mmis_error_set(err, MMIS_EINVAL, "code",
				    "an agency code is 2 to 32 of A-Z, 0-9, _ and -, starting with a "
				    "letter or digit");
	else if (!valid_label(name, AGENCY_NAME_MAX))
		rc = mmis_error_set(err, MMIS_EINVAL, "name",
				    "an agency name is 1 to %d printable bytes", AGENCY_NAME_MAX);
	else if (!valid_kind(kind))
		rc = mmis_error_set(err, MMIS_EINVAL, "kind",
				    "no agency kind '%s' (police, government, social_work, ngo, "
				    "international, other)", kind);
	if (!rc) {
		uuid7_new_str(id);
		auth_time_str(0, now);
		str_copy(op.object_id, sizeof(op.object_id), id);
		audited_detail(&op, "code %s, kind %s", code, kind);
		rc = RUN(cx->store, "INSERT INTO agency (id, code, name, kind, created_at) "
			 "VALUES (?, ?, ?, ?, ?)", NULL, err, id, code, name, kind, now);
		if (rc == MMIS_ECONFLICT)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "code", "agency %s exists already", code);
	} else if (valid_agency_code(code)) {
		audited_detail(&op, "code %s", code);
	}
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, id, UUID_STR_MAX);
	return rc;
}

enum mmis_err agency_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			  struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st = NULL;
	enum scope sc;
	json_t *arr = NULL;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, "agency.list", "agency", err)))
		return rc;
	sc = actor_scope(a, PERM_AGENCIES_ADMIN);
	if (sc < SCOPE_AGENCY)
		rc = actor_denied(err, PERM_AGENCIES_ADMIN);
	else if (!(arr = json_array()))
		rc = oom(err);
	else if (!(rc = store_prepare(cx->store,
				      "SELECT id, code, name, kind, created_at FROM agency "
				      "WHERE ? OR id = ? ORDER BY code", &st, err))) {
		store_bind_bool(st, 1, sc == SCOPE_ALL);
		store_bind_text(st, 2, a->agency_id);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}",
					      "id", store_column_text(st, 0),
					      "code", store_column_text(st, 1),
					      "name", store_column_text(st, 2),
					      "kind", store_column_text(st, 3),
					      "created_at", store_column_text(st, 4));
			if (!o || json_array_append_new(arr, o)) {
				rc = oom(err);
				break;
			}
		}
		store_finalize(st);
		audited_detail(&op, "%zu agencies", json_array_size(arr));
	}
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

/* ---- users */

#define USER_SELECT                                                                            \
	"SELECT u.id, u.username, u.display_name, u.role, u.agency_id, g.code, u.disabled, "     \
	"t.locked_until, u.created_at, u.last_login_at FROM app_user u "                       \
	"JOIN agency g ON g.id = u.agency_id "                                                 \
	"LEFT JOIN login_throttle t ON t.username = u.username "

static json_t *user_json(struct store_stmt *st)
{
	const char *locked = store_column_text(st, 7);

	if (locked && parse_time(locked) <= auth_clock_now())
		locked = NULL;
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b, s:o, s:s?, s:o}",
			 "id", store_column_text(st, 0),
			 "username", store_column_text(st, 1),
			 "display_name", store_column_text(st, 2),
			 "role", store_column_text(st, 3),
			 "agency_id", store_column_text(st, 4),
			 "agency_code", store_column_text(st, 5),
			 "disabled", store_column_bool(st, 6),
			 "locked_until", text_or_null(locked),
			 "created_at", store_column_text(st, 8),
			 "last_login_at", text_or_null(store_column_text(st, 9)));
}

enum mmis_err user_add(const struct mmis_ctx *cx, const struct actor *a, const char *username,
		       const char *display_name, const char *role, const char *agency_code,
		       const char *password, char id_out[UUID_STR_MAX], struct mmis_error *err)
{
	struct mmis_error local;
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX], hash[crypto_pwhash_STRBYTES] = "";
	struct agency_row ag;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if (!display_name || !*display_name)
		display_name = username;
	if ((rc = audited_begin(&op, cx, a, "user.create", "user", err)))
		return rc;
	if (valid_username(username))
		audited_detail(&op, "username %s, role %s, agency %s", username,
			  role_find(role) ? role : "(invalid)",
			  valid_agency_code(agency_code) ? agency_code : "(invalid)");
	if (actor_scope(a, PERM_USERS_ADMIN) < SCOPE_AGENCY)
		rc = actor_denied(err, PERM_USERS_ADMIN);
	else if (!valid_username(username))
		rc = mmis_error_set(err, MMIS_EINVAL, "username",
				    "a username is 3 to %d of a-z, 0-9, '.', '_' and '-', starting "
				    "with a letter", AUTH_NAME_MAX);
	else if (!valid_label(display_name, DISPLAY_NAME_MAX))
		rc = mmis_error_set(err, MMIS_EINVAL, "display_name",
				    "a display name is 1 to %d printable bytes", DISPLAY_NAME_MAX);
	else if (!role_find(role))
		rc = mmis_error_set(err, MMIS_EINVAL, "role", "no such role '%s'",
				    role && valid_label(role, 40) ? role : "");
	else if (!valid_agency_code(agency_code))
		rc = mmis_error_set(err, MMIS_EINVAL, "agency", "not an agency code");
	else if (!(rc = find_agency(cx->store, agency_code, &ag, err)) &&
		 !actor_may(a, PERM_USERS_ADMIN, NULL, ag.id))
		rc = actor_denied(err, PERM_USERS_ADMIN);
	if (!rc)
		rc = password_check(username, password, err);
	if (!rc)
		rc = hash_password(password, hash, err);
	if (!rc) {
		uuid7_new_str(id);
		auth_time_str(0, now);
		str_copy(op.object_id, sizeof(op.object_id), id);
		rc = RUN(cx->store,
			 "INSERT INTO app_user (id, username, display_name, role, agency_id, "
			 "password_hash, disabled, created_at, updated_at, password_changed_at) "
			 "VALUES (?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?)",
			 NULL, err, id, username, display_name, role, ag.id, hash, now, now, now);
		if (rc == MMIS_ECONFLICT)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "username", "user %s exists already",
					    username);
	}
	sodium_memzero(hash, sizeof(hash));
	rc = audited_end(&op, rc, err);
	if (!rc && id_out)
		memcpy(id_out, id, UUID_STR_MAX);
	return rc;
}

enum mmis_err user_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st = NULL;
	json_t *arr = NULL;
	enum scope sc;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, "user.list", "user", err)))
		return rc;
	sc = actor_scope(a, PERM_USERS_ADMIN);
	if (sc < SCOPE_AGENCY)
		rc = actor_denied(err, PERM_USERS_ADMIN);
	else if (!(arr = json_array()))
		rc = oom(err);
	else if (!(rc = store_prepare(cx->store, USER_SELECT "WHERE ? OR u.agency_id = ? "
				      "ORDER BY u.username", &st, err))) {
		store_bind_bool(st, 1, sc == SCOPE_ALL);
		store_bind_text(st, 2, a->agency_id);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = user_json(st);
			if (!o || json_array_append_new(arr, o)) {
				rc = oom(err);
				break;
			}
		}
		store_finalize(st);
		audited_detail(&op, "%zu users", json_array_size(arr));
	}
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

enum mmis_err user_get(const struct mmis_ctx *cx, const struct actor *a, const char *username,
		       json_t **out, struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st = NULL;
	json_t *o = NULL;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, "user.read", "user", err)))
		return rc;
	if (!(rc = store_prepare(cx->store, USER_SELECT "WHERE u.username = ?", &st, err))) {
		store_bind_text(st, 1, username);
		if (!(rc = store_step(st, &row, err)) && row) {
			const char *id = store_column_text(st, 0), *agency = store_column_text(st, 4);
			str_copy(op.object_id, sizeof(op.object_id), id);
			if (!actor_may(a, PERM_USERS_ADMIN, NULL, agency) &&
			    !actor_may(a, PERM_SELF, id, agency))
				rc = actor_denied(err, PERM_USERS_ADMIN);
			else if (!(o = user_json(st)))
				rc = oom(err);
		} else if (!rc) {
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "username", "no user '%s'",
					    valid_username(username) ? username : "(invalid name)");
		}
		store_finalize(st);
	}
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}

/* End a user's sessions, except `keep` (may be NULL). */
static enum mmis_err end_sessions(struct store *s, const char *user_id, const char *keep,
				  int64_t *ended, struct mmis_error *err)
{
	return RUN(s, "DELETE FROM user_session WHERE user_id = ? AND id <> ?", ended, err,
		   user_id, keep ? keep : "");
}

enum mmis_err user_set_password(const struct mmis_ctx *cx, const struct actor *a,
				const char *username, const char *old_password,
				const char *new_password, struct mmis_error *err)
{
	struct mmis_error local;
	char now[TIMESTAMP_STR_MAX], hash[crypto_pwhash_STRBYTES] = "";
	struct user_row u;
	int64_t ended = 0;
	struct audited_op op;
	bool self = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, "user.password", "user", err)))
		return rc;
	if (!(rc = find_user(cx->store, username, &u, err))) {
		str_copy(op.object_id, sizeof(op.object_id), u.id);
		self = a->user_id[0] && !strcmp(a->user_id, u.id);
		if (self) {
			/* One's own password: only with the current one, whoever one is. */
			if (!actor_may(a, PERM_SELF, u.id, u.agency_id))
				rc = actor_denied(err, PERM_SELF);
			else if (!old_password || strlen(old_password) > PASSWORD_MAX_LEN ||
				 crypto_pwhash_str_verify(u.hash, old_password, strlen(old_password)))
				rc = mmis_error_set(err, MMIS_EAUTH, "old_password",
						    "the current password is wrong");
		} else if (!actor_may(a, PERM_USERS_ADMIN, NULL, u.agency_id)) {
			rc = actor_denied(err, PERM_USERS_ADMIN);
		}
		audited_detail(&op, "%s", self ? "own password changed" : "password reset");
	}
	if (!rc)
		rc = password_check(username, new_password, err);
	if (!rc)
		rc = hash_password(new_password, hash, err);
	if (!rc) {
		auth_time_str(0, now);
		rc = RUN(cx->store, "UPDATE app_user SET password_hash = ?, password_changed_at = ?, "
			 "updated_at = ? WHERE id = ?", NULL, err, hash, now, now, u.id);
	}
	/* Other sessions end; the one making the change (if it is the user's own) stays. */
	if (!rc)
		rc = end_sessions(cx->store, u.id,
				  a->via == VIA_SESSION && !strcmp(a->user_id, u.id) ? a->credential_id
										     : NULL,
				  &ended, err);
	/* A reset by an administrator also lifts a lock. */
	if (!rc && strcmp(a->user_id, u.id))
		rc = RUN(cx->store, "DELETE FROM login_throttle WHERE username = ?", NULL, err,
			 u.username);
	if (!rc && ended)
		audited_detail(&op, "%s; %lld sessions ended", self ? "own password changed" : "password reset",
			  (long long)ended);
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(&u, sizeof(u));
	return audited_end(&op, rc, err);
}

enum mmis_err user_set_disabled(const struct mmis_ctx *cx, const struct actor *a,
				const char *username, bool disabled, struct mmis_error *err)
{
	struct mmis_error local;
	char now[TIMESTAMP_STR_MAX];
	struct user_row u;
	int64_t sessions = 0, tokens = 0;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, disabled ? "user.disable" : "user.enable", "user", err)))
		return rc;
	if (!(rc = find_user(cx->store, username, &u, err))) {
		str_copy(op.object_id, sizeof(op.object_id), u.id);
		if (!actor_may(a, PERM_USERS_ADMIN, NULL, u.agency_id))
			rc = actor_denied(err, PERM_USERS_ADMIN);
		else if (disabled && !strcmp(a->user_id, u.id))
			rc = mmis_error_set(err, MMIS_ECONFLICT, "username",
					    "you cannot disable your own account");
	}
	if (!rc) {
		struct store_stmt *st;
		auth_time_str(0, now);
		if (!(rc = store_prepare(cx->store, "UPDATE app_user SET disabled = ?, updated_at = ? "
					 "WHERE id = ?", &st, err))) {
			store_bind_bool(st, 1, disabled);
			store_bind_text(st, 2, now);
			store_bind_text(st, 3, u.id);
			rc = store_run(st, err);
			store_finalize(st);
		}
	}
	if (!rc && disabled) {
		rc = end_sessions(cx->store, u.id, NULL, &sessions, err);
		if (!rc)
			rc = RUN(cx->store, "UPDATE api_token SET revoked_at = ? "
				 "WHERE user_id = ? AND revoked_at IS NULL", &tokens, err, now, u.id);
		audited_detail(&op, "%lld sessions ended, %lld tokens revoked", (long long)sessions,
			  (long long)tokens);
	}
	return audited_end(&op, rc, err);
}

/* ---- sessions */

/* The delay the front end imposes after `failures` failures in a row: 0 for the first
 * LOGIN_FREE_FAILURES, then 1, 2, 4, ... seconds, capped. */
static int login_delay(int64_t failures)
{
	int64_t n = failures - LOGIN_FREE_FAILURES;

	if (n <= 0)
		return 0;
	return n > 5 ? LOGIN_DELAY_CAP : (1 << (n - 1)) < LOGIN_DELAY_CAP ? 1 << (n - 1) : LOGIN_DELAY_CAP;
}

struct throttle {
	int64_t failures;
	int64_t locked_until_ms;
};

static enum mmis_err read_throttle(struct store *s, const char *name, struct throttle *t,
				   struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	memset(t, 0, sizeof(*t));
	if ((rc = store_prepare(s, "SELECT failures, locked_until, last_failure_at "
				"FROM login_throttle WHERE username = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, name);
	if (!(rc = store_step(st, &row, err)) && row &&
	    parse_time(store_column_text(st, 2)) > auth_clock_now() - THROTTLE_FORGET_MS) {
		t->failures = store_column_int64(st, 0);
		t->locked_until_ms = parse_time(store_column_text(st, 1));
	}
	store_finalize(st);
	return rc;
}

/* Count one more failure for `name`; lock when there are enough in a row. */
static enum mmis_err count_failure(struct store *s, const char *name, bool *locked_now,
				   struct throttle *t, struct mmis_error *err)
{
	char now[TIMESTAMP_STR_MAX], until[TIMESTAMP_STR_MAX], old[TIMESTAMP_STR_MAX];
	enum mmis_err rc;

	*locked_now = false;
	auth_time_str(0, now);
	auth_time_str(-THROTTLE_FORGET_MS, old);
	/* Failures too old to count start again from one. */
	rc = RUN(s, "DELETE FROM login_throttle WHERE username = ? AND last_failure_at < ?", NULL,
		 err, name, old);
	if (!rc)
		rc = RUN(s, "INSERT INTO login_throttle (username, failures, last_failure_at) "
			 "VALUES (?, 1, ?) ON CONFLICT (username) DO UPDATE SET "
			 "failures = login_throttle.failures + 1, last_failure_at = excluded.last_failure_at",
			 NULL, err, name, now);
	if (!rc)
		rc = read_throttle(s, name, t, err);
	if (!rc && t->failures >= LOGIN_LOCK_FAILURES && t->locked_until_ms <= auth_clock_now()) {
		auth_time_str(LOGIN_LOCK_SECONDS * 1000LL, until);
		rc = RUN(s, "UPDATE login_throttle SET locked_until = ? WHERE username = ?", NULL, err,
			 until, name);
		t->locked_until_ms = auth_clock_now() + LOGIN_LOCK_SECONDS * 1000LL;
		*locked_now = true;
	}
	return rc;
}

/* The names an actor carries for display (so that /me needs no second, audited read). */
#define ACTOR_NAMES "u.display_name, g.code, g.name"
struct actor_names {
	char display_name[128], agency_code[33], agency_name[128];
};

static void names_read(struct store_stmt *st, int col, struct actor_names *n)
{
	str_copy(n->display_name, sizeof(n->display_name), store_column_text(st, col));
	str_copy(n->agency_code, sizeof(n->agency_code), store_column_text(st, col + 1));
	str_copy(n->agency_name, sizeof(n->agency_name), store_column_text(st, col + 2));
}

static void names_copy(struct actor *a, const struct actor_names *n)
{
	memcpy(a->display_name, n->display_name, sizeof(a->display_name));
	memcpy(a->agency_code, n->agency_code, sizeof(a->agency_code));
	memcpy(a->agency_name, n->agency_name, sizeof(a->agency_name));
}

static void fill_actor(struct actor *out, const char *user_id, const char *username,
		       const char *agency_id, const char *role, enum actor_via via,
		       const char *credential_id)
{
	memset(out, 0, sizeof(*out));
	str_copy(out->user_id, sizeof(out->user_id), user_id);
	str_copy(out->username, sizeof(out->username), username);
	str_copy(out->agency_id, sizeof(out->agency_id), agency_id);
	out->role = role_find(role);
	out->via = via;
	str_copy(out->credential_id, sizeof(out->credential_id), credential_id);
}

enum mmis_err auth_login(const struct mmis_ctx *cx, const char *username, const char *password,
			 const char *client, struct session_info *out, int *retry_after_s,
			 struct mmis_error *err)
{
	struct mmis_error local, ignored;
	char name[AUTH_NAME_MAX + 1] = "", now[TIMESTAMP_STR_MAX], expires[TIMESTAMP_STR_MAX];
	char hash[HASH_HEX], client_text[64] = "";
	const char *why = NULL;
	struct user_row u;
	struct throttle t;
	struct actor who;
	struct audited_op op;
	bool known = false, named, verified, locked, locked_now = false;
	size_t pwlen;
	enum mmis_err rc;

	if (!err)
		err = &local;
	memset(out, 0, sizeof(*out));
	if (retry_after_s)
		*retry_after_s = 0;
	if (!cx || !cx->store || !cx->audit_key)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or no audit key");
	pthread_once(&dummy_once, make_dummy);
	if (!dummy_ok)
		return oom(err);

	/* Names are matched case-insensitively (they are stored in lower case). */
	if (username && strlen(username) <= AUTH_NAME_MAX)
		for (size_t i = 0; username[i]; i++)
			name[i] = (char)tolower((unsigned char)username[i]);
	named = valid_username(name);
	if (client)
		for (size_t i = 0; client[i] && i + 1 < sizeof(client_text); i++)
			client_text[i] = (unsigned char)client[i] < 0x20 ? '?' : client[i];

	/* Everything slow happens before the write transaction, which stays short. */
	memset(&u, 0, sizeof(u));
	memset(&t, 0, sizeof(t));
	if (named) {
		rc = find_user(cx->store, name, &u, &ignored);
		if (rc && rc != MMIS_ENOTFOUND)
			return mmis_error_set(err, rc, NULL, "%s", ignored.message);
		known = !rc;
		if ((rc = read_throttle(cx->store, name, &t, err)))
			return rc;
	}
	pwlen = password ? strnlen(password, PASSWORD_MAX_LEN + 1) : 0;
	verified = crypto_pwhash_str_verify(known ? u.hash : dummy_hash, password ? password : "",
					    pwlen > PASSWORD_MAX_LEN ? PASSWORD_MAX_LEN : pwlen) == 0;
	verified = verified && known && pwlen <= PASSWORD_MAX_LEN;
	locked = t.locked_until_ms > auth_clock_now();
	if (!known)
		why = named ? "unknown user" : "not a valid username";
	else if (!verified)
		why = "wrong password";
	else if (u.disabled)
		why = "account disabled";
	else if (locked)
		why = "account locked";
	else if (!role_find(u.role))
		why = "unknown role";

	if (known)
		fill_actor(&who, u.id, u.username, u.agency_id, u.role, VIA_SESSION, NULL);
	else
		fill_actor(&who, NULL, named ? name : "unknown", NULL, NULL, VIA_SESSION, NULL);
	if (client_text[0])
		snprintf(who.origin, sizeof(who.origin), "client %s", client_text);

	if ((rc = audited_begin(&op, cx, &who, "session.login", "session", err)))
		goto out;
	if (why) {
		if (named)
			rc = count_failure(cx->store, name, &locked_now, &t, err);
		if (!rc) {
			audited_detail(&op, "%s%s", why,
				  locked_now ? "; account locked after too many failures" : "");
			/* A failed login is committed: its count and its event must stay. */
			struct audit_event ev = { .action = "session.login", .object_type = "user",
						  .object_id = known ? u.id : NULL,
						  .outcome = AUDIT_DENIED, .detail = op.detail };
			rc = audit_append(cx->store, cx->audit_key, &who, &ev, err);
		}
		if (rc) {
			store_rollback(cx->store, NULL);
			goto out;
		}
		if ((rc = store_commit(cx->store, err)))
			goto out;
		if (retry_after_s)
			*retry_after_s = login_delay(t.failures);
		rc = mmis_error_set(err, MMIS_EAUTH, NULL, "wrong username or password");
		goto out;
	}

	/* Success. */
	uuid7_new_str(out->id);
	random_secret(out->secret);
	session_csrf(out->secret, out->csrf);
	secret_hash(out->secret, hash);
	auth_time_str(0, now);
	out->expires_ms = auth_clock_now() + SESSION_ABSOLUTE_SECONDS * 1000LL;
	timestamp_format(out->expires_ms, expires);
	str_copy(op.object_id, sizeof(op.object_id), out->id);
	rc = RUN(cx->store, "DELETE FROM login_throttle WHERE username = ?", NULL, err, name);
	if (!rc)
		rc = RUN(cx->store, "INSERT INTO user_session (id, user_id, secret_hash, created_at, "
			 "last_seen_at, expires_at, client) VALUES (?, ?, ?, ?, ?, ?, ?)", NULL, err,
			 out->id, u.id, hash, now, now, expires, client_text[0] ? client_text : NULL);
	if (!rc)
		rc = RUN(cx->store, "UPDATE app_user SET last_login_at = ? WHERE id = ?", NULL, err,
			 now, u.id);
	/* Hashes made with weaker limits than today's are renewed while the password is at hand. */
	if (!rc && crypto_pwhash_str_needs_rehash(u.hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
						  crypto_pwhash_MEMLIMIT_INTERACTIVE)) {
		char fresh[crypto_pwhash_STRBYTES];
		if (!(rc = hash_password(password, fresh, err)))
			rc = RUN(cx->store, "UPDATE app_user SET password_hash = ? WHERE id = ?", NULL,
				 err, fresh, u.id);
		sodium_memzero(fresh, sizeof(fresh));
	}
	str_copy(who.credential_id, sizeof(who.credential_id), out->id);
	rc = audited_end(&op, rc, err);
	if (rc)
		memset(out, 0, sizeof(*out));
out:
	sodium_memzero(&u, sizeof(u));
	return rc;
}

enum mmis_err auth_session(const struct mmis_ctx *cx, const char *secret, struct actor *out,
			   char csrf_out[SECRET_STR_MAX], struct mmis_error *err)
{
	struct mmis_error local;
	char hash[HASH_HEX], now[TIMESTAMP_STR_MAX];
	char id[UUID_STR_MAX] = "", user_id[UUID_STR_MAX] = "", username[AUTH_NAME_MAX + 1] = "";
	char agency[UUID_STR_MAX] = "", role[40] = "", client[64] = "";
	struct actor_names names = { "", "", "" };
	struct store_stmt *st;
	int64_t t_now = auth_clock_now(), last_seen = 0, expires = 0;
	bool row = false, disabled = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	memset(out, 0, sizeof(*out));
	if (csrf_out)
		csrf_out[0] = '\0';
	if (!cx || !cx->store)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database");
	if (!valid_secret_text(secret))
		return mmis_error_set(err, MMIS_EAUTH, NULL, "not signed in");
	secret_hash(secret, hash);
	if ((rc = store_prepare(cx->store,
				"SELECT s.id, s.user_id, s.last_seen_at, s.expires_at, s.client, "
				"u.username, u.agency_id, u.role, u.disabled, " ACTOR_NAMES
				" FROM user_session s JOIN app_user u ON u.id = s.user_id "
				"JOIN agency g ON g.id = u.agency_id WHERE s.secret_hash = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, hash);
	if (!(rc = store_step(st, &row, err)) && row) {
		str_copy(id, sizeof(id), store_column_text(st, 0));
		str_copy(user_id, sizeof(user_id), store_column_text(st, 1));
		last_seen = parse_time(store_column_text(st, 2));
		expires = parse_time(store_column_text(st, 3));
		str_copy(client, sizeof(client), store_column_text(st, 4));
		str_copy(username, sizeof(username), store_column_text(st, 5));
		str_copy(agency, sizeof(agency), store_column_text(st, 6));
		str_copy(role, sizeof(role), store_column_text(st, 7));
		disabled = store_column_bool(st, 8);
		names_read(st, 9, &names);
	}
	store_finalize(st);
	if (rc)
		return rc;
	if (!row)
		return mmis_error_set(err, MMIS_EAUTH, NULL, "not signed in, or the session has ended");
	if (t_now >= expires || t_now - last_seen >= SESSION_IDLE_SECONDS * 1000LL || disabled ||
	    !role_find(role)) {
		/* An ended session is removed at once; failing to remove it changes nothing here. */
		RUN(cx->store, "DELETE FROM user_session WHERE id = ?", NULL, NULL, id);
		return mmis_error_set(err, MMIS_EAUTH, NULL, "the session has ended: sign in again");
	}
	if (t_now - last_seen >= TOUCH_EVERY_MS) {
		auth_time_str(0, now);
		if ((rc = RUN(cx->store, "UPDATE user_session SET last_seen_at = ? WHERE id = ?", NULL,
			      err, now, id)))
			return rc;
	}
	fill_actor(out, user_id, username, agency, role, VIA_SESSION, id);
	names_copy(out, &names);
	if (client[0])
		snprintf(out->origin, sizeof(out->origin), "client %s", client);
	if (csrf_out)
		session_csrf(secret, csrf_out);
	return MMIS_OK;
}

enum mmis_err auth_logout(const struct mmis_ctx *cx, const struct actor *a, struct mmis_error *err)
{
	struct mmis_error local;
	int64_t n = 0;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if (a->via != VIA_SESSION || !a->credential_id[0])
		return mmis_error_set(err, MMIS_EINVAL, NULL, "not signed in with a session");
	if ((rc = audited_begin(&op, cx, a, "session.logout", "session", err)))
		return rc;
	str_copy(op.object_id, sizeof(op.object_id), a->credential_id);
	rc = RUN(cx->store, "DELETE FROM user_session WHERE id = ?", &n, err, a->credential_id);
	if (!rc && !n)
		rc = mmis_error_set(err, MMIS_ENOTFOUND, NULL, "the session has ended already");
	return audited_end(&op, rc, err);
}

enum mmis_err auth_open_sessions(const struct mmis_ctx *cx, int64_t *count, struct mmis_error *err)
{
	char now[TIMESTAMP_STR_MAX], idle[TIMESTAMP_STR_MAX];
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*count = 0;
	auth_time_str(0, now);
	auth_time_str(-SESSION_IDLE_SECONDS * 1000LL, idle);
	if ((rc = store_prepare(cx->store, "SELECT count(*) FROM user_session "
				"WHERE expires_at > ? AND last_seen_at > ?", &st, err)))
		return rc;
	store_bind_text(st, 1, now);
	store_bind_text(st, 2, idle);
	if (!(rc = store_step(st, &row, err)) && row)
		*count = store_column_int64(st, 0);
	store_finalize(st);
	return rc;
}

enum mmis_err auth_expire_sessions(const struct mmis_ctx *cx, int64_t *removed,
				   struct mmis_error *err)
{
	char now[TIMESTAMP_STR_MAX], idle[TIMESTAMP_STR_MAX], old[TIMESTAMP_STR_MAX];
	int64_t n = 0;
	struct actor sys;
	struct audited_op op;
	enum mmis_err rc;

	if (removed)
		*removed = 0;
	actor_system(&sys);
	if ((rc = mmis_ctx_check(cx, &sys, err)))
		return rc;
	auth_time_str(0, now);
	auth_time_str(-SESSION_IDLE_SECONDS * 1000LL, idle);
	auth_time_str(-THROTTLE_FORGET_MS, old);
	if ((rc = audited_begin(&op, cx, &sys, "session.expire", "session", err)))
		return rc;
	rc = RUN(cx->store, "DELETE FROM user_session WHERE expires_at <= ? OR last_seen_at <= ?", &n,
		 err, now, idle);
	if (!rc)
		rc = RUN(cx->store, "DELETE FROM login_throttle WHERE last_failure_at < ? AND "
			 "(locked_until IS NULL OR locked_until < ?)", NULL, err, old, now);
	if (rc || !n) { /* nothing ended: nothing to tell the auditor */
		store_rollback(cx->store, NULL);
		return rc;
	}
	audited_detail(&op, "%lld sessions ended", (long long)n);
	if (removed)
		*removed = n;
	return audited_end(&op, rc, err);
}

/* ---- API tokens */

struct token_row {
	char id[UUID_STR_MAX];
	char user_id[UUID_STR_MAX];
	char agency_id[UUID_STR_MAX];
	bool revoked;
};

enum mmis_err token_create(const struct mmis_ctx *cx, const struct actor *a, const char *username,
			   const char *name, char token_out[SECRET_STR_MAX], char id_out[UUID_STR_MAX],
			   struct mmis_error *err)
{
	struct mmis_error local;
	char id[UUID_STR_MAX], now[TIMESTAMP_STR_MAX], secret[SECRET_STR_MAX], hash[HASH_HEX];
	char token[SECRET_STR_MAX];
	struct user_row u;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	token_out[0] = '\0';
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if (!name || !*name)
		name = "token";
	if ((rc = audited_begin(&op, cx, a, "token.create", "token", err)))
		return rc;
	if (!(rc = find_user(cx->store, username, &u, err))) {
		audited_detail(&op, "for user %s", u.username);
		if (!actor_may(a, PERM_TOKENS_ADMIN, u.id, u.agency_id))
			rc = actor_denied(err, PERM_TOKENS_ADMIN);
		else if (!valid_label(name, TOKEN_NAME_MAX))
			rc = mmis_error_set(err, MMIS_EINVAL, "name",
					    "a token name is 1 to %d printable bytes", TOKEN_NAME_MAX);
		else if (u.disabled)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "username", "user %s is disabled",
					    u.username);
	}
	if (!rc) {
		uuid7_new_str(id);
		auth_time_str(0, now);
		random_secret(secret);
		/* "mmis_" and the 43 characters with their NUL: 49 bytes of the 64. */
		memcpy(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
		memcpy(token + strlen(TOKEN_PREFIX), secret, strlen(secret) + 1);
		secret_hash(token, hash);
		str_copy(op.object_id, sizeof(op.object_id), id);
		audited_detail(&op, "for user %s, named %s", u.username, name);
		rc = RUN(cx->store, "INSERT INTO api_token (id, user_id, name, token_hash, created_at, "
			 "created_by) VALUES (?, ?, ?, ?, ?, ?)", NULL, err, id, u.id, name, hash, now,
			 a->username);
	}
	rc = audited_end(&op, rc, err);
	if (!rc) {
		memcpy(token_out, token, SECRET_STR_MAX);
		if (id_out)
			memcpy(id_out, id, UUID_STR_MAX);
	}
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(token, sizeof(token));
	return rc;
}

enum mmis_err token_revoke(const struct mmis_ctx *cx, const struct actor *a, const char *token_id,
			   struct mmis_error *err)
{
	struct mmis_error local;
	char now[TIMESTAMP_STR_MAX];
	struct token_row t;
	struct store_stmt *st;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, "token.revoke", "token", err)))
		return rc;
	memset(&t, 0, sizeof(t));
	if (!uuid_valid(token_id)) {
		rc = mmis_error_set(err, MMIS_EINVAL, "id", "not a token id");
	} else if (!(rc = store_prepare(cx->store, "SELECT t.id, t.user_id, u.agency_id, "
					"t.revoked_at IS NOT NULL FROM api_token t JOIN app_user u "
					"ON u.id = t.user_id WHERE t.id = ?", &st, err))) {
		store_bind_text(st, 1, token_id);
		if (!(rc = store_step(st, &row, err)) && row) {
			str_copy(t.id, sizeof(t.id), store_column_text(st, 0));
			str_copy(t.user_id, sizeof(t.user_id), store_column_text(st, 1));
			str_copy(t.agency_id, sizeof(t.agency_id), store_column_text(st, 2));
			t.revoked = store_column_bool(st, 3);
		}
		store_finalize(st);
		str_copy(op.object_id, sizeof(op.object_id), token_id);
		if (!rc && !row)
			rc = mmis_error_set(err, MMIS_ENOTFOUND, "id", "no token %s", token_id);
		else if (!rc && !actor_may(a, PERM_TOKENS_ADMIN, t.user_id, t.agency_id))
			rc = actor_denied(err, PERM_TOKENS_ADMIN);
		else if (!rc && t.revoked)
			rc = mmis_error_set(err, MMIS_ECONFLICT, "id", "token %s is revoked already",
					    token_id);
	}
	if (!rc) {
		auth_time_str(0, now);
		rc = RUN(cx->store, "UPDATE api_token SET revoked_at = ? WHERE id = ?", NULL, err, now,
			 t.id);
	}
	return audited_end(&op, rc, err);
}

enum mmis_err token_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			 struct mmis_error *err)
{
	struct mmis_error local;
	struct store_stmt *st = NULL;
	json_t *arr = NULL;
	enum scope sc;
	struct audited_op op;
	bool row = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	*out = NULL;
	if ((rc = mmis_ctx_check(cx, a, err)))
		return rc;
	if ((rc = audited_begin(&op, cx, a, "token.list", "token", err)))
		return rc;
	sc = actor_scope(a, PERM_TOKENS_ADMIN);
	if (sc == SCOPE_NONE)
		rc = actor_denied(err, PERM_TOKENS_ADMIN);
	else if (!(arr = json_array()))
		rc = oom(err);
	else if (!(rc = store_prepare(cx->store,
				      "SELECT t.id, t.name, t.user_id, u.username, t.created_at, "
				      "t.last_used_at, t.revoked_at FROM api_token t JOIN app_user u "
				      "ON u.id = t.user_id WHERE ? OR (? AND u.agency_id = ?) "
				      "OR t.user_id = ? ORDER BY t.id", &st, err))) {
		store_bind_bool(st, 1, sc == SCOPE_ALL);
		store_bind_bool(st, 2, sc == SCOPE_AGENCY);
		store_bind_text(st, 3, a->agency_id);
		store_bind_text(st, 4, a->user_id);
		while (!(rc = store_step(st, &row, err)) && row) {
			json_t *o = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:o}",
					      "id", store_column_text(st, 0),
					      "name", store_column_text(st, 1),
					      "user_id", store_column_text(st, 2),
					      "username", store_column_text(st, 3),
					      "created_at", store_column_text(st, 4),
					      "last_used_at", text_or_null(store_column_text(st, 5)),
					      "revoked_at", text_or_null(store_column_text(st, 6)));
			if (!o || json_array_append_new(arr, o)) {
				rc = oom(err);
				break;
			}
		}
		store_finalize(st);
		audited_detail(&op, "%zu tokens", json_array_size(arr));
	}
	rc = audited_end(&op, rc, err);
	if (rc)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

enum mmis_err auth_token(const struct mmis_ctx *cx, const char *token, struct actor *out,
			 struct mmis_error *err)
{
	struct mmis_error local;
	char hash[HASH_HEX], now[TIMESTAMP_STR_MAX];
	char id[UUID_STR_MAX] = "", user_id[UUID_STR_MAX] = "", username[AUTH_NAME_MAX + 1] = "";
	char agency[UUID_STR_MAX] = "", role[40] = "";
	struct actor_names names = { "", "", "" };
	const char *why = NULL;
	struct store_stmt *st;
	struct actor who;
	struct audited_op op;
	int64_t last_used = 0;
	bool row = false, disabled = false, revoked = false;
	enum mmis_err rc;

	if (!err)
		err = &local;
	memset(out, 0, sizeof(*out));
	if (!cx || !cx->store || !cx->audit_key)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "no database or no audit key");
	if (token && !strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) &&
	    valid_secret_text(token + strlen(TOKEN_PREFIX))) {
		secret_hash(token, hash);
		if ((rc = store_prepare(cx->store,
					"SELECT t.id, t.user_id, t.last_used_at, t.revoked_at IS NOT NULL, "
					"u.username, u.agency_id, u.role, u.disabled, " ACTOR_NAMES
					" FROM api_token t JOIN app_user u ON u.id = t.user_id "
					"JOIN agency g ON g.id = u.agency_id WHERE t.token_hash = ?",
					&st, err)))
			return rc;
		store_bind_text(st, 1, hash);
		if (!(rc = store_step(st, &row, err)) && row) {
			str_copy(id, sizeof(id), store_column_text(st, 0));
			str_copy(user_id, sizeof(user_id), store_column_text(st, 1));
			last_used = parse_time(store_column_text(st, 2));
			revoked = store_column_bool(st, 3);
			str_copy(username, sizeof(username), store_column_text(st, 4));
			str_copy(agency, sizeof(agency), store_column_text(st, 5));
			str_copy(role, sizeof(role), store_column_text(st, 6));
			disabled = store_column_bool(st, 7);
			names_read(st, 8, &names);
		}
		store_finalize(st);
		if (rc)
			return rc;
	}
	if (!row)
		why = "unknown token";
	else if (revoked)
		why = "token revoked";
	else if (disabled)
		why = "user disabled";
	else if (!role_find(role))
		why = "unknown role";

	if (row) {
		fill_actor(&who, user_id, username, agency, role, VIA_TOKEN, id);
		names_copy(&who, &names);
	} else
		fill_actor(&who, NULL, "unknown", NULL, NULL, VIA_TOKEN, NULL);
	if (!why && auth_clock_now() - last_used < TOUCH_EVERY_MS) {
		*out = who; /* used within the minute: already audited */
		return MMIS_OK;
	}
	if ((rc = audited_begin(&op, cx, &who, "token.use", "token", err)))
		return rc;
	str_copy(op.object_id, sizeof(op.object_id), id);
	if (why) {
		rc = mmis_error_set(err, MMIS_EAUTH, NULL, "%s", why);
	} else {
		auth_time_str(0, now);
		rc = RUN(cx->store, "UPDATE api_token SET last_used_at = ? WHERE id = ?", NULL, err, now,
			 id);
	}
	rc = audited_end(&op, rc, err);
	if (rc == MMIS_EAUTH)
		return mmis_error_set(err, MMIS_EAUTH, NULL, "invalid token");
	if (!rc)
		*out = who;
	return rc;
}

/* ---- set-up */

enum mmis_err auth_bootstrap(const struct mmis_ctx *cx, const char *password,
			     char generated_out[SECRET_STR_MAX], struct mmis_error *err)
{
	struct mmis_error local;
	struct agency_row ag;
	struct actor sys;
	int64_t users = 0;
	char pw[SECRET_STR_MAX] = "";
	enum mmis_err rc;

	if (!err)
		err = &local;
	if (generated_out)
		generated_out[0] = '\0';
	actor_system(&sys);
	str_copy(sys.origin, sizeof(sys.origin), "first administrator");
	if ((rc = mmis_ctx_check(cx, &sys, err)))
		return rc;
	if (!password) {
		if (!generated_out)
			return mmis_error_set(err, MMIS_EINVAL, NULL, "nowhere to put the password");
		/* 18 random bytes: 24 characters, 144 bits; cracklib may dislike one in a while. */
		for (int i = 0; i < 20; i++) {
			unsigned char b[18];
			randombytes_buf(b, sizeof(b));
			sodium_bin2base64(pw, sizeof(pw), b, sizeof(b),
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			sodium_memzero(b, sizeof(b));
			if (!password_check("admin", pw, NULL))
				break;
		}
		password = pw;
	}
	if ((rc = store_begin(cx->store, err)))
		return rc;
	rc = query_count(cx->store, "SELECT count(*) FROM app_user", NULL, &users, err);
	if (!rc && users > 0)
		rc = mmis_error_set(err, MMIS_ECONFLICT, NULL, "there are users already");
	if (!rc) {
		rc = find_agency(cx->store, "ADMIN", &ag, err);
		if (rc == MMIS_ENOTFOUND)
			rc = agency_add(cx, &sys, "ADMIN", "Administration", "government", NULL, err);
	}
	if (!rc)
		rc = user_add(cx, &sys, "admin", "Administrator", "admin", "ADMIN", password, NULL, err);
	if (rc) {
		store_rollback(cx->store, NULL);
	} else if (!(rc = store_commit(cx->store, err)) && pw[0]) {
		memcpy(generated_out, pw, SECRET_STR_MAX);
	}
	sodium_memzero(pw, sizeof(pw));
	return rc;
}
