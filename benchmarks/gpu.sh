#!/usr/bin/env bash
# One command for a GPU check: hftp.probe on a 7B-class random-init Llama (4096 x 11008, 32 layers)
# in bfloat16 on one GPU. Prints the same JSON as benchmarks/scale.py (last line), in < 5 minutes.
#   bash benchmarks/gpu.sh            (PYTHON=/path/to/python to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
"$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'benchmarks/gpu.sh: torch sees no CUDA GPU')"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec timeout 300 "$PY" benchmarks/scale.py --preset 7b --device cuda --dtype bfloat16 \
  --n-seq 16 --n-sentences 50 --batch-size 8 --repeats 3 "$@"
