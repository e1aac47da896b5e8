#!/usr/bin/env bash
# load_batch_test.sh ORMC SOURCE_DIR WORK -- `ormc load` of fixtures that
# span several batches (core/fixture.c reads and writes 2000 objects at a
# time), on every backend: SQLite, PostgreSQL, MariaDB, and each of them
# through ODBC. With the models of tests/loadmig (a natural key, a foreign
# key, a many-to-many field, a datetime):
#
#   big.json       300 customers, 20 tags, 5000 orders of two tags each, then
#                  an order given twice in one batch and an order of the
#                  first batch given again in the last (updates: the
#                  fields, and the links replaced), natural foreign keys in
#                  the last batch and a natural primary key updating a
#                  customer; notes with a tab, a backslash, a quote, a
#                  newline. The counts, sums and a few rows are checked
#                  exactly.
#   mixed.json     orders 4001-6500: existing keys updated, new ones
#                  inserted, across batch boundaries.
#   dangling.json  4000 new orders, the 3990th of a customer that does not
#                  exist: refused with the foreign key named, nothing written.
#   notnull.json   4000 new orders, the 3995th without placed_at: refused by
#                  the engine, the object named, nothing written.
#   sparse.json    keys far apart (looked up as lists, not a range), three
#                  existing, two new.
#   nopk.json      an order without a key: the engine gives it the one after
#                  the largest loaded (the sequences were reset), with links.
#
# And on SQLite the progress on a terminal, from a file and from a pipe;
# the reader: objects larger than its window, from a pipe;
# a missing comma and a bad token named with their line and column; a
# natural key looked up, then changed by an update in the same batch.
#
# The servers are the test fixture's (ORMC_TEST_SERVERS_DIR/servers.env) or
# the user's (ORMC_TEST_POSTGRES_URL, ORMC_TEST_MYSQL_URL); the databases are
# created here (named ormc_loadbatch, or $ORMC_LOADBATCH_DB). A backend that
# cannot be reached fails the test.
set -u
ormc=$1 src=$2 work=$3
models=$src/tests/loadmig/models.py
db=${ORMC_LOADBATCH_DB:-ormc_loadbatch}

for tool in python3 psql mariadb script; do
	command -v $tool >/dev/null || { echo "load_batch: $tool is missing" >&2; exit 1; }
done
. "$src/tests/servers_env.sh"
servers_env load_batch || exit 1

rm -rf "$work"
mkdir -p "$work"
. "$src/tests/checks.sh"

# The fixtures. Order k: customer 1 + k % 300, tags 1 + k % 20 and
# 1 + (k + 3) % 20, placed_at 2026-01-(1 + k % 28) (k % 24):(k % 60) UTC,
# note null when k % 7 == 0, else "n<k>", with a tab, backslash, quote and
# newline when k % 11 == 0.
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]

def order(k, customer=None, placed=True, tags=None, note=None):
    f = {"customer": customer if customer is not None else 1 + k % 300}
    if placed:
        f["placed_at"] = "2026-01-%02dT%02d:%02d:00Z" % (1 + k % 28, k % 24, k % 60)
    else:
        f["placed_at"] = None
    if note is not None:
        f["note"] = note
    elif k % 7 == 0:
        f["note"] = None
    elif k % 11 == 0:
        f["note"] = "n%d\ttab \\ back \"quote\"\nline" % k
    else:
        f["note"] = "n%d" % k
    f["tags"] = tags if tags is not None else [1 + k % 20, 1 + (k + 3) % 20]
    return {"model": "shop.order", "pk": k, "fields": f}

def write(name, objs):
    with open("%s/%s" % (work, name), "w") as out:
        json.dump(objs, out, indent=2)

big = [{"model": "shop.customer", "pk": k,
        "fields": {"username": "u%d" % k, "name": "Customer %d" % k}}
       for k in range(1, 301)]
big += [{"model": "shop.tag", "pk": k, "fields": {"label": "t%d" % k, "lang": "en"}}
        for k in range(1, 21)]
