"""Supply chain and runtime: every dependency pinned in the lock that CI and the image install
from; a vulnerability audit that reports (and never breaks an offline CI); a non-root worker
with one writable folder; IAM policies that allow nothing to everyone.

What tests/batch/test_container.py and test_job_definition.py already pin (hadolint, cfn-lint, a
non-root USER, the read-only root filesystem as Batch stores it, role policies naming only the
stack's resources) is not repeated here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = REPO / "requirements" / "runtime.txt"
DEV_LOCK = REPO / "requirements" / "dev.txt"
AUDIT = REPO / "scripts" / "audit"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)( \\)?$")
HASH = re.compile(r"^    --hash=sha256:[0-9a-f]{64}( \\)?$")


# ---------------------------------------------------------------- the lock


def pinned_in(lock: Path) -> dict[str, str]:
    """Canonical name → version of one lock file: each entry NAME==VERSION followed by the
    sha256 of its files (pip-compile's layout), each name once."""
    where = lock.relative_to(REPO)
    pins: dict[str, str] = {}
    hashes: dict[str, int] = {}
    for number, line in enumerate(lock.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#") or line.startswith("-r "):
            continue  # dev.txt's `-r runtime.txt`: test_dev_lock_includes_the_runtime_lock
        if line.startswith(" "):
            assert hashes and HASH.match(line), f"{where}:{number}: {line!r} is not a sha256 hash"
            hashes[list(hashes)[-1]] += 1
            continue
        found = PIN.match(line)
        assert found, f"{where}:{number}: {line!r} is not NAME==VERSION"
        name = canonicalize_name(found["name"])
        assert name not in pins, f"{where}:{number}: {name} pinned twice"
        pins[name] = found["version"]
        hashes[name] = 0
    unhashed = [name for name, count in hashes.items() if not count]
    assert not unhashed, f"{where}: no hash for {unhashed}"
    return pins


def pinned() -> dict[str, str]:
    """Both lock files: runtime and what only development adds, no name in both."""
    runtime, dev = pinned_in(RUNTIME_LOCK), pinned_in(DEV_LOCK)
    assert not set(runtime) & set(dev), "requirements/dev.txt repeats runtime.txt's pins"
    return {**runtime, **dev}


def projects() -> list[dict[str, Any]]:
    """The [project] tables of the core and of every plugin."""
    files = [REPO / "pyproject.toml", *sorted(REPO.glob("plugins/*/pyproject.toml"))]
    return [tomllib.loads(f.read_text())["project"] for f in files]


def first_party() -> set[str]:
    return {canonicalize_name(p["name"]) for p in projects()}


def requirements(*, runtime_only: bool = False) -> list[tuple[str, Requirement]]:
    """(where, requirement) for every dependency and extra of the core and the plugins; with
    `runtime_only`, what the worker image installs: dependencies and the core's `mysql` extra."""
    found = []
    for project in projects():
        for text in project.get("dependencies", []):
            found.append((project["name"], Requirement(text)))
        for extra, texts in project.get("optional-dependencies", {}).items():
            if runtime_only and (project["name"], extra) != ("datafeeds-core", "mysql"):
                continue
            found += [(f"{project['name']}[{extra}]", Requirement(t)) for t in texts]
    return found


def applies(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    environment = cast("dict[str, str]", default_environment())
    return any(
        requirement.marker.evaluate({**environment, "extra": extra}) for extra in extras or {""}
    )


def test_the_lock_pins_each_package_once_with_double_equals() -> None:
    pins = pinned()

    assert len(pins) > 20
    assert not set(pins) & first_party(), "our own distributions are installed from the repo"


def test_every_requirement_of_the_core_its_extras_and_every_plugin_is_pinned_in_the_lock() -> None:
    pins, ours = pinned(), first_party()
    checked = 0
    for where, requirement in requirements():
        name = canonicalize_name(requirement.name)
        if name in ours:
            continue
        assert name in pins, f"{where}: {requirement} is not pinned in requirements/*.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{where}: {requirement} does not allow the pinned {name}=={pins[name]}"
        )
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("runtime_only", [False, True], ids=["runtime-and-dev", "runtime"])
def test_the_lock_holds_every_dependency_of_what_it_pins_extras_included(
    runtime_only: bool,
) -> None:
    """The locks are closed: what CI installs from both, and what the image installs from
    runtime.txt alone, needs nothing unpinned (read from the installed distributions'
    metadata, with the extras our requirements ask for)."""
    pins, ours = pinned(), first_party()
    if runtime_only:
        pins = pinned_in(RUNTIME_LOCK)
    wanted: list[tuple[str, set[str]]] = [
        (canonicalize_name(r.name), set(r.extras))
        for _, r in requirements(runtime_only=runtime_only)
        if canonicalize_name(r.name) not in ours
    ]
    seen: set[tuple[str, frozenset[str]]] = set()
    missing: set[str] = set()
    while wanted:
        name, extras = wanted.pop()
        if (name, frozenset(extras)) in seen:
            continue
        seen.add((name, frozenset(extras)))
        if name not in pins:
            missing.add(name)
            continue
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # pinned for another platform: nothing to read here
        for text in requires:
            requirement = Requirement(text)
            if applies(requirement, extras):
                wanted.append((canonicalize_name(requirement.name), set(requirement.extras)))
    assert not missing, f"needed but not pinned: {sorted(missing)} (run scripts/lock)"
    assert len(seen) >= (20 if runtime_only else 40)


def test_dev_lock_includes_the_runtime_lock() -> None:
    """`pip install -r requirements/dev.txt` is the whole development environment."""
    includes = [line for line in DEV_LOCK.read_text().splitlines() if line.startswith("-")]
    assert includes == ["-r runtime.txt"]
    assert not [line for line in RUNTIME_LOCK.read_text().splitlines() if line.startswith("-")]


def test_the_runtime_lock_holds_no_development_tool() -> None:
    runtime = pinned_in(RUNTIME_LOCK)
    for tool in ("pytest", "ruff", "mypy", "nox", "pip-audit", "pip-tools", "moto", "selenium"):
        assert tool not in runtime, f"{tool} is a development tool: requirements/dev.txt"


def test_ci_and_the_image_install_third_party_packages_from_the_lock() -> None:
    ci = (REPO / "scripts" / "test-all").read_text()
    assert re.search(r"pip install -q --require-hashes -r requirements/dev\.txt", ci)
    # Our own packages come from the checkout without resolving anything further.
    assert re.search(r"pip install -q --no-deps -e \.", ci)
    dockerfile = re.sub(r"\\\n", " ", (REPO / "container" / "Dockerfile").read_text())
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        for command in line.split("&&"):
            if "pip install" not in command:
                continue
            from_lock = "--require-hashes -r requirements/runtime.txt" in command
            from_wheels = (
                "--no-index" in command
                and "--find-links /wheels" in command
                and "--no-deps" in command
            )
            assert from_lock or from_wheels, f"an unpinned install in the image: {command.strip()}"
    commands = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    assert not [c for c in commands if "dev.txt" in c], "the image installs no development tool"
    copies = re.findall(r"^COPY\s+(.*)$", dockerfile, flags=re.M)
    assert any("requirements/runtime.txt" in c for c in copies)
    # What resolves our packages' dependencies: nothing (the lock holds them; pip check says so).
    assert "pip check" in dockerfile


# ---------------------------------------------------------------- the vulnerability audit


@pytest.fixture
def fake_pip_audit(tmp_path: Path) -> Iterator[Path]:
    """A pip-audit stand-in: writes FAKE_REPORT to --output, FAKE_STDERR to stderr, exits
    FAKE_EXIT (lets the test drive every answer without a network)."""
    script = tmp_path / "pip-audit"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        "args = sys.argv[1:]\n"
        "assert '--no-deps' in args and '-r' in args, args\n"
        "report = os.environ.get('FAKE_REPORT')\n"
        "if report is not None:\n"
        "    open(args[args.index('--output') + 1], 'w').write(report)\n"
        "sys.stderr.write(os.environ.get('FAKE_STDERR', ''))\n"
        "sys.exit(int(os.environ.get('FAKE_EXIT', '0')))\n"
    )
    script.chmod(0o755)
    yield script


def audit(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AUDIT)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable, **env},
        timeout=120,
    )


