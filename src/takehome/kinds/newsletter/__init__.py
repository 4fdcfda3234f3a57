"""Newsletters: a PDF and a web page per language edition of each issue, and an archive index."""

from .plan import KIND

__all__ = ["KIND"]
