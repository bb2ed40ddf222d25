"""What the portal shows, composed from the domains' selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _

from commonground.accounts.models import User
from commonground.audit import selectors as audit_selectors
from commonground.audit.choices import Action


@dataclass
class AccessRow:
    occurred_at: datetime
    who: str
    role: str
    what: str
    break_glass: bool


def who_accessed(patient_id: UUID, *, viewer: Any, page: int) -> audit_selectors.Page:
    """The patient's access log in plain words: names and roles, not ids."""
    found = audit_selectors.who_accessed(patient_id, page=page)
    people = {u.id: u for u in User.objects.filter(id__in={e.actor_id for e in found.rows if e.actor_id})}
    rows = []
    for event in found.rows:
        person = people.get(event.actor_id)
        if event.actor_id == viewer.id:
            who, role = _("You"), ""
        else:
            who = person.display_name if person else _("A system job")
            role = person.get_role_display() if person and person.role else ""
        rows.append(
            AccessRow(
                event.occurred_at,
                who,
                role,
                str(Action(event.action).label) if event.action in Action.values else event.action,
                bool(event.break_glass_reason),
            )
        )
    return audit_selectors.Page(rows=rows, number=found.number, has_more=found.has_more)
