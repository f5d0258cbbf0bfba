/*
 * watchlist.c - alert lists: importing them from CSV (the native format and OpenSanctions'
 * targets.simple.csv) and listing them (screen.h).
 *
 * An import reads and checks the whole file first, keeping the checked entries in memory (about
 * 200 bytes each), and only then opens its transaction: the old entries go, the new ones go in
 * with multi-row INSERTs, the list's row and the generation of all lists are raised, and the
 * audit event is written, all in one transaction. A database writer (SQLite's lock) is held only
 * for the writing, not for reading and checking the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/country.h"
#include "mmis/csvread.h"
#include "mmis/date.h"
#include "mmis/json.h"
#include "mmis/match.h"
#include "mmis/uuid.h"

#define ERRORS_MAX 1000
#define BATCH_ROWS 64
#define PROGRESS_EVERY 10000
#define WL_FIELD_MAX (256 * 1024) /* a field of names; a name itself is checked by the matcher */

const char *const watchlist_categories[] = { "sanctions", "wanted", "entry_ban",
					     "lost_stolen_documents", "missing_persons", "other",
					     NULL };
const char *const watchlist_actions[] = { "refuse_entry", "detain", "notify", "check_further",
					  NULL };
const char *const watchlist_formats[] = { "csv", "opensanctions", NULL };

/* ---- helpers the other files share (internal.h) */

enum mmis_err screen_code_check(const char *const *codes, const char *code, const char *field,
				struct mmis_error *err)
{
	char list[200] = "";
	size_t len = 0;

	for (size_t i = 0; codes[i]; i++) {
		if (code && !strcmp(codes[i], code))
			return MMIS_OK;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					codes[i]);
		if (len >= sizeof(list))
			len = sizeof(list) - 1;
	}
	return mmis_error_set(err, MMIS_EINVAL, field, "%s '%.30s' is not one of %s", field,
			      code ? code : "", list);
}

int screen_action_rank(const char *action)
{
	for (int i = 0; watchlist_actions[i]; i++)
		if (action && !strcmp(watchlist_actions[i], action))
			return i;
	return 4;
}

void screen_json_quote(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_addch(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, (char)*p);
		} else if (*p < 0x20 || *p == 0x7f) {
			char u[7] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0 };
			strbuf_addstr(sb, u);
		} else {
			strbuf_addch(sb, (char)*p);
		}
	}
	strbuf_addch(sb, '"');
}

void screen_json_strings(struct strbuf *sb, const char *const *values, size_t n)
{
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		screen_json_quote(sb, values[i]);
	}
	strbuf_addch(sb, ']');
}

int64_t screen_today(void)
{
	struct date d;
	date_today(&d);
	return date_to_days(&d);
}

/* ---- columns */

enum col {
	K_ID, K_NAME, K_ALIASES, K_BIRTH, K_NATIONALITY, K_DOCUMENT, K_SEX, K_FROM, K_TO,
	K_SCHEMA, K_COUNTRIES, K_IDENTIFIERS, K__COUNT
};

static const char *const col_names[K__COUNT] = {
	"id", "name", "aliases", "birth_date", "nationality", "document_number", "sex",
	"valid_from", "valid_to", "schema", "countries", "identifiers",
};

/* Which columns each format reads: 1 optional, 2 required. The native format refuses others;
 * OpenSanctions' files have more columns (addresses, sanctions, dataset ...), which are ignored. */
static const char col_native[K__COUNT] = {
	[K_ID] = 2, [K_NAME] = 1, [K_ALIASES] = 1, [K_BIRTH] = 1, [K_NATIONALITY] = 1,
	[K_DOCUMENT] = 1, [K_SEX] = 1, [K_FROM] = 1, [K_TO] = 1,
};
static const char col_os[K__COUNT] = {
	[K_ID] = 2, [K_NAME] = 2, [K_SCHEMA] = 2, [K_ALIASES] = 1, [K_BIRTH] = 1,
	[K_COUNTRIES] = 1, [K_IDENTIFIERS] = 1,
};

static const char native_header[] = "id,name,aliases,birth_date,nationality,document_number";

/* ---- one entry, checked */

