"""qgen.py -- random Django aggregation querysets, as a small tree.

A Query is a model, a list of operations (filter, exclude, annotate, values,
values_list, order_by, slice) and an optional terminal (aggregate(), count()).
Every node prints itself two ways:

  * ormc(): the text ormc parses (Django 5 syntax: aggregates take default=);
  * dj(ctx): Django 3.2 source that eval() runs. Django 3.2 has no default=,
    so Agg(..., default=D) becomes Coalesce(Agg(...), Value(D),
    output_field=<the aggregate's field>), as Django 4 expands it.

oracle_code() prints the Django source whose answer is the right one where
ormc deliberately departs from Django (docs/semantics.md, "Multi-valued
relations"): see the comment there.

The generator draws from the models Django itself loaded (django.apps), and
from the values in the fixtures, so filters select something.
"""
import copy
import json
import random

# ---------------------------------------------------------------- schema


class Field:
    def __init__(self, name, kind, null, places=None, cls=None):
        self.name, self.kind, self.null, self.places = name, kind, null, places
        self.cls = cls         # Django's field class name (AutoField, PositiveIntegerField...)


class Rel:
    """A relation usable in lookups: name, target model, multi-valued?"""

    def __init__(self, name, target, multi, back=None, null=False, parent=False):
        self.name, self.target, self.multi, self.back, self.null = name, target, multi, back, null
        self.parent = parent    # multi-table inheritance's link to the parent ("place_ptr")


class Model:
    def __init__(self, name):
        self.name = name
        self.fields = {}       # name -> Field (concrete, non-relation, incl. id)
        self.rels = {}         # lookup name -> Rel
        self.attnames = []     # concrete columns in order, as a model row has them
        self.values = {}       # field name -> sorted distinct fixture values (no None)


def _kind(f):
    from django.db import models as m
    if isinstance(f, m.BooleanField):
        return "bool"
    if isinstance(f, (m.AutoField, m.IntegerField)):
        return "int"
    if isinstance(f, m.FloatField):
        return "float"
    if isinstance(f, m.DecimalField):
        return "dec"
    if isinstance(f, m.DateTimeField):
        return "datetime"
    if isinstance(f, m.DateField):
        return "date"
    if isinstance(f, m.CharField):
        return "str"
    return None


def load_schema(label):
    """The models of app label, read from Django, with the fixture's values (SQLite)."""
    from django.apps import apps
    schema = {}
    for dm in apps.get_app_config(label).get_models():
        mo = Model(dm.__name__)
        for f in dm._meta.get_fields():
            if f.is_relation:
                if f.many_to_many:
                    mo.rels[f.name] = Rel(f.name, f.related_model.__name__, True)
                elif f.one_to_many:
                    mo.rels[f.name] = Rel(f.name, f.related_model.__name__, True,
                                          back=f.field.name)
                elif f.concrete:   # ForeignKey, OneToOneField
                    mo.rels[f.name] = Rel(f.name, f.related_model.__name__, False, null=f.null,
                                          parent=bool(getattr(f.remote_field, "parent_link", False)))
                else:              # reverse one-to-one: single-valued, may be missing
                    mo.rels[f.name] = Rel(f.name, f.related_model.__name__, False, null=True)
            else:
                k = _kind(f)
                if k:
                    mo.fields[f.name] = Field(f.name, k, f.null,
                                              getattr(f, "decimal_places", None),
                                              type(f).__name__)
        mo.attnames = [f.attname for f in dm._meta.concrete_fields]
        for name in mo.fields:
            vals = set(v for v in dm.objects.using("sqlite").values_list(name, flat=True)
                       if v is not None)
            mo.values[name] = sorted(vals, key=lambda v: (str(type(v)), v))
        schema[mo.name] = mo
    return schema


# ---------------------------------------------------------------- printing helpers

def lit(v):
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(lit(x) for x in v) + "]"
    raise TypeError(v)


def field_class(kind):
    return {"int": "IntegerField()", "float": "FloatField()",
            "dec": "DecimalField(max_digits=12, decimal_places=2)", "str": "CharField()",
            "bool": "BooleanField()", "date": "DateField()",
            "datetime": "DateTimeField()"}[kind]


class Ctx:
    """How to print Django source (oracle rewrites)."""

    def __init__(self):
        self.pkin = set()        # ids of filter ops printed as pk__in=...
        self.subq = {}           # id(annotation expr) -> Django text replacing it


class Node:
    def alts(self):
        """Simpler nodes that could replace this one (for shrinking)."""
        return []


# ---------------------------------------------------------------- paths

class Path:
    """A lookup path from a model: hops (Rels) then a field name (or a relation's pk)."""

    def __init__(self, hops, field, kind, null):
        self.hops, self.field, self.kind, self.null = hops, field, kind, null

    def text(self):
        parts = [h.name for h in self.hops]
        if self.field is not None:
            parts.append(self.field)
        return "__".join(parts)

    def chain(self):
        """Names of the hops up to the last multi-valued one. A link to a
        parent (multi-table inheritance) is no hop of its own: Django joins
        place_ptr__reviews and the inherited reviews alike, one relation."""
        last = -1
        for i, h in enumerate(self.hops):
            if h.multi:
                last = i
        return tuple(h.name for h in self.hops[:last + 1] if not h.parent)

    def multi(self):
        return any(h.multi for h in self.hops)


# ---------------------------------------------------------------- conditions

class Leaf(Node):
    def __init__(self, path, lookup, value):
        self.path, self.lookup, self.value = path, lookup, value   # value: literal or Expr

    def key(self):
        k = self.path if isinstance(self.path, str) else self.path.text()
        return k if self.lookup == "exact" else k + "__" + self.lookup

    def val(self, mode, ctx):
        if isinstance(self.value, Expr):
            return self.value.ormc() if mode == "ormc" else self.value.dj(ctx)
        return lit(self.value)

    def kw(self, mode, ctx):
        return "%s=%s" % (self.key(), self.val(mode, ctx))

    def ormc(self):
        return "Q(%s)" % self.kw("ormc", None)

    def dj(self, ctx):
        return "Q(%s)" % self.kw("dj", ctx)

    def leaves(self, neg=False):
        yield self, neg

    def refs(self):
        r = set()
        if isinstance(self.path, str):
            r.add(self.path)
        if isinstance(self.value, Expr):
            r |= self.value.refs()
        return r


class And(Node):
    op = " & "

    def __init__(self, kids):
        self.kids = kids

    def ormc(self):
        return "(" + self.op.join(k.ormc() for k in self.kids) + ")"

    def dj(self, ctx):
        return "(" + self.op.join(k.dj(ctx) for k in self.kids) + ")"

    def leaves(self, neg=False):
        for k in self.kids:
            yield from k.leaves(neg)

    def refs(self):
        r = set()
        for k in self.kids:
            r |= k.refs()
        return r

    def alts(self):
        return list(self.kids)


