/*
 * demo.c - demo alert lists (screen.h, docs/demo.md): a short list of entry bans, one of whose
 * entries is written in Cyrillic and Arabic script and is the demo traveller Mohammed Abdullah
 * (a Jordanian passport in Latin letters, who entered four days before the demo was made), and a
 * list of lost and stolen documents. Everything is synthetic.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/date.h"

#define DAY_MS (86400 * 1000LL)

static const char alerts_csv[] =
	"id,name,aliases,birth_date,nationality,document_number\n"
	"DEMO-0001,Мухамед Абдулах,محمد عبد الله,1984-06-15,JOR,\n"
	"DEMO-0002,Radomir Vukašinović,Radomir Vukasinovic,1969-02-11,SRB,\n"
	"DEMO-0003,Elvira Kastrati,,1991,ALB;RKS,\n"
	"DEMO-0004,Oleksiy Hnatyuk,Алексей Гнатюк;Олексій Гнатюк,1977-10-03,UKR,\n"
	"DEMO-0005,Tamar Ben-Ami,,1988-05,ISR,\n";

static const char documents_csv[] =
	"id,document_number\n"
	"LS-0001,ZX0000001\n"
	"LS-0002,ZX0000002\n"
	"LS-0003,P-DEMO-42\n";

static enum mmis_err import_text(const struct mmis_ctx *cx, const struct actor *a,
				 const char *text, const struct watchlist_meta *m,
				 struct mmis_error *err)
{
	struct watchlist_import_result res;
	enum mmis_err rc;
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	if (!in)
		return screen_oom(err);
	rc = watchlist_import(cx, a, in, "demo data", m, NULL, NULL, &res, err);
	fclose(in);
	json_decref(res.errors);
	return rc;
}

/* The demo border officer (the traveller is one his agency recorded); else `a`. */
static void demo_officer(struct store *s, const struct actor *a, struct actor *out)
{
	struct store_stmt *st;
	bool row = false;

	*out = *a;
	if (store_prepare(s, "SELECT u.id, u.agency_id, g.code FROM app_user u JOIN agency g ON "
			  "g.id = u.agency_id WHERE u.username = 'demo.border'", &st, NULL))
		return;
	if (!store_step(st, &row, NULL) && row) {
		memset(out, 0, sizeof(*out));
		screen_copy(out->user_id, sizeof(out->user_id), store_column_text(st, 0));
		screen_copy(out->agency_id, sizeof(out->agency_id), store_column_text(st, 1));
		screen_copy(out->agency_code, sizeof(out->agency_code), store_column_text(st, 2));
		screen_copy(out->username, sizeof(out->username), "demo.border");
		screen_copy(out->origin, sizeof(out->origin), "demo data");
		out->role = role_find("border_officer");
		out->via = VIA_SYSTEM;
	}
	store_finalize(st);
}

enum mmis_err watchlist_demo_seed(const struct mmis_ctx *cx, const struct actor *a,
				  struct mmis_error *err)
{
	static const struct watchlist_meta alerts = {
		.name = "demo-alerts", .source = "mmis demo data (synthetic)",
		.category = "entry_ban", .action = "refuse_entry",
	};
	static const struct watchlist_meta documents = {
		.name = "demo-lost-documents", .source = "mmis demo data (synthetic)",
		.category = "lost_stolen_documents", .action = "check_further",
	};
	struct crossing_import_result cres;
	struct actor officer;
	struct store_stmt *st;
	char line[512], at[TIMESTAMP_STR_MAX];
	bool exists = false;
	enum mmis_err rc;
	FILE *in;

	if ((rc = store_prepare(cx->store, "SELECT 1 FROM watchlist WHERE name = ?", &st, err)))
		return rc;
	store_bind_text(st, 1, alerts.name);
	rc = store_step(st, &exists, err);
	store_finalize(st);
	if (rc || exists)
		return rc;
	if ((rc = import_text(cx, a, alerts_csv, &alerts, err)) ||
	    (rc = import_text(cx, a, documents_csv, &documents, err)))
		return rc;
	/* The listed traveller entered by air four days ago; docs/demo.md has his MRZ. */
	timestamp_format(timestamp_now() - 4 * DAY_MS, at);
	snprintf(line, sizeof(line),
		 "time,bcp,direction,document_type,issuing_state,document_number,surname,"
		 "given_names,sex,birth_date,nationality,expiry_date,transport,purpose\n"
		 "%s,MNE-TGD,entry,P,JOR,DM4417205,ABDULLAH,MOHAMMED,M,1984-06-15,JOR,2034-01-01,"
		 "aircraft,tourism\n", at);
	if (!(in = fmemopen(line, strlen(line), "r")))
		return screen_oom(err);
	demo_officer(cx->store, a, &officer);
	rc = crossing_import(cx, &officer, in, "demo data", NULL, NULL, &cres, err);
	fclose(in);
	json_decref(cres.errors);
	return rc;
}
