#!/usr/bin/env bash
# slixmpp, an independent XMPP library, for the interoperability tests (tests/interop_slixmpp.rs):
# a virtual environment under target/slixmpp with the versions tests/peers/requirements.txt pins,
# from PyPI, made again only when that file changes. Run by tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/slixmpp/venv
pins=tests/peers/requirements.txt
if [ -x "$venv/bin/python" ] && cmp -s "$pins" target/slixmpp/installed.txt; then
  exit 0
fi
bash packaging/install-deps.sh python3 python3-venv
rm -rf target/slixmpp
mkdir -p target/slixmpp
# Debian's Python, not whichever one a version manager put first on PATH.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: -r "$pins" >&2
cp "$pins" target/slixmpp/installed.txt
