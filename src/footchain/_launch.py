"""The ``footchain`` console script: answers ``--help`` and ``--version`` at once, else runs the CLI.

Importing the Typer app (Typer, click, pydantic and the commands' modules) takes several times as
long as Python's own start, and ``footchain --help`` / ``footchain --version`` need none of it: the
version is ``footchain.__version__`` and the top-level help is the app's own plain help text, stored
in ``cli_help.txt`` beside this module (``tests/test_cli_speed.py`` checks that it is still what the
app prints; ``python scripts/cli-help`` rewrites it). Anything else goes to :func:`footchain.cli.main`.
"""

from __future__ import annotations

import os
import sys

HELP_FILE = os.path.join(os.path.dirname(__file__), "cli_help.txt")  # no pathlib: it costs a start-up


def main() -> None:
    """Entry point of the ``footchain`` script."""
    args = sys.argv[1:]
    if args == ["--version"]:
        from footchain import __version__

        sys.stdout.write(f"footchain {__version__}\n")
        return
    if args == ["--help"] and os.path.isfile(HELP_FILE):
        with open(HELP_FILE, encoding="utf-8") as stream:
            sys.stdout.write(stream.read())
        return
    # footchain uses no pydantic plugins, and looking for them reads every installed package's entry
    # points at start; a user who wants plugins sets PYDANTIC_DISABLE_PLUGINS themselves (e.g. to "").
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from footchain.cli import main as run_cli

    run_cli()


if __name__ == "__main__":
    main()
