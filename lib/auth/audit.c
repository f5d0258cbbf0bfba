/*
 * audit.c - the audit trail: appending events to an HMAC-SHA-256 chain, verifying it, listing it.
 *
 * The MAC of event n covers the MAC of event n-1 and the canonical form of event n: a version
 * label and then every column but the MAC, in a fixed order, each as a presence byte (0 for SQL
 * NULL, 1 otherwise), an 8-byte big-endian length and the bytes. No two different events have the
 * same canonical form, whatever their text holds, so no edit can move bytes between columns.
 * Event 1 chains from 32 zero bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "internal.h"
#include "mmis/audit.h"
#include "mmis/auth.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"

#define MAC_BYTES crypto_auth_hmacsha256_BYTES
#define MAC_HEX (2 * MAC_BYTES + 1)
#define DETAIL_MAX 2000
static const char canonical_label[] = "mmis-audit-v1";

/* ---- small shared helpers */

static int64_t (*clock_fn)(void) = timestamp_now;

int64_t auth_clock_now(void)
{
	return clock_fn();
}

void auth_clock_set(int64_t (*now)(void))
{
	clock_fn = now ? now : timestamp_now;
}

void auth_time_str(int64_t delta_ms, char out[TIMESTAMP_STR_MAX])
{
	timestamp_format(auth_clock_now() + delta_ms, out);
}

void auth_hex(const unsigned char *bytes, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bytes, n);
}

static bool unhex(const char *hex, unsigned char *out, size_t n)
{
	size_t got = 0;
	const char *end = NULL;

	return hex && strlen(hex) == 2 * n &&
	       sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) == 0 && got == n && !*end;
}

