"""A tree-walking interpreter for the small, side-effect-free subset of Ruby.

The source is parsed by tree-sitter's Ruby grammar, then walked node by node. Each node
type has one handler; a node type without a handler, a method outside the whitelists, or
a constant other than ``File``, ``IO`` and ``ENV`` stops evaluation with one
:class:`~kitchenctl.errors.RubyEvalError` naming ``file:line:column`` and the construct.
Nothing is ever executed: there is no ``eval``, no ``require``, no backticks, no method
lookup by name on Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kitchenctl.errors import RubyEvalError
from kitchenctl.ruby import builtins
from kitchenctl.ruby.dsl import Call, Receiver
from kitchenctl.ruby.strings import (
    decode_escape,
    squiggly_dedent,
    unescape_single_quoted,
)
from kitchenctl.ruby.values import Site, Symbol, ruby_to_s, truthy

if TYPE_CHECKING:
    from tree_sitter import Node

# Helper defs may call each other this deep; Ruby would say "stack level too deep".
MAX_HELPER_DEPTH = 50

# Statement lists: their children run one after another.
SEQUENCES = frozenset(
    {"program", "body_statement", "block_body", "then", "else", "begin_block"}
)

# What a node type is called in error messages, when its own name would puzzle.
CONSTRUCT_NAMES = {
    "while": "a `while` loop",
    "until": "an `until` loop",
    "for": "a `for` loop",
    "class": "a class definition",
    "module": "a module definition",
    "singleton_class": "a singleton class",
    "subshell": "a backtick command",
    "regex": "a regular expression",
    "lambda": "a lambda",
    "yield": "`yield`",
    "case": "a `case` statement",
    "global_variable": "a global variable",
    "class_variable": "a class variable",
    "range": "a range",
    "rescue": "`rescue`",
    "retry": "`retry`",
    "redo": "`redo`",
    "break": "`break`",
    "alias": "`alias`",
    "undef": "`undef`",
    "splat_argument": "a splat argument",
    "hash_splat_argument": "a double-splat argument",
    "scope_resolution": "a `::` constant path",
    "singleton_method": "a singleton method definition",
}


class _Return(Exception):
    """``return`` inside a helper ``def``."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class _Next(Exception):
    """``next`` inside a block."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class RubyRuntimeError(RubyEvalError):
    """An error Ruby itself would raise (a missing file, a missing ENV key).

    ``rescue`` in the file catches these, as Ruby's ``rescue`` would.
    """


@dataclass
class Frame:
    """Local variables of one scope; blocks see and change their parent's."""

    variables: dict[str, object] = field(default_factory=dict)
    parent: Frame | None = None

    def lookup(self, name: str) -> tuple[bool, object]:
        frame: Frame | None = self
        while frame is not None:
            if name in frame.variables:
                return True, frame.variables[name]
            frame = frame.parent
        return False, None

    def assign(self, name: str, value: object) -> None:
        frame: Frame | None = self
        while frame is not None:
            if name in frame.variables:
                frame.variables[name] = value
                return
            frame = frame.parent
        self.variables[name] = value


@dataclass(frozen=True)
class HelperMethod:
    """A ``def`` in the file: its parameters and body node."""

    name: str
    parameters: tuple[tuple[str, Node | None], ...]
    body: Node | None


@dataclass
class Context:
    """What the interpreted file may see of the world."""

    path: Path
    receiver: Receiver
    environment: Mapping[str, str]
    read_root: Path


