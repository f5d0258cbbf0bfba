/*
 * border.h - border records: border crossing points (BCPs), travellers and their documents,
 * crossings (entries and exits), refusals of entry, stay authorisations, each traveller's stay
 * status under the 90-in-180-days rule, the overstayers list and the supervisor's daily summary.
 *
 * Identity: a travel document is known by its issuing state and number, normalised (upper case;
 * spaces, dashes and MRZ filler '<' removed; Germany's MRZ code "D" stored as "DEU"). Seeing the
 * same document again finds the same person; a new document makes a new person unless the caller
 * names one (`person_id`).
 *
 * Stays: a traveller's crossings, in time order, are paired into stays (an entry opens one, the
 * next exit closes it; an open entry means the traveller is present) and given to stay_calc
 * (stay.h) with 90 days in any 180. A stay authorisation (residence permit, long-stay visa, or a
 * short-stay visa with its own number of days) changes that: see stay_authorisation_add.
 *
 * Permissions (auth.h): border.read to read (scope agency: travellers one's agency has recorded),
 * border.write to record crossings and refusals, border.supervise for the overstayers list,
 * the summary and stay authorisations; adding or importing BCPs needs border.supervise over all (the system actor).
 * Every function audits its read or write through the actor, in the same transaction; an import
 * writes one event for the whole file.
 *
 * Returned JSON values are new references owned by the caller.
 */
#ifndef MMIS_BORDER_H
#define MMIS_BORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/date.h"
#include "mmis/err.h"

#define BORDER_STAY_LIMIT_DAYS 90
#define BORDER_STAY_WINDOW_DAYS 180
#define BORDER_CLOCK_SKEW_MS (5 * 60 * 1000) /* crossings up to this far in the future pass */
#define BORDER_TEXT_MAX 200                  /* names, transport, purpose */
#define BORDER_NOTE_MAX 2000                 /* a refusal's note */

/* ---- reference tables */

/* The BCP kinds: "road", "rail", "air", "sea" (NULL-terminated). */
extern const char *const border_bcp_kinds[];

/* A ground of refusal of entry (Schengen Borders Code, Annex V Part B). */
struct refusal_ground {
	char letter;      /* 'A'..'I' */
	const char *text; /* "has no valid travel document(s)" */
};
size_t refusal_ground_count(void);
const struct refusal_ground *refusal_ground_at(size_t i);
const struct refusal_ground *refusal_ground_find(char letter); /* NULL when not A..I */

/* A crossing's means of transport and purpose of travel are codes, never free text:
 *   transport: car, bus, truck, motorcycle, bicycle, foot, train, aircraft, vessel, other
 *   purpose:   tourism, business, family, work, study, transit, medical, other
 * (NULL-terminated lists; the web page offers the same, docs/api.md lists them). */
extern const char *const border_transport_codes[];
extern const char *const border_purpose_codes[];

/* MMIS_OK when `code` is NULL, "" or one of `codes`; otherwise MMIS_EINVAL naming `field`
 * ("transport 'plane' is not one of car, bus, ..."). */
enum mmis_err border_code_check(const char *const *codes, const char *code, const char *field,
				struct mmis_error *err);

/* Normalise a document number into out (upper case, without spaces, '-', '.', '/' and '<').
 * MMIS_EINVAL naming "document_number" when empty, longer than 30 or not [A-Z0-9]. */
enum mmis_err border_doc_number_norm(const char *in, char out[32], struct mmis_error *err);

/* Normalise a country code (ISO alpha-3 or ICAO; "D" and "D<<" become "DEU"). MMIS_EINVAL
 * naming `field` when unknown. */
enum mmis_err border_country_norm(const char *in, const char *field, char out[4],
				  struct mmis_error *err);

/* ---- BCPs */

/* Add a BCP. `code` is 3..16 of [A-Z0-9-]; `kind` one of border_bcp_kinds; `neighbour` an
 * ISO/ICAO country code or NULL. Needs border.supervise over all. */
enum mmis_err bcp_add(const struct mmis_ctx *cx, const struct actor *a, const char *code,
		      const char *name, const char *kind, const char *neighbour,
		      struct mmis_error *err);

/* All BCPs as a JSON array of {code, name, kind, neighbour}, by code. Needs border.read. Not
 * audited: reference data, no personal data. */
enum mmis_err bcp_list(const struct mmis_ctx *cx, const struct actor *a, json_t **out,
		       struct mmis_error *err);

/*
 * Import BCPs from CSV text (header `code,name,kind,neighbour`), all or nothing: every bad line
 * is reported in *errors (a JSON array of {line, field, message}, may be NULL) and nothing is
 * saved; the error message names the first. *imported (may be NULL) receives the count.
 */
enum mmis_err bcp_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			 const char *name, int64_t *imported, json_t **errors,
			 struct mmis_error *err);

/* ---- crossings */

enum crossing_direction { CROSSING_ENTRY = 0, CROSSING_EXIT = 1 };