class Or(And):
    op = " | "


class Not(Node):
    def __init__(self, kid):
        self.kid = kid

    def ormc(self):
        return "~" + self.kid.ormc()

    def dj(self, ctx):
        return "~" + self.kid.dj(ctx)

    def leaves(self, neg=False):
        # Under any negation, even a double one, Django makes no join
        # (build_filter's branch_negated: split_exclude's subquery), so the
        # leaf never picks rows: neg means "in a negated branch".
        yield from self.kid.leaves(True)

    def refs(self):
        return self.kid.refs()

    def alts(self):
        return [self.kid]


class ExistsCond(Node):
    """filter(Exists(...)) / filter(~Exists(...))."""

    def __init__(self, ex, neg):
        self.ex, self.neg = ex, neg

    def ormc(self):
        return ("~" if self.neg else "") + self.ex.ormc()

    def dj(self, ctx):
        return ("~" if self.neg else "") + self.ex.dj(ctx)

    def leaves(self, neg=False):
        return iter(())

    def refs(self):
        return set()

    def alts(self):
        return [ExistsCond(self.ex, False)] if self.neg else []


def cond_args(conds, mode, ctx):
    """The arguments of filter(): compound conditions as Q objects first, leaves as kwargs."""
    pos, kws, seen = [], [], set()
    for c in conds:
        if isinstance(c, Leaf) and c.key() not in seen:
            seen.add(c.key())
            kws.append(c.kw(mode, ctx))
        else:
            pos.append(c.ormc() if mode == "ormc" else c.dj(ctx))
    return ", ".join(pos + kws)


# ---------------------------------------------------------------- expressions

class Expr(Node):
    kind = "int"
    has_agg = False

    def refs(self):
        return set()

    def chains(self):
        """Chains of the aggregates inside."""
        return set()

    def paths(self):
        return []


class FRef(Expr):
    """F("path") or an annotation name (ref=True)."""

    def __init__(self, name, kind, path=None, has_agg=False):
        self.name, self.kind, self.path, self.has_agg = name, kind, path, has_agg

    def ormc(self):
        return 'F("%s")' % self.name

    def dj(self, ctx):
        return 'F("%s")' % self.name

    def refs(self):
        return {self.name}

    def paths(self):
        return [self.path] if self.path else []


class Lit(Expr):
    def __init__(self, value, kind):
        self.value, self.kind = value, kind

    def ormc(self):
        return "Value(%s)" % lit(self.value)

    def dj(self, ctx):
        return "Value(%s)" % lit(self.value)


class Arith(Expr):
    def __init__(self, op, a, b, kind):
        self.op, self.a, self.b, self.kind = op, a, b, kind
        self.has_agg = a.has_agg or b.has_agg

    def ormc(self):
        return "(%s %s %s)" % (self.a.ormc(), self.op, self.b.ormc())

    def dj(self, ctx):
        if id(self) in ctx.subq:
            return ctx.subq[id(self)]
        return "(%s %s %s)" % (self.a.dj(ctx), self.op, self.b.dj(ctx))

    def refs(self):
        return self.a.refs() | self.b.refs()

    def chains(self):
        return self.a.chains() | self.b.chains()

    def paths(self):
        return self.a.paths() + self.b.paths()

    def alts(self):
        return [x for x in (self.a, self.b) if x.kind == self.kind]


class Agg(Expr):
    has_agg = True

    def __init__(self, func, arg, kind, distinct=False, filter=None, default=None, sample=False):
        self.func, self.arg, self.kind = func, arg, kind
        self.distinct, self.filter, self.default, self.sample = distinct, filter, default, sample

    def argtext(self, mode, ctx):
        if isinstance(self.arg, Path):
            return '"%s"' % self.arg.text()
        return self.arg.ormc() if mode == "ormc" else self.arg.dj(ctx)

    def inner(self, mode, ctx):
        s = "%s(%s" % (self.func, self.argtext(mode, ctx))
        if self.distinct:
            s += ", distinct=True"
        if self.sample:
            s += ", sample=True"
        if self.filter is not None:
            s += ", filter=%s" % (self.filter.ormc() if mode == "ormc" else self.filter.dj(ctx))
        return s

    def ormc(self):
        s = self.inner("ormc", None)
        if self.default is not None:
            s += ", default=%s" % lit(self.default)
        return s + ")"

    def dj(self, ctx):
        if id(self) in ctx.subq:
            return ctx.subq[id(self)]
        s = self.inner("dj", ctx) + ")"
        if self.default is not None:
            s = "Coalesce(%s, Value(%s), output_field=%s)" % (
                s, lit(self.default), field_class(self.kind).replace("12", "10"))
        return s

    def refs(self):
        r = set() if isinstance(self.arg, Path) else self.arg.refs()
        if self.filter is not None:
            r |= self.filter.refs()
        return r

    def chain(self):
        if isinstance(self.arg, Path):
            return self.arg.chain()
        ch = ()
        for p in self.arg.paths():
            if len(p.chain()) > len(ch):
                ch = p.chain()
        return ch

    def chains(self):
        return {self.chain()}

    def paths(self):
        return [self.arg] if isinstance(self.arg, Path) else self.arg.paths()

    def alts(self):
        out = []
        for attr, plain in (("distinct", False), ("filter", None), ("default", None),
                            ("sample", False)):
            if getattr(self, attr) != plain:
                a = copy.copy(self)
                setattr(a, attr, plain)
                out.append(a)
        return out


class Case(Expr):
    def __init__(self, whens, default, kind):
        self.whens, self.default, self.kind = whens, default, kind   # whens: [(cond, Expr)]
        self.has_agg = False

    def text(self, mode, ctx):
        parts = []
        for c, then in self.whens:
            parts.append("When(%s, then=%s)" % (c.ormc() if mode == "ormc" else c.dj(ctx),
                                                then.ormc() if mode == "ormc" else then.dj(ctx)))
        d = self.default.ormc() if mode == "ormc" else self.default.dj(ctx)
        return "Case(%s, default=%s, output_field=%s)" % (", ".join(parts), d,
                                                          field_class(self.kind))

    def ormc(self):
        return self.text("ormc", None)

    def dj(self, ctx):
        return self.text("dj", ctx)

    def refs(self):
        r = set()
        for c, then in self.whens:
            r |= c.refs() | then.refs()
        return r | self.default.refs()

    def paths(self):
        out = []
        for c, then in self.whens:
            out += [lf.path for lf, neg in c.leaves() if isinstance(lf.path, Path)]
            out += then.paths()
        return out + self.default.paths()


