/*
 * compare_report.c -- the items of one query's comparison, as text lines or
 * JSON objects (compare_report.h; the shapes are in docs/cli.md).
 *
 * Text:
 *   row 3 only in db2: {"name": "X", "n": 1}             ordered: its position
 *   row only in db2: {"name": "X", "n": 1}               keyed, multiset
 *   row 2, column "p": db1 "26.72", db2 "61.22"          ordered
 *   row 5 (db2 row 4), column "p": ...                   ordered, after a shift
 *   row {"name": "A"}, column "n": db1 2, db2 3          keyed
 *   row 2, column "x": db1 0.1, db2 0.10000000000000002: equal within tolerance
 */
#define _POSIX_C_SOURCE 200809L

#include "compare_report.h"

#include <stdlib.h>
#include <string.h>

#include "format.h"

void
cmp_write_row(FILE *out, const cmp_shape *sh, const cmp_row *r, int key_only)
{
	int i, n = 0;

	fputc('{', out);
	for (i = 0; i < sh->ncols; i++) {
		if (key_only && !sh->iskey[i])
			continue;
		if (n++ > 0)
			fputs(", ", out);
		cli_json_string(out, sh->names[i], strlen(sh->names[i]));
		fputs(": ", out);
		fputs(r->cells[i], out);
	}
	fputc('}', out);
}

/* The text that names a row for a text line: "row 2", "row 2 (db3 row 1)", "row {key}". */
static void
row_name(FILE *f, const cmp_shape *sh, int k, const cmp_row *a, const cmp_row *b)
{
	if (sh->kind == ORMC_ROWS_KEYED) {
		fputs("row ", f);
		cmp_write_row(f, sh, a, 1);
	} else if (sh->kind == ORMC_ROWS_UNORDERED) {
		fputs("row ", f);
		cmp_write_row(f, sh, a, 0);
	} else {
		fprintf(f, "row %ld", a->pos);
		if (b != NULL && b->pos != a->pos)
			fprintf(f, " (db%d row %ld)", k, b->pos);
	}
}

/* Start a JSON item in f, the n-th of its list (n from 1). */
static void
json_item(FILE *f, long n)
{
	fputs(n > 1 ? ",\n        {" : "\n        {", f);
}

static int
sink_only(void *ctx, int k, int side, const cmp_row *row)
{
	cmp_report *rep = ctx;
	const cmp_shape *sh = rep->sh;
	int db = side == 0 ? 1 : k;

	if (++rep->ndiffs > CMP_SHOWN)
		return 0;
	if (rep->json) {
		json_item(rep->diffs, rep->ndiffs);
		fprintf(rep->diffs, "\"kind\": \"only_in\", \"db\": \"db%d\", \"other\": \"db%d\", \"row\": %ld, \"values\": ",
		        db, side == 0 ? k : 1, row->pos);
		cmp_write_row(rep->diffs, sh, row, 0);
		fputc('}', rep->diffs);
		return 0;
	}
	if (sh->kind == ORMC_ROWS_ORDERED || sh->kind == ORMC_ROWS_ONE)
		fprintf(rep->diffs, "  row %ld only in db%d", row->pos, db);
	else
		fprintf(rep->diffs, "  row only in db%d", db);
	if (k > 2)
		fprintf(rep->diffs, " (not in db%d)", side == 0 ? k : 1);
	fputs(": ", rep->diffs);
	cmp_write_row(rep->diffs, sh, row, 0);
	fputc('\n', rep->diffs);
	return 0;
}

/*
 * The columns of a and b that differ (want 0) or are equal within tolerance
 * (want 2), as text lines or a JSON list.
 */
static void
columns(cmp_report *rep, FILE *f, int k, const cmp_row *a, const cmp_row *b, int want)
{
	const cmp_shape *sh = rep->sh;
	int i, n = 0;

	if (rep->json) {
		fprintf(f, "\"db\": \"db%d\", \"rows\": {\"db1\": %ld, \"db%d\": %ld}, \"key\": ",
		        k, a->pos, k, b->pos);
		if (sh->nkeys > 0)
			cmp_write_row(f, sh, a, 1);
		else
			fputs("null", f);
		fputs(", \"columns\": [", f);
	}
	for (i = 0; i < sh->ncols; i++) {
		int eq = cmp_cell_equal(sh, i, a->cells[i], b->cells[i]);

		if (eq != want)
			continue;
		if (rep->json) {
			fputs(n++ > 0 ? ", {\"column\": " : "{\"column\": ", f);
			cli_json_string(f, sh->names[i], strlen(sh->names[i]));
			fprintf(f, ", \"db1\": %s, \"db%d\": %s}", a->cells[i], k, b->cells[i]);
			continue;
		}
		fputs("  ", f);
		row_name(f, sh, k, a, b);
		fputs(", column ", f);
		cli_json_string(f, sh->names[i], strlen(sh->names[i]));
		fprintf(f, ": db1 %s, db%d %s%s\n", a->cells[i], k, b->cells[i],
		        want == 2 ? ": equal within tolerance" : "");
	}
	if (rep->json)
		fputs("]}", f);
}

static int
sink_changed(void *ctx, int k, const cmp_row *a, const cmp_row *b)
{
	cmp_report *rep = ctx;

	if (++rep->ndiffs > CMP_SHOWN)
		return 0;
	if (rep->json) {
		json_item(rep->diffs, rep->ndiffs);
		fputs("\"kind\": \"changed\", ", rep->diffs);
	}
	columns(rep, rep->diffs, k, a, b, 0);
	return 0;
}

