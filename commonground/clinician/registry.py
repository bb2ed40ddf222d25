"""The coordinator's caseload registry: one row per patient with key scores, change, due measures, alerts and flags.

Composed from the domains' reads in a fixed number of queries, however many patients: the clinic's registry
settings; the patients with their current care episode (one query, scoped by the access gateway); the
completed responses of those patients to the key questionnaires (one query, plain values); due and overdue
counts; open alerts; open case-review flags; and one audit insert for the patients listed. The figures and
flags per patient come from the pure `measures.registry` (its docstring states the rules).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from django.db import connections
from django.db.models import Case, F, JSONField, OuterRef, Q, Subquery, When
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

from commonground.access import gateway
from commonground.clinician.registry_forms import (
    ANY_FLAG,
    DEFAULT_SORT,
    DESCENDING,
    RegistryChoice,
    default_direction,
    flag_labels,
)
from commonground.clinician.selectors import weeks_since
from commonground.coordination import selectors as coordination_selectors
from commonground.coordination.choices import ReviewReason
from commonground.kit.urls import url_for_each
from commonground.measures import definitions
from commonground.measures import selectors as measure_selectors
from commonground.measures.change import (
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    reliable_change_threshold,
)
from commonground.measures.choices import DueState, ResponseStatus
from commonground.measures.datatypes import Instrument
from commonground.measures.models import Response
from commonground.measures.registry import (
    KeyScore,
    PatientFacts,
    PatientSummary,
    RegistryRules,
    Summariser,
)
from commonground.patients.models import CareEpisode
from commonground.safety import selectors as safety_selectors
from commonground.safety.choices import AlertKind

REGISTRY_LIMIT = 300  # patients read per request (a coordinator has 50-120)
# The choices' values as plain strings, read once (an enum's members cost a lookup each, 120 rows x 4).
DUE, OVERDUE = DueState.DUE.value, DueState.OVERDUE.value
CRITICAL_ALERT = AlertKind.CRITICAL_ITEM.value
ALERT_KINDS = tuple(AlertKind.values)

PATIENT_COLUMNS = (
    "id",
    "record_number",
    "family_name",
    "given_name",
    "preferred_name",
    "episode_started_on",
    "episode_ended_on",
)

# A patient's completed responses as read: each questionnaire's scorable totals (oldest first), and the flags of
# the latest response of each questionnaire with critical items.
Gathered = tuple[dict[str, list[Decimal]], dict[str, tuple[str, ...]]]
NOTHING_GATHERED: Gathered = ({}, {})


@dataclass(frozen=True)
class Column:
    """A key questionnaire: two columns of the table (first and latest score; % change and its class)."""

    id: str
    short_name: str
    higher_is_better: bool
    reliable_points: str  # "5.06": a change must exceed this to be reliable; "" without reliable-change figures

    @classmethod
    def of(cls, instrument: Instrument) -> Column:
        figures = instrument.reliable_change
        points = ""
        if figures is not None:
            points = f"{reliable_change_threshold(figures.sd, figures.reliability):.2f}"
        return cls(instrument.id, instrument.short_name, instrument.higher_is_better, points)


class ScoreCell(NamedTuple):
    """One key questionnaire's two cells in a row (600 on a page: a named tuple)."""

    first: str  # "" when never scored
    latest: str
    scored: int
    change: str  # "+12 %", "—" when the first score is 0, "" without two scores
    classification: str  # "" or a reliable-change class
    classification_label: str
    latest_band: str  # the band of the latest score, as words; "" for a questionnaire without bands


EMPTY_CELL = ScoreCell("", "", 0, "", "", "", "")


@dataclass(frozen=True)
class RegistryRow:
    id: UUID
    measures_url: str
    flag_url: str
    name: str
    sort_name: str
    record_number: str
    weeks_in_care: int | None
    cells: tuple[ScoreCell, ...]
    due: int
    overdue: int
    open_alerts: int
    urgent_alerts: int
    review_reason: str  # the open case-review flag's reason, as words; "" when none
    flags: tuple[tuple[str, str], ...]  # (id, words)
    summary: PatientSummary


