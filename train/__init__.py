"""gongbao train stage: pretrain the project's own Chinese encoder and fine-tune the extractor."""