class Interpreter:
    """Evaluates one parsed file against one receiver."""

    def __init__(self, context: Context, source: bytes, root: Node) -> None:
        self.context = context
        self.source = source
        self.root = root
        self.helpers: dict[str, HelperMethod] = {}
        self.constants: dict[str, object] = {}
        self.instance_variables: dict[str, object] = {}
        self.helper_depth = 0
        self.heredocs = _pair_heredocs(root) if b"<<" in source else {}
        self.handlers: dict[str, Callable[[Node, Frame], object]] = {
            "program": self._sequence,
            "body_statement": self._sequence,
            "block_body": self._sequence,
            "then": self._sequence,
            "else": self._sequence,
            "parenthesized_statements": self._sequence,
            "begin_block": self._sequence,
            "comment": _nothing,
            "empty_statement": _nothing,
            "heredoc_body": _nothing,
            "uninterpreted": _nothing,
            "string": self._string,
            "bare_string": self._string,
            "heredoc_beginning": self._heredoc,
            "string_array": self._array,
            "symbol_array": self._array,
            "array": self._array,
            "bare_symbol": self._bare_symbol,
            "simple_symbol": self._simple_symbol,
            "hash_key_symbol": self._hash_key_symbol,
            "delimited_symbol": self._delimited_symbol,
            "integer": self._integer,
            "float": self._float,
            "true": lambda node, frame: True,
            "false": lambda node, frame: False,
            "nil": lambda node, frame: None,
            "self": self._self,
            "hash": self._hash,
            "identifier": self._identifier,
            "constant": self._constant,
            "instance_variable": self._instance_variable,
            "assignment": self._assignment,
            "operator_assignment": self._operator_assignment,
            "call": self._call,
            "element_reference": self._element_reference,
            "if_modifier": self._if_modifier,
            "unless_modifier": self._if_modifier,
            "if": self._if,
            "unless": self._if,
            "elsif": self._if,
            "conditional": self._conditional,
            "binary": self._binary,
            "unary": self._unary,
            "not": self._unary,
            "method": self._define,
            "return": self._return,
            "next": self._next,
            "rescue_modifier": self._rescue_modifier,
            "begin": self._begin,
        }

    # Entry point.

    def run(self) -> None:
        self._check_syntax(self.root)
        try:
            self.evaluate(self.root, Frame())
        except RecursionError:
            raise self.error(
                self.root, "expressions nested too deeply for kitchenctl to evaluate"
            ) from None

    def evaluate(self, node: Node, frame: Frame) -> object:
        handler = self.handlers.get(node.type)
        if handler is None:
            raise self.unsupported(node)
        return handler(node, frame)

    # Errors.

    def site(self, node: Node) -> Site:
        row, column = node.start_point
        return Site(str(self.context.path), row + 1, column + 1)

    def error(
        self, node: Node, message: str, *, hint: str | None = None
    ) -> RubyEvalError:
        return RubyEvalError(f"{self.site(node)}: {message}", hint=hint)

    def unsupported(self, node: Node) -> RubyEvalError:
        construct = CONSTRUCT_NAMES.get(
            node.type, f"`{_text(node)[:40]}` ({node.type})"
        )
        return self.error(
            node,
            f"{construct} is not supported by kitchenctl's Ruby subset",
            hint="see docs/ruby-subset.md for what kitchenctl evaluates",
        )

    def _check_syntax(self, root: Node) -> None:
        if not root.has_error:
            return
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_error or node.is_missing:
                raise self.error(node, "syntax error: this is not valid Ruby")
            stack.extend(reversed(node.children))
        raise self.error(root, "syntax error: this is not valid Ruby")

    # Statement lists and trivial nodes.

    def _sequence(self, node: Node, frame: Frame) -> object:
        result: object = None
        for child in node.named_children:
            result = self.evaluate(child, frame)
        return result

    def _self(self, node: Node, frame: Frame) -> object:
        raise self.error(node, "`self` is not supported by kitchenctl's Ruby subset")

    # Literals.

    def _string(self, node: Node, frame: Frame) -> str:
        opening = node.children[0].text if node.children else b""
        single = opening is not None and opening.startswith((b"'", b"%q"))
        parts: list[str] = []
        for child in node.named_children:
            parts.append(self._string_part(child, frame, single=single))
        return "".join(parts)

    def _string_part(self, node: Node, frame: Frame, *, single: bool) -> str:
        if node.type in ("string_content", "heredoc_content"):
            text = _text(node)
            return unescape_single_quoted(text) if single else text
        if node.type == "escape_sequence":
            return decode_escape(_text(node))
        if node.type == "interpolation":
            value = self._sequence(node, frame)
            return ruby_to_s(value)
        raise self.unsupported(node)

    def _heredoc(self, node: Node, frame: Frame) -> str:
        body = self.heredocs.get(node.start_byte)
        if body is None:
            raise self.error(node, "a heredoc without a body")
        opener = _text(node)
        raw = "'" in opener
        parts = [
            self._string_part(child, frame, single=False)
            if not raw or child.type != "escape_sequence"
            else _text(child)
            for child in body.named_children
            if child.type != "heredoc_end"
        ]
        text = "".join(parts)
        text = text.removeprefix("\n")
        text = text[: text.rfind("\n") + 1] if "\n" in text else ""
        if opener.startswith("<<~"):
            text = squiggly_dedent(text)
        return text

    def _array(self, node: Node, frame: Frame) -> list[object]:
        items: list[object] = []
        for child in node.named_children:
            if child.type in ("splat_argument",):
                raise self.unsupported(child)
            items.append(self.evaluate(child, frame))
        return items

    def _bare_symbol(self, node: Node, frame: Frame) -> Symbol:
        return Symbol(self._string(node, frame))

    def _simple_symbol(self, node: Node, frame: Frame) -> Symbol:
        return Symbol(_text(node).removeprefix(":"))

    def _hash_key_symbol(self, node: Node, frame: Frame) -> Symbol:
        return Symbol(_text(node))

    def _delimited_symbol(self, node: Node, frame: Frame) -> Symbol:
        return Symbol(self._string(node, frame))

    def _integer(self, node: Node, frame: Frame) -> int:
        text = _text(node).replace("_", "")
        try:
            return int(text, 0) if text[:2].lower() in ("0x", "0b", "0o") else int(text)
        except ValueError:
            raise self.unsupported(node) from None

    def _float(self, node: Node, frame: Frame) -> float:
        return float(_text(node).replace("_", ""))

    def _hash(self, node: Node, frame: Frame) -> dict[object, object]:
        result: dict[object, object] = {}
        for pair in node.named_children:
            if pair.type != "pair":
                raise self.unsupported(pair)
            key, value = self._pair(pair, frame)
            result[key] = value
        return result

    def _pair(self, pair: Node, frame: Frame) -> tuple[object, object]:
        key_node = pair.child_by_field_name("key")
        value_node = pair.child_by_field_name("value")
        if key_node is None or value_node is None:
            raise self.unsupported(pair)
        key = self.evaluate(key_node, frame)
        if key_node.type == "string" and _is_label(pair):
            key = Symbol(str(key))
        if isinstance(key, list | dict):
            raise self.error(
                key_node, "only strings, symbols and numbers can be hash keys"
            )
        return key, self.evaluate(value_node, frame)

    # Names.

    def _identifier(self, node: Node, frame: Frame) -> object:
        name = _text(node)
        if name == "__FILE__":
            return str(self.context.path)
        found, value = frame.lookup(name)
        if found:
            return value
        return self._call_function(node, name, [], {}, None, frame)

    def _constant(self, node: Node, frame: Frame) -> object:
        name = _text(node)
        if name in self.constants:
            return self.constants[name]
        if name in builtins.CLASSES:
            return builtins.RubyClass(name)
        raise self.error(
            node,
            f"the constant `{name}` is not supported by kitchenctl's Ruby subset",
            hint="only File, IO and ENV are available, and constants the file assigns",
        )

    def _instance_variable(self, node: Node, frame: Frame) -> object:
        return self.instance_variables.get(_text(node))

    def _assignment(self, node: Node, frame: Frame) -> object:
        left = _field(node, "left")
        right = _field(node, "right")
        value = self.evaluate(right, frame)
        self._store(left, value, frame)
        return value

    def _store(self, target: Node, value: object, frame: Frame) -> None:
        if target.type == "identifier":
            frame.assign(_text(target), value)
        elif target.type == "constant":
            self.constants[_text(target)] = value
        elif target.type == "instance_variable":
            self.instance_variables[_text(target)] = value
        else:
            raise self.error(
                target, f"assigning to `{_text(target)[:40]}` is not supported"
            )

    def _operator_assignment(self, node: Node, frame: Frame) -> object:
        left = _field(node, "left")
        operator = _text(_field(node, "operator"))
        current = self._current_value(left, frame)
        if operator == "||=":
            value = (
                current
                if truthy(current)
                else self.evaluate(_field(node, "right"), frame)
            )
        elif operator == "&&=":
            value = (
                self.evaluate(_field(node, "right"), frame)
                if truthy(current)
                else current
            )
        else:
            right = self.evaluate(_field(node, "right"), frame)
            value = self._apply_operator(
                node, operator.removesuffix("="), current, right
            )
        self._store(left, value, frame)
        return value

    def _current_value(self, target: Node, frame: Frame) -> object:
        if target.type == "identifier":
            return frame.lookup(_text(target))[1]
        if target.type == "constant":
            return self.constants.get(_text(target))
        if target.type == "instance_variable":
            return self.instance_variables.get(_text(target))
        raise self.error(
            target, f"assigning to `{_text(target)[:40]}` is not supported"
        )

    # Calls.

    def _call(self, node: Node, frame: Frame) -> object:
        method_node = _field(node, "method")
        name = _text(method_node)
        receiver_node = node.child_by_field_name("receiver")
        args, keywords = self._arguments(node.child_by_field_name("arguments"), frame)
        block = self._block(node, frame)
        if receiver_node is None:
            return self._call_function(method_node, name, args, keywords, block, frame)
        receiver = self.evaluate(receiver_node, frame)
        operator = node.child_by_field_name("operator")
        if operator is not None and _text(operator) == "&." and receiver is None:
            return None
        return self._call_method(method_node, receiver, name, args, keywords, block)

    def _arguments(
        self, node: Node | None, frame: Frame
    ) -> tuple[list[object], dict[object, object]]:
        args: list[object] = []
        keywords: dict[object, object] = {}
        if node is None:
            return args, keywords
        for child in node.named_children:
            if child.type == "pair":
                key, value = self._pair(child, frame)
                keywords[key] = value
            elif child.type == "block_argument":
                raise self.error(
                    child, "a block argument (`&`) is not supported; use a block"
                )
            else:
                args.append(self.evaluate(child, frame))
        return args, keywords

    def _block(self, node: Node, frame: Frame) -> Callable[..., object] | None:
        block_node = node.child_by_field_name("block")
        if block_node is None:
            return None
        parameters = block_node.child_by_field_name("parameters")
        names = self._block_parameter_names(parameters)
        body = block_node.child_by_field_name("body")

        def run_block(*values: object) -> object:
            scope = Frame(parent=frame)
            bound = values
            if len(names) > 1 and len(values) == 1 and isinstance(values[0], list):
                bound = tuple(values[0])
            for index, parameter in enumerate(names):
                scope.variables[parameter] = (
                    bound[index] if index < len(bound) else None
                )
            if body is None:
                return None
            try:
                return self.evaluate(body, scope)
            except _Next as skip:
                return skip.value

        return run_block

    def _block_parameter_names(self, parameters: Node | None) -> list[str]:
        if parameters is None:
            return []
        names: list[str] = []
        for child in parameters.named_children:
            if child.type != "identifier":
                raise self.unsupported(child)
            names.append(_text(child))
        return names

    def _call_function(
        self,
        node: Node,
        name: str,
        args: list[object],
        keywords: dict[object, object],
        block: Callable[..., object] | None,
        frame: Frame,
    ) -> object:
        if name in self.helpers:
            return self._call_helper(node, self.helpers[name], args, keywords)
        if name in builtins.KERNEL_FUNCTIONS:
            return self._call_kernel(node, name, args)
        call = Call(name, tuple(args), self.site(node), dict(keywords), block)
        return self.context.receiver.call(call)

    def _call_kernel(self, node: Node, name: str, args: list[object]) -> object:
        if name == "respond_to?":
            target = _one_name(args)
            if target is None:
                raise self.error(node, "respond_to? takes one symbol or string")
            return target in self.helpers or self.context.receiver.responds_to(target)
        if name == "__dir__":
            return str(self.context.path.parent)
        if name == "raise":
            message = ruby_to_s(args[-1]) if args else "unhandled exception"
            raise self.error(node, f"the file raised an error: {message}")
        raise self.unsupported(node)

    def _call_helper(
        self,
        node: Node,
        helper: HelperMethod,
        args: list[object],
        keywords: dict[object, object],
    ) -> object:
        if keywords:
            args = [*args, dict(keywords)]
        required = sum(1 for _, default in helper.parameters if default is None)
        if not required <= len(args) <= len(helper.parameters):
            raise self.error(
                node,
                f"wrong number of arguments for `{helper.name}` "
                f"(given {len(args)}, expected {required})",
            )
        scope = Frame()
        for index, (parameter, default) in enumerate(helper.parameters):
            if index < len(args):
                scope.variables[parameter] = args[index]
            elif default is not None:
                scope.variables[parameter] = self.evaluate(default, scope)
        if helper.body is None:
            return None
        if self.helper_depth >= MAX_HELPER_DEPTH:
            raise self.error(
                node, f"stack level too deep: `{helper.name}` calls itself without end"
            )
        self.helper_depth += 1
        try:
            return self.evaluate(helper.body, scope)
        except _Return as returned:
            return returned.value
        finally:
            self.helper_depth -= 1

    def _call_method(
        self,
        node: Node,
        receiver: object,
        name: str,
        args: list[object],
        keywords: dict[object, object],
        block: Callable[..., object] | None,
    ) -> object:
        if keywords:
            args = [*args, dict(keywords)]
        try:
            if isinstance(receiver, builtins.RubyClass):
                return builtins.call_class_method(
                    self.context, receiver.name, name, args, block
                )
            return builtins.call_value_method(receiver, name, args, block)
        except builtins.Unsupported as unsupported:
            raise self.error(
                node,
                f"{unsupported} is not supported by kitchenctl's Ruby subset",
                hint="see docs/ruby-subset.md for what kitchenctl evaluates",
            ) from None
        except builtins.RubyException as exception:
            raise RubyRuntimeError(f"{self.site(node)}: {exception}") from None

    def _element_reference(self, node: Node, frame: Frame) -> object:
        target_node = _field(node, "object")
        target = self.evaluate(target_node, frame)
        keys = [
            self.evaluate(child, frame)
            for child in node.named_children
            if child.id != target_node.id
        ]
        return self._call_method(node, target, "[]", keys, {}, None)

    # Conditions.

    def _if_modifier(self, node: Node, frame: Frame) -> object:
        condition = truthy(self.evaluate(_field(node, "condition"), frame))
        if node.type == "unless_modifier":
            condition = not condition
        return self.evaluate(_field(node, "body"), frame) if condition else None

    def _if(self, node: Node, frame: Frame) -> object:
        condition = truthy(self.evaluate(_field(node, "condition"), frame))
        if node.type == "unless":
            condition = not condition
        branch = node.child_by_field_name("consequence" if condition else "alternative")
        return self.evaluate(branch, frame) if branch is not None else None

    def _conditional(self, node: Node, frame: Frame) -> object:
        condition = truthy(self.evaluate(_field(node, "condition"), frame))
        branch = _field(node, "consequence" if condition else "alternative")
        return self.evaluate(branch, frame)

    def _binary(self, node: Node, frame: Frame) -> object:
        operator = _text(_field(node, "operator"))
        left = self.evaluate(_field(node, "left"), frame)
        if operator in ("&&", "and"):
            return self.evaluate(_field(node, "right"), frame) if truthy(left) else left
        if operator in ("||", "or"):
            return left if truthy(left) else self.evaluate(_field(node, "right"), frame)
        right = self.evaluate(_field(node, "right"), frame)
        return self._apply_operator(node, operator, left, right)

    def _apply_operator(
        self, node: Node, operator: str, left: object, right: object
    ) -> object:
        if operator == "==":
            return builtins.ruby_equal(left, right)
        if operator == "!=":
            return not builtins.ruby_equal(left, right)
        return self._call_method(node, left, operator, [right], {}, None)

    def _unary(self, node: Node, frame: Frame) -> object:
        operator = _text(_field(node, "operator"))
        operand = _field(node, "operand")
        if operator == "defined?":
            return self._defined(operand, frame)
        value = self.evaluate(operand, frame)
        if operator in ("!", "not"):
            return not truthy(value)
        if (
            operator == "-"
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            return -value
        raise self.unsupported(node)

    def _defined(self, node: Node, frame: Frame) -> object:
        while node.type == "parenthesized_statements" and node.named_child_count == 1:
            node = node.named_children[0]
        name = _text(node)
        if node.type == "identifier":
            if frame.lookup(name)[0]:
                return "local-variable"
            known = name in self.helpers or self.context.receiver.responds_to(name)
            return "method" if known else None
        if node.type == "constant":
            known = name in self.constants or name in builtins.CLASSES
            return "constant" if known else None
        if node.type == "instance_variable":
            return "instance-variable" if name in self.instance_variables else None
        raise self.unsupported(node)

    # Definitions and control flow.

    def _define(self, node: Node, frame: Frame) -> Symbol:
        name = _text(_field(node, "name"))
        parameters: list[tuple[str, Node | None]] = []
        parameter_list = node.child_by_field_name("parameters")
        for parameter in parameter_list.named_children if parameter_list else []:
            if parameter.type == "identifier":
                parameters.append((_text(parameter), None))
            elif parameter.type == "optional_parameter":
                parameters.append(
                    (_text(_field(parameter, "name")), _field(parameter, "value"))
                )
            else:
                raise self.unsupported(parameter)
        self.helpers[name] = HelperMethod(
            name, tuple(parameters), node.child_by_field_name("body")
        )
        return Symbol(name)

    def _return(self, node: Node, frame: Frame) -> object:
        raise _Return(self._jump_value(node, frame))

    def _next(self, node: Node, frame: Frame) -> object:
        raise _Next(self._jump_value(node, frame))

    def _jump_value(self, node: Node, frame: Frame) -> object:
        arguments = node.named_children
        if not arguments:
            return None
        values, _ = self._arguments(arguments[0], frame)
        return values[0] if len(values) == 1 else values

    def _rescue_modifier(self, node: Node, frame: Frame) -> object:
        try:
            return self.evaluate(_field(node, "body"), frame)
        except RubyRuntimeError:
            return self.evaluate(_field(node, "handler"), frame)

    def _begin(self, node: Node, frame: Frame) -> object:
        statements = [c for c in node.named_children if c.type != "rescue"]
        rescues = [c for c in node.named_children if c.type == "rescue"]
        if any(c.type in ("ensure", "else") for c in statements):
            raise self.unsupported(node)
        result: object = None
        try:
            for statement in statements:
                result = self.evaluate(statement, frame)
        except RubyRuntimeError:
            if not rescues:
                raise
            body = rescues[0].child_by_field_name("body")
            return self.evaluate(body, frame) if body is not None else None
        return result


def _nothing(node: Node, frame: Frame) -> None:
    return None


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _field(node: Node, name: str) -> Node:
    child = node.child_by_field_name(name)
    if child is None:
        raise RubyEvalError(
            f"{node.start_point[0] + 1}:{node.start_point[1] + 1}: "
            f"incomplete `{node.type}`"
        )
    return child


def _is_label(pair: Node) -> bool:
    """``"a b": 1`` makes a symbol key; ``"a b" => 1`` a string key."""
    return not any(child.type == "=>" for child in pair.children)


def _one_name(args: list[object]) -> str | None:
    if len(args) != 1 or not isinstance(args[0], str | Symbol):
        return None
    return str(args[0])


def _pair_heredocs(root: Node) -> dict[int, Node]:
    """Match each ``<<~EOH`` opener with its body: both come in source order."""
    openers: list[Node] = []
    bodies: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "heredoc_beginning":
            openers.append(node)
        elif node.type == "heredoc_body":
            bodies.append(node)
        stack.extend(node.children)
    openers.sort(key=lambda n: n.start_byte)
    bodies.sort(key=lambda n: n.start_byte)
    return {
        opener.start_byte: body for opener, body in zip(openers, bodies, strict=False)
    }
