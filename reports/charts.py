"""The reports' charts: SVG made on the server by pygal (no JavaScript), the same in the dashboard and the PDF.
Every chart comes with a table of its figures on the page (the accessible form of the chart)."""

import base64
import re
from collections.abc import Sequence
from decimal import Decimal

import pygal
from django.utils.translation import gettext
from pygal.style import Style

# The city's blue, a dark red for the norm, and greys with enough contrast on white (WCAG AA).
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#595959",
    colors=("#0b4f9c", "#a4000f", "#1e6e2e", "#6b3fa0", "#8a5a00", "#005f73"),
    font_family="system-ui, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
)
_SCRIPT = re.compile(r"<script.*?</script>", re.S)


def _config(**kwargs) -> dict:
    return {
        "js": [],
        "style": STYLE,
        "width": 760,
        "height": 320,
        "disable_xml_declaration": True,
        "explicit_size": True,
        "print_values": False,
        "x_label_rotation": 0,
        "truncate_label": 20,
        **kwargs,
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def _render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def line_chart(title: str, labels: Sequence[str], values: Sequence, *, norm: Decimal | None = None) -> str:
    """A trend: one value per label (None leaves a gap), with the norm as a second line when there is one."""
    chart = pygal.Line(**_config(title=title, show_legend=norm is not None, legend_at_bottom=True))
    chart.x_labels = list(labels)
    chart.add(title, [_number(value) for value in values])
    if norm is not None:
        chart.add(_norm_label(), [float(norm)] * len(labels), stroke_style={"dasharray": "6, 4"}, show_dots=False)
    return _render(chart)


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence, *, norms: Sequence | None = None, series: str = ""
) -> str:
    """Bars, one per label; ``norms`` (one per bar, or None) drawn as a line of dots."""
    has_norm = norms is not None and any(norm is not None for norm in norms)
    chart = pygal.Bar(**_config(title=title, show_legend=has_norm, legend_at_bottom=True))
    chart.x_labels = list(labels)
    chart.add(series or title, [_number(value) for value in values])
    if has_norm:
        chart.add(_norm_label(), [_number(norm) for norm in norms], stroke=False, dots_size=5)
    return _render(chart)


def data_uri(svg: str) -> str:
    """The chart as an image source: the page's Content-Security-Policy allows images from data: URIs, and an
    SVG image keeps its own styles."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _norm_label() -> str:
    return gettext("Norm")
