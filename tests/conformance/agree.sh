#!/usr/bin/env bash
# agree.sh OUTDIR COMBO... -- did every combination give the same answers?
#
# Each conformance_<combo> test writes OUTDIR/<combo>.out, one line per case
# ("<file> <n>\t<json or !! error>"). Every combination selected by
# ORMC_TEST_BACKENDS must have run, and all must be identical to the first.
set -u
dir=$1
shift
selected() {
	local list=",${ORMC_TEST_BACKENDS:-all},"
	list=${list// /}
	[ "$list" = ",all," ] || [[ $list == *",$1,"* ]]
}
status=0
ref=
for combo in "$@"; do
	case $combo in
	*-odbc) backend=odbc ;;
	sqlite*) backend=sqlite ;;
	*) backend=$combo ;;
	esac
	if ! selected "$backend"; then
		echo "$combo: not selected by ORMC_TEST_BACKENDS"
		continue
	fi
	out="$dir/$combo.out"
	if [ ! -s "$out" ]; then
		echo "$combo: did not run (no $out)" >&2
		status=1
		continue
	fi
	if [ -z "$ref" ]; then
		ref=$combo
		echo "$combo: $(wc -l < "$out") answers"
		continue
	fi
	if diff -u --label "$ref" --label "$combo" "$dir/$ref.out" "$out" >&2; then
		echo "$combo: same $(wc -l < "$out") answers as $ref"
	else
		status=1
	fi
done
if [ -z "$ref" ]; then
	echo "no combination ran" >&2
	status=1
fi
exit $status
