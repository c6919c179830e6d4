"""Splitting the seed issues into documents and task items.

Expected values were read off the seeds by hand: start lines from CORPUS_NOTES §2.2 (checked
against the text), 文号 and titles from the document headers (and the 目录 of 000–002).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.segment import find_notes, parse_date, segment_issue

# seed -> [(first line, 文号, title)] for kind="document", in order
EXPECTED = {
    "000": [
        (125, "云政发〔2016〕103号", "云南省人民政府关于加强困境儿童保障工作的实施意见"),
        (287, "云政发〔2016〕110号", "云南省人民政府关于加快推进“互联网+政务服务”工作的实施意见"),
        (383, "云政发〔2016〕113号", "云南省人民政府关于促进加工贸易创新发展的实施意见"),
        (457, "云政发〔2016〕114号", "云南省人民政府关于进一步加强文物工作的实施意见"),
        (555, "云政发〔2016〕116号", "云南省人民政府关于统筹推进县域内城乡义务教育一体化改革发展的实施意见"),
        (711, "云政发〔2017〕5号", "云南省人民政府关于实施支持农业转移人口市民化若干财政政策的通知"),
        (895, "云政办发〔2016〕120号", "云南省人民政府办公厅关于加快推进广播电视村村通向户户通升级工作的实施意见"),
        (969, "云政办发〔2017〕9号", "云南省人民政府办公厅关于印发2017年10件惠民实事和重点督查20项重大建设项目的通知"),
        (1229, "云政办函〔2017〕11号", "云南省人民政府办公厅关于印发云南省市场主体信用信息管理暂行办法的通知"),
        (1362, "云政办函〔2017〕17号", "云南省人民政府办公厅关于印发云南省危险化学品安全综合治理实施方案的通知"),
    ],
    "001": [
        (112, "楚政通〔2022〕61号", "楚雄州人民政府关于印发楚雄州全民科学素质行动实施方案(2022-2025年)的通知"),
        (315, "楚政通〔2022〕62号", "楚雄州人民政府关于印发楚雄州“十四五”巩固拓展脱贫攻坚成果同乡村振兴有效衔接规划的通知"),
        (654, "楚政通〔2022〕64号", "楚雄州人民政府关于印发州十三届人大常委会第四次会议通过的决议、审议意见的通知"),
        (760, "楚政办通〔2022〕55号", "楚雄州人民政府办公室关于印发楚雄州“十四五”电子政务发展规划的通知"),
        (1334, "楚政办通〔2022〕59号", "楚雄州人民政府办公室关于印发楚雄州全面加强药品监管能力建设20条措施的通知"),
        (1422, "楚政办通〔2022〕60号", "楚雄州人民政府办公室关于印发楚雄州加快中彝医药特色发展30条措施的通知"),
    ],
    "002": [
        (108, "云政办规〔2022〕7号", "云南省人民政府办公厅关于印发云南省鼓励创业“贷免扶补”实施办法的通知"),
        (404, "云政办发〔2022〕69号", "云南省人民政府办公厅关于进一步提升全省政务服务“一网通办”能力的通知"),
        (490, "云政办发〔2022〕70号", "云南省人民政府办公厅关于印发云南省推进城乡供水一体化三年行动方案的通知"),
        (600, "云政办发〔2022〕73号", "云南省人民政府办公厅关于印发云南省12345政务服务便民热线与110报警服务台高效对接联动实施方案的通知"),
        (686, "云政办函〔2022〕58号", "云南省人民政府办公厅转发省发展改革委关于推动生活性服务业补短板上水平提高人民生活品质行动方案的通知"),
        # the 目录 says 「…移动端建设工作方案的通知」; the header itself lacks 方案
        (814, "云政办函〔2022〕59号", "云南省人民政府办公厅关于印发云南省政务服务平台移动端建设工作的通知"),
        (946, "云政办函〔2022〕61号", "云南省人民政府办公厅关于同意建立云南省推进健康服务业发展部门联席会议制度的函"),
        (1021, "云政办函〔2022〕63号", "云南省人民政府办公厅关于调整成立云南省推进企业上市倍增工作领导小组的通知"),
        (1096, "云广规〔2022〕1号", "云南省广播电视局印发《关于加强基层广播电视公共服务网络标准化建设的实施意见》的通知"),
    ],
    "003": [
        (1, "曲政发〔2018〕74号", "曲靖市人民政府关于进一步加快老龄事业发展的实施意见"),
        (929, "曲政发〔2018〕77号", "曲靖市人民政府关于印发曲靖市打赢蓝天保卫战三年行动实施方案的通知"),
        (2137, "曲政发〔2018〕78号", "曲靖市人民政府关于探索建立涉农资金统筹整合长效机制的实施意见"),
        (2891, "曲政发〔2018〕79号", "曲靖市人民政府关于进一步深化预算改革加强预算管理的实施意见"),
        (3969, "曲政办发〔2018〕178号", "曲靖市人民政府办公室关于印发“智慧曲靖”建设项目管理办法的通知"),
        (4282, "曲政办发〔2018〕181号", "曲靖市人民政府办公室关于加强行政规范性文件制定和监督管理工作的意见"),
        (4695, "曲政办发〔2018〕184号", "曲靖市人民政府办公室关于印发曲靖市电动汽车充电基础设施建设运营管理暂行办法的通知"),
    ],
    "004": [
        (1, "六盘水府发〔2015〕7号", "六盘水市2015—2017年大气污染防治专项行动实施方案"),
        (77, "六盘水府发〔2015〕9号", "六盘水市社会信用体系建设规划纲要(2014—2020年)"),
        (169, "六盘水府发〔2015〕14号", "六盘水市人民政府关于加快发展养老服务业的实施意见"),
        (219, "六盘水府发〔2015〕17号", "六盘水市关于进一步推进户籍制度改革的实施意见"),
        (273, "六盘水府发〔2015〕18号", "六盘水市贯彻落实《贵州省城乡居民基本养老保险实施办法》的意见"),
        (290, "六盘水府办发〔2015〕7号", "六盘水市加快民营经济发展实施意见"),
        (353, "六盘水府办发〔2015〕17号", "六盘水市政府向社会力量购买服务办法"),
        (424, "六盘水府办发〔2015〕21号", "绿色贵州建设三年行动计划六盘水市实施方案"),
        (473, "六盘水府办发〔2015〕26号", "六盘水市信息基础设施建设三年会战实施方案(2015—2017年)"),
        (530, "六盘水府办发〔2014〕71号", "2014—2015年六盘水市节能减排低碳发展行动方案"),
    ],
}
# seed -> (kind, first line) of the special sections
SPECIAL = {
    "000": [("personnel", 1545)],
    "001": [("chronicle", 1531)],
    "002": [("personnel", 1231)],
    "003": [("chronicle", 5614)],
    "004": [],
}
HAS_FRONT = {"000": True, "001": True, "002": True, "003": False, "004": False}
SEEDS = sorted(EXPECTED)


@pytest.fixture(scope="module")
def segmented(seed_texts):
    out = {}
    for source, raw in seed_texts.items():
        out[source[:3]] = (raw, segment_issue(raw))
    return out


def _line(raw: str, offset: int) -> int:
    return raw.count("\n", 0, offset) + 1


def _doc(segmented, seed, number):
    raw, docs = segmented[seed]
    return raw, next(d for d in docs if d.doc_number == number)


@pytest.mark.parametrize("seed", SEEDS)
def test_documents_partition_the_issue(segmented, seed):
    raw, docs = segmented[seed]
    assert docs[0].start == 0 and docs[-1].end == len(raw)
    for a, b in zip(docs, docs[1:]):
        assert a.end == b.start
    for d in docs:
        assert d.start < d.end
        if d.body_start is not None:
            assert d.start <= d.body_start < d.end
        for it in d.items:
            assert d.start <= it.start < it.end <= d.end
            for a, b in it.notes:
                assert it.start <= a < b <= it.end
        starts = [it.start for it in d.items]
        assert starts == sorted(starts)
        for x, y in zip(d.items, d.items[1:]):
            assert x.end <= y.start


@pytest.mark.parametrize("seed", SEEDS)
def test_documents_numbers_titles_and_start_lines(segmented, seed):
    raw, docs = segmented[seed]
    found = [(_line(raw, d.start) if d.start else 1, d.doc_number, d.title) for d in docs if d.kind == "document"]
    # a start after leading spaces or a glued date (004:77) is on the expected line
    assert found == EXPECTED[seed]


@pytest.mark.parametrize("seed", SEEDS)
def test_special_sections_and_front_matter(segmented, seed):
    raw, docs = segmented[seed]
    special = [(d.kind, _line(raw, d.start)) for d in docs if d.kind in ("personnel", "chronicle")]
    assert special == SPECIAL[seed]
    assert (docs[0].kind == "front") == HAS_FRONT[seed]
    assert [d.kind for d in docs].count("front") <= 1
    for d in docs:
        if d.kind != "document":
            assert d.items == []


@pytest.mark.parametrize("seed", ["000", "001", "002"])
def test_titles_match_table_of_contents(segmented, seed):
    raw, docs = segmented[seed]
    toc = re.sub(r"\s", "", raw[docs[0].start : docs[0].end])
    missing = [d.title for d in docs if d.kind == "document" and d.title not in toc]
    assert missing == (["云南省人民政府办公厅关于印发云南省政务服务平台移动端建设工作的通知"] if seed == "002" else [])


@pytest.mark.parametrize(
    "seed, number, issuer, date",
    [
        ("000", "云政发〔2016〕103号", "云南省人民政府", "2016-12-20"),
        ("000", "云政办发〔2016〕120号", "云南省人民政府办公厅", "2016-11-03"),
        ("001", "楚政通〔2022〕61号", "楚雄州人民政府", "2022-08-30"),
        ("001", "楚政办通〔2022〕59号", "楚雄州人民政府办公室", "2022-10-13"),  # title over two lines
        ("002", "云政办函〔2022〕58号", "云南省人民政府办公厅", "2022-08-11"),  # 转发
        ("002", "云政办函〔2022〕63号", "云南省人民政府办公厅", "2022-08-22"),  # 「2022 年 8 月 22 日」
        ("002", "云广规〔2022〕1号", "云南省广播电视局", "2022-08-11"),
        ("003", "曲政发〔2018〕74号", "曲靖市人民政府", "2018-12-21"),
        ("003", "曲政发〔2018〕78号", "曲靖市人民政府", None),  # ends with a member list, no signature
        ("003", "曲政办发〔2018〕184号", "曲靖市人民政府办公室", "2018-11-28"),
        ("004", "六盘水府发〔2015〕7号", "六盘水市人民政府", "2015-05-20"),  # date glued to the next title
        ("004", "六盘水府发〔2015〕17号", "六盘水市人民政府", "2015-12-18"),  # issuer only from the 文号 code
        ("004", "六盘水府发〔2015〕18号", "六盘水市人民政府", "2015-12-30"),  # OCR 「2()15年」, 〔2015]
        ("004", "六盘水府办发〔2014〕71号", "六盘水市人民政府办公室", "2014-12-24"),
    ],
)
def test_issuer_and_date(segmented, seed, number, issuer, date):
    _, d = _doc(segmented, seed, number)
    assert (d.issuer, d.date) == (issuer, date)


@pytest.mark.parametrize(
    "seed, number, body_starts_with",
    [
        ("000", "云政发〔2016〕103号", "为认真贯彻落实"),
        ("001", "楚政通〔2022〕61号", "现将《楚雄州全民科学素质行动实施方案"),  # addressee wrapped over two lines
        ("003", "曲政发〔2018〕74号", "为认真贯彻落实"),
        ("004", "六盘水府发〔2015〕7号", "为贯彻落实"),
    ],
)
def test_body_start(segmented, seed, number, body_starts_with):
    raw, d = _doc(segmented, seed, number)
    assert raw[d.body_start :].startswith(body_starts_with)


def test_personnel_number(segmented):
    _, docs = segmented["000"]
    p = next(d for d in docs if d.kind == "personnel")
    assert (p.title, p.doc_number) == ("云南省人民政府任免通知", "云政任〔2017〕1—7号")


# Counted by hand on the seeds: items (all levels) and items that carry a note.
@pytest.mark.parametrize(
    "seed, number, n_items, n_with_notes, markers",
    [
        # 一二三 + (一)–(十四) + 四 + (十五)–(十九); a (责任单位：…) after each numbered item
        ("000", "云政发〔2016〕113号", 23, 19, ["一、", "二、", "三、", "（一）"]),
        # 一…五 (5), 15 （一）-level items, 10 numbered tasks with F6 notes
        ("002", "云政办发〔2022〕73号", 30, 10, ["一、", "（一）", "（二）", "二、"]),
    ],
)
def test_item_counts(segmented, seed, number, n_items, n_with_notes, markers):
    _, d = _doc(segmented, seed, number)
    assert len(d.items) == n_items
    assert sum(1 for it in d.items if it.notes) == n_with_notes
    assert [it.marker for it in d.items[: len(markers)]] == markers


@pytest.mark.parametrize(
    "seed, number, n_notes",
    [
        ("003", "曲政发〔2018〕74号", 34),  # F1 with 「责任单位 ：」, wrapped over hard lines
        ("003", "曲政发〔2018〕78号", 20),  # F8, notes wrapped after ；
        ("004", "六盘水府发〔2015〕7号", 44),  # F4 on every paragraph, numbered or not
        ("004", "六盘水府发〔2015〕17号", 17),  # F4 without 完成时限
        ("000", "云政办发〔2017〕9号", 30),  # F10 主办单位 field lines
        ("001", "楚政办通〔2022〕60号", 30),  # (…按照职责分工负责), two as (责任部门:…)
        ("000", "云政发〔2016〕103号", 15),  # F9 table column 责任单位 (15 rows); its prose 牵头 are not notes
    ],
)
def test_note_counts(segmented, seed, number, n_notes):
    raw, d = _doc(segmented, seed, number)
    notes = [raw[a:b] for it in d.items for a, b in it.notes]
    assert len(notes) == n_notes


def test_notes_are_responsibility_notes(segmented):
    raw, d = _doc(segmented, "003", "曲政发〔2018〕74号")
    for it in d.items:
        for a, b in it.notes:
            note = re.sub(r"\s", "", raw[a:b])
            assert note.startswith("（责任单位：") and note.endswith("）")


def test_table_rows_are_items(segmented):
    raw, d = _doc(segmented, "000", "云政发〔2016〕103号")
    rows = [it for it in d.items if "\t" in raw[it.start : it.end]]
    data_rows = [it for it in rows if it.marker.isdigit()]
    assert [int(it.marker) for it in data_rows] == list(range(1, 16))
    assert all(len(it.notes) == 1 for it in data_rows)
    assert raw[slice(*data_rows[2].notes[0])] == "省教育厅、民政厅,省残联"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("加强管理。(责任单位:省商务厅、财政厅)", ["(责任单位:省商务厅、财政厅)"]),
        ("完成制定。(责任部门:州市场监管局、州科技局)", ["(责任部门:州市场监管局、州科技局)"]),
        ("推进工作。（市交通运输局牵头 ；市公安局参与）", ["（市交通运输局牵头 ；市公安局参与）"]),
        ("推进工作。(牵头单位:市经济和信息化委;责任单位:各县(特区、区)人民政府。完成时限:2015年底)",
         ["(牵头单位:市经济和信息化委;责任单位:各县(特区、区)人民政府。完成时限:2015年底)"]),
        ("(2018年3月底前取得阶段性成果,2018年4月—2019年10月深化提升)", ["(2018年3月底前取得阶段性成果,2018年4月—2019年10月深化提升)"]),
        ("主办单位:省发展改革委,各州、市人民政府", ["主办单位:省发展改革委,各州、市人民政府"]),
        ("依据《条例》(试行)和(2022-2025年)规划", []),
        ("未闭合的(牵头单位:市林业局", []),
    ],
)
def test_find_notes(text, expected):
    assert [text[a:b] for a, b in find_notes(text)] == expected


@pytest.mark.parametrize(
    "text, iso",
    [("2016年12月20日", "2016-12-20"), ("2022 年 8 月 22 日", "2022-08-22"), ("2()15年12月30日", "2015-12-30"),
     ("2022年12月", None), ("2022年13月1日", None), ("无日期", None)],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   \n\n",
        "关于加强管理的通知\n\n一、总体要求\n\n（一）加强领导。（责任单位：市民政局）\n\n2020年1月1日",
    ],
)
def test_degenerate_issues(raw):
    docs = segment_issue(raw)
    if not raw:
        assert docs == []
        return
    assert docs[0].start == 0 and docs[-1].end == len(raw)
    if raw.strip():
        assert [d.kind for d in docs] == ["document"]
        assert [it.marker for it in docs[0].items] == ["一、", "（一）"]
        assert docs[0].date == "2020-01-01"


_PIECES = st.sampled_from(
    ["云南省人民政府关于加强管理的通知", "云政发〔2016〕103号", "各州、市人民政府：", "一、总体要求", "（一）加强领导。",
     "（责任单位：省民政厅）", "1 日，市长出席会议。", "2016年12月20日", "云南省人民政府", "任免通知", "序号\t任务\t责任单位",
     "1\t加强保障\t省民政厅", "\n", "\n\n", " ", "文字", "(", ")"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_is_partitioned(raw):
    docs = segment_issue(raw)
    if not raw:
        assert docs == []
        return
    assert docs[0].start == 0 and docs[-1].end == len(raw)
    for a, b in zip(docs, docs[1:]):
        assert a.end == b.start and a.start < a.end
    for d in docs:
        for it in d.items:
            assert d.start <= it.start < it.end <= d.end
            assert all(it.start <= a < b <= it.end for a, b in it.notes)
