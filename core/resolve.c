/*
 * resolve.c -- names: output types, and the paths of lookups and F().
 *
 * A string such as "book__publisher__name__year__gt" is split at "__" and
 * walked from the QuerySet's model: the longest run of fields and relations
 * (or an annotation named by the first parts, as Django's refs_expression),
 * then transforms (year, month, date, ...), then at most one lookup. Django's
 * FieldError wording is kept ("Cannot resolve keyword ... Choices are: ...").
 * Also here: the output type of a field or of a field class used as
 * output_field=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

/* ---------------------------------------------------------------- types */

/* The value type of a field: a foreign key's is its target's primary key. */
static ormc_otype
field_otype(const ormc_field *f)
{
	while (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE)
		f = f->target->pk;
	if (ormc_field_is_relation(f))
		f = f->target->pk;
	return ormc_otype_of(f->kind, f->max_digits, f->decimal_places);
}

/* Django's field classes, as used in output_field=. */
static const struct {
	const char *name;
	ormc_field_kind kind;
} field_classes[] = {
	{ "AutoField", ORMC_FIELD_AUTO }, { "BigAutoField", ORMC_FIELD_BIGAUTO },
	{ "SmallAutoField", ORMC_FIELD_SMALLAUTO },
	{ "CharField", ORMC_FIELD_CHAR }, { "TextField", ORMC_FIELD_TEXT },
	{ "SlugField", ORMC_FIELD_CHAR }, { "EmailField", ORMC_FIELD_CHAR },
	{ "IntegerField", ORMC_FIELD_INTEGER }, { "BigIntegerField", ORMC_FIELD_BIGINTEGER },
	{ "SmallIntegerField", ORMC_FIELD_SMALLINTEGER },
	{ "PositiveIntegerField", ORMC_FIELD_POSITIVEINTEGER },
	{ "PositiveSmallIntegerField", ORMC_FIELD_POSITIVESMALLINTEGER },
	{ "PositiveBigIntegerField", ORMC_FIELD_POSITIVEBIGINTEGER },
	{ "FloatField", ORMC_FIELD_FLOAT }, { "DecimalField", ORMC_FIELD_DECIMAL },
	{ "BooleanField", ORMC_FIELD_BOOLEAN }, { "NullBooleanField", ORMC_FIELD_BOOLEAN },
	{ "DateField", ORMC_FIELD_DATE }, { "DateTimeField", ORMC_FIELD_DATETIME },
	{ "TimeField", ORMC_FIELD_TIME }, { "DurationField", ORMC_FIELD_DURATION },
	{ "UUIDField", ORMC_FIELD_UUID },
	{ "JSONField", ORMC_FIELD_JSON }, { "BinaryField", ORMC_FIELD_BINARY },
	{ "URLField", ORMC_FIELD_CHAR }, { "GenericIPAddressField", ORMC_FIELD_IPADDRESS },
	{ "FileField", ORMC_FIELD_CHAR }, { "FilePathField", ORMC_FIELD_CHAR },
	{ "ImageField", ORMC_FIELD_CHAR },
};

/* Is name one of Django's field classes (meaningful only as output_field=)? */
int
ormc_is_field_class(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(field_classes) / sizeof(field_classes[0]); i++)
		if (strcmp(field_classes[i].name, name) == 0)
			return 1;
	return 0;
}

