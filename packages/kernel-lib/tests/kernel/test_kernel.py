"""The MDLMA kernel as a Jupyter client sees it: cells, modules, comms, interrupts."""
import time


def test_kernel_info_names_the_mdlma_kernel(kernel):
    msg_id = kernel.kc.kernel_info()
    reply = kernel.shell_reply(msg_id)
    assert reply["msg_type"] == "kernel_info_reply"
    assert reply["content"]["implementation"] == "mdlma"
    assert reply["content"]["language_info"]["name"] == "typescript"


def test_cells_share_state_and_print(kernel):
    reply, _ = kernel.execute("let answer: number = 6 * 7;")
    assert reply["status"] == "ok"
    reply, outputs = kernel.execute("console.log(`answer=${answer}`)")
    assert reply["status"] == "ok"
    assert "answer=42" in kernel.text(outputs)


def test_runtime_error_is_a_jupyter_error_message(kernel):
    reply, outputs = kernel.execute('throw new RangeError("slab 9 is outside the volume")')
    assert reply["status"] == "error"
    assert reply["ename"] == "RangeError"
    assert reply["evalue"] == "slab 9 is outside the volume"
    errors = [c for kind, c, _ in outputs if kind == "error"]
    assert errors and errors[0]["ename"] == "RangeError"
    # The kernel survives the error; the next cell runs at once (stop_on_error aborts only queued cells).
    reply, outputs = kernel.execute("console.log('still alive')")
    assert "still alive" in kernel.text(outputs)


def test_type_error_is_reported_and_cell_fails(kernel):
    reply, outputs = kernel.execute('const wrong: number = "text";')
    assert reply["status"] == "error"
    assert "not assignable" in "".join(c.get("text", "") for _, c, _ in outputs)


def test_imports_a_local_ts_module(kernel):
    (kernel.cwd / "geometry.ts").write_text(
        "export function voxelVolume(spacing: number[]): number {\n"
        "  return spacing.reduce((a, b) => a * b, 1);\n}\n"
    )
    reply, outputs = kernel.execute(
        'import { voxelVolume } from "./geometry";\nconsole.log(voxelVolume([2, 3, 4]));'
    )
    assert reply["status"] == "ok", outputs
    assert kernel.text(outputs).strip() == "24"


def test_imports_npm_packages_cjs_and_esm_only(kernel):
    reply, outputs = kernel.execute(
        'import * as vl from "vega-lite";\n'
        'import { importEsm } from "@mdlma/kernel";\n'
        'const zarr = await importEsm("zarrita");\n'
        'const nifti = await importEsm("nifti-reader-js");\n'
        'console.log(typeof vl.compile, typeof zarr.open, typeof nifti.isNIFTI);'
    )
    assert reply["status"] == "ok", outputs
    assert kernel.text(outputs).split() == ["function", "function", "function"]


def test_comm_from_client_gets_an_echo_with_buffers(kernel):
    comm_id = "client-comm-1"
    kernel.send_shell("comm_open", {"comm_id": comm_id, "target_name": "mdlma.echo", "data": {"hello": 1}})
    ready = kernel.iopub_until(lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id)
    assert ready["content"]["data"] == {"type": "ready", "data": {"hello": 1}}

    kernel.send_shell("comm_msg", {"comm_id": comm_id, "data": {"ping": 7}}, buffers=[b"\x01\x02\x03\xff"])
    echo = kernel.iopub_until(lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("type") == "echo")
    assert echo["content"]["data"]["data"] == {"ping": 7}
    assert [bytes(b) for b in echo["buffers"]] == [b"\x01\x02\x03\xff"]

    # Listed while open, gone after close.
    msg_id = kernel.send_shell("comm_info_request", {"target_name": "mdlma.echo"})
    reply = kernel.shell_reply(msg_id)
    assert reply["msg_type"] == "comm_info_reply"
    assert reply["content"]["comms"][comm_id] == {"target_name": "mdlma.echo"}
    kernel.send_shell("comm_close", {"comm_id": comm_id, "data": {}})
    time.sleep(0.3)
    reply = kernel.shell_reply(kernel.send_shell("comm_info_request", {}))
    assert comm_id not in reply["content"]["comms"]


def test_comm_to_unknown_target_is_closed(kernel):
    kernel.send_shell("comm_open", {"comm_id": "nobody", "target_name": "no.such.target", "data": {}})
    closed = kernel.iopub_until(lambda m: m["msg_type"] == "comm_close" and m["content"]["comm_id"] == "nobody")
    assert closed["content"]["comm_id"] == "nobody"


