"""Charts: static SVG made at build time, for the trends page and the method pages.

Each chart is a <figure> holding inline SVG (so the theme's colours reach it: CSS variables
make it readable in light and dark mode), a caption that says what it shows in words, and
the figures themselves as a table for screen readers and for anyone who wants the numbers.
Bars carry a <title> with their label and count. Every label is escaped; the SVG is well-formed
XML with its namespace, so each chart can also be saved and opened on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup

from .group import Corpus, Item

SVG = 'xmlns="http://www.w3.org/2000/svg"'
CHART_MONTHS = 36  # the method pages' small chart shows the last three years
TREND_MONTHS = 120  # the Trends charts show the last ten years, whatever dates the papers claim
TOP_METHODS = 8  # methods over time
MATRIX_METHODS = 12  # co-occurrence
WIDTH = 720
MAX_BAR = 36  # a few months still look like bars, not a wall
# English whatever the locale (calendar.month_name follows it, and calls strftime on every lookup).
MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


@dataclass(frozen=True)
class Table:
    """A chart's figures: column headings and rows, for the text alternative."""

    headings: tuple[str, ...]
    rows: tuple[tuple, ...]


def papers_per_month(items: tuple[Item, ...]) -> Markup:
    """Bars of dated papers per month over every month the atlas covers."""
    counts = Counter(item.month for item in items if item.month)
    if not counts:
        return Markup("")
    months = recent_months(counts)
    counts = Counter({m: counts[m] for m in months})
    height, axis = 160, 18
    width = min(WIDTH / len(months), MAX_BAR)
    span = width * len(months)
    tallest = max(counts.values())
    bars = [_bar(i * width, height, width, counts[m], tallest, f"{month_name(m)}: {counts[m]}") for i, m in enumerate(months)]
    labels = [_text(i * width, height + 13, m[:4]) for i, m in enumerate(months) if _year_starts(months, i)]
    busiest = max(months, key=lambda m: (counts[m], m))
    summary = (f"{sum(counts.values())} dated papers from {month_name(months[0])} to {month_name(months[-1])}; "
               f"the busiest month was {month_name(busiest)} with {counts[busiest]}.")
    svg = _svg(max(span, 200), height + axis, summary, [_gridline(0, span, 0, f"{tallest}"), *bars, _axis(span, height), *labels])
    return figure(svg, summary, Table(("Month", "Papers"), tuple((month_name(m), counts[m]) for m in months)))


def methods_over_time(corpus: Corpus, top: int = TOP_METHODS) -> Markup:
    """Small multiples: papers per month of the most used methods, one row each, on one scale."""
    ranked = most_used(corpus.taxonomy.methods, corpus.by_method)[:top]
    per_method = {t.slug: Counter(item.month for item in corpus.by_method[t.slug] if item.month) for t in ranked}
    every = Counter()
    for counts in per_method.values():
        every.update(counts)
    if not every:
        return Markup("")
    months = recent_months(every)
    label, row, gap = 230, 34, 6
    width = min((WIDTH - label) / len(months), MAX_BAR)
    span = label + width * len(months)
    tallest = max(max(c.values(), default=0) for c in per_method.values())
    parts = []
    for number, term in enumerate(ranked):
        counts, top_y = per_method[term.slug], number * row
        parts.append(_text(label - 8, top_y + row - gap - 4, term.name, css="atlas-chart__name", anchor="end"))
        parts += [_bar(label + i * width, top_y + row - gap, width, counts[m], tallest, f"{term.name}, {month_name(m)}: {counts[m]}",
                       max_height=row - gap - 4) for i, m in enumerate(months)]
        parts.append(_axis(span, top_y + row - gap, start=label))
    height = len(ranked) * row
    parts += [_text(label + i * width, height + 8, m[:4]) for i, m in enumerate(months) if _year_starts(months, i)]
    leader = ranked[0]
    summary = (f"Papers per month for the {len(ranked)} most used methods, {month_name(months[0])} to "
               f"{month_name(months[-1])}, on one scale (tallest bar: {tallest}); {leader.name} has the most papers.")
    table = Table(("Method", *(month_name(m) for m in months)), tuple((t.name, *(per_method[t.slug][m] for m in months)) for t in ranked))
    return figure(_svg(max(span, 300), height + 14, summary, parts), summary, table)


