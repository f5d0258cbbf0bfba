/*
 * export.c - a table as CSV, SDMX-CSV 2.0, JSON and XLSX (stats.h). Pure formatting: stats_run
 * counted, suppressed and audited the table (with the format asked for).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "internal.h"
#include "mmis/country.h"
#include "mmis/json.h"
#include "mmis/strbuf.h"

#define EXPORT_MAX (512u * 1024 * 1024)

static const char suppression_rule[] =
	"Cells with a count from 1 to K-1 are suppressed (primary suppression), and further cells "
	"are suppressed so that no suppressed cell can be worked out from the others and the "
	"totals along any dimension, whether or not the totals are shown (secondary suppression, "
	"hypercube method). A suppressed cell is marked C (confidential) and its count left "
	"empty; it is never shown as zero. Zero counts are not confidential and are shown (or, for "
	"combinations without any record, not listed). _T is the total over a dimension.";

static const char group_rule[] =
	" Records of victims and children (protection cases, referrals, services) are never "
	"published with a cell below 11, whoever asks; and further cells are suppressed so that "
	"the suppressed cells of a line never add up to less than K either.";

/* The suppression rule as the notes state it: "K = 5. Cells ..." (prefix "K = " or "Minimum
 * cell K = "). */
static void rule_text(const struct stats_table *t, const char *prefix, char *out, size_t cap)
{
	const struct stats_source *src = stats_table_source(t);
	snprintf(out, cap, "%s%d. %s%s", prefix, stats_table_min_cell(t), suppression_rule,
		 src && src->unsuppressible ? group_rule : "");
}

/* The records a table counts, for the notes. */
static const char *records_text(const struct stats_table *t)
{
	const struct stats_source *src = stats_table_source(t);
	return src && src->records ? src->records : "mmis records (Montenegro)";
}

static void csv_field(struct strbuf *sb, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_addstr(sb, s);
		return;
	}
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

enum mmis_err stats_write_csv(const struct stats_table *t, struct strbuf *out)
{
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims);

	for (int k = 0; k < d; k++)
		strbuf_addf(out, "%s,", dims[k] < STATS_DIM__COUNT ? stats_dim(dims[k])->name : "dim");
	strbuf_addstr(out, "count,conf_status\r\n");
	for (size_t r = 0; r < stats_table_rows(t); r++) {
		int64_t n = stats_table_count(t, r);
		for (int k = 0; k < d; k++) {
			csv_field(out, stats_table_code(t, r, k));
			strbuf_addch(out, ',');
		}
		if (n >= 0)
			strbuf_addf(out, "%lld,\r\n", (long long)n);
		else
			strbuf_addstr(out, ",C\r\n");
	}
	return strbuf_error(out);
}

/* ---- SDMX-CSV */

/* Eurostat's citizen code for a nationality: alpha-2 (EL for Greece, UK for the United Kingdom),
 * XK for Kosovo (RKS, and UNK: UNMIK documents), STLS for stateless persons, UNK when the
 * document does not say. */
static const char *citizen_code(const char *alpha3, char buf[8])
{
	static const struct {
		const char *icao, *eurostat;
	} special[] = {
		{ "RKS", "XK" }, { "UNK", "XK" }, { "XXA", "STLS" }, { "XXB", "UNK" },
		{ "XXC", "UNK" }, { "XXX", "UNK" }, { "UNO", "UNK" }, { "UNA", "UNK" },
		{ "EUE", "UNK" }, { "GBD", "UK" }, { "GBN", "UK" }, { "GBO", "UK" },
		{ "GBP", "UK" }, { "GBS", "UK" }, { "GRC", "EL" }, { "GBR", "UK" },
	};
	if (!strcmp(alpha3, STATS_TOTAL))
		return alpha3;
	for (size_t i = 0; i < COUNT(special); i++)
		if (!strcmp(special[i].icao, alpha3))
			return special[i].eurostat;
	const struct country *c = country_lookup(alpha3);
	if (!c || !c->alpha2)
		return "UNK";
	stats_copy(buf, 8, c->alpha2);
	return buf;
}

static const char *sdmx_code(enum stats_dim d, const char *code, char buf[8])
{
	if (d == STATS_NATIONALITY)
		return citizen_code(code, buf);
	if (d == STATS_SEX && !strcmp(code, "X"))
		return "UNK";
	return code;
}

