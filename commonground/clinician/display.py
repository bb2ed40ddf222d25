"""What the caseload page shows, written for speed: its rows as HTML.

The caseload lists up to 200 patients in 7 cells each. As template code, looking up and escaping each value
was a fifth of the page's time (benchmarks/NOTES.md); here every value from the data is escaped exactly once
with `markupsafe.escape`, and a status, a coordinator or a list of symptoms that repeats is written once per
page. The markup is that of clinician/caseload_rows.html, which includes these rows, cell for cell.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from commonground.clinician.selectors import CaseloadRow
from commonground.patients.symptoms import symptom_labels


def caseload_rows_html(rows: list[CaseloadRow]) -> Markup:
    written: dict[object, str] = {}

    def once(key: object, text: str) -> str:
        found = written.get(key)
        if found is None:
            found = written[key] = str(escape(text))
        return found

    parts = []
    for row in rows:
        weeks = "—" if row.weeks_in_care is None else str(row.weeks_in_care)
        coordinator = once(("coordinator", row.coordinator), row.coordinator) or "—"
        symptoms = once(("symptoms", *row.main_symptoms), symptom_labels(row.main_symptoms))
        status = once(("status", row.status), row.status)
        label = once(("label", row.status), row.status_label)
        parts.append(
            "\n    <tr>\n"
            f'      <td><a href="{escape(row.chart_url)}">{escape(row.name)}</a></td>\n'
            f'      <td class="nowrap">{escape(row.record_number)}</td>\n'
            f'      <td class="hide-narrow">{row.age}</td>\n'
            f'      <td><span class="badge badge-{status}">{label}</span></td>\n'
            f"      <td>{weeks}</td>\n"
            f'      <td class="hide-narrow">{coordinator}</td>\n'
            f'      <td class="hide-narrow">{symptoms}</td>\n'
            "    </tr>"
        )
    # Safe: every value from the data in these strings went through `escape` above.
    return Markup("".join(parts))  # noqa: S704
