"""A Flask app: routes have templates (url_rule.rule) and Flask answers 500 itself when a view raises."""
import time

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello\n"


@app.route("/items/<int:item_id>")
def item(item_id):
    return "item %d\n" % item_id


@app.route("/sleep/<float:seconds>")
def sleep(seconds):
    time.sleep(seconds)
    return "slept\n"


@app.route("/raise")
def raises():
    raise ZeroDivisionError("flask view raised")


def _lookup(key):
    try:
        return {}[key]
    except KeyError as e:
        # A chained exception: the ValueError is what reaches Flask.
        raise ValueError("no such key: %s" % key) from e


@app.route("/chained")
def chained():
    return _lookup("missing")
