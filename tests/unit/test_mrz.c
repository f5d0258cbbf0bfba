/* test_mrz.c - ICAO 9303 machine readable zones: the published specimens, the traps real documents
 * bring, every check digit broken in turn, text that is not an MRZ, and make -> parse round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/mrz.h"

static const struct date today = { 2025, 6, 1, DATE_DAY };

#define TD3_SPECIMEN                                                                               \
	"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"                                            \
	"L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#define TD1_SPECIMEN                                                                               \
	"I<UTOD231458907<<<<<<<<<<<<<<<\n"                                                          \
	"7408122F1204159UTO<<<<<<<<<<<6\n"                                                          \
	"ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
#define TD2_SPECIMEN                                                                               \
	"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"                                                    \
	"D231458907UTO7408122F1204159<<<<<<<6"
/* The German identity card specimen (2010): Germany is D<<, sex is '<'. */
#define GERMAN_ID                                                                                  \
	"IDD<<T220001293<<<<<<<<<<<<<<<\n"                                                          \
	"6408125<2010315D<<<<<<<<<<<<<4\n"                                                          \
	"MUSTERMANN<<ERIKA<<<<<<<<<<<<<"
/* A TD1 number of 12 characters (Belgian style): '<' at 15, continued in the optional data. */
#define LONG_NUMBER_TD1                                                                            \
	"IDBELB12345678<9015<ABC<<<<<<<\n"                                                          \
	"8501019M3001019BEL<<<<<<<<<<<7\n"                                                          \
	"DUPONT<<JEAN<PIERRE<<<<<<<<<<<"
/* Kosovo, a person with one name, personal number all filler with '<' as its check digit. */
#define RKS_ONE_NAME                                                                               \
	"P<RKSKRASNIQI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"                                            \
	"P012345673RKS9003152M2906014<<<<<<<<<<<<<<<0"
/* Stateless (XXA), birth day and month unknown, sex unspecified. */
#define PARTIAL_BIRTH                                                                              \
	"P<XXAHASSAN<<ALI<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n"                                            \
	"X1234567<7XXA74<<<<1<3101012<<<<<<<<<<<<<<00"

static void parse_ok(const char *text, struct mrz *m)
{
	struct mmis_error err = { 0 };
	enum mmis_err rc = mrz_parse(text, &today, m, &err);
	if (rc != MMIS_OK)
		fail_msg("mrz_parse: %s", mmis_error_text(&err));
}

static bool check(const struct mrz *m, const char *name, bool *present)
{
	for (int i = 0; i < m->n_checks; i++) {
		if (!strcmp(m->checks[i].name, name)) {
			*present = true;
			return m->checks[i].ok;
		}
	}
	*present = false;
	return false;
}

static void assert_check(const struct mrz *m, const char *name, bool ok)
{
	bool present;
	bool v = check(m, name, &present);
	if (!present)
		fail_msg("no check '%s'", name);
	if (v != ok)
		fail_msg("check '%s' is %d", name, v);
}

static void assert_date(const struct date *d, int y, int mo, int day, enum date_precision p)
{
	assert_int_equal(d->year, y);
	assert_int_equal(d->month, mo);
	assert_int_equal(d->day, day);
	assert_int_equal(d->precision, p);
}

static bool has_warning(const struct mrz *m, const char *needle)
{
	for (int i = 0; i < m->n_warnings; i++)
		if (strstr(m->warnings[i], needle))
			return true;
	return false;
}

static void test_check_digit(void **state)
{
	(void)state;
	assert_int_equal(mrz_check_digit("L898902C3", 9), 6);
	assert_int_equal(mrz_check_digit("740812", 6), 2);
	assert_int_equal(mrz_check_digit("120415", 6), 9);
	assert_int_equal(mrz_check_digit("ZE184226B<<<<<", 14), 1);
	assert_int_equal(mrz_check_digit("<<<<<<", 6), 0);
	assert_int_equal(mrz_check_digit("", 0), 0);
	assert_int_equal(mrz_check_digit("AB#", 3), -1);
	assert_int_equal(mrz_check_digit("abc", 3), -1);
}

