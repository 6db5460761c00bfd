"""HTTP shapes of the integrasjon API: the look-up answers are shared with soknad, which reads them
(`shared.domain.oppslag`)."""

from __future__ import annotations

from integrasjon.katalog import DiagnoseOppslag, LegemiddelOppslag
from shared.domain.oppslag import DiagnoseTreff, LegemiddelTreff


def legemiddel_treff(lm: LegemiddelOppslag) -> LegemiddelTreff:
    return LegemiddelTreff(
        fest_id=lm.fest_id,
        navn=lm.navn,
        navn_form_styrke=lm.navn_form_styrke,
        virkestoff=lm.virkestoff,
        atc=lm.atc,
        legemiddelform=lm.legemiddelform,
        styrke=lm.styrke,
        krever_godkjenningsfritak=lm.krever_godkjenningsfritak,
        smpc_url=lm.smpc_url,
    )


def diagnose_treff(d: DiagnoseOppslag) -> DiagnoseTreff:
    return DiagnoseTreff(kode=d.kode, tekst=d.tekst)
