"""The Ruby subset, construct by construct, against a receiver that records calls."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

import pytest

from kitchenctl.errors import RubyEvalError
from kitchenctl.ruby import Call, Receiver, Symbol, evaluate_file, evaluate_source


class Recorder(Receiver):
    """Records every DSL call; ``name`` with no argument reads the last name set."""

    dsl_methods: ClassVar[frozenset[str]] = frozenset(
        {"name", "say", "supports", "group", "chef_version"}
    )
    file_kind: ClassVar[str] = "the test file"

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...], dict[object, object]]] = []
        self.current_name: object = None

    def call(self, call: Call) -> object:
        if call.name == "name" and not call.args:
            return self.current_name
        if call.name == "name":
            self.current_name = call.args[0]
        self.calls.append((call.name, call.args, call.keywords))
        if call.block is not None:
            call.block()
        return super().call(call) if call.name not in self.dsl_methods else None


def run(source: str, tmp_path: Path, **options: object) -> list[object]:
    """Evaluate ``source`` as tmp_path/metadata.rb; return the arguments of `say`."""
    recorder = Recorder()
    path = tmp_path / "metadata.rb"
    path.write_text(source)
    evaluate_file(path, recorder, **options)  # type: ignore[arg-type]
    return [
        args[0] if len(args) == 1 else args
        for name, args, _ in recorder.calls
        if name == "say"
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("say 'single'", "single"),
        ('say "double"', "double"),
        ("say 'it\\'s \\\\ \\n'", "it's \\ \\n"),
        ('say "tab\\tnew\\nquote\\" \\u00e9 \\#{x}"', 'tab\tnew\nquote" é #{x}'),
        ("say :symbol", Symbol("symbol")),
        ('say :"quoted symbol"', Symbol("quoted symbol")),
        ("say 42", 42),
        ("say -7", -7),
        ("say 1_000", 1000),
        ("say 2.5", 2.5),
        ("say true", True),
        ("say false", False),
        ("say nil", None),
        ("say [1, 'a', :b]", [1, "a", Symbol("b")]),
        ("say %w(ubuntu debian)", ["ubuntu", "debian"]),
        ("say %w[a b c]", ["a", "b", "c"]),
        ("say %i(a b)", [Symbol("a"), Symbol("b")]),
        ("say %q(it's)", "it's"),
        ("say({ 'a' => 1, b: :c })", {"a": 1, Symbol("b"): Symbol("c")}),
        ("say 'a' + 'b' + \"c\"", "abc"),
        ("x = 'v'\nsay \"#{x}-#{x.upcase}\"", "v-V"),
        ('say "#{1}#{nil}#{:s}"', "1s"),
        ("say ' padded '.strip", "padded"),
        ('say "line\\n".chomp', "line"),
        ("say 'a,b'.split(',')", ["a", "b"]),
        ("say [1, [2]].flatten.length", 2),
        ("say %w(a b).join('-')", "a-b"),
        ("say %w(a b).map { |x| x.upcase }", ["A", "B"]),
        ("say({ a: 1 }.fetch(:a))", 1),
        ("say 'x'.to_sym", Symbol("x")),
        ("say :x.to_s", "x"),
        ("X = 'const'\nsay X", "const"),
        ("@ivar = 3\nsay @ivar", 3),
        ("say(@unset)", None),
        ("a = nil\na ||= 'set'\nsay a", "set"),
        ("a = 'x'\na += 'y'\nsay a", "xy"),
        ("say(true ? 'yes' : 'no')", "yes"),
        ("say(nil || 'fallback')", "fallback"),
        ("say(1 == 1.0)", True),
        ("say('a' != 'b')", True),
        ("say(!nil)", True),
        ("say(defined?(nope))", None),
        ("say(defined?(say))", "method"),
    ],
)
def test_literals_and_expressions(
    source: str, expected: object, tmp_path: Path
) -> None:
    assert run(source, tmp_path) == [expected]


def test_heredocs_dash_and_squiggly(tmp_path: Path) -> None:
    source = (
        "x = 'v'\n"
        "say <<-EOH\n  keeps #{x}\n    indent\n  EOH\n"
        "say <<~EOH\n  strips #{x}\n    nested\n\n  end\nEOH\n"
        "say <<~'RAW'\n  no #{x}\nRAW\n"
    )
    assert run(source, tmp_path) == [
        "  keeps v\n    indent\n",
        "strips v\n  nested\n\nend\n",
        "no #{x}\n",
    ]


def test_guards_and_conditions(tmp_path: Path) -> None:
    source = (
        "say 'guarded' if respond_to?(:chef_version)\n"
        "say 'skipped' if respond_to?(:no_such_method)\n"
        "say 'unless' unless respond_to?(:no_such_method)\n"
        "if false\n  say 'no'\nelsif nil\n  say 'no'\nelse\n  say 'else'\nend\n"
        "unless true\n  say 'no'\nelse\n  say 'unless-else'\nend\n"
    )
    assert run(source, tmp_path) == ["guarded", "unless", "else", "unless-else"]


def test_loops_over_literal_arrays_and_hashes(tmp_path: Path) -> None:
    source = (
        "%w(ubuntu debian).each { |os| say os }\n"
        "%i(a b).each do |os|\n  say os.to_s\nend\n"
        "{ 'k' => 'v' }.each { |key, value| say key + value }\n"
        "[1, 2].each_with_index { |item, index| say item + index }\n"
    )
    assert run(source, tmp_path) == ["ubuntu", "debian", "a", "b", "kv", 1, 3]


def test_blocks_see_and_change_outer_locals(tmp_path: Path) -> None:
    source = "seen = ''\n%w(a b).each { |x| seen += x }\nsay seen"
    assert run(source, tmp_path) == ["ab"]


def test_keyword_arguments_reach_the_receiver(tmp_path: Path) -> None:
    recorder = Recorder()
    evaluate_source(
        b"supports 'ubuntu', '>= 20.04', via: :apt, 'old' => 1",
        tmp_path / "metadata.rb",
        recorder,
    )
    assert recorder.calls == [
        ("supports", ("ubuntu", ">= 20.04"), {Symbol("via"): Symbol("apt"), "old": 1})
    ]


def test_blocks_given_to_the_receiver_run_inside_it(tmp_path: Path) -> None:
    assert run("group :a do\n  say 'inside'\nend", tmp_path) == ["inside"]


def test_dsl_getters_work_in_interpolation(tmp_path: Path) -> None:
    source = "name 'apt'\nsay \"https://github.com/sous-chefs/#{name}\""
    assert run(source, tmp_path) == ["https://github.com/sous-chefs/apt"]


def test_file_helpers_read_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# readme\n")
    (tmp_path / "VERSION").write_text("1.2.3\n")
    source = (
        "say IO.read(File.join(File.dirname(__FILE__), 'README.md'))\n"
        "say File.read(File.expand_path('VERSION', __dir__)).strip\n"
        "say File.read('VERSION').chomp\n"
        "say File.exist?(File.join(__dir__, 'README.md'))\n"
        "say File.basename(__FILE__, '.rb')\n"
        "x = IO.read('MISSING') rescue 'rescued'\nsay x\n"
    )
    assert run(source, tmp_path) == [
        "# readme\n",
        "1.2.3",
        "1.2.3",
        True,
        "metadata",
        "rescued",
    ]


def test_helper_defs_with_defaults_and_instance_variables(tmp_path: Path) -> None:
    source = (
        "def prefixed(path, sep = '/')\n"
        "  @prefix ||= '.'\n"
        "  return @prefix + sep + path\n"
        "end\n"
        "say prefixed('a')\n"
        "say prefixed('b', '-')\n"
    )
    assert run(source, tmp_path) == ["./a", ".-b"]


def test_env_lookups(tmp_path: Path) -> None:
    source = (
        "say ENV['SET']\nsay ENV['UNSET']\nsay ENV.fetch('UNSET', 'default')\n"
        "say ENV.fetch('SET')\nsay ENV.fetch('UNSET') { |key| key.downcase }\n"
    )
    environment = {"SET": "value"}
    assert run(source, tmp_path, environment=environment) == [
        "value",
        None,
        "default",
        "value",
        "unset",
    ]


def test_the_process_environment_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KITCHENCTL_TEST_VALUE", "from-env")
    assert run("say ENV['KITCHENCTL_TEST_VALUE']", tmp_path) == ["from-env"]
    assert os.environ["KITCHENCTL_TEST_VALUE"] == "from-env"


def test_comments_and_end_marker_are_ignored(tmp_path: Path) -> None:
    source = "# comment\nsay 'a' # trailing\n__END__\nanything at all ` system\n"
    assert run(source, tmp_path) == ["a"]


@pytest.mark.parametrize(
    ("source", "position", "construct"),
    [
        (
            "system('rm -rf /')",
            "1:1",
            "the method `system` is not supported in the test file",
        ),
        ("say `id`", "1:5", "a backtick command is not supported"),
        ("x = 1\nwhile true\nend", "2:1", "a `while` loop is not supported"),
        ("class Foo\nend", "1:1", "a class definition is not supported"),
        ("say Kernel.exit", "1:5", "the constant `Kernel` is not supported"),
        ("say 'a'.send(:upcase)", "1:9", "the method `String#send` is not supported"),
        (
            "say File.write('x', 'y')",
            "1:10",
            "the method `File.write` is not supported",
        ),
        ("say $stdout", "1:5", "a global variable is not supported"),
        ("say(/re/)", "1:5", "a regular expression is not supported"),
        ("say eval('1')", "1:5", "the method `eval` is not supported"),
        ("require 'json'", "1:1", "the method `require` is not supported"),
        (
            "say 'x'.instance_eval { 1 }",
            "1:9",
            "`String#instance_eval` is not supported",
        ),
        ("say %w(a).map(&:upcase)", "1:15", "a block argument (`&`) is not supported"),
        (
            "say IO.read('/etc/hostname')",
            "1:8",
            "reading `/etc/hostname`, outside the folder",
        ),
        ("say 'unterminated", "1:5", "syntax error"),
        ("say ENV.fetch('KITCHENCTL_NOPE')", "1:9", 'key not found: "KITCHENCTL_NOPE"'),
        ("say IO.read('NOPE')", "1:8", "No such file or directory @ rb_sysopen - NOPE"),
    ],
)
def test_anything_outside_the_subset_names_file_line_and_column(
    source: str, position: str, construct: str, tmp_path: Path
) -> None:
    with pytest.raises(RubyEvalError) as raised:
        run(source, tmp_path, environment={})
    message = raised.value.message
    assert message.startswith(f"{tmp_path / 'metadata.rb'}:{position}: ")
    assert construct in message


def test_reads_do_not_follow_symlinks_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    cookbook = tmp_path / "cookbook"
    cookbook.mkdir()
    (cookbook / "README.md").symlink_to(outside)

    with pytest.raises(RubyEvalError, match="outside the folder"):
        run("say IO.read('README.md')", cookbook)


def test_a_symlinked_file_can_ask_where_it_points(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "Berksfile").write_text(
        "say File.symlink?(__FILE__)\nsay File.dirname(File.readlink(__FILE__))\n"
    )
    node = tmp_path / "nodes" / "web"
    node.mkdir(parents=True)
    (node / "metadata.rb").symlink_to("../../real/Berksfile")
    recorder = Recorder()

    evaluate_file(node / "metadata.rb", recorder)

    said = [args[0] for name, args, _ in recorder.calls if name == "say"]
    assert said == [True, "../../real"]


def test_endless_helper_recursion_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(RubyEvalError, match="stack level too deep: `loop`"):
        run("def loop(x)\n  loop(x)\nend\nsay loop(1)\n", tmp_path)


def test_huge_strings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RubyEvalError, match="a string longer than 10 MB"):
        run("say 'x' * 100_000_000", tmp_path)


def test_absurdly_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    source = "say " + "(" * 3000 + "1" + ")" * 3000
    with pytest.raises(RubyEvalError, match="nested too deeply"):
        run(source, tmp_path)


def test_raise_in_the_file_stops_with_its_message(tmp_path: Path) -> None:
    source = "say 'ok'\nraise 'needs Chef 18' unless respond_to?(:no_such_dsl)\n"
    with pytest.raises(
        RubyEvalError,
        match=r"metadata\.rb:2:1: the file raised an error: needs Chef 18",
    ):
        run(source, tmp_path)
