"""What the admin pages of several apps share."""

import functools
import logging

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.http import HttpResponseRedirect

logger = logging.getLogger(__name__)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log or a record written only by services (sent reminders, arrivals taken back,
    B2B requests and meetings): staff read it, nobody adds, changes or deletes it here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminSite(admin.AdminSite):
    """Django's admin site (rencontres.apps.AdminConfig makes it the default), with one
    rule for every list, ours and the libraries' (users, tasks): what staff put in a list's
    address that no database can run is answered as the admin answers any wrong filter
    (`?e=1`), never with a server error.

    - A number no database integer holds (over 18 digits, however written: a sign, spaces,
      `_`, in a comma-separated `__in` list, or as a selected row of an action): SQLite
      cannot even pass it to a query (a 500 on a filter by a relation, `?edition=` or
      `?groups=`), PostgreSQL finds nothing; both answer `?e=1`. The search box's text is
      left to the search.
    - A search of more than SEARCH_WORDS words is searched for its first ones (SQLite
      refuses the query of a few hundred).
    - Anything else a filter makes the query fail on before the database runs it (a year
      past 9999 in `created_at__year__gte`, a date whose conversion to UTC leaves the
      calendar): the list (a GET with a query string), rendered here, is answered `?e=1`
      too, and the error logged. Actions and saves keep their own errors."""

    def admin_view(self, view, cacheable=False):
        # Inside Django's own wrapper: the login and permissions are checked first.
        return super().admin_view(_bounded(view), cacheable)


def _bounded(view):
    @functools.wraps(view)
    def inner(request, *args, **kwargs):
        match = request.resolver_match
        if not (match and (match.url_name or "").endswith("_changelist")):
            return view(request, *args, **kwargs)
        wrong_filter = HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        if _too_large(request):
            return wrong_filter
        words = request.GET.get(SEARCH_VAR, "").split()
        if len(words) > SEARCH_WORDS:  # each word is a condition on every searched column
            request.GET = request.GET.copy()
            request.GET[SEARCH_VAR] = " ".join(words[:SEARCH_WORDS])
        if request.method not in ("GET", "HEAD") or not request.GET:
            # An action or a save: its errors are its own (and may follow writes).
            return view(request, *args, **kwargs)
        try:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            return render() if render is not None else response
        except (OverflowError, ValueError) as error:
            logger.warning("An admin list's filters cannot be run: %r", error, exc_info=True)
            return wrong_filter

    return inner


# Words of a search, at most: SQLite refuses a query deeper than 1,000 terms (a few hundred
# words searched in four columns), and nobody types more.
SEARCH_WORDS = 10


def _too_large(request):
    values = [
        value for name, values in request.GET.lists() if name != SEARCH_VAR for value in values
    ]
    if request.method == "POST":  # an action on rows chosen by their numbers
        values += request.POST.getlist(ACTION_CHECKBOX_NAME)
    return any(_too_long_a_number(part) for value in values for part in value.split(","))


def _too_long_a_number(text):
    """Over 18 digits as Python's int() reads a number: spaces around, a sign, `_`."""
    digits = text.strip().replace("_", "")
    digits = digits[1:] if digits[:1] in ("+", "-") else digits
    return len(digits) > 18 and digits.isdigit()
