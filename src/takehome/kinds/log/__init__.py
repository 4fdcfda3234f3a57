"""The connection log: blank log sheets for the binder (class-wide and a page per family) and a
report from the log the teacher keeps as data."""

from .plan import KIND

__all__ = ["KIND"]
