"""Reads of the referrals domain. Callers have opened the patient (or scoped the list) through the gateway.

CONTRACT: `waiting_since(patient_ids)` is read by the case-review agenda's "long wait" source.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Min

from commonground.referrals import states
from commonground.referrals.choices import Direction
from commonground.referrals.models import Referral


def waiting_since(patient_ids: Iterable[Any]) -> dict[UUID, datetime]:
    """Per patient, when the oldest outgoing referral still waiting for its first contact was sent.

    Patients with no such referral are absent. Referrals entered in error do not count.
    """
    ids = list(patient_ids)
    if not ids:
        return {}
    rows = (
        Referral.objects.current()
        .filter(
            patient_id__in=ids,
            direction=Direction.OUTGOING,
            state__in=states.WAITING,
            sent_at__isnull=False,
        )
        .values("patient_id")
        .annotate(since=Min("sent_at"))
        .values_list("patient_id", "since")
    )
    return dict(rows)
