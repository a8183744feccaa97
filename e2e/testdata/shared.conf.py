# One config file for gunicorn and `gwsgi -c`: the tests set TEST_* so that
# the two servers bind and log apart.
import os

bind = [os.environ["TEST_BIND"]]
workers = 2
threads = 4
accesslog = os.environ["TEST_ACCESS"]
access_log_format = '%(h)s %(l)s %(u)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" "%({x-test}i)s" %({content-type}o)s'
errorlog = os.environ["TEST_ERROR"]
loglevel = "info"
raw_env = ["GREETING=from-config"]
forwarded_allow_ips = "127.0.0.1"
wsgi_app = "accessapp:application"