/* output_field=IntegerField() / DecimalField(max_digits=12, decimal_places=2) */
int
ormc_output_field(ev *e, const ormc_ast *n, ormc_otype *out)
{
	const char *name;
	size_t i;
	callargs c;

	n = ormc_ev_deref(e, n);
	if (n->kind != ORMC_AST_CALL || (name = ormc_callee_name(n->left)) == NULL)
		return ormc_ev_fail(e, ORMC_EINVALID, n->pos, n->end - n->pos,
		                    "output_field must be a field instance such as IntegerField()");
	if ((strcmp(name, "ForeignKey") == 0 || strcmp(name, "OneToOneField") == 0) && n->nargs >= 1 &&
	    n->kw[0] == NULL) {
		/* Cast(x, ForeignKey(Author, ...)): the type of the target's key, as Django's rel_db_type */
		const ormc_ast *t = ormc_ev_deref(e, n->args[0]);
		const ormc_model *m = t->kind == ORMC_AST_NAME || t->kind == ORMC_AST_STR
		                      ? ormc_schema_model(e->s, t->str) : NULL;

		if (m == NULL || m->pk == NULL)
			return ormc_ev_fail(e, ORMC_EINVALID, t->pos, t->end - t->pos,
			                    "%s() in output_field needs a model of the models file", name);
		*out = ormc_otype_of(m->pk->kind == ORMC_FIELD_AUTO ? ORMC_FIELD_INTEGER
		                     : m->pk->kind == ORMC_FIELD_BIGAUTO ? ORMC_FIELD_BIGINTEGER
		                     : m->pk->kind == ORMC_FIELD_SMALLAUTO ? ORMC_FIELD_SMALLINTEGER
		                     : m->pk->kind, m->pk->max_digits, m->pk->decimal_places);
		return ORMC_OK;
	}
	for (i = 0; i < sizeof(field_classes) / sizeof(field_classes[0]); i++)
		if (strcmp(field_classes[i].name, name) == 0)
			break;
	if (i == sizeof(field_classes) / sizeof(field_classes[0]))
		return ormc_ev_fail(e, ORMC_EINVALID, n->left->pos, n->left->end - n->left->pos,
		                    "unknown field class '%s' in output_field", name);
	*out = ormc_otype_of(field_classes[i].kind, -1, -1);
	ormc_callargs_init(&c, n, name);
	if (field_classes[i].kind == ORMC_FIELD_DECIMAL) {
		const ormc_ast *d = ormc_kwarg(&c, "max_digits"), *p = ormc_kwarg(&c, "decimal_places");

		if (d && d->kind == ORMC_AST_INT)
			out->max_digits = (int)d->ival;
		if (p && p->kind == ORMC_AST_INT)
			out->decimal_places = (int)p->ival;
	}
	/* Other field options (max_length, null, ...) do not change values. */
	return ORMC_OK;
}

/* ---------------------------------------------------------------- paths */

/* "a, b, c" list of names a model accepts in lookups, sorted, as Django. */
static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
choices(ev *e, const ormc_model *m, const ormc_qs *qs)
{
	const char **names;
	const ormc_model *k;
	int n = 0, i;
	size_t len = 0;
	char *out, *p;

	for (k = m; k != NULL; k = k->parent)
		n += 2 * k->nfields;
	if ((names = ormc_arena_alloc(e->a, sizeof(char *) * (size_t)(n + (qs ? qs->nannots : 0) + 1))) == NULL)
		return "";
	n = 0;
	for (; m != NULL; m = m->parent)
		for (i = 0; i < m->nfields; i++) {
			const ormc_field *f = m->fields[i];

			names[n++] = f->name;
			if ((f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE) && f->column)
				names[n++] = f->column;
		}
	if (qs)
		for (i = 0; i < qs->nannots; i++)
			names[n++] = qs->annots[i]->alias;
	qsort(names, (size_t)n, sizeof(names[0]), cmpstr);
	for (i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	out = ormc_arena_alloc(e->a, len + 1);
	if (out == NULL)
		return "";
	p = out;
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		p += sprintf(p, "%s%s", p == out ? "" : ", ", names[i]);
	}
	return out;
}

ormc_annot *
ormc_find_annot(const ormc_qs *qs, const char *name)
{
	int i;

	if (qs == NULL)
		return NULL;
	for (i = qs->nannots - 1; i >= 0; i--)
		if (strcmp(qs->annots[i]->alias, name) == 0)
			return qs->annots[i];
	return NULL;
}

static const char *const transforms[] = {
	"year", "iso_year", "month", "day", "week", "week_day", "iso_week_day",
	"quarter", "hour", "minute", "second", "date", "time", NULL
};

