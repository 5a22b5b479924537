from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.registry import Registry


@dataclass(frozen=True)
class Thing:
    name: str
    order: int = 0


def test_items_come_back_by_name_and_in_their_order():
    # given
    things: Registry[Thing] = Registry("thing")
    things.register_all([Thing("b", order=2), Thing("a", order=1)])
    things.register(Thing("c"), name="see")
    # then
    assert things["a"] == Thing("a", order=1)
    assert things.get("nothing") is None
    assert "see" in things and "c" not in things
    assert [thing.name for thing in things] == ["c", "a", "b"]
    assert things.names() == ["a", "b", "see"]
    assert len(things) == 3


def test_a_name_is_taken_once_unless_replacing_is_meant():
    # given
    things: Registry[Thing] = Registry("thing")
    first = things.register(Thing("a"))
    # when the same item comes again, nothing changes; another one under its name is refused
    things.register(Thing("a"))
    with pytest.raises(ImproperlyConfigured, match="The thing 'a' is registered twice"):
        things.register(Thing("a", order=5))
    assert things["a"] is first
    # when replacing is meant
    things.register(Thing("a", order=5), replace=True)
    # then
    assert things["a"].order == 5


def test_a_mapping_registers_each_item_under_its_key_and_unknown_names_are_configuration_errors():
    # given
    handlers: Registry[str] = Registry("handler", key=str)
    handlers.register_all({"post:": "post handler", "feed:following": "feed handler"})
    # then
    assert handlers["post:"] == "post handler"
    with pytest.raises(ImproperlyConfigured, match="No handler 'video:' is registered"):
        handlers["video:"]
    # when
    handlers.unregister("post:")
    # then
    assert handlers.names() == ["feed:following"]
