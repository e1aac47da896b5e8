"""qgen_funcs.py -- the generator's database functions, time buckets and windows.

The nodes print alike for ormc and for Django 3.2, whose names and
signatures are the same for everything drawn here (Round() without places,
the one form Django 3.2 has). What is drawn:

  * text functions over a CharField (Upper, Lower, Length, Concat with a
    Value, Substr, Left, Right, StrIndex, Replace, LPad, RPad, Reverse, Trim);
  * math over a number (Abs, Ceil, Floor, Round, Mod, Power, Sqrt of an
    absolute value, Sign, Greatest and Least over columns that are never
    NULL, NullIf) and Cast to IntegerField, FloatField or CharField;
  * time buckets over a DateField or DateTimeField: Trunc* and Extract*
    annotations (also as values() grouping keys, qgen.shape_G) and the
    transforms as lookups (pubdate__quarter=2, seen__date="2024-01-15");
  * Window(expression=..., partition_by=, order_by=, frame=) annotations
    (shape_W: rows, count(), or aggregate() over a window; and ranks over
    the groups of a values() grouping), ordered
    by a unique last key (the pk) where the function needs it to be
    deterministic; never filtered on (Django 3.2 cannot).

Each node's kind follows Django 3.2's output field: Mod, Power and Sqrt of
integers are floats (NumericOutputFieldMixin), Abs, Ceil, Floor, Round and
Sign keep their argument's kind. Ceil, Floor and Round of an integer are
asked of Django as the integer itself (ormc's exact rule, where Django on
PostgreSQL and MySQL rounds through a double).
"""
import qgen
from qgen import NUM, Expr, FRef, Leaf, Lit, Path

# ---------------------------------------------------------------- nodes


class Raw:
    """A literal argument printed as it is (an int length, a field class)."""

    def __init__(self, text):
        self.text = text


class Func(Expr):
    """Name(arg, ...): args are Exprs or Raw texts."""

    def __init__(self, name, args, kind):
        self.name, self.args, self.kind = name, args, kind
        self.has_agg = any(isinstance(a, Expr) and a.has_agg for a in args)

    def text(self, mode, ctx):
        out = []
        for a in self.args:
            if isinstance(a, Expr):
                out.append(a.ormc() if mode == "ormc" else a.dj(ctx))
            else:
                out.append(a.text)
        return "%s(%s)" % (self.name, ", ".join(out))

    def ormc(self):
        return self.text("ormc", None)

    def dj(self, ctx):
        if self.name in ("Floor", "Ceil", "Round") and self.kind == "int":
            # ormc's rule: an integer is its own floor, ceiling and rounding,
            # exactly; Django on PostgreSQL and MySQL computes them in doubles
            # (9e18 for Floor(F("big") - 3)), so the oracle asks for the value
            return self.args[0].dj(ctx)
        return self.text("dj", ctx)

    def exprs(self):
        return [a for a in self.args if isinstance(a, Expr)]

    def refs(self):
        r = set()
        for a in self.exprs():
            r |= a.refs()
        return r

    def chains(self):
        r = set()
        for a in self.exprs():
            r |= a.chains()
        return r

    def paths(self):
        return [p for a in self.exprs() for p in a.paths()]

    def alts(self):
        return [a for a in self.exprs() if a.kind == self.kind]


class Window(Expr):
    """Window(expression=f, partition_by=[...], order_by=[...], frame=...)."""

    def __init__(self, func, partition, order, frame, kind):
        # partition: [FRef] or None; order: [(FRef, desc)] or None; frame: Raw or None
        self.func, self.partition, self.order, self.frame, self.kind = \
            func, partition, order, frame, kind

    def text(self, mode, ctx):
        def t(e):
            return e.ormc() if mode == "ormc" else e.dj(ctx)
        s = "Window(expression=%s" % t(self.func)
        if self.partition:
            s += ", partition_by=[%s]" % ", ".join(t(e) for e in self.partition)
        if self.order:
            s += ", order_by=[%s]" % ", ".join(
                "%s.%s()" % (t(e), "desc" if d else "asc") for e, d in self.order)
        if self.frame is not None:
            s += ", frame=%s" % self.frame.text
        return s + ")"

    def ormc(self):
        return self.text("ormc", None)

    def dj(self, ctx):
        return self.text("dj", ctx)

    def refs(self):
        r = self.func.refs()
        for e in (self.partition or []) + [e for e, d in (self.order or [])]:
            r |= e.refs()
        return r

    def paths(self):
        out = self.func.paths()
        for e in (self.partition or []) + [e for e, d in (self.order or [])]:
            out += e.paths()
        return out

    def alts(self):
        out = []
        if self.frame is not None:
            a = qgen.copy.copy(self)
            a.frame = None
            out.append(a)
        if self.partition:
            a = qgen.copy.copy(self)
            a.partition = None
            out.append(a)
        return out


