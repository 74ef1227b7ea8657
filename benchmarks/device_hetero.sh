#!/usr/bin/env bash
# One prepared device-tool run: GPU seconds per epoch and peak GPU memory of MEOW, AdaMEOW and HeCo
# on ACM, DBLP and AMiner (the GPU timings of issue 4), written under $OUT.
#
# The device machine has torch, torch-geometric, scikit-learn, scipy and PyYAML but no internet,
# no optuna/RecBole and no ../shared, so the package runs from the checkout (PYTHONPATH) and the
# graph files (17 MB) travel in an ignored folder. Once, here:
#   mkdir -p .devdata && cp -r ../shared/data/hgraph .devdata/      (.devdata/ is in .gitignore)
# then call the device tool's run with
#   command="bash benchmarks/device_hetero.sh", carry=[".devdata"], timeout_s=540
# Locally (CPU, to check the script):
#   DEVICE=cpu EPOCHS=2 DATASETS=acm DATA_ROOT=../shared/data OUT=/tmp/dh bash benchmarks/device_hetero.sh
#
# Rows are capped at EPOCHS epochs (labelled so by hetero_repro): their metrics are not a
# reproduction, only the timing columns count; the final logistic regressions are cut from 50 to
# EVAL_REPEATS (they run on the CPU and are not what is timed). Each dataset gets its own time
# limit so that one slow dataset cannot eat the others' share of the call.
set -euo pipefail
out="${OUT:-/tmp/device_hetero}"
device="${DEVICE:-cuda}"
epochs="${EPOCHS:-30}"
datasets="${DATASETS:-acm dblp aminer}"
eval_repeats="${EVAL_REPEATS:-5}"
limit="${LIMIT_PER_DATASET:-150}"
data_root="${DATA_ROOT:-.devdata}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available() and torch.cuda.get_device_name())" \
  | tee "$out/log.txt"
status=0
for ds in $datasets; do
  # --threads 4: evaluation (logistic regression, k-means) runs on the CPU cores
  timeout "$limit" python3 benchmarks/hetero_repro.py --models meow adameow heco --datasets "$ds" --seeds 0 \
      --max-epochs "$epochs" --device "$device" --threads 4 --data-root "$data_root" \
      --set "params.eval.final_eval_repeats=$eval_repeats" \
      --out "$out/hetero_${device}_${epochs}ep.json" 2>&1 | tee -a "$out/log.txt" || status=$?
done
exit "$status"
