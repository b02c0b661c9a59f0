"""The real unit of work and the in-memory fake both do what the services' ports promise: every
method a port names exists on each, with the same parameters."""

import inspect
import typing

import pytest

from imr_bot.services import ports
from imr_bot.store.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.services import fakes

REPOSITORIES = typing.get_type_hints(ports.UnitOfWorkPort)
FAKED = {"reviews": fakes.FakeReviews, "people": fakes.FakePeople, "audit": fakes.FakeAudit,
         "settings": fakes.FakeSettings, "conversations": fakes.FakeConversations,
         "outbox": fakes.FakeOutbox, "action_plans": fakes.FakeActionPlans}


def promised(port: type) -> dict[str, object]:
    """The port's own methods and properties (with those of the ports it extends)."""
    members = {}
    for klass in reversed(port.__mro__):
        if klass is typing.Protocol or klass is object or typing.Protocol not in klass.__mro__:
            continue
        members.update({name: value for name, value in vars(klass).items()
                        if not name.startswith("_") or name in ("__aenter__", "__aexit__",
                                                                  "__call__")
                        if callable(value) or isinstance(value, property)})
    return members


def parameters(function) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def assert_keeps(port: type, implementation: type) -> None:
    for name, promise in promised(port).items():
        assert hasattr(implementation, name), f"{implementation.__name__} has no {name}"
        kept = inspect.getattr_static(implementation, name)
        if isinstance(promise, property):
            assert isinstance(kept, property), f"{implementation.__name__}.{name} is no property"
            continue
        assert (inspect.iscoroutinefunction(kept) == inspect.iscoroutinefunction(promise)), (
            f"{implementation.__name__}.{name}: async in one and not the other")
        assert parameters(kept) == parameters(promise), (
            f"{implementation.__name__}.{name}{inspect.signature(kept)} is not "
            f"{port.__name__}.{name}{inspect.signature(promise)}")


def the_real_ones() -> dict[str, type]:
    return typing.get_type_hints(UnitOfWork)


@pytest.mark.parametrize("repository", sorted(REPOSITORIES))
def test_every_repository_of_the_real_unit_of_work_keeps_its_port(repository):
    assert repository in the_real_ones(), f"UnitOfWork has no {repository}"
    assert_keeps(REPOSITORIES[repository], the_real_ones()[repository])


def test_the_real_unit_of_work_and_its_factory_keep_their_ports():
    assert_keeps(ports.UnitOfWorkPort, UnitOfWork)
    assert_keeps(ports.UnitOfWorkFactoryPort, UnitOfWorkFactory)


@pytest.mark.parametrize("repository", sorted(FAKED))
def test_every_faked_repository_keeps_its_port(repository):
    assert_keeps(REPOSITORIES[repository], FAKED[repository])


def test_the_fake_unit_of_work_and_its_factory_keep_their_ports():
    assert_keeps(ports.UnitOfWorkPort, fakes.FakeUnitOfWork)
    assert_keeps(ports.UnitOfWorkFactoryPort, fakes.FakeWorld)