class Coalesce(Expr):
    def __init__(self, args, kind):
        self.args, self.kind = args, kind
        self.has_agg = any(a.has_agg for a in args)

    def ormc(self):
        return "Coalesce(%s)" % ", ".join(a.ormc() for a in self.args)

    def dj(self, ctx):
        if id(self) in ctx.subq:
            return ctx.subq[id(self)]
        return "Coalesce(%s)" % ", ".join(a.dj(ctx) for a in self.args)

    def refs(self):
        r = set()
        for a in self.args:
            r |= a.refs()
        return r

    def chains(self):
        r = set()
        for a in self.args:
            r |= a.chains()
        return r

    def paths(self):
        return [p for a in self.args for p in a.paths()]

    def alts(self):
        return [self.args[0]]


class SubqueryX(Expr):
    """A correlated subquery over a reverse foreign key of the outer model.

    form "first": the first related value in an order; "agg": an aggregate of
    the related rows (values(fk).annotate(s=...).values("s")); "exists".
    """

    def __init__(self, target, back, form, field, func, kind, cond=None):
        self.target, self.back, self.form, self.field, self.func = target, back, form, field, func
        self.kind, self.cond = kind, cond

    def text(self, mode, ctx):
        c = ""
        if self.cond is not None:
            c = (self.cond.ormc() if mode == "ormc" else self.cond.dj(ctx)) + ", "
        qs = '%s.objects.filter(%s%s=OuterRef("pk"))' % (self.target, c, self.back)
        if self.form == "exists":
            return "Exists(%s)" % qs
        if self.form == "first":
            qs += '.order_by("-%s", "-id").values("%s")[:1]' % (self.field, self.field)
        else:
            qs += '.order_by().values("%s").annotate(s=%s("%s")).values("s")' % (
                self.back, self.func, self.field)
        return "Subquery(%s, output_field=%s)" % (qs, field_class(self.kind))

    def ormc(self):
        return self.text("ormc", None)

    def dj(self, ctx):
        return self.text("dj", ctx)

    def alts(self):
        if self.cond is not None:
            a = copy.copy(self)
            a.cond = None
            return [a]
        return []


# ---------------------------------------------------------------- operations

class Filter(Node):
    verb = "filter"

    def __init__(self, conds):
        self.conds = conds

    def having(self, names_agg):
        return any(r in names_agg for c in self.conds for r in c.refs())

    def ormc(self):
        return ".%s(%s)" % (self.verb, cond_args(self.conds, "ormc", None))

    def dj(self, ctx, model):
        if id(self) in ctx.pkin:
            inner = '%s.objects.filter(%s).values("pk")' % (model, cond_args(self.conds, "dj", ctx))
            return ".%s(pk__in=%s)" % (self.verb, inner)
        return ".%s(%s)" % (self.verb, cond_args(self.conds, "dj", ctx))

    def leaves(self):
        neg = self.verb == "exclude"
        for c in self.conds:
            yield from c.leaves(neg)


class Exclude(Filter):
    verb = "exclude"


class Annotate(Node):
    def __init__(self, items):
        self.items = items      # [(name, Expr)]

    def ormc(self):
        return ".annotate(%s)" % ", ".join("%s=%s" % (n, e.ormc()) for n, e in self.items)

    def dj(self, ctx, model):
        return ".annotate(%s)" % ", ".join("%s=%s" % (n, e.dj(ctx)) for n, e in self.items)


class Values(Node):
    """values("a", "b") or values("a", m=TruncMonth(...)): exprs are the keyword
    expressions [(name, Expr)], whose names end the list names."""
    verb = "values"

    def __init__(self, names, flat=False, exprs=None):
        self.names, self.flat, self.exprs = names, flat, exprs or []

    def text(self, mode, ctx):
        kw = {n for n, e in self.exprs}
        args = ['"%s"' % n for n in self.names if n not in kw]
        args += ["%s=%s" % (n, e.ormc() if mode == "ormc" else e.dj(ctx)) for n, e in self.exprs]
        if self.flat:
            args.append("flat=True")
        return ".%s(%s)" % (self.verb, ", ".join(args))

    def ormc(self):
        return self.text("ormc", None)

    def dj(self, ctx, model):
        return self.text("dj", ctx)


class ValuesList(Values):
    verb = "values_list"


class OrderBy(Node):
    def __init__(self, keys):
        self.keys = keys

    def ormc(self):
        return ".order_by(%s)" % ", ".join('"%s"' % k for k in self.keys)

    def dj(self, ctx, model):
        return self.ormc()


class Slice(Node):
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def ormc(self):
        return "[%s:%s]" % ("" if not self.lo else self.lo, self.hi)

    def dj(self, ctx, model):
        return self.ormc()


class Aggregate(Node):
    def __init__(self, items):
        self.items = items

    def ormc(self):
        return ".aggregate(%s)" % ", ".join("%s=%s" % (n, e.ormc()) for n, e in self.items)

    def dj(self, ctx, model):
        return ".aggregate(%s)" % ", ".join("%s=%s" % (n, e.dj(ctx)) for n, e in self.items)


class CountT(Node):
    def ormc(self):
        return ".count()"

    def dj(self, ctx, model):
        return ".count()"


# ---------------------------------------------------------------- the query

class Query:
    def __init__(self, label, model, ops, terminal=None):
        self.label, self.model, self.ops, self.terminal = label, model, ops, terminal

    def ormc(self):
        return "%s.objects%s%s" % (self.model, "".join(o.ormc() for o in self.ops),
                                   self.terminal.ormc() if self.terminal else "")

    def plain_dj(self):
        return self.dj_with(Ctx())

    def dj_with(self, ctx, ops=None, terminal="same"):
        ops = self.ops if ops is None else ops
        t = self.terminal if terminal == "same" else terminal
        return "%s.objects%s%s" % (self.model, "".join(o.dj(ctx, self.model) for o in ops),
                                   t.dj(ctx, self.model) if t else "")

    # -- what the query returns

    def annotations(self):
        out = []
        for o in self.ops:
            if isinstance(o, Annotate):
                out += o.items
            elif isinstance(o, Values):
                out += o.exprs
        return out

    def values_op(self):
        """The first values()/values_list() op and its index, or (None, -1)."""
        for i, o in enumerate(self.ops):
            if isinstance(o, Values):
                return o, i
        return None, -1

    def grouped(self):
        """values() before an aggregate annotate: a GROUP BY query. Returns the keys."""
        v, i = self.values_op()
        if v is None:
            return None
        for o in self.ops[i + 1:]:
            if isinstance(o, Annotate) and any(e.has_agg for n, e in o.items):
                return v.names
        return None

    def shape(self, schema):
        """(kind, columns): kind is objects|values|lists|flat|aggregate|scalar."""
        if isinstance(self.terminal, Aggregate):
            return "aggregate", [n for n, e in self.terminal.items]
        if isinstance(self.terminal, CountT):
            return "scalar", ["count"]
        v, i = self.values_op()
        anns = self.annotations()
        if v is None:
            return "objects", schema[self.model].attnames + [n for n, e in anns]
        later = [n for o in self.ops[i + 1:] if isinstance(o, Annotate) for n, e in o.items]
        if isinstance(v, ValuesList):
            return ("flat" if v.flat else "lists"), list(v.names) + later
        return "values", list(v.names) + later

    def column_kinds(self, schema):
        """The kind the generator gave each column (int, float, dec, ...), None if unknown."""
        kind, columns = self.shape(schema)
        known = {n: e.kind for n, e in self.annotations()}
        if isinstance(self.terminal, Aggregate):
            known.update({n: e.kind for n, e in self.terminal.items})
        fields = schema[self.model].fields
        return [known.get(c, fields[c].kind if c in fields else None) for c in columns]

    def total_order(self):
        """Does the query order its rows totally (so row order is compared)?"""
        keys = None
        for o in self.ops:
            if isinstance(o, OrderBy):
                keys = [k.lstrip("-") for k in o.keys]
        if keys is None:
            return False
        g = self.grouped()
        if g is not None:
            return all(k in keys for k in g)
        return "pk" in keys or "id" in keys

    def agg_names(self):
        return {n for n, e in self.annotations() if e.has_agg}


