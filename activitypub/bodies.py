"""Response bodies: what an ActivityPub document looks like, and reading one within limits.

Content types are recognised the tolerant way (parameter order, quoting, case, charset do not
matter). Bodies are read as a stream and counted after decompression, so neither a lying
``Content-Length`` nor a gzip bomb gets more than the cap into memory; JSON that nests too
deep or carries absurd numbers becomes :class:`InvalidDocument`, never a crash.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

import httpx

from activitypub.errors import BadContentType, InvalidDocument, ResponseTooLarge

__all__ = [
    "ACTIVITY_CONTENT_TYPE",
    "AS_PROFILE",
    "drain",
    "is_activity_content_type",
    "is_json_content_type",
    "parse_json",
    "read_capped",
]

AS_PROFILE = "https://www.w3.org/ns/activitystreams"
ACTIVITY_CONTENT_TYPE = "application/activity+json"

_PARAM = re.compile(r';\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _media_type(value: str) -> tuple[str, dict[str, str]]:
    media, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        raw = match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        params[match.group(1).lower()] = raw
    return media.strip().lower(), params


def is_activity_content_type(value: str) -> bool:
    """``application/activity+json``, or ``application/ld+json`` with the AS2 profile.

    Parameter order, quoting, case and a ``charset`` do not matter; ``profile`` may list
    several URIs separated by spaces.
    """
    media, params = _media_type(value)
    if media == "application/activity+json":
        return True
    return media == "application/ld+json" and AS_PROFILE in params.get("profile", "").split()


def is_json_content_type(value: str) -> bool:
    """``application/jrd+json`` or ``application/json`` (WebFinger, NodeInfo)."""
    return _media_type(value)[0] in ("application/jrd+json", "application/json")


def parse_json(body: bytes) -> Any:
    """Parse JSON, turning every way it can fail into :class:`InvalidDocument`.

    Deep nesting raises ``RecursionError`` and a number of thousands of digits ``ValueError``
    inside :func:`json.loads`; both are a remote party's doing, never our 500.
    """
    try:
        return json.loads(body)
    except RecursionError as exc:
        raise InvalidDocument("JSON nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digits limit
        raise InvalidDocument(f"invalid JSON: {exc}") from exc


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The body, decompressed if gzip, refusing more than ``cap`` bytes as they arrive."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > cap:
        raise ResponseTooLarge(f"{response.url}: declares {declared} bytes")
    try:
        ready = response.content  # a response built in memory (mock transports), decoded
    except httpx.ResponseNotRead:
        pass
    else:
        if len(ready) > cap:
            raise ResponseTooLarge(f"{response.url}: more than {cap} bytes")
        return ready
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder: zlib._Decompress | None = zlib.decompressobj(wbits=31)
    elif encoding in ("identity", ""):
        decoder = None
    else:
        raise BadContentType(f"{response.url}: content encoding {encoding!r}")
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            # max_length bounds what one small compressed chunk may expand to (gzip bombs).
            data = raw if decoder is None else decoder.decompress(raw, cap + 1 - size)
            size += len(data)
            if size > cap:
                raise ResponseTooLarge(f"{response.url}: more than {cap} bytes")
            chunks.append(data)
        if decoder is not None:
            tail = decoder.flush()
            size += len(tail)
            if size > cap:
                raise ResponseTooLarge(f"{response.url}: more than {cap} bytes")
            if not decoder.eof:
                raise InvalidDocument(f"{response.url}: truncated gzip body")
            chunks.append(tail)
    except zlib.error as exc:
        raise InvalidDocument(f"{response.url}: broken gzip body") from exc
    return b"".join(chunks)


async def drain(response: httpx.Response, limit: int) -> None:
    """Read an inbox's answer so the connection can be reused, up to ``limit`` bytes."""
    stream = response.stream
    if response.is_stream_consumed or not isinstance(stream, httpx.AsyncByteStream):
        return  # built in memory
    size = 0
    async for chunk in stream:  # straight from the wire: the answer is dropped, never decoded
        size += len(chunk)
        if size > limit:
            break
