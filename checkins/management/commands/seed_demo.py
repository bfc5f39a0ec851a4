from django.core.management.base import BaseCommand

from checkins.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo runner with about 60 days of runs and check-ins."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the app will be served")

    def handle(self, *args, days, seed, url, **options):
        runner = load_demo(days=days, seed=seed)
        count = runner.runs.count()
        self.stdout.write(self.style.SUCCESS(f"Demo runner ready with {count} runs."))
        self.stdout.write(f"Log in at {url.rstrip('/')}/accounts/login/ as {DEMO_EMAIL}")
        self.stdout.write(f"with the password {DEMO_PASSWORD}")
