/*
 * routes.c - the route table of the HTTP API (docs/api.md) and its handlers. A handler reads the
 * JSON body with mjson_*, calls the library with the request's actor, and answers JSON: every
 * rule lives in the library, not here.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http.h"
#include "routes_border.h"
#include "routes_merge.h"
#include "routes_protect.h"
#include "routes_screen.h"
#include "routes_stats.h"
#include "mmis/audit.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"
#include "mmis_config.h"

#define TEXT_MAX 1024 /* names, labels */

/* A JSON string's text, "" for anything else. */
static const char *str_of(const json_t *v)
{
	const char *s = json_string_value(v);
	return s ? s : "";
}


/* Refuse unknown members, then read required strings: keys[i] with max_len[i]. */
static bool read_strings(struct req *r, const char *const *keys, const size_t *max_len,
			 const char **out)
{
	struct mmis_error err;
	const json_t *b = req_view(r)->body;

	mmis_error_clear(&err);
	if (mjson_only_keys(b, keys, &err)) {
		reply_error(r, &err);
		return false;
	}
	for (size_t i = 0; keys[i]; i++)
		if (mjson_get_string(b, keys[i], true, max_len[i], &out[i], &err)) {
			reply_error(r, &err);
			return false;
		}
	return true;
}

static json_t *permissions_json(const struct role *role, const struct actor *a)
{
	json_t *o = json_object();
	for (int p = 0; o && p < PERM__COUNT; p++) {
		enum scope s = a ? actor_scope(a, (enum perm)p) : role->grants[p];
		if (s != SCOPE_NONE)
			json_object_set_new(o, perm_name((enum perm)p), json_string(scope_name(s)));
	}
	return o;
}

static const char *via_name(enum actor_via v)
{
	switch (v) {
	case VIA_SESSION:
		return "session";
	case VIA_TOKEN:
		return "token";
	case VIA_SYSTEM:
		break;
	}
	return "system";
}

/* ME: who the actor is, what it may do, and how it came in. Built from the actor alone: the
 * credential lookup already read the names, so asking "who am I" writes nothing. */
static json_t *me_json(struct req *r, const struct actor *a, const char *csrf,
		       struct mmis_error *err)
{
	json_t *me;

	(void)r;
	me = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:s}", "id", a->user_id,
		       "username", a->username, "display_name", a->display_name,
		       "role", a->role ? a->role->name : "system", "role_label",
		       a->role ? a->role->label : "System", "agency", "id", a->agency_id, "code",
		       a->agency_code, "name", a->agency_name,
		       "permissions", permissions_json(a->role, a), "via", via_name(a->via));
	if (me && csrf && *csrf)
		mjson_set_string(me, "csrf_token", csrf);
	if (!me)
		mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	return me;
}

/* ---- public */

static void h_healthz(struct req *r)
{
	struct mmis_error err;
	int version = 0;

	if (store_schema_version(req_view(r)->cx->store, &version, &err)) {
		reply_header(r, "Retry-After", "5");
		reply_problem(r, 503, NULL, "the database does not answer");
		return;
	}
	reply_json(r, 200,
		   json_pack("{s:s, s:s, s:i}", "status", "ok", "version", MMIS_VERSION,
			     "schema_version", version));
}

