"""The summary page: one self-contained HTML file, each figure a matplotlib PNG embedded as a ``data:`` URI.

No request leaves the page (a Content-Security-Policy forbids them). Labels are drawn with a CJK font when
one is installed (Noto Sans CJK, Source Han Sans, WenQuanYi, …); without one, a plot that would show Chinese
names numbers them instead and the table under it gives the names (the browser draws those), so the page
never fails for lack of a font.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import warnings
from typing import Dict, List, Optional, Tuple

from ..errors import MissingDependencyError

log = logging.getLogger(__name__)

HINT = "pip install 'govreport[summary]'"
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimHei", "Microsoft YaHei",
             "PingFang SC", "Heiti SC", "AR PL UMing CN", "AR PL UKai CN")
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

# (figure name, title, the CSV tables it shows)
FIGURES: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("reports_per_year_level", "Reports per year and level 各年各级报告数", ("reports_per_year_level",)),
    ("hard_check_failures", "Share of reports failing each hard check 未通过各硬校验的报告占比", ("hard_check_failures",)),
    ("derived_measures", "Derived measures by level and year 派生指标分布", ("derived_measures", "derived_values")),
    ("largest_changes", "Bodies whose numbers changed most 同比变化最大的机关", ("largest_changes",)),
    ("cross_year_breaks", "Cross-year breaks 跨年度衔接不一致", ("cross_year_by_year", "cross_year_breaks")),
)


def matplotlib():
    """``matplotlib.pyplot`` on the Agg backend; MissingDependencyError (exit 4) without matplotlib."""
    try:
        import matplotlib as mpl
    except ImportError:
        raise MissingDependencyError("govreport summarize needs matplotlib", hint=HINT) from None
    mpl.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return mpl, plt


def cjk_font() -> Optional[str]:
    """The family of an installed font that draws Chinese, or None."""
    _, _ = matplotlib()
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _png(fig) -> str:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph missing from the font is drawn as a box, not an error
        fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    _, plt = matplotlib()
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _no_data(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no data: {what}", ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


def plots(tables: Dict, cjk: bool) -> Dict[str, str]:
    """Each figure of ``FIGURES`` as a PNG data URI."""
    _, plt = matplotlib()
    return {name: _png(draw(plt, tables, cjk)) for name, draw in _DRAW.items()}


def _plot_reports_per_year_level(plt, tables: Dict, cjk: bool):
    """Reports per year and level: stacked bars."""
    counts = tables["reports_per_year_level"]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    if len(counts):
        pivot = counts.assign(year=["?" if _missing(y) else str(y) for y in counts["year"]]).pivot_table(
            index="year", columns="level", values="reports", aggfunc="sum", fill_value=0)
        bottom = None
        for level in pivot.columns:
            ax.bar(pivot.index, pivot[level], bottom=bottom, label=str(level))
            bottom = pivot[level] if bottom is None else bottom + pivot[level]
        ax.legend(fontsize=8, ncol=3)
        ax.set_xlabel("year")
        ax.set_ylabel("reports")
    else:
        _no_data(ax, "no report was read")
    return fig


def _plot_hard_check_failures(plt, tables: Dict, cjk: bool):
    """Hard checks: the share of reports failing each, largest first."""
    shown = tables["hard_check_failures"].head(25)
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.28 * len(shown) + 0.8)))
    if len(shown):
        ax.barh(shown["check"][::-1], shown["share"][::-1], color="#c0504d")
        ax.set_xlim(0, max(0.05, float(shown["share"].max()) * 1.1))
        ax.set_xlabel("share of reports failing")
        ax.tick_params(axis="y", labelsize=7)
    else:
        _no_data(ax, "no hard check assessed")
    return fig


def _plot_derived_measures(plt, tables: Dict, cjk: bool):
    """Derived measures: one box plot per measure by level, one by year."""
    from ..derived import definitions

    mpl, _ = matplotlib()
    labels = definitions().labels
    values = tables["derived_values"]
    keys = [m.key for m in definitions().ratios]
    fig, axes = plt.subplots(len(keys), 2, figsize=(10, 2.1 * len(keys)), squeeze=False)
    for i, k in enumerate(keys):
        for j, by in enumerate(("level", "year")):
            ax = axes[i][j]
            groups = [] if not len(values) else [
                ("?" if _missing(g) else str(g), part[k].dropna().astype(float).tolist())
                for g, part in values.groupby(by, dropna=False)]
            groups = [(g, v) for g, v in groups if v]
            if groups:
                names = {"tick_labels" if _mpl_ge(mpl, 3, 9) else "labels": [g for g, _ in groups]}
                ax.boxplot([v for _, v in groups], **names)
                ax.tick_params(axis="x", labelsize=7)
            else:
                _no_data(ax, "all null")
            ax.set_title(f"{labels[k] if cjk else k} by {by}", fontsize=9)
    fig.tight_layout()
    return fig


def _plot_largest_changes(plt, tables: Dict, cjk: bool):
    """The largest changes of applications received (the first year-on-year measure of the template's
    derived_measures)."""
    from ..derived import definitions

    largest = tables["largest_changes"]
    part = largest[largest["measure"] == definitions().changes[0].key].head(15)
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.3 * len(part) + 0.8)))
    if len(part):
        pairs = zip(part["issuer"], part["year"], strict=True)  # two columns of one frame
        names = [f"{n} {y}" if cjk else f"#{i + 1} ({y})" for i, (n, y) in enumerate(pairs)]
        ax.barh(names[::-1], part["change"].tolist()[::-1],
                color=["#4f81bd" if v >= 0 else "#c0504d" for v in part["change"].tolist()[::-1]])
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_xlabel("change of applications received from the year before (1 = +100 %)")
        ax.tick_params(axis="y", labelsize=7)
    else:
        _no_data(ax, "no body with two consecutive years")
    return fig


def _plot_cross_year_breaks(plt, tables: Dict, cjk: bool):
    """Cross-year breaks per year."""
    by_year = tables["cross_year_by_year"]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    if len(by_year):
        ys = [str(y) for y in by_year["year"]]
        ax.bar(ys, by_year["checks"], color="#9bbb59", label="checks assessed")
        ax.bar(ys, by_year["failed"], color="#c0504d", label="failed")
        ax.legend(fontsize=8)
        ax.set_xlabel("year")
    else:
        _no_data(ax, "no body with two consecutive years")
    return fig


# each figure of FIGURES, in its order, and the function that draws it
_DRAW = {
    "reports_per_year_level": _plot_reports_per_year_level,
    "hard_check_failures": _plot_hard_check_failures,
    "derived_measures": _plot_derived_measures,
    "largest_changes": _plot_largest_changes,
    "cross_year_breaks": _plot_cross_year_breaks,
}


def _status_counts(statuses: Dict[str, int]) -> str:
    """The reports per status (``Report.status``, the word every output gives), each as a ``data-`` attribute."""
    order = ("ok", "needs_review", "failed_checks", "error")
    names = [s for s in order if s in statuses] + sorted(s for s in statuses if s not in order)
    attrs = "".join(f' data-{html.escape(s)}="{statuses[s]}"' for s in names)
    text = ", ".join(f"{statuses[s]} {html.escape(s)}" for s in names) or "no input"
    return f'<p id="statuses"{attrs}>By status: {text}.</p>'


def _missing(v) -> bool:
    import pandas as pd

    return v is None or bool(pd.isna(v))


def _mpl_ge(mpl, major: int, minor: int) -> bool:
    parts = mpl.__version__.split(".")
    try:
        return (int(parts[0]), int(parts[1])) >= (major, minor)
    except (ValueError, IndexError):
        return True


def _table_html(frame, limit: int = 40) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.head(limit).iterrows():
        cells = []
        for v in row.tolist():
            if _missing(v):
                text = ""
            elif isinstance(v, float):
                text = f"{v:.4g}"
            else:
                text = str(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="more">{len(frame) - limit} more rows in the CSV</p>' if len(frame) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


_STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
figure{margin:0}figure img{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.8em;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
th{background:#f3f3f3}.more,.note{color:#666;font-size:.85em}
"""

