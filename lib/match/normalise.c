/*
 * normalise.c - names to lower-case ASCII parts, and the keys a part is compared by.
 *
 * The way a name is written in ASCII depends on who wrote it: a Serbian clerk writes Đ as "dj" or
 * "d", a Russian passport office writes Х as "kh", a German one writes Ü as "ue" in the machine
 * readable zone. So normalisation makes one spelling, and the skeleton (below) folds the variants
 * of that spelling, so that both compare as equal.
 *
 * Speed: a name in plain ASCII is folded by a byte table; Latin letters with diacritics
 * (U+0080..U+024F, U+1E00..U+1EFF) and Cyrillic (U+0400..U+045F, U+0490..U+0491) by tables built
 * once (the Latin one from ICU itself, so that it says what ICU says); only other scripts (Arabic,
 * Greek, Armenian, Georgian, CJK, ...) go through the ICU transliterator
 * "Any-Latin; NFKD; [:Nonspacing Mark:] Remove; Latin-ASCII", one clone per thread.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utrans.h>
#include <unicode/ustring.h>

#include "mmis/json.h"
#include "internal.h"

#define ICU_RULES "Any-Latin; NFKD; [:Nonspacing Mark:] Remove; Latin-ASCII"

/* ---- tables */

/* What an ASCII byte becomes: itself (lower case), '\0' dropped (apostrophes), ' ' a separator. */
static char ascii_map[128];

/* Latin with diacritics: up to 3 ASCII letters ("" = dropped, " " = separator). */
#define LATIN_A_END 0x250
#define LATIN_X_START 0x1e00
#define LATIN_X_END 0x1f00
static char latin_map[LATIN_A_END][4];
static char latin_x_map[LATIN_X_END - LATIN_X_START][4];

/*
 * The spellings documents of the region use where ICU's Latin-ASCII says something else (or
 * nothing): Đ is "dj" (and the skeleton folds "dj" to "d", so "Djordje", "Dordje" and "Đorđe"
 * meet), the Turkish dotless and dotted i, ligatures.
 */
static const struct {
	uint32_t cp;
	const char *ascii;
} regional[] = {
	{ 0x00c6, "ae" }, { 0x00e6, "ae" }, /* Æ æ */
	{ 0x00d0, "d" },  { 0x00f0, "d" },  /* Ð ð */
	{ 0x00d8, "o" },  { 0x00f8, "o" },  /* Ø ø */
	{ 0x00de, "th" }, { 0x00fe, "th" }, /* Þ þ */
	{ 0x00df, "ss" },                   /* ß */
	{ 0x0110, "dj" }, { 0x0111, "dj" }, /* Đ đ */
	{ 0x0130, "i" },  { 0x0131, "i" },  /* İ ı */
	{ 0x0141, "l" },  { 0x0142, "l" },  /* Ł ł */
	{ 0x0152, "oe" }, { 0x0153, "oe" }, /* Œ œ */
	{ 0x00b4, "" },                     /* ´ as an apostrophe */
};

/*
 * Cyrillic as ICAO Doc 9303 part 3 transliterates it for passports (Ж ZH, Х KH, Ц TS, Ч CH, Ш SH,
 * Щ SHCH, Ю IU, Я IA), with the Serbian letters as Serbian Latin writes them (Ђ đ, Ћ ć, Џ dž).
 * Ukrainian names (a name with і, ї, є or ґ) take Г as H and И as Y, as Ukrainian passports do.
 * U+0400..U+045F; upper and lower case alike.
 */
