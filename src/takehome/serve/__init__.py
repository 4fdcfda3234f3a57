"""`takehome serve`: every page of the project in the browser, rebuilt as files are saved."""

from __future__ import annotations

from .server import Preview, ServeError, ServeOptions, is_loopback, prepare, serve

__all__ = ["Preview", "ServeError", "ServeOptions", "is_loopback", "prepare", "serve"]
