"""AUD-04: sealing chains events per organisation; `audit verify` finds the first broken link."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from commonground.audit import chain
from commonground.audit.choices import Action
from commonground.audit.maintenance import append_only_guard_lifted
from commonground.audit.models import AuditEvent, ChainHead
from commonground.audit.sealing import seal_pending
from commonground.audit.services import record_patient_accesses, record_security_event
from commonground.audit.verification import verify_all

pytestmark = pytest.mark.django_db

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()


def _events(count: int, organisation_id: uuid.UUID) -> None:
    record_patient_accesses([uuid.uuid4() for _ in range(count)], organisation_id, action=Action.LIST)


def test_the_link_hash_follows_the_published_recipe():
    fields = dict.fromkeys(chain.SEALED_FIELDS, "")
    fields.update(id=7, action="read", chain_index=1)
    import hashlib
    import json

    expected = hashlib.sha256(
        (
            "0" * 64 + "|" + json.dumps({k: str(v) for k, v in fields.items()}, sort_keys=True, separators=(",", ":"))
        ).encode()
    ).hexdigest()
    assert chain.link_hash("0" * 64, fields) == expected
    assert chain.link_hash("1" * 64, fields) != expected


def test_sealing_chains_each_organisation_separately_and_is_idempotent():
    _events(5, ORG_A)
    _events(3, ORG_B)
    record_security_event(Action.LOGIN_FAILED, actor_username="nobody")  # no organisation: the system chain
    first = seal_pending(batch_size=2)
    assert (first.sealed, first.chains) == (9, 3)
    assert seal_pending().sealed == 0
    heads = dict(ChainHead.objects.values_list("chain_key", "last_index"))
    assert heads == {str(ORG_A): 5, str(ORG_B): 3, chain.SYSTEM_CHAIN: 1}
    indexes = list(
        AuditEvent.objects.filter(organisation_id=ORG_A).order_by("chain_index").values_list("chain_index", flat=True)
    )
    assert indexes == [1, 2, 3, 4, 5]


def test_a_clean_chain_verifies_and_counts_what_is_not_sealed_yet():
    _events(4, ORG_A)
    seal_pending()
    _events(2, ORG_A)
    report = verify_all()
    assert report.ok
    assert (report.checked, report.unsealed) == (4, 2)


def test_new_events_continue_the_chain_across_runs():
    _events(3, ORG_A)
    seal_pending()
    _events(3, ORG_A)
    seal_pending()
    assert verify_all().ok
    fourth = AuditEvent.objects.get(organisation_id=ORG_A, chain_index=4)
    third = AuditEvent.objects.get(organisation_id=ORG_A, chain_index=3)
    assert fourth.previous_hash == third.row_hash


def _tamper(sql: str, params: list[object]) -> None:
    with append_only_guard_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_changed_row_is_reported_at_its_link():
    _events(6, ORG_A)
    seal_pending()
    target = AuditEvent.objects.get(organisation_id=ORG_A, chain_index=4)
    _tamper("UPDATE audit_auditevent SET actor_username = %s WHERE id = %s", ["mallory", target.id])
    report = verify_all()
    assert not report.ok
    broken = report.broken[0]
    assert (broken.chain_index, broken.event_id) == (4, target.id)
    assert "changed" in broken.reason


def test_a_deleted_row_is_reported():
    _events(6, ORG_A)
    seal_pending()
    target = AuditEvent.objects.get(organisation_id=ORG_A, chain_index=2)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [target.id])
    report = verify_all()
    assert report.broken[0].chain_index == 2
    assert "missing" in report.broken[0].reason


def test_deleting_the_newest_rows_is_reported():
    _events(4, ORG_A)
    seal_pending()
    newest = AuditEvent.objects.get(organisation_id=ORG_A, chain_index=4)
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [newest.id])
    assert not verify_all().ok


def test_the_guard_is_back_after_maintenance():
    _events(1, ORG_A)
    with append_only_guard_lifted():
        pass
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")


def test_the_command_fails_on_tampering_and_passes_otherwise(capsys):
    _events(3, ORG_A)
    call_command("audit", "seal")
    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out
    row = AuditEvent.objects.get(organisation_id=ORG_A, chain_index=2)
    _tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["read", row.id])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "BROKEN" in capsys.readouterr().err


def test_deleting_a_chain_head_does_not_hide_the_chain():
    _events(3, ORG_A)
    seal_pending()
    ChainHead.objects.filter(chain_key=str(ORG_A)).delete()
    report = verify_all()
    assert not report.ok
    assert "head is missing" in report.broken[0].reason
