/*
 * schema.c -- the model graph's lookups, the models reader's second pass,
 * and the API of include/ormc/schema.h; see core/schema.h for the
 * structures and core/schema_parse.c for the first pass.
 *
 * Once every text is read, the second pass resolves relation targets
 * (forward references, "self", "app.Model", settings.AUTH_USER_MODEL,
 * proxies to their concrete model), names join tables and columns, adds the
 * reverse ends, checking their names as Django's system checks do (fields.E300,
 * E303, E305), and lays out each model's fields: local ones, the concrete
 * ones with a multi-table parent's first, a proxy's borrowed from its model.
 */
#include "schema_read.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- lookups ---------------------------------------------------------- */

ormc_model *
ormc_schema_model(const ormc_schema *s, const char *name)
{
	int i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nmodels; i++)
		if (strcmp(s->models[i]->name, name) == 0)
			return s->models[i];
	for (i = 0; i < s->nproxies; i++)
		if (strcmp(s->proxies[i]->name, name) == 0)
			return s->proxies[i];
	return NULL;
}

ormc_model *
ormc_schema_abstract(const ormc_schema *s, const char *name)
{
	int i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nabstracts; i++)
		if (strcmp(s->abstracts[i]->name, name) == 0)
			return s->abstracts[i];
	return NULL;
}

/*
 * "pk" is the primary key; a relation's attname ("publisher_id") finds the
 * relation, as Django's _forward_fields_map does; then the multi-table
 * parents' fields, nearest first.
 */
ormc_field *
ormc_model_field(const ormc_model *m, const char *name)
{
	int i, guard = 0;
	size_t n;

	if (m == NULL || name == NULL)
		return NULL;
	if (strcmp(name, "pk") == 0)
		return m->pk;
	n = strlen(name);
	for (; m != NULL && guard < 64; m = m->parent, guard++) {
		for (i = 0; i < m->nfields; i++)
			if (strcmp(m->fields[i]->name, name) == 0)
				return m->fields[i];
		if (n <= 3 || strcmp(name + n - 3, "_id") != 0)
			continue;
		for (i = 0; i < m->nfields; i++) {
			ormc_field *f = m->fields[i];

			if ((f->kind == ORMC_FIELD_FOREIGNKEY ||
			     f->kind == ORMC_FIELD_ONETOONE) &&
			    strlen(f->name) == n - 3 &&
			    strncmp(f->name, name, n - 3) == 0)
				return f;
		}
	}
	return NULL;
}

int
ormc_model_parent_hops(const ormc_model *m, const ormc_model *owner,
                       ormc_field **hops, int max)
{
	int n = 0;

	if (m->proxy_for != NULL)
		m = m->proxy_for;
	while (m != owner) {
		if (m->parent == NULL || n == max)
			return -1;
		hops[n++] = m->parent_link;
		m = m->parent;
	}
	return n;
}

const ormc_enum *
ormc_schema_enum(const ormc_schema *s, const char *name)
{
	int i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nenums; i++)
		if (strcmp(s->enums[i]->name, name) == 0)
			return s->enums[i];
	return NULL;
}

int
ormc_field_is_multi(const ormc_field *f)
{
	return f->kind == ORMC_FIELD_REVERSE_FK ||
	       f->kind == ORMC_FIELD_MANYTOMANY ||
	       f->kind == ORMC_FIELD_REVERSE_M2M;
}

int
ormc_field_is_relation(const ormc_field *f)
{
	return f->kind >= ORMC_FIELD_FOREIGNKEY;
}

int
ormc_field_is_concrete(const ormc_field *f)
{
	return f->kind < ORMC_FIELD_MANYTOMANY;
}

/* ---- second pass: relations ------------------------------------------- */

model_state *
ormc_sr_find(reader *r, const char *name)
{
	int k;

	for (k = 0; k < r->models.n; k++) {
		model_state *ms = r->models.items[k];

		if (strcmp(ms->model->name, name) == 0)
			return ms;
	}
	return NULL;
}

/* "app.Model": Django matches the model name without regard to case. */
static model_state *
find_target(reader *r, const pending_rel *pr)
{
	model_state *ms = ormc_sr_find(r, pr->target);
	int k;

	for (k = 0; k < r->models.n && ms == NULL && pr->target_app != NULL; k++) {
		model_state *c = r->models.items[k];
		const char *a = c->model->name, *b = pr->target;

		while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b))
			a++, b++;
		if (*a == '\0' && *b == '\0')
			ms = c;
	}
	/*
	 * One text alone is one app whatever its label: "shop.Seller" finds
	 * Seller (ormc has always read single files so). Several texts are
	 * several apps, and the label must be the model's.
	 */
	if (ms != NULL && pr->target_app != NULL && r->ntexts > 1 &&
	    (ms->app_label == NULL || strcmp(ms->app_label, pr->target_app) != 0))
		return NULL;
	return ms;
}