# ---------------------------------------------------------------- the oracle

def touches(cond_leaves, chain):
    """ormc's rule (core/planner.c cond_touches): a positive leaf walking the chain's first hop."""
    for lf, neg in cond_leaves:
        if neg or not isinstance(lf.path, Path):
            continue
        ch = lf.path.chain()
        if ch and chain and ch[0] == chain[0]:
            return True
    return False


def picking_filter(q, op_index, chain):
    """The last filter() before ops[op_index] walking chain: it picks the aggregated rows."""
    names_agg = q.agg_names()
    for j in range(op_index - 1, -1, -1):
        o = q.ops[j]
        if type(o) is Filter and not o.having(names_agg):
            pos = [(lf, neg) for c in o.conds for lf, neg in c.leaves() if not neg]
            if touches(pos, chain):
                return j
    return None


def multi_filter(o):
    return any(isinstance(lf.path, Path) and lf.path.multi() for lf, neg in o.leaves())


def check(q, schema):
    """Is q inside the shapes the oracle answers right? Returns a reason or None."""
    if hasattr(q, "parts"):
        return q.check(schema)
    if q.total_order() is False and any(isinstance(o, Slice) for o in q.ops):
        return "slice without a total order"
    anns = dict(q.annotations())
    for i, o in enumerate(q.ops):
        if isinstance(o, Filter):
            firsts = {lf.path.chain()[0] for lf, neg in o.leaves()
                      if not neg and isinstance(lf.path, Path) and lf.path.multi()}
            if len(firsts) > 1:
                return "one filter() over two multi-valued relations"
            for c in o.conds:
                for sub in _negated(c):
                    n = sum(1 for lf, neg in sub.leaves() if isinstance(lf.path, Path)
                            and lf.path.multi())
                    if n > 1:
                        return "a negation over two multi-valued conditions"
            if isinstance(o, Exclude) and sum(1 for lf, neg in o.leaves()
                                              if isinstance(lf.path, Path) and lf.path.multi()) > 1:
                return "exclude() over two multi-valued conditions"
    aggs = []
    for i, o in enumerate(q.ops):
        if isinstance(o, Annotate):
            aggs += [(i, e) for n, e in o.items if e.has_agg]
    if isinstance(q.terminal, Aggregate):
        aggs += [(len(q.ops), e) for n, e in q.terminal.items if not e.refs() & set(anns)]
    for i, e in aggs:
        for ch in e.chains():
            if not ch:
                continue
            j = picking_filter(q, i, ch)
            if j is None:
                continue
            for lf, neg in q.ops[j].leaves():
                if neg or not isinstance(lf.path, Path) or not lf.path.multi():
                    continue
                lch = lf.path.chain()
                if lch != ch[:len(lch)]:
                    return "a picking filter walks further than its aggregate"
    return None


def _negated(c):
    if isinstance(c, Not):
        yield c
    for k in getattr(c, "kids", []):
        yield from _negated(k)
    if isinstance(c, Not):
        yield from _negated(c.kid)


def oracle_code(q, schema):
    """Django source computing the answer ormc should give.

    Django joins every multi-valued relation a filter or an aggregate names,
    and the joins multiply each other's rows; ormc does not (semi-joins for
    filters, one relation per aggregate). The rewrite:

    * a filter() or exclude() over a multi-valued relation that picks no
      aggregate's rows becomes filter(pk__in=Model.objects.filter(...)
      .values("pk")): it only selects base rows;
    * when the per-object aggregates of a query walk two or more relations
      (or the query aggregates again over them, values("n").annotate(...)),
      each aggregate annotation becomes a correlated Subquery over the same
      model: Model.objects.filter(pk=OuterRef("pk")) + its picking filter +
      annotate(_v=<aggregate>).values("_v");
    * aggregate() over two or more relations is one aggregate() call per
      relation, each with its own picking filter, merged.

    Returns (code, rewritten?). A combined query (qgen_combine) asks each
    part this way.
    """
    if hasattr(q, "parts"):
        return q.oracle_code(schema)
    ctx = Ctx()
    anns = q.annotations()
    ann_names = {n for n, e in anns}
    grouped = q.grouped()
    _, vi = q.values_op()
    # per-object aggregate annotations (before any values())
    po = []
    for i, o in enumerate(q.ops):
        if isinstance(o, Annotate) and (vi < 0 or i < vi):
            po += [(i, n, e) for n, e in o.items if e.has_agg]
    po_chains = {ch for i, n, e in po for ch in e.chains()}
    multilevel = bool(po) and grouped is not None and vi >= 0
    subq = bool(po) and (len(po_chains) >= 2 or multilevel)
    picking = set()
    if not subq:
        aggs = [(i, e) for i, n, e in po]
        for i, o in enumerate(q.ops):
            if isinstance(o, Annotate) and not (vi < 0 or i < vi):
                aggs += [(i, e) for n, e in o.items if e.has_agg]
        for i, e in aggs:
            for ch in e.chains():
                if ch:
                    j = picking_filter(q, i, ch)
                    if j is not None:
                        picking.add(j)
    if isinstance(q.terminal, Aggregate):
        direct = [(n, e) for n, e in q.terminal.items if not (e.refs() & ann_names)]
        tchains = {ch for n, e in direct for ch in e.chains()}
        if len(tchains) >= 2:
            return _split_aggregate(q, ctx, direct, subq, po), True
        for n, e in direct:
            for ch in e.chains():
                if ch:
                    j = picking_filter(q, len(q.ops), ch)
                    if j is not None:
                        picking.add(j)
    rewritten = False
    for j, o in enumerate(q.ops):
        if type(o) is Filter and multi_filter(o) and (subq or j not in picking) \
                and not o.having(q.agg_names()):
            ctx.pkin.add(id(o))
            rewritten = True
    if subq:
        for i, n, e in po:
            ctx.subq[id(e)] = _agg_subquery(q, i, e, ctx)
        rewritten = True
    return q.dj_with(ctx), rewritten


