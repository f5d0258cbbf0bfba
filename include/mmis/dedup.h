/*
 * dedup.h - duplicate persons: detection, the supervisor's review, reversible merges.
 *
 * The same traveller is often recorded twice: once from a passport's MRZ, once typed in Cyrillic
 * from an identity card; once under "DMITRY", once under "DMITRII"; once with an old document and
 * once with a new one. Each record then has its own crossings, and neither alone shows that the
 * person has stayed longer than allowed. Detection (dedup_run) loads every person who is not
 * merged (their names in MRZ form and as typed, in any script, the names of the records merged
 * into them as aliases, birth dates, sex, nationality, document numbers) into a match_index
 * (match.h), runs match_dedup, and stores each pair at or above the threshold as a proposal
 * (`person_merge`) with its explanation, if something besides the names supports it: a birth date
 * that agrees (a year alone agrees with a full date of that year) or a shared document number.
 * Names alone never make a proposal: a common name is many people's, and a refusal recorded with
 * a name and no birth date would be proposed against every traveller of that name. A supervisor
 * then accepts (a merge) or rejects it.
 *
 * A merge moves every row that references the merged person to the survivor: documents,
 * crossings, refusals, stay authorisations, and whatever else person_ref_at() lists (one table of
 * (table, column) pairs: a new table that references person(id) is one line there). Each moved
 * row is recorded (`person_merge_moved`), so that a revert moves exactly those rows back, and with
 * them the rows recorded since under a document that goes back (a crossing made with the merged
 * person's old passport after the merge is that person's). The merged person's record is kept,
 * marked merged into the survivor, never deleted: person_get shows it among the survivor's
 * merged records, and its names take part in later detections as the survivor's aliases. Stay
 * status is computed from the crossings a person holds, so the survivor's status counts the
 * merged crossings at once (two stays of 60 days under two records are one overstay).
 *
 * Decisions follow a table of transitions: proposed -> accepted (merge) | rejected;
 * accepted -> reverted (a note saying why is required). A rejected or reverted pair is never
 * proposed again, nor is a pair whose records were merged into the two persons of such a pair.
 * A proposal one of whose persons has since been merged into someone else waits (it is not in the
 * queue, and accepting it is refused); it comes back if that merge is reverted. Merges are
 * reverted newest first: a survivor that has since been merged into another person must be
 * split from it first.
 *
 * Permissions (auth.h): deciding and reading proposals needs border.supervise (the table
 * merge_perms in lib/person/merge.c; case.supervise joins it when protection cases reference
 * persons). A supervisor with agency scope reaches the proposals both of whose persons have a
 * record of the supervisor's agency (the person's own record, or a crossing or refusal); others are
 * "not found". Detection reads every person in reach: the system actor (the command line, e.g. a
 * nightly `mmis dedup`) compares everyone; a supervisor's detection compares the persons in their
 * reach. Every call audits itself in the same transaction as its work (merge.detect, merge.list,
 * merge.read, merge.accept, merge.reject, merge.revert).
 *
 * Returned JSON values are new references owned by the caller.
 */
#ifndef MMIS_DEDUP_H
#define MMIS_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/auth.h"
#include "mmis/date.h"
#include "mmis/err.h"

/*
 * The default threshold of detection: a pair scoring at least this (match_compare's scale) is
 * proposed. Higher than screening's MATCH_DEFAULT_THRESHOLD: a screening hit costs an officer a
 * look, a proposal costs a supervisor a decision, and a wrong merge joins two people's histories.
 * docs/dedup.md says how it was chosen.
 */
#define DEDUP_DEFAULT_THRESHOLD 0.85
#define DEDUP_THRESHOLD_MIN 0.5  /* lower thresholds propose mostly strangers: refused */
#define DEDUP_NOTE_MAX 2000      /* a decision's note, bytes */

/* A table that references person(id): what a merge moves and a revert moves back. */
struct person_ref {
	const char *table;           /* "crossing"; every such table has a text primary key `id` */
	const char *column;          /* "person_id" */
	const char *document_column; /* "document_id" (travel_document.id): a row recorded since
				      * the merge under a document that goes back with a revert goes
				      * back too; NULL when the table has none */
	const char *agency_column;   /* "agency_id": a row of an agency puts the person within that
				      * agency's reach; NULL when the table has none */
};
size_t person_ref_count(void);
const struct person_ref *person_ref_at(size_t i);

/* ---- detection */

enum dedup_phase {
	DEDUP_LOADING = 0,   /* persons read (total: persons in reach) */
	DEDUP_INDEXING = 1,  /* persons indexed (total: persons loaded) */
	DEDUP_COMPARING = 2, /* pairs found so far (total 0: unknown) */
	DEDUP_STORING = 3,   /* pairs stored (total: pairs found) */
};

/* Progress of a detection: called now and then from the calling thread. */
typedef void (*dedup_progress_fn)(void *ctx, enum dedup_phase phase, uint64_t done,
				  uint64_t total);

struct dedup_options {
	double threshold;        /* 0: DEDUP_DEFAULT_THRESHOLD; else DEDUP_THRESHOLD_MIN..1 */
	unsigned threads;        /* comparison workers; 0: one per core */
	bool dry_run;            /* compare and report, store nothing */
	bool want_pairs;         /* fill dedup_result.pairs */
	size_t max_persons;      /* refuse (MMIS_ETOOBIG) more persons than this; 0: no limit */
	dedup_progress_fn progress; /* may be NULL */
	void *progress_ctx;
};