/* related_name="%(app_label)s_%(class)s_set", as Django fills it in. */
static const char *
fill_related(reader *r, const char *name, const ormc_model *m)
{
	const char *cls, *label, *p;
	char *out;
	size_t len = 0;
	int pass;

	if (name == NULL || strstr(name, "%(") == NULL)
		return name;
	cls = ormc_sr_lower(r->a, m->name);
	label = m->app_label ? ormc_sr_lower(r->a, m->app_label) : "";
	if (cls == NULL || label == NULL)
		return NULL;
	out = NULL;
	for (pass = 0; pass < 2; pass++) {
		size_t k = 0;

		for (p = name; *p; p++) {
			const char *sub = NULL;
			size_t skip = 0;

			if (strncmp(p, "%(class)s", 9) == 0)
				sub = cls, skip = 9;
			else if (strncmp(p, "%(app_label)s", 13) == 0)
				sub = label, skip = 13;
			if (sub != NULL) {
				if (out)
					memcpy(out + k, sub, strlen(sub));
				k += strlen(sub);
				p += skip - 1;
			} else {
				if (out)
					out[k] = *p;
				k++;
			}
		}
		if (pass == 0) {
			len = k;
			if ((out = ormc_arena_alloc(r->a, len + 1)) == NULL)
				return NULL;
		} else {
			out[len] = '\0';
		}
	}
	return out;
}

static int
add_reverse(reader *r, const pending_rel *pr, ormc_field *f, model_state *target)
{
	ormc_field *rev;
	const char *qname = f->related_query_name ? f->related_query_name :
	                    f->related_name ? f->related_name :
	                    ormc_sr_lower(r->a, f->model->name);
	int k;

	if (qname == NULL)
		return ormc_sr_nomem(r);
	for (k = 0; k < target->fields.n; k++) {
		ormc_field *g = target->fields.items[k];
		char buf[512];

		if (strcmp(g->name, qname) != 0)
			continue;
		if (g->kind >= ORMC_FIELD_REVERSE_FK) {
			snprintf(buf, sizeof(buf), "%s.%s", g->remote->model->name,
			         g->remote->name);
			ormc_error_set(r->err, ORMC_EINVALID, f->pos >= 0 ? pr->text : NULL, f->pos,
			               (int)strlen(f->name),
			               "Reverse query name for '%s.%s' clashes with reverse query name for '%s'.",
			               f->model->name, f->name, buf);
			ormc_error_hint(r->err,
			                "Add or change a related_name argument to the definition for '%s.%s' or '%s'.",
			                f->model->name, f->name, buf);
		} else {
			ormc_error_set(r->err, ORMC_EINVALID, f->pos >= 0 ? pr->text : NULL, f->pos,
			               (int)strlen(f->name),
			               "Reverse query name for '%s.%s' clashes with field name '%s.%s'.",
			               f->model->name, f->name, target->model->name,
			               g->name);
			ormc_error_hint(r->err,
			                "Rename field '%s.%s', or add/change a related_name argument to the definition for field '%s.%s'.",
			                target->model->name, g->name,
			                f->model->name, f->name);
		}
		return ORMC_EINVALID;
	}
	rev = ormc_arena_alloc(r->a, sizeof(*rev));
	if (rev == NULL)
		return ormc_sr_nomem(r);
	rev->name = qname;
	rev->model = target->model;
	rev->pos = f->pos;
	rev->max_length = rev->max_digits = rev->decimal_places = -1;
	rev->target = f->model;
	rev->remote = f;
	f->remote = rev;
	switch (f->kind) {
	case ORMC_FIELD_FOREIGNKEY:
		rev->kind = ORMC_FIELD_REVERSE_FK;
		rev->class_name = "ManyToOneRel";
		break;
	case ORMC_FIELD_ONETOONE:
		rev->kind = ORMC_FIELD_REVERSE_O2O;
		rev->class_name = "OneToOneRel";
		break;
	default:
		rev->kind = ORMC_FIELD_REVERSE_M2M;
		rev->class_name = "ManyToManyRel";
		rev->m2m_table = f->m2m_table;
		rev->m2m_source_column = f->m2m_source_column;
		rev->m2m_target_column = f->m2m_target_column;
		break;
	}
	return ormc_ptrvec_push(r->a, &target->fields, rev) < 0 ? ormc_sr_nomem(r) : 0;
}

