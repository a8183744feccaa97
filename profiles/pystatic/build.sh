#!/usr/bin/env bash
# Builds bin/pystatic (see main.c): the python3 command line, linked from
# Debian's libpython3.11.a with the link flags of pyembed/link_static.go
# (without its --wrap, which wraps gwsgi code that is not here; -no-pie
# because the library is not position-independent).
#
#   profiles/pystatic/build.sh [OUTPUT [LIBDIR]]
#
# OUTPUT (default bin/pystatic, from the repository root) is where the
# executable goes; a libpython3.11.a in LIBDIR is linked instead of
# Debian's (profiles/lto/build.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
out=${1:-bin/pystatic}
libdir=()
if [ -n "${2:-}" ]; then libdir=(-L"$2"); fi
inc=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
mkdir -p "$(dirname "$out")"
gcc -O2 -no-pie -I"$inc" profiles/pystatic/main.c -o "$out" "${libdir[@]}" \
	-Wl,-E -Wl,-Bstatic -lpython3.11 -Wl,-Bdynamic -lexpat -lz -lm -ldl -lutil
