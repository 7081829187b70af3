"""
The pytest plugin for orgsim's users (python/orgsim_pytest.py), used exactly as the README
documents it: the README's example file, run by a pytest of its own with `-p orgsim_pytest` and
the plugin's folder on PYTHONPATH. The plugin starts its own orgsim (this checkout's
bin/orgsim.js) on a free port for the session, reads the address from the first line, and resets
it before every test (the example's second test finds no organization left by the first).
scripts/check-package.mjs runs the same example from the installed npm package.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def readme_example() -> str:
    text = (REPO_ROOT / "README.md").read_text()
    match = re.search(r"```python\n(# test_orgs\.py[\s\S]*?)```", text)
    assert match, "README.md has the pytest example: a ```python block that starts with # test_orgs.py"
    return match.group(1)


def run_example(tmp_path: Path, **env_extra: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_orgs.py").write_text(readme_example())
    # As a user's shell would be: none of this suite's ORGSIM_* or AWS_* settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORGSIM_", "AWS_"))}
    env.update(PYTHONPATH=str(REPO_ROOT / "python"), PYTHONDONTWRITEBYTECODE="1", **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "orgsim_pytest", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )


def test_promise_the_readme_pytest_example_passes_with_the_plugin(tmp_path):
    done = run_example(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b3 passed\b", done.stdout), done.stdout


def test_promise_the_plugin_reads_the_address_from_a_json_first_line(tmp_path):
    done = run_example(tmp_path, ORGSIM_LOG_FORMAT="json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b3 passed\b", done.stdout), done.stdout