enum mmis_err stats_write_sdmx_csv(const struct stats_table *t, struct strbuf *out)
{
	const struct stats_source *src = stats_table_source(t);
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims), pdim = -1;
	struct date from, to, on;
	const char *made;
	char range[32] = "", buf[8];
	bool known;

	stats_table_period(t, &from, &to, &on, &known, &made);
	for (int k = 0; k < d; k++)
		if (dims[k] < STATS_DIM__COUNT && stats_dim_is_period(dims[k]))
			pdim = k;
	/* The period a row covers when no period dimension says: the range, or the day of a stock. */
	if (known && src && src->stock)
		date_format(&on, range);
	else if (known) {
		char a[DATE_STR_MAX], b[DATE_STR_MAX];
		date_format(&from, a);
		date_format(&to, b);
		snprintf(range, sizeof(range), "%s/%s", a, b);
	}
	strbuf_addstr(out, "STRUCTURE,STRUCTURE_ID,ACTION,");
	if (pdim >= 0 || (src && src->stock))
		strbuf_addstr(out, "freq,");
	strbuf_addstr(out, "unit,");
	for (int k = 0; k < d; k++)
		if (k != pdim)
			strbuf_addf(out, "%s,", dims[k] < STATS_DIM__COUNT ? stats_dim(dims[k])->sdmx_id
									   : "dim");
	strbuf_addstr(out, "geo,TIME_PERIOD,OBS_VALUE,CONF_STATUS\r\n");
	for (size_t r = 0; r < stats_table_rows(t); r++) {
		int64_t n = stats_table_count(t, r);
		strbuf_addf(out, "dataflow,%s,I,", src ? src->structure_id : "MMIS:TABLE(1.0)");
		if (pdim >= 0)
			strbuf_addf(out, "%c,", stats_dim(dims[pdim])->freq);
		else if (src && src->stock)
			strbuf_addstr(out, "D,");
		strbuf_addf(out, "%s,", src ? src->unit : "NR");
		for (int k = 0; k < d; k++) {
			if (k == pdim)
				continue;
			csv_field(out, sdmx_code(dims[k], stats_table_code(t, r, k), buf));
			strbuf_addch(out, ',');
		}
		strbuf_addstr(out, "ME,");
		if (pdim >= 0 && strcmp(stats_table_code(t, r, pdim), STATS_TOTAL))
			strbuf_addstr(out, stats_table_code(t, r, pdim));
		else
			strbuf_addstr(out, range); /* the margin over the periods: the whole range */
		if (n >= 0)
			strbuf_addf(out, ",%lld,F\r\n", (long long)n);
		else
			strbuf_addstr(out, ",NaN,C\r\n");
	}
	return strbuf_error(out);
}

/* ---- JSON */

static json_t *notes_json(const struct stats_table *t)
{
	const struct stats_source *src = stats_table_source(t);
	char rule[sizeof(suppression_rule) + sizeof(group_rule) + 64], source[160];
	rule_text(t, "K = ", rule, sizeof(rule));
	snprintf(source, sizeof(source), "%s; counts made from the records by mmis",
		 records_text(t));
	return json_pack("{s:s, s:s, s:s}", "source", source, "definition",
			 src ? src->definition : "", "suppression", rule);
}

json_t *stats_table_json(const struct stats_table *t)
{
	const struct stats_source *src = stats_table_source(t);
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims);
	struct date from, to, on;
	const char *made;
	bool known;
	size_t prim = 0, sup = stats_table_suppressed(t, &prim);
	json_t *o, *names, *rows;

	stats_table_period(t, &from, &to, &on, &known, &made);
	if (!(o = json_object()) || !(names = json_array()) ||
	    json_object_set_new(o, "dimensions", names) || !(rows = json_array()) ||
	    json_object_set_new(o, "rows", rows)) {
		json_decref(o);
		return NULL;
	}
	if (src) {
		json_object_set_new(o, "source", json_string(src->name));
		json_object_set_new(o, "label", json_string(src->label));
		json_object_set_new(o, "unit", json_string(src->unit));
	}
	if (known && src && src->stock) {
		mjson_set_date(o, "on", &on);
	} else if (known) {
		mjson_set_date(o, "from", &from);
		mjson_set_date(o, "to", &to);
	}
	for (int k = 0; k < d; k++)
		json_array_append_new(names, json_string(dims[k] < STATS_DIM__COUNT ?
							  stats_dim(dims[k])->name : "dim"));
	json_object_set_new(o, "min_cell", json_integer(stats_table_min_cell(t)));
	json_object_set_new(o, "totals", json_boolean(stats_table_totals(t)));
	json_object_set_new(o, "suppressed", json_integer((json_int_t)sup));
	if (made && *made)
		json_object_set_new(o, "made_at", json_string(made));
	for (size_t r = 0; r < stats_table_rows(t); r++) {
		json_t *row = json_object();
		int64_t n = stats_table_count(t, r);
		if (!row || json_array_append_new(rows, row)) {
			json_decref(o);
			return NULL;
		}
		for (int k = 0; k < d; k++)
			json_object_set_new(row, json_string_value(json_array_get(names, (size_t)k)),
					    json_string(stats_table_code(t, r, k)));
		json_object_set_new(row, "count", n >= 0 ? json_integer(n) : json_null());
		json_object_set_new(row, "conf_status", n >= 0 ? json_null() : json_string("C"));
	}
	json_object_set_new(o, "notes", notes_json(t));
	return o;
}

