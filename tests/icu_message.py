"""Translation strings read and filled in the way Home Assistant's frontend does it.

The frontend passes every translation string to ``IntlMessageFormat`` (FormatJS) and shows
"Translation error: <KIND>" when it does not parse, e.g. ``UNCLOSED_TAG`` for text such as
``<secret>``. This module follows the rules of FormatJS's parser
(``packages/icu-messageformat-parser/parser.ts``) for what translation strings use:

- ``{name}`` is an argument; ``{name, type, ...}`` (plural, select, number, ...) is not
  used by Home Assistant's translations (hassfest wants plain identifiers), so it is
  reported as ``UNSUPPORTED_ARGUMENT``;
- ``<`` followed by an ASCII letter opens a tag, which needs a matching ``</name>``
  (``UNCLOSED_TAG`` otherwise) and a function to render it, which Home Assistant never
  passes (``TAG_NEEDS_FUNCTION``); ``<name/>`` stays as it is; ``</`` outside a tag is
  ``UNMATCHED_CLOSING_TAG``; any other ``<`` is plain text;
- an apostrophe quotes only where needed: ``''`` is one apostrophe, ``'`` before ``{``,
  ``}``, ``<`` or ``>`` starts quoted text up to the next lone apostrophe, any other
  apostrophe is plain text;
- ``}`` outside an argument is plain text.

Filling in a missing argument is an error, as in the frontend (``MISSING_VALUE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import string

# Characters that end an argument name: white space and ICU's Pattern_Syntax. Only ASCII
# is listed: hassfest already limits placeholders to Python identifiers.
_NAME_END = frozenset(string.whitespace) | (frozenset(string.punctuation) - {"_"})
_QUOTABLE = frozenset("{}<>")


def _opens_tag(char: str) -> bool:
    """After ``<``: an ASCII letter opens a tag, ``/`` closes one."""
    return char == "/" or (char.isascii() and char.isalpha())


class MessageError(ValueError):
    """The string would show as "Translation error" in the frontend."""

    def __init__(self, kind: str, message: str, offset: int) -> None:
        """Remember the FormatJS error kind and where it happened."""
        super().__init__(f"{kind} at {offset} in {message!r}")
        self.kind = kind


@dataclass(frozen=True)
class Argument:
    """A ``{name}`` in a message."""

    name: str


class _Reader:
    """One pass over one message."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.pos = 0

    def error(self, kind: str) -> MessageError:
        return MessageError(kind, self.message, self.pos)

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.message[index] if index < len(self.message) else ""

    def parts(self, *, in_tag: bool = False) -> list[str | Argument]:
        """Literal text and arguments up to the end (or up to ``</`` inside a tag)."""
        parts: list[str | Argument] = []
        while self.pos < len(self.message):
            char = self.peek()
            if char == "{":
                parts.append(self.argument())
            elif char == "<" and self.peek(1) == "/":
                if in_tag:
                    break
                raise self.error("UNMATCHED_CLOSING_TAG")
            elif char == "<" and _opens_tag(self.peek(1)) and self.peek(1) != "/":
                parts.append(self.tag())
            else:
                parts.append(self.literal())
        return parts

    def literal(self) -> str:
        text = ""
        while self.pos < len(self.message):
            char = self.peek()
            if char == "'":
                text += self.quoted()
            elif char == "{" or (char == "<" and _opens_tag(self.peek(1))):
                break
            else:
                text += char
                self.pos += 1
        return text

    def quoted(self) -> str:
        """Return an apostrophe and what it quotes (FormatJS's tryParseQuote)."""
        following = self.peek(1)
        if following == "'":
            self.pos += 2
            return "'"
        if following not in _QUOTABLE or not following:
            self.pos += 1
            return "'"
        self.pos += 1
        text = self.peek()
        self.pos += 1
        while self.pos < len(self.message):
            char = self.peek()
            if char == "'" and self.peek(1) == "'":
                text += "'"
                self.pos += 2
                continue
            self.pos += 1
            if char == "'":
                break
            text += char
        return text

    def skip_space(self) -> None:
        while self.peek() and self.peek().isspace():
            self.pos += 1

    def argument(self) -> Argument:
        self.pos += 1  # {
        self.skip_space()
        if not self.peek():
            raise self.error("EXPECT_ARGUMENT_CLOSING_BRACE")
        if self.peek() == "}":
            raise self.error("EMPTY_ARGUMENT")
        start = self.pos
        while self.peek() and self.peek() not in _NAME_END:
            self.pos += 1
        name = self.message[start : self.pos]
        if not name:
            raise self.error("MALFORMED_ARGUMENT")
        self.skip_space()
        if not self.peek():
            raise self.error("EXPECT_ARGUMENT_CLOSING_BRACE")
        if self.peek() == ",":
            raise self.error("UNSUPPORTED_ARGUMENT")
        if self.peek() != "}":
            raise self.error("MALFORMED_ARGUMENT")
        self.pos += 1
        return Argument(name)

    def tag_name(self) -> str:
        start = self.pos
        self.pos += 1
        while self.peek() and (self.peek().isalnum() or self.peek() in "-._"):
            self.pos += 1
        return self.message[start : self.pos]

    def tag(self) -> str:
        start = self.pos
        self.pos += 1  # <
        name = self.tag_name()
        self.skip_space()
        if self.message.startswith("/>", self.pos):
            self.pos += 2
            return f"<{name}/>"
        if self.peek() != ">":
            self.pos = start
            raise self.error("INVALID_TAG")
        self.pos += 1
        self.parts(in_tag=True)
        if not self.message.startswith("</", self.pos):
            self.pos = start
            raise self.error("UNCLOSED_TAG")
        self.pos += 2
        if not _opens_tag(self.peek()) or self.peek() == "/" or self.tag_name() != name:
            raise self.error("UNMATCHED_CLOSING_TAG")
        self.skip_space()
        if self.peek() != ">":
            raise self.error("INVALID_TAG")
        self.pos = start
        raise self.error("TAG_NEEDS_FUNCTION")


def parse(message: str) -> list[str | Argument]:
    """Return the message as literal text and arguments; MessageError where the frontend fails."""
    return _Reader(message).parts()


def arguments(message: str) -> set[str]:
    """Return the names of the message's arguments."""
    return {part.name for part in parse(message) if isinstance(part, Argument)}


def render(message: str, values: Mapping[str, object] | None = None) -> str:
    """Return the text the frontend shows for ``message`` filled in with ``values``."""
    values = values or {}
    text = ""
    for part in parse(message):
        if isinstance(part, Argument):
            if part.name not in values:
                raise MessageError("MISSING_VALUE", message, 0)
            text += str(values[part.name])
        else:
            text += part
    return text
