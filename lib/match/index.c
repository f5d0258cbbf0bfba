/*
 * index.c - the candidate index over many records (alert-list entries, person records): posting
 * lists from keys of name parts to records, a counting array to find the records that share
 * enough parts with a query, then the full comparison of those candidates only.
 *
 * Keys of a name part (32-bit hashes of a kind letter and a string):
 *   D  the skeleton, and, for skeletons of 4 letters or more, the skeleton with each letter
 *      deleted in turn (a deletion neighbourhood: two spellings one edit apart share a key, so a
 *      query with one typing error still reaches the entry)
 *   C  the equivalence class (Mohamed reaches Muhammad)
 *   P  the consonant key, when it has two letters or more (Arabic script "mhmd" reaches Mohamed)
 * and of two neighbouring parts written together, D of the joined skeleton ("abdel kader" reaches
 * "abdelkader" both ways), and of a document number, N.
 *
 * A query's parts (and joined neighbours) are its units. A record is a candidate when at least
 * two units reach it (one when no name of the query has two parts that are not particles, or the
 * record has a one-part name), or a document number reaches it. Units are visited from the
 * rarest (shortest posting lists) to the commonest, and the commonest only counts records already
 * found, never adds new ones: a record reached by two units is reached by one of the rarer ones.
 * So "Mohammed", in the lists of one record in twenty, costs a pass over its lists but adds no
 * candidates when the query has another part.
 *
 * Layout after match_index_build: keys sorted, a directory over their top bits, an offset per key
 * and one array of record numbers (ascending within a key). Records keep their normalised names
 * and packed evidence in two pools. Searching uses per-thread scratch (a count and a stamp per
 * record) taken from a small pool under a mutex, so any number of threads may search at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define UNITS_MAX 250    /* units of a query that are looked up (stamps are bytes) */
#define UNIT_KEYS 48     /* keys of one unit at most */
#define DEL_MIN 4        /* skeletons this long or longer get deletion keys */

struct rec {
	uint32_t id;
	uint32_t names; /* offset in cpool: n_names NUL-terminated normalised names */
	uint32_t docs;  /* offset in cpool: n_docs NUL-terminated document numbers */
	uint32_t vals;  /* offset in upool: n_dates dates, then n_nats nationalities */
	uint8_t n_names, n_dates, n_nats, n_docs;
	char sex;
	uint8_t single; /* a name of one part (not counting particles) */
	uint16_t year;  /* the first birth year, 0 when none (dedup blocking) */
};

struct scratch {
	struct scratch *next;
	uint8_t *cnt, *last;
	uint32_t *touched;
	size_t n;
};

struct match_index {
	bool built;
	struct rec *recs;
	size_t n, cap;
	char *cpool;
	size_t clen, ccap;
	uint32_t *upool;
	size_t ulen, ucap;
	/* ids -> record numbers (open addressing; id + 1 stored, 0 empty) */
	uint32_t *idtab_id, *idtab_rec;
	size_t idmask, idused;
	/* postings */
	uint32_t *keys, *offs, *post, *dir;
	size_t n_keys, n_post;
	unsigned dir_bits;
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
	size_t a = m->p[i].len, b = m->p[i + 1].len, sn, n = 0;

	memcpy(text, m->p[i].text, a);
	memcpy(text + a, m->p[i + 1].text, b);
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
		free(s);
	}
	pthread_mutex_destroy(&ix->lock);
	free(ix->recs);
	free(ix->cpool);
	free(ix->upool);
	free(ix->idtab_id);
	free(ix->idtab_rec);
	free(ix->keys);
	free(ix->offs);
	free(ix->post);
	free(ix->dir);
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

/* Whether a normalised name has exactly one part that is not a particle. */
static bool one_part(const char *norm)
{
	struct mname m;
	int real = 0;
	mname_prepare(&m, norm);
	for (int i = 0; i < m.n; i++)
		real += !(m.p[i].flags & MPART_PARTICLE);
	return real <= 1;
}

