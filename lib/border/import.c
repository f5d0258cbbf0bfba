/*
 * import.c - CSV imports of BCPs and crossings (border.h): all or nothing, every bad line
 * reported with its number, one audit event per import. Crossings go in with multi-row INSERTs
 * of prepared statements, batched in one transaction; documents seen before in the same file are
 * found in a hash table instead of the database.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/json.h"
#include "mmis/screen.h"
#include "mmis/stats.h"
#include "mmis/strbuf.h"
#include "mmis/uuid.h"

#define ERRORS_MAX 1000
#define BATCH_ROWS 64
#define PROGRESS_EVERY 10000

static bool blank_record(const struct csv_reader *c)
{
	return !c->bad[0] && c->n == 1 && !c->fields[0][0];
}

/* A record the reader refused, as a line error; `names` (may be NULL) names the columns. */
static enum mmis_err csv_bad(const struct csv_reader *c, const char *const *names, int n_names,
			     struct mmis_error *e)
{
	const char *field = c->bad_field >= 0 && c->bad_field < n_names && names ?
		names[c->bad_field] : NULL;
	return mmis_error_set(e, MMIS_EINVAL, field, "%s", c->bad);
}

/* A reader on `in` (NULL when out of memory); free with csv_close. */
static struct csv_reader *csv_open(FILE *in)
{
	struct csv_reader *c = malloc(sizeof(*c));
	if (c && !csv_reader_init(c, in)) {
		csv_reader_release(c);
		free(c);
		c = NULL;
	}
	return c;
}

static void csv_close(struct csv_reader *c)
{
	if (c) {
		csv_reader_release(c);
		free(c);
	}
}

/* Append {line, field, message} to *errors (at most ERRORS_MAX). */
static void line_error(json_t *errors, int64_t line, const struct mmis_error *e)
{
	if (errors && json_array_size(errors) < ERRORS_MAX)
		json_array_append_new(errors, json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line,
							"field", e->field, "message",
							mmis_error_text(e)));
}

/* The error for a failed import: the count and the first bad line. */
static enum mmis_err import_failed(struct mmis_error *err, const json_t *errors, int64_t bad)
{
	const json_t *first = json_array_get(errors, 0);
	const char *msg = json_string_value(json_object_get(first, "message"));
	if (!msg)
		return border_oom(err);
	return mmis_error_set(err, MMIS_EINVAL,
			      json_string_value(json_object_get(first, "field")),
			      "%lld bad line%s, nothing imported; line %lld: %s", (long long)bad,
			      bad == 1 ? "" : "s",
			      (long long)json_integer_value(json_object_get(first, "line")), msg);
}

/* ---- BCPs */

