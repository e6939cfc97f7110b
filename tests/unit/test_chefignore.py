"""chefignore parsing, lookup and Ruby-fnmatch matching, table-driven."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchenctl.chefignore import (
    Chefignore,
    find_chefignore,
    load_chefignore,
    parse_chefignore,
    ruby_fnmatch,
)

# (glob, path, matches) — each row was checked against Ruby 3.1's File.fnmatch?.
FNMATCH_CASES = [
    # '*' crosses '/' because chefignore matches without FNM_PATHNAME.
    ("*", "metadata.rb", True),
    ("*", "recipes/default.rb", True),
    ("test/*", "test/unit/x_spec.rb", True),
    ("test/*", "test", False),
    ("spec/*", "recipes/spec/x.rb", False),
    ("*_spec.rb", "spec/unit/recipes/default_spec.rb", True),
    ("*.swp", "recipes/.default.rb.swp", True),
    ("*~", "templates/default/app.erb~", True),
    ("*/.git", "files/default/repo/.git", True),
    ("*/.git/*", "files/default/repo/.git/HEAD", True),
    (".git", ".git/config", False),
    ("Berksfile", "Berksfile", True),
    ("Berksfile", "files/default/Berksfile", False),
    ("Berksfile*", "Berksfile.lock", True),
    # A leading '.' of the whole path needs a literal '.' in the glob.
    ("*", ".kitchen.yml", False),
    ("?kitchen.yml", ".kitchen.yml", False),
    ("[.]kitchen.yml", ".kitchen.yml", False),
    (".*", ".kitchen.yml", True),
    (".*", ".kitchen/logs/x.log", True),
    ("\\.kitchen*", ".kitchen.yml", True),
    (".*.sw[a-z]", ".default.rb.swp", True),
    ("*/.*", "files/default/.hidden", True),
    # '?' is one character, '/' included.
    ("recipes?default.rb", "recipes/default.rb", True),
    ("?", "ab", False),
    ("???", "a/b", True),
    # Escapes.
    ("\\#*#", "#backup#", True),
    ("\\*", "*", True),
    ("\\*", "a", False),
    ("a\\", "a", True),
    ("a\\", "ab", False),
    # Classes, with Ruby's rules.
    ("[abc]", "b", True),
    ("[!abc]", "d", True),
    ("[^abc]", "a", False),
    ("[a-c]x", "bx", True),
    ("[c-a]", "b", False),
    ("[c-a]", "c", True),
    ("[c-a]", "a", True),
    ("[a-]", "-", True),
    ("[]a]", "]", False),
    ("[]", "]", False),
    ("[!]", "x", True),
    ("[\\]]", "]", True),
    ("[/]", "/", True),
    ("a[", "a[", False),
    ("a[b", "a[b", False),
    ("[a-", "a", False),
    # Case-sensitive, no braces, '**' is just '*'.
    ("README*", "readme.md", False),
    ("{a,b}", "a", False),
    ("{a,b}", "{a,b}", True),
    ("**/x.rb", "recipes/x.rb", True),
    ("**/x.rb", "x.rb", False),
    ("", "", True),
    ("", "a", False),
]


@pytest.mark.parametrize(("glob", "path", "matches"), FNMATCH_CASES)
def test_ruby_fnmatch(glob: str, path: str, matches: bool) -> None:
    assert ruby_fnmatch(glob, path) is matches


# (chefignore text, globs Chef reads)
PARSE_CASES = [
    ("", ()),
    ("# a comment\n\n   \n", ()),
    ("  # indented comment\n", ()),
    ("*~\n.*.sw[a-z]\n", ("*~", ".*.sw[a-z]")),
    ("  spec/*  \n", ("spec/*",)),
    ("test/*\r\n", ("test/*",)),
    ("\\#*#\n", ("\\#*#",)),
    ("foo # not a comment\n", ("foo # not a comment",)),
    ("last-line-without-newline", ("last-line-without-newline",)),
    # Ruby splits lines on "\n" only: a form feed or a lone "\r" stays inside.
    ("a\rb\n", ("a\rb",)),
    ("\tx\v\n", ("x",)),
]


@pytest.mark.parametrize(("text", "globs"), PARSE_CASES)
def test_parse_chefignore(text: str, globs: tuple[str, ...]) -> None:
    assert parse_chefignore(text) == globs


def test_the_cookbooks_own_chefignore_wins_over_the_repos(tmp_path: Path) -> None:
    cookbook = tmp_path / "cookbooks" / "app"
    cookbook.mkdir(parents=True)
    (tmp_path / "cookbooks" / "chefignore").write_text("repo-level\n")
    (cookbook / "chefignore").write_text("# own\ncookbook-level\n")

    chefignore = load_chefignore(cookbook)

    assert chefignore.path == cookbook / "chefignore"
    assert chefignore.globs == ("cookbook-level",)


def test_a_repo_level_chefignore_applies_to_cookbooks_below_it(tmp_path: Path) -> None:
    cookbook = tmp_path / "repo" / "cookbooks" / "app"
    cookbook.mkdir(parents=True)
    (tmp_path / "repo" / "chefignore").write_text("spec/*\n")

    chefignore = load_chefignore(cookbook)

    assert chefignore.path == tmp_path / "repo" / "chefignore"
    assert chefignore.ignores("spec/unit/default_spec.rb")
    assert not chefignore.ignores("recipes/default.rb")


def test_a_relative_path_with_dot_dot_finds_the_real_parents_chefignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo" / "cookbooks" / "app").mkdir(parents=True)
    (tmp_path / "repo" / "chefignore").write_text("spec/*\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "chefignore").write_text("wrong\n")
    monkeypatch.chdir(tmp_path / "elsewhere")

    found = find_chefignore(Path("../repo/cookbooks/app"))

    assert found == tmp_path / "repo" / "chefignore"


def test_no_chefignore_ignores_nothing(tmp_path: Path) -> None:
    chefignore = load_chefignore(tmp_path)

    assert chefignore == Chefignore(path=None, globs=())
    assert not chefignore.ignores("anything")


def test_a_chefignore_folder_stops_the_search_and_ignores_nothing(
    tmp_path: Path,
) -> None:
    cookbook = tmp_path / "app"
    (cookbook / "chefignore").mkdir(parents=True)
    (tmp_path / "chefignore").write_text("*\n")

    assert find_chefignore(cookbook) == cookbook / "chefignore"
    assert load_chefignore(cookbook).globs == ()


def test_a_chefignore_symlink_is_read(tmp_path: Path) -> None:
    cookbook = tmp_path / "app"
    cookbook.mkdir()
    (tmp_path / "shared-ignore").write_text("*.bak\n")
    (cookbook / "chefignore").symlink_to(tmp_path / "shared-ignore")

    assert load_chefignore(cookbook).globs == ("*.bak",)


def test_a_dangling_chefignore_symlink_is_passed_over(tmp_path: Path) -> None:
    cookbook = tmp_path / "app"
    cookbook.mkdir()
    (cookbook / "chefignore").symlink_to(tmp_path / "nowhere")
    (tmp_path / "chefignore").write_text("*.orig\n")

    # Ruby's File.exist? is false for a dangling link, so Chef looks further up.
    assert load_chefignore(cookbook).globs == ("*.orig",)
