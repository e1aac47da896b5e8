/*
 * format.h -- how the ormc command prints values and result rows.
 *
 * Three output formats for `ormc run` (table, JSON, CSV) behind one writer,
 * plus the value spellings they share: Python's repr() for floats, Django's
 * DjangoJSONEncoder for dates, times and durations, JSON text for the
 * `-- params:` line of `ormc sql`.
 *
 * JSON and CSV stream: each row is written as it arrives. The table needs
 * column widths, so it keeps the first CLI_TABLE_BATCH rows, sizes the
 * columns from them, and streams the rest with those widths.
 */
#ifndef ORMC_CLI_FORMAT_H
#define ORMC_CLI_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ormc/ormc.h>

typedef enum cli_format {
	CLI_FORMAT_TABLE,
	CLI_FORMAT_JSON,
	CLI_FORMAT_CSV
} cli_format;

/** Rows the table format holds before it fixes its column widths. */
#define CLI_TABLE_BATCH 1000

/** "table", "json", "csv" -> *out. Returns 0, or -1 for an unknown name. */
int cli_format_parse(const char *name, cli_format *out);

/**
 * Shortest text that reads back as the same double, spelled as Python's
 * repr() spells it ("4.0", "0.1", "1e-05", "1.5e+16"). "NaN", "inf" and
 * "-inf" for the non-finite values. buf must hold at least 32 bytes.
 */
void cli_float_repr(double f, char *buf, size_t n);

/**
 * A duration in microseconds as Django's duration_iso_string() writes it
 * (DjangoJSONEncoder): "P1DT02H00M00S", "-P0DT00H00M01.500000S".
 */
void cli_duration_iso(int64_t us, char *buf, size_t n);

/** Write v as one JSON value (DjangoJSONEncoder spellings). */
void cli_json_value(FILE *out, const ormc_value *v);

/** Write s (len bytes, UTF-8) as a JSON string. */
void cli_json_string(FILE *out, const char *s, size_t len);

/** Write "[v1, v2, ...]" on one line. */
void cli_json_list(FILE *out, const ormc_value *const *vals, int n);

typedef struct cli_writer cli_writer;

/**
 * Start printing one result. names are the ncols column keys (copied).
 * Nothing is written until the first row or cli_writer_finish().
 * Returns NULL when out of memory.
 */
cli_writer *cli_writer_new(FILE *out, cli_format format, ormc_shape shape,
                           int ncols, const char *const *names);

/** JSON: a result of one row or none (first(), latest()...) prints that row itself, or null. */
void cli_writer_set_single(cli_writer *w, int single);

/** Print (or, for a table, maybe keep) one row. Returns 0, or -1 out of memory. */
int cli_writer_row(cli_writer *w, const ormc_value *row);

/** Print whatever is pending and close the document. Returns 0 or -1. */
int cli_writer_finish(cli_writer *w);

/** Free the writer. Accepts NULL. */
void cli_writer_free(cli_writer *w);

#endif
