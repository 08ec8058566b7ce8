import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from midoffice.checks import refuse_unsafe_deployment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "midoffice.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: a deployment without its own secret key or public address stops here.
refuse_unsafe_deployment()

# Load every view and serializer now, then move the long-lived objects of the loaded application into
# the permanent generation: full garbage collections no longer walk them during requests, which took
# 50–95 ms off every few requests of the chase list (docs/performance.md).
get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
