/* postgres.c - the PostgreSQL backend of the store, on libpq. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "backend.h"

enum {
	PG_BOOLOID = 16,       /* pg_type.h, which client code cannot include */
	PG_BYTEAOID = 17,
	PG_NAME_BUCKETS = 64,
	PG_NAMES_MAX = 1024,   /* server-side statements per connection; past this, unnamed */
	PG_SECRETS_MAX = 4,
};

/* A statement prepared on the server under a generated name; never deallocated. */
struct pg_name {
	char *sql;
	char name[24];
	struct pg_name *next;
};

struct pg_conn {
	PGconn *pg;
	struct pg_name *names[PG_NAME_BUCKETS];
	unsigned nnames;
};

struct pg_stmt {
	struct store_stmt base;
	const char *name;     /* the server-side statement, or NULL: executed with PQexecParams */
	char *sql;            /* the SQL with $n, kept only for PQexecParams */
	int nparams;
	char **values;        /* NULL is SQL NULL */
	int *lengths;
	int *formats;         /* 1 (binary) for blobs, 0 (text) for everything else */
	PGresult *res;        /* the whole result, held in memory: interleaving is free */
	int row;              /* current row; -1 before the first */
	unsigned char **blobs; /* bytea columns of the current row, decoded on demand */
	size_t *bloblens;
};

static PGconn *pg_of(const struct store *s)
{
	return ((const struct pg_conn *)s->conn)->pg;
}

static void pg_ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* the library never prints */
}

/* libpq's messages run over several lines; ours are one: lines trimmed and joined with "; ". */
static void one_line(const char *in, char *out, size_t cap)
{
	size_t w = 0;

	out[0] = '\0';
	while (*in) {
		size_t n = strcspn(in, "\n");
		const char *p = in, *end = in + n;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		if (end > p && w < cap)
			w += (size_t)snprintf(out + w, cap - w, "%s%.*s", w ? "; " : "", (int)(end - p),
					      p);
		in += n + (in[n] == '\n');
	}
}

/* ---- URLs and passwords ---- */

struct pg_secrets {
	const char *s[PG_SECRETS_MAX]; /* pointers into the URL */
	size_t len[PG_SECRETS_MAX];
	int n;
};

static void add_secret(struct pg_secrets *sec, const char *p, size_t len)
{
	if (sec && len && sec->n < PG_SECRETS_MAX) {
		sec->s[sec->n] = p;
		sec->len[sec->n++] = len;
	}
}

static bool is_password_key(const char *p, size_t len)
{
	static const char *const keys[] = { "password", "sslpassword" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == len && !memcmp(keys[i], p, len))
			return true;
	return false;
}

/*
 * `url` without passwords: neither the one in "user:password@host" nor "password=" (or
 * "sslpassword=") query parameters. The passwords removed are noted in `sec` (may be NULL).
 */
static char *pg_redact(const char *url, struct pg_secrets *sec)
{
	size_t n = strlen(url);
	char *out = malloc(n + 1), *w = out;
	const char *auth = strstr(url, "://"), *end, *at = NULL, *colon, *q, *stop;
	bool first = true;

	if (!out)
		return NULL;
	if (!auth) {
		memcpy(out, url, n + 1);
		return out;
	}
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	for (q = auth; q < end; q++)
		if (*q == '@')
			at = q; /* the last one: a password may hold an unescaped '@' */
	memcpy(w, url, (size_t)(auth - url));
	w += auth - url;
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		memcpy(w, auth, (size_t)(colon - auth));
		w += colon - auth;
		add_secret(sec, colon + 1, (size_t)(at - colon - 1));
		auth = at;
	}
	q = end + strcspn(end, "?#"); /* the path */
	memcpy(w, auth, (size_t)(q - auth));
	w += q - auth;
	if (*q == '?') {
		stop = q + 1 + strcspn(q + 1, "#");
		for (q++; q < stop;) {
			const char *pe = q + strcspn(q, "&#");
			size_t klen = strcspn(q, "=&#");

			if (pe > stop)
				pe = stop;
			if (klen > (size_t)(pe - q))
				klen = (size_t)(pe - q);
			if (is_password_key(q, klen)) {
				if (q + klen < pe)
					add_secret(sec, q + klen + 1, (size_t)(pe - q - klen - 1));
			} else if (pe > q) {
				*w++ = first ? '?' : '&';
				memcpy(w, q, (size_t)(pe - q));
				w += pe - q;
				first = false;
			}
			q = pe < stop ? pe + 1 : pe;
		}
	}
	n = strlen(q);
	memcpy(w, q, n + 1); /* the fragment, if any, and the NUL */
	return out;
}

