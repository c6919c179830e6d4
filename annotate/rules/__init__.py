"""Rule extractor: the project's baseline and the Label Studio pre-annotator.

``extract_spans(raw)`` finds LEAD_UNIT, UNIT, DEADLINE and TARGET spans in any raw text (a whole
issue or a short passage) following ``data/ANNOTATION_GUIDE.md``. Rules match on a whitespace-free
view (``view.py``) and spans are mapped back to raw offsets, keeping internal line breaks.
Modules: ``units`` (organisation mentions), ``slots`` (notes, fields, tables), ``prose``
(牵头 and role words in running text), ``deadlines``, ``targets``, ``zones`` (excluded zones).
"""

from __future__ import annotations

from annotate.rules.extract import SCORES, extract_spans

# version of the rule set, recorded as the model_version of Label Studio pre-annotations
VERSION = "1.0"

__all__ = ["extract_spans", "SCORES", "VERSION"]
