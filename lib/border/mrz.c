/*
 * mrz.c - ICAO Doc 9303 machine readable zones: parse (TD1, TD2, TD3, MRV-A, MRV-B) and build.
 *
 * Layouts are tables of positions (0-based here, 1-based in the standard and in messages).
 * See include/mmis/mrz.h for what is reported and docs/border.md for the contract.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mmis/country.h"
#include "mmis/mrz.h"

#define MRZ_LINES_MAX 3
#define MRZ_WIDTH_MAX 44

static const char *const format_names[] = {
	[MRZ_TD1] = "TD1", [MRZ_TD2] = "TD2", [MRZ_TD3] = "TD3", [MRZ_MRVA] = "MRVA", [MRZ_MRVB] = "MRVB",
};

/*
 * Where the fields of the two-line formats are (the TD1 layout differs and is handled apart).
 * Line 2: number 0-8, check 9, nationality 10-12, birth 13-18, check 19, sex 20, expiry 21-26,
 * check 27, then optional data from 28 for `opt_len`, a personal number check when `opt_check`,
 * a composite at width - 1 when `composite`.
 */
struct layout {
	int lines, width;
	int name_len;     /* the name field's width (TD1: line 3) */
	int opt_len;      /* optional data in line 2 (TD1: line 1 positions 16-30) */
	bool opt_check;   /* TD3: personal number check digit */
	bool composite;
	bool long_number; /* a document number longer than 9 may continue in the optional data */
};

static const struct layout layouts[] = {
	[MRZ_TD1] = { 3, 30, 30, 15, false, true, true },
	[MRZ_TD2] = { 2, 36, 31, 7, false, true, true },
	[MRZ_TD3] = { 2, 44, 39, 14, true, true, false },
	[MRZ_MRVA] = { 2, 44, 39, 16, false, false, false },
	[MRZ_MRVB] = { 2, 36, 31, 8, false, false, false },
};

const char *mrz_format_name(enum mrz_format f)
{
	if ((unsigned)f >= sizeof(format_names) / sizeof(format_names[0]))
		return "?";
	return format_names[f];
}

bool mrz_format_from_name(const char *name, enum mrz_format *out)
{
	static const struct {
		const char *name;
		enum mrz_format f;
	} names[] = {
		{ "TD1", MRZ_TD1 },   { "TD2", MRZ_TD2 },    { "TD3", MRZ_TD3 },   { "MRVA", MRZ_MRVA },
		{ "MRV-A", MRZ_MRVA }, { "MRVB", MRZ_MRVB }, { "MRV-B", MRZ_MRVB },
	};
	if (!name)
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(name, names[i].name)) {
			*out = names[i].f;
			return true;
		}
	}
	return false;
}

static int char_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c == '<')
		return 0;
	return -1;
}

int mrz_check_digit(const char *s, size_t n)
{
	static const int weights[3] = { 7, 3, 1 };
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = char_value(s[i]);
		if (v < 0)
			return -1;
		sum = (sum + v * weights[i % 3]) % 10;
	}
	return sum;
}

static bool all_filler(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '<')
			return false;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* ---------------------------------------------------------------------------------------------
 * Parsing
 */

struct parser {
	const struct date *today;
	struct mrz *m;
	const char *line[MRZ_LINES_MAX]; /* upper-cased copies, NUL-terminated */
	char buf[MRZ_LINES_MAX][MRZ_WIDTH_MAX + 1];
};

