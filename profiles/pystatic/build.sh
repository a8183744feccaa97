#!/usr/bin/env bash
# Builds bin/pystatic (see main.c): the python3 command line, linked from
# Debian's libpython3.11.a with the link flags of pyembed/link_static.go
# (without its --wrap, which wraps gwsgi code that is not here; -no-pie
# because the library is not position-independent).
set -euo pipefail

cd "$(dirname "$0")/../.."
inc=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
mkdir -p bin
gcc -O2 -no-pie -I"$inc" profiles/pystatic/main.c -o bin/pystatic \
	-Wl,-E -Wl,-Bstatic -lpython3.11 -Wl,-Bdynamic -lexpat -lz -lm -ldl -lutil
