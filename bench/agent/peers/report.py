"""--peers' figures from its measurements: per-configuration ratios to plain Gunicorn (medians of the
per-round ratios, and pooled CPU), the noise floor, and the text and README table. Pure functions."""
import statistics

BASE = ("plain", "plain2")


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def _ratio(value, base):
    return round(value / base, 4) if value is not None and base else None


def _base(round_, field):
    """Each round's baseline: the mean of both plain servers' figure (either alone if the other is missing)."""
    values = [round_[k][field] for k in BASE if round_.get(k) and round_[k][field] is not None]
    return sum(values) / len(values) if values else None


def pooled_cpu_us(rounds, kind):
    """CPU seconds over requests across all rounds, µs: a run with a scrape weighs by its requests."""
    runs = [r[kind] for r in rounds if r.get(kind)]
    requests = sum(r["requests"] for r in runs)
    return sum(r["cpuSeconds"] for r in runs) / requests * 1e6 if requests else None


def summarize(rounds, kinds):
    """{kind: figures} for every kind measured in `rounds`, plus "noiseFloor" (plain2 against plain)."""
    out = {}
    plain_pooled = [pooled_cpu_us(rounds, k) for k in BASE]
    plain_pooled = [v for v in plain_pooled if v is not None]
    base_pooled = sum(plain_pooled) / len(plain_pooled) if plain_pooled else None
    for kind in kinds:
        runs = [r[kind] for r in rounds if r.get(kind)]
        if not runs:
            continue
        figures = {
            "cpuPerRequestUs": round(pooled_cpu_us(rounds, kind), 2),
            "rps": round(statistics.median(r["rps"] for r in runs), 1),
            "p99Ms": _median([r["p99"] * 1e3 if r["p99"] is not None else None for r in runs]),
            "rounds": len(runs),
        }
        if kind not in BASE:
            per = dict((f, [_ratio(r[kind][f], _base(r, f)) for r in rounds if r.get(kind)])
                       for f in ("cpuPerRequestUs", "rps", "p99"))
            figures["cpuPerRequestRatio"] = {"median": _median(per["cpuPerRequestUs"]),
                                             "pooled": _ratio(pooled_cpu_us(rounds, kind), base_pooled),
                                             "rounds": per["cpuPerRequestUs"]}
            figures["rpsRatio"] = {"median": _median(per["rps"]), "rounds": per["rps"]}
            figures["p99Ratio"] = {"median": _median(per["p99"]), "rounds": per["p99"]}
        out[kind] = figures
    pairs = [r for r in rounds if r.get("plain") and r.get("plain2")]
    floor = {}
    for field, name in (("cpuPerRequestUs", "cpuPerRequestRatio"), ("rps", "rpsRatio"), ("p99", "p99Ratio")):
        values = [v for v in (_ratio(r["plain2"][field], r["plain"][field]) for r in pairs) if v is not None]
        floor[name] = {"median": _median(values), "range": [min(values), max(values)] if values else None}
    out["noiseFloor"] = dict(floor, what="plain2 / plain per round: two identical plain Gunicorns")
    return out


def _fmt(value, pattern):
    return pattern % value if value is not None else "n/a"


def table(result):
    """Plain-text table for the terminal."""
    lines = ["%-50s %10s %8s %8s %8s %8s %12s %8s %16s" % (
        "configuration", "µs/req", "CPU×", "pooled×", "req/s×", "p99 ms", "instr/req", "instr×", "/metrics @8w ms")]
    for peer in result["peers"].values():
        s = peer.get("summary") or {}
        ins = peer.get("instructions") or {}
        scrape = peer.get("scrape") or {}
        cpu = s.get("cpuPerRequestRatio") or {}
        lines.append("%-50s %10s %8s %8s %8s %8s %12s %8s %16s" % (
            peer["label"][:50], _fmt(s.get("cpuPerRequestUs"), "%.1f"), _fmt(cpu.get("median"), "%.3f"),
            _fmt(cpu.get("pooled"), "%.3f"), _fmt((s.get("rpsRatio") or {}).get("median"), "%.3f"),
            _fmt(s.get("p99Ms"), "%.2f"), _fmt(ins.get("total"), "%.0f"), _fmt(ins.get("ratio"), "%.3f"),
            _fmt(scrape.get("medianMs"), "%.1f")))
        if peer.get("error"):
            lines.append("    not measured: %s" % peer["error"])
    floor = result["noiseFloor"]
    lines.append("noise floor (plain2 / plain per round): CPU/request %s, req/s %s" % (
        _span(floor["cpuPerRequestRatio"]["range"]), _span(floor["rpsRatio"]["range"])))
    return "\n".join(lines)


def _span(pair):
    return "%.3f–%.3f" % tuple(pair) if pair else "n/a"


def readme_table(result):
    """The Markdown table for README "What it costs"."""
    rows = ["| configuration | CPU/request vs plain (median; pooled) | req/s vs plain | p99 | instructions/request "
            "(vs plain) | `/metrics` at 8 workers after load |", "|---|---|---|---|---|---|"]
    for peer in result["peers"].values():
        s = peer.get("summary") or {}
        if not s:
            rows.append("| %s | not measured: %s | | | | |" % (peer["label"], peer.get("error", "?")))
            continue
        ins = peer.get("instructions") or {}
        scrape = peer.get("scrape") or {}
        cpu = s.get("cpuPerRequestRatio")
        cpu_cell = ("%.1f µs" % s["cpuPerRequestUs"]) if cpu is None else "%.2f×; %.2f× (%.1f µs)" % (
            cpu["median"], cpu["pooled"], s["cpuPerRequestUs"])
        rps = s.get("rpsRatio")
        rps_cell = ("%.0f req/s" % s["rps"]) if rps is None else "%.2f× (%.0f)" % (rps["median"], s["rps"])
        ins_cell = "n/a" if not ins else "{:,.0f} ({:.3f}×)".format(ins["total"], ins["ratio"])
        if ins and abs(ins.get("ratioAtMeasuredRate", ins["ratio"]) - ins["ratio"]) >= 0.005:
            ins_cell += ", %.3f× at wrk's req/s" % ins["ratioAtMeasuredRate"]
        if scrape.get("medianMs") is not None:
            scrape_cell = "%.1f ms, %s KB, %d samples" % (scrape["medianMs"], _kb(scrape["bytes"]), scrape["samples"])
        else:
            scrape_cell = scrape.get("error") or "no endpoint"
        rows.append("| %s | %s | %s | %s ms | %s | %s |" % (
            peer["label"], cpu_cell, rps_cell, _fmt(s.get("p99Ms"), "%.2f"), ins_cell, scrape_cell))
    return "\n".join(rows)


def _kb(n):
    return "%.1f" % (n / 1000.0)


def instructions_ratios(counts, kind, summary):
    """valgrind's counts for `kind` with its ratio to plain's, and the same with the master's per-second
    work spread over the req/s wrk measured rather than valgrind's slow pace (closer to the truth for a
    master that works once a second, as gunicorn-live's does)."""
    out = dict(counts[kind], ratio=round(counts[kind]["total"] / counts["plain"]["total"], 4))
    rps = dict((k, (summary.get(k) or {}).get("rps")) for k in ("plain", kind))
    if rps["plain"] and rps[kind]:
        at_rate = dict((k, counts[k]["workers"] + counts[k]["masterPerSecond"] / rps[k]) for k in rps)
        out["ratioAtMeasuredRate"] = round(at_rate[kind] / at_rate["plain"], 4)
    return out