static const struct {
	const char *name;
	ormc_lookup lookup;
} lookups[] = {
	{ "exact", ORMC_LOOKUP_EXACT }, { "iexact", ORMC_LOOKUP_IEXACT },
	{ "gt", ORMC_LOOKUP_GT }, { "gte", ORMC_LOOKUP_GTE },
	{ "lt", ORMC_LOOKUP_LT }, { "lte", ORMC_LOOKUP_LTE },
	{ "in", ORMC_LOOKUP_IN }, { "range", ORMC_LOOKUP_RANGE },
	{ "isnull", ORMC_LOOKUP_ISNULL },
	{ "contains", ORMC_LOOKUP_CONTAINS }, { "icontains", ORMC_LOOKUP_ICONTAINS },
	{ "startswith", ORMC_LOOKUP_STARTSWITH }, { "istartswith", ORMC_LOOKUP_ISTARTSWITH },
	{ "endswith", ORMC_LOOKUP_ENDSWITH }, { "iendswith", ORMC_LOOKUP_IENDSWITH },
};

int
ormc_find_lookup(const char *name, ormc_lookup *out)
{
	size_t i;

	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++)
		if (strcmp(lookups[i].name, name) == 0) {
			*out = lookups[i].lookup;
			return 1;
		}
	return 0;
}

int
ormc_is_transform(const char *name)
{
	int i;

	for (i = 0; transforms[i]; i++)
		if (strcmp(transforms[i], name) == 0)
			return 1;
	return 0;
}

/* Which transforms apply to a kind of value. */
int
ormc_transform_applies(const char *t, ormc_field_kind k)
{
	int date_part = strcmp(t, "year") == 0 || strcmp(t, "iso_year") == 0 ||
	                strcmp(t, "month") == 0 || strcmp(t, "day") == 0 ||
	                strcmp(t, "week") == 0 || strcmp(t, "week_day") == 0 ||
	                strcmp(t, "iso_week_day") == 0 || strcmp(t, "quarter") == 0;
	int time_part = strcmp(t, "hour") == 0 || strcmp(t, "minute") == 0 ||
	                strcmp(t, "second") == 0;

	if (k == ORMC_FIELD_DATETIME)
		return 1;
	if (k == ORMC_FIELD_DATE)
		return date_part;
	if (k == ORMC_FIELD_TIME)
		return time_part;
	return 0;
}

static ormc_otype
transform_type(const char *t)
{
	if (strcmp(t, "date") == 0)
		return ormc_otype_of(ORMC_FIELD_DATE, -1, -1);
	if (strcmp(t, "time") == 0)
		return ormc_otype_of(ORMC_FIELD_TIME, -1, -1);
	return ormc_otype_of(ORMC_FIELD_INTEGER, -1, -1);
}

/* Split "a__b__c" into parts, remembering each part's offset. */
int
ormc_parts_split(ev *e, const char *s, int pos, parts *p)
{
	const char *start = s, *q;

	p->n = 0;
	for (;;) {
		q = strstr(start, "__");
		if (p->n == 32)
			return ormc_ev_fail(e, ORMC_EINVALID, pos, (int)strlen(s), "a lookup may have at most 32 parts separated by __");
		p->off[p->n] = pos + (int)(start - s);
		p->v[p->n++] = ormc_arena_strndup(e->a, start, q ? (size_t)(q - start) : strlen(start));
		if (q == NULL)
			break;
		start = q + 2;
	}
	return ORMC_OK;
}

/*
 * Resolve the field part of "a__b__c__gt" from qs's model: the longest walk
 * through fields and relations. *used is how many parts were consumed; the
 * rest are transforms and a lookup. The first part may be an annotation.
 * str_pos is the offset of the string's first character in the text.
 */
