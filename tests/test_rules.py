"""The rule extractor (annotate.rules) on the guide's own examples and on the seed gold.

Cases are written in the guide's markup: ⟦L …⟧ LEAD_UNIT, ⟦U …⟧ UNIT, ⟦D …⟧ DEADLINE, ⟦T …⟧ TARGET,
and ⏎ for a line break. A case passes when the extractor returns exactly the marked spans on the
unmarked text: positives must be found with their boundaries, negatives must stay unmarked.
"""

from __future__ import annotations

import re

import pytest

from annotate.rules import SCORES, extract_spans
from annotate.scoring import score_spans
from annotate.types import check_spans

LABEL_OF = {"L": "LEAD_UNIT", "U": "UNIT", "D": "DEADLINE", "T": "TARGET"}
MARK = re.compile(r"⟦([LUDT]) (.*?)⟧", re.S)


def unmark(marked: str) -> tuple[str, set[tuple[int, int, str]]]:
    """Raw text and the expected (start, end, label) spans of a marked case."""
    marked = marked.replace("⏎", "\n")
    raw, spans, pos = [], set(), 0
    for m in MARK.finditer(marked):
        raw.append(marked[pos: m.start()])
        start = sum(map(len, raw))
        raw.append(m.group(2))
        spans.add((start, start + len(m.group(2)), LABEL_OF[m.group(1)]))
        pos = m.end()
    raw.append(marked[pos:])
    return "".join(raw), spans


def found(raw: str) -> set[tuple[int, int, str]]:
    spans = extract_spans(raw)
    assert check_spans(raw, spans) == []
    return {s.key for s in spans}


def check(marked: str) -> None:
    raw, expected = unmark(marked)
    got = found(raw)
    show = lambda keys: sorted((raw[a:b], lab) for a, b, lab in keys)  # noqa: E731
    assert got == expected, f"missing {show(expected - got)}, extra {show(got - expected)}"


