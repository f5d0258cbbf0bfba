/*
 * auth.h - agencies, users, roles and permissions, passwords, sessions and API tokens.
 *
 * Roles are a permission table (data, not code): each role grants each permission with a scope —
 * none, the actor's own records, the actor's agency's, or all. Front ends check a route's
 * permission with actor_scope(); domain functions narrow their queries by the scope.
 *
 * Every function here that changes or reads accounts takes the acting user and writes an audit
 * event in the same transaction (audit.h). Secrets (passwords, session ids, tokens) are never
 * stored or logged: passwords as argon2id hashes (libsodium crypto_pwhash_str at its
 * INTERACTIVE limits or stronger), session ids and tokens as BLAKE2b hashes (they are random and
 * long, so a fast hash is enough).
 */
#ifndef MMIS_AUTH_H
#define MMIS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/audit.h"
#include "mmis/err.h"
#include "mmis/store.h"
#include "mmis/uuid.h"

/* Permissions. Values are stable (stored nowhere, but named in the OpenAPI document). */
enum perm {
	PERM_SELF = 0,          /* see oneself, change one's own password */
	PERM_USERS_ADMIN,       /* create, list, disable users; reset passwords */
	PERM_AGENCIES_ADMIN,    /* create and list agencies */
	PERM_TOKENS_ADMIN,      /* create and revoke API tokens for users */
	PERM_AUDIT_READ,        /* read and verify the audit trail */
	PERM_BORDER_READ,       /* travellers, documents, crossings, refusals */
	PERM_BORDER_WRITE,      /* record crossings and refusals */
	PERM_BORDER_SUPERVISE,  /* overstayers, reports, corrections */
	PERM_CASE_READ,         /* protection cases */
	PERM_CASE_WRITE,
	PERM_CASE_SUPERVISE,    /* assignment, consent override, approvals */
	PERM_AVRR_READ,         /* return and reintegration */
	PERM_AVRR_WRITE,
	PERM_STATS_READ,        /* aggregated, disclosure-controlled statistics */
	PERM_STATS_UNSUPPRESSED,/* statistics without small-cell suppression (internal) */
	PERM_EXCHANGE,          /* partners, packages in and out */
	PERM_CASE_IDENTIFY,     /* formal identification of victims of trafficking (the team) */
	PERM_SCREEN,            /* screen names against the alert lists (POST /api/v1/screen) */
	PERM_STATS_WRITE,       /* import official series, rebuild the statistics' roll-ups */
	PERM__COUNT
};

enum scope {
	SCOPE_NONE = 0,
	SCOPE_OWN = 1,    /* records the actor created or is assigned to */
	SCOPE_AGENCY = 2, /* records of the actor's agency */
	SCOPE_ALL = 3,
};

struct role {
	const char *name;  /* "border_officer" */
	const char *label; /* "Border officer" */
	enum scope grants[PERM__COUNT];
};

/* The roles: admin, auditor, border_officer, border_supervisor, case_worker, case_supervisor,
 * identification_officer, return_counsellor, analyst, internal_analyst, exchange_officer,
 * screening_client. */
size_t role_count(void);
const struct role *role_at(size_t i);
const struct role *role_find(const char *name); /* NULL when unknown */

const char *perm_name(enum perm p);   /* "users.admin" */

/* Fill `err` with MMIS_EDENIED, "not allowed: needs the permission P", and return it. */
enum mmis_err actor_denied(struct mmis_error *err, enum perm p);
const char *scope_name(enum scope s); /* "none", "own", "agency", "all" */

#define AUTH_NAME_MAX 64 /* usernames: 3..64 of [a-z0-9._-], starting with a letter */
#define AUTH_ORIGIN_MAX 96 /* see struct actor */

enum actor_via {
	VIA_SYSTEM = 0,  /* the operator at the command line, or mmis itself */
	VIA_SESSION = 1, /* a browser session */
	VIA_TOKEN = 2,   /* an API token */
};

/* Who acts in a library call. */
struct actor {
	char user_id[UUID_STR_MAX];   /* "" for the system */
	char username[AUTH_NAME_MAX + 1]; /* "system" for the system */
	char agency_id[UUID_STR_MAX]; /* "" for the system */
	char display_name[128];       /* the user's name as shown; "" for the system */
	char agency_code[33];         /* "BP"; "" for the system */
	char agency_name[128];        /* "Border Police"; "" for the system */
	const struct role *role;      /* NULL for the system, which may do everything */
	enum actor_via via;
	char credential_id[UUID_STR_MAX]; /* the session's or token's id, "" for the system */
	char origin[AUTH_ORIGIN_MAX]; /* where the action comes from, added to every audit detail:
				       * "os user alice" at the command line, the client address of
				       * a session; "" when unknown */
};

/* The system actor: the operator at the command line (it may do everything). Its origin is "";
 * a front end sets it (the command line puts the operating-system user there). */
