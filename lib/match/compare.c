/*
 * compare.c - scoring two records: name parts aligned in any order, then the evidence of birth
 * dates, nationalities, sex and documents, every step explained.
 *
 * A part pair's similarity (the levels, first that applies):
 *   exact        same normalised spelling                                   1.00
 *   equivalent   same skeleton: a spelling variant (Đ dj d, Ш sh s, Ü ue u)  0.97
 *   equivalent   same class in data/name-equivalences.txt (Mohamed/Muhammad) 0.95
 *   similar      an initial and a name starting with it                     0.80
 *   phonetic     same consonant key, e.g. Arabic script "mhmd" / "mohamed"  at least 0.88
 *   similar      Jaro-Winkler of the skeletons, raised to 0.90 for one edit after the first letter
 *                (parts of 4 letters or more) and to 0.85 for two edits (7 or more); when an
 *                upper bound from the letters the two share is under 0.6, that bound (a pair
 *                under 0.6 counts nothing, so its exact value would change nothing)
 * Two parts in different equivalence classes are different names (Mohamed / Mahmoud): at most
 * 0.75 whatever the letters say.
 *
 * The name score is a weighted mean over the aligned pairs, each pair weighing the mean of its
 * parts' weights (0.5 + length/8, at most 1.5: a long part says more than a short one; particles
 * 0.2, initials 0.5). A pair under 0.8 counts less than its similarity (0.6 counts nothing): two
 * different surnames are evidence against, not a half match. A part with no counterpart (a
 * missing middle name) weighs 0.15 of its weight, against nothing. When fewer than two parts
 * agree and either name has two or more parts, the name score is at most 0.7: one shared given
 * name is not an identification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/date.h"
#include "internal.h"

#define S_SKELETON 0.97
#define S_CLASS 0.95
#define S_INITIAL 0.80
#define S_PHONETIC 0.88
#define S_OTHER_CLASS 0.75
#define S_GOOD 0.80
#define S_NOTHING 0.60
#define W_UNMATCHED 0.15
#define ONE_PART_CAP 0.70

enum how { H_EXACT, H_SPELLING, H_EQUIV, H_INITIAL, H_PHONETIC, H_SIMILAR, H_DIFFERENT };

static const char *const how_name[] = {
	[H_EXACT] = "exact",	   [H_SPELLING] = "equivalent", [H_EQUIV] = "equivalent",
	[H_INITIAL] = "similar",   [H_PHONETIC] = "phonetic",   [H_SIMILAR] = "similar",
	[H_DIFFERENT] = "different",
};

static unsigned letters_in(const struct mpart *a, uint32_t mask)
{
	unsigned m = 0;
	for (size_t i = 0; i < a->slen; i++)
		m += (mask >> (a->skel[i] >= 'a' && a->skel[i] <= 'z' ? a->skel[i] - 'a' : 26)) & 1;
	return m;
}

/*
 * An upper bound of the Jaro-Winkler similarity of two skeletons from the letters they share
 * (Jaro's matches are at most the letters of each found in the other) and their common prefix.
 */
static double jw_bound(const struct mpart *a, const struct mpart *b)
{
	unsigned ma = letters_in(a, b->lmask), mb = letters_in(b, a->lmask), m = ma < mb ? ma : mb;
	size_t prefix = 0;
	double jaro;

	if (!a->slen || !b->slen)
		return 0.0;
	jaro = ((double)m / a->slen + (double)m / b->slen + 1.0) / 3.0;
	if (!m)
		return 0.0;
	while (prefix < 4 && prefix < a->slen && prefix < b->slen && a->skel[prefix] == b->skel[prefix])
		prefix++;
	return jaro > 0.7 ? jaro + (double)prefix * 0.1 * (1.0 - jaro) : jaro;
}