def cooccurrence(corpus: Corpus, top: int = MATRIX_METHODS) -> Markup:
    """A matrix of the most used methods: how many papers use both of a pair."""
    ranked = most_used(corpus.taxonomy.methods, corpus.by_method)[:top]
    ranked = [t for t in ranked if corpus.by_method[t.slug]]
    if len(ranked) < 2:
        return Markup("")
    pairs = {(a, b): n for a, others in corpus.cooccurring.items() for b, n in others}
    label, cell = 170, 34
    top_margin = 120
    strongest = max((pairs.get((a.slug, b.slug), 0) for a in ranked for b in ranked if a != b), default=0) or 1
    parts = []
    for i, term in enumerate(ranked):
        y, x = top_margin + i * cell, label + i * cell
        parts.append(_text(label - 6, y + cell / 2 + 4, term.name, css="atlas-chart__name", anchor="end"))
        parts.append(Markup('<text class="atlas-chart__name" x="{x}" y="{y}" transform="rotate(-40 {x} {y})">{name}</text>').format(
            x=_n(x + cell / 2), y=top_margin - 6, name=term.name))
        for j, other in enumerate(ranked):
            count = pairs.get((term.slug, other.slug), 0) if i != j else None
            parts.append(_cell(label + j * cell, y, cell, count, strongest, term.name, other.name))
    size = label + len(ranked) * cell
    best = max(((a, b) for a in ranked for b in ranked if a.slug < b.slug), key=lambda p: pairs.get((p[0].slug, p[1].slug), 0))
    summary = (f"How often the {len(ranked)} most used methods appear in the same paper; the most frequent pair is "
               f"{best[0].name} with {best[1].name} ({pairs.get((best[0].slug, best[1].slug), 0)} papers).")
    table = Table(("Method", *(t.name for t in ranked)),
                  tuple((a.name, *("—" if a == b else pairs.get((a.slug, b.slug), 0) for b in ranked)) for a in ranked))
    return figure(_svg(max(size, 200), top_margin + len(ranked) * cell, summary, parts), summary, table)


def topic_shares(corpus: Corpus) -> Markup:
    """Horizontal bars: the share of papers in each topic (a paper may have several)."""
    total = len(corpus.items)
    if not total:
        return Markup("")
    topics = most_used(corpus.taxonomy.topics, corpus.by_topic)
    label, row, figures = 200, 24, 110
    span = WIDTH - label - figures
    most = max(len(corpus.by_topic[t.slug]) for t in topics) or 1
    parts = []
    for i, term in enumerate(topics):
        count, y = len(corpus.by_topic[term.slug]), i * row
        share = 100 * count / total
        parts.append(_text(label - 6, y + 16, term.name, css="atlas-chart__name", anchor="end"))
        length = span * count / most
        parts.append(Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}"><title>{t}</title></rect>').format(
            x=label, y=y + 4, w=_n(length), h=row - 8, t=f"{term.name}: {count} papers, {share:.0f}%"))
        parts.append(_text(label + length + 6, y + 16, f"{count} · {share:.0f}%"))
    summary = (f"Share of the {total} papers in each topic (a paper can have several); "
               f"the largest is {topics[0].name} with {len(corpus.by_topic[topics[0].slug])}.")
    table = Table(("Topic", "Papers", "Share"), tuple((t.name, len(corpus.by_topic[t.slug]),
                                                       f"{100 * len(corpus.by_topic[t.slug]) / total:.0f}%") for t in topics))
    return figure(_svg(WIDTH, len(topics) * row, summary, parts), summary, table)


def most_used(terms, papers_by_term: dict) -> list:
    """The terms, the one with the most papers first, ties by name."""
    return sorted(terms, key=lambda term: (-len(papers_by_term[term.slug]), term.name))


def month_chart(items: tuple[Item, ...]) -> Markup:
    """A method page's small bar chart of papers per month (the last three years), with the
    same figures as text for screen readers."""
    counts = Counter(item.month for item in items if item.month)
    if not counts:
        return Markup("")
    months = recent_months(counts)[-CHART_MONTHS:]
    tallest = max(counts[m] for m in months) or 1
    width, height, gap = 12, 48, 2
    bars = Markup("").join(
        Markup('<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>').format(
            i * width, height - h, width - gap, h, month_name(m), counts[m])
        for i, m in enumerate(months)
        if (h := round(height * counts[m] / tallest)) > 0
    )
    busiest = max(months, key=lambda m: (counts[m], m))
    summary = (f"Papers per month from {month_name(months[0])} to {month_name(months[-1])}; "
               f"busiest: {month_name(busiest)} with {counts[busiest]}.")
    return Markup(
        '<figure class="atlas-chart"><svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{s}">'
        '{bars}</svg><figcaption>{s}</figcaption></figure>'
    ).format(w=len(months) * width, h=height, s=summary, bars=bars)