static char *pg_display_url(const char *url)
{
	return pg_redact(url, NULL);
}

/* Replace every occurrence of secret[0..len) in `msg` by stars (never more stars than bytes). */
static void scrub(char *msg, const char *secret, size_t len)
{
	size_t stars = len < 3 ? len : 3;
	char *p;

	if (!len)
		return;
	while ((p = memmem(msg, strlen(msg), secret, len))) {
		memset(p, '*', stars);
		memmove(p + stars, p + len, strlen(p + len) + 1);
	}
}

static int hexval(char c)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";
	const char *p = c ? strchr(digits, c) : NULL;
	return p ? (int)((p - digits) % 16) : -1;
}

/*
 * libpq echoes parts of a URL it cannot parse: remove every password in the URL from a message,
 * as written and percent-decoded.
 */
static void scrub_secrets(char *msg, const struct pg_secrets *sec)
{
	char decoded[256];

	for (int i = 0; i < sec->n; i++) {
		size_t w = 0;
		scrub(msg, sec->s[i], sec->len[i]);
		for (size_t r = 0; r < sec->len[i] && w < sizeof(decoded); r++) {
			const char *p = sec->s[i] + r;
			if (*p == '%' && r + 2 < sec->len[i] && hexval(p[1]) >= 0 &&
			    hexval(p[2]) >= 0) {
				decoded[w++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				r += 2;
			} else {
				decoded[w++] = *p;
			}
		}
		scrub(msg, decoded, w);
	}
}

/* ---- connecting ---- */

static void pg_close(struct store *s, bool discard)
{
	struct pg_conn *c = s->conn;

	(void)discard; /* a database on a server is never ours to remove */
	if (!c)
		return;
	for (size_t b = 0; b < PG_NAME_BUCKETS; b++) {
		struct pg_name *e = c->names[b], *next;
		for (; e; e = next) {
			next = e->next;
			free(e->sql);
			free(e);
		}
	}
	PQfinish(c->pg);
	free(c);
	s->conn = NULL;
}

static enum mmis_err pg_open(struct store *s, const char *url, unsigned flags, struct mmis_error *err)
{
	/*
	 * Entries before "dbname" (the URL, expanded) are defaults the URL may override; entries
	 * after it are forced. Times are UTC and text is UTF-8 whatever the server's defaults.
	 */
	static const char *const keys[] = {
		"connect_timeout", "fallback_application_name", "dbname", "client_encoding", NULL,
	};
	const char *values[] = { "5", "mmis", url, "UTF8", NULL };
	char msg[MMIS_ERROR_MESSAGE_MAX];
	struct pg_secrets sec = { .n = 0 };
	struct pg_conn *c = calloc(1, sizeof(*c));
	char *redacted;
	PGresult *res;

	if (!c)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory connecting to %s",
				      s->display_url);
	s->conn = c;
	c->pg = PQconnectdbParams(keys, values, 1);
	if (!c->pg) {
		pg_close(s, false);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory connecting to %s",
				      s->display_url);
	}
	PQsetNoticeProcessor(c->pg, pg_ignore_notice, NULL);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		one_line(PQerrorMessage(c->pg), msg, sizeof(msg));
		if ((redacted = pg_redact(url, &sec))) { /* `sec` points into `url` */
			scrub_secrets(msg, &sec);
			free(redacted);
		}
		snprintf(s->errmsg, sizeof(s->errmsg), "%s", msg);
		pg_close(s, false);
		return mmis_error_set(err, MMIS_EDB, NULL, "cannot connect to %s: %s", s->display_url,
				      msg);
	}
	res = PQexec(c->pg, (flags & STORE_OPEN_READONLY)
			? "SET TIME ZONE 'UTC'; SET default_transaction_read_only = on"
			: "SET TIME ZONE 'UTC'");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		one_line(PQerrorMessage(c->pg), msg, sizeof(msg));
		PQclear(res);
		pg_close(s, false);
		return mmis_error_set(err, MMIS_EDB, NULL, "setting up the connection to %s: %s",
				      s->display_url, msg);
	}
	PQclear(res);
	s->begin_sql = "BEGIN";
	return MMIS_OK;
}