/* What recording a crossing takes. Either `mrz` (the machine readable zone, lines separated by
 * '\n'), or the document and person fields. Strings may be NULL when optional. */
struct crossing_in {
	const char *mrz;
	const char *person_id;      /* attach a new document to this known person (optional) */
	const char *document_type;  /* "P", "I", "ID", "V", ... (required without mrz) */
	const char *issuing_state;
	const char *document_number;
	struct date expiry_date;
	bool expiry_known;
	const char *surname;        /* as typed (any script); the document's form without an MRZ */
	const char *given_names;
	char sex;                   /* 'F', 'M', 'X'; 0 unknown */
	struct date birth_date;     /* may be partial */
	bool birth_known;
	const char *nationality;
	const char *bcp;            /* BCP code */
	enum crossing_direction direction;
	int64_t at_ms;              /* 0: now */
	const char *transport;      /* one of border_transport_codes, or NULL */
	const char *purpose;        /* one of border_purpose_codes, or NULL */
};

/*
 * Read a crossing from a JSON object with members mrz, person_id, document_type,
 * issuing_state, document_number, expiry_date, surname, given_names, sex, birth_date,
 * nationality, bcp, direction ("entry" or "exit"), time (ISO 8601 with zone), transport, purpose.
 * Unknown members are refused. Strings point into `obj` (valid while it is).
 */
enum mmis_err crossing_from_json(const json_t *obj, struct crossing_in *out,
				 struct mmis_error *err);

/*
 * Record a crossing. Refused with MMIS_EINVAL naming the field, and nothing saved: an unknown
 * BCP ("bcp"), a time more than BORDER_CLOCK_SKEW_MS in the future ("time"), an exit before the
 * entry it would close ("time"), a bad or missing field. Recorded with a flag: an exit without a
 * recorded entry (exit_without_entry), an entry while already present (entry_without_exit), an
 * expired document (document_expired, also a warning). *out receives {crossing, person, document,
 * status, warnings, flags}; status is the stay status on the day of the crossing.
 * Needs border.write.
 */
enum mmis_err crossing_record(const struct mmis_ctx *cx, const struct actor *a,
			      const struct crossing_in *in, json_t **out, struct mmis_error *err);

/* Progress of a long operation: `done` lines so far. */
typedef void (*border_progress_fn)(void *ctx, uint64_t done);

struct crossing_import_result {
	int64_t lines;       /* data lines read */
	int64_t imported;    /* crossings saved (0 when anything was wrong) */
	int64_t new_persons;
	int64_t flagged;     /* exits without an entry */
	int64_t screened;    /* documents screened against the alert lists (cx->screen) */
	int64_t hits;        /* alert-list hits raised, pending an officer's decision */
	json_t *errors;      /* a JSON array of {line, field, message}; the caller decrefs; may be NULL */
};

/*
 * Import crossings from CSV text with the header
 *   time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,sex,
 *   birth_date,nationality,expiry_date,transport,purpose
 * (columns in any order; optional ones may be missing), all or nothing in one transaction with
 * batched inserts: every bad line is listed in out->errors (at most 1000) and nothing is saved.
 * Exits without a recorded entry are flagged as in crossing_record. With cx->screen, the
 * traveller of each document is screened against the alert lists once per import, at the
 * document's last crossing in the file, in the same transaction: hits are saved pending, for
 * the officers of the importing agency to decide (GET /api/v1/hits). One audit event for the
 * import. `progress` (may be NULL) is called now and then with the lines done.
 * Needs border.write.
 */
enum mmis_err crossing_import(const struct mmis_ctx *cx, const struct actor *a, FILE *in,
			      const char *name, border_progress_fn progress, void *progress_ctx,
			      struct crossing_import_result *out, struct mmis_error *err);

/* ---- refusals */

struct refusal_in {
	struct crossing_in who;  /* the traveller and document (mrz or fields), bcp and time; the
				  * direction is ignored (a refusal is of entry) */
	const char *grounds;     /* letters A..I, e.g. "AC" or "A,C"; at least one */
	const char *note;        /* free text, may be NULL */
};

/* Read a refusal from JSON: the crossing members (without direction) and grounds (an array of
 * letters) and note. */
enum mmis_err refusal_from_json(const json_t *obj, struct refusal_in *out, char grounds[16],
				struct mmis_error *err);

/* Record a refusal of entry. *out receives {refusal, person, document, warnings}. Needs
 * border.write. */
enum mmis_err refusal_record(const struct mmis_ctx *cx, const struct actor *a,
			     const struct refusal_in *in, json_t **out, struct mmis_error *err);

/* Refusals with from_ms <= at < to_ms (0: unbounded), newest first, at most `limit` (1..10000),
 * as a JSON array. Scope of border.read. */
enum mmis_err refusal_list(const struct mmis_ctx *cx, const struct actor *a, int64_t from_ms,
			   int64_t to_ms, int limit, json_t **out, struct mmis_error *err);

/* ---- travellers */

/* One person with documents, crossings (newest first, at most 500), refusals, authorisations
 * and the stay status today. MMIS_ENOTFOUND also when outside the actor's scope. */
