"""Shards: which K-th of N parts of the typesetting this run does, and which shards are missing.

`--shard auto` reads K and N from the job runners districts already have: a Slurm array job
(SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_STEP), a
Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with N in TAKEHOME_SHARDS), or anything that can
set TAKEHOME_SHARD (1 to N) and TAKEHOME_SHARDS itself (a CI matrix).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping


class NoShard(ValueError):
    """The environment does not say which shard this is (or says it wrongly)."""


def in_shard(output: str, shard: tuple[int, int] | None) -> bool:
    """Whether `output` is in the k-th of n parts (a fixed split by its name)."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(output.encode()).hexdigest()[:8], 16) % n == k - 1


def _number(env: Mapping[str, str], name: str) -> int:
    value = env.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        raise NoShard(f"{name}={value!r} is not a whole number") from None


def from_environment(env: Mapping[str, str]) -> tuple[int, int]:
    """(K, N) from a Slurm array task, a Kubernetes Indexed Job or TAKEHOME_SHARD(S)."""
    if "SLURM_ARRAY_TASK_ID" in env:
        task, first = _number(env, "SLURM_ARRAY_TASK_ID"), _number(env, "SLURM_ARRAY_TASK_MIN")
        count = _number(env, "SLURM_ARRAY_TASK_COUNT")
        step = _number(env, "SLURM_ARRAY_TASK_STEP") if "SLURM_ARRAY_TASK_STEP" in env else 1
        if step < 1 or (task - first) % step:
            raise NoShard(f"Slurm array task {task} is not on the array's steps "
                          f"({first}, {first + step}, ...)")
        k, n, where = (task - first) // step + 1, count, "Slurm array task"
    elif "JOB_COMPLETION_INDEX" in env:
        if "TAKEHOME_SHARDS" not in env:
            raise NoShard("a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) was found, but not "
                          "TAKEHOME_SHARDS: set it to the Job's completions")
        k = _number(env, "JOB_COMPLETION_INDEX") + 1
        n, where = _number(env, "TAKEHOME_SHARDS"), "Kubernetes Indexed Job"
    elif "TAKEHOME_SHARD" in env:
        if "TAKEHOME_SHARDS" not in env:
            raise NoShard("TAKEHOME_SHARD is set but not TAKEHOME_SHARDS (the number of shards)")
        k, n, where = _number(env, "TAKEHOME_SHARD"), _number(env, "TAKEHOME_SHARDS"), \
            "TAKEHOME_SHARD"
    else:
        raise NoShard("--shard auto found neither a Slurm array job (SLURM_ARRAY_TASK_ID, "
                      "SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT) nor a Kubernetes Indexed "
                      "Job (JOB_COMPLETION_INDEX with TAKEHOME_SHARDS), nor TAKEHOME_SHARD with "
                      "TAKEHOME_SHARDS; give the shard as K/N instead, e.g. --shard 2/4")
    if not 1 <= k <= n:
        raise NoShard(f"{where} gives shard {k} of {n}: K must be between 1 and N")
    return k, n


def missing_shards(outputs: Iterable[str], count: int) -> list[str]:
    """The shards "K/N" of `count` that the missing `outputs` belong to."""
    wanted = set(outputs)
    return [f"{k}/{count}" for k in range(1, count + 1)
            if any(in_shard(output, (k, count)) for output in wanted)]