static void test_format_names(void **state)
{
	enum mrz_format f;
	(void)state;
	assert_string_equal(mrz_format_name(MRZ_TD1), "TD1");
	assert_string_equal(mrz_format_name(MRZ_TD2), "TD2");
	assert_string_equal(mrz_format_name(MRZ_TD3), "TD3");
	assert_string_equal(mrz_format_name(MRZ_MRVA), "MRVA");
	assert_string_equal(mrz_format_name(MRZ_MRVB), "MRVB");
	assert_true(mrz_format_from_name("mrv-b", &f));
	assert_int_equal(f, MRZ_MRVB);
	assert_false(mrz_format_from_name("TD4", &f));
}

static void assert_eriksson(const struct mrz *m)
{
	assert_string_equal(m->issuing_state, "UTO");
	assert_string_equal(m->surname, "ERIKSSON");
	assert_string_equal(m->given_names, "ANNA MARIA");
	assert_string_equal(m->nationality, "UTO");
	assert_true(m->birth_date_known);
	assert_date(&m->birth_date, 1974, 8, 12, DATE_DAY);
	assert_true(m->expiry_date_known);
	assert_date(&m->expiry_date, 2012, 4, 15, DATE_DAY);
	assert_int_equal(m->sex, 'F');
	assert_true(m->valid);
	assert_true(has_warning(m, "issuing state 'UTO' is not a known code"));
}

static void test_td3_specimen(void **state)
{
	struct mrz m;
	(void)state;
	parse_ok(TD3_SPECIMEN, &m);
	assert_int_equal(m.format, MRZ_TD3);
	assert_string_equal(m.document_code, "P");
	assert_string_equal(m.document_number, "L898902C3");
	assert_string_equal(m.optional_data, "ZE184226B");
	assert_int_equal(m.n_checks, 5);
	assert_check(&m, "document_number", true);
	assert_check(&m, "birth_date", true);
	assert_check(&m, "expiry_date", true);
	assert_check(&m, "personal_number", true);
	assert_check(&m, "composite", true);
	assert_eriksson(&m);
}

static void test_td1_specimen(void **state)
{
	struct mrz m;
	(void)state;
	parse_ok(TD1_SPECIMEN, &m);
	assert_int_equal(m.format, MRZ_TD1);
	assert_string_equal(m.document_code, "I");
	assert_string_equal(m.document_number, "D23145890");
	assert_string_equal(m.optional_data, "");
	assert_string_equal(m.optional_data2, "");
	assert_int_equal(m.n_checks, 4);
	assert_check(&m, "composite", true);
	assert_eriksson(&m);
}

static void test_td2_specimen(void **state)
{
	struct mrz m;
	(void)state;
	parse_ok(TD2_SPECIMEN, &m);
	assert_int_equal(m.format, MRZ_TD2);
	assert_string_equal(m.document_code, "I");
	assert_string_equal(m.document_number, "D23145890");
	assert_int_equal(m.n_checks, 4);
	assert_check(&m, "composite", true);
	assert_eriksson(&m);
}

static void test_json_contract(void **state)
{
	struct mrz m;
	json_t *j;
	char *s;
	(void)state;
	parse_ok(TD3_SPECIMEN, &m);
	j = mrz_to_json(&m);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(s);
	assert_non_null(strstr(s, "\"format\":\"TD3\",\"document_code\":\"P\",\"issuing_state\":\"UTO\","
				  "\"surname\":\"ERIKSSON\",\"given_names\":\"ANNA MARIA\","
				  "\"document_number\":\"L898902C3\",\"nationality\":\"UTO\","
				  "\"birth_date\":\"1974-08-12\",\"expiry_date\":\"2012-04-15\",\"sex\":\"F\","
				  "\"optional_data\":\"ZE184226B\",\"checks\":{\"document_number\":true,"
				  "\"birth_date\":true,\"expiry_date\":true,\"personal_number\":true,"
				  "\"composite\":true},\"valid\":true,\"warnings\":["));
	free(s);
	json_decref(j);

	parse_ok(PARTIAL_BIRTH, &m);
	j = mrz_to_json(&m);
	assert_string_equal(json_string_value(json_object_get(j, "birth_date")), "1974");
	assert_string_equal(json_string_value(json_object_get(j, "sex")), "X");
	assert_true(json_is_array(json_object_get(j, "warnings")));
	json_decref(j);
}

