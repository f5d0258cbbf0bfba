/*
 * index.c - the candidate index over many records (alert-list entries, person records): posting
 * lists from keys of name parts to records, a counting array to find the records that share
 * enough parts with a query, then the full comparison of those candidates only.
 *
 * Every distinct part spelling is kept once, prepared (skeleton, class, consonant key), in a
 * part dictionary; a record holds part numbers. Keys (32-bit hashes of a kind letter and bytes):
 *   D  the skeleton, and, for skeletons of 4 letters or more, the skeleton with each letter
 *      deleted in turn (a deletion neighbourhood: two spellings one edit apart share a key, so a
 *      query with one typing error still reaches the entry)
 *   C  the equivalence class (Mohamed reaches Muhammad)
 *   P  the consonant key, when it has two letters or more (Arabic script "mhmd" reaches Mohamed)
 *   D  of two neighbouring parts written together ("abdel kader" reaches "abdelkader" both ways)
 *   N  a document number
 * A part is common when more than `common_cap` records (1,000 + one in 1,000) hold its class, or
 * else its skeleton (counted as records are added): "Mohammed", "Ali", "Khan" in a list of the
 * region. Iterating the lists of a common part would cost a pass over a large share of all
 * records for every query, so two common parts of one name are also indexed together, by their
 * canonical keys (the class, else the skeleton):
 *   Q  the two canonical keys, for searching
 *   Y  the same with a birth year, for de-duplication
 *
 * Search. The query's parts (and joined neighbours) are its units. Rare units iterate their lists,
 * counting per record the units that reached it; a list longer than the cap (a deletion key or
 * consonant key shared with a common name) is skipped at first, and the unit is then "incomplete".
 * A unit one edit from a common part (the skeletons and deletion neighbourhoods of the common parts
 * are kept in a small sorted table) is also looked for as that common part: a misspelt "Mohammed"
 * meets the Mohammeds. Pairs of common units reach records through their Q lists (skipped when
 * long and the query has a rarer part to go by). A record is a candidate when at least two units
 * agree (one when no name of the query has two parts that are not particles, or the record has a
 * one-part name; one less per incomplete unit), or a document number reaches it. A record reached
 * by rare units only is checked for the common units with its signature, a 64-bit Bloom filter of
 * its common parts' canonical keys, without reading the record. When more than MAX_SCORED records
 * qualify (a very common name and no rarer part), those that agree on most units, on the number of
 * parts and on the birth year are scored, MAX_SCORED of them (the rescoring window).
 *
 * De-duplication searches each record against those after it, with the birth year as a blocking
 * key: records born in another year are skipped while the lists are read, and pairs of common
 * parts go through Y keys (docs/matching.md states the rule).
 *
 * Layout: keys sorted, a directory over their top bits, an offset per key and one array of record
 * numbers (ascending within a key), twice (the part keys, the pair keys). Searching uses scratch
 * (a count and a stamp per record, a part-similarity cache) from a small pool under a mutex, so
 * any number of threads may search at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Part shares (the common-name penalty) are taken over at least this many records. */
#define FREQ_MIN_RECORDS 100000.0

#define SPLITS_MAX 4     /* parts of a query split after a particle */
#define UNITS_MAX 120    /* units of a query that are looked up (stamps are bytes) */
#define UNIT_KEYS 48     /* keys of one unit at most */
#define DEL_MIN 4        /* skeletons this long or longer get deletion keys */
#define MAX_SCORED 150   /* candidates scored at most (the rescoring window) */
#define RANK_SINGLE 0x80
#define PREFETCH 8       /* records ahead to ask the memory for */

struct rec {
	uint32_t id;
	uint32_t names; /* offset in npool: per name its number of parts, then their part numbers */
	uint32_t docs;  /* offset in cpool: n_docs NUL-terminated document numbers */
	uint32_t vals;  /* offset in upool: n_dates dates, then n_nats nationalities */
	uint8_t n_names, n_dates, n_nats, n_docs;
	char sex;
	uint8_t single; /* a name of one part (not counting particles) */
	uint16_t year;  /* the first birth year, 0 when none (dedup blocking) */
};

struct unit {
	const uint32_t *list[UNIT_KEYS];
	uint32_t len[UNIT_KEYS];
	uint8_t nk;
	bool common;
	bool incomplete;          /* a list was too long to read (a deletion key of a common name) */
	const struct mpart *part; /* NULL for joined parts */
	uint32_t canon[4];        /* common units: canonical keys (class, consonant key) */
	uint8_t n_canon;
	uint8_t name;             /* the query name it comes from */
};

/* What one search needs besides the query: taken from the index's pool, given back after. */
struct scratch {
	struct scratch *next;
	uint8_t *cnt, *last;  /* per record: units that reached it, the last unit that did */
	uint32_t *touched;    /* records with a count */
	uint32_t *cand;       /* qualified candidates */
	struct unit *units;   /* UNITS_MAX */
	struct mname *em;     /* MREC_NAMES_MAX: a candidate's names */
	struct mcache cache;
};

/* Posting lists: keys sorted, dir[b] the first key whose top dir_bits are b. */
struct postings {
	uint32_t *keys, *offs, *post, *dir;
	size_t n_keys, n_post;
	unsigned dir_bits;
};

struct match_index {
	bool built;
	struct rec *recs;
	size_t n, cap;
	char *cpool; /* document numbers */
	size_t clen, ccap;
	uint32_t *npool; /* names as part numbers */
	size_t nlen, ncap;
	/* the part dictionary: every distinct part once, prepared; number 0 unused */
	struct mpart *dparts;
	uint32_t *dtext; /* offset of each part's text in dpool */
	size_t n_dparts, dcap, dtcap;
	char *dpool;
	size_t dlen, dpcap;
	uint32_t *dtab; /* text -> part number, open addressing, 0 empty */
	size_t dmask;
	uint32_t *dk_off, *dk; /* while building: each part's keys */
	uint32_t *upool;
	size_t ulen, ucap;
	/* ids -> record numbers (open addressing; id + 1 stored, 0 empty) */
	uint32_t *idtab_id, *idtab_rec;
	size_t idmask, idused;
	size_t common_cap;
	struct postings parts, pairs;
	/* per record, for ranking without reading the record: first birth year, parts of the
	 * first name */
	uint16_t *rank_year;
	uint8_t *rank_parts; /* RANK_SINGLE: the record has a one-part name */
	/* per record, a 64-bit Bloom filter of the canonical keys of its common parts: whether it
	 * holds a common unit of a query, without reading it (false positives are scored away) */
	uint64_t *sig;
	/* the skeletons of common parts and their deletion neighbours, key << 32 | part number,
	 * sorted: which common name a misspelt part probably is ("mdhammed": "mohammed") */
	uint64_t *corr;
	size_t n_corr;
	/* how many records hold each part (dfreq, by part number), class and skeleton */
	uint32_t *dfreq, *dlast; /* dlast: the record that last counted the part, + 1 */
	size_t dfcap, dlcap;
	uint32_t *cls_freq;
	size_t n_cls, dfreq_init;
	struct sfreq {
		uint32_t hash, n;
	} *sfreq;
	size_t smask;
	pthread_mutex_t lock;
	struct scratch *free_scratch;
};

/* ---- keys */

