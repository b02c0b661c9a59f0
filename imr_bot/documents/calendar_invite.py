"""Calendar invitations (iCalendar, METHOD:REQUEST) for IMR meetings.

The UID is stable for a meeting, so a changed time is an update (a higher SEQUENCE) of the same
event in people's calendars, not a second event. Times are written in Europe/London with its
VTIMEZONE, so BST and GMT are both right. The summary carries the reference only, never a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str


def invitation(*, uid: str, sequence: int, summary: str, description: str, location: str,
               starts: datetime, ends: datetime, organiser: Invitee, attendees: list[Invitee],
               stamp: datetime, confirmed: bool = True) -> bytes:
    """`confirmed` False: a time proposed and still being answered (STATUS:TENTATIVE)."""
    calendar = Calendar()
    calendar.add("prodid", "-//imr-bot//IMR meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts.astimezone(LONDON))
    event.add("dtend", ends.astimezone(LONDON))
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CONFIRMED" if confirmed else "TENTATIVE")
    organiser_address = vCalAddress(f"mailto:{organiser.email}")
    organiser_address.params["cn"] = vText(organiser.name)
    event["organizer"] = organiser_address
    for person in attendees:
        address = vCalAddress(f"mailto:{person.email}")
        address.params["cn"] = vText(person.name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
        event.add("attendee", address, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