struct row {
	const char *id, *name, *sex, *from, *to;
	const char *aliases[WATCHLIST_ALIASES_MAX];
	size_t n_aliases;
	char births[WATCHLIST_VALUES_MAX][DATE_STR_MAX];
	const char *birth_p[WATCHLIST_VALUES_MAX];
	size_t n_births;
	char nats[WATCHLIST_VALUES_MAX][4];
	const char *nat_p[WATCHLIST_VALUES_MAX];
	size_t n_nats;
	char docs[WATCHLIST_VALUES_MAX][32];
	const char *doc_p[WATCHLIST_VALUES_MAX];
	size_t n_docs;
	int64_t dropped;
};

/* Split `s` in place at ';' into out[] (values trimmed, empty ones left out); *more receives
 * the number of values beyond `max`. */
static size_t split(char *s, const char **out, size_t max, size_t *more)
{
	size_t n = 0;
	*more = 0;
	while (s && *s) {
		char *end = strchr(s, ';');
		if (end)
			*end = '\0';
		csv_trim(s);
		if (*s) {
			if (n < max)
				out[n++] = s;
			else
				(*more)++;
		}
		s = end ? end + 1 : NULL;
	}
	return n;
}

static bool printable(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* ISO alpha-2 (OpenSanctions) to alpha-3; Kosovo's user-assigned "xk" is ICAO's RKS. */
static const char *alpha3_of(const char *a2)
{
	const struct country *c;
	if (strlen(a2) != 2)
		return NULL;
	if ((a2[0] == 'x' || a2[0] == 'X') && (a2[1] == 'k' || a2[1] == 'K'))
		return "RKS";
	c = country_from_alpha2(a2);
	return c ? c->alpha3 : NULL;
}

/*
 * Check one record into `r`; MMIS_EINVAL naming the field. *skip is set for an OpenSanctions row
 * of another schema than Person. Fields are split in place.
 */
static enum mmis_err check_row(struct csv_reader *c, const int *idx, bool os, struct row *r,
			       bool *skip, struct mmis_error *e)
{
	char *v[K__COUNT];
	const char *parts[WATCHLIST_ALIASES_MAX];
	char norm[MATCH_NORM_MAX];
	size_t n, more;
	enum mmis_err rc;

	*skip = false;
	r->n_aliases = r->n_births = r->n_nats = r->n_docs = 0;
	r->dropped = 0;
	r->id = r->name = r->sex = r->from = r->to = NULL;
	if (c->bad[0]) {
		const char *field = NULL;
		for (int k = 0; k < K__COUNT; k++)
			if (c->bad_field >= 0 && idx[k] == c->bad_field)
				field = col_names[k];
		return mmis_error_set(e, MMIS_EINVAL, field, "%s", c->bad);
	}
	for (int k = 0; k < K__COUNT; k++) {
		v[k] = idx[k] >= 0 && idx[k] < c->n ? c->fields[idx[k]] : NULL;
		if (v[k]) {
			csv_trim(v[k]);
			if (!*v[k])
				v[k] = NULL;
		}
	}
	if (os && (!v[K_SCHEMA] || strcmp(v[K_SCHEMA], "Person"))) {
		*skip = true;
		return MMIS_OK;
	}
	if (!v[K_ID])
		return mmis_error_set(e, MMIS_EINVAL, "id", "id is required");
	if (!printable(v[K_ID], WATCHLIST_ID_MAX))
		return mmis_error_set(e, MMIS_EINVAL, "id", "an id has at most %d printable bytes",
				      WATCHLIST_ID_MAX);
	r->id = v[K_ID];
	if (v[K_NAME]) {
		if ((rc = match_normalise(v[K_NAME], "name", norm, e)))
			return rc;
		r->name = v[K_NAME];
	}
	/* Aliases: each must normalise (OpenSanctions: those that do not are left out). */
	n = split(v[K_ALIASES], parts, WATCHLIST_ALIASES_MAX, &more);
	if (more && !os)
		return mmis_error_set(e, MMIS_EINVAL, "aliases", "more than %d aliases",
				      WATCHLIST_ALIASES_MAX);
	r->dropped += (int64_t)more;
	for (size_t i = 0; i < n; i++) {
		struct mmis_error ae;
		if (match_normalise(parts[i], "aliases", norm, &ae)) {
			if (!os)
				return mmis_error_set(e, MMIS_EINVAL, "aliases", "alias %zu: %s", i + 1,
						      mmis_error_text(&ae));
			r->dropped++;
			continue;
		}
		r->aliases[r->n_aliases++] = parts[i];
	}
	if (!r->name && r->n_aliases && !os)
		return mmis_error_set(e, MMIS_EINVAL, "name", "aliases without a name");
	/* Birth dates, possibly partial. */
	n = split(v[K_BIRTH], parts, WATCHLIST_VALUES_MAX, &more);
	if (more && !os)
		return mmis_error_set(e, MMIS_EINVAL, "birth_date", "more than %d birth dates",
				      WATCHLIST_VALUES_MAX);
	r->dropped += (int64_t)more;
	for (size_t i = 0; i < n; i++) {
		struct date d;
		struct mmis_error de;
		if (date_parse_partial(parts[i], "birth_date", &d, &de)) {
			if (!os)
				return mmis_error_set(e, MMIS_EINVAL, "birth_date", "%s",
						      mmis_error_text(&de));
			r->dropped++;
			continue;
		}
		date_format(&d, r->births[r->n_births]);
		r->birth_p[r->n_births] = r->births[r->n_births];
		r->n_births++;
	}
	/* Nationalities: alpha-3 or ICAO (native), alpha-2 (OpenSanctions' countries). */
	n = split(os ? v[K_COUNTRIES] : v[K_NATIONALITY], parts, WATCHLIST_VALUES_MAX, &more);
	if (more && !os)
		return mmis_error_set(e, MMIS_EINVAL, "nationality", "more than %d nationalities",
				      WATCHLIST_VALUES_MAX);
	r->dropped += (int64_t)more;
	for (size_t i = 0; i < n; i++) {
		const char *a3 = NULL;
		const struct country *ct;
		if (os) {
			a3 = alpha3_of(parts[i]);
		} else if (strlen(parts[i]) <= 3 && (ct = country_lookup(parts[i]))) {
			a3 = strcmp(ct->alpha3, "D") ? ct->alpha3 : "DEU";
		}
		if (!a3) {
			if (!os)
				return mmis_error_set(e, MMIS_EINVAL, "nationality",
						      "'%.16s' is not an ISO 3166-1 alpha-3 or ICAO "
						      "country code", parts[i]);
			r->dropped++;
			continue;
		}
		bool seen = false;
		for (size_t j = 0; j < r->n_nats; j++)
			seen = seen || !strcmp(r->nats[j], a3);
		if (!seen) {
			screen_copy(r->nats[r->n_nats], 4, a3);
			r->nat_p[r->n_nats] = r->nats[r->n_nats];
			r->n_nats++;
		}
	}
	/* Document numbers, normalised as the border's (OpenSanctions' identifiers also hold tax
	 * and registration numbers: those that cannot be a travel document's are left out). */
	n = split(os ? v[K_IDENTIFIERS] : v[K_DOCUMENT], parts, WATCHLIST_VALUES_MAX, &more);
	if (more && !os)
		return mmis_error_set(e, MMIS_EINVAL, "document_number",
				      "more than %d document numbers", WATCHLIST_VALUES_MAX);
	r->dropped += (int64_t)more;
	for (size_t i = 0; i < n; i++) {
		struct mmis_error de;
		if (match_document_normalise(parts[i], r->docs[r->n_docs], &de)) {
			if (!os)
				return mmis_error_set(e, MMIS_EINVAL, "document_number", "%s",
						      mmis_error_text(&de));
			r->dropped++;
			continue;
		}
		r->doc_p[r->n_docs] = r->docs[r->n_docs];
		r->n_docs++;
	}
	if (!r->name && !r->n_docs)
		return mmis_error_set(e, MMIS_EINVAL, "name",
				      "an entry needs a name or a document number");
	if (v[K_SEX]) {
		if (strcmp(v[K_SEX], "F") && strcmp(v[K_SEX], "M") && strcmp(v[K_SEX], "X"))
			return mmis_error_set(e, MMIS_EINVAL, "sex", "sex is F, M or X");
		r->sex = v[K_SEX];
	}
	struct date from, to;
	if (v[K_FROM] && (rc = date_parse(v[K_FROM], "valid_from", &from, e)))
		return rc;
	if (v[K_TO] && (rc = date_parse(v[K_TO], "valid_to", &to, e)))
		return rc;
	if (v[K_FROM] && v[K_TO] && date_cmp(&from, &to) > 0)
		return mmis_error_set(e, MMIS_EINVAL, "valid_to", "valid_to %s is before valid_from %s",
				      v[K_TO], v[K_FROM]);
	r->from = v[K_FROM];
	r->to = v[K_TO];
	return MMIS_OK;
}

/* ---- ids seen in the file (to name the line an id was first used on) */

struct id_slot {
	char *id;
	int64_t line;
};

struct id_set {
	struct id_slot *slots;
	size_t cap, n;
};

static void id_set_release(struct id_set *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].id);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* Add `id` first seen on `line`; *first_line receives the earlier line when it was there
 * already (0 otherwise). false when out of memory. */
