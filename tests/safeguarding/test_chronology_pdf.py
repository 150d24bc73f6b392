"""The chronology as a PDF: the lines it is drawn from (the child's words verbatim and marked, corrections
linked both ways, the header's who/when/why/filters), characters in any script kept (or written as codes,
never dropped), and the rendered file: a PDF with its marking and "Page n of m" on every page, and only what
the viewer's chronology holds (a school never gets police-only entries).

fpdf2 writes text as glyph ids of a font subset; ``pdf_text`` reads it back through the font's ToUnicode map
(enough for the files fpdf2 writes; there is no PDF reader among our dependencies)."""

from __future__ import annotations

import re
import uuid
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources

import pytest
from sqlalchemy.orm import Session, sessionmaker

from openmash.audit.service import NO_CONTEXT
from openmash.config import Settings
from openmash.db.session import transaction
from openmash.safeguarding.chronology import Chronology, ChronologyFilter, Entry, chronology
from openmash.safeguarding.chronology_pdf import RTL, UNSHOWN, Export, chronology_pdf, layout, printable
from openmash.safeguarding.visibility import Scope
from tests.support.safeguarding import at, make_cast, make_child, record, who

EXPORTED = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WORDS = "  he said i was his girlfriend now\nand not to tell mum  "
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_text(data: bytes) -> str:
    """The text of a PDF written by fpdf2 with embedded TrueType fonts, one line per text-showing operator."""
    objects = dict(re.findall(rb"(?m)^(\d+) 0 obj\n(.*?)\nendobj", data, re.S))

    def stream(number: bytes) -> bytes:
        body = objects[number]
        found = re.search(rb"stream\n(.*)\nendstream", body, re.S)
        assert found is not None
        head = body[: found.start()]
        return zlib.decompress(found.group(1)) if b"/FlateDecode" in head else found.group(1)

    def ref(body: bytes, key: bytes) -> bytes:
        found = re.search(rb"/" + key + rb" (\d+) 0 R", body)
        assert found is not None
        return found.group(1)

    to_unicode: dict[bytes, dict[bytes, str]] = {}
    for number, body in objects.items():
        if b"/Type0" in body:
            pairs = re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", stream(ref(body, b"ToUnicode")))
            to_unicode[number] = {
                bytes.fromhex(k.decode()): bytes.fromhex(v.decode()).decode("utf-16-be") for k, v in pairs
            }
    lines: list[str] = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        fonts = dict(re.findall(rb"/(F\d+) (\d+) 0 R", objects[ref(body, b"Resources")]))
        cmap: dict[bytes, str] = {}
        content = stream(ref(body, b"Contents"))
        for font, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) ?Tj", content, re.S):
            if font:
                cmap = to_unicode[fonts[font]]
                continue
            raw = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: bytes([int(m[1], 8)]) if m[1][:1].isdigit() else _ESCAPES.get(m[1], m[1]),
                literal,
                flags=re.S,
            )
            lines.append("".join(cmap.get(raw[i : i + 2], "\ufffd") for i in range(0, len(raw), 2)))
    return "\n".join(lines)


def flat(text: str) -> str:
    """Whitespace collapsed, so that a wrapped line still reads as one."""
    return " ".join(text.split())


def entry(**kw: object) -> Entry:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "occurred_at": at(2026, 2, 3),
        "recorded_at": at(2026, 2, 3, 15),
        "backdated": False,
        "agency_name": "Northgate Academy",
        "agency_type": "school",
        "own_agency": True,
        "recorded_by": "Ms Şahin",
        "category_code": "going_missing",
        "category_label": "Going missing",
        "indicator_kind": "moderate",
        "summary": "Did not come home after school",
        "childs_words": None,
        "vehicle_registration": None,
        "vehicle_description": None,
        "shared_with_police": False,
        "corrects_id": None,
        "correction_reason": None,
        "corrected_by_id": None,
    }
    values.update(kw)
    return Entry(**values)  # type: ignore[arg-type]


