/* test_match.c - identity matching: normalisation across scripts and regional spellings, the
 * equivalence file, part alignment, evidence, explanations, bad input, the candidate index
 * (search, threshold, limit, documents), de-duplication and searching from several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/json.h"
#include "mmis/match.h"

#define T MATCH_DEFAULT_THRESHOLD

static void norm_is(const char *in, const char *want)
{
	char out[MATCH_NORM_MAX];
	struct mmis_error err = { 0 };
	if (match_normalise(in, "name", out, &err) != MMIS_OK)
		fail_msg("match_normalise(%s): %s", in, mmis_error_text(&err));
	if (strcmp(out, want))
		fail_msg("match_normalise(%s) = \"%s\", want \"%s\"", in, out, want);
}

static void norm_fails(const char *in, const char *field, const char *fragment)
{
	char out[MATCH_NORM_MAX];
	struct mmis_error err = { 0 };
	assert_int_equal(match_normalise(in, field, out, &err), MMIS_EINVAL);
	assert_string_equal(err.field, field);
	if (!strstr(err.message, fragment))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, fragment);
}

/* A record of one name and optional evidence (NULL: none). */
struct rec {
	const char *names[4];
	const char *dates[2];
	const char *nats[2];
	const char *docs[2];
	struct match_record r;
};

static const struct match_record *mk(struct rec *x, const char *name, const char *date,
				     const char *nat, const char *sex, const char *doc)
{
	memset(x, 0, sizeof(*x));
	x->names[0] = name;
	x->r.names = x->names;
	x->r.n_names = name ? 1 : 0;
	x->dates[0] = date;
	x->r.birth_dates = x->dates;
	x->r.n_birth_dates = date ? 1 : 0;
	x->nats[0] = nat;
	x->r.nationalities = x->nats;
	x->r.n_nationalities = nat ? 1 : 0;
	x->r.sex = sex;
	x->docs[0] = doc;
	x->r.documents = x->docs;
	x->r.n_documents = doc ? 1 : 0;
	return &x->r;
}

static double score(const char *a, const char *b)
{
	struct rec x, y;
	return match_compare(mk(&x, a, NULL, NULL, NULL, NULL), mk(&y, b, NULL, NULL, NULL, NULL),
			     NULL);
}

static void same(const char *a, const char *b)
{
	double s = score(a, b);
	if (s < T)
		fail_msg("\"%s\" / \"%s\": %.3f, want at least %.2f", a, b, s, T);
}

static void different(const char *a, const char *b)
{
	double s = score(a, b);
	if (s >= T)
		fail_msg("\"%s\" / \"%s\": %.3f, want under %.2f", a, b, s, T);
}

/* The reason about `field` in `reasons` whose "how" is `how`; NULL when none. */
static json_t *reason(json_t *reasons, const char *field, const char *how)
{
	size_t i;
	json_t *r;
	json_array_foreach(reasons, i, r)
	{
		if (!strcmp(json_string_value(json_object_get(r, "field")), field) &&
		    (!how || !strcmp(json_string_value(json_object_get(r, "how")), how)))
			return r;
	}
	return NULL;
}

/* ---- normalisation */

static void test_normalise_scripts(void **state)
{
	(void)state;
	norm_is("MOHAMED ABDALLA", "mohamed abdalla");
	norm_is("Мухамед Абдулах", "mukhamed abdulakh");
	norm_is("Đorđe Đukanović", "djordje djukanovic");
	norm_is("Щербаков Шамиль", "shcherbakov shamil");
	norm_is("Жанна Юлия Ярослава", "zhanna iuliia iaroslava");
	norm_is("Олександр Гнатюк Іванович", "oleksandr hnatiuk ivanovych"); /* Ukrainian */
	norm_is("Jürgen Müller", "jurgen muller");
	norm_is("Ağa Şükrü Çelik İsmail", "aga sukru celik ismail");
	norm_is("Straße", "strasse");
	norm_is("Ђорђе Јовановић", "djordje jovanovic");
	norm_is("O'Brien-Smith", "obrien smith");
	norm_is("  al-Hassan,  Ahmed  ", "al hassan ahmed");
	norm_is("محمد", "mhmd");
	norm_is("Ελευθέριος", "eleutherios");
	norm_is("ʿAlī", "ali");
}

