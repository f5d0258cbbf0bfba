/*
 * screen.h - alert lists (watchlists) and screening against them: importing lists, the in-memory
 * screening service that a server and the command line search, screening every recorded crossing,
 * and the hits officers confirm or dismiss. The matching itself is lib/match (match.h); this
 * module connects it to the store and the border. docs/watchlists.md is the user's guide.
 *
 * Lists. A list has a name, a source, a category (watchlist_categories) and the action a hit
 * asks for (watchlist_actions: refuse entry, detain, notify, check further). Its entries carry a
 * primary name and aliases (any script), birth dates (possibly partial), nationalities (ISO
 * alpha-3 or ICAO), document numbers and validity dates. A list of lost and stolen documents has
 * entries with document numbers and no name: those match a traveller's document exactly after
 * normalisation. An import replaces the whole list in one transaction; it is all or nothing and
 * reports every bad line.
 *
 * Screening service. `struct screen` holds an index (match.h) over every entry valid today, of
 * every list, built from the database. Before each search it reads one number from the database
 * (the generation all imports raise, see watchlist_state in the migration) and, when the lists
 * have changed since the index was built (or the day has come when an entry becomes or stops
 * being valid), rebuilds the index in a background thread with its own connection while searches
 * go on against the index it has: a border queue never waits for a rebuild. Only the very first
 * build (screen_load) is waited for. Searches may run from many threads at once.
 *
 * Permissions (auth.h): screening queries need `screen`; importing lists needs border.supervise
 * over all (the system actor: the command line); listing lists border.read or screen. Hits
 * belong to their crossing: reading them needs border.read in its scope, deciding them
 * border.write in its scope (the officer who recorded the crossing, a supervisor of the agency).
 * Imports, queries and decisions are audited.
 *
 * Returned JSON values are new references owned by the caller.
 */
#ifndef MMIS_SCREEN_H
#define MMIS_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/err.h"

#define WATCHLIST_NAME_MAX 64    /* a list's name: 1..64 of [A-Za-z0-9._-] */
#define WATCHLIST_TEXT_MAX 200   /* a list's source */
#define WATCHLIST_ID_MAX 200     /* an entry's external id */
#define WATCHLIST_ALIASES_MAX 99 /* aliases of one entry */
#define WATCHLIST_VALUES_MAX 32  /* birth dates, nationalities or documents of one entry */
#define SCREEN_LIMIT_MAX 100     /* hits per query */
#define SCREEN_BATCH_MAX 1000    /* queries per call of screen_queries */
#define SCREEN_NOTE_MAX 2000     /* a decision's note */

/* The codes (NULL-terminated): categories "sanctions", "wanted", "entry_ban",
 * "lost_stolen_documents", "missing_persons", "other"; actions "refuse_entry", "detain",
 * "notify", "check_further"; formats "csv", "opensanctions". */
extern const char *const watchlist_categories[];
extern const char *const watchlist_actions[];
extern const char *const watchlist_formats[];

/* ---- importing lists */

struct watchlist_meta {
	const char *name;     /* required */
	const char *format;   /* "csv" (default) or "opensanctions" */
	const char *source;   /* where it comes from (default: the file's name) */
	const char *category; /* default "other"; "sanctions" for the opensanctions format */
	const char *action;   /* default "check_further" */
};

/* Progress of a long operation: `done` lines or entries so far. */
typedef void (*screen_progress_fn)(void *ctx, uint64_t done);

struct watchlist_import_result {
	int64_t lines;     /* data lines read */
	int64_t imported;  /* entries saved (0 when anything was wrong) */
	int64_t skipped;   /* opensanctions: rows of other schemas than Person (companies, vessels) */
	int64_t dropped;   /* opensanctions: values left out (a country code of a former state, an
			    * identifier that is not a document number, an unreadable date) */
	int64_t generation; /* the list's generation after the import */
	char list_id[UUID_STR_MAX];
	json_t *errors;    /* a JSON array of {line, field, message} (at most 1000); the caller
			    * decrefs; may be NULL */
};

