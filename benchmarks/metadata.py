"""Time evaluating 1,000 real metadata.rb files, against Ruby evaluating the same files.

The files are the real cookbooks in tests/data/metadata, copied round-robin into 1,000
cookbook folders. kitchenctl parses each with tree-sitter and interprets it
(``load_metadata``) in this process. The reference is Ruby itself running the same
files with ``instance_eval`` against a stub object whose ``method_missing`` does
nothing, in one ``ruby`` process: a lower bound for Chef, which also validates and
builds its metadata objects. Both timings exclude process start-up; each is the best
of three runs.

    .venv/bin/python benchmarks/metadata.py [COUNT]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "metadata"

RUBY_REFERENCE = r"""
class Stub
  def method_missing(name, *args, &block)
    nil
  end

  def respond_to_missing?(name, include_private = false)
    true
  end
end

files = STDIN.read.split("\n")
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
files.each { |file| Stub.new.instance_eval(File.read(file), file) }
puts Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
"""


def make_cookbooks(target: Path, count: int) -> list[Path]:
    """``count`` cookbook folders, each a copy of one real cookbook (minus its JSON)."""
    sources = sorted(path for path in DATA.iterdir() if path.is_dir())
    folders = []
    for index in range(count):
        folder = target / f"cookbook{index:04d}"
        shutil.copytree(sources[index % len(sources)], folder)
        (folder / "metadata.json").unlink()
        folders.append(folder)
    return folders


def time_kitchenctl(folders: list[Path]) -> float:
    from kitchenctl.metadata import load_metadata

    started = time.perf_counter()
    for folder in folders:
        load_metadata(folder)
    return time.perf_counter() - started


def time_ruby(folders: list[Path]) -> float | None:
    ruby = shutil.which("ruby")
    if ruby is None:
        return None
    files = "\n".join(str(folder / "metadata.rb") for folder in folders)
    answer = subprocess.run(
        [ruby, "-e", RUBY_REFERENCE],
        input=files,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(answer.stdout.strip())


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as scratch:
        folders = make_cookbooks(Path(scratch), count)
        first = time_kitchenctl(folders[:1])
        # The machine is shared: the best of three runs is the least disturbed one.
        ours = min(time_kitchenctl(folders) for _ in range(3))
        references = [time_ruby(folders) for _ in range(3)]
        reference = (
            min(r for r in references if r is not None) if references[0] else None
        )

    print(f"first file, parser set-up included: {first * 1000:.1f} ms")
    print(
        f"kitchenctl: {count} metadata.rb files in {ours * 1000:.0f} ms "
        f"({ours / count * 1e6:.0f} us per file)"
    )
    if reference is None:
        print("ruby not found: no reference timing")
        return
    print(
        f"ruby instance_eval (stub DSL): {reference * 1000:.0f} ms "
        f"({reference / count * 1e6:.0f} us per file)"
    )
    print(f"ratio kitchenctl / ruby: {ours / reference:.1f}")


if __name__ == "__main__":
    main()
