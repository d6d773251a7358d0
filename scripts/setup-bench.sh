#!/usr/bin/env bash
# Installs what `npm run bench`, `npm run bench:search` and `npm run bench:race` measure with, beyond `npm ci` (Debian 12, as root):
#   dataset-fashion-mnist  the real data (/usr/share/datasets/fashion-mnist)
#   python3-torch          the PyTorch peer the training-speed ratio is measured against
#   libopenblas0           so Debian's torch uses OpenBLAS, not the reference BLAS (~30x slower dense layers)
#   python3-optuna         the Optuna peer of `npm run bench:race` (TPE + Hyperband, random search)
# Without torch the bench still runs and reports `peer_samples_per_s: null` with a note.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq dataset-fashion-mnist python3-torch python3-optuna libopenblas0 >/dev/null
echo "[setup-bench] installed dataset-fashion-mnist, python3-torch, python3-optuna, libopenblas0"