/* The model a pending relation points at, or an error as Django's. */
static int
relation_model(reader *r, const pending_rel *pr, model_state **out)
{
	model_state *dst = find_target(r, pr);

	if (dst == NULL && pr->auth_user) {
		ormc_sr_err(r, pr->text, ORMC_EINVALID, pr->target_pos,
		            pr->target_len,
		            "AUTH_USER_MODEL refers to model '%s' that has not been installed",
		            r->auth_user_model);
		ormc_error_hint(r->err,
		                "Read the models file that declares it with its app label (--models auth=auth/models.py), or set the user model in the schema options.");
		return ORMC_EINVALID;
	}
	if (dst == NULL || dst->model->abstract)
		return ormc_sr_err(r, pr->text, ORMC_EINVALID, pr->target_pos,
		                   pr->target_len,
		                   "Field defines a relation with model '%s%s%s', which is either not installed, or is abstract.",
		                   pr->target_app ? pr->target_app : "",
		                   pr->target_app ? "." : "", pr->target);
	*out = dst->proxy ? dst->concrete : dst;
	return 0;
}

/* The model a foreign key of the reader points at, or NULL. */
static const ormc_model *
fk_target(reader *r, const ormc_field *fk)
{
	model_state *dst = NULL;
	int k;

	for (k = 0; k < r->rels.n; k++) {
		const pending_rel *pr = r->rels.items[k];

		if (pr->field == fk)
			return relation_model(r, pr, &dst) < 0 ? NULL : dst->model;
	}
	return NULL;
}

/*
 * ManyToManyField(through=M): the relation's table is M's, its columns
 * M's foreign key to the declaring model and M's foreign key to the
 * target, as Django picks them: the fields through_fields names, else the
 * one foreign key to each (to the same model: the first is the source, the
 * second the target). M is a model of its own, so its table is made,
 * copied and dumped as M's, never as the relation's.
 */
static int
through_columns(reader *r, pending_rel *pr, ormc_field *f,
                model_state *src, model_state *dst)
{
	pending_rel t;
	model_state *tm;
	const ormc_field *end[2] = { NULL, NULL };
	const ormc_model *want[2];
	int k, e, n[2] = { 0, 0 };

	memset(&t, 0, sizeof(t));
	t.text = pr->text;
	t.target = pr->through;
	t.target_app = pr->through_app;
	t.target_pos = pr->through_pos;
	t.target_len = pr->through_len;
	tm = find_target(r, &t);
	if (tm == NULL || tm->model->abstract)
		return ormc_sr_err(r, pr->text, ORMC_EINVALID, pr->through_pos,
		                   pr->through_len,
		                   "Field specifies a many-to-many relation through model '%s', which has not been installed.",
		                   pr->through);
	want[0] = src->model;
	want[1] = dst->model;
	for (e = 0; e < 2; e++) {
		for (k = 0; k < tm->fields.n; k++) {
			const ormc_field *g = tm->fields.items[k];

			if (g->kind != ORMC_FIELD_FOREIGNKEY &&
			    g->kind != ORMC_FIELD_ONETOONE)
				continue;
			if (pr->through_fields[e] != NULL) {
				if (strcmp(g->name, pr->through_fields[e]) == 0)
					end[e] = g;
				continue;
			}
			if (fk_target(r, g) != want[e] || g == end[0])
				continue;
			if (end[e] == NULL)
				end[e] = g;
			n[e]++;
		}
		if (r->a->failed)
			return ormc_sr_nomem(r);
		if (end[e] == NULL || (pr->through_fields[e] == NULL &&
		    n[e] > 1 && src != dst))
			return ormc_sr_err(r, pr->text, ORMC_EINVALID,
			                   pr->through_pos, pr->through_len,
			                   end[e] == NULL
			                   ? "The model is used as an intermediate model by '%s.%s', but it does not have a foreign key to '%s'%s."
			                   : "The model is used as an intermediate model by '%s.%s', but it has more than one foreign key to '%s'%s, which is ambiguous; give through_fields.",
			                   f->model->name, f->name, want[e]->name,
			                   pr->through_fields[e] != NULL
			                   ? " named by through_fields" : "");
	}
	f->m2m_table = tm->model->table;
	f->m2m_source_column = end[0]->column;
	f->m2m_target_column = end[1]->column;
	return 0;
}

