#!/usr/bin/env python3
"""Write an .icns file whose elements are PNGs, as Apple's iconutil does (macOS 10.7 and later).

Usage: make-icns.py OUT.icns DIR   where DIR holds 16.png 32.png 64.png 128.png 256.png 512.png 1024.png
"""
import struct
import sys
from pathlib import Path

# icns element type -> pixel size of the PNG it holds (@2x types reuse the next size up).
ELEMENTS = [
    ("icp4", 16), ("icp5", 32), ("ic11", 32), ("icp6", 64), ("ic12", 64),
    ("ic07", 128), ("ic08", 256), ("ic13", 256), ("ic09", 512), ("ic14", 512), ("ic10", 1024),
]


def main() -> None:
    out, src = Path(sys.argv[1]), Path(sys.argv[2])
    body = b""
    for kind, size in ELEMENTS:
        png = (src / f"{size}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", f"{size}.png is not a PNG"
        body += kind.encode("ascii") + struct.pack(">I", 8 + len(png)) + png
    out.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


if __name__ == "__main__":
    main()
