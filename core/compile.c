/*
 * compile.c -- one compile of a query for a dialect: plan it (planner.c),
 * check the plan (groupcheck.c, walk.c), write the SQL (dialects/render.c).
 *
 * Everything a compile makes lives in the arena of its ormc_compiled; the
 * query is only read, so one query may be compiled by many threads at once. A plan that breaks the GROUP BY rule, or that the
 * dialect's engine cannot run, is an error here: no SQL is written for it.
 */
#include <stdlib.h>
#include <string.h>

#include "groupcheck.h"
#include "planner.h"
#include "rel.h"
#include "sqlbuf.h"
#include "walk.h"
#include "../dialects/render.h"

int
ormc_compile(const ormc_query *q, const char *dialect, int server_version, ormc_compiled *out,
             ormc_error *err)
{
	const ormc_dialect *d = ormc_dialect_find(dialect);
	plan p;
	ormc_select *sel;
	int i;

	memset(out, 0, sizeof(*out));
	ormc_arena_init(&out->arena);
	if (d == NULL)
		return ormc_error_set(err, ORMC_EINVALID, NULL, -1, 0,
		                      "unknown dialect '%s' (postgresql, sqlite, mysql)", dialect);
	for (i = 0; i < q->nqparams; i++)
		if (!q->qparams[i]->typed)
			return ormc_error_set(err, ORMC_EPARAM, q->text, q->qparams[i]->pos,
			                      (int)strlen(q->qparams[i]->name),
			                      "the type of parameter '%s' cannot be told from where it is used",
			                      q->qparams[i]->name);
	memset(&p, 0, sizeof(p));
	p.a = &out->arena;
	p.q = q;
	p.err = err;
	sel = ormc_pl_plan_query(&p, q->qs, NULL, PURPOSE_TOP, &out->columns, &out->coltypes,
	                         &out->ncolumns);
	if (sel != NULL && (p.failed || out->arena.failed))
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
		                      "(a Subquery or Exists whose query regroups aggregated rows, aggregates "
		                      "over two relations, combines querysets it orders or slices, or slices "
		                      "distinct or grouped rows), which MySQL and MariaDB cannot run");
	out->plan = sel;
	out->rel = p.tree;
	out->subrels = (const struct ormc_rel *const *)p.subtrees.items;
	out->nsubrels = p.subtrees.n;
	out->shape = ormc_query_shape(q);
	out->single = q->qs->single;
	if (q->qs->get && (out->get_model = ormc_arena_strdup(&out->arena, q->qs->model->name)) == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	out->dialect = d->name;
	out->server_version = server_version;
	return ormc_render(d, server_version, sel, &out->arena, &out->sql, &out->slots, &out->nslots, err);
}

void
ormc_compiled_free(ormc_compiled *c)
{
	if (c == NULL)
		return;
	free(c->sql);
	ormc_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

/* The text of the last compile's relational trees, made when first asked for (ormc/ormc.h). */
const char *
ormc_query_tree(const ormc_query *q)
{
	ormc_compiled *c = q->last;
	ormc_sqlbuf b;
	int i;

	if (c == NULL || c->tree != NULL)
		return c ? c->tree : NULL;
	ormc_sqlbuf_init(&b);
	ormc_rel_print(&b, c->rel, 0);
	for (i = 0; i < c->nsubrels; i++) {
		ormc_sqlbuf_appendf(&b, "subquery or combined query %d:\n", i + 1);
		ormc_rel_print(&b, c->subrels[i], 1);
	}
	c->tree = b.failed ? NULL : ormc_arena_strdup(&c->arena, b.data ? b.data : "");
	ormc_sqlbuf_free(&b);
	return c->tree;
}
