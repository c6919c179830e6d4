"""Regenerate the tiny PDF fixtures of tests/test_reading.py (needs ``pip install reportlab``).

- ``chinese-text.pdf``: two pages with a Chinese text layer (built-in CID font STSong-Light).
- ``blank-pages.pdf``: two pages without any text (what a scan without OCR looks like to us).

Run from the repository root: ``python tests/resources/make_pdfs.py``.
"""

from pathlib import Path

from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
PAGES = [
    ["曲靖市人民政府关于进一步加快", "老龄事业发展的实施意见", "曲政发〔2018〕74号"],
    ["一、总体要求", "（责任单位：市民政局、市财政局）", "2018年12月21日"],
]


def chinese_pdf(path: Path) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A5, invariant=1)
    for lines in PAGES:
        c.setFont("STSong-Light", 14)
        y = 520
        for line in lines:
            c.drawString(40, y, line)
            y -= 30
        c.showPage()
    c.save()


def blank_pdf(path: Path) -> None:
    c = canvas.Canvas(str(path), pagesize=A5, invariant=1)
    c.rect(40, 40, 200, 300)  # a drawing, but no text
    c.showPage()
    c.showPage()
    c.save()


if __name__ == "__main__":
    chinese_pdf(HERE / "chinese-text.pdf")
    blank_pdf(HERE / "blank-pages.pdf")
