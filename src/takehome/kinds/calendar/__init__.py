"""School calendars: the year at a glance, month pages, the key dates list and the .ics export,
from content/calendar.yaml and the .ics files in content/calendar/."""

from .plan import KIND

__all__ = ["KIND"]
