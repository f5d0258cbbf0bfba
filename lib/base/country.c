/*
 * country.c - the country table: ISO 3166-1 from iso-codes' JSON, plus ICAO Doc 9303's own codes.
 *
 * Loaded once (pthread_once) into an arena that lives as long as the process, then only read, so
 * lookups need no lock. Entries are sorted by code for bsearch; a second index sorts by alpha-2.
 */
#include "mmis/country.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/arena.h"
#include "mmis_config.h"

/* ICAO codes that are not ISO 3166-1 alpha-3 (Doc 9303 part 3). */
static const struct country icao_codes[] = {
	{ "D", NULL, "Germany", COUNTRY_ICAO },
	{ "EUE", NULL, "European Union", COUNTRY_ICAO },
	{ "GBD", NULL, "British Overseas Territories Citizen", COUNTRY_ICAO },
	{ "GBN", NULL, "British National (Overseas)", COUNTRY_ICAO },
	{ "GBO", NULL, "British Overseas Citizen", COUNTRY_ICAO },
	{ "GBP", NULL, "British Protected Person", COUNTRY_ICAO },
	{ "GBS", NULL, "British Subject", COUNTRY_ICAO },
	{ "RKS", NULL, "Kosovo", COUNTRY_ICAO },
	{ "UNA", NULL, "United Nations specialized agency", COUNTRY_ICAO },
	{ "UNK", NULL, "Resident of Kosovo (UNMIK)", COUNTRY_ICAO },
	{ "UNO", NULL, "United Nations Organization", COUNTRY_ICAO },
	{ "XXA", NULL, "Stateless person", COUNTRY_ICAO },
	{ "XXB", NULL, "Refugee (1951 Convention)", COUNTRY_ICAO },
	{ "XXC", NULL, "Refugee (other)", COUNTRY_ICAO },
	{ "XXX", NULL, "Unspecified nationality", COUNTRY_ICAO },
};

#define ICAO_COUNT (sizeof(icao_codes) / sizeof(icao_codes[0]))

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static struct mmis_error load_err;
static struct arena *arena;              /* holds the entries; kept for the life of the process */
static struct country *table;            /* sorted by alpha3 */
static const struct country **by_alpha2; /* ISO entries sorted by alpha2 */
static size_t table_len, alpha2_len;

static bool upper_letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return s[n] == '\0';
}

static int cmp_alpha3(const void *a, const void *b)
{
	const struct country *x = a, *y = b;

	return strcmp(x->alpha3, y->alpha3);
}

/* For sorting: on a tie the ISO entry comes first, so that it wins over the ICAO one. */
static int cmp_alpha3_kind(const void *a, const void *b)
{
	const struct country *x = a, *y = b;
	int c = strcmp(x->alpha3, y->alpha3);

	return c ? c : (int)x->kind - (int)y->kind;
}

static int cmp_alpha2(const void *a, const void *b)
{
	const struct country *const *x = a, *const *y = b;

	return strcmp((*x)->alpha2, (*y)->alpha2);
}

/* Copy the ISO entries of `doc` into table[], in the arena. */
static enum mmis_err read_iso(json_t *doc, const char *path)
{
	json_t *list = json_object_get(doc, "3166-1"), *item;
	size_t i;

	if (!json_is_array(list))
		return mmis_error_set(&load_err, MMIS_EIO, NULL, "%s: no \"3166-1\" list", path);
	table = arena_calloc(arena, json_array_size(list) + ICAO_COUNT, sizeof(*table));
	if (!table)
		return mmis_error_set(&load_err, MMIS_ENOMEM, NULL, "loading %s", path);
	json_array_foreach(list, i, item) {
		const char *a3 = json_string_value(json_object_get(item, "alpha_3"));
		const char *a2 = json_string_value(json_object_get(item, "alpha_2"));
		const char *name = json_string_value(json_object_get(item, "name"));
		struct country *c = &table[table_len++];

		if (!a3 || !a2 || !name || !upper_letters(a3, 3) || !upper_letters(a2, 2))
			return mmis_error_set(&load_err, MMIS_EIO, NULL,
					      "%s: entry %zu has no valid alpha_3, alpha_2 and name",
					      path, i + 1);
		c->alpha3 = arena_strdup(arena, a3);
		c->alpha2 = arena_strdup(arena, a2);
		c->name = arena_strdup(arena, name);
		c->kind = COUNTRY_ISO;
		if (!c->alpha3 || !c->alpha2 || !c->name)
			return mmis_error_set(&load_err, MMIS_ENOMEM, NULL, "loading %s", path);
	}
	return MMIS_OK;
}

