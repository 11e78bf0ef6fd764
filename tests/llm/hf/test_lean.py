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



def tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2)
    return LlamaForCausalLM(config).eval()


def test_with_bf16_products_the_cache_holds_bf16_and_the_answer_stays_close():
    from assistant.llm.hf.lean import LeanLlama

    model = tiny_llama()
    ids = torch.randint(0, 64, (2, 7))
    with torch.no_grad():
        expected = model.model(ids).last_hidden_state
    for wide, dtype in ((False, torch.float32), (True, torch.bfloat16)):
        lean = LeanLlama(model, half=False, wide=wide)
        cache = lean.cache(rows=2)
        assert cache.keys[0].dtype == dtype
        hidden = lean.forward(ids, torch.arange(7).expand(2, -1), torch.ones(2, 7, dtype=torch.long), cache)
        assert torch.allclose(hidden, expected, atol=1e-4 if not wide else 0.1)


def test_padding_costs_no_products_and_changes_no_real_token():
    """Rows of different lengths in one padded batch: each row's states are those of the row alone (fp32: up to the
    rounding of products over a different row count, which some CPUs' kernels have), padding positions come out as
    zeros, and the next step over the shared cache agrees too."""
    from assistant.llm.hf.lean import LeanLlama
    from assistant.llm.hf.prefill import left_pad

    model = tiny_llama()
    lean = LeanLlama(model, half=False, wide=False)
    rows = [[1, 2, 3, 4, 5, 6, 7], [8, 9, 10], [11, 12, 13, 14, 15]]
    ids, mask = left_pad(rows, 0)
    cache = lean.cache(rows=3)
    hidden = lean.forward(ids, (mask.cumsum(1) - 1).clamp(min=0), mask, cache)
    step = lean.forward(torch.tensor([[20], [21], [22]]), mask.sum(1, keepdim=True),
                        torch.cat([mask, torch.ones(3, 1, dtype=torch.long)], dim=1), cache)
    for r, row in enumerate(rows):
        alone = row + [20 + r]
        expected = lean.forward(torch.tensor([alone]), torch.arange(len(alone))[None],
                                torch.ones(1, len(alone), dtype=torch.long), lean.cache())[0]
        assert torch.allclose(hidden[r, -len(row):], expected[:-1], atol=1e-5)
        assert not hidden[r, : -len(row)].any()
        assert torch.allclose(step[r, -1], expected[-1], atol=1e-5)
