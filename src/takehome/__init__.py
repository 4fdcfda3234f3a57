"""takehome: printable school-to-home documents from YAML, a class roster and templates."""

__version__ = "0.1.0"
