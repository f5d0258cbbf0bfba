/* test_json.c - parsing outside JSON with limits, and reading it field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mmis/json.h"

/* Parse a literal (which must be valid) for the getter tests. */
static json_t *obj(const char *text)
{
	struct mmis_error e;
	json_t *o;

	if (mjson_parse_object(text, strlen(text), &o, &e) != MMIS_OK)
		fail_msg("%s: %s", text, e.message);
	return o;
}

static enum mmis_err parse(const char *text, size_t len, struct mmis_error *e)
{
	static json_t sentinel;
	json_t *v = &sentinel; /* must be reset to NULL on failure */
	enum mmis_err rc = mjson_parse(text, len, &v, e);

	if (rc)
		assert_null(v);
	json_decref(v);
	return rc;
}

static void test_parse_ok(void **state)
{
	static const char text[] = "{\"name\": \"Ана\", \"n\": [1, 2.5, true, null]}";
	struct mmis_error e;
	json_t *v;

	(void)state;
	assert_int_equal(mjson_parse(text, strlen(text), &v, &e), MMIS_OK);
	assert_true(json_is_object(v));
	assert_int_equal(json_array_size(json_object_get(v, "n")), 4);
	json_decref(v);
	/* Any value at the top, and only `len` bytes are read. */
	assert_int_equal(mjson_parse("\"x\"garbage", 3, &v, &e), MMIS_OK);
	assert_string_equal(json_string_value(v), "x");
	json_decref(v);
}

