/*
 * check_rowmatch.c -- the row matchers of `ormc compare` (cli/rowmatch.c)
 * on rows made here: values by value (decimals, floats within tolerance),
 * ordered results realigned after a missing row, ties as multisets, keyed
 * and multiset results, and the realignment window.
 */
#define _DEFAULT_SOURCE      /* strsep, strdup */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rowmatch.h"

/* ---- a sink that writes each event as one line ---------------------------------- */

static char events[1 << 16];
static int nevents;

static void
event(const char *fmt, const cmp_row *a, const cmp_row *b, int x)
{
	size_t len = strlen(events);

	snprintf(events + len, sizeof(events) - len, fmt, x, a->cells[0], a->pos,
	         b != NULL ? b->cells[0] : "", b != NULL ? b->pos : 0L);
	nevents++;
}

static int
on_only(void *ctx, int k, int side, const cmp_row *row)
{
	(void)ctx;
	(void)k;
	event("only%d %s@%ld;", row, NULL, side);
	return 0;
}

static int
on_changed(void *ctx, int k, const cmp_row *a, const cmp_row *b)
{
	(void)ctx;
	event("changed%d %s@%ld %s@%ld;", a, b, k);
	return 0;
}

static int
on_tolerance(void *ctx, int k, const cmp_row *a, const cmp_row *b)
{
	(void)ctx;
	event("tol%d %s@%ld %s@%ld;", a, b, k);
	return 0;
}

static int windows;

static int
on_window(void *ctx, int k, long pa, long pb)
{
	(void)ctx;
	(void)k;
	(void)pa;
	(void)pb;
	windows++;
	return 0;
}

static const cmp_sink sink = { NULL, on_only, on_changed, on_tolerance, on_window };

/* ---- shapes and rows: (name TEXT, n INT, x FLOAT) ---------------------------------- */

static const char *const names[] = { "name", "n", "x" };
static const ormc_type types[] = { ORMC_TYPE_TEXT, ORMC_TYPE_INT, ORMC_TYPE_FLOAT };
static const int no_key[] = { 0, 0, 0 }, name_key[] = { 1, 0, 0 }, n_order[] = { 0, 1, 0 };

static cmp_shape
shape(ormc_rows_kind kind, const int *iskey, const int *isorder)
{
	cmp_shape sh;

	memset(&sh, 0, sizeof(sh));
	sh.ncols = 3;
	sh.names = names;
	sh.types = types;
	sh.iskey = iskey;
	sh.nkeys = iskey == name_key;
	sh.isorder = isorder;
	sh.norder = isorder == n_order;
	sh.kind = kind;
	sh.float_digits = 15;
	sh.rel_tol = 1e-15;
	return sh;
}

static cmp_row *
row(const cmp_shape *sh, const char *name, long long n, double x, long pos)
{
	ormc_value v[3];

	memset(v, 0, sizeof(v));
	v[0].type = ORMC_TYPE_TEXT;
	v[0].s = name;
	v[0].len = strlen(name);
	v[1].type = ORMC_TYPE_INT;
	v[1].i = n;
	v[2].type = ORMC_TYPE_FLOAT;
	v[2].f = x;
	return cmp_row_make(sh, v, pos);
}

/*
 * Feed a and b ("name:n:x" items separated by spaces; x optional, 0) in step
 * and return the events.
 */
static const char *
run(const cmp_shape *sh, const char *a, const char *b)
{
	cmp_match *m = cmp_match_new(sh, &sink, 2);
	char *sa = strdup(a), *sb = strdup(b), *pa = sa, *pb = sb, *ta, *tb;
	long ia = 0, ib = 0;

	events[0] = '\0';
	nevents = windows = 0;
	ck_assert_ptr_nonnull(m);
	for (;;) {
		ta = strsep(&pa, " ");
		tb = strsep(&pb, " ");
		if (ta == NULL && tb == NULL)
			break;
		if (ta != NULL && *ta) {
			char name[32];
			long long n = 0;
			double x = 0;

			ck_assert_int_ge(sscanf(ta, "%31[^:]:%lld:%lf", name, &n, &x), 1);
			ck_assert_int_eq(cmp_match_add(m, 0, row(sh, name, n, x, ++ia)), 0);
		}
		if (tb != NULL && *tb) {
			char name[32];
			long long n = 0;
			double x = 0;

			ck_assert_int_ge(sscanf(tb, "%31[^:]:%lld:%lf", name, &n, &x), 1);
			ck_assert_int_eq(cmp_match_add(m, 1, row(sh, name, n, x, ++ib)), 0);
		}
	}
	ck_assert_int_eq(cmp_match_finish(m), 0);
	cmp_match_free(m);
	free(sa);
	free(sb);
	return events;
}

