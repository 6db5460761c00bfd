"""Write-back: when an application launched from the record is sent, a copy of the answers goes to the
record's FHIR server as a QuestionnaireResponse — when the launch's scope allows writing one.

It runs after the send has committed, in a task of its own: a slow or failing record never blocks or
undoes the send; the outcome is kept with the launch and shown on the case page."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import structlog

from shared.fhir.systemer import HPR_NUMMER, SOKNAD_ID
from soknad.fhir.svar import questionnaire_response
from soknad.skjema.register import SkjemaRegister
from soknad.smart.feil import SmartAvvist
from soknad.smart.klient import SmartKlient
from soknad.smart.kontekst import KontekstLager, Launchkontekst
from soknad.smart.visning import byttet_pasient
from soknad.store import Soknad

log = structlog.get_logger(__name__)

WRITE_TIMEOUT_S = 10.0
REFRESH_MARGIN_S = 30.0

PAGAR = "Kopi av søknaden lagres i journalen …"
LAGRET = "Kopi lagret i journalen."
UTEN_TILGANG = (
    "Kopi ble ikke lagret i journalen: tilgangen fra journalen gir ikke lov til å lagre skjemasvar."
)
BYTTET = (
    "Kopi ble ikke lagret i journalen: søknaden gjelder ikke lenger pasienten den ble åpnet for i journalen."
)


def _v1_write(permissions: str) -> bool:
    return permissions in ("write", "*")


def _v2_create(permissions: str) -> bool:
    # SMART 2: a subset of «cruds» in that order, e.g. `c`, `cu`, `cruds`.
    return bool(permissions) and "c" in permissions and set(permissions) <= set("cruds")


def allows_write(scope: str) -> bool:
    """Whether a granted scope lets us create a QuestionnaireResponse for the patient."""
    for item in scope.split():
        context, _, rest = item.partition("/")
        if context not in ("patient", "user") or "." not in rest:
            continue
        resource, _, permissions = rest.partition(".")
        permissions = permissions.split("?", 1)[0]  # SMART 2 may narrow a scope with a query
        if resource in ("QuestionnaireResponse", "*") and (_v1_write(permissions) or _v2_create(permissions)):
            return True
    return False


def resource_for(soknad: Soknad, kontekst: Launchkontekst, skjemaer: SkjemaRegister) -> dict[str, Any]:
    resource = questionnaire_response(
        skjema=skjemaer.get(soknad.skjema_versjon),
        soknad_type=soknad.type,
        kategori=soknad.kategori,
        svar=soknad.innhold or {},
        id=soknad.id,
        status="completed",
        authored=soknad.sendt_at or soknad.endret_at,
        # The record's own patient: the copy lands in the chart the application was launched from.
        subject={"reference": f"Patient/{kontekst.pasient.fhir_id}"},
        author=(
            {"identifier": {"system": HPR_NUMMER, "value": kontekst.hpr_number}}
            if kontekst.hpr_number
            else None
        ),
    )
    # A create lets the record choose the id; ours goes as the identifier, so a copy can be traced back.
    resource.pop("id", None)
    return {**resource, "identifier": {"system": SOKNAD_ID, "value": soknad.id}}


class Tilbakeskriver:
    def __init__(self, klient: SmartKlient, kontekster: KontekstLager):
        self.klient = klient
        self.kontekster = kontekster
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, soknad: Soknad, skjemaer: SkjemaRegister) -> None:
        """Called after a successful send; returns at once."""
        kontekst = self.kontekster.for_soknad(soknad.id)
        if kontekst is None:
            return  # not launched from a record (or the launch has expired): nothing to write back
        if byttet_pasient(kontekst, soknad):
            kontekst.note(soknad.id, "avvist", BYTTET)
            return
        if not allows_write(kontekst.token.scope):
            kontekst.note(soknad.id, "avvist", UTEN_TILGANG)
            return
        resource = resource_for(soknad, kontekst, skjemaer)
        kontekst.note(soknad.id, "pagar", PAGAR)
        task = asyncio.create_task(self._write(kontekst, soknad.id, resource))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Let running write-backs finish (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.wait()

    async def _write(self, kontekst: Launchkontekst, soknad_id: str, resource: dict[str, Any]) -> None:
        try:
            async with asyncio.timeout(WRITE_TIMEOUT_S):
                response = await self._post(kontekst, resource)
        except (TimeoutError, httpx.HTTPError, SmartAvvist) as exc:
            log.warning("smart_write_back_failed", error=type(exc).__name__)
            kontekst.note(soknad_id, "feilet", "Kopi ble ikke lagret i journalen: journalen svarte ikke.")
            return
        if response.status_code in (200, 201):
            location = response.headers.get("location", "")
            fhir_id = location.split("/QuestionnaireResponse/", 1)[-1].split("/", 1)[0] if location else None
            kontekst.note(soknad_id, "lagret", LAGRET, fhir_id=fhir_id)
        else:
            log.warning("smart_write_back_refused", status=response.status_code)
            kontekst.note(
                soknad_id,
                "feilet",
                f"Kopi ble ikke lagret i journalen: journalen avviste den (svar {response.status_code}).",
            )

    async def _post(self, kontekst: Launchkontekst, resource: dict[str, Any]) -> httpx.Response:
        token = kontekst.token
        if (
            token.refresh_token
            and token.expires_at is not None
            and token.expires_at - REFRESH_MARGIN_S < time.time()
        ):
            config = await self.klient.configuration(kontekst.issuer)
            fresh = await self.klient.refresh(kontekst.issuer, config, token.refresh_token)
            # Keep the launch's scope and patient when the refresh answer leaves them out.
            kontekst.token = type(token)(
                access_token=fresh.access_token,
                scope=fresh.scope or token.scope,
                patient=token.patient,
                encounter=token.encounter,
                id_token=token.id_token,
                refresh_token=fresh.refresh_token or token.refresh_token,
                expires_at=fresh.expires_at,
                raw=fresh.raw,
            )
        response = await self.klient.create(kontekst.issuer, kontekst.token.access_token, resource)
        if response.status_code == 401 and kontekst.token.refresh_token:
            config = await self.klient.configuration(kontekst.issuer)
            fresh = await self.klient.refresh(kontekst.issuer, config, kontekst.token.refresh_token)
            response = await self.klient.create(kontekst.issuer, fresh.access_token, resource)
        return response