static void test_german_id(void **state)
{
	struct mrz m;
	(void)state;
	parse_ok(GERMAN_ID, &m);
	assert_int_equal(m.format, MRZ_TD1);
	assert_string_equal(m.document_code, "ID");
	assert_string_equal(m.issuing_state, "D");
	assert_string_equal(m.nationality, "D");
	assert_string_equal(m.document_number, "T22000129");
	assert_string_equal(m.surname, "MUSTERMANN");
	assert_string_equal(m.given_names, "ERIKA");
	assert_int_equal(m.sex, 'X');
	assert_date(&m.birth_date, 1964, 8, 12, DATE_DAY);
	assert_date(&m.expiry_date, 2020, 10, 31, DATE_DAY);
	assert_true(m.valid);
	assert_int_equal(m.n_warnings, 0); /* D is a known code */
}

static void test_long_td1_number(void **state)
{
	struct mrz m;
	char out[MRZ_TEXT_MAX];
	struct mrz_fields f = {
		.format = MRZ_TD1, .document_code = "ID", .issuing_state = "BEL", .surname = "DUPONT",
		.given_names = "JEAN PIERRE", .document_number = "B12345678901", .nationality = "BEL",
		.optional_data = "ABC", .birth_date = { 1985, 1, 1, DATE_DAY },
		.expiry_date = { 2030, 1, 1, DATE_DAY }, .sex = 'M',
	};
	(void)state;
	parse_ok(LONG_NUMBER_TD1, &m);
	assert_string_equal(m.document_number, "B12345678901");
	assert_string_equal(m.optional_data, "ABC");
	assert_check(&m, "document_number", true);
	assert_check(&m, "composite", true);
	assert_true(m.valid);
	assert_string_equal(m.given_names, "JEAN PIERRE");
	assert_int_equal(m.n_warnings, 0);
	/* mrz_make writes the same layout */
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
	assert_string_equal(out, LONG_NUMBER_TD1);

	/* the number's check digit broken */
	char bad[] = LONG_NUMBER_TD1;
	bad[18] = '6';
	parse_ok(bad, &m);
	assert_check(&m, "document_number", false);
	assert_false(m.valid);
}

static void test_rks_one_name(void **state)
{
	struct mrz m;
	(void)state;
	parse_ok(RKS_ONE_NAME, &m);
	assert_string_equal(m.issuing_state, "RKS");
	assert_string_equal(m.surname, "KRASNIQI");
	assert_string_equal(m.given_names, "");
	assert_string_equal(m.optional_data, "");
	assert_check(&m, "personal_number", true);
	assert_true(m.valid);
	assert_int_equal(m.n_warnings, 0);
}