static uint32_t key_hash(char kind, const char *s, size_t n, int skip)
{
	uint64_t h = 1469598103934665603u ^ (unsigned char)kind;
	h *= 1099511628211u;
	for (size_t i = 0; i < n; i++) {
		if ((int)i == skip)
			continue;
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93u;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* The keys of a part (see the top of the file); returns their number (at most UNIT_KEYS). */
static size_t part_keys(const struct mpart *p, uint32_t *out)
{
	size_t n = 0;

	out[n++] = key_hash('D', p->skel, p->slen, -1);
	if (p->cls) {
		char c[4];
		memcpy(c, &p->cls, 4);
		out[n++] = key_hash('C', c, 4, -1);
	}
	if (p->plen >= 2)
		out[n++] = key_hash('P', p->phon, p->plen, -1);
	if (p->slen >= DEL_MIN)
		for (int i = 0; i < p->slen && n < UNIT_KEYS; i++)
			out[n++] = key_hash('D', p->skel, p->slen, i);
	return n;
}

static size_t join_keys(const struct mname *m, int i, uint32_t *out)
{
	char text[MATCH_NORM_MAX], skel[MP_SKEL];
	size_t a = m->p[i]->len, b = m->p[i + 1]->len, sn, n = 0;

	memcpy(text, m->p[i]->text, a);
	memcpy(text + a, m->p[i + 1]->text, b);
	sn = mskeleton(text, a + b, skel, sizeof(skel));
	out[n++] = key_hash('D', skel, sn, -1);
	uint32_t cls = mequiv_class(skel, sn);
	if (cls) {
		char c[4];
		memcpy(c, &cls, 4);
		out[n++] = key_hash('C', c, 4, -1);
	}
	return n;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- records */

static void postings_free(struct postings *p)
{
	free(p->keys);
	free(p->offs);
	free(p->post);
	free(p->dir);
	memset(p, 0, sizeof(*p));
}

struct match_index *match_index_new(void)
{
	struct match_index *ix = calloc(1, sizeof(*ix));
	if (!ix)
		return NULL;
	pthread_mutex_init(&ix->lock, NULL);
	return ix;
}

void match_index_free(struct match_index *ix)
{
	if (!ix)
		return;
	while (ix->free_scratch) {
		struct scratch *s = ix->free_scratch;
		ix->free_scratch = s->next;
		free(s->cnt);
		free(s->last);
		free(s->touched);
		free(s->units);
		free(s->em);
		free(s->cand);
		free(s);
	}
	pthread_mutex_destroy(&ix->lock);
	free(ix->recs);
	free(ix->npool);
	free(ix->dparts);
	free(ix->dtext);
	free(ix->dpool);
	free(ix->dtab);
	free(ix->cpool);
	free(ix->upool);
	free(ix->idtab_id);
	free(ix->idtab_rec);
	postings_free(&ix->parts);
	postings_free(&ix->pairs);
	free(ix->rank_year);
	free(ix->rank_parts);
	free(ix->sig);
	free(ix->corr);
	free(ix->dfreq);
	free(ix->dlast);
	free(ix->cls_freq);
	free(ix->sfreq);
	free(ix);
}

/*
 * Grow the array whose pointer is at `pp` (any object pointer type, read and written by memcpy so
 * that no type is punned) to hold `need` elements of `size` bytes; false when out of memory.
 */
static bool grow(void *pp, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 1024;
	void *p, *q;
	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	memcpy(&p, pp, sizeof(p));
	if (!(q = realloc(p, c * size)))
		return false;
	memcpy(pp, &q, sizeof(q));
	*cap = c;
	return true;
}

static uint32_t id_slot_hash(uint32_t id)
{
	uint32_t h = id * 0x9e3779b1u;
	return h ^ (h >> 15);
}

/* The record number of `id`, or UINT32_MAX. */
static uint32_t id_find(const struct match_index *ix, uint32_t id)
{
	if (!ix->idtab_id)
		return UINT32_MAX;
	for (size_t i = id_slot_hash(id) & ix->idmask;; i = (i + 1) & ix->idmask) {
		if (!ix->idtab_id[i])
			return UINT32_MAX;
		if (ix->idtab_id[i] == id + 1u)
			return ix->idtab_rec[i];
	}
}

static bool id_insert(struct match_index *ix, uint32_t id, uint32_t rec)
{
	if ((ix->idused + 1) * 2 > ix->idmask + 1 || !ix->idtab_id) {
		size_t cap = ix->idtab_id ? (ix->idmask + 1) * 2 : 1024;
		uint32_t *ids = calloc(cap, 4), *recs = malloc(cap * 4);
		if (!ids || !recs) {
			free(ids);
			free(recs);
			return false;
		}
		for (size_t i = 0; ix->idtab_id && i <= ix->idmask; i++) {
			if (!ix->idtab_id[i])
				continue;
			size_t j = id_slot_hash(ix->idtab_id[i] - 1u) & (cap - 1);
			while (ids[j])
				j = (j + 1) & (cap - 1);
			ids[j] = ix->idtab_id[i];
			recs[j] = ix->idtab_rec[i];
		}
		free(ix->idtab_id);
		free(ix->idtab_rec);
		ix->idtab_id = ids;
		ix->idtab_rec = recs;
		ix->idmask = cap - 1;
	}
	size_t i = id_slot_hash(id) & ix->idmask;
	while (ix->idtab_id[i])
		i = (i + 1) & ix->idmask;
	ix->idtab_id[i] = id + 1u;
	ix->idtab_rec[i] = rec;
	ix->idused++;
	return true;
}

static uint32_t text_hash(const char *t, size_t n)
{
	return key_hash('T', t, n, -1);
}

/* The dictionary number of a part's text, added (prepared) when new; 0 when out of memory. */
static uint32_t intern(struct match_index *ix, const char *t, size_t n)
{
	size_t i;

	if ((ix->n_dparts + 1) * 2 > ix->dmask + 1 || !ix->dtab) {
		size_t cap = ix->dtab ? (ix->dmask + 1) * 2 : 4096;
		uint32_t *tab = calloc(cap, 4);
		if (!tab)
			return 0;
		for (size_t k = 1; ix->dtab && k < ix->n_dparts; k++) {
			const char *kt = ix->dpool + ix->dtext[k];
			size_t j = text_hash(kt, strlen(kt)) & (cap - 1);
			while (tab[j])
				j = (j + 1) & (cap - 1);
			tab[j] = (uint32_t)k;
		}
		free(ix->dtab);
		ix->dtab = tab;
		ix->dmask = cap - 1;
	}
	if (!ix->n_dparts)
		ix->n_dparts = 1; /* number 0 means none */
	for (i = text_hash(t, n) & ix->dmask; ix->dtab[i]; i = (i + 1) & ix->dmask) {
		const char *kt = ix->dpool + ix->dtext[ix->dtab[i]];
		if (!strncmp(kt, t, n) && kt[n] == '\0')
			return ix->dtab[i];
	}
	if (!grow(&ix->dparts, &ix->dcap, ix->n_dparts + 1, sizeof(*ix->dparts)) ||
	    !grow(&ix->dtext, &ix->dtcap, ix->n_dparts + 1, sizeof(*ix->dtext)) ||
	    !grow(&ix->dpool, &ix->dpcap, ix->dlen + n + 1, 1))
		return 0;
	uint32_t id = (uint32_t)ix->n_dparts++;
	memcpy(ix->dpool + ix->dlen, t, n);
	ix->dpool[ix->dlen + n] = '\0';
	ix->dtext[id] = (uint32_t)ix->dlen;
	ix->dlen += n + 1;
	mpart_prepare(&ix->dparts[id], t, n);
	ix->dparts[id].text = NULL; /* pointed into dpool when the index is built */
	ix->dparts[id].id = id;
	ix->dtab[i] = id;
	return id;
}

enum mmis_err match_index_add(struct match_index *ix, uint32_t id, const struct match_record *r,
			      struct mmis_error *err)
{
	char norm[MATCH_NORM_MAX], doc[32];
	size_t clen = ix->clen, ulen = ix->ulen, nlen = ix->nlen, n_names = 0;
	struct rec rec = { 0 };
	enum mmis_err rc;

	if (ix->built)
		return mmis_error_set(err, MMIS_ECONFLICT, NULL, "the index is built: no more records");
	if (ix->n >= UINT32_MAX - 1)
		return mmis_error_set(err, MMIS_ETOOBIG, NULL, "the index is full");
	if (id_find(ix, id) != UINT32_MAX)
		return mmis_error_set(err, MMIS_ECONFLICT, "id", "record %u is already in the index",
				      id);
	if (!r || !r->n_names)
		return mmis_error_set(err, MMIS_EINVAL, "name", "a record needs a name");
	if (r->n_names > MREC_NAMES_MAX)
		return mmis_error_set(err, MMIS_EINVAL, "name", "a record has more than %d names",
				      MREC_NAMES_MAX);
	if (r->n_birth_dates > MREC_VALUES_MAX || r->n_nationalities > MREC_VALUES_MAX ||
	    r->n_documents > MREC_VALUES_MAX)
		return mmis_error_set(err, MMIS_EINVAL,
				      r->n_birth_dates > MREC_VALUES_MAX     ? "birth_date"
				      : r->n_nationalities > MREC_VALUES_MAX ? "nationality"
									     : "document_number",
				      "a record has more than %d of them", MREC_VALUES_MAX);

	rec.id = id;
	rec.names = (uint32_t)ix->nlen;
	for (size_t i = 0; i < r->n_names; i++) {
		size_t start = 0, n, at = ix->nlen, real = 0;
		if ((rc = match_normalise(r->names[i], "name", norm, err)) != MMIS_OK)
			goto undo;
		n = strlen(norm);
		if (!grow(&ix->npool, &ix->ncap, ix->nlen + MATCH_PARTS_MAX + 1, 4) ||
		    ix->nlen + MATCH_PARTS_MAX + 1 > UINT32_MAX) {
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			goto undo;
		}
		ix->npool[ix->nlen++] = 0;
		for (size_t k = 0; k <= n; k++) {
			if (k < n && norm[k] != ' ')
				continue;
			uint32_t pid = intern(ix, norm + start, k - start);
			if (!pid) {
				rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
				goto undo;
			}
			ix->npool[ix->nlen++] = pid;
			ix->npool[at]++;
			real += !(ix->dparts[pid].flags & MPART_PARTICLE);
			start = k + 1;
		}
		n_names++;
		if (real <= 1)
			rec.single = 1;
	}
	/* each distinct part of the record counts once towards its frequency */
	if (!grow(&ix->dfreq, &ix->dfcap, ix->n_dparts + 1, sizeof(*ix->dfreq)) ||
	    !grow(&ix->dlast, &ix->dlcap, ix->dfcap, sizeof(*ix->dlast))) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto undo;
	}
	if (ix->dfcap > ix->dfreq_init) {
		memset(ix->dfreq + ix->dfreq_init, 0, (ix->dfcap - ix->dfreq_init) * 4);
		memset(ix->dlast + ix->dfreq_init, 0, (ix->dlcap - ix->dfreq_init) * 4);
		ix->dfreq_init = ix->dfcap;
	}
	for (size_t k = rec.names; k < ix->nlen;) {
		uint32_t n = ix->npool[k++];
		for (uint32_t j = 0; j < n; j++, k++) {
			uint32_t pid = ix->npool[k];
			if (ix->dlast[pid] != ix->n + 1) {
				ix->dlast[pid] = (uint32_t)ix->n + 1;
				ix->dfreq[pid]++;
			}
		}
	}
	rec.n_names = (uint8_t)n_names;
	rec.docs = (uint32_t)ix->clen;
	(void)clen;
	for (size_t i = 0; i < r->n_documents; i++) {
		if ((rc = match_document_normalise(r->documents[i], doc, err)) != MMIS_OK)
			goto undo;
		size_t l = strlen(doc) + 1;
		if (!grow(&ix->cpool, &ix->ccap, ix->clen + l, 1)) {
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			goto undo;
		}
		memcpy(ix->cpool + ix->clen, doc, l);
		ix->clen += l;
		rec.n_docs++;
	}
	if (!grow(&ix->upool, &ix->ucap,
		  ix->ulen + r->n_birth_dates + r->n_nationalities, 4)) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto undo;
	}
	rec.vals = (uint32_t)ix->ulen;
	for (size_t i = 0; i < r->n_birth_dates; i++) {
		if (!mdate_pack(r->birth_dates[i], &ix->upool[ix->ulen])) {
			rc = mmis_error_set(err, MMIS_EINVAL, "birth_date",
					    "birth date \"%.40s\" is not YYYY, YYYY-MM or YYYY-MM-DD",
					    r->birth_dates[i] ? r->birth_dates[i] : "");
			goto undo;
		}
		if (!rec.year)
			rec.year = (uint16_t)(ix->upool[ix->ulen] >> 16);
		ix->ulen++;
		rec.n_dates++;
	}
	for (size_t i = 0; i < r->n_nationalities; i++) {
		if (!mnat_pack(r->nationalities[i], &ix->upool[ix->ulen])) {
			rc = mmis_error_set(err, MMIS_EINVAL, "nationality",
					    "nationality \"%.20s\" is not a country code",
					    r->nationalities[i] ? r->nationalities[i] : "");
			goto undo;
		}
		ix->ulen++;
		rec.n_nats++;
	}
	rec.sex = msex_of(r->sex);
	if (!grow(&ix->recs, &ix->cap, ix->n + 1, sizeof(*ix->recs)) ||
	    !id_insert(ix, id, (uint32_t)ix->n)) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto undo;
	}
	ix->recs[ix->n++] = rec;
	return MMIS_OK;
undo:
	/* parts new to the dictionary stay there: harmless, and shared by the next record */
	ix->clen = clen;
	ix->ulen = ulen;
	ix->nlen = nlen;
	return rc;
}

