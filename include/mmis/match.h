/*
 * match.h - identity matching: names across scripts and spellings, alert-list screening and
 * duplicate persons. Pure computation: no database here (lib/match/watchlist.c and dedup_store.c
 * connect it to the store).
 *
 * Names are normalised with ICU ("Any-Latin; NFKD; [:Nonspacing Mark:] Remove; Latin-ASCII",
 * lower case, punctuation and white space folded to single spaces) after a regional pass for
 * the letters documents spell in more than one way (Đ as "dj" and "d", Ü as "u" and "ue", ...),
 * then split into parts. Spellings of the same name (Mohammed / Muhammad / Mohamed, Aleksandr /
 * Alexander / Oleksandr, ...) come from a curated data file, data/name-equivalences.txt, built
 * into the binary: a class of equivalent spellings per line. Nothing about particular names is
 * written in code.
 *
 * Two records are compared part by part in any order (missing or extra middle names cost less
 * than a differing surname; joined and split parts such as "abdelkader" / "abdel kader" are
 * aligned), each pair of parts by equality, equivalence class, phonetic key, Jaro-Winkler and edit
 * distance; then birth dates, sex and nationality add or take away (a year-only birth date agrees
 * with a full date of that year). Every score comes with its reasons.
 *
 * Thread safety: match_normalise and match_compare may be called from any thread (each thread
 * keeps its own ICU transliterator). An index is built by one thread, then searched by many.
 */
#ifndef MMIS_MATCH_H
#define MMIS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/err.h"

#define MATCH_NAME_MAX 1024 /* bytes of a name as given; longer is refused */
#define MATCH_NORM_MAX 256  /* bytes of a normalised name, with its NUL */
#define MATCH_PARTS_MAX 12  /* name parts kept; more are refused */

/*
 * The default threshold of `mmis screen`, POST /api/v1/screen and border screening, chosen from
 * the evaluation in bench/README.md (recall and false alarms per kind of variant): on a
 * 1,000,000-entry list, after birth dates years apart came to cost 0.30 and common names up to
 * 0.30 (docs/matching.md section 4), 0.85 keeps 94.5% of listed travellers and alerts on 7 in
 * 1,000 random travellers through entries with a birth date (0.80: 95.5% and 38; 0.90: 91.9%).
 * An exact name whose birth date is years off scores 0.70: found only at a threshold of 0.70.
 */
#define MATCH_DEFAULT_THRESHOLD 0.85

/*
 * Normalise one name into `out` (lower-case ASCII letters and digits, parts separated by one
 * space). MMIS_EINVAL naming `field` (e.g. "name") when the name is empty, has no letter or digit
 * ("name '÷.-' has no letters"), is longer than MATCH_NAME_MAX bytes, is not valid UTF-8, or has
 * more than MATCH_PARTS_MAX parts. MMIS_ENOMEM / MMIS_EUNSUPPORTED when ICU cannot be loaded.
 */
enum mmis_err match_normalise(const char *name, const char *field, char out[MATCH_NORM_MAX],
			      struct mmis_error *err);

/*
 * The built-in equivalence classes (data/name-equivalences.txt): their number; the spellings
 * loaded, how many spellings share a skeleton with another class (0 in a good file; the first of
 * them described in *first_conflict) when the pointers are not NULL. For tests and `mmis` status.
 */
size_t match_equivalences(size_t *spellings, size_t *conflicts, const char **first_conflict);

/* Normalise a document number for exact matching (upper case, [A-Z0-9] only, at most 30). */
enum mmis_err match_document_normalise(const char *in, char out[32], struct mmis_error *err);

/*
 * A record compared: a traveller, an alert-list entry or a person record. Arrays may be empty
 * (count 0); strings are UTF-8 as given (normalised inside). Birth dates "YYYY", "YYYY-MM" or
 * "YYYY-MM-DD"; nationalities ISO 3166-1 alpha-3 or ICAO codes; sex "F", "M", "X" or NULL.
 */
