"""Route templates from raw paths: ids, UUIDs and long hex tokens become placeholders, and the number
of distinct routes a worker reports is capped so label cardinality stays bounded."""
import re

MAX_ROUTES = 200
OTHER = "other"
MAX_ROUTE_CHARS = 256
# Paths seen → route, so the per-request cost is one dict lookup for paths seen before.
_CACHE_LIMIT = 4096

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
    """Per worker: maps paths to at most `limit` distinct routes, the rest to 'other'."""

    def __init__(self, limit=MAX_ROUTES):
        self.limit = limit
        self.routes = set()
        self._cache = {}

    def route(self, path):
        route = self._cache.get(path)
        if route is not None:
            return route
        route = template(path)
        if route not in self.routes:
            if len(self.routes) >= self.limit:
                route = OTHER
            else:
                self.routes.add(route)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[path] = route
        return route
