"""The export worker: `python -m cafe.export CODE NAME OUTFILE` renders one export to a file."""
from __future__ import annotations

import sys
from pathlib import Path

from cafe import create_app
from cafe.auth import find_event
from cafe.export import render


def main(argv: list[str]) -> int:
    """Render the named export of the event with that code into OUTFILE."""
    if len(argv) != 3:
        print("usage: python -m cafe.export CODE NAME OUTFILE", file=sys.stderr)
        return 2
    code, name, out = argv
    app = create_app()
    with app.app_context():
        event = find_event(code)
        if event is None:
            print(f"There is no event with the code {code}.", file=sys.stderr)
            return 1
        Path(out).write_bytes(render(name, event))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
