/*
 * similar.c - string similarity of name parts (Jaro-Winkler, bounded Levenshtein) and the packing
 * of the evidence beyond names (birth dates, nationalities, sex, document numbers).
 */
#include <ctype.h>
#include <string.h>

#include "mmis/date.h"
#include "internal.h"

/*
 * Jaro-Winkler (Winkler 1990): Jaro's matches within half the longer length, transpositions,
 * and a bonus of 0.1 per common prefix letter (at most 4) when Jaro is above 0.7. Parts are short
 * (at most MP_SKEL bytes), so the flags live on the stack.
 */
double mjaro_winkler(const char *a, size_t na, const char *b, size_t nb)
{
	bool ma[64] = { false }, mb[64] = { false };
	size_t window, matches = 0, trans = 0, k = 0, prefix = 0;
	double jaro;

	if (na > 64)
		na = 64;
	if (nb > 64)
		nb = 64;
	if (!na || !nb)
		return na == nb ? 1.0 : 0.0;
	/* Jaro's window, at least 1 so that short parts ("ali" / "ail") see a transposition */
	window = (na > nb ? na : nb) / 2;
	window = window > 1 ? window - 1 : 1;
	for (size_t i = 0; i < na; i++) {
		size_t lo = i > window ? i - window : 0, hi = i + window + 1 < nb ? i + window + 1 : nb;
		for (size_t j = lo; j < hi; j++) {
			if (!mb[j] && a[i] == b[j]) {
				ma[i] = mb[j] = true;
				matches++;
				break;
			}
		}
	}
	if (!matches)
		return 0.0;
	for (size_t i = 0; i < na; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k])
			trans++;
		k++;
	}
	jaro = ((double)matches / (double)na + (double)matches / (double)nb +
		((double)matches - (double)trans / 2.0) / (double)matches) / 3.0;
	if (jaro <= 0.7)
		return jaro;
	while (prefix < 4 && prefix < na && prefix < nb && a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* Levenshtein distance, or max + 1 when it is more than `max` (a band of 2 max + 1 diagonals). */
unsigned mlevenshtein(const char *a, size_t na, const char *b, size_t nb, unsigned max)
{
	unsigned row[65], prev, tmp;

	if (na > 64)
		na = 64;
	if (nb > 64)
		nb = 64;
	if ((na > nb ? na - nb : nb - na) > max)
		return max + 1;
	for (size_t j = 0; j <= nb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		unsigned best;
		prev = row[0];
		row[0] = (unsigned)i;
		best = row[0];
		for (size_t j = 1; j <= nb; j++) {
			unsigned v = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			tmp = row[j];
			row[j] = v;
			prev = tmp;
			if (v < best)
				best = v;
		}
		if (best > max)
			return max + 1;
	}
	return row[nb] > max ? max + 1 : row[nb];
}

/* ---- evidence */

bool mdate_pack(const char *s, uint32_t *out)
{
	struct date d;

	if (!s || date_parse_partial(s, NULL, &d, NULL) != MMIS_OK)
		return false;
	*out = (uint32_t)d.year << 16 | (uint32_t)d.month << 8 | (uint32_t)d.day;
	return true;
}

/* Nationalities: ICAO's "D" is Germany, as DEU; anything else as given, upper case. */
bool mnat_pack(const char *s, uint32_t *out)
{
	char c[4] = { 0 };
	size_t n = 0;

	if (!s)
		return false;
	for (; *s && n < 4; s++) {
		if (*s == '<' || *s == ' ')
			continue;
		if (!isalpha((unsigned char)*s))
			return false;
		c[n++] = (char)toupper((unsigned char)*s);
	}
	if (*s || n == 0 || n > 3)
		return false;
	if (n == 1 && c[0] == 'D')
		memcpy(c, "DEU", 3);
	memcpy(out, c, 4);
	return true;
}

char msex_of(const char *s)
{
	if (!s)
		return 0;
	if ((s[0] == 'F' || s[0] == 'f') && !s[1])
		return 'F';
	if ((s[0] == 'M' || s[0] == 'm') && !s[1])
		return 'M';
	return 0;
}

enum mmis_err match_document_normalise(const char *in, char out[32], struct mmis_error *err)
{
	size_t n = 0;

	out[0] = '\0';
	if (!in)
		return mmis_error_set(err, MMIS_EINVAL, "document_number", "document number is empty");
	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) && c < 128) {
			if (n == 30)
				return mmis_error_set(err, MMIS_EINVAL, "document_number",
						      "document number is longer than 30 characters");
			out[n++] = (char)toupper(c);
		} else if (c >= 128 || !(c == ' ' || c == '-' || c == '/' || c == '.' || c == '<')) {
			return mmis_error_set(err, MMIS_EINVAL, "document_number",
					      "document number has a character other than A-Z, 0-9, "
					      "space, '-', '/', '.' or '<'");
		}
	}
	out[n] = '\0';
	if (!n)
		return mmis_error_set(err, MMIS_EINVAL, "document_number",
				      "document number has no letters or digits");
	return MMIS_OK;
}
