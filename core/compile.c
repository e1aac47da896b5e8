/*
 * compile.c -- one compile of a query for a dialect: plan it (planner.c),
 * check the plan (groupcheck.c, walk.c), write the SQL (dialects/render.c).
 *
 * Everything a compile makes lives in the query's plan arena, replaced on
 * the next compile. A plan that breaks the GROUP BY rule, or that the
 * dialect's engine cannot run, is an error here: no SQL is written for it.
 */
#include <stdlib.h>
#include <string.h>

#include "groupcheck.h"
#include "planner.h"
#include "walk.h"
#include "../dialects/render.h"

int
ormc_plan_compile(ormc_query *q, const char *dialect, int server_version, ormc_error *err)
{
	const ormc_dialect *d = ormc_dialect_find(dialect);
	plan p;
	ormc_select *sel;
	int r;

	if (d == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "unknown dialect '%s' (postgresql, sqlite, mysql)", dialect);
	ormc_arena_free(&q->plan_arena);
	ormc_arena_init(&q->plan_arena);
	free(q->sql);
	q->sql = NULL;
	q->nparams = 0;
	q->ncolumns = 0;
	q->plan = NULL;
	memset(&p, 0, sizeof(p));
	p.a = &q->plan_arena;
	p.q = q;
	p.err = err;
	sel = ormc_pl_plan_query(&p, q->qs, NULL, PURPOSE_TOP, &q->columns, &q->coltypes, &q->ncolumns);
	if (sel != NULL && (p.failed || q->plan_arena.failed))
		sel = NULL;               /* a part that could not be built is never left out silently */
	if (sel == NULL) {
		if (!p.failed || err == NULL || err->code == 0)
			return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
		return err->code;
	}
	{
		char why[256];

		if (ormc_group_verify(sel, why, sizeof(why)) < 0)
			return ormc_error_set(err, ORMC_EINTERNAL, q->text, q->qs->pos, q->qs->pos >= 0 ? 1 : 0,
			                      "internal error: the plan is invalid SQL (%s); please report this query", why);
	}
	if ((d->caps_for ? d->caps_for(server_version) : d->caps) & ORMC_CAP_NO_OUTER_IN_DERIVED &&
	    ormc_plan_derived_reads_outer(sel))
		return ormc_error_set(err, ORMC_EUNSUPPORTED, q->text, q->qs->pos, q->qs->pos >= 0 ? 1 : 0,
		                      "this query needs a derived table that reads the enclosing query's rows "
		                      "(a Subquery or Exists whose query aggregates over two relations or "
		                      "regroups aggregated rows), which MySQL and MariaDB cannot run");
	q->plan = sel;
	r = ormc_render(d, server_version, sel, &q->plan_arena, &q->sql, &q->params, &q->nparams, err);
	if (r < 0)
		return r;
	q->dialect = d->name;
	q->server_version = server_version;
	return ORMC_OK;
}