enum mmis_err match_index_add(struct match_index *ix, uint32_t id, const struct match_record *r,
			      struct mmis_error *err)
{
	char norm[MATCH_NORM_MAX], doc[32];
	size_t clen = ix->clen, ulen = ix->ulen, n_names = 0;
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
	rec.names = (uint32_t)ix->clen;
	for (size_t i = 0; i < r->n_names; i++) {
		if ((rc = match_normalise(r->names[i], "name", norm, err)) != MMIS_OK)
			goto undo;
		size_t l = strlen(norm) + 1;
		if (!grow(&ix->cpool, &ix->ccap, ix->clen + l, 1) || ix->clen + l > UINT32_MAX) {
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			goto undo;
		}
		memcpy(ix->cpool + ix->clen, norm, l);
		ix->clen += l;
		n_names++;
		if (one_part(norm))
			rec.single = 1;
	}
	rec.n_names = (uint8_t)n_names;
	rec.docs = (uint32_t)ix->clen;
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
	ix->clen = clen;
	ix->ulen = ulen;
	return rc;
}

/* The prepared names of record `r` into m[] (room for r->n_names). */
static size_t rec_names(const struct match_index *ix, const struct rec *r, struct mname *m)
{
	const char *p = ix->cpool + r->names;
	for (size_t i = 0; i < r->n_names; i++, p += strlen(p) + 1)
		mname_prepare(&m[i], p);
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

/* Every key of a record, sorted and unique, into *keys (grown as needed); their number. */
static size_t rec_keys(const struct match_index *ix, const struct rec *r, uint32_t **keys,
		       size_t *cap, struct mname *m)
{
	size_t n = 0;
	const char *p = ix->cpool + r->names;

	for (size_t k = 0; k < r->n_names; k++, p += strlen(p) + 1) {
		mname_prepare(m, p);
		if (!grow(keys, cap, n + (size_t)m->n * (UNIT_KEYS + 2) + 2, 4))
			return SIZE_MAX;
		for (int i = 0; i < m->n; i++) {
			if (m->p[i].flags & MPART_PARTICLE)
				continue;
			n += part_keys(&m->p[i], *keys + n);
		}
		for (int i = 0; i + 1 < m->n; i++)
			n += join_keys(m, i, *keys + n);
	}
	p = ix->cpool + r->docs;
	for (size_t k = 0; k < r->n_docs; k++, p += strlen(p) + 1) {
		if (!grow(keys, cap, n + 1, 4))
			return SIZE_MAX;
		(*keys)[n++] = key_hash('N', p, strlen(p), -1);
	}
	qsort(*keys, n, 4, u32_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (!u || (*keys)[u - 1] != (*keys)[i])
			(*keys)[u++] = (*keys)[i];
	return u;
}

enum mmis_err match_index_build(struct match_index *ix, struct mmis_error *err)
{
	enum { BUCKET_BITS = 20 };
	size_t nb = (size_t)1 << BUCKET_BITS, total = 0, kcap = 0;
	uint32_t *kbuf = NULL, *bstart = NULL;
	uint64_t *pairs = NULL;
	struct mname *m = malloc(sizeof(*m));
	enum mmis_err rc = MMIS_OK;

	if (ix->built)
		return MMIS_OK;
	bstart = calloc(nb + 1, sizeof(*bstart));
	if (!m || !bstart)
		goto nomem;
	/* Pass 1: how many (key, record) pairs fall in each bucket of the keys' top bits. */
	for (size_t r = 0; r < ix->n; r++) {
		size_t n = rec_keys(ix, &ix->recs[r], &kbuf, &kcap, m);
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
	if (!pairs)
		goto nomem;
	/* Pass 2: the pairs in their buckets, records ascending. */
	{
		uint32_t *fill = malloc(nb * sizeof(*fill));
		if (!fill)
			goto nomem;
		memcpy(fill, bstart, nb * sizeof(*fill));
		for (size_t r = 0; r < ix->n; r++) {
			size_t n = rec_keys(ix, &ix->recs[r], &kbuf, &kcap, m);
			if (n == SIZE_MAX) {
				free(fill);
				goto nomem;
			}
			for (size_t i = 0; i < n; i++)
				pairs[fill[kbuf[i] >> (32 - BUCKET_BITS)]++] =
					(uint64_t)kbuf[i] << 32 | (uint32_t)r;
		}
		free(fill);
	}
	/* Sort each bucket by (key, record); then the keys, their offsets and the postings. */
	size_t n_keys = 0;
	for (size_t b = 0; b < nb; b++) {
		size_t lo = bstart[b], hi = bstart[b + 1];
		if (hi - lo > 1)
			qsort(pairs + lo, hi - lo, sizeof(*pairs), u64_cmp);
		for (size_t i = lo; i < hi; i++)
			n_keys += i == lo || (pairs[i] >> 32) != (pairs[i - 1] >> 32);
	}
	ix->keys = malloc((n_keys ? n_keys : 1) * 4);
	ix->offs = malloc((n_keys + 1) * 4);
	ix->post = malloc((total ? total : 1) * 4);
	ix->dir_bits = BUCKET_BITS;
	ix->dir = bstart; /* becomes the directory of key numbers */
	bstart = NULL;
	if (!ix->keys || !ix->offs || !ix->post)
		goto nomem;
	{
		size_t k = 0;
		for (size_t i = 0; i < total; i++) {
			uint32_t key = (uint32_t)(pairs[i] >> 32);
			if (!i || key != (uint32_t)(pairs[i - 1] >> 32)) {
				ix->keys[k] = key;
				ix->offs[k++] = (uint32_t)i;
			}
			ix->post[i] = (uint32_t)pairs[i];
		}
		ix->offs[k] = (uint32_t)total;
		/* dir[b]: the first key number in bucket b. */
		size_t kk = 0;
		for (size_t b = 0; b <= nb; b++) {
			while (kk < k && (ix->keys[kk] >> (32 - BUCKET_BITS)) < b)
				kk++;
			ix->dir[b] = (uint32_t)kk;
		}
	}
	ix->n_keys = n_keys;
	ix->n_post = total;
	ix->built = true;
	goto out;
nomem:
	rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory building the index");
out:
	free(pairs);
	free(kbuf);
	free(bstart);
	free(m);
	return rc;
}

size_t match_index_count(const struct match_index *ix)
{
	return ix ? ix->n : 0;
}

size_t match_index_memory(const struct match_index *ix)
{
	if (!ix)
		return 0;
	return sizeof(*ix) + ix->cap * sizeof(*ix->recs) + ix->ccap + ix->ucap * 4 +
	       (ix->idtab_id ? (ix->idmask + 1) * 8 : 0) + ix->n_keys * 8 + ix->n_post * 4 +
	       (ix->dir ? (((size_t)1 << ix->dir_bits) + 1) * 4 : 0);
}

/* ---- search */

static bool lookup(const struct match_index *ix, uint32_t key, const uint32_t **list, size_t *n)
{
	size_t b = key >> (32 - ix->dir_bits);
	for (size_t k = ix->dir[b]; k < ix->dir[b + 1]; k++) {
		if (ix->keys[k] == key) {
			*list = ix->post + ix->offs[k];
			*n = ix->offs[k + 1] - ix->offs[k];
			return true;
		}
		if (ix->keys[k] > key)
			break;
	}
	*n = 0;
	return false;
}

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
	s->n = ix->n;
	s->cnt = calloc(ix->n + 1, 1);
	s->last = calloc(ix->n + 1, 1);
	s->touched = malloc((ix->n + 1) * 4);
	if (!s->cnt || !s->last || !s->touched) {
		free(s->cnt);
		free(s->last);
		free(s->touched);
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

struct unit {
	const uint32_t *list[UNIT_KEYS];
	uint32_t len[UNIT_KEYS];
	uint8_t nk;
	size_t vol;
};

struct query {
	struct mname *names;
	size_t n_names;
	struct mevidence ev;
	uint32_t dates[MREC_VALUES_MAX], nats[MREC_VALUES_MAX];
	char docs[MREC_VALUES_MAX * 32];
	int need;
	uint16_t year;     /* dedup: the record's first birth year */
	uint32_t self;     /* dedup: only records after this one; UINT32_MAX otherwise */
};

struct found {
	double score;
	uint32_t rec;
};

static int unit_cmp(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;
	return x->vol < y->vol ? -1 : x->vol > y->vol;
}

static void unit_add_keys(const struct match_index *ix, struct unit *u, const uint32_t *keys,
			  size_t n)
{
	u->nk = 0;
	u->vol = 0;
	for (size_t i = 0; i < n; i++) {
		const uint32_t *l;
		size_t len;
		bool dup = false;
		if (!lookup(ix, keys[i], &l, &len))
			continue;
		for (size_t j = 0; j < u->nk; j++)
			dup |= u->list[j] == l;
		if (dup)
			continue;
		u->list[u->nk] = l;
		u->len[u->nk++] = (uint32_t)len;
		u->vol += len;
	}
}

/* Whether a dedup pair is blocked out: both have birth dates and none can be the same year. */
static bool years_apart(const struct match_index *ix, const struct query *q, const struct rec *r)
{
	if (!q->ev.n_dates || !r->n_dates)
		return false;
	for (size_t i = 0; i < q->ev.n_dates; i++)
		for (size_t j = 0; j < r->n_dates; j++)
			if ((q->ev.dates[i] >> 16) == (ix->upool[r->vals + j] >> 16))
				return false;
	return true;
}

/*
 * The candidates of a prepared query, scored; those at or above `threshold` into *found (grown),
 * their number in *n_found. SIZE_MAX-free: returns false when out of memory.
 */
static bool candidates(const struct match_index *ix, struct scratch *s, const struct query *q,
		       double threshold, struct found **found, size_t *n_found, size_t *found_cap,
		       struct mname *em)
{
	struct unit *units = malloc(UNITS_MAX * sizeof(*units));
	uint32_t keys[UNIT_KEYS + 4];
	size_t nu = 0, nt = 0, creators;
	bool ok = true;

	*n_found = 0;
	if (!units)
		return false;
	/* Documents first: a record they reach is a candidate whatever its names. */
	const char *d = q->ev.docs;
	for (size_t i = 0; i < q->ev.n_docs; i++, d += strlen(d) + 1) {
		const uint32_t *l;
		size_t len;
		if (!lookup(ix, key_hash('N', d, strlen(d), -1), &l, &len))
			continue;
		for (size_t k = 0; k < len; k++) {
			if (!s->cnt[l[k]])
				s->touched[nt++] = l[k];
			s->cnt[l[k]] = 200;
		}
	}
	for (size_t k = 0; k < q->n_names; k++) {
		const struct mname *m = &q->names[k];
		for (int i = 0; i < m->n && nu < UNITS_MAX; i++) {
			bool dup = false;
			if (m->p[i].flags & MPART_PARTICLE)
				continue;
			for (size_t kk = 0; kk < k && !dup; kk++)
				for (int j = 0; j < q->names[kk].n && !dup; j++)
					dup = q->names[kk].p[j].len == m->p[i].len &&
					      !memcmp(q->names[kk].p[j].text, m->p[i].text, m->p[i].len);
			if (dup)
				continue;
			unit_add_keys(ix, &units[nu], keys, part_keys(&m->p[i], keys));
			nu++;
		}
		for (int i = 0; i + 1 < m->n && nu < UNITS_MAX; i++) {
			unit_add_keys(ix, &units[nu], keys, join_keys(m, i, keys));
			nu++;
		}
	}
	qsort(units, nu, sizeof(*units), unit_cmp);
	creators = nu >= (size_t)q->need ? nu - (size_t)q->need + 1 : nu;
	for (size_t u = 0; u < nu; u++) {
		uint8_t stamp = (uint8_t)(u + 1);
		bool create = u < creators;
		for (size_t k = 0; k < units[u].nk; k++) {
			const uint32_t *l = units[u].list[k];
			size_t len = units[u].len[k], start = 0;
			if (q->self != UINT32_MAX) {
				/* dedup: only records after the query's own */
				size_t lo = 0, hi = len;
				while (lo < hi) {
					size_t mid = (lo + hi) / 2;
					if (l[mid] <= q->self)
						lo = mid + 1;
					else
						hi = mid;
				}
				start = lo;
			}
			for (size_t i = start; i < len; i++) {
				uint32_t r = l[i];
				if (s->last[r] == stamp)
					continue;
				if (!s->cnt[r]) {
					if (!create)
						continue;
					s->touched[nt++] = r;
				}
				s->last[r] = stamp;
				if (s->cnt[r] < 250)
					s->cnt[r]++;
			}
		}
	}
	free(units);

	for (size_t t = 0; t < nt; t++) {
		uint32_t r = s->touched[t];
		const struct rec *rec = &ix->recs[r];
		uint8_t c = s->cnt[r];
		s->cnt[r] = 0;
		s->last[r] = 0;
		if (!ok)
			continue;
		if (c < q->need && !(rec->single && c >= 1))
			continue;
		if (q->self != UINT32_MAX && (r <= q->self || (c < 200 && years_apart(ix, q, rec))))
			continue;
		struct mevidence ev;
		size_t ne = rec_names(ix, rec, em);
		rec_evidence(ix, rec, &ev);
		double sc = mrecord_score(q->names, q->n_names, &q->ev, em, ne, &ev, NULL);
		if (sc < threshold)
			continue;
		if (!grow(found, found_cap, *n_found + 1, sizeof(**found))) {
			ok = false;
			continue;
		}
		(*found)[(*n_found)++] = (struct found){ sc, r };
	}
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
		struct mname *m = &q->names[q->n_names++];
		mname_prepare(m, norm);
		int real = 0;
		for (int k = 0; k < m->n; k++)
			real += !(m->p[k].flags & MPART_PARTICLE);
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
	struct mname *em;
	enum mmis_err rc;

	*n_hits = 0;
	if (!ix->built)
		return mmis_error_set(err, MMIS_ECONFLICT, NULL, "the index is not built yet");
	if (!query)
		return mmis_error_set(err, MMIS_EINVAL, "name", "no query");
	if ((rc = query_prepare(&q, query, err)) != MMIS_OK)
		return rc;
	if (!limit || !ix->n) {
		free(q.names);
		return MMIS_OK;
	}
	em = malloc(MREC_NAMES_MAX * sizeof(*em));
	s = scratch_get(mix);
	if (!em || !s) {
		rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (!candidates(ix, s, &q, threshold, &found, &n_found, &found_cap, em)) {
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
		size_t ne = rec_names(ix, rec, em);
		json_t *reasons = json_array();
		rec_evidence(ix, rec, &ev);
		if (!reasons) {
			match_hits_free(hits, *n_hits);
			*n_hits = 0;
			rc = mmis_error_set(err, MMIS_ENOMEM, NULL, "out of memory");
			goto out;
		}
		mrecord_score(q.names, q.n_names, &q.ev, em, ne, &ev, reasons);
		hits[i] = (struct match_hit){ rec->id, found[i].score, reasons };
		(*n_hits)++;
	}
out:
	if (s)
		scratch_put(mix, s);
	free(em);
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
		int real = 0;
		for (int k = 0; k < q->names[i].n; k++)
			real += !(q->names[i].p[k].flags & MPART_PARTICLE);
		if (real > maxreal)
			maxreal = real;
	}
	q->need = maxreal >= 2 ? 2 : 1;
	rec_evidence(ix, rec, &q->ev);
	q->year = rec->year;
	q->self = r;
}

static void *dedup_run(void *arg)
{
	struct dedup_worker *w = arg;
	struct dedup_job *job = w->job;
	const struct match_index *ix = job->ix;
	struct scratch *s = scratch_get((struct match_index *)ix);
	struct mname *qn = malloc(MREC_NAMES_MAX * sizeof(*qn));
	struct mname *em = malloc(MREC_NAMES_MAX * sizeof(*em));
	struct found *found = NULL;
	size_t n_found, found_cap = 0;
	struct query q;

	if (!s || !qn || !em) {
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
			if (!candidates(ix, s, &q, job->threshold, &found, &n_found, &found_cap,
					em)) {
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
	free(em);
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
			mrecord_score(an, na, &ea, bn, nb, &eb, reasons);
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
