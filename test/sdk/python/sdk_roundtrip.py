"""Runs the published Conductor Python SDK (conductor-python, pinned in requirements.txt) against Baton, unchanged.

Usage: sdk_roundtrip.py [BASE_URL] [N]      BASE_URL defaults to $BATON_URL, N (workflows to run) to 5.
Optional: $BATON_PYSDK_TIMEOUT_S bounds every wait (default 60).

Only the SDK's public API is used: Configuration, OrkesMetadataClient, WorkflowExecutor, OrkesWorkflowClient,
ConductorWorkflow, TaskHandler and @worker_task. What it proves, step by step:
  * task and workflow definitions register, overwrite and read back (POST/PUT /api/metadata/taskdefs,
    POST /api/metadata/workflow?overwrite=True|False — the SDK writes Python's `True`/`False` in query strings);
  * TaskHandler runs a plain `def` worker (TaskRunner, thread pool, requests through the sync client) and an
    `async def` worker (AsyncTaskRunner, httpx.AsyncClient); both report results with POST /api/tasks/update-v2
    and would fall back to POST /api/tasks if Baton answered 404/405 there — that fallback counts as a failure;
  * N workflows of two tasks (sync worker, then async worker fed with the first one's output) all COMPLETE
    with the expected outputs, each task run by the worker it belongs to;
  * pause, resume, terminate, restart (useLatestDefinitions=True) and get-status through the workflow client,
    including that a paused workflow schedules nothing after a task completes, and that pausing an ended
    workflow is refused with 409.
Exits 0 when every check passed; otherwise prints what failed (step, HTTP call, answer) and exits 1.

This module is imported again by every worker process (multiprocessing uses spawn), so everything a worker
needs is defined at module level and the run itself sits under `if __name__ == "__main__"`.
"""

import asyncio
import glob
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
import uuid

from conductor.client.automator.task_handler import TaskHandler
from conductor.client.configuration.configuration import Configuration
from conductor.client.http.models.start_workflow_request import StartWorkflowRequest
from conductor.client.http.models.task_def import TaskDef
from conductor.client.http.rest import ApiException
from conductor.client.orkes.orkes_metadata_client import OrkesMetadataClient
from conductor.client.orkes.orkes_workflow_client import OrkesWorkflowClient
from conductor.client.worker.worker_task import worker_task
from conductor.client.workflow.conductor_workflow import ConductorWorkflow
from conductor.client.workflow.executor.workflow_executor import WorkflowExecutor
from conductor.client.workflow.task.simple_task import simple_task
from conductor.client.workflow.task.wait_task import WaitTask

# One id per run, shared with the worker processes through the environment they inherit, so that names never
# collide with an earlier run against the same server.
RUN = os.environ.setdefault("BATON_PYSDK_RUN", uuid.uuid4().hex[:8])
SYNC_TASK = f"pysdk_double_{RUN}"
ASYNC_TASK = f"pysdk_add_{RUN}"
SYNC_WORKER_ID = f"pysdk-sync-{RUN}"
ASYNC_WORKER_ID = f"pysdk-async-{RUN}"
PIPELINE = f"pysdk_pipeline_{RUN}"
GATED = f"pysdk_gated_{RUN}"
PROBE_DIR_ENV = "BATON_PYSDK_PROBE_DIR"


@worker_task(task_definition_name=SYNC_TASK, worker_id=SYNC_WORKER_ID, poll_interval_millis=50)
def double(n: int) -> dict:
    return {"doubled": n * 2, "ran": "def"}


@worker_task(task_definition_name=ASYNC_TASK, worker_id=ASYNC_WORKER_ID, poll_interval_millis=50, thread_count=4)
async def add(doubled: int, n: int) -> dict:
    await asyncio.sleep(0.01)  # a real await: this body runs on the AsyncTaskRunner's event loop
    return {"sum": doubled + n, "ran": "async def"}