static double part_sim(const struct mpart *a, const struct mpart *b, enum how *how)
{
	double s;
	unsigned lev;
	size_t minlen;

	if (a->len == b->len && !memcmp(a->text, b->text, a->len)) {
		*how = H_EXACT;
		return 1.0;
	}
	if (a->slen == b->slen && !memcmp(a->skel, b->skel, a->slen)) {
		*how = H_SPELLING;
		return S_SKELETON;
	}
	if (a->cls && a->cls == b->cls) {
		*how = H_EQUIV;
		return S_CLASS;
	}
	if ((a->flags | b->flags) & MPART_INITIAL) {
		*how = a->text[0] == b->text[0] ? H_INITIAL : H_DIFFERENT;
		return a->text[0] == b->text[0] ? S_INITIAL : 0.0;
	}
	bool phon_eq = a->plen >= 2 && a->plen == b->plen && !memcmp(a->phon, b->phon, a->plen);
	s = jw_bound(a, b);
	if (s < S_NOTHING && !phon_eq) {
		*how = H_DIFFERENT; /* not worth computing: at most this, and counts nothing */
		return s;
	}
	s = mjaro_winkler(a->skel, a->slen, b->skel, b->slen);
	*how = H_SIMILAR;
	minlen = a->slen < b->slen ? a->slen : b->slen;
	if (minlen >= 4 && s < 0.90) {
		lev = mlevenshtein(a->skel, a->slen, b->skel, b->slen, 2);
		if (lev <= 1 && a->skel[0] == b->skel[0])
			s = 0.90; /* the first letter is rarely the mistyped one */
		else if (lev == 2 && minlen >= 7 && s < 0.85)
			s = 0.85;
	}
	if (a->cls && b->cls) {
		if (s > S_OTHER_CLASS)
			s = S_OTHER_CLASS;
	} else if (s < S_PHONETIC && phon_eq) {
		s = S_PHONETIC;
		*how = H_PHONETIC;
	}
	if (s < S_GOOD)
		*how = H_DIFFERENT;
	return s;
}

/* part_sim through the cache when both parts have cache numbers. */
static double part_sim_cached(const struct mpart *a, const struct mpart *b, enum how *how,
			      struct mcache *cache)
{
	if (!cache || !a->qid || !b->id)
		return part_sim(a, b, how);
	uint32_t h = (b->id * 0x9e3779b1u) ^ ((uint32_t)a->qid * 0x85ebca6bu);
	struct mcache_slot *sl = &cache->slot[(h ^ (h >> 16)) & (MCACHE_SLOTS - 1)];
	if (sl->stamp == cache->stamp && sl->id == b->id && sl->qid == a->qid) {
		*how = (enum how)sl->how;
		return sl->s;
	}
	double s = part_sim(a, b, how);
	*sl = (struct mcache_slot){ b->id, cache->stamp, a->qid, (uint8_t)*how, (float)s };
	return (float)s; /* the same value whether cached or not */
}

/* What a pair's similarity counts for in the mean. */
static double effective(double s)
{
	if (s >= S_GOOD)
		return s;
	if (s <= S_NOTHING)
		return 0.0;
	return (s - S_NOTHING) * S_GOOD / (S_GOOD - S_NOTHING);
}

double mpart_weight(const struct mpart *p)
{
	if (p->flags & MPART_PARTICLE)
		return 0.2;
	if (p->flags & MPART_INITIAL)
		return 0.5;
	return 0.5 + (p->len < 8 ? p->len : 8) / 8.0;
}

/* A candidate alignment: one or two parts of each side (bit masks), their similarity. */
struct cand {
	double s;
	uint16_t qm, em;
	uint8_t how, joined;
};

/* Prepare the part that is parts i and i+1 of `m` written together ("abdel kader"). */
static void joined_part(const struct mname *m, int i, struct mpart *out, char *buf, size_t cap)
{
	size_t a = m->p[i]->len, b = m->p[i + 1]->len;
	if (a + b >= cap)
		b = cap - 1 - a;
	memcpy(buf, m->p[i]->text, a);
	memcpy(buf + a, m->p[i + 1]->text, b);
	buf[a + b] = '\0';
	mpart_prepare(out, buf, a + b);
}