enum mmis_err bcp_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			 const char *name, int64_t *imported, json_t **errors_out,
			 struct mmis_error *err)
{
	static const char *const want[] = { "code", "name", "kind", "neighbour" };
	struct mmis_error local, le;
	struct csv_reader *c = NULL;
	json_t *errors;
	char now[TIMESTAMP_STR_MAX];
	int64_t n = 0, bad = 0;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	if (imported)
		*imported = 0;
	if (errors_out)
		*errors_out = NULL;
	if ((rc = border_check_ctx(cx, a, err)))
		return rc;
	if (!(errors = json_array()))
		return border_oom(err);
	if ((rc = audited_begin(&op, cx, a, "bcp.import", "bcp", err))) {
		json_decref(errors);
		return rc;
	}
	audited_detail(&op, "from %.200s", name ? name : "standard input");
	timestamp_format(timestamp_now(), now);
	if (actor_scope(a, PERM_BORDER_SUPERVISE) != SCOPE_ALL) {
		rc = border_denied(err, PERM_BORDER_SUPERVISE);
	} else if (!(c = csv_open(in))) {
		rc = border_oom(err);
	} else if (!csv_reader_next(c)) {
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line 1: the file is empty: expected the "
				    "header code,name,kind,neighbour");
	} else if (c->bad[0]) {
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the header: %s",
				    (long long)c->line, c->bad);
	} else {
		bool good = c->n == 4 || c->n == 3;
		for (int i = 0; good && i < c->n; i++) {
			csv_trim(c->fields[i]);
			good = !strcmp(c->fields[i], want[i]);
		}
		if (!good)
			rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the header must be "
					    "code,name,kind,neighbour", (long long)c->line);
	}
	while (!rc && csv_reader_next(c)) {
		char nb[4];
		enum mmis_err lr;
		if (blank_record(c))
			continue;
		mmis_error_clear(&le);
		for (int i = 0; i < c->n; i++)
			csv_trim(c->fields[i]);
		if (c->bad[0])
			lr = csv_bad(c, want, 4, &le);
		else if (c->n < 3 || c->n > 4)
			lr = mmis_error_set(&le, MMIS_EINVAL, NULL, "expected 4 fields, found %d", c->n);
		else
			lr = border_bcp_check(c->fields[0], c->fields[1], c->fields[2],
					      c->n > 3 ? c->fields[3] : NULL, nb, &le);
		if (!lr) {
			struct store_stmt *st;
			/* A failing insert (a duplicate) must not abort PostgreSQL's transaction. */
			if ((rc = store_begin(cx->store, err)))
				break;
			if (!(rc = store_prepare(cx->store, "INSERT INTO bcp (code, name, kind, neighbour, "
						 "created_at) VALUES (?, ?, ?, ?, ?)", &st, err))) {
				store_bind_text(st, 1, c->fields[0]);
				store_bind_text(st, 2, c->fields[1]);
				store_bind_text(st, 3, c->fields[2]);
				store_bind_text(st, 4, nb[0] ? nb : NULL);
				store_bind_text(st, 5, now);
				lr = store_run(st, &le);
				store_finalize(st);
			}
			if (lr == MMIS_ECONFLICT)
				lr = mmis_error_set(&le, MMIS_ECONFLICT, "code", "BCP %s exists already",
						    c->fields[0]);
			if (rc)
				break;
			if (lr == MMIS_ECONFLICT || !lr) {
				if (lr)
					store_rollback(cx->store, NULL);
				else if ((rc = store_commit(cx->store, err)))
					break;
			} else {
				store_rollback(cx->store, NULL);
				rc = lr;
				*err = le;
				break;
			}
		}
		if (lr) {
			bad++;
			line_error(errors, c->line, &le);
		} else {
			n++;
		}
	}
	if (!rc && c && c->io_error)
		rc = mmis_error_set(err, MMIS_EIO, NULL, "cannot read %.200s",
				    name ? name : "standard input");
	csv_close(c);
	if (!rc && bad)
		rc = import_failed(err, errors, bad);
	if (!rc)
		audited_detail(&op, "%lld BCPs from %.200s", (long long)n, name ? name : "standard input");
	rc = audited_end(&op, rc, err);
	if (!rc && imported)
		*imported = n;
	if (errors_out)
		*errors_out = errors;
	else
		json_decref(errors);
	return rc;
}

/* ---- batched multi-row inserts */

struct batch {
	struct store *s;
	const char *head;    /* "INSERT INTO t (a, b) VALUES " */
	int ncols;
	int nrows;
	char *pool;          /* values, NUL-terminated, one after another */
	size_t pool_len, pool_cap;
	ssize_t *off;        /* offset of each value in pool, -1 for NULL */
	struct store_stmt *full; /* the prepared BATCH_ROWS-row statement */
	int64_t rows;        /* rows inserted so far */
};

static enum mmis_err batch_init(struct batch *b, struct store *s, const char *head, int ncols,
				struct mmis_error *err)
{
	memset(b, 0, sizeof(*b));
	b->s = s;
	b->head = head;
	b->ncols = ncols;
	if (!(b->off = malloc(sizeof(*b->off) * (size_t)ncols * BATCH_ROWS)))
		return border_oom(err);
	return MMIS_OK;
}

static void batch_release(struct batch *b)
{
	store_finalize(b->full);
	free(b->pool);
	free(b->off);
	memset(b, 0, sizeof(*b));
}

