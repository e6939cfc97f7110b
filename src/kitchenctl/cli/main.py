"""The console script: runs the app and turns errors into one line and an exit code."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from kitchenctl.cli.console import Console
from kitchenctl.errors import Aborted, InputFileError, KitchenctlError, UsageError


def main(argv: list[str] | None = None) -> None:
    """Run kitchenctl; usage errors exit 2 (typer's own handling), ours their code."""
    arguments = sys.argv[1:] if argv is None else argv
    if arguments == ["--version"]:
        # The one answer that needs no command tree, so typer is not even imported.
        from kitchenctl.cli.version import version_text

        sys.stdout.write(version_text() + "\n")
        return

    import typer
    from click import exceptions as click_errors

    from kitchenctl.cli.commands import build_app

    app = build_app()
    try:
        # Not standalone, so click's own usage errors come here and read like ours.
        code = app(args=argv, prog_name="kitchenctl", standalone_mode=False)
    except KitchenctlError as error:
        _console_for_errors(arguments).fail(error)
    except click_errors.NoArgsIsHelpError as error:
        error.show()  # the help text, as a bare group or command shows it
        raise SystemExit(error.exit_code) from None
    except click_errors.UsageError as error:
        _console_for_errors(arguments).fail(_usage_error(error))
    except click_errors.ClickException as error:
        _console_for_errors(arguments).fail(InputFileError(error.format_message()))
    except typer.Abort:
        _console_for_errors(arguments).fail(Aborted("Aborted."))
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception:
        _console_for_errors(arguments).crash()
    if isinstance(code, int) and code != 0:
        raise SystemExit(code)


def _usage_error(error: Any) -> UsageError:
    """click's usage error as one line, naming the command whose help to read."""
    command = error.ctx.command_path if error.ctx is not None else "kitchenctl"
    return UsageError(error.format_message(), hint=f"see '{command} --help'")


def _silence_stdout() -> None:
    """The reader of a pipe went away (``| head``): drop what is still buffered."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _console_for_errors(arguments: list[str]) -> Console:
    return Console(no_color="--no-color" in arguments)


if __name__ == "__main__":
    main()
