"""The mdlma.annotation comm in the real kernel: a panel-side client opens it and paints, and the kernel's annotation
replica holds the strokes within a second (issue 6: "a stroke is in the kernel within a second"), each one undo step
of its user."""
import struct
import time


def _comm_msgs(kernel, comm_id, kind, timeout=30):
    return kernel.iopub_until(
        lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id and m["content"]["data"].get("type") == kind,
        timeout,
    )


def test_strokes_reach_the_kernel_replica_as_undoable_edits(kernel):
    reply, outputs = kernel.execute(
        'import { AnnotationStore, registerAnnotationSession } from "@mdlma/kernel";\n'
        'const annotStore = new AnnotationStore({ shape: [8, 10, 12], classes: 4 });\n'
        'registerAnnotationSession({ name: "k-test", shape: [8, 10, 12], classes: 4, store: annotStore });\n'
    )
    assert reply["status"] == "ok", outputs

    comm_id = "annotation-panel-1"
    kernel.send_shell("comm_open", {"comm_id": comm_id, "target_name": "mdlma.annotation", "data": {"session": "k-test", "user": "ana"}})
    hello = _comm_msgs(kernel, comm_id, "hello")
    assert hello["content"]["data"]["shape"] == [8, 10, 12]
    assert hello["content"]["data"]["protocol"] == "mdlma.annotation/1"
    assert len(hello["buffers"]) == 1  # the Yjs document for the panel's replica

    # A brush stroke: runs [start, length] of pixels in z-slice 3, as a Uint32 little-endian buffer.
    sent = time.time()
    kernel.send_shell(
        "comm_msg",
        {"comm_id": comm_id, "data": {"type": "stroke", "id": 1, "user": "ana", "axis": "z", "slice": 3, "label": 2}},
        buffers=[struct.pack("<4I", 0, 5, 24, 3)],
    )
    ack = _comm_msgs(kernel, comm_id, "ack")
    assert time.time() - sent < 1.0, "the stroke must be in the kernel within a second"
    assert ack["content"]["data"]["replyTo"] == 1
    assert ack["content"]["data"]["annotatedSlices"] == [{"axis": "z", "index": 3, "voxels": 8}]

    _, outputs = kernel.execute("console.log(annotStore.labels().filter(v => v === 2).length)")
    assert kernel.text(outputs).strip() == "8"

    # The stroke is one undo step of its user (the panel undoes in its own replica; a script, in the kernel's).
    _, outputs = kernel.execute('console.log(annotStore.undo("ana"), annotStore.labels().filter(v => v === 2).length)')
    assert kernel.text(outputs).strip() == "true 0"

    # A kernel-side edit is pushed to the panel as a Yjs update (published with the cell as parent).
    _, outputs = kernel.execute('annotStore.paint({ user: "kernel", axis: "y", slice: 1, label: 1, runs: [0, 2] });')
    pushed = [(c, b) for kind, c, b in outputs if kind == "comm_msg" and c["comm_id"] == comm_id and c["data"].get("type") == "yjs-update"]
    assert pushed and len(pushed[0][1]) == 1 and len(pushed[0][1][0]) > 0


def test_a_panel_opening_an_unknown_session_is_told_what_to_do(kernel):
    kernel.execute('import "@mdlma/kernel";')
    kernel.send_shell("comm_open", {"comm_id": "annotation-panel-2", "target_name": "mdlma.annotation", "data": {"session": "nope"}})
    error = _comm_msgs(kernel, "annotation-panel-2", "error")
    assert "activeLearning" in error["content"]["data"]["message"]
    kernel.iopub_until(lambda m: m["msg_type"] == "comm_close" and m["content"]["comm_id"] == "annotation-panel-2")
