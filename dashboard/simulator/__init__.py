"""SKPD simulator: realistic feeds for every demo source, served on loopback (``odsk simulate``)."""

from dashboard.simulator.faults import FaultPlan
from dashboard.simulator.generator import Generator
from dashboard.simulator.server import SimulatorServer, make_server, serve

__all__ = ["FaultPlan", "Generator", "SimulatorServer", "make_server", "serve"]