static int
sink_tolerance(void *ctx, int k, const cmp_row *a, const cmp_row *b)
{
	cmp_report *rep = ctx;

	if (++rep->ntols > CMP_SHOWN)
		return 0;
	if (rep->json)
		json_item(rep->tols, rep->ntols);
	columns(rep, rep->tols, k, a, b, 2);
	return 0;
}

static int
sink_window(void *ctx, int k, long pos_a, long pos_b)
{
	cmp_report *rep = ctx;

	char msg[256];

	snprintf(msg, sizeof(msg), "db1 and db%d do not realign within %d rows: compared by "
	         "position from db1 row %ld, db%d row %ld", k, CMP_WINDOW, pos_a, k, pos_b);
	cmp_report_note(rep, "window", msg);
	return 0;
}

int
cmp_report_init(cmp_report *rep, const cmp_shape *sh, int json)
{
	memset(rep, 0, sizeof(*rep));
	rep->json = json;
	rep->sh = sh;
	rep->diffs = open_memstream(&rep->diffs_text, &rep->diffs_len);
	rep->tols = open_memstream(&rep->tols_text, &rep->tols_len);
	rep->notes = open_memstream(&rep->notes_text, &rep->notes_len);
	rep->sink.ctx = rep;
	rep->sink.only = sink_only;
	rep->sink.changed = sink_changed;
	rep->sink.tolerance = sink_tolerance;
	rep->sink.window = sink_window;
	if (rep->diffs == NULL || rep->tols == NULL || rep->notes == NULL) {
		cmp_report_free(rep);
		return -1;
	}
	return 0;
}

void
cmp_report_error(cmp_report *rep, int db, long row, const char *message, const char *sqlstate)
{
	if (++rep->ndiffs > CMP_SHOWN)
		return;
	if (rep->json) {
		json_item(rep->diffs, rep->ndiffs);
		fprintf(rep->diffs, "\"kind\": \"error\", \"db\": \"db%d\", \"row\": %ld, \"message\": ", db, row);
		cli_json_string(rep->diffs, message, strlen(message));
		fputs(", \"sqlstate\": ", rep->diffs);
		if (sqlstate != NULL && sqlstate[0])
			cli_json_string(rep->diffs, sqlstate, strlen(sqlstate));
		else
			fputs("null", rep->diffs);
		fputc('}', rep->diffs);
		return;
	}
	if (row > 0)
		fprintf(rep->diffs, "  db%d: error at row %ld: %s", db, row, message);
	else
		fprintf(rep->diffs, "  db%d: error: %s", db, message);
	if (sqlstate != NULL && sqlstate[0])
		fprintf(rep->diffs, " (SQLSTATE %s)", sqlstate);
	fputc('\n', rep->diffs);
}

void
cmp_report_rowcount(cmp_report *rep, int db, long n1, long n)
{
	/* Not an item of its own: the rows on one side only are. Text only. */
	if (!rep->json)
		fprintf(rep->notes, "  rows: db1 %ld, db%d %ld\n", n1, db, n);
}

void
cmp_report_collation(cmp_report *rep, int db, const char *table, const char *column,
                     const char *collation, const char *error)
{
	FILE *f = rep->notes;

	++rep->nnotes;
	if (rep->json) {
		json_item(f, rep->nnotes);
		fprintf(f, "\"kind\": \"%s\", \"db\": \"db%d\", \"table\": ",
		        error != NULL ? "collation_unknown" : "collation", db);
		cli_json_string(f, table, strlen(table));
		fputs(", \"column\": ", f);
		cli_json_string(f, column, strlen(column));
		if (error != NULL) {
			fputs(", \"message\": ", f);
			cli_json_string(f, error, strlen(error));
		} else {
			fputs(", \"collation\": ", f);
			cli_json_string(f, collation, strlen(collation));
		}
		fputc('}', f);
	} else if (error != NULL) {
		fprintf(f, "  warning: db%d: cannot read the collation of %s.%s: %s\n", db, table,
		        column, error);
	} else {
		fprintf(f, "  warning: db%d: column %s.%s has the case-insensitive collation %s, and the "
		        "query groups, orders or compares by it: there \"a\" and \"A\" are one value\n",
		        db, table, column, collation);
	}
}

void
cmp_report_note(cmp_report *rep, const char *kind, const char *message)
{
	++rep->nnotes;
	if (rep->json) {
		json_item(rep->notes, rep->nnotes);
		fprintf(rep->notes, "\"kind\": \"%s\", \"message\": ", kind);
		cli_json_string(rep->notes, message, strlen(message));
		fputc('}', rep->notes);
	} else {
		fprintf(rep->notes, "  note: %s\n", message);
	}
}

static int
close_one(FILE **f, char **text)
{
	int rc = 0;

	if (*f != NULL) {
		rc = fclose(*f);
		*f = NULL;
	}
	return rc != 0 || *text == NULL ? -1 : 0;
}

int
cmp_report_close(cmp_report *rep)
{
	if (close_one(&rep->diffs, &rep->diffs_text) < 0)
		rep->oom = 1;
	if (close_one(&rep->tols, &rep->tols_text) < 0)
		rep->oom = 1;
	if (close_one(&rep->notes, &rep->notes_text) < 0)
		rep->oom = 1;
	return rep->oom ? -1 : 0;
}

void
cmp_report_free(cmp_report *rep)
{
	if (rep->diffs != NULL)
		fclose(rep->diffs);
	if (rep->tols != NULL)
		fclose(rep->tols);
	if (rep->notes != NULL)
		fclose(rep->notes);
	free(rep->diffs_text);
	free(rep->tols_text);
	free(rep->notes_text);
	memset(rep, 0, sizeof(*rep));
}
