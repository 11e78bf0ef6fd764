"""Reduced-precision weight copies for the CPU: a decode step of a few rows is bound by reading the weights, and an
fp16 copy halves that; many rows (prefill, P(yes), wide decode steps) are bound by arithmetic, and on a CPU with
AMX (Sapphire Rapids and later) a bf16 matrix product runs ~6x faster than fp32 (bench/README.md). Inputs are
rounded to the copy's precision; results come back in fp32."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

BODY_MAX_ROWS = 3  # measured here: fp16 wins up to 3-4 rows per matmul in the layers,
HEAD_MAX_ROWS = 8  # and up to at least 5 for the (much wider) output projection


@lru_cache(maxsize=1)
def has_amx() -> bool:
    """Whether this CPU multiplies bf16 matrices in hardware (AMX); without it bf16 is slower than fp32."""
    try:
        return "amx_bf16" in Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False


class HalfGemv(nn.Module):
    """A Linear that multiplies a few rows with an fp16 copy of its weight, and more rows with a bf16 copy (when
    `wide` is on) or with the fp32 weight."""

    def __init__(self, linear: nn.Linear, max_rows: int, wide: bool = False):
        super().__init__()
        self.weight, self.bias = linear.weight, linear.bias
        self.register_buffer("half_weight", linear.weight.detach().half(), persistent=False)
        self.half_bias = None if linear.bias is None else linear.bias.detach().half()
        self.register_buffer("wide_weight", linear.weight.detach().bfloat16() if wide else None, persistent=False)
        self.wide_bias = None if linear.bias is None or not wide else linear.bias.detach().bfloat16()
        self.max_rows = max_rows

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.numel() // x.shape[-1]
        if rows <= self.max_rows:
            return F.linear(x.half(), self.half_weight, self.half_bias).to(x.dtype)
        if self.wide_weight is not None:
            return F.linear(x.bfloat16(), self.wide_weight, self.wide_bias).to(x.dtype)
        return F.linear(x, self.weight, self.bias)


def use_half_gemv(model: nn.Module, wide_bf16: bool = False) -> int:
    """Swap every Linear of an fp32 CPU model for a HalfGemv in place; returns how many were swapped."""
    head = model.get_output_embeddings()
    swapped = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is nn.Linear:
                setattr(parent, name, HalfGemv(child, HEAD_MAX_ROWS if child is head else BODY_MAX_ROWS, wide_bf16))
                swapped += 1
    return swapped
