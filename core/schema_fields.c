/*
 * schema_fields.c -- the field classes the models reader knows: Django's
 * (with their default max_length), and the subclasses a project declares
 * in its models texts (class MoneyField(models.DecimalField)), read as their
 * Django base with the defaults their __init__ gives. A subclass that
 * defines a method changing values (from_db_value, get_prep_value,
 * db_type, ...) is recorded so that a field of it is an error naming the
 * method, never read as its base with other values.
 */
#include "schema_read.h"

#include <stdlib.h>
#include <string.h>

static const ormc_token *
tok(const reader *r, int i)
{
	return &r->toks.tok[i];
}

/* A row of the table: a Django field class (no base, no defaults of its own). */
#define FC(name, kind, max_length) { name, kind, max_length, NULL, -1, -1, -1, -1, NULL }

static const struct field_class field_classes[] = {
	FC("AutoField", ORMC_FIELD_AUTO, -1),
	FC("BigAutoField", ORMC_FIELD_BIGAUTO, -1),
	FC("SmallAutoField", ORMC_FIELD_SMALLAUTO, -1),
	FC("CharField", ORMC_FIELD_CHAR, -1),
	FC("SlugField", ORMC_FIELD_CHAR, 50),
	FC("EmailField", ORMC_FIELD_CHAR, 254),
	FC("URLField", ORMC_FIELD_CHAR, 200),
	FC("FileField", ORMC_FIELD_CHAR, 100),
	FC("ImageField", ORMC_FIELD_CHAR, 100),
	FC("FilePathField", ORMC_FIELD_CHAR, 100),
	FC("GenericIPAddressField", ORMC_FIELD_IPADDRESS, 39),
	FC("TextField", ORMC_FIELD_TEXT, -1),
	FC("IntegerField", ORMC_FIELD_INTEGER, -1),
	FC("BigIntegerField", ORMC_FIELD_BIGINTEGER, -1),
	FC("SmallIntegerField", ORMC_FIELD_SMALLINTEGER, -1),
	FC("PositiveIntegerField", ORMC_FIELD_POSITIVEINTEGER, -1),
	FC("PositiveSmallIntegerField", ORMC_FIELD_POSITIVESMALLINTEGER, -1),
	FC("PositiveBigIntegerField", ORMC_FIELD_POSITIVEBIGINTEGER, -1),
	FC("FloatField", ORMC_FIELD_FLOAT, -1),
	FC("DecimalField", ORMC_FIELD_DECIMAL, -1),
	FC("BooleanField", ORMC_FIELD_BOOLEAN, -1),
	FC("NullBooleanField", ORMC_FIELD_BOOLEAN, -1),
	FC("DateField", ORMC_FIELD_DATE, -1),
	FC("DateTimeField", ORMC_FIELD_DATETIME, -1),
	FC("TimeField", ORMC_FIELD_TIME, -1),
	FC("DurationField", ORMC_FIELD_DURATION, -1),
	FC("UUIDField", ORMC_FIELD_UUID, -1),
	FC("JSONField", ORMC_FIELD_JSON, -1),
	FC("BinaryField", ORMC_FIELD_BINARY, -1),
	FC("ForeignKey", ORMC_FIELD_FOREIGNKEY, -1),
	FC("OneToOneField", ORMC_FIELD_ONETOONE, -1),
	FC("ManyToManyField", ORMC_FIELD_MANYTOMANY, -1),
	FC(NULL, ORMC_FIELD_AUTO, -1)
};

/*
 * The field class a declaration names: a subclass the texts declare first
 * (a project's own JSONField), unless the call says models.X.
 */
const struct field_class *
ormc_sr_field_class(const reader *r, const char *name, int django_only)
{
	const struct field_class *cls;
	int k;

	for (k = r->fieldclasses.n - 1; k >= 0 && !django_only; k--) {
		cls = r->fieldclasses.items[k];
		if (strcmp(cls->name, name) == 0)
			return cls;
	}
	for (cls = field_classes; cls->name != NULL; cls++)
		if (strcmp(cls->name, name) == 0)
			return cls;
	return NULL;
}

/*
 * Methods of a field subclass that change what Django stores, reads,
 * compares or serializes: ormc, which reads the class as text, would not
 * give Django's values, so a field of such a class is an error.
 */
static const char *const value_methods[] = {
	"db_type", "rel_db_type", "get_internal_type", "db_parameters",
	"cast_db_type", "from_db_value", "to_python", "get_prep_value",
	"get_db_prep_value", "get_db_prep_save", "value_to_string",
	"value_from_object", "select_format", "get_lookup", "get_transform",
	NULL
};