class WorkerProbe:
    """A TaskHandler event listener (public API): each worker process appends what it executed or failed at to a
    file of its own, for the main process to read once the workers have stopped."""

    def __init__(self, directory: str):
        self.directory = directory

    def _write(self, kind: str, event, **extra) -> None:
        record = {"kind": kind, "taskType": event.task_type, "pid": os.getpid(), **extra}
        with open(os.path.join(self.directory, f"events-{os.getpid()}.jsonl"), "a") as f:
            f.write(json.dumps(record, default=str) + "\n")

    def on_task_execution_completed(self, event) -> None:
        self._write("completed", event, taskId=event.task_id, workflowId=event.workflow_instance_id)

    def on_task_execution_failure(self, event) -> None:
        self._write("execution_failure", event, taskId=event.task_id, cause=repr(event.cause))

    def on_task_update_failure(self, event) -> None:
        self._write("update_failure", event, taskId=event.task_id, cause=repr(event.cause))

    def on_poll_failure(self, event) -> None:
        self._write("poll_failure", event, cause=repr(event.cause))


class _SdkWarningLog(logging.Handler):
    """Keeps the SDK's own warnings from a worker process. The one that matters: when POST /api/tasks/update-v2
    answers 404 or 405, the runners log it and silently switch to POST /api/tasks; no event reports that."""

    def __init__(self, path: str):
        super().__init__(logging.WARNING)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        try:
            with open(self.path, "a") as f:
                f.write(json.dumps({"kind": "log", "level": record.levelname, "logger": record.name, "message": record.getMessage()}) + "\n")
        except Exception:  # a probe must never break the worker it watches
            pass


if __name__ == "__mp_main__" and os.environ.get(PROBE_DIR_ENV):
    # A worker process. The SDK names its loggers "[<pid>] conductor.client…".
    logging.getLogger(f"[{os.getpid()}] conductor.client").addHandler(
        _SdkWarningLog(os.path.join(os.environ[PROBE_DIR_ENV], f"log-{os.getpid()}.jsonl"))
    )