def _agg_subquery(q, i, e, ctx):
    """Model.objects.filter(pk=OuterRef("pk")) + picking filter + annotate(_v=e).values("_v")."""
    inner = Ctx()
    s = '%s.objects.filter(pk=OuterRef("pk"))' % q.model
    chs = [c for c in e.chains() if c]
    if chs:
        j = picking_filter(q, i, chs[0])
        if j is not None:
            s += q.ops[j].dj(inner, q.model)
    # earlier annotations e may refer to (non-aggregates) come along
    for o in q.ops[:i]:
        if isinstance(o, Annotate):
            keep = [(n, x) for n, x in o.items if not x.has_agg and n in e.refs()]
            if keep:
                s += Annotate(keep).dj(inner, q.model)
    return 'Subquery(%s.annotate(_v=%s).values("_v"), output_field=%s)' % (
        s, e.dj(inner), field_class(e.kind))


def _split_aggregate(q, ctx, direct, subq, po):
    """aggregate() over several relations: one aggregate() call per relation, merged."""
    groups = {}
    for n, e in direct:
        ch = sorted(e.chains())[0] if e.chains() else ()
        groups.setdefault(ch, []).append((n, e))
    parts = []
    for ch, items in groups.items():
        c = Ctx()
        pick = picking_filter(q, len(q.ops), ch) if ch else None
        for j, o in enumerate(q.ops):
            if type(o) is Filter and multi_filter(o) and j != pick:
                c.pkin.add(id(o))
        parts.append(q.dj_with(c, terminal=Aggregate(items)))
    return "_merge(%s)" % ", ".join(parts)


# ---------------------------------------------------------------- the generator

NUM = ("int", "float", "dec")


