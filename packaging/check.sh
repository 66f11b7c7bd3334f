#!/usr/bin/env bash
# Build and check Confab's release packages on Debian or Ubuntu (CI runs this from .ci/run).
#
#   bash packaging/check.sh
#
# Builds the release binary (profile dist), the .deb and the .rpm; validates the desktop file, the AppStream
# metainfo and the .deb (lintian); installs the .deb with apt, runs the installed
# `confab --version`, opens the window from the desktop file under Xvfb, removes the package and
# checks the user's data survived; lists the .rpm. The Flatpak manifest, the WiX source and the
# macOS bundle cannot be built here: they are parsed and checked (packaging/README.md).
# Installs what it needs when missing (apt, and cargo-deb / cargo-generate-rpm from crates.io).
# Safe to run again; exits non-zero on the first failure. Respects CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case "$target" in /*) ;; *) target=$root/$target ;; esac
app_id=im.confab.Confab
icon_sizes=(16 22 24 32 48 64 128 256 512)

passed=0
current=""
step() {
  current=$1
  printf '\n== %s\n' "$1"
}
ok() {
  passed=$((passed + 1))
  printf 'ok: %s\n' "$1"
}
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}
scratch=$(mktemp -d)
xvfb_pid=""
app_pid=""
finish() {
  status=$?
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$scratch"
  if [ "$status" -eq 0 ]; then
    printf '\npackaging: %d passed, 0 failed\n' "$passed"
  else
    printf '\npackaging: %d passed, 1 failed (%s)\n' "$passed" "$current"
  fi
}
trap finish EXIT

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=false
apt_install() {
  if ! $apt_updated; then
    $sudo apt-get update -qq
    apt_updated=true
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# --------------------------------------------------------------------------------------------
step "tools"
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need cc build-essential
need dpkg-shlibdeps dpkg-dev
need desktop-file-validate desktop-file-utils
need appstreamcli appstream
need lintian lintian
need rpm rpm
need xmllint libxml2-utils
need plistutil libplist-utils
need flatpak-builder flatpak-builder
need Xvfb xvfb
need xdotool xdotool
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing with apt: ${missing[*]}"
  apt_install "${missing[@]}"
fi
for tool in cargo-deb cargo-generate-rpm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "installing $tool from crates.io"
    cargo install "$tool" --locked --quiet
  fi
done
ok "tools present ($(cargo deb --version 2>/dev/null | head -n1), $(cargo generate-rpm --version 2>/dev/null | head -n1), $(lintian --version))"

# --------------------------------------------------------------------------------------------
step "one version and one app id everywhere"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
[ -n "$version" ] || fail "no version in Cargo.toml"
check_version() { # what found
  [ "$2" = "$version" ] || fail "$1 says version '$2', Cargo.toml says '$version'"
}
check_version packaging/linux/changelog "$(sed -n '1s/^confab (\([^-)]*\).*/\1/p' packaging/linux/changelog)"
check_version "metainfo (newest release)" "$(xmllint --xpath 'string(//releases/release[1]/@version)' packaging/linux/$app_id.metainfo.xml)"
check_version packaging/linux/confab.1 "$(sed -n 's/^\.TH .*"Confab \([^"]*\)".*/\1/p' packaging/linux/confab.1)"
check_version packaging/macos/Info.plist "$(python3 -c 'import plistlib; print(plistlib.load(open("packaging/macos/Info.plist","rb"))["CFBundleShortVersionString"])')"
ok "version $version in Cargo.toml, changelog, metainfo, man page, Info.plist"

check_id() { # what found
  [ "$2" = "$app_id" ] || fail "$1 has app id '$2', expected '$app_id'"
}
check_id crates/store/src/paths.rs "$(sed -n 's/^pub const APP_ID: &str = "\(.*\)";/\1/p' crates/store/src/paths.rs)"
[ -f packaging/linux/$app_id.desktop ] || fail "packaging/linux/$app_id.desktop missing"
check_id "desktop file Icon" "$(sed -n 's/^Icon=//p' packaging/linux/$app_id.desktop)"
check_id "desktop file StartupWMClass" "$(sed -n 's/^StartupWMClass=//p' packaging/linux/$app_id.desktop)"
check_id "metainfo id" "$(xmllint --xpath 'string(/component/id)' packaging/linux/$app_id.metainfo.xml)"
check_id "metainfo launchable" "$(xmllint --xpath 'string(//launchable)' packaging/linux/$app_id.metainfo.xml | sed 's/\.desktop$//')"
check_id "Flatpak id" "$(python3 -c 'import yaml; print(yaml.safe_load(open("packaging/flatpak/im.confab.Confab.yml"))["id"])')"
check_id "Info.plist CFBundleIdentifier" "$(python3 -c 'import plistlib; print(plistlib.load(open("packaging/macos/Info.plist","rb"))["CFBundleIdentifier"])')"
check_id "WiX AppUserModelID" "$(xmllint --xpath 'string(//*[local-name()="ShortcutProperty"][@Key="System.AppUserModel.ID"]/@Value)' packaging/windows/main.wxs)"
[ -f resources/icons/$app_id.svg ] || fail "resources/icons/$app_id.svg missing"
ok "app id $app_id in paths.rs, desktop file (name, Icon, StartupWMClass), metainfo, Flatpak, Info.plist, WiX"

# --------------------------------------------------------------------------------------------
step "icons"
for n in "${icon_sizes[@]}"; do
  png=packaging/icons/hicolor/${n}x${n}/apps/$app_id.png
  [ -f "$png" ] || fail "$png missing (run packaging/icons/generate.sh)"
  size=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$png")
  [ "$size" = "${n}x${n}" ] || fail "$png is $size, expected ${n}x${n}"
done
xmllint --noout resources/icons/$app_id.svg
[ "$(head -c 4 packaging/windows/confab.ico | od -An -tx1 | tr -d ' ')" = "00000100" ] || fail "packaging/windows/confab.ico is not an .ico"
[ "$(head -c 4 packaging/macos/Confab.icns)" = "icns" ] || fail "packaging/macos/Confab.icns is not an .icns"
ok "PNG ${icon_sizes[*]}, SVG, .ico, .icns"

# --------------------------------------------------------------------------------------------
step "desktop file and AppStream metainfo"
desktop-file-validate packaging/linux/$app_id.desktop
ok "desktop-file-validate packaging/linux/$app_id.desktop"
# Fails on errors and warnings; infos and pedantic hints are printed but allowed (the one info
# here, "unknown-tag developer", is AppStream 1.0's <developer> that Debian 12's 0.16 predates).
appstreamcli validate --no-net --pedantic packaging/linux/$app_id.metainfo.xml
ok "appstreamcli validate --no-net packaging/linux/$app_id.metainfo.xml"

# --------------------------------------------------------------------------------------------
step "release binary (profile dist: release + fat LTO, what the packages ship)"
cargo build --profile dist --locked
bin=$target/dist/confab
out=$("$bin" --version)
echo "$out"
[[ "$out" =~ ^confab\ $version\ \(([0-9a-f]{7,}|unknown)\)$ ]] || fail "--version printed '$out'"
ok "release binary $(stat -c %s "$bin") bytes, --version: $out"
# Commands the man page misses are reported, not fatal: the page is documentation to update.
python3 packaging/linux/check-manpage.py "$bin" packaging/linux/confab.1

# --------------------------------------------------------------------------------------------
step ".deb"
rm -f "$target"/debian/confab_*.deb
cargo deb --no-build --locked
deb=$(ls "$target"/debian/confab_"$version"-*.deb)
echo "$deb: $(stat -c %s "$deb") bytes"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
dpkg-deb --contents "$deb" | awk '{print $6}' > "$scratch/deb-files"
for f in ./usr/bin/confab ./usr/share/applications/$app_id.desktop ./usr/share/metainfo/$app_id.metainfo.xml \
  ./usr/share/icons/hicolor/scalable/apps/$app_id.svg ./usr/share/man/man1/confab.1.gz \
  ./usr/share/doc/confab/copyright ./usr/share/doc/confab/changelog.Debian.gz ./usr/share/lintian/overrides/confab; do
  grep -qx "$f" "$scratch/deb-files" || fail ".deb lacks $f"
done
for n in "${icon_sizes[@]}"; do
  grep -qx "./usr/share/icons/hicolor/${n}x${n}/apps/$app_id.png" "$scratch/deb-files" || fail ".deb lacks the ${n}x${n} icon"
done
mkdir "$scratch/control"
dpkg-deb --control "$deb" "$scratch/control"
for script in preinst postinst prerm postrm; do
  [ ! -e "$scratch/control/$script" ] || fail ".deb has a $script script; user data must never be touched"
done
ok ".deb holds the binary, desktop file, metainfo, icons, man page, copyright, changelog; no maintainer scripts"

# Errors fail; warnings and infos are shown. Overrides live in packaging/linux/lintian-overrides.
lintian --fail-on error --display-info --show-overrides "$deb"
ok "lintian: no errors"

# --------------------------------------------------------------------------------------------
step "install, run, open from the menu, remove"
if dpkg -s confab >/dev/null 2>&1; then
  echo "removing the confab package installed before this check"
  $sudo apt-get remove -y -qq confab >/dev/null
fi
# The user's data, as Confab keeps it, in a home of its own (never the real one).
home=$scratch/home
mkdir -p "$home/.config/confab" "$home/.local/share/confab"
printf '[ui]\n# written by packaging/check.sh\n' > "$home/.config/confab/config.toml"
printf 'not really a database, a sentinel\n' > "$home/.local/share/confab/confab.sqlite3"

if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$deb" >/dev/null; then
  apt_updated=false
  apt_install "$deb"
fi
[ "$(dpkg-query -W -f '${Version}' confab)" = "$version-1" ] || fail "confab $version-1 is not installed"
[ "$(command -v confab)" = /usr/bin/confab ] || fail "confab is not /usr/bin/confab on PATH"
installed=$(HOME=$home /usr/bin/confab --version)
[ "$installed" = "$out" ] || fail "installed confab --version printed '$installed', expected '$out'"
ok "apt install $(basename "$deb"); /usr/bin/confab --version: $installed"

desktop=/usr/share/applications/$app_id.desktop
desktop-file-validate "$desktop"
[ -f /usr/share/icons/hicolor/48x48/apps/$app_id.png ] || fail "menu icon not installed"
[ -f /usr/share/metainfo/$app_id.metainfo.xml ] || fail "metainfo not installed"
exec_cmd=$(sed -n 's/^Exec=//p' "$desktop")
# Start it the way a menu does (the Exec line, field codes dropped) on a private X server, and
# wait for a window whose class is the StartupWMClass the menu matches it by.
display=""
for n in $(seq 90 99); do
  if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || fail "no free X display for Xvfb"
Xvfb "$display" -screen 0 1000x680x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
# shellcheck disable=SC2086 # the Exec line is a command line
(cd "$home" && HOME=$home DISPLAY=$display WAYLAND_DISPLAY= XDG_RUNTIME_DIR=$scratch \
  CONFAB_PASSWORD_STORE=file exec ${exec_cmd//%[a-zA-Z]/} >"$scratch/app.log" 2>&1) &
app_pid=$!
wm_class=$(sed -n 's/^StartupWMClass=//p' "$desktop")
window=""
for _ in $(seq 100); do
  window=$(DISPLAY=$display xdotool search --onlyvisible --class "^$wm_class\$" 2>/dev/null | head -n1 || true)
  [ -n "$window" ] && break
  kill -0 "$app_pid" 2>/dev/null || { cat "$scratch/app.log" >&2; fail "confab exited before showing a window"; }
  sleep 0.2
done
[ -n "$window" ] || { cat "$scratch/app.log" >&2; fail "no window with class $wm_class within 20 s"; }
title=$(DISPLAY=$display xdotool getwindowname "$window")
kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""
kill "$xvfb_pid"
wait "$xvfb_pid" 2>/dev/null || true
xvfb_pid=""
ok "Exec=$exec_cmd from $desktop opened window '$title' with class $wm_class"

(cd "$home" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$scratch/user-data.before"
$sudo apt-get purge -y -qq confab >/dev/null
! dpkg -s confab >/dev/null 2>&1 || fail "confab still installed after purge"
[ ! -e /usr/bin/confab ] || fail "/usr/bin/confab left behind"
[ ! -e "$desktop" ] || fail "$desktop left behind"
(cd "$home" && find . -type f -print0 | sort -z | xargs -0 sha256sum) > "$scratch/user-data.after"
diff "$scratch/user-data.before" "$scratch/user-data.after" || fail "removing the package changed the user's data"
ok "apt purge confab removed it; the user's $(wc -l < "$scratch/user-data.after") data files are untouched"

# --------------------------------------------------------------------------------------------
step ".rpm"
rm -f "$target"/generate-rpm/confab-*.rpm
cargo generate-rpm --profile dist
rpm_file=$(ls "$target"/generate-rpm/confab-"$version"-*.rpm)
echo "$rpm_file: $(stat -c %s "$rpm_file") bytes"
rpm -qip "$rpm_file" 2>/dev/null | sed -n '1,/^Description/p'
echo "Requires:"; rpm -qp --requires "$rpm_file" 2>/dev/null | sed 's/^/  /'
rpm -qlp "$rpm_file" 2>/dev/null > "$scratch/rpm-files"
for f in /usr/bin/confab /usr/share/applications/$app_id.desktop /usr/share/metainfo/$app_id.metainfo.xml \
  /usr/share/icons/hicolor/scalable/apps/$app_id.svg /usr/share/man/man1/confab.1; do
  grep -qx "$f" "$scratch/rpm-files" || fail "rpm -qlp does not list $f"
done
for n in "${icon_sizes[@]}"; do
  grep -qx "/usr/share/icons/hicolor/${n}x${n}/apps/$app_id.png" "$scratch/rpm-files" || fail "rpm lacks the ${n}x${n} icon"
done
ok "rpm -qlp lists /usr/bin/confab, the desktop file, metainfo, ${#icon_sizes[@]} PNG icons + SVG, man page"

# --------------------------------------------------------------------------------------------
step "Flatpak manifest (parsed; building needs the Flathub runtimes)"
python3 - <<'EOF'
import sys, yaml
m = yaml.safe_load(open("packaging/flatpak/im.confab.Confab.yml"))
want = {"--share=network", "--share=ipc", "--socket=wayland", "--socket=fallback-x11",
        "--talk-name=org.freedesktop.Notifications", "--talk-name=org.freedesktop.secrets",
        "--filesystem=xdg-download"}
missing = want - set(m["finish-args"])
extra = set(m["finish-args"]) - want
if missing or extra:
    sys.exit(f"finish-args: missing {sorted(missing)}, unexpected {sorted(extra)}")
assert m["id"] == "im.confab.Confab" and m["command"] == "confab", "id or command"
assert "cargo-sources.json" in m["modules"][-1]["sources"], "cargo-sources.json not a source"
print("finish-args:", " ".join(m["finish-args"]))
EOF
mkdir "$scratch/flatpak"
cp packaging/flatpak/im.confab.Confab.yml "$scratch/flatpak/"
cargo fetch --locked --quiet
python3 packaging/flatpak/cargo-sources.py Cargo.lock > "$scratch/flatpak/cargo-sources.json"
crates=$(grep -c '^source = "registry+' Cargo.lock)
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); n=sum(1 for x in s if x["type"]=="archive" and len(x["sha256"])==64); assert n==int(sys.argv[2]), (n, sys.argv[2])' \
  "$scratch/flatpak/cargo-sources.json" "$crates"
(cd "$scratch/flatpak" && flatpak-builder --show-manifest im.confab.Confab.yml > manifest.json 2> warnings.txt)
if [ -s "$scratch/flatpak/warnings.txt" ]; then cat "$scratch/flatpak/warnings.txt" >&2; fail "flatpak-builder warned about the manifest"; fi
ok "manifest id, command, finish-args; flatpak-builder --show-manifest reads it with $crates crates as sources, no warnings"

# --------------------------------------------------------------------------------------------
step "Windows installer source (built by the release workflow on Windows)"
xmllint --noout packaging/windows/main.wxs
python3 - <<'EOF'
import re, sys, tomllib
import xml.etree.ElementTree as ET
ns = {"w": "http://schemas.microsoft.com/wix/2006/wi"}
root = ET.parse("packaging/windows/main.wxs").getroot()
product = root.find("w:Product", ns)
assert product is not None, "no Product"
assert re.fullmatch(r"[0-9A-F]{8}-([0-9A-F]{4}-){3}[0-9A-F]{12}", product.get("UpgradeCode")), "UpgradeCode is not a GUID"
assert product.get("Version") == "$(var.Version)", "Version must come from cargo-wix"
exe = [f for f in root.iter("{%s}File" % ns["w"]) if f.get("Name") == "confab.exe"]
assert exe and exe[0].get("Source") == r"$(var.CargoTargetBinDir)\confab.exe", "confab.exe source"
shortcut = exe[0].find("w:Shortcut", ns)
assert shortcut is not None and shortcut.get("Directory") == "ProgramMenuFolder", "no Start-menu shortcut"
icons = {i.get("Id"): i.get("SourceFile") for i in root.iter("{%s}Icon" % ns["w"])}
assert shortcut.get("Icon") in icons, "shortcut icon not defined"
props = {p.get("Id"): p.get("Value") for p in root.iter("{%s}Property" % ns["w"])}
assert props.get("ARPPRODUCTICON") in icons, "no Add/Remove Programs icon"
refs = {r.get("Id") for r in root.iter("{%s}ComponentRef" % ns["w"])}
comps = {c.get("Id") for c in root.iter("{%s}Component" % ns["w"])}
assert refs == comps, f"components {comps} vs refs {refs}"
for var in root.iter("{%s}WixVariable" % ns["w"]):
    path = var.get("Value").replace("\\", "/")
    assert open(path, "rb").read(6) == b"{\\rtf1", f"{path} is not RTF"
for path in icons.values():
    open(path.replace("\\", "/"), "rb").close()
meta = tomllib.load(open("Cargo.toml", "rb"))["package"]["metadata"]["wix"]
assert meta["include"] == ["packaging/windows/main.wxs"], "Cargo.toml metadata.wix.include"
EOF
grep -q '^#!\[cfg_attr(not(debug_assertions), windows_subsystem = "windows")\]' src/main.rs || fail "src/main.rs lacks windows_subsystem"
grep -q 'packaging/windows/confab.ico' build.rs || fail "build.rs does not embed packaging/windows/confab.ico"
ok "main.wxs well-formed; product, upgrade code, Start-menu shortcut, icons, licence, components; exe icon and GUI subsystem"

# --------------------------------------------------------------------------------------------
step "macOS bundle (the .dmg is built by the release workflow on macOS)"
cat > "$scratch/plist.dtd" <<'EOF'
<!ENTITY % obj "(array | data | date | dict | real | integer | string | true | false)">
<!ELEMENT plist %obj;>
<!ATTLIST plist version CDATA "1.0">
<!ELEMENT array (%obj;)*>
<!ELEMENT dict (key, %obj;)*>
<!ELEMENT key (#PCDATA)>
<!ELEMENT string (#PCDATA)>
<!ELEMENT data (#PCDATA)>
<!ELEMENT date (#PCDATA)>
<!ELEMENT real (#PCDATA)>
<!ELEMENT integer (#PCDATA)>
<!ELEMENT true EMPTY>
<!ELEMENT false EMPTY>
EOF
xmllint --noout --nonet --dtdvalid "$scratch/plist.dtd" packaging/macos/Info.plist 2>&1 | grep -v 'failed to load external entity\|PropertyList-1.0.dtd\|^ *\^$' || true
xmllint --noout --nonet --dtdvalid "$scratch/plist.dtd" packaging/macos/Info.plist 2>/dev/null || fail "Info.plist is not a valid property list"
plistutil -i packaging/macos/Info.plist -o "$scratch/Info.bplist" -f bin
OUT_DIR=$scratch/macos bash packaging/macos/make-dmg.sh --app-only "$bin"
python3 - "$scratch/macos/Confab.app" <<'EOF'
import os, plistlib, struct, sys
app = sys.argv[1]
info = plistlib.load(open(f"{app}/Contents/Info.plist", "rb"))
for key in ("CFBundleIdentifier", "CFBundleExecutable", "CFBundleIconFile", "CFBundleName",
            "CFBundlePackageType", "CFBundleShortVersionString", "CFBundleVersion", "LSMinimumSystemVersion"):
    assert key in info, f"Info.plist lacks {key}"
exe = f"{app}/Contents/MacOS/{info['CFBundleExecutable']}"
assert os.access(exe, os.X_OK), f"{exe} is not executable"
icns = open(f"{app}/Contents/Resources/{info['CFBundleIconFile']}.icns", "rb").read()
assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns), "bad .icns header"
pos, kinds = 8, []
while pos < len(icns):
    kind, size = icns[pos:pos + 4].decode(), struct.unpack(">I", icns[pos + 4:pos + 8])[0]
    kinds.append(kind)
    pos += size
assert pos == len(icns) and {"ic07", "ic08", "ic09", "ic10"} <= set(kinds), f"icns elements {kinds}"
EOF
ok "Info.plist valid (plist grammar, plistutil); Confab.app layout, executable, icon ($(wc -c < packaging/macos/Confab.icns) bytes)"

# --------------------------------------------------------------------------------------------
step "release workflow"
python3 - <<'EOF'
import yaml
w = yaml.safe_load(open(".github/workflows/release.yml"))
on = w.get("on", w.get(True))
assert "tags" in on["push"], "release.yml must run on tags"
jobs = w["jobs"]
oses = {str(j.get("runs-on")) for j in jobs.values()}
assert any("ubuntu" in o for o in oses) and any("windows" in o for o in oses) and any("macos" in o for o in oses), oses
print("jobs:", ", ".join(f"{k} ({v.get('runs-on')})" for k, v in jobs.items()))
EOF
ok ".github/workflows/release.yml parses; runs on tags on Linux, Windows and macOS"
