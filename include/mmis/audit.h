/*
 * audit.h - the audit trail: who did what to which record, when, with what outcome.
 *
 * Every login (success and failure), logout, token use, every create, read, update and delete of
 * personal data and every export appends one event, in the same transaction as the action itself:
 * when the action rolls back, so does its event, and no action commits without its event.
 *
 * Events form a hash chain keyed with HMAC-SHA-256 (libsodium crypto_auth_hmacsha256):
 *     mac[n] = HMAC(key, mac[n-1] || canonical(event n))
 * with consecutive sequence numbers, so changing, inserting or deleting an event breaks the chain
 * at that event. The key is held outside the database, in a file named by the configuration
 * (--audit-key FILE or $MMIS_AUDIT_KEY; default ./mmis-audit.key), so someone with only database
 * access cannot re-forge the chain. Cutting events off the end leaves a valid shorter chain: the
 * head (sequence and MAC) printed by `mmis audit verify` is meant to be recorded elsewhere.
 *
 * Appends are serialised by a one-row table `audit_head` locked in the appending transaction.
 */
#ifndef MMIS_AUDIT_H
#define MMIS_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/err.h"
#include "mmis/store.h"

struct actor;

#define AUDIT_KEY_BYTES 32
#define AUDIT_KEY_DEFAULT_PATH "./mmis-audit.key"

struct audit_key {
	unsigned char bytes[AUDIT_KEY_BYTES];
};

/* Read a key file: 64 hexadecimal characters and an optional newline. A file readable by group
 * or others is refused (MMIS_EDENIED), as ssh refuses such a private key. */
enum mmis_err audit_key_load(const char *path, struct audit_key *out, struct mmis_error *err);

/* Create a new random key file with mode 0600; refuses to overwrite (MMIS_ECONFLICT). */
enum mmis_err audit_key_create(const char *path, struct mmis_error *err);

enum audit_outcome {
	AUDIT_OK = 0,     /* done */
	AUDIT_DENIED = 1, /* refused by a permission or a failed authentication */
	AUDIT_FAILED = 2, /* attempted and failed (invalid data, conflict) */
};

struct audit_event {
	const char *action;      /* dotted verb: "session.login", "user.create", "case.read", "export" */
	const char *object_type; /* "user", "agency", "token", "session", "case", ...; may be NULL */
	const char *object_id;   /* may be NULL */
	enum audit_outcome outcome;
	const char *detail;      /* short text for the auditor; never a password or a token; may be NULL */
};

/*
 * Append an event for `actor` (NULL: the system itself). Runs inside the caller's transaction
 * when there is one (store_tx_depth > 0), otherwise in its own.
 */
enum mmis_err audit_append(struct store *s, const struct audit_key *key, const struct actor *actor,
			   const struct audit_event *ev, struct mmis_error *err);

struct audit_verify_result {
	int64_t checked;      /* events checked */
	int64_t bad_seq;      /* the first bad event's sequence number, or 0 when intact */
	char reason[160];     /* why it is bad: "MAC does not match", "sequence gap after 41" */
	int64_t head_seq;     /* the last event's sequence number */
	char head_mac[65];    /* and its MAC in hex */
};

/* Walk the whole chain. MMIS_OK with bad_seq 0 when intact; MMIS_OK with bad_seq set when not
 * (the caller decides the exit code); an error only when the walk itself fails. The check is
 * itself audited (audit.verify by `actor`, appended after the walk). */
enum mmis_err audit_verify(struct store *s, const struct audit_key *key, const struct actor *actor,
			   struct audit_verify_result *out, struct mmis_error *err);

struct audit_filter {
	const char *actor;       /* username */
	const char *object_type;
	const char *object_id;
	const char *action;      /* exact, or a prefix ending in '.' ("session.") */
	int64_t from_ms, to_ms;  /* 0: unbounded */
	int64_t before_seq;      /* paging: only events with seq < this (0: from the newest) */
	int limit;               /* 1..1000; 0 means 100 */
};

/* Events matching the filter, newest first, as a new JSON array of objects with members seq, at,
 * actor, actor_id, agency_id, via, action, object_type, object_id, outcome, detail. The read is
 * itself audited (audit.list by `actor`, with the filter); no list is returned without it. */
enum mmis_err audit_list(struct store *s, const struct audit_key *key, const struct actor *actor,
			 const struct audit_filter *f, json_t **out, struct mmis_error *err);

const char *audit_outcome_name(enum audit_outcome o); /* "ok", "denied", "failed" */

#endif
