#!/usr/bin/env bash
# Build Confab.app and a .dmg around it, on macOS:
#   packaging/macos/make-dmg.sh [BINARY]      BINARY defaults to target/dist/confab
# Output: target/macos/Confab.app and target/macos/Confab-VERSION.dmg (drag to Applications).
# The release workflow passes a universal binary (lipo of aarch64 and x86_64).
# With --app-only it stops after assembling and checking the .app, which also works on Linux
# (packaging/check.sh does that to check the bundle's layout and Info.plist).
set -euo pipefail
cd "$(dirname "$0")/../.."

app_only=false
if [ "${1:-}" = "--app-only" ]; then app_only=true; shift; fi
bin=${1:-${CARGO_TARGET_DIR:-target}/dist/confab}
out=${OUT_DIR:-${CARGO_TARGET_DIR:-target}/macos}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

[ -x "$bin" ] || { echo "make-dmg: no executable at $bin (build with cargo build --profile dist)" >&2; exit 1; }

app=$out/Confab.app
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$bin" "$app/Contents/MacOS/confab"
chmod 755 "$app/Contents/MacOS/confab"
cp packaging/macos/Info.plist "$app/Contents/Info.plist"
cp packaging/macos/Confab.icns "$app/Contents/Resources/Confab.icns"
printf 'APPL????' > "$app/Contents/PkgInfo"

plist_version=$(python3 -c 'import plistlib,sys; print(plistlib.load(open(sys.argv[1],"rb"))["CFBundleShortVersionString"])' "$app/Contents/Info.plist")
if [ "$plist_version" != "$version" ]; then
  echo "make-dmg: Info.plist says $plist_version, Cargo.toml says $version" >&2
  exit 1
fi
echo "make-dmg: assembled $app ($version)"
$app_only && exit 0

plutil -lint "$app/Contents/Info.plist"
# Ad-hoc signature so Apple Silicon runs it; a Developer ID signature and notarization need
# the project's Apple account (see packaging/README.md).
codesign --force --deep --sign "${CODESIGN_IDENTITY:--}" "$app"
codesign --verify --verbose "$app"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
dmg=$out/Confab-$version.dmg
rm -f "$dmg"
hdiutil create -volname "Confab $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
hdiutil verify "$dmg"
echo "make-dmg: wrote $dmg"
