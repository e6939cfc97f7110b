"""Editing a JSON document in ``$EDITOR``, as ``knife node create`` does."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from kitchenctl.errors import Aborted, ConfigError, InputFileError


def edit_json(document: Any, *, name: str) -> Any:
    """Open ``document`` as ``NAME.json`` in ``$EDITOR`` and return what was saved.

    Raises ConfigError when $EDITOR is unset, Aborted when the editor fails, and
    InputFileError (naming the line) when the result is not JSON. Blocks until the
    editor exits.
    """
    editor = os.environ.get("EDITOR", "").strip()
    if not editor:
        raise ConfigError(
            "--edit needs an editor, and $EDITOR is not set",
            hint="set EDITOR, for example: export EDITOR=vi",
        )

    with tempfile.TemporaryDirectory(prefix="kitchenctl-edit-") as folder:
        path = Path(folder) / f"{name}.json"
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        completed = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if completed.returncode != 0:
            raise Aborted(
                f"the editor ({editor}) exited with {completed.returncode}; "
                "nothing was saved"
            )
        text = path.read_text(encoding="utf-8")

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"{name}.json:{exc.lineno}: not valid JSON: {exc.msg}",
            hint="nothing was saved; run the command again",
        ) from exc
