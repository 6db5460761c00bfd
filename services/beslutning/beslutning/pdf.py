"""The decision letter as a PDF to file in the patient record (fpdf2). A Unicode TrueType font is
embedded when the machine has one (DejaVu); otherwise the PDF core font, whose Latin-1 still has æøå."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from beslutning.brev import Brev
from shared.platform.web.templating import format_date

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _Pdf(FPDF):
    def __init__(self, brev: Brev) -> None:
        super().__init__(format="A4")
        self.brev = brev
        fonts = _unicode_font()
        if fonts is not None:
            self.add_font("Brev", "", str(fonts[0]))
            self.add_font("Brev", "B", str(fonts[1]))
            self.family_name = "Brev"
            self.unicode = True
        else:
            self.family_name = "Helvetica"
            self.unicode = False
        self.set_title(f"{brev.tittel} {brev.lopenummer}")
        self.set_author(brev.hf_navn)
        self.set_creator("Søknadsportalen" if self.unicode else "Soknadsportalen")
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(20, 20, 20)

    def t(self, text: str) -> str:
        if self.unicode:
            return text
        # The core fonts know Latin-1 (æøå«» included); other signs get their nearest plain form.
        text = text.replace("–", "-").replace("—", "-").replace("’", "'").replace("…", "...")
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family_name, "", 8)
        self.cell(
            0, 6, self.t(f"Saksnummer {self.brev.lopenummer} · side {self.page_no()}/{{nb}}"), align="C"
        )

    def write_block(self, text: str, *, size: float = 10.5, bold: bool = False, gap: float = 1.5) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)


def render(brev: Brev) -> bytes:
    pdf = _Pdf(brev)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.write_block(brev.hf_navn, size=13, bold=True, gap=0.5)
    pdf.write_block(f"Saksnummer (løpenummer): {brev.lopenummer}", gap=0.5)
    pdf.write_block(f"Dato: {format_date(brev.dato)}", gap=3)
    pdf.write_block("Til: " + "; ".join(brev.mottakere), size=9.5, gap=0.5)
    pdf.write_block("Gjelder: " + brev.gjelder, size=9.5, gap=4)
    pdf.write_block(f"{brev.tittel}: {brev.utfall_tekst}", size=15, bold=True, gap=2)
    pdf.write_block(brev.ingress, gap=3)
    for seksjon in brev.seksjoner:
        pdf.write_block(seksjon.overskrift, size=12, bold=True, gap=1)
        for label, value in seksjon.linjer:
            pdf.set_font(pdf.family_name, "B", 10)
            pdf.multi_cell(0, 5, pdf.t(label), new_x="LMARGIN", new_y="NEXT")
            pdf.write_block(value, size=10, gap=0.8)
        for avsnitt in seksjon.avsnitt:
            pdf.write_block(avsnitt, gap=1.5)
        pdf.ln(2)
    pdf.ln(4)
    pdf.write_block(brev.underskrift, gap=1)
    pdf.write_block(brev.underskrift_merknad, size=8.5)
    return bytes(pdf.output())
