#!/usr/bin/env bash
# bench/multirel.sh ORMC PG_URL MYSQL_URL [ORDERS] [RUNS] [WORKDIR] -- aggregates
# over two multi-valued chains of one store (its products, and its products'
# orders) in the forms a planner can choose, on each engine (bench/README.md).
# Prints figures; never fails on time. Fails if two correct forms disagree.
#
#   ORDERS    orders to make (default 1000000), over 100,000 products in 1,000 stores
#   RUNS      runs of each query; the best is kept (default 3)
#   WORKDIR   where the SQLite file goes (default: a new temporary directory)
#
# Forms, for Store.objects.annotate(n=Count("products"), revenue=Sum("products__orders__total")):
#   ormc        what ormc writes: each chain in a derived table grouped by
#               the store, LEFT JOINed on it (`ormc run`)
#   correlated  one correlated scalar subquery per chain (the engine's client)
#   join        the naive join of both chains, Django's SQL: wrong numbers
#               (each product counted once per order), for scale only
# and the same three for a small outer query (one city's stores, first 10 by
# id), where DESIGN.md expects correlated subqueries to gain.
#
# Databases named $BENCH_PREFIX_* (default ormc_bench_*) are created on both
# servers and dropped at the end. Needs psql, mariadb and sqlite3.
set -euo pipefail
ormc=$1 pg=$2 my=$3 n=${4:-1000000} runs=${5:-3}
work=${6:-$(mktemp -d)}
prefix=${BENCH_PREFIX:-ormc_bench}
. "$(dirname "$0")/common.sh"
pg_db=${prefix}_multirel my_db=${prefix}_multirel

cleanup() {
	psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" || true
	my_client -e "DROP DATABASE IF EXISTS $my_db" || true
}
trap cleanup EXIT

declare -A url
url[sqlite]=sqlite:$work/${prefix}_multirel.db
rm -f "$work/${prefix}_multirel.db"
"$ormc" migrate "${m[@]}" --db "${url[sqlite]}" >&2
echo "making 1000 stores, 100000 products and $n orders in ${url[sqlite]#sqlite:}" >&2
sqlite3 "${url[sqlite]#sqlite:}" <<SQL
BEGIN;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 1000)
INSERT INTO shop_store (id, name, city) SELECT k, 'Store ' || k, 'City ' || (k % 50) FROM i;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 100000)
INSERT INTO shop_product (id, name, store_id, price, in_stock)
  SELECT k, 'Product ' || k, 1 + (k * 7) % 997, (k % 500) + 0.99, k % 7 <> 0 FROM i;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < $n)
INSERT INTO shop_order (id, product_id, quantity, total, status, created_at)
  SELECT k, 1 + (k * 13) % 99991, 1 + k % 5, ((k * 37) % 100000) / 100.0,
         CASE k % 3 WHEN 0 THEN 'paid' WHEN 1 THEN 'pending' ELSE 'refunded' END,
         datetime('2025-01-01', '+' || ((k * 31) % 31536000) || ' seconds') FROM i;
COMMIT;
ANALYZE;
SQL
psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" -c "CREATE DATABASE $pg_db"
url[postgresql]=$pg_base/$pg_db
my_client -e "DROP DATABASE IF EXISTS $my_db; CREATE DATABASE $my_db CHARACTER SET utf8mb4"
url[mysql]=$my_base/$my_db
for e in postgresql mysql; do
	"$ormc" migrate "${m[@]}" --db "${url[$e]}" >&2
	"$ormc" copy "${m[@]}" --from "${url[sqlite]}" --to "${url[$e]}" >&2
done
psql -q -X "${url[postgresql]}" -c "VACUUM ANALYZE"
my_client "$my_db" -e "ANALYZE TABLE shop_store, shop_product, shop_order" >/dev/null

all='Store.objects.annotate(n=Count("products"), revenue=Sum("products__orders__total")).order_by("id")'
few='Store.objects.filter(city="City 7").annotate(n=Count("products"), revenue=Sum("products__orders__total")).order_by("id")[:10]'
sel_corr='SELECT s.id, s.name, s.city,
  (SELECT COUNT(*) FROM shop_product p WHERE p.store_id = s.id) AS n,
  (SELECT SUM(o.total) FROM shop_product p JOIN shop_order o ON o.product_id = p.id WHERE p.store_id = s.id) AS revenue
FROM shop_store s'
sel_join='SELECT s.id, s.name, s.city, COUNT(p.id) AS n, SUM(o.total) AS revenue
FROM shop_store s LEFT JOIN shop_product p ON p.store_id = s.id LEFT JOIN shop_order o ON o.product_id = p.id'
native() {   # ENGINE SQL -> rows as CSV-ish text
	case $1 in
	sqlite) sqlite3 -csv "${url[sqlite]#sqlite:}" "$2" ;;
	postgresql) psql -q -X -A -F, -t "${url[postgresql]}" -c "$2" ;;
	mysql) my_client -N -B "$my_db" -e "$2" | tr '\t' ',' ;;
	esac
}
now() { date +%s.%N; }
best() {   # COMMAND... -> the best wall time of $runs runs, in seconds
	local i t0 t1 b=
	for ((i = 0; i < runs; i++)); do
		t0=$(now)
		"$@" >/dev/null
		t1=$(now)
		b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN { d = c - a; if (b == "" || d < b) b = d; printf "%.3f", b }')
	done
	echo "$b"
}
# The sums of n and revenue over all rows, as numbers: two correct forms must agree.
sums() { awk -F, '{ n += $(NF-1); r += $NF } END { printf "%d %.2f", n, r }'; }

printf '%-11s %-6s %8s %8s %8s   %s\n' engine outer ormc correl. join "load average"
for e in sqlite postgresql mysql; do
	for shape in all few; do
		if [ $shape = all ]; then
			q=$all corr="$sel_corr ORDER BY s.id" join="$sel_join GROUP BY s.id, s.name, s.city ORDER BY s.id"
		else
			q=$few
			corr="$sel_corr WHERE s.city = 'City 7' ORDER BY s.id LIMIT 10"
			join="$sel_join WHERE s.city = 'City 7' GROUP BY s.id, s.name, s.city ORDER BY s.id LIMIT 10"
		fi
		a=$("$ormc" run "${m[@]}" --db "${url[$e]}" --format csv "$q" | tail -n +2 | sums)
		b=$(native "$e" "$corr" | sums)
		if [ "$a" != "$b" ]; then
			echo "$e $shape: ormc gives $a, the correlated subqueries $b" >&2
			exit 1
		fi
		la=$(cut -d' ' -f1 /proc/loadavg)
		t_ormc=$(best "$ormc" run "${m[@]}" --db "${url[$e]}" --format csv "$q")
		t_corr=$(best native "$e" "$corr")
		t_join=$(best native "$e" "$join")
		printf '%-11s %-6s %8s %8s %8s   %s\n' "$e" "$shape" "$t_ormc" "$t_corr" "$t_join" "$la"
	done
done