/* The prepared names of record `r` into m[] (room for r->n_names). */
static size_t rec_names(const struct match_index *ix, const struct rec *r, struct mname *m)
{
	const uint32_t *p = ix->npool + r->names;
	for (size_t i = 0; i < r->n_names; i++) {
		uint32_t n = *p++;
		m[i].norm[0] = '\0';
		m[i].n = (uint8_t)n;
		for (uint32_t k = 0; k < n; k++)
			m[i].p[k] = &ix->dparts[*p++];
	}
	return r->n_names;
}

static void rec_evidence(const struct match_index *ix, const struct rec *r, struct mevidence *ev)
{
	ev->dates = ix->upool + r->vals;
	ev->n_dates = r->n_dates;
	ev->nats = ix->upool + r->vals + r->n_dates;
	ev->n_nats = r->n_nats;
	ev->sex = r->sex;
	ev->docs = ix->cpool + r->docs;
	ev->n_docs = r->n_docs;
}

/* ---- building */

/* Append to *keys (grown as needed) at *n; false when out of memory. */
static bool keys_room(uint32_t **keys, size_t *cap, size_t n, size_t more)
{
	return grow(keys, cap, n + more, 4);
}

/* Sort and make unique; the new number. */
static size_t keys_unique(uint32_t *keys, size_t n)
{
	size_t u = 0;
	if (n < 2)
		return n;
	qsort(keys, n, 4, u32_cmp);
	for (size_t i = 0; i < n; i++)
		if (!u || keys[u - 1] != keys[i])
			keys[u++] = keys[i];
	return u;
}

/* The part keys of a record (see the top of the file), sorted and unique; SIZE_MAX: no memory. */
static size_t rec_part_keys(const struct match_index *ix, const struct rec *r, uint32_t **keys,
			    size_t *cap, struct mname *m)
{
	size_t n = 0;
	const char *p;

	rec_names(ix, r, m);
	for (size_t k = 0; k < r->n_names; k++) {
		if (!keys_room(keys, cap, n, (size_t)m[k].n * (UNIT_KEYS + 2) + 2))
			return SIZE_MAX;
		for (int i = 0; i < m[k].n; i++) {
			uint32_t id = m[k].p[i]->id;
			if (m[k].p[i]->flags & MPART_PARTICLE)
				continue;
			memcpy(*keys + n, ix->dk + ix->dk_off[id],
			       (ix->dk_off[id + 1] - ix->dk_off[id]) * 4);
			n += ix->dk_off[id + 1] - ix->dk_off[id];
		}
		for (int i = 0; i + 1 < m[k].n; i++)
			n += join_keys(&m[k], i, *keys + n);
	}
	p = ix->cpool + r->docs;
	for (size_t k = 0; k < r->n_docs; k++, p += strlen(p) + 1) {
		if (!keys_room(keys, cap, n, 1))
			return SIZE_MAX;
		(*keys)[n++] = key_hash('N', p, strlen(p), -1);
	}
	return keys_unique(*keys, n);
}

/*
 * The canonical key of a part: its equivalence class, or else its skeleton (a spelling and its
 * transliteration variants). One key, returned in out[0]; the number of keys (1).
 */
static size_t canon_keys(const struct mpart *p, uint32_t out[2])
{
	if (p->cls) {
		char c[4];
		memcpy(c, &p->cls, 4);
		out[0] = key_hash('C', c, 4, -1);
	} else {
		out[0] = key_hash('S', p->skel, p->slen, -1);
	}
	return 1;
}

static size_t part_frequency(const struct match_index *ix, const struct mpart *p);

/*
 * Parts i and i+1 of a name written together ("abdel aziz": "abdelaziz") as a common name: its
 * canonical key in *canon, true when the index holds it (as one part) in more than common_cap
 * records. Then it counts as one more common part of the name (pair keys, signatures), so that a
 * name written joined on one side and apart on the other is still found through its pairs.
 */
static bool join_common(const struct match_index *ix, const struct mname *m, int i, uint32_t *canon)
{
	char buf[MATCH_NORM_MAX];
	struct mpart jp;
	size_t a = m->p[i]->len, b = m->p[i + 1]->len;

	if ((m->p[i]->flags | m->p[i + 1]->flags) & MPART_INITIAL)
		return false;
	if (a + b >= sizeof(buf))
		return false;
	memcpy(buf, m->p[i]->text, a);
	memcpy(buf + a, m->p[i + 1]->text, b);
	buf[a + b] = '\0';
	mpart_prepare(&jp, buf, a + b);
	if (part_frequency(ix, &jp) <= ix->common_cap)
		return false;
	canon_keys(&jp, canon);
	return true;
}

/* The key of two canonical keys together (in either order), with a year for Y keys. */
static uint32_t pair_key(char kind, uint32_t a, uint32_t b, unsigned year)
{
	uint32_t v[3] = { a < b ? a : b, a < b ? b : a, year };
	char c[12];
	memcpy(c, v, sizeof(c));
	return key_hash(kind, c, kind == 'Y' ? 12 : 8, -1);
}

