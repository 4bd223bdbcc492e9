"""Fixtures for the Mini App's API tests (tests/webapp/server.py)."""

from tests.webapp.server import webapp

__all__ = ["webapp"]