def fref(p):
    return FRef(p.text(), p.kind, path=p)


# ---------------------------------------------------------------- functions

TEXT = ("Upper", "Lower", "Length", "Concat", "Substr", "Left", "Right", "StrIndex",
        "Replace", "LPad", "RPad", "Reverse", "Trim")
MATH = ("Abs", "Ceil", "Floor", "Round", "Mod", "Power", "Sqrt", "Sign", "Greatest",
        "Least", "NullIf", "Cast", "Cast")


def _char(g, p):
    """A character of one of the field's fixture values (or "a")."""
    v = g.value_for(p)
    return g.r.choice(v) if isinstance(v, str) and v else "a"


def text_expr(g, label, model):
    r = g.r
    p = g.path(label, model, max_hops=1, multi=False, kinds=("str",))
    if p is None:
        return None
    a = fref(p)
    f = r.choice(TEXT)
    if f in ("Upper", "Lower", "Reverse", "Trim"):
        return Func(f, [a], "str")
    if f == "Length":
        return Func(f, [a], "int")
    if f == "Concat":
        q = g.path(label, model, max_hops=1, multi=False, kinds=("str",))
        args = [a, Lit(r.choice(["-", " ", "/"]), "str")]
        if q is not None:
            args.append(fref(q))
        if r.random() < 0.3:
            args.reverse()
        return Func(f, args, "str")
    if f == "Substr":
        args = [a, Raw(str(r.choice([1, 2, 3])))]
        if r.random() < 0.7:
            args.append(Raw(str(r.choice([1, 2, 4]))))
        return Func(f, args, "str")
    if f in ("Left", "Right"):
        return Func(f, [a, Raw(str(r.choice([1, 2, 3, 5])))], "str")
    if f == "StrIndex":
        return Func(f, [a, Lit(_char(g, p), "str")], "int")
    if f == "Replace":
        args = [a, Lit(_char(g, p), "str")]
        if r.random() < 0.7:
            args.append(Lit(r.choice(["_", "", "xy"]), "str"))
        return Func(f, args, "str")
    # LPad, RPad: the length may cut a longer text
    return Func(f, [a, Raw(str(r.choice([2, 6, 10]))), Lit(r.choice(["*", "ab"]), "str")],
                "str")


def math_expr(g, label, model):
    r = g.r
    f = r.choice(MATH)
    nonnull = f in ("Greatest", "Least")
    p = g.path(label, model, max_hops=1, multi=False, kinds=NUM + (("bool",) if f == "Cast"
                                                                   else ()),
               nullable_ok=not nonnull)
    if p is None:
        return None
    # arithmetic may read a nullable column: not for Greatest/Least
    a = fref(p) if r.random() < 0.8 or p.kind == "bool" or nonnull else g.arith(label, model)
    if a is None:
        return None
    k = a.kind
    if f in ("Abs", "Ceil", "Floor", "Round", "Sign"):
        return Func(f, [a], k)
    if f == "Sqrt":
        return Func(f, [Func("Abs", [a], k)], "dec" if k == "dec" else "float")
    if f == "Mod":
        if k == "float":
            return None       # Django 3.2: MOD of a double precision fails on PostgreSQL
        return Func(f, [a, Lit(r.choice([2, 3]), "int")], "dec" if k == "dec" else "float")
    if f == "Power":
        return Func(f, [a, Lit(2, "int")], "dec" if k == "dec" else "float")
    if f in ("Greatest", "Least"):
        # Django 3.2 checks the arguments' field classes pairwise, the first
        # against the others by isinstance(): Greatest(F("id"), Value(2))
        # passes, Greatest(Value(2), F("id")) is "mixed types" (AutoField is
        # an IntegerField, not the reverse). The column goes first, and a
        # second column is of the first's very class.
        cls = g.schemas[label][p.model.name].fields[p.field].cls
        others = [q for q in g.schemas[label][model].fields.values()
                  if q.kind == k and not q.null and q.name != p.field and q.cls == cls] \
            if not p.hops and isinstance(a, FRef) else []
        if others and r.random() < 0.6:
            o = r.choice(others)
            b = FRef(o.name, k)
        elif k == "dec":
            return None      # Value(int) with a decimal is Django's "mixed types"
        else:
            b = Lit(r.choice([1, 2, 3]) if k == "int" else r.choice([1.5, 3.0]), k)
        return Func(f, [a, b], k)
    if f == "NullIf":
        if k == "dec" or not isinstance(a, FRef):
            return None
        return Func(f, [a, Lit(g.value_for(p, near=False), k)], k)
    # Cast
    if k == "bool":
        return Func(f, [a, Raw("IntegerField()")], "int")
    to = r.choice(["IntegerField()", "FloatField()", "CharField()"])
    if to == "CharField()" and k == "float":
        to = "IntegerField()"   # each engine prints a float its own way
    return Func(f, [a, Raw(to)], {"IntegerField()": "int", "FloatField()": "float",
                                  "CharField()": "str"}[to])