/* ---- errors ---- */

static const struct {
	const char *sqlstate; /* a class ("23") or a full code */
	enum mmis_err err;
} pg_errors[] = {
	{ "23", MMIS_ECONFLICT },    /* integrity constraint violation */
	{ "40001", MMIS_EBUSY },     /* serialization failure */
	{ "40P01", MMIS_EBUSY },     /* deadlock detected */
	{ "55P03", MMIS_EBUSY },     /* lock not available */
	{ "53200", MMIS_ENOMEM },    /* out of memory */
	/* everything else, connection errors (class 08) included: MMIS_EDB */
};

/* Fill `err` from a failed result (or a missing one: the connection failed), then free `res`. */
static enum mmis_err pg_fail(struct store *s, PGresult *res, struct mmis_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	enum mmis_err code = MMIS_EDB;
	char msg[MMIS_ERROR_MESSAGE_MAX];

	for (size_t i = 0; state && i < sizeof(pg_errors) / sizeof(pg_errors[0]); i++) {
		if (!strncmp(state, pg_errors[i].sqlstate, strlen(pg_errors[i].sqlstate))) {
			code = pg_errors[i].err;
			break;
		}
	}
	if (primary)
		snprintf(msg, sizeof(msg), "%s", primary);
	else if (res && *PQresultErrorMessage(res))
		one_line(PQresultErrorMessage(res), msg, sizeof(msg));
	else
		one_line(PQerrorMessage(pg_of(s)), msg, sizeof(msg));
	if (!msg[0])
		snprintf(msg, sizeof(msg), "unexpected result: %s",
			 res ? PQresStatus(PQresultStatus(res)) : "none");
	PQclear(res);
	return store__fail(s, err, code, msg);
}

static bool pg_ok(const PGresult *res)
{
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return true;
	default:
		return false;
	}
}

static enum mmis_err pg_exec(struct store *s, const char *sql, struct mmis_error *err)
{
	PGresult *res = PQexec(pg_of(s), sql);

	if (!pg_ok(res))
		return pg_fail(s, res, err);
	PQclear(res);
	return MMIS_OK;
}

static bool pg_tx_failed(struct store *s)
{
	return PQtransactionStatus(pg_of(s)) == PQTRANS_INERROR;
}

/* ---- placeholders ---- */

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/*
 * The length of the quoted text or comment that starts at sql[i], or 0: '...' (with '' and, in
 * E'...', backslash escapes), "...", -- to the end of the line, nested block comments and
 * $tag$...$tag$. A `?` inside one of these is not a placeholder.
 */
static size_t quoted_len(const char *sql, size_t i)
{
	const char *p = sql + i;
	size_t n;

	if (p[0] == '\'' || p[0] == '"') {
		bool backslash = p[0] == '\'' && i > 0 && (p[-1] == 'E' || p[-1] == 'e') &&
				 (i < 2 || !is_ident(p[-2]));
		for (n = 1; p[n]; n++) {
			if (backslash && p[n] == '\\' && p[n + 1])
				n++;
			else if (p[n] == p[0] && p[n + 1] == p[0])
				n++;
			else if (p[n] == p[0])
				return n + 1;
		}
		return n;
	}
	if (p[0] == '-' && p[1] == '-')
		return strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		int depth = 0;
		for (n = 0; p[n];) {
			if (p[n] == '/' && p[n + 1] == '*') {
				depth++;
				n += 2;
			} else if (p[n] == '*' && p[n + 1] == '/') {
				n += 2;
				if (--depth == 0)
					return n;
			} else {
				n++;
			}
		}
		return n;
	}
	if (p[0] == '$' && (i == 0 || !is_ident(p[-1])) && !(p[1] >= '0' && p[1] <= '9')) {
		const char *close;
		for (n = 1; p[n] && p[n] != '$' && is_ident(p[n]); n++)
			;
		if (p[n] != '$')
			return 0;
		close = memmem(p + n + 1, strlen(p + n + 1), p, n + 1);
		return close ? (size_t)(close - p) + n + 1 : strlen(p);
	}
	return 0;
}

