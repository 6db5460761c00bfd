"""From the record's callback to a known physician and patient: identify the physician in the trust's
directory by HPR-number, read the patient, find the unit, and open the user's session as the login does."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from shared.domain.identifiers import InvalidPersonnummer, validate_fodselsnummer
from shared.platform.auth.principal import Role
from shared.platform.auth.session import CSRF_COOKIE, SESSION_COOKIE, SESSION_MAX_AGE_S
from shared.platform.katalog import Katalog, Person
from soknad.smart.feil import SmartAvvist
from soknad.smart.journal import (
    Journalpasient,
    fhir_user_reference,
    hpr_of,
    parse_patient,
    resh_of,
    service_provider,
)
from soknad.smart.klient import SmartKlient, TokenResponse
from soknad.smart.konfig import SmartIssuer


async def physician_hpr(
    klient: SmartKlient, issuer: SmartIssuer, token: TokenResponse, claims: dict[str, Any]
) -> str:
    if issuer.hpr_claim:
        value = claims.get(issuer.hpr_claim)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    reference = fhir_user_reference(claims)
    if reference is not None:
        hpr = hpr_of(await klient.read(issuer, token.access_token, reference))
        if hpr:
            return hpr
    raise SmartAvvist(
        "no_hpr",
        "Journalen oppga ikke HPR-nummeret ditt, så vi vet ikke hvem du er. "
        "Kontakt journalens administrator.",
        status=403,
    )


async def identify(katalog: Katalog, hf: set[str], hpr: str) -> Person:
    person = await katalog.person_by_hpr(hpr, hf=hf)
    if person is None:
        raise SmartAvvist(
            "unknown_physician",
            f"Du (HPR-nummer {hpr}) er ikke registrert i Søknadsportalen i dette helseforetaket. "
            "Kontakt administratoren for Søknadsportalen.",
            status=403,
        )
    if not person.aktiv:
        raise SmartAvvist("deactivated", "Brukeren din er deaktivert. Kontakt administrator.", status=403)
    if Role.SOKER not in person.roller:
        raise SmartAvvist(
            "not_soker",
            "Du har ikke søkerrolle i Søknadsportalen, og kan derfor ikke starte en søknad fra journalen.",
            status=403,
        )
    return person


async def read_patient(
    klient: SmartKlient, issuer: SmartIssuer, token: TokenResponse, *, allow_synthetic: bool, today: date
) -> Journalpasient:
    if not token.patient:
        raise SmartAvvist(
            "no_patient",
            "Journalen sendte ingen pasient. Åpne pasientens journal og start søknaden derfra.",
            status=400,
        )
    resource = await klient.read(issuer, token.access_token, f"Patient/{token.patient}")
    if resource.get("resourceType") != "Patient" or str(resource.get("id") or "") != token.patient:
        # The record answered with someone else than the patient of the launch: use nothing of it.
        raise SmartAvvist(
            "patient_mismatch",
            "Journalen svarte med en annen pasient enn den søknaden ble startet for. Ingenting er fylt ut.",
            status=409,
        )
    pasient = parse_patient(resource)
    if pasient.fodselsnummer:
        try:
            number = validate_fodselsnummer(
                pasient.fodselsnummer, allow_synthetic=allow_synthetic, today=today
            )
        except InvalidPersonnummer:
            # A number the form would refuse is not filled in; the physician types it.
            return Journalpasient(pasient.fhir_id, None, pasient.navn, pasient.fodselsdato, pasient.kjonn)
        return Journalpasient(pasient.fhir_id, number.value, pasient.navn, pasient.fodselsdato, pasient.kjonn)
    return pasient


async def find_enhet(
    klient: SmartKlient, issuer: SmartIssuer, token: TokenResponse, katalog: Katalog, person: Person
) -> tuple[str | None, bool]:
    """(unit code, whether the record gave it): the encounter's RESH-id where the record sends one and we
    know the unit, else the physician's own unit in the directory."""
    org = await katalog.org(person.hf)
    if token.encounter:
        try:
            encounter = await klient.read(issuer, token.access_token, f"Encounter/{token.encounter}")
            resh, reference = service_provider(encounter)
            if resh is None and reference is not None:
                resh = resh_of(await klient.read(issuer, token.access_token, reference))
        except SmartAvvist:
            resh = None  # the unit is a convenience: without it the physician picks their own
        match = next((e for e in org.enheter if resh and e.resh_id == resh), None)
        if match is not None:
            return match.kode, True
    own = person.enhet if person.enhet in org.koder else None
    return own or (org.enheter[0].kode if org.enheter else None), False


async def establish_session(
    request: Request, response: Response, person: Person, *, secure_cookies: bool
) -> None:
    """The browser's session becomes this physician's, as the login would make it. A session already of
    the same person is kept (and its CSRF token, so forms open in other tabs still save)."""
    auth = request.app.state.auth
    katalog: Katalog = request.app.state.runtime.katalog
    current = auth.signer.read_session(request.cookies.get(SESSION_COOKIE))
    if current is not None and await katalog.session_user(current) == person.user_id:
        return
    if current is not None:
        await katalog.revoke_session(current)
    session_id = await katalog.open_session(person.user_id)
    response.set_cookie(
        SESSION_COOKIE,
        auth.signer.sign_session(session_id),
        max_age=SESSION_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=secure_cookies,
        path="/",
    )
    # A token planted before the login is worth nothing after it (as the login does).
    _token, cookie = auth.signer.new_csrf()
    response.set_cookie(
        CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure_cookies, path="/"
    )