/* ---- XLSX */

static void sheet_name(const struct stats_table *t, char out[32])
{
	const struct stats_source *src = stats_table_source(t);
	stats_copy(out, 32, src ? src->name : "table");
}

enum mmis_err stats_write_xlsx(const struct stats_table *t, const char *path,
			       struct mmis_error *err)
{
	const struct stats_source *src = stats_table_source(t);
	enum stats_dim dims[STATS_DIMS_MAX];
	int d = stats_table_dims(t, dims);
	struct date from, to, on;
	const char *made;
	char name[32], period[64] = "", text[sizeof(suppression_rule) + sizeof(group_rule) + 64];
	char source[160];
	bool known;
	size_t prim = 0, sup = stats_table_suppressed(t, &prim);
	lxw_workbook *wb;
	lxw_worksheet *ws, *notes;
	lxw_format *bold, *wrap;
	lxw_error e;

	stats_table_period(t, &from, &to, &on, &known, &made);
	if (!(wb = workbook_new(path)))
		return mmis_error_set(err, MMIS_EIO, NULL, "cannot write %.200s", path);
	sheet_name(t, name);
	ws = workbook_add_worksheet(wb, name);
	notes = workbook_add_worksheet(wb, "notes");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
	if (!ws || !notes || !bold || !wrap) {
		workbook_close(wb);
		unlink(path);
		return stats_oom(err);
	}
	for (int k = 0; k < d; k++)
		worksheet_write_string(ws, 0, (lxw_col_t)k,
				       dims[k] < STATS_DIM__COUNT ? stats_dim(dims[k])->name : "dim",
				       bold);
	worksheet_write_string(ws, 0, (lxw_col_t)d, "count", bold);
	worksheet_write_string(ws, 0, (lxw_col_t)d + 1, "conf_status", bold);
	for (size_t r = 0; r < stats_table_rows(t); r++) {
		lxw_row_t row = (lxw_row_t)(r + 1);
		int64_t n = stats_table_count(t, r);
		for (int k = 0; k < d; k++)
			worksheet_write_string(ws, row, (lxw_col_t)k, stats_table_code(t, r, k), NULL);
		if (n >= 0)
			worksheet_write_number(ws, row, (lxw_col_t)d, (double)n, NULL);
		else
			worksheet_write_string(ws, row, (lxw_col_t)d + 1, "C", NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, (lxw_col_t)(d + 1), 14, NULL);

	if (known && src && src->stock)
		date_format(&on, period);
	else if (known) {
		char a[DATE_STR_MAX], b[DATE_STR_MAX];
		date_format(&from, a);
		date_format(&to, b);
		snprintf(period, sizeof(period), "%s to %s (both days included, UTC)", a, b);
	}
	worksheet_set_column(notes, 0, 0, 22, bold);
	worksheet_set_column(notes, 1, 1, 100, wrap);
	struct {
		const char *k;
		const char *v;
	} lines[] = {
		{ "Table", src ? src->label : "table" },
		{ "Source", source },
		{ "Definition", src ? src->definition : "" },
		{ "Period", period },
		{ "Unit", "number of records (NR)" },
		{ "Suppression", NULL },
		{ "Made", made && *made ? made : "" },
	};
	rule_text(t, "Minimum cell K = ", text, sizeof(text));
	snprintf(source, sizeof(source), "%s, counted by mmis from the records", records_text(t));
	lxw_row_t row = 0;
	for (size_t i = 0; i < COUNT(lines); i++, row++) {
		worksheet_write_string(notes, row, 0, lines[i].k, bold);
		worksheet_write_string(notes, row, 1, lines[i].v ? lines[i].v : text, wrap);
	}
	char counts[96];
	snprintf(counts, sizeof(counts), "%zu suppressed of %zu cells (margins included)", sup,
		 stats_table_all_cells(t));
	worksheet_write_string(notes, row, 0, "Suppressed", bold);
	worksheet_write_string(notes, row++, 1, counts, wrap);
	for (int k = 0; k < d; k++, row++) {
		if (dims[k] >= STATS_DIM__COUNT)
			continue;
		worksheet_write_string(notes, row, 0, stats_dim(dims[k])->name, bold);
		worksheet_write_string(notes, row, 1, stats_dim(dims[k])->label, wrap);
	}
	if ((e = workbook_close(wb)) != LXW_NO_ERROR) {
		unlink(path);
		return mmis_error_set(err, MMIS_EIO, NULL, "writing %.200s: %s", path,
				      lxw_strerror(e));
	}
	return MMIS_OK;
}

enum mmis_err stats_write_xlsx_buffer(const struct stats_table *t, char **buf, size_t *len,
				      struct mmis_error *err)
{
	const char *dir = getenv("TMPDIR");
	struct strbuf path;
	enum mmis_err rc;
	FILE *f = NULL;
	int fd;

