"""Deadline resolution on every gold DEADLINE text of the seeds and on hand-verified expressions."""

from __future__ import annotations

import re

import pytest

from annotate.gold import load_seed_gold
from infer.deadlines import KINDS, Deadline, cn_int, latest, resolve


def _gold_deadline_texts() -> list[str]:
    _, spans = load_seed_gold()
    return sorted({s.text for ss in spans.values() for s in ss if s.label == "DEADLINE"})


GOLD = _gold_deadline_texts()

# (text, iso, start_iso, kind), checked by hand against the guide (§4, H11–H14) and a calendar.
CASES = [
    ("2022年11月底前", "2022-11-30", None, "point"),
    ("2015年6月30日前", "2015-06-30", None, "point"),
    ("2025年", "2025-12-31", None, "point"),
    ("2018年4月—2019年10月", "2019-10-31", "2018-04-01", "range"),
    ("2018年4\n\n月—2019年10月", "2019-10-31", "2018-04-01", "range"),
    ("“十四五”末", "2025-12-31", None, "point"),
    ("“十四五”期间", "2025-12-31", "2021-01-01", "range"),
    ("“十四五”", "2025-12-31", "2021-01-01", "range"),
    ("“十三五”期间", "2020-12-31", "2016-01-01", "range"),
    ('"十二五”时期', "2015-12-31", "2011-01-01", "range"),
    ("十五五期间", "2030-12-31", "2026-01-01", "range"),
    ("2021年上半年", "2021-06-30", None, "point"),
    ("2021年下半年", "2021-12-31", None, "point"),
    ("2019年第三季度", "2019-09-30", None, "point"),
    ("2019年一季度", "2019-03-31", None, "point"),
    ("2022年年底", "2022-12-31", None, "point"),
    ("2022年末", "2022-12-31", None, "point"),
    ("2017年2月底前", "2017-02-28", None, "point"),
    ("2020年2月底前", "2020-02-29", None, "point"),
    ("2019 年 2 月\n\n底", "2019-02-28", None, "point"),
    ("2022年3月上旬", "2022-03-10", None, "point"),
    ("2022年3月中旬", "2022-03-20", None, "point"),
    ("2023年2月下旬", "2023-02-28", None, "point"),
    ("二〇二二年十一月底前", "2022-11-30", None, "point"),
    ("二〇二〇年", "2020-12-31", None, "point"),
    ("2018 年年\n\n底前", "2018-12-31", None, "point"),
    ("2020\n\n年", "2020-12-31", None, "point"),
    ("2015年6月", "2015-06-30", None, "point"),
    ("2016年6月前", "2016-06-30", None, "point"),
    ("2017 年 5 月", "2017-05-31", None, "point"),
    ("2017年3月15日前", "2017-03-15", None, "point"),
    ("2017年1—3月", "2017-03-31", "2017-01-01", "range"),
    ("2019年9—10月", "2019-10-31", "2019-09-01", "range"),
    ("2014—2015年", "2015-12-31", "2014-01-01", "range"),
    ("2018-2020年", "2020-12-31", "2018-01-01", "range"),
    ("2015至2017年", "2017-12-31", "2015-01-01", "range"),
    ("2015年至2016年", "2016-12-31", "2015-01-01", "range"),
    ("2017年1月开始至2019年10月结束", "2019-10-31", "2017-01-01", "range"),
    ("2022年6月1—15日", "2022-06-15", "2022-06-01", "range"),
    ("2016年起", "2016-01-01", "2016-01-01", "start"),
    ("2019 年 1 月 1 日起", "2019-01-01", "2019-01-01", "start"),
    ("2017年秋季学期开始", "2017-09-01", "2017-09-01", "start"),
    ("到2020年", "2020-12-31", None, "point"),
    ("力争到2025年底", "2025-12-31", None, "point"),
    ("２０２２年１１月底前", "2022-11-30", None, "point"),
    # standing, recurring and unreadable values: never a date
    ("长期", None, None, "standing"),
    ("持续推进", None, None, "standing"),
    ("综合治理实施过程中持续推进", None, None, "standing"),
    ("持续加强领导", None, None, "standing"),
    ("每年 10 月底前", None, None, "recurring"),
    ("每年7月第15个工作日前", None, None, "recurring"),
    ("季度结束的次月 10 日前", None, None, "recurring"),
    ("管15年至2016年", None, None, "unresolved"),
    ("“卜二五”", None, None, "unresolved"),
    ("2()15年", None, None, "unresolved"),
    ("2022年2月30日前", None, None, "unresolved"),
    ("2022年13月", None, None, "unresolved"),
    ("2019年10月—2018年1月", None, None, "unresolved"),
    ("7月5日", None, None, "point"),
    ("", None, None, "unresolved"),
]


@pytest.mark.parametrize("text,iso,start_iso,kind", CASES)
def test_hand_verified(text, iso, start_iso, kind):
    assert resolve(text) == Deadline(text, iso, start_iso, kind)


@pytest.mark.parametrize("text", GOLD)
def test_every_gold_deadline_resolves_safely(text):
    d = resolve(text)
    assert d.text == text and d.kind in KINDS
    if d.iso is not None:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.iso)
        # the due year is one the text writes out (or the end of a plan period)
        assert d.iso[:4] in re.sub(r"\s", "", text) or "五" in text
        if d.start_iso is not None:
            assert d.start_iso <= d.iso
    else:
        assert d.start_iso is None


def test_share_of_gold_that_resolves():
    """Calendar deadlines resolve; the rest are standing or recurring by design. Share of distinct texts."""
    _, spans = load_seed_gold()
    occurrences = [resolve(s.text) for ss in spans.values() for s in ss if s.label == "DEADLINE"]
    dated_occ = sum(d.iso is not None for d in occurrences)
    print(f"gold DEADLINE spans: {len(occurrences)}, {dated_occ} dated ({dated_occ / len(occurrences):.0%})")
    results = [resolve(t) for t in GOLD]
    dated = sum(d.iso is not None for d in results)
    typed = sum(d.iso is not None or d.kind in ("standing", "recurring") for d in results)
    print(f"gold DEADLINE texts: {len(GOLD)} distinct, {dated} dated ({dated / len(GOLD):.0%}), "
          f"{typed} dated or typed ({typed / len(GOLD):.0%})")
    assert dated / len(GOLD) >= 0.85
    assert typed / len(GOLD) >= 0.93


def test_latest_picks_the_last_due_date():
    ds = [resolve("2018年3月底前"), resolve("长期"), resolve("2018年4月—2019年10月")]
    assert latest(ds).iso == "2019-10-31"
    assert latest([resolve("长期")]).kind == "standing"
    assert latest([]) is None


@pytest.mark.parametrize("cn,value", [("十一", 11), ("十", 10), ("二十", 20), ("三十一", 31), ("二〇二二", 2022), ("九", 9)])
def test_chinese_numerals(cn, value):
    assert cn_int(cn) == value