VULNERABLE = {
    "dependencies": [
        {"name": "jinja2", "version": "2.10", "vulns": []},
        {
            "name": "urllib3",
            "version": "1.26.0",
            "vulns": [
                {
                    "id": "PYSEC-2021-108",
                    "fix_versions": ["1.26.5"],
                    "aliases": ["CVE-2021-33503"],
                    "description": "ReDoS",
                }
            ],
        },
    ],
    "fixes": [],
}


def test_audit_lists_known_vulnerabilities_and_exits_1(fake_pip_audit: Path) -> None:
    done = audit(
        {"PIP_AUDIT": str(fake_pip_audit), "FAKE_REPORT": json.dumps(VULNERABLE), "FAKE_EXIT": "1"}
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "urllib3 1.26.0: PYSEC-2021-108 (CVE-2021-33503); fixed in 1.26.5" in done.stdout
    assert "audit: 1 known vulnerabilities in 1 of 2 audited packages" in done.stdout


def test_audit_of_clean_pins_says_so(fake_pip_audit: Path) -> None:
    clean = {"dependencies": [{"name": "idna", "version": "3.10", "vulns": []}], "fixes": []}

    done = audit({"PIP_AUDIT": str(fake_pip_audit), "FAKE_REPORT": json.dumps(clean)})

    assert (done.returncode, done.stdout) == (
        0,
        "audit: no known vulnerabilities in 1 audited packages\n",
    )


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            {"FAKE_STDERR": "requests.exceptions.ConnectionError: Max retries exceeded\n"},
            "audit: not run (vulnerability database unreachable: requests.exceptions.Connection",
        ),
        (
            {
                "FAKE_REPORT": json.dumps(
                    {
                        "dependencies": [
                            {"name": "idna", "skip_reason": "Dependency not found on PyPI"}
                        ]
                    }
                )
            },
            "audit: not run (the vulnerability database answered for none of the 1 pinned",
        ),
        ({"PIP_AUDIT": "/nonexistent/pip-audit"}, "audit: not run (pip-audit is not installed"),
    ],
    ids=["network-down", "no-answers", "not-installed"],
)
def test_an_audit_that_cannot_run_is_reported_and_does_not_fail(
    fake_pip_audit: Path, answer: dict[str, str], said: str
) -> None:
    done = audit({"PIP_AUDIT": str(fake_pip_audit), "FAKE_EXIT": "1", **answer})

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(said), done.stdout
    assert "no known vulnerabilities" not in done.stdout, "no audit is not a clean audit"


