#!/usr/bin/env bash
# The test command: installs what the tests need when it is missing (Prosody, ejabberd with
# its SQLite driver, tinyproxy, a C compiler, the window toolkit's libraries, a notification server,
# slixmpp for the interoperability tests), then
# runs every test. Protocol tests start their own Prosody and ejabberd on 127.0.0.1 with a
# throwaway configuration (CONFAB_TEST_SERVER=prosody|ejabberd|both, default both; see
# docs/testing.md); the notification test starts its own session bus, Xvfb and dunst.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh prosody ejabberd erlang-p1-sqlite3 tinyproxy dbus-daemon dbus-bin dunst xvfb
bash tests/fetch-prosody-13.sh
bash tests/fetch-slixmpp.sh
export PATH="$HOME/.cargo/bin:$PATH"
# Headless UI tests render with the CPU renderer: no GPU needed, same pixels everywhere.
export ICED_TEST_BACKEND=tiny-skia
cargo test --workspace "$@"
