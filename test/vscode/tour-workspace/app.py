"""A small shop API on Flask: the project of the README's tour."""
import time

from flask import Flask, abort, jsonify, request

app = Flask(__name__)

PRODUCTS = {i: {"id": i, "price": round(2.5 + i * 0.75, 2)} for i in range(1, 801)}


@app.route("/")
def index():
    return jsonify(shop="Gunicorn Live tour", products=len(PRODUCTS))


@app.route("/products/<int:product_id>")
def product(product_id):
    if product_id not in PRODUCTS:
        abort(404)
    return jsonify(PRODUCTS[product_id])


def sales_report(days):
    # Pure-Python arithmetic on every order: the slow route's time goes here.
    revenue = 0.0
    for day in range(days):
        for order in range(20000):
            revenue += (day * 31 + order * 17) % 97 * 0.01
    return round(revenue, 2)


@app.route("/report")
def report():
    days = request.args.get("days", 30, type=int)
    return jsonify(days=days, revenue=sales_report(days))


@app.route("/checkout", methods=["GET", "POST"])
def checkout():
    # The payment gateway is down: every call raises, and Gunicorn answers 500.
    raise RuntimeError("payment gateway unavailable")


@app.route("/export")
def export():
    # Waits on an upstream that never answers: the worker timeout ends the request.
    time.sleep(60)
    return "exported\n"