@dataclass(frozen=True)
class RegistryPage:
    rows: list[RegistryRow]
    columns: tuple[Column, ...]
    choice: RegistryChoice
    flag_counts: list[tuple[str, str, int]]  # (id, words, patients) before the flag filter
    listed: int  # patients read, before the flag filter
    limited: bool  # more patients than REGISTRY_LIMIT
    rules: RegistryRules
    overdue_after_days: int

    def rows_html(self, csrf_html: str, next_path: str) -> Markup:
        """The table's body rows (see `_RowsHtml`)."""
        return _RowsHtml(csrf_html, next_path).rows(self.rows)

    def sort_state(self, key: str) -> str:
        """aria-sort of a column: "ascending", "descending" or "none"."""
        if key != self.choice.sort:
            return "none"
        return "descending" if self.choice.direction == DESCENDING else "ascending"


def registry(request: Any, *, today: date, choice: RegistryChoice) -> RegistryPage:
    user = request.user
    settings = measure_selectors.registry_settings(user.organisation_id)
    rules = RegistryRules(settings.not_improving_weeks, settings.not_improving_percent)
    known = definitions.library()
    key = [known[name] for name in settings.key_instruments if name in known and not known[name].is_battery]
    critical = [instrument for instrument in known.values() if instrument.critical_items]
    patients = _patients(request, choice)
    ids = [row["id"] for row in patients]
    critical_ids = sorted(instrument.id for instrument in critical)
    responses = _responses(ids, sorted({instrument.id for instrument in key} | set(critical_ids)), critical_ids)
    due = measure_selectors.due_counts(ids, today=today, overdue_after_days=settings.overdue_after_days)
    alerts = safety_selectors.open_alert_counts(ids)
    reviews = coordination_selectors.open_flags(ids)
    choice = _valid_sort(choice, key)
    summariser = _summariser(key, rules, critical)
    rows = _rows(patients, responses, due, alerts, reviews, summariser, today, key)
    counts = _flag_counts(rows)
    shown = _sorted(_filtered(rows, choice.flag), choice)
    gateway.audit_listed_ids([(row.id, user.organisation_id) for row in shown])
    return RegistryPage(
        rows=shown,
        columns=tuple(Column.of(instrument) for instrument in key),
        choice=choice,
        flag_counts=counts,
        listed=len(rows),
        limited=len(patients) >= REGISTRY_LIMIT,
        rules=rules,
        overdue_after_days=settings.overdue_after_days,
    )


def sort_keys(columns: tuple[Column, ...] | list[Instrument]) -> set[str]:
    keys = {"name", "weeks", "flags"}
    for column in columns:
        keys |= {f"{column.id}_latest", f"{column.id}_change"}
    return keys


# --- the queries ----------------------------------------------------------------------------------------------


def _patients(request: Any, choice: RegistryChoice) -> list[dict[str, Any]]:
    episodes = CareEpisode.objects.current().filter(patient=OuterRef("pk")).order_by("-started_on")
    patients = (
        gateway.visible_patients(request)
        .annotate(episode_started_on=Subquery(episodes.values("started_on")[:1]))
        .annotate(episode_ended_on=Subquery(episodes.values("ended_on")[:1]))
        .order_by("family_name", "given_name")
    )
    if choice.coordinating_only:
        patients = patients.filter(care_team__care_coordinator_id=request.user.id)
    if choice.search:
        search = choice.search
        patients = patients.filter(
            Q(family_name__icontains=search) | Q(given_name__icontains=search) | Q(record_number__iexact=search)
        )
    return list(patients.values(*PATIENT_COLUMNS)[:REGISTRY_LIMIT])