TRUNC_DATE = ("TruncYear", "TruncQuarter", "TruncMonth", "TruncWeek", "TruncDay")
EXTRACT = ("ExtractYear", "ExtractQuarter", "ExtractMonth", "ExtractWeek", "ExtractDay",
           "ExtractWeekDay", "ExtractIsoWeekDay", "ExtractIsoYear")


def time_expr(g, label, model):
    """TruncX(F("d")) (a date, or a datetime of a datetime) or ExtractX(F("d")) (an int)."""
    r = g.r
    p = g.path(label, model, max_hops=1, multi=False, kinds=("date", "datetime"))
    if p is None:
        return None
    a = fref(p)
    if r.random() < 0.5:
        fs = TRUNC_DATE + (("TruncDate", "TruncHour") if p.kind == "datetime" else ())
        f = r.choice(fs)
        kind = "date" if f == "TruncDate" else p.kind
        return Func(f, [a], kind)
    f = r.choice(EXTRACT + (("ExtractHour",) if p.kind == "datetime" else ()))
    return Func(f, [a], "int")


def has_dates(g, label, model):
    """Has the model, or a single-valued relation of it, a date or datetime field?"""
    sch = g.schemas[label]
    ms = [sch[model]] + [sch[rl.target] for rl in sch[model].rels.values() if not rl.multi]
    return any(f.kind in ("date", "datetime") for m in ms for f in m.fields.values())


def func_expr(g, label, model):
    """A non-aggregate function annotation: text, math, Cast or a time bucket
    (half of them where the model reaches a date)."""
    if g.r.random() < 0.4 and has_dates(g, label, model):
        return time_expr(g, label, model)
    if g.r.random() < 0.45:
        return text_expr(g, label, model)
    return math_expr(g, label, model)


# ---------------------------------------------------------------- time lookups

def _parts(v):
    """The transforms of a date or datetime fixture value."""
    out = {"year": v.year, "month": v.month, "quarter": (v.month - 1) // 3 + 1,
           "week_day": v.isoweekday() % 7 + 1, "iso_week_day": v.isoweekday(),
           "day": v.day, "week": v.isocalendar()[1], "iso_year": v.isocalendar()[0]}
    if hasattr(v, "hour"):
        out["hour"] = v.hour
        out["date"] = v.date().isoformat()
    return out


def time_leaf(g, p):
    """A lookup through a date transform: d__quarter=2, d__week_day__in=[1, 7], dt__date=..."""
    r = g.r
    vals = p.model.values.get(p.field) or []
    if not vals:
        return None
    v = r.choice(vals)
    parts = _parts(v)
    t = r.choice(["year", "month", "quarter", "week_day", "iso_week_day", "day", "week"] +
                 (["date", "date", "hour"] if "date" in parts else []))
    x = parts[t]
    if t == "date":
        return Leaf(Path(p.hops, p.field + "__date", "date", p.null),
                    r.choice(["exact", "gt", "lte"]), x)
    lk = r.choice(["exact", "exact", "gt", "lte", "in"])
    if lk == "in":
        w = _parts(r.choice(vals))[t]
        return Leaf(Path(p.hops, p.field + "__" + t, "int", p.null), "in", sorted({x, w}))
    return Leaf(Path(p.hops, p.field + "__" + t, "int", p.null), lk, x)


# ---------------------------------------------------------------- windows

RANKS = ("Rank", "DenseRank", "RowNumber", "Ntile")
FRAMES = ("RowRange(start=-1, end=1)", "RowRange(start=None, end=0)",
          "RowRange(start=0, end=None)")


