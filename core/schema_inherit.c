/*
 * schema_inherit.c -- inheritance in the models reader's first pass, as
 * Django's ModelBase does it: abstract bases' fields copied into each
 * subclass, the parent link of multi-table inheritance, proxies; then each
 * concrete model's primary key and its fields in declaration order. See
 * docs/models.md for what is read, core/schema.h for the result.
 */
#include "schema_read.h"

/* A copy of an abstract base's field g for the model of ms. */
static int
copy_field(reader *r, model_state *ms, const ormc_field *g)
{
	ormc_field *f;
	int k;

	for (k = 0; k < ms->fields.n; k++)
		if (strcmp(((ormc_field *)ms->fields.items[k])->name, g->name) == 0)
			return 0;       /* overridden by the subclass */
	for (k = 0; k < ms->const_names.n; k++)
		if (strcmp(ms->const_names.items[k], g->name) == 0 &&
		    ((ormc_ast *)ms->const_values.items[k])->kind == ORMC_AST_NONE)
			return 0;       /* `name = None` removes it, as Django */
	f = ormc_arena_alloc(r->a, sizeof(*f));
	if (f == NULL)
		return ormc_sr_nomem(r);
	*f = *g;
	f->model = ms->model;
	for (k = 0; k < r->rels.n && ormc_field_is_relation(g); k++) {
		pending_rel *pr = r->rels.items[k], *copy;

		if (pr->field != g)
			continue;
		copy = ormc_arena_alloc(r->a, sizeof(*copy));
		if (copy == NULL)
			return ormc_sr_nomem(r);
		*copy = *pr;
		copy->field = f;
		if (pr->self_written)
			copy->target = ms->model->name;
		if (ormc_ptrvec_push(r->a, &r->rels, copy) < 0)
			return ormc_sr_nomem(r);
		break;
	}
	return ormc_ptrvec_push(r->a, &ms->fields, f) < 0 ? ormc_sr_nomem(r) : 0;
}

/* Abstract base b: its fields and class constants, as Python inherits them. */
static int
copy_abstract(reader *r, model_state *ms, const model_state *b)
{
	int k, j, rc;

	for (k = 0; k < b->fields.n; k++)
		if ((rc = copy_field(r, ms, b->fields.items[k])) < 0)
			return rc;
	for (k = 0; k < b->const_names.n; k++) {
		for (j = 0; j < ms->const_names.n; j++)
			if (strcmp(ms->const_names.items[j], b->const_names.items[k]) == 0)
				break;
		if (j < ms->const_names.n)
			continue;
		if (ormc_ptrvec_push(r->a, &ms->const_names, b->const_names.items[k]) < 0 ||
		    ormc_ptrvec_push(r->a, &ms->const_values, b->const_values.items[k]) < 0)
			return ormc_sr_nomem(r);
	}
	return 0;
}

/* Meta.ordering of b, for a model that does not set its own. */
static void
inherit_ordering(model_state *ms, const model_state *b)
{
	if (ms->ordering_set || !b->ordering_set)
		return;
	ms->ordering = b->ordering;
	ms->ordering_set = 1;
}

/*
 * The one-to-one to the parent of multi-table inheritance: a field of the
 * class declared with parent_link=True, else Django's `<parent>_ptr`.
 */
static int
parent_link(reader *r, model_state *ms, model_state *parent,
            const ormc_token *name)
{
	ormc_model *m = ms->model;
	ormc_field *link = NULL;
	pending_rel *pr;
	const model_state *p;
	int k, j;

	for (k = 0; k < ms->fields.n; k++) {
		ormc_field *f = ms->fields.items[k];

		if (f->parent_link && f->kind == ORMC_FIELD_ONETOONE)
			link = f;
	}
	/* A field may not hide a field of an ancestor (Django's models.E006). */
	for (p = parent; p != NULL;
	     p = p->model->parent ? ormc_sr_find(r, p->model->parent->name) : NULL) {
		for (k = 0; k < ms->fields.n; k++) {
			const ormc_field *f = ms->fields.items[k];

			for (j = 0; j < p->fields.n; j++)
				if (strcmp(((ormc_field *)p->fields.items[j])->name,
				           f->name) == 0)
					return ormc_sr_err(r, ms->text, ORMC_EINVALID, f->pos,
					                   (int)strlen(f->name),
					                   "The field '%s' clashes with the field '%s' from model '%s'.",
					                   f->name, f->name, p->model->name);
		}
	}
	if (link == NULL) {
		char *fname = ormc_arena_printf(r->a, "%s_ptr",
		                                ormc_sr_lower(r->a, parent->model->name));

		link = ormc_sr_new_field(r, ms, fname, -1);
		pr = ormc_arena_alloc(r->a, sizeof(*pr));
		if (fname == NULL || link == NULL || pr == NULL)
			return ormc_sr_nomem(r);
		link->class_name = "OneToOneField";
		link->kind = ORMC_FIELD_ONETOONE;
		link->unique = 1;
		link->parent_link = 1;
		link->column = ormc_arena_printf(r->a, "%s_id", fname);
		pr->field = link;
		pr->text = r->text;
		pr->target = parent->model->name;
		pr->target_pos = name->pos;
		pr->target_len = (int)name->len;
		pr->symmetrical_given = -1;
		if (link->column == NULL || ormc_ptrvec_push(r->a, &r->rels, pr) < 0 ||
		    ormc_ptrvec_push(r->a, &ms->fields, link) < 0)
			return ormc_sr_nomem(r);
	}
	m->parent = parent->model;
	m->parent_link = link;
	inherit_ordering(ms, parent);
	return 0;
}