static char *batch_sql(const struct batch *b, int rows)
{
	struct strbuf sb;
	strbuf_init(&sb, 1024 * 1024);
	strbuf_addstr(&sb, b->head);
	for (int r = 0; r < rows; r++) {
		strbuf_addstr(&sb, r ? ", (" : "(");
		for (int c = 0; c < b->ncols; c++)
			strbuf_addstr(&sb, c ? ", ?" : "?");
		strbuf_addch(&sb, ')');
	}
	return strbuf_detach(&sb, NULL);
}

static enum mmis_err batch_flush(struct batch *b, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	if (!b->nrows)
		return MMIS_OK;
	if (b->nrows == BATCH_ROWS && b->full) {
		st = b->full;
	} else {
		char *sql = batch_sql(b, b->nrows);
		if (!sql)
			return border_oom(err);
		rc = store_prepare(b->s, sql, &st, err);
		free(sql);
		if (rc)
			return rc;
	}
	for (int i = 0; i < b->nrows * b->ncols; i++)
		store_bind_text(st, i + 1, b->off[i] < 0 ? NULL : b->pool + b->off[i]);
	rc = store_run(st, err);
	if (b->nrows == BATCH_ROWS && !b->full)
		b->full = st; /* kept prepared for the next full batches */
	else if (st != b->full)
		store_finalize(st);
	b->rows += b->nrows;
	b->nrows = 0;
	b->pool_len = 0;
	return rc;
}

/* Add one row of ncols values (NULL allowed); true when the batch is now full. */
static enum mmis_err batch_add(struct batch *b, const char *const *vals, struct mmis_error *err)
{
	for (int c = 0; c < b->ncols; c++) {
		ssize_t *o = &b->off[b->nrows * b->ncols + c];
		if (!vals[c]) {
			*o = -1;
			continue;
		}
		size_t n = strlen(vals[c]) + 1;
		if (b->pool_len + n > b->pool_cap) {
			size_t nc = b->pool_cap ? b->pool_cap * 2 : 16384;
			while (nc < b->pool_len + n)
				nc *= 2;
			char *np = realloc(b->pool, nc);
			if (!np)
				return border_oom(err);
			b->pool = np;
			b->pool_cap = nc;
		}
		memcpy(b->pool + b->pool_len, vals[c], n);
		*o = (ssize_t)b->pool_len;
		b->pool_len += n;
	}
	b->nrows++;
	return MMIS_OK;
}

/* ---- documents seen in this import */

struct seen {
	char *key;                      /* "STATE NUMBER" */
	char person_id[UUID_STR_MAX];
	char doc_id[UUID_STR_MAX];
	int64_t last_at;                /* the last crossing of this import, 0 when none */
	bool last_exit;
	struct person_facts who;        /* what statistics count the person by */
};

struct seen_table {
	struct seen *slots;
	size_t cap, n;
};

static void seen_release(struct seen_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* The slot for `key`: found (key set) or empty (key NULL, to be filled). NULL when out of memory. */
static struct seen *seen_slot(struct seen_table *t, const char *key)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 4096;
		struct seen *ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->slots[i].key)
				continue;
			size_t j = str_hash(t->slots[i].key) & (nc - 1);
			while (ns[j].key)
				j = (j + 1) & (nc - 1);
			ns[j] = t->slots[i];
		}
		free(t->slots);
		t->slots = ns;
		t->cap = nc;
	}
	size_t j = str_hash(key) & (t->cap - 1);
	while (t->slots[j].key && strcmp(t->slots[j].key, key))
		j = (j + 1) & (t->cap - 1);
	return &t->slots[j];
}

/* ---- crossings */

enum col {
	C_TIME, C_BCP, C_DIRECTION, C_DOCTYPE, C_STATE, C_NUMBER, C_SURNAME, C_GIVEN, C_SEX,
	C_BIRTH, C_NATIONALITY, C_EXPIRY, C_TRANSPORT, C_PURPOSE, C__COUNT
};

static const char *const col_names[C__COUNT] = {
	"time", "bcp", "direction", "document_type", "issuing_state", "document_number", "surname",
	"given_names", "sex", "birth_date", "nationality", "expiry_date", "transport", "purpose",
};

