#!/usr/bin/env bash
# The scripted walk through the real window (tests/ui_walk.rs): Confab under Xvfb against a
# local Prosody, driven with xdotool. Screenshots and Confab's log land in target/ui-walk/.
# Exits non-zero when a step fails or Confab panicked.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh prosody xvfb xdotool imagemagick
export PATH="$HOME/.cargo/bin:$PATH"
cargo test --test ui_walk -- --ignored --nocapture
