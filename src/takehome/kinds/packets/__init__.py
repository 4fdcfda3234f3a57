"""Per-family packets: each family's copies of chosen documents in one file, and a class set."""

from .plan import KIND

__all__ = ["KIND"]
