"""The in-process model without bf16 products: its outputs do not depend on how many rows share a step, which the
decoding loop's exactness checks need (bf16 rounds differently from the fp16 and fp32 paths a smaller batch takes)."""

import pytest


@pytest.fixture(scope="session")
def llm(settings):
    from assistant.llm import build_llm

    return build_llm(settings.llm.model_copy(update={"bf16_wide": False}), settings.cache_dir)
