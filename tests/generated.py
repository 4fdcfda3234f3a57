"""A project the tests make up, so that the printing rules are held on more than the sample: a
school year of its own, a roster of long and accented names in two languages, a district .ics
with recurring events that cross months (monthly, weekly with exceptions, RDATEs, a break over
New Year, a holiday the public holidays repeat) and an intake sheet with its own questions."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from .conftest import SAMPLE

YEAR = (dt.date(2027, 8, 23), dt.date(2028, 6, 8))
FIRST = ["Ana", "María José", "Nguyễn", "Chloé", "Oluwaseun", "Zoë", "Sebastián", "Aaliyah",
         "Bartholomew", "Guadalupe", "Mateo", "Ingrid"]
LAST = ["López-Fernández", "Okafor", "Trần", "Dubois", "Müller", "Hernández de la Cruz",
        "Johnson", "Vanderbilt-Castellanos", "Rossi", "García"]


def roster(count: int, seed: int = 7) -> str:
    """A roster of `count` students; every third family speaks Spanish at home."""
    rng = random.Random(seed)
    lines = ["Student First Name,Student Last Name,Preferred Name,Student ID,Grade,"
             "Parent/Guardian 1,Parent/Guardian 2,Phone,Email,Home Language"]
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        language = "Spanish" if n % 3 == 0 else "English"
        lines.append(f"{first},{last},,2027{n:04d},3,Parent {last},,(555) 020-{n:04d},"
                     f"family{n}@example.org,{language}")
    return "\n".join(lines) + "\n"


def _day(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _event(uid: str, summary: str, start: dt.date, end: dt.date | None = None,
           category: str = "", extra: str = "") -> str:
    last = (end or start) + dt.timedelta(days=1)
    lines = ["BEGIN:VEVENT", f"UID:{uid}@generated.example.org", "DTSTAMP:20270601T120000Z",
             f"SUMMARY:{summary}", f"DTSTART;VALUE=DATE:{_day(start)}",
             f"DTEND;VALUE=DATE:{_day(last)}"]
    if category:
        lines.append(f"CATEGORIES:{category}")
    if extra:
        lines += extra.split("\n")
    return "\r\n".join([*lines, "END:VEVENT"])


def district_ics() -> str:
    """A district calendar whose key dates repeat across months in every way .ics allows."""
    events = [
        _event("first", "First Day of School", YEAR[0], category="First Day"),
        _event("last", "Last Day of School – Early Dismissal 11:30 am", YEAR[1],
               category="Last Day"),
        # A school holiday the public holidays also have (Labor Day 2027 is September 6).
        _event("labor", "Labor Day – No School", dt.date(2027, 9, 6), category="No School"),
        # Monthly on the first Thursday, with one meeting moved away.
        _event("pta", "PTA Meeting", dt.date(2027, 9, 2), category="PTA",
               extra="RRULE:FREQ=MONTHLY;BYDAY=1TH;UNTIL=20280501\nEXDATE;VALUE=DATE:20280106"),
        # Every Wednesday, except the week of Thanksgiving and the winter break.
        _event("early", "Early Release Wednesday – Dismissal 1:15 pm", dt.date(2027, 9, 1),
               category="Early Release",
               extra="RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20280531\n"
                     "EXDATE;VALUE=DATE:20271124,20271222,20271229"),
        # Three institute days in three months, given as RDATEs.
        _event("institute", "Teacher Institute Day – No School for Students",
               dt.date(2027, 10, 8), category="No School",
               extra="RDATE;VALUE=DATE:20280103,20280317"),
        # A break over New Year, and one over a month's end.
        _event("winter", "Winter Break", dt.date(2027, 12, 20), dt.date(2028, 1, 4),
               category="No School"),
        _event("spring", "Spring Break", dt.date(2028, 3, 27), dt.date(2028, 4, 4),
               category="No School"),
        # District events that are not key dates, crowding the month cells.
        *[_event(f"game{n}", f"Varsity Basketball Game {n}", YEAR[0] + dt.timedelta(days=3 + 9 * n),
                 category="Athletics") for n in range(24)],
    ]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//takehome tests//generated//EN",
            "X-WR-TIMEZONE:America/Chicago"]
    return "\r\n".join([*head, *events, "END:VCALENDAR"]) + "\r\n"


CALENDAR_YAML = """\
title: {en: Riverside calendar, es: Calendario de Riverside}
updated: 2027-08-01
timezone: America/Chicago
publish_url: https://riverside.example.org/calendar.ics
holidays: {country: US, subdivision: IL}
categories:
  pta: {label: {en: PTA event, es: Evento de la PTA}, colour: "#b3541e", mark: overline}
  district: {label: {en: District event, es: Evento del distrito}, colour: "#4a4f57", mark: dot,
             key_dates: false}
