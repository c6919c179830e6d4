"""The normalised view: PDF artefacts removed, exact offset map back to the raw text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.normalize import normalize, view_span


@pytest.fixture(scope="module")
def views(seed_texts):
    return {source: normalize(raw) for source, raw in seed_texts.items()}


def _same(view_char: str, raw_char: str) -> bool:
    breaks = "\n\r\f\v\x85\u2028\u2029"
    return (
        view_char == raw_char
        or (view_char == "\n" and raw_char in breaks)
        or (view_char == " " and raw_char in breaks + "\u3000\xa0")
    )


def _seed(views, prefix):
    return next(v for k, v in views.items() if k.startswith(prefix))


def test_to_raw_strictly_increasing_and_chars_come_from_raw(views):
    for v in views.values():
        offs = list(v.to_raw)
        assert all(a < b for a, b in zip(offs, offs[1:]))
        assert offs[0] >= 0 and offs[-1] < len(v.raw)
        # Each view char is its raw char, except a line break shown as "\n" or " ", or a wide space as " ".
        for ch, r in zip(v.text, offs):
            assert _same(ch, v.raw[r])


def test_every_gold_span_round_trips(seed_gold, views):
    texts, spans = seed_gold
    failures = []
    for source, gold in spans.items():
        v = views[source]
        for s in gold:
            vs = view_span(v, s.start, s.end)
            if vs is None or v.raw_offsets(*vs) != (s.start, s.end):
                failures.append((source, s.label, s.text, vs))
    assert sum(len(g) for g in spans.values()) > 3000
    assert failures == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_kept_raw_spans_round_trip(views, data):
    v = data.draw(st.sampled_from(sorted(views.values(), key=lambda v: len(v.raw))))
    i = data.draw(st.integers(0, len(v.text) - 1))
    j = data.draw(st.integers(i, min(len(v.text) - 1, i + 400)))
    a, b = v.to_raw[i], v.to_raw[j] + 1  # a raw span whose first and last chars are kept
    assert view_span(v, a, b) == (i, j + 1)
    assert v.raw_offsets(i, j + 1) == (a, b)


def test_view_span_of_dropped_chars_is_none():
    v = normalize("第一段内容。\n\n\n第二段")
    gap = v.raw.index("\n") + 1  # the blank lines after the kept "\n"
    assert view_span(v, gap, gap + 2) is None
    assert view_span(v, 0, 0) is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        # spaces inside CJK runs and between CJK and digits
        ("楚 雄 彝 族 自 治 州 人 民 政 府", "楚雄彝族自治州人民政府"),
        ("2019 年 2 月 底前完成", "2019年2月底前完成"),
        ("第 十 九 条\u3000 投 资 规 模 超 过 1000 万 元（ 含", "第十九条投资规模超过1000万元（含"),
        ("（责任单位 ：市民政局）", "（责任单位：市民政局）"),
        # Latin words and tabs stay
        ("NGFU GONGBAO", "NGFU GONGBAO"),
        ("序号\t工作任务\t责任单位", "序号\t工作任务\t责任单位"),
        ("PM2.5 and PM10", "PM2.5 and PM10"),
        # a mid-word wrap with a blank line (000:147-149)
        ("针对困境儿童监护、生活、教育等方面的突出问题，根据困境儿童自身、家庭情况分类施\n\n策，促进困境儿童健康成长。",
         "针对困境儿童监护、生活、教育等方面的突出问题，根据困境儿童自身、家庭情况分类施策，促进困境儿童健康成长。"),
        # a note wrapped after its colon (inside an open bracket)
        ("加强开办支持，提升服务水平。（责任单位：\n\n市民政局）", "加强开办支持，提升服务水平。（责任单位：市民政局）"),
        # paragraph ends and item markers keep their line break
        ("提出如下意见。\n\n一、总体要求\n\n（一）指导思想", "提出如下意见。\n一、总体要求\n（一）指导思想"),
        ("积极推进城乡之间的工作\n\n2.健全医疗保险制度", "积极推进城乡之间的工作\n2.健全医疗保险制度"),
        ("现将有关事项通知如下工作的\n\n第三条 本办法", "现将有关事项通知如下工作的\n第三条本办法"),
        # 文号, signature and date lines stand alone
        ("云南省人民政府关于加强 困境儿童保障工作的实施意见\n\n云政发〔2016〕103号", "云南省人民政府关于加强困境儿童保障工作的实施意见\n云政发〔2016〕103号"),
        ("云南省人民政府\n\n2016年12月20日\n\n(此件公开发布)", "云南省人民政府\n2016年12月20日\n(此件公开发布)"),
        # a table row is never joined
        ("下列单位负责各项重点工作的落实安排\n1\t加强保障\t省民政厅", "下列单位负责各项重点工作的落实安排\n1\t加强保障\t省民政厅"),
        # running header and page number inside a wrapped sentence (003:244-252)
        ("加强老年病医院和综合医院老年病科建设，二级\n\n\n\n4\n\n政 府 文 件\n\n以上综合医院积极开设", "加强老年病医院和综合医院老年病科建设，二级以上综合医院积极开设"),
        ("云南省人民政府办公厅关于印发的通知 (38)\n\n云南省人民政府政务刊物\n\n人事任免", "云南省人民政府办公厅关于印发的通知(38)\n人事任免"),
        # a page break shown as a line break plus a leading space (003:106)
        ("春节、老年节等重大节日走访慰问老英模、老党\n 员、高龄老年人", "春节、老年节等重大节日走访慰问老英模、老党员、高龄老年人"),
        # a title ends its line, unless its bracketed tail follows; so does a 第X节 heading
        ("云南省危险化学品安全综合治理实施方案\n\n为认真贯彻落实党中央、国务院和省委、省政府的决策部署",
         "云南省危险化学品安全综合治理实施方案\n为认真贯彻落实党中央、国务院和省委、省政府的决策部署"),
        ("六盘水市信息基础设施建设三年会战实施方案\n(2015—2017年)", "六盘水市信息基础设施建设三年会战实施方案(2015—2017年)"),
        ("第一节实施动态监测帮扶巩固拓展衔接工程\n\n依托救助平台开展工作，建立监测机制",
         "第一节实施动态监测帮扶巩固拓展衔接工程\n依托救助平台开展工作，建立监测机制"),
        # the next document's title after a field line; a citation wrapped before an organ name
        ("主办单位:省民族宗教委,有关州、市人民政府\n\n云南省人民政府办公厅关于印发 云南省市场主体信用信息管理 暂行办法的通知",
         "主办单位:省民族宗教委,有关州、市人民政府\n云南省人民政府办公厅关于印发云南省市场主体信用信息管理暂行办法的通知"),
        ("根据《国务院关于打赢蓝天保卫战三年行动计划的通知》（国发〔2018〕22号）《云\n\n南省人民政府关于印发云南省实施方案的通知》",
         "根据《国务院关于打赢蓝天保卫战三年行动计划的通知》（国发〔2018〕22号）《云南省人民政府关于印发云南省实施方案的通知》"),
        # Latin words across a wrap keep a separator
        ("the data is published by the National Bureau of\nStatistics every month of the year", None),
        # CRLF line ends
        ("第一段。\r\n\r\n第二段", "第一段。\n第二段"),
    ],
)
def test_artefacts(raw, expected):
    v = normalize(raw)
    if expected is None:
        assert "of Statistics" in v.text
    else:
        assert v.text == expected


def test_seed_003_reflowed(views):
    v = _seed(views, "003")
    assert v.raw.count("\n") > 6000
    assert v.text.count("\n") < v.raw.count("\n") / 5
    # hard-wrapped lines of ~20 chars become paragraphs
    paragraphs = [p for p in v.text.split("\n") if len(p) > 40]
    assert len(paragraphs) > 300
    assert "政府文件" not in v.text.replace(" ", "")
    assert "二级以上综合医院积极开设老年病科" in v.text
    assert "曲政发〔2018〕74号\n" in v.text


def test_headers_and_page_numbers_dropped(views):
    for prefix in ("000", "002"):
        assert "云南省人民政府政务刊物" not in _seed(views, prefix).text
    assert "\n4\n" not in _seed(views, "003").text


def test_item_lines_survive(views):
    lines = _seed(views, "000").text.split("\n")
    assert "一、总体要求" in lines
    assert "（一）指导思想" in lines
    assert "云政发〔2016〕103号" in lines
    assert "2016年12月20日" in lines


@pytest.mark.parametrize("raw", ["", "\n\n \n", "单行", "\u3000\u3000标题\u3000", "a\tb\n\t\n"])
def test_degenerate_inputs(raw):
    v = normalize(raw)
    assert len(v.text) == len(v.to_raw)
    assert v.text == v.text.strip(" \n\u3000") or "\t" in v.text


_ALPHABET = st.sampled_from(
    list("政府关于印发通知一二三、（）()：:；;。，,")
    + ["\n", "\n\n", " ", "\u3000", "\t", "\r\n", "\f", "2019", "年", "号", "〔2018〕", "a", "Z", "1.", "4"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_any_text_gives_a_consistent_view(raw):
    v = normalize(raw)
    offs = list(v.to_raw)
    assert all(a < b for a, b in zip(offs, offs[1:]))
    for ch, r in zip(v.text, offs):
        assert _same(ch, raw[r])
    assert not v.text.startswith(("\n", " ")) and not v.text.endswith(("\n", " "))
    assert "\n\n" not in v.text
    # every non-space raw char is either kept or deliberately dropped; the kept ones round-trip
    for i, r in enumerate(offs):
        assert view_span(v, r, r + 1) == (i, i + 1)
