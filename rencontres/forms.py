"""Forms of the project itself (not of an app)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import ratelimit


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login, with failed attempts limited per client address and per username.

    The check comes before the password is hashed (≈ 0.7 s of a worker each time), so a
    script looping on the login page costs one cache read per try once it is stopped.
    A locked username stays locked even for the right password until the window ends:
    otherwise the guessing could go on.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _(
            "Trop de tentatives de connexion échouées. Réessayez dans %(minutes)d minutes."
        ),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        address = ratelimit.client_address(self.request)
        for scope, key in (("login_address", address), ("login_username", username)):
            if key and ratelimit.exceeded(scope, key):
                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": ratelimit.retry_minutes(scope)},
                )
        try:
            return super().clean()
        except ValidationError:
            ratelimit.count("login_address", address)
            if username:
                ratelimit.count("login_username", username)
            raise
