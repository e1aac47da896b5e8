/*
 * groupcheck.h -- grouping by construction, and the check of every plan.
 *
 * The rule is PostgreSQL's (parse_agg.c, check_ungrouped_columns) and
 * MariaDB's under ONLY_FULL_GROUP_BY, without functional dependencies (which
 * PostgreSQL grants only for a base table's primary key and MariaDB not at
 * all): in a SELECT that aggregates, every column of that SELECT's own FROM
 * items that the select list, HAVING or ORDER BY reads outside an aggregate
 * must be covered by a GROUP BY expression, also when it is read inside a
 * correlated subquery.
 */
#ifndef ORMC_GROUPCHECK_H
#define ORMC_GROUPCHECK_H

#include "arena.h"
#include "plan.h"

/*
 * Django's get_group_by_cols rule for a grouped SELECT: every column of s's
 * level that its select list, HAVING or ORDER BY reads outside an aggregate
 * and that no GROUP BY expression covers becomes a GROUP BY column. keyed:
 * s is grouped by its base table's primary key. Returns 0, ORMC_ENOMEM, or
 * ORMC_EUNSUPPORTED with the reason in why when the column needed lies
 * inside a key that is an expression with parameters (it would split that
 * key's groups).
 */
int ormc_group_complete(ormc_arena *a, ormc_select *s, int keyed, char *why, size_t whysize);

/*
 * Check s and every SELECT inside it. Returns 0, or -1 with a description of
 * the first violation in why (the column and the clause that reads it).
 */
int ormc_group_verify(ormc_select *s, char *why, size_t whysize);

#endif
