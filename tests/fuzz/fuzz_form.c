/* fuzz_form.c - libFuzzer harness: outside JSON as the answers to every built-in form (checked,
 * evaluated by the form's rules, filtered by consent scope) and as a form definition (parsed,
 * its conditions checked, then used). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmis/json.h"
#include "mmis/protect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const forms[] = { "vulnerability_screening", "assessment", "case_plan",
				     "guardian", "best_interests", "best_interests_determination",
				     NULL };
static const char *const scopes[] = { "identity", "health", NULL };

static void use(const struct form *f, const json_t *answers)
{
	struct mmis_error err;
	json_t *clean = NULL;

	if (form_check(f, answers, &clean, &err) == MMIS_OK) {
		json_decref(form_evaluate(f, clean));
		json_decref(form_filter(f, clean, scopes));
		json_decref(clean);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmis_error err;
	struct form *own = NULL;
	json_t *v = NULL;
	char *text;

	if (mjson_parse_object((const char *)data, size, &v, &err) == MMIS_OK) {
		for (size_t i = 0; forms[i]; i++)
			use(form_find(forms[i]), v);
		json_decref(v);
	}
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) == size && form_parse(text, &own, &err) == MMIS_OK) {
		json_t *empty = json_object();
		use(own, empty);
		json_decref(empty);
		form_free(own);
	}
	free(text);
	return 0;
}
