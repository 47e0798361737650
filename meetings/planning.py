"""The scheduling engine on a programme's data: its meetings read into the optimiser's plain
data, solved by the task worker into a preview, and the preview applied in one transaction
(refused if the meetings changed since it was made)."""

import hashlib
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import emails
from .availability import busy
from .models import (
    Meeting,
    MeetingRequest,
    MeetingSeat,
    MeetingTime,
    Profile,
    ScheduleRun,
    Table,
)
from .optimiser import Item, Problem, greedy, idle_gaps, optimise
from .services import Refused

NOT_READY = _("Cet aperçu ne peut plus être appliqué : lancez un nouveau calcul.")
REASONS = {
    "no_common_time": _("pas de créneau libre en commun"),
    "no_table": _("plus de table libre aux créneaux communs"),
    "over_cap": _("nombre maximal de rendez-vous atteint pour l'une des personnes"),
    "times_taken": _("créneaux communs pris par leurs autres rendez-vous"),
    "not_found": _("non placé dans le temps de calcul"),
}


def _meetings(programme):
    return Meeting.objects.filter(
        time__programme=programme, status=Meeting.Status.SCHEDULED
    ).select_related("request", "time")


def _free_times(people, times, now):
    """Each person's meeting times to come when they are free (availability.busy: a day
    they attend, outside their confirmed sessions and the times they blocked); their
    meetings are left out, since they are what gets planned (3 queries)."""
    found = busy(people, with_meetings=False)
    return {
        pk: frozenset(
            t.pk
            for t in times
            if t.starts_at > now
            and timezone.localdate(t.starts_at) in days
            and not any(s < t.ends_at and t.starts_at < e for s, e in intervals)
        )
        for pk, (days, intervals) in found.items()
    }


def _accepted(programme):
    return MeetingRequest.objects.filter(
        programme=programme, status=MeetingRequest.Status.ACCEPTED
    ).order_by("pk")


def problem_of(programme, *, now=None):
    """The programme's accepted requests as the optimiser's Problem, keyed by request: with
    their scheduled meeting's time and table, or none yet. Meetings already past count as
    locked: they never move; those reported as not held are left out, as they are of the
    caps (7 queries)."""
    now = now or timezone.now()
    times = list(MeetingTime.objects.filter(programme=programme).order_by("starts_at"))
    meetings = {m.request_id: m for m in _meetings(programme)}
    tables = list(Table.objects.filter(programme=programme).order_by("number"))
    items = []
    for request in _accepted(programme):
        meeting = meetings.get(request.pk)
        if meeting and meeting.not_held_at and meeting.time.starts_at <= now:
            # Reported as not held: over, and off both caps (as services._count_meetings).
            continue
        items.append(
            Item(
                key=request.pk,
                people=(request.sender_id, request.recipient_id),
                time=meeting and meeting.time_id,
                table=meeting and meeting.table_id,
                locked=bool(meeting and (meeting.is_locked or meeting.time.starts_at <= now)),
            )
        )
    people = sorted({p for item in items for p in item.people})
    return Problem(
        times=tuple((t.pk, t.session_id) for t in times),
        items=tuple(items),
        free=_free_times(people, times, now),
        tables=tuple(t.pk for t in tables if t.host_id is None),
        stands={t.host_id: t.pk for t in tables if t.host_id is not None},
        cap=programme.max_meetings,
    )


