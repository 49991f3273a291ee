#!/usr/bin/env bash
# Installs what the Python package needs (python/requirements-dev.txt: maturin, pytest, numpy,
# gymnasium, stable-baselines3, ray[rllib], moviepy) into the project venv `.venv/`:
#
#     scripts/setup_python.sh          # run by `make python-test` (and so by `make test`)
#
#   1. runs scripts/setup_libtorch.sh first: it creates `.venv/` with python3 when missing and
#      installs torch==2.13.0 the way the Rust `tch` build needs it (TORCH_INDEX_URL honoured);
#   2. installs the pinned requirements when any is missing or at another version, always with the
#      constraint torch==<setup_libtorch.sh's TORCH_VERSION>, so pip can never move torch.
# When everything is installed it runs in well under a second and changes nothing. Progress and
# errors go to stderr.
#
# Options:
#   --dry-run   say what would be installed, change nothing.
# Environment:
#   SHOPGYM_VENV   venv directory (default: <repo>/.venv); PYTHON, TORCH_INDEX_URL: as
#                  scripts/setup_libtorch.sh.
set -euo pipefail

die() { echo "setup_python: error: $*" >&2; exit 1; }
say() { echo "setup_python: $*" >&2; }

dry_run=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SHOPGYM_VENV:-$root/.venv}"
venv_python="$venv/bin/python"
requirements="$root/python/requirements-dev.txt"
torch_version="$(sed -n 's/^readonly TORCH_VERSION=//p' "$root/scripts/setup_libtorch.sh")"
[ -n "$torch_version" ] || die "no TORCH_VERSION in scripts/setup_libtorch.sh"

# 1. The venv and torch (its export line on stdout is not needed here).
if [ "$dry_run" = 1 ]; then
  "$root/scripts/setup_libtorch.sh" --dry-run >/dev/null
  [ -x "$venv_python" ] || { say "would install $requirements after the venv exists"; exit 0; }
else
  "$root/scripts/setup_libtorch.sh" >/dev/null || die "scripts/setup_libtorch.sh failed"
fi

# 2. The pinned requirements: which are missing or at another version (metadata only: fast).
missing="$("$venv_python" - "$requirements" <<'PY'
import importlib.metadata as md, re, sys
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)", line)
    if not m:
        sys.exit(f"setup_python: cannot read requirement {line!r} (use name==version)")
    try:
        ok = md.version(m.group(1)) == m.group(3)
    except md.PackageNotFoundError:
        ok = False
    if not ok:
        print(line)
PY
)"
if [ -z "$missing" ]; then
  exit 0
fi
if [ "$dry_run" = 1 ]; then
  say "would install into $venv: $(echo $missing)"
  exit 0
fi
say "installing into $venv: $(echo $missing)"
constraints="$(mktemp)"
trap 'rm -f "$constraints"' EXIT
echo "torch==$torch_version" >"$constraints"
"$venv_python" -m pip install --quiet --disable-pip-version-check -c "$constraints" \
  -r "$requirements" || die "pip install -r $requirements failed"
installed="$("$venv_python" -c 'import importlib.metadata as md; print(md.version("torch").split("+")[0])')"
[ "$installed" = "$torch_version" ] || die "torch is $installed after pip install, not $torch_version"
