/* fuzz_mrz.c - libFuzzer harness: machine readable zones from outside text (mrz_parse), with the
 * invariants that must hold for whatever parses: NUL-terminated fields, consistent checks, JSON,
 * and make(parse(x)) read back to the same fields, made again to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/json.h"
#include "mmis/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(a) (memchr((a), '\0', sizeof(a)) != NULL)

static void fields_of(const struct mrz *m, struct mrz_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->format = m->format;
	f->document_code = m->document_code;
	f->issuing_state = m->issuing_state;
	f->surname = m->surname;
	f->given_names = m->given_names;
	f->document_number = m->document_number;
	f->nationality = m->nationality;
	f->optional_data = m->optional_data;
	if (m->birth_date_known)
		f->birth_date = m->birth_date;
	if (m->expiry_date_known)
		f->expiry_date = m->expiry_date;
	f->sex = m->sex;
}

static void same_fields(const struct mrz *a, const struct mrz *b)
{
	if (a->format != b->format || strcmp(a->document_code, b->document_code) ||
	    strcmp(a->issuing_state, b->issuing_state) || strcmp(a->surname, b->surname) ||
	    strcmp(a->given_names, b->given_names) || strcmp(a->document_number, b->document_number) ||
	    strcmp(a->nationality, b->nationality) || strcmp(a->optional_data, b->optional_data) ||
	    a->sex != b->sex || a->birth_date_known != b->birth_date_known ||
	    a->expiry_date_known != b->expiry_date_known || a->valid != b->valid ||
	    a->n_checks != b->n_checks)
		abort();
	if (a->birth_date_known && (date_cmp(&a->birth_date, &b->birth_date) ||
				    a->birth_date.precision != b->birth_date.precision))
		abort();
	if (a->expiry_date_known && (date_cmp(&a->expiry_date, &b->expiry_date) ||
				     a->expiry_date.precision != b->expiry_date.precision))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct date today = { 2025, 6, 1, DATE_DAY };
	struct mmis_error err;
	struct mrz m, again;
	struct mrz_fields f;
	char made[MRZ_TEXT_MAX], remade[MRZ_TEXT_MAX];
	char *s = malloc(size + 1);
	json_t *j;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mrz_parse(s, &today, &m, &err) != MMIS_OK) {
		if (strcmp(err.field, "mrz") || strncmp(err.message, "line ", 5))
			abort(); /* not an MRZ: always says where */
		free(s);
		return 0;
	}
	free(s);

	if (!TERMINATED(m.document_code) || !TERMINATED(m.issuing_state) || !TERMINATED(m.surname) ||
	    !TERMINATED(m.given_names) || !TERMINATED(m.document_number) ||
	    !TERMINATED(m.nationality) || !TERMINATED(m.optional_data) ||
	    !TERMINATED(m.optional_data2))
		abort();
	if (m.n_checks < 3 || m.n_checks > MRZ_MAX_CHECKS || m.n_warnings > MRZ_MAX_WARNINGS)
		abort();
	bool all_ok = true;
	for (int i = 0; i < m.n_checks; i++) {
		if (!m.checks[i].name)
			abort();
		all_ok &= m.checks[i].ok;
	}
	if (m.valid && !all_ok)
		abort();
	if (m.sex != 'M' && m.sex != 'F' && m.sex != 'X')
		abort();
	for (int i = 0; i < m.n_warnings; i++)
		if (!TERMINATED(m.warnings[i]))
			abort();

	j = mrz_to_json(&m);
	if (!j)
		abort();
	free(mjson_dump(j));
	json_decref(j);

	/* A valid MRZ whose fields mrz_make can write: read back the same, and made again the same. */
	if (!m.valid || m.optional_data2[0])
		return 0;
	fields_of(&m, &f);
	if (mrz_make(&f, made, sizeof(made), &err) != MMIS_OK)
		return 0;
	if (mrz_parse(made, &today, &again, &err) != MMIS_OK)
		abort();
	same_fields(&m, &again);
	fields_of(&again, &f);
	if (mrz_make(&f, remade, sizeof(remade), &err) != MMIS_OK || strcmp(made, remade))
		abort();
	return 0;
}
