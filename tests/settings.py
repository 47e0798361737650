"""The project's settings for the test suite: a throw-away SECRET_KEY (production refuses to
start without one), the rest as in production unless a test says otherwise."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-" + secrets.token_urlsafe(40))

from rencontres.settings import *  # noqa: F403

# Each user the tests make (admin_client, staff with a password) and each login hashes a
# password: production's PBKDF2 costs about a second of CPU each time on these machines, by
# design. No test is about the hash's strength, so the tests hash with MD5 (Django's own
# advice for test settings); app servers started by the tests keep production's.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
