#!/usr/bin/env bash
# bench/load.sh ORMC PG_URL MYSQL_URL [ORDERS] [WORKDIR] -- time `ormc load`
# of a shop fixture of ORDERS orders (default 200000, bench/fixture_gen.py)
# into a freshly migrated SQLite, PostgreSQL and MariaDB database, with
# /usr/bin/time -v: wall time, the ormc process's CPU time (user + system)
# and its maximum resident set size (bench/README.md).
# Prints figures; never fails on time.
#
# Databases named $BENCH_PREFIX_load (default ormc_bench_load) are created on
# both servers and dropped at the end.
set -euo pipefail
ormc=$1 pg=$2 my=$3 n=${4:-200000}
work=${5:-$(mktemp -d)}
prefix=${BENCH_PREFIX:-ormc_bench}
name=${prefix}_load
. "$(dirname "$0")/common.sh"
cleanup() {
	psql -q -X "$pg" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" || true
	my_client -e "DROP DATABASE IF EXISTS $name" || true
}
trap cleanup EXIT

fixture=$work/orders_$n.json
[ -s "$fixture" ] || python3 "$src/bench/fixture_gen.py" "$n" > "$fixture"
echo "fixture: $fixture, $(wc -c < "$fixture") bytes; uptime:$(uptime)"
printf '| engine | objects | wall (s) | ormc CPU (s) | max RSS (MB) |\n|---|---|---|---|---|\n'
for engine in sqlite postgresql mysql; do
	case $engine in
	sqlite) rm -f "$work/$name.db"; url=sqlite:$work/$name.db ;;
	postgresql)
		psql -q -X -v ON_ERROR_STOP=1 "$pg" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
		url=$pg_base/$name ;;
	mysql)
		my_client -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4"
		url=$my_base/$name ;;
	esac
	"$ormc" migrate "${m[@]}" --db "$url" >/dev/null
	/usr/bin/time -v -o "$work/time" "$ormc" load "${m[@]}" --db "$url" "$fixture" > "$work/out"
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" |
	       awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$work/time")
	printf '| %s | %s | %s | %s | %d |\n' "$engine" "$(grep -o '[0-9]* object' "$work/out" | cut -d' ' -f1)" \
	       "$wall" "$cpu" $((rss / 1024))
done
echo "uptime after:$(uptime)"
