"""The table plan for the entrance: one A4 page per meeting time, every table listed."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings.tableplan import table_plan, table_plan_pdf

from .test_planning import crowded  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_one_page_per_time_naming_both_people(crowded, admin_client):  # noqa: F811
    programme = crowded.request.programme
    pdf = PdfReader(io.BytesIO(table_plan_pdf(programme)))
    assert len(pdf.pages) == programme.times.count() == 11
    first = pdf.pages[0].extract_text()
    meeting = crowded.meetings[0]
    assert meeting.request.sender.full_name in first
    assert meeting.request.recipient.full_name in first
    assert "libre" in first
    width, height = pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)

    page = admin_client.get(reverse("admin:meetings_table_plan", args=[programme.pk]))
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"


def test_the_plan_takes_three_queries(crowded, django_assert_num_queries):  # noqa: F811
    with django_assert_num_queries(3):
        plan = table_plan(crowded.request.programme)
    assert len(plan) == 11 and all(len(tables) == 3 for _time, tables in plan)
