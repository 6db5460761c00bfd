"""How large a file the upload page takes, said in Norwegian.

A larger file never reaches a route: the service's request limit (`SpineMiddleware`, `upload_limit`)
sends a browser back to the page with `TOO_LARGE_PARAM`, and the page shows `too_large_message`."""

from __future__ import annotations

from typing import Any

from shared.platform.web.middleware import upload_limit
from shared.platform.web.templating import format_size
from soknad.etterregistrering.fil import MAX_FIL_BYTES


def file_limit(settings: Any) -> int:
    """The largest file the page takes: what the service lets through to it, and never more than a
    file may be (`MAX_FIL_BYTES`, the same for the command line)."""
    return min(MAX_FIL_BYTES, upload_limit(int(settings.max_upload_bytes), int(settings.max_body_bytes)))


def too_large_message(settings: Any) -> str:
    return f"Filen er for stor (høyst {format_size(file_limit(settings))}). Del den i flere filer."