static const char *const cyrillic[0x60] = {
	/* 0x400 */ "e", "e", "dj", "g", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz",
	/* 0x410 */ "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
	/* 0x420 */ "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
	/* 0x430 */ "a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
	/* 0x440 */ "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
	/* 0x450 */ "e", "e", "dj", "g", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz",
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static enum mmis_err init_rc = MMIS_OK;
static char init_msg[200];
static UTransliterator *master;
static pthread_mutex_t clone_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t trans_key;

static void trans_free(void *t)
{
	utrans_close(t);
}

/* Transliterate one code point with ICU into `out` (lower-case ASCII, "" or " "). */
static void table_entry(UTransliterator *t, uint32_t cp, char out[4])
{
	UChar buf[32];
	int32_t len = 0, limit;
	UErrorCode st = U_ZERO_ERROR;
	size_t n = 0;

	U16_APPEND_UNSAFE(buf, len, cp);
	limit = len;
	utrans_transUChars(t, buf, &len, 32, 0, &limit, &st);
	memset(out, 0, 4);
	if (U_FAILURE(st))
		return;
	for (int32_t i = 0; i < len && n < 3; i++) {
		UChar c = buf[i];
		char m = c < 128 ? ascii_map[c] : ' ';
		if (m == ' ') {
			if (n == 0) { /* punctuation and spaces separate */
				out[n++] = ' ';
				break;
			}
			continue;
		}
		if (m)
			out[n++] = m;
	}
}

static void init(void)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar rules[sizeof(ICU_RULES)];
	struct mmis_error err;

	for (int c = 0; c < 128; c++)
		ascii_map[c] = ' ';
	for (int c = 'a'; c <= 'z'; c++)
		ascii_map[c] = (char)c;
	for (int c = 'A'; c <= 'Z'; c++)
		ascii_map[c] = (char)(c - 'A' + 'a');
	for (int c = '0'; c <= '9'; c++)
		ascii_map[c] = (char)c;
	ascii_map['\''] = '\0';
	ascii_map['`'] = '\0';

	u_uastrcpy(rules, ICU_RULES);
	master = utrans_openU(rules, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st) || !master) {
		snprintf(init_msg, sizeof(init_msg), "ICU transliterator \"%s\": %s", ICU_RULES,
			 u_errorName(st));
		init_rc = st == U_MEMORY_ALLOCATION_ERROR ? MMIS_ENOMEM : MMIS_EUNSUPPORTED;
		return;
	}
	if (pthread_key_create(&trans_key, trans_free)) {
		snprintf(init_msg, sizeof(init_msg), "no thread key for the ICU transliterator");
		init_rc = MMIS_EUNSUPPORTED;
		return;
	}
	for (uint32_t cp = 0x80; cp < LATIN_A_END; cp++)
		table_entry(master, cp, latin_map[cp]);
	for (uint32_t cp = LATIN_X_START; cp < LATIN_X_END; cp++)
		table_entry(master, cp, latin_x_map[cp - LATIN_X_START]);
	for (size_t i = 0; i < sizeof(regional) / sizeof(regional[0]); i++) {
		assert(regional[i].cp < LATIN_A_END && strlen(regional[i].ascii) < 4);
		memset(latin_map[regional[i].cp], 0, 4);
		memcpy(latin_map[regional[i].cp], regional[i].ascii, strlen(regional[i].ascii));
	}
	if (mequiv_init(&err) != MMIS_OK) {
		snprintf(init_msg, sizeof(init_msg), "%s", mmis_error_text(&err));
		init_rc = err.code;
	}
}

static enum mmis_err ensure_init(struct mmis_error *err)
{
	pthread_once(&init_once, init);
	if (init_rc != MMIS_OK)
		return mmis_error_set(err, init_rc, NULL, "%s", init_msg);
	return MMIS_OK;
}

static UTransliterator *thread_trans(void)
{
	UTransliterator *t = pthread_getspecific(trans_key);
	UErrorCode st = U_ZERO_ERROR;

	if (t)
		return t;
	/* Cloning reads the master; one clone at a time keeps ICU's own state out of it. */
	pthread_mutex_lock(&clone_lock);
	t = utrans_clone(master, &st);
	pthread_mutex_unlock(&clone_lock);
	if (U_FAILURE(st) || !t)
		return NULL;
	if (pthread_setspecific(trans_key, t)) {
		utrans_close(t);
		return NULL;
	}
	return t;
}

/* ---- UTF-8 */

