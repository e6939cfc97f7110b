"""The whitelisted core methods: File, IO, ENV, and methods on plain values.

Every method here is a pure function of its arguments, except the file reads, which
only read (never write) files inside the evaluated file's folder.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kitchenctl.ruby.values import (
    Symbol,
    ruby_class_name,
    ruby_inspect,
    ruby_to_s,
    truthy,
)

if TYPE_CHECKING:
    from kitchenctl.ruby.interpreter import Context

CLASSES = frozenset({"File", "IO", "ENV"})
KERNEL_FUNCTIONS = frozenset({"respond_to?", "__dir__", "raise"})
MAX_STRING_LENGTH = 10 * 1024 * 1024

BlockFunction = Callable[..., object]


@dataclass(frozen=True)
class RubyClass:
    """``File``, ``IO`` or ``ENV`` used as a receiver."""

    name: str


class Unsupported(Exception):
    """A method outside the whitelist; the message names it."""


class RubyException(Exception):
    """What Ruby would raise at run time (``rescue`` in the file may catch it)."""


def ruby_equal(left: object, right: object) -> bool:
    """Ruby's ``==``: ``1 == 1.0`` but ``1 != true`` and ``"a" != :a``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return (type(left) is type(right) and left == right) or (
        isinstance(left, int | float)
        and isinstance(right, int | float)
        and left == right
    )


# Classes: File, IO, ENV.


def call_class_method(
    context: Context,
    class_name: str,
    name: str,
    args: list[object],
    block: BlockFunction | None,
) -> object:
    if class_name == "ENV":
        return _env_method(context, name, args, block)
    if name == "read" and class_name in ("File", "IO"):
        return _read_file(context, _path_argument(args, f"{class_name}.read"))
    if class_name == "File":
        return _file_method(context, name, args)
    raise Unsupported(f"the method `{class_name}.{name}`")


def _file_method(context: Context, name: str, args: list[object]) -> object:
    if name == "join":
        parts = [ruby_to_s(part) for part in _flatten(args)]
        return "/".join(
            part.rstrip("/") if i < len(parts) - 1 else part
            for i, part in enumerate(parts)
        )
    if name == "dirname":
        return posixpath.dirname(_path_argument(args, "File.dirname")) or "."
    if name == "basename":
        return _basename(args)
    if name == "expand_path":
        return _expand_path(context, args)
    path_checks: dict[str, Callable[[Path], bool]] = {
        "exist?": Path.exists,
        "exists?": Path.exists,
        "file?": Path.is_file,
        "directory?": Path.is_dir,
        "symlink?": Path.is_symlink,
    }
    if name in path_checks:
        path = _resolve(context, _path_argument(args, f"File.{name}"))
        follow = name != "symlink?"
        return _inside(context, path, follow=follow) and path_checks[name](path)
    if name == "readlink":
        path = _resolve(context, _path_argument(args, "File.readlink"))
        if not _inside(context, path, follow=False) or not path.is_symlink():
            raise RubyException(f"Invalid argument @ rb_readlink - {path}")
        return str(path.readlink())
    raise Unsupported(f"the method `File.{name}`")


def _basename(args: list[object]) -> str:
    base = posixpath.basename(_path_argument(args[:1], "File.basename").rstrip("/"))
    if len(args) > 1 and isinstance(args[1], str):
        suffix = args[1]
        if suffix == ".*":
            stem, _ = posixpath.splitext(base)
            return stem
        return base.removesuffix(suffix) if base != suffix else base
    return base


def _expand_path(context: Context, args: list[object]) -> str:
    path = _path_argument(args[:1], "File.expand_path")
    base = ruby_to_s(args[1]) if len(args) > 1 else str(context.path.parent)
    if not posixpath.isabs(base):
        base = posixpath.join(str(context.path.parent), base)
    return posixpath.normpath(posixpath.join(base, path))


