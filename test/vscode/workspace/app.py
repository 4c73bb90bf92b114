"""A small Flask app the VS Code tests serve with Gunicorn (detected as app:app)."""
import time

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello from gunicorn-live's test workspace\n"


@app.route("/work")
def work():
    # A little CPU per request, so the charts move.
    total = sum(i * i for i in range(20000))
    return {"total": total}


def explode():
    # The exception's innermost frame in the user's code: its Problem goes on this line.
    raise RuntimeError("boom on purpose")


@app.route("/boom")
def boom():
    # A 5xx response: the status bar counts it as an error, and the Problems panel shows one Problem.
    return explode()


@app.route("/hook")
def hook():
    # The debugger test: a breakpoint() call stops the worker here, as in any Python program.
    breakpoint()
    return "after breakpoint()\n"


@app.route("/caught")
def caught():
    # The debugger test: an exception the view handles itself stops only with "Raised Exceptions" ticked.
    try:
        raise KeyError("caught on purpose")
    except KeyError:
        return "caught\n"


@app.route("/slow")
def slow():
    # Outlives the worker timeout of the UI test: the master aborts the worker and its stack points here.
    time.sleep(30)
    return "too late\n"


def spin_cpu(n):
    # The profile's hot function: a pure-Python loop, so the samples land on its lines.
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


@app.route("/cpu")
def cpu():
    return {"total": spin_cpu(200000)}
