#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other, in one process.
# New inputs go to fuzz/target/corpus/<target>/ so the committed seeds stay small; a crash is
# written to fuzz/artifacts/<target>/ and ends that target's run (the others still run), its
# panic and backtrace in the log. Needs the nightly toolchain and
# cargo-fuzz: `rustup toolchain install nightly && cargo install cargo-fuzz`.
# Usage: fuzz/run.sh SECONDS [TARGET...]    e.g. fuzz/run.sh 3600 (the release check)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(xml_guard stream_to_stanzas forms image_decode avatar linkify store_open)
fi
# No sanitizer: the code under test is safe Rust (SQLite's C is not instrumented either), so
# what a run looks for is a panic, an overflow (debug assertions are on), a time-out or a
# memory blow-up, and the build is much faster without one.
CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1} cargo +nightly fuzz build -s none
mkdir -p target/logs
# A finding stops its own target only: the next one still gets its time, so a chain of
# one-hour runs left alone is not cut short by the first crash. The exit status is the last
# failure's, and every failed target is named at the end.
failed=()
for target in "${targets[@]}"; do
    mkdir -p "target/corpus/$target"
    echo "== $target: $seconds s (whole log: fuzz/target/logs/$target.log)"
    status=0
    cargo +nightly fuzz run -s none "$target" "target/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"target/logs/$target.log" 2>&1 || status=$?
    grep -v '^INFO\|^#[0-9]' "target/logs/$target.log" | tail -n 40
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        last_status=$status
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "== findings in: ${failed[*]} (inputs in fuzz/artifacts/<target>/)"
    exit "$last_status"
fi
