/*
 * demo_border.c - a year of synthetic border crossings for the demo (border.h, demo.h).
 *
 * A few thousand travellers of the nationalities Montenegro sees most, crossing at the BCPs
 * their country would use, more in summer (the coast and the airports above all), some still
 * present, some overstaying, a few exits without a recorded entry, some refusals of entry and a
 * few residence permits. Deterministic from the seed (splitmix64); everything is synthetic.
 * The crossings go in through crossing_import (one batched transaction, one audit event).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mmis/border.h"
#include "mmis/rng.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS (86400 * 1000LL)
#define PERSONS 3000
#define REFUSALS 120

static const char *pick(struct rng *r, const char *const *list, size_t n)
{
	return list[rng_below(r, (int)n)];
}

#define PICK(r, a) pick((r), (a), COUNT(a))

/* Names by nationality (synthetic combinations of common names). */
static const char *const srb_s[] = { "Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović", "Ilić", "Pavlović" };
static const char *const srb_g[] = { "Marko", "Nikola", "Stefan", "Milica", "Jelena", "Ana", "Luka", "Jovana" };
static const char *const bih_s[] = { "Hodžić", "Hadžić", "Kovačević", "Delić", "Begić", "Babić", "Mehmedović" };
static const char *const bih_g[] = { "Amar", "Emir", "Amra", "Lejla", "Haris", "Selma", "Adnan" };
static const char *const rks_s[] = { "Krasniqi", "Gashi", "Berisha", "Morina", "Shala", "Hoxha" };
static const char *const rks_g[] = { "Arben", "Driton", "Besa", "Arta", "Blerim", "Vjosa" };
static const char *const alb_s[] = { "Hoxha", "Shehu", "Leka", "Dervishi", "Çela", "Muça" };
static const char *const alb_g[] = { "Elira", "Ardit", "Klea", "Erion", "Anisa", "Endri" };
static const char *const rus_s[] = { "Ivanov", "Smirnov", "Kuznetsov", "Popova", "Sokolova", "Volkov" };
static const char *const rus_g[] = { "Ivan", "Dmitry", "Anna", "Olga", "Sergey", "Ekaterina" };
static const char *const tur_s[] = { "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk" };
static const char *const tur_g[] = { "Mehmet", "Ayşe", "Mustafa", "Fatma", "Emre", "Zeynep" };
static const char *const deu_s[] = { "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker" };
static const char *const deu_g[] = { "Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie" };
static const char *const ukr_s[] = { "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk" };
static const char *const ukr_g[] = { "Olena", "Andriy", "Oksana", "Taras", "Iryna" };
static const char *const isr_s[] = { "Cohen", "Levi", "Mizrahi", "Peretz", "Biton" };
static const char *const isr_g[] = { "Noam", "Tamar", "Yosef", "Noa", "David" };
static const char *const chn_s[] = { "Wang", "Li", "Zhang", "Liu", "Chen" };
static const char *const chn_g[] = { "Wei", "Fang", "Min", "Jing", "Lei" };
static const char *const hrv_s[] = { "Horvat", "Kovačić", "Babić", "Marić", "Jurić" };
static const char *const hrv_g[] = { "Ivan", "Ana", "Luka", "Petra", "Marko" };
static const char *const ita_s[] = { "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi" };
static const char *const ita_g[] = { "Marco", "Giulia", "Luca", "Chiara", "Matteo" };

/* The BCPs a nationality uses (land neighbours by road and rail; everyone by air and sea). */
static const char *const bcp_srb[] = { "MNE-DOB", "MNE-DOB", "MNE-DRA", "MNE-RAN", "MNE-VUC", "MNE-CEM", "MNE-BPR", "MNE-TGD" };
static const char *const bcp_bih[] = { "MNE-SIT", "MNE-VRA", "MNE-SCP", "MNE-MET", "MNE-SUL", "MNE-KRS", "MNE-ILB", "MNE-NUD" };
static const char *const bcp_rks[] = { "MNE-KUL", "MNE-KUL", "MNE-KUL", "MNE-TGD" };
static const char *const bcp_alb[] = { "MNE-SUK", "MNE-SUK", "MNE-BOZ", "MNE-GRN", "MNE-TZR" };
static const char *const bcp_hrv[] = { "MNE-DBR", "MNE-DBR", "MNE-KOB" };
static const char *const bcp_far[] = { "MNE-TGD", "MNE-TIV", "MNE-TGD", "MNE-TIV", "MNE-DBR", "MNE-BAR", "MNE-KOT", "MNE-ZEL", "MNE-BUD", "MNE-RIS" };

