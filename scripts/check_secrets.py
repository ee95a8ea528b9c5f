#!/usr/bin/env python3
"""Fails when a configured secret value appears in a log.

    scripts/check_secrets.py [--config FILE]... [--ledger FILE] LOGFILE|DIR...

The secret values come from the config files the tests use (config/*.yaml and config/channels/*.yaml
with their demo values, plus every --config FILE), from the ledger the end-to-end harness writes
($GANGWAY_SECRETS_LEDGER, or --ledger: one value a line, each secret of every config a test wrote),
and from the environment where a config says `${NAME}` and NAME is set. A secret is every value under a
channel's `secrets:` (each value of a list while it is rotated), every `apiKey`, `admin.token`,
`store.url` and the password inside it. Values that are public although they sit beside the secrets
(`publicKey`, `appId`) and values shorter than 6 characters are not looked for.

Each LOGFILE (a directory: every file under it) is read as bytes. Exit 0 when no secret appears;
exit 1 naming each file and line, with only a hint of the secret (its first two characters and its
length), never the secret itself; exit 2 on a usage error.
"""
import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Values kept in `secrets:` because the adapter reads them from there, but public by nature: a
# provider's Ed25519 public key, the Microsoft App ID a token's audience names.
PUBLIC_SECRET_NAMES = {"publicKey", "appId"}
MIN_LENGTH = 6
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@]*:([^@]+)@", re.IGNORECASE)


def _resolve(value, environment):
    """`${NAME}` replaced from the environment; None when a placeholder has no value."""
    missing = False

    def sub(m):
        nonlocal missing
        if m.group(1) in environment:
            return environment[m.group(1)]
        missing = True
        return ""

    resolved = _PLACEHOLDER.sub(sub, value)
    return None if missing else resolved


def secret_values_of_config(text, environment=None):
    """The secret values a config text (YAML) holds; see the module's doc comment for which keys."""
    environment = os.environ if environment is None else environment
    values = set()

    def add(v):
        if isinstance(v, (list, tuple)):
            for x in v:
                add(x)
            return
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            return
        v = _resolve(str(v), environment)
        if not v:
            return
        values.add(v)
        password = _URL_PASSWORD.match(v)
        if password:
            values.add(password.group(1))

    def walk(node, parent=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "secrets" and isinstance(v, dict):
                    for name, sv in v.items():
                        if name not in PUBLIC_SECRET_NAMES:
                            add(sv)
                elif k == "apiKey" or (k == "token" and parent == "admin") or (k == "url" and parent == "store"):
                    add(v)
                else:
                    walk(v, k)
        elif isinstance(node, list):
            for x in node:
                walk(x, parent)

    try:
        import yaml
        doc = yaml.safe_load(text)
    except ImportError:
        doc = None
    except Exception:
        doc = None  # not YAML we can read (a deliberately broken test config): fall back to the lines
    if isinstance(doc, (dict, list)):
        walk(doc)
    else:
        _line_based(text, add)
    return values


def _line_based(text, add):
    """Without PyYAML (or for a broken file): `apiKey: v`, `token: v` and every `name: v` inside a
    `secrets:` block or flow mapping."""
    for m in re.finditer(r"\bsecrets\s*:\s*\{", text):
        for pair in _flow_items(text, m.end()):
            name, _, v = pair.partition(":")
            v = v.strip()
            if v.startswith("[") and v.endswith("]"):
                v = [x.strip().strip("'\"") for x in v[1:-1].split(",")]
            elif v:
                v = v.strip("'\"")
            if v and name.strip() not in PUBLIC_SECRET_NAMES:
                add(v)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(?:-\s+)?secrets\s*:\s*(#.*)?$", line)
        if m:
            indent = len(m.group(1))
            for inner in lines[i + 1:]:
                if inner.strip() and (len(inner) - len(inner.lstrip())) <= indent:
                    break
                kv = re.match(r"^\s*([A-Za-z0-9_]+)\s*:\s*([^#]+?)\s*(#.*)?$", inner)
                if kv and kv.group(1) not in PUBLIC_SECRET_NAMES:
                    add(kv.group(2).strip("'\""))
        for kv in re.finditer(r"\b(apiKey|token)\s*:\s*(\"[^\"]*\"|'[^']*'|\$\{[^}]*\}|[^\s,}#\]]+)", line):
            add(kv.group(2).strip("'\""))


def _flow_items(text, start):
    """The top-level `key: value` items of a YAML flow mapping whose `{` ends just before `start`
    (`${NAME}` placeholders and nested `[...]` kept whole)."""
    items, current, depth, i = [], "", 0, start
    while i < len(text):
        ch = text[i]
        if text.startswith("${", i):
            end = text.find("}", i)
            end = len(text) - 1 if end < 0 else end
            current += text[i:end + 1]
            i = end + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += ch
        i += 1
    items.append(current)
    return [x.strip() for x in items if x.strip()]


def collect_secrets(configs=(), ledger=None, environment=None):
    """Every secret value of the given config files and the ledger (values shorter than MIN_LENGTH left out)."""
    values = set()
    for path in configs:
        try:
            values |= secret_values_of_config(Path(path).read_text(), environment)
        except OSError:
            pass
    if ledger and Path(ledger).is_file():
        values |= {line for line in Path(ledger).read_text().splitlines() if line}
    return {v for v in values if len(v) >= MIN_LENGTH}


def default_configs():
    return sorted((ROOT / "config").glob("*.yaml")) + sorted((ROOT / "config" / "channels").glob("*.yaml"))


def hint(secret):
    """What may be printed about a secret: its first two characters and its length."""
    return f"{secret[:2]}… ({len(secret)} characters)"


def find_leaks(paths, secrets):
    """[(file, line number, secret)] for every secret found in the files (directories are walked)."""
    needles = sorted({s.encode() for s in secrets}, key=len, reverse=True)
    files = []
    for p in map(Path, paths):
        files.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    leaks = []
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            print(f"check_secrets: cannot read {f}: {e.strerror}", file=sys.stderr)
            continue
        for number, line in enumerate(data.splitlines(), 1):
            for needle in needles:
                if needle in line:
                    leaks.append((str(f), number, needle.decode()))
    return leaks


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fail when a configured secret appears in a log.")
    parser.add_argument("--config", action="append", default=[], help="another config file whose secrets to look for")
    parser.add_argument("--ledger", default=os.environ.get("GANGWAY_SECRETS_LEDGER"),
                        help="file of secret values, one a line (default $GANGWAY_SECRETS_LEDGER)")
    parser.add_argument("--no-default-configs", action="store_true", help="do not read config/*.yaml and config/channels/*.yaml")
    parser.add_argument("logs", nargs="+", help="log files or directories")
    args = parser.parse_args(argv)
    configs = ([] if args.no_default_configs else default_configs()) + args.config
    secrets = collect_secrets(configs, args.ledger)
    if not secrets:
        print("check_secrets: no secret values found to look for", file=sys.stderr)
        return 2
    leaks = find_leaks(args.logs, secrets)
    for f, number, secret in leaks:
        print(f"{f}:{number}: a secret appears: {hint(secret)}")
    if leaks:
        print(f"check_secrets: {len(leaks)} secret occurrence(s) in the logs", file=sys.stderr)
        return 1
    print(f"check_secrets: none of {len(secrets)} secret values appears in {len(args.logs)} log path(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
