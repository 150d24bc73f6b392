"""A child's chronology as a PDF: exactly the entries of a ``Chronology`` already opened for the viewer
(need-to-know, filters and the audit are ``chronology.chronology``'s; this module never reads the database).

``layout`` turns the chronology into lines (pure, tested on its own); ``chronology_pdf`` draws them. The text
is in DejaVu Sans, bundled in ``fonts/`` with its licence, because names and the child's own words can be in
any script and PDF's built-in fonts know Latin-1 only. A character the font has no shape for is never dropped:
it is written as its code, ``[U+4E2D]``, and the export says so. Right-to-left writing is drawn letter by
letter, left to right (no shaping library is installed), and the entry says so.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources

from fpdf import FPDF

from openmash.identity.permissions import AGENCY_TYPE_LABELS, AgencyType
from openmash.register.workdays import UK
from openmash.safeguarding.chronology import Chronology, ChronologyFilter, Entry

MARKING = "OFFICIAL-SENSITIVE"
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_PAGES = "\x1fpages\x1f"  # the total page count's alias: a control character, so no recorded text contains it
KINDS = {"vulnerability": "Vulnerability", "moderate": "Moderate indicator"}
KINDS |= {"significant": "Significant indicator", "other": "Other"}
SCOPES = {
    "whole": "You see every agency's entries (the MASH and the lead professional).",
    "police": "You see your force's entries and those other agencies shared with police.",
    "own_agency": "You see your own agency's entries only.",
}
UNSHOWN = (
    "Some characters have no shape in this document's font and are written as their codes, like [U+4E2D]. "
    "The chronology on screen shows them."
)
RTL = (
    "Right-to-left writing here is drawn letter by letter, left to right. "
    "The chronology on screen shows it as written."
)


@dataclass(frozen=True)
class Export:
    """Who exported, when, why and with which filters; and what each concern shown mentions (as the page lists
    them, already narrowed to the viewer: ``network.mentions.mentions_shown``)."""

    exported_by: str
    exported_at: datetime
    purpose: str | None
    filters: ChronologyFilter = field(default_factory=ChronologyFilter)
    category_labels: Mapping[str, str] = field(default_factory=dict)
    mentions: Mapping[uuid.UUID, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """``style``: title, text, note, heading (an entry starts: ``anchor``), field, words (the child's own)."""

    style: str
    text: str
    label: str = ""
    anchor: uuid.UUID | None = None
    link_to: uuid.UUID | None = None


def uk_time(moment: datetime) -> str:
    return moment.astimezone(UK).strftime("%-d %b %Y %H:%M")


def long_date(day: date) -> str:
    return day.strftime("%-d %B %Y")


def printable(text: str, has_glyph: Callable[[int], bool]) -> tuple[str, bool]:
    """The text as drawn: line breaks kept, a tab as spaces, anything else without a shape as ``[U+XXXX]``;
    and whether anything was written as a code."""
    out, coded = [], False
    for char in text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    "):
        shown = char == "\n" or (unicodedata.category(char) != "Cc" and has_glyph(ord(char)))
        out.append(char if shown else f"[U+{ord(char):04X}]")
        coded |= not shown
    return "".join(out), coded


def agency_type_label(value: str) -> str:
    known = value in AgencyType._value2member_map_
    return AGENCY_TYPE_LABELS.get(AgencyType(value), value) if known else value


def _filters_text(filters: ChronologyFilter, labels: Mapping[str, str]) -> str:
    parts = []
    if filters.agency_types:
        parts.append("recorded by " + ", ".join(agency_type_label(t) for t in sorted(filters.agency_types)))
    if filters.categories:
        parts.append("categories " + ", ".join(labels.get(c, c) for c in sorted(filters.categories)))
    if filters.occurred_from:
        parts.append("happened on or after " + long_date(filters.occurred_from))
    if filters.occurred_to:
        parts.append("happened on or before " + long_date(filters.occurred_to))
    return "Filters: " + ("; ".join(parts) if parts else "none (every entry you may see)") + "."


def _cover(c: Chronology, export: Export) -> list[Line]:
    born = f"Born {long_date(c.date_of_birth)}" if c.date_of_birth else "Date of birth not known"
    count = len(c.entries)
    return [
        Line("title", f"Chronology of {c.forenames} {c.surname}"),
        Line("text", ". ".join([born, *(b.label for b in c.badges)]) + "."),
        Line("text", f"Exported by {export.exported_by} on {uk_time(export.exported_at)}."),
        Line(
            "text",
            f"Purpose: {export.purpose}."
            if export.purpose
            else "Purpose: none needed (your agency's own records).",
        ),
        Line("text", _filters_text(export.filters, export.category_labels)),
        Line("text", f"{count} entr{'ies' if count != 1 else 'y'}. {SCOPES.get(c.scope, '')}"),
        Line(
            "note", "This export was recorded in the audit trail. Do not pass it on beyond those who need it."
        ),
    ]


def _entry(e: Entry, numbers: Mapping[uuid.UUID, int], export: Export) -> list[Line]:
    tags = [("Corrected", e.corrected), ("Correction", e.is_correction), ("Recorded later", e.backdated)]
    tags.append(("Shared with police", e.shared_with_police))
    heading = f"{numbers[e.id]}. {uk_time(e.occurred_at)}: {e.category_label}"
    heading += "".join(f"  [{tag}]" for tag, on in tags if on)
    agency = agency_type_label(e.agency_type)
    lines = [
        Line("heading", heading, anchor=e.id),
        Line(
            "field", f"{e.agency_name} ({agency}), {e.recorded_by}, {uk_time(e.recorded_at)}", "Recorded by"
        ),
        Line("field", KINDS.get(e.indicator_kind, e.indicator_kind), "Kind"),
        Line("field", e.summary, "What happened"),
    ]
    if e.childs_words:
        lines.append(Line("words", e.childs_words, "The child's own words, exactly as recorded"))
    if e.vehicle_registration or e.vehicle_description:
        vehicle = (e.vehicle_registration or "Registration not known") + (
            f", {e.vehicle_description}" if e.vehicle_description else ""
        )
        lines.append(Line("field", vehicle, "Vehicle"))
    if export.mentions.get(e.id):
        lines.append(Line("field", "\n".join(export.mentions[e.id]), "Mentions"))
    if e.is_correction:
        target = numbers.get(e.corrects_id) if e.corrects_id else None
        which = (
            f"entry {target}"
            if target
            else "an earlier entry (not in this export)"
            if e.corrects_id
            else "an earlier entry not shown to you"
        )
        lines.append(
            Line(
                "field",
                f"Corrects {which}. Reason: {e.correction_reason or ''}",
                "Correction",
                link_to=e.corrects_id if target else None,
            )
        )
    if e.corrected_by_id:
        target = numbers.get(e.corrected_by_id)
        which = f"see entry {target}" if target else "the correction is not in this export"
        lines.append(
            Line(
                "field",
                f"Superseded: this entry was corrected ({which}). It is kept as it was recorded.",
                "Status",
                link_to=e.corrected_by_id if target else None,
            )
        )
    return lines


def layout(c: Chronology, export: Export, has_glyph: Callable[[int], bool] = lambda _: True) -> list[Line]:
    """Every line of the document, in order, as it will be drawn (characters without a shape as codes)."""
    numbers = {e.id: n for n, e in enumerate(c.entries, start=1)}
    raw = _cover(c, export) + [line for e in c.entries for line in _entry(e, numbers, export)]
    lines: list[Line] = []
    coded = False
    for line in raw:
        text, changed = printable(line.text, has_glyph)
        coded |= changed
        lines.append(Line(line.style, text, line.label, line.anchor, line.link_to))
        if line.style != "note" and any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
            lines.append(Line("note", RTL))
    if coded:
        lines.insert(len(_cover(c, export)), Line("note", UNSHOWN))
    return lines


class _Document(FPDF):
    """A4, DejaVu Sans; OFFICIAL-SENSITIVE above and below every page, the child above, who and "Page n of m"
    below."""

    def __init__(self, running: str, footer: str) -> None:
        super().__init__(format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages(_PAGES)
        with resources.as_file(resources.files("openmash.safeguarding") / "fonts") as folder:
            for style, name in FONT_FILES.items():
                self.add_font(FONT, style, folder / name)
        self.shapes = set.intersection(*(set(getattr(font, "cmap", {})) for font in self.fonts.values()))
        self.running, self.footer_text = (printable(t, self.has_glyph)[0] for t in (running, footer))

    def has_glyph(self, code: int) -> bool:
        return code in self.shapes

    def write_line(self, text: str, size: float, bold: bool = False, h: float = 5, **kw: object) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        kw.setdefault("align", "L")  # ragged right: multi_cell justifies by default
        self.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT", **kw)  # type: ignore[arg-type]

    def header(self) -> None:
        self.write_line(MARKING, 8, bold=True, h=4, align="C")
        self.write_line(self.running, 8, h=4, align="C")
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-14)
        self.write_line(f"{self.footer_text}    Page {self.page_no()} of {_PAGES}", 8, h=4, align="C")
        self.write_line(MARKING, 8, bold=True, h=4, align="C")


def _draw(pdf: _Document, lines: Sequence[Line], links: Mapping[uuid.UUID, int]) -> None:
    for line in lines:
        if line.style == "title":
            pdf.write_line(line.text, 16, bold=True, h=8)
            pdf.ln(2)
        elif line.style == "heading":
            if pdf.get_y() > pdf.page_break_trigger - 35:  # not a heading alone at the foot of a page
                pdf.add_page()
            pdf.ln(4)
            if line.anchor is not None and line.anchor in links:
                pdf.set_link(links[line.anchor], y=pdf.get_y())
            pdf.write_line(line.text, 11, bold=True, h=6, border="T")
        elif line.style in ("field", "words"):
            pdf.write_line(line.label, 9, bold=True)
            pdf.set_x(pdf.l_margin + 4)
            link = links.get(line.link_to, "") if line.link_to else ""
            pdf.write_line(line.text, 10, border="L" if line.style == "words" else 0, link=link)
        else:
            pdf.write_line(line.text, 10 if line.style == "text" else 9)


def chronology_pdf(chronology: Chronology, export: Export, *, compress: bool = True) -> bytes:
    """The chronology the viewer was shown, as an A4 PDF. ``compress=False`` leaves the streams readable."""
    c = chronology
    born = long_date(c.date_of_birth) if c.date_of_birth else "date of birth not known"
    pdf = _Document(
        f"Chronology of {c.forenames} {c.surname}, born {born}",
        f"Exported by {export.exported_by}, {uk_time(export.exported_at)}",
    )
    pdf.set_compression(compress)
    pdf.set_title(f"Chronology of child {c.child_id}")  # no name: document lists show titles
    pdf.set_subject(MARKING)
    pdf.set_creator("openmash")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(export.exported_at)
    pdf.add_page()
    links = {e.id: pdf.add_link() for e in c.entries}
    _draw(pdf, layout(c, export, pdf.has_glyph), links)
    return bytes(pdf.output())
