#!/usr/bin/env bash
# Make VENV a virtualenv of PYTHON holding exactly what LOCK pins (idempotent; quick when nothing changed):
#   scripts/ensure-venv.sh PYTHON VENV LOCK
# The virtualenv is made again, and this says why, when it was made by another Python, has no working pip
# (a `python3 -m venv` that failed half-way), or holds another lock (requirements.lock has the test tools,
# requirements-prod.lock only what the app needs to run, so going from one to the other starts afresh).
set -euo pipefail
python="$1" venv="$2" lock="$3"
stamp="$venv/.installed-from-lock"

identity() { "$1" -c 'import sys; print("Python", sys.version.split()[0], "(" + sys.base_prefix + ")")' 2>/dev/null; }

wanted="$(identity "$python")" || {
    echo "找不到可用的 Python：$python。请安装 Python 3.11 或更新版本，或用 PYTHON=/path/to/python3 指定。" >&2
    exit 1
}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "$wanted 太旧：需要 Python 3.11 或更新版本（用 PYTHON=/path/to/python3 指定）。" >&2
    exit 1
}
digest="$("$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$lock")"

if [ -e "$venv" ]; then
    reason=""
    if ! have="$(identity "$venv/bin/python")"; then
        reason="其中的 python 无法运行"
    elif [ "$have" != "$wanted" ]; then
        reason="它由 $have 创建，而要求的是 $wanted"
    elif ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        reason="其中没有 pip（上次创建可能中途失败）"
    elif previous="$(cut -d' ' -f1 "$stamp" 2>/dev/null)" && [ -n "$previous" ] && [ "$previous" != "$lock" ]; then
        reason="它装的是 $previous，现在要装 $lock"
    fi
    if [ -n "$reason" ]; then
        echo "重建虚拟环境 $venv：$reason。"
        rm -rf "$venv"
    fi
fi

if [ ! -e "$venv" ]; then
    echo "创建虚拟环境 $venv（$wanted）"
    if ! "$python" -m venv "$venv" || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        rm -rf "$venv"
        echo "创建虚拟环境失败：$python 缺少 venv/ensurepip 模块。Debian/Ubuntu 上请安装 python3-venv（scripts/install-system-deps.sh 会安装），其他系统请安装完整的 Python。" >&2
        exit 1
    fi
fi

if [ "$(cat "$stamp" 2>/dev/null)" != "$lock $digest" ]; then
    echo "安装 $lock 锁定的依赖到 $venv"
    # The pip that venv brings may be old: pip 23.2 refuses a hash-pinned lock once a requirement with extras
    # (weasyprint's fonttools[woff]) has a newer release on the index than the lock's pin.
    "$venv/bin/python" -m pip install --disable-pip-version-check -q --upgrade "pip>=25"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q --require-hashes -r "$lock"
    echo "$lock $digest" >"$stamp"
fi
