"""``python -m dashboard.simulator``: the simulator without the odsk CLI."""

import argparse

from dashboard.simulator.server import serve

parser = argparse.ArgumentParser(prog="python -m dashboard.simulator", description=__doc__)
parser.add_argument("--config", default="config")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8051)
parser.add_argument(
    "--no-faults", action="store_true", help="serve clean feeds (no bad rows, outages or delays)"
)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
serve(args.config, args.host, args.port, faults=not args.no_faults, seed=args.seed)
