"""The family intake sheet: the questions a teacher asks a family before the year starts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ...models.base import Day, Model, Text

QuestionType = Literal["short", "long", "choice", "yesno", "table"]
Prefill = Literal["student_name", "preferred_name", "guardians", "phone", "email", "language"]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,40}$")]


class Question(Model):
    """One question; `type` decides the answer space printed under it."""

    id: Identifier
    type: QuestionType = "short"
    label: Text
    help: Text | None = None
    width: Literal["full", "half"] = "full"
    lines: int = Field(3, ge=1, le=12)  # long answers
    options: list[Text] = Field(default_factory=list)  # choices
    other: bool = False  # choices: an "Other: ____" option
    columns: list[Text] = Field(default_factory=list)  # tables
    rows: int = Field(3, ge=1, le=12)  # tables
    prefill: Prefill | None = None  # printed in on personalised copies

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type == "choice" and not self.options:
            raise ValueError("a choice question needs options")
        if self.type == "table" and not 1 <= len(self.columns) <= 6:
            raise ValueError("a table question needs 1 to 6 columns")
        return self


class Intake(Model):
    """content/intake.yaml: the sheet's title, intro, return details and questions."""

    title: Text | None = None
    intro: Text | None = None
    return_by: Day | None = None
    return_to: Text | None = None
    questions: list[Question] | None = None  # None: the built-in questions

    @model_validator(mode="after")
    def _unique_ids(self) -> Intake:
        ids = [q.id for q in self.questions or []]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"question ids must be unique: {', '.join(duplicates)}")
        return self
