"""Fixtures of the server tests (the helpers live in ``serve_helpers``, a name no other test folder uses)."""

from serve_helpers import live, live_plan, make_client

__all__ = ["live", "live_plan", "make_client"]
