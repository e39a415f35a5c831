"""The business review as a pack a director can forward: HTML, PDF, PowerPoint and Excel.

Every format holds the same sections: the summary (the narrative and the manager's notes), the
KPI table, and one "why it moved" section per KPI that moved and splits into segments.

- **HTML**: one self-contained file (Plotly's JavaScript is inlined) that opens offline; all
  text from the data or the manager is escaped.
- **PDF**: the HTML printed by headless Chromium, charts included. Without Chromium the PDF holds
  the text and tables only and says the charts were left out.
- **PowerPoint**: one slide per section, with native (editable) charts and tables.
- **Excel**: the underlying tables with their raw numbers, one sheet each.
"""

from __future__ import annotations

import html
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from csm.formatting import format_value, to_excel
from csm.inert import inert_chart_data, printable
from csm.kpis import load_catalogue
from csm.review import Review, main_driver, write_narrative

FORMATS = ("html", "pdf", "pptx", "xlsx")
STATUS = {"on_target": "on target", "off_target": "off target", "no_target": "no target", "no_data": "no data"}
DIMENSION_WORDS = {"category": "topic", "team": "team", "channel": "channel", "priority": "priority"}
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
TOP_SEGMENTS = 8


@dataclass(frozen=True)
class Why:
    """One "why it moved" section: a KPI, the dimension that explains it, its segments."""

    key: str
    label: str
    dimension: str
    parts: pl.DataFrame  # csm.review.decompose output, the largest effects first


@dataclass(frozen=True)
class Pack:
    """The review's content, ready for any format."""

    title: str
    subtitle: str
    narrative: list[str]
    notes: str
    kpis: pl.DataFrame  # shown: KPI, Actual, Target, Status, <previous>, Change, <last year>, Change on last year
    kpis_raw: pl.DataFrame
    whys: list[Why]
    queue_drivers: pl.DataFrame | None = None  # shown: Factor, Points (service level's Erlang C split)
    people: pl.DataFrame | None = None  # Team, Hires, Leavers of the period


def build_pack(review: Review, *, teams: tuple[str, ...] = ()) -> Pack:
    """Return the review's sections: narrative, notes, the formatted KPI table and the decompositions."""
    catalogue = load_catalogue()
    rows = []
    for r in review.table.iter_rows(named=True):
        kpi = catalogue[r["key"]]

        def value(v, kpi=kpi):
            return format_value(kpi, v)

        rows.append({"KPI": kpi.label, "Actual": value(r["value"]), "Target": value(r["target"]),
                     "Status": STATUS[r["status"]], review.previous.name: value(r["previous"]),
                     "Change": _delta(kpi, r["change"]), review.last_year.name: value(r["last_year"]),
                     "Change on last year": _delta(kpi, r["change_ly"])})
    whys = []
    for key, by_dim in review.why.items():
        driver = main_driver(by_dim)
        if driver is not None:
            whys.append(Why(key, catalogue[key].label, driver[0], by_dim[driver[0]].head(TOP_SEGMENTS)))
    scope = ", ".join(teams) if teams else "all teams"
    change = review.table.filter(key="service_level")["change"]
    drivers = (queue_drivers_table(review.queue_drivers, change[0])
               if review.queue_drivers is not None and change.len() and change[0] is not None else None)
    return Pack(title=f"Business review: {review.period.name}", subtitle=f"{scope}; compared with "
                f"{review.previous.name} and {review.last_year.name}", narrative=write_narrative(review),
                notes=review.notes, kpis=pl.DataFrame(rows), kpis_raw=review.table, whys=whys, queue_drivers=drivers,
                people=review.headcount.rename({"team": "Team", "hires": "Hires", "leavers": "Leavers"})
                if review.headcount.height else None)


def queue_drivers_table(drivers: pl.DataFrame, change: float) -> pl.DataFrame:
    """Return the service level's Erlang C split for display: each factor, the modelled and the actual change."""
    effects = dict(drivers.iter_rows())
    modelled = effects["modelled change"]
    rows = [(name.capitalize(), effects[name]) for name in ("volume", "handle time", "staffing")]
    rows += [("Modelled change", modelled), ("Not explained by the model", change - modelled), ("Actual change", change)]
    return pl.DataFrame({"Factor": [r[0] for r in rows], "Points": [f"{r[1] * 100:+.1f}" for r in rows]})


def _delta(kpi, change: float | None) -> str:
    if change is None:
        return "n/a"
    if kpi.unit == "ratio":
        return f"{change * 100:+.1f} pts"
    sign = "+" if change >= 0 else "-"
    return f"{sign}{format_value(kpi, abs(change))}"


