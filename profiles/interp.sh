#!/usr/bin/env bash
# Compares the interpreter gwsgi embeds with the one bench/'s in-process
# ceiling runs: the same app called in a loop (bench/inproc.py), once by
# /usr/bin/python3 and once by bin/pystatic, a python3 command line linked
# from Debian's libpython3.11.a exactly as gwsgi links it (statically,
# pyembed/link_static.go). Debian's python3 executable is built from the
# same sources with link-time optimisation across the interpreter's files;
# the static library holds the same code without it. When
# profiles/lto/build.sh has built bin/lto/pystatic (the same sources built
# with link-time optimisation for gwsgi), it runs third in each round.
#
#   profiles/interp.sh [ROUNDS [SECONDS]]      (defaults: 3 rounds of 4 s)
#
# Runs on CPU 1 (as the servers in bench/ do), alternating them in each
# round, for the Flask sample's /json and the hello app, and prints the
# µs a call of each run and the ratio of the medians.
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECONDS_RUN=${2:-4}
PY=/usr/bin/python3
profiles/pystatic/build.sh

cpu=1
if [ "$(nproc)" -lt 2 ]; then cpu=0; fi

us() { # us PYTHON DIR SPEC PATH: µs a call of one run
	taskset -c "$cpu" "$1" bench/inproc.py "$2" "$3" "$4" "$SECONDS_RUN" 1 2>/dev/null |
		$PY -c 'import json, sys; print(json.loads(sys.stdin.read())["us_per_call"])'
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# bin/lto/pystatic (profiles/lto/build.sh), when built, runs third.
lto=bin/lto/pystatic
for w in "flask examples/flaskapp app:app /json" "hello examples app:application /"; do
	set -- $w
	name=$1
	shift
	deb="" static="" opt=""
	for _ in $(seq "$ROUNDS"); do
		deb="$deb $(us "$PY" "$@")"
		static="$static $(us bin/pystatic "$@")"
		if [ -x "$lto" ]; then opt="$opt $(us "$lto" "$@")"; fi
	done
	md=$(echo "$deb" | median)
	ms=$(echo "$static" | median)
	printf '%-6s python3 (Debian, LTO):%s µs a call\n' "$name" "$deb"
	printf '%-6s bin/pystatic (as gwsgi): %s µs a call\n' "$name" "$static"
	printf '%-6s medians %s and %s: the embedded build takes %.3f times as long\n' "$name" "$md" "$ms" "$(echo "$ms / $md" | bc -l)"
	if [ -n "$opt" ]; then
		mo=$(echo "$opt" | median)
		printf '%-6s %s:%s µs a call, median %s: %.3f times python3'"'"'s\n' "$name" "$lto" "$opt" "$mo" "$(echo "$mo / $md" | bc -l)"
	fi
done
