"""Cells after a failing cell, as the Jupyter protocol's stop_on_error says (issue 15, case 7b).

tslab aborted every cell that arrived within 200 ms of any error, answering "abort" (not the protocol's
"aborted"); nbclient and papermill with errors allowed (stop_on_error=False) lost the following cells.
"""
import nbformat
from nbclient import NotebookClient


def test_a_failing_cell_without_stop_on_error_never_aborts_the_next(kernel):
    failing = kernel.kc.execute('throw new Error("first cell fails")', stop_on_error=False)
    following = kernel.kc.execute('console.log("second cell ran")', stop_on_error=False)
    (failed, _), (reply, outputs) = kernel.collect_many([failing, following])
    assert failed["status"] == "error" and failed["evalue"] == "first cell fails"
    assert reply["status"] == "ok"
    assert "second cell ran" in kernel.text(outputs)


def test_stop_on_error_aborts_the_queued_cells_with_an_aborted_reply(kernel):
    # The cell fails after a pause, so the next request is surely queued behind it (as in "Run All"); a
    # cell that fails before the next request reaches the kernel has nothing queued to abort.
    failing = kernel.kc.execute('await new Promise(r => setTimeout(r, 1000)); throw new Error("stop here")')
    queued = kernel.kc.execute('console.log("must not run")')
    (failed, _), (aborted, outputs) = kernel.collect_many([failing, queued])
    assert failed["status"] == "error"
    assert aborted["status"] == "aborted"
    assert "must not run" not in kernel.text(outputs)
    # A cell sent after the error was reported runs at once (tslab aborted it for 200 ms).
    reply, outputs = kernel.execute('console.log("runs right after")')
    assert reply["status"] == "ok"
    assert "runs right after" in kernel.text(outputs)


def test_nbclient_with_errors_allowed_runs_every_cell(work_dir):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('throw new RangeError("slab 9 is outside the volume")'),
            nbformat.v4.new_code_cell('console.log("after the error")'),
            nbformat.v4.new_code_cell("console.log(6 * 7)"),
        ],
        metadata={"kernelspec": {"name": "mdlma", "display_name": "TypeScript (MDLMA)", "language": "typescript"}},
    )
    client = NotebookClient(
        nb, kernel_name="mdlma", allow_errors=True, timeout=120, startup_timeout=120,
        resources={"metadata": {"path": str(work_dir)}},
    )
    client.execute()
    errors = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "RangeError"
    assert [o.text for o in nb.cells[1].outputs if o.output_type == "stream"] == ["after the error\n"]
    assert [o.text for o in nb.cells[2].outputs if o.output_type == "stream"] == ["42\n"]