big += [order(k) for k in range(1, 5001)]
# one batch: a new order, then the same key again (an update)
big.append(order(5001, tags=[1, 2, 2]))
big.append(order(5001, customer=2, tags=[3], note="again"))
# the last batch: an order of the first batch again, natural keys
big.append(order(10, customer=["u7"], tags=[["t5", "en"]], note="updated"))
big.append({"model": "shop.customer", "fields": {"username": "u5", "name": "Renamed"}})
write("big.json", big)                                  # 5324 objects
write("mixed.json", [order(k, note="mixed") for k in range(4001, 6501)])
write("dangling.json", [order(k, customer=999 if k == 9990 else None)
                        for k in range(6001, 10001)])
write("notnull.json", [order(k, placed=(k != 9995)) for k in range(6001, 10001)])
# keys far apart, existing and new: looked up as lists, not as a range
write("sparse.json", [order(k, note="sparse") for k in (1, 2500, 5000, 1000000, 2000000)])
# a natural key found, then changed by an update in the same batch
renamed = {"model": "shop.customer", "pk": 6, "fields": {"username": "u6x", "name": "Six"}}
write("stale.json", [order(30001, customer=["u6"]), renamed, order(30002, customer=["u6"])])
write("renamed.json", [order(30001, customer=["u6"]), renamed, order(30002, customer=["u6x"])])
# an order without a key: the engine's, after the sequences were reset
nopk = order(1)
del nopk["pk"]
nopk["fields"]["note"] = "no key"
write("nopk.json", [nopk])
# objects larger than the reader's 64 KB window, read from a pipe
write("long.json", [order(k, note="x" * (100000 * (k - 20000)) + "end")
                    for k in range(20001, 20004)])
# a comma missing before the 3000th object, and a bad token in the 4000th
text = open("%s/big.json" % work).read()
at = 0
for _ in range(2999):
    at = text.index("\n  {", at + 1)
line = text.count("\n", 0, at) + 2
with open("%s/nocomma.json" % work, "w") as out:
    out.write(text[:at - 1] + text[at:])
at = text.index('"pk": 3680,')
with open("%s/badtoken.json" % work, "w") as out:
    out.write(text[:at] + '"pk": 3680x,' + text[at + 11:])
with open("%s/lines" % work, "w") as out:
    out.write("%d %d\n" % (line, text.count("\n", 0, at) + 1))
EOF
[ -s "$work/big.json" ] || { echo "load_batch: cannot make the fixtures" >&2; exit 1; }

psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
	-c "CREATE DATABASE $db" -c "DROP DATABASE IF EXISTS ${db}_odbc WITH (FORCE)" \
	-c "CREATE DATABASE ${db}_odbc" >/dev/null \
	|| { echo "load_batch: cannot create $db on PostgreSQL" >&2; exit 1; }
my_client -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4;
              DROP DATABASE IF EXISTS ${db}_odbc; CREATE DATABASE ${db}_odbc CHARACTER SET utf8mb4" \
	|| { echo "load_batch: cannot create $db on MariaDB" >&2; exit 1; }
names=(sqlite postgresql mysql sqlite-odbc postgresql-odbc mysql-odbc)
urls=("sqlite:$work/native.db" "$pg_base/$db" "$my_base/$db"
	"odbc:Driver={ormc-sqlite3};Database=$work/odbc.db;"
	"odbc:Driver={ormc-postgresql};Server=$pg_host;Port=$pg_port;Database=${db}_odbc;Uid=$pg_user;Pwd=$pg_pass;BoolsAsChar=0;"
	"odbc:Driver={ormc-mariadb};Server=$my_host;Port=$my_port;Database=${db}_odbc;User=$my_user;Password=$my_pass;")

