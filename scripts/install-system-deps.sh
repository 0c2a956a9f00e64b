#!/usr/bin/env bash
# Install the system packages kehoach needs (Debian/Ubuntu), or say exactly what to install.
# --test: also what the test suite needs (a PostgreSQL server, tmux, chromium and its driver,
# LibreOffice headless).
set -euo pipefail

need_pkgs=()
command -v tesseract >/dev/null 2>&1 || need_pkgs+=(tesseract-ocr)
# OCR models: the Vietnamese script model (listed as Vietnamese by Debian, script/Vietnamese
# in tesseract's own layout) and the vie language model it falls back to
models=$(tesseract --list-langs 2>/dev/null || true)
grep -qx vie <<<"$models" || need_pkgs+=(tesseract-ocr-vie)
grep -qxE '(script/)?Vietnamese' <<<"$models" || need_pkgs+=(tesseract-ocr-script-viet)
command -v pdftoppm >/dev/null 2>&1 || need_pkgs+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_pkgs+=(fonts-dejavu-core)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)
# the test suite loads records into a real PostgreSQL server (tests/test_db.py); the fonts the
# samples are rebuilt with ship in samples/fonts (a distro's own build gives other PDF bytes)
if [ "${1:-}" = "--test" ]; then
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_pkgs+=(postgresql)
  # the terminal tests drive `kehoach ingest` in a real TTY (tests/test_cli_tty.py)
  command -v tmux >/dev/null 2>&1 || need_pkgs+=(tmux)
  # the review page is tested in a real browser, headless, through its own driver
  command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need_pkgs+=(chromium-driver)
  # LibreOffice headless prints the xlsx export (tests/test_export.py) and converts .doc inputs
  command -v soffice >/dev/null 2>&1 || need_pkgs+=(libreoffice-calc-nogui libreoffice-writer-nogui)
fi

if [ ${#need_pkgs[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${need_pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
else
  echo "kehoach needs these system packages: ${need_pkgs[*]}" >&2
  echo "Install them, e.g.: sudo apt-get install ${need_pkgs[*]}" >&2
  exit 1
fi
