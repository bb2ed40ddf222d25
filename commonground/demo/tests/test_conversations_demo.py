"""The demo clinic's messages: team threads for fifteen patients in care and three whose care ended, the portal
patients' conversations, unread messages waiting for the `coordinator` and `patient` logins, times in the order
things happened, threads that fit their patient, and nothing written twice."""

from __future__ import annotations

import pytest

from commonground.accounts.models import User
from commonground.conversations import selectors
from commonground.conversations.choices import ThreadKind
from commonground.conversations.models import Message, ReadReceipt, Thread
from commonground.demo.conversations import END_OF_THERAPY, seed_conversations
from commonground.demo.seed import DEMO_SLUG, SeedResult
from commonground.patients.models import CareEpisode

pytestmark = pytest.mark.django_db


def test_the_demo_has_team_threads_and_portal_conversations(demo_clinic: SeedResult) -> None:
    team_patients = Thread.objects.filter(kind=ThreadKind.TEAM).values("patient_id").distinct().count()
    assert team_patients == 15 + 3  # in care, and three whose care has ended
    talks = Thread.objects.filter(kind=ThreadKind.PATIENT)
    assert {thread.patient.user.username for thread in talks} == {"patient", "patient2"}
    assert Message.objects.filter(from_patient=True).count() >= 4


def test_the_demo_logins_find_unread_messages(demo_clinic: SeedResult) -> None:
    coordinator = User.objects.get(username="coordinator", organisation__slug=DEMO_SLUG)
    patient = User.objects.get(username="patient", organisation__slug=DEMO_SLUG)
    assert selectors.unread_for_staff(coordinator) >= 3
    assert selectors.unread_for_patient(patient) == 1
    rows = selectors.inbox(coordinator)
    assert rows[0].unread > 0 and rows[-1].unread == 0


def test_a_second_run_writes_nothing(demo_clinic: SeedResult) -> None:
    coordinator = User.objects.get(username="coordinator", organisation__slug=DEMO_SLUG)
    before = Message.objects.count()
    assert seed_conversations(coordinator.organisation, staff={}, today=None, seed="again") == 0  # type: ignore[arg-type]
    assert Message.objects.count() == before


def test_every_conversation_is_in_the_order_it_was_said(demo_clinic: SeedResult) -> None:
    """A reply comes after what it answers: the order written is the order of the times, strictly."""
    for thread in Thread.objects.all():
        written = list(Message.objects.filter(thread=thread).order_by("created_at"))
        times = [message.sent_at for message in written]
        assert times == sorted(times) and len(set(times)) == len(times), thread.subject
        assert thread.started_at <= times[0]


def test_joost_mulders_question_comes_before_the_teams_answer(demo_clinic: SeedResult) -> None:
    patient2 = User.objects.get(username="patient2", organisation__slug=DEMO_SLUG)
    talk = Message.objects.filter(thread__kind=ThreadKind.PATIENT, patient__user=patient2)
    question = talk.get(text__startswith="Thanks. Is it all right if my partner comes along?")
    answer = talk.get(text__startswith="Of course, you are both welcome.")
    assert question.sent_at < answer.sent_at
    newest = talk.order_by("-sent_at").first()
    assert newest is not None and newest.from_patient  # he has just written, and awaits a reply
    assert selectors.awaiting_reply_since(newest.thread) == newest.sent_at


def test_read_receipts_come_after_the_message_staggered_and_before_the_readers_answer(demo_clinic: SeedResult) -> None:
    receipts = list(ReadReceipt.objects.select_related("message"))
    assert receipts
    for receipt in receipts:
        assert receipt.read_at > receipt.message.sent_at
        assert receipt.reader_id != receipt.message.author_id
    by_message: dict = {}
    for receipt in receipts:
        by_message.setdefault(receipt.message_id, []).append(receipt.read_at)
    read_by_several = [times for times in by_message.values() if len(times) > 1]
    assert read_by_several and all(len(set(times)) > 1 for times in read_by_several)  # never all at once
    for message in Message.objects.select_related("thread"):
        before = Message.objects.filter(thread=message.thread, sent_at__lt=message.sent_at).order_by("-sent_at").first()
        if before is not None and before.author_id != message.author_id:
            answered = ReadReceipt.objects.get(message=before, reader_id=message.author_id)
            assert answered.read_at < message.sent_at  # the writer read what they answer before answering


def test_the_end_of_therapy_is_planned_only_for_patients_whose_care_has_ended(demo_clinic: SeedResult) -> None:
    planned = Thread.objects.filter(kind=ThreadKind.TEAM, subject=END_OF_THERAPY.subject)
    assert planned.exists()
    for thread in planned:
        episode = CareEpisode.objects.filter(patient=thread.patient).order_by("-started_on").first()
        assert episode is not None and episode.ended_on is not None
        assert episode.started_on < thread.started_at.date() < episode.ended_on
    for thread in Thread.objects.filter(kind=ThreadKind.TEAM).exclude(subject=END_OF_THERAPY.subject):
        episode = CareEpisode.objects.filter(patient=thread.patient).order_by("-started_on").first()
        assert episode is not None and episode.ended_on is None  # in care
        assert thread.started_at.date() > episode.started_on