static int cand_cmp(const struct cand *a, const struct cand *b)
{
	if (a->s != b->s)
		return a->s < b->s ? 1 : -1;
	if (a->joined != b->joined)
		return a->joined < b->joined ? 1 : -1; /* at a tie, the joined pair covers more */
	if (a->qm != b->qm)
		return a->qm < b->qm ? -1 : 1;
	return a->em < b->em ? -1 : a->em > b->em;
}

static int popcount16(unsigned v)
{
	return __builtin_popcount(v);
}

/* Join the texts of the parts in `mask` with spaces into buf. */
static void mask_text(const struct mname *m, unsigned mask, char *buf, size_t cap)
{
	size_t n = 0;
	for (int i = 0; i < m->n; i++) {
		if (!(mask & (1u << i)))
			continue;
		size_t l = m->p[i]->len;
		if (n && n + 1 < cap)
			buf[n++] = ' ';
		if (n + l >= cap)
			l = cap - 1 - n;
		memcpy(buf + n, m->p[i]->text, l);
		n += l;
	}
	buf[n] = '\0';
}

static void explain_pair(json_t *reasons, const struct mname *q, const struct mname *e,
			 const struct cand *c)
{
	char qt[MATCH_NORM_MAX], et[MATCH_NORM_MAX], text[2 * MATCH_NORM_MAX + 120];
	const char *how = c->joined ? "joined" : how_name[c->how];

	mask_text(q, c->qm, qt, sizeof(qt));
	mask_text(e, c->em, et, sizeof(et));
	switch (c->joined ? 99 : c->how) {
	case 99:
		snprintf(text, sizeof(text), "\"%s\" and \"%s\" are one name written joined and apart",
			 qt, et);
		break;
	case H_EXACT:
		snprintf(text, sizeof(text), "\"%s\" is the same", qt);
		break;
	case H_SPELLING:
		snprintf(text, sizeof(text),
			 "\"%s\" and \"%s\" are spellings of the same letters (transliteration)", qt,
			 et);
		break;
	case H_EQUIV:
		snprintf(text, sizeof(text),
			 "\"%s\" and \"%s\" are spellings of one name (equivalence list)", qt, et);
		break;
	case H_INITIAL:
		snprintf(text, sizeof(text), "initial \"%s\" fits \"%s\"", qt, et);
		break;
	case H_PHONETIC:
		snprintf(text, sizeof(text), "\"%s\" and \"%s\" sound alike (same consonants)", qt,
			 et);
		break;
	case H_SIMILAR:
		snprintf(text, sizeof(text), "\"%s\" and \"%s\" are similar (%.2f), a typing error?",
			 qt, et, c->s);
		break;
	default:
		snprintf(text, sizeof(text), "\"%s\" and \"%s\" are different names (%.2f)", qt, et,
			 c->s);
		break;
	}
	json_array_append_new(reasons, mreason("name", qt, et, how, c->s, 0.0, text));
}

/* Sort the candidates best first (insertion sort: a few dozen at most, mostly). */
static void cand_sort(struct cand *c, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct cand x = c[i];
		size_t j = i;
		while (j > 0 && cand_cmp(&c[j - 1], &x) > 0) {
			c[j] = c[j - 1];
			j--;
		}
		c[j] = x;
	}
}

/*
 * Whether a joined part and a part may be one name at all: the same first letter or first
 * consonant ("bd alqadr", Arabic script, and "abdelkader"), lengths close.
 */
static bool join_plausible(const struct mpart *a, const struct mpart *b, const struct mpart *other)
{
	size_t jl = (size_t)a->slen + b->slen, ol = other->slen;
	return (a->skel[0] == other->skel[0] || (a->plen && a->phon[0] == other->phon[0])) &&
	       (jl > ol ? jl - ol : ol - jl) <= 3;
}

