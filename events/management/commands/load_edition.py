import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from events.models import Edition


class Command(BaseCommand):
    help = (
        "Load an edition fixture once. Run again, it leaves the edition as staff edited it "
        "(use --force to reload the fixture over it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixture", type=Path)
        parser.add_argument("--force", action="store_true", help="reload even if present")

    def handle(self, *, fixture, force, **options):
        try:
            objects = json.loads(fixture.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {fixture}: {error}") from error
        numbers = [o["fields"]["number"] for o in objects if o["model"] == "events.edition"]
        if not numbers:
            raise CommandError(f"{fixture} holds no edition.")
        present = set(Edition.objects.filter(number__in=numbers).values_list("number", flat=True))
        if present == set(numbers) and not force:
            if options["verbosity"]:
                self.stdout.write(f"Edition {', '.join(map(str, numbers))} already loaded.")
            return
        call_command("loaddata", str(fixture), verbosity=0)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Loaded edition {', '.join(map(str, numbers))}."))
