# checks.sh -- sourced by the shell tests that count their checks:
#
#   work=...   (a folder of the test's own)
#   . "$src/tests/checks.sh"
#
#   run ARGS...                  status in $st, stdout in $out, stderr in $err
#   expect NAME STATUS [STDOUT]  the last run's status (and exact stdout)
#   has NAME TEXT HAYSTACK       TEXT is in HAYSTACK
#   pass NAME, fail MESSAGE      one check; $fails counts the failed
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }
run() {
	"$@" >"$work/out" 2>"$work/err"
	st=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}
expect() {   # name status [stdout-exact]
	if [ "$st" -ne "$2" ]; then
		fail "$1: status $st, expected $2; stderr: $err"
	elif [ $# -ge 3 ] && [ "$out" != "$3" ]; then
		fail "$1: stdout [$out], expected [$3]"
	else
		pass "$1"
	fi
}
has() {   # name text haystack
	if [[ $3 == *"$2"* ]]; then pass "$1"; else fail "$1: [$2] not in [$3]"; fi
}