/* The pair keys of a record: Q and Y for each two common parts of a name. */
static size_t rec_pair_keys(const struct match_index *ix, const struct rec *r, uint32_t **keys,
			    size_t *cap, struct mname *m)
{
	size_t n = 0;
	const uint32_t *dates = ix->upool + r->vals;

	rec_names(ix, r, m);
	for (size_t k = 0; k < r->n_names; k++) {
		for (int i = 0; i < m[k].n; i++) {
			uint32_t ci[2], cj[2];
			size_t ni, nj;
			if (!(m[k].p[i]->flags & MPART_COMMON))
				continue;
			ni = canon_keys(m[k].p[i], ci);
			for (int j = i + 1; j < m[k].n; j++) {
				if (!(m[k].p[j]->flags & MPART_COMMON))
					continue;
				nj = canon_keys(m[k].p[j], cj);
				if (!keys_room(keys, cap, n, 4 * (1 + (size_t)r->n_dates)))
					return SIZE_MAX;
				for (size_t a = 0; a < ni; a++)
					for (size_t b = 0; b < nj; b++) {
						(*keys)[n++] = pair_key('Q', ci[a], cj[b], 0);
						for (size_t d = 0; d < r->n_dates; d++)
							(*keys)[n++] = pair_key('Y', ci[a], cj[b],
										dates[d] >> 16);
					}
			}
		}
		/* two parts written together as a common name, with each other common part */
		for (int i = 0; i + 1 < m[k].n; i++) {
			uint32_t cj;
			if (!join_common(ix, &m[k], i, &cj))
				continue;
			for (int j = 0; j < m[k].n; j++) {
				uint32_t ci[2];
				if (j == i || j == i + 1 || !(m[k].p[j]->flags & MPART_COMMON))
					continue;
				size_t ni = canon_keys(m[k].p[j], ci);
				if (!keys_room(keys, cap, n, 2 * (1 + (size_t)r->n_dates)))
					return SIZE_MAX;
				for (size_t a = 0; a < ni; a++) {
					(*keys)[n++] = pair_key('Q', ci[a], cj, 0);
					for (size_t d = 0; d < r->n_dates; d++)
						(*keys)[n++] = pair_key('Y', ci[a], cj, dates[d] >> 16);
				}
			}
		}
	}
	return keys_unique(*keys, n);
}

typedef size_t (*rec_keys_fn)(const struct match_index *ix, const struct rec *r, uint32_t **keys,
			      size_t *cap, struct mname *m);

/*
 * Posting lists of the keys `fn` gives each record: counted per bucket of the keys' top bits,
 * placed (records ascending), each bucket sorted by key and record. Memory: 8 bytes per (key,
 * record) while building, 4 after.
 */
static enum mmis_err postings_build(const struct match_index *ix, struct postings *out,
				    rec_keys_fn fn, struct mname *m)
{
	enum { BUCKET_BITS = 20 };
	size_t nb = (size_t)1 << BUCKET_BITS, total = 0, kcap = 0, k = 0;
	uint32_t *kbuf = NULL, *bstart = calloc(nb + 1, 4), *fill = NULL;
	uint64_t *pairs = NULL;

	if (!bstart)
		goto nomem;
	for (size_t r = 0; r < ix->n; r++) {
		size_t n = fn(ix, &ix->recs[r], &kbuf, &kcap, m);
		if (n == SIZE_MAX)
			goto nomem;
		for (size_t i = 0; i < n; i++)
			bstart[(kbuf[i] >> (32 - BUCKET_BITS)) + 1]++;
		total += n;
	}
	if (total >= UINT32_MAX)
		goto nomem;
	for (size_t b = 0; b < nb; b++)
		bstart[b + 1] += bstart[b];
	pairs = malloc((total ? total : 1) * sizeof(*pairs));
	fill = malloc(nb * 4);
	if (!pairs || !fill)
		goto nomem;
	memcpy(fill, bstart, nb * 4);
	for (size_t r = 0; r < ix->n; r++) {
		size_t n = fn(ix, &ix->recs[r], &kbuf, &kcap, m);
		if (n == SIZE_MAX)
			goto nomem;
		for (size_t i = 0; i < n; i++)
			pairs[fill[kbuf[i] >> (32 - BUCKET_BITS)]++] = (uint64_t)kbuf[i] << 32 | (uint32_t)r;
	}
	free(fill);
	fill = NULL;
	free(kbuf);
	kbuf = NULL;
	size_t n_keys = 0;
	for (size_t b = 0; b < nb; b++) {
		size_t lo = bstart[b], hi = bstart[b + 1];
		if (hi - lo > 1)
			qsort(pairs + lo, hi - lo, sizeof(*pairs), u64_cmp);
		for (size_t i = lo; i < hi; i++)
			n_keys += i == lo || (pairs[i] >> 32) != (pairs[i - 1] >> 32);
	}
	out->keys = malloc((n_keys ? n_keys : 1) * 4);
	out->offs = malloc((n_keys + 1) * 4);
	out->post = malloc((total ? total : 1) * 4);
	out->dir = bstart;
	out->dir_bits = BUCKET_BITS;
	bstart = NULL;
	if (!out->keys || !out->offs || !out->post)
		goto nomem;
	for (size_t i = 0; i < total; i++) {
		uint32_t key = (uint32_t)(pairs[i] >> 32);
		if (!i || key != (uint32_t)(pairs[i - 1] >> 32)) {
			out->keys[k] = key;
			out->offs[k++] = (uint32_t)i;
		}
		out->post[i] = (uint32_t)pairs[i];
	}
	out->offs[k] = (uint32_t)total;
	for (size_t b = 0, kk = 0; b <= nb; b++) {
		while (kk < k && (out->keys[kk] >> (32 - BUCKET_BITS)) < b)
			kk++;
		out->dir[b] = (uint32_t)kk;
	}
	out->n_keys = n_keys;
	out->n_post = total;
	free(pairs);
	return MMIS_OK;
nomem:
	free(pairs);
	free(fill);
	free(kbuf);
	free(bstart);
	postings_free(out);
	return MMIS_ENOMEM;
}

static bool lookup(const struct postings *p, uint32_t key, const uint32_t **list, size_t *n)
{
	size_t b = key >> (32 - p->dir_bits);
	*n = 0;
	if (!p->dir)
		return false;
	for (size_t k = p->dir[b]; k < p->dir[b + 1]; k++) {
		if (p->keys[k] == key) {
			*list = p->post + p->offs[k];
			*n = p->offs[k + 1] - p->offs[k];
			return true;
		}
		if (p->keys[k] > key)
			break;
	}
	return false;
}

/* The two bits of a canonical key in a record's signature. */
static uint64_t sig_bits(uint32_t key)
{
	return (uint64_t)1 << (key & 63) | (uint64_t)1 << ((key >> 6) & 63);
}

/* How many records hold a part's class, or else its skeleton (counted when records are added). */
static size_t part_frequency(const struct match_index *ix, const struct mpart *p)
{
	if (p->cls)
		return p->cls < ix->n_cls ? ix->cls_freq[p->cls] : 0;
	if (!ix->sfreq)
		return 0;
	for (size_t i = p->shash & ix->smask;; i = (i + 1) & ix->smask) {
		if (!ix->sfreq[i].hash)
			return 0;
		if (ix->sfreq[i].hash == p->shash)
			return ix->sfreq[i].n;
	}
}

/* The frequencies of classes and skeletons, from the parts' record counts. */
static enum mmis_err frequencies_build(struct match_index *ix)
{
	size_t cap = 64;
	ix->n_cls = match_equivalences(NULL, NULL, NULL) + 1;
	ix->cls_freq = calloc(ix->n_cls, sizeof(*ix->cls_freq));
	while (cap < ix->n_dparts * 2)
		cap *= 2;
	ix->sfreq = calloc(cap, sizeof(*ix->sfreq));
	ix->smask = cap - 1;
	if (!ix->cls_freq || !ix->sfreq)
		return MMIS_ENOMEM;
	for (size_t id = 1; id < ix->n_dparts; id++) {
		const struct mpart *p = &ix->dparts[id];
		if (p->cls && p->cls < ix->n_cls)
			ix->cls_freq[p->cls] += ix->dfreq[id];
		size_t i = p->shash & ix->smask;
		while (ix->sfreq[i].hash && ix->sfreq[i].hash != p->shash)
			i = (i + 1) & ix->smask;
		ix->sfreq[i].hash = p->shash;
		ix->sfreq[i].n += ix->dfreq[id];
	}
	return MMIS_OK;
}

/* The D keys of a part: its skeleton and its deletion neighbours; their number. */
static size_t spelling_keys(const struct mpart *p, uint32_t *out)
{
	size_t n = 0;
	out[n++] = key_hash('D', p->skel, p->slen, -1);
	if (p->slen >= DEL_MIN)
		for (int i = 0; i < p->slen && n < UNIT_KEYS; i++)
			out[n++] = key_hash('D', p->skel, p->slen, i);
	return n;
}

static enum mmis_err corrections_build(struct match_index *ix)
{
	size_t n = 0, cap = 0;
	uint32_t keys[UNIT_KEYS];

