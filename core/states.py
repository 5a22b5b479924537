"""Declared lifecycles (ARCHITECTURE.md rule 6). An app's states.py names its states and the
moves between them once; every change of state goes through transition(), which refuses the
rest with Conflict (409) and writes the move as one conditional UPDATE
(`… WHERE state = <from>`), so of two workers racing for the same row exactly one wins.

    # videos/states.py
    UPLOADED, PROCESSING, READY, FAILED = "uploaded", "processing", "ready", "failed"
    VIDEO = Lifecycle("video", {UPLOADED: {PROCESSING, FAILED}, PROCESSING: {READY, FAILED, UPLOADED},
                               READY: set(), FAILED: {UPLOADED}})

    # videos/services/processing.py
    VIDEO.transition(video, PROCESSING, progress=0)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from .exceptions import Conflict


class Lifecycle:
    """The states a model's `field` may take and which may follow which."""

    def __init__(self, name: str, moves: Mapping[str, Iterable[str]], *, field: str = "state"):
        self.name = name  # what error messages call the thing: "video", "payment"
        self.field = field
        self.moves: dict[str, frozenset[str]] = {state: frozenset(after) for state, after in moves.items()}
        unknown = {state for after in self.moves.values() for state in after} - set(self.moves)
        if unknown:
            raise ValueError(f"The {name} lifecycle moves to undeclared states: {sorted(unknown)}.")

    @property
    def states(self) -> list[str]:
        return list(self.moves)

    def can_move(self, old: str, new: str) -> bool:
        return new in self.moves.get(old, frozenset())

    def transition(self, instance: models.Model, new: str, *, expected: str | None = None, **fields: Any) -> None:
        """Move `instance` from its state (or `expected`) to `new`, writing `fields` with it;
        the instance is updated too. Conflict if the move is not declared, or if another
        writer changed the state first."""
        old = expected or getattr(instance, self.field)
        if not self.can_move(old, new):
            raise Conflict(f"A {self.name} cannot go from {old} to {new}.", code="bad_transition")
        model = type(instance)
        changes = {self.field: new, **fields}
        if _has_field(model, "updated_at"):  # update() skips auto_now
            changes.setdefault("updated_at", timezone.now())
        if not model._default_manager.filter(pk=instance.pk, **{self.field: old}).update(**changes):
            raise Conflict(f"The {self.name} is no longer {old}.", code="state_changed")
        for name, value in changes.items():
            setattr(instance, name, value)


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