/*
 * Resolve targets and add reverse ends. Why in declaration order of the
 * declaring fields: the reverse ends then appear on each target in the
 * order Django lists them, and the first clash is the one reported.
 */
static int
resolve_relations(reader *r)
{
	int k, rc;

	for (k = 0; k < r->rels.n; k++) {
		pending_rel *pr = r->rels.items[k];
		ormc_field *f = pr->field;
		model_state *src = ormc_sr_find(r, f->model->name);
		model_state *dst = NULL;
		int given = pr->symmetrical_given;

		assert(src != NULL);
		if (src->model->abstract)
			continue;       /* only its subclasses' copies are relations */
		if ((rc = relation_model(r, pr, &dst)) < 0)
			return rc;
		f->target = dst->model;
		f->related_name = fill_related(r, f->related_name, f->model);
		f->related_query_name = fill_related(r, f->related_query_name,
		                                     f->model);
		if (r->a->failed)
			return ormc_sr_nomem(r);
		if (f->kind == ORMC_FIELD_MANYTOMANY) {
			const char *from = ormc_sr_lower(r->a, f->model->name);
			const char *to = ormc_sr_lower(r->a, dst->model->name);

			/* Django's intermediary model: from_x / to_x for a self M2M. */
			const char *fmt_from = src == dst ? "from_%s_id" : "%s_id";
			const char *fmt_to = src == dst ? "to_%s_id" : "%s_id";

			if (src == dst)
				f->symmetrical = given >= 0 ? given : pr->self_written;
			f->m2m_source_column = ormc_arena_printf(r->a, fmt_from, from);
			f->m2m_target_column = ormc_arena_printf(r->a, fmt_to, to);
			f->m2m_table = pr->db_table ? pr->db_table :
			               ormc_arena_printf(r->a, "%s_%s",
			                                 f->model->table, f->name);
			if (r->a->failed)
				return ormc_sr_nomem(r);
			if (pr->through != NULL &&
			    (rc = through_columns(r, pr, f, src, dst)) < 0)
				return rc;
			if (f->symmetrical)
				continue;
		}
		if (f->related_name != NULL && ormc_sr_ends_with(f->related_name, "+"))
			continue;
		if ((rc = add_reverse(r, pr, f, dst)) < 0)
			return rc;
	}
	return 0;
}

/* ---- layout ----------------------------------------------------------- */

/* Each Meta.unique_together name to its concrete field (Django's check E012). */
static int
resolve_unique_together(reader *r, model_state *ms)
{
	ormc_model *m = ms->model;
	int k, j;

	if (ms->unique_sets.n == 0)
		return 0;
	m->unique_together = ormc_arena_alloc(r->a, sizeof(ormc_field_set) * (size_t)ms->unique_sets.n);
	if (m->unique_together == NULL)
		return ormc_sr_nomem(r);
	for (k = 0; k < ms->unique_sets.n; k++) {
		const ormc_ast *set = ms->unique_sets.items[k];
		ormc_field_set *fs = &m->unique_together[k];

		fs->fields = ormc_arena_alloc(r->a, sizeof(ormc_field *) * (size_t)(set->nargs + 1));
		if (fs->fields == NULL)
			return ormc_sr_nomem(r);
		for (j = 0; j < set->nargs; j++) {
			const ormc_ast *name = set->args[j];
			ormc_field *f = ormc_model_field(m, name->str);

			if (f == NULL || !ormc_field_is_concrete(f) || f->model != m)
				return ormc_sr_err(r, ms->text, ORMC_EINVALID, name->pos, name->end - name->pos,
				                   "'unique_together' refers to the %s field '%s'.",
				                   f == NULL ? "nonexistent" : !ormc_field_is_concrete(f)
				                   ? "non-concrete" : "inherited", name->str);
			fs->fields[fs->n++] = f;
		}
	}
	m->nunique_together = ms->unique_sets.n;
	return 0;
}

/* The model's own concrete field named by s->str, or NULL. */
static ormc_field *
own_field(ormc_model *m, const ormc_ast *s)
{
	ormc_field *f = ormc_model_field(m, s->str);

	return f != NULL && ormc_field_is_concrete(f) && f->model == m &&
	       f->kind != ORMC_FIELD_MANYTOMANY ? f : NULL;
}

