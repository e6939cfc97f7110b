"""Run kitchenctl's CLI in-process, as a user would, and capture what it prints."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from kitchenctl.cli.main import main


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Result:
    """Run ``kitchenctl ARGS`` through the real entry point and its error handling."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return Result(code, stdout.getvalue(), stderr.getvalue())
