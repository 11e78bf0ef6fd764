"""A lean forward pass for the Llama architecture (SmolLM2), on the Hugging Face model's own weights: the same
arithmetic as transformers' LlamaModel (bit for bit in fp32), without its per-call overhead, and with a KV cache of
our own that rows can join and leave. Each matrix product picks its weights by how many rows it multiplies: an fp16
copy for a few rows (bound by reading the weights), and, on a CPU with AMX, one bf16 copy for every row count (as
fast as fp16 at one row, ~6x faster than fp32 at many; one copy instead of two saves ~0.27 GB)."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import PreTrainedModel

SMALL_ROWS = 3  # measured here: fp16 weights win up to 3-4 rows per product in the layers,
HEAD_SMALL_ROWS = 8  # and up to at least 5 for the (much wider) output projection
GROWTH = 64  # cache columns added at a time: a step writes at most 1 + lookup guesses


@lru_cache(maxsize=1)
def has_amx() -> bool:
    """Whether this CPU multiplies bf16 matrices in hardware (AMX); without it bf16 is slower than fp32."""
    try:
        return "amx_bf16" in Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False


class Linear:
    """One or more weight matrices applied to the same input (q, k and v; gate and up): a bf16 copy for every row
    count (`wide`), or an fp16 copy for a few rows and fp32 above. Reduced copies are stacked into one product (one
    conversion of the input, one of the output, one kernel); fp32 ones stay separate (stacking would copy them)."""

    def __init__(self, weights: torch.Tensor | list[torch.Tensor], half: bool, wide: bool,
                 small_rows: int = SMALL_ROWS, keep: bool = True):
        parts = [w.detach() for w in (weights if isinstance(weights, list) else [weights])]
        self.sizes = [w.shape[0] for w in parts]
        stacked = torch.cat(parts) if len(parts) > 1 and (half or wide) else parts[0]
        self.wide = stacked.bfloat16() if wide else None
        self.half = stacked.half() if half and not wide else None
        self.parts = parts if keep or not wide else None
        self.small_rows = small_rows

    @property
    def weight(self) -> torch.Tensor:
        return self.parts[0]

    @weight.setter
    def weight(self, value: torch.Tensor) -> None:
        self.parts = [value]

    def __call__(self, x: torch.Tensor) -> torch.Tensor | list[torch.Tensor]:
        rows = x.numel() // x.shape[-1]
        if self.half is not None and rows <= self.small_rows:
            out = F.linear(x.half(), self.half).float()
        elif self.wide is not None:
            out = F.linear(x.bfloat16(), self.wide).float()
        else:
            outs = [F.linear(x, w) for w in self.parts]
            return outs if len(outs) > 1 else outs[0]
        return list(out.split(self.sizes, dim=-1)) if len(self.sizes) > 1 else out


class KVCache:
    """Keys and values per layer, [rows, kv heads, columns, head dim], with room to grow: a step writes its columns
    in place. Column c holds the same step for every row; a row's padding columns are masked by the caller."""

    def __init__(self, layers: int, kv_heads: int, head_dim: int, rows: int = 1, room: int = 64,
                 dtype: torch.dtype = torch.float32):
        self.keys = [torch.zeros(rows, kv_heads, room, head_dim, dtype=dtype) for _ in range(layers)]
        self.values = [torch.zeros(rows, kv_heads, room, head_dim, dtype=dtype) for _ in range(layers)]
        self.length = 0

    @property
    def rows(self) -> int:
        return self.keys[0].shape[0]

    def reserve(self, more: int) -> None:
        """Room for `more` columns after the current ones, grown a block at a time (doubling would hold up to
        twice the memory a batch of many long rows needs)."""
        room = self.keys[0].shape[2]
        if self.length + more <= room:
            return
        grown = self.length + more + GROWTH
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                wider = t.new_zeros(t.shape[0], t.shape[1], grown, t.shape[3])
                wider[:, :, : self.length] = t[:, :, : self.length]
                store[i] = wider

    def select(self, index: torch.Tensor) -> None:
        """Keep (or repeat) these rows."""
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                store[i] = t[index]

    def trim(self, columns: int) -> None:
        """Drop the first `columns` columns (padding for every row)."""
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                store[i] = t[:, :, columns:].contiguous()
        self.length -= columns

    def pad_left(self, columns: int) -> None:
        """Add `columns` masked columns before the current ones."""
        if columns <= 0:
            return
        for store in (self.keys, self.values):
            for i, t in enumerate(store):
                store[i] = torch.cat([t.new_zeros(t.shape[0], t.shape[1], columns, t.shape[3]), t], dim=2)
        self.length += columns

    def extend(self, other: KVCache) -> None:
        """Append the other cache's rows (both already as long)."""
        assert other.length == self.length
        for store, theirs in ((self.keys, other.keys), (self.values, other.values)):
            for i, t in enumerate(store):
                store[i] = torch.cat([t[:, :, : self.length], theirs[i][:, :, : self.length]])

    def copy(self) -> KVCache:
        return copy.deepcopy(self)