def why_figure(why: Why) -> go.Figure:
    """Return the mix and rate effects of a "why it moved" section as horizontal stacked bars."""
    kpi = load_catalogue()[why.key]
    scale = 100 if kpi.unit == "ratio" else 1
    unit = "points" if kpi.unit == "ratio" else kpi.unit
    parts = why.parts.reverse()  # largest at the top
    segments = [str(s).replace("_", " ") for s in parts["segment"]]
    if kpi.kind == "count":  # a count only changes by volume
        bars = [go.Bar(y=segments, x=[v or 0 for v in parts["total"]], name=f"change in {why.label.lower()}",
                       orientation="h", marker_color="#7f7f7f")]
    else:
        bars = [go.Bar(y=segments, x=[(v or 0) * scale for v in parts["mix"]], name="mix (share moved)",
                       orientation="h", marker_color="#9467bd"),
                go.Bar(y=segments, x=[(v or 0) * scale for v in parts["rate"]], name=f"rate ({why.label} moved)",
                       orientation="h", marker_color="#1f77b4")]
    fig = go.Figure(bars)
    fig.update_layout(barmode="relative", template="plotly_white", height=80 + 32 * len(segments),
                      margin={"l": 10, "r": 10, "t": 40, "b": 30}, legend={"orientation": "h", "y": -0.25},
                      title={"text": f"{why.label}: change by {DIMENSION_WORDS[why.dimension]} ({unit})", "x": 0})
    return fig


def _table_html(frame: pl.DataFrame) -> str:
    e = html.escape
    head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.iter_rows())
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def why_table(why: Why) -> pl.DataFrame:
    """Return a "why it moved" section's segments for display."""
    kpi = load_catalogue()[why.key]
    if kpi.kind == "count":
        return why.parts.select(
            pl.col("segment").cast(pl.String).str.replace_all("_", " ").alias(DIMENSION_WORDS[why.dimension].capitalize()),
            pl.format("{}% → {}%", (pl.col("share_before") * 100).round(1), (pl.col("share_after") * 100).round(1))
            .alias(f"Share of {why.label.lower()}"),
            pl.format("{} → {}", pl.col("rate_before").cast(pl.Int64), pl.col("rate_after").cast(pl.Int64)).alias(why.label),
            pl.col("total").map_elements(lambda v: _delta(kpi, v), return_dtype=pl.String).alias("Change"))
    return why.parts.select(
        pl.col("segment").cast(pl.String).str.replace_all("_", " ").alias(DIMENSION_WORDS[why.dimension].capitalize()),
        pl.format("{}% → {}%", (pl.col("share_before") * 100).round(1), (pl.col("share_after") * 100).round(1))
        .alias("Share of the contacts counted"),
        pl.struct("rate_before", "rate_after").map_elements(
            lambda r: f"{format_value(kpi, r['rate_before'])} → {format_value(kpi, r['rate_after'])}",
            return_dtype=pl.String).alias(why.label),
        *(pl.col(c).map_elements(lambda v: _delta(kpi, v), return_dtype=pl.String).alias(name)
          for c, name in (("mix", "Mix effect"), ("rate", "Rate effect"), ("total", "Total"))),
    )


_CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#222}h1{margin-bottom:.2rem}.sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:1rem 0;
font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left}th{background:#f4f4f4}
section{page-break-inside:avoid;margin-top:2rem}.notes{white-space:pre-wrap;background:#fafafa;border-left:3px solid
#1f77b4;padding:.6rem 1rem}.left-out{color:#a33}@media print{body{margin:1cm}}"""


def render_html(pack: Pack, *, charts: bool = True) -> str:
    """Return the pack as one self-contained HTML page (with ``charts``, Plotly's JavaScript inlined once)."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{e(pack.title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{e(pack.title)}</h1><p class='sub'>{e(pack.subtitle)}. Made {datetime.now():%d %b %Y %H:%M}.</p>",
             "<section><h2>Summary</h2><ul>" + "".join(f"<li>{e(_plain(line))}</li>" for line in pack.narrative)
             + "</ul>",
             "<h3>The manager's commentary</h3>"
             + (f"<div class='notes'>{e(pack.notes)}</div>" if pack.notes.strip() else "<p>None written.</p>")
             + "</section>",
             f"<section><h2>KPIs</h2>{_table_html(pack.kpis)}</section>"]
    first = True
    for why in pack.whys:
        chart = ""
        if charts:
            chart = why_figure(why).to_html(full_html=False, include_plotlyjs=first, config={"displaylogo": False,
                                                                                     "displayModeBar": False})
            first = False
        parts.append(f"<section><h2>Why {e(why.label)} moved</h2>{chart}{_table_html(why_table(why))}</section>")
    if pack.people is not None:
        parts.append(f"<section><h2>People</h2><p>Hires and leavers in the period.</p>{_table_html(pack.people)}"
                     "</section>")
    if pack.queue_drivers is not None:
        parts.append("<section><h2>Service level: volume, handle time and staffing</h2><p>An Erlang C model of the "
                     "queues by weekday and half hour; each factor's part is its Shapley value.</p>"
                     f"{_table_html(pack.queue_drivers)}</section>")
    if not charts and pack.whys:
        parts.append("<p class='left-out'>Charts were left out: this machine cannot draw them into this format.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _plain(line: str) -> str:
    return line.replace("**", "")


def render_xlsx(pack: Pack) -> bytes:
    """Return the pack's tables as an Excel workbook, raw numbers, one sheet per table."""
    sheets = {"Summary": pl.DataFrame({"Summary": [_plain(s) for s in pack.narrative],}),
              "Notes": pl.DataFrame({"Notes": [pack.notes]}),
              "KPIs": pack.kpis_raw.select("key", "label", "value", "target", "status", "previous", "change",
                                           "last_year", "change_ly", "moved")}
    for why in pack.whys:
        sheets[f"Why {why.key}"[:31]] = why.parts.with_columns(pl.lit(why.dimension).alias("dimension"))
    if pack.queue_drivers is not None:
        sheets["Service level drivers"] = pack.queue_drivers
    if pack.people is not None:
        sheets["People"] = pack.people
    return to_excel(sheets)


def render_pptx(pack: Pack) -> bytes:
    """Return the pack as a PowerPoint deck: title, summary, KPIs, then one slide per "why it moved"."""
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = printable(pack.title)
    title.placeholders[1].text = printable(pack.subtitle)

    summary = deck.slides.add_slide(deck.slide_layouts[5])
    summary.shapes.title.text = "Summary"
    box = summary.shapes.add_textbox(Inches(.5), Inches(1.4), Inches(12.3), Inches(5.8)).text_frame
    box.word_wrap = True
    for i, line in enumerate([*pack.narrative, "", "Commentary: " + (pack.notes.strip() or "none written.")]):
        para = box.paragraphs[0] if i == 0 else box.add_paragraph()
        para.text = printable(_plain(line))
        para.font.size = Pt(13)

    def table_slide(heading: str, frame: pl.DataFrame) -> None:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = printable(heading)
        shape = slide.shapes.add_table(frame.height + 1, frame.width, Inches(.4), Inches(1.4), Inches(12.5),
                                       Inches(.35) * (frame.height + 1))
        for j, column in enumerate(frame.columns):
            shape.table.cell(0, j).text = printable(str(column))
        for i, row in enumerate(frame.iter_rows(), start=1):
            for j, value in enumerate(row):
                shape.table.cell(i, j).text = "" if value is None else printable(str(value))
        for cell in (c for r in shape.table.rows for c in r.cells):
            for para in cell.text_frame.paragraphs:
                para.font.size = Pt(11)

    table_slide("KPIs", pack.kpis)
    for why in pack.whys:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = f"Why {why.label} moved: by {DIMENSION_WORDS[why.dimension]}"
        kpi = load_catalogue()[why.key]
        scale = 100 if kpi.unit == "ratio" else 1
        data = inert_chart_data()
        data.categories = [printable(str(s).replace("_", " ")) for s in why.parts["segment"]]
        if kpi.kind == "count":
            data.add_series(f"change in {why.label.lower()}", [v or 0 for v in why.parts["total"]])
        else:
            data.add_series("mix (share moved)", [round((v or 0) * scale, 3) for v in why.parts["mix"]])
            data.add_series(f"rate ({why.label} moved)", [round((v or 0) * scale, 3) for v in why.parts["rate"]])
        chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, Inches(.4), Inches(1.4), Inches(6.2), Inches(5.6),
                                       data).chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        table = why_table(why)
        table = table.select(table.columns[0], *table.columns[2:])  # the chart shows the effects; shares left out
        shape = slide.shapes.add_table(table.height + 1, table.width, Inches(6.8), Inches(1.4), Inches(6.2),
                                       Inches(.3) * (table.height + 1))
        for j, column in enumerate(table.columns):
            shape.table.cell(0, j).text = printable(str(column))
        for i, row in enumerate(table.iter_rows(), start=1):
            for j, value in enumerate(row):
                shape.table.cell(i, j).text = printable(str(value))
        for cell in (c for r in shape.table.rows for c in r.cells):
            for para in cell.text_frame.paragraphs:
                para.font.size = Pt(10)
    if pack.queue_drivers is not None:
        table_slide("Service level: volume, handle time and staffing (Erlang C model)", pack.queue_drivers)
    if pack.people is not None:
        table_slide("People: hires and leavers", pack.people)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def find_chromium() -> str | None:
    """Return the path of a Chromium or Chrome on this machine, or None."""
    return next((p for p in map(shutil.which, CHROMIUM) if p), None)


def render_pdf(pack: Pack) -> tuple[bytes, list[str]]:
    """Return the pack as a PDF and what was left out.

    Headless Chromium prints the HTML, charts included. Without Chromium (or when it fails) the
    PDF is written here with the text and tables only, and the charts are reported as left out.
    """
    browser = find_chromium()
    if browser:
        with tempfile.TemporaryDirectory() as folder:
            page, pdf = Path(folder) / "review.html", Path(folder) / "review.pdf"
            page.write_text(render_html(pack), encoding="utf-8")
            args = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={folder}/profile", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                    "--virtual-time-budget=10000", f"--print-to-pdf={pdf}", page.as_uri()]
            try:
                subprocess.run(args, check=True, capture_output=True, timeout=120)  # noqa: S603 - fixed arguments
                if pdf.exists() and pdf.stat().st_size:
                    return pdf.read_bytes(), []
            except (OSError, subprocess.SubprocessError):
                pass
    left_out = [f"the chart of why {w.label} moved" for w in pack.whys]
    return _text_pdf(pack, left_out), left_out


def _text_pdf(pack: Pack, left_out: list[str]) -> bytes:
    """Return a plain PDF of the pack's text and tables (Helvetica, A4), for machines without Chromium."""
    lines: list[tuple[int, str]] = [(16, pack.title), (10, pack.subtitle), (10, ""), (13, "Summary")]
    lines += [(10, "- " + _plain(s)) for s in pack.narrative]
    lines += [(10, ""), (13, "The manager's commentary")]
    lines += [(10, part) for part in (pack.notes.strip() or "None written.").splitlines()]
    sections = [("KPIs", pack.kpis)] + [(f"Why {w.label} moved (by {DIMENSION_WORDS[w.dimension]})", why_table(w))
                                         for w in pack.whys]
    if pack.queue_drivers is not None:
        sections.append(("Service level: volume, handle time and staffing", pack.queue_drivers))
    if pack.people is not None:
        sections.append(("People: hires and leavers", pack.people))
    for heading, frame in sections:
        lines += [(10, ""), (13, heading), (9, " | ".join(frame.columns))]
        lines += [(9, " | ".join("" if v is None else str(v) for v in row)) for row in frame.iter_rows()]
    if left_out:
        lines += [(10, ""), (10, "Left out (no Chromium on this machine to draw them): " + "; ".join(left_out) + ".")]
    wrapped: list[tuple[int, str]] = []
    for size, text in lines:
        width = int(95 * 10 / size)
        while len(text) > width:
            cut = text.rfind(" ", 0, width)
            cut = cut if cut > 0 else width
            wrapped.append((size, text[:cut]))
            text = "   " + text[cut:].lstrip()
        wrapped.append((size, text))
    pages, page, y = [], [], 800
    for size, text in wrapped:
        if y < 50:
            pages.append(page)
            page, y = [], 800
        page.append((size, y, text))
        y -= size + 5
    pages.append(page)

    def escape(text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for content in pages:
        stream = b"".join(b"BT /F1 %d Tf 40 %d Td (" % (size, y) + escape(text) + b") Tj ET\n"
                          for size, y, text in content)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (len(objects)))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def export_pack(pack: Pack, fmt: str) -> tuple[bytes, list[str]]:
    """Return the pack in ``fmt`` (html, pdf, pptx or xlsx) and what was left out (empty when nothing)."""
    if fmt == "html":
        return render_html(pack).encode("utf-8"), []
    if fmt == "pdf":
        return render_pdf(pack)
    if fmt == "pptx":
        return render_pptx(pack), []
    if fmt == "xlsx":
        return render_xlsx(pack), []
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


__all__ = ["FORMATS", "Pack", "Why", "build_pack", "queue_drivers_table", "export_pack", "find_chromium", "render_html", "render_pdf",
           "render_pptx", "render_xlsx", "why_figure", "why_table"]
