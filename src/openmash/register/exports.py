"""Exporting an authority's own records in the licence records CSV format, one row per decision event, so
the file can be imported again unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from openmash.audit import service as audit
from openmash.audit.service import Actor, Context
from openmash.identity.models import Agency
from openmash.register.licence_csv import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from openmash.register.models import Licence, Person, VehicleLicence

COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]


def _safe(value: object) -> str:
    """No spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_licences(session: Session, authority: Agency, actor: Actor, context: Context) -> Iterator[str]:
    """The authority's licences, oldest decision first. Audited before the first line is produced."""
    licences = session.scalars(
        select(Licence)
        .where(Licence.authority_id == authority.id)
        .order_by(Licence.authority_licence_ref)
        .options(
            selectinload(Licence.events),
            selectinload(Licence.person).selectinload(Person.addresses),
            selectinload(Licence.person).selectinload(Person.names),
        )
    ).all()
    vehicles = {
        link.licence_id: link
        for link in session.scalars(
            select(VehicleLicence)
            .where(VehicleLicence.licence_id.in_([lic.id for lic in licences]))
            .options(selectinload(VehicleLicence.vehicle))
        )
    }
    audit.record(
        session,
        "register.export",
        actor,
        object_type="agency",
        object_id=authority.id,
        context=context,
        details={"licences": len(licences)},
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for licence in licences:
        person = licence.person
        address = person.addresses[-1] if person.addresses else None
        link = vehicles.get(licence.id)
        for event in licence.events:
            row = {
                "authority_licence_ref": licence.authority_licence_ref,
                "licence_type": licence.licence_type,
                "event": event.kind,
                "event_date": event.event_date.isoformat(),
                "reason_category": event.reason_category,
                "surname": person.surname,
                "forenames": person.forenames,
                "date_of_birth": person.date_of_birth.isoformat(),
                "driving_licence_number": person.driving_licence_number,
                "ni_number": person.ni_number,
                "postcode": address.postcode if address else None,
                "address": address.address if address else None,
                "vehicle_registration": link.vehicle.registration if link else None,
                "sex": person.sex,
                "previous_names": ";".join(f"{n.forenames} {n.surname}".strip() for n in person.names),
                "phone": person.phone,
                "licence_expiry_date": licence.expires_on.isoformat() if licence.expires_on else None,
                "vehicle_make": link.vehicle.make if link else None,
                "vehicle_model": link.vehicle.model if link else None,
                "vehicle_colour": link.vehicle.colour if link else None,
                "authority_plate_number": link.authority_plate_number if link else None,
                "note": event.note,
            }
            writer.writerow([_safe(row[c]) for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
