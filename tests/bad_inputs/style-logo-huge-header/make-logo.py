#!/usr/bin/env python3
"""Writes logo.png: a PNG signature and a valid IHDR chunk (CRC correct)
claiming 1,000,000 x 1,000,000 pixels, and no pixel data. Decoding it would
ask for 4 TB; boardpack must refuse it from the header alone."""
import struct
import zlib

ihdr = b"IHDR" + struct.pack(">IIBBBBB", 1_000_000, 1_000_000, 8, 6, 0, 0, 0)
chunk = struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
idat = b"IDAT" + zlib.compress(b"\0\0\0\0\0")
end = b"IEND"
png = (
    b"\x89PNG\r\n\x1a\n"
    + chunk
    + struct.pack(">I", len(idat) - 4) + idat + struct.pack(">I", zlib.crc32(idat))
    + struct.pack(">I", 0) + end + struct.pack(">I", zlib.crc32(end))
)
with open("logo.png", "wb") as f:
    f.write(png)
