"""JSON API of the trust's directory: units, leaders, cost centres, the committee, people and roles
(admin only, own trust only; every change is written to the directory's change log), and the search
for co-authors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from shared.platform.auth.principal import Principal, Role
from shared.platform.katalog import Enhet, Person
from shared.platform.katalog.katalog import Endring
from soknad.deps import CurrentPrincipal, Db, Personkatalog
from soknad.handlers.sider import load_for_editor
from soknad.handlers.utkast import invitable_medforfattere

router = APIRouter(prefix="/api", tags=["katalog"])

Tekst = Annotated[str, Field(min_length=1, max_length=200)]
Navnesok = Annotated[str, Query(max_length=100, description="Part of the name; case and accents ignored.")]


class KostnadsstedRead(BaseModel):
    kode: str
    navn: str


class EnhetRead(BaseModel):
    kode: str
    navn: str
    hf: str
    resh_id: str | None
    aktiv: bool
    ledere: list[str] = Field(description="User ids of the unit's leaders (they anchor its applications).")
    kostnadssteder: list[KostnadsstedRead]

    @classmethod
    def of(cls, e: Enhet) -> EnhetRead:
        return cls(
            kode=e.kode,
            navn=e.navn,
            hf=e.hf,
            resh_id=e.resh_id,
            aktiv=e.aktiv,
            ledere=list(e.ledere),
            kostnadssteder=[KostnadsstedRead(kode=k, navn=n) for k, n in e.kostnadssteder],
        )


class EnhetCreate(BaseModel):
    kode: str = Field(min_length=1, max_length=40, description="Unit code; the trust's prefix is added.")
    navn: Tekst
    resh_id: str = Field(default="", max_length=12, description="The unit's RESH-id (digits).")


class KostnadsstedCreate(BaseModel):
    kode: str = Field(min_length=1, max_length=40)
    navn: Tekst


class PersonRef(BaseModel):
    user_id: str = Field(min_length=1, max_length=100)


class RolleRef(BaseModel):
    rolle: str = Field(
        min_length=1, max_length=20, description="soker, fagdirektor, controller, nasjonal, admin"
    )


class PersonRead(BaseModel):
    user_id: str
    navn: str
    hf: str
    hpr_nummer: str | None
    enhet: str | None
    aktiv: bool
    kilde: str = Field(description="`oidc` (first login) or `seed` (demo data).")
    roller: list[Role] = Field(description="Effective roles: granted, plus leder and komite by appointment.")
    tildelte_roller: list[Role]
    leder_for: str | None
    komite: bool

    @classmethod
    def of(cls, p: Person) -> PersonRead:
        return cls(
            user_id=p.user_id,
            navn=p.navn,
            hf=p.hf,
            hpr_nummer=p.hpr_nummer,
            enhet=p.enhet,
            aktiv=p.aktiv,
            kilde=p.kilde,
            roller=sorted(p.roller),
            tildelte_roller=sorted(p.tildelte_roller),
            leder_for=p.leder_for,
            komite=p.komite,
        )


class KandidatRead(BaseModel):
    user_id: str
    navn: str
    hpr_nummer: str | None


class EndringRead(BaseModel):
    at: datetime
    av_id: str
    av_navn: str
    handling: str
    objekt: str
    detaljer: dict[str, Any]

    @classmethod
    def of(cls, e: Endring) -> EndringRead:
        return cls(**e.__dict__)


def _admin(p: Principal) -> None:
    p.require(Role.ADMIN)


@router.get("/katalog/enheter", summary="The trust's units with leaders and cost centres (admin)")
async def enheter(p: CurrentPrincipal, katalog: Personkatalog) -> list[EnhetRead]:
    _admin(p)
    return [EnhetRead.of(e) for e in (await katalog.org(p.hf)).alle_enheter]


@router.post("/katalog/enheter", status_code=status.HTTP_201_CREATED, summary="Add a unit (admin)")
async def legg_til_enhet(body: EnhetCreate, p: CurrentPrincipal, katalog: Personkatalog) -> EnhetRead:
    enhet = await katalog.legg_til_enhet(p, kode=body.kode, navn=body.navn, resh_id=body.resh_id)
    return EnhetRead.of(enhet)


@router.post(
    "/katalog/enheter/{kode}/kostnadssteder",
    status_code=status.HTTP_201_CREATED,
    summary="Add a cost centre to a unit (admin)",
)
async def legg_til_kostnadssted(
    kode: str, body: KostnadsstedCreate, p: CurrentPrincipal, katalog: Personkatalog
) -> EnhetRead:
    await katalog.legg_til_kostnadssted(p, enhet=kode, kode=body.kode, navn=body.navn)
    return await _enhet(katalog, p, kode)


@router.post(
    "/katalog/enheter/{kode}/ledere",
    status_code=status.HTTP_201_CREATED,
    summary="Appoint a leader of a unit (admin); they are notified of its applications to anchor",
)
async def utnevn_leder(kode: str, body: PersonRef, p: CurrentPrincipal, katalog: Personkatalog) -> EnhetRead:
    await katalog.utnevn_leder(p, enhet=kode, user_id=body.user_id)
    return await _enhet(katalog, p, kode)


@router.post(
    "/katalog/enheter/{kode}/deaktivering",
    summary="Take a unit out of use (admin): it leaves the forms; what was sent to it keeps its leaders",
)
async def deaktiver_enhet(kode: str, p: CurrentPrincipal, katalog: Personkatalog) -> EnhetRead:
    await katalog.sett_enhet_aktiv(p, enhet=kode, aktiv=False)
    return await _enhet(katalog, p, kode)


@router.post("/katalog/enheter/{kode}/aktivering", summary="Take a unit back into use (admin)")
async def aktiver_enhet(kode: str, p: CurrentPrincipal, katalog: Personkatalog) -> EnhetRead:
    await katalog.sett_enhet_aktiv(p, enhet=kode, aktiv=True)
    return await _enhet(katalog, p, kode)


@router.delete("/katalog/enheter/{kode}/ledere/{user_id}", summary="Remove a leader from a unit (admin)")
async def fjern_leder(kode: str, user_id: str, p: CurrentPrincipal, katalog: Personkatalog) -> EnhetRead:
    await katalog.fjern_leder(p, enhet=kode, user_id=user_id)
    return await _enhet(katalog, p, kode)


@router.get("/katalog/personer", summary="The trust's people, by name (admin)")
async def personer(
    p: CurrentPrincipal, katalog: Personkatalog, navn: Navnesok = "", rolle: Role | None = None
) -> list[PersonRead]:
    _admin(p)
    return [PersonRead.of(person) for person in await katalog.personer(p.hf, sok=navn, rolle=rolle)]


@router.get("/katalog/komite", summary="The members of the trust's assessment committee (admin)")
async def komite(p: CurrentPrincipal, katalog: Personkatalog) -> list[PersonRead]:
    _admin(p)
    return [PersonRead.of(person) for person in await katalog.personer(p.hf, rolle=Role.KOMITE)]


@router.post("/katalog/komite", status_code=status.HTTP_201_CREATED, summary="Add a committee member (admin)")
async def legg_til_komite(body: PersonRef, p: CurrentPrincipal, katalog: Personkatalog) -> PersonRead:
    await katalog.legg_til_komite(p, user_id=body.user_id)
    return await _person(katalog, body.user_id)


@router.delete("/katalog/komite/{user_id}", summary="Remove a committee member (admin)")
async def fjern_komite(user_id: str, p: CurrentPrincipal, katalog: Personkatalog) -> PersonRead:
    await katalog.fjern_komite(p, user_id=user_id)
    return await _person(katalog, user_id)


@router.post(
    "/katalog/personer/{user_id}/roller", status_code=status.HTTP_201_CREATED, summary="Grant a role (admin)"
)
async def tildel_rolle(
    user_id: str, body: RolleRef, p: CurrentPrincipal, katalog: Personkatalog
) -> PersonRead:
    await katalog.tildel_rolle(p, user_id=user_id, rolle=body.rolle)
    return await _person(katalog, user_id)


@router.delete("/katalog/personer/{user_id}/roller/{rolle}", summary="Withdraw a role (admin)")
async def trekk_rolle(user_id: str, rolle: str, p: CurrentPrincipal, katalog: Personkatalog) -> PersonRead:
    await katalog.trekk_rolle(p, user_id=user_id, rolle=rolle)
    return await _person(katalog, user_id)


@router.post(
    "/katalog/personer/{user_id}/deaktivering",
    summary="Deactivate a person (admin): they can no longer log in, and their sessions end",
)
async def deaktiver(user_id: str, p: CurrentPrincipal, katalog: Personkatalog) -> PersonRead:
    await katalog.deaktiver(p, user_id=user_id)
    return await _person(katalog, user_id)


@router.post("/katalog/personer/{user_id}/aktivering", summary="Activate a deactivated person (admin)")
async def aktiver(user_id: str, p: CurrentPrincipal, katalog: Personkatalog) -> PersonRead:
    await katalog.aktiver(p, user_id=user_id)
    return await _person(katalog, user_id)


@router.get("/katalog/endringer", summary="The directory's change log for the trust, newest first (admin)")
async def endringer(p: CurrentPrincipal, katalog: Personkatalog) -> list[EndringRead]:
    _admin(p)
    return [EndringRead.of(e) for e in await katalog.endringer(p.hf, limit=200)]


@router.get(
    "/soknader/{soknad_id}/medforfatter-kandidater",
    summary="Physicians of the trust (role soker) whose name matches, who can be invited as co-authors",
)
async def medforfatter_kandidater(
    soknad_id: str, p: CurrentPrincipal, db: Db, katalog: Personkatalog, navn: Navnesok = ""
) -> list[KandidatRead]:
    soknad = await load_for_editor(db, p, soknad_id)
    if not navn.strip():
        return []
    found = await invitable_medforfattere(katalog, soknad, navn)
    return [KandidatRead(user_id=c.user_id, navn=c.navn, hpr_nummer=c.hpr_nummer) for c in found]


async def _enhet(katalog: Personkatalog, p: Principal, kode: str) -> EnhetRead:
    enhet = (await katalog.org(p.hf)).enhet(kode)
    assert enhet is not None
    return EnhetRead.of(enhet)


async def _person(katalog: Personkatalog, user_id: str) -> PersonRead:
    person = await katalog.person(user_id)
    assert person is not None
    return PersonRead.of(person)
