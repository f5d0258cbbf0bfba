/* json.c - parsing outside input with limits, and reading it field by field. */
#include "mmis/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/strbuf.h"

/* The flags every outside input is parsed with. NUL bytes in strings ("\u0000") are refused by
 * jansson unless JSON_ALLOW_NUL is given, so leaving that flag out is what refuses them. */
#define PARSE_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

/*
 * Refuse nesting deeper than MJSON_MAX_DEPTH before jansson sees the text: its parser recurses up
 * to 2048 levels and would build the whole tree first. One pass, no recursion; strings are skipped
 * so that brackets inside them do not count. Columns count characters, as jansson's do.
 */
static enum mmis_err check_depth(const char *text, size_t len, struct mmis_error *err)
{
	size_t depth = 0, line = 1, column = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			line++;
			column = 0;
			continue;
		}
		if ((c & 0xc0) != 0x80)
			column++;
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if ((c == '[' || c == '{') && ++depth > MJSON_MAX_DEPTH) {
			return mmis_error_set(err, MMIS_EINVAL, NULL,
					      "line %zu, column %zu: nesting deeper than %d levels",
					      line, column, MJSON_MAX_DEPTH);
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return MMIS_OK;
}

enum mmis_err mjson_parse(const char *text, size_t len, json_t **out, struct mmis_error *err)
{
	json_error_t jerr;
	size_t i = 0;
	enum mmis_err rc;

	*out = NULL;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i == len)
		return mmis_error_set(err, MMIS_EINVAL, NULL, "empty body");
	rc = check_depth(text, len, err);
	if (rc)
		return rc;
	*out = json_loadb(text, len, PARSE_FLAGS, &jerr);
	if (*out)
		return MMIS_OK;
	switch (json_error_code(&jerr)) {
	case json_error_out_of_memory:
		return mmis_error_set(err, MMIS_ENOMEM, NULL, "parsing JSON");
	case json_error_null_character:
		/* jansson's own text names its flag, which means nothing to whoever sent the body. */
		return mmis_error_set(err, MMIS_EINVAL, NULL,
				      "line %d, column %d: \\u0000 (NUL) is not allowed in strings",
				      jerr.line, jerr.column);
	default:
		return mmis_error_set(err, MMIS_EINVAL, NULL, "line %d, column %d: %s", jerr.line,
				      jerr.column, jerr.text);
	}
}

enum mmis_err mjson_parse_object(const char *text, size_t len, json_t **out, struct mmis_error *err)
{
	enum mmis_err rc = mjson_parse(text, len, out, err);

	if (rc)
		return rc;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return mmis_error_set(err, MMIS_EINVAL, NULL, "expected a JSON object");
	}
	return MMIS_OK;
}

enum mmis_err mjson_only_keys(const json_t *obj, const char *const *allowed, struct mmis_error *err)
{
	const char *key;
	json_t *value;

	/* jansson's iteration macro wants a non-const object; it does not modify it. */
	json_object_foreach((json_t *)obj, key, value) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, key) != 0)
			a++;
		if (!*a)
			return mmis_error_set(err, MMIS_EINVAL, key, "unknown member \"%.64s\"", key);
	}
	return MMIS_OK;
}

static const char *type_name(const json_t *v)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a real number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
	};

	return names[json_typeof(v)];
}

/*
 * The member `key`, or NULL when absent or null. *rc is MMIS_OK, or MMIS_EINVAL when it is
 * required and missing.
 */
static json_t *member(const json_t *obj, const char *key, bool required, enum mmis_err *rc,
		      struct mmis_error *err)
{
	json_t *v = json_object_get(obj, key);

	*rc = MMIS_OK;
	if (v && !json_is_null(v))
		return v;
	if (required)
		*rc = mmis_error_set(err, MMIS_EINVAL, key, "%s is required", key);
	return NULL;
}

static enum mmis_err wrong_type(const char *key, const char *want, const json_t *v,
				struct mmis_error *err)
{
	return mmis_error_set(err, MMIS_EINVAL, key, "%s must be %s, not %s", key, want, type_name(v));
}

/* Whether `s` is valid UTF-8 (shortest forms, no surrogates) and, unless `controls`, free of
 * control characters other than tab and newline: C0, DEL and the C1 range U+0080..U+009F. */
bool mjson_text_ok(const char *text, size_t n, bool controls)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, len;

		if (c < 0x80) {
			if (!controls && ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f))
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (!controls && cp >= 0x80 && cp <= 0x9f))
			return false;
		i += len;
	}
	return true;
}

enum mmis_err mjson_get_string(const json_t *obj, const char *key, bool required, size_t max_len,
			       const char **out, struct mmis_error *err)
{
	enum mmis_err rc;
	json_t *v = member(obj, key, required, &rc, err);
	size_t n;

	*out = NULL;
	if (!v)
		return rc;
	if (!json_is_string(v))
		return wrong_type(key, "a string", v, err);
	n = json_string_length(v);
	if (max_len && n > max_len)
		return mmis_error_set(err, MMIS_EINVAL, key, "%s is longer than %zu bytes",
				      key, max_len);
	if (!mjson_text_ok(json_string_value(v), n, false))
		return mmis_error_set(err, MMIS_EINVAL, key,
				      "%s contains a control character or invalid UTF-8", key);
	*out = json_string_value(v);
	return MMIS_OK;
}

