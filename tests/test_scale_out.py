"""Several machines: shards from the job runner's environment, shards at once on one folder,
`build --join`, the recipes in docs/scale-out.md, and a cache that trusts only its own key."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from takehome.build import pipeline, trust, typeset
from takehome.build.incremental import CACHE_DIR
from takehome.build.shards import NoShard, from_environment, in_shard

from .conftest import REPO, run, tree_bytes, trim_roster

DOCUMENTS = ("--only", "welcome", "--only", "intake")


@pytest.fixture
def small(project: Path) -> Path:
    """The sample with eight families: enough documents for three shards, and quick."""
    trim_roster(project, 8)
    return project


def takehome(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "takehome", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_three_shards_at_once_then_join_give_a_single_builds_bytes(small: Path,
                                                                   tmp_path: Path) -> None:
    single = tmp_path / "single"
    shutil.copytree(small, single)
    assert run("build", "--jobs", "1", *DOCUMENTS, str(single)).exit_code == 0

    # Three shard processes on one project folder (one cache), all running at the same time.
    shards = [takehome("build", "--shard", f"{k}/3", "--jobs", "1", *DOCUMENTS, str(small))
              for k in (1, 2, 3)]
    for shard in shards:
        out, _ = shard.communicate(timeout=600)
        assert shard.returncode == 0, out
    assert not (small / "output").exists()  # shards write nothing but the cache

    joined = takehome("build", "--join", *DOCUMENTS, str(small))
    out, _ = joined.communicate(timeout=600)
    assert joined.returncode == 0, out
    assert "(0 rendered," in out  # the join typeset nothing itself
    assert tree_bytes(small / "output") == tree_bytes(single / "output")


def test_join_with_a_shard_missing_names_it_and_writes_nothing(small: Path) -> None:
    result = run("build", "--join", *DOCUMENTS, str(small))
    assert result.exit_code == 1
    assert "no shard has recorded its work" in result.output

    assert run("build", "--shard", "2/3", *DOCUMENTS, str(small)).exit_code == 0
    result = run("build", "--join", *DOCUMENTS, str(small))
    assert result.exit_code == 1
    assert "shards 1/3, 3/3 have not left their documents" in result.output
    assert "nothing was written" in result.output
    assert not (small / "output").exists()

    assert run("build", "--shard", "1/3", *DOCUMENTS, str(small)).exit_code == 0
    result = run("build", "--join", *DOCUMENTS, str(small))
    assert result.exit_code == 1
    assert "shard 3/3 has not left its documents" in result.output
    # The message names the right shard: every missing document is in shard 3.
    example = re.search(r"\(e\.g\. (\S+)\)", result.output)
    assert example and in_shard(example[1], (3, 3))

    assert run("build", "--shard", "3/3", *DOCUMENTS, str(small)).exit_code == 0
    assert run("build", "--join", *DOCUMENTS, str(small)).exit_code == 0
    assert (small / "output/welcome/class-set.pdf").is_file()


@pytest.mark.parametrize(("env", "shard"), [
    ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "4"},
     (3, 4)),
    ({"SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "3",
      "SLURM_ARRAY_TASK_STEP": "4"}, (3, 3)),
    ({"JOB_COMPLETION_INDEX": "0", "TAKEHOME_SHARDS": "3"}, (1, 3)),
    ({"TAKEHOME_SHARD": "2", "TAKEHOME_SHARDS": "2"}, (2, 2)),
])
def test_shard_auto_reads_the_job_runner(env: dict[str, str], shard: tuple[int, int]) -> None:
    assert from_environment(env) == shard


@pytest.mark.parametrize(("env", "message"), [
    ({}, "found neither a Slurm array job"),
    ({"JOB_COMPLETION_INDEX": "2"}, "not TAKEHOME_SHARDS"),
    ({"JOB_COMPLETION_INDEX": "3", "TAKEHOME_SHARDS": "3"}, "gives shard 4 of 3"),
    ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "2"},
     "is not a whole number"),
])
def test_shard_auto_says_what_is_missing(env: dict[str, str], message: str) -> None:
    with pytest.raises(NoShard, match=message):
        from_environment(env)


def test_shard_auto_on_the_command_line(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runners = ("SLURM_", "JOB_COMPLETION", "TAKEHOME_SHARD")
    for name in [n for n in os.environ if n.startswith(runners)]:
        monkeypatch.delenv(name)
    result = run("build", "--shard", "auto", str(small))
    assert result.exit_code == 2 and "found neither a Slurm array job" in result.output
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "1")
    monkeypatch.setenv("TAKEHOME_SHARDS", "2")
    result = run("build", "--shard", "auto", "--only", "welcome", str(small))
    assert result.exit_code == 0 and "Shard 2/2:" in result.output


def _blocks(language: str) -> list[str]:
    text = (REPO / "docs/scale-out.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_kubernetes_indexed_job_gives_every_pod_its_shard() -> None:
    documents = [d for block in _blocks("yaml") if "kind: Job" in block
                 for d in yaml.safe_load_all(block)]
    shards, join = documents
    spec = shards["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    assert container["command"][-4:-1] == ["build", "--shard", "auto"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert "TAKEHOME_CACHE_KEY" in env  # every pod signs with the same key
    # Kubernetes gives pod i JOB_COMPLETION_INDEX=i, for i in 0..completions-1.
    got = [from_environment({"JOB_COMPLETION_INDEX": str(i), "TAKEHOME_SHARDS": env[
        "TAKEHOME_SHARDS"]}) for i in range(spec["completions"])]
    assert got == [(k, spec["completions"]) for k in range(1, spec["completions"] + 1)]
    joiner = join["spec"]["template"]["spec"]["containers"][0]
    assert joiner["command"][-3:-1] == ["build", "--join"]
    assert {e["name"] for e in joiner["env"]} == {"TAKEHOME_CACHE_KEY"}


def test_slurm_array_gives_every_task_its_shard() -> None:
    script = next(b for b in _blocks("bash") if "#SBATCH --array" in b)
    match = re.search(r"#SBATCH --array=(\d+)-(\d+)\n", script)
    assert match and "--shard auto" in script
    first, last = int(match[1]), int(match[2])
    # Slurm sets these for each task of --array=first-last.
    got = [from_environment({"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first),
                             "SLURM_ARRAY_TASK_COUNT": str(last - first + 1)})
           for task in range(first, last + 1)]
    count = last - first + 1
    assert got == [(k, count) for k in range(1, count + 1)]
    assert any("--join" in block and "afterok" in block for block in _blocks("sh"))


def test_github_matrix_gives_every_job_its_shard() -> None:
    workflow = yaml.safe_load(next(b for b in _blocks("yaml") if "jobs:" in b))
    shard, join = workflow["jobs"]["shard"], workflow["jobs"]["join"]
    values = shard["strategy"]["matrix"]["shard"]
    env = shard["env"]
    assert env["TAKEHOME_SHARD"] == "${{ matrix.shard }}"
    got = [from_environment({"TAKEHOME_SHARD": str(v), "TAKEHOME_SHARDS": str(env[
        "TAKEHOME_SHARDS"])}) for v in values]
    assert got == [(k, len(values)) for k in range(1, len(values) + 1)]
    assert any("--shard auto" in step.get("run", "") for step in shard["steps"])
    assert join["needs"] == "shard"
    assert any("--join" in step.get("run", "") for step in join["steps"])
    download = next(s for s in join["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["path"].rstrip("/") == CACHE_DIR


def _entry_of(root: Path, output: str) -> tuple[Path, Path]:
    """The cache entry (PDF, record) a build's output file came from."""
    manifest = json.loads((root / "output/manifest.json").read_text())["documents"]
    digest = next(e["sha256"] for e in manifest if e["path"] == output)
    for meta in (root / CACHE_DIR).glob("v*/??/*.json"):
        if json.loads(meta.read_text())["sha256"] == digest:
            return meta.with_suffix(".pdf"), meta
    raise AssertionError(f"no cache entry for {output}")


