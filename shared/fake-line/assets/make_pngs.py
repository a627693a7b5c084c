"""Writes the PNG files the fake LINE server embeds and its tests upload.

Run from this folder: python3 make_pngs.py. Only the standard library is used, so anyone can
regenerate the bytes and see that they are ordinary images.
"""
import struct
import zlib


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, pixel):
    """An 8-bit RGB PNG; pixel(x, y) returns an (r, g, b) tuple."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(pixel(x, y))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def checker(x, y):
    # Two greens, like a map tile, so the simulator shows something recognisable.
    return (46, 160, 67) if (x // 8 + y // 8) % 2 == 0 else (200, 230, 201)


def stripes(x, y):
    return (6, 199, 85) if (x // 250) % 2 == 0 else (255, 255, 255)


with open("message-content.png", "wb") as f:
    f.write(png(32, 32, checker))
with open("richmenu-2500x1686.png", "wb") as f:
    f.write(png(2500, 1686, stripes))
with open("richmenu-800x800.png", "wb") as f:
    f.write(png(800, 800, stripes))
