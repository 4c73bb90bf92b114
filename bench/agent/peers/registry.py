"""The configurations --peers measures, in this order (plain twice: the second is the noise floor)."""
from . import exporter, live, otel, plain, promclient, statsd

PEERS = [live, exporter, promclient, statsd, otel]
KINDS = ["plain", "plain2"] + [peer.NAME for peer in PEERS]
MODULES = dict([("plain", plain), ("plain2", plain)] + [(peer.NAME, peer) for peer in PEERS])