static bool id_set_add(struct id_set *t, const char *id, int64_t line, int64_t *first_line)
{
	size_t j;
	*first_line = 0;
	if ((t->n + 1) * 2 > t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 4096;
		struct id_slot *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return false;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->slots[i].id)
				continue;
			j = str_hash(t->slots[i].id) & (nc - 1);
			while (ns[j].id)
				j = (j + 1) & (nc - 1);
			ns[j] = t->slots[i];
		}
		free(t->slots);
		t->slots = ns;
		t->cap = nc;
	}
	j = str_hash(id) & (t->cap - 1);
	while (t->slots[j].id && strcmp(t->slots[j].id, id))
		j = (j + 1) & (t->cap - 1);
	if (t->slots[j].id) {
		*first_line = t->slots[j].line;
		return true;
	}
	if (!(t->slots[j].id = strdup(id)))
		return false;
	t->slots[j].line = line;
	t->n++;
	return true;
}

/* ---- checked entries kept for writing: per entry the columns, each a tag byte ('v' a value,
 * 'n' NULL) and NUL-terminated text, one after another */

#define ENTRY_COLS 9

struct pool {
	char *buf;
	size_t len, cap;
	int64_t rows;
};

static void pool_add(struct pool *p, const char *value, bool *oom)
{
	size_t n = value ? strlen(value) + 2 : 2;
	if (*oom)
		return;
	if (p->len + n > p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 1 << 20;
		char *nb;
		while (nc < p->len + n)
			nc *= 2;
		if (!(nb = realloc(p->buf, nc))) {
			*oom = true;
			return;
		}
		p->buf = nb;
		p->cap = nc;
	}
	p->buf[p->len++] = value ? 'v' : 'n';
	if (value)
		memcpy(p->buf + p->len, value, n - 1);
	else
		p->buf[p->len] = '\0';
	p->len += n - 1;
}

