#!/usr/bin/env bash
# A second Prosody for the tests of modern login (SASL2, Bind2, FAST): Debian's Prosody 0.12 and
# its 2023 community modules cannot run mod_sasl2 (it calls a TLS function 0.12 lacks), while
# bookworm-backports' Prosody 13 with the 2025 modules can. The two packages are fetched from
# Debian's archive by fixed version and checksum, unpacked into target/test-servers/prosody-13
# (not installed: the system's Prosody stays the one every other test uses), and started through
# launchers that point Prosody at that directory. It runs on the Lua libraries the system's
# Prosody already brought in. Nothing is fetched when the directory is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

dest="target/test-servers/prosody-13"
[ -x "$dest/bin/prosody" ] && exit 0

archive="http://deb.debian.org/debian/pool/main/p"
packages=(
  "prosody/prosody_13.0.1-1~bpo12+1_amd64.deb 08ecfab4967bc021e2264dd7756b9b29e9cec861b75aa346d956a2149c6dff27"
  "prosody-modules/prosody-modules_0.0~hg20250402.f315edc39f3d+dfsg-1~bpo12+1_all.deb 147ae335c2b16fdee53a1842eb7e3d014907c3e2fb94965185150295f3f74db6"
)

command -v curl >/dev/null 2>&1 || bash packaging/install-deps.sh curl
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for entry in "${packages[@]}"; do
  read -r path sum <<<"$entry"
  file="$work/$(basename "$path")"
  echo "Fetching $archive/$path" >&2
  curl -sSf --retry 3 -o "$file" "$archive/$path"
  echo "$sum  $file" | sha256sum --check --quiet
  dpkg-deb -x "$file" "$work/root"
done

mkdir -p "$dest/bin"
root="$(cd "$dest" && pwd)"
mv "$work/root/usr/lib/prosody" "$root/lib"
for program in prosody prosodyctl; do
  sed -e "s#^CFG_SOURCEDIR=.*#CFG_SOURCEDIR='$root/lib';#" \
      -e "s#^CFG_PLUGINDIR=.*#CFG_PLUGINDIR='$root/lib/modules/';#" \
      "$work/root/usr/bin/$program" >"$dest/bin/$program"
  chmod +x "$dest/bin/$program"
done
