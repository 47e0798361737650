from django.core.management.base import BaseCommand

from staff.privacy import registrations_purge


class Command(BaseCommand):
    help = (
        "Anonymise the registrations of editions that ended more than "
        "PERSONAL_DATA_RETENTION_MONTHS ago (default 12), and purge their emails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the daily purge task for the task worker instead of running it now",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            from staff.tasks import schedule_purge

            queued = schedule_purge()
            self.stdout.write("Daily purge queued." if queued else "Daily purge already queued.")
            return
        count = registrations_purge()
        self.stdout.write(f"{count} registration(s) anonymised.")