double mname_score(const struct mname *q, const struct mname *e, json_t *reasons,
		   struct mcache *cache, unsigned *agree)
{
	struct cand c[MATCH_PARTS_MAX * MATCH_PARTS_MAX + 2 * MATCH_PARTS_MAX * MATCH_PARTS_MAX];
	struct cand chosen[2 * MATCH_PARTS_MAX];
	size_t nc = 0, nchosen = 0;
	unsigned qused = 0, eused = 0, qall, eall;
	bool weak = false;
	double num = 0, den = 0, score;
	int good = 0, q_real = 0, e_real = 0;

	if (agree)
		*agree = 0;
	if (!q->n || !e->n)
		return 0.0;
	qall = (1u << q->n) - 1;
	eall = (1u << e->n) - 1;
	double best_e[MATCH_PARTS_MAX] = { 0 };
	for (int i = 0; i < q->n; i++) {
		double best_q = 0;
		for (int j = 0; j < e->n; j++) {
			enum how h;
			double s = part_sim_cached(q->p[i], e->p[j], &h, cache);
			c[nc++] = (struct cand){ s, (uint16_t)(1u << i), (uint16_t)(1u << j),
						 (uint8_t)h, 0 };
			best_q = s > best_q ? s : best_q;
			best_e[j] = s > best_e[j] ? s : best_e[j];
		}
		/* Joined and split parts only when some part finds no good counterpart alone. */
		weak |= best_q < 0.9;
	}
	for (int j = 0; j < e->n; j++)
		weak |= best_e[j] < 0.9;
	if (weak && (q->n > 1 || e->n > 1)) {
		char buf[MATCH_NORM_MAX];
		struct mpart jp;
		for (int i = 0; i + 1 < q->n; i++) {
			bool any = false;
			for (int j = 0; j < e->n && !any; j++)
				any = join_plausible(q->p[i], q->p[i + 1], e->p[j]);
			if (!any)
				continue;
			joined_part(q, i, &jp, buf, sizeof(buf));
			for (int j = 0; j < e->n; j++) {
				enum how h;
				if (!join_plausible(q->p[i], q->p[i + 1], e->p[j]))
					continue;
				double s = part_sim(&jp, e->p[j], &h);
				if (s >= S_GOOD)
					c[nc++] = (struct cand){ s, (uint16_t)(3u << i),
								 (uint16_t)(1u << j), (uint8_t)h, 1 };
			}
		}
		for (int j = 0; j + 1 < e->n; j++) {
			bool any = false;
			for (int i = 0; i < q->n && !any; i++)
				any = join_plausible(e->p[j], e->p[j + 1], q->p[i]);
			if (!any)
				continue;
			joined_part(e, j, &jp, buf, sizeof(buf));
			for (int i = 0; i < q->n; i++) {
				enum how h;
				if (!join_plausible(e->p[j], e->p[j + 1], q->p[i]))
					continue;
				double s = part_sim(q->p[i], &jp, &h);
				if (s >= S_GOOD)
					c[nc++] = (struct cand){ s, (uint16_t)(1u << i),
								 (uint16_t)(3u << j), (uint8_t)h, 1 };
			}
		}
	}
	cand_sort(c, nc);
	for (size_t k = 0; k < nc && qused != qall && eused != eall; k++) {
		if ((c[k].qm & qused) || (c[k].em & eused))
			continue;
		qused |= c[k].qm;
		eused |= c[k].em;
		chosen[nchosen++] = c[k];
	}
	for (size_t k = 0; k < nchosen; k++) {
		double wq = 0, we = 0, pw;
		for (unsigned m = chosen[k].qm; m; m &= m - 1)
			wq += q->p[__builtin_ctz(m)]->w;
		for (unsigned m = chosen[k].em; m; m &= m - 1)
			we += e->p[__builtin_ctz(m)]->w;
		pw = (wq + we) / 2;
		num += pw * effective(chosen[k].s);
		den += pw;
		if (chosen[k].s >= S_GOOD && agree)
			*agree |= chosen[k].em | (chosen[k].s < S_CLASS ? (unsigned)chosen[k].em << 16 : 0);
		if (chosen[k].s >= S_GOOD)
			good += popcount16(chosen[k].qm) > popcount16(chosen[k].em)
					? popcount16(chosen[k].qm)
					: popcount16(chosen[k].em);
		if (reasons)
			explain_pair(reasons, q, e, &chosen[k]);
	}
	for (int side = 0; side < 2; side++) {
		const struct mname *m = side ? e : q;
		unsigned used = side ? eused : qused;
		for (int i = 0; i < m->n; i++) {
			if (!(m->p[i]->flags & MPART_PARTICLE))
				side ? e_real++ : q_real++;
			if (used & (1u << i))
				continue;
			den += W_UNMATCHED * m->p[i]->w;
			if (reasons) {
				char text[MATCH_NORM_MAX + 100], part[MATCH_NORM_MAX];
				mask_text(m, 1u << i, part, sizeof(part));
				snprintf(text, sizeof(text),
					 side ? "\"%s\" of the entry is not in the query"
					      : "\"%s\" of the query is not in the entry",
					 part);
				json_array_append_new(
					reasons, mreason("name", side ? NULL : part, side ? part : NULL,
							 side ? "missing" : "extra", -1.0, 0.0, text));
			}
		}
	}
	score = den > 0 ? num / den : 0.0;
	if (good < 2 && (q_real >= 2 || e_real >= 2) && score > ONE_PART_CAP) {
		score = ONE_PART_CAP;
		if (reasons)
			json_array_append_new(
				reasons, mreason("name", NULL, NULL, "missing", -1.0, 0.0,
						 "fewer than two name parts agree: at most 0.70"));
	}
	return score;
}

