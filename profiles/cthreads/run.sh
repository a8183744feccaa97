#!/usr/bin/env bash
# Serves the sleep workload (bench/apps benchapp:application, GET /sleep:
# time.sleep(0.01), 512 connections) alternately with gwsgi's default
# budget and with srv.c, a server whose POSIX threads run the app under
# the GIL outside any Go runtime, in three variants (see srv.c):
#
#   srv              a thread per request from a queue; the GIL let go around the write
#   srv-batch        the GIL kept around the write, and the next queued request taken with it
#   srv-batch-nogil  the next queued request taken, the GIL let go around the write
#
#   profiles/cthreads/run.sh [ROUNDS [SECONDS]]     (defaults: 3 rounds of 5 s)
#
# Each server is pinned to CPU 1 and wrk to CPU 0, as in bench/; each run
# prints its requests/s, p99 and the server's CPU time a request (user +
# system, from /proc/PID/stat).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
SECS=${2:-5}
PORT=18190
make -s build >/dev/null
mkdir -p bin/cthreads
flags="$(pkg-config --cflags --libs python3-embed) -lpthread"
gcc -O2 -Wall -Wextra -o bin/cthreads/srv profiles/cthreads/srv.c -DWRITE_NOGIL $flags
gcc -O2 -Wall -Wextra -o bin/cthreads/srv-batch profiles/cthreads/srv.c -DBATCH $flags
gcc -O2 -Wall -Wextra -o bin/cthreads/srv-batch-nogil profiles/cthreads/srv.c -DBATCH -DWRITE_NOGIL $flags

pids() { ss -ltnp | grep ":$PORT " | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u; }
ticks() { local t=0 p; for p in $(pids); do t=$((t + $(sed 's/.*) //' /proc/$p/stat | awk '{print $12 + $13}'))); done; echo $t; }

run() { # run NAME: one measured run
	case $1 in
	gwsgi) taskset -c 1 bin/gwsgi -b 127.0.0.1:$PORT --chdir bench/apps benchapp:application >/dev/null 2>&1 & ;;
	*) taskset -c 1 bin/cthreads/$1 $PORT bench/apps benchapp application 512 >/dev/null 2>&1 & ;;
	esac
	for _ in $(seq 100); do curl -fs -o /dev/null http://127.0.0.1:$PORT/sleep && break; sleep 0.1; done
	taskset -c 0 wrk -t1 -c512 -d2s http://127.0.0.1:$PORT/sleep >/dev/null
	local t0 t1 out rps
	t0=$(ticks)
	out=$(taskset -c 0 wrk -t1 -c512 -d${SECS}s --latency http://127.0.0.1:$PORT/sleep)
	t1=$(ticks)
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	printf '%-16s %9s req/s  p99 %-8s %5.1f µs CPU a request %s\n' "$1" "$rps" \
		"$(echo "$out" | awk '$1 == "99%" {print $2}')" \
		"$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v r="$rps" -v s="$SECS" 'BEGIN { print t * 1e6 / hz / (r * s) }')" \
		"$(echo "$out" | grep -E 'Socket errors|Non-2xx' | tr '\n' ' ')"
	for p in $(pids); do kill "$p"; done
	sleep 1
	wait
}

for r in $(seq "$ROUNDS"); do
	echo "round $r"
	for s in gwsgi srv srv-batch srv-batch-nogil; do run $s; done
done
