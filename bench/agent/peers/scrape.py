"""Scraping a /metrics as Prometheus would: one GET, timed from connect to the last byte of the body."""
import http.client
import time
import urllib.parse


def scrape(url, timeout=30):
    """{seconds, bytes, samples} of one GET of `url`; raises OSError or ValueError when it is not a 200."""
    parts = urllib.parse.urlsplit(url)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/", headers={"Accept": "text/plain"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    seconds = time.perf_counter() - started
    if response.status != 200:
        raise ValueError("%s answered %d" % (url, response.status))
    return {"seconds": seconds, "bytes": len(body), "samples": exposition_samples(body.decode("utf-8", "replace"))}


def exposition_samples(text):
    """Samples (series values) in a Prometheus text exposition: the lines that are neither blank nor a
    # HELP / # TYPE / other comment."""
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