/* Add a JSON array of strings. */
static void pool_strings(struct pool *p, struct strbuf *sb, const char *const *v, size_t n,
			 bool *oom)
{
	strbuf_reset(sb);
	screen_json_strings(sb, v, n);
	if (strbuf_error(sb))
		*oom = true;
	pool_add(p, strbuf_str(sb), oom);
}

static bool pool_row(struct pool *p, struct strbuf *sb, const struct row *r)
{
	bool oom = false;

	pool_add(p, r->id, &oom);
	pool_add(p, r->name, &oom);
	pool_strings(p, sb, r->aliases, r->n_aliases, &oom);
	pool_strings(p, sb, r->birth_p, r->n_births, &oom);
	pool_strings(p, sb, r->nat_p, r->n_nats, &oom);
	pool_strings(p, sb, r->doc_p, r->n_docs, &oom);
	pool_add(p, r->sex, &oom);
	pool_add(p, r->from, &oom);
	pool_add(p, r->to, &oom);
	if (!oom)
		p->rows++;
	return !oom;
}

/* The next column at *pos (NULL for SQL NULL). */
static const char *pool_next(const struct pool *p, size_t *pos)
{
	const char *s = p->buf + *pos + 1;
	bool null = p->buf[*pos] == 'n';
	*pos += 1 + strlen(s) + 1;
	return null ? NULL : s;
}