	*buf = NULL;
	*len = 0;
	strbuf_init(&path, 4096);
	strbuf_addf(&path, "%s/mmis-export-XXXXXX", dir && *dir ? dir : "/tmp");
	if (strbuf_error(&path)) {
		strbuf_release(&path);
		return stats_oom(err);
	}
	char *p = strbuf_detach(&path, NULL);
	if (!p)
		return stats_oom(err);
	if ((fd = mkstemp(p)) < 0) {
		rc = mmis_error_set(err, MMIS_EIO, NULL, "cannot make a temporary file: %s",
				    strerror(errno));
		free(p);
		return rc;
	}
	close(fd);
	if (!(rc = stats_write_xlsx(t, p, err))) {
		struct strbuf sb;
		char chunk[65536];
		size_t n;
		strbuf_init(&sb, EXPORT_MAX);
		if (!(f = fopen(p, "rb")))
			rc = mmis_error_set(err, MMIS_EIO, NULL, "cannot read back the workbook");
		while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			strbuf_add(&sb, chunk, n);
		if (f && ferror(f))
			rc = mmis_error_set(err, MMIS_EIO, NULL, "cannot read back the workbook");
		if (f)
			fclose(f);
		if (!rc && strbuf_error(&sb))
			rc = mmis_error_set(err, strbuf_error(&sb), NULL, "the workbook is too large");
		if (!rc && !(*buf = strbuf_detach(&sb, len)))
			rc = stats_oom(err);
		strbuf_release(&sb);
	}
	unlink(p);
	free(p);
	return rc;
}

enum mmis_err stats_export(const struct stats_table *t, enum stats_format format, char **buf,
			   size_t *len, const char **content_type, struct mmis_error *err)
{
	struct strbuf sb;
	enum mmis_err rc;

	*buf = NULL;
	*len = 0;
	switch (format) {
	case STATS_XLSX:
		*content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		return stats_write_xlsx_buffer(t, buf, len, err);
	case STATS_CSV:
	case STATS_SDMX_CSV:
		*content_type = "text/csv; charset=utf-8";
		strbuf_init(&sb, EXPORT_MAX);
		rc = format == STATS_CSV ? stats_write_csv(t, &sb) : stats_write_sdmx_csv(t, &sb);
		if (!rc && !(*buf = strbuf_detach(&sb, len)))
			rc = MMIS_ENOMEM;
		strbuf_release(&sb);
		return rc ? mmis_error_set(err, rc, NULL, "the table is too large to export") : MMIS_OK;
	case STATS_JSON:
	default: {
		json_t *o = stats_table_json(t);
		*content_type = "application/json";
		if (o && (*buf = mjson_dump(o)))
			*len = strlen(*buf);
		json_decref(o);
		return *buf ? MMIS_OK : stats_oom(err);
	}
	}
}