class CheckFailed(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def explain(error: BaseException) -> str:
    if isinstance(error, ApiException):
        body = error.body.decode(errors="replace") if isinstance(error.body, bytes) else error.body
        return f"HTTP {error.status} {error.reason or ''}; body: {body!r}"
    if isinstance(error, CheckFailed):
        return str(error)
    return "".join(traceback.format_exception(error)).rstrip()


class Steps:
    """Runs named checks in order; the first failure names the step, the SDK call and the HTTP request behind it."""

    def __init__(self):
        self.passed = 0

    def run(self, title: str, http: str, fn):
        started = time.monotonic()
        try:
            result = fn()
        except Exception as error:  # noqa: BLE001 — report whatever broke, with where
            print(f"FAIL  {title}\n      HTTP: {http}\n      {explain(error)}", flush=True)
            raise CheckFailed(title) from error
        self.passed += 1
        print(f"ok    {title} ({time.monotonic() - started:.2f}s)", flush=True)
        return result


def wait_for(what: str, timeout_s: float, probe, interval_s: float = 0.1):
    """Polls `probe` until it returns something truthy; there is no event to wait on over plain REST."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval_s)
    raise CheckFailed(f"timed out after {timeout_s:.0f}s waiting for {what}")


TERMINAL = {"COMPLETED", "FAILED", "TIMED_OUT", "TERMINATED"}


def read_probe(directory: str) -> list:
    records = []
    for path in sorted(glob.glob(os.path.join(directory, "*.jsonl"))):
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def worker_problems(records: list) -> list:
    """What the worker processes reported that means Baton did not serve them as Conductor would."""
    problems = []
    fallback = [r for r in records if r["kind"] == "log" and "update-task-v2" in r["message"]]
    if fallback:
        problems.append("Baton answered POST /api/tasks/update-v2 with 404/405, so the sync runner fell back to POST /api/tasks "
                        "(the async runner cannot: its fallback never triggers in this SDK version): " + fallback[0]["message"])
    for r in records:
        if r["kind"] in ("execution_failure", "update_failure", "poll_failure"):
            problems.append(f"{r['kind']} for {r['taskType']}: {r['cause']}")
        elif r["kind"] == "log" and r["level"] in ("ERROR", "CRITICAL") and "update-task-v2" not in r["message"]:
            problems.append(f"{r['level']} {r['logger']}: {r['message'].splitlines()[0]}")
    return problems


def describe(workflow) -> str:
    tasks = ", ".join(f"{t.reference_task_name}={t.status}" + (f" ({t.reason_for_incompletion})" if t.reason_for_incompletion else "") for t in workflow.tasks or [])
    reason = f", reason: {workflow.reason_for_incompletion}" if workflow.reason_for_incompletion else ""
    return f"{workflow.workflow_id} {workflow.status}{reason}; tasks: [{tasks}]"


def main(argv) -> int:
    base = (argv[1] if len(argv) > 1 else os.environ.get("BATON_URL", "")).rstrip("/")
    if not base:
        print("usage: sdk_roundtrip.py BASE_URL [N]   (or set BATON_URL)", file=sys.stderr)
        return 2
    count = int(argv[2]) if len(argv) > 2 else 5
    timeout_s = float(os.environ.get("BATON_PYSDK_TIMEOUT_S", "60"))

    probe_dir = tempfile.mkdtemp(prefix="baton-pysdk-")
    os.environ[PROBE_DIR_ENV] = probe_dir  # inherited by the worker processes

    config = Configuration(server_api_url=f"{base}/api", log_level="WARNING")
    metadata = OrkesMetadataClient(config)
    workflows = OrkesWorkflowClient(config)
    executor = WorkflowExecutor(config)
    steps = Steps()
    handler = None
    print(f"conductor-python against {base}/api, run {RUN}, {count} workflows", flush=True)

    def stop_on_sigterm(_signum, _frame):
        raise KeyboardInterrupt("SIGTERM")  # unwinds through `finally`, which stops the worker processes

    signal.signal(signal.SIGTERM, stop_on_sigterm)

    try:
        # ---- definitions -------------------------------------------------------------------------------------
        def register_task_defs():
            for name, what in ((SYNC_TASK, "doubles n (plain def worker)"), (ASYNC_TASK, "adds (async def worker)")):
                metadata.register_task_def(TaskDef(name=name, description=what, retry_count=0, timeout_seconds=120,
                                                   response_timeout_seconds=60, owner_email="sdk-test@baton.dev"))
            got = metadata.get_task_def(SYNC_TASK)
            expect(got.name == SYNC_TASK and got.retry_count == 0, f"read back {got.name!r} retryCount={got.retry_count}")

        steps.run("register task definitions (MetadataClient.register_task_def, get_task_def)",
                  "POST /api/metadata/taskdefs, GET /api/metadata/taskdefs/{name}", register_task_defs)

        def update_task_def():
            changed = metadata.get_task_def(ASYNC_TASK)
            changed.description = "adds doubled and n"
            metadata.update_task_def(changed)
            expect(metadata.get_task_def(ASYNC_TASK).description == "adds doubled and n", "the new description was not kept")

        steps.run("update a task definition (MetadataClient.update_task_def)", "PUT /api/metadata/taskdefs", update_task_def)

        pipeline = ConductorWorkflow(executor=executor, name=PIPELINE, version=1, description="sync worker then async worker")
        pipeline >> simple_task(SYNC_TASK, "double", {"n": "${workflow.input.n}"}) \
                 >> simple_task(ASYNC_TASK, "add", {"doubled": "${double.output.doubled}", "n": "${workflow.input.n}"})
        pipeline.output_parameters({"doubled": "${double.output.doubled}", "sum": "${add.output.sum}"})
        pipeline.owner_email("sdk-test@baton.dev")

        gated = ConductorWorkflow(executor=executor, name=GATED, version=1, description="a WAIT gate before the pipeline")
        gated >> WaitTask("gate") \
              >> simple_task(SYNC_TASK, "double", {"n": "${workflow.input.n}"}) \
              >> simple_task(ASYNC_TASK, "add", {"doubled": "${double.output.doubled}", "n": "${workflow.input.n}"})
        gated.output_parameters({"sum": "${add.output.sum}", "gate": "${gate.output.opened}"})
        gated.owner_email("sdk-test@baton.dev")

        def register_workflow_defs():
            for wf in (pipeline, gated):
                metadata.register_workflow_def(wf.to_workflow_def(), overwrite=True)
            # Again, changed: overwrite=True (sent as the string "True") must replace version 1, not 409.
            pipeline.description = "sync worker then async worker, registered again"
            metadata.register_workflow_def(pipeline.to_workflow_def(), overwrite=True)
            got = metadata.get_workflow_def(PIPELINE, version=1)
            expect(got.description == "sync worker then async worker, registered again", f"description read back: {got.description!r}")
            expect([t.task_reference_name for t in got.tasks] == ["double", "add"], f"tasks read back: {[t.task_reference_name for t in got.tasks]}")

        steps.run("register workflow definitions, then replace one with overwrite=True (MetadataClient.register_workflow_def)",
                  "POST /api/metadata/workflow?overwrite=True, GET /api/metadata/workflow/{name}?version=1", register_workflow_defs)

        def refuse_without_overwrite():
            try:
                metadata.register_workflow_def(pipeline.to_workflow_def(), overwrite=False)
            except ApiException as e:
                expect(e.status == 409, f"expected 409 for an existing definition with overwrite=False, got {explain(e)}")
                return
            raise CheckFailed("an existing definition registered again with overwrite=False was accepted; expected 409")

        steps.run("refuse an existing definition with overwrite=False (409)", "POST /api/metadata/workflow?overwrite=False",
                  refuse_without_overwrite)

        # ---- workers -----------------------------------------------------------------------------------------
        def start_workers():
            nonlocal handler
            handler = TaskHandler(workers=[], configuration=config, scan_for_annotated_workers=True,
                                  event_listeners=[WorkerProbe(probe_dir)], monitor_processes=False)
            handler.start_processes()
            names = sorted(w.get_task_definition_name() for w in handler.workers)
            expect(names == sorted([SYNC_TASK, ASYNC_TASK]), f"TaskHandler found workers {names}")

        steps.run("start TaskHandler with a def worker and an async def worker", "(the workers then poll GET /api/tasks/poll/batch/{type})", start_workers)

        # ---- N workflows through both workers ------------------------------------------------------------
        def start_pipelines():
            return [executor.start_workflow(StartWorkflowRequest(name=PIPELINE, version=1, input={"n": i},
                                                                 correlation_id=f"pysdk-{RUN}-{i}")) for i in range(1, count + 1)]

        ids = steps.run(f"start {count} workflows (WorkflowExecutor.start_workflow)", "POST /api/workflow", start_pipelines)

        def all_terminal():
            statuses = {wid: workflows.get_workflow_status(wid, include_output=True, include_variables=False) for wid in ids}
            return statuses if all(s.status in TERMINAL for s in statuses.values()) else None

        def wait_all_terminal():
            try:
                return wait_for(f"{count} workflows to end", timeout_s, all_terminal, 0.2)
            except CheckFailed as timed_out:
                states = [describe(workflows.get_workflow(wid, include_tasks=True)) for wid in ids]
                raise CheckFailed(f"{timed_out}; now: " + " | ".join(states)) from None

        statuses = steps.run(f"wait until all {count} end (OrkesWorkflowClient.get_workflow_status)",
                             "GET /api/workflow/{id}/status?includeOutput=true&includeVariables=false", wait_all_terminal)

        def check_pipelines():
            for i, wid in enumerate(ids, start=1):
                wf = workflows.get_workflow(wid, include_tasks=True)
                expect(wf.status == "COMPLETED", f"workflow {describe(wf)}")
                expect(statuses[wid].status == "COMPLETED" and statuses[wid].workflow_id == wid,
                       f"status summary {statuses[wid]}")
                expect(statuses[wid].output == {"doubled": 2 * i, "sum": 3 * i}, f"{wid}: status output {statuses[wid].output}, expected doubled={2 * i}, sum={3 * i}")
                expect(wf.output == {"doubled": 2 * i, "sum": 3 * i}, f"{wid}: output {wf.output}")
                expect(wf.correlation_id == f"pysdk-{RUN}-{i}", f"{wid}: correlationId {wf.correlation_id!r}")
                by_ref = {t.reference_task_name: t for t in wf.tasks}
                expect(sorted(by_ref) == ["add", "double"], f"{wid}: tasks {describe(wf)}")
                first, second = by_ref["double"], by_ref["add"]
                expect(first.status == "COMPLETED" and first.worker_id == SYNC_WORKER_ID and first.output_data == {"doubled": 2 * i, "ran": "def"},
                       f"{wid}: 'double' task {first.status} by {first.worker_id!r} with output {first.output_data}")
                expect(second.status == "COMPLETED" and second.worker_id == ASYNC_WORKER_ID and second.output_data == {"sum": 3 * i, "ran": "async def"},
                       f"{wid}: 'add' task {second.status} by {second.worker_id!r} with output {second.output_data}")
                expect(second.input_data == {"doubled": 2 * i, "n": i}, f"{wid}: 'add' got input {second.input_data}, not the output of 'double'")

        steps.run("check every workflow's output and which worker ran each task (OrkesWorkflowClient.get_workflow)",
                  "GET /api/workflow/{id}?includeTasks=true", check_pipelines)

        # ---- pause / resume --------------------------------------------------------------------------------
        def task_of(wid: str, ref: str):
            wf = workflows.get_workflow(wid, include_tasks=True)
            return next((t for t in wf.tasks or [] if t.reference_task_name == ref), None)

        gated_id = steps.run("start a gated workflow by name (OrkesWorkflowClient.start_workflow_by_name)",
                             "POST /api/workflow/{name}?version=1&correlationId=…",
                             lambda: workflows.start_workflow_by_name(GATED, {"n": 7}, version=1, correlationId=f"pysdk-{RUN}-gated"))

        def pause_while_waiting():
            wait_for("the WAIT gate to be IN_PROGRESS", timeout_s, lambda: (t := task_of(gated_id, "gate")) is not None and t.status == "IN_PROGRESS")
            workflows.pause_workflow(gated_id)
            status = workflows.get_workflow_status(gated_id)
            expect(status.status == "PAUSED", f"status after pause: {status.status}")

        steps.run("pause it (OrkesWorkflowClient.pause_workflow) and read PAUSED back",
                  "PUT /api/workflow/{id}/pause, GET /api/workflow/{id}/status", pause_while_waiting)

        def paused_schedules_nothing():
            executor.update_task_by_ref_name({"opened": True}, gated_id, "gate", "COMPLETED")
            # Nothing can be awaited here: what is checked is that nothing happens, over a bounded window.
            window_end = time.monotonic() + 1.5
            while time.monotonic() < window_end:
                wf = workflows.get_workflow(gated_id, include_tasks=True)
                expect(wf.status == "PAUSED", f"after completing the gate of a paused workflow: {describe(wf)}")
                expect([t.reference_task_name for t in wf.tasks] == ["gate"], f"a paused workflow scheduled more tasks: {describe(wf)}")
                time.sleep(0.25)
            expect(task_of(gated_id, "gate").status == "COMPLETED", "the gate did not complete")

        steps.run("complete its WAIT gate while paused: nothing new is scheduled (WorkflowExecutor.update_task_by_ref_name)",
                  "POST /api/tasks/{workflowId}/gate/COMPLETED, GET /api/workflow/{id}?includeTasks=true", paused_schedules_nothing)

        def resume_to_completion():
            workflows.resume_workflow(gated_id)
            status = wait_for("the resumed workflow to end", timeout_s,
                              lambda: (s := workflows.get_workflow_status(gated_id, include_output=True)).status in TERMINAL and s)
            expect(status.status == "COMPLETED", f"resumed workflow ended {describe(workflows.get_workflow(gated_id))}")
            expect(status.output == {"sum": 21, "gate": True}, f"resumed workflow output {status.output}")

        steps.run("resume it (OrkesWorkflowClient.resume_workflow): the workers finish it",
                  "PUT /api/workflow/{id}/resume, GET /api/workflow/{id}/status?includeOutput=true", resume_to_completion)

        def pause_ended_is_refused():
            try:
                workflows.pause_workflow(gated_id)
            except ApiException as e:
                expect(e.status == 409, f"expected 409 pausing a COMPLETED workflow, got {explain(e)}")
                return
            raise CheckFailed("pausing a COMPLETED workflow was accepted; expected 409")

        steps.run("refuse to pause an ended workflow (409)", "PUT /api/workflow/{id}/pause", pause_ended_is_refused)

        # ---- terminate ---------------------------------------------------------------------------------------
        doomed = steps.run("start another gated workflow (WorkflowExecutor.start_workflow)", "POST /api/workflow",
                           lambda: executor.start_workflow(StartWorkflowRequest(name=GATED, version=1, input={"n": 1})))

        def terminate():
            wait_for("the WAIT gate to be IN_PROGRESS", timeout_s, lambda: (t := task_of(doomed, "gate")) is not None and t.status == "IN_PROGRESS")
            workflows.terminate_workflow(doomed, reason="stopped by the SDK round trip")
            status = workflows.get_workflow_status(doomed, include_output=False, include_variables=False)
            expect(status.status == "TERMINATED", f"status after terminate: {status.status}")
            wf = workflows.get_workflow(doomed, include_tasks=True)
            expect(wf.reason_for_incompletion == "stopped by the SDK round trip", f"reasonForIncompletion {wf.reason_for_incompletion!r}")
            expect([(t.reference_task_name, t.status) for t in wf.tasks] == [("gate", "CANCELED")], f"tasks after terminate: {describe(wf)}")

        steps.run("terminate it with a reason (OrkesWorkflowClient.terminate_workflow)",
                  "DELETE /api/workflow/{id}?reason=…, GET /api/workflow/{id}/status?includeOutput=false&includeVariables=false", terminate)

        def restart_and_finish():
            workflows.restart_workflow(doomed, use_latest_def=True)
            wait_for("the restarted workflow's gate", timeout_s, lambda: (t := task_of(doomed, "gate")) is not None and t.status == "IN_PROGRESS")
            executor.update_task_by_ref_name({"opened": "again"}, doomed, "gate", "COMPLETED")
            status = wait_for("the restarted workflow to end", timeout_s,
                              lambda: (s := workflows.get_workflow_status(doomed, include_output=True)).status in TERMINAL and s)
            expect(status.status == "COMPLETED" and status.output == {"sum": 3, "gate": "again"},
                   f"restarted workflow ended {status.status} with {status.output}: {describe(workflows.get_workflow(doomed))}")

        steps.run("restart it on the latest definition (OrkesWorkflowClient.restart_workflow): the workers finish it",
                  "POST /api/workflow/{id}/restart?useLatestDefinitions=True, POST /api/tasks/{workflowId}/gate/COMPLETED", restart_and_finish)

        # ---- stop the workers and read what they saw ---------------------------------------------------------
        def stop_workers():
            nonlocal handler
            stopping, handler = handler, None
            stopping.stop_processes()
            alive = [p.pid for p in stopping.task_runner_processes if p.is_alive()]
            expect(not alive, f"worker processes still alive after stop_processes: {alive}")

        steps.run("stop TaskHandler (stop_processes): no worker process is left", "(no HTTP)", stop_workers)

        def worker_reports():
            records = read_probe(probe_dir)
            problems = worker_problems(records)
            expect(not problems, "the workers reported: " + "; ".join(problems[:6]) + (f"; … and {len(problems) - 6} more" if len(problems) > 6 else ""))
            for r in records:
                if r["kind"] == "log":
                    print(f"      worker warning: {r['message']}", flush=True)
            done = {(r["taskType"], r["workflowId"]) for r in records if r["kind"] == "completed"}
            missing = [(t, w) for w in ids + [gated_id, doomed] for t in (SYNC_TASK, ASYNC_TASK) if (t, w) not in done]
            expect(not missing, f"no TaskExecutionCompleted event for {missing}")

        steps.run("the workers' events: every task executed, no failure, no fallback from update-v2", "(the workers' POST /api/tasks/update-v2)", worker_reports)
    except (CheckFailed, KeyboardInterrupt) as stop:
        if isinstance(stop, KeyboardInterrupt):
            print(f"FAIL  interrupted ({stop})", flush=True)
        if handler is not None:
            handler.stop_processes()
            handler = None
            problems = worker_problems(read_probe(probe_dir))
            for problem in problems[:6]:
                print(f"      worker: {problem}", flush=True)
            if len(problems) > 6:
                print(f"      worker: … and {len(problems) - 6} more", flush=True)
        print(f"SDK round trip FAILED after {steps.passed} passing checks", flush=True)
        return 1
    finally:
        if handler is not None:
            handler.stop_processes()
        shutil.rmtree(probe_dir, ignore_errors=True)

    print(f"SDK round trip passed: {steps.passed} checks", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
