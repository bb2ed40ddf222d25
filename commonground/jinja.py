"""The Jinja2 environment of the project's own pages: translation, static files, URLs, local times."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment

from commonground.patients.symptoms import symptom_label


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
    return ", ".join(symptom_label(code) for code in codes)


def environment(**options: Any) -> Environment:
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update({"static": static, "url": url, "get_messages": get_messages})
    env.filters.update({"local_time": local_time, "day": day, "symptoms": symptoms, "diary_number": diary_number})
    return env
