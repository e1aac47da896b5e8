"""qgen_combine.py -- the generator's combined querysets: union(), intersection(), difference().

Two (sometimes three) querysets of one model, each filtered its own way and
selecting the same fields with values_list() (or values()), combined by
union() (all=True now and then), intersection() or difference(); then
optionally order_by() of the columns with a slice, count(), or aggregate()
of the columns (Count, Sum, Avg, Min, Max).

Django 3.2 fails on aggregate() over a combination on PostgreSQL and
MariaDB, so the oracle computes it in Python from the combined rows Django
gives (djside._rows_aggregate), as current Django and ormc aggregate them.
Not generated: filter() or annotate() after a combination (Django's error,
checked by the conformance suite). Django 3.2's MySQL backend refuses
intersection() and difference() ("not supported on this database
backend"); the expected answer is Django's on PostgreSQL, so that is only a
note of the cross-check (django-mysql-error), as for any engine difference.

Each part is answered by the oracle as a query of its own (qgen.oracle_code):
a filter over a multi-valued relation is asked as pk__in=..., ormc's
semi-join, so a part never repeats a row that union(all=True) would keep.
"""
import copy

import qgen
from qgen import NUM, Agg, Aggregate, Ctx, CountT, Filter, OrderBy, Path, Query, Slice, \
    Values, ValuesList


class Combined(Query):
    """parts[0].verb(parts[1], ...) + ops (order_by, slice) + terminal (count())."""

    def __init__(self, label, model, parts, verb, all_, ops, terminal=None):
        Query.__init__(self, label, model, ops, terminal)
        self.parts, self.verb, self.all = parts, verb, all_

    def combine(self, texts):
        return "%s.%s(%s%s)" % (texts[0], self.verb, ", ".join(texts[1:]),
                                ", all=True" if self.all else "")

    def tail(self, ctx):
        return "".join(o.dj(ctx, self.model) for o in self.ops) + \
            (self.terminal.dj(ctx, self.model) if self.terminal else "")

    def dj_text(self, texts):
        """Django's text of the whole query, the parts' texts given."""
        if not isinstance(self.terminal, Aggregate):
            return self.combine(texts) + self.tail(Ctx())
        specs = [(n, e.func, e.arg.field) for n, e in self.terminal.items]
        return "_rows_aggregate(%s%s, %r, %r)" % (
            self.combine(texts), "".join(o.dj(Ctx(), self.model) for o in self.ops),
            list(self.columns()), specs)

    def ormc(self):
        return self.combine([p.ormc() for p in self.parts]) + \
            "".join(o.ormc() for o in self.ops) + \
            (self.terminal.ormc() if self.terminal else "")

    def dj_with(self, ctx, ops=None, terminal="same"):
        return self.dj_text([p.dj_with(Ctx()) for p in self.parts])

    def oracle_code(self, schema):
        codes = [qgen.oracle_code(p, schema) for p in self.parts]
        return self.dj_text([c for c, rw in codes]), any(rw for c, rw in codes)

    def check(self, schema):
        for p in self.parts:
            why = qgen.check(p, schema)
            if why is not None:
                return why
        if any(isinstance(o, Slice) for o in self.ops) and not self.total_order():
            return "slice without a total order"
        return None

    def candidates(self):
        """Smaller variants for the shrinker (difftest.candidates): a part
        less (of three), union() without all=, a part's filter less, or
        one condition less in it."""
        out = []

        def variant(change):
            c = copy.deepcopy(self)
            change(c)
            out.append(c)
        if len(self.parts) > 2:
            for i in range(len(self.parts)):
                variant(lambda c, i=i: c.parts.pop(i))
        if self.all:
            variant(lambda c: setattr(c, "all", False))
        for pi, p in enumerate(self.parts):
            for oi, o in enumerate(p.ops):
                if not isinstance(o, Filter):
                    continue
                variant(lambda c, pi=pi, oi=oi: c.parts[pi].ops.pop(oi))
                for ci in range(len(o.conds) if len(o.conds) > 1 else 0):
                    variant(lambda c, pi=pi, oi=oi, ci=ci: c.parts[pi].ops[oi].conds.pop(ci))
                for ci, cond in enumerate(o.conds):
                    for alt in cond.alts():
                        def put(c, pi=pi, oi=oi, ci=ci, alt=alt):
                            c.parts[pi].ops[oi].conds[ci] = copy.deepcopy(alt)
                        variant(put)
        return out

    def columns(self):
        return self.parts[0].values_op()[0].names

    def shape(self, schema):
        if isinstance(self.terminal, CountT):
            return "scalar", ["count"]
        if isinstance(self.terminal, Aggregate):
            return "aggregate", [n for n, e in self.terminal.items]
        return self.parts[0].shape(schema)

    def column_kinds(self, schema):
        if isinstance(self.terminal, Aggregate):
            return [e.kind for n, e in self.terminal.items]
        return self.parts[0].column_kinds(schema)

    def total_order(self):
        """Ordered by the pk when every part selects it (a row is then one
        object's, the same in every part), or by every column."""
        keys = None
        for o in self.ops:
            if isinstance(o, OrderBy):
                keys = [k.lstrip("-") for k in o.keys]
        if keys is None:
            return False
        cols = self.columns()
        return ("id" in keys and "id" in cols) or all(c in keys for c in cols)


def shape_U(g, label, model):
    r = g.r
    local = g.local_fields(label, model)
    cols = r.sample(local, min(len(local), r.choice([1, 1, 2, 3])))
    if r.random() < 0.4 and "id" not in cols:
        cols.insert(r.randrange(len(cols) + 1), "id")
    form = r.choice(["lists", "lists", "flat", "values"])
    if len(cols) > 1 and form == "flat":
        form = "lists"
    parts = []
    for _ in range(r.choice([2, 2, 2, 3])):
        ops = []
        if r.random() < 0.8:
            f = g.filter_op(label, model, exclude=r.random() < 0.2)
            if f is not None:
                ops.append(f)
        if form == "values":
            ops.append(Values(list(cols)))
        else:
            ops.append(ValuesList(list(cols), flat=form == "flat"))
        parts.append(Query(label, model, ops))
    verb = r.choice(["union", "union", "union", "intersection", "difference"])
    all_ = verb == "union" and r.random() < 0.35
    ops, terminal = [], None
    x = r.random()
    fields = g.schemas[label][model].fields
    if x < 0.2:
        terminal = CountT()
    elif x < 0.4:
        items = []
        for _ in range(r.choice([1, 1, 2])):
            c = r.choice(cols)
            f = fields[c]
            funcs = ["Count"] + (["Sum", "Avg"] if f.kind in NUM else []) + \
                (["Min", "Max"] if f.kind in NUM + ("str", "date", "datetime") else [])
            func = r.choice(funcs)
            kind = {"Count": "int",
                    "Avg": "float" if f.kind == "int" else f.kind}.get(func, f.kind)
            items.append((g.name(), Agg(func, Path([], c, f.kind, f.null), kind)))
        terminal = Aggregate(items)
    elif x < 0.8:
        keys = [("-" if r.random() < 0.3 else "") + c for c in r.sample(cols, len(cols))]
        if "id" in cols and r.random() < 0.5:
            keys = [k for k in keys if k.lstrip("-") != "id"][:1] + ["id"]
        ops.append(OrderBy(keys))
        if r.random() < 0.5:
            lo = r.choice([0, 0, 1])
            ops.append(Slice(lo, lo + r.choice([1, 2, 3])))
    return Combined(label, model, parts, verb, all_, ops, terminal)
