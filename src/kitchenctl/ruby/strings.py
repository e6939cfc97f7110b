"""Ruby string literal rules: escapes, single quotes and squiggly heredocs."""

from __future__ import annotations

SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "s": " ",
    "r": "\r",
    "0": "\0",
    "e": "\x1b",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def decode_escape(sequence: str) -> str:
    """The character a double-quoted escape (``\\n``, ``\\u00e9``) stands for."""
    body = sequence[1:]
    if body in SIMPLE_ESCAPES:
        return SIMPLE_ESCAPES[body]
    if body.startswith("u{"):
        return "".join(chr(int(code, 16)) for code in body[2:-1].split())
    if body.startswith("u") and len(body) == 5:
        return chr(int(body[1:], 16))
    if body.startswith("x") and len(body) > 1:
        return chr(int(body[1:], 16))
    if body[:1].isdigit():
        return chr(int(body, 8))
    if body.startswith("\n"):
        return ""
    return body


def unescape_single_quoted(text: str) -> str:
    """Single quotes keep every backslash except in ``\\\\`` and ``\\'``."""
    if "\\" not in text:
        return text
    result: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "\\'":
            result.append(text[index + 1])
            index += 2
            continue
        result.append(char)
        index += 1
    return "".join(result)


def squiggly_dedent(text: str) -> str:
    """Remove the smallest indentation of the non-blank lines (``<<~``)."""
    lines = text.split("\n")
    widths = [_indent_width(line) for line in lines if line.strip(" \t") and line != ""]
    if not widths:
        return text
    margin = min(widths)
    return "\n".join(_remove_indent(line, margin) for line in lines)


def _indent_width(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width = (width // 8 + 1) * 8
        else:
            break
    return width


def _remove_indent(line: str, margin: int) -> str:
    width = 0
    index = 0
    while index < len(line) and width < margin and line[index] in " \t":
        width = (width // 8 + 1) * 8 if line[index] == "\t" else width + 1
        index += 1
    return line[index:]