# §1.1 responsibility slots and §1.3 boundaries
SLOTS = [
    "(牵头单位:⟦L 市经济和信息化委⟧;责任单位:⟦U 各县、特区、区人民政府⟧,⟦U 钟山经济开发区管委会⟧)",
    "（⟦L 省文化厅⟧牵头；⟦U 各州、市人民政府⟧配合）",
    "（责任单位：⟦U 各州、市人民政府⟧；完成时限：⟦D 2022年11月底前⟧，并持续推进不断完善）",
    "(⟦L 省安全监管局⟧牵头负责;⟦U 省直有关部门⟧按照职责分工负责,⟦D 持续推进⟧)",
    "（⟦U 市规划局⟧负责）",
    "主办单位：⟦U 省扶贫办⟧，⟦U 各州、市人民政府⟧",
    "(⟦L 省人力资源社会保障厅⟧、⟦L 卫生计生委⟧、⟦L 民政厅⟧牵头;⟦U 省财政厅⟧协助)",
    "(⟦L 州教育体育局⟧牵头,⟦U 州委宣传部⟧、⟦U 州发展改革委⟧、⟦U 州社科联⟧配合)",
    "(牵头单位:⟦L 州科技局⟧、⟦L 州卫生健康委⟧;责任单位:⟦U 州工业和信息化局⟧、⟦U 州卫生健康委⟧)",
    "（市⏎⏎工业和信息化委、发展改革委牵头 ；市公安局参与）".replace("市⏎⏎工业和信息化委", "⟦L 市⏎⏎工业和信息化委⟧")
    .replace("发展改革委牵头", "⟦L 发展改革委⟧牵头").replace("市公安局参与", "⟦U 市公安局⟧参与"),
    "（⟦L 市环境保护局⟧、⟦L 公安局⟧、⟦L 市质监局⟧按职责牵头）",
    "（责任单位：⟦U 省发展改革委⟧、⟦U 工业和信息化委⟧、⟦U 科技厅⟧、⟦U 商务厅⟧）",
    "（责任单位 ：⟦U 市人力资源社会保障局⟧、⟦U 市财⏎⏎政局⟧、⟦U 市老龄办⟧，⟦U 各县、市、区⏎⏎人民政府⟧）",
    "(责任单位:⟦U 州疫苗药品管理工作领导小组成员单位⟧,⟦U 各县市人民政府⟧)",
    "主办单位:⟦U 省发展改革委⟧(⟦U 省物价局⟧、⟦U 能源局⟧),⟦U 各州、市人民政府⟧",
    "（⟦U 省财政厅⟧、⟦U 省通信管理局⟧等部门按照职责分工负责，⟦D 2022 年 10 月底前⟧完成）",
    "(⟦L 省教育厅⟧、⟦L 文化厅⟧、⟦L 编办⟧牵头;⟦U 省财政厅⟧协⏎⏎助)",
    "(⟦L 各级公安、统计、调查部门⟧牵头;⟦U 各级教育、卫生计生、人力资源社会保障、民政、住房城乡建设部门⟧协助)",
    "（⟦U 丽江市、红河州和普洱市人民政府⟧配合）",
    "(责任单位:⟦U 市发展改革委⟧〔⟦U 市铁建办⟧〕、⟦U 市城管局⟧)",
    "(牵头单位:⟦L 市教育局⟧;责任单位:⟦U 各县〔特区、区〕政府⟧,⟦U 市公安局⟧)",
    "(责任单位:⟦U 市环境保护局⟧完成时限:⟦D 2015年6月30日前⟧完成资源利用产能平衡计划表)",
    "(牵头单位:⟦L 市发展改革委⟧,⟦L 巾经济和信息化委⟧,完成时限:⟦D 2015年6月⟧)",
    "(牵头单位:⟦L 市经济和信息化委⟧,完成时限:⟦D 长期⟧)",
    # regional layouts (regional gold, train split): 主办 as a role word, 牵头责任单位 / 协同责任单位 labels
    "公共财政收入⟦T 增长13%左右⟧。(⟦U 省财政厅⟧主办)",
    "牵头责任单位:⟦L 市发展改革委⟧。\n协同责任单位:⟦U 市财政局⟧、⟦U 市统计局⟧。",
    "(⟦U 省安全监管局⟧负责危险化学品生产、储存企业;⟦U 省能⏎⏎源局⟧负责油气管道企业)",
    "(⟦U 省安全监管局⟧负责生产企业;⟦L 省交通运输厅⟧负责运输企业,牵头负责落实有关规定)",
    "（⟦U 市财政局⟧负责 ；⟦D 2019 年 2 月⏎⏎底⟧基本完成并持续推进）",
    "(⟦L 省安全监管局⟧牵头。⟦D 2018年3月底前⟧取得阶段性成果,⟦D 2018年4月—2019年10月⟧深化提升)",
    "（⟦U 有关部门⟧按照职责分工负责，在⟦D 综合治理实施过程中持续推进⟧）",
    "责任单位：⏎⟦U 市财政局⟧、⟦U 市民政局⟧",
    "（由⟦L 市发展改革委⟧牵头，⟦U 市财政局⟧、⟦U 市统计局⟧配合）",
    "（⟦L 自治区发改委⟧牵头；⟦U 各盟市人民政府⟧配合）",
    "（⟦U 各街道⟧、⟦U 各乡镇⟧负责）",
    "(责任单位:⟦U 市委、市政府督查室⟧、⟦U 市经济和信息化委⟧)",
    "以下均需⟦U 各县（市、⏎ 区）人民政府⟧、⟦U 曲靖经济技术开发区管委会⟧负责⏎⏎落实，不再列出。",
    "（责任单位：⟦U 市发改委⟧、⟦U 市财政局⟧；完成时限：⟦D 2023年6月底前⟧）",
    "（⟦U 各县（市、区）人民政府⟧负责）",
    "（⟦L 省交通运输厅⟧牵头，⟦U 省公安厅⟧、⟦U 有关州、市人民⏎⏎政府⟧配合）",
    "（⟦U 市财政局⟧负责；⟦D 长期坚持⟧）",
]

# §1.1 first-listed convention in a 责任单位 table column (F9)
TABLE = (
    "序号\t工作任务\t责任单位\n"
    "1\t对符合条件的困境儿童进行救助\t⟦L 省民政厅⟧、⟦U 财政厅⟧(列首位的为牵头单位,下同)\n"
    "2\t对符合条件的困境儿童开展教育救助\t⟦L 省教育厅⟧、⟦U 民政厅⟧,⟦U 省残联⟧\n"
    "3\t落实残疾儿童福利服务要求\t⟦L 省卫生计生委⟧\n"
)
TABLE_NO_CONVENTION = "序号\t工作任务\t责任单位\n1\t开展教育救助\t⟦U 省教育厅⟧、⟦U 民政厅⟧\n"

