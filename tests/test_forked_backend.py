"""What crosses between a sweep's forked workers and the command (sim.forked_backend)."""

import pickle

import pytest
from hydra.core.utils import JobReturn, JobStatus
from omegaconf import OmegaConf

from sim.forked_backend import Cloudpickled, _run


def _job_return(status: JobStatus, value: object) -> JobReturn:
    result = JobReturn(overrides=["seed=3"], cfg=OmegaConf.create({"seed": 3}), working_dir="/runs/3", task_name="app")
    result.hydra_cfg = OmegaConf.create({"hydra": {"job": {"name": "app"}}})
    result.status, result.return_value = status, value
    return result


def _crossed(results: list[object]) -> list[object]:
    """``results`` as a worker sends a batch's back to the command."""
    sent: Cloudpickled = pickle.loads(pickle.dumps(_run(Cloudpickled(lambda: results))))
    assert isinstance(sent.value, list)
    return sent.value


def test_a_result_comes_back_with_its_value_and_status_not_its_configs() -> None:
    (back, other) = _crossed([_job_return(JobStatus.COMPLETED, 1234.5), "not a job"])
    assert isinstance(back, JobReturn)
    assert (back.return_value, back.status, back.overrides, back.working_dir) == (
        1234.5,
        JobStatus.COMPLETED,
        ["seed=3"],
        "/runs/3",
    )
    assert back.cfg is None and back.hydra_cfg is None
    assert other == "not a job"


def test_a_failed_job_still_raises_its_error_in_the_command() -> None:
    (back,) = _crossed([_job_return(JobStatus.FAILED, ValueError("the run broke"))])
    assert isinstance(back, JobReturn)
    with pytest.raises(ValueError, match="the run broke"):
        _ = back.return_value