_SCRIPT = """
window.addEventListener('load',function(){
  var imgs=document.querySelectorAll('figure img');
  for(var i=0;i<imgs.length;i++){imgs[i].setAttribute('data-width',String(imgs[i].naturalWidth));}
  document.body.setAttribute('data-ready','1');
});
"""


def render(figs, images: Dict[str, str], csv_names: Dict[str, str], corpus: str, cjk: Optional[str]) -> str:
    """The page: counts, then each figure with its image, a preview of its table(s) and their CSV names."""
    parts: List[str] = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>govreport corpus summary</title>", f"<style>{_STYLE}</style>", f"<script>{_SCRIPT}</script>",
        "</head><body>", "<h1>Corpus summary 语料概览</h1>",
        f'<p id="counts" data-reports="{figs.reports}" data-errors="{figs.errors}">{html.escape(corpus)}: '
        f"{figs.reports} reports read, {figs.errors} failed inputs.</p>",
        _status_counts(figs.statuses),
    ]
    if not cjk:
        parts.append('<p class="note" id="font-note">No CJK font was found for the plots: their Chinese names are '
                     "numbered, and the tables below give them.</p>")
    for name, title, tables in FIGURES:
        parts.append(f'<section id="sec-{name}"><h2>{html.escape(title)}</h2>')
        parts.append(f'<figure id="fig-{name}" data-figure="{name}"><img alt="{html.escape(title)}" '
                     f'src="{images[name]}"></figure>')
        for t in tables:
            frame = figs.tables[t]
            parts.append(f'<div class="table" data-table="{t}" data-rows="{len(frame)}">'
                         f'<p class="note">{html.escape(t)}: {len(frame)} rows, in '
                         f'<code>{html.escape(csv_names[t])}</code></p>{_table_html(frame)}</div>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
