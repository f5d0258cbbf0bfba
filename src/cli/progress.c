/* progress.c - the terminal progress bar. */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mmis/date.h"

static int terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

size_t progress_render(char *buf, size_t cap, int width, const char *label, uint64_t done,
		       uint64_t total, int64_t elapsed_ms)
{
	char tail[64] = "";
	int n;

	if (!cap)
		return 0;
	if (total == 0) {
		n = snprintf(buf, cap, "%s %llu", label, (unsigned long long)done);
		return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	}
	if (done > total)
		done = total;
	unsigned pct = (unsigned)(done * 100 / total);
	if (done > 0 && done < total && elapsed_ms > 0) {
		uint64_t left_s = (uint64_t)((double)elapsed_ms * (double)(total - done) / (double)done / 1000.0);
		snprintf(tail, sizeof(tail), "  %llus left", (unsigned long long)left_s);
	}
	char counts[128];
	snprintf(counts, sizeof(counts), " %3u%%  %llu/%llu%s", pct, (unsigned long long)done,
		 (unsigned long long)total, tail);

	/* The bar takes what the label and the counts leave, between 10 and 50 cells. */
	int bar = width - (int)strlen(label) - (int)strlen(counts) - 3;
	if (bar > 50)
		bar = 50;
	if (bar < 10)
		bar = 10;
	int filled = (int)((uint64_t)bar * done / total);
	char cells[51];
	memset(cells, '#', (size_t)filled);
	memset(cells + filled, '.', (size_t)(bar - filled));
	cells[bar] = '\0';
	n = snprintf(buf, cap, "%s [%s]%s", label, cells, counts);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static void draw(struct progress *p)
{
	char line[256];
	progress_render(line, sizeof(line), terminal_width() - 1, p->label, p->done, p->total,
			timestamp_now() - p->started_ms);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->drawn = true;
}

void progress_start(struct progress *p, const char *label, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	p->tty = isatty(STDERR_FILENO);
	p->started_ms = timestamp_now();
}

void progress_update(void *ctx, uint64_t done)
{
	struct progress *p = ctx;
	int64_t now;

	p->done = done;
	if (!p->tty)
		return;
	now = timestamp_now();
	if (p->drawn && now - p->drawn_ms < 100)
		return;
	p->drawn_ms = now;
	draw(p);
}

void progress_finish(struct progress *p)
{
	if (!p->tty || !p->drawn)
		return;
	draw(p);
	fputc('\n', stderr);
}