enum mmis_err mjson_get_int(const json_t *obj, const char *key, bool required, int64_t min,
			    int64_t max, int64_t *out, struct mmis_error *err)
{
	enum mmis_err rc;
	json_t *v = member(obj, key, required, &rc, err);
	json_int_t n;

	if (!v)
		return rc;
	if (!json_is_integer(v))
		return wrong_type(key, "an integer", v, err);
	n = json_integer_value(v);
	if (n < min || n > max)
		return mmis_error_set(err, MMIS_EINVAL, key,
				      "%s must be between %" PRId64 " and %" PRId64 ", not %lld",
				      key, min, max, (long long)n);
	*out = n;
	return MMIS_OK;
}

enum mmis_err mjson_get_bool(const json_t *obj, const char *key, bool required, bool *out,
			     struct mmis_error *err)
{
	enum mmis_err rc;
	json_t *v = member(obj, key, required, &rc, err);

	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return wrong_type(key, "true or false", v, err);
	*out = json_is_true(v);
	return MMIS_OK;
}

enum mmis_err mjson_get_number(const json_t *obj, const char *key, bool required, double min,
			       double max, double *out, struct mmis_error *err)
{
	enum mmis_err rc;
	json_t *v = member(obj, key, required, &rc, err);
	double d;

	if (!v)
		return rc;
	if (!json_is_number(v))
		return wrong_type(key, "a number", v, err);
	d = json_number_value(v);
	/* Written so that a NaN, which compares false with everything, is refused too. */
	if (!(d >= min && d <= max))
		return mmis_error_set(err, MMIS_EINVAL, key, "%s must be between %g and %g, not %g",
				      key, min, max, d);
	*out = d;
	return MMIS_OK;
}

enum mmis_err mjson_get_date(const json_t *obj, const char *key, bool required, bool partial,
			     struct date *out, bool *present, struct mmis_error *err)
{
	enum mmis_err rc;
	json_t *v = member(obj, key, required, &rc, err);

	*present = false;
	if (!v)
		return rc;
	if (!json_is_string(v))
		return wrong_type(key, "a date string", v, err);
	rc = partial ? date_parse_partial(json_string_value(v), key, out, err) :
		       date_parse(json_string_value(v), key, out, err);
	if (rc)
		return mmis_error_prefix(err, "%s", key);
	*present = true;
	return MMIS_OK;
}

enum mmis_err mjson_get_enum(const json_t *obj, const char *key, bool required,
			     const char *const *choices, int *index, struct mmis_error *err)
{
	enum mmis_err rc;
	json_t *v = member(obj, key, required, &rc, err);
	struct strbuf list;
	const char *s;

	*index = -1;
	if (!v)
		return rc;
	if (!json_is_string(v))
		return wrong_type(key, "a string", v, err);
	s = json_string_value(v);
	for (int i = 0; choices[i]; i++) {
		if (strlen(choices[i]) == json_string_length(v) && strcmp(choices[i], s) == 0) {
			*index = i;
			return MMIS_OK;
		}
	}
	/* A list longer than the message is cut by mmis_error_set; the builder's limit only bounds
	 * the work. */
	strbuf_init(&list, MMIS_ERROR_MESSAGE_MAX);
	for (int i = 0; choices[i]; i++)
		strbuf_addf(&list, "%s%s", i ? ", " : "", choices[i]);
	rc = mmis_error_set(err, MMIS_EINVAL, key, "%s must be one of: %s", key, strbuf_str(&list));
	strbuf_release(&list);
	return rc;
}

char *mjson_dump(const json_t *value)
{
	/* Reals with 15 significant digits: -0.8 is written -0.8, not -0.80000000000000004. */
	return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

enum mmis_err mjson_set_string(json_t *obj, const char *key, const char *value)
{
	json_t *v;

	if (!value)
		return MMIS_OK;
	v = json_string(value);
	if (!v)
		/* jansson refuses invalid UTF-8 too; tell that apart from running out of memory. */
		return mjson_text_ok(value, strlen(value), true) ? MMIS_ENOMEM :
										  MMIS_EINVAL;
	return json_object_set_new(obj, key, v) ? MMIS_ENOMEM : MMIS_OK;
}

enum mmis_err mjson_set_int(json_t *obj, const char *key, int64_t value)
{
	json_t *v = json_integer(value);

	return v && json_object_set_new(obj, key, v) == 0 ? MMIS_OK : MMIS_ENOMEM;
}

enum mmis_err mjson_set_date(json_t *obj, const char *key, const struct date *value)
{
	char buf[DATE_STR_MAX];

	if (!value)
		return MMIS_OK;
	date_format(value, buf);
	return mjson_set_string(obj, key, buf);
}