# §2 and §3 prose
PROSE = [
    "建立由⟦L 省商务厅⟧牵头,⟦U 省直有关部门⟧参加的联席会议制度。",
    "⟦L 省卫生健康委⟧为牵头单位。",
    "建立政府领导，⟦L 民政部门⟧、⟦L 妇儿工委办公室⟧牵头的工作机制。",
    "⟦L 民政部门⟧、⟦L 妇儿工委办公室⟧要发挥牵头作用,会同妇儿工委各成员单位做好工作。",
    "⟦L 各州、市政府办公厅(室)⟧、⟦L 省直各部门办公室(综合处)⟧要牵头负责推进。",
    "⟦U 省自然资源厅⟧负责指导各地优先保障项目用地。",
    "⟦L 省人力资源社会保障厅⟧是“贷免扶补”工作牵头部门。",
    "发挥⟦L 州彝医药研究院⟧牵头抓总的作用,推进科研。",
    "⟦U 各县(特区、区)人民政府⟧对本行政区域内环境空气质量负总责。",
    "第三十四条　本办法由⟦U 市发展改革委⟧负责解释。",
    "(七)⟦U 财政部门⟧负责创业吸纳就业补贴资金的筹措。",
    "⟦U 省直有关部门⟧要各司其职、各负其责,形成合力。",
    "探索建立⟦U 工会⟧、⟦U 共青团⟧、⟦U 妇联⟧等群团组织参与的服务机制。",
    "适时成立⟦U 六盘水市信用管理机构⟧,负责拟订全市信用体系建设规划。",
    "⟦U 各州、市政务服务便民热线管理机构⟧ and ⟦U 公安机关⟧具体负责对接联动。",
    "（一）⟦L 市发展改革委⟧牵头的工作",
    "由⟦L 自治区工业和信息化厅⟧牵头，⟦U 自治区财政厅⟧、⟦U 科技厅⟧配合，推进企业培育。",
    "成立领导小组，⟦U 发展改革和财政等有关部门⟧参加。",
    "完善校务委员会、教职工代表大会和家长委员会共同参与学校管理的机制。",
]
PROSE_NEGATIVE = [
    "建立由主管领导牵头的文物工作协调机制。",
    "成立政府分管负责同志牵头的领导小组。",
    "按照“一家牵头、部门配合、成果共享、结果互认”要求。",
    "各州、市、县、区也要建立相应机制并明确牵头部门。",
    "发展改革部门在编制有关规划时,要统筹考虑。",
    "省民政厅、妇儿工委办公室要加强对本意见执行情况的监督检查。",
    "市环境保护局做好搬迁改造企业环评审批。",
    "请州发展改革委、州财政局收到决议后研究处理。",
    "承贷金融机构负责组织实施。",
    "电网企业负责建设配套电网。",
    "儿童福利督导员负责收集汇总上报。",
    "实行政府主要负责人负责制。",
    "各牵头单位要按时报送进展。",
    "市卫健委牵头,会同市教体局起草了本办法。",
    "⟦U 省财政厅⟧负责保障资金，省民政厅会同有关部门制定细则。",
]

# §4 deadlines
DEADLINES = [
    "到⟦D 2025年⟧,我州公民具备科学素质的比例⟦T 达到13%⟧。",
    "⟦D “十四五”期间⟧,制定⟦T 10项⟧云南省彝族药材标准。",
    "力争到⟦D “十四五”末⟧农村居民人均可支配收入⟦T 突破2万元⟧。",
    "⟦D 2019 年 1 月 1 日起⟧，⏎⏎全市全面供应符合国六（B）标准的车用汽油。",
    "市直有关部门于⟦D 每年 10 月底前⟧向市智慧办申报。",
    "从⟦D 2017年秋季学期开始⟧,小学一年级不得新增大班额。",
    "(一)部署阶段(⟦D 2017年1—3月⟧)。各州、市人民政府要制定方案。",
    "——⟦D 2020—2022年⟧,筑牢基础。",
    "在⟦D 2018年底前⟧完成改造。",
    "确保到⟦D 2020年底前⟧全部完成。",
    "⟦D 2017年1月开始至2019年10月结束⟧,分3个阶段进行。",
    "⟦D 2017年⟧全市经济社会发展主要预期目标是:",
    "2014年工作完成情况良好。⏎2016年12月20日",
    "⟦D 2020 年底前⟧，所有县级及以上城市建成区基本完成燃煤锅炉淘汰任务。",
]
DEADLINE_NEGATIVE = [
    "云南省人民政府⏎2016年12月20日",
    "本办法自2022年9月19日起施行。",
    "由 2015 年的 2829 元上升到 2020 年的 11637 元",
    "云政发〔2016〕103号",
    "3年内完成,年内启动,7个工作日内办结。",
    "《云南省人民政府关于印发行动方案(2022-2025年)的通知》",
    "2018—2021年累计安排专项资金。",
    "在2014年平均浓度基准值的基础上大幅削减。",
    "2024—2026年,每年统筹安排专项资金。",
    "全市铁路货运量比 2017 年大幅增长。",
    "“十四五”规划纲要提出的任务。",
]