	for (size_t i = 1; i < ix->n_dparts; i++) {
		if (!(ix->dparts[i].flags & MPART_COMMON))
			continue;
		size_t k = spelling_keys(&ix->dparts[i], keys);
		if (!grow(&ix->corr, &cap, n + k, sizeof(*ix->corr)))
			return MMIS_ENOMEM;
		for (size_t j = 0; j < k; j++)
			ix->corr[n++] = (uint64_t)keys[j] << 32 | (uint32_t)i;
	}
	if (n > 1)
		qsort(ix->corr, n, sizeof(*ix->corr), u64_cmp);
	ix->n_corr = n;
	return MMIS_OK;
}

/*
 * Add the canonical keys of the common parts one edit from a query part to u->canon (at most 4
 * in all); whether any were added. A misspelt "Mohammed" (as "Moammed", itself frequent enough
 * in a list full of typing errors to be common) is then also looked for as "Mohammed".
 */
static bool correct(const struct match_index *ix, struct unit *u)
{
	uint32_t keys[UNIT_KEYS];
	size_t nk = spelling_keys(u->part, keys), had = u->n_canon;

	for (size_t i = 0; i < nk; i++) {
		size_t lo = 0, hi = ix->n_corr;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if ((uint32_t)(ix->corr[mid] >> 32) < keys[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ix->n_corr && (uint32_t)(ix->corr[lo] >> 32) == keys[i]; lo++) {
			uint32_t c[2];
			size_t n = canon_keys(&ix->dparts[(uint32_t)ix->corr[lo]], c);
			for (size_t j = 0; j < n; j++) {
				bool dup = false;
				for (size_t k = 0; k < u->n_canon; k++)
					dup |= u->canon[k] == c[j];
				if (!dup && u->n_canon < 4)
					u->canon[u->n_canon++] = c[j];
			}
		}
	}
	return u->n_canon > had;
}

enum mmis_err match_index_build(struct match_index *ix, struct mmis_error *err)
{
	struct mname *m = malloc(MREC_NAMES_MAX * sizeof(*m));
	enum mmis_err rc = MMIS_ENOMEM;

	if (ix->built)
		return MMIS_OK;
	if (!ix->n_dparts)
		ix->n_dparts = 1;
	ix->dk_off = malloc((ix->n_dparts + 1) * 4);
	ix->dk = malloc(ix->n_dparts * UNIT_KEYS * 4);
	if (!m || !ix->dk_off || !ix->dk)
		goto out;
	/* The dictionary's texts are where they stay; each part's keys, once. */
	ix->dk_off[0] = ix->dk_off[1] = 0;
	for (size_t i = 1; i < ix->n_dparts; i++) {
		ix->dparts[i].text = ix->dpool + ix->dtext[i];
		ix->dk_off[i + 1] =
			ix->dk_off[i] + (uint32_t)part_keys(&ix->dparts[i], ix->dk + ix->dk_off[i]);
	}
	if (postings_build(ix, &ix->parts, rec_part_keys, m) != MMIS_OK ||
	    frequencies_build(ix) != MMIS_OK)
		goto out;
	ix->common_cap = 1000 + ix->n / 1000;
	/*
	 * Each part's share of the records, for the common-name penalty (compare.c). A small list says
	 * little about how common a name is in the population: shares are taken over at least
	 * FREQ_MIN_RECORDS records, so in a list of a few thousand no name is common.
	 */
	for (size_t i = 1; i < ix->n_dparts; i++) {
		double f = (double)part_frequency(ix, &ix->dparts[i]);
		double n = ix->n > FREQ_MIN_RECORDS ? (double)ix->n : FREQ_MIN_RECORDS;
		ix->dparts[i].share = (float)((f < 1 ? 1 : f) / n);
	}
	for (size_t i = 1; i < ix->n_dparts; i++)
		if (!(ix->dparts[i].flags & MPART_PARTICLE) &&
		    part_frequency(ix, &ix->dparts[i]) > ix->common_cap)
			ix->dparts[i].flags |= MPART_COMMON;
	if (postings_build(ix, &ix->pairs, rec_pair_keys, m) != MMIS_OK)
		goto out;
	if (corrections_build(ix) != MMIS_OK)
		goto out;
	ix->rank_year = malloc((ix->n + 1) * sizeof(*ix->rank_year));
	ix->rank_parts = malloc(ix->n + 1);
	ix->sig = calloc(ix->n + 1, sizeof(*ix->sig));
	if (!ix->rank_year || !ix->rank_parts || !ix->sig)
		goto out;
	for (size_t r = 0; r < ix->n; r++) {
		const struct rec *rec = &ix->recs[r];
		const uint32_t *p = ix->npool + rec->names;
		ix->rank_year[r] = rec->year;
		for (size_t d = 1; d < rec->n_dates; d++)
			if ((ix->upool[rec->vals + d] >> 16) != rec->year)
				ix->rank_year[r] = 0; /* several years: no year to go by */
		ix->rank_parts[r] = (uint8_t)((*p > 0x7f ? 0x7f : *p) | (rec->single ? RANK_SINGLE : 0));
		size_t nn = rec_names(ix, rec, m);
		for (size_t k = 0; k < nn; k++)
			for (int i = 0; i + 1 < m[k].n; i++) {
				uint32_t c;
				if (join_common(ix, &m[k], i, &c))
					ix->sig[r] |= sig_bits(c);
			}
		for (size_t i = 0; i < rec->n_names; i++) {
			uint32_t n = *p++;
			for (uint32_t k = 0; k < n; k++, p++) {
				uint32_t c[2];
				if (!(ix->dparts[*p].flags & MPART_COMMON))
					continue;
				for (size_t j = canon_keys(&ix->dparts[*p], c); j-- > 0;)
					ix->sig[r] |= sig_bits(c[j]);
			}
		}
	}
	ix->built = true;
	rc = MMIS_OK;
out:
	free(ix->dk_off);
	free(ix->dk);
	ix->dk_off = ix->dk = NULL;
	free(ix->dtab); /* no more parts come */
	ix->dtab = NULL;
	ix->dmask = 0;
	free(m);
	if (rc != MMIS_OK) {
		postings_free(&ix->parts);
		postings_free(&ix->pairs);
		return mmis_error_set(err, rc, NULL, "out of memory building the index");
	}
	return MMIS_OK;
}

size_t match_index_count(const struct match_index *ix)
{
	return ix ? ix->n : 0;
}

static size_t postings_memory(const struct postings *p)
{
	return p->n_keys * 8 + 4 + p->n_post * 4 + (p->dir ? (((size_t)1 << p->dir_bits) + 1) * 4 : 0);
}

size_t match_index_memory(const struct match_index *ix)
{
	if (!ix)
		return 0;
	return sizeof(*ix) + ix->cap * sizeof(*ix->recs) + ix->ccap + ix->ucap * 4 + ix->ncap * 4 +
	       ix->dcap * sizeof(*ix->dparts) + ix->dtcap * 4 + ix->dpcap +
	       (ix->dtab ? (ix->dmask + 1) * 4 : 0) +
	       (ix->idtab_id ? (ix->idmask + 1) * 8 : 0) + postings_memory(&ix->parts) +
	       postings_memory(&ix->pairs) + (ix->rank_year ? ix->n * 11 : 0) + ix->n_corr * 8 +
	       ix->dfcap * 4 + ix->n_cls * 4 + (ix->sfreq ? (ix->smask + 1) * 8 : 0);
}

/* ---- search */

static struct scratch *scratch_get(struct match_index *ix)
{
	struct scratch *s;

	pthread_mutex_lock(&ix->lock);
	s = ix->free_scratch;
	if (s)
		ix->free_scratch = s->next;
	pthread_mutex_unlock(&ix->lock);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cnt = calloc(ix->n + 1, 1);
	s->last = calloc(ix->n + 1, 1);
	s->touched = malloc((ix->n + 1) * 4);
	s->cand = malloc((ix->n + 1) * 4);
	s->units = malloc(UNITS_MAX * sizeof(*s->units));
	s->em = malloc(MREC_NAMES_MAX * sizeof(*s->em));
	if (!s->cnt || !s->last || !s->touched || !s->cand || !s->units || !s->em) {
		free(s->cnt);
		free(s->last);
		free(s->touched);
		free(s->cand);
		free(s->units);
		free(s->em);
		free(s);
		return NULL;
	}
	return s;
}

static void scratch_put(struct match_index *ix, struct scratch *s)
{
	pthread_mutex_lock(&ix->lock);
	s->next = ix->free_scratch;
	ix->free_scratch = s;
	pthread_mutex_unlock(&ix->lock);
}

struct query {
	struct mname *names;
	size_t n_names;
	struct mevidence ev;
	uint32_t dates[MREC_VALUES_MAX], nats[MREC_VALUES_MAX];
	char docs[MREC_VALUES_MAX * 32];
	int need;
	uint32_t self; /* dedup: only records after this one, Y keys; UINT32_MAX otherwise */
};

struct found {
	double score;
	double raw; /* before clamping: of two hits at 1, the one with more evidence first */
	uint32_t rec;
};

/* The lists of a unit's keys (those that exist, each once, none longer than `skip_over`). */
static void unit_lists(const struct match_index *ix, struct unit *u, const uint32_t *keys,
		       size_t n, size_t skip_over)
{
	u->nk = 0;
	u->incomplete = false;
	for (size_t i = 0; i < n; i++) {
		const uint32_t *l;
		size_t len;
		bool dup = false;
		if (!lookup(&ix->parts, keys[i], &l, &len))
			continue;
		if (len > skip_over) {
			u->incomplete = true;
			continue;
		}
		for (size_t j = 0; j < u->nk; j++)
			dup |= u->list[j] == l;
		if (!dup) {
			u->list[u->nk] = l;
			u->len[u->nk++] = (uint32_t)len;
		}
	}
}

/* Whether record r (probably) has a part that a common unit stands for: its signature. */
static bool rec_has(const struct match_index *ix, uint32_t r, const struct unit *u)
{
	uint64_t sig = ix->sig[r];
	for (size_t i = 0; i < u->n_canon; i++)
		if ((sig & sig_bits(u->canon[i])) == sig_bits(u->canon[i]))
			return true;
	return false;
}

/* Add `add` to the count of record r for unit `stamp`, once per unit. */
static inline void hit(struct scratch *s, uint32_t r, uint8_t stamp, uint8_t add, size_t *nt)
{
	if (s->last[r] == stamp)
		return;
	if (!s->cnt[r])
		s->touched[(*nt)++] = r;
	s->last[r] = stamp;
	s->cnt[r] = (uint8_t)(s->cnt[r] + add > 250 ? 250 : s->cnt[r] + add);
}

/* The index of the first element of a sorted list greater than `after` (dedup). */
static size_t list_after(const uint32_t *l, size_t len, uint32_t after)
{
	size_t lo = 0, hi = len;
	if (after == UINT32_MAX)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}


/*
 * The quick rank of a candidate for the rescoring window (0..255): the units agreeing, a first
 * name of as many parts as the query's, the birth year (the first of each).
 */
static unsigned quick_rank(const struct match_index *ix, const struct scratch *s,
			   const struct query *q, uint32_t r)
{
	unsigned v = 8u * (s->cnt[r] > 20 ? 20u : s->cnt[r]) + 16;
	unsigned np = ix->rank_parts[r] & ~RANK_SINGLE, nq = q->n_names ? q->names[0].n : np;
	unsigned diff = np > nq ? np - nq : nq - np;

	v -= 3 * (diff > 3 ? 3 : diff);
	if (q->ev.n_dates && ix->rank_year[r])
		v = (q->ev.dates[0] >> 16) == ix->rank_year[r] ? v + 6 : v - 6;
	return v > 255 ? 255 : v;
}

/*
 * A part that starts with a particle ("alhalabi", "elamin") as the rest of it, prepared into *out
 * (its text points into the part's); false when it does not (or the rest is under 3 letters).
 * The longest particle first.
 */
static bool particle_split(const struct mpart *p, struct mpart *out)
{
	if (p->len < 5)
		return false;
	for (size_t n = p->len > 7 ? 4 : (size_t)p->len - 3; n >= 2; n--)
		if (mequiv_particle(p->text, n)) {
			mpart_prepare(out, p->text + n, p->len - n);
			return true;
		}
	return false;
}

/*
 * The candidates of a prepared query, scored; those at or above `threshold` into *found (grown),
 * their number in *n_found. False when out of memory.
 */
static bool candidates(const struct match_index *ix, struct scratch *s, const struct query *q,
		       double threshold, struct found **found, size_t *n_found, size_t *found_cap)
{
	struct unit *units = s->units;
	struct mname *em = s->em;
	uint32_t keys[UNIT_KEYS + 4];
	size_t nu = 0, nt = 0, nc = 0, n_common = 0, n_rare = 0, n_rare_parts = 0, n_incomplete = 0;
	size_t n_split = 0;
	struct mpart splits[SPLITS_MAX];
	unsigned need;
	uint16_t year;
	uint8_t stamp = 0;
	bool ok = true, dedup = q->self != UINT32_MAX;

	/* dedup blocking: records born in another year are not candidates (0: no such rule) */
	year = dedup ? ix->rank_year[q->self] : 0;
	*n_found = 0;
	if (++s->cache.stamp == 0) {
		memset(&s->cache, 0, sizeof(s->cache));
		s->cache.stamp = 1;
	}
	/* Documents: a record they reach is a candidate whatever its names. */
	const char *d = q->ev.docs;
	for (size_t i = 0; i < q->ev.n_docs; i++, d += strlen(d) + 1) {
		const uint32_t *l;
		size_t len;
		if (!lookup(&ix->parts, key_hash('N', d, strlen(d), -1), &l, &len))
			continue;
		for (size_t k = list_after(l, len, q->self); k < len; k++) {
			if (!s->cnt[l[k]])
				s->touched[nt++] = l[k];
			s->cnt[l[k]] = 250;
		}
	}
	/* The units: parts (each spelling once over the query's names) and joined neighbours. */
	for (size_t k = 0; k < q->n_names; k++) {
		const struct mname *m = &q->names[k];
		for (int i = 0; i < m->n && nu < UNITS_MAX; i++) {
			bool dup = false;
			if (m->p[i]->flags & MPART_PARTICLE)
				continue;
			for (size_t j = 0; j < nu && !dup; j++)
				dup = units[j].part && units[j].part->len == m->p[i]->len &&
				      !memcmp(units[j].part->text, m->p[i]->text, m->p[i]->len);
			if (dup)
				continue;
			struct unit *u = &units[nu++];
			u->part = m->p[i];
			u->name = (uint8_t)k;
			u->common = part_frequency(ix, u->part) > ix->common_cap;
			u->n_canon = (uint8_t)canon_keys(u->part, u->canon);
			if (u->common) {
				n_common++;
				u->nk = 0;
				correct(ix, u);
			} else {
				size_t nk = part_keys(u->part, keys);
				unit_lists(ix, u, keys, nk, ix->common_cap);
				if (u->incomplete && correct(ix, u)) {
					/* a misspelt common name: found as that name */
					u->common = true;
					n_common++;
					continue;
				}
				if (u->incomplete) /* a second chance, at a cost */
					unit_lists(ix, u, keys, nk, 2 * ix->common_cap);
				n_rare++;
				n_rare_parts++;
				n_incomplete += u->incomplete;
				/*
				 * Still too long: the part may be a particle and a common name written
				 * together ("alhalabi", listed as "al halabi"): the name without the
				 * particle is one more unit.
				 */
				if (u->incomplete && n_split < SPLITS_MAX && nu < UNITS_MAX &&
				    particle_split(m->p[i], &splits[n_split])) {
					struct unit *v = &units[nu++];
					const struct mpart *sp = &splits[n_split++];
					v->part = sp;
					v->name = (uint8_t)k;
					v->n_canon = (uint8_t)canon_keys(sp, v->canon);
					v->common = part_frequency(ix, sp) > ix->common_cap;
					v->nk = 0;
					v->incomplete = false;
					if (v->common) {
						n_common++;
					} else {
						size_t nk2 = part_keys(sp, keys);
						unit_lists(ix, v, keys, nk2, 2 * ix->common_cap);
						n_rare++;
					}
				}
			}
		}
		for (int i = 0; i + 1 < m->n && nu < UNITS_MAX; i++) {
			struct unit *u = &units[nu++];
			uint32_t c;
			u->part = NULL;
			u->common = false;
			u->name = (uint8_t)k;
			unit_lists(ix, u, keys, join_keys(m, i, keys), ix->common_cap);
			/* two parts that are one common name written apart ("abdel aziz"): a common
			 * unit, found through its pairs and the records' signatures */
			if (u->incomplete && join_common(ix, m, i, &c)) {
				u->common = true;
				u->canon[0] = c;
				u->n_canon = 1;
				n_common++;
			}
		}
	}
	/* Rare units (and corrected ones) count the records they reach. */
	for (size_t u = 0; u < nu; u++) {
		if (!units[u].nk)
			continue;
		stamp++;
		for (size_t k = 0; k < units[u].nk; k++) {
			const uint32_t *l = units[u].list[k];
			size_t i = list_after(l, units[u].len[k], q->self);
			if (year)
				for (; i < units[u].len[k]; i++) {
					if (ix->rank_year[l[i]] && ix->rank_year[l[i]] != year)
						continue; /* dedup: born in another year */
					hit(s, l[i], stamp, 1, &nt);
				}
			else
				for (; i < units[u].len[k]; i++)
					hit(s, l[i], stamp, 1, &nt);
		}
	}
	/* Two common units of one name: their pair lists (with the birth year when de-duplicating). */
	for (size_t a = 0; a < nu; a++) {
		for (size_t b = a + 1; b < nu; b++) {
			if (!units[a].common || !units[b].common || units[a].name != units[b].name)
				continue;
			if (stamp == 255)
				break;
			stamp++;
			for (size_t x = 0; x < units[a].n_canon; x++)
				for (size_t y = 0; y < units[b].n_canon; y++) {
					size_t ny = dedup ? q->ev.n_dates : 1;
					for (size_t yi = 0; yi < ny; yi++) {
						const uint32_t *l;
						size_t len;
						uint32_t key = dedup ? pair_key('Y', units[a].canon[x],
										units[b].canon[y],
										q->ev.dates[yi] >> 16)
								     : pair_key('Q', units[a].canon[x],
										units[b].canon[y], 0);
						if (!lookup(&ix->pairs, key, &l, &len))
							continue;
						/* with a rarer part to go by, a long list of a
						 * common pair adds only records without it */
						if (n_rare_parts && len > ix->common_cap)
							continue;
						for (size_t i = list_after(l, len, q->self); i < len; i++)
							hit(s, l[i], stamp, 2, &nt);
					}
				}
		}
	}
	/* A one-part query of a common name: the records of one-part names that hold it. */
	if (q->need == 1 && !n_rare && n_common && !dedup) {
		stamp++;
		for (size_t u = 0; u < nu; u++) {
			if (!units[u].common)
				continue;
			for (size_t c = 0; c < units[u].n_canon; c++) {
				const uint32_t *l;
				size_t len;
				if (!lookup(&ix->parts, units[u].canon[c], &l, &len))
					continue;
				for (size_t i = 0; i < len; i++)
					if (ix->rank_parts[l[i]] & RANK_SINGLE)
						hit(s, l[i], stamp, 1, &nt);
			}
		}
	}

	/*
	 * Who qualifies: enough units, directly or with common units found in the record. A unit
	 * whose lists were not all read (a misspelt common name, "Mohamad" as "Moammed") may agree
	 * with a record that it did not reach: such records need one unit less, and the rescoring
	 * window keeps the best of them.
	 */
	need = (unsigned)q->need;
	need = need > n_incomplete ? need - (unsigned)n_incomplete : 1;
	for (size_t t = 0; t < nt; t++) {
		uint32_t r = s->touched[t];
		unsigned c = s->cnt[r];
		if (t + PREFETCH < nt) {
			/* the records are spread over the arrays: ask for them ahead */
			__builtin_prefetch(&ix->sig[s->touched[t + PREFETCH]]);
			__builtin_prefetch(&ix->rank_parts[s->touched[t + PREFETCH]]);
		}
		s->last[r] = 0;
		if (c >= need) {
			s->cand[nc++] = r; /* the common case: no need to read the record */
			continue;
		}
		bool single = ix->rank_parts[r] & RANK_SINGLE;
		if (c < need && !(single && c >= 1) && n_common) {
			for (size_t u = 0; u < nu && c < need; u++)
				if (units[u].common && rec_has(ix, r, &units[u]))
					c++;
			s->cnt[r] = (uint8_t)c;
		}
		if (c < need && !(single && c >= 1)) {
			s->cnt[r] = 0;
			continue;
		}
		if (dedup && r <= q->self) {
			s->cnt[r] = 0;
			continue;
		}
		s->cand[nc++] = r;
	}
	/* The rescoring window: the best-ranked MAX_SCORED when there are more. */
	if (nc > MAX_SCORED) {
		unsigned hist[256] = { 0 }, cut = 255, acc = 0;
		for (size_t i = 0; i < nc; i++) {
			uint32_t r = s->cand[i];
			if (i + PREFETCH < nc)
				__builtin_prefetch(&ix->rank_year[s->cand[i + PREFETCH]]);
			s->last[r] = (uint8_t)quick_rank(ix, s, q, r); /* stamps are done with */
			hist[s->last[r]]++;
		}
		while (cut > 0 && acc + hist[cut] <= MAX_SCORED)
			acc += hist[cut--];
		/* ranks above `cut` all fit; of rank `cut`, as many as there is room for */
		size_t kept = 0, room = MAX_SCORED - acc;
		for (size_t i = 0; i < nc; i++) {
			uint32_t r = s->cand[i];
			unsigned v = s->last[r];
			s->last[r] = 0;
			if (v > cut || (v == cut && room && room--))
				s->cand[kept++] = r;
			else
				s->cnt[r] = 0;
		}
		nc = kept;
	}
	for (size_t i = 0; i < nc; i++) {
		uint32_t r = s->cand[i];
		const struct rec *rec = &ix->recs[r];
		struct mevidence ev;
		s->cnt[r] = 0;
		if (i + 4 < nc)
			__builtin_prefetch(&ix->recs[s->cand[i + 4]]);
		if (i + 2 < nc)
			__builtin_prefetch(&ix->npool[ix->recs[s->cand[i + 2]].names]);
		if (!ok)
			continue;
		size_t ne = rec_names(ix, rec, em);
		rec_evidence(ix, rec, &ev);
		double raw;
		double sc = mrecord_score(q->names, q->n_names, &q->ev, em, ne, &ev, NULL, &s->cache,
					  &raw);
		if (sc < threshold)
			continue;
		if (!grow(found, found_cap, *n_found + 1, sizeof(**found))) {
			ok = false;
			continue;
		}
		(*found)[(*n_found)++] = (struct found){ sc, raw, r };
	}
	/* every count back to zero for the next search */
	for (size_t t = 0; t < nt; t++)
		s->cnt[s->touched[t]] = 0;
	return ok;
}
/* Prepare a query from a record given by the caller; false with err set when nothing usable. */
static enum mmis_err query_prepare(struct query *q, const struct match_record *r,
				   struct mmis_error *err)
{
	char norm[MATCH_NORM_MAX];
	size_t off = 0;
	int maxreal = 0;
	struct mmis_error first = { 0 };

	memset(&q->ev, 0, sizeof(q->ev));
	q->ev.dates = q->dates;
	q->ev.nats = q->nats;
	q->ev.docs = q->docs;
	q->n_names = 0;
	q->self = UINT32_MAX;
	q->names = calloc(r->n_names ? (r->n_names < MREC_NAMES_MAX ? r->n_names : MREC_NAMES_MAX) : 1,
			  sizeof(*q->names));
	if (!q->names)
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < r->n_names && q->n_names < MREC_NAMES_MAX; i++) {
		struct mmis_error e;
		if (match_normalise(r->names[i], "name", norm, &e) != MMIS_OK) {
			if (!first.code)
				first = e;
			continue;
		}
		struct mname *m = &q->names[q->n_names];
		mname_prepare(m, norm);
		for (int k = 0; k < m->n; k++)
			m->own[k].qid = (uint16_t)(q->n_names * MATCH_PARTS_MAX + (size_t)k + 1);
		q->n_names++;
		int real = 0;
		for (int k = 0; k < m->n; k++)
			real += !(m->p[k]->flags & MPART_PARTICLE);
		if (real > maxreal)
			maxreal = real;
	}
	q->need = maxreal >= 2 ? 2 : 1;
	for (size_t i = 0; i < r->n_birth_dates && q->ev.n_dates < MREC_VALUES_MAX; i++)
		if (mdate_pack(r->birth_dates[i], &q->dates[q->ev.n_dates]))
			q->ev.n_dates++;
	for (size_t i = 0; i < r->n_nationalities && q->ev.n_nats < MREC_VALUES_MAX; i++)
		if (mnat_pack(r->nationalities[i], &q->nats[q->ev.n_nats]))
			q->ev.n_nats++;
	q->ev.sex = msex_of(r->sex);
	for (size_t i = 0; i < r->n_documents && q->ev.n_docs < MREC_VALUES_MAX; i++) {
		char d[32];
		if (match_document_normalise(r->documents[i], d, NULL) != MMIS_OK)
			continue;
		size_t l = strlen(d) + 1;
		memcpy(q->docs + off, d, l);
		off += l;
		q->ev.n_docs++;
	}
	if (!q->n_names && !q->ev.n_docs) {
		free(q->names);
		q->names = NULL;
		if (first.code)
			return mmis_error_set(err, first.code, first.field, "%s", first.message);
		return mmis_error_set(err, MMIS_EINVAL, "name",
				      "the query has no name and no document number");
	}
	return MMIS_OK;
}

