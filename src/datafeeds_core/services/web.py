"""`datafeeds web`: the read-only run dashboard."""

from __future__ import annotations


def serve(host: str, port: int) -> None:
    """Serve the dashboard over the configured platform database until interrupted."""
    from datafeeds_core.config import settings
    from datafeeds_core.web.server import serve as serve_dashboard

    serve_dashboard(settings(), host, port)
