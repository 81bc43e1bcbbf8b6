"""The repository around the code: GitHub workflows and forms that lint clean, a pre-commit
configuration that runs what it says, and a CONTRIBUTING.md whose worked example works."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github"
BIN = Path(sys.executable).parent


def lint(schema: str, *files: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with a schema it ships (SchemaStore's), so nothing is downloaded."""
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True)


def workflow(name: str) -> dict:
    return yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))


def steps(job: dict) -> list[str]:
    """Each step as one line: what it uses or runs."""
    return [step.get("uses") or step.get("run", "") for step in job["steps"]]


@pytest.mark.parametrize(("schema", "pattern"), [
    ("vendor.github-workflows", "workflows/*.yml"),
    ("vendor.github-issue-forms", "ISSUE_TEMPLATE/*.yml"),
])
def test_github_files_match_githubs_schemas(schema, pattern):
    files = sorted(GITHUB.glob(pattern))
    assert files
    result = lint(schema, *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_lint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: [pull_request]\njobs:\n  test:\n    step:\n      - run: make test\n", encoding="utf-8")
    assert lint("vendor.github-workflows", broken).returncode != 0


def test_ci_validates_tests_as_the_readme_says_and_builds_the_site():
    jobs = workflow("ci.yml")["jobs"]
    run = [line for job in jobs.values() for line in steps(job)]
    assert ".venv/bin/atlas validate --format github" in run
    assert "bash .ci/run" in run  # the README's test command, through .ci/run as CI here runs it
    assert "make site" in run and "actions/upload-artifact@v4" in run
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("make test")
    assert "make test" in (REPO / "README.md").read_text(encoding="utf-8")


def test_deploy_publishes_with_the_official_pages_actions_one_at_a_time():
    deploy = workflow("deploy.yml")
    used = [line for job in deploy["jobs"].values() for line in steps(job)]
    assert {"actions/configure-pages@v5", "actions/upload-pages-artifact@v3", "actions/deploy-pages@v4"} <= set(used)
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as true


def test_every_action_is_pinned_to_a_release_and_others_than_githubs_to_a_commit():
    for path in GITHUB.glob("workflows/*.yml"):
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            for used in filter(None, (step.get("uses") for step in job["steps"])):
                pinned = r"actions/[\w.-]+@v\d+" if used.startswith("actions/") else r"[\w.-]+/[\w.-]+@[0-9a-f]{40}"
                assert re.fullmatch(pinned, used), f"{path.name}: {used}"


def test_the_update_workflow_runs_daily_and_on_demand_and_opens_one_pull_request():
    update = workflow("update.yml")
    assert update[True]["schedule"] and "workflow_dispatch" in update[True]
    (job,) = update["jobs"].values()
    used = steps(job)
    assert "bash .github/scripts/update.sh" in used
    opener = next(step for step in job["steps"] if "create-pull-request" in step.get("uses", ""))
    assert opener["if"] == "steps.update.outputs.changed == 'true'" and opener["with"]["branch"] == "arxiv-update"
    script = (GITHUB / "scripts" / "update.sh").read_text(encoding="utf-8")
    assert all(f'"$atlas" {command}' in script for command in ("fetch", "enrich", "validate", "build --strict"))


def test_pre_commit_runs_ruff_and_validates_changed_papers():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert "ruff" in hooks
    papers, taxonomy = hooks["atlas-validate-papers"], hooks["atlas-validate-taxonomy"]
    assert papers["entry"] == taxonomy["entry"] == ".venv/bin/atlas validate"
    assert re.search(papers["files"], "content/papers/some-paper.md")
    assert not re.search(papers["files"], "content/taxonomy.yml") and not re.search(papers["files"], "README.md")
    assert re.search(taxonomy["files"], "content/taxonomy.yml") and taxonomy["pass_filenames"] is False


def test_the_pull_request_template_asks_for_validate():
    template = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "atlas validate" in template and template.count("- [ ]") >= 4


def test_the_add_example_in_contributing_works_as_written(tmp_path):
    """A newcomer copies the `atlas add` example from CONTRIBUTING.md: the paper it names is
    written, validates strictly, and is the file the guide says."""
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    (example,) = [block for block in re.findall(r"```sh\n(.*?)```", guide, re.S) if "atlas add \\" in block]
    shutil.copytree(REPO / "content", tmp_path / "content", ignore=shutil.ignore_patterns("digests"))
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    done = subprocess.run(["bash", "-c", example], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (promised,) = re.findall(r"It writes `(content/papers/[^`]+\.md)`", guide)
    assert f"add: wrote {promised}" in done.stderr and (tmp_path / promised).is_file()
    checked = subprocess.run([str(tmp_path / ".venv" / "bin" / "atlas"), "validate", "--strict", promised],
                             cwd=tmp_path, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