static int found_cmp_ids(const struct match_index *ix, const struct found *a, const struct found *b)
{
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->raw != b->raw)
		return a->raw < b->raw ? 1 : -1;
	uint32_t x = ix->recs[a->rec].id, y = ix->recs[b->rec].id;
	return x < y ? -1 : x > y;
}

/* Sort found[] best first (ties by id); insertion sort on the few, a heap is not worth it. */
static void found_sort(const struct match_index *ix, struct found *f, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct found x = f[i];
		size_t j = i;
		while (j > 0 && found_cmp_ids(ix, &f[j - 1], &x) > 0) {
			f[j] = f[j - 1];
			j--;
		}
		f[j] = x;
	}
}

enum mmis_err match_index_search(const struct match_index *ix, const struct match_record *query,
				 double threshold, size_t limit, struct match_hit *hits,
				 size_t *n_hits, struct mmis_error *err)
{
	struct match_index *mix = (struct match_index *)ix; /* the scratch pool only */
	struct query q;
	struct scratch *s;
	struct found *found = NULL;
	size_t n_found = 0, found_cap = 0;
	enum mmis_err rc;

	*n_hits = 0;
	if (!ix->built)
		return mmis_error_set(err, MMIS_ECONFLICT, NULL, "the index is not built yet");
	if (!(threshold >= 0.0 && threshold <= 1.0))
		return mmis_error_set(err, MMIS_EINVAL, "threshold", "threshold must be from 0 to 1");
	if (!query)
		return mmis_error_set(err, MMIS_EINVAL, "name", "no query");
	if ((rc = query_prepare(&q, query, err)) != MMIS_OK)
		return rc;
	if (!limit || !ix->n) {
		free(q.names);
		return MMIS_OK;
	}
	s = scratch_get(mix);
	if (!s) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (!candidates(ix, s, &q, threshold, &found, &n_found, &found_cap)) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	/* The best `limit`: a partial selection, then their explanations. */
	if (n_found > limit) {
		for (size_t i = 0; i < limit; i++) {
			size_t best = i;
			for (size_t j = i + 1; j < n_found; j++)
				if (found_cmp_ids(ix, &found[j], &found[best]) < 0)
					best = j;
			struct found t = found[i];
			found[i] = found[best];
			found[best] = t;
		}
		n_found = limit;
	}
	found_sort(ix, found, n_found);
	for (size_t i = 0; i < n_found; i++) {
		const struct rec *rec = &ix->recs[found[i].rec];
		struct mevidence ev;
		size_t ne = rec_names(ix, rec, s->em);
		json_t *reasons = json_array();
		rec_evidence(ix, rec, &ev);
		if (!reasons) {
			match_hits_free(hits, *n_hits);
			*n_hits = 0;
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			goto out;
		}
		mrecord_score(q.names, q.n_names, &q.ev, s->em, ne, &ev, reasons, &s->cache, NULL);
		hits[i] = (struct match_hit){ rec->id, found[i].score, reasons };
		(*n_hits)++;
	}
out:
	if (s)
		scratch_put(mix, s);
	free(found);
	free(q.names);
	return rc;
}

