import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
application = get_wsgi_application()
# Import every view now, as the server starts, rather than on the first person's request (0.2-0.7 s).
get_resolver().url_patterns  # noqa: B018