counts='Order.objects.aggregate(orders=Count("id"), customer_sum=Sum("customer"), links=Count("tags"), tag_sum=Sum("tags"))'
rows='Order.objects.filter(id__in=[1, 10, 11, 2345, 4999, 5001]).annotate(tags_n=Count("tags"), first_tag=Min("tags__label")).order_by("id").values("id", "customer__username", "placed_at", "note", "tags_n", "first_tag")'
customers='Customer.objects.filter(id__in=[5, 7, 300]).order_by("id").values_list("id", "username", "name")'
big_counts=$(cat <<'EOF'
{
  "orders": 5001,
  "customer_sum": 742698,
  "links": 10000,
  "tag_sum": 104983
}
EOF
)
big_rows=$(cat <<'EOF'
[
  {"id": 1, "customer__username": "u2", "placed_at": "2026-01-02T01:01:00", "note": "n1", "tags_n": 2, "first_tag": "t2"},
  {"id": 10, "customer__username": "u7", "placed_at": "2026-01-11T10:10:00", "note": "updated", "tags_n": 1, "first_tag": "t5"},
  {"id": 11, "customer__username": "u12", "placed_at": "2026-01-12T11:11:00", "note": "n11\ttab \\ back \"quote\"\nline", "tags_n": 2, "first_tag": "t12"},
  {"id": 2345, "customer__username": "u246", "placed_at": "2026-01-22T17:05:00", "note": null, "tags_n": 2, "first_tag": "t6"},
  {"id": 4999, "customer__username": "u200", "placed_at": "2026-01-16T07:19:00", "note": "n4999", "tags_n": 2, "first_tag": "t20"},
  {"id": 5001, "customer__username": "u2", "placed_at": "2026-01-18T09:21:00", "note": "again", "tags_n": 1, "first_tag": "t3"}
]
EOF
)
big_customers=$(printf '[\n  [5, "u5", "Renamed"],\n  [7, "u7", "Customer 7"],\n  [300, "u300", "Customer 300"]\n]')

for i in "${!urls[@]}"; do
	n=${names[$i]} u=${urls[$i]}
	q=(--format json --models "$models" --db "$u")

	run "$ormc" migrate --models "$models" --db "$u"
	expect "$n: migrate" 0
	run "$ormc" load --models "$models" --db "$u" "$work/big.json"
	expect "$n: load 5324 objects in three batches" 0 "Installed 5324 object(s) from 1 fixture(s)"
	run "$ormc" run "${q[@]}" "$counts"
	expect "$n: the counts and sums" 0 "$big_counts"
	run "$ormc" run "${q[@]}" "$rows"
	expect "$n: rows of every batch, updates and natural keys, exactly" 0 "$big_rows"
	run "$ormc" run "${q[@]}" "$customers"
	expect "$n: a natural primary key in the last batch updates its row" 0 "$big_customers"

	run "$ormc" load --models "$models" --db "$u" "$work/mixed.json"
	expect "$n: load existing and new keys across batches" 0 "Installed 2500 object(s) from 1 fixture(s)"
	run "$ormc" run "${q[@]}" 'Order.objects.aggregate(orders=Count("id"), mixed=Count("id", filter=Q(note="mixed")), links=Count("tags"), first=Min("id", filter=Q(note="mixed")), last=Max("id"))'
	expect "$n: ... updated 4001-5001, inserted 5002-6500" 0 "$(printf '{\n  "orders": 6500,\n  "mixed": 2500,\n  "links": 12999,\n  "first": 4001,\n  "last": 6500\n}')"

	run "$ormc" load --models "$models" --db "$u" "$work/dangling.json"
	expect "$n: a dangling foreign key in the last batch is refused" 1 ""
	has "$n: ... and named" "error: Order pk=9990: field 'customer' refers to Customer pk=999, which does not exist" "$err"
	run "$ormc" load --models "$models" --db "$u" "$work/notnull.json"
	expect "$n: a row the engine refuses in a late batch is refused" 1 ""
	has "$n: ... and its object named" "error: fixture object 3995 (shop.order): " "$err"
	run "$ormc" run "${q[@]}" 'Order.objects.aggregate(orders=Count("id"), links=Count("tags"), last=Max("id"))'
	expect "$n: nothing of the refused loads is written" 0 "$(printf '{\n  "orders": 6500,\n  "links": 12999,\n  "last": 6500\n}')"
	run "$ormc" load --models "$models" --db "$u" "$work/sparse.json"
	expect "$n: keys far apart, existing and new" 0 "Installed 5 object(s) from 1 fixture(s)"
	run "$ormc" run "${q[@]}" 'Order.objects.aggregate(orders=Count("id"), sparse=Count("id", filter=Q(note="sparse")), links=Count("tags"), last=Max("id"))'
	expect "$n: ... three updated, two inserted" 0 "$(printf '{\n  "orders": 6502,\n  "sparse": 5,\n  "links": 13003,\n  "last": 2000000\n}')"
	run "$ormc" load --models "$models" --db "$u" "$work/nopk.json"
	expect "$n: an order without a key" 0 "Installed 1 object(s) from 1 fixture(s)"
	run "$ormc" run "${q[@]}" 'Order.objects.filter(note="no key").values_list("id", "tags__label").order_by("tags__label")'
	expect "$n: ... gets the key after the largest loaded (sequences reset), and its links" 0 "$(printf '[\n  [2000001, "t2"],\n  [2000001, "t5"]\n]')"
