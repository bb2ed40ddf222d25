"""The referrals pages use a fixed number of queries, however many referrals (no N+1 per referral or step)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonground.referrals import services
from tests.personas import make_patient, signed_in

pytestmark = pytest.mark.django_db

OUT = {"service": "physiotherapy", "counterpart": "Fysio", "reason": "Graded activity"}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _referral_with_a_letter(patient, by):
    referral = services.create_outgoing(patient, details=OUT, by=by, send_now=True)
    for target in ("received", "accepted", "scheduled", "first_contact"):
        referral = services.move(referral, to_state=target, expected_version=referral.version, by=by)
    services.save_letter(referral, details={"findings": "Deconditioned"}, by=by)
    services.register_incoming(patient, details={"counterpart": "Dr. J", "reason": "x"}, by=by)


def test_the_tab_and_the_list_do_not_grow_with_the_referrals(clinic, patient_record, coordinator):
    client = signed_in(coordinator)
    client.get(reverse("clinician:caseload"))  # the session's first request writes the session
    tab = reverse("clinician:referrals", args=[patient_record.id])
    board = reverse("clinician:referrals_board")
    _referral_with_a_letter(patient_record, coordinator)
    few = (_queries(client, tab), _queries(client, board))
    for number in range(4):
        _referral_with_a_letter(patient_record, coordinator)
        _referral_with_a_letter(make_patient(clinic, coordinator, given=f"P{number}", family=f"F{number}"), coordinator)
    many = (_queries(client, tab), _queries(client, board))
    assert few == many
