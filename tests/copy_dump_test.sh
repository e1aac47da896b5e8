#!/usr/bin/env bash
# copy_dump_test.sh ORMC SOURCE_DIR -- `ormc copy` and `ormc dump` on SQLite,
# PostgreSQL and MariaDB (the test fixture's servers, tests/servers.sh).
#
# For the shop and bookstore examples and tests/copydump (every kind of
# value: awkward floats and text, microseconds, NULLs, UUIDs, durations, a
# self reference, a symmetrical many-to-many):
#   - each engine gets the fixture through `ormc load` (the sources);
#   - every source is copied into a migrated database of every other engine:
#     the target's dump is byte for byte the source's, and `ormc compare` of
#     a few aggregates between them finds no difference;
#   - copying into a target that is not empty is refused (nothing changes),
#     and --truncate replaces its rows;
#   - after a copy, a row inserted without a key gets the next key (the
#     sequence / AUTO_INCREMENT / rowid follows the copied keys);
#   - dump, then load into a fresh database of the same engine, dumps the
#     same again, and the dump holds the fixture's objects;
#   - the dump of the SQLite source is byte for byte Django's own
#     `dumpdata` of that database (python3-django, USE_TZ=True);
#   - a copy that fails in its third table (a unique index on the target
#     that the data breaks) leaves every target table empty;
#   - a row referencing a later row of its own table is copied everywhere,
#     and a dangling reference is refused everywhere, nothing written;
#   - SQLite -> MariaDB -> PostgreSQL -> SQLite, then `ormc compare` across
#     the four finds no difference, and one changed row is reported.
#
# A missing server is a failure, never a skip.
set -u
export PGOPTIONS="-c client_min_messages=warning"
ormc=$1
src=$2

. "$src/tests/servers_env.sh"
servers_env copy_dump_test || exit 1

tmp=$(mktemp -d)
# newdb runs in $(...): the databases it makes are listed in files
: > "$tmp/pg_dbs"
: > "$tmp/my_dbs"
cleanup() {
	drop_listed_dbs "$tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT

status=0
ok() { echo "ok - $1"; }
fail() { echo "not ok - $1"; status=1; }

# newdb ENGINE NAME -> a URL of a new empty database
newdb() {
	local name=ormc_cd_$2
	case $1 in
	sqlite)
		rm -f "$tmp/$name.db"
		echo "sqlite:$tmp/$name.db" ;;
	postgresql)
		psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" \
			-c "CREATE DATABASE $name" >/dev/null || return 1
		echo "$name" >> "$tmp/pg_dbs"
		echo "$pg_base/$name" ;;
	mysql)
		my_client -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4" || return 1
		echo "$name" >> "$tmp/my_dbs"
		echo "$my_base/$name" ;;
	esac
}

# sql ENGINE URL STATEMENT: run SQL with the engine's own client
sql() {
	case $1 in
	sqlite) sqlite3 "${2#sqlite:}" "$3" ;;
	postgresql) psql -q -X -v ON_ERROR_STOP=1 "$2" -c "$3" >/dev/null ;;
	mysql) my_client "${2##*/}" -e "$3" ;;
	esac
}

engines="sqlite postgresql mysql"
django_dump() {   # DB-FILE APP -> Django's dumpdata of the app on that SQLite file
	/usr/bin/python3 - "$src" "$1" "$2" <<'PY'
import io, os, sys
src, path, label = sys.argv[1:4]
sys.path[:0] = [os.path.join(src, "examples"), os.path.join(src, "tests")]
import django
from django.conf import settings
settings.configure(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
                   INSTALLED_APPS=[label], USE_TZ=True, TIME_ZONE="UTC",
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from django.core.management import call_command
out = io.StringIO()
call_command("dumpdata", label, stdout=out)
sys.stdout.write(out.getvalue())
PY
}

for ex in shop bookstore copydump; do
	dir=$src/examples/$ex
	[ $ex = copydump ] && dir=$src/tests/copydump
	models=$dir/models.py
	m=(--models "$models" --app-label "$ex")
	case $ex in
	shop)
		table=shop_order model=Order victim=shop_product column=store_id
		queries='Order.objects.values("product__store__city").annotate(n=Count("id"), revenue=Sum("total")).order_by("product__store__city")
