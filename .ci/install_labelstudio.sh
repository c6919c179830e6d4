#!/usr/bin/env bash
# Install the Label Studio server for the round-trip tests in its own venv: <repo>/.venv-labelstudio.
# Its dependencies (Django, …) must not mix with the project's; the tests find the binary there.
# Skips when the venv already has a working label-studio. Usage: .ci/install_labelstudio.sh [python]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv-labelstudio"
python="${1:-${PYTHON:-python3}}"

if [ -x "$venv/bin/label-studio" ] && "$venv/bin/python" -c "import label_studio" 2>/dev/null; then
    echo "label-studio already installed in $venv ($("$venv/bin/python" -c 'import label_studio; print(label_studio.__version__)'))"
    exit 0
fi

rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet 'label-studio==1.23.*'
echo "installed label-studio $("$venv/bin/python" -c 'import label_studio; print(label_studio.__version__)') in $venv"