class Gen:
    def __init__(self, schemas, rng):
        self.schemas, self.r = schemas, rng
        self.n = 0

    def name(self):
        self.n += 1
        return "a%d" % self.n

    # -- paths

    def path(self, label, model, max_hops=2, multi=True, kinds=None, nullable_ok=True,
             to_rel=False, base_hops=()):
        """A random path to a field of one of kinds (or a relation itself, to_rel)."""
        sch = self.schemas[label]
        for _ in range(30):
            hops, m, prev = list(base_hops), sch[model], None
            for h in base_hops:
                prev, m = m.name, sch[h.target]
            room = max(0, max_hops - len(base_hops))
            nh = min(self.r.choice([0, 0, 1, 1, 2, 2][:2 * room + 2]) if room else 0, room)
            ok = True
            for _h in range(nh):
                # no walking straight back where the last hop came from
                rels = [r for r in m.rels.values() if (multi or not r.multi)
                        and not (hops and r.target == prev)]
                if not rels:
                    break
                rel = self.r.choice(rels)
                hops.append(rel)
                prev, m = m.name, sch[rel.target]
            if to_rel and hops and hops[-1].multi:
                return Path(hops, None, "int", True)
            fields = [f for f in m.fields.values() if (kinds is None or f.kind in kinds)]
            if not fields:
                continue
            f = self.r.choice(fields)
            null = f.null or any(h.multi or h.null for h in hops)
            if null and not nullable_ok:
                continue
            if ok:
                p = Path(hops, f.name, f.kind, null)
                p.model = m
                return p
        return None

    def value_for(self, p, near=True):
        vals = p.model.values.get(p.field) or []
        if not vals:
            return {"int": 1, "float": 1.0, "dec": 1, "str": "x", "bool": True,
                    "date": "2020-01-01", "datetime": "2020-01-01T00:00:00"}[p.kind]
        v = self.r.choice(vals)
        if p.kind == "int" and near and self.r.random() < 0.3:
            v += self.r.choice([-1, 1])
        if p.kind == "dec":
            v = float(v)
            if v == int(v):
                v = int(v)
        if p.kind == "date":
            v = v.isoformat()
        if p.kind == "datetime":
            v = v.isoformat()
        return v

    # -- conditions

    def leaf(self, label, model, multi=True, base_hops=()):
        r = self.r
        if base_hops and r.random() < 0.35:
            base_hops = ()
        p = self.path(label, model, multi=multi, base_hops=base_hops)
        if p is None:
            return None
        k = p.kind
        if p.null and r.random() < 0.12:
            return Leaf(p, "isnull", r.random() < 0.5)
        if k in NUM:
            lk = r.choice(["exact", "gt", "gte", "lt", "lte", "in", "gt", "lt"])
            if lk == "in":
                return Leaf(p, "in", sorted({self.value_for(p) for _ in range(2)}))
            if r.random() < 0.15 and not p.hops:
                others = [f for f in p.model.fields.values() if f.kind == k and f.name != p.field]
                if others:
                    o = r.choice(others)
                    return Leaf(p, lk, FRef(o.name, k))
            return Leaf(p, lk, self.value_for(p))
        if k == "str":
            lk = r.choice(["exact", "exact", "contains", "startswith", "icontains", "in", "gt",
                           "iexact", "endswith"])
            v = self.value_for(p)
            if lk in ("contains", "icontains") and len(v) > 2:
                i = r.randrange(len(v) - 1)
                v = v[i:i + r.choice([1, 2])]
            elif lk == "startswith":
                v = v[:r.choice([1, 2])]
            elif lk == "endswith":
                v = v[-1:]
            elif lk == "in":
                v = sorted({self.value_for(p) for _ in range(2)})
            elif lk == "iexact" and r.random() < 0.5:
                v = v.upper()
            return Leaf(p, lk, v)
        if k == "bool":
            return Leaf(p, "exact", r.random() < 0.5)
        if k in ("date", "datetime") and r.random() < 0.5:
            return qgen_funcs.time_leaf(self, p)
        if k == "date":
            if r.random() < 0.3:
                return Leaf(p.__class__(p.hops, p.field + "__year", "int", p.null), "exact",
                            int(self.value_for(p)[:4]))
            return Leaf(p, r.choice(["exact", "gt", "lt", "gte"]), self.value_for(p))
        if k == "datetime":
            return Leaf(p, r.choice(["gt", "lt", "gte"]), self.value_for(p))
        return None

    def cond(self, label, model, depth=2, multi=True, base_hops=()):
        r = self.r
        x = r.random()
        if depth <= 0 or x < 0.55:
            lf = self.leaf(label, model, multi, base_hops)
            return lf
        kids = [self.cond(label, model, depth - 1, multi, base_hops)
                for _ in range(r.choice([2, 2, 3]))]
        kids = [k for k in kids if k is not None]
        if not kids:
            return None
        if x < 0.75:
            return And(kids) if len(kids) > 1 else kids[0]
        if x < 0.92:
            return Or(kids) if len(kids) > 1 else kids[0]
        return Not(kids[0])

    def filter_op(self, label, model, exclude=False):
        conds = [self.cond(label, model) for _ in range(self.r.choice([1, 1, 1, 2]))]
        conds = [c for c in conds if c is not None]
        if not conds:
            return None
        if not exclude and self.r.random() < 0.1:
            ex = self.exists(label, model)
            if ex is not None:
                conds = [ExistsCond(ex, self.r.random() < 0.4)]
        return (Exclude if exclude else Filter)(conds)

    def exists(self, label, model):
        sch = self.schemas[label]
        rels = [r for r in sch[model].rels.values() if r.multi and r.back]
        if not rels:
            return None
        rel = self.r.choice(rels)
        cond = self.leaf(label, rel.target, multi=False) if self.r.random() < 0.7 else None
        if cond is not None and not cond.path.hops:
            pass
        return SubqueryX(rel.target, rel.back, "exists", None, None, "bool", cond)

    # -- expressions

    def agg(self, label, model, chain_hint=None, kinds=None):
        r = self.r
        func = r.choice(["Count", "Count", "Sum", "Avg", "Min", "Max", "Sum", "StdDev",
                         "Variance"])
        if func == "Count":
            if r.random() < 0.4:
                p = self.path(label, model, to_rel=True)
            else:
                p = self.path(label, model)
            if p is None:
                return None
            a = Agg("Count", p, "int", distinct=r.random() < 0.25)
        else:
            want = {"Sum": NUM, "Avg": NUM, "Min": NUM + ("date", "str"),
                    "Max": NUM + ("date", "str"), "StdDev": ("int", "float"),
                    "Variance": ("int", "float")}[func]
            if r.random() < 0.2 and func in ("Sum", "Avg", "Max"):
                arg = self.arith(label, model)
                if arg is None:
                    return None
                kind = arg.kind
                p = arg
            else:
                p = self.path(label, model, kinds=want)
                if p is None:
                    return None
                kind = p.kind
            out = kind
            if func == "Avg" and kind == "int":
                out = "float"
            if func in ("StdDev", "Variance"):
                out = "float"
            a = Agg(func, p, out, distinct=func in ("Sum", "Avg") and r.random() < 0.1,
                    sample=func in ("StdDev", "Variance") and r.random() < 0.4)
            if func in ("Sum", "Avg", "Min", "Max") and kind in NUM and r.random() < 0.25:
                a.default = 0
        if r.random() < 0.25:
            # filter= on the aggregate's own relation or the base row
            ch = a.chain()
            base = []
            sch = self.schemas[label]
            m = sch[model]
            for name in ch:
                rel = m.rels[name]
                base.append(rel)
                m = sch[rel.target]
            a.filter = self.cond(label, model, depth=1, multi=False,
                                 base_hops=tuple(base)) if base else \
                self.cond(label, model, depth=1, multi=False)
        if r.random() < 0.08 and func == "Count":
            # conditional count: Count(Case(When(...)))
            c = self.cond(label, model, depth=1, multi=False)
            if c is not None:
                a = Agg("Sum", Case([(c, Lit(1, "int"))], Lit(0, "int"), "int"), "int")
        return a

    def arith(self, label, model):
        """F() arithmetic over the row's own fields (or single-valued relations)."""
        r = self.r
        p = self.path(label, model, max_hops=1, multi=False, kinds=NUM)
        if p is None:
            return None
        a = FRef(p.text(), p.kind, path=p)
        op = r.choice(["+", "-", "*", "*"])
        if r.random() < 0.5:
            q = self.path(label, model, max_hops=1, multi=False, kinds=(p.kind, "int"))
            if q is None:
                return None
            b = FRef(q.text(), q.kind, path=q)
        else:
            b = Lit(r.choice([1, 2, 3]), "int")
        kind = p.kind if b.kind == "int" else (b.kind if p.kind == "int" else p.kind)
        if p.kind == "int" and b.kind == "int" and r.random() < 0.2:
            op, b = "/", Lit(r.choice([2, 3]), "int")
        return Arith(op, a, b, kind)

    def row_expr(self, label, model):
        """A non-aggregate annotation."""
        r = self.r
        if r.random() < 0.3:
            return qgen_funcs.func_expr(self, label, model)
        x = r.random()
        if x < 0.4:
            return self.arith(label, model)
        if x < 0.6:
            c = self.cond(label, model, depth=1, multi=False)
            if c is None:
                return None
            return Case([(c, Lit(1, "int"))], Lit(0, "int"), "int")
        if x < 0.75:
            p = self.path(label, model, max_hops=1, multi=False, kinds=("int", "float"))
            if p is None or not p.null:
                return self.arith(label, model)
            return Coalesce([FRef(p.text(), p.kind, path=p),
                             Lit(0 if p.kind == "int" else 0.0, p.kind)], p.kind)
        sch = self.schemas[label]
        rels = [rl for rl in sch[model].rels.values() if rl.multi and rl.back]
        if not rels:
            return self.arith(label, model)
        rel = r.choice(rels)
        t = sch[rel.target]
        if x < 0.85:
            return SubqueryX(rel.target, rel.back, "exists", None, None, "bool",
                             self.leaf(label, rel.target, multi=False) if r.random() < 0.5 else None)
        fields = [f for f in t.fields.values() if f.kind in NUM and f.name != "id"]
        if not fields:
            return self.arith(label, model)
        f = r.choice(fields)
        if r.random() < 0.5:
            return SubqueryX(rel.target, rel.back, "first", f.name, None, f.kind)
        func = r.choice(["Sum", "Max", "Min"])
        return SubqueryX(rel.target, rel.back, "agg", f.name, func, f.kind)

    def agg_expr(self, label, model, chain=None):
        """An aggregate annotation, sometimes combined (Coalesce, arithmetic)."""
        a = self.agg(label, model)
        if a is None:
            return None
        if chain is not None and a.chain() != chain:
            return None
        x = self.r.random()
        if x < 0.1 and a.kind in ("int", "float") and a.func != "Count":
            return Coalesce([a, Lit(0 if a.kind == "int" else 0.0, a.kind)], a.kind)
        if x < 0.2 and a.kind == "int":
            return Arith(self.r.choice(["+", "*", "-"]), a, Lit(self.r.choice([1, 2]), "int"),
                         "int")
        return a

    # -- queries

    def query(self):
        r = self.r
        label = r.choice(sorted(self.schemas))
        model = r.choice(sorted(self.schemas[label]))
        shape = r.choice("PPPPGGGAAACRMWU")
        self.n = 0
        try:
            q = getattr(self, "shape_" + shape)(label, model)
        except _Retry:
            return None
        if q is None:
            return None
        q.shape_name = shape
        return q

    def shape_W(self, label, model):
        return qgen_funcs.shape_W(self, label, model)

    def shape_U(self, label, model):
        return qgen_combine.shape_U(self, label, model)

    def pre_filters(self, label, model, ops):
        for _ in range(self.r.choice([0, 1, 1, 1, 2])):
            f = self.filter_op(label, model, exclude=self.r.random() < 0.2)
            if f is not None:
                ops.append(f)

    def local_fields(self, label, model):
        return [f.name for f in self.schemas[label][model].fields.values()]

    def shape_P(self, label, model):
        """Per-object annotations, rows."""
        r = self.r
        ops = []
        self.pre_filters(label, model, ops)
        items = []
        for _ in range(r.choice([1, 1, 2, 2, 3])):
            e = self.agg_expr(label, model) if r.random() < 0.7 else self.row_expr(label, model)
            if e is not None:
                items.append((self.name(), e))
        if not items:
            raise _Retry()
        ops.append(Annotate(items))
        aggn = [n for n, e in items if e.has_agg]
        if aggn and r.random() < 0.3:
            n = r.choice(aggn)
            e = dict(items)[n]
            if e.kind in NUM:
                ops.append(Filter([Leaf(n, r.choice(["gt", "gte", "lt", "exact"]),
                                        r.choice([0, 1, 2, 3]))]))
        if r.random() < 0.15:
            f = self.filter_op(label, model)
            if f is not None:
                ops.append(f)
        self.order_and_project(label, model, ops, [n for n, e in items], pk_total=True)
        return Query(label, model, ops)

    def order_and_project(self, label, model, ops, names, pk_total):
        r = self.r
        local = self.local_fields(label, model)
        ordered = r.random() < 0.85
        if ordered:
            keys = []
            for _ in range(r.choice([0, 1, 2])):
                k = r.choice(names + local)
                if k not in [x.lstrip("-") for x in keys]:
                    keys.append(("-" if r.random() < 0.4 else "") + k)
            keys.append(r.choice(["pk", "id", "-pk"]))
            ops.append(OrderBy(keys))
        x = r.random()
        cols = names + r.sample(local, min(len(local), r.choice([1, 2])))
        r.shuffle(cols)
        if x < 0.35:
            ops.append(Values(cols))
        elif x < 0.75:
            if len(cols) > 1 and r.random() < 0.2:
                cols = cols[:1]
            ops.append(ValuesList(cols, flat=len(cols) == 1 and r.random() < 0.6))
        if ordered and r.random() < 0.25:
            lo = r.choice([0, 0, 1])
            ops.append(Slice(lo, lo + r.choice([1, 2, 3])))

    def shape_G(self, label, model):
        """values(keys).annotate(aggregates): GROUP BY."""
        r = self.r
        ops = []
        self.pre_filters(label, model, ops)
        keys = []
        kw = []
        if r.random() < 0.25:
            e = self.row_expr(label, model)
            if e is not None and not isinstance(e, SubqueryX):
                n = self.name()
                ops.append(Annotate([(n, e)]))
                keys.append(n)
        elif r.random() < 0.3 and qgen_funcs.has_dates(self, label, model):
            # values(m=TruncMonth("d")): a time bucket as a grouping key
            e = qgen_funcs.time_expr(self, label, model)
            if e is not None:
                kw.append((self.name(), e))
        for _ in range(r.choice([1, 1, 2]) - len(keys) - len(kw)):
            p = self.path(label, model, max_hops=1, multi=False)
            if p is not None and p.text() not in keys:
                keys.append(p.text())
        keys += [n for n, e in kw]
        if not keys:
            raise _Retry()
        ops.append(Values(keys, exprs=kw))
        items, chain = [], None
        for _ in range(r.choice([1, 1, 2, 3])):
            e = self.agg_expr(label, model, chain)
            if e is not None:
                if chain is None:
                    chain = sorted(e.chains())[0] if e.chains() else ()
                items.append((self.name(), e))
        if not items:
            raise _Retry()
        ops.append(Annotate(items))
        if r.random() < 0.1:
            w = qgen_funcs.group_window(self, keys, items)
            if w is not None:
                ops.append(Annotate([(self.name(), w)]))
        if r.random() < 0.25:
            n, e = r.choice(items)
            if e.kind in NUM:
                ops.append(Filter([Leaf(n, r.choice(["gt", "gte", "lt"]), r.choice([0, 1, 2]))]))
        if r.random() < 0.85:
            ok = [("-" if r.random() < 0.3 else "") + k for k in keys]
            if r.random() < 0.3:
                ok.insert(0, ("-" if r.random() < 0.5 else "") + r.choice(items)[0])
            ops.append(OrderBy(ok))
            if r.random() < 0.2:
                ops.append(Slice(0, r.choice([1, 2])))
        return Query(label, model, ops)

    def shape_A(self, label, model):
        """aggregate(), directly or over per-object annotations."""
        r = self.r
        ops = []
        self.pre_filters(label, model, ops)
        items = []
        if r.random() < 0.35:
            e = self.agg_expr(label, model) if r.random() < 0.7 else self.row_expr(label, model)
            if e is not None and e.kind in NUM:
                n = self.name()
                ops.append(Annotate([(n, e)]))
                func = r.choice(["Sum", "Avg", "Max", "Min", "Count"])
                out = "float" if func == "Avg" and e.kind == "int" else e.kind
                if func == "Count":
                    out = "int"
                items.append((self.name(), Agg(func, FRef(n, e.kind), out)))
        for _ in range(r.choice([1, 1, 2, 3])):
            e = self.agg_expr(label, model, () if ops and isinstance(ops[-1], Annotate) else None)
            if e is not None:
                items.append((self.name(), e))
        if not items:
            raise _Retry()
        return Query(label, model, ops, Aggregate(items))

    def shape_C(self, label, model):
        r = self.r
        ops = []
        self.pre_filters(label, model, ops)
        if r.random() < 0.4:
            e = self.agg_expr(label, model)
            if e is not None:
                n = self.name()
                ops.append(Annotate([(n, e)]))
                if e.kind in NUM and r.random() < 0.7:
                    ops.append(Filter([Leaf(n, r.choice(["gt", "gte", "lt"]), r.choice([0, 1, 2]))]))
        return Query(label, model, ops, CountT())

    def shape_R(self, label, model):
        """Plain rows: filters only."""
        ops = []
        self.pre_filters(label, model, ops)
        if not ops:
            f = self.filter_op(label, model)
            if f is None:
                raise _Retry()
            ops.append(f)
        self.order_and_project(label, model, ops, [], pk_total=True)
        return Query(label, model, ops)

    def shape_M(self, label, model):
        """Two aggregation levels: annotate(n=Agg).values("n").annotate(k=...)."""
        r = self.r
        ops = []
        self.pre_filters(label, model, ops)
        e = self.agg(label, model)
        if e is None:
            raise _Retry()
        n = self.name()
        ops.append(Annotate([(n, e)]))
        ops.append(Values([n]))
        k = self.name()
        inner = r.choice(["count", "sum"])
        if inner == "count":
            ops.append(Annotate([(k, Agg("Count", Path([], "id", "int", False), "int"))]))
        else:
            p = self.path(label, model, max_hops=0, kinds=("int",))
            if p is None:
                raise _Retry()
            ops.append(Annotate([(k, Agg("Sum", p, "int"))]))
        ops.append(OrderBy([n]))
        return Query(label, model, ops)