Product.objects.annotate(sold=Sum("orders__quantity", default=0)).order_by("name", "id").values_list("name", "sold")
Order.objects.order_by("id").values("id", "status", "total", "created_at")' ;;
	bookstore)
		table=bookstore_author model=Author victim=bookstore_book column=publisher_id
		queries='Book.objects.aggregate(Avg("price"), Sum("rating"), Max("pubdate"))
Publisher.objects.annotate(n=Count("book"), authors=Count("book__authors", distinct=True)).order_by("id").values_list("name", "n", "authors")
Book.objects.order_by("id").values("id", "name", "rating", "price", "pubdate")
Store.objects.annotate(n=Count("books")).order_by("id").values_list("id", "n")' ;;
	copydump)
		table=copydump_kind model=Kind victim=copydump_kind column=amount
		queries='Kind.objects.order_by("id").values_list("id", "label", "note", "ratio", "amount", "born", "seen", "at", "spent", "token", "flag", "big", "parent")
Kind.objects.aggregate(Sum("big"), Max("seen"), Min("at"), Sum("amount"), Count("friends"))
Kind.objects.annotate(n=Count("friends")).order_by("id").values_list("id", "n")' ;;
	esac
	printf '%s\n' "$queries" > "$tmp/$ex.queries"

	# the sources, and each one's dump
	declare -A srcurl=()
	for e in $engines; do
		url=$(newdb "$e" "${ex}_src_$e") || { fail "$ex: create the $e source"; continue; }
		srcurl[$e]=$url
		if "$ormc" migrate "${m[@]}" --db "$url" && "$ormc" load "${m[@]}" --db "$url" "$dir/fixture.json" &&
			"$ormc" dump "${m[@]}" --db "$url" > "$tmp/${ex}_src_$e.json"; then
			ok "$ex: $e source loaded and dumped"
		else
			fail "$ex: $e source loaded and dumped"
		fi
	done
	# the sources' dumps agree with each other and hold the fixture's objects
	for e in $engines; do
		if cmp -s "$tmp/${ex}_src_sqlite.json" "$tmp/${ex}_src_$e.json"; then
			ok "$ex: the $e dump is the sqlite dump"
		else
			fail "$ex: the $e dump is the sqlite dump"
			diff "$tmp/${ex}_src_sqlite.json" "$tmp/${ex}_src_$e.json" | head -5
		fi
	done
	if python3 - "$dir/fixture.json" "$tmp/${ex}_src_postgresql.json" <<'PY'
import json, re, sys
def objects(path):
    out = []
    for o in json.load(open(path)):
        fields = {}
        for k, v in o["fields"].items():
            if isinstance(v, list):
                v = sorted(v)
            elif k != "spent" and isinstance(v, str) and re.match(r"^(\d{4}-\d\d-\d\dT)?\d\d:\d\d:\d\d(\.\d+)?Z?$", v):
                # the fixtures are naive UTC, the dump says so; Django cuts
                # microseconds to milliseconds
                v = re.sub(r"(\.\d{3})\d*", r"\1", v.rstrip("Z"))
            fields[k] = v
        out.append((o["model"], o["pk"], json.dumps(fields, sort_keys=True)))
    return sorted(out)
a, b = objects(sys.argv[1]), objects(sys.argv[2])
for x, y in zip(a, b):
    if x != y:
        print("fixture:", x); print("dump:   ", y); break