/* ---- writing, in multi-row INSERTs */

#define INSERT_HEAD                                                                             \
	"INSERT INTO watchlist_entry (id, watchlist_id, external_id, name, aliases, birth_dates, "  \
	"nationalities, documents, sex, valid_from, valid_to) VALUES "
#define INSERT_COLS 11

static char *insert_sql(int rows)
{
	struct strbuf sb;
	strbuf_init(&sb, 1024 * 1024);
	strbuf_addstr(&sb, INSERT_HEAD);
	for (int r = 0; r < rows; r++) {
		strbuf_addstr(&sb, r ? ", (" : "(");
		for (int c = 0; c < INSERT_COLS; c++)
			strbuf_addstr(&sb, c ? ", ?" : "?");
		strbuf_addch(&sb, ')');
	}
	return strbuf_detach(&sb, NULL);
}

static enum mmis_err write_entries(struct store *s, const struct pool *p, const char *list_id,
				   screen_progress_fn progress, void *progress_ctx, int64_t base,
				   struct mmis_error *err)
{
	struct store_stmt *full = NULL, *st;
	size_t pos = 0;
	int64_t done = 0;
	enum mmis_err rc = MMIS_OK;
	char *sql;

	while (!rc && done < p->rows) {
		int rows = p->rows - done >= BATCH_ROWS ? BATCH_ROWS : (int)(p->rows - done);
		if (rows == BATCH_ROWS && full) {
			st = full;
		} else {
			if (!(sql = insert_sql(rows)))
				return screen_oom(err);
			rc = store_prepare(s, sql, &st, err);
			free(sql);
			if (rc)
				break;
		}
		for (int r = 0; r < rows; r++) {
			char id[UUID_STR_MAX];
			int b = r * INSERT_COLS;
			uuid7_new_str(id);
			store_bind_text(st, b + 1, id);
			store_bind_text(st, b + 2, list_id);
			for (int c = 0; c < ENTRY_COLS; c++)
				store_bind_text(st, b + 3 + c, pool_next(p, &pos));
		}
		rc = store_run(st, err);
		if (rows == BATCH_ROWS && !full)
			full = st;
		else if (st != full)
			store_finalize(st);
		done += rows;
		if (progress && (done % PROGRESS_EVERY) < BATCH_ROWS)
			progress(progress_ctx, (uint64_t)(base + done));
	}
	store_finalize(full);
	return rc;
}

/* ---- the import */

static enum mmis_err check_meta(const struct watchlist_meta *m, bool *os, struct mmis_error *err)
{
	enum mmis_err rc;
	size_t n = m->name ? strlen(m->name) : 0;

	if (!n)
		return mmis_error_set(err, MMIS_EINVAL, "name", "the list needs a name");
	if (n > WATCHLIST_NAME_MAX)
		return mmis_error_set(err, MMIS_EINVAL, "name", "a list's name has at most %d "
				      "characters", WATCHLIST_NAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = m->name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return mmis_error_set(err, MMIS_EINVAL, "name", "a list's name is made of "
					      "letters A-Z, digits, '.', '_' and '-'");
	}
	if ((rc = screen_code_check(watchlist_formats, m->format ? m->format : "csv", "format",
				    err)))
		return rc;
	*os = m->format && !strcmp(m->format, "opensanctions");
	if (m->category && (rc = screen_code_check(watchlist_categories, m->category, "category",
						   err)))
		return rc;
	if (m->action && (rc = screen_code_check(watchlist_actions, m->action, "action", err)))
		return rc;
	if (m->source && (!*m->source || !printable(m->source, WATCHLIST_TEXT_MAX)))
		return mmis_error_set(err, MMIS_EINVAL, "source", "a source has 1 to %d printable "
				      "bytes", WATCHLIST_TEXT_MAX);
	return MMIS_OK;
}

