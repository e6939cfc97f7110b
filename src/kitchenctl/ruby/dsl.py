"""The seam between the evaluator and a DSL: what a receiver object offers.

The evaluator knows Ruby; a receiver knows the DSL (metadata.rb, Berksfile). Every call
with no explicit receiver that is not a local helper ``def`` goes to the receiver, which
answers only the methods it lists in ``dsl_methods``. Nothing else is ever callable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from kitchenctl.errors import RubyEvalError
from kitchenctl.ruby.values import Site, Symbol

#: A Ruby block (``{ |os| ... }`` or ``do ... end``) the receiver may run.
Block = Callable[..., object]


@dataclass(frozen=True)
class Call:
    """One call to a DSL method, with its arguments already evaluated.

    ``args`` are the positional arguments; trailing ``key: value`` pairs (and
    ``:key => value`` pairs) are in ``keywords``, keys as written (a :class:`Symbol`
    or a string).
    """

    name: str
    args: tuple[object, ...]
    site: Site
    keywords: dict[object, object] = field(default_factory=dict)
    block: Block | None = None

    def options(self) -> dict[str, object]:
        """The keywords by plain name (``path:`` and ``:path =>`` are both ``path``)."""
        return {str(key): value for key, value in self.keywords.items()}

    def ruby_args(self) -> list[object]:
        """The arguments as Ruby's ``*args`` sees them: keywords as a last hash."""
        if self.keywords:
            return [*self.args, dict(self.keywords)]
        return list(self.args)

    def error(self, message: str, *, hint: str | None = None) -> RubyEvalError:
        """An error located at this call."""
        return RubyEvalError(f"{self.site}: {message}", hint=hint)


class Receiver:
    """Base for DSL receivers: subclasses define ``dsl_<name>`` methods.

    ``dsl_methods`` names the callable DSL methods; each is answered by the method
    ``dsl_<name>`` (``?`` and ``!`` spelt ``_q`` / ``_b``) taking one :class:`Call`.
    """

    dsl_methods: ClassVar[frozenset[str]] = frozenset()
    file_kind: ClassVar[str] = "this file"

    def responds_to(self, name: str) -> bool:
        """What Ruby's ``respond_to?(:name)`` answers inside the file."""
        return name in self.dsl_methods

    def call(self, call: Call) -> object:
        """Run one DSL method; unknown ones go to :meth:`method_missing`."""
        if call.name not in self.dsl_methods:
            return self.method_missing(call)
        handler = getattr(self, "dsl_" + _python_name(call.name))
        result: object = handler(call)
        return result

    def method_missing(self, call: Call) -> object:
        """An unknown method: an error unless a subclass decides otherwise."""
        raise call.error(
            f"the method `{call.name}` is not supported in {self.file_kind}",
            hint="see docs/ruby-subset.md for what kitchenctl evaluates",
        )


def _python_name(name: str) -> str:
    return name.replace("?", "_q").replace("!", "_b")


def symbol_or_string(value: object) -> str | None:
    """The text of a string or symbol argument, else ``None``."""
    if isinstance(value, str | Symbol):
        return str(value)
    return None