sys.exit(0 if a == b else 1)
PY
	then
		ok "$ex: the dump holds the fixture's objects"
	else
		fail "$ex: the dump holds the fixture's objects"
	fi

	# Django's own dumpdata of the SQLite source
	if django_dump "$tmp/ormc_cd_${ex}_src_sqlite.db" "$ex" > "$tmp/${ex}_django.json" &&
		cmp -s "$tmp/${ex}_django.json" "$tmp/${ex}_src_sqlite.json"; then
		ok "$ex: the dump is byte for byte Django's dumpdata"
	else
		fail "$ex: the dump is byte for byte Django's dumpdata"
		cmp "$tmp/${ex}_django.json" "$tmp/${ex}_src_sqlite.json"
	fi

	# dump -> load -> dump on each engine
	for e in $engines; do
		url=$(newdb "$e" "${ex}_rt_$e") || { fail "$ex: create $e round trip"; continue; }
		if "$ormc" migrate "${m[@]}" --db "$url" && "$ormc" load "${m[@]}" --db "$url" "$tmp/${ex}_src_$e.json" &&
			"$ormc" dump "${m[@]}" --db "$url" > "$tmp/${ex}_rt_$e.json" &&
			cmp -s "$tmp/${ex}_src_$e.json" "$tmp/${ex}_rt_$e.json"; then
			ok "$ex: $e dump, load, dump gives the same dump"
		else
			fail "$ex: $e dump, load, dump gives the same dump"
		fi
	done

	# every pair of engines
	for s in $engines; do
		for t in $engines; do
			[ "$s" = "$t" ] && continue
			what="$ex: copy $s -> $t"
			url=$(newdb "$t" "${ex}_${s}_$t") || { fail "$what: create target"; continue; }
			"$ormc" migrate "${m[@]}" --db "$url" || { fail "$what: migrate"; continue; }
			if ! "$ormc" copy "${m[@]}" --from "${srcurl[$s]}" --to "$url" > "$tmp/out" 2>&1; then
				fail "$what"
				cat "$tmp/out"
				continue
			fi
			if grep -q '^copied [0-9]* tables, ' "$tmp/out"; then
				ok "$what: summary line"
			else
				fail "$what: summary line"
				cat "$tmp/out"
			fi
			if "$ormc" dump "${m[@]}" --db "$url" > "$tmp/dump.json" &&
				cmp -s "$tmp/${ex}_src_$s.json" "$tmp/dump.json"; then
				ok "$what: the target dumps as the source"
			else
				fail "$what: the target dumps as the source"
				diff "$tmp/${ex}_src_$s.json" "$tmp/dump.json" | head -5
			fi
			# every value, microseconds and all (the JSON forms cut them)
			if "$ormc" run "${m[@]}" --db "${srcurl[$s]}" --format csv --file "$tmp/$ex.queries" > "$tmp/a.csv" &&
				"$ormc" run "${m[@]}" --db "$url" --format csv --file "$tmp/$ex.queries" > "$tmp/b.csv" &&
				cmp -s "$tmp/a.csv" "$tmp/b.csv"; then
				ok "$what: every value reads back the same"
			else
				fail "$what: every value reads back the same"
				diff "$tmp/a.csv" "$tmp/b.csv" | head -6
			fi
			"$ormc" compare "${m[@]}" --db "${srcurl[$s]}" --db "$url" --file "$tmp/$ex.queries" > "$tmp/cmp" 2>&1
			rc=$?
			if [ $rc -eq 0 ] && grep -q ', 0 with differences' "$tmp/cmp"; then
				ok "$what: compare finds no difference"
			else
				fail "$what: compare finds no difference (exit $rc)"
				cat "$tmp/cmp"
			fi
			# a second copy into the now full target is refused, nothing changes
			"$ormc" copy "${m[@]}" --from "${srcurl[$s]}" --to "$url" > "$tmp/out" 2>&1
			rc=$?
			"$ormc" dump "${m[@]}" --db "$url" > "$tmp/dump2.json"
			if [ $rc -eq 2 ] && grep -q 'is not empty' "$tmp/out" && cmp -s "$tmp/dump.json" "$tmp/dump2.json"; then
				ok "$what: a copy into a non-empty target is refused"
			else
				fail "$what: a copy into a non-empty target is refused (exit $rc)"
				cat "$tmp/out"
			fi
			# the key sequences follow the copied keys
			max=$("$ormc" run "${m[@]}" --db "$url" --format csv "$model.objects.aggregate(m=Max(\"id\"))" | tail -1)
			case $ex in
			shop) extra='[{"model": "shop.order", "fields": {"product": 1, "quantity": 1, "total": "1.00", "status": "paid", "created_at": "2026-01-01T00:00:00"}}]' ;;
			bookstore) extra='[{"model": "bookstore.author", "fields": {"name": "New", "age": 40}}]' ;;
			copydump) extra='[{"model": "copydump.kind", "fields": {"label": "new"}}]' ;;
			esac
			echo "$extra" > "$tmp/extra.json"
			new=$("$ormc" load "${m[@]}" --db "$url" "$tmp/extra.json" >/dev/null &&
				"$ormc" run "${m[@]}" --db "$url" --format csv "$model.objects.aggregate(m=Max(\"id\"))" | tail -1)
			if [ -n "$max" ] && [ "$new" = "$((max + 1))" ]; then
				ok "$what: a new row gets the key after the copied ones ($new)"
			else
				fail "$what: a new row gets the key after the copied ones (max $max, new '$new')"
			fi
			# --truncate replaces the rows
			if "$ormc" copy "${m[@]}" --from "${srcurl[$s]}" --to "$url" --truncate > "$tmp/out" 2>&1 &&
				"$ormc" dump "${m[@]}" --db "$url" > "$tmp/dump3.json" &&
				cmp -s "$tmp/${ex}_src_$s.json" "$tmp/dump3.json"; then
				ok "$what: --truncate replaces the target's rows"
			else
				fail "$what: --truncate replaces the target's rows"
				cat "$tmp/out"
			fi
		done
	done

	# a copy that fails part way leaves the target as it was (empty)
	for t in $engines; do
		what="$ex: a copy into $t that fails in $victim"
		url=$(newdb "$t" "${ex}_fail_$t") || { fail "$what: create target"; continue; }
		"$ormc" migrate "${m[@]}" --db "$url" || { fail "$what: migrate"; continue; }
		sql "$t" "$url" "CREATE UNIQUE INDEX ormc_cd_breaks ON $victim ($column)"
		"$ormc" copy "${m[@]}" --from "${srcurl[sqlite]}" --to "$url" > "$tmp/out" 2>&1
		rc=$?
		"$ormc" dump "${m[@]}" --db "$url" > "$tmp/dump.json"
		if [ $rc -eq 1 ] && grep -q "copying table \"$victim\"" "$tmp/out" &&
			[ "$(tr -d '\n' < "$tmp/dump.json")" = "[]" ]; then
			ok "$what: refused, nothing written"
		else
			fail "$what: refused, nothing written (exit $rc)"
			cat "$tmp/out"
			head -3 "$tmp/dump.json"
		fi
	done

	# SQLite -> MariaDB -> PostgreSQL -> SQLite, compared across the four
	a=${srcurl[sqlite]}
	b=$(newdb mysql "${ex}_chain_my") && c=$(newdb postgresql "${ex}_chain_pg") && d=$(newdb sqlite "${ex}_chain_sq")
	for u in "$b" "$c" "$d"; do "$ormc" migrate "${m[@]}" --db "$u"; done
	if "$ormc" copy "${m[@]}" --from "$a" --to "$b" >/dev/null && "$ormc" copy "${m[@]}" --from "$b" --to "$c" >/dev/null &&
		"$ormc" copy "${m[@]}" --from "$c" --to "$d" >/dev/null; then
		"$ormc" compare "${m[@]}" --db "$a" --db "$b" --db "$c" --db "$d" --file "$tmp/$ex.queries" > "$tmp/cmp" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && grep -q ', 0 with differences' "$tmp/cmp"; then
			ok "$ex: sqlite -> mysql -> postgresql -> sqlite compares equal across the four"
		else
			fail "$ex: sqlite -> mysql -> postgresql -> sqlite compares equal across the four (exit $rc)"
			cat "$tmp/cmp"
		fi
		case $ex in
		shop) sql postgresql "$c" "UPDATE shop_order SET total = total + 1 WHERE id = 2" ;;
		bookstore) sql postgresql "$c" "UPDATE bookstore_book SET rating = rating + 0.5 WHERE id = 2" ;;
		copydump) sql postgresql "$c" "UPDATE copydump_kind SET big = big + 1 WHERE id = 2" ;;
		esac
		"$ormc" compare "${m[@]}" --db "$a" --db "$b" --db "$c" --db "$d" --file "$tmp/$ex.queries" > "$tmp/cmp" 2>&1
		rc=$?
		if [ $rc -eq 1 ] && grep -q 'db3' "$tmp/cmp"; then
			ok "$ex: one changed row on PostgreSQL is reported"
		else
			fail "$ex: one changed row on PostgreSQL is reported (exit $rc)"
			cat "$tmp/cmp"
		fi
	else
		fail "$ex: sqlite -> mysql -> postgresql -> sqlite"
	fi
	unset srcurl
