#!/usr/bin/env bash
# Builds the interpreter gwsgi embeds from the same Debian sources as
# Debian's python3 executable, with link-time optimisation and a profile
# (PGO) as Debian builds that executable, and links gwsgi and the python3
# command line against it, to measure what the build is worth
# (profiles/lto/compare.sh). Outputs, in bin/lto/:
#
#   lib/libpython3.11.a   the interpreter, optimised across its files and
#                         linked into one object (no LTO left for gwsgi's link)
#   gwsgi                 gwsgi linked against it (CGO_LDFLAGS=-L bin/lto/lib)
#   pystatic              profiles/pystatic linked against it
#
#   profiles/lto/build.sh          (about 20 minutes on 2 CPUs; once)
#
# The sources are the Debian source package of the installed
# libpython3.11-dev (deb.debian.org's pool), checked against the .dsc's
# SHA-256 sums, with Debian's patches applied and Debian's configure
# options (less dtrace), its Setup.local (the same built-in modules as
# libpython3.11.a), --enable-optimizations --with-lto and the interpreter's
# own profile task (python -m test --pgo); nothing else is changed.
#
# gwsgi times the GIL waits of an app through a link-time wrapper of
# PyEval_RestoreThread (-Wl,--wrap, pyembed/link_static.go), which only
# sees calls from other object files: in this one-object build it sees
# gwsgi's own, and the app's waits (time.sleep, sockets) count in its app
# phase instead of gil.
set -euo pipefail

cd "$(dirname "$0")/../.."
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"
ROOT=$PWD
OUT=$ROOT/bin/lto
WORK=$OUT/work
POOL=${POOL:-http://deb.debian.org/debian/pool/main/p/python3.11}

ver=$(dpkg-query -W -f='${Version}' libpython3.11-dev)
upstream=${ver%%-*}
mkdir -p "$WORK" "$OUT/lib"
cd "$WORK"

fetch() { [ -s "$1" ] || curl -fsS -o "$1" "$POOL/$1"; }
dsc=python3.11_$ver.dsc
fetch "$dsc"
for f in "python3.11_$upstream.orig.tar.gz" "python3.11_$ver.debian.tar.xz"; do
	fetch "$f"
	sum=$(awk -v f="$f" '/^Checksums-Sha256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $3 == f { print $1 }' "$dsc")
	echo "$sum  $f" | sha256sum -c --quiet -
done

rm -rf src
mkdir src
tar xzf "python3.11_$upstream.orig.tar.gz" -C src --strip-components=1
tar xJf "python3.11_$ver.debian.tar.xz" -C src
cd src
grep -v '^#' debian/patches/series | grep . | while read -r p; do
	patch -s -p1 <"debian/patches/$p"
done

mkdir build
cd build
mkdir Modules
cp /usr/lib/python3.11/config-3.11-x86_64-linux-gnu/Setup.local Modules/Setup.local
echo "lto: configure (log: $WORK/src/build.log)"
../configure --prefix=/usr --libdir=/usr/lib/x86_64-linux-gnu --enable-ipv6 \
	--enable-loadable-sqlite-extensions --with-computed-gotos --without-ensurepip \
	--with-system-expat --with-system-ffi --enable-optimizations --with-lto=full \
	MKDIR_P="/bin/mkdir -p" >../build.log 2>&1
# The steps of `make profile-opt`, with the profile task run once, whatever
# its tests' results (test_embed fails outside an installed tree; Debian's
# Makefile would stop there).
echo "lto: instrumented build, profile task, optimised build"
{
	make -j"$(nproc)" profile-gen-stamp
	./python -m test --pgo --timeout=1200 || true
	make clean-retain-profile
	touch profile-run-stamp
	make -j"$(nproc)" profile-opt
} >>../build.log 2>&1

echo "lto: one object from the optimised library"
gcc -r -O3 -flto="$(nproc)" -fuse-linker-plugin -flinker-output=nolto-rel -o "$WORK/python.o" \
	-Wl,--whole-archive libpython3.11.a -Wl,--no-whole-archive 2>>../build.log
objcopy --strip-debug "$WORK/python.o"
rm -f "$OUT/lib/libpython3.11.a"
ar rcs "$OUT/lib/libpython3.11.a" "$WORK/python.o"

cd "$ROOT"
CGO_LDFLAGS="-L$OUT/lib" go build -o "$OUT/gwsgi" ./cmd/gwsgi
profiles/pystatic/build.sh "$OUT/pystatic" "$OUT/lib"
echo "lto: built $OUT/gwsgi and $OUT/pystatic"
