#!/usr/bin/env bash
# Regenerate the committed raster icons from the one source, resources/icons/im.confab.Confab.svg:
#   packaging/icons/hicolor/NxN/apps/im.confab.Confab.png  (Linux: deb, rpm, Flatpak)
#   packaging/windows/confab.ico                            (embedded in confab.exe, MSI)
#   packaging/macos/Confab.icns                             (macOS .app bundle)
# Needs (Debian): librsvg2-bin optipng icoutils python3. Run it after changing the SVG and
# commit the results; packaging/check.sh fails when they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
svg=resources/icons/im.confab.Confab.svg
id=im.confab.Confab
sizes=(16 22 24 32 48 64 128 256 512)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for n in "${sizes[@]}"; do
  dir=packaging/icons/hicolor/${n}x${n}/apps
  mkdir -p "$dir"
  rsvg-convert -w "$n" -h "$n" "$svg" -o "$dir/$id.png"
  optipng -quiet -o7 -strip all "$dir/$id.png"
done

# Windows: one .ico with the sizes Explorer and the taskbar ask for (256 stored as PNG).
ico_in=()
for n in 16 24 32 48 64 128; do ico_in+=("packaging/icons/hicolor/${n}x${n}/apps/$id.png"); done
mkdir -p packaging/windows
icotool -c -o packaging/windows/confab.ico "${ico_in[@]}" -r "packaging/icons/hicolor/256x256/apps/$id.png"

# macOS: .icns of PNG elements 16..1024 (what iconutil makes; 1024 is 512@2x).
for n in 16 32 64 128 256 512 1024; do rsvg-convert -w "$n" -h "$n" "$svg" -o "$tmp/$n.png"; done
mkdir -p packaging/macos
python3 packaging/macos/make-icns.py packaging/macos/Confab.icns "$tmp"
echo "icons regenerated from $svg"
