"""The project's settings for the test suite: a throw-away SECRET_KEY (production refuses to
start without one), the rest as in production unless a test says otherwise."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-" + secrets.token_urlsafe(40))

from rencontres.settings import *  # noqa: F403