# §5 targets
TARGETS = [
    "在2014年平均浓度72微克/立方米基准值的基础上,⟦T 削减16.7%以上⟧,⟦T 不高于60微克/立方米⟧。",
    "到⟦D 2020 年⟧，参保率稳定在 95% 以上。".replace("稳定在 95% 以上", "稳⏎⏎定在 95% 以上")
    .replace("稳⏎⏎定在 95% 以上", "⟦T 稳⏎⏎定在 95% 以上⟧"),
    "新增农村劳动力转移就业 ⟦T 100 万人次以上⟧。",
    "年度投资任务:完成投资 ⟦T 1000 亿元以上⟧",
    "到⟦D 2020年⟧，全省国家级文物保护单位由132处⟦T 增加到180处以上⟧。",
    "脱贫户家庭人均纯收入年均增长率稳定⟦T 达19.2%以上⟧。",
    "到⟦D 2020 年⟧，老年志愿者注册人数达到老年人口总数的 ⟦T 12%⟧。",
    "氮氧化物排放总量分别比 2015 年⟦T 下 降 3.19%⟧、⏎⏎⟦T 0.99%⟧。",
    "到⟦D 2021年底⟧全州⟦T 50%以上⟧的村(社区)集体经济收入⟦T 达到10万元以上⟧。",
    "力争在校生⟦T 超过6万余名⟧。",
    "每年评定农民技术职称⟦T 500人以上⟧。",
    "力争年内率先启动⟦T 5至10户⟧企业改制工作。",
    "森林火灾受害率稳定⟦T 控制在0.7%。以下⟧。",
    "到⟦D 2025年⟧，每千人口拥有执业（助理）医师⟦T 3.2人⟧。",
    "到⟦D 2025年⟧，城乡社区服务设施覆盖率⟦T 达到100%⟧。",
    "到⟦D 2020年⟧，全市生产总值比2010年⟦T 翻一番⟧。",
    "保障性住房建设⟦T 增加约220%⟧，筹集房源⟦T 约20万套⟧。",
    "新建保障性住房⟦T 10 万套(户)以上⟧。",
    "每县至少建成⟦T 1所⟧失能特困人员照护机构。",
    "六枝特区、盘县分别建⟦T 1至2个⟧老年公寓。",
    "⟦D 2015年⟧全市单位生产总值能耗⟦T 下降3.2%⟧。",
]
TARGET_NEGATIVE = [
    "按照寄宿学生每生每年200元的标准核定公用经费。",
    "提供3年期个人最高不超过20万元的创业小额贷款扶持。",
    "基本淘汰每小时 10 蒸吨及以下燃煤⏎⏎锅炉。",
    "支持武定县不低于总量的30%。",
    "每季度组织1次综合督查。",
    "重点⏎⏎开展5项提升行动。",
    "新建住宅配建停车位应 100% 建设充电⏎⏎基础设施。",
    "12345 政务服务便民热线与 110 报警服务台",
    "围挡高度不低于2.5米。",
    "全面实现城乡社区全覆盖。",
    "对符合条件的给予10万元奖励。",
    "办件应在7个工作日内办结，每年至少1次。",
    "重点支持玉溪市、保山市、文山州等3个试点城市。",
    "二级以上医院和80周岁及以上老人优先。",
    "2015年,全市完成投资已达120亿元。",
]
INDICATOR_TABLE = (
    "序号\t指 标\t单位\t2020 年\t2025 年\t指示属性\n"
    "1\t农村自然村道路硬化率(30 户以上)\t%\t47%\t⟦T ≥70%⟧\t约束性\n"
    "2\t电子政务外网行政村级覆盖率(%)\t%\t8.42\t⟦T 80⟧\t预期性\n"
    "3\t监测率\t%\t—\t⟦T 100%⟧\t约束性\n"
)