/* Read the header into idx[]; MMIS_EINVAL naming the line. */
static enum mmis_err read_header(struct csv_reader *c, bool os, int *idx, struct mmis_error *err)
{
	const char *fmt = os ? "OpenSanctions targets.simple.csv: id,schema,name,aliases,"
			       "birth_date,countries,identifiers,..." : native_header;
	const char *want = os ? col_os : col_native;

	for (int k = 0; k < K__COUNT; k++)
		idx[k] = -1;
	if (!csv_reader_next(c))
		return mmis_error_set(err, MMIS_EINVAL, NULL, "line 1: the file is empty: expected "
				      "the header %s", fmt);
	if (c->bad[0])
		return mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the header: %s",
				      (long long)c->line, c->bad);
	for (int i = 0; i < c->n; i++) {
		int k;
		csv_trim(c->fields[i]);
		for (k = 0; k < K__COUNT && (strcmp(c->fields[i], col_names[k]) || !want[k]); k++)
			;
		if (k == K__COUNT) {
			if (os)
				continue;
			return mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: unknown column "
					      "'%.40s' (the header is %s, and optionally sex, "
					      "valid_from, valid_to)", (long long)c->line, c->fields[i],
					      fmt);
		}
		if (idx[k] >= 0)
			return mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: column '%s' twice",
					      (long long)c->line, col_names[k]);
		idx[k] = i;
	}
	if (idx[K_ID] < 0)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the file has no id column: "
				      "expected the header %s", (long long)c->line, fmt);
	for (int k = 0; k < K__COUNT; k++)
		if (want[k] == 2 && idx[k] < 0)
			return mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the column '%s' is "
					      "missing: expected the header %s", (long long)c->line,
					      col_names[k], fmt);
	if (!os && idx[K_NAME] < 0 && idx[K_DOCUMENT] < 0)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the file needs a name or a "
				      "document_number column: expected the header %s",
				      (long long)c->line, fmt);
	return MMIS_OK;
}

static void line_error(json_t *errors, int64_t line, const struct mmis_error *e)
{
	if (errors && json_array_size(errors) < ERRORS_MAX)
		json_array_append_new(errors, json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line,
							"field", e->field[0] ? e->field : NULL,
							"message", mmis_error_text(e)));
}

static enum mmis_err import_failed(struct mmis_error *err, const json_t *errors, int64_t bad)
{
	const json_t *first = json_array_get(errors, 0);
	const char *msg = json_string_value(json_object_get(first, "message"));
	if (!msg)
		return screen_oom(err);
	return mmis_error_set(err, MMIS_EINVAL,
			      json_string_value(json_object_get(first, "field")),
			      "%lld bad line%s, nothing imported; line %lld: %s", (long long)bad,
			      bad == 1 ? "" : "s",
			      (long long)json_integer_value(json_object_get(first, "line")), msg);
}

/* Read and check the whole file into the pool. */
static enum mmis_err read_file(FILE *in, const char *file_name, bool os, struct pool *pool,
			       screen_progress_fn progress, void *progress_ctx,
			       struct watchlist_import_result *out, int64_t *bad,
			       struct mmis_error *err)
{
	struct csv_reader *c = malloc(sizeof(*c));
	struct row *r = malloc(sizeof(*r));
	struct id_set ids = { 0 };
	struct mmis_error le;
	struct strbuf sb;
	int idx[K__COUNT];
	enum mmis_err rc = MMIS_OK;

