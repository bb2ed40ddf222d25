"""The referral's state machine, pure: which moves are allowed, and a clear refusal for the others.

    draft → sent | withdrawn
    sent → received | withdrawn
    received → accepted | declined
    accepted → scheduled | withdrawn
    scheduled → first_contact | withdrawn
    first_contact → completed

completed, declined and withdrawn are final. No database, no clock: `services.move` asks here first.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from commonground.kit.errors import DomainError
from commonground.referrals.choices import State

ALLOWED: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.SENT, State.WITHDRAWN),
    State.SENT: (State.RECEIVED, State.WITHDRAWN),
    State.RECEIVED: (State.ACCEPTED, State.DECLINED),
    State.ACCEPTED: (State.SCHEDULED, State.WITHDRAWN),
    State.SCHEDULED: (State.FIRST_CONTACT, State.WITHDRAWN),
    State.FIRST_CONTACT: (State.COMPLETED,),
    State.COMPLETED: (),
    State.DECLINED: (),
    State.WITHDRAWN: (),
}

FINAL = frozenset(state for state, following in ALLOWED.items() if not following)
# Sent, and not yet seen by the service it went to: the wait is running.
WAITING = frozenset({State.SENT, State.RECEIVED, State.ACCEPTED, State.SCHEDULED})
# Still needs someone to act on it (a draft waits for us to send it).
OPEN = frozenset({State.DRAFT, *WAITING, State.FIRST_CONTACT})
# A feedback letter makes sense once the person was seen, or the referral was turned down.
LETTER_STATES = frozenset({State.FIRST_CONTACT, State.COMPLETED, State.DECLINED})


class RefusedMove(DomainError):
    """A move the state machine does not allow."""


def next_states(current: str) -> tuple[str, ...]:
    """The states a referral in `current` may move to, in the order the buttons show them."""
    if current not in ALLOWED:
        raise RefusedMove(_("Unknown referral state: %(state)s.") % {"state": current})
    return ALLOWED[current]


def is_allowed(current: str, target: str) -> bool:
    return target in ALLOWED.get(current, ())


def label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state


def check_move(current: str, target: str) -> None:
    """Nothing when `current → target` is allowed; else `RefusedMove` naming the state and the next ones."""
    following = next_states(current)
    if target in following:
        return
    if target not in ALLOWED:
        raise RefusedMove(_("Unknown referral state: %(state)s.") % {"state": target}, field="to_state")
    if not following:
        raise RefusedMove(
            _("This referral is %(current)s; that is final, so it cannot become %(target)s.")
            % {"current": label(current), "target": label(target)},
            field="to_state",
        )
    raise RefusedMove(
        _("This referral is %(current)s; it cannot become %(target)s. From here it can become: %(allowed)s.")
        % {
            "current": label(current),
            "target": label(target),
            "allowed": ", ".join(label(state) for state in following),
        },
        field="to_state",
    )