static void test_normalise_bad_input(void **state)
{
	char big[10 * 1024 + 1];
	(void)state;
	norm_fails("", "name", "empty");
	norm_fails(NULL, "alias", "empty");
	norm_fails("÷.-", "name", "has no letters");
	norm_fails("   ", "name", "has no letters");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	norm_fails(big, "name", "longer than");
	norm_fails("Ali \xff\xfe", "name", "not valid UTF-8");
	norm_fails("Ali \xc0\xaf", "name", "not valid UTF-8"); /* overlong */
	norm_fails("a b c d e f g h i j k l m", "name", "more than 12");
}

static void test_document_normalise(void **state)
{
	char out[32];
	struct mmis_error err = { 0 };
	(void)state;
	assert_int_equal(match_document_normalise("ab 123-456/7", out, &err), MMIS_OK);
	assert_string_equal(out, "AB1234567");
	assert_int_equal(match_document_normalise("L898902C3<", out, &err), MMIS_OK);
	assert_string_equal(out, "L898902C3");
	assert_int_equal(match_document_normalise("--", out, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "document_number");
	assert_int_equal(match_document_normalise("1234567890123456789012345678901", out, &err),
			 MMIS_EINVAL);
	assert_int_equal(match_document_normalise("AB#1", out, &err), MMIS_EINVAL);
}

static void test_equivalences_file(void **state)
{
	size_t spellings = 0, conflicts = 1;
	const char *first = NULL;
	size_t classes = match_equivalences(&spellings, &conflicts, &first);
	(void)state;
	if (conflicts)
		fail_msg("%zu spellings share a skeleton with another class; first: %s", conflicts,
			 first);
	assert_true(classes >= 150);
	assert_true(spellings >= 3 * classes);
}

/* ---- comparing names */

static void test_issue_examples(void **state)
{
	struct rec x, y;
	json_t *reasons;
	(void)state;
	same("Мухамед Абдулах", "MOHAMED ABDALLA");
	same("Đorđe Petrović", "DJORDJE PETROVIC");
	same("Đorđe Petrović", "DORDE PETROVIC");
	same("Jürgen Müller", "JUERGEN MUELLER");
	same("Jürgen Müller", "JURGEN MULLER");
	same("Шамиль Шевченко", "SHAMIL SHEVCHENKO");
	same("Шамиль Шевченко", "SAMIL SEVCENKO");
	same("Щербаков Игорь", "SHCHERBAKOV IGOR");
	same("Щербаков Игорь", "SCERBAKOV IGOR");
	same("Abdelkader Hassan", "Abdel Kader Hassan");
	same("Ahmed Al-Hassan", "Ahmed Alhassan");
	same("Hussein Yusuf", "Husayn Youssef");
	same("Aleksandr Yevgeny Ivanov", "Alexander Evgenii Ivanov");
	same("Oleksandr Ivanov", "Aleksandr Ivanov");
	same("محمد عبد القادر", "Mohamed Abdelkader");
	same("Lejla Begić", "Leila Begic");
	same("Ёлкин Фёдор", "Elkin Fedor");

	/* the explanation says how each part matched */
	match_compare(mk(&x, "Мухамед Абдулах", NULL, NULL, NULL, NULL),
		      mk(&y, "MOHAMED ABDALLA", NULL, NULL, NULL, NULL), &reasons);
	json_t *r = reason(reasons, "name", "equivalent");
	assert_non_null(r);
	assert_non_null(json_object_get(r, "query"));
	assert_non_null(json_object_get(r, "entry"));
	assert_non_null(json_object_get(r, "similarity"));
	assert_non_null(json_object_get(r, "text"));
	json_decref(reasons);

	match_compare(mk(&x, "Abdelkader Hassan", NULL, NULL, NULL, NULL),
		      mk(&y, "Abdel Kader Hassan", NULL, NULL, NULL, NULL), &reasons);
	assert_non_null(reason(reasons, "name", "joined"));
	json_decref(reasons);
}

static void test_order_missing_typo(void **state)
{
	struct rec x, y;
	json_t *reasons;
	(void)state;
	/* order swapped */
	assert_true(score("Hassan Ali Omar", "Omar Ali Hassan") >= 0.99);
	assert_true(score("PETROVIC MARKO", "Marko Petrović") >= 0.99);
	/* a missing middle name costs little, a different surname much */
	double missing = score("Ali Hassan Mohammed", "Ali Mohammed");
	double other = score("Ali Hassan Mohammed", "Ali Hassan Omar");
	assert_true(missing >= T);
	assert_true(other < T);
	assert_true(missing > other + 0.15);
	match_compare(mk(&x, "Ali Hassan Mohammed", NULL, NULL, NULL, NULL),
		      mk(&y, "Ali Mohammed", NULL, NULL, NULL, NULL), &reasons);
	json_t *r = reason(reasons, "name", "extra");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "query")), "hassan");
	json_decref(reasons);
	/* one typing error */
	same("Aleksandar Jovanovic", "Aleksandar Jovanovik");
	same("Aleksandar Jovanovic", "Aleksandar Jvoanovic");
	same("Fatima Rahimi", "Fatima Rahini");
	same("Marko Nikolic", "Marko Nikolc");
	/* initials */
	same("J Smith", "John Smith");
}