def _read_file(context: Context, name: str) -> str:
    path = _resolve(context, name)
    if not _inside(context, path):
        raise Unsupported(
            f"reading `{name}`, outside the folder of {context.path.name},"
        )
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubyException(
            f"No such file or directory @ rb_sysopen - {name}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RubyException(f"cannot read {name}: {error}") from None


def _resolve(context: Context, name: str) -> Path:
    """Relative paths are relative to the evaluated file, not the working folder."""
    path = Path(name)
    if not path.is_absolute():
        path = context.path.parent / path
    return Path(posixpath.normpath(path))


def _inside(context: Context, path: Path, *, follow: bool = True) -> bool:
    """Inside the read root as written, and (``follow``) once symlinks are followed."""
    root = Path(posixpath.normpath(context.read_root))
    if not (path == root or root in path.parents):
        return False
    if not follow:
        return True
    real_root = root.resolve()
    real_path = path.resolve()
    return real_path == real_root or real_root in real_path.parents


def _path_argument(args: list[object], method: str) -> str:
    if len(args) != 1 or not isinstance(args[0], str):
        raise RubyException(f"{method} takes one string, not {ruby_inspect(args)}")
    return args[0]


def _env_method(
    context: Context, name: str, args: list[object], block: BlockFunction | None
) -> object:
    environment = context.environment
    key = ruby_to_s(args[0]) if args else ""
    if name == "[]" and len(args) == 1:
        return environment.get(key)
    if name in ("key?", "has_key?", "include?") and len(args) == 1:
        return key in environment
    if name == "fetch" and args:
        if key in environment:
            return environment[key]
        if len(args) > 1:
            return args[1]
        if block is not None:
            return block(key)
        raise RubyException(f"key not found: {ruby_inspect(key)}")
    raise Unsupported(f"the method `ENV.{name}`")


# Values: strings, symbols, numbers, arrays, hashes, nil.


def call_value_method(
    receiver: object, name: str, args: list[object], block: BlockFunction | None
) -> object:
    """Run a whitelisted method on a plain value."""
    common = _common_method(receiver, name, args)
    if common is not _MISSING:
        return common
    if isinstance(receiver, str):
        return _string_method(receiver, name, args)
    if isinstance(receiver, list):
        return _array_method(receiver, name, args, block)
    if isinstance(receiver, dict):
        return _hash_method(receiver, name, args, block)
    if isinstance(receiver, Symbol) and name in ("to_sym", "to_s", "to_str"):
        return receiver if name == "to_sym" else receiver.name
    if isinstance(receiver, int | float) and not isinstance(receiver, bool):
        return _number_method(receiver, name, args)
    raise Unsupported(f"the method `{name}` on {ruby_class_name(receiver)}")


_MISSING = object()


def _common_method(receiver: object, name: str, args: list[object]) -> object:
    if name == "nil?":
        return receiver is None
    if name in ("freeze", "dup", "clone", "itself"):
        return receiver
    if name == "frozen?":
        return True
    if name == "inspect":
        return ruby_inspect(receiver)
    if name == "to_s" and not isinstance(receiver, Symbol):
        return ruby_to_s(receiver)
    if name == "to_a" and receiver is None:
        return []
    if name in ("==", "eql?") and len(args) == 1:
        return ruby_equal(receiver, args[0])
    return _MISSING


def _string_method(text: str, name: str, args: list[object]) -> object:
    no_args: dict[str, Callable[[str], object]] = {
        "strip": lambda s: s.strip(" \t\n\v\f\r\0"),
        "lstrip": lambda s: s.lstrip(" \t\n\v\f\r\0"),
        "rstrip": lambda s: s.rstrip(" \t\n\v\f\r\0"),
        "chomp": _chomp,
        "upcase": str.upper,
        "downcase": str.lower,
        "capitalize": str.capitalize,
        "length": len,
        "size": len,
        "empty?": lambda s: s == "",
        "to_sym": Symbol,
        "to_str": lambda s: s,
        "to_i": _to_i,
        "lines": lambda s: s.splitlines(keepends=True),
        "chars": list,
    }
    if name in no_args and not args:
        return no_args[name](text)
    if name == "+" and len(args) == 1:
        if not isinstance(args[0], str):
            raise RubyException(
                f"no implicit conversion of {ruby_class_name(args[0])} into String"
            )
        return text + args[0]
    if name == "*" and len(args) == 1 and isinstance(args[0], int):
        if len(text) * args[0] > MAX_STRING_LENGTH:
            raise Unsupported("a string longer than 10 MB")
        return text * args[0]
    if name in ("include?", "start_with?", "end_with?") and args:
        return _string_test(text, name, args)
    if name == "split":
        return _split(text, args)
    if (
        name in ("sub", "gsub")
        and len(args) == 2
        and all(isinstance(a, str) for a in args)
    ):
        count = 1 if name == "sub" else -1
        return text.replace(str(args[0]), str(args[1]), count)
    if name == "<<" and len(args) == 1:
        return text + ruby_to_s(args[0])
    if name == "[]" and len(args) == 1 and isinstance(args[0], int):
        index = args[0]
        return text[index] if -len(text) <= index < len(text) else None
    raise Unsupported(f"the method `String#{name}`")


def _string_test(text: str, name: str, args: list[object]) -> bool:
    strings = [arg for arg in args if isinstance(arg, str)]
    if len(strings) != len(args):
        raise Unsupported(f"`String#{name}` with a non-string argument")
    if name == "include?":
        return strings[0] in text
    if name == "start_with?":
        return text.startswith(tuple(strings))
    return text.endswith(tuple(strings))


def _chomp(text: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def _to_i(text: str) -> int:
    digits = ""
    for char in text.strip():
        if char.isdigit() or (not digits and char in "+-"):
            digits += char
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


def _split(text: str, args: list[object]) -> list[object]:
    if not args or args[0] == " ":
        return list(text.split())
    if isinstance(args[0], str):
        parts: list[object] = list(text.split(args[0]))
        while parts and parts[-1] == "":
            parts.pop()
        return parts
    raise Unsupported("`String#split` with a pattern")


def _number_method(number: int | float, name: str, args: list[object]) -> object:
    if name == "to_i" and not args:
        return int(number)
    if name == "to_f" and not args:
        return float(number)
    if name in ("+", "-", "*") and len(args) == 1 and isinstance(args[0], int | float):
        other = args[0]
        return {"+": number + other, "-": number - other, "*": number * other}[name]
    if (
        name in ("<", ">", "<=", ">=")
        and len(args) == 1
        and isinstance(args[0], int | float)
    ):
        other = args[0]
        return {
            "<": number < other,
            ">": number > other,
            "<=": number <= other,
            ">=": number >= other,
        }[name]
    raise Unsupported(f"the method `{ruby_class_name(number)}#{name}`")


def _array_method(
    items: list[object], name: str, args: list[object], block: BlockFunction | None
) -> object:
    if block is not None:
        return _array_iteration(items, name, args, block)
    no_args: dict[str, Callable[[list[object]], object]] = {
        "first": lambda a: a[0] if a else None,
        "last": lambda a: a[-1] if a else None,
        "length": len,
        "size": len,
        "count": len,
        "empty?": lambda a: not a,
        "any?": lambda a: any(truthy(item) for item in a),
        "compact": lambda a: [item for item in a if item is not None],
        "flatten": _flatten,
        "uniq": _uniq,
        "to_a": list,
    }
    if name in no_args and not args:
        return no_args[name](items)
    if name == "join":
        separator = ruby_to_s(args[0]) if args else ""
        return separator.join(ruby_to_s(item) for item in _flatten(items))
    if name == "include?" and len(args) == 1:
        return any(ruby_equal(item, args[0]) for item in items)
    if name in ("+", "-") and len(args) == 1 and isinstance(args[0], list):
        if name == "+":
            return items + args[0]
        return [item for item in items if not any(ruby_equal(item, o) for o in args[0])]
    if name in ("<<", "push") and args:
        items.extend(args)
        return items
    if name == "[]" and len(args) == 1 and isinstance(args[0], int):
        index = args[0]
        return items[index] if -len(items) <= index < len(items) else None
    raise Unsupported(f"the method `Array#{name}`")


def _array_iteration(
    items: list[object], name: str, args: list[object], block: BlockFunction
) -> object:
    if args:
        raise Unsupported(f"`Array#{name}` with arguments and a block")
    if name in ("each", "each_entry"):
        for item in list(items):
            block(item)
        return items
    if name == "each_with_index":
        for index, item in enumerate(list(items)):
            block(item, index)
        return items
    if name in ("map", "collect"):
        return [block(item) for item in items]
    if name in ("select", "filter"):
        return [item for item in items if truthy(block(item))]
    if name == "reject":
        return [item for item in items if not truthy(block(item))]
    raise Unsupported(f"the method `Array#{name}` with a block")


def _hash_method(
    table: dict[object, object],
    name: str,
    args: list[object],
    block: BlockFunction | None,
) -> object:
    if block is not None and name in ("each", "each_pair"):
        for key, value in list(table.items()):
            block([key, value])
        return table
    if block is not None and name in ("map", "collect"):
        return [block([key, value]) for key, value in table.items()]
    if block is not None:
        raise Unsupported(f"the method `Hash#{name}` with a block")
    if name == "[]" and len(args) == 1:
        return table.get(_hash_key(args[0]))
    if name == "fetch" and args:
        key = _hash_key(args[0])
        if key in table:
            return table[key]
        if len(args) > 1:
            return args[1]
        raise RubyException(f"key not found: {ruby_inspect(args[0])}")
    if name in ("key?", "has_key?", "include?", "member?") and len(args) == 1:
        return _hash_key(args[0]) in table
    if name == "merge" and len(args) == 1 and isinstance(args[0], dict):
        return {**table, **args[0]}
    simple: dict[str, Callable[[dict[object, object]], object]] = {
        "keys": lambda t: list(t.keys()),
        "values": lambda t: list(t.values()),
        "length": len,
        "size": len,
        "empty?": lambda t: not t,
        "to_h": lambda t: t,
    }
    if name in simple and not args:
        return simple[name](table)
    raise Unsupported(f"the method `Hash#{name}`")


def _hash_key(key: object) -> object:
    if isinstance(key, list | dict):
        raise Unsupported("a hash lookup with an array or hash key")
    return key


def _flatten(items: list[object]) -> list[object]:
    flat: list[object] = []
    for item in items:
        if isinstance(item, list):
            flat.extend(_flatten(item))
        else:
            flat.append(item)
    return flat


def _uniq(items: list[object]) -> list[object]:
    unique: list[object] = []
    for item in items:
        if not any(ruby_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique
