#!/bin/sh
# Install the Debian packages the hub needs to build, test and run.
# clang and libclang-rt-dev (libFuzzer, sanitizers) build tests/fuzz/; llvm
# gives their reports llvm-symbolizer. Idempotent: does nothing when all
# are present. Needs root (or sudo) to install.
set -eu
PKGS="gcc make pkg-config protobuf-c-compiler libprotobuf-c-dev libzmq3-dev
libsodium-dev libsqlite3-dev sqlite3 libcmocka-dev libjansson-dev unicode-data bzip2
valgrind clang libclang-rt-dev llvm libmicrohttpd-dev curl tmux"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
