"""The optional git step: it never makes generation fail (chef/chef-cli#184)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from kitchenctl.generate.model import GitOutcome

logger = logging.getLogger(__name__)

_TIMEOUT_SECONDS = 30


def init_repository(root: Path, *, commit_message: str | None) -> GitOutcome:
    """``git init`` in ``root`` (and add and commit everything when
    ``commit_message`` is given), only when git is installed, ``root`` is not already
    inside a work tree, and a git identity (``user.email``) is configured."""
    if shutil.which("git") is None:
        return GitOutcome("skipped", "git is not installed")
    if _inside_repository(root):
        return GitOutcome("skipped", "already inside a git repository")
    if not _git_output(root, "config", "user.email"):
        return GitOutcome("skipped", "no git identity (git config user.email)")

    try:
        _git(root, "init", "--quiet")
        if commit_message is None:
            return GitOutcome("initialized")
        _git(root, "add", "--all")
        _git(root, "commit", "--quiet", "--message", commit_message)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.info("git in %s: %s", root, _failure_text(exc))
        return GitOutcome("failed", _failure_text(exc))
    return GitOutcome("committed")


def _inside_repository(root: Path) -> bool:
    """Whether ``root`` or a parent holds ``.git`` (a folder, or a worktree's file).

    Looked up in Python, as git's own discovery does, to save a process per run.
    """
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def _git(root: Path, *args: str) -> None:
    logger.debug("git %s in %s", " ".join(args), root)
    subprocess.run(
        ["git", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_SECONDS,
    )


def _git_output(root: Path, *args: str) -> str:
    """git's stdout, stripped; empty when git fails (not a repo, no such setting)."""
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return completed.stdout.strip() if completed.returncode == 0 else ""


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        detail = (exc.stderr or "").strip().splitlines()
        return f"git {exc.cmd[1]} failed: {detail[-1] if detail else exc.returncode}"
    return f"git failed: {exc}"