static const bool col_required[C__COUNT] = {
	[C_TIME] = true, [C_BCP] = true, [C_DIRECTION] = true, [C_DOCTYPE] = true,
	[C_STATE] = true, [C_NUMBER] = true, [C_SURNAME] = true,
};

struct bcp_set {
	char (*codes)[17];
	size_t n;
};

static enum mmis_err load_bcps(struct store *s, struct bcp_set *set, struct mmis_error *err)
{
	struct store_stmt *st;
	bool row = false;
	size_t cap = 0;
	enum mmis_err rc;

	memset(set, 0, sizeof(*set));
	if ((rc = store_prepare(s, "SELECT code FROM bcp ORDER BY code", &st, err)))
		return rc;
	while (!(rc = store_step(st, &row, err)) && row) {
		if (set->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char(*nb)[17] = realloc(set->codes, nc * sizeof(*nb));
			if (!nb) {
				rc = border_oom(err);
				break;
			}
			set->codes = nb;
			cap = nc;
		}
		border_copy(set->codes[set->n++], 17, store_column_text(st, 0));
	}
	store_finalize(st);
	return rc;
}

static bool bcp_known(const struct bcp_set *set, const char *code)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->codes[i], code))
			return true;
	return false;
}

/* Parse one record into a crossing_in; MMIS_EINVAL naming the field. */
static enum mmis_err parse_row(const struct csv_reader *c, const int *idx, struct crossing_in *in,
			       int64_t now, const struct bcp_set *bcps, struct mmis_error *e)
{
	const char *v[C__COUNT];
	enum mmis_err rc;

	memset(in, 0, sizeof(*in));
	for (int k = 0; k < C__COUNT; k++) {
		v[k] = idx[k] >= 0 && idx[k] < c->n ? c->fields[idx[k]] : NULL;
		if (v[k] && !*v[k])
			v[k] = NULL;
	}
	if (c->bad[0]) {
		const char *field = NULL;
		for (int k = 0; k < C__COUNT; k++)
			if (c->bad_field >= 0 && idx[k] == c->bad_field)
				field = col_names[k];
		return mmis_error_set(e, MMIS_EINVAL, field, "%s", c->bad);
	}
	for (int k = 0; k < C__COUNT; k++)
		if (col_required[k] && !v[k])
			return mmis_error_set(e, MMIS_EINVAL, col_names[k], "%s is required",
					      col_names[k]);
	if ((rc = timestamp_parse(v[C_TIME], "time", &in->at_ms, e)))
		return rc;
	if (in->at_ms > now + BORDER_CLOCK_SKEW_MS)
		return mmis_error_set(e, MMIS_EINVAL, "time", "time %s is in the future", v[C_TIME]);
	if (!bcp_known(bcps, v[C_BCP]))
		return mmis_error_set(e, MMIS_EINVAL, "bcp", "no BCP '%.20s'", v[C_BCP]);
	in->bcp = v[C_BCP];
	if (!strcmp(v[C_DIRECTION], "entry"))
		in->direction = CROSSING_ENTRY;
	else if (!strcmp(v[C_DIRECTION], "exit"))
		in->direction = CROSSING_EXIT;
	else
		return mmis_error_set(e, MMIS_EINVAL, "direction",
				      "direction '%.20s' is not entry or exit", v[C_DIRECTION]);
	in->document_type = v[C_DOCTYPE];
	in->issuing_state = v[C_STATE];
	in->document_number = v[C_NUMBER];
	in->surname = v[C_SURNAME];
	in->given_names = v[C_GIVEN];
	in->nationality = v[C_NATIONALITY];
	in->transport = v[C_TRANSPORT];
	in->purpose = v[C_PURPOSE];
	if (v[C_SEX]) {
		if (strlen(v[C_SEX]) != 1)
			return mmis_error_set(e, MMIS_EINVAL, "sex", "sex is F, M or X");
		in->sex = v[C_SEX][0];
	}
	if (v[C_BIRTH] &&
	    (rc = date_parse_partial(v[C_BIRTH], "birth_date", &in->birth_date, e)))
		return rc;
	in->birth_known = v[C_BIRTH] != NULL;
	if (v[C_EXPIRY] && (rc = date_parse(v[C_EXPIRY], "expiry_date", &in->expiry_date, e)))
		return rc;
	in->expiry_known = v[C_EXPIRY] != NULL;
	if ((rc = border_code_check(border_transport_codes, in->transport, "transport", e)))
		return rc;
	return border_code_check(border_purpose_codes, in->purpose, "purpose", e);
}