static enum mmis_err build(json_t *doc, const char *path)
{
	enum mmis_err rc = read_iso(doc, path);
	size_t n = 0;

	if (rc)
		return rc;
	memcpy(&table[table_len], icao_codes, sizeof(icao_codes));
	table_len += ICAO_COUNT;
	qsort(table, table_len, sizeof(*table), cmp_alpha3_kind);
	for (size_t i = 0; i < table_len; i++)
		if (n == 0 || strcmp(table[n - 1].alpha3, table[i].alpha3) != 0)
			table[n++] = table[i];
	table_len = n;

	by_alpha2 = arena_calloc(arena, table_len, sizeof(*by_alpha2));
	if (!by_alpha2)
		return mmis_error_set(&load_err, MMIS_ENOMEM, NULL, "loading %s", path);
	for (size_t i = 0; i < table_len; i++)
		if (table[i].alpha2)
			by_alpha2[alpha2_len++] = &table[i];
	qsort(by_alpha2, alpha2_len, sizeof(*by_alpha2), cmp_alpha2);
	return MMIS_OK;
}

static void load(void)
{
	const char *path = getenv("MMIS_ISO_CODES");
	json_error_t jerr;
	json_t *doc;

	if (!path || !*path)
		path = MMIS_ISO_CODES_DEFAULT;
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		if (json_error_code(&jerr) == json_error_cannot_open_file)
			mmis_error_set(&load_err, MMIS_EIO, NULL, "ISO 3166-1 data: %s", jerr.text);
		else
			mmis_error_set(&load_err, MMIS_EIO, NULL, "%s: line %d, column %d: %s", path,
				       jerr.line, jerr.column, jerr.text);
		return;
	}
	arena = arena_new(0);
	if (!arena) {
		mmis_error_set(&load_err, MMIS_ENOMEM, NULL, "loading %s", path);
	} else if (build(doc, path)) {
		arena_free(arena);
		arena = NULL;
		table = NULL;
		by_alpha2 = NULL;
		table_len = alpha2_len = 0;
	}
	json_decref(doc);
}

enum mmis_err country_init(struct mmis_error *err)
{
	pthread_once(&load_once, load);
	if (load_err.code && err)
		*err = load_err;
	return load_err.code;
}

/* Upper-case `code` into `out` without trailing MRZ fillers; false unless 1 to 3 letters remain. */
static bool normalise(const char *code, size_t max, char out[4])
{
	size_t n;

	if (!code)
		return false;
	n = strlen(code);
	while (n > 0 && code[n - 1] == '<')
		n--;
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = code[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

const struct country *country_lookup(const char *code)
{
	struct country key = { 0 };
	char buf[4];

	if (country_init(NULL) || !normalise(code, 3, buf))
		return NULL;
	key.alpha3 = buf;
	return bsearch(&key, table, table_len, sizeof(*table), cmp_alpha3);
}

bool country_valid(const char *code)
{
	return country_lookup(code) != NULL;
}

const struct country *country_from_alpha2(const char *alpha2)
{
	struct country key = { 0 };
	const struct country *pkey = &key;
	const struct country *const *found;
	char buf[4];

	if (country_init(NULL) || !alpha2 || strlen(alpha2) != 2 || !normalise(alpha2, 2, buf))
		return NULL;
	key.alpha2 = buf;
	found = bsearch(&pkey, by_alpha2, alpha2_len, sizeof(*by_alpha2), cmp_alpha2);
	return found ? *found : NULL;
}

size_t country_count(void)
{
	country_init(NULL);
	return table_len;
}

const struct country *country_at(size_t i)
{
	return i < country_count() ? &table[i] : NULL;
}