/* ---- evidence */

json_t *mreason(const char *field, const char *query, const char *entry, const char *how,
		double similarity, double effect, const char *text)
{
	json_t *r = json_object();

	if (!r)
		return NULL;
	json_object_set_new(r, "field", json_string(field));
	if (query)
		json_object_set_new(r, "query", json_string(query));
	if (entry)
		json_object_set_new(r, "entry", json_string(entry));
	json_object_set_new(r, "how", json_string(how));
	if (similarity >= 0)
		json_object_set_new(r, "similarity", json_real((double)(int)(similarity * 1000 + 0.5) / 1000));
	if (effect != 0.0)
		json_object_set_new(r, "effect", json_real((double)(int)(effect * 1000 + (effect < 0 ? -0.5 : 0.5)) / 1000));
	json_object_set_new(r, "text", json_string(text));
	return r;
}

static void date_text(uint32_t d, char buf[DATE_STR_MAX])
{
	struct date x = { (int)(d >> 16), (int)(d >> 8 & 0xff), (int)(d & 0xff), DATE_DAY };
	x.precision = !x.month ? DATE_YEAR : !x.day ? DATE_MONTH : DATE_DAY;
	date_format(&x, buf);
}

/*
 * How two birth dates relate, worst first. A typing error is a year one apart on the same day and
 * month, or day and month swapped (03.12. / 12.03.): -0.10. Years more than one apart: -0.30
 * when both dates are full, -0.25 when one gives the year (or month) only. Anything else that
 * differs (another day of the same year, one year apart on another day, a year-only date one
 * year off): -0.20. A year-only date agrees with any full date of that year.
 */
enum drel { D_NONE, D_FAR, D_FAR_PARTIAL, D_CONTRA, D_TYPO, D_COMPATIBLE, D_SAME };

static const double drel_effect[] = {
	[D_NONE] = 0.0,	 [D_FAR] = -0.30,	[D_FAR_PARTIAL] = -0.25, [D_CONTRA] = -0.20,
	[D_TYPO] = -0.10, [D_COMPATIBLE] = 0.0, [D_SAME] = 0.05,
};

static enum drel date_rel(uint32_t a, uint32_t b)
{
	unsigned ya = a >> 16, yb = b >> 16, ma = a >> 8 & 0xff, mb = b >> 8 & 0xff;
	unsigned da = a & 0xff, db = b & 0xff, dy = ya > yb ? ya - yb : yb - ya;
	bool full = ma && mb && da && db;