def _responses(patient_ids: list[Any], instrument_ids: list[str], critical_ids: list[str]) -> dict[Any, Gathered]:
    """The completed responses of these patients to these questionnaires, in one query: per patient, each
    questionnaire's scorable totals oldest first, and the flags of the latest response of each questionnaire
    with critical items (what `Summariser.summarise_totals` takes).

    Ordered by completion in SQL; the completion times themselves are not read, and the flags only of the
    questionnaires with critical items. The ORM builds the statement; its 1,440 rows (120 patients, 12
    responses) are read as the driver gives them, without a converter per value (a UUID, a Decimal and a JSON
    document per row were a third of the registry's time in SQL and Python): patient ids are matched in the
    database's own form, totals and flags converted once per distinct value, and gathered per patient as they
    come (no object per response).
    """
    flags = Case(When(instrument__in=critical_ids, then=F("flags")), default=None, output_field=JSONField())
    queryset = (
        Response.objects.current()
        .filter(patient_id__in=patient_ids, status=ResponseStatus.COMPLETED, instrument__in=instrument_ids)
        .order_by("completed_at", "created_at")
        .values_list("patient_id", "instrument", "total", flags)
    )
    if not patient_ids:
        return {}
    connection = connections[queryset.db]
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    critical = set(critical_ids)
    converted: dict[Any, Decimal] = {}
    raised: dict[Any, tuple[str, ...]] = {None: ()}
    gathered: dict[Any, tuple[dict[str, list[Decimal]], dict[str, tuple[str, ...]]]] = {}
    for stored_id, instrument, stored_total, stored_flags in rows:
        patient = gathered.get(stored_id)
        if patient is None:
            patient = gathered[stored_id] = ({}, {})
        if stored_total is not None:
            total = converted.get(stored_total)
            if total is None:
                total = converted[stored_total] = Decimal(str(stored_total))
            totals = patient[0].get(instrument)
            if totals is None:
                patient[0][instrument] = [total]
            else:
                totals.append(total)
        if instrument in critical:
            raised_flags = raised.get(stored_flags)
            if raised_flags is None:
                raised_flags = raised[stored_flags] = _flags(stored_flags)
            patient[1][instrument] = raised_flags
    patient_field = Response._meta.get_field("patient")
    stored_ids = {patient_field.get_db_prep_value(patient_id, connection): patient_id for patient_id in patient_ids}
    return {
        stored_ids.get(stored_id) or patient_field.to_python(stored_id): patient
        for stored_id, patient in gathered.items()
    }


def _flags(stored: Any) -> tuple[str, ...]:
    value = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return tuple(value or ())


_summarisers: dict[tuple[Any, ...], tuple[tuple[Instrument, ...], Summariser]] = {}


def _summariser(key: list[Instrument], rules: RegistryRules, critical: list[Instrument]) -> Summariser:
    """One `Summariser` per clinic configuration, kept between requests (it holds no patient's data, and its
    memory of changes between totals saves most of the Reliable Change Index arithmetic). Keyed by the
    instrument objects themselves — a changed definition is a new object, so a new key; the entry keeps its
    objects alive, so their ids cannot be reused while it exists — and the rules."""
    instruments = (*key, *critical)
    wanted = (tuple(id(instrument) for instrument in instruments), len(key), rules)
    found = _summarisers.get(wanted)
    if found is None:
        if len(_summarisers) > 16:
            _summarisers.clear()
        found = _summarisers[wanted] = (instruments, Summariser(key, rules, critical))
    return found[1]


# --- rows -------------------------------------------------------------------------------------------------------