const char *audit_outcome_name(enum audit_outcome o)
{
	static const char *const names[] = {
		[AUDIT_OK] = "ok", [AUDIT_DENIED] = "denied", [AUDIT_FAILED] = "failed",
	};
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

static const char *via_name(enum actor_via v)
{
	static const char *const names[] = {
		[VIA_SYSTEM] = "system", [VIA_SESSION] = "session", [VIA_TOKEN] = "token",
	};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

/* ---- the key */

enum mmis_err audit_key_load(const char *path, struct audit_key *out, struct mmis_error *err)
{
	char buf[2 * AUDIT_KEY_BYTES + 3];
	struct stat sb;
	ssize_t n;
	size_t len;
	int fd;
	enum mmis_err rc = MMIS_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return mmis_error_set(err, errno == ENOENT ? MMIS_ENOTFOUND : MMIS_EIO, NULL,
				      "audit key %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mmis_error_set(err, MMIS_EIO, NULL, "audit key %s: not a regular file", path);
	}
	if (sb.st_mode & 077) {
		close(fd);
		return mmis_error_set(err, MMIS_EDENIED, NULL,
				      "audit key %s is readable by others (mode %03o): chmod 600 it",
				      path, (unsigned)(sb.st_mode & 0777));
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return mmis_error_set(err, MMIS_EIO, NULL, "audit key %s: %s", path, strerror(errno));
	len = (size_t)n;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (len != 2 * AUDIT_KEY_BYTES || !unhex(buf, out->bytes, AUDIT_KEY_BYTES))
		rc = mmis_error_set(err, MMIS_EINVAL, NULL,
				    "audit key %s: not 64 hexadecimal characters", path);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

enum mmis_err audit_key_create(const char *path, struct mmis_error *err)
{
	unsigned char key[AUDIT_KEY_BYTES];
	char hex[2 * AUDIT_KEY_BYTES + 2];
	size_t len = 2 * AUDIT_KEY_BYTES + 1;
	int fd, saved;
	bool ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return mmis_error_set(err, errno == EEXIST ? MMIS_ECONFLICT : MMIS_EIO, NULL,
				      "audit key %s: %s", path,
				      errno == EEXIST ? "exists already" : strerror(errno));
	randombytes_buf(key, sizeof(key));
	auth_hex(key, sizeof(key), hex);
	hex[len - 1] = '\n';
	ok = fchmod(fd, 0600) == 0 && write(fd, hex, len) == (ssize_t)len && fsync(fd) == 0;
	saved = errno;
	sodium_memzero(key, sizeof(key));
	sodium_memzero(hex, sizeof(hex));
	if (close(fd) && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		unlink(path);
		return mmis_error_set(err, MMIS_EIO, NULL, "audit key %s: %s", path, strerror(saved));
	}
	return MMIS_OK;
}

/* ---- the chain */

struct event_row {
	int64_t seq;
	const char *id, *at, *actor, *actor_id, *agency_id, *via, *action, *object_type, *object_id,
		*outcome, *detail;
};

static void mac_field(crypto_auth_hmacsha256_state *h, const char *s)
{
	unsigned char head[9] = { 0 };
	uint64_t len = s ? strlen(s) : 0;

	head[0] = s != NULL;
	for (int i = 0; i < 8; i++)
		head[1 + i] = (unsigned char)(len >> (56 - 8 * i));
	crypto_auth_hmacsha256_update(h, head, sizeof(head));
	if (len)
		crypto_auth_hmacsha256_update(h, (const unsigned char *)s, len);
}

static void event_mac(const struct audit_key *key, const unsigned char prev[MAC_BYTES],
		      const struct event_row *e, unsigned char out[MAC_BYTES])
{
	crypto_auth_hmacsha256_state h;
	char seq[24];

	snprintf(seq, sizeof(seq), "%" PRId64, e->seq);
	crypto_auth_hmacsha256_init(&h, key->bytes, AUDIT_KEY_BYTES);
	crypto_auth_hmacsha256_update(&h, prev, MAC_BYTES);
	mac_field(&h, canonical_label);
	const char *const fields[] = {
		seq, e->id, e->at, e->actor, e->actor_id, e->agency_id, e->via, e->action,
		e->object_type, e->object_id, e->outcome, e->detail,
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		mac_field(&h, fields[i]);
	crypto_auth_hmacsha256_final(&h, out);
	sodium_memzero(&h, sizeof(h));
}

/* The head is locked for the rest of the transaction: FOR UPDATE on PostgreSQL; on SQLite the
 * transaction began with BEGIN IMMEDIATE and so holds the write lock already. */
static const char *const head_sql[] = {
	[STORE_SQLITE] = "SELECT seq, mac FROM audit_head WHERE id = 1",
	[STORE_POSTGRES] = "SELECT seq, mac FROM audit_head WHERE id = 1 FOR UPDATE",
};

static enum mmis_err append_locked(struct store *s, const struct audit_key *key,
				   const struct event_row *in, struct mmis_error *err)
{
	unsigned char prev[MAC_BYTES], mac[MAC_BYTES];
	char mac_hex[MAC_HEX];
	struct store_stmt *st;
	struct event_row e = *in;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(s, head_sql[store_backend(s)], &st, err)))
		return rc;
	if ((rc = store_step(st, &row, err))) {
		store_finalize(st);
		return rc;
	}
	if (!row || !unhex(store_column_text(st, 1), prev, MAC_BYTES)) {
		store_finalize(st);
		return mmis_error_set(err, MMIS_EDB, NULL, "the audit head is missing or damaged");
	}
	e.seq = store_column_int64(st, 0) + 1;
	store_finalize(st);

	event_mac(key, prev, &e, mac);
	auth_hex(mac, MAC_BYTES, mac_hex);

	if ((rc = store_prepare(s,
				"INSERT INTO audit_event (seq, id, at, actor, actor_id, agency_id, via, "
				"action, object_type, object_id, outcome, detail, mac) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				&st, err)))
		return rc;
	store_bind_int64(st, 1, e.seq);
	const char *const texts[] = {
		e.id, e.at, e.actor, e.actor_id, e.agency_id, e.via, e.action, e.object_type,
		e.object_id, e.outcome, e.detail, mac_hex,
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		store_bind_text(st, (int)i + 2, texts[i]);
	rc = store_run(st, err);
	store_finalize(st);
	if (rc)
		return rc;

	if ((rc = store_prepare(s, "UPDATE audit_head SET seq = ?, mac = ? WHERE id = 1", &st, err)))
		return rc;
	store_bind_int64(st, 1, e.seq);
	store_bind_text(st, 2, mac_hex);
	rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

enum mmis_err audit_append(struct store *s, const struct audit_key *key, const struct actor *actor,
			   const struct audit_event *ev, struct mmis_error *err)
{
	char id[UUID_STR_MAX], at[TIMESTAMP_STR_MAX];
	struct strbuf detail;
	struct actor sys;
	enum mmis_err rc;

	if (!key || !ev || !ev->action || !*ev->action)
		return mmis_error_set(err, MMIS_EINVAL, "action", "an audit event needs an action");
	if (!actor) {
		actor_system(&sys);
		actor = &sys;
	}
	strbuf_init(&detail, DETAIL_MAX);
	if (ev->detail)
		strbuf_addstr(&detail, ev->detail);
	if (actor->origin[0]) {
		if (detail.len)
			strbuf_addstr(&detail, "; ");
		strbuf_add(&detail, actor->origin, strnlen(actor->origin, sizeof(actor->origin)));
	}
	if (strbuf_error(&detail) == MMIS_ETOOBIG) { /* keep the start rather than lose the event */
		strbuf_reset(&detail);
		if (ev->detail)
			strbuf_add(&detail, ev->detail, strnlen(ev->detail, DETAIL_MAX));
	}
	if (strbuf_error(&detail)) {
		strbuf_release(&detail);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory writing an audit event");
	}
	uuid7_new_str(id);
	auth_time_str(0, at);
	struct event_row e = {
		.id = id,
		.at = at,
		.actor = actor->username[0] ? actor->username : "unknown",
		.actor_id = actor->user_id[0] ? actor->user_id : NULL,
		.agency_id = actor->agency_id[0] ? actor->agency_id : NULL,
		.via = via_name(actor->via),
		.action = ev->action,
		.object_type = ev->object_type,
		.object_id = ev->object_id,
		.outcome = audit_outcome_name(ev->outcome),
		.detail = detail.len ? strbuf_str(&detail) : NULL,
	};

	if ((rc = store_begin(s, err)))
		goto out;
	rc = append_locked(s, key, &e, err);
	if (rc)
		store_rollback(s, NULL);
	else
		rc = store_commit(s, err);
out:
	if (rc)
		mmis_error_prefix(err, "writing the audit trail");
	strbuf_release(&detail);
	return rc;
}

/* ---- verification */

#define EVENT_COLUMNS "seq, id, at, actor, actor_id, agency_id, via, action, object_type, " \
		      "object_id, outcome, detail"

static void read_row(struct store_stmt *st, struct event_row *e)
{
	e->seq = store_column_int64(st, 0);
	e->id = store_column_text(st, 1);
	e->at = store_column_text(st, 2);
	e->actor = store_column_text(st, 3);
	e->actor_id = store_column_text(st, 4);
	e->agency_id = store_column_text(st, 5);
	e->via = store_column_text(st, 6);
	e->action = store_column_text(st, 7);
	e->object_type = store_column_text(st, 8);
	e->object_id = store_column_text(st, 9);
	e->outcome = store_column_text(st, 10);
	e->detail = store_column_text(st, 11);
}

static void set_bad(struct audit_verify_result *out, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_bad(struct audit_verify_result *out, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (out->bad_seq)
		return;
	out->bad_seq = seq;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* Events are read in pages, so that a long trail never sits in memory at once (libpq would hold
 * a whole result). */
#define VERIFY_PAGE 5000

static enum mmis_err read_head(struct store *s, int64_t *seq, char mac[MAC_HEX],
			       struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "SELECT seq, mac FROM audit_head WHERE id = 1", &st, err)))
		return rc;
	rc = store_step(st, &row, err);
	if (!rc && !row)
		rc = mmis_error_set(err, MMIS_EDB, NULL, "the audit head is missing");
	if (!rc) {
		*seq = store_column_int64(st, 0);
		snprintf(mac, MAC_HEX, "%s", store_column_text(st, 1) ? store_column_text(st, 1) : "");
	}
	store_finalize(st);
	return rc;
}

/*
 * No transaction is needed (and none is taken, so that a long walk blocks no writer): events are
 * only ever appended, and every append commits its event and the head together. The head is read
 * first; every event up to it must exist, and the MAC computed at its sequence must be its MAC.
 * Events found beyond it must be covered by the head as read again at the end (appended
 * meanwhile), or they were slipped in behind the chain's back.
 */
static enum mmis_err walk_chain(struct store *s, const struct audit_key *key,
			       struct audit_verify_result *out, struct mmis_error *err)
{
	unsigned char prev[MAC_BYTES] = { 0 }, mac[MAC_BYTES], stored[MAC_BYTES];
	struct store_stmt *st;
	struct event_row e;
	int64_t expect = 1, head_seq = 0, head2_seq = 0, page_rows;
	char head_mac[MAC_HEX], head2_mac[MAC_HEX], mac_hex[MAC_HEX];
	bool row = false;
	enum mmis_err rc;

	memset(out, 0, sizeof(*out));
	auth_hex(prev, MAC_BYTES, out->head_mac);
	if ((rc = read_head(s, &head_seq, head_mac, err)))
		return rc;

	do {
		page_rows = 0;
		if ((rc = store_prepare(s, "SELECT " EVENT_COLUMNS ", mac FROM audit_event "
					"WHERE seq >= ? ORDER BY seq LIMIT ?", &st, err)))
			return rc;
		store_bind_int64(st, 1, expect);
		store_bind_int64(st, 2, VERIFY_PAGE);
		while (!out->bad_seq && !(rc = store_step(st, &row, err)) && row) {
			page_rows++;
			read_row(st, &e);
			if (e.seq != expect) {
				set_bad(out, expect, "sequence gap after %" PRId64 ": the next event is %" PRId64,
					expect - 1, e.seq);
				break;
			}
			event_mac(key, prev, &e, mac);
			auth_hex(mac, MAC_BYTES, mac_hex);
			if (!unhex(store_column_text(st, 12), stored, MAC_BYTES)) {
				set_bad(out, e.seq, "its stored MAC is malformed");
				break;
			}
			if (sodium_memcmp(mac, stored, MAC_BYTES)) {
				set_bad(out, e.seq, "MAC does not match: the event was changed, replaced or "
					"inserted, or the key is not this database's");
				break;
			}
			if (e.seq == head_seq && strcmp(mac_hex, head_mac)) {
				set_bad(out, e.seq, "the audit head's MAC does not match this event");
				break;
			}
			out->checked++;
			memcpy(prev, mac, MAC_BYTES);
			out->head_seq = e.seq;
			memcpy(out->head_mac, mac_hex, MAC_HEX);
			expect++;
		}
		store_finalize(st);
		if (rc)
			return rc;
	} while (!out->bad_seq && page_rows == VERIFY_PAGE);

	if (out->bad_seq)
		return MMIS_OK;
	if (out->head_seq < head_seq) {
		set_bad(out, out->head_seq + 1,
			"events %" PRId64 " to %" PRId64 " are missing (the audit head is at %" PRId64 ")",
			out->head_seq + 1, head_seq, head_seq);
	} else if (out->head_seq > head_seq) {
		if ((rc = read_head(s, &head2_seq, head2_mac, err)))
			return rc;
		if (head2_seq < out->head_seq)
			set_bad(out, head2_seq + 1, "the event is beyond the audit head (%" PRId64 ")",
				head2_seq);
	}
	return MMIS_OK;
}

/* ---- listing */

/* The filters: SQL condition and how to bind it, one row each, in a fixed order. */
enum filter_kind { F_TEXT, F_PREFIX, F_TIME_FROM, F_TIME_TO, F_SEQ };

struct filter_def {
	const char *sql;
	enum filter_kind kind;
	size_t offset; /* into struct audit_filter */
};

static const struct filter_def filters[] = {
	{ "actor = ?", F_TEXT, offsetof(struct audit_filter, actor) },
	{ "object_type = ?", F_TEXT, offsetof(struct audit_filter, object_type) },
	{ "object_id = ?", F_TEXT, offsetof(struct audit_filter, object_id) },
	{ "action = ?", F_TEXT, offsetof(struct audit_filter, action) },
	{ "substr(action, 1, ?) = ?", F_PREFIX, offsetof(struct audit_filter, action) },
	{ "at >= ?", F_TIME_FROM, offsetof(struct audit_filter, from_ms) },
	{ "at <= ?", F_TIME_TO, offsetof(struct audit_filter, to_ms) },
	{ "seq < ?", F_SEQ, offsetof(struct audit_filter, before_seq) },
};

static const char *filter_text(const struct audit_filter *f, const struct filter_def *d)
{
	const char *const *p = (const void *)((const char *)f + d->offset);
	return *p && **p ? *p : NULL;
}

static int64_t filter_int(const struct audit_filter *f, const struct filter_def *d)
{
	int64_t v;
	memcpy(&v, (const char *)f + d->offset, sizeof(v));
	return v;
}

static bool is_prefix(const char *action)
{
	size_t n = action ? strlen(action) : 0;
	return n && action[n - 1] == '.';
}

/* Whether filter `d` applies to `f`. */
static bool filter_on(const struct audit_filter *f, const struct filter_def *d)
{
	switch (d->kind) {
	case F_TEXT:
		return filter_text(f, d) && (d->offset != offsetof(struct audit_filter, action) ||
					     !is_prefix(f->action));
	case F_PREFIX:
		return filter_text(f, d) && is_prefix(f->action);
	case F_TIME_FROM:
	case F_TIME_TO:
	case F_SEQ:
		return filter_int(f, d) > 0;
	}
	return false;
}

static json_t *text_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static enum mmis_err list_rows(struct store *s, const struct audit_filter *f, json_t **out,
			      struct mmis_error *err)
{
	struct audit_filter none = { 0 };
	struct strbuf sql;
	struct store_stmt *st;
	struct event_row e;
	char ts[TIMESTAMP_STR_MAX];
	const char *glue = " WHERE ";
	int limit, idx = 1;
	bool row = false;
	enum mmis_err rc;
	json_t *arr;

	*out = NULL;
	if (!f)
		f = &none;
	limit = f->limit == 0 ? 100 : f->limit;
	if (limit < 1 || limit > 1000)
		return mmis_error_set(err, MMIS_EINVAL, "limit", "limit must be 1..1000, not %d",
				      f->limit);

	strbuf_init(&sql, 2048);
	strbuf_addstr(&sql, "SELECT " EVENT_COLUMNS " FROM audit_event");
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		if (!filter_on(f, &filters[i]))
			continue;
		strbuf_addstr(&sql, glue);
		strbuf_addstr(&sql, filters[i].sql);
		glue = " AND ";
	}
	strbuf_addstr(&sql, " ORDER BY seq DESC LIMIT ?");
	if (strbuf_error(&sql)) {
		strbuf_release(&sql);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	}
	rc = store_prepare(s, strbuf_str(&sql), &st, err);
	strbuf_release(&sql);
	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		const struct filter_def *d = &filters[i];
		if (!filter_on(f, d))
			continue;
		switch (d->kind) {
		case F_TEXT:
			store_bind_text(st, idx++, filter_text(f, d));
			break;
		case F_PREFIX:
			store_bind_int64(st, idx++, (int64_t)strlen(f->action));
			store_bind_text(st, idx++, f->action);
			break;
		case F_TIME_FROM:
		case F_TIME_TO:
			timestamp_format(filter_int(f, d), ts);
			store_bind_text(st, idx++, ts);
			break;
		case F_SEQ:
			store_bind_int64(st, idx++, filter_int(f, d));
			break;
		}
	}
	store_bind_int64(st, idx, limit);

	if (!(arr = json_array())) {
		store_finalize(st);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	}
	while (!(rc = store_step(st, &row, err)) && row) {
		read_row(st, &e);
		json_t *o = json_object();
		if (o && (json_object_set_new(o, "seq", json_integer(e.seq)) ||
		    json_object_set_new(o, "at", text_or_null(e.at)) ||
		    json_object_set_new(o, "actor", text_or_null(e.actor)) ||
		    json_object_set_new(o, "actor_id", text_or_null(e.actor_id)) ||
		    json_object_set_new(o, "agency_id", text_or_null(e.agency_id)) ||
		    json_object_set_new(o, "via", text_or_null(e.via)) ||
		    json_object_set_new(o, "action", text_or_null(e.action)) ||
		    json_object_set_new(o, "object_type", text_or_null(e.object_type)) ||
		    json_object_set_new(o, "object_id", text_or_null(e.object_id)) ||
		    json_object_set_new(o, "outcome", text_or_null(e.outcome)) ||
		    json_object_set_new(o, "detail", text_or_null(e.detail)))) {
			json_decref(o);
			o = NULL;
		}
		if (!o || json_array_append_new(arr, o)) {
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			break;
		}
	}
	store_finalize(st);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return MMIS_OK;
}

/* Reading the trail is itself audited: who looked, for what. */
enum mmis_err audit_verify(struct store *s, const struct audit_key *key, const struct actor *actor,
			   struct audit_verify_result *out, struct mmis_error *err)
{
	char detail[224];
	enum mmis_err rc = walk_chain(s, key, out, err);

	if (rc)
		return rc;
	if (out->bad_seq)
		snprintf(detail, sizeof(detail), "chain broken at event %lld: %s",
			 (long long)out->bad_seq, out->reason);
	else
		snprintf(detail, sizeof(detail), "chain intact, %lld events", (long long)out->checked);
	struct audit_event ev = { "audit.verify", "audit", NULL, AUDIT_OK, detail };
	rc = audit_append(s, key, actor, &ev, err);
	/* A broken chain may refuse the append (an event forged beyond the head holds its sequence
	 * number): the finding matters more than recording that it was looked for. */
	if (rc && out->bad_seq) {
		mmis_error_clear(err);
		rc = MMIS_OK;
	}
	return rc;
}

enum mmis_err audit_list(struct store *s, const struct audit_key *key, const struct actor *actor,
			 const struct audit_filter *f, json_t **out, struct mmis_error *err)
{
	struct strbuf detail;
	enum mmis_err rc = list_rows(s, f, out, err);

	if (rc)
		return rc;
	strbuf_init(&detail, 480);
	strbuf_addf(&detail, "%zu events", json_array_size(*out));
	if (f) {
		if (f->actor)
			strbuf_addf(&detail, "; actor %s", f->actor);
		if (f->action)
			strbuf_addf(&detail, "; action %s", f->action);
		if (f->object_type)
			strbuf_addf(&detail, "; object %s %s", f->object_type,
				    f->object_id ? f->object_id : "");
		else if (f->object_id)
			strbuf_addf(&detail, "; object %s", f->object_id);
	}
	struct audit_event ev = { "audit.list", "audit", NULL, AUDIT_OK, strbuf_str(&detail) };
	rc = audit_append(s, key, actor, &ev, err);
	strbuf_release(&detail);
	if (rc) {
		/* No read of the trail without its own event. */
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
