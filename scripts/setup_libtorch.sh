#!/usr/bin/env bash
# Makes PyTorch's libtorch available to `cargo ... --features tch`, then prints the environment the
# build needs as shell `export` lines:
#
#     eval "$(scripts/setup_libtorch.sh)"
#     cargo test --features tch
#
# tch 0.26 (torch-sys 0.26.0) builds against PyTorch 2.13.0 exactly. This script
#   1. creates the project-local venv `.venv/` with python3 when it is missing,
#   2. installs torch==2.13.0 into it when the installed version is another one or none
#      (PyPI's Linux wheel is the CUDA build, about 4.7 GB; CPU-only runs use it too),
#   3. prints `export LIBTORCH=<venv>/lib/pythonX.Y/site-packages/torch` on stdout.
# Progress and errors go to stderr; when torch is already there it runs in well under a second and
# prints nothing else. Run time needs nothing exported: build.rs sets an rpath to libtorch.
#
# Options:
#   --dry-run   say on stderr what would be done (create venv / install torch), change nothing;
#               prints the export line only when torch 2.13.0 is already installed.
# Environment:
#   SHOPGYM_VENV       venv directory (default: <repo>/.venv)
#   PYTHON             interpreter used to create the venv (default: python3)
#   TORCH_INDEX_URL    pip index for torch, e.g. https://download.pytorch.org/whl/cpu for the
#                      small CPU-only build (default: PyPI)
set -euo pipefail

readonly TORCH_VERSION=2.13.0

die() { echo "setup_libtorch: error: $*" >&2; exit 1; }
say() { echo "setup_libtorch: $*" >&2; }

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

# 1. The venv.
if [ ! -x "$venv_python" ]; then
  base_python="${PYTHON:-python3}"
  command -v "$base_python" >/dev/null || die "'$base_python' not found: install Python 3 (3.10 to 3.13)"
  if [ "$dry_run" = 1 ]; then
    say "would create venv $venv with $base_python, then install torch==$TORCH_VERSION"
    exit 0
  fi
  say "creating venv $venv"
  "$base_python" -m venv "$venv" ||
    die "'$base_python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
fi

# Version and location without importing torch (an import takes seconds; metadata takes ms).
torch_info() {
  "$venv_python" - <<'PY'
import importlib.metadata as md, importlib.util as iu
try:
    version = md.version("torch")
except md.PackageNotFoundError:
    version = ""
spec = iu.find_spec("torch") if version else None
location = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
print(version.split("+")[0])
print(location)
PY
}

# 2. torch==2.13.0 in the venv.
{ read -r installed; read -r libtorch; } < <(torch_info)
if [ "$installed" != "$TORCH_VERSION" ]; then
  if [ "$dry_run" = 1 ]; then
    say "would install torch==$TORCH_VERSION into $venv (installed: ${installed:-none})"
    exit 0
  fi
  say "installing torch==$TORCH_VERSION into $venv (installed: ${installed:-none}); the CUDA wheel is ~4.7 GB"
  index_args=()
  if [ -n "${TORCH_INDEX_URL:-}" ]; then index_args=(--index-url "$TORCH_INDEX_URL"); fi
  "$venv_python" -m pip install --quiet --disable-pip-version-check "${index_args[@]}" \
    "torch==$TORCH_VERSION" || die "pip install torch==$TORCH_VERSION failed"
  { read -r installed; read -r libtorch; } < <(torch_info)
  [ "$installed" = "$TORCH_VERSION" ] || die "torch is ${installed:-missing} after pip install"
fi

# 3. What torch-sys needs: LIBTORCH with include/ and lib/ (the wheel has no build-version file,
#    so no LIBTORCH_BYPASS_VERSION_CHECK; its C++ ABI is the default LIBTORCH_CXX11_ABI=1).
[ -f "$libtorch/lib/libtorch.so" ] || [ -f "$libtorch/lib/libtorch.dylib" ] ||
  die "no libtorch shared library under $libtorch/lib: reinstall torch (rm -rf $venv)"
[ -d "$libtorch/include/torch" ] || die "no C++ headers under $libtorch/include"
printf 'export LIBTORCH=%q\n' "$libtorch"
