"""Decode a compressed request body completely, and no larger than a limit.

mitmproxy's own decoding is not enough for a security gateway: it reads only the first member of a gzip
body (`gzip("{") + gzip(rest)` decodes to `{`, while the upstream decodes it all, so everything after the
first member would pass unscanned) and it has no bound on the decoded size (a 20 KB gzip of zeros
becomes 20 MB of work). `decode_body` reads every gzip member and every zstd frame, refuses anything
left over, and stops as soon as the output passes the limit.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable

import brotli  # both come with mitmproxy, which decodes these encodings itself
import zstandard


class UndecodableBody(ValueError):
    """The body is not valid data of its declared encoding (or has data left over after it)."""


class DecodedBodyTooLarge(ValueError):
    """The decoded body is larger than the limit."""


MAX_MEMBERS = 64  # gzip members or zstd frames in one body: clients send one; thousands are an attack
_CHUNK = 1 << 16  # input fed per call, so what a member leaves over is never a copy of the whole rest


def decode_body(data: bytes, encoding: str, limit: int) -> bytes:
    """`data` decoded from `encoding` (gzip, deflate, br or zstd); at most `limit` bytes of output."""
    if encoding == "gzip":
        return _zlib_members(data, 47, limit)  # 32 + 15: a gzip or zlib header, as mitmproxy accepts
    if encoding == "deflate":
        try:  # HTTP's "deflate" is zlib-wrapped; some clients send raw deflate, which mitmproxy accepts too
            return _zlib_members(data, 15, limit, many=False)
        except UndecodableBody:
            return _zlib_members(data, -15, limit, many=False)
    if encoding == "br":
        return _brotli(data, limit)
    if encoding == "zstd":
        return _zstd(data, limit)
    raise UndecodableBody(f"unknown content-encoding {encoding!r}")


def _zlib_members(data: bytes, wbits: int, limit: int, many: bool = True) -> bytes:
    def step(stream, chunk: memoryview, room: int) -> bytes:
        out = stream.decompress(chunk, room + 1)
        while stream.unconsumed_tail and len(out) <= room:
            out += stream.decompress(stream.unconsumed_tail, room + 1 - len(out))
        return out
    try:
        return _members(data, limit, lambda: zlib.decompressobj(wbits=wbits), step, MAX_MEMBERS if many else 1)
    except zlib.error as e:
        raise UndecodableBody(str(e)) from None


def _members(data: bytes, limit: int, new_stream: Callable, step: Callable, most: int) -> bytes:
    """Decode `data` member by member (gzip members, zstd frames); each stream is fed a chunk at a time,
    so what it leaves over is never a copy of the whole rest (which made many members quadratic)."""
    out = bytearray()
    view = memoryview(data)
    pos = members = 0
    while pos < len(data):
        members += 1
        if members > most:
            raise UndecodableBody("data left over after the compressed stream" if most == 1
                                  else f"more than {most} compressed members")
        stream = new_stream()
        while not stream.eof and pos < len(data):
            chunk = view[pos:pos + _CHUNK]
            out += step(stream, chunk, limit - len(out))
            if len(out) > limit:
                raise DecodedBodyTooLarge(f"more than {limit} bytes decoded")
            pos += len(chunk) - len(stream.unused_data)
        if not stream.eof:
            raise UndecodableBody("the compressed data is cut off")
    return bytes(out)


def _brotli(data: bytes, limit: int) -> bytes:
    decompressor = brotli.Decompressor()
    try:
        out = bytearray(decompressor.process(data, output_buffer_limit=limit + 1))
        while len(out) <= limit and not decompressor.can_accept_more_data():
            out += decompressor.process(b"", output_buffer_limit=limit + 1 - len(out))
    except brotli.error as e:
        raise UndecodableBody(str(e)) from None
    if len(out) > limit:
        raise DecodedBodyTooLarge(f"more than {limit} bytes decoded")
    if not decompressor.is_finished():
        raise UndecodableBody("the compressed data is cut off")
    return bytes(out)


def _zstd(data: bytes, limit: int) -> bytes:
    context = zstandard.ZstdDecompressor()
    # First the size, with a reader that stops at limit + 1 bytes (a frame need not declare its size) ...
    try:
        with context.stream_reader(io.BytesIO(data), read_across_frames=True) as reader:
            if len(reader.read(limit + 1)) > limit:
                raise DecodedBodyTooLarge(f"more than {limit} bytes decoded")
    except zstandard.ZstdError as e:
        raise UndecodableBody(str(e)) from None
    # ... then frame by frame, so a cut-off frame or data left over is refused, not silently dropped.
    try:
        return _members(data, limit, context.decompressobj, lambda stream, chunk, room: stream.decompress(chunk),
                        MAX_MEMBERS)
    except zstandard.ZstdError as e:
        raise UndecodableBody(str(e)) from None
