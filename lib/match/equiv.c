/*
 * equiv.c - the classes of equivalent spellings of data/name-equivalences.txt, built into the
 * binary (tools/embed.py), read once per process into a hash table from a spelling's
 * skeleton to its class number (1, 2, ...), and the particles ("al", "bin", "van").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

extern const char mmis_name_equivalences[];
extern const size_t mmis_name_equivalences_len;

struct slot {
	uint32_t off; /* into keys; 0 = empty */
	uint32_t cls; /* class number; for particles 1 */
};

struct table {
	struct slot *slots;
	size_t mask, used;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static enum mmis_err load_rc;
static char load_msg[200];
static char *keys; /* NUL-terminated keys, from offset 1 */
static size_t keys_len, keys_cap;
static struct table classes, particles;
static size_t n_classes, n_spellings, n_conflicts;
static char conflict_msg[200];

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return h ^ (h >> 29);
}

static struct slot *find(const struct table *t, const char *s, size_t n)
{
	if (!t->slots)
		return NULL;
	for (size_t i = hash(s, n) & t->mask;; i = (i + 1) & t->mask) {
		struct slot *sl = &t->slots[i];
		if (!sl->off)
			return sl;
		if (!strncmp(keys + sl->off, s, n) && keys[sl->off + n] == '\0')
			return sl;
	}
}

/* Insert s -> cls unless present; *old receives the present class (0 when new). */
static bool insert(struct table *t, const char *s, size_t n, uint32_t cls, uint32_t *old)
{
	struct slot *sl = find(t, s, n);

	*old = 0;
	if (sl->off) {
		*old = sl->cls;
		return true;
	}
	if (keys_len + n + 1 > keys_cap) {
		size_t cap = keys_cap ? keys_cap * 2 : 1 << 16;
		char *k;
		while (cap < keys_len + n + 1)
			cap *= 2;
		if (!(k = realloc(keys, cap)))
			return false;
		keys = k;
		keys_cap = cap;
		if (!keys_len)
			keys[keys_len++] = '\0';
	}
	memcpy(keys + keys_len, s, n);
	keys[keys_len + n] = '\0';
	sl->off = (uint32_t)keys_len;
	sl->cls = cls;
	keys_len += n + 1;
	t->used++;
	return true;
}

static bool table_init(struct table *t, size_t entries)
{
	size_t cap = 64;
	while (cap < entries * 2)
		cap *= 2;
	t->slots = calloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	return t->slots != NULL;
}

static void fail(enum mmis_err rc, size_t line, const char *what)
{
	load_rc = rc;
	snprintf(load_msg, sizeof(load_msg), "data/name-equivalences.txt line %zu: %s", line, what);
}

static void load(void)
{
	const char *p = mmis_name_equivalences, *end = p + mmis_name_equivalences_len;
	size_t line = 0, items = 0;

	for (const char *q = p; q < end; q++)
		items += *q == ',' || *q == '\n';
	if (!table_init(&classes, items + 16) || !table_init(&particles, 256)) {
		fail(MMIS_ENOMEM, 0, "out of memory");
		return;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *hash_mark;
		struct table *t = &classes;
		uint32_t cls;

		if (!eol)
			eol = end;
		line++;
		hash_mark = memchr(p, '#', (size_t)(eol - p));
		if (hash_mark)
			eol = hash_mark;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == eol) {
			p = (hash_mark ? memchr(p, '\n', (size_t)(end - p)) : eol);
			p = p ? p + 1 : end;
			continue;
		}
		if ((size_t)(eol - p) > 10 && !strncmp(p, "particles:", 10)) {
			t = &particles;
			p += 10;
			cls = 1;
		} else {
			cls = (uint32_t)++n_classes;
		}
		while (p < eol) {
			char word[MATCH_NORM_MAX], skel[MP_SKEL];
			size_t wn = 0, sn;
			uint32_t old;

			for (; p < eol && *p != ','; p++) {
				if (*p >= 'a' && *p <= 'z') {
					if (wn + 1 < sizeof(word))
						word[wn++] = *p;
				} else if (*p != ' ' && *p != '\t' && *p != '\r') {
					fail(MMIS_EINVAL, line, "a spelling is lower-case ASCII letters");
					return;
				}
			}
			if (p < eol)
				p++;
			if (!wn)
				continue;
			if (t == &particles) {
				if (!insert(t, word, wn, 1, &old)) {
					fail(MMIS_ENOMEM, line, "out of memory");
					return;
				}
				continue;
			}
			sn = mskeleton(word, wn, skel, sizeof(skel));
			if (!insert(t, skel, sn, cls, &old)) {
				fail(MMIS_ENOMEM, line, "out of memory");
				return;
			}
			n_spellings++;
			if (old && old != cls && !n_conflicts++)
				snprintf(conflict_msg, sizeof(conflict_msg),
					 "line %zu: \"%.*s\" (skeleton \"%s\") is already in class %u",
					 line, (int)wn, word, skel, old);
		}
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : end;
	}
}

enum mmis_err mequiv_init(struct mmis_error *err)
{
	pthread_once(&once, load);
	if (load_rc != MMIS_OK)
		return mmis_error_set(err, load_rc, NULL, "%s", load_msg);
	return MMIS_OK;
}

uint32_t mequiv_class(const char *skel, size_t n)
{
	const struct slot *sl;

	pthread_once(&once, load);
	sl = find(&classes, skel, n);
	return sl && sl->off ? sl->cls : 0;
}

bool mequiv_particle(const char *text, size_t n)
{
	const struct slot *sl;

	pthread_once(&once, load);
	sl = find(&particles, text, n);
	return sl && sl->off;
}

size_t match_equivalences(size_t *spellings, size_t *conflicts, const char **first_conflict)
{
	pthread_once(&once, load);
	if (spellings)
		*spellings = n_spellings;
	if (conflicts)
		*conflicts = n_conflicts;
	if (first_conflict)
		*first_conflict = conflict_msg;
	return n_classes;
}