static void warn(struct mrz *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct mrz *m, const char *fmt, ...)
{
	va_list ap;

	if (m->n_warnings >= MRZ_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(m->warnings[m->n_warnings++], MRZ_WARNING_MAX, fmt, ap);
	va_end(ap);
}

/* Copy n characters without the trailing fillers. `cap` > n. */
static void copy_trimmed(char *dst, size_t cap, const char *src, size_t n)
{
	assert(n < cap);
	while (n > 0 && src[n - 1] == '<')
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A name component: runs of fillers become one space, none at either end. */
static void copy_name(char *dst, size_t cap, const char *src, size_t n)
{
	size_t o = 0;
	bool gap = false;

	assert(n < cap);
	for (size_t i = 0; i < n; i++) {
		if (src[i] == '<') {
			gap = o > 0;
			continue;
		}
		if (gap)
			dst[o++] = ' ';
		gap = false;
		dst[o++] = src[i];
	}
	dst[o] = '\0';
}

static void parse_name(struct parser *p, const char *s, size_t n)
{
	struct mrz *m = p->m;
	const char *sep = NULL;

	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '<' && s[i + 1] == '<') {
			sep = s + i;
			break;
		}
	}
	if (!sep) {
		copy_name(m->surname, sizeof(m->surname), s, n);
		m->given_names[0] = '\0';
	} else {
		copy_name(m->surname, sizeof(m->surname), s, (size_t)(sep - s));
		copy_name(m->given_names, sizeof(m->given_names), sep + 2, n - (size_t)(sep - s) - 2);
	}
	if (s[n - 1] != '<')
		warn(m, "the name fills its field and may be truncated");
	if (!m->surname[0] && !m->given_names[0])
		warn(m, "no name");
}

