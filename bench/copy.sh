#!/usr/bin/env bash
# bench/copy.sh ORMC PG_URL MYSQL_URL [ORDERS] [WORKDIR] -- `ormc copy` of the
# shop order set between every pair of engines, against each engine's own
# dump and load (bench/README.md). Prints figures; never fails on time.
#
#   ORDERS    orders to make (default 1000000), with 1000 products in 10 stores
#   WORKDIR   where the SQLite files go (default: a new temporary directory)
#
# Databases named $BENCH_PREFIX_* (default ormc_bench_*) are created on both
# servers and dropped at the end. Needs psql, pg_dump, mariadb, mariadb-dump
# and sqlite3.
set -euo pipefail
ormc=$1 pg=$2 my=$3 n=${4:-1000000}
work=${5:-$(mktemp -d)}
prefix=${BENCH_PREFIX:-ormc_bench}
. "$(dirname "$0")/common.sh"

# fresh runs in $(...): the databases it makes are listed in files
dbs=$(mktemp -d)
: > "$dbs/pg"
: > "$dbs/my"
cleanup() {
	while read -r d; do psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)"; done < "$dbs/pg"
	while read -r d; do my_client -e "DROP DATABASE IF EXISTS $d"; done < "$dbs/my"
	rm -rf "$dbs"
}
trap cleanup EXIT

# fresh ENGINE NAME -> URL of a new database with the shop tables (migrated)
fresh() {
	local name=${prefix}_$2 url
	case $1 in
	sqlite) rm -f "$work/$name.db"; url=sqlite:$work/$name.db ;;
	postgresql)
		psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
		echo "$name" >> "$dbs/pg"; url=$pg_base/$name ;;
	mysql)
		my_client -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4"
		echo "$name" >> "$dbs/my"; url=$my_base/$name ;;
	esac
	"$ormc" migrate "${m[@]}" --db "$url" >&2
	echo "$url"
}
now() { date +%s.%N; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }   # the machine's load as a step starts
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

declare -A url native
url[sqlite]=$(fresh sqlite src_sqlite)
echo "making $n orders in ${url[sqlite]#sqlite:}" >&2
sqlite3 "${url[sqlite]#sqlite:}" <<SQL
BEGIN;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 10)
INSERT INTO shop_store (id, name, city) SELECT k, 'Store ' || k, 'City ' || (k % 4) FROM i;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 1000)
INSERT INTO shop_product (id, name, store_id, price, in_stock)
  SELECT k, 'Product ' || k, 1 + k % 10, (k % 500) + 0.99, k % 7 <> 0 FROM i;
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < $n)
INSERT INTO shop_order (id, product_id, quantity, total, status, created_at)
  SELECT k, 1 + k % 1000, 1 + k % 5, ((k * 37) % 100000) / 100.0,
         CASE k % 3 WHEN 0 THEN 'paid' WHEN 1 THEN 'pending' ELSE 'refunded' END,
         datetime('2025-01-01', '+' || ((k * 31) % 31536000) || ' seconds') FROM i;
COMMIT;
SQL
rows=$((n + 1010))

declare -A took load
copy() {   # FROM TO -> seconds of ormc copy into a fresh TO database
	local dst t0 t1
	dst=$(fresh "$2" "${1}_to_$2")
	sync   # the previous step's writes are not this one's
	load[$1,$2]=$(loadavg)
	t0=$(now)
	"$ormc" copy "${m[@]}" --from "${url[$1]}" --to "$dst" >&2
	t1=$(now)
	took[$1,$2]=$(secs "$t0" "$t1")
	[ -n "${url[$2]:-}" ] || url[$2]=$dst
}
copy sqlite postgresql
copy sqlite mysql
copy postgresql sqlite
copy postgresql mysql
copy mysql sqlite
copy mysql postgresql

# each engine's own dump and load, data only, into a fresh migrated database
dst=$(fresh postgresql native_pg)
sync
load[postgresql]=$(loadavg)
t0=$(now)
pg_dump --data-only "${url[postgresql]}" | psql -q -X -v ON_ERROR_STOP=1 "$dst" >/dev/null
native[postgresql]=$(secs "$t0" "$(now)")
dst=$(fresh mysql native_my)
sync
load[mysql]=$(loadavg)
t0=$(now)
MYSQL_PWD=$my_pw "${MYDUMP:-mariadb-dump}" --no-defaults -u"$my_user" -h"$my_host" -P"$my_port" \
	--no-create-info --skip-triggers "${url[mysql]##*/}" | my_client "${dst##*/}"
native[mysql]=$(secs "$t0" "$(now)")
# sqlite3's .dump makes the tables too (into an empty file), in one transaction
dst=$work/${prefix}_native_sq.db
rm -f "$dst"
sync
load[sqlite]=$(loadavg)
t0=$(now)
sqlite3 "${url[sqlite]#sqlite:}" .dump | sqlite3 "$dst"
native[sqlite]=$(secs "$t0" "$(now)")

printf '\n%d rows (%d orders)\n\n' "$rows" "$n"
printf '| from | to | ormc copy (s) | rows/s | own dump+load of from / to (s) | ratio to the faster | load average: ormc, own from / to |\n'
printf '|---|---|---|---|---|---|---|\n'
for pair in "sqlite postgresql" "sqlite mysql" "postgresql sqlite" "postgresql mysql" "mysql sqlite" "mysql postgresql"; do
	set -- $pair
	awk -v f="$1" -v t="$2" -v c="${took[$1,$2]}" -v a="${native[$1]}" -v b="${native[$2]}" -v r="$rows" \
		-v l="${load[$1,$2]}" -v la="${load[$1]}" -v lb="${load[$2]}" 'BEGIN {
		ref = a < b ? a : b
		printf "| %s | %s | %.2f | %d | %.2f / %.2f | %.2f | %s, %s / %s |\n", f, t, c, r / c, a, b, c / ref, l, la, lb }'
done
