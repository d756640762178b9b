/**
 * The `mdlma.echo` comm target: answers every message with its data and buffers. The
 * JupyterLab extension uses it to prove the kernel's comms work (the status bar item).
 */
import { ECHO_TARGET, type EchoReply } from '../protocol/echo';
import type { CommRegistry } from '../runtime/comms';

/** Register the echo target on `registry`. */
export function registerEchoTarget(registry: CommRegistry): void {
  registry.registerTarget(ECHO_TARGET, (comm, open) => {
    comm.send({ type: 'ready', data: open.data } satisfies EchoReply);
    comm.onMsg(msg => comm.send({ type: 'echo', data: msg.data } satisfies EchoReply, msg.buffers));
  });
}
