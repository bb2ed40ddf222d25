"""The caseload registry's figures and flags for one patient, from plain data. Pure: no Django, no clock.

`Summariser(key_instruments, rules, critical_instruments=()).summarise(responses, facts) -> PatientSummary`.
`responses` are the patient's completed responses, OLDEST FIRST (the order they were completed in; a registry
reads them so ordered from the database), each a `ScoredResponse`: instrument, total or None when the response
could not be scored, and its flags (only those of questionnaires with critical items are looked at); `facts`
are what the registry knows besides
(`PatientFacts`: weeks in care, overdue questionnaires, open critical-item alerts). The clinic's numbers come
in `RegistryRules` (from its registry settings: default 10 weeks and 50 %).

For each KEY questionnaire (`KeyScore`), in completion order:

- `first` is the first scorable total and `latest` the last one (an unscorable response has no total and is
  left out of both). With one scorable response, `latest` is that same score and there is no change.
- With two or more scorable responses, `change` is `change.change_between(first, latest)`: the difference,
  the percent change ((latest - first) / first x 100; None, shown as "—", when the first score is 0) and the
  Reliable Change Index with its class (Jacobson-Truax, section 13 item 11: S_diff = sqrt(2) x SD x
  sqrt(1 - r), reliable when |RCI| > 1.96; e.g. the PHQ-9 with SD 5.5 and r 0.89 needs a change of more
  than 5.06 points). The class is None for a questionnaire without reliable-change figures.
- `improvement_percent` is the improvement in percent of the first score: (first - latest) / first x 100 on
  a scale where lower is better (every symptom scale), (latest - first) / first x 100 where higher is better.
- `improving` says whether this questionnaire shows improvement: a reliable improvement, OR an improvement of
  at least `rules.not_improving_percent` %. It is None (not judged) with fewer than two scorable responses,
  and when the first score is 0 (a score that cannot get lower shows no improvement to measure).

The flags (`PatientSummary.flags`, in this order; the same ids as the case-review reasons):

- `critical_item`: an open critical-item alert, OR the latest completed response of a questionnaire with a
  critical item (PHQ-9 item 9) carries its flag: answered positively (`item9_positive`) or left unanswered
  (`item9_unknown`), scorable or not. It stays until a newer response of that questionnaire no longer
  carries it and every critical-item alert is acknowledged.
- `deteriorated`: a reliable deterioration of the latest score against the first on ANY key questionnaire.
- `not_improving`: the patient has been in care for at least `rules.not_improving_weeks` weeks (the current
  care episode; unknown without one), at least one key questionnaire can be judged (`improving` not None),
  and NONE of the key questionnaires that can be judged shows improvement (no reliable improvement and less
  than `rules.not_improving_percent` % improvement on each). Improvement on one key questionnaire is enough
  not to be flagged; a deterioration elsewhere is flagged as `deteriorated`. Judged on the scores there are:
  a patient with fewer than two scorable responses on every key questionnaire is not flagged (when
  questionnaires are missing, `overdue` says so).
- `overdue`: at least one questionnaire is overdue (its due date passed the clinic's days of grace).

Change between the same two totals is computed once per `Summariser` (a registry asks for the same pairs
again and again), so one `Summariser` serves a whole caseload, and may be kept for the next one: it holds no
patient's data, only the instruments, the rules and the changes between totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, NamedTuple

from commonground.measures.change import RELIABLE_DETERIORATION, RELIABLE_IMPROVEMENT, Change, change_between
from commonground.measures.datatypes import Instrument

CRITICAL_ITEM: Final = "critical_item"
DETERIORATED: Final = "deteriorated"
NOT_IMPROVING: Final = "not_improving"
OVERDUE: Final = "overdue"
FLAGS: Final = (CRITICAL_ITEM, DETERIORATED, NOT_IMPROVING, OVERDUE)

DEFAULT_NOT_IMPROVING_WEEKS: Final = 10
DEFAULT_NOT_IMPROVING_PERCENT: Final = 50
MAX_REMEMBERED_CHANGES: Final = 50_000


class ScoredResponse(NamedTuple):
    """One completed response as the registry reads it (a list of them is in completion order).

    A named tuple, not a dataclass: a registry makes 1,440 of them per page."""

    instrument: str
    total: Decimal | None  # None: the response could not be scored
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatientFacts:
    weeks_in_care: int | None  # None without a care episode
    overdue: int = 0
    open_critical_alerts: int = 0


@dataclass(frozen=True)
class RegistryRules:
    not_improving_weeks: int = DEFAULT_NOT_IMPROVING_WEEKS
    not_improving_percent: int = DEFAULT_NOT_IMPROVING_PERCENT


class KeyScore(NamedTuple):
    instrument: str
    first: Decimal | None
    latest: Decimal | None
    scored: int  # how many scorable responses
    change: Change | None  # None with fewer than two scorable responses
    improvement_percent: Decimal | None
    improving: bool | None  # None: not judged

    @property
    def percent_change(self) -> Decimal | None:
        return self.change.percent_change if self.change is not None else None

    @property
    def classification(self) -> str | None:
        return self.change.classification if self.change is not None else None


@dataclass(frozen=True)
class PatientSummary:
    scores: tuple[KeyScore, ...]  # in the order of the key questionnaires
    flags: tuple[str, ...]  # in the order of FLAGS
    critical_flags: tuple[str, ...]  # the item flags behind `critical_item` (e.g. "item9_positive")

    def score(self, instrument_id: str) -> KeyScore | None:
        return next((score for score in self.scores if score.instrument == instrument_id), None)

    def has(self, flag: str) -> bool:
        return flag in self.flags


class Summariser:
    """Summarises patients against one clinic's key questionnaires and rules."""

    def __init__(
        self,
        key_instruments: Sequence[Instrument],
        rules: RegistryRules | None = None,
        critical_instruments: Sequence[Instrument] = (),
    ) -> None:
        self.key_instruments = tuple(key_instruments)
        self.rules = rules or RegistryRules()
        self._critical: dict[str, frozenset[str]] = {}
        for instrument in (*self.key_instruments, *critical_instruments):
            flags = critical_flag_ids(instrument)
            if flags:
                self._critical[instrument.id] = flags
        self._changes: dict[tuple[str, Decimal, Decimal], Change] = {}
        self._scores: dict[tuple[str, Decimal | None, Decimal | None, int], KeyScore] = {}

    def summarise(self, responses: Iterable[ScoredResponse], facts: PatientFacts) -> PatientSummary:
        totals: dict[str, list[Decimal]] = {}
        latest_flags: dict[str, tuple[str, ...]] = {}
        for response in responses:  # oldest first
            if response.total is not None:
                totals.setdefault(response.instrument, []).append(response.total)
            if response.instrument in self._critical:
                latest_flags[response.instrument] = response.flags
        return self.summarise_totals(totals, latest_flags, facts)

    def summarise_totals(
        self,
        totals: Mapping[str, Sequence[Decimal]],
        latest_flags: Mapping[str, tuple[str, ...]],
        facts: PatientFacts,
    ) -> PatientSummary:
        """`summarise` from the responses already gathered: each questionnaire's scorable totals, oldest first,
        and the flags of each questionnaire's latest completed response (scorable or not; only those of
        questionnaires with critical items are looked at)."""
        scores = tuple(
            self._key_score(instrument, totals.get(instrument.id, ())) for instrument in self.key_instruments
        )
        critical = self._critical
        critical_flags = tuple(
            flag
            for instrument_id, flags in latest_flags.items()
            if instrument_id in critical
            for flag in flags
            if flag in critical[instrument_id]
        )
        flags = []
        if facts.open_critical_alerts > 0 or critical_flags:
            flags.append(CRITICAL_ITEM)
        if any(score.classification == RELIABLE_DETERIORATION for score in scores):
            flags.append(DETERIORATED)
        if self._not_improving(scores, facts.weeks_in_care):
            flags.append(NOT_IMPROVING)
        if facts.overdue > 0:
            flags.append(OVERDUE)
        return PatientSummary(scores=scores, flags=tuple(flags), critical_flags=critical_flags)

    def _key_score(self, instrument: Instrument, totals: Sequence[Decimal]) -> KeyScore:
        """The same figures give the same `KeyScore` object (kept, like the changes between totals)."""
        if not totals:
            key: tuple[str, Decimal | None, Decimal | None, int] = (instrument.id, None, None, 0)
        else:
            key = (instrument.id, totals[0], totals[-1], len(totals))
        found = self._scores.get(key)
        if found is None:
            if len(self._scores) >= MAX_REMEMBERED_CHANGES:
                self._scores.clear()
            found = self._scores[key] = self._new_key_score(instrument, totals)
        return found

    def _new_key_score(self, instrument: Instrument, totals: Sequence[Decimal]) -> KeyScore:
        if not totals:
            return KeyScore(instrument.id, None, None, 0, None, None, None)
        first, latest = totals[0], totals[-1]
        if len(totals) < 2:
            return KeyScore(instrument.id, first, latest, 1, None, None, None)
        change = self._change(instrument, first, latest)
        improvement = improvement_percent(change, higher_is_better=instrument.higher_is_better)
        improving: bool | None = None
        if improvement is not None:
            improving = change.classification == RELIABLE_IMPROVEMENT or improvement >= self.rules.not_improving_percent
        return KeyScore(instrument.id, first, latest, len(totals), change, improvement, improving)

    def _change(self, instrument: Instrument, first: Decimal, latest: Decimal) -> Change:
        key = (instrument.id, first, latest)
        found = self._changes.get(key)
        if found is None:
            if len(self._changes) >= MAX_REMEMBERED_CHANGES:
                self._changes.clear()
            found = self._changes[key] = change_between(instrument, first, latest)
        return found

    def _not_improving(self, scores: tuple[KeyScore, ...], weeks_in_care: int | None) -> bool:
        if weeks_in_care is None or weeks_in_care < self.rules.not_improving_weeks:
            return False
        judged = [score.improving for score in scores if score.improving is not None]
        return bool(judged) and not any(judged)


def improvement_percent(change: Change, *, higher_is_better: bool) -> Decimal | None:
    """Improvement as a percentage of the first score (positive is better); None when the first score is 0."""
    if change.percent_change is None:
        return None
    return change.percent_change if higher_is_better else -change.percent_change


def critical_flag_ids(instrument: Instrument) -> frozenset[str]:
    """The flags of an instrument's critical items: answered at the critical level, or left unanswered."""
    ids: set[str] = set()
    for critical in instrument.critical_items:
        ids.add(critical.flag)
        if critical.unanswered_flag:
            ids.add(critical.unanswered_flag)
    return frozenset(ids)