/* Is x `self`, `self.NAME` (*attr set) or `self.NAME.natural_key()` (*nested)? */
static int
natural_part(ormc_model *m, const ormc_ast *x, ormc_field **f, int *nested)
{
	const ormc_ast *a = x;
	int k;

	*nested = 0;
	if (x->kind == ORMC_AST_CALL && x->nargs == 0 && x->left->kind == ORMC_AST_ATTR &&
	    x->left->left->kind == ORMC_AST_NAME && strcmp(x->left->left->str, "self") == 0 &&
	    strcmp(x->left->str, "get_username") == 0) {
		/* AbstractBaseUser: getattr(self, self.USERNAME_FIELD) */
		for (k = 0; k < m->nconsts; k++)
			if (strcmp(m->const_names[k], "USERNAME_FIELD") == 0 &&
			    m->const_values[k]->kind == ORMC_AST_STR &&
			    (*f = ormc_model_field(m, m->const_values[k]->str)) != NULL)
				return *f == own_field(m, m->const_values[k]) ? 0 : -1;
		return -1;
	}
	if (x->kind == ORMC_AST_CALL && x->nargs == 0 && x->left->kind == ORMC_AST_ATTR &&
	    strcmp(x->left->str, "natural_key") == 0) {
		*nested = 1;
		a = x->left->left;
	}
	if (a->kind != ORMC_AST_ATTR || a->left->kind != ORMC_AST_NAME ||
	    strcmp(a->left->str, "self") != 0 || (*f = own_field(m, a)) == NULL)
		return -1;
	if (*nested && (*f)->target == NULL)
		return -1;
	return 0;
}

/* Append the parts of x, a tuple, a natural_key() call, or a sum of them. */
static int
natural_parts(reader *r, ormc_model *m, const ormc_ast *x, ormc_ptrvec *fields,
              ormc_ptrvec *nested)
{
	ormc_field *f;
	int k, n;

	if (x->kind == ORMC_AST_BINOP && x->op == '+')
		return natural_parts(r, m, x->left, fields, nested) < 0 ? -1
		       : natural_parts(r, m, x->right, fields, nested);
	if (x->kind == ORMC_AST_TUPLE || x->kind == ORMC_AST_LIST) {
		for (k = 0; k < x->nargs; k++)
			if (natural_part(m, x->args[k], &f, &n) < 0 ||
			    ormc_ptrvec_push(r->a, fields, f) < 0 ||
			    ormc_ptrvec_push(r->a, nested, n ? (void *)f : NULL) < 0)
				return -1;
		return 0;
	}
	/* only a relation's natural_key() is a tuple by itself */
	if (natural_part(m, x, &f, &n) < 0 || !n ||
	    ormc_ptrvec_push(r->a, fields, f) < 0 || ormc_ptrvec_push(r->a, nested, f) < 0)
		return -1;
	return 0;
}

/*
 * def natural_key(self) as the fields it returns, in the shapes models
 * write: (self.name,), (self.a, self.b), (self.get_username(),), and
 * (self.codename,) + self.content_type.natural_key(). Any other body is
 * unread (loading a fixture that needs it says so).
 */
static int
resolve_natural_key(reader *r, model_state *ms)
{
	ormc_model *m = ms->model;
	ormc_ptrvec fields = { NULL, 0, 0 }, nested = { NULL, 0, 0 };
	int k;

	if (!ms->natural_key_set)
		return 0;
	if (ms->natural_key == NULL ||
	    natural_parts(r, m, ms->natural_key, &fields, &nested) < 0 || fields.n == 0) {
		if (r->a->failed)
			return ormc_sr_nomem(r);
		m->natural_unread = 1;
		return 0;
	}
	m->natural = (ormc_field **)fields.items;
	m->natural_nested = ormc_arena_alloc(r->a, (size_t)fields.n);
	if (m->natural_nested == NULL)
		return ormc_sr_nomem(r);
	for (k = 0; k < fields.n; k++)
		m->natural_nested[k] = nested.items[k] != NULL;
	m->nnatural = fields.n;
	return 0;
}