class LeanLlama:
    """LlamaModel.forward for inference: token ids, their positions and the attention mask in, hidden states out."""

    def __init__(self, model: PreTrainedModel, half: bool = True, wide: bool = False, keep_fp32: bool = True):
        """`keep_fp32=False` lets the fp32 layer weights go when the bf16 copies serve every row (~0.4 GB); the
        caller then frees them in `model` too (`release_fp32`)."""
        config = model.config
        self.hidden, self.heads = config.hidden_size, config.num_attention_heads
        self.kv_heads = config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or self.hidden // self.heads
        self.eps = config.rms_norm_eps
        rope = getattr(config, "rope_parameters", None) or {"rope_theta": getattr(config, "rope_theta", 10000.0)}
        if rope.get("rope_type", "default") != "default":
            raise ValueError(f"rope type {rope['rope_type']!r} is not supported by the lean forward")
        self.inv_freq = 1.0 / (rope["rope_theta"] ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32)
                                                         / self.head_dim))
        self.embed = model.model.embed_tokens.weight.detach()
        self.norm = model.model.norm.weight.detach()
        # With bf16 products the keys and values are kept in bf16 too: half the memory of a batch's cache (the
        # largest thing a busy server holds beyond its weights), and attention runs on AMX.
        self.cache_dtype = torch.bfloat16 if wide else self.embed.dtype
        self.head = Linear(model.get_output_embeddings().weight, half, wide, HEAD_SMALL_ROWS)
        self.layers = []
        for layer in model.model.layers:
            attention, mlp = layer.self_attn, layer.mlp
            self.layers.append({
                "in_norm": layer.input_layernorm.weight.detach(),
                "post_norm": layer.post_attention_layernorm.weight.detach(),
                "qkv": Linear([attention.q_proj.weight, attention.k_proj.weight, attention.v_proj.weight], half, wide,
                              keep=keep_fp32),
                "o_proj": Linear(attention.o_proj.weight, half, wide, keep=keep_fp32),
                "gate_up": Linear([mlp.gate_proj.weight, mlp.up_proj.weight], half, wide, keep=keep_fp32),
                "down_proj": Linear(mlp.down_proj.weight, half, wide, keep=keep_fp32),
            })

    def release_fp32(self, model: PreTrainedModel) -> None:
        """Free the fp32 weights of the model's layers (the lean forward serves from its copies; the model's own
        forward no longer works). What the lean forward still reads (embedding, head, norms) is copied first: the
        weights were read from a memory-mapped file, which is unmapped (and leaves resident memory) only once no
        tensor points into it."""
        for layer in model.model.layers:
            for module in (*[getattr(layer.self_attn, n) for n in ("q_proj", "k_proj", "v_proj", "o_proj")],
                           *[getattr(layer.mlp, n) for n in ("gate_proj", "up_proj", "down_proj")]):
                module.weight = torch.nn.Parameter(torch.empty(0), requires_grad=False)
        with torch.no_grad():
            for parameter in model.parameters():
                if parameter.numel():
                    parameter.data = parameter.data.clone()
        self.embed = model.model.embed_tokens.weight.detach()
        self.norm = model.model.norm.weight.detach()
        self.head.weight = model.get_output_embeddings().weight.detach()
        for layer, weights in zip(model.model.layers, self.layers):
            weights["in_norm"] = layer.input_layernorm.weight.detach()
            weights["post_norm"] = layer.post_attention_layernorm.weight.detach()

    def cache(self, rows: int = 1) -> KVCache:
        return KVCache(len(self.layers), self.kv_heads, self.head_dim, rows, dtype=self.cache_dtype)

    def _rotary(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """cos and sin [N, 1, D] for N token positions."""
        freqs = positions[..., None].float() * self.inv_freq
        angles = torch.cat([freqs, freqs], dim=-1)
        return angles.cos()[:, None].to(self.embed.dtype), angles.sin()[:, None].to(self.embed.dtype)

    @staticmethod
    def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin

    @torch.inference_mode()
    def forward(self, ids: torch.Tensor, positions: torch.Tensor, mask: torch.Tensor, cache: KVCache) -> torch.Tensor:
        """`ids` and `positions` [B, T]; `mask` [B, cache.length + T] with 1 for real tokens; the new keys and values
        are written into `cache`. Returns the final hidden states [B, T, H] (zeros at padding)."""
        rows, width = ids.shape
        past = cache.length
        cache.reserve(width)
        total = past + width
        # Norms and products work token by token: they run on the real tokens only, packed (a merged batch of
        # prompts or guesses is often half padding); only attention needs the [B, T] layout.
        slots = mask[:, past:].reshape(-1).nonzero().squeeze(1)
        count = len(slots)
        packed = count < rows * width
        pick = slots if packed else slice(None)
        x = self.embed[ids.reshape(-1)[pick]]
        cos, sin = self._rotary(positions.reshape(-1)[pick])
        # Causal over the new tokens, padding hidden; a query that may see nothing (a padding token before any real
        # one) sees everything instead: its output is never used, and an all-masked row would give NaN.
        allowed = torch.ones(width, total, dtype=torch.bool).tril(past)[None] & mask[:, None, :].bool()
        allowed = (allowed | ~allowed.any(-1, keepdim=True))[:, None]
        q_size, kv_size = self.heads * self.head_dim, self.kv_heads * self.head_dim
        for i, layer in enumerate(self.layers):
            normed = F.rms_norm(x, (self.hidden,), layer["in_norm"], self.eps)
            q, k, v = layer["qkv"](normed)
            q = self._rotate(q.view(count, self.heads, self.head_dim), cos, sin)
            k = self._rotate(k.view(count, self.kv_heads, self.head_dim), cos, sin)
            laid = torch.cat([q.reshape(count, q_size), k.reshape(count, kv_size), v], dim=-1).to(self.cache_dtype)
            if packed:
                laid = laid.new_zeros(rows * width, laid.shape[1]).index_copy_(0, slots, laid)
            q, k, v = (t.reshape(rows, width, -1, self.head_dim).transpose(1, 2)  # [B, heads, T, D]
                       for t in laid.view(rows, width, -1).split([q_size, kv_size, kv_size], dim=-1))
            cache.keys[i][:, :, past:total] = k
            cache.values[i][:, :, past:total] = v
            attended = F.scaled_dot_product_attention(q, cache.keys[i][:, :, :total], cache.values[i][:, :, :total],
                                                      attn_mask=allowed, enable_gqa=True)
            attended = attended.transpose(1, 2).reshape(rows * width, q_size)[pick]
            x = x + layer["o_proj"](attended)
            normed = F.rms_norm(x, (self.hidden,), layer["post_norm"], self.eps)
            gate, up = layer["gate_up"](normed)
            x = x + layer["down_proj"](F.silu(gate) * up)
        cache.length = total
        x = F.rms_norm(x, (self.hidden,), self.norm, self.eps)
        if packed:
            x = x.new_zeros(rows * width, self.hidden).index_copy_(0, slots, x)
        return x.view(rows, width, self.hidden)
