# The integration suite's app: plain WSGI, stdlib only.
def app(environ, start_response):
    body = b"hello from " + environ.get("PATH_INFO", "/").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