static void test_different_people(void **state)
{
	(void)state;
	different("Mohammed Ali", "Mohammed Hassan");
	different("Mohammed Ali", "Ahmed Ali");
	different("Ali Hassan", "Ali Omar");
	different("Mohammed Ali Hassan", "Mohammed Ali Omar");
	different("Mahmoud Khalil", "Mohamed Khalil");
	different("Ivan Petrovic", "Ivana Petrovic");
	different("Ali", "Ali Hassan");
	different("Fatima Rahimi", "Fatima Hashemi");
	assert_true(score("Ali", "Ali") >= 0.99); /* one name on both sides is all there is */
}

static void test_evidence(void **state)
{
	struct rec x, y;
	json_t *reasons, *r;
	double base, s;
	(void)state;
	base = match_compare(mk(&x, "Marko Petrovic", NULL, NULL, NULL, NULL),
			     mk(&y, "Marko Petrovic", NULL, NULL, NULL, NULL), NULL);
	assert_true(base >= 0.99);

	/* a year-only birth date agrees with a full one of that year */
	s = match_compare(mk(&x, "Marko Petrovic", "1985", NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", "1985-03-12", NULL, NULL, NULL), &reasons);
	assert_true(s >= base - 1e-9);
	r = reason(reasons, "birth_date", "agrees");
	assert_non_null(r);
	assert_non_null(strstr(json_string_value(json_object_get(r, "text")), "1985"));
	json_decref(reasons);

	/* contradicting dates, nationality, sex: lower, and said */
	s = match_compare(mk(&x, "Marko Petrovic", "1985-03-12", NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", "1990-07-01", NULL, NULL, NULL), &reasons);
	assert_true(s <= base - 0.15 + 1e-9);
	r = reason(reasons, "birth_date", "contradicts");
	assert_non_null(r);
	assert_true(json_real_value(json_object_get(r, "effect")) < 0);
	json_decref(reasons);

	/* years more than one apart: -0.30 with both dates full, -0.25 with a year only */
	assert_true(s <= base - 0.30 + 1e-9);
	s = match_compare(mk(&x, "Marko Petrovic", "1985", NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", "1990-07-01", NULL, NULL, NULL), NULL);
	assert_true(s < base - 0.2 && s > base - 0.3);
	assert_true(s < MATCH_DEFAULT_THRESHOLD);

	/* a typing error: a year one apart on the same day, or day and month swapped: -0.10 */
	s = match_compare(mk(&x, "Marko Petrovic", "1985-03-12", NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", "1986-03-12", NULL, NULL, NULL), &reasons);
	assert_true(s > base - 0.11 && s < base - 0.09);
	assert_non_null(strstr(json_string_value(json_object_get(
				       reason(reasons, "birth_date", "contradicts"), "text")),
			       "typing error"));
	json_decref(reasons);
	s = match_compare(mk(&x, "Marko Petrovic", "1985-03-12", NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", "1985-12-03", NULL, NULL, NULL), NULL);
	assert_true(s > base - 0.11 && s < base - 0.09);
	/* another day of the same year: -0.20 */
	s = match_compare(mk(&x, "Marko Petrovic", "1985-03-12", NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", "1985-04-20", NULL, NULL, NULL), NULL);
	assert_true(s > base - 0.21 && s < base - 0.19);

	s = match_compare(mk(&x, "Marko Petrovic", NULL, "MNE", NULL, NULL),
			  mk(&y, "Marko Petrovic", NULL, "SRB", NULL, NULL), &reasons);
	assert_true(s <= base - 0.1 + 1e-9); /* a second passport is common: 0.10 */
	assert_non_null(reason(reasons, "nationality", "contradicts"));
	json_decref(reasons);

	s = match_compare(mk(&x, "Marko Petrovic", NULL, NULL, "M", NULL),
			  mk(&y, "Marko Petrovic", NULL, NULL, "F", NULL), &reasons);
	assert_true(s <= base - 0.2 + 1e-9);
	assert_non_null(reason(reasons, "sex", "contradicts"));
	json_decref(reasons);

	/* one letter apart may be a typing error; a different birth date then decides */
	s = match_compare(mk(&x, "Marko Markovic", "1985-03-12", NULL, NULL, NULL),
			  mk(&y, "Darko Markovic", "1961-11-02", NULL, NULL, NULL), NULL);
	assert_true(s < T);

	/* agreements add a little, never past 1 */
	s = match_compare(mk(&x, "Marko Petrovic", "1985-03-12", "D", "M", NULL),
			  mk(&y, "Marko Petrović", "1985-03-12", "DEU", "M", NULL), &reasons);
	assert_true(s <= 1.0 && s >= base - 1e-9);
	assert_non_null(reason(reasons, "nationality", "agrees"));
	json_decref(reasons);

	/* a shared document number: 1 whatever the names say */
	s = match_compare(mk(&x, "Marko Petrovic", NULL, NULL, NULL, "ab-123 456"),
			  mk(&y, "Ivan Horvat", NULL, NULL, NULL, "AB123456"), &reasons);
	assert_true(s == 1.0);
	assert_non_null(reason(reasons, "document", "exact"));
	json_decref(reasons);

	/* nothing that normalises: 0 */
	s = match_compare(mk(&x, "÷÷", NULL, NULL, NULL, NULL),
			  mk(&y, "Marko Petrovic", NULL, NULL, NULL, NULL), &reasons);
	assert_true(s == 0.0);
	json_decref(reasons);
}

/* ---- the index */

static const char *const given[] = { "Mohammed", "Ahmed", "Ali", "Omar", "Hassan", "Yusuf",
				     "Marko", "Ivan", "Fatima", "Amina", "Jelena", "Dragan",
				     "Aleksandar", "Ibrahim", "Khaled", "Mustafa" };
static const char *const family[] = { "Hodzic", "Petrovic", "Rahimi", "Ahmadi", "Karimi",
				      "Jovanovic", "Haddad", "Begic", "Nikolic", "Popovic",
				      "Mansouri", "Hashemi", "Durrani", "Markovic", "Siddiqui",
				      "Kovacevic", "Qureshi", "Haidari", "Safi", "Noori" };

/* Fill an index with filler people (ids from 1000) and the given ones. */
static struct match_index *filler_index(size_t n)
{
	struct match_index *ix = match_index_new();
	char name[128], date[16];
	struct rec x;
	assert_non_null(ix);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s %s %s", given[i % 16], given[(i / 16) % 16],
			 family[(i / 7) % 20]);
		snprintf(date, sizeof(date), "%04zu-%02zu-%02zu", 1950 + i % 50, 1 + i % 12,
			 1 + i % 28);
		assert_int_equal(match_index_add(ix, (uint32_t)(1000 + i),
						 mk(&x, name, date, "SYR", NULL, NULL), NULL),
				 MMIS_OK);
	}
	return ix;
}

static void test_index_search(void **state)
{
	struct match_index *ix = filler_index(2000);
	struct match_hit hits[5];
	size_t n;
	struct rec x;
	struct mmis_error err = { 0 };
	(void)state;

	assert_int_equal(match_index_add(ix, 1, mk(&x, "MOHAMED ABDALLA", "1980-05-05", "SYR", "M",
						   NULL), &err), MMIS_OK);
	assert_int_equal(match_index_add(ix, 2, mk(&x, "Đorđe Kovačević", "1975", "SRB", "M",
						   "P1234567"), &err), MMIS_OK);
	assert_int_equal(match_index_add(ix, 3, mk(&x, "Abdelkader Al-Hassan", NULL, NULL, NULL,
						   NULL), &err), MMIS_OK);
	/* an id twice; a name that does not normalise: refused, nothing added */
	assert_int_equal(match_index_add(ix, 2, mk(&x, "Someone Else", NULL, NULL, NULL, NULL), &err),
			 MMIS_ECONFLICT);
	size_t before = match_index_count(ix);
	assert_int_equal(match_index_add(ix, 4, mk(&x, "÷.-", NULL, NULL, NULL, NULL), &err),
			 MMIS_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(match_index_add(ix, 4, mk(&x, "Ali Omar", "1985-13-01", NULL, NULL, NULL),
					 &err), MMIS_EINVAL);
	assert_string_equal(err.field, "birth_date");
	assert_int_equal(match_index_count(ix), before);
	/* searching before building is refused */
	assert_int_equal(match_index_search(ix, mk(&x, "Ali Omar", NULL, NULL, NULL, NULL), T, 5,
					    hits, &n, &err), MMIS_ECONFLICT);
	assert_int_equal(match_index_build(ix, &err), MMIS_OK);
	assert_int_equal(match_index_count(ix), 2003);
	assert_true(match_index_memory(ix) > 0);

	/* across scripts, best first, with reasons */
	assert_int_equal(match_index_search(ix, mk(&x, "Мухамед Абдулах", "1980", NULL, NULL, NULL),
					    T, 5, hits, &n, &err), MMIS_OK);
	assert_true(n >= 1);
	assert_int_equal(hits[0].id, 1);
	assert_true(hits[0].score >= T);
	assert_true(json_array_size(hits[0].reasons) > 0);
	for (size_t i = 1; i < n; i++)
		assert_true(hits[i - 1].score >= hits[i].score);
	match_hits_free(hits, n);

	/* one typing error, Đ as D, swapped */
	assert_int_equal(match_index_search(ix, mk(&x, "KOVACEVIK DORDJE", NULL, NULL, NULL, NULL), T,
					    5, hits, &n, &err), MMIS_OK);
	assert_true(n >= 1);
	assert_int_equal(hits[0].id, 2);
	match_hits_free(hits, n);

	/* joined and split */
	assert_int_equal(match_index_search(ix, mk(&x, "Abdel Kader Alhassan", NULL, NULL, NULL, NULL),
					    T, 5, hits, &n, &err), MMIS_OK);
	assert_true(n >= 1);
	assert_int_equal(hits[0].id, 3);
	match_hits_free(hits, n);

	/* a document number finds its record whatever the name */
	assert_int_equal(match_index_search(ix, mk(&x, "Nobody Known", NULL, NULL, NULL, "p 1234567"),
					    T, 5, hits, &n, &err), MMIS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].id, 2);
	assert_true(hits[0].score == 1.0);
	assert_non_null(reason(hits[0].reasons, "document", "exact"));
	match_hits_free(hits, n);

	/* limit and threshold */
	assert_int_equal(match_index_search(ix, mk(&x, "Mohammed Ahmed Petrovic", NULL, NULL, NULL,
						   NULL), 0.5, 3, hits, &n, &err), MMIS_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_true(hits[i].score >= 0.5);
	match_hits_free(hits, n);
	assert_int_equal(match_index_search(ix, mk(&x, "Mohammed Ahmed Petrovic", NULL, NULL, NULL,
						   NULL), 0.999, 5, hits, &n, &err), MMIS_OK);
	for (size_t i = 0; i < n; i++)
		assert_true(hits[i].score >= 0.999);
	match_hits_free(hits, n);

	/* a threshold outside [0, 1] */
	assert_int_equal(match_index_search(ix, mk(&x, "Ali Omar", NULL, NULL, NULL, NULL), 1.5, 5,
					    hits, &n, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "threshold");

	/* nobody */
	assert_int_equal(match_index_search(ix, mk(&x, "Zhang Wei", NULL, NULL, NULL, NULL), T, 5,
					    hits, &n, &err), MMIS_OK);
	assert_int_equal(n, 0);
	/* no name that normalises and no document */
	assert_int_equal(match_index_search(ix, mk(&x, "...", NULL, NULL, NULL, NULL), T, 5, hits, &n,
					    &err), MMIS_EINVAL);
	assert_string_equal(err.field, "name");
	/* no more records once built */
	assert_int_equal(match_index_add(ix, 9, mk(&x, "Ali Omar", NULL, NULL, NULL, NULL), &err),
			 MMIS_ECONFLICT);
	match_index_free(ix);
}

/* Common names (held by more than 1,000 + N/1,000 records) take other paths in the index: pairs of
 * common parts, signatures, misspelt common names found as those names, the rescoring window. */
/* Albanian letters as Serbian documents write them, Bangladesh's Md */
static void test_regional_spellings(void **state)
{
	static const char *const pairs[][2] = {
		{ "Enver Hoxha", "Enver Hodža" },
		{ "Enver Hoxha", "Енвер Хоџа" },
		{ "Blerim Gjonollari", "Блерим Ђонолари" },
		{ "Blerim Gjonollari", "Blerim Djonolari" },
		{ "Arben Krasniqi", "Arben Krasnići" },
		{ "Qazim Berisha", "Ćazim Beriša" },
		{ "Md Rafiqul Islam", "Mohammad Rafiqul Islam" },
	};
	struct rec x, y;
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		double s = match_compare(mk(&x, pairs[i][0], NULL, NULL, NULL, NULL),
					 mk(&y, pairs[i][1], NULL, NULL, NULL, NULL), NULL);
		if (s < 0.9)
			fail_msg("\"%s\" / \"%s\": %.3f", pairs[i][0], pairs[i][1], s);
	}
}

static void test_index_common_names(void **state)
{
	static const char *const syl[] = { "ba", "ko", "ri", "mu", "ze", "ta", "li", "no" };
	struct match_index *ix = match_index_new();
	struct match_hit hits[10];
	struct rec x;
	char name[128], date[16];
	size_t n;
	(void)state;
	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "Mohammed %s %s%s%svic", i % 2 ? "Ali" : "Omar",
			 syl[i % 8], syl[(i / 8) % 8], syl[(i / 64) % 8]);
		snprintf(date, sizeof(date), "%u-%02u-%02u", 1950 + i % 50, 1 + i % 12, 1 + i % 28);
		assert_int_equal(match_index_add(ix, 100 + i, mk(&x, name, date, NULL, NULL, NULL),
						 NULL), MMIS_OK);
	}
	assert_int_equal(match_index_add(ix, 1, mk(&x, "Mohammed Ali Karimovski", "1981-04-04", NULL,
						   NULL, NULL), NULL), MMIS_OK);
	assert_int_equal(match_index_add(ix, 2, mk(&x, "Mohammed Ali", "1990-01-01", NULL, NULL, NULL),
					 NULL), MMIS_OK);
	/* the same rare name with and without a birth date: the dated one first when it agrees */
	assert_int_equal(match_index_add(ix, 4, mk(&x, "Kadir Osmanovski", NULL, NULL, NULL, NULL),
					 NULL), MMIS_OK);
	assert_int_equal(match_index_add(ix, 5, mk(&x, "Kadir Osmanovski", "1970-05-05", NULL, NULL,
						   NULL), NULL), MMIS_OK);
	assert_int_equal(match_index_build(ix, NULL), MMIS_OK);
	assert_int_equal(match_index_search(ix, mk(&x, "Kadir Osmanovski", "1970-05-05", NULL, NULL,
						   NULL), T, 3, hits, &n, NULL), MMIS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(hits[0].id, 5);
	assert_int_equal(hits[1].id, 4);
	assert_true(hits[0].score == 1.0 && hits[1].score == 1.0);
	assert_null(reason(hits[1].reasons, "name", "common")); /* a rare name */
	match_hits_free(hits, n);

	/*
	 * common parts only and nothing else: under the default threshold (1 in 2,200 here, shares
	 * taken over 100,000 records), and said; a birth date makes up for it
	 */
	assert_int_equal(match_index_search(ix, mk(&x, "Mohammed Ali", NULL, NULL, NULL, NULL), T, 1,
					    hits, &n, NULL), MMIS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(match_index_search(ix, mk(&x, "Mohammed Ali", NULL, NULL, NULL, NULL), 0.5, 1,
					    hits, &n, NULL), MMIS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].id, 2);
	assert_true(hits[0].score < T);
	json_t *c = reason(hits[0].reasons, "name", "common");
	assert_non_null(c);
	assert_true(json_real_value(json_object_get(c, "effect")) < 0);
	assert_non_null(strstr(json_string_value(json_object_get(c, "text")), "common name (1 in "));
	match_hits_free(hits, n);
	assert_int_equal(match_index_search(ix, mk(&x, "Mohammed Ali", "1990-01-01", NULL, NULL, NULL),
					    T, 1, hits, &n, NULL), MMIS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].id, 2);
	assert_true(hits[0].score == 1.0);
	assert_null(reason(hits[0].reasons, "name", "common"));
	match_hits_free(hits, n);

	static const char *const found[] = { "Mohammed Ali Karimovski", "Moammed Ali Karimovski",
					     "Muhammad Ali Karimovsky", "Karimovski Mohamed",
					     "Мухаммед Али Каримовски", "Mohamed Aly Karimovski" };
	for (size_t i = 0; i < sizeof(found) / sizeof(found[0]); i++) {
		assert_int_equal(match_index_search(ix, mk(&x, found[i], "1981", NULL, NULL, NULL), T,
						    3, hits, &n, NULL), MMIS_OK);
		if (!n || hits[0].id != 1)
			fail_msg("\"%s\": %zu hits, first %u", found[i], n, n ? hits[0].id : 0);
		match_hits_free(hits, n);
	}
	/* only common parts: at most `limit` hits, best first, the exact name first */
	assert_int_equal(match_index_search(ix, mk(&x, "Mohammed Ali", NULL, NULL, NULL, NULL), 0.5, 10,
					    hits, &n, NULL), MMIS_OK);
	assert_int_equal(n, 10);
	assert_int_equal(hits[0].id, 2);
	for (size_t i = 1; i < n; i++)
		assert_true(hits[i - 1].score >= hits[i].score);
	match_hits_free(hits, n);
	match_index_free(ix);
}

struct pairs {
	uint32_t a[64], b[64];
	size_t n;
	bool unordered;
};

static enum mmis_err collect(void *ctx, uint32_t a, uint32_t b, double s, json_t *reasons)
{
	struct pairs *p = ctx;
	if (a >= b || s < 0 || s > 1 || !json_is_array(reasons))
		p->unordered = true;
	if (p->n < 64) {
		p->a[p->n] = a;
		p->b[p->n++] = b;
	}
	json_decref(reasons);
	return MMIS_OK;
}

static enum mmis_err stop(void *ctx, uint32_t a, uint32_t b, double s, json_t *reasons)
{
	(void)ctx, (void)a, (void)b, (void)s;
	json_decref(reasons);
	return MMIS_ECONFLICT;
}

static bool has_pair(const struct pairs *p, uint32_t a, uint32_t b)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->a[i] == a && p->b[i] == b)
			return true;
	return false;
}

static void test_dedup(void **state)
{
	struct match_index *ix = match_index_new();
	struct rec x;
	struct pairs p = { 0 };
	struct mmis_error err = { 0 };
	char name[64];
	(void)state;
	/* distinct people, then planted duplicates */
	for (uint32_t i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "%s %s", given[i % 16], family[(i * 7 + i / 16) % 20]);
		char date[16];
		snprintf(date, sizeof(date), "%u-%02u-%02u", 1950 + i, 1 + i % 12, 1 + i % 28);
		assert_int_equal(match_index_add(ix, 100 + i, mk(&x, name, date, NULL, NULL, NULL),
						 NULL), MMIS_OK);
	}
	assert_int_equal(match_index_add(ix, 10, mk(&x, "Amira Haddad", "1999-02-03", "SYR", "F",
						    NULL), NULL), MMIS_OK);
	assert_int_equal(match_index_add(ix, 20, mk(&x, "Zoran Đurić", "1970", NULL, "M", NULL),
					 NULL), MMIS_OK);
	assert_int_equal(match_index_add(ix, 7000, mk(&x, "Амира Хаддад", "1999", NULL, NULL, NULL),
					 NULL), MMIS_OK);
	assert_int_equal(match_index_add(ix, 5, mk(&x, "DJURIC ZORAN", "1970-04-04", "SRB", NULL,
						   NULL), NULL), MMIS_OK);
	assert_int_equal(match_index_build(ix, &err), MMIS_OK);
	assert_int_equal(match_dedup(ix, T, 2, collect, &p, &err), MMIS_OK);
	assert_false(p.unordered);
	assert_true(has_pair(&p, 10, 7000));
	assert_true(has_pair(&p, 5, 20));
	assert_int_equal(p.n, 2);
	/* the callback's error stops the run */
	assert_int_equal(match_dedup(ix, T, 0, stop, NULL, &err), MMIS_ECONFLICT);
	match_index_free(ix);
}

struct searcher {
	const struct match_index *ix;
	int bad;
};

static void *search_many(void *arg)
{
	struct searcher *s = arg;
	struct rec x;
	struct match_hit hits[3];
	size_t n;
	for (int i = 0; i < 200; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s %s %s", given[i % 16], given[(i / 16) % 16],
			 family[(i / 7) % 20]);
		if (match_index_search(s->ix, mk(&x, name, NULL, NULL, NULL, NULL), 0.9, 3, hits, &n,
				       NULL) != MMIS_OK || n == 0 || hits[0].score < 0.99) {
			s->bad++;
			continue;
		}
		match_hits_free(hits, n);
		/* match_normalise and match_compare from this thread too */
		if (score("Мухамед Абдулах", "MOHAMED ABDALLA") < T)
			s->bad++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct match_index *ix = filler_index(1000);
	pthread_t t[4];
	struct searcher s[4];
	(void)state;
	assert_int_equal(match_index_build(ix, NULL), MMIS_OK);
	for (int i = 0; i < 4; i++) {
		s[i] = (struct searcher){ ix, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, search_many, &s[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(s[i].bad, 0);
	}
	match_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise_scripts),
		cmocka_unit_test(test_normalise_bad_input),
		cmocka_unit_test(test_document_normalise),
		cmocka_unit_test(test_equivalences_file),
		cmocka_unit_test(test_issue_examples),
		cmocka_unit_test(test_order_missing_typo),
		cmocka_unit_test(test_different_people),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_index_search),
		cmocka_unit_test(test_regional_spellings),
		cmocka_unit_test(test_index_common_names),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