enum mmis_err person_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			 json_t **out, struct mmis_error *err);

/* Persons holding a document with this number (and issuing state, when not NULL), as a JSON
 * array of {id, surname, given_names, sex, birth_date, nationality, documents}. */
enum mmis_err person_find(const struct mmis_ctx *cx, const struct actor *a,
			  const char *document_number, const char *issuing_state, json_t **out,
			  struct mmis_error *err);

/*
 * The stay status today of several records' crossings and stay authorisations taken together, as
 * if they were one traveller's: what merging duplicate records would show (dedup.h). 1 to
 * BORDER_TOGETHER_MAX person ids, each visible to the actor under border.read (else
 * MMIS_ENOTFOUND). Audited as person.status.
 */
#define BORDER_TOGETHER_MAX 16
enum mmis_err border_status_together(const struct mmis_ctx *cx, const struct actor *a,
				     const char *const *ids, size_t n, json_t **out,
				     struct mmis_error *err);

/*
 * Stay authorisations (docs/border.md, "Stay authorisations"). The kinds:
 *   "residence_permit", "long_stay_visa"  days of presence within valid_from..valid_to do not count
 *       toward the 90 in 180 days; on a day it is valid the status is the permit's ("residence
 *       permit valid until 2026-03-31"), never an overstay. days_allowed must be 0.
 *   "visa"  a short-stay visa: on a day within its validity the limit is `days_allowed` days of
 *       presence counted over the validity (from valid_from up to the day), not 90 in 180;
 *       days_allowed 0 means every day of the validity. Its days still count toward 90 in 180 on
 *       days no authorisation covers.
 * When several are valid on a day, a permit or long-stay visa decides before a visa, and among
 * equals the one valid longest.
 */
#define STAY_AUTH_KINDS "visa, long_stay_visa, residence_permit"
extern const char *const stay_authorisation_kinds[]; /* the kinds above, NULL-terminated */

/*
 * Add a stay authorisation for a person, valid `from`..`to` (full dates, from <= to);
 * days_allowed 0..(days of the validity), for a visa only; `number` the visa's or permit's
 * number (optional; normalised as a document number). MMIS_EINVAL naming the field ("kind",
 * "valid_to", "days_allowed", "number"), MMIS_ENOTFOUND ("person_id"). Needs border.supervise:
 * recording one changes whether a traveller is an overstayer, which is a supervisor's decision,
 * not a crossing officer's. id_out may be NULL.
 */
enum mmis_err stay_authorisation_add(const struct mmis_ctx *cx, const struct actor *a,
				     const char *person_id, const char *kind,
				     const struct date *from, const struct date *to,
				     int days_allowed, const char *number,
				     char id_out[UUID_STR_MAX], struct mmis_error *err);

/* ---- supervision */

/*
 * Travellers present on `on` (NULL: today) beyond their authorised stay: an open stay and
 * days_used above the limit of the day (90 in the 180 days ending `on`, or a visa's own days over
 * its validity; never under a residence permit or long-stay visa). A JSON
 * array of {person_id, surname, given_names, nationality, document, entered_at, bcp, days_used,
 * overstay_days}, longest overstay first. Needs border.supervise (it reads every crossing).
 */
enum mmis_err border_overstayers(const struct mmis_ctx *cx, const struct actor *a,
				 const struct date *on, json_t **out, struct mmis_error *err);

/*
 * For statistics (lib/stats): the overstayers on `on` as border_overstayers finds them, but
 * without names or documents: `fn` is called with each one's nationality ("" when unknown), sex,
 * date of birth (NULL when unknown) and BCP of entry. No permission check and no audit event of
 * its own: the caller (stats_run) checks stats.read and audits the query in its transaction.
 */
typedef enum mmis_err (*border_overstay_fn)(void *ctx, const char *nationality, const char *sex,
					    const char *birth_date, const char *bcp,
					    struct mmis_error *err);
enum mmis_err border_overstay_facts(struct store *s, const struct date *on, border_overstay_fn fn,
				    void *ctx, struct mmis_error *err);

/* The overstayers list (as returned above) as CSV text with a header line; free() it. */
char *border_overstayers_csv(const json_t *list, size_t *len);

/* The day's figures for the supervisor's page: {date, crossings: [{bcp, name, entries, exits}],
 * refusals: [{ground, text, count}], totals: {entries, exits, refusals}}. Needs border.supervise. */
enum mmis_err border_summary(const struct mmis_ctx *cx, const struct actor *a,
			     const struct date *day, json_t **out, struct mmis_error *err);

/* ---- demo data (called by demo_seed) */

/* A year of synthetic crossings ending at `today` at Montenegro's BCPs, with a few thousand
 * travellers, seasons, some overstayers and refusals; deterministic from `seed`. Writes as
 * `a` (the system). Does nothing when crossings exist already. */
enum mmis_err border_demo_seed(const struct mmis_ctx *cx, const struct actor *a, uint64_t seed,
			       const struct date *today, struct mmis_error *err);

#endif
