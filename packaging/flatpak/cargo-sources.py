#!/usr/bin/env python3
"""Print the Flatpak sources for every crate in Cargo.lock (cargo-sources.json), so that
flatpak-builder can build Confab offline: each crate archive with its checksum, unpacked to
cargo/vendor/NAME-VERSION, and a cargo config that points crates-io at that directory.

Usage: python3 packaging/flatpak/cargo-sources.py [Cargo.lock] > packaging/flatpak/cargo-sources.json

The download address comes from the crates.io index's own config.json in the local cargo cache
(its "dl" field), so run `cargo fetch` first. Only registry crates are supported: Confab has no
git dependencies, and the script fails if one appears.
"""
import glob
import json
import os
import sys
import tomllib
from pathlib import Path

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def download_template() -> str:
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    for config in sorted(glob.glob(str(cargo_home / "registry/index/index.crates.io-*/config.json"))):
        dl = json.loads(Path(config).read_text()).get("dl")
        if dl:
            return dl
    sys.exit("cargo-sources.py: no crates.io index config.json in the cargo cache; run `cargo fetch` first")


def crate_url(template: str, name: str, version: str, checksum: str) -> str:
    markers = ("{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}")
    if not any(m in template for m in markers):
        return f"{template}/{name}/{version}/download"
    prefix = {1: "1", 2: "2", 3: f"3/{name[0]}"}.get(len(name), f"{name[0:2]}/{name[2:4]}")
    return (
        template.replace("{crate}", name)
        .replace("{version}", version)
        .replace("{prefix}", prefix)
        .replace("{lowerprefix}", prefix.lower())
        .replace("{sha256-checksum}", checksum)
    )


def main() -> None:
    lock = Path(sys.argv[1] if len(sys.argv) > 1 else "Cargo.lock")
    packages = tomllib.loads(lock.read_text())["package"]
    template = download_template()
    sources = []
    for package in packages:
        source = package.get("source")
        if source is None:
            continue  # the workspace's own crate
        if source != CRATES_IO:
            sys.exit(f"cargo-sources.py: {package['name']} comes from {source}; only crates.io is supported")
        name, version, checksum = package["name"], package["version"], package["checksum"]
        dest = f"cargo/vendor/{name}-{version}"
        sources.append({
            "type": "archive",
            "archive-type": "tar-gzip",
            "url": crate_url(template, name, version, checksum),
            "sha256": checksum,
            "dest": dest,
        })
        sources.append({
            "type": "inline",
            "contents": json.dumps({"package": checksum, "files": {}}),
            "dest": dest,
            "dest-filename": ".cargo-checksum.json",
        })
    sources.append({
        "type": "inline",
        "contents": '[source.vendored-sources]\ndirectory = "cargo/vendor"\n\n'
        '[source.crates-io]\nreplace-with = "vendored-sources"\n',
        "dest": "cargo",
        "dest-filename": "config.toml",
    })
    json.dump(sources, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
