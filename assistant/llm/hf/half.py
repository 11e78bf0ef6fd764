"""fp16 weight copies for small-batch decoding on CPU: a decode step is bound by reading the weights, and fp16 halves
that; prefill (many rows) keeps the fp32 weights because CPU fp16 matrix products are slow there."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

BODY_MAX_ROWS = 3  # measured here: fp16 wins up to 3-4 rows per matmul in the layers,
HEAD_MAX_ROWS = 8  # and up to at least 5 for the (much wider) output projection


class HalfGemv(nn.Module):
    """A Linear that multiplies a few rows with an fp16 copy of its weight and more rows with the fp32 weight."""

    def __init__(self, linear: nn.Linear, max_rows: int):
        super().__init__()
        self.weight, self.bias = linear.weight, linear.bias
        self.register_buffer("half_weight", linear.weight.detach().half(), persistent=False)
        self.half_bias = None if linear.bias is None else linear.bias.detach().half()
        self.max_rows = max_rows

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.numel() // x.shape[-1] <= self.max_rows:
            return F.linear(x.half(), self.half_weight, self.half_bias).to(x.dtype)
        return F.linear(x, self.weight, self.bias)


def use_half_gemv(model: nn.Module) -> int:
    """Swap every Linear of an fp32 CPU model for a HalfGemv in place; returns how many were swapped."""
    head = model.get_output_embeddings()
    swapped = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is nn.Linear:
                setattr(parent, name, HalfGemv(child, HEAD_MAX_ROWS if child is head else BODY_MAX_ROWS))
                swapped += 1
    return swapped