struct nat {
	const char *code;   /* nationality and issuing state */
	int weight;         /* per cent of travellers */
	const char *const *surnames, *const *given;
	size_t n_s, n_g;
	const char *const *bcps;
	size_t n_b;
	bool id_card;       /* travels on an identity card in the region */
	bool coastal;       /* a summer visitor (coast, airports) */
};

#define NAT(c, w, s, g, b, id, coast) { c, w, s, g, COUNT(s), COUNT(g), b, COUNT(b), id, coast }

static const struct nat nats[] = {
	NAT("SRB", 24, srb_s, srb_g, bcp_srb, true, true),
	NAT("BIH", 14, bih_s, bih_g, bcp_bih, true, true),
	NAT("RKS", 9, rks_s, rks_g, bcp_rks, true, false),
	NAT("ALB", 9, alb_s, alb_g, bcp_alb, true, false),
	NAT("RUS", 9, rus_s, rus_g, bcp_far, false, true),
	NAT("TUR", 7, tur_s, tur_g, bcp_far, false, false),
	NAT("D", 7, deu_s, deu_g, bcp_far, false, true),
	NAT("UKR", 6, ukr_s, ukr_g, bcp_far, false, true),
	NAT("ISR", 5, isr_s, isr_g, bcp_far, false, true),
	NAT("CHN", 3, chn_s, chn_g, bcp_far, false, false),
	NAT("HRV", 4, hrv_s, hrv_g, bcp_hrv, true, true),
	NAT("ITA", 3, ita_s, ita_g, bcp_far, false, true),
};

static const struct nat *pick_nat(struct rng *r)
{
	int x = rng_below(r, 100), acc = 0;
	for (size_t i = 0; i < COUNT(nats); i++) {
		acc += nats[i].weight;
		if (x < acc)
			return &nats[i];
	}
	return &nats[0];
}

/* A day of the year ending `today` (0 = a year ago), weighted by season: summer three times,
 * July and August four times the winter's; coastal visitors more so. */
static int pick_day(struct rng *r, const struct date *today, bool coastal)
{
	for (;;) {
		int d = rng_below(r, 365);
		struct date day;
		date_add_days(today, d - 365, &day);
		int w = 2;
		if (day.month >= 6 && day.month <= 9)
			w = coastal ? 8 : 4;
		if (day.month == 7 || day.month == 8)
			w = coastal ? 12 : 5;
		if (day.month == 12 || day.month == 1)
			w = 3; /* the diaspora comes home for the holidays */
		if (rng_below(r, 12) < w)
			return d;
	}
}

static void stamp(const struct date *today, int day, int hour, int minute, char out[TIMESTAMP_STR_MAX])
{
	int64_t ms = (date_to_days(today) - 365 + day) * DAY_MS + hour * 3600000LL + minute * 60000LL;
	timestamp_format(ms, out);
}

/* One traveller's document and name, fixed by their index. */
struct who {
	const struct nat *nat;
	char number[16];
	const char *surname, *given;
	char sex;
	char birth[DATE_STR_MAX];
	char expiry[DATE_STR_MAX];
	const char *doctype;
};

static void make_who(struct rng *r, int i, const struct date *today, struct who *w)
{
	struct date b;
	w->nat = pick_nat(r);
	w->doctype = w->nat->id_card && rng_below(r, 3) == 0 ? "I" : "P";
	snprintf(w->number, sizeof(w->number), "%c%c%07d", 'A' + rng_below(r, 26), 'A' + rng_below(r, 26),
		 100000 + i * 7 + rng_below(r, 7));
	w->surname = w->nat->surnames[rng_below(r, (int)w->nat->n_s)];
	w->given = w->nat->given[rng_below(r, (int)w->nat->n_g)];
	w->sex = rng_below(r, 2) ? 'F' : 'M';
	b.year = today->year - 18 - rng_below(r, 55);
	b.month = 1 + rng_below(r, 12);
	b.day = 1 + rng_below(r, 28);
	b.precision = DATE_DAY;
	date_format(&b, w->birth);
	b.year = today->year + rng_below(r, 9) - (rng_below(r, 40) == 0 ? 10 : 0); /* a few expired */
	date_format(&b, w->expiry);
}

