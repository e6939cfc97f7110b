"""The evaluator against Ruby itself: the same files, the same DSL calls.

Ruby (Debian's ruby, as a test oracle only) runs each file with ``instance_eval`` on a
stub that records every DSL call and its arguments; kitchenctl evaluates the same file
with a receiver that records the same way. The two call lists must be equal, which
checks strings, escapes, heredocs, interpolation, loops, guards and helper ``def``s
on real metadata.rb files and Berksfiles, not just on hand-written snippets.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, ClassVar

import pytest

from kitchenctl.ruby import Call, Receiver, Symbol, evaluate_file

pytestmark = pytest.mark.ruby

DATA = Path(__file__).parent.parent.parent / "data"
METADATA_DSL = [
    "name",
    "version",
    "description",
    "long_description",
    "maintainer",
    "maintainer_email",
    "license",
    "source_url",
    "issues_url",
    "privacy",
    "supports",
    "depends",
    "provides",
    "recipe",
    "chef_version",
    "ohai_version",
    "gem",
    "eager_load_libraries",
    "recommends",
    "suggests",
    "conflicts",
    "replaces",
    "attribute",
    "grouping",
]
BERKSFILE_DSL = ["source", "metadata", "cookbook", "group", "solver"]

RECORDER = r"""
require "json"

def encode(value)
  case value
  when Symbol then {"symbol" => value.to_s}
  when Array then value.map { |item| encode(item) }
  when Hash then {"hash" => value.map { |k, v| [encode(k), encode(v)] }}
  else value
  end
end

class Recorder
  def initialize(dsl)
    @dsl = dsl
    @calls = []
    @name = nil
  end

  attr_reader :calls

  def method_missing(method, *args, &block)
    raise NoMethodError, method.to_s unless @dsl.include?(method.to_s)
    return @name if method == :name && args.empty?
    @name = args[0] if method == :name
    @calls << [method.to_s, encode(args)]
    block.call if block
    nil
  end

  def respond_to_missing?(method, include_private = false)
    @dsl.include?(method.to_s)
  end

  # Kernel#gem would load a gem; Chef's metadata defines its own `gem`.
  def gem(*args, &block)
    method_missing(:gem, *args, &block)
  end
end

request = JSON.parse(STDIN.read)
results = request["files"].map do |file|
  recorder = Recorder.new(request["dsl"][file])
  recorder.instance_eval(File.read(file), file)
  recorder.calls
end
puts JSON.generate(results)
"""


def encode(value: object) -> object:
    """The same encoding as the Ruby recorder's, so the two lists compare."""
    if isinstance(value, Symbol):
        return {"symbol": value.name}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"hash": [[encode(k), encode(v)] for k, v in value.items()]}
    return value


class Recording(Receiver):
    """Records calls as the Ruby recorder does; ``name`` reads back the last name."""

    dsl_methods: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, dsl: list[str]) -> None:
        self.dsl = frozenset(dsl)
        self.calls: list[list[Any]] = []
        self.name: object = None

    def responds_to(self, name: str) -> bool:
        return name in self.dsl

    def call(self, call: Call) -> object:
        if call.name not in self.dsl:
            return self.method_missing(call)
        if call.name == "name" and not call.args and not call.keywords:
            return self.name
        if call.name == "name":
            self.name = call.args[0]
        self.calls.append([call.name, encode(call.ruby_args())])
        if call.block is not None:
            call.block()
        return None


def real_files() -> dict[Path, list[str]]:
    files: dict[Path, list[str]] = {}
    for path in sorted(DATA.glob("metadata*/*/metadata.rb")):
        files[path] = METADATA_DSL
    for path in sorted((DATA / "berksfiles").glob("*.Berksfile")):
        files[path] = BERKSFILE_DSL
    return files


