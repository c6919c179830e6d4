import pytest

from annotate.inline import parse_inline, render_inline


@pytest.mark.parametrize(
    "marked, text, expected",
    [
        ("（⟦L 省文化厅⟧牵头；⟦U 各州、市人民政府⟧配合）", "（省文化厅牵头；各州、市人民政府配合）",
         [(1, 5, "LEAD_UNIT"), (8, 16, "UNIT")]),
        ("到⟦D 2025年⟧，比例⟦T 达到13%⟧", "到2025年，比例达到13%", [(1, 6, "DEADLINE"), (9, 14, "TARGET")]),
        ("𠀀⟦U 人力\n\n资源社会保障厅⟧", "𠀀人力\n\n资源社会保障厅", [(1, 12, "UNIT")]),
        ("没有标注", "没有标注", []),
    ],
)
def test_parse_inline(marked, text, expected):
    plain, spans = parse_inline(marked)
    assert plain == text
    assert [s.key for s in spans] == expected
    assert all(plain[s.start:s.end] == s.text for s in spans)
    assert render_inline(plain, spans) == marked


@pytest.mark.parametrize("bad", ["⟦L 省文化厅", "省文化厅⟧", "⟦L ⟧", "⟦L a⟦U b⟧⟧", "⟦X 省⟧"])
def test_parse_inline_rejects_bad_markup(bad):
    # an unknown letter (⟦X) is not markup at all, so its closing bracket is unbalanced
    with pytest.raises(ValueError):
        parse_inline(bad)
