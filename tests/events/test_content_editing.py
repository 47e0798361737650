"""Content staff edit without a developer: speaker photos, partner logos and their place,
the home page's introduction, the programme PDF and the order of sessions in a slot, all in
admin, on the public pages at once, files served by the site itself."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events.models import Edition, Partner, Session, Speaker
from tests import admin_forms

JPEG_EXIF_ORIENTATION = 0x0112


@pytest.fixture
def staff(client, db):
    client.force_login(User.objects.create_superuser("staff", "s@example.org", "pw-tests-only"))
    return client


def image_file(name, *, size=(1600, 1200), mode="RGB", fmt="JPEG", colour="navy", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


def heavy_jpeg():
    """A readable JPEG over 5 MB (the bytes after the image are ignored by decoders)."""
    small = image_file("x.jpg", size=(20, 20)).read()
    return SimpleUploadedFile("big.jpg", small + bytes(5 * 1024 * 1024))


def truncated_png():
    whole = image_file("x.png", size=(400, 400), fmt="PNG", colour="red").read()
    return SimpleUploadedFile("cut.png", whole[: len(whole) // 2])


def form_values(client, url):
    """What a browser posts back from an admin change form, file inputs left out."""
    return {
        k: v
        for k, v in admin_forms.form_values(client, url).items()
        if not k.startswith(("photo", "logo")) and not (k == "speakers" and not v)
    }


def post_form(client, url, **changes):
    data = form_values(client, url)
    data.update(changes)
    return client.post(url, data)


def served(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


def test_speaker_photo_is_reduced_re_encoded_served_and_shown(staff, edition_2026):
    session = Session.objects.get(title_fr="Ouverture officielle des Rencontres")
    speaker = Speaker.objects.create(name="Awa Diop", role="Maire")
    session.speakers.add(speaker)
    assert "speaker-photo" not in staff.get(session.get_absolute_url()).text  # now cached

    exif = Image.Exif()
    exif[JPEG_EXIF_ORIENTATION] = 6  # taken sideways: shown upright once rotated
    photo = image_file("portrait d'Awa.JPG", size=(2400, 1200), exif=exif.tobytes())
    url = f"/admin/events/speaker/{speaker.pk}/change/"
    response = post_form(staff, url, photo=photo)
    assert response.status_code == 302, response.context["adminform"].form.errors

    speaker.refresh_from_db()
    assert speaker.photo.name.startswith("intervenants/") and speaker.photo.name.endswith(".jpg")
    assert "Awa" not in speaker.photo.name
    response, content = served(staff, speaker.photo.url)
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    stored = Image.open(io.BytesIO(content))
    assert stored.format == "JPEG"
    assert stored.size == (300, 600)  # rotated upright, then fitted in 600 × 600
    assert JPEG_EXIF_ORIENTATION not in stored.getexif()

    page = staff.get(session.get_absolute_url()).text
    assert f'src="{speaker.photo.url}"' in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "image"),
        (SimpleUploadedFile("photo.png", b"not an image at all"), "image"),
        (image_file("anim.gif", size=(10, 10), fmt="GIF"), "Format refusé"),
        (image_file("huge.png", size=(9000, 6000), mode="1", fmt="PNG"), "trop grande"),
        (heavy_jpeg(), "trop lourd"),
        (truncated_png(), "image"),
    ],
    ids=["svg", "garbage", "gif", "too-many-pixels", "too-heavy", "truncated"],
)
def test_unusable_images_are_refused_with_a_reason(staff, edition_2026, upload, message):
    speaker = Speaker.objects.create(name="Awa Diop")
    response = post_form(staff, f"/admin/events/speaker/{speaker.pk}/change/", photo=upload)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["photo"]
    assert message in " ".join(errors), errors
    speaker.refresh_from_db()
    assert not speaker.photo


def test_partner_logo_keeps_transparency_and_the_tiers_are_shown_apart(staff, edition_2026):
    assert "Partenaires principaux" not in staff.get("/fr/").text
    main = Partner.objects.create(
        edition=edition_2026, name="Région Exemple", tier=Partner.Tier.MAIN, position=0
    )
    logo = image_file("logo.png", size=(1200, 400), mode="RGBA", fmt="PNG", colour=(0, 0, 0, 0))
    url = f"/admin/events/partner/{main.pk}/change/"
    response = post_form(staff, url, logo=logo)
    assert response.status_code == 302, response.context["adminform"].form.errors

    main.refresh_from_db()
    response, content = served(staff, main.logo.url)
    assert response["Content-Type"] == "image/png"
    stored = Image.open(io.BytesIO(content))
    assert (stored.size, stored.mode) == ((600, 200), "RGBA")

    home = staff.get("/fr/").text
    main_part = home.split("Partenaires principaux")[1].split("Avec le concours de")[0]
    assert f'src="{main.logo.url}"' in main_part and 'alt="Région Exemple"' in main_part
    support_part = home.split("Avec le concours de")[1]
    assert "PLATFORMA" in support_part
    assert "Région Exemple" not in support_part


def test_home_introduction_is_edited_in_both_languages(staff, edition_2026):
    assert "plus de 25 pays" in staff.get("/fr/").text
    assert "more than 25 countries" in staff.get("/en/").text
    url = f"/admin/events/edition/{edition_2026.pk}/change/"
    response = post_form(
        staff,
        url,
        intro_fr="Des délégations de **plus de 30 pays** sont attendues.",
        intro_en="Delegations from **more than 30 countries** are expected.",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    fr = staff.get("/fr/").text
    assert "Des délégations de <strong>plus de 30 pays</strong> sont attendues." in fr
    assert "25 pays" not in fr
    assert "<strong>more than 30 countries</strong>" in staff.get("/en/").text


def test_programme_pdf_is_uploaded_linked_and_served(staff, edition_2026):
    assert "programme (PDF)" not in staff.get("/fr/programme/").text
    url = f"/admin/events/edition/{edition_2026.pk}/change/"
    pdf = SimpleUploadedFile("Programme v3 FINAL.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n...%%EOF\n")
    response = post_form(staff, url, programme_pdf=pdf)
    assert response.status_code == 302, response.context["adminform"].form.errors

    edition = Edition.objects.get(pk=edition_2026.pk)
    link = edition.programme_pdf.url
    assert link.startswith("/media/programme/") and link.endswith(".pdf")
    for page in ("/fr/programme/", "/fr/pre-programme/", "/en/programme/"):
        assert f'href="{link}"' in staff.get(page).text, page
    response, content = served(staff, link)
    assert response["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF-1.7")


def test_a_file_that_is_not_a_pdf_is_refused(staff, edition_2026):
    url = f"/admin/events/edition/{edition_2026.pk}/change/"
    fake = SimpleUploadedFile("programme.pdf", b"<html>not a pdf</html>")
    response = post_form(staff, url, programme_pdf=fake)
    assert response.status_code == 200
    assert "n&#x27;est pas un PDF" in response.text
    assert not Edition.objects.get(pk=edition_2026.pk).programme_pdf


@pytest.mark.parametrize(
    "path",
    [
        "/media/../settings.py",
        "/media/intervenants/../../secret_key",
        "/media/private/badge.pdf",
        "/media/intervenants/missing.jpg",
        "/media/intervenants/photo.svg",
        "/media/intervenants/a/b.jpg",
        "/media/programme/%00.pdf",
    ],
)
def test_media_serves_only_uploaded_kinds_in_their_folders(client, db, path):
    assert client.get(path).status_code in (400, 404)  # 400: a NUL (rencontres/middleware)


def test_renaming_a_session_keeps_its_place_and_position_moves_it(staff, edition_2026):
    first = Session.objects.get(title_fr="Atelier thématique 1 (intitulé à venir)")
    in_slot = Session.objects.filter(slot=first.slot)
    before = [s.pk for s in in_slot]
    assert "Atelier thématique 2 (intitulé à venir)" in staff.get("/fr/programme/").text

    response = post_form(
        staff, f"/admin/events/session/{first.pk}/change/", title_fr="Zygomatiques"
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [s.pk for s in in_slot.all()] == before
    programme = staff.get("/fr/programme/").text
    assert programme.index("Zygomatiques") < programme.index("Atelier thématique 2 (")

    regional = Session.objects.get(title_fr="Réunion régionale 1 (zone à venir)")
    response = post_form(staff, f"/admin/events/session/{regional.pk}/change/", position="0")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert in_slot.all()[0] == regional
    programme = staff.get("/fr/programme/").text
    assert programme.index("Réunion régionale 1 (") < programme.index("Zygomatiques")


def test_whatever_rides_along_an_image_is_not_stored(staff, edition_2026):
    speaker = Speaker.objects.create(name="Awa Diop")
    payload = image_file("p.jpg", size=(50, 50)).read() + b"<script>alert(1)</script>"
    photo = SimpleUploadedFile("p.jpg", payload)
    response = post_form(staff, f"/admin/events/speaker/{speaker.pk}/change/", photo=photo)
    assert response.status_code == 302
    speaker.refresh_from_db()
    _response, content = served(staff, speaker.photo.url)
    assert b"<script>" not in content
    assert Image.open(io.BytesIO(content)).size == (50, 50)  # small images are not enlarged


def test_the_booking_form_follows_the_programme_order(client, edition_2026, time_machine):
    from tests.registration.conftest import MAY

    time_machine.move_to(MAY, tick=False)
    renamed = Session.objects.get(title_fr="Atelier thématique 1 (intitulé à venir)")
    renamed.title_fr = "Zygomatiques"
    renamed.save()
    form = client.get("/fr/inscription/").text
    assert form.index("Zygomatiques") < form.index("Atelier thématique 2 (")