/* One default a field subclass's __init__ gives: "max_digits", tokens [a, b). */
static int
field_class_default(reader *r, struct field_class *c, const ormc_token *key,
                    int a, int b)
{
	const char *k = key->str;
	int *slot = strcmp(k, "max_length") == 0 ? &c->max_length :
	            strcmp(k, "max_digits") == 0 ? &c->max_digits :
	            strcmp(k, "decimal_places") == 0 ? &c->decimal_places :
	            strcmp(k, "null") == 0 ? &c->null :
	            strcmp(k, "unique") == 0 ? &c->unique : NULL;
	int is_bool = slot == &c->null || slot == &c->unique;
	ormc_ast *e;

	if (slot == NULL)
		return 0;   /* blank, default, help_text...: not the database's business */
	e = ormc_sr_try_parse(r, a, b);
	if (e != NULL && !is_bool && e->kind == ORMC_AST_INT &&
	    e->ival >= 0 && e->ival <= 1000000000) {
		*slot = (int)e->ival;
		return 0;
	}
	if (e != NULL && is_bool && (e->kind == ORMC_AST_TRUE ||
	                             e->kind == ORMC_AST_FALSE)) {
		*slot = e->kind == ORMC_AST_TRUE;
		return 0;
	}
	return ormc_sr_err(r, NULL, ORMC_EUNSUPPORTED, key->pos, key->len,
	              "field class '%s' sets %s to something other than %s in its __init__: the reader cannot tell its value",
	              c->name, k, is_bool ? "True or False" : "an integer");
}

/*
 * class MoneyField(models.DecimalField): a subclass of a Django field
 * (or of another such subclass) declared in the models texts, statement i.
 * Its fields are its base's, with the defaults its __init__ gives as
 * kwargs.setdefault("max_digits", 14), kwargs["max_digits"] = 14 or
 * super().__init__(..., max_digits=14, ...). A method that changes values
 * (value_methods) is recorded: a field of the class is then an error.
 */
int
ormc_sr_read_field_class(reader *r, int i, int colon, const ormc_token *name,
                 const struct field_class *base)
{
	struct field_class *c = ormc_arena_alloc(r->a, sizeof(*c));
	int bend, j, k, m, rc;

	if (c == NULL)
		return ormc_sr_nomem(r);
	*c = *base;
	c->name = name->str;
	if (base->base == NULL) {
		c->base = base;
		c->max_digits = c->decimal_places = c->null = c->unique = -1;
		c->unread = NULL;
	}
	ormc_sr_block_body(r, i, &bend);
	for (j = i; j < bend; j++) {
		int a = j == i ? colon + 1 : r->st[j].start, b = r->st[j].end;

		if (b - a >= 2 && ormc_tok_is_name(tok(r, a), "def") &&
		    c->unread == NULL)
			for (m = 0; value_methods[m] != NULL; m++)
				if (ormc_tok_is_name(tok(r, a + 1), value_methods[m]))
					c->unread = value_methods[m];
		for (k = a; k < b; k++) {
			int rp, v;

			if (ormc_tok_is_name(tok(r, k), "setdefault") && k + 4 < b &&
			    ormc_tok_is_op(tok(r, k + 1), "(") &&
			    tok(r, k + 2)->kind == ORMC_TOK_STRING &&
			    ormc_tok_is_op(tok(r, k + 3), ",") &&
			    (rp = ormc_sr_match_close(r, k + 1, b)) > k + 4) {
				if ((rc = field_class_default(r, c, tok(r, k + 2), k + 4, rp)) < 0)
					return rc;
			} else if (ormc_tok_is_op(tok(r, k), "[") && k + 4 < b &&
			           tok(r, k + 1)->kind == ORMC_TOK_STRING &&
			           ormc_tok_is_op(tok(r, k + 2), "]") &&
			           ormc_tok_is_op(tok(r, k + 3), "=") &&
			           tok(r, k)->depth == tok(r, a)->depth) {
				if ((rc = field_class_default(r, c, tok(r, k + 1), k + 4, b)) < 0)
					return rc;
			} else if (ormc_tok_is_name(tok(r, k), "__init__") && k > a &&
			           !ormc_tok_is_name(tok(r, k - 1), "def") && k + 1 < b &&
			           ormc_tok_is_op(tok(r, k + 1), "(") &&
			           (rp = ormc_sr_match_close(r, k + 1, b)) > 0) {
				int depth = tok(r, k + 1)->depth + 1, start = k + 2;

				/* super().__init__(*args, max_digits=14, **kwargs) */
				for (v = k + 2; v <= rp; v++) {
					if (v < rp && !(tok(r, v)->depth == depth &&
					                ormc_tok_is_op(tok(r, v), ",")))
						continue;
					if (v - start >= 3 && tok(r, start)->kind == ORMC_TOK_NAME &&
					    ormc_tok_is_op(tok(r, start + 1), "=") &&
					    (rc = field_class_default(r, c, tok(r, start),
					                              start + 2, v)) < 0)
						return rc;
					start = v + 1;
				}
				k = rp;
			}
		}
	}
	if (ormc_ptrvec_push(r->a, &r->fieldclasses, c) < 0)
		return ormc_sr_nomem(r);
	return 0;
}