static void test_partial_birth_and_icao_codes(void **state)
{
	static const char *const codes[] = { "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK" };
	struct mrz m;
	char out[MRZ_TEXT_MAX];
	(void)state;
	parse_ok(PARTIAL_BIRTH, &m);
	assert_true(m.birth_date_known);
	assert_date(&m.birth_date, 1974, 0, 0, DATE_YEAR);
	assert_int_equal(m.sex, 'X');
	assert_true(m.valid);
	assert_int_equal(m.n_warnings, 0);

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct mrz_fields f = {
			.format = MRZ_TD3, .document_code = "P", .issuing_state = codes[i],
			.surname = "HASSAN", .given_names = "ALI", .document_number = "X1234567",
			.nationality = codes[i], .birth_date = { 1974, 8, 0, DATE_MONTH },
			.expiry_date = { 2031, 1, 1, DATE_DAY }, .sex = 'M',
		};
		assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
		parse_ok(out, &m);
		assert_true(m.valid);
		assert_string_equal(m.issuing_state, codes[i]);
		assert_int_equal(m.n_warnings, 0);
		assert_date(&m.birth_date, 1974, 8, 0, DATE_MONTH);
	}

	/* an unknown code is kept, with a warning, and the MRZ stays valid */
	struct mrz_fields f = {
		.format = MRZ_TD3, .document_code = "P", .issuing_state = "ZZZ", .surname = "A",
		.document_number = "1", .nationality = "MNE", .birth_date = { 0, 0, 0, DATE_DAY },
		.expiry_date = { 2030, 1, 1, DATE_DAY }, .sex = 'F',
	};
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
	parse_ok(out, &m);
	assert_true(m.valid);
	assert_string_equal(m.issuing_state, "ZZZ");
	assert_true(has_warning(&m, "issuing state 'ZZZ' is not a known code"));
	assert_false(m.birth_date_known);
	assert_int_equal(m.n_warnings, 1);
}

static void test_visas(void **state)
{
	struct mrz m;
	char out[MRZ_TEXT_MAX];
	struct mrz_fields f = {
		.format = MRZ_MRVA, .document_code = "V", .issuing_state = "MNE", .surname = "PETROVIC",
		.given_names = "MARKO", .document_number = "VM1234567", .nationality = "SRB",
		.optional_data = "ABCDEFGHIJKLMNOP", .birth_date = { 1990, 2, 28, DATE_DAY },
		.expiry_date = { 2026, 3, 1, DATE_DAY }, .sex = 'M',
	};
	(void)state;
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
	assert_int_equal(strlen(out), 89);
	parse_ok(out, &m);
	assert_int_equal(m.format, MRZ_MRVA);
	assert_string_equal(m.document_code, "V");
	assert_string_equal(m.optional_data, "ABCDEFGHIJKLMNOP");
	assert_int_equal(m.n_checks, 3);
	assert_true(m.valid);
	assert_string_equal(m.surname, "PETROVIC");

	f.format = MRZ_MRVB;
	f.document_code = "VC";
	f.optional_data = "ABCDEFGH";
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
	assert_int_equal(strlen(out), 73);
	parse_ok(out, &m);
	assert_int_equal(m.format, MRZ_MRVB);
	assert_string_equal(m.document_code, "VC");
	assert_string_equal(m.optional_data, "ABCDEFGH");
	assert_int_equal(m.n_checks, 3);
	assert_true(m.valid);

	/* a visa code in a passport format, a passport code in a visa format */
	f.format = MRZ_TD3;
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_EINVAL);
	f.format = MRZ_MRVA;
	f.document_code = "P";
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_EINVAL);
}

/* Each check digit changed on its own: that check fails and the MRZ is not valid. */
static void break_each(const char *text, const int *pos, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *t = strdup(text);
		struct mrz m;

		assert_non_null(t);
		t[pos[i]] = t[pos[i]] == '9' ? '0' : t[pos[i]] == '<' ? '1' : (char)(t[pos[i]] + 1);
		parse_ok(t, &m);
		assert_false(m.valid);
		assert_check(&m, names[i], false);
		if (strcmp(names[i], "composite"))
			for (int k = 0; k < m.n_checks; k++)
				if (strcmp(m.checks[k].name, names[i]) && strcmp(m.checks[k].name, "composite"))
					assert_true(m.checks[k].ok);
		free(t);
	}
}