static enum mmis_err lookup_document(struct store *s, const char *state, const char *number,
				     struct seen *out, bool *found, struct mmis_error *err)
{
	struct store_stmt *st;
	enum mmis_err rc;

	*found = false;
	if ((rc = store_prepare(s, "SELECT d.id, d.person_id, p.nationality, p.sex, p.birth_date "
				"FROM travel_document d JOIN person p ON p.id = d.person_id "
				"WHERE d.issuing_state = ? AND d.number = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, state);
	store_bind_text(st, 2, number);
	if (!(rc = store_step(st, found, err)) && *found) {
		border_copy(out->doc_id, sizeof(out->doc_id), store_column_text(st, 0));
		border_copy(out->person_id, sizeof(out->person_id), store_column_text(st, 1));
		border_person_facts(&out->who, store_column_text(st, 2), store_column_text(st, 3),
				    store_column_text(st, 4));
	}
	store_finalize(st);
	return rc;
}

/* Flush in foreign-key order. */
static enum mmis_err flush_all(struct batch *persons, struct batch *docs, struct batch *xs,
			       struct mmis_error *err)
{
	enum mmis_err rc;
	if ((rc = batch_flush(persons, err)) || (rc = batch_flush(docs, err)))
		return rc;
	return batch_flush(xs, err);
}

/* What the alert lists are searched with: a document's holder as stored, at the document's
 * last crossing of one import. */
struct imported_doc {
	char crossing_id[UUID_STR_MAX], person_id[UUID_STR_MAX], document_id[UUID_STR_MAX];
	char names[2][2 * BORDER_TEXT_MAX + 2];
	char birth[DATE_STR_MAX], nationality[4], sex[2], number[BORDER_TEXT_MAX + 1];
};

/*
 * Screen the travellers of an import (its crossings are saved): each document once, at its last
 * crossing in the file, as crossing_record screens a crossing (screen_crossing). The documents
 * are read first, then screened: the hits are written in between reads otherwise.
 */
static enum mmis_err screen_imported(const struct mmis_ctx *cx, const struct actor *a,
				     const char *import_id, struct crossing_import_result *out,
				     struct mmis_error *err)
{
	struct imported_doc *docs = NULL, *d;
	size_t n = 0, cap = 0;
	struct store_stmt *st;
	enum mmis_err rc;
	bool row = false;

	if ((rc = store_prepare(cx->store, "SELECT c.id, c.person_id, c.document_id, p.surname, "
				"p.given_names, p.surname_typed, p.given_names_typed, p.birth_date, "
				"p.nationality, p.sex, d.number FROM crossing c JOIN person p ON "
				"p.id = c.person_id JOIN travel_document d ON d.id = c.document_id "
				"WHERE c.import_id = ? ORDER BY c.document_id, c.at DESC, c.id DESC",
				&st, err)))
		return rc;
	store_bind_text(st, 1, import_id);
	while (!(rc = store_step(st, &row, err)) && row) {
		if (n && !strcmp(docs[n - 1].document_id, store_column_text(st, 2)))
			continue; /* an earlier crossing of the same document */
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 256;
			struct imported_doc *nd = realloc(docs, ncap * sizeof(*nd));
			if (!nd) {
				rc = border_oom(err);
				break;
			}
			docs = nd;
			cap = ncap;
		}
		d = &docs[n++];
		border_copy(d->crossing_id, sizeof(d->crossing_id), store_column_text(st, 0));
		border_copy(d->person_id, sizeof(d->person_id), store_column_text(st, 1));
		border_copy(d->document_id, sizeof(d->document_id), store_column_text(st, 2));
		border_full_name(d->names[0], sizeof(d->names[0]), store_column_text(st, 4),
			  store_column_text(st, 3));
		d->names[1][0] = '\0';
		if (store_column_text(st, 5) && *store_column_text(st, 5))
			border_full_name(d->names[1], sizeof(d->names[1]), store_column_text(st, 6),
				  store_column_text(st, 5));
		border_copy(d->birth, sizeof(d->birth), store_column_text(st, 7));
		border_copy(d->nationality, sizeof(d->nationality), store_column_text(st, 8));
		border_copy(d->sex, sizeof(d->sex), store_column_text(st, 9));
		border_copy(d->number, sizeof(d->number), store_column_text(st, 10));
	}
	store_finalize(st);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *hits = NULL, *info = NULL;
		d = &docs[i];
		struct screen_subject subj = {
			.crossing_id = d->crossing_id,
			.person_id = d->person_id,
			.document_id = d->document_id,
			.names = { d->names[0], d->names[1][0] ? d->names[1] : NULL },
			.birth_date = d->birth[0] ? d->birth : NULL,
			.nationality = d->nationality[0] ? d->nationality : NULL,
			.sex = d->sex[0] ? d->sex : "X",
			.document_number = d->number,
		};
		if (!(rc = screen_crossing(cx, a, &subj, &hits, &info, err))) {
			out->screened++;
			out->hits += (int64_t)json_array_size(hits);
		}
		json_decref(hits);
		json_decref(info);
	}
	free(docs);
	return rc;
}

enum mmis_err crossing_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			      const char *name, border_progress_fn progress, void *progress_ctx,
			      struct crossing_import_result *out, struct mmis_error *err)
{
	struct mmis_error local, le;
	struct csv_reader *c = NULL;
	struct bcp_set bcps = { 0 };
	struct seen_table seen = { 0 };
	struct batch persons, docs, xs;
	struct stats_rollup_batch *counts = NULL;
	int idx[C__COUNT];
	char import_id[UUID_STR_MAX], now_s[TIMESTAMP_STR_MAX];
	int64_t now = timestamp_now(), bad = 0;
	json_t *errors;
	struct audited_op op;
	enum mmis_err rc;