struct match_record {
	const char *const *names; /* the first is the primary name, the rest aliases */
	size_t n_names;
	const char *const *birth_dates;
	size_t n_birth_dates;
	const char *const *nationalities;
	size_t n_nationalities;
	const char *sex;
	const char *const *documents; /* document numbers, any form */
	size_t n_documents;
};

/*
 * Compare two records: a score in [0, 1] (1 = certainly the same person on the evidence given)
 * and, when `reasons` is not NULL, a new JSON array explaining it, one object per piece of
 * evidence:
 *   {"field": "name" | "birth_date" | "sex" | "nationality" | "document",
 *    "query": "...", "entry": "...",           -- the normalised values compared (when any)
 *    "how": "exact" | "equivalent" | "phonetic" | "similar" | "joined" | "missing" | "extra" |
 *           "agrees" | "contradicts" | "different" | "common",
 *    "similarity": 0.93,                       -- for name parts
 *    "effect": -0.15,                          -- what it added to or took from the score
 *    "text": "birth year 1985 agrees with 1985-03-12"}   -- one English sentence
 * Names that cannot be normalised contribute nothing (score 0 when no name compares). Without an
 * index there are no name frequencies: no "common" penalty here (match_index_search has it).
 */
double match_compare(const struct match_record *query, const struct match_record *entry,
		     json_t **reasons);

/* ---- the candidate index (alert lists, person records) */

struct match_index;

struct match_index *match_index_new(void); /* NULL when out of memory */
void match_index_free(struct match_index *ix);

/*
 * Add a record under the caller's id (ids need not be dense or ordered; an id added twice is
 * MMIS_ECONFLICT). The record's data is copied. Names that do not normalise are MMIS_EINVAL naming
 * "name" and nothing of the record is added.
 */
enum mmis_err match_index_add(struct match_index *ix, uint32_t id, const struct match_record *r,
			      struct mmis_error *err);

/* Finish building: after this the index is read-only and may be searched from many threads. */
enum mmis_err match_index_build(struct match_index *ix, struct mmis_error *err);

size_t match_index_count(const struct match_index *ix);  /* records */
size_t match_index_memory(const struct match_index *ix); /* bytes held, approximately */

struct match_hit {
	uint32_t id;
	double score;
	json_t *reasons; /* owned by the hit: match_hits_free */
};

/*
 * The records scoring at least `threshold` against `query`, best first (at a tie, the one with more
 * evidence, e.g. a birth date that agrees, before one without; then by id), at most
 * `limit` of them, into `hits` (room for `limit`), their number in *n_hits. A document number of
 * the query equal (after normalisation) to one of a record's is a hit with score 1 whatever the
 * names say. Candidates come from the index (name parts, their equivalence classes, phonetic keys
 * and near spellings), never from a scan of every record; when more than 150 records qualify (a
 * very common name and nothing rarer), the 150 agreeing on most parts and on the birth year are
 * scored (docs/matching.md). MMIS_EINVAL when the query has no name that normalises and no
 * document ("name"), or the threshold is not within [0, 1] ("threshold"). MMIS_ECONFLICT before
 * match_index_build.
 */
enum mmis_err match_index_search(const struct match_index *ix, const struct match_record *query,
				 double threshold, size_t limit, struct match_hit *hits,
				 size_t *n_hits, struct mmis_error *err);
void match_hits_free(struct match_hit *hits, size_t n);

/*
 * Duplicates within one built index: every pair (a, b), a < b, scoring at least `threshold`,
 * given to `pair` (from the calling thread only, in no particular order; the reasons are the
 * callback's to keep or free); `threads` workers search (0 = one per core). Stops and returns the
 * callback's error when it returns non-zero. Blocking: two records are compared when they share
 * two name parts (or a rarer and a common one) and a birth year (or either has none), or a
 * document number (docs/matching.md).
 */
typedef enum mmis_err (*match_pair_fn)(void *ctx, uint32_t a, uint32_t b, double score,
				       json_t *reasons);
enum mmis_err match_dedup(const struct match_index *ix, double threshold, unsigned threads,
			  match_pair_fn pair, void *ctx, struct mmis_error *err);

#endif
