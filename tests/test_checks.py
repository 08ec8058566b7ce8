from django.core.management import call_command


def test_django_system_checks_pass():
    # Admin, model and URL checks: pytest imports the apps but does not run them by itself.
    call_command("check", "--fail-level", "WARNING")