/*
 * Import a list from CSV text, replacing the list of that name (or making it), all or nothing,
 * in one transaction, with one audit event ("watchlist.import").
 *
 * Format "csv": a header naming the columns, in any order: id and name (required), aliases,
 * birth_date, nationality, document_number, sex, valid_from, valid_to (optional); several values
 * in a field separated by ';'. Every entry needs an id, unique in the file, and a name or a
 * document number. Names are checked with match_normalise (empty, no letters, longer than
 * MATCH_NAME_MAX bytes, not UTF-8: the line and the field are named), dates with
 * date_parse_partial (birth) and date_parse (validity), nationalities as ISO alpha-3 or ICAO
 * codes, document numbers as border documents.
 *
 * Format "opensanctions": OpenSanctions' targets.simple.csv; columns found by their header names
 * (id, schema, name, aliases, birth_date, countries, identifiers; others ignored). Rows whose
 * schema is not Person are skipped and counted. Countries are ISO alpha-2 ("ru"; "xk" is Kosovo,
 * RKS) made alpha-3; values that cannot be used (a former state's code, an identifier that is
 * not a document number, an unreadable birth date, an alias that does not normalise) are left
 * out and counted in `dropped`; a primary name that does not normalise is a bad line.
 *
 * A file without an id column, an empty file, a duplicate column: MMIS_EINVAL naming line 1.
 * Bad lines: MMIS_EINVAL, every one in out->errors, nothing saved. `progress` (may be NULL) is
 * called now and then with the lines done. Needs border.supervise over all.
 */
enum mmis_err watchlist_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			       const char *file_name, const struct watchlist_meta *meta,
			       screen_progress_fn progress, void *progress_ctx,
			       struct watchlist_import_result *out, struct mmis_error *err);

/* The lists as a JSON array of {id, name, source, category, action, format, entry_count,
 * generation, imported_at}, by name. Needs border.read or screen. Not audited: no personal data. */
enum mmis_err watchlist_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
			     struct mmis_error *err);

/* ---- the screening service */

struct screen;

/*
 * A service over the database at `db_url` (which background rebuilds open for themselves).
 * Nothing is loaded until screen_load or the first search.
 */
enum mmis_err screen_new(const char *db_url, struct screen **out, struct mmis_error *err);

/* Stop (waiting for a rebuild in progress to give up) and free. NULL is allowed. */
void screen_free(struct screen *sc);

/* Build the index from `s` now and wait for it (start-up). `progress` (may be NULL) is called
 * with the entries loaded so far. */
enum mmis_err screen_load(struct screen *sc, struct store *s, screen_progress_fn progress,
			  void *progress_ctx, struct mmis_error *err);

/*
 * Look whether the lists changed (one small read on `s`) and, if so, start a background rebuild
 * unless one is running. Loads synchronously when nothing is loaded yet. Searches call it
 * themselves; a server also calls it now and then.
 */
enum mmis_err screen_poll(struct screen *sc, struct store *s, struct mmis_error *err);

/* Wait until no rebuild is running (tests, the command line). */
void screen_wait(struct screen *sc);

/* What the service holds: {generation (of the index), entries, lists, memory (bytes),
 * build_ms, built_at, rebuilding, failed (the last rebuild's error or null)}. NULL when out of
 * memory. */
json_t *screen_status(struct screen *sc);

/* ---- screening queries (mmis screen, POST /api/v1/screen) */

/*
 * One query: the name (any script), and optionally the birth date (YYYY, YYYY-MM or YYYY-MM-DD),
 * nationality (ISO alpha-3 or ICAO), sex (F, M or X) and a document number; `id` is the caller's
 * (a string or an integer, echoed). Strings point into the JSON object read.
 */
struct screen_query {
	const json_t *id;
	const char *name;
	const char *birth_date;
	const char *nationality;
	const char *sex;
	const char *document_number;
	char nationality_norm[4];
	char document_norm[32];
};

/*
 * Read and check a query object {"id"?, "name", "birth_date"?, "nationality"?, "sex"?,
 * "document_number"?}: MMIS_EINVAL naming the member (unknown members too; a name that does not
 * normalise: empty, no letters, too long, not UTF-8). A query needs a name or a document number.
 * `prefix` (may be NULL) is put before the member's name in the error's field ("queries[3].").
 */