/* A model's arrays from its reader state; parents come before children. */
static int
lay_out(reader *r, model_state *ms)
{
	ormc_model *m = ms->model, *c;
	int k, n = 0;

	m->fields = (ormc_field **)ms->fields.items;
	m->nfields = ms->fields.n;
	m->ordering = (const char **)ms->ordering.items;
	m->nordering = ms->ordering.n;
	m->const_names = (const char **)ms->const_names.items;
	m->const_values = (ormc_ast **)ms->const_values.items;
	m->nconsts = ms->const_names.n;
	if (ms->proxy) {
		m->unique_together = ms->concrete->model->unique_together;
		m->nunique_together = ms->concrete->model->nunique_together;
		c = ms->concrete->model;
		m->fields = c->fields;
		m->nfields = c->nfields;
		m->concrete = c->concrete;
		m->nconcrete = c->nconcrete;
		m->pk = c->pk;
		m->parent = c->parent;
		m->parent_link = c->parent_link;
		return 0;
	}
	m->concrete = ormc_arena_alloc(r->a, sizeof(ormc_field *) *
	              (size_t)(m->nfields + (m->parent ? m->parent->nconcrete : 0) + 1));
	if (m->concrete == NULL)
		return ormc_sr_nomem(r);
	for (k = 0; m->parent != NULL && k < m->parent->nconcrete; k++)
		m->concrete[n++] = m->parent->concrete[k];
	for (k = 0; k < m->nfields; k++)
		if (ormc_field_is_concrete(m->fields[k]))
			m->concrete[n++] = m->fields[k];
	m->nconcrete = n;
	if ((k = resolve_unique_together(r, ms)) < 0)
		return k;
	return resolve_natural_key(r, ms);
}

static int
finish(reader *r)
{
	ormc_schema *s = r->s;
	int k, rc;
	size_t sz = sizeof(ormc_model *) * (size_t)(r->models.n + 1);

	if ((rc = resolve_relations(r)) < 0)
		return rc;
	s->models = ormc_arena_alloc(r->a, sz);
	s->proxies = ormc_arena_alloc(r->a, sz);
	s->abstracts = ormc_arena_alloc(r->a, sz);
	if (s->models == NULL || s->proxies == NULL || s->abstracts == NULL)
		return ormc_sr_nomem(r);
	/* Concrete models first: a proxy borrows its model's arrays. */
	for (k = 0; k < r->models.n; k++) {
		model_state *ms = r->models.items[k];

		if (ms->proxy)
			continue;
		if ((rc = lay_out(r, ms)) < 0)
			return rc;
		if (ms->model->abstract)
			s->abstracts[s->nabstracts++] = ms->model;
		else
			s->models[s->nmodels++] = ms->model;
	}
	for (k = 0; k < r->models.n; k++) {
		model_state *ms = r->models.items[k];

		if (!ms->proxy)
			continue;
		if ((rc = lay_out(r, ms)) < 0)
			return rc;
		s->proxies[s->nproxies++] = ms->model;
	}
	s->enums = (ormc_enum **)r->enums.items;
	s->nenums = r->enums.n;
	return r->a->failed ? ormc_sr_nomem(r) : 0;
}

/* ---- entry points ----------------------------------------------------- */

static int
names_have(const ormc_ptrvec *v, const char *name)
{
	int k;

	for (k = 0; k < v->n; k++)
		if (strcmp(v->items[k], name) == 0)
			return 1;
	return 0;
}

/*
 * The order to read n texts in: a text that declares a class another text
 * inherits from comes before it (--models sessions=models.py --models
 * sessions=base_session.py reads base_session.py first), else the order
 * given. order[] gets the indices.
 */
static int
read_order(reader *r, const ormc_schema_source *src, int n, int *order)
{
	ormc_ptrvec *defined, *bases;
	char *done;
	int i, j, k, m = 0, rc;

	defined = ormc_arena_alloc(r->a, sizeof(*defined) * (size_t)n);
	bases = ormc_arena_alloc(r->a, sizeof(*bases) * (size_t)n);
	done = ormc_arena_alloc(r->a, (size_t)n);
	if (defined == NULL || bases == NULL || done == NULL)
		return ormc_sr_nomem(r);
	memset(defined, 0, sizeof(*defined) * (size_t)n);
	memset(bases, 0, sizeof(*bases) * (size_t)n);
	memset(done, 0, (size_t)n);
	for (i = 0; i < n; i++) {
		r->text = src[i].text;
		r->len = src[i].len;
		if ((rc = ormc_sr_scan_classes(r, &defined[i], &bases[i])) < 0)
			return rc;
	}
	while (m < n) {
		int pick = -1;

		/* the first text none of whose bases waits in another unread text */
		for (i = 0; i < n && pick < 0; i++) {
			int waits = 0;

			if (done[i])
				continue;
			for (k = 0; k < bases[i].n && !waits; k++)
				for (j = 0; j < n && !waits; j++)
					waits = j != i && !done[j] && !names_have(&defined[i], bases[i].items[k]) &&
					        names_have(&defined[j], bases[i].items[k]);
			if (!waits)
				pick = i;
		}
		for (i = 0; i < n && pick < 0; i++)
			if (!done[i])
				pick = i;   /* a cycle: the order given */
		done[pick] = 1;
		order[m++] = pick;
	}
	return 0;
}

