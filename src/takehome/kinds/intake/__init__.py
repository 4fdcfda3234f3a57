"""Family intake sheets: blank and fillable per language, one per student, and the class set."""

from .plan import KIND

__all__ = ["KIND"]