done

# The reader (core/fixture_read.c), on SQLite: objects larger than its
# window, from a pipe; syntax errors placed in the whole file.
u=sqlite:$work/reader.db
"$ormc" migrate --models "$models" --db "$u" >/dev/null
"$ormc" load --models "$models" --db "$u" "$work/big.json" >/dev/null
run "$ormc" load --models "$models" --db "$u" - < <(cat "$work/long.json")
expect "objects of 100, 200 and 300 KB from a pipe" 0 "Installed 3 object(s) from 1 fixture(s)"
run "$ormc" run --format csv --models "$models" --db "$u" 'Order.objects.filter(id__gt=20000, note__startswith="xxxxxxxx", note__endswith="xend").aggregate(n=Count("id"))'
expect "... and their notes whole" 0 "$(printf 'n\n3')"
# the progress on a terminal (script(1) gives the load one): of how many
# objects from a file, without the total from a pipe
rm -f "$work/tty.db"
"$ormc" migrate --models "$models" --db "sqlite:$work/tty.db" >/dev/null
tty_out=$(script -qec "'$ormc' load --models '$models' --db 'sqlite:$work/tty.db' '$work/big.json'" /dev/null | tr '\r' '\n')
has "progress over three batches" "loading: 5324/5324 objects (100%)" "$tty_out"
has "... then the Installed line" "Installed 5324 object(s) from 1 fixture(s)" "$tty_out"
tty_out=$(script -qec "cat '$work/mixed.json' | '$ormc' load --models '$models' --db 'sqlite:$work/tty.db' -" /dev/null | tr '\r' '\n')
if [[ $tty_out == *"loading: "*" objects, "*"objects/s"* && $tty_out != *"/2500"* ]]; then
	pass "progress from a pipe, without the total"
else
	fail "progress from a pipe: [$tty_out]"
fi
has "... then the Installed line" "Installed 2500 object(s) from 1 fixture(s)" "$tty_out"
read -r comma_line token_line < "$work/lines"
run "$ormc" load --models "$models" --db "$u" "$work/nocomma.json"
expect "a missing comma is refused" 2 ""
has "... with its line" "invalid fixture JSON: ',' or ']' expected (line $comma_line, column 3)" "$err"
run "$ormc" load --models "$models" --db "$u" "$work/badtoken.json"
expect "a bad token is refused" 2 ""
has "... with its line and column, as jansson gives them for the whole file" "invalid fixture JSON: '}' expected near 'x' (line $token_line, column 15)" "$err"
run "$ormc" run --format csv --models "$models" --db "$u" 'Order.objects.aggregate(n=Count("id"))'
expect "... and nothing of them written" 0 "$(printf 'n\n5004')"
run "$ormc" load --models "$models" --db "$u" "$work/stale.json"
expect "a natural key changed by an update is not found by its old values" 2 ""
has "... and named" "fixture object 3 (shop.order): field 'customer': no Customer has the natural key [\"u6\"]" "$err"
run "$ormc" load --models "$models" --db "$u" "$work/renamed.json"
expect "... but by its new ones" 0 "Installed 3 object(s) from 1 fixture(s)"
run "$ormc" run --format csv --models "$models" --db "$u" 'Order.objects.filter(id__gt=30000).order_by("id").values_list("id", "customer__username")'
expect "... each order of the customer it named" 0 "$(printf 'id,customer__username\n30001,u6x\n30002,u6x')"

psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${db}_odbc WITH (FORCE)" >/dev/null
my_client -e "DROP DATABASE IF EXISTS $db; DROP DATABASE IF EXISTS ${db}_odbc"
if [ "$fails" -gt 0 ]; then
	echo "load_batch: $fails failure(s)"
	exit 1
fi
echo "load_batch: all passed"