/* `sql` with each `?` outside quotes and comments replaced by $1, $2, ... (malloc'd). */
static char *rewrite_placeholders(const char *sql, int *nparams)
{
	size_t len = strlen(sql), marks = 0, i = 0, w = 0, cap;
	char *out;

	for (i = 0; i < len; i++)
		marks += sql[i] == '?';
	cap = len + marks * 11 + 1;
	if (!(out = malloc(cap)))
		return NULL;
	*nparams = 0;
	for (i = 0; i < len;) {
		size_t q = quoted_len(sql, i);
		if (q) {
			memcpy(out + w, sql + i, q);
			w += q;
			i += q;
		} else if (sql[i] == '?') {
			w += (size_t)snprintf(out + w, cap - w, "$%d", ++*nparams);
			i++;
		} else {
			out[w++] = sql[i++];
		}
	}
	out[w] = '\0';
	return out;
}

/* ---- statements ---- */

static void free_params(struct pg_stmt *q)
{
	for (int i = 0; i < q->nparams; i++) {
		free(q->values[i]);
		q->values[i] = NULL;
		q->lengths[i] = 0;
		q->formats[i] = 0;
	}
}

static void free_result(struct pg_stmt *q)
{
	if (q->blobs) {
		for (int i = 0; i < PQnfields(q->res); i++)
			PQfreemem(q->blobs[i]);
		free(q->blobs);
		free(q->bloblens);
		q->blobs = NULL;
		q->bloblens = NULL;
	}
	PQclear(q->res);
	q->res = NULL;
	q->row = -1;
}

static void pg_destroy(struct store_stmt *st)
{
	struct pg_stmt *q = (struct pg_stmt *)st;

	if (!q)
		return;
	free_result(q);
	free_params(q);
	free(q->values);
	free(q->lengths);
	free(q->formats);
	free(q->sql);
	free(q);
}

