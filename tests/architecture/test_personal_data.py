"""Every app that keeps rows about people says what of them goes into 'Download your data' and
how they are erased with the account (core.personal_data): an app that lands with a table
pointing at people and no data section fails here."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from core.personal_data import DATA_SECTIONS

from .floors import ROOT


def _points_at_people(model: type[models.Model]) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return any(
        isinstance(field, (models.ForeignKey, models.ManyToManyField)) and field.related_model is user_model
        for field in model._meta.get_fields()
    )


def _apps_with_people_rows() -> set[str]:
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
        and ".venv" not in Path(config.path).parts
        and any(_points_at_people(model) for model in config.get_models())
    }


def test_every_project_app_with_rows_about_people_registers_a_data_section():
    # given the project's apps whose tables point at people
    keeping = _apps_with_people_rows()
    # when we look at the registered sections
    covered = {section.app for section in DATA_SECTIONS}
    # then each has one, and each section names a real app
    assert {"users", "notifications", "posts", "videos"} <= keeping
    assert keeping - covered == set(), (
        f"Register a core.personal_data section in these apps' ready(): {keeping - covered}"
    )
    assert covered <= {config.label for config in apps.get_app_configs()}


def test_the_check_sees_an_app_without_a_section():
    # given the posts app's section taken away
    section = DATA_SECTIONS["posts"]
    DATA_SECTIONS.unregister("posts")
    try:
        # when
        missing = _apps_with_people_rows() - {item.app for item in DATA_SECTIONS}
    finally:
        DATA_SECTIONS.register(section)
    # then
    assert missing == {"posts"}
