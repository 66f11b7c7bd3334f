#!/usr/bin/env bash
# Install what building and running Confab needs on Debian or Ubuntu, when it is missing.
# Usage: packaging/install-deps.sh [extra Debian packages...]
set -euo pipefail

packages=("$@")
command -v cc >/dev/null 2>&1 || packages+=(build-essential)
# Loaded at run time by the window toolkit (X11 and Wayland); the binary links none of them.
for lib in libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libwayland-client0 libwayland-cursor0; do
  dpkg -s "$lib" >/dev/null 2>&1 || packages+=("$lib")
done

missing=()
for p in "${packages[@]}"; do
  case "$p" in
    prosody) command -v prosody >/dev/null 2>&1 || missing+=("$p") ;;
    *) dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p") ;;
  esac
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || {
    echo "Installing the Rust toolchain with rustup" >&2
    command -v curl >/dev/null 2>&1 || { sudo="" ; [ "$(id -u)" -eq 0 ] || sudo="sudo"; $sudo apt-get install -y -qq curl >&2; }
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt >&2
  }
fi