	if (!c || !r || !csv_reader_init(c, in)) {
		if (c)
			csv_reader_release(c);
		free(c);
		free(r);
		return screen_oom(err);
	}
	csv_reader_set_field_max(c, WL_FIELD_MAX);
	strbuf_init(&sb, 4 * WL_FIELD_MAX);
	rc = read_header(c, os, idx, err);
	while (!rc && csv_reader_next(c)) {
		bool skip = false;
		int64_t first = 0;
		if (!c->bad[0] && c->n == 1 && !c->fields[0][0])
			continue; /* a blank line */
		out->lines++;
		if (progress && out->lines % PROGRESS_EVERY == 0)
			progress(progress_ctx, (uint64_t)out->lines);
		mmis_error_clear(&le);
		if (check_row(c, idx, os, r, &skip, &le)) {
			(*bad)++;
			line_error(out->errors, c->line, &le);
			continue;
		}
		if (skip) {
			out->skipped++;
			continue;
		}
		if (!id_set_add(&ids, r->id, c->line, &first)) {
			rc = screen_oom(err);
			break;
		}
		if (first) {
			mmis_error_set(&le, MMIS_EINVAL, "id", "id '%.60s' is on line %lld already",
				       r->id, (long long)first);
			(*bad)++;
			line_error(out->errors, c->line, &le);
			continue;
		}
		out->dropped += r->dropped;
		if (!*bad && !pool_row(pool, &sb, r))
			rc = screen_oom(err);
	}
	if (!rc && c->io_error)
		rc = mmis_error_set(err, MMIS_EIO, NULL, "cannot read %.200s",
				    file_name ? file_name : "standard input");
	if (progress)
		progress(progress_ctx, (uint64_t)out->lines);
	id_set_release(&ids);
	strbuf_release(&sb);
	csv_reader_release(c);
	free(c);
	free(r);
	return rc;
}

static enum mmis_err exec1(struct store *s, const char *sql, const char *p1,
			   struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	if ((rc = store_prepare(s, sql, &st, err)))
		return rc;
	if (p1)
		store_bind_text(st, 1, p1);
	rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

/* Make the list's row or find it; the old entries go. *replaced receives their number. */
static enum mmis_err prepare_list(struct store *s, const struct actor *a,
				  const struct watchlist_meta *m, bool os, const char *source,
				  const char *now, char id[UUID_STR_MAX], int64_t *replaced,
				  struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	*replaced = 0;
	if ((rc = store_prepare(s, "SELECT id, entry_count FROM watchlist WHERE name = ?", &st,
				err)))
		return rc;
	store_bind_text(st, 1, m->name);
	if (!(rc = store_step(st, &row, err)) && row) {
		screen_copy(id, UUID_STR_MAX, store_column_text(st, 0));
		*replaced = store_column_int64(st, 1);
	}
	store_finalize(st);
	if (rc)
		return rc;
	if (row)
		return exec1(s, "DELETE FROM watchlist_entry WHERE watchlist_id = ?", id, err);
	uuid7_new_str(id);
	if ((rc = store_prepare(s, "INSERT INTO watchlist (id, name, source, category, action, "
				"format, entry_count, generation, imported_at, imported_by, "
				"created_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)", &st, err)))
		return rc;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, m->name);
	store_bind_text(st, 3, source);
	store_bind_text(st, 4, m->category ? m->category : os ? "sanctions" : "other");
	store_bind_text(st, 5, m->action ? m->action : "check_further");
	store_bind_text(st, 6, os ? "opensanctions" : "csv");
	store_bind_text(st, 7, now);
	store_bind_text(st, 8, a->user_id[0] ? a->user_id : NULL);
	store_bind_text(st, 9, now);
	rc = store_run(st, err);
	store_finalize(st);
	return rc;
}

/* The list's row after the import: count, generation, and the metadata given this time (what is
 * not given stays as it was). */
