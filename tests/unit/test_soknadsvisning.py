"""The whole application as assessors read it: the event's sections, or the older event's fields."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader

import shared.platform.web as web
from shared.domain.soknadsvisning import oppdatert, visning_av
from shared.events.common import Feltvisning, Seksjonsvisning

TEMPLATES = Path(web.__file__).parent / "templates"

NY = {
    "visning": [
        {
            "id": "legemiddel",
            "tittel": "Legemiddel og dosering",
            "felt": [
                {"id": "dose", "etikett": "Dose", "svar": "375 mg/m² <b>"},
                {"id": "antall_kurer", "etikett": "Antall kurer", "svar": "4"},
            ],
        },
        {
            "id": "samtykke",
            "tittel": "Informasjon og samtykke",
            "felt": [{"id": "pasient_informert", "etikett": "Informert", "svar": "Ja"}],
        },
    ]
}

ELDRE = {
    "type": "enkeltpasient",
    "kategori": "off_label",
    "pasient": {"navn": "Kari Testesen", "fodselsnummer": "13031071455"},
    "legemiddel": {"navn": "MabThera", "virkestoff": "rituksimab", "atc": "L01FA01"},
    "indikasjon": {"kode": "G35", "tekst": "Multippel sklerose"},
    "begrunnelse": "Svikt på to linjer.",
    "estimert_kostnad_nok": 250000,
}


def test_sections_from_the_event_in_order() -> None:
    v = visning_av(NY)
    assert [s.id for s in v] == ["legemiddel", "samtykke"]
    assert v[0].felt[0].svar.startswith("375 mg")


def test_an_older_event_renders_the_fields_it_had() -> None:
    (seksjon,) = visning_av(ELDRE)
    svar = {f.id: f.svar for f in seksjon.felt}
    assert svar["legemiddel"] == "MabThera – rituksimab (L01FA01)"
    assert svar["indikasjon"] == "G35 Multippel sklerose"
    assert svar["estimert_kostnad_nok"] == "250 000 kr"
    assert svar["type"] == "Enkeltpasient"
    assert svar["pasient_navn"] == "Kari Testesen"


def test_an_answer_without_sections_changes_nothing() -> None:
    gammel = visning_av(NY)
    assert oppdatert(gammel, []) == gammel
    ny = [Seksjonsvisning(id="x", tittel="X", felt=[Feltvisning(id="a", etikett="A", svar="b")])]
    assert oppdatert(gammel, ny) == ny


def test_macro_renders_menu_sections_new_marks_escaped_and_the_callers_block() -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    tpl = env.from_string(
        '{% from "_soknadsvisning.html" import soknadsvisning, seksjonsmeny %}'
        "{{ seksjonsmeny(v, nye) }}"
        "{% call(seksjon) soknadsvisning(v, nye) %}<p class=under>{{ seksjon.id }}</p>{% endcall %}"
    )
    html = tpl.render(v=visning_av(NY), nye=["antall_kurer"])
    assert 'href="#sv-legemiddel"' in html and 'id="sv-samtykke"' in html
    assert html.count("Nytt svar") == 1 and html.index("Nytt svar") > html.index("Antall kurer")
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<p class=under>legemiddel</p>" in html and "<p class=under>samtykke</p>" in html
    without_caller = env.from_string(
        '{% from "_soknadsvisning.html" import soknadsvisning %}{{ soknadsvisning(v) }}'
    ).render(v=visning_av(NY))
    assert "class=under" not in without_caller and "Nytt" not in without_caller