def test_kernel_opened_comm_reaches_client_and_receives_replies(kernel):
    reply, outputs = kernel.execute(
        'import { comms } from "@mdlma/kernel";\n'
        'const viewerComm = comms.open("test.viewer", { type: "hello" }, [new Uint8Array([9, 8, 7])]);\n'
        'let received: any = null;\n'
        'viewerComm.onMsg(msg => { received = { data: msg.data, bytes: Array.from(msg.buffers[0] ?? []) }; });\n'
        'console.log(viewerComm.commId);'
    )
    assert reply["status"] == "ok", outputs
    comm_id = kernel.text(outputs).strip()
    opened = [(c, b) for kind, c, b in outputs if kind == "comm_open"]
    assert opened, "comm_open must be published with the cell as parent"
    content, buffers = opened[0]
    assert content["comm_id"] == comm_id and content["target_name"] == "test.viewer"
    assert content["data"] == {"type": "hello"}
    assert [bytes(b) for b in buffers] == [bytes([9, 8, 7])]

    reply = kernel.shell_reply(kernel.send_shell("comm_info_request", {"target_name": "test.viewer"}))
    assert reply["msg_type"] == "comm_info_reply"
    assert reply["content"]["status"] == "ok"
    assert list(reply["content"]["comms"]) == [comm_id]

    kernel.send_shell("comm_msg", {"comm_id": comm_id, "data": {"slice": 12}}, buffers=[bytes([5, 6])])
    time.sleep(0.3)
    _, outputs = kernel.execute("console.log(JSON.stringify(received))")
    assert kernel.text(outputs).strip() == '{"data":{"slice":12},"bytes":[5,6]}'


def test_closing_a_kernel_comm_tells_the_client(kernel):
    reply, outputs = kernel.execute('const c2 = comms.open("test.closing"); c2.close({ why: "done" });')
    assert reply["status"] == "ok", outputs
    kinds = [kind for kind, _, _ in outputs]
    assert kinds.index("comm_open") < kinds.index("comm_close")
    reply, outputs = kernel.execute('try { c2.send({}) } catch (e) { console.log((e as Error).name) }')
    assert kernel.text(outputs).strip() == "CommClosedError"


LONG_LOOP = (
    'import { interruptSignal } from "@mdlma/kernel";\n'
    "(globalThis as any).steps = 0;\n"
    "const signal = interruptSignal();\n"
    "while (true) {\n"
    "  await new Promise(resolve => setTimeout(resolve, 10));\n"
    "  signal.throwIfAborted();\n"
    "  (globalThis as any).steps++;\n"
    "}\n"
)


def _assert_loop_stopped(kernel):
    time.sleep(0.3)
    _, outputs = kernel.execute("console.log((globalThis as any).steps)")
    before = int(kernel.text(outputs))
    assert before > 5
    time.sleep(0.5)
    _, outputs = kernel.execute("console.log((globalThis as any).steps)")
    assert int(kernel.text(outputs)) == before, "the loop must really stop, not only the cell"


def test_signal_interrupt_aborts_the_running_loop(kernel):
    msg_id = kernel.kc.execute(LONG_LOOP)
    time.sleep(1.5)
    kernel.km.interrupt_kernel()
    reply, outputs = kernel.collect(msg_id, timeout=20)
    assert reply["status"] == "error"
    assert reply["ename"] == "InterruptedError"
    _assert_loop_stopped(kernel)


def test_interrupt_request_message_aborts_the_running_loop(kernel):
    msg_id = kernel.kc.execute(LONG_LOOP)
    time.sleep(1.5)
    request = kernel.send_control("interrupt_request", {})
    reply = kernel.kc.control_channel.get_msg(timeout=10)
    assert reply["msg_type"] == "interrupt_reply" and reply["parent_header"]["msg_id"] == request
    content, _ = kernel.collect(msg_id, timeout=20)
    assert content["status"] == "error" and content["ename"] == "InterruptedError"
    _assert_loop_stopped(kernel)


def test_display_helpers_send_rich_outputs(kernel):
    reply, outputs = kernel.execute(
        'import { progressBar, table, plot } from "@mdlma/kernel";\n'
        'const bar = progressBar({ total: 4, label: "Segmenting", minIntervalMs: 0 });\n'
        "for (let i = 0; i < 4; i++) bar.tick();\n"
        "bar.done();\n"
        'table([{ class: "DL", dice: 0.8712 }]);\n'
        'await plot({ data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] }, mark: "line",'
        ' encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } } });'
    )
    assert reply["status"] == "ok", outputs
    displays = [c for kind, c, _ in outputs if kind == "display_data"]
    updates = [c for kind, c, _ in outputs if kind == "update_display_data"]
    bar_id = displays[0]["transient"]["display_id"]
    assert updates and all(u["transient"]["display_id"] == bar_id for u in updates)
    assert "100% 4/4" in updates[-1]["data"]["text/plain"]
    assert "<td>0.8712</td>" in displays[1]["data"]["text/html"]
    plot_bundle = displays[2]["data"]
    assert plot_bundle["application/vnd.vegalite.v5+json"]["mark"] == "line"
    assert plot_bundle["image/svg+xml"].startswith("<svg")


def test_interrupt_stops_a_synchronous_busy_loop(kernel):
    msg_id = kernel.kc.execute("let spins = 0; while (true) { spins++; }")
    time.sleep(1.5)
    kernel.km.interrupt_kernel()
    reply, _ = kernel.collect(msg_id, timeout=20)
    assert reply["status"] == "error" and reply["ename"] == "InterruptedError"
    time.sleep(0.3)
    _, outputs = kernel.execute("console.log('responsive')")
    assert "responsive" in kernel.text(outputs)