done

# a row that references a later row of its own table is copied to every
# engine; a reference to no row (made behind SQLite's back) is refused by
# every engine, with nothing written
m=(--models "$src/tests/copydump/models.py" --app-label copydump)
tree=$(newdb sqlite tree)
"$ormc" migrate "${m[@]}" --db "$tree"
echo '[{"model": "copydump.kind", "pk": 1, "fields": {"label": "child", "parent": 2}}, {"model": "copydump.kind", "pk": 2, "fields": {"label": "parent"}}]' > "$tmp/tree.json"
"$ormc" load "${m[@]}" --db "$tree" "$tmp/tree.json"
"$ormc" dump "${m[@]}" --db "$tree" > "$tmp/tree.dump"
for t in sqlite postgresql mysql; do
	url=$(newdb "$t" "tree_$t") && "$ormc" migrate "${m[@]}" --db "$url"
	if "$ormc" copy "${m[@]}" --from "$tree" --to "$url" > "$tmp/out" 2>&1 &&
		"$ormc" dump "${m[@]}" --db "$url" | cmp -s - "$tmp/tree.dump"; then
		ok "a row referencing a later row of its table is copied into $t"
	else
		fail "a row referencing a later row of its table is copied into $t"
		cat "$tmp/out"
	fi
done
sqlite3 "${tree#sqlite:}" "UPDATE copydump_kind SET parent_id = 99 WHERE id = 1"
for t in sqlite postgresql mysql; do
	url=$(newdb "$t" "dangle_$t") && "$ormc" migrate "${m[@]}" --db "$url"
	"$ormc" copy "${m[@]}" --from "$tree" --to "$url" > "$tmp/out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && [ "$("$ormc" dump "${m[@]}" --db "$url")" = "[]" ] &&
		{ [ $t = postgresql ] || grep -q 'parent_id 99 refers to no row of "copydump_kind"' "$tmp/out"; }; then
		ok "a dangling reference is refused by $t, nothing written"
	else
		fail "a dangling reference is refused by $t, nothing written (exit $rc)"
		cat "$tmp/out"
	fi
