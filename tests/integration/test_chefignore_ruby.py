"""chefignore matching and parsing, compared with real Ruby on generated cases.

Chef runs ``File.fnmatch?(glob, relative_path)`` and strips lines that do not match
``/^\\s*(?:#.*)?$/``; this test asks Debian's Ruby the same questions in one process.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from kitchenctl.chefignore import parse_chefignore, ruby_fnmatch

pytestmark = pytest.mark.ruby

RUBY_ORACLE = """
require "json"
data = JSON.parse($stdin.read)
puts JSON.generate({
  "fnmatch" => data["fnmatch"].map { |glob, path| File.fnmatch?(glob, path) },
  "lines" => data["lines"].map { |line|
    line.match?(/^\\s*(?:#.*)?$/) ? nil : line.strip
  },
})
"""

GLOB_ALPHABET = ["a", "b", "c", ".", "/", "*", "?", "[", "]", "!", "^", "-", "\\", "é"]
PATH_ALPHABET = ["a", "b", "c", ".", "/", "-", "]", "[", "*", "\\", "!", "é"]
LINE_ALPHABET = ["a", "#", " ", "\t", "\r", "\v", "\f", "\0", "*", "é"]


def ask_ruby(request: dict[str, list[object]]) -> dict[str, list[object]]:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.fail("ruby is not installed; scripts/setup installs it")
    answer = subprocess.run(
        [ruby, "-e", RUBY_ORACLE],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, list[object]] = json.loads(answer.stdout)
    return result


def random_text(rng: random.Random, alphabet: list[str], longest: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))


def test_fnmatch_and_line_parsing_agree_with_ruby() -> None:
    rng = random.Random(20261203)
    pairs = [
        [random_text(rng, GLOB_ALPHABET, 6), random_text(rng, PATH_ALPHABET, 6)]
        for _ in range(6000)
    ]
    # Globs matched against themselves make sure many pairs match.
    pairs += [[glob, glob] for glob, _ in pairs[:1000]]
    lines = [random_text(rng, LINE_ALPHABET, 5) for _ in range(1000)]

    answer = ask_ruby({"fnmatch": pairs, "lines": lines})

    ours = [ruby_fnmatch(glob, path) for glob, path in pairs]
    disagreements = [
        (glob, path, theirs)
        for (glob, path), mine, theirs in zip(
            pairs, ours, answer["fnmatch"], strict=True
        )
        if mine != theirs
    ]
    assert disagreements == []
    assert any(ours) and not all(ours)

    expected_globs = tuple(line for line in answer["lines"] if line is not None)
    assert parse_chefignore("\n".join(lines)) == expected_globs
