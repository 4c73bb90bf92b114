"""Request durations as a base-2 exponential histogram: OpenTelemetry's ExponentialHistogram and
Prometheus' native-histogram schema at one fixed scale, so histograms of every worker, interval and
server merge exactly by adding counts.

At scale 4 the bucket of index i holds durations in (2**(i/16), 2**((i+1)/16)] seconds: each bucket is
4.4 % wide, and a quantile read from it is within 2.2 % of the truth. A histogram is sparse, a dict
index → count; durations of exactly zero (a clock that did not advance) count apart, as OpenTelemetry's
zero bucket. Indexes are clamped to [MIN_INDEX, MAX_INDEX] (about 1 ns to 12 days), so one histogram
holds at most BUCKET_LIMIT buckets whatever it is fed.

Nothing here runs on the request path: the flusher (stats.fold) and the master use it."""
from bisect import bisect_left
from math import ceil, floor, log2

SCALE = 4
PER_OCTAVE = 1 << SCALE
MIN_INDEX = -30 * PER_OCTAVE     # 2**-30 s ≈ 0.93 ns
MAX_INDEX = 20 * PER_OCTAVE - 1  # 2**20 s ≈ 12 days
BUCKET_LIMIT = MAX_INDEX - MIN_INDEX + 1
# The key of durations ≤ 0 in a sparse histogram (never a real index: below MIN_INDEX).
ZERO = MIN_INDEX - 1


def index(seconds):
    """The bucket of a duration > 0: the i with 2**(i/16) < seconds <= 2**((i+1)/16). Exact at powers of
    two (log2 is); within one rounding error of another bound, log2's last bit decides — the hub's
    expHistogram.ts computes it the same way, so both give test/vectors/exphist.json's indexes."""
    return ceil(log2(seconds) * PER_OCTAVE) - 1


def key(seconds):
    """index(), clamped, or ZERO for a duration ≤ 0."""
    if seconds <= 0.0:
        return ZERO
    i = index(seconds)  # raw: below the range it may equal ZERO, which clamp() would take for the zero bucket
    return MIN_INDEX if i < MIN_INDEX else MAX_INDEX if i > MAX_INDEX else i


def upper_bound(i):
    return 2.0 ** ((i + 1) / PER_OCTAVE)


def clamp(i):
    if i == ZERO:
        return ZERO
    return MIN_INDEX if i < MIN_INDEX else MAX_INDEX if i > MAX_INDEX else i


def merge(into, other):
    """Adds histogram `other` into `into` (both sparse dicts); indexes outside the range are clamped."""
    for i, n in other.items():
        i = clamp(i)
        into[i] = into.get(i, 0) + n
    return into


def delta(now, before):
    """What `now` (cumulative) holds beyond `before` (an earlier copy of it); empty buckets left out."""
    if not before:
        return {i: n for i, n in now.items() if n}
    out = {}
    for i, n in now.items():
        d = n - before.get(i, 0)
        if d > 0:
            out[i] = d
    return out


def count(hist):
    return sum(hist.values())


def to_wire(hist):
    """The protocol's form: {scale, zeroCount, offset, counts}, counts dense from the lowest index held
    (OpenTelemetry's positive buckets). Sparse gaps cost a zero each, at most BUCKET_LIMIT in all."""
    zero = hist.get(ZERO, 0)
    indexes = [i for i, n in hist.items() if i != ZERO and n]
    if not indexes:
        return {"scale": SCALE, "zeroCount": zero, "offset": 0, "counts": []}
    low, high = min(indexes), max(indexes)
    counts = [0] * (high - low + 1)
    for i in indexes:
        counts[i - low] += hist[i]
    return {"scale": SCALE, "zeroCount": zero, "offset": low, "counts": counts}


def from_wire(wire):
    """The sparse dict of a wire histogram (the inverse of to_wire)."""
    hist = {}
    if wire.get("zeroCount"):
        hist[ZERO] = wire["zeroCount"]
    offset = wire.get("offset", 0)
    for j, n in enumerate(wire.get("counts", ())):
        if n:
            hist[offset + j] = n
    return hist


def classic(hist, bounds):
    """Counts per classic bucket (Prometheus `le` bounds, ascending; one more slot for +Inf) from an
    exponential histogram: each bucket counts under the first bound at or above its geometric middle, so
    a bound resolves to the nearest bucket edge, within 2.2 % either way."""
    last = _last_indexes(tuple(bounds))
    out = [0] * (len(last) + 1)
    for i, n in hist.items():
        out[0 if i == ZERO else bisect_left(last, i)] += n
    return out


_last_cache = {}


def _last_indexes(bounds):
    """Per bound, the highest bucket index whose geometric middle 2**((i + 0.5)/16) is at or below it."""
    last = _last_cache.get(bounds)
    if last is None:
        last = []
        for bound in bounds:
            i = floor(log2(bound) * PER_OCTAVE - 0.5)
            while 2.0 ** ((i + 1.5) / PER_OCTAVE) <= bound:  # log2's rounding, settled exactly
                i += 1
            while 2.0 ** ((i + 0.5) / PER_OCTAVE) > bound:
                i -= 1
            last.append(i)
        last = _last_cache[bounds] = tuple(last)
    return last


def quantile(q, hist, low=None, high=None):
    """The q-quantile (0..1) in seconds, interpolated log-linearly inside its bucket (durations spread
    evenly in log space), then kept within the observed [low, high] when known; None when empty."""
    total = count(hist)
    if total == 0:
        return None
    rank = q * total
    below = 0
    value = None
    for i in sorted(hist):
        n = hist[i]
        if n and below + n >= rank:
            if i == ZERO:
                value = 0.0
            else:
                fraction = (rank - below) / n
                value = 2.0 ** ((i + fraction) / PER_OCTAVE)
            break
        below += n
    if value is None:
        value = upper_bound(max(hist))
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value