int
ormc_resolve_parts(ev *e, ormc_qs *qs, ormc_model *model, parts *p, int allow_annot,
                   ormc_expr **out, int *used)
{
	ormc_path *path;
	ormc_model *m = model;
	ormc_field *hops[ORMC_MAX_HOPS];
	int nhops = 0, i;
	ormc_expr *x;

	if (qs && ORMC_QS_COMBINED(qs)) {
		/* Combined rows have only their columns: "pk" is the primary key's, if selected. */
		const ormc_field *pk = model->pk;
		const char *name = p->v[0];
		ormc_annot *an;
		char *names;
		size_t len = 1;
		int k;

		const ormc_field *f;

		if (strcmp(name, "pk") == 0 && pk != NULL && ormc_find_annot(qs, name) == NULL)
			/* "pk": the primary key's column, unless a column is named so (values_list("pk")) */
			name = pk->kind == ORMC_FIELD_ONETOONE || pk->kind == ORMC_FIELD_FOREIGNKEY
			       ? ormc_arena_printf(e->a, "%s_id", pk->name) : pk->name;
		else if ((f = ormc_model_field(model, name)) != NULL &&
		         (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE) &&
		         ormc_find_annot(qs, name) == NULL)
			name = ormc_arena_printf(e->a, "%s_id", name);    /* "team": the column team_id */
		if (name == NULL)
			return ormc_ev_oom(e);
		/* a column's name may hold "__" (values("team__name")): the longest that is one */
		for (k = p->n; k >= 1; k--) {
			char *joined = NULL;
			int j;

			if (k == 1) {
				an = ormc_find_annot(qs, name);
				/* the primary key by its name ("id") where the column is "pk" */
				if (an == NULL && pk != NULL && strcmp(name, pk->name) == 0)
					an = ormc_find_annot(qs, "pk");
			} else {
				for (j = 0; j < k; j++)
					joined = ormc_arena_printf(e->a, "%s%s%s", joined ? joined : "", j ? "__" : "", p->v[j]);
				if (joined == NULL)
					return ormc_ev_oom(e);
				an = ormc_find_annot(qs, joined);
			}
			if (an == NULL)
				continue;
			if ((x = ormc_expr_new(e, ORMC_EXPR_REF, p->off[0])) == NULL)
				return ormc_ev_oom(e);
			x->annot = an;
			x->type = an->expr->type;
			*out = x;
			*used = k;
			return ORMC_OK;
		}
		for (k = 0; k < qs->nannots; k++)
			len += strlen(qs->annots[k]->alias) + 2;
		if ((names = ormc_arena_alloc(e->a, len)) == NULL)
			return ormc_ev_oom(e);
		for (k = 0; k < qs->nannots; k++) {
			if (k)
				strcat(names, ", ");
			strcat(names, qs->annots[k]->alias);
		}
		return ormc_ev_fail(e, ORMC_ENOFIELD, p->off[0], (int)strlen(p->v[0]),
		                    "Cannot resolve keyword '%s' into field: the combined rows' columns are %s",
		                    p->v[0], names);
	}
	if (allow_annot && qs) {
		/* An annotation named by the first n parts ("authors__count"), as Django's refs_expression. */
		ormc_annot *an = NULL;
		int n;
		char name[512];

		for (n = 1; n <= p->n && an == NULL; n++) {
			size_t len = 0;
			int k;

			name[0] = '\0';
			for (k = 0; k < n && len + strlen(p->v[k]) + 3 < sizeof(name); k++)
				len += (size_t)snprintf(name + len, sizeof(name) - len, "%s%s", k ? "__" : "", p->v[k]);
			an = ormc_find_annot(qs, name);
			if (an == NULL && n > 1 && qs == e->summarize && qs->grouped) {
				/*
				 * aggregate(Count("publisher__name")) over values("publisher__name")
				 * groups: that grouped column, which has one value per row
				 * below (its walk would read the foreign key, not a key there).
				 */
				for (k = 0; k < qs->ngroup; k++)
					if (qs->group[k].name != NULL && strcmp(qs->group[k].name, name) == 0 &&
					    qs->group[k].expr->kind == ORMC_EXPR_COL)
						break;
				if (k < qs->ngroup && (an = qs->group[k].as_annot) == NULL) {
					/* one per key: the aggregates reading it share its column */
					if ((an = NEW(e, ormc_annot)) == NULL)
						return ormc_ev_oom(e);
					an->alias = qs->group[k].name;
					an->expr = qs->group[k].expr;
					an->pos = -1;
					an->nfilters_before = qs->nfilters;
					an->hidden = 1;
					qs->group[k].as_annot = an;
				}
			}
		}
		if (an == NULL && qs == e->summarize && e->siblings != NULL) {
			/*
			 * aggregate(total=Count("book"), c=Coalesce("total", 0)): an
			 * earlier aggregate of the same call, read again as Django 4.2
			 * reads its alias. Its expression is resolved once more here.
			 */
			int k, saved = e->nsiblings, r;

			for (k = 0; k < saved; k++)
				if (e->siblings->kw[k] != NULL && strcmp(e->siblings->kw[k], p->v[0]) == 0) {
					e->nsiblings = k;
					r = ormc_resolve_expr(e, qs, e->siblings->args[k], out);
					e->nsiblings = saved;
					if (r < 0)
						return r;
					*used = 1;
					return ORMC_OK;
				}
		}
		if (an != NULL && an->is_alias && qs == e->summarize)
			return ormc_ev_fail(e, ORMC_EINVALID, p->off[0], (int)strlen(an->alias),
			                    "Cannot aggregate over the '%s' alias. Use annotate() to promote it.",
			                    an->alias);
		if (an != NULL) {
			n--;
			x = NEW(e, ormc_expr);
			if (x == NULL)
				return ormc_ev_oom(e);
			x->kind = ORMC_EXPR_REF;
			x->pos = p->off[0];
			x->annot = an;
			x->type = an->expr->type;
			x->has_agg = an->expr->has_agg;
			*out = x;
			*used = n;
			return ORMC_OK;
		}
	}
	path = NEW(e, ormc_path);
	if (path == NULL)
		return ormc_ev_oom(e);
	path->model = model;
	for (i = 0; i < p->n; i++) {
		ormc_field *f = ormc_model_field(m, p->v[i]);

		if (f == NULL) {
			if (i == 0)
				return ormc_ev_fail(e, ORMC_ENOFIELD, p->off[i], (int)strlen(p->v[i]),
				                    "Cannot resolve keyword '%s' into field. Choices are: %s",
				                    p->v[i], choices(e, m, m == (qs ? qs->model : NULL) ? qs : NULL));
			break;
		}
		if (f->model != m && f->model != m->proxy_for) {
			/* A multi-table parent's field: joined through the parent links, as Django. */
			int n = ormc_model_parent_hops(m, f->model, hops + nhops, ORMC_MAX_HOPS - nhops);

			if (n < 0)
				return ormc_ev_fail(e, ORMC_EUNSUPPORTED, p->off[i], (int)strlen(p->v[i]),
				                    "a path may walk at most %d relations", ORMC_MAX_HOPS);
			nhops += n;
			m = f->model;
		}
		if (ormc_field_is_relation(f)) {
			/* A relation is walked only if something follows that is a field of the target. */
			if (i + 1 < p->n && ormc_model_field(f->target, p->v[i + 1]) != NULL) {
				if (nhops == ORMC_MAX_HOPS)
					return ormc_ev_fail(e, ORMC_EUNSUPPORTED, p->off[i], (int)strlen(p->v[i]),
					                    "a path may walk at most %d relations", ORMC_MAX_HOPS);
				hops[nhops++] = f;
				m = f->target;
				continue;
			}
			if (i + 1 < p->n && !ormc_is_transform(p->v[i + 1])) {
				ormc_lookup lk;

				if (!ormc_find_lookup(p->v[i + 1], &lk)) {
					if (i + 2 < p->n || f->kind != ORMC_FIELD_FOREIGNKEY)
						return ormc_ev_fail(e, ORMC_ENOFIELD, p->off[i + 1], (int)strlen(p->v[i + 1]),
						                    "Cannot resolve keyword '%s' into field. Choices are: %s",
						                    p->v[i + 1], choices(e, f->target, NULL));
					return ormc_ev_fail(e, ORMC_EINVALID, p->off[i + 1], (int)strlen(p->v[i + 1]),
					                    "Related Field got invalid lookup: %s", p->v[i + 1]);
				}
			}
		}
		path->field = f;
		i++;
		break;
	}
	if (path->field == NULL) {
		/* Every part was a relation hop: the last one is the field. */
		nhops--;
		path->field = hops[nhops];
	}
	path->nhops = nhops;
	path->hops = ormc_arena_alloc(e->a, sizeof(ormc_field *) * (size_t)(nhops ? nhops : 1));
	if (path->hops == NULL)
		return ormc_ev_oom(e);
	memcpy(path->hops, hops, sizeof(ormc_field *) * (size_t)nhops);
	x = NEW(e, ormc_expr);
	if (x == NULL)
		return ormc_ev_oom(e);
	x->kind = ORMC_EXPR_COL;
	x->pos = p->off[0];
	x->path = path;
	x->type = field_otype(path->field);
	*out = x;
	*used = i;
	return ORMC_OK;
}