imports:
  district.ics:
    category: district
    categories: {First Day: first_day, Last Day: last_day, PTA: pta}
events:
  - title: {en: "Field trip: Art Museum", es: "Excursión: Museo de Arte"}
    date: 2027-10-13
    time: "9:00"
  - title: {en: Class play, es: Obra de teatro de la clase}
    dates: [2027-11-18, 2028-02-17, 2028-05-11]
    time: "18:30"
  - title: {en: Reading challenge, es: Reto de lectura}
    start: 2027-11-29
    end: 2027-12-03
"""

INTAKE_YAML = """\
title: {en: All about your child, es: Todo sobre su hijo o hija}
intro:
  en: A few questions so that I can get to know your child. Take your time with the long ones.
  es: Unas preguntas para conocer a su hijo o hija. Tómese su tiempo con las más largas.
return_by: 2027-09-03
return_to: {en: in the blue folder, es: en la carpeta azul}
questions:
  - {id: name, label: {en: "Child's full name", es: Nombre completo}, prefill: student_name}
  - {id: nick, label: {en: Nickname, es: Apodo}, width: half, prefill: preferred_name}
  - {id: bday, label: {en: Birthday, es: Cumpleaños}, width: half}
  - id: strengths
    type: long
    lines: 4
    label: {en: "What is your child good at?", es: "¿En qué es bueno su hijo o hija?"}
  - {id: fears, type: long, lines: 2, width: half, label: {en: Fears, es: Miedos}}
  - {id: joys, type: long, lines: 3, width: half, label: {en: Joys, es: Alegrías}}
  - {id: lunch, type: yesno, label: {en: "School lunch?", es: "¿Almuerzo escolar?"}}
  - id: likes
    type: choice
    other: true
    label: {en: Favourite subjects, es: Materias favoritas}
    options: [{en: Reading, es: Lectura}, {en: Maths, es: Matemáticas},
              {en: Science, es: Ciencias}, {en: Art and music, es: Arte y música}]
  - id: contacts
    type: table
    rows: 4
    label: {en: Emergency contacts, es: Contactos de emergencia}
    columns: [{en: Name, es: Nombre}, {en: Phone, es: Teléfono}]
  - {id: health, type: long, lines: 3, label: {en: Health notes, es: Notas de salud}}
  - {id: else, type: long, lines: 5, label: {en: "Anything else?", es: "¿Algo más?"}}
"""


def make_project(root: Path, students: int = 7, paper: str = "letter") -> Path:
    """The sample's documents for a school year, roster, calendar and intake made up here."""
    content = root / "content"
    shutil.copytree(SAMPLE, content)
    settings = (content / "settings.yaml").read_text(encoding="utf-8")
    settings = settings.replace("start: 2026-08-24", f"start: {YEAR[0]}").replace(
        "end: 2027-06-10", f"end: {YEAR[1]}").replace("paper: letter", f"paper: {paper}")
    (content / "settings.yaml").write_text(settings, encoding="utf-8")
    (content / "roster.csv").write_text(roster(students), encoding="utf-8")
    (content / "calendar.yaml").write_text(CALENDAR_YAML, encoding="utf-8")
    (content / "calendar" / "district.ics").write_text(district_ics(), encoding="utf-8")
    (content / "intake.yaml").write_text(INTAKE_YAML, encoding="utf-8")
    (content / "connection-log.csv").unlink()
    (content / "log.yaml").write_text(
        "entries:\n  - {date: 2027-09-01, student: '20270000', method: call, tone: positive,"
        " note: Welcome call}\n", encoding="utf-8")
    issue = content / "newsletters" / "2026-12.yaml"
    text = issue.read_text(encoding="utf-8").replace("date: 2026-12-01", "date: 2027-12-01")
    issue.unlink()
    (content / "newsletters" / "2027-12.yaml").write_text(text, encoding="utf-8")
    for product in [content / "product.yaml"]:
        product.unlink()
    return root