# §0 rule 3 excluded zones
ZONES = [
    "各州、市人民政府，省直各委、办、厅、局：",
    "《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）",
    "云南省人民政府⏎⏎2016年12月20日⏎⏎(此件公开发布)",
    "任命：⏎章吉青为省住房和城乡建设厅副厅长",
    "各州、市人民政府，省直各委、办、厅、局： 彻执行。",
    "云南省人民政府关于加强困境儿童保障工作的实施意见⏎⏎云政发〔2016〕103号",
]


def cases(prefix: str, marked: list[str]):
    return [pytest.param(m, id=f"{prefix}{i:02d}") for i, m in enumerate(marked)]


@pytest.mark.parametrize("marked", cases("slot", SLOTS))
def test_slots(marked):
    check(marked)


@pytest.mark.parametrize("marked", cases("table", [TABLE, TABLE_NO_CONVENTION]))
def test_responsibility_table(marked):
    check(marked)


@pytest.mark.parametrize("marked", cases("prose", PROSE) + cases("prose-neg", PROSE_NEGATIVE))
def test_prose_roles(marked):
    check(marked)


@pytest.mark.parametrize("marked", cases("deadline", DEADLINES) + cases("deadline-neg", DEADLINE_NEGATIVE))
def test_deadlines(marked):
    check(marked)


@pytest.mark.parametrize(
    "marked", cases("target", TARGETS) + cases("target-neg", TARGET_NEGATIVE) + cases("indicators", [INDICATOR_TABLE])
)
def test_targets(marked):
    check(marked)


@pytest.mark.parametrize("marked", cases("zone", ZONES))
def test_excluded_zones(marked):
    check(marked)


@pytest.mark.parametrize("raw", ["", " \n\t", "无", "（）", "(责任单位:)", "完成时限:", "达到", "2015年"])
def test_degenerate_inputs(raw):
    spans = extract_spans(raw)
    assert check_spans(raw, spans) == []


def test_spans_carry_source_and_score():
    spans = extract_spans("（省文化厅牵头；各州、市人民政府配合，2018年3月底前完成）")
    assert spans and all(s.source == "rules" and 0 < s.score <= 1 for s in spans)
    assert set(SCORES) >= {"field", "note", "prose_unit", "deadline", "target"}


@pytest.fixture(scope="module")
def seed_predictions(seed_gold):
    texts, _ = seed_gold
    return {src: extract_spans(raw) for src, raw in texts.items()}


def test_seed_spans_valid(seed_gold, seed_predictions):
    texts, _ = seed_gold
    for src, spans in seed_predictions.items():
        assert check_spans(texts[src], spans) == [], src
        assert all(s.text == texts[src][s.start: s.end] for s in spans)


# floors a little below what the rules reach (see benchmarks/rules_vs_gold.py), so a regression fails
FLOORS = {"LEAD_UNIT": 0.98, "UNIT": 0.98, "DEADLINE": 0.96, "TARGET": 0.94, "micro": 0.975}


@pytest.mark.parametrize("label", sorted(FLOORS))
def test_seed_gold_f1_floor(seed_gold, seed_predictions, label):
    _, gold = seed_gold
    f1 = score_spans(gold, seed_predictions)[label].f1
    assert f1 >= FLOORS[label], f"{label} F1 {f1:.3f} < {FLOORS[label]}"


def test_without_helper_structure(seed_gold, monkeypatch):
    """Without annotate.normalize / annotate.segment (identity view, no documents) the rules still work."""
    from annotate.rules import extract
    from annotate.types import TextView

    monkeypatch.setattr(extract, "base_view", TextView.identity)
    monkeypatch.setattr(extract, "issue_documents", lambda raw, view=None: [])
    texts, gold = seed_gold
    pred = {src: extract.extract_spans(raw) for src, raw in texts.items()}
    assert all(check_spans(texts[src], spans) == [] for src, spans in pred.items())
    assert score_spans(gold, pred)["micro"].f1 >= 0.97


def test_passage_equals_issue_inside_a_note(seed_gold):
    """A short passage cut from an issue gives the same spans as the issue around it (pre-annotation of chunks)."""
    texts, _ = seed_gold
    raw = texts["004_3791d645c7736a07.txt"]
    line = next(ln for ln in raw.split("\n") if "牵头单位:" in ln and "完成时限:" in ln)
    start = raw.index(line)
    in_issue = {s.shifted(-start).key for s in extract_spans(raw) if start <= s.start and s.end <= start + len(line)}
    assert {s.key for s in extract_spans(line)} == in_issue