	if (dy > 1)
		return full ? D_FAR : D_FAR_PARTIAL;
	if (dy == 1)
		return full && ma == mb && da == db ? D_TYPO : D_CONTRA;
	if (!ma || !mb)
		return D_COMPATIBLE;
	if (!da || !db)
		return ma == mb ? D_COMPATIBLE : D_CONTRA;
	if (ma == mb && da == db)
		return D_SAME;
	return ma == db && da == mb ? D_TYPO : D_CONTRA;
}

/* The penalty for a common name: 0.08 for each power of ten of its share above 1 in 1,000,000. */
#define COMMON_RARE 6.0
#define COMMON_STEP 0.08
#define COMMON_MAX 0.30

/* -log10 of a share in (0, 1], to within 0.01 (no libm: halvings, then a quadratic for the rest). */
static double neg_log10(double x)
{
	double l2 = 0.0;
	while (x < 0.5) {
		x *= 2;
		l2 += 1.0;
	}
	/* x in [0.5, 1]: -log2(x) ~ (1 - x) * (1.4427 * (1 + (1 - x) / 2)) */
	double m = 1.0 - x;
	l2 += m * 1.4427 * (1.0 + m / 2 + m * m / 3);
	return l2 * 0.30103;
}

void mcommon_of(const struct mname *e, unsigned agree, struct mcommon *c)
{
	double share = 1.0;
	int n = 0;

	c->share = 0.0;
	c->penalty = 0.0;
	c->text[0] = '\0';
	for (int i = 0; i < e->n; i++) {
		if (!(agree & (1u << i)) || (e->p[i]->flags & MPART_PARTICLE))
			continue;
		if (!(e->p[i]->share > 0.0f))
			return; /* no frequencies (match_compare) */
		/* a part met only as a similar spelling (a typing error?) stands for many names */
		share *= (agree & (1u << (i + 16))) ? 10 * e->p[i]->share : e->p[i]->share;
		n++;
	}
	if (!n)
		return;
	if (share > 1.0)
		share = 1.0;
	c->share = share;
	double r = neg_log10(share), pen = COMMON_STEP * (COMMON_RARE - r);
	c->penalty = pen <= 0 ? 0.0 : pen > COMMON_MAX ? COMMON_MAX : pen;
	mask_text(e, agree & 0xffffu, c->text, sizeof(c->text));
}

