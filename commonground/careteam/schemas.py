from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from commonground.kit.schemas import ShortText


class MemberOut(Schema):
    id: UUID
    staff_id: UUID
    staff_name: str
    team_role: str
    joined_at: datetime
    version: int

    @staticmethod
    def resolve_staff_name(member: object) -> str:
        return str(member.staff.display_name)  # type: ignore[attr-defined]


class CareTeamOut(Schema):
    id: UUID
    care_coordinator_id: UUID | None
    responsible_clinician_id: UUID | None
    version: int
    members: list[MemberOut]


class MemberIn(Schema):
    staff_id: UUID


class EndMembershipIn(Schema):
    version: int = Field(ge=1, le=2_000_000_000)
    reason: ShortText = ""