static void test_each_check_broken(void **state)
{
	static const char *const td3[] = { "document_number", "birth_date", "expiry_date",
					   "personal_number", "composite" };
	static const int td3_pos[] = { 45 + 9, 45 + 19, 45 + 27, 45 + 42, 45 + 43 };
	static const char *const td1[] = { "document_number", "birth_date", "expiry_date", "composite" };
	static const int td1_pos[] = { 14, 31 + 6, 31 + 14, 31 + 29 };
	static const int td2_pos[] = { 37 + 9, 37 + 19, 37 + 27, 37 + 35 };
	static const int rks_pos[] = { 45 + 42 };
	static const char *const rks[] = { "personal_number" };
	(void)state;
	break_each(TD3_SPECIMEN, td3_pos, td3, 5);
	break_each(TD1_SPECIMEN, td1_pos, td1, 4);
	break_each(TD2_SPECIMEN, td2_pos, td1, 4);
	break_each(RKS_ONE_NAME, rks_pos, rks, 1); /* '<' check over filled data, after '<' -> '1' */
	break_each(GERMAN_ID, td1_pos, td1, 4);
}

static void not_mrz(const char *text, const char *where)
{
	struct mmis_error err = { 0 };
	struct mrz m;

	assert_int_equal(mrz_parse(text, &today, &m, &err), MMIS_EINVAL);
	assert_string_equal(err.field, "mrz");
	if (strncmp(err.message, where, strlen(where)))
		fail_msg("expected '%s...', got '%s'", where, err.message);
}

static void test_not_mrz(void **state)
{
	(void)state;
	not_mrz("", "line 1, position 1:");
	not_mrz("  \n\n ", "line 1, position 1:");
	not_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "line 2, position 1:");
	not_mrz("A\nB\nC\nD", "line 4, position 1:");
	not_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<1",
		"line 2, position 44: the line has 43 characters");
	not_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<100",
		"line 2, position 45: the line has 45 characters");
	not_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
		"line 1, position 44: the line has 43 characters");
	not_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122#1204159ZE184226B<<<<<10",
		"line 2, position 21: '#' is not allowed in an MRZ");
	not_mrz("P<UTOERIKSSON<<ANNA MARIA<<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
		"line 1, position 20: a space is not allowed");
	not_mrz("P<UTO\xc3\x89RIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
		"line 1, position 6: byte 0xc3 is not allowed");
	not_mrz("I<UTOD231458907<<<<<<<<<<<<<<<\n"
		"7408122F1204159UTO<<<<<<<<<<<6\n"
		"ERIKSSON<<ANNA<MARIA<<<<<<<<<",
		"line 3, position 30: the line has 29 characters");
	not_mrz("<<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
		"line 1, position 1:");
	not_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\n"
		"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
		"line 2, position 1: an empty line");
}

static void test_tolerant_input(void **state)
{
	struct mrz m;
	(void)state;
	parse_ok("\n  p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\r\n"
		 "\tl898902c36uto7408122f1204159ze184226b<<<<<10  \r\n\n",
		 &m);
	assert_true(m.valid);
	assert_eriksson(&m);
}

