"""Themes across reviews: what keeps coming back, and how far the actions under each have got."""

from datetime import date

from imr_bot.domain.action_plan import Action, ActionStatus, Recommendation
from imr_bot.domain.action_themes import theme_counts, themed

TODAY = date(2027, 3, 31)
VOICE, SHARING, SUPERVISION = "voice of the child", "information sharing", "supervision"


def rec(id_, review, *themes):
    return Recommendation(review, id_, f"Recommendation {id_}", themes=themes, id=id_)


def act(recommendation, status=ActionStatus.AGREED, due=date(2027, 6, 1)):
    return Action(recommendation_id=recommendation, review_id=0, what="w", owner_id=1, due=due,
                  outcome="o", evaluation="e", status=status)


def test_a_theme_in_several_reviews_comes_first_with_its_actions_counted():
    recommendations = [rec(1, 10, VOICE, SUPERVISION), rec(2, 11, VOICE), rec(3, 12, VOICE),
                       rec(4, 10, SHARING)]
    actions = [act(1, ActionStatus.DONE), act(1, ActionStatus.IMPACT_EVIDENCED),
               act(2, due=date(2027, 3, 1)),                      # overdue
               act(3, ActionStatus.NOT_AGREED, due=date(2027, 3, 1)),  # not agreed: not overdue
               act(4, ActionStatus.IN_PROGRESS, due=date(2027, 3, 30))]
    voice, sharing, supervision = theme_counts(recommendations, actions, TODAY)
    assert (voice.theme, voice.reviews, voice.recommendations, voice.actions, voice.done,
            voice.overdue, voice.evidenced, voice.recurring) == (VOICE, 3, 3, 4, 2, 1, 1, True)
    # one review each: the one with an overdue action before the one without
    assert (sharing.theme, sharing.overdue, sharing.recurring) == (SHARING, 1, False)
    # an action counts under every theme of its recommendation
    assert (supervision.theme, supervision.actions, supervision.done, supervision.evidenced) == (
        SUPERVISION, 2, 2, 1)


def test_a_theme_with_recommendations_but_no_actions_yet_is_still_counted():
    (only,) = theme_counts([rec(1, 10, SHARING), rec(2, 10, SHARING)], [], TODAY)
    assert (only.reviews, only.recommendations, only.actions, only.recurring) == (1, 2, 0, False)


def test_no_themes_no_counts():
    assert theme_counts([rec(1, 10)], [act(1)], TODAY) == []


def test_the_recommendations_of_a_theme():
    assert themed(VOICE, [rec(1, 10, VOICE), rec(2, 10, SHARING), rec(3, 11, VOICE)]) == {1, 3}
