"""The console script: runs the app and turns errors into one line and an exit code."""

from __future__ import annotations

import sys

from kitchenctl.cli.console import Console
from kitchenctl.errors import KitchenctlError


def main(argv: list[str] | None = None) -> None:
    """Run kitchenctl; usage errors exit 2 (typer's own handling), ours their code."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments == ["--version"]:
        # The one answer that needs no command tree, so typer is not even imported.
        from kitchenctl.cli.version import version_text

        sys.stdout.write(version_text() + "\n")
        return

    from kitchenctl.cli.commands import build_app

    app = build_app()
    try:
        app(args=argv, prog_name="kitchenctl")
    except KitchenctlError as error:
        _console_for_errors().fail(error)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception:
        _console_for_errors().crash()


def _console_for_errors() -> Console:
    return Console(no_color="--no-color" in sys.argv)


if __name__ == "__main__":
    main()
