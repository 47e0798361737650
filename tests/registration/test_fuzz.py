"""Whatever is typed or posted, the sign-up form answers with a page, never a crash."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from registration.forms import RegistrationForm
from registration.queries import bookable_slots
from tests.registration.conftest import form_data

pytestmark = pytest.mark.sqlite  # the sign-up's hand-written SQL, one text per engine

# 100 examples a run, new ones each run: 500 and 200 cost about 4 % of the suite's time
# (291 s of 7,330 worker-seconds in one measured SQLite run).
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_form_validation_never_crashes(open_edition):
    bookable = bookable_slots(open_edition)
    sample = RegistrationForm(edition=open_edition, bookable=bookable)
    field_names = list(sample.fields)

    @FUZZ
    @given(
        from_form(
            RegistrationForm,
            form_kwargs={"edition": open_edition, "bookable": bookable},
            phone_0=st.sampled_from(["", "FR", "SN", "US", "ZZ"]),
            phone_1=st.one_of(st.just(""), st.text(max_size=20), st.from_regex(r"0[67]\d{8}")),
        )
    )
    def check(form):
        form.is_valid()  # must not raise
        assert set(form.errors) <= {*field_names, "__all__"}
        if form.is_valid():
            assert form.cleaned_data["privacy"] is True

    check()


text = st.text(max_size=300)
values = st.one_of(text, st.lists(text, max_size=3), st.sampled_from(["", "on", "2026-07-08"]))


@pytest.mark.django_db
def test_posting_anything_never_gives_a_500(client, open_edition):
    base = form_data()

    @FUZZ
    @given(st.dictionaries(st.sampled_from(sorted(base)), values, max_size=8))
    def check(changes):
        cache.clear()  # no rate limit between examples
        response = client.post("/fr/inscription/", {**base, **changes})
        assert response.status_code in (200, 302)

    check()
