"""gongbao infer stage: batch extraction over new issues into structured records."""
