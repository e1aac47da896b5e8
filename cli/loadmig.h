/*
 * loadmig.h -- what `ormc load` and `ormc migrate` print as they work.
 */
#ifndef ORMC_CLI_LOADMIG_H
#define ORMC_CLI_LOADMIG_H

#include <stddef.h>
#include <stdio.h>

#include <ormc/ddl.h>

/* State of the load's progress line (ormc_load_options.ctx). */
typedef struct cli_progress {
	FILE *tty;              /* stderr when it is a terminal, else NULL */
	double start;           /* seconds, monotonic */
	double last;            /* when the line was last written */
	int shown;              /* a line is on the terminal */
} cli_progress;

/** Start: the progress line goes to @p err only when it is a terminal. */
void cli_progress_init(cli_progress *p, FILE *err);

/** ormc_load_options.progress: "loading: 1200/5000 objects (24%), 3100 objects/s". */
void cli_progress_update(void *ctx, size_t done, size_t total);

/** Clear the progress line, if one was written. */
void cli_progress_end(cli_progress *p);

/* State of migrate's notes (ormc_migrate_options.ctx). */
typedef struct cli_migrate_out {
	FILE *out;              /* created tables, or (dry run) the statements */
	FILE *err;              /* the differences */
	int dry_run;
	int ncreated;
} cli_migrate_out;

/** ormc_migrate_options.note: print what migrate did or would do. */
void cli_migrate_note(void *ctx, ormc_migrate_note kind, const char *text);

#endif