static void test_empty(void **state)
{
	struct mmis_error e;

	(void)state;
	assert_int_equal(parse("", 0, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "empty body");
	assert_int_equal(parse(NULL, 0, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "empty body");
	assert_int_equal(parse(" \r\n\t ", 5, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "empty body");
}

static void test_syntax_errors_name_line_and_column(void **state)
{
	struct mmis_error e;
	static const char one[] = "{\"a\": }";
	static const char three[] = "{\n  \"a\": 1,\n  \"b\" 2\n}";

	(void)state;
	assert_int_equal(parse(one, strlen(one), &e), MMIS_EINVAL);
	assert_true(strncmp(e.message, "line 1, column 7: ", 18) == 0);
	assert_int_equal(parse(three, strlen(three), &e), MMIS_EINVAL);
	assert_true(strncmp(e.message, "line 3, column ", 15) == 0);
	assert_int_equal(parse("{}x", 3, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "line 1"));
	assert_int_equal(parse("{} {}", 5, &e), MMIS_EINVAL);
	assert_int_equal(parse("[1,]", 4, &e), MMIS_EINVAL);
	assert_int_equal(parse("{'a': 1}", 8, &e), MMIS_EINVAL);
	assert_int_equal(parse("[NaN]", 5, &e), MMIS_EINVAL);
	assert_int_equal(parse("[1e999]", 7, &e), MMIS_EINVAL);
	assert_int_equal(parse("[99999999999999999999]", 22, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "");
}

static void test_duplicate_keys(void **state)
{
	struct mmis_error e;
	static const char dup[] = "{\"name\": \"a\", \"name\": \"b\"}";
	static const char nested[] = "{\"p\": {\"x\": 1, \"x\": 1}}";

	(void)state;
	assert_int_equal(parse(dup, strlen(dup), &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "duplicate"));
	assert_int_equal(parse(nested, strlen(nested), &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "duplicate"));
}

static void test_nul_and_bad_utf8(void **state)
{
	struct mmis_error e;
	static const char escaped_nul[] = "{\"a\": \"x\\u0000y\"}";
	static const char raw_nul[] = "{\"a\": \"x\0y\"}";
	static const char nul_key[] = "{\"a\\u0000b\": 1}";
	static const char bad_utf8[] = "{\"a\": \"\xff\"}";
	static const char overlong[] = "{\"a\": \"\xc0\xaf\"}";
	static const char surrogate[] = "{\"a\": \"\\ud800\"}";

	(void)state;
	assert_int_equal(parse(escaped_nul, strlen(escaped_nul), &e), MMIS_EINVAL);
	assert_string_equal(e.message, "line 1, column 16: \\u0000 (NUL) is not allowed in strings");
	assert_int_equal(parse(raw_nul, sizeof(raw_nul) - 1, &e), MMIS_EINVAL);
	assert_int_equal(parse(nul_key, strlen(nul_key), &e), MMIS_EINVAL);
	assert_int_equal(parse(bad_utf8, strlen(bad_utf8), &e), MMIS_EINVAL);
	assert_int_equal(parse(overlong, strlen(overlong), &e), MMIS_EINVAL);
	assert_int_equal(parse(surrogate, strlen(surrogate), &e), MMIS_EINVAL);
}

/* `n` levels of `open`, then `mid`, then `n` of `close`, in a malloc'd buffer. */
static char *nest(size_t n, const char *open, const char *mid, const char *close, size_t *len)
{
	size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
	char *s = malloc(n * (lo + lc) + lm + 1), *p = s;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, mid, lm);
	p += lm;
	for (size_t i = 0; i < n; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

static void test_depth(void **state)
{
	static const size_t refused[] = { MJSON_MAX_DEPTH + 1, 1000, 3000, 1000000 };
	struct mmis_error e;
	size_t len;
	char *s;

	(void)state;
	s = nest(MJSON_MAX_DEPTH, "[", "", "]", &len);
	assert_int_equal(parse(s, len, &e), MMIS_OK);
	free(s);
	s = nest(MJSON_MAX_DEPTH, "{\"a\":", "1", "}", &len);
	assert_int_equal(parse(s, len, &e), MMIS_OK);
	free(s);
	s = nest(MJSON_MAX_DEPTH + 1, "{\"a\":", "1", "}", &len);
	assert_int_equal(parse(s, len, &e), MMIS_EINVAL);
	free(s);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		s = nest(refused[i], "[", "", "]", &len);
		assert_int_equal(parse(s, len, &e), MMIS_EINVAL);
		assert_string_equal(e.message, "line 1, column 33: nesting deeper than 32 levels");
		free(s);
	}
	/* Objects count too, and the column counts characters, not bytes. */
	s = nest(40, "{\"ж\":", "1", "}", &len);
	assert_int_equal(parse(s, len, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "line 1, column 161: nesting deeper than 32 levels");
	free(s);
	/* Unclosed deep nesting is refused the same way. */
	s = nest(1000, "[", "", "", &len);
	assert_int_equal(parse(s, len, &e), MMIS_EINVAL);
	assert_non_null(strstr(e.message, "nesting deeper than 32 levels"));
	free(s);
}

static void test_depth_ignores_strings(void **state)
{
	static const char brackets[] =
		"[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\","
		" \"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]";
	struct mmis_error e;

	(void)state;
	assert_int_equal(parse(brackets, strlen(brackets), &e), MMIS_OK);
}

static void test_parse_object(void **state)
{
	struct mmis_error e;
	json_t *v = NULL;

	(void)state;
	assert_int_equal(mjson_parse_object("[1]", 3, &v, &e), MMIS_EINVAL);
	assert_null(v);
	assert_string_equal(e.message, "expected a JSON object");
	assert_int_equal(mjson_parse_object("\"x\"", 3, &v, &e), MMIS_EINVAL);
	assert_int_equal(mjson_parse_object("", 0, &v, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "empty body");
	assert_int_equal(mjson_parse_object("{}", 2, &v, &e), MMIS_OK);
	assert_true(json_is_object(v));
	json_decref(v);
}

static void test_only_keys(void **state)
{
	static const char *const allowed[] = { "name", "birth_date", "sex", NULL };
	json_t *o = obj("{\"name\": \"A\", \"colour\": 1, \"zz\": 2}");
	struct mmis_error e;

	(void)state;
	assert_int_equal(mjson_only_keys(o, allowed, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "colour");
	assert_string_equal(e.message, "unknown member \"colour\"");
	json_decref(o);
	o = obj("{\"sex\": \"F\", \"name\": \"A\"}");
	assert_int_equal(mjson_only_keys(o, allowed, &e), MMIS_OK);
	json_decref(o);
	o = obj("{}");
	assert_int_equal(mjson_only_keys(o, allowed, &e), MMIS_OK);
	json_decref(o);
}

static void test_get_string(void **state)
{
	json_t *o = obj("{\"name\": \"Мила Đurić 😀\", \"n\": 5, \"z\": null, \"tab\": \"a\\tb\\nc\","
			" \"ctl\": \"a\\u0001b\", \"cr\": \"a\\rb\", \"del\": \"\\u007f\","
			" \"c1\": \"a\\u0085\", \"dj\": \"Ђ\", \"e\": \"\"}");
	static const char *const refused[] = { "ctl", "cr", "del", "c1" };
	const char *s = "unchanged";
	struct mmis_error e;

	(void)state;
	assert_int_equal(mjson_get_string(o, "name", true, 0, &s, &e), MMIS_OK);
	assert_string_equal(s, "Мила Đurić 😀");
	assert_int_equal(mjson_get_string(o, "tab", true, 0, &s, &e), MMIS_OK);
	assert_int_equal(mjson_get_string(o, "e", true, 0, &s, &e), MMIS_OK);
	assert_string_equal(s, "");

	assert_int_equal(mjson_get_string(o, "missing", false, 0, &s, &e), MMIS_OK);
	assert_null(s);
	assert_int_equal(mjson_get_string(o, "z", false, 0, &s, &e), MMIS_OK);
	assert_null(s);
	assert_int_equal(mjson_get_string(o, "missing", true, 0, &s, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "missing");
	assert_string_equal(e.message, "missing is required");
	assert_int_equal(mjson_get_string(o, "z", true, 0, &s, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "z is required");

	assert_int_equal(mjson_get_string(o, "n", true, 0, &s, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "n");
	assert_string_equal(e.message, "n must be a string, not an integer");
	assert_null(s);

	/* The limit counts bytes: "Ђ" is two. */
	assert_int_equal(mjson_get_string(o, "dj", true, 2, &s, &e), MMIS_OK);
	assert_int_equal(mjson_get_string(o, "dj", true, 1, &s, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "dj");
	assert_string_equal(e.message, "dj is longer than 1 bytes");

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(mjson_get_string(o, refused[i], true, 0, &s, &e), MMIS_EINVAL);
		assert_string_equal(e.field, refused[i]);
		assert_non_null(strstr(e.message, "control character"));
	}
	json_decref(o);
}

static void test_get_string_validates_utf8_itself(void **state)
{
	/* Values built in code bypass the parser's check: the getter must not trust them. */
	static const char *const bad[] = {
		"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xf0\x9f\x98",
	};
	json_t *o = json_object();
	struct mmis_error e;
	const char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object_set_new(o, "v", json_stringn_nocheck(bad[i], strlen(bad[i])));
		if (mjson_get_string(o, "v", true, 0, &s, &e) != MMIS_EINVAL)
			fail_msg("accepted bad UTF-8 #%zu", i);
	}
	json_object_set_new(o, "v", json_stringn_nocheck("a\0b", 3));
	assert_int_equal(mjson_get_string(o, "v", true, 0, &s, &e), MMIS_EINVAL);
	json_object_set_new(o, "v", json_stringn_nocheck("\xf4\x8f\xbf\xbf", 4));
	assert_int_equal(mjson_get_string(o, "v", true, 0, &s, &e), MMIS_OK);
	json_decref(o);
}

static void test_get_int(void **state)
{
	json_t *o = obj("{\"age\": 42, \"s\": \"42\", \"f\": 42.0, \"b\": true, \"neg\": -3,"
			" \"big\": 9223372036854775807, \"z\": null}");
	struct mmis_error e;
	int64_t n = 7;

	(void)state;
	assert_int_equal(mjson_get_int(o, "age", true, 0, 150, &n, &e), MMIS_OK);
	assert_int_equal(n, 42);
	assert_int_equal(mjson_get_int(o, "big", true, INT64_MIN, INT64_MAX, &n, &e), MMIS_OK);
	assert_int_equal(n, INT64_MAX);
	n = 7;
	assert_int_equal(mjson_get_int(o, "missing", false, 0, 10, &n, &e), MMIS_OK);
	assert_int_equal(mjson_get_int(o, "z", false, 0, 10, &n, &e), MMIS_OK);
	assert_int_equal(n, 7);
	assert_int_equal(mjson_get_int(o, "missing", true, 0, 10, &n, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "missing");

	assert_int_equal(mjson_get_int(o, "s", true, 0, 150, &n, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "s");
	assert_string_equal(e.message, "s must be an integer, not a string");
	assert_int_equal(mjson_get_int(o, "f", true, 0, 150, &n, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "f must be an integer, not a real number");
	assert_int_equal(mjson_get_int(o, "b", true, 0, 150, &n, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "b must be an integer, not a boolean");
	assert_int_equal(mjson_get_int(o, "neg", true, 0, 150, &n, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "neg");
	assert_string_equal(e.message, "neg must be between 0 and 150, not -3");
	assert_int_equal(mjson_get_int(o, "age", true, 0, 41, &n, &e), MMIS_EINVAL);
	assert_int_equal(n, 7);
	json_decref(o);
}

static void test_get_bool_and_number(void **state)
{
	json_t *o = obj("{\"t\": true, \"f\": false, \"one\": 1, \"x\": 1.5, \"i\": 2, \"s\": \"1.5\","
			" \"tiny\": 1e-300}");
	struct mmis_error e;
	bool b = false;
	double d = -1;

	(void)state;
	assert_int_equal(mjson_get_bool(o, "t", true, &b, &e), MMIS_OK);
	assert_true(b);
	assert_int_equal(mjson_get_bool(o, "f", true, &b, &e), MMIS_OK);
	assert_false(b);
	assert_int_equal(mjson_get_bool(o, "one", true, &b, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "one");
	assert_string_equal(e.message, "one must be true or false, not an integer");
	b = true;
	assert_int_equal(mjson_get_bool(o, "missing", false, &b, &e), MMIS_OK);
	assert_true(b);
	assert_int_equal(mjson_get_bool(o, "missing", true, &b, &e), MMIS_EINVAL);

	assert_int_equal(mjson_get_number(o, "x", true, 0, 10, &d, &e), MMIS_OK);
	assert_true(d == 1.5);
	assert_int_equal(mjson_get_number(o, "i", true, 0, 10, &d, &e), MMIS_OK);
	assert_true(d == 2.0);
	assert_int_equal(mjson_get_number(o, "tiny", true, 0, 1, &d, &e), MMIS_OK);
	assert_int_equal(mjson_get_number(o, "x", true, 0, 1, &d, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "x");
	assert_string_equal(e.message, "x must be between 0 and 1, not 1.5");
	assert_int_equal(mjson_get_number(o, "s", true, 0, 10, &d, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "s must be a number, not a string");
	d = -1;
	assert_int_equal(mjson_get_number(o, "missing", false, 0, 10, &d, &e), MMIS_OK);
	assert_true(d == -1);
	json_decref(o);
}

static void test_get_date(void **state)
{
	json_t *o = obj("{\"d\": \"1987-03-14\", \"y\": \"1987\", \"bad\": \"2024-13-01\", \"n\": 1987,"
			" \"z\": null}");
	struct mmis_error e;
	struct date d;
	bool present = true;

	(void)state;
	assert_int_equal(mjson_get_date(o, "d", true, false, &d, &present, &e), MMIS_OK);
	assert_true(present);
	assert_int_equal(d.day, 14);
	assert_int_equal(mjson_get_date(o, "y", true, true, &d, &present, &e), MMIS_OK);
	assert_int_equal(d.precision, DATE_YEAR);
	assert_int_equal(mjson_get_date(o, "y", true, false, &d, &present, &e), MMIS_EINVAL);
	assert_false(present);
	assert_string_equal(e.field, "y");
	assert_int_equal(mjson_get_date(o, "bad", true, true, &d, &present, &e), MMIS_EINVAL);
	assert_string_equal(e.field, "bad");
	assert_string_equal(e.message, "bad: month 13 is out of range");
	assert_int_equal(mjson_get_date(o, "n", true, true, &d, &present, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "n must be a date string, not an integer");
	assert_int_equal(mjson_get_date(o, "z", false, true, &d, &present, &e), MMIS_OK);
	assert_false(present);
	assert_int_equal(mjson_get_date(o, "missing", true, true, &d, &present, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "missing is required");
	json_decref(o);
}

static void test_get_enum(void **state)
{
	static const char *const sexes[] = { "female", "male", "unknown", NULL };
	json_t *o = obj("{\"sex\": \"male\", \"bad\": \"Male\", \"n\": 1}");
	struct mmis_error e;
	int i = 99;

	(void)state;
	assert_int_equal(mjson_get_enum(o, "sex", true, sexes, &i, &e), MMIS_OK);
	assert_int_equal(i, 1);
	assert_int_equal(mjson_get_enum(o, "bad", true, sexes, &i, &e), MMIS_EINVAL);
	assert_int_equal(i, -1);
	assert_string_equal(e.field, "bad");
	assert_string_equal(e.message, "bad must be one of: female, male, unknown");
	assert_int_equal(mjson_get_enum(o, "n", true, sexes, &i, &e), MMIS_EINVAL);
	assert_string_equal(e.message, "n must be a string, not an integer");
	i = 99;
	assert_int_equal(mjson_get_enum(o, "missing", false, sexes, &i, &e), MMIS_OK);
	assert_int_equal(i, -1);
	json_decref(o);
}

static void test_dump_and_setters(void **state)
{
	json_t *o = json_object();
	struct date d = { 1987, 3, 0, DATE_MONTH };
	char *s;

	(void)state;
	assert_int_equal(mjson_set_string(o, "z", "Žabljak"), MMIS_OK);
	assert_int_equal(mjson_set_int(o, "a", -12), MMIS_OK);
	assert_int_equal(mjson_set_string(o, "none", NULL), MMIS_OK);
	assert_int_equal(mjson_set_date(o, "dob", &d), MMIS_OK);
	assert_int_equal(mjson_set_date(o, "nodate", NULL), MMIS_OK);
	assert_int_equal(mjson_set_int(o, "max", INT64_MAX), MMIS_OK);
	assert_int_equal(mjson_set_string(o, "bad", "\xff"), MMIS_EINVAL);
	s = mjson_dump(o);
	assert_string_equal(s, "{\"z\":\"Žabljak\",\"a\":-12,\"dob\":\"1987-03\","
			       "\"max\":9223372036854775807}");
	free(s);
	json_decref(o);
	s = mjson_dump(json_true());
	assert_string_equal(s, "true");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_syntax_errors_name_line_and_column),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_nul_and_bad_utf8),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_depth_ignores_strings),
		cmocka_unit_test(test_parse_object),
		cmocka_unit_test(test_only_keys),
		cmocka_unit_test(test_get_string),
		cmocka_unit_test(test_get_string_validates_utf8_itself),
		cmocka_unit_test(test_get_int),
		cmocka_unit_test(test_get_bool_and_number),
		cmocka_unit_test(test_get_date),
		cmocka_unit_test(test_get_enum),
		cmocka_unit_test(test_dump_and_setters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
