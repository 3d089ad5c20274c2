#!/usr/bin/env python3
# Usage: python3 scripts/draw-spinner.py resources/spinner.png
# Draws Framescope's loading spinner: a faint ring with a bright quarter arc
# (round ends), white on transparent, 96x96, as a PNG (no libraries).
import math, struct, zlib, sys
N, C, R, W, SS = 96, 48.0, 39.0, 9.0, 4
ends = [(C + R * math.cos(a), C + R * math.sin(a)) for a in (-math.pi / 2, 0.0)]
def cover(x, y):
    d = math.hypot(x - C, y - C)
    track = abs(d - R) <= W / 2
    ang = math.atan2(y - C, x - C)
    bright = track and -math.pi / 2 <= ang <= 0.0
    bright = bright or any(math.hypot(x - ex, y - ey) <= W / 2 for ex, ey in ends)
    return 1.0 if bright else (0.28 if track else 0.0)
rows = []
for j in range(N):
    row = bytearray([0])
    for i in range(N):
        a = sum(cover(i + (u + 0.5) / SS, j + (v + 0.5) / SS) for u in range(SS) for v in range(SS)) / SS ** 2
        row += bytes([255, 255, 255, round(a * 255)])
    rows.append(bytes(row))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