done

# through ODBC (psqlODBC, MariaDB Connector/ODBC): SQLite -> PostgreSQL ->
# MariaDB, by multi-row INSERT with bound values
m=(--models "$src/examples/bookstore/models.py" --app-label bookstore)
pgo=$(newdb postgresql odbc_pg) && myo=$(newdb mysql odbc_my)
opg="odbc:Driver={ormc-postgresql};Server=$pg_host;Port=$pg_port;Database=${pgo##*/};Uid=$pg_user;Pwd=$pg_pass;BoolsAsChar=0;"
omy="odbc:Driver={ormc-mariadb};Server=$my_host;Port=$my_port;Database=${myo##*/};User=$my_user;Password=$my_pass;"
if "$ormc" migrate "${m[@]}" --db "$opg" && "$ormc" migrate "${m[@]}" --db "$omy" &&
	"$ormc" copy "${m[@]}" --from "sqlite:$tmp/ormc_cd_bookstore_src_sqlite.db" --to "$opg" > /dev/null &&
	"$ormc" copy "${m[@]}" --from "$opg" --to "$omy" > /dev/null &&
	"$ormc" dump "${m[@]}" --db "$omy" > "$tmp/odbc.json" &&
	cmp -s "$tmp/bookstore_src_sqlite.json" "$tmp/odbc.json"; then
	ok "bookstore: copy sqlite -> odbc:postgresql -> odbc:mariadb, dumps as the source"
