#!/usr/bin/env bash
# Serves the Flask and the Django samples' /json with bin/gwsgi (Debian's
# libpython3.11.a) and bin/lto/gwsgi (the interpreter of
# profiles/lto/build.sh) in turn, ROUNDS times each, under wrk -t1 -c64
# for SECONDS after a 2 s warm-up (server on CPU 1, wrk on CPU 0, as in
# bench/), and prints each run's req/s and
# the mean of its app phase (/debug/gwsgi/phases: the app's call,
# iteration and close(), in µs). profiles/interp.sh compares the same
# interpreters calling the app in a loop of their own.
#
#   profiles/lto/compare.sh [ROUNDS [SECONDS]]      (defaults: 3 rounds of 6 s)
set -euo pipefail

cd "$(dirname "$0")/../.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
ROUNDS=${1:-3}
SECONDS_RUN=${2:-6}
ADDR=127.0.0.1:18090
PPROF=127.0.0.1:6090
[ -x bin/lto/gwsgi ] || profiles/lto/build.sh
go build -o bin/gwsgi ./cmd/gwsgi

server_cpu=1 wrk_cpu=0
if [ "$(nproc)" -lt 2 ]; then server_cpu=0; fi

run() { # run BINARY DIR SPEC: one line of req/s and app phase
	taskset -c "$server_cpu" "$1" -b "$ADDR" --pprof "$PPROF" --chdir "$2" "$3" 2>/dev/null &
	local pid=$!
	for _ in $(seq 100); do
		curl -fs -o /dev/null "http://$ADDR/json" && break
		sleep 0.1
	done
	taskset -c "$wrk_cpu" wrk -t1 -c64 -d2s "http://$ADDR/json" >/dev/null
	curl -fsS -o /dev/null "http://$PPROF/debug/gwsgi/phases?reset=1"
	local rps
	rps=$(taskset -c "$wrk_cpu" wrk -t1 -c64 -d"${SECONDS_RUN}s" "http://$ADDR/json" | awk '/Requests\/sec/ { print $2 }')
	local app
	app=$(curl -fsS "http://$PPROF/debug/gwsgi/phases" | awk '$1 == "app" { print $2 }')
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	printf '%-7s %-14s %9s req/s   app phase %6s µs\n' "${2##*/}" "$1" "$rps" "$app"
}

for app in "examples/flaskapp app:app" "examples/djangoapp djangoapp.wsgi:application"; do
	for _ in $(seq "$ROUNDS"); do
		run bin/gwsgi $app
		run bin/lto/gwsgi $app
	done
done
