"""People for a trust the demo seed does not cover, written into its directory as its admin would.

The demo seed (`shared/platform/auth/demo.py`) knows HBE and OUS only, so a distributed topology with any
other trust has nobody with a role there, and with OIDC the trust's directory (not the token) decides
roles. `bemann` adds a unit with a cost centre, and an applicant, a leader, a committee member and a
medical director, through the directory's own admin operations (with an installer acting as the trust's
first admin), once the services have migrated the directory database."""

from __future__ import annotations

from dataclasses import dataclass

from shared.platform.auth.principal import Principal, Role
from shared.platform.katalog import Katalog


@dataclass(frozen=True)
class Bemanning:
    """The user ids `bemann` created, as the tokens of the test issuer must name them."""

    soker: str
    leder: str
    komite: str
    fagdirektor: str


async def bemann(katalog_url: str, hf: str, *, enhet: str, navn: dict[Role, str]) -> Bemanning:
    """Add `enhet` (with cost centre 4100) and one person per role to the directory at `katalog_url`.

    `navn` gives the names of SOKER, LEDER, KOMITE and FAGDIREKTOR; user ids are `<hf>-<role>`, as
    the demo users' are."""
    katalog = Katalog(katalog_url, migrate=False)
    installer = Principal(
        user_id=f"{hf.lower()}-oppsett",
        name="Oppsett (test)",
        roles=frozenset({Role.ADMIN}),
        hf=hf,
    )
    ids = {role: f"{hf.lower()}-{role.value}" for role in navn}
    try:
        await katalog.legg_til_enhet(installer, kode=enhet, navn=f"{enhet} (test)")
        await katalog.legg_til_kostnadssted(installer, enhet=enhet, kode="4100", navn="Testpost")
        for role, user_id in ids.items():
            await katalog.register_from_token(hf=hf, user_id=user_id, navn=navn[role], hpr_nummer=None)
            if role is Role.LEDER:
                await katalog.utnevn_leder(installer, enhet=enhet, user_id=user_id)
            elif role is Role.KOMITE:
                await katalog.legg_til_komite(installer, user_id=user_id)
            else:
                await katalog.tildel_rolle(installer, user_id=user_id, rolle=role.value)
    finally:
        await katalog.close()
    return Bemanning(
        soker=ids[Role.SOKER],
        leder=ids[Role.LEDER],
        komite=ids[Role.KOMITE],
        fagdirektor=ids[Role.FAGDIREKTOR],
    )