def window_expr(g, label, model, order_keys=None):
    """A window annotation over the model's rows (or, order_keys given, over a grouping's).

    order_keys: [(FRef, desc)] that order the rows totally; by default a
    field or two and then the pk.
    """
    r = g.r
    partition = None
    if order_keys is None and r.random() < 0.5:
        if r.random() < 0.3 and has_dates(g, label, model):
            t = time_expr(g, label, model)      # a time bucket: per year, month...
            if t is not None:
                partition = [t]
        else:
            q = g.path(label, model, max_hops=1, multi=False,
                       kinds=("int", "str", "bool", "date"))
            if q is not None:
                partition = [fref(q)]
    if order_keys is None:
        order = []
        for _ in range(r.choice([0, 1, 1, 2])):
            q = g.path(label, model, max_hops=1, multi=False)
            if q is not None and q.kind != "float":
                order.append((fref(q), r.random() < 0.4))
        order.append((FRef("id", "int"), r.random() < 0.3))
    else:
        order = list(order_keys)
    f = r.choice(RANKS + ("Sum", "Avg", "Min", "Max", "Count", "Lag", "Lead", "FirstValue")
                 if order_keys is None else RANKS)
    frame = None
    if f in RANKS:
        func = Func(f, [Raw(str(r.choice([2, 3])))] if f == "Ntile" else [], "int")
        if f in ("Rank", "DenseRank") and len(order) > 1 and r.random() < 0.7:
            order = order[:-1]    # ties rank alike: no tiebreaker needed
        return Window(func, partition, order, None, "int")
    p = g.path(label, model, max_hops=1, multi=False,
               kinds=NUM if f in ("Sum", "Avg") else
               (NUM + ("str", "date") if f != "Count" else None))
    if p is None:
        return None
    a = fref(p)
    if f in ("Sum", "Avg", "Min", "Max", "Count"):
        kind = {"Count": "int", "Avg": "float" if p.kind == "int" else p.kind}.get(f, p.kind)
        func = Func(f, [a], kind)
        x = r.random()
        if x < 0.3:
            order = None          # the whole partition
        elif x < 0.6:
            frame = Raw(r.choice(FRAMES))
        return Window(func, partition, order, frame, kind)
    if f == "Lag" or f == "Lead":
        args = [a, Raw(str(r.choice([1, 1, 2])))]
        if p.kind == "int" and r.random() < 0.3:
            args.append(Lit(0, "int"))
        return Window(Func(f, args, p.kind), partition, order, None, p.kind)
    return Window(Func("FirstValue", [a], p.kind), partition, order,
                  Raw(FRAMES[0]) if r.random() < 0.3 else None, p.kind)


def shape_W(g, label, model):
    """Window annotations over (filtered) rows, then ordering and projection."""
    r = g.r
    ops = []
    g.pre_filters(label, model, ops)
    items = []
    for _ in range(r.choice([1, 1, 2])):
        e = window_expr(g, label, model)
        if e is not None:
            items.append((g.name(), e))
    if not items:
        raise qgen._Retry()
    if r.random() < 0.3:
        e = func_expr(g, label, model)
        if e is not None:
            items.insert(r.randrange(len(items) + 1), (g.name(), e))
    ops.append(qgen.Annotate(items))
    wins = [(n, e) for n, e in items if isinstance(e, Window) and e.kind in NUM]
    x = r.random()
    if wins and x < 0.15:
        # aggregate() over a window annotation (the query becomes a subquery)
        n, e = r.choice(wins)
        func = r.choice(["Sum", "Max", "Min", "Avg", "Count"])
        kind = {"Count": "int", "Avg": "float" if e.kind == "int" else e.kind}.get(func, e.kind)
        return qgen.Query(label, model, ops, qgen.Aggregate(
            [(g.name(), qgen.Agg(func, FRef(n, e.kind), kind))]))
    if x < 0.2:
        return qgen.Query(label, model, ops, qgen.CountT())
    g.order_and_project(label, model, ops, [n for n, e in items], pk_total=True)
    return qgen.Query(label, model, ops)


def group_window(g, keys, items):
    """Rank the groups of values(keys).annotate(items) by an aggregate, then the keys."""
    r = g.r
    num = [(n, e) for n, e in items if e.kind in ("int", "dec")]
    if not num:
        return None
    n, e = r.choice(num)
    order = [(FRef(n, e.kind), r.random() < 0.6)] + [(FRef(k, "int"), False) for k in keys]
    return window_expr(g, None, None, order_keys=order)
