#!/usr/bin/env bash
# Issue 12's GPU checks, run on a lent GPU machine by the device tool (not by CI):
# the CUDA tests, then time to accuracy on the GPU (ours and the idiomatic PyTorch twin),
# then the cnn default's accuracy over seeds (what chose the CPU default's margin).
export PYTHONPATH=src PYTHONUNBUFFERED=1 OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
B=benchmarks/bench_time_to_accuracy.py
nvidia-smi --query-gpu=name,driver_version --format=csv | tee "$OUT/gpu.txt"
python3 -c "import torch; print(torch.__version__, torch.cuda.get_device_name())" | tee -a "$OUT/gpu.txt"
timeout 150 python3 -m pytest -q -p no:cacheprovider tests/train/test_cuda.py \
  tests/train/test_fit_syncs.py 2>&1 | tail -5 | tee "$OUT/tests.txt"
G='"model": "cnn", "augment": false'
timeout 120 python3 $B --device cuda --checks 10 --recipes fast --seeds 0,1,2 \
  --recipe "g1={$G, \"bs\": 256, \"epochs\": 1, \"lr\": 0.01}" \
  --recipe "g2={$G, \"bs\": 256, \"epochs\": 2, \"lr\": 0.01}" \
  --recipe "g3={$G, \"channels\": [32, 64, 128], \"bs\": 256, \"epochs\": 1, \"lr\": 0.01}" \
  --recipe "g4={$G, \"bs\": 512, \"epochs\": 2, \"lr\": 0.02}" \
  --json "$OUT/gpu_tta.json" 2>&1 | tee "$OUT/gpu_tta.txt"
timeout 90 python3 $B --device cuda --checks 4 --recipes cnn \
  --json "$OUT/gpu_cnn.json" 2>&1 | tee "$OUT/gpu_cnn.txt"
timeout 300 python3 $B --device cuda --checks 2 --no-reference --recipes cnn --seeds 0,1,2 \
  --recipe 'c12={"model": "cnn", "epochs": 12}' \
  --recipe 'cwd={"model": "cnn", "wd": 0.05}' \
  --recipe 'clr={"model": "cnn", "lr": 0.003}' \
  --recipe 'c128={"model": "cnn", "bs": 128, "lr": 0.003}' \
  --json "$OUT/gpu_margin.json" 2>&1 | tee "$OUT/gpu_margin.txt"
