from django.core.management.base import BaseCommand

from outreach.services import reminders_send_due


class Command(BaseCommand):
    help = (
        "Send the reminders that are due (7 days and 1 day before the event), each once "
        "however often it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the reminders' task for the task worker instead of running it now",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            from outreach.tasks import schedule_reminders

            queued = schedule_reminders()
            self.stdout.write("Reminders queued." if queued else "Reminders already queued.")
            return
        for batch in reminders_send_due():
            self.stdout.write(f"{batch}: {batch.recipients} email(s) queued.")
