"""The rule for what a person may do on one review: organisation roles count everywhere, review
roles only where held, and nobody outside the directory counts at all."""

import pytest

from imr_bot.domain.people import Actor, Person
from imr_bot.domain.policy import (
    POLICY,
    REVIEW_SCOPED,
    SEE_EVERY_REVIEW,
    Permission,
    allowed,
    allowed_on_review,
)
from imr_bot.domain.roles import REVIEW_ROLES, Role


def person(*roles: Role, active: bool = True) -> Actor:
    return Actor("p@council.test", "P", Person("p@council.test", "P", frozenset(roles), id=7,
                                               active=active))


NOBODY = frozenset()


@pytest.mark.parametrize("role", sorted(REVIEW_ROLES))
def test_being_in_the_pool_for_a_review_role_is_no_part_in_any_one_review(role):
    assert not allowed_on_review(Permission.VIEW_REVIEW, person(role), NOBODY)
    assert allowed_on_review(Permission.VIEW_REVIEW, person(role), frozenset({role}))


@pytest.mark.parametrize("role", sorted(SEE_EVERY_REVIEW))
def test_an_organisation_role_sees_every_review_without_a_part_in_it(role):
    assert allowed_on_review(Permission.VIEW_REVIEW, person(role), NOBODY)


def test_a_role_held_on_the_review_counts_whatever_the_directory_says():
    # a delegate for the Service Director's decision holds that role on this review only
    assert allowed_on_review(Permission.DECIDE_APPROVAL, person(), frozenset({Role.SD_EHS}))
    assert not allowed_on_review(Permission.DECIDE_APPROVAL, person(Role.AUTHOR),
                                 frozenset({Role.AUTHOR}))


@pytest.mark.parametrize("permission", sorted(REVIEW_SCOPED))
def test_nobody_outside_the_directory_or_deactivated_may_do_anything_on_a_review(permission):
    everything = frozenset(Role)
    assert not allowed_on_review(permission, Actor("teams:x", "x"), everything)
    assert not allowed_on_review(permission, person(*Role, active=False), everything)


@pytest.mark.parametrize("permission", sorted(REVIEW_SCOPED))
def test_a_permission_about_one_review_is_never_granted_by_directory_roles_alone(permission):
    assert not allowed(permission, person(*Role))


def test_every_permission_names_who_holds_it():
    assert set(POLICY) == set(Permission)