static void test_centuries(void **state)
{
	struct mrz m;
	char out[MRZ_TEXT_MAX];
	struct mrz_fields f = {
		.format = MRZ_TD3, .document_code = "P", .issuing_state = "MNE", .surname = "X",
		.document_number = "1", .nationality = "MNE", .sex = 'M',
	};
	static const struct {
		struct date birth, expiry; /* written */
		struct date birth_read, expiry_read; /* read back on 2025-06-01 */
	} cases[] = {
		{ { 2025, 6, 1, DATE_DAY }, { 2074, 12, 31, DATE_DAY },
		  { 2025, 6, 1, DATE_DAY }, { 2074, 12, 31, DATE_DAY } },
		{ { 1925, 6, 2, DATE_DAY }, { 1975, 1, 1, DATE_DAY },
		  { 1925, 6, 2, DATE_DAY }, { 1975, 1, 1, DATE_DAY } },
		{ { 2025, 6, 2, DATE_DAY }, { 2075, 1, 1, DATE_DAY },
		  { 1925, 6, 2, DATE_DAY }, { 1975, 1, 1, DATE_DAY } },
		{ { 2000, 2, 29, DATE_DAY }, { 2035, 1, 1, DATE_DAY },
		  { 2000, 2, 29, DATE_DAY }, { 2035, 1, 1, DATE_DAY } },
		{ { 1930, 0, 0, DATE_YEAR }, { 2010, 1, 1, DATE_DAY },
		  { 1930, 0, 0, DATE_YEAR }, { 2010, 1, 1, DATE_DAY } },
		{ { 2025, 6, 0, DATE_MONTH }, { 2030, 1, 0, DATE_MONTH },
		  { 2025, 6, 0, DATE_MONTH }, { 2030, 1, 0, DATE_MONTH } },
		{ { 2025, 7, 0, DATE_MONTH }, { 2076, 1, 1, DATE_DAY },
		  { 1925, 7, 0, DATE_MONTH }, { 1976, 1, 1, DATE_DAY } },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f.birth_date = cases[i].birth;
		f.expiry_date = cases[i].expiry;
		assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
		parse_ok(out, &m);
		assert_true(m.valid);
		const struct date *b = &cases[i].birth_read, *e = &cases[i].expiry_read;
		assert_date(&m.birth_date, b->year, b->month, b->day, b->precision);
		assert_date(&m.expiry_date, e->year, e->month, e->day, e->precision);
	}
	/* 29 February of a year that is not a leap year in its century is not a date */
	char bad[] = TD3_SPECIMEN;
	memcpy(bad + 45 + 13, "000229", 6);
	bad[45 + 19] = (char)('0' + mrz_check_digit("000229", 6));
	struct date far = { 2150, 1, 1, DATE_DAY };
	assert_int_equal(mrz_parse(bad, &far, &m, NULL), MMIS_OK);
	assert_false(m.birth_date_known);
	assert_false(m.valid);
	assert_true(has_warning(&m, "birth date '000229' is not a date"));
}

static void test_bad_fields(void **state)
{
	struct mrz m;
	char bad[] = TD3_SPECIMEN;
	(void)state;
	bad[45 + 20] = 'Q';
	parse_ok(bad, &m);
	assert_false(m.valid);
	assert_true(has_warning(&m, "sex 'Q'"));

	char bad2[] = TD3_SPECIMEN;
	memcpy(bad2 + 45 + 21, "121315", 6);
	parse_ok(bad2, &m);
	assert_false(m.valid);
	assert_false(m.expiry_date_known);
	assert_true(has_warning(&m, "expiry date '121315' is not a date"));

	/* a name filling its field may be truncated */
	parse_ok("P<UTOABCDEFGHIJKLMNOPQRSTUVWXYZ<<ABCDEFGHIJK\n"
		 "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
		 &m);
	assert_string_equal(m.given_names, "ABCDEFGHIJK");
	assert_true(has_warning(&m, "truncated"));
}

static void make_fails(const struct mrz_fields *f, enum mmis_err code, const char *field,
		       const char *needle)
{
	struct mmis_error err = { 0 };
	char out[MRZ_TEXT_MAX];

	assert_int_equal(mrz_make(f, out, sizeof(out), &err), code);
	assert_string_equal(err.field, field);
	if (!strstr(err.message, needle))
		fail_msg("expected '%s' in '%s'", needle, err.message);
}

