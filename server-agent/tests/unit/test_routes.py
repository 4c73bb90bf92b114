import unittest

from gunicorn_live.routes import OTHER, RouteTable, method_label, template


class TemplateTest(unittest.TestCase):
    def test_placeholders(self):
        cases = {
            "/": "/",
            "": "/",
            "/items/42": "/items/{id}",
            "/items/42/": "/items/{id}/",
            "/users/7/orders/1234": "/users/{id}/orders/{id}",
            "/o/123e4567-e89b-12d3-a456-426614174000": "/o/{uuid}",
            "/o/123E4567-E89B-12D3-A456-426614174000/x": "/o/{uuid}/x",
            "/t/0123456789abcdef0123": "/t/{hex}",
            "/t/0123456789abcde": "/t/0123456789abcde",  # 15 hex digits: too short to be a token
            "/v2/items": "/v2/items",
            "/static/app.3f2a.js": "/static/app.3f2a.js",
            "/n/١٢٣": "/n/١٢٣",  # non-ASCII digits are not ids
        }
        for path, route in cases.items():
            self.assertEqual(template(path), route, path)

    def test_long_routes_are_cut(self):
        self.assertEqual(len(template("/" + "z" * 1000)), 256)

    def test_methods(self):
        self.assertEqual(method_label("GET"), "GET")
        self.assertEqual(method_label("PATCH"), "PATCH")
        self.assertEqual(method_label("BREW"), "OTHER")


class RouteTableTest(unittest.TestCase):
    def test_cap_keeps_known_routes_and_folds_new_ones_into_other(self):
        table = RouteTable(limit=3)
        self.assertEqual([table.route(p) for p in ("/a", "/b", "/items/1", "/items/2")],
                         ["/a", "/b", "/items/{id}", "/items/{id}"])
        self.assertEqual(table.route("/c"), OTHER)
        self.assertEqual(table.route("/a"), "/a")
        self.assertEqual(table.route("/items/999"), "/items/{id}")
        self.assertEqual(len(table.routes), 3)

    def test_default_cap_is_200(self):
        table = RouteTable()
        routes = set(table.route("/r%d/x" % i) for i in range(250))
        self.assertEqual(len(routes), 201)
        self.assertIn(OTHER, routes)
