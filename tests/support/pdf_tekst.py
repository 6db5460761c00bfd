"""The text a reader sees on the pages of a PDF, for asserting what a letter says.

The letter's løpenummer is also in the PDF's metadata (its title), so a byte search proves nothing about
the page. fpdf2 writes text as glyph ids of an embedded font subset (Identity-H), readable only through
each font's ToUnicode map; this reads just that much of PDF (no library on the machine does it)."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"^(.*?)\bstream\r?\n(.*?)\r?\nendstream", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Each object's dictionary and, for a stream, its decoded data."""
    found: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJECT.finditer(pdf):
        body = match.group(2)
        stream = _STREAM.match(body)
        if stream is None:
            found[int(match.group(1))] = (body, None)
            continue
        head, data = stream.group(1), stream.group(2)
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        found[int(match.group(1))] = (head, data)
    return found


def _hex(raw: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", raw).decode())


def _cmap(data: bytes) -> dict[bytes, str]:
    """A ToUnicode CMap: source code → text (bfchar entries and bfranges)."""
    mapping: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = _HEX.findall(block)
        for src, dst in zip(pairs[::2], pairs[1::2], strict=True):
            mapping[_hex(src)] = _hex(dst).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            start, end = int(_hex(codes[0]).hex(), 16), int(_hex(codes[1]).hex(), 16)
            width = len(_hex(codes[0]))
            if b"[" in line:
                targets = [_hex(c).decode("utf-16-be") for c in codes[2:]]
            else:
                first = int(_hex(codes[2]).hex(), 16)
                targets = [chr(first + i) for i in range(end - start + 1)]
            for i, target in enumerate(targets):
                mapping[(start + i).to_bytes(width, "big")] = target
    return mapping


def _literal(data: bytes, at: int) -> tuple[bytes, int]:
    """The literal string opening at `data[at] == '('`, unescaped, and the index after it."""
    out, depth, i = bytearray(), 1, at + 1
    while i < len(data):
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
            elif nxt.isdigit():
                octal = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
                assert octal is not None
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
            else:
                out += nxt
                i += 2
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += c
        i += 1
    raise ValueError("unterminated string in a content stream")


def _show(raw: bytes, cmap: dict[bytes, str] | None) -> str:
    if cmap is None:
        return raw.decode("latin-1")
    width = len(next(iter(cmap))) if cmap else 1
    return "".join(cmap.get(raw[i : i + width], "") for i in range(0, len(raw), width))


def pdf_text(pdf: bytes) -> str:
    """The text shown by every page's content streams, one line per text object (BT … ET)."""
    objects = _objects(pdf)
    fonts: dict[bytes, dict[bytes, str] | None] = {}
    for head, _data in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            for name, ref in re.findall(rb"/(\w+)\s+(\d+)\s+0\s+R", block):
                font_head = objects.get(int(ref), (b"", None))[0]
                to_unicode = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", font_head)
                cmap_data = objects.get(int(to_unicode.group(1)), (b"", None))[1] if to_unicode else None
                fonts[name] = _cmap(cmap_data) if cmap_data else None
    contents = {
        int(ref)
        for head, _data in objects.values()
        if re.search(rb"/Type\s*/Page\b", head)
        for ref in re.findall(rb"/Contents\s+(\d+)\s+0\s+R", head)
    }
    lines: list[str] = []
    for ref in sorted(contents):
        data = objects[ref][1] or b""
        font: dict[bytes, str] | None = None
        shown: list[str] = []
        operands: list[bytes | str] = []
        i = 0
        while i < len(data):
            c = data[i : i + 1]
            if c.isspace():
                i += 1
            elif c == b"(":
                raw, i = _literal(data, i)
                operands.append(raw)
            elif c == b"<" and data[i + 1 : i + 2] != b"<":
                end = data.index(b">", i)
                operands.append(_hex(data[i + 1 : end]))
                i = end + 1
            elif c in b"[]":
                i += 1
            else:
                token = re.match(rb"[^\s()<>\[\]/]+|/[^\s()<>\[\]/]*", data[i:])
                assert token is not None
                word = token.group(0)
                i += len(word)
                if word.startswith(b"/"):
                    operands.append(word.decode("latin-1"))
                elif word == b"Tf":
                    names = [o for o in operands if isinstance(o, str)]
                    font = fonts.get(names[-1][1:].encode()) if names else None
                elif word in (b"Tj", b"TJ", b"'", b'"'):
                    shown.extend(_show(o, font) for o in operands if isinstance(o, bytes))
                elif word == b"ET" and shown:
                    lines.append("".join(shown))
                    shown = []
                if not re.fullmatch(rb"[-+.\d]+", word) and not word.startswith(b"/"):
                    operands = []
    return "\n".join(lines)
