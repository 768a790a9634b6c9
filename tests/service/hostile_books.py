"""Compressed loan books that cannot be read, built in a test: the upload (422) and ``greenrate batch rate``
(exit 1) refuse each in the same words."""

from __future__ import annotations

import io
import struct
import zipfile

#: a book of one row, enough for the check to reach the decompressed bytes
BOOK = b"company__country,company__industry_code\nCN,5610\n"


def zipped(data: bytes = BOOK, *, method: int | None = None, flags: int = 0, files: int = 1) -> bytes:
    """A stored zip of ``files`` files, the first's method and flag bits patched in its local and central
    headers: zipfile writes neither encryption nor Deflate64, which it cannot read either."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(files):
            archive.writestr(f"book{index}.csv", data)
    raw = bytearray(buffer.getvalue())
    for header, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # flags, then method, in either header
        where = raw.find(header) + at
        old_flags, old_method = struct.unpack_from("<HH", raw, where)
        struct.pack_into("<HH", raw, where, old_flags | flags, old_method if method is None else method)
    return bytes(raw)


ENCRYPTED = "the zip is encrypted: upload it without a password"
#: name, content, what the refusal says
UNREADABLE_COMPRESSED: dict[str, tuple[bytes, str]] = {
    "encrypted.csv.zip": (zipped(flags=0x1), ENCRYPTED),
    "aes.csv.zip": (zipped(method=99), ENCRYPTED),
    "deflate64.csv.zip": (zipped(method=9), "compressed with Deflate64, which cannot be read"),
    "two.csv.zip": (zipped(files=2), "a zipped loan book holds one file, this zip holds 2"),
    "garbage.csv.xz": (b"this is no xz data, " * 10, "LZMAError: Input format not supported by decoder"),
}
