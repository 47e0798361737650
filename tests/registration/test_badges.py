"""PDF badges: A6, names in any script, a QR code that scans, only behind the secret."""

import io
import subprocess
import unicodedata
import uuid

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from registration.badges import badge_html, render_pdf
from registration.models import Registration
from tests.registration.conftest import change_data, form_data, last_link

A6 = (297.64, 419.53)  # points


def badge_for(edition, first, last, organisation="Ville", category="participant"):
    registration = Registration(
        edition=edition,
        first_name=first,
        last_name=last,
        email="x@example.org",
        organisation=organisation,
        organisation_type="collectivite",
        country="FR",
        category=category,
        privacy_consent_at=timezone.now(),
        form_token=uuid.uuid4(),
    )
    return registration, render_pdf(badge_html(registration))


def text_of(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1  # never spills onto a second badge
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width, 1), round(height, 1)) == (round(A6[0], 1), round(A6[1], 1))
    return unicodedata.normalize("NFKC", reader.pages[0].extract_text())


# What the PDF shows (its text, its QR code): judged once (tests/conftest.py).
@pytest.mark.once
@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("Éloïse", "Lefèvre-Dürrenmatt"),
        ("Nguyễn Thị", "Minh Khai"),
        ("Сергей", "Собянин"),
        ("Γιώργος", "Παπαδόπουλος"),
        ("小明", "王"),
        ("さくら", "山田"),
        ("지수", "김"),
    ],
)
def test_names_in_any_script_print(edition_2026, first, last):
    _registration, pdf = badge_for(edition_2026, first, last)
    text = text_of(pdf)
    assert first in text and last in text


@pytest.mark.once
def test_arabic_is_shaped_and_printed(edition_2026):
    _registration, pdf = badge_for(edition_2026, "محمد", "العربي")
    text = text_of(pdf)
    # Extracted in visual or logical order depending on the reader: either is the name.
    assert "محمد" in text or "محمد"[::-1] in text
    assert "العربي" in text or "العربي"[::-1] in text


@pytest.mark.once
def test_a_very_long_name_stays_on_the_badge(edition_2026):
    last = "Wolfeschlegelsteinhausenbergerdorff-Oberhausen-Sankt-Johannis"  # 62 characters
    _registration, pdf = badge_for(edition_2026, "Maximilian-Alexander", last)
    text = text_of(pdf).replace("\n", "")
    assert last.replace("-", "") in text.replace("-", "")


@pytest.mark.once
def test_qr_code_scans_to_the_checkin_code(edition_2026, tmp_path):
    registration, pdf = badge_for(edition_2026, "Awa", "Diallo")
    (tmp_path / "badge.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            "-singlefile",
            tmp_path / "badge.pdf",
            tmp_path / "badge",
        ],
        check=True,
    )
    with Image.open(tmp_path / "badge.png") as image:
        (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.text == registration.checkin_code
    assert "Diallo" not in barcode.text  # no personal data in the code


def test_download_behind_the_secret(client, registered):
    _registration, link = registered
    response = client.get(link + "badge.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="badge-awa-diallo.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert "Diallo" in text_of(response.content)
    assert client.get(link.replace(link.rstrip("/")[-5:], "AAAAA") + "badge.pdf").status_code == 404


def test_badge_follows_changes(client, registered):
    _registration, link = registered
    first = client.get(link + "badge.pdf").content
    client.post(link + "modifier/", change_data(organisation="Région Occitanie"))
    assert "Région Occitanie" in text_of(client.get(link + "badge.pdf").content)
    assert "Région Occitanie" not in text_of(first)


def test_no_badge_on_the_waiting_list(client, open_edition, send):
    open_edition.capacity = 0
    open_edition.save()
    send(client.post, "/fr/inscription/", form_data())
    link = last_link("awa.diallo@example.org")
    assert client.get(link + "badge.pdf").status_code == 404
    assert "badge.pdf" not in client.get(link).text


def test_the_confirmation_links_the_badge(client, registered):
    from django.core import mail

    _registration, link = registered
    (message,) = mail.outbox
    badge_url = f"http://127.0.0.1:8000{link}badge.pdf"
    assert badge_url in message.body and badge_url in message.alternatives[0][0]
    assert client.get(link + "badge.pdf").status_code == 200