START_TEST(test_cells)
{
	cmp_shape sh = shape(ORMC_ROWS_ORDERED, no_key, no_key);
	static const ormc_type dec[] = { ORMC_TYPE_DECIMAL, ORMC_TYPE_DECIMAL, ORMC_TYPE_DECIMAL };

	/* decimals by value */
	sh.types = dec;
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"1.50\"", "\"1.5\""), 1);
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"007.10\"", "\"7.1\""), 1);
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"-0.00\"", "\"0\""), 1);
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"12.\"", "\"12\""), 1);
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"1.51\"", "\"1.5\""), 0);
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"-1.5\"", "\"1.5\""), 0);
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "null", "\"0\""), 0);
	/* floats: 15 digits by default */
	sh.types = types;
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "0.3", "0.30000000000000004"), 2);
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "1.00000000000001", "1.00000000000002"), 0);
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "0.0", "-0.0"), 1);
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "0.0", "1e-300"), 0);
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "null", "null"), 1);
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "null", "0.0"), 0);
	/* the same 15 digits, though 2.4e-15 apart relatively */
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "1.234567890123441", "1.234567890123444"), 2);
	/* --rel-tol 0: identical only */
	sh.float_digits = 0;
	sh.rel_tol = 0;
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "0.3", "0.30000000000000004"), 0);
	sh.rel_tol = 1e-8;
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "47.87", "47.8700001"), 2);
	ck_assert_int_eq(cmp_cell_equal(&sh, 2, "47.87", "47.871"), 0);
	/* other types exactly */
	ck_assert_int_eq(cmp_cell_equal(&sh, 0, "\"a\"", "\"A\""), 0);
	ck_assert_int_eq(cmp_cell_equal(&sh, 1, "2", "2"), 1);
}
END_TEST

START_TEST(test_ordered)
{
	cmp_shape sh = shape(ORMC_ROWS_ORDERED, no_key, no_key);
	cmp_shape keyed = shape(ORMC_ROWS_ORDERED, name_key, no_key);
	cmp_shape ties = shape(ORMC_ROWS_ORDERED, no_key, n_order);

	ck_assert_str_eq(run(&sh, "a:1 b:2 c:3", "a:1 b:2 c:3"), "");
	/* one extra row in the middle: reported once */
	ck_assert_str_eq(run(&sh, "a:1 b:2 c:3 d:4", "a:1 x:9 b:2 c:3 d:4"), "only1 \"x\"@2;");
	ck_assert_str_eq(run(&sh, "a:1 x:9 b:2 c:3 d:4", "a:1 b:2 c:3 d:4"), "only0 \"x\"@2;");
	/* at the end, at the start */
	ck_assert_str_eq(run(&sh, "a:1 b:2", "a:1 b:2 c:3"), "only1 \"c\"@3;");
	ck_assert_str_eq(run(&sh, "b:2 c:3", "a:1 b:2 c:3"), "only1 \"a\"@1;");
	/* a changed row: paired by position */
	ck_assert_str_eq(run(&sh, "a:1 b:2 c:3", "a:1 b:5 c:3"), "changed2 \"b\"@2 \"b\"@2;");
	/* a changed row and an extra row without a key: on one side only */
	ck_assert_str_eq(run(&sh, "a:1 b:2 c:3", "a:1 x:9 b:5 c:3"),
	                 "only0 \"b\"@2;only1 \"x\"@2;only1 \"b\"@3;");
	/* with a key, the change is paired by key */
	ck_assert_str_eq(run(&keyed, "a:1 b:2 c:3", "a:1 x:9 b:5 c:3"),
	                 "changed2 \"b\"@2 \"b\"@3;only1 \"x\"@2;");
	/* floats within tolerance */
	ck_assert_str_eq(run(&sh, "a:1:0.3 b:2", "a:1:0.30000000000000004 b:2"),
	                 "tol2 \"a\"@1 \"a\"@1;");
	/* ties on the ordering (n) in another order: no difference when n is selected */
	ck_assert_str_eq(run(&ties, "a:1 b:2 c:2 d:3", "a:1 c:2 b:2 d:3"), "");
	ck_assert_str_eq(run(&sh, "a:1 b:2 c:2 d:3", "a:1 c:2 b:2 d:3"),
	                 "only0 \"b\"@2;only1 \"b\"@3;");
	/* a run of ties with one row changed: the change, with one row a side left */
	ck_assert_str_eq(run(&ties, "a:1 b:2 c:2 d:3", "a:1 c:2 e:2 d:3"), "changed2 \"b\"@2 \"e\"@3;");
	/* a whole run missing */
	ck_assert_str_eq(run(&ties, "a:1 b:2 c:2 d:3", "a:1 d:3"), "only0 \"b\"@2;only0 \"c\"@3;");
}
END_TEST