void match_hits_free(struct match_hit *hits, size_t n)
{
	for (size_t i = 0; hits && i < n; i++) {
		json_decref(hits[i].reasons);
		hits[i].reasons = NULL;
	}
}

/* ---- dedup */

struct pair {
	uint32_t a, b;
	double score;
};

struct dedup_job {
	const struct match_index *ix;
	double threshold;
	size_t next;  /* the next record to take (under lock) */
	pthread_mutex_t lock;
	bool failed;
};

struct dedup_worker {
	struct dedup_job *job;
	struct pair *pairs;
	size_t n, cap;
	bool failed;
};

/* Record r of the index as a query. */
static void query_of_rec(const struct match_index *ix, uint32_t r, struct query *q)
{
	const struct rec *rec = &ix->recs[r];
	int maxreal = 0;

	q->n_names = rec_names(ix, rec, q->names);
	for (size_t i = 0; i < q->n_names; i++) {
		struct mname *m = &q->names[i];
		int real = 0;
		for (int k = 0; k < m->n; k++) {
			m->own[k] = *m->p[k]; /* the query's own copy, to number */
			m->own[k].qid = (uint16_t)(i * MATCH_PARTS_MAX + (size_t)k + 1);
			m->p[k] = &m->own[k];
			real += !(m->p[k]->flags & MPART_PARTICLE);
		}
		if (real > maxreal)
			maxreal = real;
	}
	q->need = maxreal >= 2 ? 2 : 1;
	rec_evidence(ix, rec, &q->ev);
	q->self = r;
}

