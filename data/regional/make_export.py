"""Rebuild regional-gold.labelstudio.json from the adjudicated passages (excluded ones left out).

    python data/regional/make_export.py
"""

import json
from pathlib import Path

from annotate.passages import read_jsonl, to_export

HERE = Path(__file__).resolve().parent

rows = [r for r in read_jsonl(HERE / "adjudicated.jsonl") if not r.get("exclude")]
export = to_export(rows)
(HERE / "regional-gold.labelstudio.json").write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
print(f"{len(export)} tasks, {sum(len(t['annotations'][0]['result']) for t in export)} spans")