static enum mmis_err finish_list(struct store *s, const struct actor *a,
				 const struct watchlist_meta *m, bool os, const char *source,
				 const char *now, const char *id, int64_t count, int64_t *generation,
				 struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	enum mmis_err rc;

	if ((rc = store_prepare(s, "UPDATE watchlist SET source = ?, category = COALESCE(?, "
				"category), action = COALESCE(?, action), format = ?, entry_count = "
				"?, generation = generation + 1, imported_at = ?, imported_by = ? "
				"WHERE id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, source);
	store_bind_text(st, 2, m->category);
	store_bind_text(st, 3, m->action);
	store_bind_text(st, 4, os ? "opensanctions" : "csv");
	store_bind_int64(st, 5, count);
	store_bind_text(st, 6, now);
	store_bind_text(st, 7, a->user_id[0] ? a->user_id : NULL);
	store_bind_text(st, 8, id);
	rc = store_run(st, err);
	store_finalize(st);
	if (!rc)
		rc = exec1(s, "UPDATE watchlist_state SET generation = generation + 1 WHERE id = 1",
			   NULL, err);
	if (rc)
		return rc;
	if ((rc = store_prepare(s, "SELECT generation FROM watchlist WHERE id = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, id);
	if (!(rc = store_step(st, &row, err)) && row)
		*generation = store_column_int64(st, 0);
	store_finalize(st);
	return rc;
}

enum mmis_err watchlist_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			       const char *file_name, const struct watchlist_meta *meta,
			       screen_progress_fn progress, void *progress_ctx,
			       struct watchlist_import_result *out, struct mmis_error *err)
{
	struct mmis_error local;
	struct pool pool = { 0 };
	struct audited_op op;
	char now[TIMESTAMP_STR_MAX], list_id[UUID_STR_MAX] = "";
	const char *fname = file_name ? file_name : "standard input";
	const char *source;
	int64_t bad = 0, replaced = 0;
	bool os = false;
	enum mmis_err rc, work = MMIS_OK;

	if (!err)
		err = &local;
	memset(out, 0, sizeof(*out));
	if ((rc = screen_check_ctx(cx, a, err)))
		return rc;
	if (!(out->errors = json_array()))
		return screen_oom(err);
	source = meta->source ? meta->source : fname;
	/* Refuse and check before reading the file; the file is read before the transaction. */
	if (actor_scope(a, PERM_BORDER_SUPERVISE) != SCOPE_ALL)
		work = screen_denied(err, PERM_BORDER_SUPERVISE);
	else if (!(work = check_meta(meta, &os, err)) && !meta->source &&
		 !printable(source, WATCHLIST_TEXT_MAX))
		source = "(file)";
	if (!work)
		work = read_file(in, file_name, os, &pool, progress, progress_ctx, out, &bad, err);
	if (!work && bad)
		work = import_failed(err, out->errors, bad);

	if ((rc = audited_begin(&op, cx, a, "watchlist.import", "watchlist", err))) {
		free(pool.buf);
		return rc;
	}
	audited_detail(&op, "list %.64s from %.150s", meta->name ? meta->name : "", fname);
	timestamp_format(timestamp_now(), now);
	rc = work;
	if (!rc)
		rc = prepare_list(cx->store, a, meta, os, source, now, list_id, &replaced, err);
	if (!rc) {
		screen_copy(op.object_id, sizeof(op.object_id), list_id);
		rc = write_entries(cx->store, &pool, list_id, progress, progress_ctx, out->lines, err);
	}
	if (!rc)
		rc = finish_list(cx->store, a, meta, os, source, now, list_id, pool.rows,
				 &out->generation, err);
	if (!rc) {
		audited_detail(&op, "list %.64s (%s), generation %lld: %lld entries replacing %lld, "
			       "%lld rows of other schemas skipped, %lld values left out, from %.100s",
			       meta->name, os ? "opensanctions" : "csv", (long long)out->generation,
			       (long long)pool.rows, (long long)replaced, (long long)out->skipped,
			       (long long)out->dropped, fname);
		out->imported = pool.rows;
		screen_copy(out->list_id, sizeof(out->list_id), list_id);
	}
	free(pool.buf);
	rc = audited_end(&op, rc, err);
	if (rc) {
		out->imported = 0;
		out->generation = 0;
		out->list_id[0] = '\0';
	}
	return rc;
}

/* ---- listing */

enum mmis_err watchlist_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			     struct mmis_error *err)
{
	static const char *const names[] = { "id", "name", "source", "category", "action", "format",
					     "#entry_count", "#generation", "imported_at", NULL };
	enum mmis_err rc;

	*out = NULL;
	if ((rc = screen_check_ctx(cx, a, err)))
		return rc;
	if (actor_scope(a, PERM_BORDER_READ) == SCOPE_NONE && actor_scope(a, PERM_SCREEN) == SCOPE_NONE)
		return screen_denied(err, PERM_SCREEN);
	return store_rows_json(cx->store, "SELECT id, name, source, category, action, format, "
			       "entry_count, generation, imported_at FROM watchlist ORDER BY name",
			       NULL, 0, store_row_object, (void *)names, false, out, err);
}