static void *dedup_run(void *arg)
{
	struct dedup_worker *w = arg;
	struct dedup_job *job = w->job;
	const struct match_index *ix = job->ix;
	struct scratch *s = scratch_get((struct match_index *)ix);
	struct mname *qn = malloc(MREC_NAMES_MAX * sizeof(*qn));
	struct found *found = NULL;
	size_t n_found, found_cap = 0;
	struct query q;

	if (!s || !qn) {
		w->failed = true;
		goto out;
	}
	for (;;) {
		size_t from, to;
		pthread_mutex_lock(&job->lock);
		from = job->next;
		to = from + 256 < ix->n ? from + 256 : ix->n;
		job->next = to;
		pthread_mutex_unlock(&job->lock);
		if (from >= ix->n || job->failed)
			break;
		for (size_t r = from; r < to; r++) {
			q.names = qn;
			query_of_rec(ix, (uint32_t)r, &q);
			if (!candidates(ix, s, &q, job->threshold, &found, &n_found, &found_cap)) {
				w->failed = true;
				goto out;
			}
			for (size_t i = 0; i < n_found; i++) {
				if (!grow(&w->pairs, &w->cap, w->n + 1, sizeof(*w->pairs))) {
					w->failed = true;
					goto out;
				}
				w->pairs[w->n++] = (struct pair){ (uint32_t)r, found[i].rec,
								  found[i].score };
			}
		}
	}
out:
	if (s)
		scratch_put((struct match_index *)ix, s);
	free(qn);
	free(found);
	return NULL;
}

enum mmis_err match_dedup(const struct match_index *ix, double threshold, unsigned threads,
			  match_pair_fn pair, void *ctx, struct mmis_error *err)
{
	struct dedup_job job = { ix, threshold, 0, PTHREAD_MUTEX_INITIALIZER, false };
	struct dedup_worker *w;
	pthread_t *tid;
	enum mmis_err rc = MMIS_OK;
	unsigned started = 0;

	if (!ix->built)
		return mmis_error_set(err, MMIS_ECONFLICT, NULL, "the index is not built yet");
	if (!(threshold >= 0.0 && threshold <= 1.0))
		return mmis_error_set(err, MMIS_EINVAL, "threshold", "threshold must be from 0 to 1");
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > 64)
		threads = 64;
	w = calloc(threads, sizeof(*w));
	tid = calloc(threads, sizeof(*tid));
	if (!w || !tid) {
		free(w);
		free(tid);
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	}
	for (unsigned t = 0; t < threads; t++) {
		w[t].job = &job;
		if (pthread_create(&tid[t], NULL, dedup_run, &w[t]))
			break;
		started++;
	}
	if (!started) {
		/* no thread could start: work on this one */
		w[0].job = &job;
		dedup_run(&w[0]);
		started = 0;
	}
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	for (unsigned t = 0; t < threads; t++)
		if (w[t].failed)
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory finding duplicates");
	/* The callback, from this thread, with the explanation made here. */
	struct mname *an = malloc(MREC_NAMES_MAX * sizeof(*an));
	struct mname *bn = malloc(MREC_NAMES_MAX * sizeof(*bn));
	if (!an || !bn)
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
	for (unsigned t = 0; t < threads && rc == MMIS_OK; t++) {
		for (size_t i = 0; i < w[t].n && rc == MMIS_OK; i++) {
			const struct pair *p = &w[t].pairs[i];
			const struct rec *ra = &ix->recs[p->a], *rb = &ix->recs[p->b];
			struct mevidence ea, eb;
			size_t na = rec_names(ix, ra, an), nb = rec_names(ix, rb, bn);
			json_t *reasons = json_array();
			uint32_t a = ra->id, b = rb->id;
			rec_evidence(ix, ra, &ea);
			rec_evidence(ix, rb, &eb);
			if (!reasons) {
				rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
				break;
			}
			mrecord_score(an, na, &ea, bn, nb, &eb, reasons, NULL, NULL);
			if (a > b) {
				uint32_t x = a;
				a = b;
				b = x;
			}
			rc = pair(ctx, a, b, p->score, reasons);
			if (rc != MMIS_OK && err && !err->code)
				mmis_error_set(err, rc, NULL, "%s", mmis_strerror(rc));
		}
	}
	free(an);
	free(bn);
	for (unsigned t = 0; t < threads; t++)
		free(w[t].pairs);
	free(w);
	free(tid);
	pthread_mutex_destroy(&job.lock);
	return rc;
}
