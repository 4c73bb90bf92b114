"""Route labels: the framework's template where the app exposes one (frameworks.py), UNMATCHED for a 404
no route of the framework matched, else the raw path with ids, UUIDs and long hex tokens replaced by
placeholders. The number of distinct routes is capped —
per worker here, per server in the master (aggregate.py) — so label cardinality stays bounded."""
import re

MAX_WORKER_ROUTES = 200
OTHER = "other"
# A 404 that no route of the app's framework matched: a scanner's or a typo's paths would otherwise each be
# a route of their own, crowding out the real ones under the cap.
UNMATCHED = "(unmatched)"
MAX_ROUTE_CHARS = 256
# Paths seen → route, so the per-request cost is one dict lookup for paths seen before; longer paths are
# not kept, so the cache's memory is bounded whatever Gunicorn's limit_request_line.
_CACHE_LIMIT = 4096
CACHE_PATH_CHARS = 512

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_HEX = re.compile(r"[0-9a-fA-F]{16,}\Z")

KNOWN_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"))


def template(path):
    """'/items/42/uuid/…' → '/items/{id}/uuid/{uuid}'; no bookkeeping, no cap."""
    if not path:
        return "/"
    parts = path.split("/")
    for i, part in enumerate(parts):
        if not part:
            continue
        if part.isdigit() and part.isascii():
            parts[i] = "{id}"
        elif len(part) == 36 and _UUID.match(part):
            parts[i] = "{uuid}"
        elif len(part) >= 16 and _HEX.match(part):
            parts[i] = "{hex}"
    route = "/".join(parts)
    return route if len(route) <= MAX_ROUTE_CHARS else route[:MAX_ROUTE_CHARS]


def method_label(method):
    """Unknown verbs would be unbounded labels: they count as OTHER."""
    return method if method in KNOWN_METHODS else "OTHER"


class RouteTable(object):
    """Per worker: maps paths to at most `limit` distinct routes, the rest to 'other'. Paths seen are
    remembered with their route, so a request in flight can be named like the completed ones."""

    def __init__(self, limit=MAX_WORKER_ROUTES):
        self.limit = limit
        self.routes = set()
        self.cache = {}

    def route(self, path):
        """The route of a raw path (no framework template known)."""
        route = self.cache.get(path)
        if route is not None:
            return route
        return self._remember(path, self._capped(template(path)))

    def admit(self, route, path):
        """A framework's template for `path`, capped like the others; the path is remembered with it."""
        if not isinstance(route, str):
            return self.route(path)
        return self._remember(path, self._capped(route[:MAX_ROUTE_CHARS]))

    def known(self, path):
        """The route a path had before, else its template (for requests still in flight; no bookkeeping,
        so the flusher thread may call it)."""
        return self.cache.get(path) or template(path)

    def _capped(self, route):
        if route not in self.routes:
            if len(self.routes) >= self.limit:
                return OTHER
            self.routes.add(route)
        return route

    def _remember(self, path, route):
        if len(self.cache) < _CACHE_LIMIT and len(path) <= CACHE_PATH_CHARS:
            self.cache[path] = route
        return route
