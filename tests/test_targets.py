"""Target parsing on every gold TARGET text of the seeds and on hand-verified expressions."""

from __future__ import annotations

import pytest

from annotate.gold import load_seed_gold
from infer.targets import COMPARATORS, cn_number, parse


def _gold_target_texts() -> list[str]:
    _, spans = load_seed_gold()
    return sorted({s.text for ss in spans.values() for s in ss if s.label == "TARGET"})


GOLD = _gold_target_texts()

# (text, comparator, comparator_word, value, value_max, unit, bound): checked by hand against guide §5.
CASES = [
    ("达到13%", ">=", "达到", 13.0, None, "%", None),
    ("削减16.7%以上", "decrease", "削减", 16.7, None, "%", "以上"),
    ("不高于60微克/立方米", "<=", "不高于", 60.0, None, "微克/立方米", None),
    ("控制在 35 微克 / 立\n\n方米以下", "<=", "控制在", 35.0, None, "微克/立方米", "以下"),
    ("稳\n\n定在 95% 以上", ">=", "稳定在", 95.0, None, "%", "以上"),
    ("100 万人次以上", ">=", None, 1_000_000.0, None, "人次", "以上"),
    ("1000 亿元以上", ">=", None, 1e11, None, "元", "以上"),
    ("增加到180处以上", ">=", "增加到", 180.0, None, "处", "以上"),
    ("≥70%", ">=", "≥", 70.0, None, "%", None),
    ("10项", "=", None, 10.0, None, "项", None),
    ("4000户", "=", None, 4000.0, None, "户", None),
    ("5至10户", "=", None, 5.0, 10.0, "户", None),
    ("1至2个", "=", None, 1.0, 2.0, "个", None),
    ("1一2所", "=", None, 1.0, 2.0, "所", None),
    ("控制在0.7%。以下", "<=", "控制在", 0.7, None, "‰", "以下"),
    ("超过6万余名", ">", "超过", 60_000.0, None, "名", None),
    ("3.2人", "=", None, 3.2, None, "人", None),
    ("达19.2%以上", ">=", "达", 19.2, None, "%", "以上"),
    ("保持在18亿元左右", "=", "保持在", 1.8e9, None, "元", "左右"),
    ("提高到 31.8% 左\n 右", "=", "提高到", 31.8, None, "%", "左右"),
    ("下 降 3.19%", "decrease", "下降", 3.19, None, "%", None),
    ("增长\n\n15.5%", "increase", "增长", 15.5, None, "%", None),
    ("增加2000元以上", "increase", "增加", 2000.0, None, "元", "以上"),
    ("降低25%以上", "decrease", "降低", 25.0, None, "%", "以上"),
    ("5% 以内", "<=", None, 5.0, None, "%", "以内"),
    ("达到30.79万千瓦", ">=", "达到", 307_900.0, None, "千瓦", None),
    ("180万千瓦及以上", ">=", None, 1_800_000.0, None, "千瓦", "以上"),
    ("达到5.15万千米以上", ">=", "达到", 51_500.0, None, "千米", "以上"),
    ("0.24亿千瓦时", "=", None, 24_000_000.0, None, "千瓦时", None),
    ("76万吨标准煤", "=", None, 760_000.0, None, "吨标准煤", None),
    ("0.689万吨", "=", None, 6890.0, None, "吨", None),
    ("10 万套(户)以上", ">=", None, 100_000.0, None, "套(户)", "以上"),
    ("达到 2.62 亿立方米以上", ">=", "达到", 2.62e8, None, "立方米", "以上"),
    ("突破2万元", ">", "突破", 20_000.0, None, "元", None),
    ("不少于 1.5 小时", ">=", "不少于", 1.5, None, "小时", None),
    ("不低于1:10", ">=", "不低于", 0.1, None, "ratio", None),
    ("25.98万", "=", None, 259_800.0, None, None, None),
    ("26581", "=", None, 26581.0, None, None, None),
    ("≥10", ">=", "≥", 10.0, None, None, None),
    ("千兆", "=", None, 1000.0, None, "兆", None),
    ("增至150个", ">=", "增至", 150.0, None, "个", None),
    ("约20万套", "=", None, 200_000.0, None, "套", None),
    ("增加约220%", "increase", "增加", 220.0, None, "%", None),
    ("两千人", "=", None, 2000.0, None, "人", None),
    ("提高5个百分点", "increase", "提高", 5.0, None, "个百分点", None),
    ("$\\geq 96\\%$", ">=", "≥", 96.0, None, "%", None),
    ("１，２００亩", "=", None, 1200.0, None, "亩", None),
    ("翻一番", "increase", "翻一番", 2.0, None, "倍", None),
    ("全覆盖", None, None, None, None, None, None),
]


@pytest.mark.parametrize("text,comparator,word,value,value_max,unit,bound", CASES)
def test_hand_verified(text, comparator, word, value, value_max, unit, bound):
    t = parse(text)
    got = (t.comparator, t.comparator_word, t.value, t.value_max, t.unit, t.bound)
    assert got == (comparator, word, pytest.approx(value) if value else value, value_max, unit, bound)


@pytest.mark.parametrize("text,approx,multiplier", [
    ("超过6万余名", True, None), ("10个左右", True, None), ("约20万套", True, None), ("10个", False, None),
    ("翻一番", False, 2.0), ("翻两番", False, 4.0), ("增长1倍", False, 2.0), ("达到3倍", False, 3.0),
])
def test_approximation_and_multipliers(text, approx, multiplier):
    t = parse(text)
    assert (t.approx, t.multiplier) == (approx, multiplier)


@pytest.mark.parametrize("text", GOLD)
def test_every_gold_target_parses(text):
    t = parse(text)
    assert t.text == text
    assert t.value is not None and t.value > 0, "every gold target carries a numeral"
    assert t.comparator in COMPARATORS
    if t.value_max is not None:
        assert t.value_max > t.value


def test_every_gold_target_keeps_its_unit_or_is_a_bare_table_value():
    bare = [t for t in GOLD if parse(t).unit is None]
    # bare values: table cells and amounts whose unit the sentence names after the span (25.98万, 31.5亿)
    assert all(not any(c in t for c in "个户人元亩%") for t in bare), bare
    print(f"gold TARGET texts: {len(GOLD)} distinct, {len(GOLD) - len(bare)} with a unit")


@pytest.mark.parametrize("cn,value", [("三", 3), ("十", 10), ("十五", 15), ("一百二十", 120), ("两千", 2000), ("千", 1000)])
def test_chinese_numbers(cn, value):
    assert cn_number(cn) == value