void actor_system(struct actor *out);

/* Let the system actor *out (made by actor_system) work for the agency `code` (an import at the
 * command line for the Border Police): what it records belongs to that agency, so that its
 * officers and supervisors reach it. MMIS_ENOTFOUND (field "agency") for an unknown code;
 * MMIS_EINVAL when *out is not the system actor. */
enum mmis_err actor_system_for(struct store *s, const char *code, struct actor *out,
			       struct mmis_error *err);

/* Whether `a` is the system actor. Only an actor made by actor_system() is: a zero-filled
 * struct actor is nobody and may do nothing. */
bool actor_is_system(const struct actor *a);

/* The scope in which `a` holds `p` (SCOPE_ALL for the system). */
enum scope actor_scope(const struct actor *a, enum perm p);

/* Whether `a` may act on a record owned by `owner_user_id` in `owner_agency_id` under `p`. */
bool actor_may(const struct actor *a, enum perm p, const char *owner_user_id,
	       const char *owner_agency_id);

struct screen; /* screen.h */

/* What a call needs: the database and the audit key; and the alert-list screening service,
 * which recording a crossing uses (screen.h; NULL: crossings are not screened). */
struct mmis_ctx {
	struct store *store;
	const struct audit_key *audit_key;
	struct screen *screen;
};

/* MMIS_EINVAL unless `cx` has a database and an audit key and `a` is given: every library
 * function taking a context and an actor checks this first. */
enum mmis_err mmis_ctx_check(const struct mmis_ctx *cx, const struct actor *a,
			     struct mmis_error *err);

/*
 * One audited operation, the pattern every module's reads and writes of personal data follow:
 * audited_begin opens a (nested) transaction; audited_end commits the work together with an "ok"
 * event, or rolls the work back and records a "denied" or "failed" event with the reason (inside
 * the caller's transaction when there is one). Set object_id and, if useful, a detail in between.
 *
 *     struct audited_op op;
 *     if ((rc = audited_begin(&op, cx, a, "crossing.create", "crossing", err))) return rc;
 *     ... rc = the work ...; copy the id into op.object_id ...
 *     return audited_end(&op, rc, err);
 */
struct audited_op {
	const struct mmis_ctx *cx;
	const struct actor *a;
	const char *action;
	const char *object_type;
	char object_id[UUID_STR_MAX + AUTH_NAME_MAX];
	char detail[256];
};

enum mmis_err audited_begin(struct audited_op *op, const struct mmis_ctx *cx, const struct actor *a,
			    const char *action, const char *object_type, struct mmis_error *err);
void audited_detail(struct audited_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum mmis_err audited_end(struct audited_op *op, enum mmis_err rc, struct mmis_error *err);

/* ---- agencies */

/* Add an agency; `code` is 2..32 of [A-Z0-9_-] ("BP", "CSW-PG"). id_out may be NULL. */
enum mmis_err agency_add(const struct mmis_ctx *cx, const struct actor *a, const char *code,
			 const char *name, const char *kind, char id_out[UUID_STR_MAX],
			 struct mmis_error *err);

/* All agencies, as a JSON array of {id, code, name, kind, created_at}. */
enum mmis_err agency_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			  struct mmis_error *err);

/* ---- users and passwords */

#define PASSWORD_MIN_LEN 12
#define PASSWORD_MAX_LEN 1024

/*
 * Whether a password may be used: at least PASSWORD_MIN_LEN characters, at most PASSWORD_MAX_LEN
 * bytes, not the username, and not a common or dictionary password (cracklib). MMIS_EINVAL with
 * field "password" and the reason.
 */
enum mmis_err password_check(const char *username, const char *password, struct mmis_error *err);

/* Add a user of agency `agency_code` with `role`. id_out may be NULL. */
enum mmis_err user_add(const struct mmis_ctx *cx, const struct actor *a, const char *username,
		       const char *display_name, const char *role, const char *agency_code,
		       const char *password, char id_out[UUID_STR_MAX], struct mmis_error *err);

/* Users visible to `a`, as a JSON array of {id, username, display_name, role, agency_id,
 * agency_code, disabled, locked_until, created_at, last_login_at}. */
enum mmis_err user_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			struct mmis_error *err);

/* One user as a JSON object (as in user_list), by username. */
enum mmis_err user_get(const struct mmis_ctx *cx, const struct actor *a, const char *username,
		       json_t **out, struct mmis_error *err);

/*
 * Set a user's password. An actor changing its own password must give the current one
 * (`old_password`); an admin resetting another user's passes NULL. Ends the user's other sessions.
 */
enum mmis_err user_set_password(const struct mmis_ctx *cx, const struct actor *a,
				const char *username, const char *old_password,
				const char *new_password, struct mmis_error *err);

