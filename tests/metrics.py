"""Reading the project's Prometheus metrics in tests (one process: no multiprocess files)."""

from prometheus_client import REGISTRY


def sample(name: str, **labels: str) -> float:
    """The current value of a sample, 0 when it has not been recorded yet."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
