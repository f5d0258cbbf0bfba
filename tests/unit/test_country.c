/* test_country.c - ISO 3166-1 from iso-codes plus the ICAO codes. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "mmis/country.h"

static const char *const icao_only[] = {
	"D", "RKS", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "EUE", "GBD", "GBN", "GBO", "GBP",
	"GBS",
};

/*
 * The table loads once per process, so tests of other data files run in a child process that
 * sets $MMIS_ISO_CODES first. The child reports by its exit status: 0 when every check held,
 * otherwise the number of the check that failed.
 */
typedef int (*child_fn)(const char *path);

static void run_child(const char *data, bool override, child_fn fn)
{
	char path[] = "/tmp/mmis-test-iso-XXXXXX";
	int fd = -1, status;
	pid_t pid;

	if (data) {
		fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
		close(fd);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (override)
			setenv("MMIS_ISO_CODES", path, 1);
		_exit(fn(path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (data)
		unlink(path);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("check %d failed in the child", WEXITSTATUS(status));
}

static int child_override(const char *path)
{
	struct mmis_error e;
	const struct country *c;

	(void)path;
	if (country_init(&e) != MMIS_OK)
		return 1;
	if (country_count() != 2 + 15 - 1)
		return 2;
	c = country_lookup("mne");
	if (!c || strcmp(c->name, "Testenegro") != 0 || c->kind != COUNTRY_ISO)
		return 3;
	/* The data file wins over the built-in ICAO entry of the same code. */
	c = country_lookup("RKS");
	if (!c || strcmp(c->name, "Kosovo (file)") != 0 || c->kind != COUNTRY_ISO ||
	    country_from_alpha2("xk") != c)
		return 4;
	if (!country_lookup("XXA") || country_lookup("DEU"))
		return 5;
	return 0;
}

static void test_override_file(void **state)
{
	(void)state;
	run_child("{\"3166-1\": [{\"alpha_2\": \"ME\", \"alpha_3\": \"MNE\", \"name\": \"Testenegro\"},"
		  " {\"alpha_2\": \"XK\", \"alpha_3\": \"RKS\", \"name\": \"Kosovo (file)\"}]}",
		  true, child_override);
}

static int child_missing(const char *path)
{
	struct mmis_error e;

	if (country_init(&e) != MMIS_EIO || e.code != MMIS_EIO)
		return 1;
	if (!strstr(e.message, path))
		return 2;
	/* Asking again gives the same answer, and lookups fail rather than crash. */
	if (country_init(NULL) != MMIS_EIO)
		return 3;
	if (country_lookup("MNE") || country_lookup("D") || country_from_alpha2("ME"))
		return 4;
	if (country_count() != 0 || country_at(0))
		return 5;
	return 0;
}

static int child_broken(const char *path)
{
	struct mmis_error e;

	if (country_init(&e) != MMIS_EIO)
		return 1;
	if (!strstr(e.message, path))
		return 2;
	if (country_lookup("MNE") || country_count() != 0)
		return 3;
	return 0;
}

static void test_bad_files(void **state)
{
	(void)state;
	run_child(NULL, true, child_missing); /* the template path, never created */
	run_child("{\"3166-1\": [", true, child_broken);
	run_child("{\"3166-2\": []}", true, child_broken);
	run_child("[]", true, child_broken);
	run_child("{\"3166-1\": [{\"alpha_2\": \"ME\", \"alpha_3\": \"mne\", \"name\": \"x\"}]}",
		  true, child_broken);
	run_child("{\"3166-1\": [{\"alpha_2\": \"ME\", \"alpha_3\": \"MNEE\", \"name\": \"x\"}]}",
		  true, child_broken);
	run_child("{\"3166-1\": [{\"alpha_2\": \"ME\", \"alpha_3\": \"MNE\"}]}", true, child_broken);
	run_child("{\"3166-1\": [{\"alpha_2\": 1, \"alpha_3\": \"MNE\", \"name\": \"x\"}]}",
		  true, child_broken);
}

struct racer {
	const struct country *found;
};

static void *race(void *arg)
{
	((struct racer *)arg)->found = country_lookup("MNE");
	return NULL;
}

/* Four threads make the first call together: one load, one table, the same entry for all. */
static int child_threads(const char *path)
{
	struct racer r[4];
	pthread_t t[4];

	(void)path;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, race, &r[i]) != 0)
			return 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		if (!r[i].found || r[i].found != r[0].found || strcmp(r[i].found->name, "Montenegro"))
			return 2;
	return 0;
}

static void test_first_call_from_threads(void **state)
{
	(void)state;
	run_child(NULL, false, child_threads);
}

static void test_init(void **state)
{
	struct mmis_error e;

	(void)state;
	mmis_error_clear(&e);
	assert_int_equal(country_init(&e), MMIS_OK);
	assert_int_equal(country_init(NULL), MMIS_OK);
	assert_int_equal(e.code, MMIS_OK);
}

static void test_montenegro(void **state)
{
	static const char *const spellings[] = { "MNE", "mne", "Mne", "mNe", "MNE<", "MNE<<<" };
	const struct country *c = country_lookup("MNE");

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->alpha3, "MNE");
	assert_string_equal(c->alpha2, "ME");
	assert_string_equal(c->name, "Montenegro");
	assert_int_equal(c->kind, COUNTRY_ISO);
	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
		assert_ptr_equal(country_lookup(spellings[i]), c);
	assert_true(country_valid("mne"));
}