/* "2,300": a count with thousands separators. */
static void count_text(double v, char *buf, size_t cap)
{
	char digits[32];
	unsigned long long n = v < 1 ? 1ULL : v > 1e15 ? 1000000000000000ULL : (unsigned long long)(v + 0.5);
	int len = snprintf(digits, sizeof(digits), "%llu", n);
	size_t o = 0;
	for (int i = 0; i < len && o + 2 < cap; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

static void nat_text(uint32_t n, char buf[5])
{
	memcpy(buf, &n, 4);
	buf[4] = '\0';
}

double mevidence_apply(double score, const struct mevidence *q, const struct mevidence *e,
		       const struct mcommon *c, json_t *reasons, double *raw)
{
	char text[MATCH_NORM_MAX + 160], qa[DATE_STR_MAX], ea[DATE_STR_MAX];
	enum drel best = D_NONE;

	if (q->n_dates && e->n_dates) {
		uint32_t bq = 0, be = 0;
		for (size_t i = 0; i < q->n_dates; i++)
			for (size_t j = 0; j < e->n_dates; j++) {
				enum drel r = date_rel(q->dates[i], e->dates[j]);
				if (r > best) {
					best = r;
					bq = q->dates[i];
					be = e->dates[j];
				}
			}
		double eff = drel_effect[best];
		const char *how = eff < 0 ? "contradicts" : "agrees";
		score += eff;
		if (!reasons)
			goto nats;
		date_text(bq, qa);
		date_text(be, ea);
		if (best == D_SAME)
			snprintf(text, sizeof(text), "birth date %s is the same", qa);
		else if (best == D_COMPATIBLE)
			snprintf(text, sizeof(text), "birth %s %s agrees with %s",
				 strlen(qa) == 4 || strlen(ea) == 4 ? "year" : "date",
				 strlen(qa) <= strlen(ea) ? qa : ea, strlen(qa) <= strlen(ea) ? ea : qa);
		else
			snprintf(text, sizeof(text), "birth %s %s contradicts %s%s",
				 strlen(qa) == 4 || strlen(ea) == 4 ? "year" : "date", qa, ea,
				 best == D_TYPO ? " (a typing error?)" : "");
		json_array_append_new(reasons, mreason("birth_date", qa, ea, how, -1.0, eff, text));
	}
nats:
	if (q->n_nats && e->n_nats) {
		bool agree = false;
		uint32_t hit = 0;
		for (size_t i = 0; i < q->n_nats && !agree; i++)
			for (size_t j = 0; j < e->n_nats && !agree; j++)
				if (q->nats[i] == e->nats[j]) {
					agree = true;
					hit = q->nats[i];
				}
		char qn[5], en[5];
		double eff = agree ? 0.02 : -0.1;
		score += eff;
		if (!reasons)
			goto sex;
		nat_text(agree ? hit : q->nats[0], qn);
		nat_text(agree ? hit : e->nats[0], en);
		if (agree)
			snprintf(text, sizeof(text), "nationality %s is the same", qn);
		else
			snprintf(text, sizeof(text), "nationality %s contradicts %s%s", qn, en,
				 e->n_nats > 1 || q->n_nats > 1 ? " (no nationality in common)" : "");
		json_array_append_new(reasons, mreason("nationality", qn, en,
						       agree ? "agrees" : "contradicts", -1.0, eff,
						       text));
	}
sex:
	if (q->sex && e->sex) {
		char qs[2] = { q->sex, 0 }, es[2] = { e->sex, 0 };
		double eff = q->sex == e->sex ? 0.0 : -0.2;
		score += eff;
		if (!reasons)
			goto out;
		if (eff < 0)
			snprintf(text, sizeof(text), "sex %s contradicts %s", qs, es);
		else
			snprintf(text, sizeof(text), "sex %s is the same", qs);
		json_array_append_new(reasons, mreason("sex", qs, es,
						       eff < 0 ? "contradicts" : "agrees", -1.0, eff,
						       text));
	}
out:
	if (c && c->penalty > 0) {
		/* a common name: only a birth date that agrees makes up for it */
		double eff = -(best == D_SAME ? 0.0 : best == D_COMPATIBLE ? c->penalty / 2 : c->penalty);
		char n[32];
		score += eff;
		if (reasons && eff < 0) {
			count_text(1.0 / c->share, n, sizeof(n));
			snprintf(text, sizeof(text), "'%s' is a common name (1 in %s entries)%s", c->text,
				 n, best == D_COMPATIBLE ? ", half counted: the birth year agrees" : "");
			json_array_append_new(reasons,
					      mreason("name", NULL, c->text, "common", -1.0, eff, text));
		}
	}
	if (raw)
		*raw = score;
	return score < 0 ? 0.0 : score > 1 ? 1.0 : score;
}

const char *mevidence_document(const struct mevidence *q, const struct mevidence *e)
{
	const char *a = q->docs;
	for (size_t i = 0; i < q->n_docs; i++, a += strlen(a) + 1) {
		const char *b = e->docs;
		for (size_t j = 0; j < e->n_docs; j++, b += strlen(b) + 1)
			if (!strcmp(a, b))
				return a;
	}
	return NULL;
}

/* ---- match_compare */

/* A record's evidence packed into caller storage. */
struct packed {
	uint32_t dates[MREC_VALUES_MAX], nats[MREC_VALUES_MAX];
	char docs[MREC_VALUES_MAX * 32];
	struct mevidence ev;
};

static void pack(const struct match_record *r, struct packed *p)
{
	size_t off = 0;

	memset(&p->ev, 0, sizeof(p->ev));
	p->ev.dates = p->dates;
	p->ev.nats = p->nats;
	p->ev.docs = p->docs;
	for (size_t i = 0; i < r->n_birth_dates && p->ev.n_dates < MREC_VALUES_MAX; i++)
		if (mdate_pack(r->birth_dates[i], &p->dates[p->ev.n_dates]))
			p->ev.n_dates++;
	for (size_t i = 0; i < r->n_nationalities && p->ev.n_nats < MREC_VALUES_MAX; i++)
		if (mnat_pack(r->nationalities[i], &p->nats[p->ev.n_nats]))
			p->ev.n_nats++;
	p->ev.sex = msex_of(r->sex);
	for (size_t i = 0; i < r->n_documents && p->ev.n_docs < MREC_VALUES_MAX; i++) {
		char d[32];
		if (match_document_normalise(r->documents[i], d, NULL) != MMIS_OK)
			continue;
		size_t l = strlen(d) + 1;
		memcpy(p->docs + off, d, l);
		off += l;
		p->ev.n_docs++;
	}
}

double mrecord_score(const struct mname *qn, size_t nq, const struct mevidence *qe,
		     const struct mname *en, size_t ne, const struct mevidence *ee, json_t *reasons,
		     struct mcache *cache, double *raw)
{
	double best = 0.0;
	size_t bj = 0;
	unsigned agree = 0, best_agree = 0;
	size_t bi = 0;
	const char *doc = mevidence_document(qe, ee);
	struct mcommon c;

	if (raw)
		*raw = 0.0;
	for (size_t i = 0; i < nq; i++)
		for (size_t j = 0; j < ne; j++) {
			double s = mname_score(&qn[i], &en[j], NULL, cache, &agree);
			if (s > best) {
				best = s;
				bi = i;
				bj = j;
				best_agree = agree;
			}
		}
	if (reasons && nq && ne)
		mname_score(&qn[bi], &en[bj], reasons, cache, NULL);
	if (best > 0.0) {
		mcommon_of(&en[bj], best_agree, &c);
		best = mevidence_apply(best, qe, ee, &c, reasons, raw);
	}
	if (doc) {
		if (reasons) {
			char text[80];
			snprintf(text, sizeof(text), "document number %s is the same", doc);
			json_array_append_new(reasons, mreason("document", doc, doc, "exact", -1.0,
							       1.0 - best, text));
		}
		best = 1.0;
		if (raw)
			*raw = 2.0; /* before any tie of names */
	}
	return best;
}

/* Normalise and prepare the names of a record that normalise (NULL: out of memory). */
static struct mname *prepare_names(const struct match_record *r, size_t *n)
{
	struct mname *m = calloc(r->n_names ? r->n_names : 1, sizeof(*m));
	char norm[MATCH_NORM_MAX];

	*n = 0;
	if (!m)
		return NULL;
	for (size_t i = 0; i < r->n_names; i++)
		if (match_normalise(r->names[i], "name", norm, NULL) == MMIS_OK)
			mname_prepare(&m[(*n)++], norm);
	return m;
}

double match_compare(const struct match_record *query, const struct match_record *entry,
		     json_t **reasons)
{
	struct packed *pq = malloc(sizeof(*pq)), *pe = malloc(sizeof(*pe));
	struct mname *qn = NULL, *en = NULL;
	size_t nq = 0, ne = 0;
	double s = 0.0;

	if (reasons)
		*reasons = json_array();
	if (!pq || !pe || (reasons && !*reasons))
		goto out;
	pack(query, pq);
	pack(entry, pe);
	qn = prepare_names(query, &nq);
	en = prepare_names(entry, &ne);
	if (!qn || !en)
		goto out;
	s = mrecord_score(qn, nq, &pq->ev, en, ne, &pe->ev, reasons ? *reasons : NULL, NULL, NULL);
out:
	free(qn);
	free(en);
	free(pq);
	free(pe);
	return s;
}
