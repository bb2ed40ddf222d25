"""The pages' fast helpers give exactly what Django's and Jinja's own give: URLs, and translated strings."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from commonground.kit.urls import forget_shapes, reverse_fast, url_for_each

PATIENT = UUID("5b1e2f4a-9c3d-4e6f-8a7b-1c2d3e4f5a6b")


@pytest.fixture(autouse=True)
def fresh_shapes() -> object:
    forget_shapes()
    yield
    forget_shapes()
    set_script_prefix("/")


def test_a_url_without_arguments_is_djangos() -> None:
    assert reverse_fast("clinician:caseload") == reverse("clinician:caseload")
    assert reverse_fast("clinician:caseload") == reverse("clinician:caseload")  # the remembered shape too


def test_a_url_of_one_patient_is_djangos_for_every_patient() -> None:
    for patient_id in (PATIENT, uuid4(), uuid4()):
        assert reverse_fast("clinician:chart", patient_id) == reverse("clinician:chart", args=[patient_id])


def test_a_url_for_each_row_is_djangos_for_every_id() -> None:
    chart_url = url_for_each("clinician:chart")
    for patient_id in (PATIENT, uuid4(), uuid4()):
        assert chart_url(patient_id) == reverse("clinician:chart", args=[patient_id])


def test_a_url_of_two_ids_puts_each_in_its_place() -> None:
    first, second = uuid4(), uuid4()
    name = "clinician:response"
    expected = reverse(name, args=[first, second])
    assert reverse_fast(name, first, second) == expected
    assert reverse_fast(name, second, first) == reverse(name, args=[second, first])


def test_arguments_that_are_not_uuids_go_to_django_and_are_checked() -> None:
    assert reverse_fast("clinician:chart", str(PATIENT)) == reverse("clinician:chart", args=[str(PATIENT)])
    with pytest.raises(NoReverseMatch):
        reverse_fast("clinician:chart", "not-an-id")


def test_a_script_prefix_is_part_of_the_shape() -> None:
    plain = reverse_fast("clinician:chart", PATIENT)
    set_script_prefix("/clinic/")
    assert reverse_fast("clinician:chart", PATIENT) == "/clinic" + plain


def _nothing(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    return HttpResponse()


# A URLconf of this module's own, where the chart is somewhere else.
urlpatterns = [path("other/", include(([path("elsewhere/<uuid:patient_id>/", _nothing, name="chart")], "clinician")))]


def test_a_changed_urlconf_forgets_the_shapes() -> None:
    assert reverse_fast("clinician:chart", PATIENT) == reverse("clinician:chart", args=[PATIENT])
    with override_settings(ROOT_URLCONF=__name__):
        assert reverse_fast("clinician:chart", PATIENT) == f"/other/elsewhere/{PATIENT}/"
    assert reverse_fast("clinician:chart", PATIENT) == reverse("clinician:chart", args=[PATIENT])


def _render(source: str, *, with_request: bool, **context: object) -> str:
    template = engines["jinja2"].from_string(source)
    request = RequestFactory().get("/") if with_request else None
    return template.render(context, request=request)


@pytest.mark.parametrize(
    "source",
    [
        "{{ _('Care team') }}",
        "[{{ _('') }}]",
        "{{ _('Showing the first %(limit)d.', limit=limit) }}",
        "{{ _('%(who)s wrote', who=who) }}",
        "{{ _('100%% done') }}",
        "{{ ngettext('%(num)d week in care', '%(num)d weeks in care', 1) }}",
        "{{ ngettext('%(num)d week in care', '%(num)d weeks in care', 3) }}",
        "{{ gettext('Care team') }}",
        "{{ ngettext('%(num)d answer of %(total)d', '%(num)d answers of %(total)d', 2, num=5, total=9) }}",
        "{{ _('%(message)s', message='a message') }}",
    ],
)
def test_the_pages_translations_give_what_jinjas_own_give(source: str) -> None:
    context = {"limit": 200, "who": "<b>Ann</b>"}
    bound = _render(source, with_request=True, **context)
    assert bound == _render(source, with_request=False, **context)
    assert "<b>" not in bound  # a variable is escaped into the trusted text


def test_the_context_gives_the_bound_translations() -> None:
    # Rendered with a request, `_` is the page's own (the context processor), not the environment's.
    assert _render("{{ _ is defined and _.__name__ }}", with_request=True) == "gettext"


@pytest.mark.parametrize(
    "source",
    [
        "{{ url('clinician:caseload') }}",
        "{{ url('clinician:chart', patient) }}",
        "{{ url('clinician:chart', patient) }} {{ url('clinician:chart', other) }}",
        "{{ url('clinician:response', patient, other) }}",
        "{{ url('clinician:chart', patient_id=patient) }}",
        "{{ url('clinician:chart', text) }}",
    ],
)
def test_the_pages_url_gives_what_the_global_gives(source: str) -> None:
    context = {"patient": PATIENT, "other": uuid4(), "text": str(PATIENT)}
    bound = _render(source, with_request=True, **context)
    assert bound == _render(source, with_request=False, **context)
    assert str(PATIENT) in bound or source.endswith("caseload') }}")


def test_the_pages_url_is_bound_to_where_the_page_is() -> None:
    assert _render("{{ url.__qualname__ }}", with_request=True) == "page_urls.&lt;locals&gt;.url"
    set_script_prefix("/clinic/")
    assert _render("{{ url('clinician:chart', patient) }}", with_request=True, patient=PATIENT).startswith(
        "/clinic/clinician/"
    )
