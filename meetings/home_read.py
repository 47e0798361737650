"""What the B2B page shows of the person's B2B state, read with their personal link (one
more column of registration's link statement, registration.hooks.link_reads): the
programme, their profile's state, and the requests the page lists (pending; accepted
and « à placer »; met and reported « n'a pas eu lieu ») with who the other party is. The
meetings themselves come with the link's other read (hooks.meetings_read).

So the B2B page is one statement, and its memo key (views.home) holds all it shows: a
request sent, answered or withdrawn, a profile approved, a meeting reported, is another
key, hence a page rendered again.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from registration import hooks

# {row} of the programme, the person's profile and {rows} of their open requests, each
# with the other party (o) and the request's meeting if any (m).
B2B_SQL = """
    SELECT {row}(g.{G.id}, vp.{P.status}, vp.{P.rejection_reason}, (
        SELECT {rows}({row}(
            q.{Q.public_id}, q.{Q.status}, q.{Q.sender}, q.{Q.created_at}, q.{Q.id},
            o.{R.first_name}, o.{R.last_name}, o.{R.organisation},
            m.{M.status}, m.{M.guid}, m.{M.not_held_at}))
        FROM {Q} q
        INNER JOIN {R} o ON o.{R.id} = CASE WHEN q.{Q.sender} = r.{R.id}
            THEN q.{Q.recipient} ELSE q.{Q.sender} END
        LEFT JOIN {M} m ON m.{M.request} = q.{Q.id}
        WHERE (q.{Q.sender} = r.{R.id} OR q.{Q.recipient} = r.{R.id})
        AND (q.{Q.status} = 'pending' OR q.{Q.status} = 'accepted' AND (
            m.{M.id} IS NULL OR m.{M.status} <> 'scheduled' OR m.{M.not_held_at} IS NOT NULL))
    ))
    FROM {G} g LEFT JOIN {P} vp ON vp.{P.registration} = r.{R.id}
    WHERE g.{G.edition} = r.{R.edition}"""


@dataclass(frozen=True)
class OpenRequest:
    """A pending or accepted request of the person, as the B2B page lists it. `name` and
    `organisation`: the other party's."""

    public_id: str
    status: str
    sender_id: int
    name: str
    organisation: str
    to_place: bool  # accepted, no meeting scheduled yet
    reported: str  # the meeting's guid when it was reported « n'a pas eu lieu », else ""


@dataclass(frozen=True)
class B2BState:
    """The person's B2B state; `programme_id` None when the edition has no B2B."""

    programme_id: int | None = None
    profile_status: str | None = None
    rejection_reason: str = ""
    requests: tuple = ()  # OpenRequest, newest first


def _uuid(value):
    """A UUID as text with its dashes (PostgreSQL writes them, SQLite keeps 32 digits)."""
    if not value:
        return ""
    value = str(value)
    return value if len(value) == 36 else str(uuid.UUID(value))


def _moment(value):
    """A time from JSON: PostgreSQL writes it with its offset, SQLite in UTC without."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_state(value):
    """The read column as a B2BState (hashable: part of the page's memo key)."""
    if not value:
        return B2BState()
    programme_id, status, reason, requests = value
    if isinstance(requests, str):  # SQLite: a nested aggregate comes as text
        requests = json.loads(requests)
    rows = []
    for public_id, state, sender, created, pk, first, last, org, m_status, guid, not_held in (
        requests or ()
    ):
        rows.append(
            (
                _moment(created),
                pk,
                OpenRequest(
                    _uuid(public_id), state, sender,
                    " ".join(part for part in (first, last) if part), org,
                    to_place=state == "accepted" and m_status != "scheduled",
                    reported=_uuid(guid) if not_held else "",
                ),
            )
        )  # fmt: skip
    rows.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return B2BState(programme_id, status, reason or "", tuple(row[2] for row in rows))


def b2b_read():
    from .models import Meeting, MeetingRequest, Profile, Programme

    # The SQL's literals.
    assert MeetingRequest.Status.PENDING == "pending"  # noqa: S101
    assert MeetingRequest.Status.ACCEPTED == "accepted"  # noqa: S101
    assert Meeting.Status.SCHEDULED == "scheduled"  # noqa: S101
    return hooks.LinkRead(
        "b2b",
        B2B_SQL,
        {"G": Programme, "P": Profile, "Q": MeetingRequest, "M": Meeting},
        load_state,
        always=False,  # the B2B page's alone: the personal page and the desk skip it
    )


def connect():
    if not any(read.name == "b2b" for read in hooks.link_reads):
        hooks.link_reads.append(b2b_read())
