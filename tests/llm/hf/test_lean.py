"""The lean forward's weight copies: one reduced copy per product, picked by how many rows it multiplies."""

import torch

from assistant.llm.hf.lean import Linear


def test_with_bf16_copies_one_copy_serves_every_row_count_and_fp32_may_go():
    weight = torch.randn(8, 4)
    linear = Linear(weight, half=True, wide=True, keep=False)
    assert linear.half is None and linear.parts is None and linear.wide.dtype == torch.bfloat16
    for rows in (1, 5):
        x = torch.randn(rows, 4)
        assert torch.allclose(linear(x), x @ weight.T, atol=0.1)


def test_without_bf16_small_products_use_fp16_and_wide_ones_fp32():
    weight = torch.randn(8, 4)
    linear = Linear(weight, half=True, wide=False, keep=False)
    assert linear.half.dtype == torch.float16 and linear.parts is not None
    x = torch.randn(5, 4)
    assert torch.equal(linear(x), x @ weight.T)