/* Fields from abstract bases, the parent link, or the proxied model. */
/*
 * Meta as Python finds it on a class with none of its own: the first base
 * (in declaration order) through which a Meta is found, whether that base
 * is abstract or concrete. Its ordering and managed are the class's, even
 * when they are unset there and a later base sets them (class
 * Place(Named, Timestamped) has Named's Meta, so no ordering); a concrete
 * parent's ordering applies only when the Meta found sets none (Django's
 * ModelBase).
 */
static void
inherit_meta(model_state *ms, const class_bases *cb)
{
	const model_state *found = NULL;
	int k;

	for (k = 0; k < cb->n && found == NULL; k++)
		if (cb->kind[k] == BASE_MODEL)
			found = cb->model[k]->meta_from;
	if (ms->model->abstract && ms->has_meta)
		ms->meta_from = ms;
	else
		ms->meta_from = found;
	if (ms->has_meta || found == NULL)
		return;
	inherit_ordering(ms, found);
	if (!ms->managed_set && found->model->unmanaged) {
		ms->model->unmanaged = 1;
		ms->managed_set = 1;
	}
}

int
ormc_sr_inherit(reader *r, model_state *ms, const class_bases *cb,
                const ormc_token *name)
{
	model_state *parent = NULL;
	int k, rc;

	inherit_meta(ms, cb);

	for (k = 0; k < cb->n; k++) {
		model_state *b = cb->model[k], *c;

		if (cb->kind[k] != BASE_MODEL)
			continue;
		if (!ms->natural_key_set && b->natural_key_set) {
			/* Python's method resolution: the first base that has it */
			ms->natural_key = b->natural_key;
			ms->natural_key_set = 1;
		}
		if (b->model->abstract) {
			if ((rc = copy_abstract(r, ms, b)) < 0)
				return rc;
			continue;
		}
		c = b->proxy ? b->concrete : b;
		if (parent != NULL && parent != c)
			return ormc_sr_err(r, NULL, ORMC_EUNSUPPORTED, cb->name[k]->pos,
			              (int)cb->name[k]->len,
			              "model '%s' inherits from two concrete models ('%s' and '%s'): multiple multi-table inheritance is not supported",
			              name->str, parent->model->name, c->model->name);
		parent = c;
		inherit_ordering(ms, b);
	}
	if (ms->proxy) {
		if (parent == NULL)
			return ormc_sr_err(r, NULL, ORMC_EINVALID, name->pos, (int)name->len,
			              "Proxy model '%s' has no non-abstract model base class.",
			              name->str);
		if (ms->fields.n > 0)
			return ormc_sr_err(r, NULL, ORMC_EINVALID, name->pos, (int)name->len,
			              "Proxy model '%s' contains model fields.",
			              name->str);
		ms->concrete = parent;
		ms->model->proxy_for = parent->model;
		return 0;
	}
	if (parent != NULL && !ms->model->abstract)
		return parent_link(r, ms, parent, name);
	if (parent != NULL)
		return ormc_sr_err(r, NULL, ORMC_EUNSUPPORTED, name->pos, (int)name->len,
		              "abstract model '%s' inherits from the concrete model '%s': not supported",
		              name->str, parent->model->name);
	return 0;
}

/* The primary key: the declared one, the parent link, else an implicit `id`. */
int
ormc_sr_primary_key(reader *r, model_state *ms)
{
	ormc_model *m = ms->model;
	ormc_field *pk = NULL;
	int k, npk = 0;

	for (k = 0; k < ms->fields.n; k++) {
		ormc_field *f = ms->fields.items[k];

		if (f->primary_key) {
			if (npk++ > 0)
				return ormc_sr_err(r, NULL, ORMC_EINVALID, f->pos,
				              (int)strlen(f->name),
				              "The model cannot have more than one field with 'primary_key=True'.");
			pk = f;
			f->unique = 1;
		}
	}
	if (pk == NULL && m->parent_link != NULL) {
		pk = m->parent_link;
		pk->primary_key = 1;
	}
	if (pk == NULL) {
		for (k = 0; k < ms->fields.n; k++) {
			ormc_field *f = ms->fields.items[k];

			if (strcmp(f->name, "id") == 0)
				return ormc_sr_err(r, ms->text, ORMC_EINVALID, f->pos, 2,
				                   "'id' can only be used as a field name if the field also sets 'primary_key=True'.");
		}
		pk = ormc_sr_new_field(r, ms, "id", -1);
		if (pk == NULL || ormc_ptrvec_push(r->a, &ms->fields, pk) < 0)
			return ormc_sr_nomem(r);
		pk->column = "id";
		pk->class_name = "AutoField";
		pk->kind = ORMC_FIELD_AUTO;
		pk->primary_key = 1;
		pk->unique = 1;
	}
	m->pk = pk;
	return 0;
}

/* Local fields in Django's order: implicit ones first, then as declared. */
void
ormc_sr_sort_fields(model_state *ms)
{
	int k, j;

	for (k = 1; k < ms->fields.n; k++) {
		ormc_field *f = ms->fields.items[k];

		for (j = k; j > 0 &&
		            ((ormc_field *)ms->fields.items[j - 1])->order > f->order; j--)
			ms->fields.items[j] = ms->fields.items[j - 1];
		ms->fields.items[j] = f;
	}
}

