"""A safe evaluator for the subset of Ruby that metadata.rb and Berksfiles use.

kitchenctl never executes Ruby. :func:`evaluate_file` parses a file with tree-sitter's
Ruby grammar and interprets a whitelist of constructs (docs/ruby-subset.md); every call
without a receiver goes to a DSL :class:`Receiver` that offers only its own methods.
Anything else raises one :class:`~kitchenctl.errors.RubyEvalError` naming
``file:line:column`` and the construct.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kitchenctl.errors import InputFileError
from kitchenctl.ruby.dsl import Block, Call, Receiver, symbol_or_string
from kitchenctl.ruby.values import Site, Symbol, to_json_value

if TYPE_CHECKING:
    from tree_sitter import Parser

__all__ = [
    "Block",
    "Call",
    "Receiver",
    "Site",
    "Symbol",
    "evaluate_file",
    "evaluate_source",
    "symbol_or_string",
    "to_json_value",
]


def evaluate_file(
    path: Path,
    receiver: Receiver,
    *,
    environment: Mapping[str, str] | None = None,
    read_root: Path | None = None,
) -> None:
    """Evaluate the Ruby file at ``path`` against ``receiver``.

    Relative file reads are relative to the file's folder and confined to ``read_root``
    (the file's folder by default). ``environment`` is what ``ENV`` sees (the process
    environment by default). Raises InputFileError when the file cannot be read and
    RubyEvalError for anything outside the subset.
    """
    try:
        source = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read {path}: {error.strerror}") from error
    evaluate_source(
        source, path, receiver, environment=environment, read_root=read_root
    )


def evaluate_source(
    source: bytes,
    path: Path,
    receiver: Receiver,
    *,
    environment: Mapping[str, str] | None = None,
    read_root: Path | None = None,
) -> None:
    """Evaluate Ruby ``source`` as if it were the file at ``path``."""
    from kitchenctl.ruby.interpreter import Context, Interpreter

    absolute = Path(os.path.abspath(path))  # noqa: PTH100 (no symlink resolving)
    context = Context(
        path=absolute,
        receiver=receiver,
        environment=os.environ if environment is None else environment,
        read_root=read_root if read_root is not None else absolute.parent,
    )
    tree = _parser().parse(source)
    Interpreter(context, source, tree.root_node).run()


@cache
def _parser() -> Parser:
    """One parser per process: building the language costs a few milliseconds."""
    import tree_sitter
    import tree_sitter_ruby

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_ruby.language()))