def _rows(
    patients: list[dict[str, Any]],
    responses: dict[Any, Gathered],
    due: dict[Any, dict[str, int]],
    alerts: dict[Any, Any],
    reviews: dict[Any, str],
    summariser: Summariser,
    today: date,
    key: list[Instrument],
) -> list[RegistryRow]:
    measures_url, flag_url = (
        url_for_each("clinician:measures"),
        url_for_each("clinician:flag_for_case_review"),
    )
    labels = _Labels(key)
    rows = []
    for patient in patients:
        patient_id = patient["id"]
        weeks = weeks_since(patient["episode_started_on"], patient["episode_ended_on"], today)
        counts = due.get(patient_id, {})
        kinds = alerts.get(patient_id, {})
        facts = PatientFacts(
            weeks_in_care=weeks,
            overdue=counts.get(OVERDUE, 0),
            open_critical_alerts=kinds.get(CRITICAL_ALERT, 0),
        )
        totals, latest_flags = responses.get(patient_id, NOTHING_GATHERED)
        summary = summariser.summarise_totals(totals, latest_flags, facts)
        first_name = patient["preferred_name"] or patient["given_name"]
        review = reviews.get(patient_id)
        rows.append(
            RegistryRow(
                id=patient_id,
                measures_url=measures_url(patient_id),
                flag_url=flag_url(patient_id),
                name=f"{patient['family_name']}, {first_name}",
                sort_name=f"{patient['family_name']}\t{first_name}".casefold(),
                record_number=patient["record_number"],
                weeks_in_care=weeks,
                cells=tuple(labels.cell(score) for score in summary.scores),  # in the order of `key`
                due=counts.get(DUE, 0),
                overdue=facts.overdue,
                open_alerts=sum(kinds.get(kind, 0) for kind in ALERT_KINDS),
                urgent_alerts=kinds.get("urgent", 0),
                review_reason=labels.reason(review) if review else "",
                flags=tuple((flag, labels.flags[flag]) for flag in summary.flags),
                summary=summary,
            )
        )
    return rows


_score_cells: dict[str, dict[int, tuple[KeyScore, ScoreCell]]] = {}  # by language, then id(KeyScore)


class _Labels:
    """Words looked up once per page, not once per row."""

    def __init__(self, key: list[Instrument]) -> None:
        self.instruments = {instrument.id: instrument for instrument in key}
        self.bands: dict[tuple[str, Decimal], str] = {}
        self.flags = {flag: str(label) for flag, label in flag_labels().items()}
        self.classes = {
            RELIABLE_IMPROVEMENT: _("reliable improvement"),
            NO_RELIABLE_CHANGE: _("no reliable change"),
            RELIABLE_DETERIORATION: _("reliable deterioration"),
        }
        self.reasons = {value: str(label) for value, label in ReviewReason.choices}
        # A KeyScore's cell by the score's identity (a `Summariser` gives the same figures the same object, and
        # keeps them between requests); the entry holds its score, so the id cannot be reused while it exists.
        self.cells = _score_cells.setdefault(get_language() or "", {})
        if len(self.cells) > MAX_REMEMBERED_CELLS:
            self.cells.clear()

    def reason(self, value: str) -> str:
        return self.reasons.get(value, value)

    def cell(self, score: KeyScore) -> ScoreCell:
        found = self.cells.get(id(score))
        if found is not None and found[0] is score:
            return found[1]
        cell = self._cell(score)
        self.cells[id(score)] = (score, cell)
        return cell

    def _cell(self, score: KeyScore) -> ScoreCell:
        if score.first is None or score.latest is None:
            return EMPTY_CELL
        change = ""
        if score.change is not None:
            change = "—" if score.percent_change is None else percent_text(score.percent_change)
        classification = score.classification or ""
        return ScoreCell(
            first=number_text(score.first),
            latest=number_text(score.latest),
            scored=score.scored,
            change=change,
            classification=classification,
            classification_label=self.classes.get(classification, ""),
            latest_band=self.band(score.instrument, score.latest),
        )

    def band(self, instrument_id: str, total: Decimal) -> str:
        if (instrument_id, total) not in self.bands:
            instrument = self.instruments.get(instrument_id)
            bands = instrument.bands if instrument is not None else ()
            found = next((str(band.label) for band in bands if band.contains(total)), "")
            self.bands[(instrument_id, total)] = found
        return self.bands[(instrument_id, total)]


@lru_cache(maxsize=4096)
def number_text(value: Decimal) -> str:
    """A total as the clinic reads it: whole numbers without decimals, others to at most two places."""
    if value == value.to_integral_value():
        return str(int(value))
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP).normalize():f}"


@lru_cache(maxsize=4096)
def percent_text(value: Decimal) -> str:
    whole = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole:+d} %" if whole else "0 %"


