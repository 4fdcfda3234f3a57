"""Connection-case note cards: N-up sheets with crop marks and mirrored backs, generic and
personalised per student, the pencil-case label, and a printer calibration sheet."""

from .plan import KIND

__all__ = ["KIND"]