/* Apply transforms parts[from..to) to x (a COL or REF). */
int
ormc_apply_transforms(ev *e, ormc_expr *x, parts *p, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		if (!ormc_is_transform(p->v[i]) || !ormc_transform_applies(p->v[i], x->type.kind)) {
			ormc_lookup lk;

			if (ormc_find_lookup(p->v[i], &lk) || ormc_is_transform(p->v[i]))
				return ormc_ev_fail(e, ORMC_EINVALID, p->off[i], (int)strlen(p->v[i]),
				                    "Unsupported lookup '%s' for %s or join on the field not permitted.",
				                    p->v[i], ormc_field_kind_name(x->type.kind));
			return ormc_ev_fail(e, ORMC_ENOFIELD, p->off[i], (int)strlen(p->v[i]),
			                    "Unsupported lookup '%s' for %s or join on the field not permitted.",
			                    p->v[i], ormc_field_kind_name(x->type.kind));
		}
		if (x->kind != ORMC_EXPR_COL) {
			/*
			 * A transform of an annotation (first__year, Max("d")'s
			 * __month) is Extract() of it, __date / __time its Trunc().
			 */
			ormc_expr *inner = ormc_expr_new(e, x->kind, x->pos);
			ormc_expr **args = ormc_arena_alloc(e->a, sizeof(ormc_expr *));
			int trunc = strcmp(p->v[i], "date") == 0 || strcmp(p->v[i], "time") == 0;

			if (inner == NULL || args == NULL)
				return ormc_ev_oom(e);
			*inner = *x;
			memset(x, 0, sizeof(*x));
			x->kind = ORMC_EXPR_FUNC;
			x->pos = inner->pos;
			x->func = trunc ? "Trunc" : "Extract";
			x->arg = p->v[i];
			x->args = args;
			x->args[0] = inner;
			x->nargs = 1;
			x->has_agg = inner->has_agg;
			x->type = transform_type(p->v[i]);
			continue;
		}
		if (x->ntransforms == 0) {
			x->transforms = ormc_arena_alloc(e->a, sizeof(char *) * 8);
			if (x->transforms == NULL)
				return ormc_ev_oom(e);
		}
		if (x->ntransforms >= 8)
			return ormc_ev_fail(e, ORMC_EUNSUPPORTED, p->off[i], (int)strlen(p->v[i]),
			                    "at most 8 transforms on a field ('%s')", p->v[i]);
		x->transforms[x->ntransforms++] = p->v[i];
		x->type = transform_type(p->v[i]);
	}
	return ORMC_OK;
}

/* F("a__b__year"): a field reference with optional transforms, no lookup. */
int
ormc_resolve_ref(ev *e, ormc_qs *qs, ormc_model *model, const char *s, int pos,
                 int allow_annot, ormc_expr **out)
{
	parts p;
	int used, r;

	if ((r = ormc_parts_split(e, s, pos, &p)) < 0)
		return r;
	if ((r = ormc_resolve_parts(e, qs, model, &p, allow_annot, out, &used)) < 0)
		return r;
	if (used < p.n) {
		if (!ormc_is_transform(p.v[used]))
			return ormc_ev_fail(e, ORMC_ENOFIELD, p.off[used], (int)strlen(p.v[used]),
			                    "Cannot resolve keyword '%s' into field. Join on '%s' not permitted.",
			                    p.v[used], p.v[used - 1]);
		if ((r = ormc_apply_transforms(e, *out, &p, used, p.n)) < 0)
			return r;
	}
	return ORMC_OK;
}