static void test_make_refuses(void **state)
{
	struct mrz_fields base = {
		.format = MRZ_TD3, .document_code = "P", .issuing_state = "UTO", .surname = "ERIKSSON",
		.given_names = "ANNA MARIA", .document_number = "L898902C3", .nationality = "UTO",
		.birth_date = { 1974, 8, 12, DATE_DAY }, .expiry_date = { 2012, 4, 15, DATE_DAY },
		.sex = 'F',
	};
	struct mrz_fields f;
	char out[MRZ_TEXT_MAX];
	struct mrz m;
	(void)state;

	f = base;
	f.surname = "ERIKSS\xc3\x96N";
	make_fails(&f, MMIS_EINVAL, "surname", "'\xc3\x96' is not allowed");
	f = base;
	f.given_names = "ANNA2";
	make_fails(&f, MMIS_EINVAL, "given_names", "'2'");
	f = base;
	f.given_names = "ANNA MARIA KRISTINA ELISABETH ALEXANDRA";
	make_fails(&f, MMIS_EINVAL, "given_names", "not truncated");
	f = base;
	f.document_number = "L898902C31";
	make_fails(&f, MMIS_EINVAL, "document_number", "at most 9");
	f = base;
	f.document_number = "";
	make_fails(&f, MMIS_EINVAL, "document_number", "required");
	f = base;
	f.surname = " - ";
	make_fails(&f, MMIS_EINVAL, "surname", "required");
	f = base;
	f.issuing_state = "UT0";
	make_fails(&f, MMIS_EINVAL, "issuing_state", "'0'");
	f = base;
	f.optional_data = "ZE184226B#";
	make_fails(&f, MMIS_EINVAL, "optional_data", "'#'");
	f = base;
	f.optional_data = "ABCDEFGHIJKLMNO";
	make_fails(&f, MMIS_EINVAL, "optional_data", "too long");
	f = base;
	f.sex = 'Q';
	make_fails(&f, MMIS_EINVAL, "sex", "M, F or X");
	f = base;
	f.birth_date.month = 13;
	make_fails(&f, MMIS_EINVAL, "birth_date", "not a date");
	f = base;
	f.document_code = "1";
	make_fails(&f, MMIS_EINVAL, "document_code", "letter");
	f = base;
	f.format = MRZ_TD1;
	f.document_code = "I";
	f.document_number = "ABCDEFGHIJKLMNOPQRSTUVW"; /* 9 + 14: fits exactly */
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
	parse_ok(out, &m);
	assert_string_equal(m.document_number, "ABCDEFGHIJKLMNOPQRSTUVW");
	assert_true(m.valid);
	f.optional_data = "A";
	make_fails(&f, MMIS_EINVAL, "document_number", "do not fit");

	/* lower case, hyphens, apostrophes and spaces */
	f = base;
	f.surname = "o'neill-smith";
	f.given_names = "  anna   maria ";
	assert_int_equal(mrz_make(&f, out, sizeof(out), NULL), MMIS_OK);
	assert_non_null(strstr(out, "P<UTOO<NEILL<SMITH<<ANNA<MARIA<<<"));
	parse_ok(out, &m);
	assert_string_equal(m.surname, "O NEILL SMITH");
	assert_string_equal(m.given_names, "ANNA MARIA");

	/* the buffer */
	f = base;
	assert_int_equal(mrz_make(&f, out, 89, NULL), MMIS_ETOOBIG);
	assert_int_equal(mrz_make(&f, out, 90, NULL), MMIS_OK);
}

/* Random fields -> make -> parse gives the same fields. */
static unsigned long long rng_state = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void rand_str(char *buf, size_t len, const char *alphabet)
{
	size_t a = strlen(alphabet);
	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[rnd((unsigned)a)];
	buf[len] = '\0';
}

