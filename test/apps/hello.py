# The integration suite's app (hello:app): plain WSGI, stdlib only. It imports http.server as Flask (werkzeug) does:
# after USR2 the re-executed master must not find gunicorn/http in its place (see server-agent/launcher).
import http.server  # noqa: F401

def app(environ, start_response):
    body = b"hello from " + environ.get("PATH_INFO", "/").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
