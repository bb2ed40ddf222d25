"""The caseload's rows written in Python are, cell for cell, the rows its template wrote before."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from django.template import engines

from commonground.clinician.display import caseload_rows_html
from commonground.clinician.selectors import CaseloadRow

# The template loop these rows replaced (clinician/caseload_rows.html before it included them).
TEMPLATE_ROWS = """{% for row in rows %}
    <tr>
      <td><a href="{{ row.chart_url }}">{{ row.name }}</a></td>
      <td class="nowrap">{{ row.record_number }}</td>
      <td class="hide-narrow">{{ row.age }}</td>
      <td><span class="badge badge-{{ row.status }}">{{ row.status_label }}</span></td>
      <td>{{ row.weeks_in_care if row.weeks_in_care is not none else "—" }}</td>
      <td class="hide-narrow">{{ row.coordinator or "—" }}</td>
      <td class="hide-narrow">{{ row.main_symptoms|symptoms }}</td>
    </tr>{% endfor %}"""


def _row(number: int, **changes: Any) -> CaseloadRow:
    row = CaseloadRow(
        id=UUID(int=number),
        chart_url=f"/clinician/patients/{UUID(int=number)}/",
        record_number=f"CG-{number:06d}",
        name="Jansen, Emma",
        age=41,
        status="active",
        status_label="Active",
        weeks_in_care=6,
        coordinator="Sam Coordinator",
        main_symptoms=["A04", "N17"],
    )
    return replace(row, **changes)


ROWS = [
    _row(1),
    _row(2, name='<script>alert("x")</script> & O\'Brien, "Ann"', record_number="CG-<b>"),
    _row(3, weeks_in_care=None, coordinator="", main_symptoms=[]),
    _row(4, weeks_in_care=0, main_symptoms=["ZZZ", "A01"], coordinator="Dr <i>Who</i>"),
    _row(5, status="in_follow_up", status_label="In follow-up & review"),
    _row(6),  # repeats the first row's status, coordinator and symptoms: written once, used twice
]


def test_the_rows_are_what_the_template_wrote() -> None:
    expected = engines["jinja2"].from_string(TEMPLATE_ROWS).render({"rows": ROWS})
    assert str(caseload_rows_html(ROWS)) == expected


def test_every_value_from_the_data_is_escaped() -> None:
    html = str(caseload_rows_html(ROWS))
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "O&#39;Brien" in html and "Dr &lt;i&gt;Who&lt;/i&gt;" in html
    assert "In follow-up &amp; review" in html


def test_no_rows_write_nothing() -> None:
    assert str(caseload_rows_html([])) == ""