	if (!err)
		err = &local;
	memset(out, 0, sizeof(*out));
	if ((rc = border_check_ctx(cx, a, err)))
		return rc;
	if (!(errors = json_array()))
		return border_oom(err);
	if ((rc = audited_begin(&op, cx, a, "crossing.import", "import", err))) {
		json_decref(errors);
		return rc;
	}
	uuid7_new_str(import_id);
	border_copy(op.object_id, sizeof(op.object_id), import_id);
	audited_detail(&op, "from %.200s", name ? name : "standard input");
	timestamp_format(now, now_s);
	memset(&persons, 0, sizeof(persons));
	memset(&docs, 0, sizeof(docs));
	memset(&xs, 0, sizeof(xs));
	if (actor_scope(a, PERM_BORDER_WRITE) == SCOPE_NONE)
		rc = border_denied(err, PERM_BORDER_WRITE);
	else if (!(c = csv_open(in)) || !(counts = stats_rollup_batch_new()))
		rc = border_oom(err);
	else if (!(rc = load_bcps(cx->store, &bcps, err)) &&
		 !(rc = batch_init(&persons, cx->store,
				   "INSERT INTO person (id, surname, given_names, surname_typed, "
				   "given_names_typed, sex, birth_date, nationality, created_at, "
				   "created_by, agency_id) VALUES ", 11, err)) &&
		 !(rc = batch_init(&docs, cx->store,
				   "INSERT INTO travel_document (id, person_id, doc_type, "
				   "issuing_state, number, expiry_date, created_at) VALUES ", 7, err)))
		rc = batch_init(&xs, cx->store,
				"INSERT INTO crossing (id, person_id, document_id, bcp_code, direction, "
				"at, transport, purpose, flags, officer_id, agency_id, import_id, "
				"created_at) VALUES ", 13, err);
	/* The header. */
	if (!rc && !csv_reader_next(c))
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line 1: the file is empty: expected a "
				    "header (time,bcp,direction,document_type,issuing_state,"
				    "document_number,surname,...)");
	else if (!rc && c->bad[0])
		rc = mmis_error_set(err, MMIS_EINVAL, NULL, "line %lld: the header: %s",
				    (long long)c->line, c->bad);
	if (!rc) {
		long long hl = (long long)c->line;
		for (int k = 0; k < C__COUNT; k++)
			idx[k] = -1;
		for (int i = 0; !rc && i < c->n; i++) {
			int k;
			csv_trim(c->fields[i]);
			for (k = 0; k < C__COUNT && strcmp(c->fields[i], col_names[k]); k++)
				;
			if (k == C__COUNT)
				rc = mmis_error_set(err, MMIS_EINVAL, NULL,
						    "line %lld: unknown column '%.40s'", hl,
						    c->fields[i]);
			else if (idx[k] >= 0)
				rc = mmis_error_set(err, MMIS_EINVAL, NULL,
						    "line %lld: column '%s' twice", hl, col_names[k]);
			else
				idx[k] = i;
		}
		for (int k = 0; !rc && k < C__COUNT; k++)
			if (col_required[k] && idx[k] < 0)
				rc = mmis_error_set(err, MMIS_EINVAL, NULL,
						    "line %lld: the column '%s' is missing", hl,
						    col_names[k]);
	}
	while (!rc && csv_reader_next(c)) {
		struct crossing_in ci;
		struct traveller t;
		enum mmis_err lr;
		struct seen *sl;
		char key[48];

		if (blank_record(c))
			continue;
		out->lines++;
		if (progress && out->lines % PROGRESS_EVERY == 0)
			progress(progress_ctx, (uint64_t)out->lines);
		mmis_error_clear(&le);
		if (!(lr = parse_row(c, idx, &ci, now, &bcps, &le)))
			lr = border_traveller(&ci, &t, &le);
		if (lr) {
			bad++;
			line_error(errors, c->line, &le);
			continue;
		}
		snprintf(key, sizeof(key), "%s %s", t.issuing_state, t.number);
		if (!(sl = seen_slot(&seen, key))) {
			rc = border_oom(err);
			break;
		}
		if (!sl->key) {
			bool found = false;
			if (!(sl->key = strdup(key))) {
				rc = border_oom(err);
				break;
			}
			seen.n++;
			if ((rc = lookup_document(cx->store, t.issuing_state, t.number, sl, &found, err)))
				break;
			if (!found && !bad) {
				char birth[DATE_STR_MAX], expiry[DATE_STR_MAX];
				if (t.birth_known)
					date_format(&t.birth, birth);
				if (t.expiry_known)
					date_format(&t.expiry, expiry);
				uuid7_new_str(sl->person_id);
				uuid7_new_str(sl->doc_id);
				border_person_facts(&sl->who, t.nationality, t.sex,
						    t.birth_known ? birth : NULL);
				const char *pv[] = { sl->person_id, t.surname, t.given_names,
						     t.surname_typed[0] ? t.surname_typed : NULL,
						     t.given_typed[0] ? t.given_typed : NULL, t.sex,
						     t.birth_known ? birth : NULL,
						     t.nationality[0] ? t.nationality : NULL, now_s,
						     a->user_id[0] ? a->user_id : NULL,
						     a->agency_id[0] ? a->agency_id : NULL };
				const char *dv[] = { sl->doc_id, sl->person_id, t.doc_type,
						     t.issuing_state, t.number,
						     t.expiry_known ? expiry : NULL, now_s };
				if ((rc = batch_add(&persons, pv, err)) ||
				    (persons.nrows == BATCH_ROWS && (rc = batch_flush(&persons, err))) ||
				    (rc = batch_add(&docs, dv, err)) ||
				    (docs.nrows == BATCH_ROWS &&
				     ((rc = batch_flush(&persons, err)) ||
				      (rc = batch_flush(&docs, err)))))
					break;
				out->new_persons++;
			}
		}
		/* An exit before the entry it would close, within this file. */
		if (ci.direction == CROSSING_EXIT && sl->last_at && !sl->last_exit &&
		    ci.at_ms < sl->last_at) {
			char e[TIMESTAMP_STR_MAX];
			timestamp_format(sl->last_at, e);
			mmis_error_set(&le, MMIS_EINVAL, "time",
				       "the exit is before the entry at %s that it would close", e);
			bad++;
			line_error(errors, c->line, &le);
			continue;
		}
		sl->last_at = ci.at_ms;
		sl->last_exit = ci.direction == CROSSING_EXIT;
		if (bad)
			continue; /* nothing will be saved: only look for more bad lines */
		char id[UUID_STR_MAX], at[TIMESTAMP_STR_MAX];
		uuid7_new_str(id);
		timestamp_format(ci.at_ms, at);
		const char *xv[] = { id, sl->person_id, sl->doc_id, ci.bcp,
				     ci.direction == CROSSING_EXIT ? "exit" : "entry", at,
				     ci.transport, ci.purpose, "", a->user_id[0] ? a->user_id : NULL,
				     a->agency_id[0] ? a->agency_id : NULL, import_id, now_s };
		/* Counted in the statistics' roll-ups: added up here, written with the rest. */
		struct stats_crossing_facts sf = { ci.at_ms, ci.bcp, ci.direction == CROSSING_EXIT,
						   sl->who.nationality, sl->who.sex,
						   sl->who.birth[0] ? sl->who.birth : NULL,
						   ci.transport };
		if ((rc = batch_add(&xs, xv, err)) ||
		    (xs.nrows == BATCH_ROWS && (rc = flush_all(&persons, &docs, &xs, err))) ||
		    (rc = stats_rollup_batch_add(counts, cx->store, &sf, err)))
			break;
	}
	if (!rc && c && c->io_error)
		rc = mmis_error_set(err, MMIS_EIO, NULL, "cannot read %.200s",
				    name ? name : "standard input");
	if (!rc && !bad)
		rc = flush_all(&persons, &docs, &xs, err);
	if (!rc && !bad)
		rc = stats_rollup_batch_flush(counts, cx->store, err);
	if (!rc && !bad && xs.rows) {
		/* Exits whose previous crossing (of the same person) is not an entry. */
		struct store_stmt *st;
		if (!(rc = store_prepare(cx->store,
					 "UPDATE crossing SET flags = 'exit_without_entry' WHERE "
					 "import_id = ? AND direction = 'exit' AND COALESCE((SELECT "
					 "p.direction FROM crossing p WHERE p.person_id = "
					 "crossing.person_id AND (p.at < crossing.at OR (p.at = "
					 "crossing.at AND p.id < crossing.id)) ORDER BY p.at DESC, p.id "
					 "DESC LIMIT 1), 'none') <> 'entry'", &st, err))) {
			store_bind_text(st, 1, import_id);
			rc = store_run(st, err);
			out->flagged = store_changes(st);
			store_finalize(st);
		}
	}
	if (!rc && !bad && xs.rows && cx->screen)
		rc = screen_imported(cx, a, import_id, out, err);
	if (progress)
		progress(progress_ctx, (uint64_t)out->lines);
	if (!rc && bad)
		rc = import_failed(err, errors, bad);
	if (!rc) {
		out->imported = xs.rows;
		audited_detail(&op, "%lld crossings (%lld new persons, %lld exits without entry, "
			       "%lld alert-list hits) from %.150s", (long long)xs.rows,
			       (long long)out->new_persons, (long long)out->flagged,
			       (long long)out->hits, name ? name : "standard input");
	} else {
		out->new_persons = 0;
		out->flagged = 0;
		out->screened = 0;
		out->hits = 0;
	}
	batch_release(&persons);
	batch_release(&docs);
	batch_release(&xs);
	stats_rollup_batch_free(counts);
	seen_release(&seen);
	free(bcps.codes);
	csv_close(c);
	rc = audited_end(&op, rc, err);
	out->errors = errors;
	return rc;
}