def a_chronology(*entries: Entry, surname: str = "Whitfield", forenames: str = "Kayleigh") -> Chronology:
    return Chronology(
        child_id=uuid.uuid4(),
        surname=surname,
        forenames=forenames,
        date_of_birth=date(2011, 5, 14),
        badges=[],
        scope=Scope.WHOLE,
        entries=list(entries),
    )


EXPORT = Export(exported_by="Ann Hale (Northshire MASH)", exported_at=EXPORTED, purpose="Strategy meeting 41")


def test_the_header_says_who_exported_it_when_why_and_with_which_filters() -> None:
    filters = ChronologyFilter(
        agency_types={"school"}, categories={"going_missing"}, occurred_from=date(2026, 1, 1)
    )
    export = replace(EXPORT, filters=filters, category_labels={"going_missing": "Going missing"})
    texts = [line.text for line in layout(a_chronology(entry()), export)]
    assert texts[:6] == [
        "Chronology of Kayleigh Whitfield",
        "Born 14 May 2011.",
        "Exported by Ann Hale (Northshire MASH) on 10 Mar 2026 12:00.",
        "Purpose: Strategy meeting 41.",
        "Filters: recorded by School; categories Going missing; happened on or after 1 January 2026.",
        "1 entry. You see every agency's entries (the MASH and the lead professional).",
    ]
    unfiltered = layout(a_chronology(), replace(EXPORT, purpose=None))
    assert "Filters: none (every entry you may see)." in [line.text for line in unfiltered]
    assert "Purpose: none needed (your agency's own records)." in [line.text for line in unfiltered]


def test_the_childs_own_words_are_kept_verbatim_and_marked_as_theirs() -> None:
    lines = layout(a_chronology(entry(childs_words=WORDS)), EXPORT)
    words = [line for line in lines if line.style == "words"]
    assert [(w.label, w.text) for w in words] == [("The child's own words, exactly as recorded", WORDS)]


def test_a_corrected_entry_is_marked_superseded_and_linked_to_its_correction_and_back() -> None:
    original = entry(summary="At the gate at 15:10")
    correction = entry(
        summary="At the gate at 15:40", corrects_id=original.id, correction_reason="Wrong time"
    )
    original = replace(original, corrected_by_id=correction.id)
    lines = layout(a_chronology(original, correction), EXPORT)
    headings = [line.text for line in lines if line.style == "heading"]
    assert headings == [
        "1. 3 Feb 2026 12:00: Going missing  [Corrected]",
        "2. 3 Feb 2026 12:00: Going missing  [Correction]",
    ]
    status = next(line for line in lines if line.label == "Status")
    assert status.text == "Superseded: this entry was corrected (see entry 2). It is kept as it was recorded."
    assert status.link_to == correction.id
    corrects = next(line for line in lines if line.label == "Correction")
    assert (corrects.text, corrects.link_to) == ("Corrects entry 1. Reason: Wrong time", original.id)


def test_a_correction_outside_the_export_is_named_as_missing_not_linked() -> None:
    original = entry(corrected_by_id=uuid.uuid4())
    status = next(line for line in layout(a_chronology(original), EXPORT) if line.label == "Status")
    assert "the correction is not in this export" in status.text
    assert status.link_to is None


def test_a_character_without_a_shape_is_written_as_its_code_and_the_export_says_so() -> None:
    assert printable("Zoë\tsaid 中文\x07", lambda code: code < 0x3000 and code != 7) == (
        "Zoë    said [U+4E2D][U+6587][U+0007]",
        True,
    )
    assert printable("Şeyma Łukasz", lambda _: True) == ("Şeyma Łukasz", False)
    lines = layout(a_chronology(entry(childs_words="他说")), EXPORT, lambda code: code < 0x3000)
    assert any(line.text == UNSHOWN for line in lines)
    assert next(line for line in lines if line.style == "words").text == "[U+4ED6][U+8BF4]"
    assert not any(line.text == UNSHOWN for line in layout(a_chronology(entry()), EXPORT))


