"""Small helpers shared by test modules."""
from typing import Any


def received(socket, name: str) -> list[Any]:
    """The payloads of one live event a test client has received since last asked."""
    return [m["args"][0] for m in socket.get_received() if m["name"] == name]
