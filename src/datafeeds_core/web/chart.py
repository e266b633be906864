"""Outcomes per day as an inline SVG bar chart, drawn on the server (no script, no library).

Colours come from the stylesheet through classes (the Content-Security-Policy allows no inline
style); every label is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from markupsafe import Markup, escape

# Outcome groups, bottom to top, and the statuses each one counts.
GROUPS = (
    ("ok", ("succeeded", "no-new-data")),
    ("failed", ("failed", "timed-out", "lost")),
    ("other", ("cancelled",)),
)
BAR, GAP, HEIGHT = 8, 2, 48


def group_counts(by_status: Mapping[str, int]) -> dict[str, int]:
    """A day's runs per outcome group (ok, failed, other)."""
    return {name: sum(by_status.get(s, 0) for s in statuses) for name, statuses in GROUPS}


def outcomes_svg(days: Sequence[date], per_day: Mapping[date, Mapping[str, int]]) -> Markup:
    """Stacked bars, one per day of `days`, scaled to the busiest day; a <title> per bar."""
    groups = {d: group_counts(per_day.get(d, {})) for d in days}
    busiest = max((sum(g.values()) for g in groups.values()), default=0) or 1
    width = len(days) * (BAR + GAP)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-label="runs per day, {escape(days[0]) if days else ""} to '
        f'{escape(days[-1]) if days else ""}">'
    ]
    for i, day in enumerate(days):
        x = i * (BAR + GAP)
        counts = groups[day]
        label = f"{day}: " + ", ".join(f"{counts[name]} {name}" for name, _ in GROUPS)
        parts.append(f"<g><title>{escape(label)}</title>")
        parts.append(f'<rect class="day" x="{x}" y="0" width="{BAR}" height="{HEIGHT}"/>')
        top = float(HEIGHT)
        for name, _ in GROUPS:
            height = round(counts[name] / busiest * HEIGHT, 2)
            if height:
                top -= height
                parts.append(
                    f'<rect class="{name}" x="{x}" y="{top:.2f}" width="{BAR}" '
                    f'height="{height:.2f}"/>'
                )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
