"""The Jinja2 environment of the project's own pages: translation, static files, URLs, local times."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real
from jinja2 import Environment
from markupsafe import Markup

from commonground.kit.urls import page_urls, reverse_fast
from commonground.patients.symptoms import symptom_labels


def url(name: str, *args: Any, **kwargs: Any) -> str:
    if kwargs:
        return reverse(name, args=args or None, kwargs=kwargs)
    return reverse_fast(name, *args)


def local_time(moment: datetime | None, time_zone: str = "UTC", fmt: str = "%d %b %Y, %H:%M") -> str:
    """Stored in UTC, shown in the clinic's (or the patient's) time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(time_zone)).strftime(fmt)


def day(value: date | None, fmt: str = "%d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def diary_number(value: float | None) -> str:
    """A diary value as people read it: whole numbers without a decimal point, others to one decimal."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def symptoms(codes: list[str]) -> str:
    return symptom_labels(codes)


def _trusted(translation_text: str) -> Markup:
    """Text from the project's own message catalogue, trusted as Jinja's own gettext trusts it."""
    return Markup(translation_text)  # noqa: S704  # the catalogue, never user input; variables are escaped


def translations(request: HttpRequest) -> dict[str, Any]:
    """A context processor: `_`, `gettext` and `ngettext` bound to the page's language for one rendering.

    They behave as Jinja's new-style gettext installed below (the translation is trusted and marked safe, the
    variables are escaped into it, `%%` is a percent sign), but look the language up once per page instead of
    once per string: a chart page has some 120 strings, and this halves their cost (docs/benchmarks.md).
    Templates rendered without a request, and imported macros, use the environment's own, which give the same.
    """
    catalog = trans_real.catalog()

    def gettext(message: str, /, **variables: Any) -> Markup:
        # An empty message is empty, as Django's gettext has it (the catalogue would give its header).
        return _trusted(catalog.gettext(message) if message else "") % variables

    def ngettext(singular: str, plural: str, number: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", number)
        return _trusted(catalog.ngettext(singular, plural, number)) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def urls(request: HttpRequest) -> dict[str, Any]:
    """A context processor: `url()` for one rendering, as the global below gives, with the URLconf, script
    prefix and language looked up once per page (kit/urls.py; a chart page names about 30 URLs)."""
    return {"url": page_urls()}


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update({"static": static, "url": url, "get_messages": get_messages})
    env.filters.update({"local_time": local_time, "day": day, "symptoms": symptoms, "diary_number": diary_number})
    return env
