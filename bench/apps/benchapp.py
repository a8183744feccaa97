"""The plain WSGI app every server in the benchmark serves.

    bin/gwsgi -b 127.0.0.1:8000 --chdir bench/apps benchapp:application

Routes:
    /       "Hello, World!" (13 bytes)
    /10k    10 KiB of text
    /echo   POST: the request body back
    /sleep  time.sleep(0.01), then a short answer
    /json100k  a JSON document of about 100 KiB (application/json), built
               once at import: the body the gzip-json workload compresses
    anything else 404
"""

import hashlib
import json
import time

HELLO = [b"Hello, World!"]
TEN_K = [b"x" * 10240]
SLEPT = [b"slept\n"]

_FIRST = ["Ada", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances",
          "Edsger", "Radia", "Guido", "Sophie", "Niklaus", "Hedy", "Donald", "Joan",
          "Alan", "Katherine", "Bjarne", "Annie", "Tim", "Shafi", "John", "Evelyn"]
_LAST = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
         "Allen", "Dijkstra", "Perlman", "van Rossum", "Wilson", "Wirth", "Lamarr",
         "Knuth", "Clarke", "Turing", "Johnson", "Stroustrup", "Easley", "Berners-Lee",
         "Goldwasser", "McCarthy", "Berezin", "Kahan", "Sammet", "Backus"]
_DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "corp.example"]
_TAGS = ["admin", "beta", "billing", "churn-risk", "enterprise", "eu", "free-tier",
         "newsletter", "onboarding", "partner", "premium", "support", "trial", "us", "vip"]
_CITIES = [("Lisbon", "PT"), ("Oslo", "NO"), ("Austin", "US"), ("Kyoto", "JP"),
           ("Nairobi", "KE"), ("Lyon", "FR"), ("Quito", "EC"), ("Perth", "AU"),
           ("Tartu", "EE"), ("Recife", "BR"), ("Gdansk", "PL"), ("Pune", "IN")]
_EPOCH = 1700000000  # 2023-11-14T22:13:20Z


def _timestamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _record(i):
    """Customer record i: the same for every i on every run."""
    first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 7) % len(_LAST)]
    digest = hashlib.sha1(b"user-%d" % i).hexdigest()
    city, country = _CITIES[(i * 5) % len(_CITIES)]
    created = _EPOCH + i * 86413
    return {
        "id": 100000 + i,
        "uuid": "%s-%s-%s-%s-%s" % (digest[:8], digest[8:12], digest[12:16], digest[16:20], digest[20:32]),
        "name": "%s %s" % (first, last),
        "email": "%s.%s%d@%s" % (first.lower(), last.lower().replace(" ", ""), i % 97,
                                 _DOMAINS[i % len(_DOMAINS)]),
        "active": i % 3 != 0,
        "score": round((i * 7919 % 10007) / 100.0, 2),
        "created_at": _timestamp(created),
        "last_login": _timestamp(created + (i * 104729) % 5000000),
        "address": {"city": city, "country": country, "postcode": "%05d" % (i * 3571 % 100000)},
        "tags": [{"name": _TAGS[(i + k * 4) % len(_TAGS)], "weight": (i + k) % 10}
                 for k in range(1 + i % 4)],
        "orders": {"count": i * 13 % 250, "total_cents": i * 104723 % 10000000,
                   "last_order_id": "ord_%s" % digest[32:40]},
    }


# Records in the document: 232 make 102,568 bytes of JSON (about 100 KiB;
# gzip level 6 makes it 21,297).
JSON_RECORDS = 232
JSON_100K = json.dumps(
    {"page": 1, "per_page": JSON_RECORDS, "total": JSON_RECORDS,
     "generated_at": _timestamp(_EPOCH),
     "results": [_record(i) for i in range(JSON_RECORDS)]},
    separators=(",", ":"),
).encode()
JSON_BODY = [JSON_100K]


def _headers(n, ctype="text/plain"):
    return [("Content-Type", ctype), ("Content-Length", str(n))]


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/":
        start_response("200 OK", _headers(13))
        return HELLO
    if path == "/10k":
        start_response("200 OK", _headers(10240))
        return TEN_K
    if path == "/echo":
        if environ["REQUEST_METHOD"] != "POST":
            start_response("405 Method Not Allowed", _headers(10) + [("Allow", "POST")])
            return [b"POST only\n"]
        length = environ.get("CONTENT_LENGTH")
        body = environ["wsgi.input"].read(int(length)) if length else b""
        start_response("200 OK", _headers(len(body), "application/octet-stream"))
        return [body]
    if path == "/json100k":
        start_response("200 OK", _headers(len(JSON_100K), "application/json"))
        return JSON_BODY
    if path == "/sleep":
        time.sleep(0.01)
        start_response("200 OK", _headers(6))
        return SLEPT
    start_response("404 Not Found", _headers(10))
    return [b"Not Found\n"]
