"""Conversational learning assistant."""

import os

# Nothing in this package may fetch weights at run time: make a stray hub call fail fast instead of hanging.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # OpenMP threads otherwise spin while they wait: beside another busy process on 2 cores a 3 s turn took ~60 s.
    # Read when torch first starts its thread pool, so it is set here, before anything imports torch.
    "OMP_WAIT_POLICY": "PASSIVE",
}.items():
    os.environ.setdefault(_var, _value)

__version__ = "0.1.0"
