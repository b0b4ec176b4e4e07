"""Draw a :class:`~kg.trends.TrendsReport`: an offline interactive page and a still image.

The page is plotly with its JavaScript inlined, so it opens from ``file://``
with no network, like the graph views. Entity names come from abstracts:
plotly renders a subset of HTML in names and hover labels, so every name is
HTML-escaped before it reaches the figure (which also keeps ``</script>`` out
of the inlined JSON). The still image (PNG or SVG, by the file's suffix) is
matplotlib's, for newsletters and slides; ``$`` is escaped there because
matplotlib would read it as mathtext.
"""

from __future__ import annotations

import html
import io
import os
from pathlib import Path

import networkx as nx

from kg.errors import UsageError
from kg.outputs import open_output
from kg.safe_text import without_controls
from kg.trends import Granularity, Series, TrendsReport, compute_trends

IMAGE_SUFFIXES = (".png", ".svg")


def trends_html(report: TrendsReport) -> str:
    """The whole offline page for ``report``."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rising = list(report.rising)
    rows = 2 if rising else 1
    figure = make_subplots(
        rows=rows,
        cols=1,
        row_heights=[0.65, 0.35] if rising else [1.0],
        vertical_spacing=0.14,
        subplot_titles=_subplot_titles(report, rising),
    )
    periods = list(report.periods)
    for series in report.series:
        figure.add_trace(
            go.Scatter(
                x=periods,
                y=list(series.counts),
                mode="lines+markers",
                name=_safe(series.name),
                hovertemplate=f"{_safe(series.name)}<br>%{{x}}: %{{y}} papers<extra></extra>",
            ),
            row=1,
            col=1,
        )
    if rising:
        figure.add_trace(
            go.Bar(
                x=[round(s.growth, 2) for s in rising][::-1],
                y=[_safe(s.name) for s in rising][::-1],
                orientation="h",
                customdata=[s.counts[-1] for s in rising][::-1],
                hovertemplate="%{y}: x%{x} share, %{customdata} papers<extra></extra>",
                showlegend=False,
                marker={"color": "#d9822b"},
            ),
            row=2,
            col=1,
        )
    figure.update_layout(
        title=_safe(_title(report)),
        template="plotly_white",
        height=820 if rising else 560,
        hovermode="closest",
        legend={"orientation": "v"},
    )
    figure.update_yaxes(title_text="papers", row=1, col=1)
    page = str(figure.to_html(include_plotlyjs=True, full_html=True))
    return page.replace("<head>", '<head><meta charset="utf-8"><title>kg trends</title>', 1)


def write_trends(
    graph: nx.MultiDiGraph[str],
    html_path: str | os.PathLike[str],
    image_path: str | os.PathLike[str] | None = None,
    *,
    label: str | None = "Model",
    top: int = 10,
    names: tuple[str, ...] = (),
    granularity: Granularity = "auto",
) -> TrendsReport:
    """``kg trends``: compute the trends of ``graph`` and write the page (and the image)."""
    if image_path is not None and Path(image_path).suffix.lower() not in IMAGE_SUFFIXES:
        raise UsageError(f"{image_path}: an image must end in .png or .svg")
    report = compute_trends(graph, label=label, top=top, names=names, granularity=granularity)
    write_trends_html(report, html_path)
    if image_path is not None:
        write_trends_image(report, image_path)
    return report


def write_trends_html(report: TrendsReport, path: str | os.PathLike[str]) -> Path:
    """Write the offline page; return its path."""
    target = Path(path)
    with open_output(target, what="the trends page") as handle:
        handle.write(trends_html(report))
    return target


def write_trends_image(report: TrendsReport, path: str | os.PathLike[str]) -> Path:
    """Write a PNG or SVG line chart of the series (the suffix picks the format)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise UsageError(f"{target}: an image must end in .png or .svg")
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), dpi=110)
    axes = figure.add_subplot()
    positions = range(len(report.periods))
    for series in report.series:
        axes.plot(positions, series.counts, marker="o", label=_plain(series.name))
    axes.set_xticks(list(positions), list(report.periods), rotation=45, ha="right", fontsize=8)
    axes.set_ylabel("papers")
    axes.set_title(_plain(_title(report)))
    axes.grid(alpha=0.3)
    if report.series:
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=suffix[1:])
    with open_output(target, binary=True, what="the chart") as handle:
        handle.write(buffer.getvalue())
    return target


def _title(report: TrendsReport) -> str:
    what = f"{report.label} mentions" if report.label else "Mentions"
    return f"{what} per {report.granularity} (papers mentioning each entity)"


def _subplot_titles(report: TrendsReport, rising: list[Series]) -> list[str]:
    titles = ["papers per " + report.granularity]
    if rising:
        titles.append(
            _safe(f"rising in {report.periods[-1]}: share of papers vs the periods before")
        )
    return titles


def _safe(text: str) -> str:
    """Text for plotly, which renders a subset of HTML: shown literally, never as markup."""
    return html.escape(without_controls(text), quote=True)


def _plain(text: str) -> str:
    """Text for matplotlib: ``$`` would start mathtext."""
    return without_controls(text).replace("$", r"\$")
