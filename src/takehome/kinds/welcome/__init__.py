"""The welcome sheet: one page per language, one per family in its language, and a class set."""

from .plan import KIND

__all__ = ["KIND"]
