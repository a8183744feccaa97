"""WSGI entry point of the Django sample:

    bin/gwsgi -b 127.0.0.1:8000 --chdir examples/djangoapp djangoapp.wsgi:application
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoapp.settings")

application = get_wsgi_application()