static void h_metrics(struct req *r)
{
	struct mmis_error err;
	int64_t sessions = 0;
	bool known = !auth_open_sessions(req_view(r)->cx, &sessions, &err);
	size_t len = 0;
	char *text = metrics_render(sessions, known, &len);

	if (!text) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_owned(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static void h_openapi(struct req *r)
{
	size_t len = 0;
	const char *doc = server_openapi(&len);
	reply_static(r, 200, "application/json", doc, len);
}

/* ---- sessions */

static void h_login(struct req *r)
{
	static const char *const keys[] = { "username", "password", NULL };
	static const size_t max[] = { 256, PASSWORD_MAX_LEN };
	const struct req_view *v = req_view(r);
	const char *in[2];
	struct session_info si;
	struct mmis_error err;
	struct actor a;
	char csrf[SECRET_STR_MAX], ts[TIMESTAMP_STR_MAX], num[32];
	int retry = 0;
	enum mmis_err rc;

	if (!read_strings(r, keys, max, in))
		return;
	memset(&si, 0, sizeof(si));
	mmis_error_clear(&err);
	rc = auth_login(v->cx, in[0], in[1], v->client, &si, &retry, &err);
	if (rc == MMIS_EAUTH) {
		/* The same answer for every reason; after repeated failures, later. */
		if (retry > 0) {
			snprintf(num, sizeof(num), "%d", retry);
			reply_header(r, "Retry-After", num);
			reply_problem(r, 429, NULL, "wrong username or password");
			reply_delay(r, retry);
		} else {
			reply_problem(r, 401, NULL, "wrong username or password");
		}
		return;
	}
	if (rc) {
		reply_error(r, &err);
		return;
	}
	rc = auth_session(v->cx, si.secret, &a, csrf, &err);
	json_t *me = rc ? NULL : me_json(r, &a, si.csrf, &err);
	if (!me) {
		reply_fail(r, &err);
		return;
	}
	req_set_log_user(r, a.username);
	int64_t max_age = (si.expires_ms - timestamp_now()) / 1000;
	struct strbuf cookie;
	strbuf_init(&cookie, 300);
	strbuf_addf(&cookie, "mmis_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld%s",
		    si.secret, (long long)(max_age > 0 ? max_age : 0), v->tls ? "; Secure" : "");
	reply_header(r, "Set-Cookie", strbuf_str(&cookie));
	strbuf_release(&cookie);
	timestamp_format(si.expires_ms, ts);
	reply_json(r, 201,
		   json_pack("{s:o, s:s, s:s}", "user", me, "csrf_token", si.csrf, "expires_at", ts));
}

static void h_logout(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;

	if (v->actor->via != VIA_SESSION) {
		reply_problem(r, 409, NULL,
			      "not a browser session; revoke a token with DELETE /api/v1/tokens/{id}");
		return;
	}
	if (auth_logout(v->cx, v->actor, &err)) {
		reply_error(r, &err);
		return;
	}
	reply_header(r, "Set-Cookie",
		     v->tls ? "mmis_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
			    : "mmis_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
	reply_empty(r, 204);
}

/* ---- oneself */

static void h_me(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *me;

	mmis_error_clear(&err);
	me = me_json(r, v->actor, v->csrf, &err);
	if (!me) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200, me);
}

static void h_me_password(struct req *r)
{
	static const char *const keys[] = { "old_password", "new_password", NULL };
	static const size_t max[] = { PASSWORD_MAX_LEN, PASSWORD_MAX_LEN };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *in[2];

	if (!read_strings(r, keys, max, in))
		return;
	mmis_error_clear(&err);
	if (user_set_password(v->cx, v->actor, v->actor->username, in[0], in[1], &err)) {
		/* A wrong current password is a wrong field, not a lost session. */
		if (err.code == MMIS_EAUTH)
			reply_problem(r, 422, "old_password", "the current password is wrong");
		else
			reply_error(r, &err);
		return;
	}
	reply_empty(r, 204);
}

static void h_roles(struct req *r)
{
	json_t *items = json_array();
	for (size_t i = 0; items && i < role_count(); i++) {
		const struct role *role = role_at(i);
		json_array_append_new(items, json_pack("{s:s, s:s, s:o}", "name", role->name, "label",
						       role->label, "permissions",
						       permissions_json(role, NULL)));
	}
	reply_items(r, items);
}

/* ---- agencies */

static void h_agencies(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (agency_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

static void h_agency_add(struct req *r)
{
	static const char *const keys[] = { "code", "name", "kind", NULL };
	static const size_t max[] = { 64, TEXT_MAX, 64 };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	char id[UUID_STR_MAX];
	const char *in[3];
	json_t *list = NULL, *ag;
	size_t i;

	if (!read_strings(r, keys, max, in))
		return;
	mmis_error_clear(&err);
	if (agency_add(v->cx, v->actor, in[0], in[1], in[2], id, &err) ||
	    agency_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	json_array_foreach(list, i, ag)
		if (!strcmp(str_of(json_object_get(ag, "id")), id)) {
			reply_json(r, 201, json_incref(ag));
			json_decref(list);
			return;
		}
	json_decref(list);
	/* Created but not listed: say what we know. */
	reply_json(r, 201, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "code", in[0], "name", in[1],
				     "kind", in[2]));
}

/* ---- users */

static void reply_user(struct req *r, unsigned status, const char *username)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *u = NULL;

	mmis_error_clear(&err);
	if (user_get(v->cx, v->actor, username, &u, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, status, u);
}

static void h_users(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (user_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

static void h_user_add(struct req *r)
{
	static const char *const keys[] = { "username", "display_name", "role", "agency", "password",
					    NULL };
	static const size_t max[] = { 256, TEXT_MAX, 64, 64, PASSWORD_MAX_LEN };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *in[5];

	if (!read_strings(r, keys, max, in))
		return;
	mmis_error_clear(&err);
	if (user_add(v->cx, v->actor, in[0], in[1], in[2], in[3], in[4], NULL, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_user(r, 201, in[0]);
}

static void set_disabled(struct req *r, bool disabled)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;

	mmis_error_clear(&err);
	if (user_set_disabled(v->cx, v->actor, v->params[0], disabled, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_user(r, 200, v->params[0]);
}

static void h_user_disable(struct req *r)
{
	set_disabled(r, true);
}

static void h_user_enable(struct req *r)
{
	set_disabled(r, false);
}

static void h_user_password(struct req *r)
{
	static const char *const keys[] = { "password", NULL };
	static const size_t max[] = { PASSWORD_MAX_LEN };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	const char *in[1];

	if (!read_strings(r, keys, max, in))
		return;
	mmis_error_clear(&err);
	if (user_set_password(v->cx, v->actor, v->params[0], NULL, in[0], &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_empty(r, 204);
}

/* ---- tokens */

static void h_tokens(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	json_t *list = NULL;

	mmis_error_clear(&err);
	if (token_list(v->cx, v->actor, &list, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_items(r, list);
}

static void h_token_create(struct req *r)
{
	static const char *const keys[] = { "username", "name", NULL };
	static const size_t max[] = { 256, TEXT_MAX };
	const struct req_view *v = req_view(r);
	struct mmis_error err;
	char token[SECRET_STR_MAX], id[UUID_STR_MAX];
	const char *in[2];

	if (!read_strings(r, keys, max, in))
		return;
	mmis_error_clear(&err);
	if (token_create(v->cx, v->actor, in[0], in[1], token, id, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "id", id, "name", in[1], "token", token));
	sodium_memzero(token, sizeof(token));
}

static void h_token_revoke(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct mmis_error err;

	if (!uuid_valid(v->params[0])) {
		reply_problem(r, 404, NULL, "no such token");
		return;
	}
	mmis_error_clear(&err);
	if (token_revoke(v->cx, v->actor, v->params[0], &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_empty(r, 204);
}

/* ---- audit */

static const char audit_query[] = "actor,action,object_type,object_id,from,to,before,limit";

/* An integer query parameter in [min, max]; false with a 400 when it is not. */
static bool query_int(struct req *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const char *s = req_query(r, key);
	char *end;
	struct strbuf sb;

	if (!s)
		return true;
	long long n = strtoll(s, &end, 10);
	if (*s && *end == '\0' && s[0] != ' ' && n >= min && n <= max) {
		*out = n;
		return true;
	}
	strbuf_init(&sb, 200);
	strbuf_addf(&sb, "%s: expected an integer from %lld to %lld", key, (long long)min,
		    (long long)max);
	reply_problem(r, 400, key, strbuf_str(&sb));
	strbuf_release(&sb);
	return false;
}

static bool query_time(struct req *r, const char *key, int64_t *out)
{
	struct mmis_error err;
	const char *s = req_query(r, key);

	if (!s)
		return true;
	if (timestamp_parse(s, key, out, &err)) {
		reply_problem(r, 400, key, mmis_error_text(&err));
		return false;
	}
	return true;
}

static void h_audit(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct audit_filter f = { 0 };
	struct mmis_error err;
	int64_t limit = 100, before = 0;
	json_t *items = NULL, *o;

	if (!req_query_only(r, audit_query) || !query_int(r, "limit", 1, 1000, &limit) ||
	    !query_int(r, "before", 1, INT64_MAX, &before) || !query_time(r, "from", &f.from_ms) ||
	    !query_time(r, "to", &f.to_ms))
		return;
	f.actor = req_query(r, "actor");
	f.action = req_query(r, "action");
	f.object_type = req_query(r, "object_type");
	f.object_id = req_query(r, "object_id");
	f.before_seq = before;
	f.limit = (int)limit;
	mmis_error_clear(&err);
	/* The library records the read itself (audit.list). */
	if (audit_list(v->cx->store, v->cx->audit_key, v->actor, &f, &items, &err)) {
		reply_fail(r, &err);
		return;
	}
	size_t n = json_array_size(items);
	json_t *next = json_null();
	if (n > 0 && (int64_t)n == limit)
		next = json_incref(json_object_get(json_array_get(items, n - 1), "seq"));
	o = json_pack("{s:o, s:o}", "items", items, "next_before", next ? next : json_null());
	if (!o) {
		reply_problem(r, 500, NULL, "out of memory");
		return;
	}
	reply_json(r, 200, o);
}

static void h_audit_verify(struct req *r)
{
	const struct req_view *v = req_view(r);
	struct audit_verify_result res;
	struct mmis_error err;

	memset(&res, 0, sizeof(res));
	mmis_error_clear(&err);
	if (audit_verify(v->cx->store, v->cx->audit_key, v->actor, &res, &err)) {
		reply_fail(r, &err);
		return;
	}
	reply_json(r, 200,
		   json_pack("{s:b, s:I, s:I, s:s, s:I, s:s}", "intact", res.bad_seq == 0, "checked",
			     (json_int_t)res.checked, "bad_seq", (json_int_t)res.bad_seq, "reason",
			     res.reason, "head_seq", (json_int_t)res.head_seq, "head_mac",
			     res.head_mac));
}

/* ---- the table */

const struct route server_routes[] = {
	{ "GET", "/api/v1/healthz", ROUTE_PUBLIC, 0, h_healthz,
	  "Whether the server and its database answer", NULL, "Health", 200, NULL, NULL },
	{ "GET", "/metrics", ROUTE_PUBLIC, ROUTE_LOOPBACK, h_metrics,
	  "Prometheus metrics (loopback only unless configured)", NULL, NULL, 200, NULL,
	  "text/plain" },
	{ "GET", "/api/v1/openapi.json", ROUTE_PUBLIC, ROUTE_NOSTORE, h_openapi,
	  "This document", NULL, "OpenAPI", 200, NULL, NULL },
	{ "POST", "/api/v1/session", ROUTE_PUBLIC, ROUTE_BODY, h_login,
	  "Sign in: opens a browser session (cookie) and returns the CSRF token", "Login", "Session",
	  201, NULL, NULL },
	{ "DELETE", "/api/v1/session", PERM_SELF, 0, h_logout, "Sign out", NULL, NULL, 204, NULL,
	  NULL },
	{ "GET", "/api/v1/me", PERM_SELF, 0, h_me, "Who I am and what I may do", NULL, "Me", 200,
	  NULL, NULL },
	{ "POST", "/api/v1/me/password", PERM_SELF, ROUTE_BODY, h_me_password,
	  "Change my password", "PasswordChange", NULL, 204, NULL, NULL },
	{ "GET", "/api/v1/roles", PERM_SELF, 0, h_roles, "The roles and their permissions", NULL,
	  "RoleList", 200, NULL, NULL },
	{ "GET", "/api/v1/agencies", PERM_AGENCIES_ADMIN, 0, h_agencies, "List agencies", NULL,
	  "AgencyList", 200, NULL, NULL },
	{ "POST", "/api/v1/agencies", PERM_AGENCIES_ADMIN, ROUTE_BODY, h_agency_add, "Add an agency",
	  "AgencyNew", "Agency", 201, NULL, NULL },
	{ "GET", "/api/v1/users", PERM_USERS_ADMIN, 0, h_users, "List users", NULL, "UserList", 200,
	  NULL, NULL },
	{ "POST", "/api/v1/users", PERM_USERS_ADMIN, ROUTE_BODY, h_user_add, "Add a user", "UserNew",
	  "User", 201, NULL, NULL },
	{ "POST", "/api/v1/users/{username}/disable", PERM_USERS_ADMIN, 0, h_user_disable,
	  "Disable a user: ends their sessions and stops their tokens", NULL, "User", 200, NULL,
	  NULL },
	{ "POST", "/api/v1/users/{username}/enable", PERM_USERS_ADMIN, 0, h_user_enable,
	  "Enable a user again", NULL, "User", 200, NULL, NULL },
	{ "PUT", "/api/v1/users/{username}/password", PERM_USERS_ADMIN, ROUTE_BODY, h_user_password,
	  "Reset a user's password", "PasswordReset", NULL, 204, NULL, NULL },
	{ "GET", "/api/v1/tokens", PERM_TOKENS_ADMIN, 0, h_tokens, "List API tokens", NULL,
	  "TokenList", 200, NULL, NULL },
	{ "POST", "/api/v1/tokens", PERM_TOKENS_ADMIN, ROUTE_BODY, h_token_create,
	  "Create an API token (shown once)", "TokenNew", "TokenCreated", 201, NULL, NULL },
	{ "DELETE", "/api/v1/tokens/{id}", PERM_TOKENS_ADMIN, 0, h_token_revoke, "Revoke a token",
	  NULL, NULL, 204, NULL, NULL },
	{ "GET", "/api/v1/audit", PERM_AUDIT_READ, 0, h_audit,
	  "Audit events, newest first, filtered and paged", NULL, "AuditPage", 200, audit_query,
	  NULL },
	{ "GET", "/api/v1/audit/verify", PERM_AUDIT_READ, 0, h_audit_verify,
	  "Verify the audit chain", NULL, "AuditVerify", 200, NULL, NULL },
	{ "POST", "/api/v1/mrz/parse", PERM_BORDER_READ, ROUTE_BODY, h_mrz_parse,
	  "Parse a machine readable zone (ICAO 9303)", "MrzText", "Mrz", 200, NULL, NULL },
	{ "GET", "/api/v1/bcps", PERM_BORDER_READ, 0, h_bcps, "List the border crossing points", NULL,
	  "BcpList", 200, NULL, NULL },
	{ "POST", "/api/v1/crossings", PERM_BORDER_WRITE, ROUTE_BODY, h_crossing_add,
	  "Record an entry or exit: the traveller, the document and the stay status", "CrossingNew",
	  "CrossingRecorded", 201, NULL, NULL },
	{ "GET", "/api/v1/persons", PERM_BORDER_READ, 0, h_persons_find,
	  "Find travellers by document", NULL, "PersonList", 200, "document_number,issuing_state",
	  NULL },
	{ "GET", "/api/v1/persons/{id}", PERM_BORDER_READ, 0, h_person_get,
	  "A traveller with documents, crossings, refusals and stay status", NULL, "Person", 200,
	  NULL, NULL },
	{ "POST", "/api/v1/persons/{id}/authorisations", PERM_BORDER_SUPERVISE, ROUTE_BODY,
	  h_person_authorise,
	  "Record a visa, long-stay visa or residence permit; answers the status it makes",
	  "AuthorisationNew", "AuthorisationRecorded", 201, NULL, NULL },
	{ "POST", "/api/v1/refusals", PERM_BORDER_WRITE, ROUTE_BODY, h_refusal_add,
	  "Record a refusal of entry (grounds A to I)", "RefusalNew", "RefusalRecorded", 201, NULL,
	  NULL },
	{ "GET", "/api/v1/refusals", PERM_BORDER_READ, 0, h_refusals, "Refusals of entry, newest first",
	  NULL, "RefusalList", 200, "from,to", NULL },
	{ "GET", "/api/v1/overstayers", PERM_BORDER_SUPERVISE, 0, h_overstayers,
	  "Travellers present beyond their authorised stay (JSON, or CSV)", NULL, "OverstayerList",
	  200, "on,format", NULL },
	{ "GET", "/api/v1/border/summary", PERM_BORDER_SUPERVISE, 0, h_border_summary,
	  "A day's crossings by BCP and refusals by ground", NULL, "BorderSummary", 200, "date",
	  NULL },
	{ "GET", "/api/v1/merges", PERM_BORDER_SUPERVISE, 0, h_merges,
	  "Merge proposals of duplicate persons: the open queue, or the decisions", NULL,
	  "MergeList", 200, "status,limit,offset", NULL },
	{ "POST", "/api/v1/merges/detect", PERM_BORDER_SUPERVISE, ROUTE_BODY, h_merges_detect,
	  "Detect duplicate persons in reach and store proposals", "DetectNew", "DetectResult", 200,
	  NULL, NULL },
	{ "GET", "/api/v1/merges/{id}", PERM_BORDER_SUPERVISE, 0, h_merge_get,
	  "A proposal: both persons side by side, with the explanation", NULL, "Merge", 200, NULL,
	  NULL },
	{ "POST", "/api/v1/merges/{id}/accept", PERM_BORDER_SUPERVISE, ROUTE_BODY, h_merge_accept,
	  "Merge the two persons (reversible)", "MergeAccept", "Merge", 200, NULL, NULL },
	{ "POST", "/api/v1/merges/{id}/reject", PERM_BORDER_SUPERVISE, ROUTE_BODY, h_merge_reject,
	  "Record that the two are different people", "MergeNote", "Merge", 200, NULL, NULL },
	{ "POST", "/api/v1/merges/{id}/revert", PERM_BORDER_SUPERVISE, ROUTE_BODY, h_merge_revert,
	  "Undo an accepted merge exactly", "MergeRevert", "Merge", 200, NULL, NULL },
	/* Protection (routes_protect.c, docs/protection.md). A route's permission is the least a
	 * caller needs; the library's access table decides case by case (404 out of reach). */
	{ "GET", "/api/v1/forms", PERM_CASE_READ, 0, h_forms, "The forms (screening, assessment, "
	  "case plan, guardian, best interests)", NULL, "FormList", 200, NULL, NULL },
	{ "GET", "/api/v1/forms/{id}", PERM_CASE_READ, 0, h_form_get, "A form's definition: "
	  "fields, choices, conditions, labels in en and cnr", NULL, "Form", 200, NULL, NULL },
	{ "POST", "/api/v1/screenings", PERM_CASE_WRITE, ROUTE_BODY, h_screening_add,
	  "Screen a person for vulnerability: the suggested outcome and case types",
	  "ScreeningNew", "Screening", 201, NULL, NULL },
	{ "POST", "/api/v1/cases", PERM_CASE_WRITE, ROUTE_BODY, h_case_add,
	  "Open a case (the caller becomes its worker)", "CaseNew", "Case", 201, NULL, NULL },
	{ "GET", "/api/v1/cases", PERM_CASE_READ, 0, h_cases,
	  "Cases in reach, those needing attention first", NULL, "CasePage", 200,
	  "state,type,mine,open,limit,offset", NULL },
	{ "GET", "/api/v1/cases/{id}", PERM_CASE_READ, 0, h_case_get,
	  "A case: all of it, or a receiving agency's view within the consent", NULL, "Case", 200,
	  NULL, NULL },
	{ "PATCH", "/api/v1/cases/{id}", PERM_CASE_WRITE, ROUTE_BODY, h_case_update,
	  "Change a case's profile and types", "CaseUpdate", "Case", 200, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/transitions", PERM_CASE_WRITE, ROUTE_BODY, h_case_transition,
	  "Move a case along its workflow (409 wrong state, 403 wrong role, 422 missing what the "
	  "step requires)", "Transition", "Case", 200, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/identification", PERM_CASE_IDENTIFY, ROUTE_BODY,
	  h_case_identify, "Formal identification of a presumed victim (identification team)",
	  "Identification", "Case", 200, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/assignment", PERM_CASE_WRITE, ROUTE_BODY, h_case_assign,
	  "Assign a case to a worker of its agency (or take an unassigned one)", "Assignment",
	  "Case", 200, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/transfer", PERM_CASE_WRITE, ROUTE_BODY, h_case_transfer,
	  "Transfer a case to another agency", "Transfer", "Case", 200, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/forms/{form}", PERM_CASE_WRITE, ROUTE_BODY, h_case_form,
	  "Complete a case form", "FormAnswers", "Created", 201, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/consents", PERM_CASE_WRITE, ROUTE_BODY, h_consent_add,
	  "Record the person's (a guardian's) consent to share with an agency", "ConsentNew",
	  "Created", 201, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/consents/{consent}/withdraw", PERM_CASE_WRITE, 0,
	  h_consent_withdraw, "Record that a consent is withdrawn", NULL, "Case", 200, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/referrals", PERM_CASE_WRITE, ROUTE_BODY, h_referral_add,
	  "Refer a case to a service provider (409 without a covering consent)", "ReferralNew",
	  "Referral", 201, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/services", PERM_CASE_WRITE, ROUTE_BODY, h_service_add,
	  "Record a service delivered", "ServiceNew", "Created", 201, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/notes", PERM_CASE_WRITE, ROUTE_BODY, h_note_add,
	  "Add a note", "NoteNew", "Created", 201, NULL, NULL },
	{ "POST", "/api/v1/cases/{id}/followups", PERM_CASE_WRITE, ROUTE_BODY, h_followup_add,
	  "Add a follow-up with its due date", "FollowupNew", "Created", 201, NULL, NULL },
	{ "POST", "/api/v1/followups/{id}/done", PERM_CASE_WRITE, 0, h_followup_done,
	  "Mark a follow-up done", NULL, "Case", 200, NULL, NULL },
	{ "GET", "/api/v1/referrals", PERM_CASE_READ, 0, h_referrals,
	  "Referrals received (direction=in, the inbox) or sent (out)", NULL, "ReferralList", 200,
	  "direction,state", NULL },
	{ "POST", "/api/v1/referrals/{id}/accept", PERM_CASE_WRITE, 0, h_referral_accept,
	  "Accept a referral (the receiving agency)", NULL, "Referral", 200, NULL, NULL },
	{ "POST", "/api/v1/referrals/{id}/decline", PERM_CASE_WRITE, ROUTE_BODY, h_referral_decline,
	  "Decline a referral, with a reason (the receiving agency)", "Reason", "Referral", 200,
	  NULL, NULL },
	{ "POST", "/api/v1/referrals/{id}/complete", PERM_CASE_WRITE, 0, h_referral_complete,
	  "Mark an accepted referral done (the receiving agency)", NULL, "Referral", 200, NULL,
	  NULL },
	{ "POST", "/api/v1/referrals/{id}/withdraw", PERM_CASE_WRITE, 0, h_referral_withdraw,
	  "Withdraw a referral (the referring side)", NULL, "Referral", 200, NULL, NULL },
	{ "GET", "/api/v1/protection/providers", PERM_CASE_READ, 0, h_providers,
	  "Agencies and the services they offer", NULL, "ProviderList", 200, NULL, NULL },
	{ "PUT", "/api/v1/agencies/{code}/services", PERM_AGENCIES_ADMIN, ROUTE_BODY,
	  h_agency_services, "Set the services an agency offers", "Services", "Provider", 200, NULL,
	  NULL },
	{ "GET", "/api/v1/projects", PERM_CASE_READ, 0, h_projects, "Projects and their donors",
	  NULL, "ProjectList", 200, NULL, NULL },
	{ "POST", "/api/v1/projects", PERM_AGENCIES_ADMIN, ROUTE_BODY, h_project_add,
	  "Add a project and its donor", "Project", "Project", 201, NULL, NULL },
	{ "GET", "/api/v1/protection/dashboard", PERM_CASE_SUPERVISE, 0, h_protect_dashboard,
	  "The agency's open cases by type and state, overdue follow-ups, reflection periods "
	  "ending", NULL, "Dashboard", 200, NULL, NULL },
	{ "GET", "/api/v1/protection/access", PERM_SELF, 0, h_protect_access,
	  "The access table and the case workflow (data)", NULL, "AccessTable", 200, NULL, NULL },
	{ "POST", "/api/v1/screen", PERM_SCREEN, ROUTE_BODY, h_screen,
	  "Screen one name, or a batch, against the alert lists", "ScreenRequest", "ScreenResult",
	  200, NULL, NULL },
	{ "GET", "/api/v1/watchlists", PERM_SCREEN, 0, h_watchlists,
	  "The alert lists and the state of the screening index", NULL, "WatchlistList", 200, NULL,
	  NULL },
	{ "GET", "/api/v1/hits", PERM_BORDER_READ, 0, h_hits,
	  "Alert-list hits raised on crossings, newest first", NULL, "HitList", 200, "status,limit",
	  NULL },
	{ "GET", "/api/v1/hits/{id}", PERM_BORDER_READ, 0, h_hit_get,
	  "One alert-list hit with its explanation", NULL, "Hit", 200, NULL, NULL },
	{ "POST", "/api/v1/hits/{id}/confirm", PERM_BORDER_WRITE, ROUTE_BODY, h_hit_confirm,
	  "Confirm a hit: the traveller is the listed person", "HitDecision", "Hit", 200, NULL,
	  NULL },
	{ "POST", "/api/v1/hits/{id}/dismiss", PERM_BORDER_WRITE, ROUTE_BODY, h_hit_dismiss,
	  "Dismiss a hit (with a note): not raised again for this document", "HitDecision", "Hit",
	  200, NULL, NULL },
	{ "GET", "/api/v1/stats/flows", PERM_STATS_READ, 0, h_stats_flows,
	  "Crossings by period, BCP, direction, nationality, sex, age band, transport; suppressed",
	  NULL, "StatsTable", 200, "from,to,by,format,min_cell,totals", NULL },
	{ "GET", "/api/v1/stats/refusals", PERM_STATS_READ, 0, h_stats_refusals,
	  "Refusals of entry by period, BCP, nationality, sex, age band, ground; suppressed", NULL,
	  "StatsTable", 200, "from,to,by,format,min_cell,totals", NULL },
	{ "GET", "/api/v1/stats/overstays", PERM_STATS_READ, 0, h_stats_overstays,
	  "Overstayers on a day by BCP of entry, nationality, sex, age band; suppressed", NULL,
	  "StatsTable", 200, "on,by,format,min_cell,totals", NULL },
	{ "GET", "/api/v1/stats/cases", PERM_STATS_READ, 0, h_stats_cases,
	  "Protection cases opened by period, type, state, agency, nationality, sex, age band; "
	  "never a cell below 11", NULL, "StatsTable", 200, "from,to,by,format,min_cell,totals",
	  NULL },
	{ "GET", "/api/v1/stats/referrals", PERM_STATS_READ, 0, h_stats_referrals,
	  "Referrals of protection cases by period, provider, service, state; never a cell below 11",
	  NULL, "StatsTable", 200, "from,to,by,format,min_cell,totals", NULL },
	{ "GET", "/api/v1/stats/services", PERM_STATS_READ, 0, h_stats_services,
	  "Services delivered to protection cases by period, provider, project, service; never a "
	  "cell below 11", NULL, "StatsTable", 200, "from,to,by,format,min_cell,totals", NULL },
	{ "GET", "/api/v1/stats/indicators", PERM_STATS_READ, 0, h_stats_indicators,
	  "National indicators of a year, with sources, and the 12/16-month estimate", NULL,
	  "Indicators", 200, "year,country", NULL },
	{ "GET", "/api/v1/stats/series", PERM_STATS_READ, 0, h_stats_series,
	  "Official series held (Montenegro's and the neighbours')", NULL, "SeriesList", 200,
	  "country,indicator", NULL },
	{ "GET", "/api/v1/stats/regional", PERM_STATS_READ, 0, h_stats_regional,
	  "Indicators of every country held, by year, side by side", NULL, "SeriesList", 200,
	  "from,to", NULL },
	{ "GET", "/api/v1/stats/trends/alerts", PERM_STATS_READ, 0, h_stats_alerts,
	  "BCPs whose arrivals depart far from their seasonal expectation", NULL, "StatsAlerts", 200,
	  "month", NULL },
};
const size_t server_route_count = sizeof(server_routes) / sizeof(server_routes[0]);