struct dedup_result {
	int64_t persons;         /* persons compared */
	int64_t unusable;        /* persons left out: no name that normalises */
	int64_t found;           /* pairs at or above the threshold, with more than names */
	int64_t names_only;      /* pairs at or above it on names alone (no birth date agrees, no
				  * document is shared): not proposed, a common name is many people's */
	int64_t proposed;        /* new proposals stored (or that would be, in a dry run) */
	int64_t refreshed;       /* open proposals whose score and explanation were updated */
	int64_t skipped;         /* pairs already decided (rejected or reverted) */
	double threshold;        /* the threshold used */
	int64_t elapsed_ms;
	/* With want_pairs: [{"merge_id" (null in a dry run or when skipped), "status" ("new",
	 * "proposed", "rejected", "reverted"), "score", "reasons", "persons": [P, P]}], best first,
	 * P = {"id","surname","given_names","surname_typed","given_names_typed","sex","birth_date",
	 * "nationality"}. NULL otherwise; the caller decrefs. */
	json_t *pairs;
};

/*
 * Detect duplicates among the persons in `a`'s reach and store the proposals (in one
 * transaction, one merge.detect event; nothing is written in a dry run but the event). Reading
 * and comparing happen before the transaction opens, so that a long run never holds the
 * database's write lock. MMIS_EINVAL naming "threshold"; MMIS_EDENIED without border.supervise
 * at agency scope or more; MMIS_ETOOBIG past max_persons. `out` is filled also on failure
 * (pairs NULL).
 */
enum mmis_err dedup_run(const struct mmis_ctx *cx, const struct actor *a,
			const struct dedup_options *opt, struct dedup_result *out,
			struct mmis_error *err);

/* ---- proposals and merges */

/* The statuses, and the filters merge_list takes besides them: "open" (proposed, and both
 * persons still unmerged: the queue), "decided" (accepted, rejected, reverted: the history),
 * "all". */
extern const char *const merge_statuses[];      /* proposed, accepted, rejected, reverted; NULL-ended */
extern const char *const merge_list_filters[];  /* open, decided, all, and the statuses; NULL-ended */

#define MERGE_LIST_MAX 500

/*
 * Proposals in reach, as {"items": [MERGE], "total", "limit", "offset"}: the queue ("open", the
 * default when `filter` is NULL) best score first; otherwise the most recently decided first.
 * MERGE = {"id","status","score","proposed_at","decided_at","decided_by","note","reverted_at",
 * "reverted_by","revert_note","survivor_id","merged_id","open","persons":[P, P]} (P as in
 * dedup_result, persons in id order). `limit` 1..MERGE_LIST_MAX (0: 50), offset >= 0.
 * MMIS_EINVAL naming "status", "limit" or "offset".
 */
enum mmis_err merge_list(const struct mmis_ctx *cx, const struct actor *a, const char *filter,
			 int limit, int offset, json_t **out, struct mmis_error *err);

/*
 * One proposal: MERGE with "reasons" (match.h's explanation) and, for each person, "documents"
 * [{id,type,issuing_state,number,expiry_date}], "counts" {table: rows} for every person_ref
 * table, "last_crossing_at" and "merged_into". For an accepted merge each side is shown as it
 * was before the merge (the rows it moved are counted with the merged person), and "moved"
 * {table: rows} says what the merge moved. MMIS_ENOTFOUND also outside the actor's reach.
 */
enum mmis_err merge_get(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			json_t **out, struct mmis_error *err);

/*
 * Accept a proposal: merge one person into the other, in one transaction. `survivor` names the
 * person who keeps the records (NULL: the one recorded first); it must be one of the two
 * ("survivor"). MMIS_ECONFLICT when the proposal is not open or either person has since been
 * merged. `note` may be NULL. *out (may be NULL) receives the merge as merge_get shows it.
 */
enum mmis_err merge_accept(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *survivor, const char *note, json_t **out,
			   struct mmis_error *err);

/* Reject a proposal: the pair is never proposed again. `note` may be NULL. */
enum mmis_err merge_reject(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *note, json_t **out, struct mmis_error *err);

/*
 * Undo an accepted merge exactly: the rows it moved go back to the merged person, with the rows
 * recorded since under the documents that go back; the merged person is a person of their own
 * again. `note` (why) is required. MMIS_ECONFLICT when the merge is not accepted, when the
 * survivor has since been merged into another person (revert that first: the message names it),
 * or when a moved row is no longer with the survivor (nothing is changed then).
 */
enum mmis_err merge_revert(const struct mmis_ctx *cx, const struct actor *a, const char *id,
			   const char *note, json_t **out, struct mmis_error *err);

/* ---- demo data (called by demo_seed) */

/*
 * A few travellers recorded twice, as it happens at a border (a typed Cyrillic name and later a
 * passport's transliteration, a new passport, a different romanisation), each record with its own
 * crossings; then a detection, so that the review queue of a new demo is not empty. Synthetic.
 * Does nothing when the planted records exist already.
 */
enum mmis_err dedup_demo_seed(const struct mmis_ctx *cx, const struct actor *a,
			      const struct date *today, struct mmis_error *err);

#endif
