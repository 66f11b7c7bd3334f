#!/usr/bin/env python3
"""Report commands of `confab` that packaging/linux/confab.1 does not describe.

Usage: check-manpage.py BINARY [confab.1]. Prints one line; always exits 0 when it could run,
because a stale page is documentation to update, not a broken package.
"""
import re
import subprocess
import sys


def commands(binary: str, *args: str) -> list[str]:
    out = subprocess.run([binary, *args, "--help"], capture_output=True, text=True).stdout
    names, inside = [], False
    for line in out.splitlines():
        if line.startswith("Commands:"):
            inside = True
        elif inside and re.match(r"^  \S", line):
            name = line.split()[0]
            if name != "help":
                names.append(name)
        elif inside and line and not line.startswith(" "):
            inside = False
    return names


def main() -> None:
    binary = sys.argv[1]
    page = open(sys.argv[2] if len(sys.argv) > 2 else "packaging/linux/confab.1").read()
    page = re.sub(r"\\f[BIRP]", "", page).replace("\\-", "-")
    tags = [line[3:] for line in page.splitlines() if line.startswith(".B ")]
    missing = []
    for cmd in commands(binary):
        for sub in commands(binary, cmd) or [None]:
            if not any(
                re.match(rf"{cmd}\b", tag) and (sub is None or re.search(rf"\b{sub}\b", tag))
                for tag in tags
            ):
                missing.append(f"{cmd} {sub}" if sub else cmd)
    if missing:
        print("warn: packaging/linux/confab.1 does not describe: " + ", ".join(missing))
    else:
        print("man page describes every command")


if __name__ == "__main__":
    main()
