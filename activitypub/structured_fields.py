"""The part of RFC 8941 (Structured Field Values) that RFC 9421 signatures need.

`Signature-Input` and `Signature` are structured-field dictionaries: members
are inner lists of strings with parameters, or byte sequences. This module
parses dictionaries strictly (anything off-grammar raises
`StructuredFieldError`, a `ValueError`) and serializes the inner list that
becomes `@signature-params`. Small and dependency-free on purpose: the signature
path parses one short header per request, and a generic library would be slower
and untyped.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import TypeAlias

__all__ = [
    "BareItem",
    "InnerList",
    "Parameters",
    "StructuredFieldError",
    "Token",
    "parse_dictionary",
    "serialize_bare_item",
    "serialize_inner_list",
]


class StructuredFieldError(ValueError):
    """The text is not a valid structured field."""


class Token(str):
    """An sf-token (a bare word), as opposed to an sf-string (quoted)."""

    __slots__ = ()


BareItem: TypeAlias = bool | int | float | str | bytes
Parameters: TypeAlias = list[tuple[str, BareItem]]
InnerList: TypeAlias = list[tuple[BareItem, Parameters]]

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d{1,3})?")
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*")
_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_BINARY = re.compile(r":([A-Za-z0-9+/=]*):")
_UNESCAPE = re.compile(r"\\(.)")


class _Parser:
    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> StructuredFieldError:
        return StructuredFieldError(f"{what} at position {self.pos}")

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def skip(self, chars: str) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def key(self) -> str:
        match = _KEY.match(self.text, self.pos)
        if match is None:
            raise self.fail("expected a key")
        self.pos = match.end()
        return match.group()

    def bare_item(self) -> BareItem:
        text, char = self.text, self.peek()
        if char == '"':
            match = _STRING.match(text, self.pos)
            if match is None:
                raise self.fail("bad string")
            self.pos = match.end()
            value = match.group(1)
            return _UNESCAPE.sub(r"\1", value) if "\\" in value else value
        if char == ":":
            match = _BINARY.match(text, self.pos)
            if match is None:
                raise self.fail("bad byte sequence")
            self.pos = match.end()
            try:
                return base64.b64decode(match.group(1), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise self.fail("bad base64") from exc
        if char == "?":
            flag = text[self.pos + 1 : self.pos + 2]
            if flag not in ("0", "1"):
                raise self.fail("bad boolean")
            self.pos += 2
            return flag == "1"
        if char == "-" or char.isdigit():
            match = _NUMBER.match(text, self.pos)
            if match is None:
                raise self.fail("bad number")
            self.pos = match.end()
            number = match.group()
            return float(number) if "." in number else int(number)
        match = _TOKEN.match(text, self.pos)
        if match is None:
            raise self.fail("expected an item")
        self.pos = match.end()
        return Token(match.group())

    def parameters(self) -> Parameters:
        params: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            name = self.key()
            value: BareItem = True
            if self.peek() == "=":
                self.pos += 1
                value = self.bare_item()
            params[name] = value
        return list(params.items())

    def inner_list(self) -> InnerList:
        self.pos += 1  # the "("
        items: InnerList = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return items
            item = self.bare_item()
            items.append((item, self.parameters()))
            if self.peek() not in (" ", ")"):
                raise self.fail("inner list items must be separated by spaces")


def parse_dictionary(text: str) -> dict[str, tuple[BareItem | InnerList, Parameters]]:
    """Parse an sf-dictionary: `{key: (item or inner list, parameters)}`, in order.

    A repeated key keeps its first position and its last value (RFC 8941 4.2.2).
    """
    parser = _Parser(text.strip(" \t"))
    members: dict[str, tuple[BareItem | InnerList, Parameters]] = {}
    if not parser.text:
        return members
    while True:
        name = parser.key()
        value: BareItem | InnerList = True
        if parser.peek() == "=":
            parser.pos += 1
            value = parser.inner_list() if parser.peek() == "(" else parser.bare_item()
        members[name] = (value, parser.parameters())
        parser.skip(" \t")
        if parser.pos == len(parser.text):
            return members
        if parser.peek() != ",":
            raise parser.fail("expected ','")
        parser.pos += 1
        parser.skip(" \t")
        if parser.pos == len(parser.text):
            raise parser.fail("trailing comma")


def serialize_bare_item(value: BareItem) -> str:
    """One bare item in its canonical text form."""
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") + ("" if value % 1 else ".0")
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if isinstance(value, Token):
        return str(value)
    if not (value.isascii() and value.isprintable()):
        raise StructuredFieldError("strings hold printable ASCII only")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize_inner_list(items: Sequence[BareItem], params: Sequence[tuple[str, BareItem]]) -> str:
    """An inner list of items (no item parameters) followed by its parameters."""
    inner = " ".join(serialize_bare_item(item) for item in items)
    tail = "".join(
        f";{name}" if value is True else f";{name}={serialize_bare_item(value)}"
        for name, value in params
    )
    return f"({inner}){tail}"