START_TEST(test_window)
{
	cmp_shape sh = shape(ORMC_ROWS_ORDERED, no_key, no_key);
	size_t cap = 20 * (CMP_WINDOW + 100);
	char *a = malloc(cap), *b = malloc(cap);
	size_t la = 0, lb = 0;
	int i;

	/* every row differs: past the window, rows are paired by position, each once */
	for (i = 0; i < CMP_WINDOW + 100; i++) {
		la += (size_t)snprintf(a + la, cap - la, "%sr%d:1", i ? " " : "", i);
		lb += (size_t)snprintf(b + lb, cap - lb, "%sr%d:2", i ? " " : "", i);
	}
	run(&sh, a, b);
	ck_assert_int_eq(windows, 1);
	ck_assert_int_eq(nevents, CMP_WINDOW + 100);
	ck_assert(strncmp(events, "changed2 \"r0\"@1 \"r0\"@1;changed2 \"r1\"@2 \"r1\"@2;", 46) == 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_unordered)
{
	cmp_shape keyed = shape(ORMC_ROWS_KEYED, name_key, no_key);
	cmp_shape multi = shape(ORMC_ROWS_UNORDERED, no_key, no_key);

	/* any order; an extra group once; a changed group by key */
	ck_assert_str_eq(run(&keyed, "a:1 b:2 c:3", "c:3 a:1 b:2"), "");
	ck_assert_str_eq(run(&keyed, "a:1 b:2 c:3", "c:3 x:9 a:1 b:2"), "only1 \"x\"@2;");
	ck_assert_str_eq(run(&keyed, "a:1 b:2 c:3", "c:3 b:5 a:1"), "changed2 \"b\"@2 \"b\"@2;");
	ck_assert_str_eq(run(&keyed, "a:1:0.3 b:2", "b:2 a:1:0.30000000000000004"), "tol2 \"a\"@1 \"a\"@2;");
	/* multisets: duplicates count; no key, so a change is one row a side */
	ck_assert_str_eq(run(&multi, "a:1 a:1 b:2", "a:1 b:2 a:1"), "");
	ck_assert_str_eq(run(&multi, "a:1 a:1 b:2", "a:1 b:2"), "only0 \"a\"@2;");
	ck_assert_str_eq(run(&multi, "a:1 b:2", "b:3 a:1"), "only0 \"b\"@2;only1 \"b\"@1;");
	ck_assert_str_eq(run(&multi, "a:1:1.0 b:2:2.0", "b:2:2.0000000000000004 a:1:1.0"),
	                 "tol2 \"b\"@2 \"b\"@1;");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rowmatch");
	TCase *tc = tcase_create("rowmatch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_cells);
	tcase_add_test(tc, test_ordered);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_unordered);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
