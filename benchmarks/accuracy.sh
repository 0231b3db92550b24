#!/usr/bin/env bash
# The accuracy figures of benchmarks/README.md in one command (issue #11): the project's eval
# set (held out), the project's dev set, the shared realistic development set, the threshold grid
# (dev sets only), the calibrated decision (dev sets, cross-validated) and CLINC150 (thresholds
# from validation). Run from the repository root; ~4 min.
set -euo pipefail
secbot=.venv/bin/secbot
python=.venv/bin/python
realistic=${REALISTIC:-../../shared/data/realistic-questions/questions.yaml}
[ -f "$realistic" ] || realistic=/work/shared/data/realistic-questions/questions.yaml
echo "## intents/eval (held out)"; $secbot kb eval
echo; echo "## tests/dev"; $secbot kb eval --questions tests/dev/questions.yaml
echo; echo "## realistic (shared development set)"; $secbot kb eval --questions "$realistic"
echo; echo "## thresholds (chosen on the dev sets)"; $python benchmarks/thresholds.py --realistic "$realistic"
echo; echo "## calibrated answer decision (fitted on the dev sets; shared set cross-validated)"; $python benchmarks/calibrate.py --realistic "$realistic"
echo; echo "## CLINC150"; $python benchmarks/clinc150.py --no-baseline