def fingerprint(programme):
    """What a plan depends on and staff or attendees may change meanwhile: the accepted
    requests, the scheduled meetings (time, table, lock, revision), the tables and the
    times people blocked (4 queries)."""
    rows = [
        tuple(_accepted(programme).values_list("pk", flat=True)),
        tuple(
            _meetings(programme)
            .order_by("pk")
            .values_list("pk", "time", "table", "is_locked", "sequence")
        ),
        tuple(Table.objects.filter(programme=programme).order_by("pk").values_list("pk", "host")),
        tuple(
            Profile.blocked_times.through.objects.filter(meetingtime__programme=programme)
            .order_by("profile", "meetingtime")
            .values_list("profile", "meetingtime")
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def schedule_request(*, programme, seconds, user):
    """Queue a run of the engine on the programme."""
    with transaction.atomic():
        run = ScheduleRun.objects.create(programme=programme, seconds=seconds, requested_by=user)
        solve_schedule.enqueue(run.pk)
    return run


@task()
def solve_schedule(run_id):
    return build(run_id)


def build(run_id, *, now=None):
    """The task's work: solve and store the preview. The run is claimed with one
    conditional UPDATE, so two workers never solve it twice."""
    claimed = ScheduleRun.objects.filter(pk=run_id, status=ScheduleRun.Status.PENDING).update(
        status=ScheduleRun.Status.RUNNING
    )
    run = ScheduleRun.objects.select_related("programme").filter(pk=run_id).first()
    if run is None or not claimed:
        return run and run.status
    try:
        stamp = fingerprint(run.programme)
        problem = problem_of(run.programme, now=now)
        plan = optimise(
            problem,
            seconds=run.seconds,
            progress=lambda stage: ScheduleRun.objects.filter(pk=run_id).update(stage=stage),
        )
    except Exception as error:
        ScheduleRun.objects.filter(pk=run_id).update(
            status=ScheduleRun.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    before = {i.key: (i.time, i.table) for i in problem.items if i.time is not None}
    result = {
        "meetings": len(problem.items),
        "placed_before": len(before),
        "placed_after": len(plan.placed),
        "first_come": len(greedy(problem).placed),
        "bound": plan.bound,
        "optimal": plan.optimal,
        "seconds": round(plan.seconds, 2),
        "gaps_before": idle_gaps(problem, before),
        "gaps_after": plan.gaps,
        # Keyed by request: a move changes a meeting, a new placement creates one.
        "moves": [
            {"request": key, "from": before[key], "to": plan.placed[key]}
            for key in plan.moved
            if key in plan.placed
        ],
        "new": [
            {"request": key, "to": place}
            for key, place in sorted(plan.placed.items())
            if key not in before
        ],
        "unplaced": [{"request": k, "reason": r} for k, r in sorted(plan.unplaced.items())],
    }
    ScheduleRun.objects.filter(pk=run_id, status=ScheduleRun.Status.RUNNING).update(
        status=ScheduleRun.Status.READY,
        stage=3,
        fingerprint=stamp,
        result=result,
        finished_at=timezone.now(),
    )
    return ScheduleRun.Status.READY


def schedule_apply(*, run, now=None):
    """Move the meetings as the preview says, all or nothing; each person whose meetings
    moved gets one email listing the changes (their .ics carries the new times, the
    revision bumped). Returns False, and marks the run stale, when the meetings changed
    since the preview: it must be run again."""
    now = now or timezone.now()
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
        if run.status != ScheduleRun.Status.READY:
            raise Refused(NOT_READY)
        # Every scheduled meeting of the programme locked: no accept or cancel slips between
        # the check and the moves.
        list(
            Meeting.objects.select_for_update()
            .filter(time__programme=run.programme, status=Meeting.Status.SCHEDULED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # And the accepted requests it places: an « à placer » called off (which locks its
        # request) either commits before (the fingerprint sees it) or waits for this.
        list(
            MeetingRequest.objects.select_for_update()
            .filter(pk__in=[n["request"] for n in run.result["new"]])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if fingerprint(run.programme) != run.fingerprint:
            run.status = ScheduleRun.Status.STALE
            run.save(update_fields=["status"])
            return False
        moves = {m["request"]: m["to"] for m in run.result["moves"]}
        old = {
            m.request_id: m
            for m in Meeting.objects.filter(
                request__in=moves, status=Meeting.Status.SCHEDULED
            ).select_related(
                "time", "table", "request__sender__edition", "request__recipient__edition"
            )
        }
        # Set aside first: one table and time hold one scheduled meeting, and the moves may
        # swap places; set back below, in the same transaction.
        Meeting.objects.filter(pk__in=[m.pk for m in old.values()]).update(
            status=Meeting.Status.CANCELLED
        )
        MeetingSeat.objects.filter(meeting__in=old.values()).delete()
        seats = []
        for key, (time, table) in sorted(moves.items()):
            Meeting.objects.filter(pk=old[key].pk).update(
                time_id=time,
                table_id=table,
                status=Meeting.Status.SCHEDULED,
                sequence=F("sequence") + 1,
                updated_at=now,
            )
            request = old[key].request
            seats += _seats(old[key].pk, request, time)
        created = []
        requests = MeetingRequest.objects.select_related("sender", "recipient").in_bulk(
            [n["request"] for n in run.result["new"]]
        )
        for new in run.result["new"]:
            request = requests[new["request"]]
            time, table = new["to"]
            meeting = Meeting.objects.create(request=request, time_id=time, table_id=table)
            seats += _seats(meeting.pk, request, time)
            created.append(meeting)
        MeetingSeat.objects.bulk_create(seats)
        after = Meeting.objects.select_related("time", "table").in_bulk(
            [m.pk for m in old.values()]
        )
        changes = defaultdict(list)
        for _key, meeting in sorted(old.items()):
            for person in (meeting.request.sender, meeting.request.recipient):
                changes[person].append((meeting, after[meeting.pk]))
        for person, pairs in changes.items():
            emails.meetings_moved(person, changes=pairs)
        for meeting in Meeting.objects.filter(pk__in=[m.pk for m in created]).select_related(
            "time", "table", "request__sender__edition", "request__recipient__edition"
        ):
            for person in (meeting.request.sender, meeting.request.recipient):
                emails.meeting_accepted(person, meeting=meeting)
        run.status = ScheduleRun.Status.APPLIED
        run.applied_at = now
        run.save(update_fields=["status", "applied_at"])
    return True


def _seats(meeting_pk, request, time):
    return [
        MeetingSeat(meeting_id=meeting_pk, registration_id=p, time_id=time)
        for p in sorted((request.sender_id, request.recipient_id))
    ]


def preview_rows(run):
    """The preview in words, for staff: each move, each new placement and each meeting left
    out with its reason, naming the two people, the times and tables (3 queries)."""
    result = run.result or {}
    keys = [row["request"] for part in ("moves", "new", "unplaced") for row in result.get(part, [])]
    requests = MeetingRequest.objects.select_related("sender", "recipient").in_bulk(keys)
    times = MeetingTime.objects.filter(programme=run.programme_id).in_bulk()
    tables = Table.objects.filter(programme=run.programme_id).select_related("partner").in_bulk()

    def pair(key):
        request = requests.get(key)
        if request is None:
            return "—"
        return f"{request.sender.full_name} ({request.sender.organisation}) — " + (
            f"{request.recipient.full_name} ({request.recipient.organisation})"
        )

    def place(where):
        time, table = where
        when = times.get(time)
        start = timezone.localtime(when.starts_at).strftime("%d/%m %H:%M") if when else "—"
        return f"{start}, {tables.get(table, '—')}"

    return {
        "moves": [
            {"pair": pair(m["request"]), "before": place(m["from"]), "after": place(m["to"])}
            for m in result.get("moves", [])
        ],
        "new": [
            {"pair": pair(n["request"]), "after": place(n["to"])} for n in result.get("new", [])
        ],
        "unplaced": [
            {"pair": pair(u["request"]), "reason": REASONS.get(u["reason"], u["reason"])}
            for u in result.get("unplaced", [])
        ],
    }
