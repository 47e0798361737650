"""The sign-up form loses nobody and tells nothing: a form token reused for another
person, the page never cached, seat labels that do not reveal a registration, sane sizes."""

import uuid

import pytest

from registration.models import Registration
from tests.registration.conftest import form_data, workshop

URL = "/fr/inscription/"


def test_the_same_form_sent_for_a_colleague_registers_both(client, open_edition, send):
    """Back button, or registering a colleague from the same page: the second person was
    silently dropped (same form token)."""
    token = str(uuid.uuid4())
    send(client.post, URL, form_data(form_token=token))
    send(client.post, URL, form_data(form_token=token, email="collegue@example.org"))
    assert set(Registration.objects.values_list("email", flat=True)) == {
        "awa.diallo@example.org",
        "collegue@example.org",
    }


def test_the_same_form_sent_twice_for_one_person_registers_once(client, open_edition, send):
    token = str(uuid.uuid4())
    for _ in range(3):
        response = send(client.post, URL, form_data(form_token=token))
        assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_the_form_page_is_never_stored(client, open_edition):
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"]


def test_seat_labels_do_not_move_with_one_sign_up(client, open_edition, send):
    """An exact count that moves by one after a sign-up tells anyone whether that address
    was registered already (a second sign-up takes no seat). The label says full or nearly
    full, nothing finer."""
    before = client.get(URL).text
    send(client.post, URL, form_data())
    after = client.get(URL).text
    assert "places restantes" not in before
    assert before.count(str(workshop(1).title)) == after.count(str(workshop(1).title))
    label = f"{workshop(1).title} — {workshop(1).room}"
    assert f"{label} — " not in after  # 59 seats left: no count, no warning


def test_nearly_full_and_full_sessions_say_so(client, open_edition, send):
    session = workshop(1)
    session.capacity = 6
    session.save()
    send(client.post, URL, form_data())
    assert f"{session.title} — {session.room} — dernières places" in client.get(URL).text
    session.capacity = 1
    session.save()
    full = f"{session.title} — {session.room} — complet : inscription en liste d&#x27;attente"
    assert full in client.get(URL).text


def test_text_fields_have_sane_limits(client, open_edition):
    response = client.post(URL, form_data(dietary_needs="x" * 100_000))
    assert response.status_code == 200
    assert "au plus 500 caractères" in response.text
    assert not Registration.objects.exists()


def test_request_bodies_are_capped(client, open_edition):
    response = client.post(URL, form_data(accessibility_needs="x" * 400_000))
    assert response.status_code == 400
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("path", "length", "refused"),
    [
        (URL, 2 * 1024 * 1024, True),  # a public form: no file, a few kilobytes
        ("/en/registration/", 2 * 1024 * 1024, True),
        ("/admin/events/edition/1/change/", 2 * 1024 * 1024, False),  # the staff's uploads
        ("/admin/events/edition/1/change/", 30 * 1024 * 1024, True),
    ],
)
def test_a_body_larger_than_its_address_accepts_is_refused_unread(
    client, open_edition, path, length, refused
):
    """Django caps a form's fields but writes the files of a multipart body, of any size,
    to disk, and the CSRF check reads the body of a forged POST before refusing it: the
    announced length is refused first (413, saying the limit, in the page's language)."""
    response = client.generic(
        "POST",
        path,
        b"--x--\\r\\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
    )
    assert (response.status_code == 413) is refused
    if refused:
        text = response.text.replace("\xa0", " ")
        if path.startswith("/en/"):
            assert text == "Request too large: 1.0 MB at most."
        else:
            limit = "21,0 Mio" if path.startswith("/admin/") else "1,0 Mio"
            assert text == f"Requête trop volumineuse : {limit} au plus."
    assert not Registration.objects.exists()