static void rand_name(char *buf, size_t max_len)
{
	size_t o = 0;
	int parts = 1 + (int)rnd(3);

	for (int p = 0; p < parts; p++) {
		size_t n = 1 + rnd(8);
		if (o + (o ? 1 : 0) + n > max_len)
			break;
		if (o)
			buf[o++] = ' ';
		rand_str(buf + o, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		o += n;
	}
	buf[o] = '\0';
}

static void rand_date(struct date *d, bool birth)
{
	if (birth && rnd(20) == 0) {
		memset(d, 0, sizeof(*d));
		return;
	}
	d->year = birth ? 1926 + (int)rnd(100) : 1976 + (int)rnd(99);
	if (birth && d->year == 2025)
		d->year = 2024;
	d->month = 1 + (int)rnd(12);
	d->day = 1 + (int)rnd((unsigned)date_days_in_month(d->year, d->month));
	d->precision = DATE_DAY;
	if (birth && rnd(10) == 0) {
		d->precision = rnd(2) ? DATE_MONTH : DATE_YEAR;
		d->day = 0;
		if (d->precision == DATE_YEAR)
			d->month = 0;
	}
}

static void test_round_trip(void **state)
{
	static const char *const codes[] = { "P", "PD", "I", "ID", "AC", "C" };
	static const char *const visa_codes[] = { "V", "VC", "VD" };
	static const char *const states[] = { "UTO", "D", "RKS", "MNE", "XXA", "UNO", "SRB", "ZZZ" };
	static const char sexes[] = { 'M', 'F', 'X' };
	static const int name_len[] = { 30, 31, 39, 39, 31 };
	static const int opt_len[] = { 15, 7, 14, 16, 8 };
	(void)state;

	for (int it = 0; it < 1000; it++) {
		enum mrz_format fmt = (enum mrz_format)rnd(5);
		bool visa = fmt == MRZ_MRVA || fmt == MRZ_MRVB;
		char surname[40], given[40], number[30], opt[20];
		char out[MRZ_TEXT_MAX];
		struct mrz m;
		struct mrz_fields f = { .format = fmt };
		size_t numlen;

		f.document_code = visa ? visa_codes[rnd(3)] : codes[rnd(6)];
		f.issuing_state = states[rnd(8)];
		f.nationality = states[rnd(8)];
		rand_name(surname, (size_t)name_len[fmt] - 3);
		given[0] = '\0';
		if (rnd(4))
			rand_name(given, (size_t)name_len[fmt] - strlen(surname) - 2);
		numlen = 1 + rnd(9);
		if ((fmt == MRZ_TD1 || fmt == MRZ_TD2) && rnd(4) == 0)
			numlen = 10 + rnd(fmt == MRZ_TD1 ? 14 : 6);
		rand_str(number, numlen, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		/* room for optional data: after a long number's end, its check digit and a filler */
		int room = opt_len[fmt];
		if (numlen > 9)
			room -= (int)(numlen - 9) + 2;
		size_t ol = rnd(3) == 0 || room < 1 ? 0 : rnd((unsigned)room + 1);
		rand_str(opt, ol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<");
		while (ol > 0 && opt[ol - 1] == '<')
			opt[--ol] = '\0';
		f.optional_data = opt;
		f.surname = surname;
		f.given_names = given;
		f.document_number = number;
		rand_date(&f.birth_date, true);
		rand_date(&f.expiry_date, false);
		f.sex = sexes[rnd(3)];

		struct mmis_error err = { 0 };
		if (mrz_make(&f, out, sizeof(out), &err))
			fail_msg("iteration %d: mrz_make: %s", it, mmis_error_text(&err));
		parse_ok(out, &m);
		if (!m.valid)
			fail_msg("iteration %d: not valid:\n%s", it, out);
		assert_int_equal(m.format, fmt);
		assert_string_equal(m.document_code, f.document_code);
		assert_string_equal(m.issuing_state, f.issuing_state);
		assert_string_equal(m.nationality, f.nationality);
		assert_string_equal(m.surname, surname);
		assert_string_equal(m.given_names, given);
		assert_string_equal(m.document_number, number);
		assert_string_equal(m.optional_data, opt);
		assert_int_equal(m.sex, f.sex);
		if (f.birth_date.year == 0) {
			assert_false(m.birth_date_known);
		} else {
			assert_true(m.birth_date_known);
			assert_int_equal(date_cmp(&m.birth_date, &f.birth_date), 0);
			assert_int_equal(m.birth_date.precision, f.birth_date.precision);
		}
		assert_int_equal(date_cmp(&m.expiry_date, &f.expiry_date), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_digit),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_td3_specimen),
		cmocka_unit_test(test_td1_specimen),
		cmocka_unit_test(test_td2_specimen),
		cmocka_unit_test(test_json_contract),
		cmocka_unit_test(test_german_id),
		cmocka_unit_test(test_long_td1_number),
		cmocka_unit_test(test_rks_one_name),
		cmocka_unit_test(test_partial_birth_and_icao_codes),
		cmocka_unit_test(test_visas),
		cmocka_unit_test(test_each_check_broken),
		cmocka_unit_test(test_not_mrz),
		cmocka_unit_test(test_tolerant_input),
		cmocka_unit_test(test_centuries),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_make_refuses),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
