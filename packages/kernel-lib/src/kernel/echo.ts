/**
 * The `mdlma.echo` comm target: answers every message with its data and buffers. The
 * JupyterLab extension uses it to prove the kernel's comms work (the status bar item).
 */
import type { CommRegistry } from '../runtime/comms';

/** Name of the echo target. */
export const ECHO_TARGET = 'mdlma.echo';

/** Register the echo target on `registry`. */
export function registerEchoTarget(registry: CommRegistry): void {
  registry.registerTarget(ECHO_TARGET, (comm, open) => {
    comm.send({ type: 'ready', data: open.data });
    comm.onMsg(msg => comm.send({ type: 'echo', data: msg.data }, msg.buffers));
  });
}
