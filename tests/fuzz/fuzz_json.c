/* fuzz_json.c - libFuzzer harness: outside JSON through mjson_parse and the field readers. */
#include <stddef.h>
#include <stdint.h>

#include "mmis/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "name", "n", "ok", "d", NULL };
	static const char *const choices[] = { "entry", "exit", NULL };
	struct mmis_error err;
	json_t *v = NULL;
	const char *s;
	int64_t i = 0;
	double x = 0;
	bool b = false, present;
	struct date d;
	int idx;

	if (mjson_parse_object((const char *)data, size, &v, &err) == MMIS_OK) {
		mjson_only_keys(v, keys, &err);
		mjson_get_string(v, "name", false, 64, &s, &err);
		mjson_get_int(v, "n", false, -5, 5, &i, &err);
		mjson_get_number(v, "x", false, -1.0, 1.0, &x, &err);
		mjson_get_bool(v, "ok", false, &b, &err);
		mjson_get_date(v, "d", false, true, &d, &present, &err);
		mjson_get_enum(v, "dir", false, choices, &idx, &err);
		free(mjson_dump(v));
		json_decref(v);
	}
	return 0;
}
