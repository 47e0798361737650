"""Issue 4's journey, end to end: a real browser at a date in May 2026, a real SMTP server on
loopback. Sign up → the email arrives (text, HTML, .ics) → its link opens the personal page
→ the badge downloads: A6, the name, a QR code that decodes to the check-in code."""

import email
import email.policy
import re
import subprocess

import icalendar
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from registration.models import Registration
from tests.e2e.steps import sign_up
from tests.registration.conftest import MAY
from tests.smtp import start_smtp
from tests.worker import run_worker

A6 = (297.6, 419.5)  # points


def test_sign_up_email_link_badge(
    page, live_server, live_edition, smtp_port, time_machine, tmp_path
):
    time_machine.move_to(MAY, tick=True)
    inbox, controller = start_smtp(smtp_port)
    try:
        page.goto(f"{live_server.url}/fr/inscription/")
        sign_up(page, first="Đặng Thu", last="Thảo", email="thu.thao@example.org")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Merci")
        run_worker()  # the task worker sends the confirmation over SMTP
    finally:
        controller.stop()

    (raw,) = inbox.messages
    # Bytes, as they crossed the wire (the parts are 8bit UTF-8).
    message = email.message_from_bytes(raw.encode(), policy=email.policy.default)
    assert message["To"] == "thu.thao@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Thảo" in text and "Thảo" in html
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    titles = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert "Atelier thématique 1 (intitulé à venir)" in titles

    link = re.search(r"http://127\.0\.0\.1:8000(/fr/\S+/espace/[^\s/]+/)", text).group(1)
    assert link in html
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thảo")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mon badge (PDF)").click()
    path = tmp_path / "badge.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("badge-")
    reader = PdfReader(path)
    (badge,) = reader.pages
    assert tuple(round(float(v), 1) for v in badge.mediabox[2:]) == A6
    assert "Thảo" in badge.extract_text()

    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", path, tmp_path / "badge"], check=True
    )
    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "badge.png"))
    registration = Registration.objects.get(email="thu.thao@example.org")
    assert code.text == registration.checkin_code
