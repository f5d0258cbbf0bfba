/*
 * internal.h - what the files of lib/match share: prepared names (parts with their comparison
 * keys), the equivalence table, string similarity and the packed evidence of a record.
 */
#ifndef MMIS_MATCH_INTERNAL_H
#define MMIS_MATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mmis/match.h"

#define MP_SKEL 40 /* bytes of a part's skeleton kept (longer parts are compared on a prefix) */
#define MP_PHON 10 /* bytes of a phonetic key, with its NUL */

/* Limits of one record (match_index_add refuses more; match_compare ignores the rest). */
#define MREC_NAMES_MAX 255
#define MREC_VALUES_MAX 32 /* birth dates, nationalities, documents each */

enum mpart_flag {
	MPART_PARTICLE = 1, /* "al", "bin", "van": an unmatched particle costs almost nothing */
	MPART_INITIAL = 2,  /* one letter */
	MPART_COMMON = 4,   /* in an index: held by many records (see index.c) */
};

/*
 * One part of a normalised name and its comparison keys:
 *   text      the normalised spelling ("mukhammed")
 *   skel      its skeleton: digraph and regional variants folded ("muhamed"); the spelling level
 *   phon      a consonant key of the skeleton ("mhmd"); the phonetic level
 *   cls       its equivalence class in data/name-equivalences.txt (0: none); looked up by skeleton
 */
struct mpart {
	const char *text;
	uint8_t len, slen, plen, flags;
	uint32_t cls;
	float w; /* its weight in a name score (mpart_weight) */
	uint32_t lmask; /* the letters of skel, a bit each (a..z; digits share bit 26) */
	uint32_t phash, shash; /* hashes of phon (0 when shorter than 2) and skel, for quick tests */
	uint32_t id;  /* the index's part dictionary number (0: not from an index) */
	float share;  /* in an index: the share of records holding its class or skeleton (0: unknown) */
	uint16_t qid; /* a query's part number, 1...: with `id`, the key of the similarity cache */
	char skel[MP_SKEL];
	char phon[MP_PHON];
};

/*
 * A prepared name: p[] points at its parts, in `own` (a query's, whose texts point into `norm`) or
 * in an index's part dictionary. It points into itself, so it is not to be copied by value.
 */
struct mname {
	char norm[MATCH_NORM_MAX];
	uint8_t n;
	const struct mpart *p[MATCH_PARTS_MAX];
	struct mpart own[MATCH_PARTS_MAX];
};

/* normalise.c */
void mpart_prepare(struct mpart *p, const char *text, size_t len);
/* Prepare from a normalised name (as match_normalise writes it). */
void mname_prepare(struct mname *m, const char *norm);
size_t mskeleton(const char *s, size_t n, char *out, size_t cap);
size_t mphonetic(const char *skel, size_t n, char *out, size_t cap);

/* equiv.c: the built-in equivalence classes, loaded once (thread-safe). */
enum mmis_err mequiv_init(struct mmis_error *err);
uint32_t mequiv_class(const char *skel, size_t n); /* 0: in no class */
bool mequiv_particle(const char *text, size_t n);

/* similar.c */
double mjaro_winkler(const char *a, size_t na, const char *b, size_t nb);
unsigned mlevenshtein(const char *a, size_t na, const char *b, size_t nb, unsigned max);

/*
 * The evidence of a record beyond names, packed:
 *   dates   year << 16 | month << 8 | day (month and day 0 when unknown)
 *   nats    three upper-case letters (or one, "D") and NULs, as a uint32 (memcpy)
 *   docs    normalised document numbers, each NUL-terminated, one after another
 */
struct mevidence {
	const uint32_t *dates;
	size_t n_dates;
	const uint32_t *nats;
	size_t n_nats;
	char sex; /* 'F', 'M' or 0 */
	const char *docs;
	size_t n_docs;
};

/* Pack one value; false when it is not a usable date / nationality / sex. */
bool mdate_pack(const char *s, uint32_t *out);
bool mnat_pack(const char *s, uint32_t *out);
char msex_of(const char *s);

/* compare.c */

/* A part's weight in a name score: 0.5 + length / 8 (at most 1.5), particles 0.2, initials 0.5. */
double mpart_weight(const struct mpart *p);

/*
 * A cache of part similarities for one search: the same entry part (by dictionary number) is
 * compared with the same query part (by qid) many times over the candidates of a query. The
 * caller sets `stamp` to a new value for each query; slots of older stamps are empty.
 */
#define MCACHE_SLOTS 8192
struct mcache {
	uint32_t stamp;
	struct mcache_slot {
		uint32_t id, stamp;
		uint16_t qid;
		uint8_t how;
		float s;
	} slot[MCACHE_SLOTS];
};

/* Score of two prepared names in [0, 1]; reasons appended when `reasons` is not NULL. */
/* *agree (when not NULL): bit i, part i of `e` agrees (0.80 or more); bit 16 + i, only as a
 * similar spelling (under 0.95: a typing error, a phonetic key, an initial) */
double mname_score(const struct mname *q, const struct mname *e, json_t *reasons,
		   struct mcache *cache, unsigned *agree);
/*
 * How common the agreeing parts of an entry's name are (term frequencies): the share of records
 * holding all of them, assuming independence (the product of the parts' shares), and the
 * penalty that follows when nothing else supports the match. share 0: unknown (no index).
 */
struct mcommon {
	double share, penalty;
	char text[MATCH_NORM_MAX];
};
void mcommon_of(const struct mname *e, unsigned agree, struct mcommon *c);
/*
 * Add the evidence's effect to `score` (clamped to [0, 1]); reasons appended when not NULL. The
 * common-name penalty `c` (may be NULL) is taken in full without a supporting birth date, half
 * with a birth year that agrees, not at all with the same birth date. *raw (when not NULL): the
 * score before clamping, to order hits that tie at 1.
 */
double mevidence_apply(double score, const struct mevidence *q, const struct mevidence *e,
		       const struct mcommon *c, json_t *reasons, double *raw);
/*
 * The score of two records given as prepared names and packed evidence: the best pair of names,
 * the evidence, a shared document. Reasons (for the best pair of names) when `reasons` is not NULL.
 */
double mrecord_score(const struct mname *qn, size_t nq, const struct mevidence *qe,
		     const struct mname *en, size_t ne, const struct mevidence *ee, json_t *reasons,
		     struct mcache *cache, double *raw);
/* A shared document number, or NULL. */
const char *mevidence_document(const struct mevidence *q, const struct mevidence *e);
json_t *mreason(const char *field, const char *query, const char *entry, const char *how,
		double similarity, double effect, const char *text);

#endif
