"""``fieldroute serve``: the dispatcher's page and the JSON API for case systems, over a queue of plan jobs.

>>> from optimizer.server import ServerConfig, create_app
>>> app = create_app(ServerConfig(data_dir=Path("fieldroute-server")))   # an ASGI app (FastAPI)

Modules: ``app`` (the factory), ``api`` (``/v1`` routes), ``inputs`` (requests to validated jobs), ``jobs``
(the queue of worker processes), ``worker`` (one job in its process), ``store`` (SQLite), ``page`` and
``messages`` (the page and its words), ``limits`` (size, token, headers), ``config``.
"""

from optimizer.server.app import create_app
from optimizer.server.config import ServerConfig, is_loopback

__all__ = ["ServerConfig", "create_app", "is_loopback"]