class _Retry(Exception):
    pass


def generate(schemas, seed, count):
    """count queries from seed, each inside the oracle's shapes."""
    rng = random.Random(seed)
    g = Gen(schemas, rng)
    out = []
    tries = 0
    while len(out) < count and tries < count * 20:
        tries += 1
        q = g.query()
        if q is None or check(q, schemas[q.label]) is not None:
            continue
        out.append(q)
    return out


def tags(q):
    """Shape tags of a query, which known.txt entries can name ("tag:NAME")."""
    if hasattr(q, "parts"):
        return sorted(set().union(*(tags(p) for p in q.parts)))
    out = set()
    agg_before = set()
    for o in q.ops:
        if isinstance(o, Annotate):
            agg_before |= {n for n, e in o.items if e.has_agg}
        if isinstance(o, Values) and o.names and all(n in agg_before for n in o.names):
            out.add("multilevel")
        if isinstance(o, Filter):
            pos, neg = {}, {}
            for lf, ng in o.leaves():
                if not isinstance(lf.path, Path) or not lf.path.multi():
                    continue
                if lf.lookup == "isnull":
                    out.add("multi-isnull")
                first = lf.path.chain()[0]
                (neg if ng else pos).setdefault(first, []).append(lf)
            if any(len(v) > 1 for v in pos.values()) and type(o) is Filter:
                out.add("multi-same-row")
            if type(o) is Filter and any(k in pos for k in neg):
                out.add("multi-neg-mix")
            if type(o) is Filter and _neg_meets_sibling_relation(o):
                out.add("multi-neg-mix")
            if _null_neg_after(o):
                out.add("null-neg-after")
            if _null_isnull_neg(o):
                out.add("null-isnull-neg")
    if isinstance(q.terminal, Aggregate) or any(isinstance(o, Annotate) for o in q.ops):
        for lf in _all_leaves(q):
            if lf.lookup == "isnull" and isinstance(lf.path, Path) and lf.path.multi():
                out.add("multi-isnull")
    return sorted(out)