# --- filter and sort --------------------------------------------------------------------------------------------


def _flag_counts(rows: list[RegistryRow]) -> list[tuple[str, str, int]]:
    labels = flag_labels()
    return [(flag, str(label), sum(1 for row in rows if row.summary.has(flag))) for flag, label in labels.items()]


def _filtered(rows: list[RegistryRow], flag: str) -> list[RegistryRow]:
    if not flag:
        return rows
    if flag == ANY_FLAG:
        return [row for row in rows if row.flags]
    return [row for row in rows if row.summary.has(flag)]


def _valid_sort(choice: RegistryChoice, key: list[Instrument]) -> RegistryChoice:
    if choice.sort in sort_keys(key):
        return choice
    return replace(choice, sort=DEFAULT_SORT, direction=default_direction(DEFAULT_SORT))


def _sorted(rows: list[RegistryRow], choice: RegistryChoice) -> list[RegistryRow]:
    """Sorted by the chosen column; patients without a value last in either direction; ties by name."""
    by_name = sorted(rows, key=lambda row: row.sort_name)
    sort = choice.sort
    if sort == "name":
        return by_name if choice.direction != DESCENDING else by_name[::-1]
    value = _sort_value(sort)
    known = [row for row in by_name if value(row) is not None]
    unknown = [row for row in by_name if value(row) is None]
    known.sort(key=lambda row: value(row), reverse=choice.direction == DESCENDING)  # stable: ties stay by name
    return known + unknown


def _sort_value(sort: str) -> Callable[[RegistryRow], Any]:
    if sort == "weeks":
        return lambda row: row.weeks_in_care
    if sort == "flags":
        return lambda row: len(row.flags)
    instrument_id, _, what = sort.rpartition("_")

    def figure(row: RegistryRow) -> Decimal | None:
        score = row.summary.score(instrument_id)
        if score is None:
            return None
        return score.latest if what == "latest" else score.percent_change

    return figure


# --- the rows as HTML -----------------------------------------------------------------------------------------


# A cell's HTML by its figures and words, kept between requests: a caseload's cells repeat from page to page.
_cell_html: dict[tuple[str, str, str], dict[ScoreCell, str]] = {}
MAX_REMEMBERED_CELLS = 20_000