static void row(FILE *f, const char *at, const char *bcp, const char *dir, const struct who *w,
		const char *transport, const char *purpose)
{
	fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%c,%s,%s,%s,%s,%s\n", at, bcp, dir, w->doctype,
		w->nat->code, w->number, w->surname, w->given, w->sex, w->birth, w->nat->code,
		w->expiry, transport, purpose);
}

static const char *transport_of(const char *bcp, struct rng *r)
{
	if (!strcmp(bcp, "MNE-TGD") || !strcmp(bcp, "MNE-TIV"))
		return "aircraft";
	if (!strcmp(bcp, "MNE-BPR") || !strcmp(bcp, "MNE-TZR"))
		return "train";
	if (!strncmp(bcp, "MNE-B", 5) && (!strcmp(bcp, "MNE-BAR") || !strcmp(bcp, "MNE-BUD")))
		return "vessel";
	if (!strcmp(bcp, "MNE-KOT") || !strcmp(bcp, "MNE-ZEL") || !strcmp(bcp, "MNE-RIS"))
		return "vessel";
	static const char *const road[] = { "car", "car", "car", "bus", "truck", "motorcycle" };
	return PICK(r, road);
}

/* Find the demo border officer to record as; otherwise the given actor. */
static void demo_actor(struct store *s, const struct actor *a, struct actor *out)
{
	struct store_stmt *st;
	bool row_ = false;

	*out = *a;
	if (store_prepare(s, "SELECT u.id, u.agency_id, g.code FROM app_user u JOIN agency g ON "
			  "g.id = u.agency_id WHERE u.username = 'demo.border'", &st, NULL))
		return;
	if (!store_step(st, &row_, NULL) && row_) {
		memset(out, 0, sizeof(*out));
		border_copy(out->user_id, sizeof(out->user_id), store_column_text(st, 0));
		border_copy(out->agency_id, sizeof(out->agency_id), store_column_text(st, 1));
		border_copy(out->agency_code, sizeof(out->agency_code), store_column_text(st, 2));
		border_copy(out->username, sizeof(out->username), "demo.border");
		border_copy(out->origin, sizeof(out->origin), "demo data");
		out->role = role_find("border_officer");
		out->via = VIA_SYSTEM;
	}
	store_finalize(st);
}