def _neg_meets_sibling_relation(o):
    """A negated leaf whose first multi-valued relation a positive leaf of
    the same filter() joins too, by another path (LocalPlace's
    bar__reviews and reviews: Bar's reviews are Place's). Django's
    split_exclude correlates its subquery with the sibling's join when the
    subquery's first alias has the name of one the outer query already has
    (the same table), which depends on the operands' order: the
    multi-neg-mix rule, where the paths' first hops differ."""
    pos, neg = set(), []
    for lf, ng in o.leaves():
        if not isinstance(lf.path, Path):
            continue
        multi = [(h.name, h.target) for h in lf.path.hops if h.multi]
        if not multi:
            continue
        if ng:
            neg.append(multi[0])
        else:
            pos |= set(multi)
    return any(k in pos for k in neg)


def _null_neg_after(o):
    """A filter() with an OR, or an exclude(), in which a negated leaf on a
    nullable single-valued relation follows a positive leaf on it: Django
    adds the negation's "IS NOT NULL" guard only if the join is still LEFT
    when the leaf is built, which depends on the sibling before it
    (docs/semantics.md). exclude(~(Q(a) & Q(rel__x)), rel__y): the double
    negation's leaf makes the join inner, rel__y gets no guard."""
    if type(o) is Filter and not any(_has_or(c) for c in o.conds):
        return False
    seen = set()
    for lf, ng in _parity_leaves(o):
        key = _nullable_hop(lf)
        if key is None:
            continue
        if ng and key in seen:
            return True
        if not ng:
            seen.add(key)
    return False


def _nullable_hop(lf):
    """The path up to the first nullable hop of a leaf's single-valued
    relations (Dish's "restaurant__pizzeria": the reverse one-to-one after a
    foreign key), where Django's join turns LEFT; None without one."""
    if not isinstance(lf.path, Path):
        return None
    names = []
    for h in lf.path.hops:
        if h.multi:
            return None
        names.append(h.name)
        if h.null:
            return tuple(names)
    return None


def _parity_leaves(o):
    """The leaves of a filter() or exclude() with Django's current_negated:
    negated under an odd number of negations (a double negation is
    positive), where Node.leaves() says "under any negation"."""
    def walk(c, neg):
        if isinstance(c, Leaf):
            yield c, neg
        elif isinstance(c, Not):
            yield from walk(c.kid, not neg)
        elif isinstance(c, And):
            for k in c.kids:
                yield from walk(k, neg)
    for c in _django_order(o.conds):
        yield from walk(c, o.verb == "exclude")


def _django_order(conds):
    """The conditions in the order Django builds them: filter(*args, **kwargs)
    is Q(*args, *sorted(kwargs.items())), and cond_args() prints compound
    conditions (and a repeated key) as the arguments, leaves as keywords."""
    pos, kws, seen = [], [], set()
    for c in conds:
        if isinstance(c, Leaf) and c.key() not in seen:
            seen.add(c.key())
            kws.append(c)
        else:
            pos.append(c)
    return pos + sorted(kws, key=lambda c: c.key())


def _null_isnull_neg(o):
    """A negated leaf on a nullable single-valued relation after a negated
    isnull=True on it (exclude((Q(p__id__gt=1) | Q(p__id__isnull=True)) &
    Q(p__id__lt=4))): under a negation Django's isnull=True makes the join
    inner, so the later leaf gets no "IS NOT NULL" guard; written the other
    way round it gets one (docs/semantics.md). The same order dependence
    as _null_neg_after."""
    seen = set()
    neg0 = o.verb == "exclude"
    for lf, ng in (x for c in _django_order(o.conds) for x in c.leaves(neg0)):
        key = _nullable_hop(lf) if ng else None
        if key is None:
            continue
        if lf.lookup == "isnull" and lf.value is True:
            seen.add(key)
        elif key in seen:
            return True
    return False


def _has_or(c):
    return isinstance(c, Or) or any(_has_or(k) for k in getattr(c, "kids", [])) \
        or (isinstance(c, Not) and _has_or(c.kid))


def _all_leaves(q):
    for o in q.ops:
        if isinstance(o, Filter):
            for lf, ng in o.leaves():
                yield lf


# The grammar's extensions, which build on the classes above.
import qgen_combine  # noqa: E402
import qgen_funcs    # noqa: E402
