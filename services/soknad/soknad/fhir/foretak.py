"""The trusts' organisation numbers (Enhetsregisteret), for `Organization.identifier`.

Belongs beside the trust names in `shared/domain/trusts.py`; kept here until the lead moves it. Every
number passes the organisation number's check digit (a test keeps it so); a trust missing here is
exported without one rather than with a guess."""

from __future__ import annotations

from typing import Final

ORGANISASJONSNUMMER_HF: Final[dict[str, str]] = {
    "AHUS": "983971636",
    "OUS": "993467049",
    "SUNNAAS": "883971752",
    "SI": "983971709",
    "SIV": "983975259",
    "STHF": "983975267",
    "SO": "983971695",
    "SSHF": "983975240",
    "VVHF": "894166762",
    "SUS": "983974678",
    "FONNA": "983974732",
    "HBE": "983974724",
    "FORDE": "983974791",
    "STOLAV": "883974832",
    "HMR": "997005562",
    "HNT": "983974880",
    "UNN": "983974899",
    "NLSH": "983974910",
    "HELG": "983974929",
    "FINN": "983974937",
}
