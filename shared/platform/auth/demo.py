"""Seed data of the embedded default's directory: demo users of every role in two demo trusts.

Only `shared/platform/katalog/seed.py` reads this; everything else asks the directory."""

from __future__ import annotations

from dataclasses import dataclass

from shared.platform.auth.principal import Principal, Role


@dataclass(frozen=True)
class DemoEnhet:
    kode: str
    navn: str
    hf: str
    resh_id: str
    kostnadssteder: tuple[tuple[str, str], ...] = ()


# RESH-ids and cost centres are made up for the demo.
DEMO_ENHETER: tuple[DemoEnhet, ...] = (
    DemoEnhet(
        "HBE-NEVRO", "Nevrologisk avdeling, Haukeland", "HBE", "900101", (("4410", "Nevrologi sengepost"),)
    ),
    DemoEnhet(
        "HBE-REVMA",
        "Seksjon for revmatologi, Haukeland",
        "HBE",
        "900102",
        (("4520", "Revmatologi poliklinikk"),),
    ),
    DemoEnhet(
        "OUS-NEVRO", "Nevrologisk avdeling, Rikshospitalet", "OUS", "900201", (("7310", "Nevrologi RH"),)
    ),
    DemoEnhet(
        "OUS-BARN", "Barne- og ungdomsklinikken, Ullevål", "OUS", "900202", (("7650", "Barneklinikken"),)
    ),
)

_PEOPLE = {
    "HBE": {
        Role.SOKER: ("Kari Nordmann", "HBE-NEVRO", "9144889"),
        Role.LEDER: ("Per Hansen", "HBE-NEVRO", None),
        Role.KOMITE: ("Ingrid Berg", None, None),
        Role.FAGDIREKTOR: ("Lars Haugen", None, None),
        Role.CONTROLLER: ("Siri Dahl", None, None),
        Role.NASJONAL: ("Ola Vik", None, None),
        Role.ADMIN: ("Anne Lie", None, None),
        Role.PERSONVERN: ("Berit Sand", None, None),
    },
    "OUS": {
        Role.SOKER: ("Jonas Bakke", "OUS-NEVRO", "9155771"),
        Role.LEDER: ("Maria Solberg", "OUS-NEVRO", None),
        Role.KOMITE: ("Erik Strand", None, None),
        Role.FAGDIREKTOR: ("Hilde Moen", None, None),
        Role.CONTROLLER: ("Tore Lunde", None, None),
        Role.NASJONAL: ("Nina Holm", None, None),
        Role.ADMIN: ("Geir Aas", None, None),
        Role.PERSONVERN: ("Jon Rø", None, None),
    },
}

DEMO_USERS: dict[str, Principal] = {
    f"{hf.lower()}-{role.value}": Principal(
        user_id=f"{hf.lower()}-{role.value}",
        name=name,
        roles=frozenset({role}),
        hf=hf,
        enhet=enhet,
        hpr_number=hpr,
    )
    for hf, people in _PEOPLE.items()
    for role, (name, enhet, hpr) in people.items()
}

# A second applicant per trust, so co-authoring can be shown.
DEMO_USERS["hbe-soker2"] = Principal("hbe-soker2", "Mona Ruud", frozenset({Role.SOKER}), "HBE", "HBE-NEVRO")
DEMO_USERS["ous-soker2"] = Principal("ous-soker2", "Ali Khan", frozenset({Role.SOKER}), "OUS", "OUS-BARN")
# A second leader per trust, in another unit, so delegating the anchoring can be shown.
DEMO_USERS["hbe-leder2"] = Principal("hbe-leder2", "Eva Lund", frozenset({Role.LEDER}), "HBE", "HBE-REVMA")
DEMO_USERS["ous-leder2"] = Principal("ous-leder2", "Knut Dahl", frozenset({Role.LEDER}), "OUS", "OUS-BARN")
