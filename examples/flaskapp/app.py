"""A Flask sample for gwsgi.

    bin/gwsgi -b 127.0.0.1:8000 --chdir examples/flaskapp app:app

Routes: /  /json (POST echoes JSON)  /query?name=x  /form (GET shows a form,
POST echoes it)  /upload (multipart POST)  /cookie (sets one)  /cookie/read
/redirect  /stream  /boom (raises: 500, traceback in the log)  /missing (404
from Flask)
"""

from flask import Flask, Response, jsonify, redirect, request, stream_with_context, url_for

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello from Flask on gwsgi!\n", 200, {"Content-Type": "text/plain"}


@app.get("/json")
def json_view():
    return jsonify(message="hello", numbers=[1, 2, 3], server=request.environ.get("SERVER_SOFTWARE"))


@app.post("/json")
def json_echo():
    return jsonify(received=request.get_json())


@app.get("/query")
def query():
    return jsonify(args=request.args.to_dict(flat=False))


@app.route("/form", methods=["GET", "POST"])
def form():
    if request.method == "GET":
        return '<form method="post"><input name="name"><button>send</button></form>'
    return jsonify(form=request.form.to_dict(flat=False))


@app.post("/upload")
def upload():
    files = {
        name: {"filename": f.filename, "size": len(f.read()), "content_type": f.content_type}
        for name, f in request.files.items()
    }
    return jsonify(files=files, form=request.form.to_dict())


@app.get("/cookie")
def set_cookie():
    resp = jsonify(set=True)
    resp.set_cookie("flavour", "oatmeal", httponly=True)
    return resp


@app.get("/cookie/read")
def read_cookie():
    return jsonify(cookies=request.cookies)


@app.get("/redirect")
def go_elsewhere():
    return redirect(url_for("json_view"))


@app.get("/stream")
def stream():
    def generate():
        for i in range(5):
            yield "line %d\n" % i

    return Response(stream_with_context(generate()), mimetype="text/plain")


@app.get("/boom")
def boom():
    raise RuntimeError("boom from Flask")


if __name__ == "__main__":
    app.run()