int
ormc_schema_parse_many(ormc_schema **out, const ormc_schema_source *src,
                       int n, const ormc_schema_options *opts,
                       ormc_error *err)
{
	ormc_schema *s;
	reader r;
	int rc = 0, i, *order;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (memchr(src[i].text, '\0', src[i].len) != NULL)
			return ormc_error_set(err, ORMC_EPARSE, NULL, -1, 0,
			                      "models text %s%s%scontains a NUL byte",
			                      src[i].origin ? "'" : "",
			                      src[i].origin ? src[i].origin : "",
			                      src[i].origin ? "' " : "");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0, "out of memory");
	ormc_arena_init(&s->arena);
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.a = &s->arena;
	r.err = err;
	r.auth_user_model = "auth.User";
	r.ntexts = n;
	if (opts != NULL && opts->version >= 2 && opts->auth_user_model != NULL)
		r.auth_user_model = ormc_arena_strdup(&s->arena, opts->auth_user_model);
	if (n > 0)
		s->app_label = src[0].app_label ?
		               ormc_arena_strdup(&s->arena, src[0].app_label) : NULL;
	order = n > 0 ? ormc_arena_alloc(&s->arena, sizeof(int) * (size_t)n) : NULL;
	if (n > 0 && order == NULL)
		rc = ormc_sr_nomem(&r);
	else if (n == 1)
		order[0] = 0;
	else if (n > 1)
		rc = read_order(&r, src, n, order);
	for (i = 0; i < n && rc == 0; i++) {
		/* A copy the schema owns; positions refer to the caller's bytes. */
		const ormc_schema_source *t = &src[order[i]];
		char *copy = ormc_arena_strndup(&s->arena, t->text, t->len);

		if (order[i] == 0)
			s->text = copy;
		r.text = t->text;
		r.len = t->len;
		r.label = t->app_label ?
		          ormc_arena_strdup(&s->arena, t->app_label) : NULL;
		if (copy == NULL || s->arena.failed || r.auth_user_model == NULL)
			rc = ormc_sr_nomem(&r);
		else
			rc = ormc_sr_read_text(&r);
	}
	if (rc == 0)
		rc = finish(&r);
	if (rc < 0) {
		ormc_schema_free(s);
		return rc;
	}
	*out = s;
	return ORMC_OK;
}

int
ormc_schema_parse(ormc_schema **out, const char *text, size_t len,
                  const ormc_schema_options *opts, ormc_error *err)
{
	ormc_schema_source src;

	src.app_label = opts != NULL ? opts->app_label : NULL;
	src.text = text;
	src.len = len;
	src.origin = NULL;
	return ormc_schema_parse_many(out, &src, 1, opts, err);
}

