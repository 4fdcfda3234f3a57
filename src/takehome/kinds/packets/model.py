"""Per-family packets: a chosen list of documents, personalised for each family."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ...models.base import Model, Text

PacketName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,40}$")]
# What `--only` and the output folders call a document: "intake", "welcome", "cards/family"
DocumentPath = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9/_-]{0,100}$")]


class Packet(Model):
    """One packet: each family's copies of these documents, in this order."""

    title: Text | None = None
    documents: list[DocumentPath] = Field(min_length=1)


class Packets(Model):
    """content/packets.yaml."""

    packets: dict[PacketName, Packet] = Field(min_length=1)