enum mmis_err border_demo_seed(const struct mmis_ctx *cx, const struct actor *a, uint64_t seed,
			       const struct date *today, struct mmis_error *err)
{
	static const char *const purposes[] = { "tourism", "tourism", "tourism", "family", "business", "transit", "work", "study" };
	static const char grounds_pick[] = "CCCEEEFFGAHBID";
	struct crossing_import_result res;
	struct rng r = { seed * 0x2545f4914f6cdd1dULL + 17 };
	struct actor off;
	struct store_stmt *st;
	char *buf = NULL, at[TIMESTAMP_STR_MAX];
	size_t size = 0;
	bool any = false;
	enum mmis_err rc;
	FILE *f;

	if ((rc = store_prepare(cx->store, "SELECT 1 FROM crossing", &st, err)))
		return rc;
	rc = store_step(st, &any, err);
	store_finalize(st);
	if (rc || any)
		return rc;
	demo_actor(cx->store, a, &off);
	if (!(f = open_memstream(&buf, &size)))
		return border_oom(err);
	fputs("time,bcp,direction,document_type,issuing_state,document_number,surname,given_names,"
	      "sex,birth_date,nationality,expiry_date,transport,purpose\n", f);
	for (int i = 0; i < PERSONS; i++) {
		struct who w;
		make_who(&r, i, today, &w);
		int kind = rng_below(&r, 1000);
		const char *purpose = PICK(&r, purposes);
		if (kind < 25) {
			/* An overstayer: entered 95 to 200 days ago, never left. */
			int d = 365 - 95 - rng_below(&r, 105);
			const char *bcp = w.nat->bcps[rng_below(&r, (int)w.nat->n_b)];
			stamp(today, d, 6 + rng_below(&r, 16), rng_below(&r, 60), at);
			row(f, at, bcp, "entry", &w, transport_of(bcp, &r), purpose);
			continue;
		}
		if (kind < 30) {
			/* An exit with no recorded entry (entered before records began, or missed). */
			const char *bcp = w.nat->bcps[rng_below(&r, (int)w.nat->n_b)];
			stamp(today, 20 + rng_below(&r, 300), 6 + rng_below(&r, 16), rng_below(&r, 60), at);
			row(f, at, bcp, "exit", &w, transport_of(bcp, &r), purpose);
			continue;
		}
		/* One to four trips, in order, each of a few days. */
		int trips = 1 + rng_below(&r, 4), day = -1;
		for (int t = 0; t < trips; t++) {
			int d = pick_day(&r, today, w.nat->coastal);
			if (d <= day)
				d = day + 1 + rng_below(&r, 30);
			if (d > 364)
				break;
			int len = 1 + rng_below(&r, rng_below(&r, 10) ? 14 : 45);
			const char *in_bcp = w.nat->bcps[rng_below(&r, (int)w.nat->n_b)];
			const char *out_bcp = rng_below(&r, 4) ? in_bcp : w.nat->bcps[rng_below(&r, (int)w.nat->n_b)];
			stamp(today, d, 6 + rng_below(&r, 16), rng_below(&r, 60), at);
			row(f, at, in_bcp, "entry", &w, transport_of(in_bcp, &r), purpose);
			if (d + len > 364 || (d + len == 364 && rng_below(&r, 2)))
				break; /* still present */
			stamp(today, d + len, 6 + rng_below(&r, 16), rng_below(&r, 60), at);
			row(f, at, out_bcp, "exit", &w, transport_of(out_bcp, &r), purpose);
			day = d + len;
		}
	}
	if (fclose(f)) {
		free(buf);
		return border_oom(err);
	}
	if (!(f = fmemopen(buf, size, "r"))) {
		free(buf);
		return border_oom(err);
	}
	rc = crossing_import(cx, &off, f, "demo data", NULL, NULL, &res, err);
	fclose(f);
	free(buf);
	json_decref(res.errors);
	if (rc)
		return rc;

	/* Refusals of entry, spread over the year. */
	for (int i = 0; !rc && i < REFUSALS; i++) {
		struct who w;
		struct refusal_in in;
		json_t *out = NULL;
		char grounds[8] = { 0 };
		char bcp_[16];
		make_who(&r, PERSONS + i, today, &w);
		memset(&in, 0, sizeof(in));
		border_copy(bcp_, sizeof(bcp_), w.nat->bcps[rng_below(&r, (int)w.nat->n_b)]);
		in.who.document_type = w.doctype;
		in.who.issuing_state = w.nat->code;
		in.who.document_number = w.number;
		in.who.surname = w.surname;
		in.who.given_names = w.given;
		in.who.sex = w.sex;
		in.who.nationality = w.nat->code;
		in.who.bcp = bcp_;
		stamp(today, rng_below(&r, 365), 6 + rng_below(&r, 16), rng_below(&r, 60), at);
		timestamp_parse(at, NULL, &in.who.at_ms, NULL);
		grounds[0] = grounds_pick[rng_below(&r, (int)sizeof(grounds_pick) - 1)];
		if (rng_below(&r, 4) == 0 && grounds[0] != 'E')
			grounds[1] = 'E';
		in.grounds = grounds;
		in.note = rng_below(&r, 2) ? "demo: documents checked at the first line" : NULL;
		rc = refusal_record(cx, &off, &in, &out, err);
		json_decref(out);
	}

	/* A few long stays under a residence permit: present, not overstayers. */
	for (int i = 0; !rc && i < 15; i++) {
		struct who w;
		struct crossing_in in;
		struct date from, to;
		json_t *out = NULL;
		char bcp_[16], pid[UUID_STR_MAX];
		make_who(&r, PERSONS + REFUSALS + i, today, &w);
		memset(&in, 0, sizeof(in));
		border_copy(bcp_, sizeof(bcp_), w.nat->bcps[rng_below(&r, (int)w.nat->n_b)]);
		in.document_type = "P";
		in.issuing_state = w.nat->code;
		in.document_number = w.number;
		in.surname = w.surname;
		in.given_names = w.given;
		in.sex = w.sex;
		in.nationality = w.nat->code;
		in.bcp = bcp_;
		in.direction = CROSSING_ENTRY;
		int d = 365 - 120 - rng_below(&r, 200);
		stamp(today, d, 9, 30, at);
		timestamp_parse(at, NULL, &in.at_ms, NULL);
		if ((rc = crossing_record(cx, &off, &in, &out, err)))
			break;
		border_copy(pid, sizeof(pid),
			    json_string_value(json_object_get(json_object_get(out, "person"), "id")));
		json_decref(out);
		date_add_days(today, d - 365 - 10, &from);
		date_add_days(today, 365 + rng_below(&r, 365), &to);
		rc = stay_authorisation_add(cx, a, pid, "residence_permit", &from, &to, 0, NULL, NULL,
					    err);
	}
	return rc;
}
