"""gongbao annotate stage: read gazette issues, segment them, pre-annotate, and round-trip Label Studio.

The shared types of the whole pipeline (spans, label schema, text views) live here, in
`annotate.schema` and `annotate.types`; `train` and `infer` import them from here.
"""