def figure(svg: Markup, caption: str, table: Table) -> Markup:
    """The chart, its caption, and its figures as a table folded under it."""
    head = Markup("").join(Markup("<th>{}</th>").format(h) for h in table.headings)
    rows = Markup("\n").join(
        Markup("<tr>{}</tr>").format(Markup("").join(Markup("<{tag}>{v}</{tag}>").format(tag="th" if i == 0 else "td", v=v)
                                                     for i, v in enumerate(row)))
        for row in table.rows)
    return Markup(
        '<figure class="atlas-chart atlas-chart--wide">\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>\n'
        '<details class="atlas-chart__data"><summary>The figures as a table</summary>\n'
        '<div class="atlas-table-scroll"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table></div>\n</details>'
    ).format(svg=svg, caption=caption, head=head, rows=rows)


def _year_starts(months: list[str], i: int) -> bool:
    """Whether month i gets its year under the axis: each January, and the first month unless a
    January follows within four months (its label would be drawn over)."""
    return months[i].endswith("-01") or (i == 0 and not any(m.endswith("-01") for m in months[1:5]))


def recent_months(counts: Counter) -> list[str]:
    """Every month from the first with papers to the last, or the last TREND_MONTHS of them:
    a chart stays a chart however far apart the dates are."""
    first, last = min(counts), max(counts)
    year, month = map(int, last.split("-"))
    earliest = f"{year - TREND_MONTHS // 12:04d}-{month:02d}"
    return month_range(max(first, earliest), last)[-TREND_MONTHS:]


def month_range(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from first to last."""
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_name(month: str | None) -> str:
    """"2025-03" as "March 2025"."""
    if not month or month == "undated":
        return "Undated"
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number)]} {year}"


def _svg(width: float, height: float, summary: str, parts: list[Markup]) -> Markup:
    return Markup('<svg {ns} viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{s}">'
                  '<title>{s}</title>\n{parts}\n</svg>').format(
        ns=Markup(SVG), w=_n(width), h=_n(height), s=summary, parts=Markup("\n").join(parts))


def _bar(x: float, bottom: float, width: float, count: int, tallest: int, title: str, max_height: float = 150) -> Markup:
    """A bar standing on `bottom`; nothing for a zero count (its title would have no area to show on)."""
    if not count:
        return Markup("")
    height = max(1.0, max_height * count / tallest)
    return Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}"><title>{t}</title></rect>').format(
        x=_n(x), y=_n(bottom - height), w=_n(max(width - 1, 0.6)), h=_n(height), t=title)


def _cell(x: float, y: float, size: float, count: int | None, strongest: int, row: str, column: str) -> Markup:
    if count is None:  # the diagonal: a method with itself
        return Markup('<rect class="atlas-chart__self" x="{x}" y="{y}" width="{s}" height="{s}"/>').format(x=_n(x), y=_n(y), s=size - 2)
    shade = 0.08 + 0.92 * count / strongest if count else 0.0
    label = _text(x + size / 2 - 1, y + size / 2 + 3, str(count), anchor="middle", css="atlas-chart__count") if count else Markup("")
    return Markup('<rect x="{x}" y="{y}" width="{s}" height="{s}" fill-opacity="{o}"><title>{t}</title></rect>{label}').format(
        x=_n(x), y=_n(y), s=size - 2, o=f"{shade:.2f}", t=f"{row} + {column}: {count} papers", label=label)


def _text(x: float, y: float, text: str, css: str = "atlas-chart__label", anchor: str = "start") -> Markup:
    return Markup('<text class="{c}" x="{x}" y="{y}" text-anchor="{a}">{t}</text>').format(c=css, x=_n(x), y=_n(y), a=anchor, t=text)


def _axis(width: float, y: float, start: float = 0) -> Markup:
    return Markup('<line class="atlas-chart__axis" x1="{a}" y1="{y}" x2="{b}" y2="{y}"/>').format(a=_n(start), b=_n(width), y=_n(y))


def _gridline(start: float, end: float, y: float, label: str) -> Markup:
    return Markup('<line class="atlas-chart__grid" x1="{a}" y1="{y}" x2="{b}" y2="{y}"/>'
                  '<text class="atlas-chart__label" x="{b}" y="{ty}" text-anchor="end">{t}</text>').format(
        a=_n(start), b=_n(end), y=_n(y + 10), ty=_n(y + 8), t=label)


def _n(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