/* Record a check digit: `ck` over the `n` characters at `s`. */
static void add_check(struct mrz *m, const char *name, const char *s, size_t n, char ck)
{
	bool ok;

	if (ck == '<')
		ok = all_filler(s, n);
	else
		ok = ck >= '0' && ck <= '9' && mrz_check_digit(s, n) == ck - '0';
	assert(m->n_checks < MRZ_MAX_CHECKS);
	m->checks[m->n_checks].name = name;
	m->checks[m->n_checks].ok = ok;
	m->n_checks++;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* (y, m, d) after (ty, tm, td); unknown parts count as the first. */
static bool after(int y, int mo, int d, const struct date *t)
{
	if (y != t->year)
		return y > t->year;
	if ((mo ? mo : 1) != (t->month ? t->month : 1))
		return (mo ? mo : 1) > (t->month ? t->month : 1);
	return (d ? d : 1) > (t->day ? t->day : 1);
}

/*
 * A YYMMDD field. Returns false when it is not a date (the caller warns); *known false for
 * "<<<<<<". Birth dates take the latest century not after `today`; other dates the century that
 * puts the year within [today - 50, today + 49].
 */
static bool parse_date(const char *s, bool birth, const struct date *today, struct date *out,
		       bool *known)
{
	int yy, mo = 0, d = 0, y;
	enum date_precision prec;

	*known = false;
	memset(out, 0, sizeof(*out));
	if (all_filler(s, 6))
		return true;
	if (digits(s, 6))
		prec = DATE_DAY;
	else if (digits(s, 4) && all_filler(s + 4, 2))
		prec = DATE_MONTH;
	else if (digits(s, 2) && all_filler(s + 2, 4))
		prec = DATE_YEAR;
	else
		return false;
	yy = (s[0] - '0') * 10 + (s[1] - '0');
	if (prec != DATE_YEAR) {
		mo = (s[2] - '0') * 10 + (s[3] - '0');
		if (mo < 1 || mo > 12)
			return false;
	}
	if (prec == DATE_DAY)
		d = (s[4] - '0') * 10 + (s[5] - '0');
	y = today->year / 100 * 100 + yy;
	if (birth) {
		if (after(y, mo, d, today))
			y -= 100;
	} else if (y > today->year + 49) {
		y -= 100;
	} else if (y < today->year - 50) {
		y += 100;
	}
	if (y < 1 || y > 9999)
		return false;
	if (prec == DATE_DAY && !date_valid_ymd(y, mo, d))
		return false;
	out->year = y;
	out->month = mo;
	out->day = d;
	out->precision = prec;
	*known = true;
	return true;
}

static void parse_dates_sex(struct parser *p, const char *birth, const char *expiry, char sex)
{
	struct mrz *m = p->m;

	if (!parse_date(birth, true, p->today, &m->birth_date, &m->birth_date_known)) {
		warn(m, "birth date '%.6s' is not a date", birth);
		m->valid = false;
	}
	if (!parse_date(expiry, false, p->today, &m->expiry_date, &m->expiry_date_known)) {
		warn(m, "expiry date '%.6s' is not a date", expiry);
		m->valid = false;
	}
	switch (sex) {
	case 'M':
	case 'F':
	case 'X':
		m->sex = sex;
		break;
	case '<':
		m->sex = 'X';
		break;
	default:
		m->sex = 'X';
		warn(m, "sex '%c' is not M, F, X or '<'", sex);
		m->valid = false;
	}
}

/*
 * The document number at `num` (9 characters), its check digit `ck`, and the optional data after
 * it (`opt`, `opt_len`). When `ck` is '<' and `long_number`, the number continues in the optional
 * data up to the first filler, the last character before it being the check digit; the optional
 * data is then what follows that filler.
 */
static void parse_number(struct parser *p, const char *num, char ck, const char *opt, size_t opt_len,
			 bool long_number)
{
	struct mrz *m = p->m;
	char whole[32];
	size_t k = 0;

	if (long_number && ck == '<' && opt_len > 0 && opt[0] != '<') {
		while (k < opt_len && k < sizeof(whole) - 9 && opt[k] != '<')
			k++;
		/* whole number: 9 + k - 1 characters, check digit opt[k - 1] */
		memcpy(whole, num, 9);
		memcpy(whole + 9, opt, k - 1);
		add_check(m, "document_number", whole, 9 + k - 1, opt[k - 1]);
		copy_trimmed(m->document_number, sizeof(m->document_number), whole, 9 + k - 1);
		if (k < opt_len)
			copy_trimmed(m->optional_data, sizeof(m->optional_data), opt + k + 1, opt_len - k - 1);
		else
			m->optional_data[0] = '\0';
	} else {
		add_check(m, "document_number", num, 9, ck);
		copy_trimmed(m->document_number, sizeof(m->document_number), num, 9);
		copy_trimmed(m->optional_data, sizeof(m->optional_data), opt, opt_len);
	}
	if (!m->document_number[0]) {
		warn(m, "no document number");
		m->valid = false;
	}
}

static void parse_td1(struct parser *p)
{
	const char *l1 = p->line[0], *l2 = p->line[1], *l3 = p->line[2];
	struct mrz *m = p->m;
	char comp[64];

	parse_number(p, l1 + 5, l1[14], l1 + 15, 15, true);
	add_check(m, "birth_date", l2, 6, l2[6]);
	add_check(m, "expiry_date", l2 + 8, 6, l2[14]);
	memcpy(comp, l1 + 5, 25);
	memcpy(comp + 25, l2, 7);
	memcpy(comp + 32, l2 + 8, 7);
	memcpy(comp + 39, l2 + 18, 11);
	add_check(m, "composite", comp, 50, l2[29]);
	copy_trimmed(m->nationality, sizeof(m->nationality), l2 + 15, 3);
	copy_trimmed(m->optional_data2, sizeof(m->optional_data2), l2 + 18, 11);
	parse_dates_sex(p, l2, l2 + 8, l2[7]);
	parse_name(p, l3, 30);
}

static void parse_two_lines(struct parser *p)
{
	const struct layout *L = &layouts[p->m->format];
	const char *l1 = p->line[0], *l2 = p->line[1];
	struct mrz *m = p->m;
	char comp[64];
	size_t end = 28 + (size_t)L->opt_len; /* after the optional data */

	parse_name(p, l1 + 5, (size_t)L->name_len);
	parse_number(p, l2, l2[9], l2 + 28, (size_t)L->opt_len, L->long_number);
	add_check(m, "birth_date", l2 + 13, 6, l2[19]);
	add_check(m, "expiry_date", l2 + 21, 6, l2[27]);
	if (L->opt_check) {
		add_check(m, "personal_number", l2 + 28, (size_t)L->opt_len, l2[end]);
		end++;
	}
	if (L->composite) {
		memcpy(comp, l2, 10);
		memcpy(comp + 10, l2 + 13, 7);
		memcpy(comp + 17, l2 + 21, end - 21);
		add_check(m, "composite", comp, 17 + end - 21, l2[end]);
	}
	copy_trimmed(m->nationality, sizeof(m->nationality), l2 + 10, 3);
	parse_dates_sex(p, l2 + 13, l2 + 21, l2[20]);
}

static void describe_char(char *buf, size_t cap, unsigned char c)
{
	if (c >= 0x21 && c < 0x7f && c != '\'')
		snprintf(buf, cap, "'%c'", c);
	else if (c == ' ')
		snprintf(buf, cap, "a space");
	else
		snprintf(buf, cap, "byte 0x%02x", (unsigned)c);
}

static enum mmis_err not_mrz(struct mmis_error *err, int line, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum mmis_err not_mrz(struct mmis_error *err, int line, size_t pos, const char *fmt, ...)
{
	char msg[MMIS_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mmis_error_set(err, MMIS_EINVAL, "mrz", "line %d, position %zu: %s", line, pos, msg);
}

/* What the lines of an MRZ with `n_lines` lines should measure, for messages. */
static const char *widths_text(int n_lines)
{
	return n_lines == 3 ? "a 3-line MRZ (TD1) has lines of 30 characters"
			    : "a 2-line MRZ has lines of 36 (TD2, MRV-B) or 44 (TD3, MRV-A) characters";
}

enum mmis_err mrz_parse(const char *text, const struct date *today, struct mrz *out,
			struct mmis_error *err)
{
	struct parser p = { 0 };
	const char *start[MRZ_LINES_MAX + 1];
	size_t len[MRZ_LINES_MAX + 1];
	const char *s, *end;
	int n_lines = 0, width = 0;
	struct date now;

	assert(out);
	memset(out, 0, sizeof(*out));
	if (!text)
		return not_mrz(err, 1, 1, "no text; an MRZ has 2 or 3 lines");
	if (!today) {
		date_today(&now);
		today = &now;
	}
	p.today = today;
	p.m = out;

	/* The lines, without the whitespace around the text and around each line. */
	s = text;
	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		end--;
	if (s == end)
		return not_mrz(err, 1, 1, "no text; an MRZ has 2 or 3 lines");
	for (const char *q = s; q <= end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *e = nl ? nl : end;
		const char *b = q;

		while (b < e && is_space(*b))
			b++;
		while (e > b && is_space(e[-1]))
			e--;
		if (n_lines < MRZ_LINES_MAX + 1) {
			start[n_lines] = b;
			len[n_lines] = (size_t)(e - b);
		}
		n_lines++;
		if (!nl)
			break;
		q = nl + 1;
	}
	for (int i = 0; i < n_lines && i <= MRZ_LINES_MAX; i++)
		if (len[i] == 0)
			return not_mrz(err, i + 1, 1, "an empty line; an MRZ has none");
	if (n_lines > MRZ_LINES_MAX)
		return not_mrz(err, 4, 1, "an MRZ has 2 or 3 lines; this text has %d", n_lines);
	if (n_lines < 2)
		return not_mrz(err, 2, 1, "the text ends after line 1; an MRZ has 2 or 3 lines");

	for (int i = 0; i < n_lines; i++) {
		char what[16];
		size_t n = len[i];

		for (size_t j = 0; j < n; j++) {
			char c = start[i][j];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (char_value(c) < 0) {
				describe_char(what, sizeof(what), (unsigned char)c);
				return not_mrz(err, i + 1, j + 1,
					       "%s is not allowed in an MRZ (only A-Z, 0-9 and '<')", what);
			}
			if (j < MRZ_WIDTH_MAX)
				p.buf[i][j] = c;
		}
		if (i == 0) {
			if (n_lines == 3)
				width = 30;
			else if (n == 36 || n == 44)
				width = (int)n;
			if (!width) {
				size_t pos = n < 44 ? n + 1 : 45;
				if (n_lines == 3)
					pos = n < 30 ? n + 1 : 31;
				return not_mrz(err, 1, pos, "the line has %zu characters; %s", n,
					       widths_text(n_lines));
			}
		}
		if (n != (size_t)width)
			return not_mrz(err, i + 1, (n < (size_t)width ? n : (size_t)width) + 1,
				       "the line has %zu characters; %s", n,
				       i == 0 ? widths_text(n_lines) :
				       width == 30 ? "the other lines of this TD1 have 30" :
				       width == 36 ? "line 1 has 36 (TD2, MRV-B)" :
						     "line 1 has 44 (TD3, MRV-A)");
		p.buf[i][n] = '\0';
		p.line[i] = p.buf[i];
	}
	if (p.line[0][0] < 'A' || p.line[0][0] > 'Z') {
		char what[16];
		describe_char(what, sizeof(what), (unsigned char)p.line[0][0]);
		return not_mrz(err, 1, 1, "%s cannot begin an MRZ: the document code begins with a letter",
			       what);
	}

	if (n_lines == 3)
		out->format = MRZ_TD1;
	else if (width == 44)
		out->format = p.line[0][0] == 'V' ? MRZ_MRVA : MRZ_TD3;
	else
		out->format = p.line[0][0] == 'V' ? MRZ_MRVB : MRZ_TD2;

	out->valid = true;
	copy_trimmed(out->document_code, sizeof(out->document_code), p.line[0], 2);
	copy_trimmed(out->issuing_state, sizeof(out->issuing_state), p.line[0] + 2, 3);
	if (out->format == MRZ_TD1)
		parse_td1(&p);
	else
		parse_two_lines(&p);

	for (int i = 0; i < out->n_checks; i++)
		if (!out->checks[i].ok)
			out->valid = false;
	if (!out->issuing_state[0])
		warn(out, "no issuing state");
	else if (!country_valid(out->issuing_state))
		warn(out, "issuing state '%s' is not a known code", out->issuing_state);
	if (!out->nationality[0])
		warn(out, "no nationality");
	else if (!country_valid(out->nationality))
		warn(out, "nationality '%s' is not a known code", out->nationality);
	return MMIS_OK;
}

/* ---------------------------------------------------------------------------------------------
 * JSON
 */

static json_t *date_json(const struct date *d, bool known)
{
	char buf[DATE_STR_MAX];

	if (!known)
		return json_null();
	date_format(d, buf);
	return json_string(buf);
}

json_t *mrz_to_json(const struct mrz *m)
{
	json_t *o = json_object(), *checks = json_object(), *warnings = json_array();
	char sex[2] = { m->sex ? m->sex : 'X', '\0' };
	int bad = 0;

	if (!o || !checks || !warnings)
		goto fail;
	bad |= json_object_set_new(o, "format", json_string(mrz_format_name(m->format)));
	bad |= json_object_set_new(o, "document_code", json_string(m->document_code));
	bad |= json_object_set_new(o, "issuing_state", json_string(m->issuing_state));
	bad |= json_object_set_new(o, "surname", json_string(m->surname));
	bad |= json_object_set_new(o, "given_names", json_string(m->given_names));
	bad |= json_object_set_new(o, "document_number", json_string(m->document_number));
	bad |= json_object_set_new(o, "nationality", json_string(m->nationality));
	bad |= json_object_set_new(o, "birth_date", date_json(&m->birth_date, m->birth_date_known));
	bad |= json_object_set_new(o, "expiry_date", date_json(&m->expiry_date, m->expiry_date_known));
	bad |= json_object_set_new(o, "sex", json_string(sex));
	bad |= json_object_set_new(o, "optional_data", json_string(m->optional_data));
	if (m->format == MRZ_TD1)
		bad |= json_object_set_new(o, "optional_data2", json_string(m->optional_data2));
	for (int i = 0; i < m->n_checks; i++)
		bad |= json_object_set_new(checks, m->checks[i].name, json_boolean(m->checks[i].ok));
	for (int i = 0; i < m->n_warnings; i++)
		bad |= json_array_append_new(warnings, json_string(m->warnings[i]));
	bad |= json_object_set_new(o, "checks", checks);
	checks = NULL;
	bad |= json_object_set_new(o, "valid", json_boolean(m->valid));
	bad |= json_object_set_new(o, "warnings", warnings);
	warnings = NULL;
	if (bad)
		goto fail;
	return o;
fail:
	json_decref(o);
	json_decref(checks);
	json_decref(warnings);
	return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Building
 */

enum field_kind {
	FIELD_NAME,  /* letters; spaces, hyphens, apostrophes and fillers become one '<' between parts */
	FIELD_ALPHA, /* letters and fillers (states) */
	FIELD_ALNUM, /* letters, digits and fillers; trailing fillers dropped */
};

/*
 * Normalise `src` (may be NULL: "") into `dst` as `kind`, at most `max` characters. Errors name
 * `field`.
 */
static enum mmis_err normalise(const char *field, const char *src, enum field_kind kind, char *dst,
			       size_t max, struct mmis_error *err)
{
	size_t o = 0, n = src ? strlen(src) : 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (c == ' ' || c == '-' || c == '\'')
			c = '<';
		if ((c >= 'A' && c <= 'Z') || c == '<' ||
		    (c >= '0' && c <= '9' && kind == FIELD_ALNUM)) {
			if (kind == FIELD_NAME && c == '<' && (o == 0 || dst[o - 1] == '<'))
				continue;
			if (o >= max)
				return mmis_error_set(err, MMIS_EINVAL, field,
						      "%s: too long for this format (at most %zu characters)",
						      field, max);
			dst[o++] = (char)c;
			continue;
		}
		if (c >= '0' && c <= '9')
			return mmis_error_set(err, MMIS_EINVAL, field,
					      "%s: '%c' is not allowed here (only letters)", field, c);
		if (c >= 0x80) {
			size_t k = 1;
			while (i + k < n && k < 4 && ((unsigned char)src[i + k] & 0xc0) == 0x80)
				k++;
			return mmis_error_set(err, MMIS_EINVAL, field,
					      "%s: '%.*s' is not allowed in an MRZ (only A-Z, 0-9 and '<'; "
					      "transliterate first)",
					      field, (int)k, src + i);
		}
		if (c >= 0x21 && c < 0x7f)
			return mmis_error_set(err, MMIS_EINVAL, field,
					      "%s: '%c' is not allowed in an MRZ (only A-Z, 0-9 and '<')",
					      field, c);
		return mmis_error_set(err, MMIS_EINVAL, field,
				      "%s: byte 0x%02x is not allowed in an MRZ (only A-Z, 0-9 and '<')",
				      field, (unsigned)c);
	}
	while (o > 0 && dst[o - 1] == '<')
		o--;
	dst[o] = '\0';
	return MMIS_OK;
}

static void put(char *line, size_t at, const char *s)
{
	memcpy(line + at, s, strlen(s));
}

static char digit_char(const char *s, size_t n)
{
	int d = mrz_check_digit(s, n);
	assert(d >= 0);
	return (char)('0' + d);
}

static enum mmis_err put_date(const char *field, const struct date *d, char out[6],
			      struct mmis_error *err)
{
	memset(out, '<', 6);
	if (d->year == 0)
		return MMIS_OK;
	if (d->year < 1 || d->year > 9999 || (unsigned)d->precision > DATE_YEAR ||
	    (d->precision == DATE_DAY && !date_valid_ymd(d->year, d->month, d->day)) ||
	    (d->precision == DATE_MONTH && (d->month < 1 || d->month > 12)))
		return mmis_error_set(err, MMIS_EINVAL, field, "%s: not a date", field);
	out[0] = (char)('0' + d->year / 10 % 10);
	out[1] = (char)('0' + d->year % 10);
	if (d->precision != DATE_YEAR) {
		out[2] = (char)('0' + d->month / 10);
		out[3] = (char)('0' + d->month % 10);
	}
	if (d->precision == DATE_DAY) {
		out[4] = (char)('0' + d->day / 10);
		out[5] = (char)('0' + d->day % 10);
	}
	return MMIS_OK;
}

enum mmis_err mrz_make(const struct mrz_fields *f, char *out, size_t cap, struct mmis_error *err)
{
	char code[3], state[4], nat[4], surname[64], given[64], number[64], opt[64];
	char name[128], birth[6], expiry[6], sex;
	char l[MRZ_LINES_MAX][MRZ_WIDTH_MAX + 1];
	const struct layout *L;
	size_t numlen, optlen, namelen, o = 0;
	enum mmis_err rc;

	assert(f && out);
	if (cap)
		out[0] = '\0';
	if ((unsigned)f->format > MRZ_MRVB)
		return mmis_error_set(err, MMIS_EINVAL, "format", "format: not TD1, TD2, TD3, MRVA or MRVB");
	L = &layouts[f->format];

	if ((rc = normalise("document_code", f->document_code, FIELD_ALNUM, code, 2, err)))
		return rc;
	if (code[0] < 'A' || code[0] > 'Z')
		return mmis_error_set(err, MMIS_EINVAL, "document_code",
				      "document_code: required, and begins with a letter (P, I, A, C, V)");
	if ((f->format == MRZ_MRVA || f->format == MRZ_MRVB) != (code[0] == 'V'))
		return mmis_error_set(err, MMIS_EINVAL, "document_code",
				      code[0] == 'V' ? "document_code: '%s' is a visa; its format is MRVA or MRVB"
						     : "document_code: a visa's code begins with V, not '%s'",
				      code);
	if ((rc = normalise("issuing_state", f->issuing_state, FIELD_ALPHA, state, 3, err)))
		return rc;
	if (!state[0])
		return mmis_error_set(err, MMIS_EINVAL, "issuing_state", "issuing_state: required");
	if ((rc = normalise("nationality", f->nationality, FIELD_ALPHA, nat, 3, err)))
		return rc;
	if (!nat[0])
		return mmis_error_set(err, MMIS_EINVAL, "nationality", "nationality: required");

	/* Names: SURNAME<<GIVEN<NAMES, or SURNAME alone. */
	if ((rc = normalise("surname", f->surname, FIELD_NAME, surname, (size_t)L->name_len, err)))
		return rc;
	if (!surname[0])
		return mmis_error_set(err, MMIS_EINVAL, "surname",
				      "surname: required (a person with one name has it as the surname)");
	if ((rc = normalise("given_names", f->given_names, FIELD_NAME, given, (size_t)L->name_len, err)))
		return rc;
	namelen = strlen(surname) + (given[0] ? 2 + strlen(given) : 0);
	if (namelen > (size_t)L->name_len)
		return mmis_error_set(err, MMIS_EINVAL, "given_names",
				      "given_names: surname and given names take %zu characters; the %s name "
				      "field holds %d (names are not truncated)",
				      namelen, mrz_format_name(f->format), L->name_len);
	snprintf(name, sizeof(name), "%s%s%s", surname, given[0] ? "<<" : "", given);

	/* Document number and optional data, which a long number continues into. */
	if ((rc = normalise("document_number", f->document_number, FIELD_ALNUM, number, 40, err)))
		return rc;
	numlen = strlen(number);
	if (!numlen)
		return mmis_error_set(err, MMIS_EINVAL, "document_number", "document_number: required");
	if (numlen > 9 && !L->long_number)
		return mmis_error_set(err, MMIS_EINVAL, "document_number",
				      "document_number: %zu characters; a %s number has at most 9", numlen,
				      mrz_format_name(f->format));
	if (numlen > 9 && memchr(number + 9, '<', numlen - 9))
		return mmis_error_set(err, MMIS_EINVAL, "document_number",
				      "document_number: a number longer than 9 characters cannot have a "
				      "filler after its 9th");
	if ((rc = normalise("optional_data", f->optional_data, FIELD_ALNUM, opt, (size_t)L->opt_len, err)))
		return rc;
	optlen = strlen(opt);
	if (numlen > 9) {
		size_t need = numlen - 9 + 1 + (optlen ? 1 + optlen : 0);
		if (need > (size_t)L->opt_len)
			return mmis_error_set(err, MMIS_EINVAL, "document_number",
					      "document_number: %zu characters%s do not fit in a %s MRZ",
					      numlen, optlen ? " and the optional data" : "",
					      mrz_format_name(f->format));
	}

	if ((rc = put_date("birth_date", &f->birth_date, birth, err)))
		return rc;
	if ((rc = put_date("expiry_date", &f->expiry_date, expiry, err)))
		return rc;
	switch (f->sex) {
	case 'M': case 'm': sex = 'M'; break;
	case 'F': case 'f': sex = 'F'; break;
	case 'X': case 'x': case '<': case '\0': sex = '<'; break;
	default:
		return mmis_error_set(err, MMIS_EINVAL, "sex", "sex: M, F or X");
	}

	/* Lines of fillers, then the fields. */
	for (int i = 0; i < L->lines; i++) {
		memset(l[i], '<', (size_t)L->width);
		l[i][L->width] = '\0';
	}
	put(l[0], 0, code);
	put(l[0], 2, state);

	/* The number field (9), its check position, and the optional data area. */
	char *numf, *ck, *optf;
	if (f->format == MRZ_TD1) {
		numf = l[0] + 5;
		ck = l[0] + 14;
		optf = l[0] + 15;
	} else {
		numf = l[1];
		ck = l[1] + 9;
		optf = l[1] + 28;
	}
	if (numlen <= 9) {
		memcpy(numf, number, numlen);
		*ck = digit_char(numf, 9);
		memcpy(optf, opt, optlen);
	} else {
		char whole[40];
		size_t ext = numlen - 9;

		memcpy(numf, number, 9);
		*ck = '<';
		memcpy(optf, number + 9, ext);
		memcpy(whole, number, numlen);
		optf[ext] = digit_char(whole, numlen);
		if (optlen)
			memcpy(optf + ext + 2, opt, optlen);
	}

	if (f->format == MRZ_TD1) {
		memcpy(l[1], birth, 6);
		l[1][6] = digit_char(birth, 6);
		l[1][7] = sex;
		memcpy(l[1] + 8, expiry, 6);
		l[1][14] = digit_char(expiry, 6);
		put(l[1], 15, nat);
		char comp[64];
		memcpy(comp, l[0] + 5, 25);
		memcpy(comp + 25, l[1], 7);
		memcpy(comp + 32, l[1] + 8, 7);
		memcpy(comp + 39, l[1] + 18, 11);
		l[1][29] = digit_char(comp, 50);
		put(l[2], 0, name);
	} else {
		size_t end = 28 + (size_t)L->opt_len;

		put(l[0], 5, name);
		put(l[1], 10, nat);
		memcpy(l[1] + 13, birth, 6);
		l[1][19] = digit_char(birth, 6);
		l[1][20] = sex;
		memcpy(l[1] + 21, expiry, 6);
		l[1][27] = digit_char(expiry, 6);
		if (L->opt_check) {
			l[1][end] = optlen ? digit_char(l[1] + 28, (size_t)L->opt_len) : '<';
			end++;
		}
		if (L->composite) {
			char comp[64];
			memcpy(comp, l[1], 10);
			memcpy(comp + 10, l[1] + 13, 7);
			memcpy(comp + 17, l[1] + 21, end - 21);
			l[1][end] = digit_char(comp, 17 + end - 21);
		}
	}

	for (int i = 0; i < L->lines; i++) {
		size_t need = (size_t)L->width + (i ? 1 : 0);
		if (o + need + 1 > cap)
			return mmis_error_set(err, MMIS_ETOOBIG, NULL,
					      "the MRZ needs %d bytes; the buffer has %zu",
					      L->lines * (L->width + 1), cap);
		if (i)
			out[o++] = '\n';
		memcpy(out + o, l[i], (size_t)L->width);
		o += (size_t)L->width;
	}
	out[o] = '\0';
	return MMIS_OK;
}
