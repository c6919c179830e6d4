"""Adjudicate two independent annotation passes of the regional gold (issue #7).

Usage (from anywhere):  python data/regional/adjudicate.py [--pairs g:i h:j m:x ...] [--dry]

For each pair (pass1-<a>.jsonl, pass2-<b>.jsonl) in data/regional/ it
  * parses both markups (annotate.inline.parse_inline) and checks they strip to the passage text,
  * keeps the spans both passes agree on (same start, end, label),
  * decides each disagreeing span with the RULES below (decision types D1..D9; each rule is the
    guide v1.2 decision recorded in data/ANNOTATION_GUIDE.md §10) or with an explicit OVERRIDE,
  * applies FIXES to errors both passes share (none found in batch 1),
  * marks EXCLUDE passages,
and writes data/regional/adjudicated.jsonl plus data/regional/ADJUDICATION.md (tables are generated;
the prose parts come from ADJ_NOTES below).  Disagreements that no rule or override covers are listed as
UNRESOLVED on stdout and default to the pass-1 reading: add a rule or an override and rerun.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from annotate.inline import parse_inline, render_inline  # noqa: E402
from annotate.scoring import score_spans  # noqa: E402
from annotate.schema import LABELS  # noqa: E402
from annotate.types import Span  # noqa: E402

D = REPO / "data" / "regional"
DEFAULT_PAIRS = [("g", "i"), ("h", "j")]
FIELDS = ["id", "region", "title", "year", "source_url", "doc_key", "doc_type", "text"]

# --------------------------------------------------------------------------------------------------
# Rules. Each takes (row, span, in1, in2, other_spans) and returns (keep: bool, type, reason) or None.
# `span` is a span proposed by one pass only; in1/in2 say which pass has it; other = the other pass's
# disagreeing spans that overlap it.
# --------------------------------------------------------------------------------------------------

EXTRA_COMPARATORS = ("不大于", "不小于", "大于", "小于", "超")  # v1.2 §10.1, synonyms of listed ones
YEAR_RE = re.compile(r"^(\d{4}|20\*)\s*年度?$")
WORK_NOUN = re.compile(r"^[^,，。;；:：]{0,18}?(工作|任务|实事|目标任务)")


def r_comparator(row, s, in1, in2, other):
    """D1: 大于/小于/超 directly before the number are comparators (inside the TARGET)."""
    if s.label != "TARGET":
        return None
    for o in other:
        if o.label == "TARGET" and o.end == s.end and o.start != s.start:
            longer, shorter = (s, o) if s.start < o.start else (o, s)
            prefix = row["text"][longer.start:shorter.start]
            if prefix in EXTRA_COMPARATORS:
                return (s is longer, "D1 comparator 大于/小于/超",
                        f"「{prefix}」 is a comparator (§10.1): span includes it")
    return None


def r_year_attribute(row, s, in1, in2, other):
    """D2: a year that names the work handed over (现将2023年重点工作任务分解…) is document scope, not D."""
    if s.label != "DEADLINE" or not YEAR_RE.match(s.text) or other:
        return None
    t = row["text"]
    after = t[s.end:s.end + 30]
    if after[:1] in ",，" or re.match(r"\s*(是|为)", after):
        return None  # adverbial or copular: other rules
    if "预期目标是" in after[:20] or "主要预期目标为" in after[:20]:
        return None  # §9.6 case
    if WORK_NOUN.match(after) or after.startswith("的预期发展目标"):
        return (False, "D2 year naming the work/list (attribute)",
                "year modifies the noun naming the work the covering text hands over; document-level scope (§10.2)")
    return None


def r_split_collective(row, s, in1, in2, other):
    """D3: coordinated or bracketed items without one shared head → one span per organisation."""
    if s.label not in ("UNIT", "LEAD_UNIT"):
        return None
    t = row["text"]
    # s is the long one, other are its parts
    parts = [o for o in other if o.label == s.label and s.start <= o.start and o.end <= s.end]
    if len(parts) >= 2:
        return (False, "D3 split: no shared head / bracket names another body",
                f"「{s.text}」 → {' + '.join('「'+p.text+'」' for p in parts)} (§1.3, §10.3)")
    # s is a part of a longer one proposed by the other pass
    for o in other:
        if o.label == s.label and o.start <= s.start and s.end <= o.end and (o.start, o.end) != (s.start, s.end):
            return (True, "D3 split: no shared head / bracket names another body",
                    f"part of 「{o.text}」 kept as its own span (§1.3, §10.3)")
    return None


def r_data_provider(row, s, in1, in2, other):
    """D4: 数据提供单位: names who supplies statistics, not who does the task → not a slot."""
    if s.label != "UNIT":
        return None
    pre = row["text"][max(0, s.start - 30):s.start]
    seg = re.split(r"[;；(（]", pre)[-1]
    if seg.startswith("数据提供单位"):
        return (False, "D4 数据提供单位 field", "data-supplier field is not a responsibility slot (§10.4)")
    return None


def r_office_duty(row, s, in1, in2, other):
    """D5: an office set up with a duty (下设办公室,…,负责…) is the agent of 负责 → UNIT."""
    if s.label == "UNIT" and s.text.endswith("办公室") and "负责" in row["text"][s.end:s.end + 20] \
            and "下设" in row["text"][max(0, s.start - 4):s.start]:
        return (True, "D5 office set up with a duty", "agent of 负责 with head word 办/室 (§3, §10.5)")
    return None


RULES = [r_comparator, r_year_attribute, r_split_collective, r_data_provider, r_office_duty]

# Explicit decisions: (id, start, end, label) -> (keep, type, reason)
OVERRIDES: dict[tuple, tuple] = {
    # batch 3 (m/n) and 4 (o/p), decided by the lead
    ("o-ningxia-001", 141, 146, "DEADLINE"): (True, "D2 year opening a task list", "「2017年,全市…主要任务是:」 opens the year's task list: a DEADLINE (§9.6, §10.2)"),
    ("m-hebei-001", 477, 481, "TARGET"): (True, "D10 quality class", "a committed water-quality class is a TARGET (§10.10)"),
    ("m-zhejiang-001", 242, 245, "TARGET"): (False, "M1 enumeration total", "「…等12条断头路」 totals an enumeration: a structure count (§5)"),
    ("m-zhejiang-002", 51, 53, "TARGET"): (False, "M1 enumeration total", "「人民中路等3条城区道路」 totals an enumeration (§5)"),
    ("m-sichuan-002", 467, 475, "TARGET"): (True, "M2 outcome level", "审批时间压缩至90个工作日以内 under 主要目标 is an outcome level, not a procedural limit on a party; 压缩至 is not a listed comparator"),
    ("m-neimenggu-002", 350, 358, "UNIT"): (False, "M3 definition", "a definition clause (是指) assigns nothing (§3)"),
    ("m-zhejiang-008", 196, 199, "TARGET"): (True, "M4 milestone share", "the monthly milestone's share (20%) is a forward quantity like its count (§5 two numbers)"),
    ("m-jiangxi-001", 295, 299, "UNIT"): (False, "M5 要/会同", "要 and 会同 are not role words (§3)"),
    ("m-jiangxi-001", 302, 308, "UNIT"): (False, "M5 要/会同", "会同 object (§6 H25)"),
    ("m-shandong-003", 230, 233, "UNIT"): (False, "M6 allocation", "安排预算资金 is an allocation, no role word"),
    ("m-shandong-003", 401, 404, "UNIT"): (False, "M6 allocation", "no role word"),
    ("m-jilin-002", 385, 392, "UNIT"): (True, "M7 配合 agent", "全市各成员单位…积极配合: agent of 配合 (§3, §9.2)"),
    ("m-jilin-002", 294, 296, "UNIT"): (False, "M8 self-reference", "我局 names no organisation"),
    ("m-jilin-002", 435, 437, "UNIT"): (False, "M8 self-reference", "我局 names no organisation"),
    ("m-jiangsu-004", 295, 306, "UNIT"): (False, "M9 table residue", "the cell text 「(邹区镇\n2、)」 mixes the next row's number; keep the organisation only"),
    ("m-shandong-004", 579, 585, "UNIT"): (True, "M10 slot list", "every body listed in a 责任单位 slot (§9.3)"),
    ("m-shandong-004", 586, 588, "UNIT"): (True, "M10 slot list", "elided 市直有关单位 in the slot, as written (§1.3)"),
    ("m-shaanxi-002", 465, 469, "UNIT"): (True, "M7 配合 agent", "相关单位…积极配合 (§3, §9.2)"),
    ("m-shaanxi-002", 529, 534, "UNIT"): (False, "M5 要/会同", "要 is not a role word (§3)"),
    ("m-shaanxi-002", 594, 598, "UNIT"): (False, "M5 要/会同", "要 is not a role word (§3)"),
    ("m-jiangxi-002", 111, 115, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    ("m-jiangxi-002", 127, 131, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    ("m-jiangxi-002", 143, 147, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    ("m-jiangxi-002", 159, 165, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    ("m-jiangxi-002", 177, 183, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    ("m-jiangxi-002", 195, 199, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    ("m-jiangxi-002", 211, 214, "LEAD_UNIT"): (False, "M11 count breakdown", "「X区政府民生实事项目N个」 counts projects per unit; the 牵头单位 list before it is the slot"),
    # D6 completion report of a finished year: restated targets are retrospective (shanghai-001 precedent)
    ("shanghai-011", 412, 416, "TARGET"): (False, "D6 period closed / still open",
                                           "completion report of a finished year: restated target is retrospective (rule 4, §10.6)"),
    # D6 progress table of the running year: a forward plan (拟) is a target
    ("guangdong-007", 305, 308, "TARGET"): (True, "D6 period closed / still open",
                                            "「全年拟出台22份」 in a progress cell of the running year is forward (§10.6)"),
    # D7 「零成本」 for starting a business = a fee level (policy parameter)
    ("guangxi-003", 420, 423, "TARGET"): (False, "D7 零 in a fee/benefit slogan",
                                          "“零成本” of 开办企业 is a fee level, a policy parameter (§5, §10.7)"),
    # D8 news headlines and project descriptions (passages are excluded, decided anyway)
    ("ningxia-004", 15, 22, "TARGET"): (False, "D8 headline / project description", "headline line = title zone (rule 3)"),
    ("ningxia-004", 508, 514, "TARGET"): (False, "D8 headline / project description",
                                          "「该项目总投资15.8亿元」 describes a project under way (attribute), §10.8"),
    ("ningxia-004", 543, 548, "TARGET"): (False, "D8 headline / project description",
                                          "scope of the project described (包括…,铺设…), §10.8"),
    ("hainan-005", 25, 30, "DEADLINE"): (False, "D8 headline / project description", "headline line = title zone (rule 3)"),
    ("hainan-005", 38, 40, "TARGET"): (False, "D8 headline / project description", "headline line = title zone (rule 3)"),
    ("hainan-005", 310, 315, "DEADLINE"): (False, "D8 headline / project description", "repeated headline = title zone"),
    ("hainan-005", 323, 325, "TARGET"): (False, "D8 headline / project description", "repeated headline = title zone"),
    ("chongqing-007", 3, 8, "DEADLINE"): (False, "D8 headline / project description", "headline line = title zone (rule 3)"),
    ("chongqing-007", 20, 24, "TARGET"): (False, "D8 headline / project description", "headline line = title zone (rule 3)"),
    # D9 the date from which a benefit standard applies is a validity window of a parameter
    ("fujian-008", 189, 195, "DEADLINE"): (False, "D9 start date of a benefit standard",
                                           "「从2017年起,将…低保…标准…提高到3000元」: validity of a benefit parameter (§4 N6, §10.9)"),
}

# Errors both passes share: id -> list of (action, (start, end, label), reason); action "drop" or "add"
FIXES: dict[str, list] = {
    # cross-pair harmonisation (§10.10): g/i annotate a committed quality class (beijing-001 ⟦T 达到Ⅳ类⟧),
    # h/j did not (henan-006); decided for TARGET, so the h/j passage is brought in line.
    "henan-006": [("add", (498, 502, "TARGET"), "「水质稳定⟦T 达到Ⅱ类⟧」: committed quality class = TARGET (§10.10), as beijing-001")],
}

EXCLUDE = {
    "gansu-006": "near-duplicate of gansu-005 (the same document cut twice, 99% identical text)",
    "m-neimenggu-003": "duplicate: contains the whole text of m-neimenggu-001 (same document, republished with a release header)",
    "ningxia-002": "news report (人民网) of a work report: reporter framing (「王伟说」)",
    "ningxia-004": "news report (宁夏日报) paraphrasing the 2020 work plan: headline, dateline, 记者…获悉",
    "xizang-004": "news lead paraphrasing the 建议 (all labelled content) + only its title and preamble",
    "xizang-005": "news report (中新社) of the work report, paraphrase and quotes",
    "xizang-006": "news report (中国新闻网) of the work report, paraphrase",
    "hainan-004": "news report (海南日报 via repost) of the work report, paraphrase",
    "hainan-005": "blog repost of news on the work report: headline repeated, paraphrase",
    "chongqing-005": "news report (澎湃/重庆发布 repost) of the work report, paraphrase",
    "chongqing-006": "news report (中新社) of the work report, paraphrase",
    "chongqing-007": "news report (新华社) of the work report: headline, dateline, 记者…获悉",
    "guizhou-005": "news report (中国新闻网) of the work report: headline, byline, paraphrase",
    "neimenggu-007": "news paraphrase of the Hohhot task list (agents with 要, reworded), not the document",
    "heilongjiang-007": "news report (东北网, 记者) of the work report, paraphrase",
    "jilin-008": "news report (人民网 两会观察) of a press conference on the work report",
    "beijing-009": "news report (本报讯) about the 分工方案, only paraphrase and totals",
    "tianjin-009": "publicity article (工作动态) of a department reposted by an aggregator, year presumed; "
                   "not a government document",
}
KEPT_CHECKED = {
    "fujian-008": "kept: the official announcement (省委、省政府研究决定…) followed by the verbatim list of the 25 实事",
    "fujian-009": "kept: official announcement + verbatim 主要内容 of 《2019年…为民办实事工作计划》",
    "shanghai-012": "kept (flag): one-sentence republisher lead, then 沪府〔2020〕27号 verbatim",
    "chongqing-003": "kept (flag): two-sentence republisher lead + 「小编带你了解」, then the 分解 verbatim",
    "shaanxi-003": "kept (flag): republisher lead quoting the 任务 nearly verbatim, then the document verbatim",
    "qinghai-002": "kept (flag): one-paragraph republisher lead, then the 规划 verbatim",
    "hebei-004": "kept: verbatim target section of the 2019 work report (republished)",
}


# --------------------------------------------------------------------------------------------------
# Decisions (guide v1.2 §10). Same text goes to ADJUDICATION.md and, once, to data/ANNOTATION_GUIDE.md.
# --------------------------------------------------------------------------------------------------
DECISIONS = [
    ("大于 / 小于 / 不大于 / 不小于 / 超 are comparators",
     "They mean the same as the listed 超过 / 低于 / 不低于 / 不高于 and sit directly before the number, so they are "
     "inside the TARGET. The closed list in §5 gets these five words added.",
     "「生活垃圾回收利用率⟦T 大于37.5%⟧」 (beijing-001); 「常住人口⟦T 超1000万人⟧」 (fujian-001); "
     "「完成投资⟦T 超60亿元⟧」 (jiangsu-006). 超 as an attribute inside a noun phrase stays out: "
     "「总投资超30亿元…产业项目⟦T 2个⟧」."),
    ("A year that names the work a covering text hands over",
     "The year is an attribute of the noun that names the work, list or report (YYYY年重点工作任务, YYYY年政府工作, "
     "YYYY年…实事项目). This is document-level scope, like a title (general rule 5, H21), so it is **not** a "
     "DEADLINE. A year is a DEADLINE when it is a time adverbial of a task sentence or opens the target list "
     "itself (§9.6).",
     "No DEADLINE: 「现将《政府工作报告》提出的2023年重点工作任务予以分解」 (henan-001), 「为认真做好2019年政府工作」 "
     "(hunan-009), 「票决确定20项2023年市人民政府民生实事项目,分别是:」 (hebei-005). DEADLINE: "
     "「⟦D 2020年⟧,全市政务公开工作按照…积极推进…」 (hebei-006), 「研究决定,⟦D 2019年⟧继续开展为民办实事工作」 "
     "(fujian-009), 「⟦D 2017年⟧全市经济社会发展主要预期目标是:」."),
    ("Coordinated items without one shared head; brackets that hold a full organisation",
     "H2 and H3 give one span only when the items are bare level, place or domain words before **one** head. When "
     "each item is complete on its own (an elided 各 does not count as a shared head), give one span per item, as "
     "for elided prefixes. A bracket that holds an organisation name with its own head word (中心, 局, 办) is a "
     "separate span. An inclusion note (含…) or an alternative form stays inside.",
     "「责任单位:各有关部门,⟦U 各开发区⟧、⟦U 镇(街道)⟧」 (liaoning-007); 「责任处室:⟦U 公用事业处⟧  "
     "⟦U 综合处⟧(⟦U 市政公用工程建设管理中心⟧)」 (henan-005); one span stays: 「⟦U 各区县政府(含北京经济技术开发区)⟧」, "
     "「⟦U 各镇政府(街道办事处)⟧」."),
    ("Fields that name who supplies data",
     "「数据提供单位:」 names who supplies the statistics for an indicator, not who does the task. It is not a "
     "responsibility slot (like 联系单位:), so nothing is annotated. A column that names the department in charge "
     "of an indicator (监考单位, sichuan-009) is a slot: UNIT.",
     "「(牵头单位:⟦L 市发改委⟧;数据提供单位:市统计局)」 (sichuan-008)."),
    ("An office set up with a duty",
     "「下设办公室,…,负责…」: the office is an organisation (head word 办/室) and the agent of 负责, so it is "
     "UNIT. The host named by 设在 is not annotated.",
     "「领导小组下设⟦U 办公室⟧,设在市发改委,负责日常协调推进工作」 (jiangxi-002)."),
    ("Reports on plans: closed period vs open period",
     "Annotate a restated task or target in a progress or completion report only if its period is still open at "
     "the report date. If the period is closed, it is retrospective (rule 4): no TARGET and no DEADLINE, but a "
     "responsibility slot kept in the report is still annotated. Forward statements in progress cells of a running "
     "year (拟, 全年目标, 计划…竣工) are annotated. Achieved values are never annotated.",
     "2020 completion report 「(1)新增600张养老床位(责任部门:⟦U 区民政局⟧)」 → no TARGET (shanghai-011); progress "
     "cell as of 2017-09-30 「二是全年拟出台⟦T 22份⟧…配套政策,已出台14份」 (guangdong-007)."),
    ("零 in a fee or benefit slogan",
     "「零成本」 for starting a business is a fee level, i.e. a policy parameter (§5). It is not a TARGET, like "
     "the “零关税” lists. 零 stays a numeral where it gives an outcome level.",
     "「力争实现开办企业“零成本”」 (guangxi-003) → nothing."),
    ("News layout inside a passage",
     "Headlines, datelines, bylines and blog headers are the title zone (rule 3). In a news description of a "
     "project under way (「该项目总投资X,包括…,铺设…」), the figures describe the project and are not TARGETs. Its "
     "forward completion dates are DEADLINEs. Passages that are journalism rather than document text are "
     "excluded from the gold (field `exclude`).",
     "「完善交通网供水圈,新建5G基站3000座以上——」 headline → nothing; 「该项目总投资15.8亿元,…铺设输水管道145公里,"
     "将于⟦D 2020年底⟧实现…供水」 (ningxia-004)."),
    ("The start date of a benefit standard",
     "H14 start times are DEADLINEs for tasks. The date from which a benefit, subsidy or fee standard applies is "
     "the validity window of a parameter (§4 N6, §9.7): not a DEADLINE, and the raised standard is not a TARGET "
     "either.",
     "「从2017年起,将农村居民最低生活保障省定最低标准由…2650元提高到3000元」 (fujian-008) → nothing."),
    ("A quality class that the document commits to",
     "A class or grade on a numeral scale that is the committed outcome level (water quality class) is a "
     "TARGET: comparator + class, with the adverb out. A class used as an attribute inside a noun phrase "
     "(Ⅰ—Ⅲ类水体比例, 二级以上医院) or in a name (国六) is not.",
     "「北运河水质⟦T 达到Ⅳ类⟧」 (beijing-001); 「陶岔取水口水质稳定⟦T 达到Ⅱ类⟧」 and 「地表水Ⅰ—Ⅲ类水体比例⟦T 达到75.6%⟧」 "
     "(henan-006)."),
]

GUIDE_HEADER = "## 10. Decisions for other regions' documents (v1.2)"


def guide_section() -> str:
    out = [GUIDE_HEADER, "",
           "Decided while adjudicating the two annotation passes of the regional gold (issue #7; 256 passages from "
           "30 regions and State Council bodies). They add to §1–§9 and do not replace them. Passage ids refer "
           "to `data/regional/adjudicated.jsonl`.", ""]
    for i, (title, decision, example) in enumerate(DECISIONS, 1):
        out.append(f"{i}. **{title}.** {decision} {example}")
    return "\n".join(out) + "\n"


def write_report(rows, log, per_pair, path):
    table, sc = score_table(per_pair)
    n_dis = len([e for e in log if e["type"] != "FIX shared error"])
    by_type = defaultdict(lambda: [0, 0])
    for e in log:
        by_type[e["type"]][0 if e["kept"] else 1] += 1
    by_pass = Counter((e["proposed_by"], e["kept"]) for e in log if e["type"] != "FIX shared error")
    per_label = Counter(e["label"] for e in log if e["type"] != "FIX shared error")
    kept = [r for r in rows if "exclude" not in r]
    L = ["# Adjudication of the regional gold (issue #7)", "",
         f"Helper L. Pairs: " + ", ".join(f"pass1-{k.split('/')[0]} × pass2-{k.split('/')[1]}" for k in per_pair)
         + f". {len(rows)} passages, {sum(len(r['text']) for r in rows):,} characters; "
         f"{len(kept)} kept ({sum(len(r['text']) for r in kept):,} characters, "
         f"{len({r['region'] for r in kept})} regions incl. 国务院), {len(rows) - len(kept)} excluded.",
         "Script: `data/regional/adjudicate.py` (rerun with `--pairs g:i h:j m:<x>` when the next batch arrives; "
         "rules D1–D9 apply automatically, and anything they do not cover is printed as UNRESOLVED). Output: "
         "`adjudicated.jsonl` (every `marked` checked with `parse_inline` to strip to `text`).", "",
         "## 1. Agreement between the passes (strict span F1, pass 1 = reference)", "",
         "Cells: F1 (spans in pass 1 / spans in pass 2), computed with `annotate.scoring.score_spans`.", "", table, "",
         f"{sum(1 for r in rows if r['n_disagreements'])} of {len(rows)} passages have any disagreement; "
         f"{sum(1 for r in rows if r['pass1'] == r['pass2'])} passages have identical markup in both passes. "
         "Agreement is very high (LEAD_UNIT 1.000 in both pairs). The pass-2 decision files discuss the same "
         "cases in nearly the same order as pass 1, so these figures may overstate what fully independent "
         "annotators would reach. DEADLINE has the lowest agreement, and almost all of it comes from one "
         "systematic difference (D2).", "",
         "## 2. Disagreements and how they were resolved", "",
         f"{n_dis} disagreeing spans (a span proposed by one pass only; per label: "
         + ", ".join(f"{k} {v}" for k, v in sorted(per_label.items())) + "). "
         f"Pass-1 spans kept {by_pass[('pass1', True)]}, dropped {by_pass[('pass1', False)]}; "
         f"pass-2 spans kept {by_pass[('pass2', True)]}, dropped {by_pass[('pass2', False)]}.", "",
         "| type | kept | dropped | resolution |", "|---|---:|---:|---|"]
    res = {
        "D1": "comparator inside (decision 1): pass-1 spans kept",
        "D2": "not DEADLINE (decision 2); in batch 1 all were pass-2 additions",
        "D3": "one span per organisation (decision 3)",
        "D4": "not a slot (decision 4)",
        "D5": "UNIT (decision 5)",
        "D6": "closed period → nothing; open period → TARGET (decision 6)",
        "D7": "not TARGET (decision 7)",
        "D8": "title zone / project attributes (decision 8); passages excluded anyway",
        "D9": "not DEADLINE (decision 9)",
        "FIX": "shared reading changed to match the other pair (decision 10)",
    }
    for typ, (k, d) in sorted(by_type.items()):
        L.append(f"| {typ} | {k} | {d} | {res.get(typ.split()[0], '')} |")
    L += ["", "Every disagreement, with its decision and reason, is listed in `data/regional/adjudication_log.json`. "
          "Shared errors: a lint over all agreed spans found no boundary errors: no preposition inside a "
          "DEADLINE, no adverb inside a TARGET, no 等/role word/separator inside a unit, no person as unit. "
          "One cross-pair inconsistency was corrected: quality classes (decision 10, henan-006).", "",
          "## 3. Exclusions", "",
          f"{len(rows) - len(kept)} passages have `exclude` (they are journalism, not document text). They are "
          "still adjudicated, so they can serve as hard negatives or as silver data.", "",
          "| id | doc_type | reason |", "|---|---|---|"]
    for r in rows:
        if "exclude" in r:
            L.append(f"| {r['id']} | {r['doc_type']} | {r['exclude']} |")
    L += ["", "Checked and **kept**:", ""]
    for k, v in KEPT_CHECKED.items():
        L.append(f"- {k}: {v}")
    L += ["- guowuyuan-006…013 (taken by h from a public SQL dump of gov.cn pages, not from a pages excerpt): "
          "verbatim State Council documents, kept. Drop them by id if only pages excerpts are acceptable.", "",
          "## 4. Decisions (cases where the guide was silent or ambiguous on this material)", "",
          "The same text was appended to `data/ANNOTATION_GUIDE.md` as §10 (v1.2).", "",
          "| # | case | decision | example |", "|---|---|---|---|"]
    for i, (title, decision, example) in enumerate(DECISIONS, 1):
        L.append(f"| {i} | {title} | {decision} | {example} |")
    L += ["", "Follow-ups for the code: the rule extractor's comparator list needs the five comparators of "
          "decision 1. Decisions 2, 4 and 9 are negatives that the extractor may currently produce."]
    Path(path).write_text("\n".join(L) + "\n", encoding="utf-8")


def append_guide(path):
    text = Path(path).read_text(encoding="utf-8")
    if GUIDE_HEADER in text:
        print("guide already has §10; not appended again")
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(("\n" if text.endswith("\n") else "\n\n") + guide_section())
    print("appended §10 to", path)


def load(name):
    return [json.loads(l) for l in open(D / f"{name}.jsonl", encoding="utf-8")]


def adjudicate(pairs):
    rows_out, log, unresolved = [], [], []
    per_pair = {}
    for a, b in pairs:
        p1 = load(f"pass1-{a}")
        p2 = {r["id"]: r for r in load(f"pass2-{b}")}
        assert set(p2) == {r["id"] for r in p1}, f"ids differ between pass1-{a} and pass2-{b}"
        g, p = {}, {}
        for r in p1:
            t1, s1 = parse_inline(r["marked"])
            t2, s2 = parse_inline(p2[r["id"]]["marked"])
            assert t1 == r["text"] == t2, r["id"]
            g[r["id"]], p[r["id"]] = s1, s2
            k1, k2 = {s.key for s in s1}, {s.key for s in s2}
            final = {s.key: s for s in s1 if s.key in k2}
            dis = [s for s in s1 if s.key not in k2] + [s for s in s2 if s.key not in k1]
            for s in dis:
                in1, in2 = s.key in k1, s.key in k2
                other = [o for o in dis if o is not s and (o.key in k1) != in1 and o.start < s.end and s.start < o.end]
                dec = OVERRIDES.get((r["id"],) + s.key)
                if dec is None:
                    for rule in RULES:
                        dec = rule(r, s, in1, in2, other)
                        if dec:
                            break
                if dec is None:
                    dec = (in1, "UNRESOLVED", "no rule: pass-1 reading kept")
                    unresolved.append((r["id"], s))
                keep, typ, reason = dec
                if keep:
                    final[s.key] = s
                log.append({"id": r["id"], "pair": f"{a}/{b}", "span": s.text, "label": s.label,
                            "start": s.start, "end": s.end, "proposed_by": "pass1" if in1 else "pass2",
                            "kept": keep, "type": typ, "reason": reason})
            for action, key, reason in FIXES.get(r["id"], []):
                if action == "drop":
                    final.pop(key, None)
                else:
                    st, en, lab = key
                    final[key] = Span(st, en, lab, r["text"][st:en])
                log.append({"id": r["id"], "pair": f"{a}/{b}", "span": r["text"][key[0]:key[1]], "label": key[2],
                            "start": key[0], "end": key[1], "proposed_by": "both", "kept": action == "add",
                            "type": "FIX shared error", "reason": reason})
            spans = sorted(final.values())
            for x, y in zip(spans, spans[1:]):
                assert x.end <= y.start, f"overlap in {r['id']}: {x} {y}"
            marked = render_inline(r["text"], spans)
            tt, ss = parse_inline(marked)
            assert tt == r["text"] and [s.key for s in ss] == [s.key for s in spans], r["id"]
            out = {k: r[k] for k in FIELDS}
            out.update({"marked": marked, "pass1": r["marked"], "pass2": p2[r["id"]]["marked"],
                        "annotators": [a, b], "n_disagreements": len(dis)})
            if r["id"] in EXCLUDE:
                out["exclude"] = EXCLUDE[r["id"]]
            rows_out.append(out)
        per_pair[f"{a}/{b}"] = (g, p)
    return rows_out, log, unresolved, per_pair


def score_table(per_pair):
    lines = ["| pair | " + " | ".join(LABELS) + " | micro |", "|---|" + "---:|" * (len(LABELS) + 1)]
    allg, allp = {}, {}
    for name, (g, p) in per_pair.items():
        sc = score_spans(g, p)
        lines.append(f"| {name} | " + " | ".join(f"{sc[l].f1:.3f} ({sc[l].n_gold}/{sc[l].n_pred})" for l in LABELS)
                     + f" | {sc['micro'].f1:.3f} ({sc['micro'].n_gold}/{sc['micro'].n_pred}) |")
        allg.update({f"{name}:{k}": v for k, v in g.items()})
        allp.update({f"{name}:{k}": v for k, v in p.items()})
    sc = score_spans(allg, allp)
    lines.append("| **all** | " + " | ".join(f"{sc[l].f1:.3f} ({sc[l].n_gold}/{sc[l].n_pred})" for l in LABELS)
                 + f" | {sc['micro'].f1:.3f} ({sc['micro'].n_gold}/{sc['micro'].n_pred}) |")
    return "\n".join(lines), sc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", nargs="*", default=[f"{a}:{b}" for a, b in DEFAULT_PAIRS])
    ap.add_argument("--dry", action="store_true", help="do not write files")
    ap.add_argument("--guide", action="store_true", help="append the decisions to data/ANNOTATION_GUIDE.md (once)")
    args = ap.parse_args()
    pairs = [tuple(x.split(":")) for x in args.pairs]
    rows, log, unresolved, per_pair = adjudicate(pairs)
    table, _ = score_table(per_pair)
    print(table)
    by_type = Counter((e["type"], e["kept"]) for e in log)
    for (typ, kept), n in sorted(by_type.items()):
        print(f"{n:4d}  {'kept ' if kept else 'dropped'}  {typ}")
    for i, s in unresolved:
        print("UNRESOLVED", i, s)
    if args.dry:
        return
    with open(D / "adjudicated.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(Path(__file__).with_name("adjudication_log.json"), "w", encoding="utf-8") as f:
        json.dump(log, f, ensure_ascii=False, indent=1)
    write_report(rows, log, per_pair, D / "ADJUDICATION.md")
    if args.guide:
        append_guide(REPO / "data" / "ANNOTATION_GUIDE.md")
    print(f"wrote {len(rows)} rows, {sum('exclude' in r for r in rows)} excluded")


if __name__ == "__main__":
    main()