/* The code point at s[*i] (valid UTF-8, checked before), advancing *i. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
	uint32_t c = s[*i];
	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c < 0xe0) {
		c = (c & 0x1f) << 6 | (s[*i + 1] & 0x3f);
		*i += 2;
	} else if (c < 0xf0) {
		c = (c & 0x0f) << 12 | (uint32_t)(s[*i + 1] & 0x3f) << 6 | (s[*i + 2] & 0x3f);
		*i += 3;
	} else {
		c = (c & 0x07) << 18 | (uint32_t)(s[*i + 1] & 0x3f) << 12 |
		    (uint32_t)(s[*i + 2] & 0x3f) << 6 | (s[*i + 3] & 0x3f);
		*i += 4;
	}
	return c;
}

static bool is_ukrainian_cp(uint32_t c)
{
	return c == 0x404 || c == 0x406 || c == 0x407 || c == 0x454 || c == 0x456 || c == 0x457 ||
	       c == 0x490 || c == 0x491;
}

/* Whether `c` (not ASCII) has a table entry; its ASCII into *out. */
static bool table_lookup(uint32_t c, bool ukrainian, const char **out)
{
	if (c < LATIN_A_END) {
		*out = latin_map[c];
		return true;
	}
	if (c >= LATIN_X_START && c < LATIN_X_END) {
		*out = latin_x_map[c - LATIN_X_START];
		return true;
	}
	if (c >= 0x400 && c < 0x460) {
		if (ukrainian && (c == 0x413 || c == 0x433))
			*out = "h";
		else if (ukrainian && (c == 0x418 || c == 0x438))
			*out = "y";
		else
			*out = cyrillic[c - 0x400];
		return true;
	}
	if (c == 0x490 || c == 0x491) {
		*out = "g";
		return true;
	}
	/* Apostrophes and quotation marks used in names (’ ‘ ʹ ʻ ʼ, hamza ʾ, ayn ʿ): dropped;
	 * spaces and dashes separate. */
	if (c == 0x2018 || c == 0x2019 || (c >= 0x02b9 && c <= 0x02bf)) {
		*out = "";
		return true;
	}
	if ((c >= 0x2000 && c <= 0x206f) || c == 0x3000 || c == 0xfeff) {
		*out = " ";
		return true;
	}
	return false;
}

/* ---- the normaliser */

struct out {
	char *buf;
	size_t len, cap;
	bool over;
	bool sep; /* a separator is pending */
};

static void out_add(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char m = (unsigned char)s[i] < 128 ? ascii_map[(unsigned char)s[i]] : ' ';
		if (!m)
			continue;
		if (m == ' ') {
			o->sep = true;
			continue;
		}
		if (o->sep && o->len) {
			if (o->len + 1 >= o->cap) {
				o->over = true;
				return;
			}
			o->buf[o->len++] = ' ';
		}
		o->sep = false;
		if (o->len + 1 >= o->cap) {
			o->over = true;
			return;
		}
		o->buf[o->len++] = m;
	}
}

/* Transliterate `n` UTF-16 units with ICU into the output. */
static enum mmis_err icu_add(struct out *o, UChar *u, int32_t n, int32_t cap, struct mmis_error *err,
			     const char *field)
{
	UTransliterator *t = thread_trans();
	UErrorCode st = U_ZERO_ERROR;
	int32_t limit = n;
	char buf[16];

	if (!t)
		return mmis_error_set(err, MMIS_ENOMEM, field, "cannot clone the ICU transliterator");
	utrans_transUChars(t, u, &n, cap, 0, &limit, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR || n > cap)
		return mmis_error_set(err, MMIS_EINVAL, field, "%s is too long once transliterated",
				      field);
	if (U_FAILURE(st))
		return mmis_error_set(err, MMIS_EUNSUPPORTED, field, "ICU transliteration: %s",
				      u_errorName(st));
	for (int32_t i = 0; i < n; i++) {
		uint32_t c = u[i];
		const char *m;
		if (U16_IS_LEAD(c) && i + 1 < n && U16_IS_TRAIL(u[i + 1]))
			c = U16_GET_SUPPLEMENTARY(c, u[++i]);
		if (c < 128) {
			buf[0] = (char)c;
			out_add(o, buf, 1);
		} else if (table_lookup(c, false, &m)) {
			out_add(o, m, strlen(m));
		} else {
			out_add(o, " ", 1); /* what ICU leaves outside ASCII separates */
		}
	}
	return MMIS_OK;
}

enum mmis_err match_normalise(const char *name, const char *field, char out[MATCH_NORM_MAX],
			      struct mmis_error *err)
{
	const unsigned char *s = (const unsigned char *)name;
	struct out o = { out, 0, MATCH_NORM_MAX, false, false };
	size_t n, i = 0;
	bool ascii = true, ukrainian = false, other = false;
	enum mmis_err rc;

