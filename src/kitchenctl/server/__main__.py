"""``python -m kitchenctl.server``: the process ``server start --background`` runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kitchenctl.errors import KitchenctlError
from kitchenctl.server import DEFAULT_PORT
from kitchenctl.server.runner import (
    DEFAULT_HOST,
    ServerPaths,
    configure_logging,
    serve,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kitchenctl.server")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    options = parser.parse_args(argv)

    configure_logging(ServerPaths(options.data))
    try:
        serve(options.data, host=options.host, port=options.port)
    except KitchenctlError as error:
        # stderr is the log file: the parent shows its last line.
        print(f"ERROR: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