def test_an_audit_tool_failure_is_reported_with_exit_2(fake_pip_audit: Path) -> None:
    done = audit(
        {"PIP_AUDIT": str(fake_pip_audit), "FAKE_STDERR": "error: bad lock\n", "FAKE_EXIT": "1"}
    )

    assert (done.returncode, done.stdout) == (2, "audit: pip-audit failed: error: bad lock\n")


def test_the_real_pip_audit_offline_reports_an_unreachable_database(tmp_path: Path) -> None:
    """The flags scripts/audit passes are the real tool's; offline it says so, exit 0."""
    tool = Path(sys.executable).parent / "pip-audit"
    if not tool.exists():
        pytest.skip("pip-audit is not installed in this environment")
    closed = "http://127.0.0.1:9"  # nothing listens on the discard port
    done = audit(
        {
            "PIP_AUDIT": str(tool),
            "HTTPS_PROXY": closed,
            "https_proxy": closed,
            "NO_PROXY": "",
            "no_proxy": "",
            "PIP_CACHE_DIR": str(tmp_path / "cache"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("audit: not run (vulnerability database unreachable"), done.stdout


def test_ci_runs_the_audit_without_gating_on_it() -> None:
    """The gate's audit session accepts every exit code scripts/audit has, and runs before the
    suite; CI runs the gate's default sessions (scripts/test-all → nox)."""
    noxfile = (REPO / "noxfile.py").read_text()
    [line] = [line for line in noxfile.splitlines() if '"scripts/audit"' in line]
    assert "success_codes=[0, 1, 2]" in line, line
    gate = re.search(r"^GATE = \[(.*)\]$", noxfile, flags=re.M)
    assert gate, "noxfile.py: GATE lists the gate's sessions"
    sessions = re.findall(r'"(\w+)"', gate[1])
    assert sessions.index("audit") < sessions.index("tests")
    assert "nox.options.sessions = GATE" in noxfile
    ci = (REPO / "scripts" / "test-all").read_text()
    assert re.search(r"^exec \.venv/bin/nox --no-venv -- \"\$@\"$", ci, flags=re.M)


# ---------------------------------------------------------------- the runtime


def test_the_worker_writes_only_in_its_one_writable_folder() -> None:
    """The job definition: a read-only root and one writable mount; every place the worker
    writes (home, logs, default documents folder, liveness locks, temporary files) under it."""
    from datafeeds_core.config import load
    from datafeeds_core.executors.batch.definition import (
        WORK_PATH,
        JobDefinitionSpec,
        job_definition,
    )
    from datafeeds_core.executors.local.liveness import folder_of

    arn = "arn:aws:secretsmanager:us-west-1:123456789012:secret:datafeeds"
    spec = JobDefinitionSpec(
        name="datafeeds",
        image="example/datafeeds:1",
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        job_role_arn="arn:aws:iam::123456789012:role/worker",
        log_group="/datafeeds/batch",
        secrets={"DATAFEEDS_PLATFORM_URL": f"{arn}/p", "DATAFEEDS_URJANET_URL": f"{arn}/u"},
    )
    container = job_definition(spec)["containerProperties"]
    assert container["readonlyRootFilesystem"] is True
    writable = [m["containerPath"] for m in container["mountPoints"] if not m["readOnly"]]
    assert writable == [WORK_PATH]

    environment = {e["name"]: e["value"] for e in container["environment"]}
    settings = load(
        {
            **environment,
            "DATAFEEDS_PLATFORM_URL": "postgresql://h/p",
            "DATAFEEDS_URJANET_URL": "mysql://u@h/urjanet",
        }
    )
    documents = settings.documents_url.removeprefix("file://")
    written = [settings.home, settings.run_log_dir, Path(documents), folder_of(settings.home)]
    written.append(Path(environment["TMPDIR"]))
    for path in written:
        assert Path(path).is_relative_to(WORK_PATH), path


def test_the_image_user_owns_the_work_folder() -> None:
    from datafeeds_core.executors.batch.definition import WORK_PATH

    text = re.sub(r"\\\n", " ", (REPO / "container" / "Dockerfile").read_text())
    user = re.findall(r"^USER\s+(\S+)", text, flags=re.M)[-1]
    uid = user.split(":")[0]
    account = re.search(r"useradd\s[^&]*--uid\s+(\d+)[^&]*\s(\w+)\s*(?:&&|$)", text)
    assert account and account[1] == uid != "0"
    assert re.search(rf"chown\s+{account[2]}:{account[2]}\s+{re.escape(WORK_PATH)}\b", text)


def template() -> dict[str, Any]:
    from cfnlint.decode import cfn_yaml

    return cfn_yaml.loads((REPO / "container" / "batch-stack.yaml").read_text())  # type: ignore[no-any-return]


def statements(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy statement anywhere in the template (roles, bucket policies, anything)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement" and isinstance(value, list):
                for statement in value:
                    yield path, statement
            else:
                yield from statements(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from statements(value, f"{path}/{i}")


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# Actions AWS offers no resource-level permission for: the only ones allowed on Resource "*".
NEEDS_STAR = {"ecr:GetAuthorizationToken", "batch:DescribeJobs"}
# Who may assume the stack's roles: ECS tasks (the containers), EventBridge (the schedule) and
# EventBridge Scheduler (the status sync); and who may publish alerts: EventBridge and CloudWatch.
SERVICES = {
    "ecs-tasks.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "cloudwatch.amazonaws.com",
}


def test_no_policy_anywhere_allows_everyone_or_everything() -> None:
    found = list(statements(template()["Resources"]))
    assert len(found) >= 10
    for where, statement in found:
        assert not {"NotAction", "NotResource", "NotPrincipal"} & set(statement), where
        if statement["Effect"] == "Deny":
            continue  # a deny for everyone (TLS only) narrows, never grants
        assert statement["Effect"] == "Allow", where
        principal = statement.get("Principal")
        if principal is not None:  # a trust policy: only AWS services may assume our roles
            assert principal != "*" and set(principal) == {"Service"}, (where, principal)
            assert set(listed(principal["Service"])) <= SERVICES, (where, principal)
            if listed(statement["Action"]) != ["sts:AssumeRole"]:
                # The alert topic's policy: a service may publish, from one of our resources.
                assert listed(statement["Action"]) == ["sns:Publish"], where
                assert "Fn::GetAtt" in statement["Condition"]["ArnEquals"]["aws:SourceArn"], where
            continue
        actions = listed(statement["Action"])
        for resource in listed(statement["Resource"]):
            if resource == "*":
                assert set(actions) <= NEEDS_STAR, (where, actions)