@pytest.fixture(scope="module")
def ruby_calls() -> dict[Path, list[Any]]:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.fail("ruby is not installed (scripts/system-packages.txt lists it)")
    files = real_files()
    request = {
        "files": [str(path) for path in files],
        "dsl": {str(path): dsl for path, dsl in files.items()},
    }
    answer = subprocess.run(
        [ruby, "-e", RECORDER],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return dict(zip(files, json.loads(answer.stdout), strict=True))


@pytest.mark.parametrize(
    "path", list(real_files()), ids=lambda path: f"{path.parent.name}/{path.name}"
)
def test_real_files_make_the_same_calls_as_in_ruby(
    path: Path, ruby_calls: dict[Path, list[Any]]
) -> None:
    recording = Recording(real_files()[path])

    evaluate_file(path, recording, environment={})

    assert recording.calls == ruby_calls[path]
    assert recording.calls, "the file made no DSL calls at all"


SNIPPETS = {
    "escapes": (
        "say 'a\\'b\\\\c\\n', \"t\\tq\\\" \\u00e9 \\e \\0 \\101 \\x41 \\#{x}\"\n"
    ),
    "interpolation": (
        "x = 'v'\nsay \"#{x}-#{1}#{nil}#{:s}#{[1, 'a']}#{{ 'k' => 1 }}\"\n"
    ),
    "heredocs": (
        "x = 1\n"
        "say <<-A, <<~B\n"
        "  keep #{x}\n"
        "  A\n"
        "    strip\n"
        "      nested\n"
        "\n"
        "    end\n"
        "B\n"
    ),
    "raw heredoc": "say <<~'R'\n  #{no} \\n\nR\n",
    "percent literals": "say %w(a b), %w[c d], %i(e f), %q(it's), %Q(#{1 + 1})\n",
    "guards": "say 1 if respond_to?(:say)\nsay 2 unless respond_to?(:nope)\n",
    "conditions": "if nil\n say 1\nelsif false\n say 2\nelse\n say 3\nend\n",
    "loops": (
        "%w(x y).each_with_index { |v, i| say v, i }\n"
        "{a: 1}.each do |k, v|\n"
        " say k, v\n"
        "end\n"
    ),
    "helpers": "def h(a, b = 'd')\n  return a + b\nend\nsay h('x'), h('x', 'y')\n",
    "locals in blocks": "t = ''\n%w(a b).each { |x| t += x }\nsay t\n",
    "string methods": (
        "say ' a '.strip, \"b\\n\".chomp, 'c,d'.split(','), 'e'.upcase, 'f'.to_sym\n"
    ),
    "operators": "say 1 == 1.0, 'a' != 'b', !nil, nil || 'x', (true && 'y'), 1 < 2\n",
    "keywords": "say 'a', b: 1, 'c' => :d, \"e\": [2]\n",
    "numbers": "say 1_000, -2, 0x1f, 2.5, -0.5\n",
    "heredoc method": "say <<~EOS.strip, 'after'\n  a\n  b\nEOS\n",
    "end marker": "# frozen_string_literal: true\nsay 1\n__END__\nsay 2\n",
    "file paths": (
        "say File.basename(__FILE__, '.rb'), File.join('a/', 'b', 'c'),\n"
        "  File.dirname('/x/y/z'), File.basename('/x/y.tar.gz', '.*'),\n"
        "  File.expand_path('../q', '/x/y'), File.exist?(__FILE__)\n"
    ),
    "env default": (
        "say ENV.fetch('KITCHENCTL_SURELY_UNSET_X', 'd'), ENV['KITCHENCTL_NO']\n"
    ),
    "unless else": "unless 1\n say 'no'\nelse\n say 'yes'\nend\nsay(nil ? 1 : 2)\n",
    "rescue modifier": (
        "x = File.read(File.join(__dir__, 'missing.txt')) rescue 'fallback'\nsay x\n"
    ),
    "instance variables": "@a ||= 'one'\n@a ||= 'two'\nsay @a, @unset\n",
    "array methods": (
        "say [3, nil, 1].compact, [[1], [2, [3]]].flatten, %w(a b a).uniq.join('+')\n"
    ),
}


@pytest.fixture(scope="module")
def snippet_calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.fail("ruby is not installed (scripts/system-packages.txt lists it)")
    folder = tmp_path_factory.mktemp("snippets")
    paths = {}
    for index, (name, source) in enumerate(SNIPPETS.items()):
        paths[name] = folder / f"snippet{index}.rb"
        paths[name].write_text(source)
    request = {
        "files": [str(path) for path in paths.values()],
        "dsl": {str(path): ["say"] for path in paths.values()},
    }
    answer = subprocess.run(
        [ruby, "-e", RECORDER],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    calls = json.loads(answer.stdout)
    return {name: [str(paths[name]), calls[i]] for i, name in enumerate(paths)}


@pytest.mark.parametrize("snippet", list(SNIPPETS))
def test_snippets_evaluate_as_in_ruby(
    snippet: str, snippet_calls: dict[str, list[Any]]
) -> None:
    path, expected = snippet_calls[snippet]
    recording = Recording(["say"])

    evaluate_file(Path(path), recording, environment={})

    assert recording.calls == expected
