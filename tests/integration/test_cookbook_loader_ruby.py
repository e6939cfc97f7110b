"""The loader's file selection, compared with Chef 18's walk run by real Ruby.

Chef's ``CookbookVersionLoader#load_all_files`` lists the top level with
``Dir.entries``, skips dot-folders there, walks each entry with ``Find.find`` (which
does not enter symlinked folders), keeps what ``File.file?`` accepts and drops
``.uploaded-cookbook-version.json``; then chefignore globs go through
``File.fnmatch?``. The oracle below does those steps with Ruby's own library calls on
a tree full of edge cases, so symlink, dot-file and glob handling are Ruby's answer,
not a reading of it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kitchenctl.chefignore import load_chefignore
from kitchenctl.cookbook_loader import select_files

pytestmark = pytest.mark.ruby

RUBY_WALK = """
require "find"
require "json"
root, *globs = ARGV
kept = []
Dir.entries(root).each do |top|
  top_path = File.join(root, top)
  next if top.start_with?(".") && File.directory?(top_path)
  Find.find(top_path) do |path|
    next unless File.file?(path)
    next if File.basename(path) == ".uploaded-cookbook-version.json"
    relative = path.delete_prefix(root + "/")
    kept << relative unless globs.any? { |glob| File.fnmatch?(glob, relative) }
  end
end
puts JSON.generate(kept.sort)
"""

CHEFIGNORE = """\
# a chefignore like chef-cli generates, and some odd globs
.DS_Store
*~
*#
.#*
\\#*#
.*.sw[a-z]
*.un~
.kitchen*
spec/*
test/*
*/.git/*
Berksfile*
files/default/*.bak
templates/[!d]*/old.erb
"""

FILES = [
    "metadata.json",
    "README.md",
    ".rubocop.yml",
    ".kitchen.yml",
    ".DS_Store",
    "Berksfile",
    "Berksfile.lock",
    "recipes/default.rb",
    "recipes/default.rb~",
    "recipes/#autosave#",
    "recipes/.default.rb.swp",
    ".metadata.rb.swp",
    "attributes/default.rb",
    "libraries/helpers/deep/helper.rb",
    "files/default/app.ini",
    "files/default/app.ini.bak",
    "files/default/.hidden/key.pub",
    "files/default/repo/.git/HEAD",
    "files/motd",
    "files/.uploaded-cookbook-version.json",
    ".uploaded-cookbook-version.json",
    "templates/default/old.erb",
    "templates/ubuntu/old.erb",
    "templates/ubuntu/new.erb",
    "spec/unit/default_spec.rb",
    "test/integration/default/default_test.rb",
    ".git/config",
    ".github/workflows/ci.yml",
    "spéciale/ünïcode.txt",
    "weird name/with space.txt",
]


def build_tree(root: Path, outside: Path) -> None:
    for relative in FILES:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"content of {relative}\n")
    (root / "chefignore").write_text(CHEFIGNORE)

    (outside / "folder").mkdir(parents=True)
    (outside / "folder" / "inside.txt").write_text("outside\n")
    (outside / "file.txt").write_text("outside\n")
    (root / "linked-folder").symlink_to(outside / "folder")
    (root / ".linked-dot-folder").symlink_to(outside / "folder")
    (root / ".linked-dot-file").symlink_to(outside / "file.txt")
    (root / "files" / "default" / "linked-file.txt").symlink_to(outside / "file.txt")
    (root / "files" / "default" / "linked-folder").symlink_to(outside / "folder")
    (root / "files" / "default" / "dangling").symlink_to(outside / "nowhere")
    os.mkfifo(root / "files" / "default" / "fifo")


def ruby_walk(root: Path, globs: tuple[str, ...]) -> list[str]:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.fail("ruby is not installed; scripts/setup installs it")
    answer = subprocess.run(
        [ruby, "-e", RUBY_WALK, str(root), *globs],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    kept: list[str] = json.loads(answer.stdout)
    return kept


def test_file_selection_matches_chefs_walk_in_ruby(tmp_path: Path) -> None:
    root = tmp_path / "repo" / "cookbooks" / "hello"
    build_tree(root, tmp_path / "outside")
    chefignore = load_chefignore(root)

    ours = select_files(root, chefignore)

    assert ours == ruby_walk(root, chefignore.globs)
    # The tree really exercises each rule.
    assert "files/default/linked-file.txt" in ours
    assert ".linked-dot-file" in ours
    assert "recipes/.default.rb.swp" in ours
    assert "templates/ubuntu/new.erb" in ours
    assert not any(path.startswith(("spec/", "test/", ".git")) for path in ours)
    assert not any("linked-folder" in path for path in ours)
