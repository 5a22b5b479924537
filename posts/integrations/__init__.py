"""Posts' outside systems: Redis timelines of the Following feed. They return results and
never import services or tasks; the service or task calling them decides."""