	if (!field)
		field = "name";
	out[0] = '\0';
	if ((rc = ensure_init(err)) != MMIS_OK)
		return rc;
	if (!name || !name[0])
		return mmis_error_set(err, MMIS_EINVAL, field, "%s is empty", field);
	n = strnlen(name, MATCH_NAME_MAX + 1);
	if (n > MATCH_NAME_MAX)
		return mmis_error_set(err, MMIS_EINVAL, field, "%s is longer than %d bytes", field,
				      MATCH_NAME_MAX);
	for (size_t k = 0; k < n; k++)
		if (s[k] >= 0x80) {
			ascii = false;
			break;
		}
	if (!ascii) {
		if (!mjson_text_ok(name, n, true))
			return mmis_error_set(err, MMIS_EINVAL, field, "%s is not valid UTF-8", field);
		while (i < n) {
			const char *m;
			uint32_t c = next_cp(s, &i);
			if (c < 128)
				continue;
			if (is_ukrainian_cp(c))
				ukrainian = true;
			if (!table_lookup(c, false, &m))
				other = true;
		}
	}

	if (ascii) {
		out_add(&o, name, n);
	} else if (!other) {
		for (i = 0; i < n && !o.over;) {
			const char *m;
			uint32_t c = next_cp(s, &i);
			char b = (char)c;
			if (c < 128)
				out_add(&o, &b, 1);
			else if (table_lookup(c, ukrainian, &m))
				out_add(&o, m, strlen(m));
		}
	} else {
		/*
		 * Another script: the regional letters are replaced first (ICU would make Đ a "d" and
		 * Ш an "s"), then ICU transliterates the whole name, in context.
		 */
		enum { UCAP = 4 * MATCH_NAME_MAX + 64 };
		UChar *u = malloc(UCAP * sizeof(UChar));
		int32_t un = 0;
		if (!u)
			return mmis_error_set(err, MMIS_ENOMEM, field, "out of memory");
		for (i = 0; i < n;) {
			const char *m;
			uint32_t c = next_cp(s, &i);
			if (c >= 128 && c < LATIN_X_END && table_lookup(c, ukrainian, &m)) {
				for (; *m; m++)
					u[un++] = (UChar)*m;
			} else {
				U16_APPEND_UNSAFE(u, un, c);
			}
		}
		rc = icu_add(&o, u, un, UCAP, err, field);
		free(u);
		if (rc != MMIS_OK)
			return rc;
	}
	if (o.over)
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "%s is longer than %d characters once normalised", field,
				      MATCH_NORM_MAX - 1);
	out[o.len] = '\0';
	if (!o.len)
		return mmis_error_set(err, MMIS_EINVAL, field, "%s '%.60s' has no letters", field,
				      name);
	size_t parts = 1;
	for (i = 0; i < o.len; i++)
		parts += out[i] == ' ';
	if (parts > MATCH_PARTS_MAX) {
		out[0] = '\0';
		return mmis_error_set(err, MMIS_EINVAL, field, "%s has %zu parts, more than %d",
				      field, parts, MATCH_PARTS_MAX);
	}
	return MMIS_OK;
}

/* ---- keys of a part */

static bool is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/*
 * The skeleton of a normalised part: the spelling variants that transliteration tables and
 * national habits produce for one sound are folded to one letter, so that the variants compare as
 * equal ("spelling variant"):
 *   dj -> d (Đ), sh sz -> s (Ш Š, Polish), zh -> z (Ж Ž), ch cz -> c (Ч Č Ć), kh -> h (Х),
 *   ts tz -> c (Ц), ph -> f, th -> t, gh -> g, ck q -> k,
 *   gj -> d and xh -> dz (Albanian Gj Xh as Serbian writes them: Đ, Dž),
 *   ue oe ae -> u o a (Ü Ö Ä as German documents write them), ou -> u (French: Youssef),
 *   y j -> i (Ю Я as "yu ya", "iu ia" or "ju ja"; Й as "y", "i" or "j"),
 *   w -> v before a vowel (Wladimir), u otherwise (Arabic "ywsf"),
 *   a final h after a vowel goes (Abdullah / Abdulla), and doubled letters are single.
 * It is a key, not a spelling: nobody reads it but the explanations ("spelling variant").
 */
