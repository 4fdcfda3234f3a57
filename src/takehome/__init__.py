"""takehome: printable school-to-home documents from YAML, a class roster and templates."""

from pathlib import Path

__version__ = "0.1.0"

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
if not BUILTIN_TEMPLATES.is_dir():  # a source checkout: the wheel puts them beside the code
    BUILTIN_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
