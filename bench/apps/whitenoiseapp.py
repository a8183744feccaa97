"""benchapp behind WhiteNoise, serving bench/apps/static under /static/.

    gunicorn -k gthread --threads 8 --chdir bench/apps whitenoiseapp:application

WhiteNoise's defaults otherwise (autorefresh off: the files are scanned once
at import, max_age 60); a path under /static/ with no file goes on to the
app.
"""

import os

from whitenoise import WhiteNoise

import benchapp

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")

application = WhiteNoise(benchapp.application, root=STATIC_DIR, prefix="static/")