/* The server-side statement for `sql`, prepared now if this connection has not seen it yet. */
static enum mmis_err named_statement(struct store *s, const char *sql, const char *psql,
				     const char **name, struct mmis_error *err)
{
	struct pg_conn *c = s->conn;
	size_t h = 5381;
	struct pg_name *e;
	PGresult *res;

	for (const char *p = sql; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (e = c->names[h % PG_NAME_BUCKETS]; e; e = e->next) {
		if (!strcmp(e->sql, sql)) {
			*name = e->name;
			return MMIS_OK;
		}
	}
	if (c->nnames >= PG_NAMES_MAX) {
		/* Checked now like any other statement, executed later with PQexecParams. */
		*name = NULL;
		res = PQprepare(c->pg, "", psql, 0, NULL);
		if (!pg_ok(res))
			return pg_fail(s, res, err);
		PQclear(res);
		return MMIS_OK;
	}
	if (!(e = calloc(1, sizeof(*e))) || !(e->sql = strdup(sql))) {
		free(e);
		return store__fail(s, err, MMIS_ENOMEM, "out of memory preparing a statement");
	}
	snprintf(e->name, sizeof(e->name), "mmis_%u", c->nnames + 1);
	res = PQprepare(c->pg, e->name, psql, 0, NULL);
	if (!pg_ok(res)) {
		free(e->sql);
		free(e);
		return pg_fail(s, res, err);
	}
	PQclear(res);
	c->nnames++;
	e->next = c->names[h % PG_NAME_BUCKETS];
	c->names[h % PG_NAME_BUCKETS] = e;
	*name = e->name;
	return MMIS_OK;
}

static enum mmis_err pg_prepare(struct store *s, const char *sql, bool cached, struct store_stmt **out,
				struct mmis_error *err)
{
	struct pg_stmt *q = calloc(1, sizeof(*q));
	enum mmis_err rc;

	(void)cached; /* every text gets its server-side name, up to PG_NAMES_MAX */
	if (!q || !(q->sql = rewrite_placeholders(sql, &q->nparams))) {
		free(q);
		return store__fail(s, err, MMIS_ENOMEM, "out of memory preparing a statement");
	}
	q->row = -1;
	q->values = calloc((size_t)q->nparams + 1, sizeof(*q->values));
	q->lengths = calloc((size_t)q->nparams + 1, sizeof(*q->lengths));
	q->formats = calloc((size_t)q->nparams + 1, sizeof(*q->formats));
	if (!q->values || !q->lengths || !q->formats) {
		pg_destroy(&q->base);
		return store__fail(s, err, MMIS_ENOMEM, "out of memory preparing a statement");
	}
	if ((rc = named_statement(s, sql, q->sql, &q->name, err))) {
		pg_destroy(&q->base);
		return rc;
	}
	if (q->name) {
		free(q->sql);
		q->sql = NULL;
	}
	*out = &q->base;
	return MMIS_OK;
}

/* Text format for everything but blobs, which go in binary and so need no escaping. */
static enum mmis_err pg_bind(struct store_stmt *st, int idx, const struct store_value *v)
{
	struct pg_stmt *q = (struct pg_stmt *)st;
	char num[40], *val = NULL;
	size_t len = 0;

	if (idx < 1 || idx > q->nparams) {
		snprintf(st->store->errmsg, sizeof(st->store->errmsg), "no parameter %d", idx);
		return MMIS_EINVAL;
	}
	switch (v->type) {
	case STORE_NULL:
		break;
	case STORE_TEXT:
		val = strdup(v->text);
		break;
	case STORE_INT64:
		snprintf(num, sizeof(num), "%" PRId64, v->i);
		val = strdup(num);
		break;
	case STORE_BOOL:
		val = strdup(v->i ? "t" : "f");
		break;
	case STORE_DOUBLE:
		if (isnan(v->d))
			snprintf(num, sizeof(num), "NaN");
		else if (isinf(v->d))
			snprintf(num, sizeof(num), "%sInfinity", v->d < 0 ? "-" : "");
		else
			snprintf(num, sizeof(num), "%.17g", v->d); /* enough to read back exactly */
		val = strdup(num);
		break;
	case STORE_BLOB:
		len = v->len;
		if ((val = malloc(len ? len : 1)))
			memcpy(val, v->blob, len);
		break;
	}
	if (v->type != STORE_NULL && !val)
		return MMIS_ENOMEM;
	free(q->values[idx - 1]);
	q->values[idx - 1] = val;
	q->lengths[idx - 1] = (int)len;
	q->formats[idx - 1] = v->type == STORE_BLOB;
	return MMIS_OK;
}

static const char *const changing_commands[] = { "INSERT ", "UPDATE ", "DELETE ", "MERGE " };

static int64_t changes_of(PGresult *res)
{
	const char *status = PQcmdStatus(res);

	for (size_t i = 0; i < sizeof(changing_commands) / sizeof(changing_commands[0]); i++)
		if (!strncmp(status, changing_commands[i], strlen(changing_commands[i])))
			return strtoll(PQcmdTuples(res), NULL, 10);
	return 0;
}

static enum mmis_err pg_step(struct store_stmt *st, bool *row, struct mmis_error *err)
{
	struct pg_stmt *q = (struct pg_stmt *)st;
	PGconn *pg = pg_of(st->store);
	const char *const *values = (const char *const *)q->values;
	PGresult *res;
	int nfields;

	*row = false;
	if (!q->res) {
		st->changes = 0;
		if (q->name)
			res = PQexecPrepared(pg, q->name, q->nparams, values, q->lengths, q->formats, 0);
		else
			res = PQexecParams(pg, q->sql, q->nparams, NULL, values, q->lengths, q->formats,
					   0);
		if (!pg_ok(res))
			return pg_fail(st->store, res, err);
		q->res = res;
		q->row = -1;
		st->changes = changes_of(res);
		if ((nfields = PQnfields(res)) > 0) {
			q->blobs = calloc((size_t)nfields, sizeof(*q->blobs));
			q->bloblens = calloc((size_t)nfields, sizeof(*q->bloblens));
			if (!q->blobs || !q->bloblens) {
				free_result(q);
				return store__fail(st->store, err, MMIS_ENOMEM,
						   "out of memory reading rows");
			}
		}
	}
	if (q->blobs) { /* decoded bytea of the previous row */
		for (int i = 0; i < PQnfields(q->res); i++) {
			PQfreemem(q->blobs[i]);
			q->blobs[i] = NULL;
		}
	}
	if (q->row < PQntuples(q->res))
		q->row++;
	*row = q->row < PQntuples(q->res);
	return MMIS_OK;
}

static void pg_reset(struct store_stmt *st)
{
	free_result((struct pg_stmt *)st);
}

static void pg_clear_bindings(struct store_stmt *st)
{
	free_params((struct pg_stmt *)st);
}

/* ---- columns: text results, parsed on demand ---- */

static const struct pg_stmt *current(const struct store_stmt *st, int col)
{
	const struct pg_stmt *q = (const struct pg_stmt *)st;

	if (!q->res || q->row < 0 || q->row >= PQntuples(q->res) || col < 0 ||
	    col >= PQnfields(q->res))
		return NULL;
	return q;
}

/* The value's text, or NULL for SQL NULL and outside a row. */
static const char *value(const struct store_stmt *st, int col)
{
	const struct pg_stmt *q = current(st, col);

	if (!q || PQgetisnull(q->res, q->row, col))
		return NULL;
	return PQgetvalue(q->res, q->row, col);
}

static bool is_bool(const struct store_stmt *st, int col)
{
	return PQftype(((const struct pg_stmt *)st)->res, col) == PG_BOOLOID;
}

static int pg_column_count(const struct store_stmt *st)
{
	const struct pg_stmt *q = (const struct pg_stmt *)st;
	return q->res ? PQnfields(q->res) : 0;
}

static const char *pg_column_name(const struct store_stmt *st, int col)
{
	const struct pg_stmt *q = (const struct pg_stmt *)st;
	return q->res && col >= 0 && col < PQnfields(q->res) ? PQfname(q->res, col) : NULL;
}

static bool pg_column_is_null(const struct store_stmt *st, int col)
{
	return !value(st, col);
}

static const char *pg_column_text(const struct store_stmt *st, int col)
{
	return value(st, col);
}

static int64_t pg_column_int64(const struct store_stmt *st, int col)
{
	const char *v = value(st, col);

	if (!v)
		return 0;
	return is_bool(st, col) ? v[0] == 't' : strtoll(v, NULL, 10);
}

static double pg_column_double(const struct store_stmt *st, int col)
{
	const char *v = value(st, col);
	return v ? strtod(v, NULL) : 0.0;
}

static bool pg_column_bool(const struct store_stmt *st, int col)
{
	return pg_column_int64(st, col) != 0;
}

static const void *pg_column_blob(const struct store_stmt *st, int col, size_t *len)
{
	struct pg_stmt *q = (struct pg_stmt *)st; /* decoding caches into the statement */
	const char *v = value(st, col);

	*len = 0;
	if (!v)
		return NULL;
	if (PQftype(q->res, col) != PG_BYTEAOID) {
		*len = (size_t)PQgetlength(q->res, q->row, col);
		return v;
	}
	if (!q->blobs[col])
		q->blobs[col] = PQunescapeBytea((const unsigned char *)v, &q->bloblens[col]);
	if (!q->blobs[col])
		return NULL; /* out of memory */
	*len = q->bloblens[col];
	return q->blobs[col];
}

const struct store_ops store_postgres_ops = {
	.backend = STORE_POSTGRES,
	.name = "postgres",
	.table_exists_sql = "SELECT count(*) FROM pg_catalog.pg_tables "
			    "WHERE schemaname = current_schema() AND tablename = ?",
	/* Held until the migration's transaction ends: two processes migrating take turns. */
	.migrate_lock_sql = "SELECT pg_advisory_xact_lock(1835886963)", /* "mmis" in ASCII */
	.display_url = pg_display_url,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.tx_failed = pg_tx_failed,
	.prepare = pg_prepare,
	.destroy = pg_destroy,
	.bind = pg_bind,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_is_null = pg_column_is_null,
	.column_text = pg_column_text,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_bool = pg_column_bool,
	.column_blob = pg_column_blob,
};