/* Disable (or re-enable) a user; disabling ends every session and stops every token of theirs. */
enum mmis_err user_set_disabled(const struct mmis_ctx *cx, const struct actor *a,
				const char *username, bool disabled, struct mmis_error *err);

/* ---- sessions (browser) */

#define SESSION_IDLE_SECONDS (30 * 60)      /* ended after 30 minutes without a request */
#define SESSION_ABSOLUTE_SECONDS (12 * 3600) /* and 12 hours after login in any case */
#define LOGIN_FREE_FAILURES 3  /* failures before delays start */
#define LOGIN_LOCK_FAILURES 10 /* failures in a row that lock the account ... */
#define LOGIN_LOCK_SECONDS (15 * 60) /* ... for this long */
#define SECRET_STR_MAX 64 /* session ids, CSRF tokens, API tokens in text form, with the NUL */

struct session_info {
	char id[UUID_STR_MAX];           /* the session's public id (for the audit and logout) */
	char secret[SECRET_STR_MAX];     /* the cookie value: shown once, stored only as a hash */
	char csrf[SECRET_STR_MAX];       /* the CSRF token for state-changing requests */
	int64_t expires_ms;              /* absolute expiry */
};

/*
 * Check a username and password and open a session. Unknown user, wrong password, disabled or
 * locked user: the same MMIS_EAUTH "wrong username or password" (a locked account says it is
 * locked only in the audit trail), taking the same time (a dummy argon2id verification for
 * unknown users). After LOGIN_FREE_FAILURES failures in a row each further one makes the caller
 * wait: *retry_after_s (may be NULL) receives the delay the front end should impose before
 * answering (1, 2, 4, ... capped at 30 s); after LOGIN_LOCK_FAILURES the account is locked for
 * LOGIN_LOCK_SECONDS. Success resets the count. Audits session.login with its outcome.
 * `client` (may be NULL) is the client address, for the audit detail.
 */
enum mmis_err auth_login(const struct mmis_ctx *cx, const char *username, const char *password,
			 const char *client, struct session_info *out, int *retry_after_s,
			 struct mmis_error *err);

/*
 * Resolve a session secret to its actor, checking idle and absolute expiry and that the user is
 * enabled; refreshes the idle timer (at most once a minute, to keep reads cheap). `csrf_out`
 * (may be NULL) receives the session's CSRF token for the front end to compare. MMIS_EAUTH
 * when unknown or expired.
 */
enum mmis_err auth_session(const struct mmis_ctx *cx, const char *secret, struct actor *out,
			   char csrf_out[SECRET_STR_MAX], struct mmis_error *err);

/* End a session (logout). Audits session.logout. */
enum mmis_err auth_logout(const struct mmis_ctx *cx, const struct actor *a, struct mmis_error *err);

/* Number of sessions not yet expired (for /metrics). */
enum mmis_err auth_open_sessions(const struct mmis_ctx *cx, int64_t *count, struct mmis_error *err);

/* ---- API tokens (machines and scripts: "Authorization: Bearer <token>") */

/*
 * Create a token acting as `username`, labelled `name`. The token text ("mmis_" and 43 base64url
 * characters) is returned once in token_out and stored only as a hash. id_out may be NULL.
 */
enum mmis_err token_create(const struct mmis_ctx *cx, const struct actor *a, const char *username,
			   const char *name, char token_out[SECRET_STR_MAX], char id_out[UUID_STR_MAX],
			   struct mmis_error *err);

/* Revoke a token by id. */
enum mmis_err token_revoke(const struct mmis_ctx *cx, const struct actor *a, const char *token_id,
			   struct mmis_error *err);

/* Tokens visible to `a`, as a JSON array of {id, name, user_id, username, created_at,
 * last_used_at, revoked_at}; never the token itself. */
enum mmis_err token_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			 struct mmis_error *err);

/*
 * Resolve a bearer token to its actor: MMIS_EAUTH when unknown, revoked, or its user disabled
 * (audited as token.use denied). Successful use is audited as token.use once a minute per token
 * at most, with last_used_at, so that a busy script does not turn every request into a write.
 */
enum mmis_err auth_token(const struct mmis_ctx *cx, const char *token, struct actor *out,
			 struct mmis_error *err);

/* ---- set-up */

/*
 * Create the first admin (username "admin", agency "ADMIN" created when missing) when there is no
 * user yet; with password NULL, generate a strong one into generated_out (shown once).
 * MMIS_ECONFLICT when users exist already.
 */
enum mmis_err auth_bootstrap(const struct mmis_ctx *cx, const char *password,
			     char generated_out[SECRET_STR_MAX], struct mmis_error *err);

/* Remove expired sessions (run by the server now and then). */
enum mmis_err auth_expire_sessions(const struct mmis_ctx *cx, int64_t *removed,
				   struct mmis_error *err);

#endif
