"""The text on a PDF's pages, as a reader sees it (pypdf): a letter's løpenummer is in its metadata too,
so finding it in the raw bytes would prove nothing about what the filed letter says."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