int
ormc_schema_load(ormc_schema **out, const char *path,
                 const ormc_schema_options *opts, ormc_error *err)
{
	FILE *fp;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	*out = NULL;
	fp = fopen(path, "rb");
	if (fp == NULL)
		return ormc_error_set(err, ORMC_EIO, NULL, -1, 0,
		                      "could not open '%s': %s", path,
		                      strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return ormc_error_set(err, ORMC_ENOMEM, NULL, -1, 0,
				                      "out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		int e = errno;

		free(buf);
		fclose(fp);
		return ormc_error_set(err, ORMC_EIO, NULL, -1, 0,
		                      "could not read '%s': %s", path, strerror(e));
	}
	fclose(fp);
	buf[len] = '\0';
	rc = ormc_schema_parse(out, buf, len, opts, err);
	if (rc < 0 && err != NULL) {
		/* The text goes away: put the position into the message. */
		if (err->source != NULL && err->offset >= 0) {
			int line = 1, col = 1, k;
			size_t used = strlen(err->message);

			for (k = 0; k < err->offset && (size_t)k < len; k++) {
				if (buf[k] == '\n') {
					line++;
					col = 1;
				} else {
					col++;
				}
			}
			snprintf(err->message + used, sizeof(err->message) - used,
			         " (%s, line %d, column %d)", path, line, col);
		}
		err->source = NULL;
	}
	free(buf);
	return rc;
}

void
ormc_schema_free(ormc_schema *schema)
{
	if (schema == NULL)
		return;
	ormc_arena_free(&schema->arena);
	free(schema);
}

/* ------------------------------------------------------------------------ */
/* Field kinds                                                               */
/* ------------------------------------------------------------------------ */

int
ormc_field_kind_is_int(ormc_field_kind k)
{
	switch (k) {
	case ORMC_FIELD_AUTO: case ORMC_FIELD_BIGAUTO: case ORMC_FIELD_SMALLAUTO:
	case ORMC_FIELD_INTEGER: case ORMC_FIELD_BIGINTEGER:
	case ORMC_FIELD_SMALLINTEGER: case ORMC_FIELD_POSITIVEINTEGER:
	case ORMC_FIELD_POSITIVESMALLINTEGER: case ORMC_FIELD_POSITIVEBIGINTEGER:
		return 1;
	default:
		return 0;
	}
}

const char *
ormc_field_kind_name(ormc_field_kind k)
{
	switch (k) {
	case ORMC_FIELD_AUTO: return "AutoField";
	case ORMC_FIELD_BIGAUTO: return "BigAutoField";
	case ORMC_FIELD_SMALLAUTO: return "SmallAutoField";
	case ORMC_FIELD_CHAR: return "CharField";
	case ORMC_FIELD_TEXT: return "TextField";
	case ORMC_FIELD_INTEGER: return "IntegerField";
	case ORMC_FIELD_BIGINTEGER: return "BigIntegerField";
	case ORMC_FIELD_SMALLINTEGER: return "SmallIntegerField";
	case ORMC_FIELD_POSITIVEINTEGER: return "PositiveIntegerField";
	case ORMC_FIELD_FLOAT: return "FloatField";
	case ORMC_FIELD_DECIMAL: return "DecimalField";
	case ORMC_FIELD_BOOLEAN: return "BooleanField";
	case ORMC_FIELD_DATE: return "DateField";
	case ORMC_FIELD_DATETIME: return "DateTimeField";
	case ORMC_FIELD_TIME: return "TimeField";
	case ORMC_FIELD_DURATION: return "DurationField";
	case ORMC_FIELD_UUID: return "UUIDField";
	case ORMC_FIELD_IPADDRESS: return "GenericIPAddressField";
	case ORMC_FIELD_POSITIVESMALLINTEGER: return "PositiveSmallIntegerField";
	case ORMC_FIELD_POSITIVEBIGINTEGER: return "PositiveBigIntegerField";
	case ORMC_FIELD_JSON: return "JSONField";
	case ORMC_FIELD_BINARY: return "BinaryField";
	default: return "Field";
	}
}

int
ormc_field_kind_is_scalar(ormc_field_kind k)
{
	return k != ORMC_FIELD_JSON && k != ORMC_FIELD_BINARY;
}

int
ormc_schema_model_index(const ormc_schema *s, const ormc_model *m)
{
	int i;

	for (i = 0; i < s->nmodels; i++)
		if (s->models[i] == m)
			return i;
	return -1;
}

/* Depth-first: the targets of a model's foreign keys (and parent links) before it. */
static void
fk_visit(const ormc_schema *s, int i, char *state, int *order, int *n)
{
	const ormc_model *m = s->models[i];
	int k, t;

	state[i] = 1;
	for (k = 0; k < m->nfields; k++) {
		const ormc_field *f = m->fields[k];

		if ((f->kind != ORMC_FIELD_FOREIGNKEY && f->kind != ORMC_FIELD_ONETOONE) ||
		    f->target == NULL || f->target == m)
			continue;
		t = ormc_schema_model_index(s, f->target);
		if (t >= 0 && state[t] == 0)
			fk_visit(s, t, state, order, n);
	}
	state[i] = 2;
	order[(*n)++] = i;
}

int
ormc_schema_fk_order(const ormc_schema *s, int *order)
{
	char *state = calloc((size_t)s->nmodels + 1, 1);
	int i, n = 0;

	if (state == NULL)
		return ORMC_ENOMEM;
	for (i = 0; i < s->nmodels; i++)
		if (state[i] == 0)
			fk_visit(s, i, state, order, &n);
	free(state);
	return n;
}

int
ormc_name_equal_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

const ormc_field *
ormc_field_value_field(const ormc_field *f)
{
	int guard = 0;

	while (f != NULL && (f->kind == ORMC_FIELD_FOREIGNKEY || f->kind == ORMC_FIELD_ONETOONE ||
	                     f->kind == ORMC_FIELD_MANYTOMANY) && guard++ < 32)
		f = f->target ? f->target->pk : NULL;
	return f;
}
