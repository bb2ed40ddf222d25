"""Each clinic edits its own note-language lexicon in the administration site, per language; a pattern that
cannot be used is refused with the reason."""

from __future__ import annotations

from typing import Any

from commonground.notes.models import LexiconEntry
from commonground.notes.selectors import rules_for
from tests.personas import signed_in

ADD = "/admin/notes/lexiconentry/add/"


def form(**fields: Any) -> dict[str, Any]:
    return {
        "language": "en",
        "key": "bed-blocker",
        "category": "stereotyping",
        "patterns": "\\bbed[-\\s]?blockers?\\b\n\\bblocking\\s+a\\s+bed\\b",
        "unless": "",
        "why": "Blames a patient for a delayed discharge.",
        "suggestion": "Say what the discharge is waiting for.",
        "enabled": "on",
    } | fields


def test_an_administrator_adds_a_rule_for_their_own_clinic(administrator: Any, clinic: Any) -> None:
    response = signed_in(administrator).post(ADD, form())
    assert response.status_code == 302
    entry = LexiconEntry.objects.get(key="bed-blocker")
    assert entry.organisation_id == clinic.id
    assert entry.patterns == [r"\bbed[-\s]?blockers?\b", r"\bblocking\s+a\s+bed\b"]
    assert entry.unless == []
    assert "bed-blocker" in {rule.key for rule in rules_for(clinic.id, "en")}


def test_a_broken_regular_expression_is_refused_with_the_reason(administrator: Any) -> None:
    response = signed_in(administrator).post(ADD, form(patterns="\\bbed blocker("))
    assert response.status_code == 200
    assert b"This rule cannot be used" in response.content
    assert b"not a valid regular expression" in response.content
    assert not LexiconEntry.objects.exists()


def test_a_json_list_of_patterns_is_accepted_and_a_malformed_one_refused(administrator: Any) -> None:
    client = signed_in(administrator)
    bad = client.post(ADD, form(patterns='["\\\\bbed blocker\\\\b", 3]'))
    assert bad.status_code == 200 and not LexiconEntry.objects.exists()
    good = client.post(ADD, form(patterns='["\\\\bbed blocker\\\\b"]'))
    assert good.status_code == 302
    assert LexiconEntry.objects.get().patterns == [r"\bbed blocker\b"]


def test_switching_a_built_in_rule_off_needs_only_its_key(administrator: Any, clinic: Any) -> None:
    response = signed_in(administrator).post(
        ADD, {"language": "en", "key": "claims-insists", "category": "", "patterns": "", "why": "", "suggestion": ""}
    )
    assert response.status_code == 302
    entry = LexiconEntry.objects.get(key="claims-insists")
    assert entry.enabled is False and entry.patterns and entry.why and entry.category == "credibility"
    assert "claims-insists" not in {rule.key for rule in rules_for(clinic.id, "en")}


def test_a_new_rule_needs_everything(administrator: Any) -> None:
    response = signed_in(administrator).post(ADD, form(why=""))
    assert response.status_code == 200 and b"why must be a non-empty text" in response.content
    assert not LexiconEntry.objects.exists()


def test_one_rule_per_key_and_language_in_a_clinic(administrator: Any, clinic: Any, other_clinic: Any) -> None:
    LexiconEntry.objects.create(organisation=other_clinic, **_entry())
    client = signed_in(administrator)
    assert client.post(ADD, form()).status_code == 302  # another clinic's key does not count
    again = client.post(ADD, form())
    assert again.status_code == 200 and b"already has a rule with this key" in again.content
    assert client.post(ADD, form(language="nl")).status_code == 302
    assert LexiconEntry.objects.filter(organisation=clinic).count() == 2


def test_administrators_see_only_their_own_clinics_rules(administrator: Any, clinic: Any, other_clinic: Any) -> None:
    LexiconEntry.objects.create(organisation=clinic, **_entry(key="riverside-rule"))
    LexiconEntry.objects.create(organisation=other_clinic, **_entry(key="hillside-rule"))
    page = signed_in(administrator).get("/admin/notes/lexiconentry/")
    assert page.status_code == 200
    assert b"riverside-rule" in page.content and b"hillside-rule" not in page.content


def test_clinicians_do_not_reach_it(coordinator: Any, therapist: Any) -> None:
    for user in (coordinator, therapist):
        assert signed_in(user).get("/admin/notes/lexiconentry/").status_code in {302, 403, 404}
        assert signed_in(user).post(ADD, form()).status_code in {302, 403, 404}
    assert not LexiconEntry.objects.exists()


def _entry(**fields: Any) -> dict[str, Any]:
    return {
        "language": "en",
        "key": "bed-blocker",
        "category": "stereotyping",
        "patterns": [r"\bbed blocker\b"],
        "why": "Blames a patient.",
        "suggestion": "Say what the discharge waits for.",
    } | fields


def test_the_rule_form_lists_the_built_in_rules_a_clinic_can_change_or_turn_off() -> None:
    from commonground.notes.admin import built_in_keys_help

    listed = built_in_keys_help()
    assert "claims-insists (credibility)" in listed and "attention-seeking (difficult)" in listed
    assert "nl:" in listed and "en:" in listed