size_t mskeleton(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	assert(cap > 0);
	for (size_t i = 0; i < n && o + 2 < cap;) {
		char c = s[i], d = i + 1 < n ? s[i + 1] : '\0', e = c;
		size_t step = 1;

		switch (c) {
		case 'd':
			if (d == 'j')
				step = 2;
			break;
		case 's':
			if (d == 'h' || d == 'z')
				step = 2;
			break;
		case 'z':
			if (d == 'h')
				step = 2;
			break;
		case 'c':
			if (d == 'h' || d == 'z')
				step = 2;
			else if (d == 'k') {
				e = 'k';
				step = 2;
			}
			break;
		case 'k':
			if (d == 'h') {
				e = 'h';
				step = 2;
			}
			break;
		case 't':
			if (d == 's' || d == 'z') {
				e = 'c';
				step = 2;
			} else if (d == 'h') {
				step = 2;
			}
			break;
		case 'p':
			if (d == 'h') {
				e = 'f';
				step = 2;
			}
			break;
		case 'g':
			if (d == 'h')
				step = 2;
			else if (d == 'j') {
				e = 'd'; /* Albanian gj is Đ: Gjonollari, Đonolari, Djonolari */
				step = 2;
			}
			break;
		case 'x':
			if (d == 'h' && o + 3 < cap) {
				out[o++] = 'd'; /* Albanian xh is Dž: Hoxha, Hodža, Hodza */
				e = 'z';
				step = 2;
			}
			break;
		case 'q':
			e = 'k';
			break;
		case 'w':
			e = is_vowel(d) ? 'v' : 'u';
			break;
		case 'y':
		case 'j':
			e = 'i';
			break;
		case 'u':
		case 'o':
		case 'a':
			if (d == 'e' || (c == 'o' && d == 'u')) {
				e = c == 'o' && d == 'u' ? 'u' : c;
				step = 2;
			}
			break;
		default:
			break;
		}
		i += step;
		if (!(o > 0 && out[o - 1] == e))
			out[o++] = e;
	}
	if (o > 1 && out[o - 1] == 'h' && is_vowel(out[o - 2]))
		o--; /* a final h after a vowel: Abdullah / Abdulla, Абдулах */
	out[o] = '\0';
	return o;
}

/*
 * The phonetic key: the consonants of the skeleton, s and z as one, doubled letters single. For
 * romanised names the vowels are what varies most (Mohamed, Muhammad, Mehmed; Hussein, Husayn;
 * Yusuf, Yousef), and Arabic script transliterates to its consonants only ("mhmd", "ywsf"), so a
 * consonant key is what meets them all; Soundex and Metaphone were made for English spelling and
 * merge letters (d and t, m and n) that tell Balkan and Arabic names apart. Keys shorter than two
 * letters say too little and are not used.
 */
size_t mphonetic(const char *skel, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	assert(cap > 0);
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		char c = skel[i];
		if (is_vowel(c))
			continue;
		if (c == 'z')
			c = 's';
		if (o > 0 && out[o - 1] == c)
			continue;
		out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

static uint32_t small_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h | 1; /* never 0 */
}

void mpart_prepare(struct mpart *p, const char *text, size_t len)
{
	p->text = text;
	p->len = (uint8_t)(len < 255 ? len : 255);
	p->slen = (uint8_t)mskeleton(text, len, p->skel, sizeof(p->skel));
	p->plen = (uint8_t)mphonetic(p->skel, p->slen, p->phon, sizeof(p->phon));
	p->cls = mequiv_class(p->skel, p->slen);
	p->phash = p->plen >= 2 ? small_hash(p->phon, p->plen) : 0;
	p->lmask = 0;
	for (size_t i = 0; i < p->slen; i++)
		p->lmask |= 1u << (p->skel[i] >= 'a' && p->skel[i] <= 'z' ? p->skel[i] - 'a' : 26);
	p->shash = small_hash(p->skel, p->slen);
	p->flags = 0;
	p->id = 0;
	p->share = 0.0f;
	p->qid = 0;
	if (len == 1)
		p->flags |= MPART_INITIAL;
	else if (mequiv_particle(text, len))
		p->flags |= MPART_PARTICLE;
	p->w = (float)mpart_weight(p);
}

void mname_prepare(struct mname *m, const char *norm)
{
	size_t n = strnlen(norm, MATCH_NORM_MAX - 1), start = 0;

	memcpy(m->norm, norm, n);
	m->norm[n] = '\0';
	m->n = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || m->norm[i] == ' ') {
			if (i > start && m->n < MATCH_PARTS_MAX) {
				mpart_prepare(&m->own[m->n], m->norm + start, i - start);
				m->p[m->n] = &m->own[m->n];
				m->n++;
			}
			start = i + 1;
		}
	}
}
