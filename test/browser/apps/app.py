# The browser suite's app: plain WSGI, stdlib only. /work burns a little CPU so the CPU chart moves.
def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/work":
        total = sum(i * i for i in range(200_000))
        body = ("work %d" % total).encode()
    else:
        body = b"hello from " + path.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
