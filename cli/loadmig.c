/*
 * loadmig.c -- what `ormc load` and `ormc migrate` print as they work.
 *
 * load: on a terminal, a progress line on stderr (objects done, of how
 * many unless the fixture comes from a pipe, objects per second), rewritten at most five times a second and
 * cleared at the end; Django's "Installed N object(s) from 1 fixture(s)"
 * is printed by the command (cli/main.c) on stdout.
 *
 * migrate: "Created table x" on stdout for each table created; with --sql
 * and a database, the statements that would run, each ending in ';' (a
 * dry run); every difference between an existing table and the models on
 * stderr, one per line.
 */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, isatty, fileno */

#include "loadmig.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cli_progress_init(cli_progress *p, FILE *err)
{
	p->tty = err != NULL && isatty(fileno(err)) ? err : NULL;
	p->start = now();
	p->last = 0;
	p->shown = 0;
}

void
cli_progress_update(void *ctx, size_t done, size_t total)
{
	cli_progress *p = ctx;
	double t, rate;

	if (p->tty == NULL)
		return;
	t = now();
	if ((done < total || total == 0) && t - p->last < 0.2)
		return;
	p->last = t;
	rate = t > p->start ? (double)done / (t - p->start) : 0;
	if (total == 0)   /* from a pipe: how many is not known */
		fprintf(p->tty, "\rloading: %zu objects, %.0f objects/s\033[K",
		        done, rate);
	else
		fprintf(p->tty, "\rloading: %zu/%zu objects (%d%%), %.0f objects/s\033[K",
		        done, total, (int)(done * 100 / total), rate);
	fflush(p->tty);
	p->shown = 1;
}

void
cli_progress_end(cli_progress *p)
{
	if (p->tty != NULL && p->shown) {
		fputs("\r\033[K", p->tty);
		fflush(p->tty);
	}
	p->shown = 0;
}

void
cli_migrate_note(void *ctx, ormc_migrate_note kind, const char *text)
{
	cli_migrate_out *o = ctx;

	switch (kind) {
	case ORMC_MIGRATE_CREATED:
		o->ncreated++;
		if (!o->dry_run)
			fprintf(o->out, "Created table %s\n", text);
		break;
	case ORMC_MIGRATE_STATEMENT:
		if (o->dry_run)
			fprintf(o->out, "%s;\n", text);
		break;
	case ORMC_MIGRATE_MISMATCH:
		fprintf(o->err, "ormc: %s\n", text);
		break;
	}
}