static void test_icao_codes(void **state)
{
	const struct country *c;

	(void)state;
	for (size_t i = 0; i < sizeof(icao_only) / sizeof(icao_only[0]); i++) {
		c = country_lookup(icao_only[i]);
		if (!c)
			fail_msg("%s is missing", icao_only[i]);
		assert_string_equal(c->alpha3, icao_only[i]);
		assert_int_equal(c->kind, COUNTRY_ICAO);
		assert_null(c->alpha2);
		assert_true(strlen(c->name) > 0);
	}
	c = country_lookup("D<<");
	assert_non_null(c);
	assert_string_equal(c->alpha3, "D");
	assert_string_equal(c->name, "Germany");
	assert_ptr_equal(country_lookup("D<"), c);
	assert_ptr_equal(country_lookup("d"), c);
	assert_string_equal(country_lookup("RKS")->name, "Kosovo");
	assert_string_equal(country_lookup("xxa")->name, "Stateless person");
	assert_string_equal(country_lookup("XXB")->name, "Refugee (1951 Convention)");
	assert_string_equal(country_lookup("UNK")->name, "Resident of Kosovo (UNMIK)");
	assert_string_equal(country_lookup("GBN")->name, "British National (Overseas)");
	/* The ISO code of Germany is there as well. */
	assert_string_equal(country_lookup("DEU")->alpha2, "DE");
	assert_int_equal(country_lookup("DEU")->kind, COUNTRY_ISO);
}

static void test_unknown(void **state)
{
	static const char *const unknown[] = {
		"ZZZ", "", "<", "<<<", "MN", "MNEE", "M NE", "MNE ", " MNE", "M1E", "MNE<X", "<MNE",
		"\xc3\x87" "AD", "DE", "D1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		if (country_lookup(unknown[i]))
			fail_msg("\"%s\" was found", unknown[i]);
		assert_false(country_valid(unknown[i]));
	}
	assert_null(country_lookup(NULL));
	assert_false(country_valid(NULL));
}

static void test_alpha2(void **state)
{
	static const char *const unknown[] = { "", "M", "MNE", "m<", "M<", "1E", "zz" };

	(void)state;
	assert_ptr_equal(country_from_alpha2("me"), country_lookup("MNE"));
	assert_ptr_equal(country_from_alpha2("ME"), country_lookup("MNE"));
	assert_ptr_equal(country_from_alpha2("de"), country_lookup("DEU"));
	assert_ptr_equal(country_from_alpha2("rs"), country_lookup("SRB"));
	assert_ptr_equal(country_from_alpha2("GB"), country_lookup("GBR"));
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (country_from_alpha2(unknown[i]))
			fail_msg("\"%s\" was found", unknown[i]);
	assert_null(country_from_alpha2(NULL));
}

static void test_listing(void **state)
{
	size_t n = country_count(), iso = 0, icao = 0;

	(void)state;
	assert_true(n > 249);
	assert_null(country_at(n));
	assert_null(country_at(SIZE_MAX));
	for (size_t i = 0; i < n; i++) {
		const struct country *c = country_at(i);

		assert_non_null(c);
		if (i > 0 && strcmp(country_at(i - 1)->alpha3, c->alpha3) >= 0)
			fail_msg("%s is not after %s", c->alpha3, country_at(i - 1)->alpha3);
		assert_ptr_equal(country_lookup(c->alpha3), c);
		if (c->kind == COUNTRY_ISO) {
			iso++;
			assert_int_equal(strlen(c->alpha3), 3);
			assert_non_null(c->alpha2);
			assert_ptr_equal(country_from_alpha2(c->alpha2), c);
		} else {
			icao++;
		}
	}
	assert_true(iso >= 249);
	assert_int_equal(icao, sizeof(icao_only) / sizeof(icao_only[0]));
	assert_int_equal(iso + icao, n);
}

int main(void)
{
	/* The child-process tests first: they must fork before this process loads its table. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_override_file),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_first_call_from_threads),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_montenegro),
		cmocka_unit_test(test_icao_codes),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_alpha2),
		cmocka_unit_test(test_listing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
