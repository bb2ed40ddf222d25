"""A coded value's label (`get_<field>_display`) is Django's, for every choice, in every language."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation

from commonground.kit.models import BaseModel


def _coded_fields() -> list[tuple[type[models.Model], Any]]:
    return [
        (model, field)
        for model in apps.get_models()
        if issubclass(model, BaseModel)
        for field in model._meta.concrete_fields
        if field.choices
    ]


def test_the_project_has_coded_fields_to_check() -> None:
    assert len(_coded_fields()) > 20


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_every_label_is_djangos(language: str) -> None:
    with translation.override(language):
        for model, field in _coded_fields():
            instance = model()
            for value in [*dict(field.flatchoices), "not-a-code", None]:
                setattr(instance, field.attname, value)
                ours = getattr(instance, f"get_{field.name}_display")()
                assert ours == models.Model._get_FIELD_display(instance, field), (model, field.name, value)
                assert type(ours) is type(models.Model._get_FIELD_display(instance, field))


def test_a_value_that_cannot_be_a_key_gets_djangos_answer() -> None:
    model, field = _coded_fields()[0]
    instance = model()
    setattr(instance, field.attname, ["a", "list"])
    assert getattr(instance, f"get_{field.name}_display")() == models.Model._get_FIELD_display(instance, field)