enum mmis_err screen_query_read(const json_t *obj, const char *prefix, struct screen_query *q,
				struct mmis_error *err);

/*
 * Screen `n` queries (at most SCREEN_BATCH_MAX) against cx->screen: *out receives a JSON array,
 * one {id, hits} per query in order, hits best first, each {entry_id (the list's own id), list
 * (its name), name (the entry's primary name, null for a document), score, reasons (match.h),
 * category, action}, only those scoring at least `threshold` (0 < threshold <= 1), at most `limit`
 * (1..SCREEN_LIMIT_MAX) per query. One audit event ("screen.query") for the call. Needs `screen`.
 * MMIS_EUNSUPPORTED when cx->screen is NULL.
 */
enum mmis_err screen_queries(const struct mmis_ctx *cx, const struct actor *a,
			     const struct screen_query *q, size_t n, double threshold, size_t limit,
			     json_t **out, struct mmis_error *err);

/* ---- screening crossings (called by crossing_record, lib/border) */

/* The traveller of a crossing just recorded, as the border resolved it. */
struct screen_subject {
	const char *crossing_id;
	const char *person_id;
	const char *document_id;
	const char *names[2];     /* the document's form and the typed form (or NULL) */
	const char *birth_date;   /* possibly partial, or NULL */
	const char *nationality;  /* or NULL */
	const char *sex;          /* "F", "M", "X" */
	const char *document_number; /* normalised */
};

/*
 * Screen the traveller of a crossing against cx->screen at MATCH_DEFAULT_THRESHOLD, inside the
 * caller's transaction (the crossing's), without an audit event of its own: the crossing's event
 * counts the hits. Hits on an entry dismissed for this document before are not raised. Each hit
 * is saved (status pending) and returned in *hits: a JSON array of HIT (screen_hit_get), most
 * serious first (by the list's action, then score). *info receives {generation, current (false
 * when the lists changed and the index is being rebuilt), entries}. With cx->screen NULL,
 * nothing is screened: *hits is empty and *info null.
 */
enum mmis_err screen_crossing(const struct mmis_ctx *cx, const struct actor *a,
			      const struct screen_subject *subj, json_t **hits, json_t **info,
			      struct mmis_error *err);

/* ---- hits */

/*
 * One hit as JSON: {id, crossing_id, person_id, document_id, list, list_id, category, action,
 * entry_id, name, entry {names, birth_dates, nationalities, documents}, score, reasons, status
 * (pending, confirmed, dismissed), created_at, decided_by, decided_at, note}. Needs border.read
 * in the crossing's scope (else MMIS_ENOTFOUND). Audited ("screening_hit.read").
 */
enum mmis_err screen_hit_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			     json_t **out, struct mmis_error *err);

/* Hits by status ("pending", "confirmed", "dismissed"; NULL: all), newest first, at most `limit`
 * (1..1000), within the actor's border.read scope. Audited ("screening_hit.list"). */
enum mmis_err screen_hit_list(const struct mmis_ctx *cx, const struct actor *a,
			      const char *status, int limit, json_t **out, struct mmis_error *err);

/*
 * Decide a pending hit: confirm it (the traveller is the listed person; `note` optional) or
 * dismiss it (not the listed person; `note` required, saying why). A dismissal is remembered for
 * the document and the entry. MMIS_ECONFLICT when the hit is decided already; MMIS_ENOTFOUND
 * outside the actor's border.write scope. *out (may be NULL) receives the hit. Audited
 * ("screening_hit.confirm", "screening_hit.dismiss").
 */
enum mmis_err screen_hit_decide(const struct mmis_ctx *cx, const struct actor *a, const char *id,
				bool confirm, const char *note, json_t **out,
				struct mmis_error *err);

/* ---- demo data (called by demo_seed) */

/* A small synthetic alert list, "demo-alerts", whose entries include one matching a demo
 * traveller written in another script (docs/demo.md). Does nothing when it exists already. */
enum mmis_err watchlist_demo_seed(const struct mmis_ctx *cx, const struct actor *a,
				  struct mmis_error *err);

#endif
