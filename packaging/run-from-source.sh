#!/usr/bin/env bash
# Build and start Confab from this checkout on Debian or Ubuntu, installing what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release -- "$@"
