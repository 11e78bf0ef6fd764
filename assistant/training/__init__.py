"""Adapter training: instruction data from the real prompts and catalog, a CPU LoRA loop, and base-vs-adapter eval."""