class _RowsHtml:
    """The table's body rows, written here rather than in the template: 120 rows of 17 cells cost a template
    a third of the page's time in escaping alone. Every value from the data is escaped exactly once, with
    `markupsafe.escape`; the words are looked up and escaped once per page; the cells of the same figures and
    the flags and reason options of the same flags are written once per page (and the cells kept for the next).
    The markup is that of clinician/registry_rows.html (which includes it), cell for cell."""

    def __init__(self, csrf_html: str, next_path: str) -> None:
        words = {
            key: str(escape(_(text)))
            for key, text in {
                "to": "to",
                "due": "due",
                "overdue": "overdue",
                "urgent": "urgent",
                "none": "none yet",
                "one": "one score",
                "flag": "Flag for case review",
                "reason": "Reason",
                "note": "Note for the team (optional)",
                "manual": "Raised by a team member",
                "listed": "On the case-review list",
                "send": "Flag",
            }.items()
        }
        self.words = words
        self.empty_cell = (
            f'\n      <td class="nowrap"><span class="muted">{words["none"]}</span></td>\n      <td></td>\n      '
        )
        self.listed = f'<span class="muted">{words["listed"]}</span>'
        self.form_end = (
            f'<option value="manual">{words["manual"]}</option></select></label>\n'
            f'            <label>{words["note"]} <input name="note" maxlength="500"></label>\n'
            f'            <button type="submit">{words["send"]}</button>\n'
            "          </form>\n"
            "        </details>"
        )
        self.form_middle = (
            f'<input type="hidden" name="next" value="{escape(next_path)}">\n'
            f'            <label>{words["reason"]} <select name="reason">'
        )
        self.csrf_html = str(csrf_html)
        self.cells = _cell_html.setdefault((words["to"], words["one"], words["none"]), {})
        if len(self.cells) > MAX_REMEMBERED_CELLS:
            self.cells.clear()
        self.flags: dict[tuple[tuple[str, str], ...], tuple[str, str]] = {}
        self.reasons: dict[str, str] = {}

    def rows(self, rows: list[RegistryRow]) -> Markup:
        # Safe: every value from the data in these strings went through `escape` above.
        return Markup("".join([self.row(row) for row in rows]))  # noqa: S704

    def row(self, row: RegistryRow) -> str:
        words = self.words
        name = escape(row.name)
        weeks = "—" if row.weeks_in_care is None else row.weeks_in_care
        cells = "".join([self.cell(cell) for cell in row.cells])
        due, overdue = row.due, row.overdue
        if due and overdue:
            questionnaires = f"{due} {words['due']}, <strong>{overdue} {words['overdue']}</strong>"
        elif due:
            questionnaires = f"{due} {words['due']}"
        elif overdue:
            questionnaires = f"<strong>{overdue} {words['overdue']}</strong>"
        else:
            questionnaires = "—"
        alerts = "—"
        if row.open_alerts:
            alerts = str(row.open_alerts)
            if row.urgent_alerts:
                alerts += f" <strong>({row.urgent_alerts} {words['urgent']})</strong>"
        flags, options = self.flag_html(row.flags)
        action = ""
        if row.review_reason:
            action = self.listed
        elif row.flag_url:
            action = (
                '\n        <details class="review-form">\n'
                f'          <summary>{words["flag"]}<span class="sr-only">: {name}</span></summary>\n'
                f'          <form method="post" action="{escape(row.flag_url)}">{self.csrf_html}{self.form_middle}'
                f"{options}{self.form_end}"
            )
        return (
            "\n    <tr>\n"
            f'      <th scope="row"><a href="{escape(row.measures_url)}">{name}</a>'
            f' <span class="muted nowrap">{escape(row.record_number)}</span></th>\n'
            f"      <td>{weeks}</td>\n      {cells}\n"
            f'      <td class="nowrap">{questionnaires}</td>\n'
            f'      <td class="nowrap">{alerts}</td>\n'
            f"      <td>{self.reason(row.review_reason)}</td>\n"
            f"      <td>{flags}</td>\n"
            f"      <td>{action}</td>\n"
            "    </tr>\n  "
        )

    def cell(self, cell: ScoreCell) -> str:
        found = self.cells.get(cell)
        if found is not None:
            return found
        if not cell.first:
            found = self.empty_cell
        else:
            scores = (
                f'{escape(cell.first)} <span aria-hidden="true">→</span><span class="sr-only">{self.words["to"]}</span>'
                f" {escape(cell.latest)}"
            )
            if cell.latest_band:
                scores += f'<br><span class="muted">{escape(cell.latest_band)}</span>'
            if cell.change:
                change = f'<span class="nowrap">{escape(cell.change)}</span>'
                if cell.classification:
                    change += (
                        f'<br><span class="rc rc-{escape(cell.classification)}">'
                        f"{escape(cell.classification_label)}</span>"
                    )
            else:
                change = f'<span class="muted">{self.words["one"]}</span>'
            found = f'\n      <td class="nowrap">{scores}</td>\n      <td>{change}</td>\n      '
        self.cells[cell] = found
        return found

    def flag_html(self, flags: tuple[tuple[str, str], ...]) -> tuple[str, str]:
        """The flags as words, and as the reasons to choose from."""
        found = self.flags.get(flags)
        if found is None:
            spans = " ".join(f'<span class="flag flag-{escape(flag)}">{escape(label)}</span>' for flag, label in flags)
            options = "".join(f'<option value="{escape(flag)}">{escape(label)}</option>' for flag, label in flags)
            found = self.flags[flags] = (spans or "—", options)
        return found

    def reason(self, reason: str) -> str:
        found = self.reasons.get(reason)
        if found is None:
            found = self.reasons[reason] = str(escape(reason)) if reason else "—"
        return found