def test_a_planted_cache_entry_is_never_served(small: Path) -> None:
    assert run("build", "--only", "welcome", str(small)).exit_code == 0
    target = "welcome/students/01-lopez-ana.pdf"
    other = sorted((small / "output/welcome/students").glob("*.pdf"))[1]
    honest = (small / "output" / target).read_bytes()
    planted = other.read_bytes()
    assert honest != planted
    # Swap in another family's letter and fix up the hash beside it, as an attacker could.
    pdf, meta = _entry_of(small, target)
    pdf.write_bytes(planted)
    record = json.loads(meta.read_text())
    record["sha256"] = __import__("hashlib").sha256(planted).hexdigest()
    meta.write_text(json.dumps(record))
    shutil.rmtree(small / "output")
    result = run("build", "--only", "welcome", str(small))
    assert result.exit_code == 0
    assert "discarded a cache entry that does not verify" in result.output
    assert (small / "output" / target).read_bytes() == honest


def test_entries_signed_with_another_key_are_made_again(small: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    first = pipeline.build(small, pipeline.Options(only=("welcome",)))
    before = tree_bytes(small / "output")
    shutil.rmtree(small / "output")
    monkeypatch.setenv(trust.KEY_VARIABLE, "another-machine-with-its-own-key-" + "1" * 32)
    again = pipeline.build(small, pipeline.Options(only=("welcome",)))
    assert again.reused == 0 and len(again.rendered) == len(first.rendered)
    assert tree_bytes(small / "output") == before
    # And --join does not take them either: they count as missing.
    assert run("build", "--shard", "1/1", "--only", "welcome", str(small)).exit_code == 0
    monkeypatch.setenv(trust.KEY_VARIABLE, "a-third-key-" + "2" * 40)
    result = run("build", "--join", "--only", "welcome", str(small))
    assert result.exit_code == 1
    assert "no shard has recorded its work here with this cache key" in result.output


def test_the_key_is_made_once_readable_by_the_user_only(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(trust.KEY_VARIABLE)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    signature = trust.sign({"a": 1})
    path = tmp_path / "takehome/cache-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text()) == 64
    assert trust.verify({"a": 1}, signature) and not trust.verify({"a": 2}, signature)


def test_a_short_shared_key_is_refused(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(trust.KEY_VARIABLE, "secret")
    result = run("build", "--only", "welcome", str(small))
    assert result.exit_code == 1 and "TAKEHOME_CACHE_KEY is too short" in result.output


def test_an_edited_image_is_on_every_copy_after_a_rebuild(small: Path, tmp_path: Path) -> None:
    """Stamped copies share a base kept in the cache: an edited image makes a new one."""
    assert run("build", "--only", "welcome", str(small)).exit_code == 0
    logo = small / "content/images/logo.svg"
    logo.write_text(logo.read_text().replace("#2f6f73", "#7a3b69"))
    assert run("build", "--only", "welcome", str(small)).exit_code == 0
    shutil.rmtree(small / CACHE_DIR)
    assert run("build", "--only", "welcome", "--output", str(tmp_path / "fresh"),
               str(small)).exit_code == 0
    assert tree_bytes(small / "output") == tree_bytes(tmp_path / "fresh")


def test_an_unwritable_key_folder_says_what_to_do(small: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(trust.KEY_VARIABLE)
    (tmp_path / "config").write_text("a file where the folder would be")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = run("build", "--only", "welcome", str(small))
    assert result.exit_code == 1
    assert "cannot read or make the cache key" in result.output
    assert "set TAKEHOME_CACHE_KEY instead" in result.output


def test_shard_join_and_watch_do_not_mix(small: Path) -> None:
    result = run("build", "--join", "--shard", "1/2", str(small))
    assert result.exit_code == 2 and "cannot be used together" in result.output
    assert not (small / CACHE_DIR).exists()


def test_workers_at_their_task_limit_are_replaced_and_finish_every_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Many calls on workers that each take only a few tasks (a build's joins after its
    typesetting): every call finishes (submitted all at once, they waited forever)."""
    monkeypatch.setattr(typeset, "TASKS_PER_WORKER", 2)
    results: list[tuple[int, int]] = []
    with typeset.Workers(2) as workers:
        assert sorted(workers.in_turn(abs, [(-n,) for n in range(6)])) == [
            (n, n) for n in range(6)]  # a build's typesetting, then its joins
        finished = threading.Thread(target=lambda: results.extend(
            workers.in_turn(abs, [(-n,) for n in range(20)])), daemon=True)
        finished.start()
        finished.join(120)
        assert not finished.is_alive(), "the calls never finished"
    assert sorted(results) == [(n, n) for n in range(20)]
