"""Fixtures of the server tests (the helpers live in ``serve_helpers``, a name no other test folder uses)."""

from serve_helpers import make_client

__all__ = ["make_client"]