else
	fail "bookstore: copy sqlite -> odbc:postgresql -> odbc:mariadb, dumps as the source"
fi

# on a terminal, a progress line per table with rows/s
if script -qec "$(printf '%q ' "$ormc" copy "${m[@]}" --from "sqlite:$tmp/ormc_cd_bookstore_src_sqlite.db" --to "$opg" --truncate)" /dev/null > "$tmp/tty" 2>&1 &&
	grep -q '\[6/6\] bookstore_store_books *9 / 9 rows 100%.*rows/s' "$tmp/tty"; then
	ok "copy on a terminal shows a progress line per table"
else
	fail "copy on a terminal shows a progress line per table"
	cat -v "$tmp/tty" | head -5
fi

# dump of named models only, and usage errors
"$ormc" dump "${m[@]}" --db "sqlite:$tmp/ormc_cd_bookstore_src_sqlite.db" Author Publisher > "$tmp/some.json"
if [ $? -eq 0 ] && [ "$(grep -c '"model": "bookstore.author"' "$tmp/some.json")" -gt 0 ] &&
	! grep -q '"bookstore.book"' "$tmp/some.json"; then
	ok "dump MODEL ... dumps those models only"
else
	fail "dump MODEL ... dumps those models only"
fi
"$ormc" dump "${m[@]}" --db "sqlite:$tmp/ormc_cd_bookstore_src_sqlite.db" Nope > "$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "no model 'Nope'" "$tmp/out"; then
	ok "dump of an unknown model is bad input"
else
	fail "dump of an unknown model is bad input (exit $rc)"
fi
"$ormc" copy "${m[@]}" --from "sqlite:$tmp/ormc_cd_bookstore_src_sqlite.db" --to "sqlite:$tmp/none.db" > "$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q 'ormc migrate' "$tmp/out"; then
	ok "copy into a database without the tables says to migrate"
else
	fail "copy into a database without the tables says to migrate (exit $rc)"
	cat "$tmp/out"
fi
"$ormc" copy "${m[@]}" --from "sqlite:$tmp/x.db" > "$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'copy needs --from URL and --to URL' "$tmp/out"; then
	ok "copy without --to is a usage error"
else
	fail "copy without --to is a usage error (exit $rc)"
fi

# JSON and binary fields, and multi-table inheritance (tests/conformance/inherit):
# copied along a chain of engines, the dumps stay the same text.
m=(--models "$src/tests/conformance/inherit/models.py")
prev=
for e in sqlite postgresql mysql; do
	url=$(newdb "$e" "inherit_$e") || { fail "inherit: create the $e database"; continue; }
	if ! "$ormc" migrate "${m[@]}" --db "$url" > /dev/null; then
		fail "inherit: migrate $e"
		continue
	fi
	if [ -z "$prev" ]; then
		"$ormc" load "${m[@]}" --db "$url" "$src/tests/conformance/inherit/fixture.json" > /dev/null ||
			fail "inherit: load the sqlite source"
	elif ! "$ormc" copy "${m[@]}" --from "$prev" --to "$url" > /dev/null; then
		fail "inherit: copy into $e"
	fi
	"$ormc" dump "${m[@]}" --db "$url" > "$tmp/inherit_$e.json" || fail "inherit: dump $e"
	prev=$url
done
if cmp -s "$tmp/inherit_sqlite.json" "$tmp/inherit_postgresql.json" &&
   cmp -s "$tmp/inherit_sqlite.json" "$tmp/inherit_mysql.json" &&
   grep -q '"data": {"a": "x", "b": \[1, 2\]}' "$tmp/inherit_sqlite.json" &&
   grep -q '"blob": "AAFoaf8="' "$tmp/inherit_sqlite.json"; then
	ok "inherit: JSON, binary and inherited rows copied SQLite -> PostgreSQL -> MariaDB, the same dump"
else
	fail "inherit: JSON, binary and inherited rows copied SQLite -> PostgreSQL -> MariaDB, the same dump"
fi
exit $status
