"""What ``fieldroute serve`` is started with: where jobs live, which road networks may be chosen, the limits.

Networks are named at start (``--network harrisburg=/data/harrisburg.osm.pbf``); a client only ever picks a
name, so no path from a request reaches the file system.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_ENV = "FIELDROUTE_TOKEN"
MB = 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server; every limit is enforced before anything is solved.

    Parameters
    ----------
    data_dir:
        Holds ``jobs.sqlite3`` and one folder per job (inputs and plan files).
    networks:
        Road networks a client may choose, by name.
    token:
        Required as ``Authorization: Bearer <token>`` (or the page's cookie) when set.
    workers:
        Solves at the same time (default: one per core); the other jobs wait in the queue.
    """

    data_dir: Path
    host: str = "127.0.0.1"
    networks: dict[str, Path] = field(default_factory=dict)
    token: str | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_request_bytes: int = 32 * MB
    max_upload_bytes: int = 16 * MB
    max_cases: int = 5000
    max_time_limit_s: float = 600.0
    map_tiles: str = "openstreetmap"
    cancel_grace_s: float = 3.0

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        problem = token_problem(self.token)
        if problem is not None:
            raise ValueError(problem)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @property
    def jobs_dir(self) -> Path:
        return self.data_dir / "jobs"


#: The shortest token a server takes.
MIN_TOKEN = 8


def token_problem(token: str | None) -> str | None:
    """Why ``token`` cannot guard a server, or ``None`` when it can (or there is none).

    A client's ``Authorization: Bearer`` value arrives stripped, so a token that starts or ends with a space
    could never be sent: the API would be locked, not guarded.
    """
    if token is None:
        return None
    if token != token.strip():
        return "the token must not start or end with a space"
    if len(token) < MIN_TOKEN:
        return f"the token must have at least {MIN_TOKEN} characters"
    return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_network_option(values: list[str]) -> dict[str, Path]:
    """``["harrisburg=/data/h.osm.pbf"]`` -> ``{"harrisburg": Path(...)}``; raises ValueError naming the bad item."""
    networks: dict[str, Path] = {}
    for item in values:
        name, sep, path = item.partition("=")
        name = name.strip()
        if not sep or not name or not path.strip():
            raise ValueError(f"--network {item!r}: write name=path, for example harrisburg=city.osm.pbf")
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"--network {item!r}: the name may hold letters, digits, '-' and '_' only")
        networks[name] = Path(path.strip()).expanduser()
    return networks


__all__ = ["MB", "MIN_TOKEN", "TOKEN_ENV", "ServerConfig", "is_loopback", "parse_network_option", "token_problem"]