def test_right_to_left_writing_carries_a_note_that_it_is_drawn_left_to_right() -> None:
    lines = layout(a_chronology(entry(childs_words="قال لي لا تخبري أمك"), forenames="נועה"), EXPORT)
    styles = [line.style for line in lines]
    assert lines[styles.index("title") + 1].text == RTL  # the name
    assert lines[styles.index("words") + 1].text == RTL
    assert [line.text for line in lines].count(RTL) == 2


def test_the_font_and_its_licence_are_package_data() -> None:
    fonts = resources.files("openmash.safeguarding") / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"):
        assert (fonts / name).is_file(), name
    assert "Bitstream Vera" in (fonts / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")


def test_the_pdf_has_its_marking_and_page_n_of_m_on_every_page_and_no_name_in_its_title() -> None:
    many = [entry(occurred_at=at(2026, 1, 1 + n % 28), summary=f"Entry number {n} " * 12) for n in range(40)]
    c = a_chronology(*many)
    data = chronology_pdf(c, EXPORT)
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pages = int(re.findall(rb"/Count (\d+)", data)[0])
    assert pages > 2
    text = pdf_text(data)
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in flat(text)
    assert text.count("OFFICIAL-SENSITIVE") == 2 * pages  # above and below
    assert f"/Title (Chronology of child {c.child_id})".encode() in data
    assert b"/Subject (OFFICIAL-SENSITIVE)" in data
    assert b"Whitfield" not in data  # the name is only in the (encoded) text


def test_names_and_words_in_any_script_are_drawn_and_the_rest_written_as_codes() -> None:
    words = "Иван сказал: مرحبا 🙂 他"
    c = a_chronology(entry(childs_words=words), surname="Łukasiewicz-Öztürk", forenames="Şeyma")
    text = flat(pdf_text(chronology_pdf(c, EXPORT, compress=False)))
    assert "Chronology of Şeyma Łukasiewicz-Öztürk" in text
    assert "Recorded by Northgate Academy (School), Ms Şahin" in text
    # The bundled DejaVu Sans has no Chinese, nor this emoji in bold: both written as codes.
    assert "Иван сказал: مرحبا [U+1F642] [U+4ED6]" in text
    assert flat(UNSHOWN) in text
    assert flat(RTL) in text


@pytest.fixture
def mixed(sessions: sessionmaker[Session], settings: Settings) -> tuple[object, uuid.UUID]:
    cast = make_cast(sessions, settings)
    with transaction(sessions) as session:
        school = who(session, cast.school)
        child = make_child(session, school, surname="Whitfield", forenames="Kayleigh")
        record(
            session, school, child.id, "school_absence_or_exclusion", at(2026, 2, 3), summary="Absent Monday"
        )
        record(
            session,
            who(session, cast.police),
            child.id,
            "drugs_or_alcohol",
            at(2026, 2, 4),
            summary="Stop 7731",
        )
    return cast, child.id


def test_a_school_users_pdf_lacks_the_police_only_entries(
    sessions: sessionmaker[Session], mixed: tuple[object, uuid.UUID]
) -> None:
    cast, child_id = mixed
    with transaction(sessions) as session:
        seen = chronology(
            session,
            who(session, cast.school),  # type: ignore[attr-defined]
            child_id,
            purpose=None,
            context=NO_CONTEXT,
            action="safeguarding.chronology.export_pdf",
        )
    text = flat(pdf_text(chronology_pdf(seen, replace(EXPORT, purpose=None))))
    assert "Absent Monday" in text
    assert "Stop 7731" not in text
    assert "Drugs or alcohol" not in text
    assert "1 entry. You see your own agency's entries only." in text
