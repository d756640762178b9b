/**
 * A round trip over the kernel's `mdlma.echo` comm target: proves that the kernel speaks
 * Jupyter comms both ways, with binary buffers, and measures the latency.
 *
 * @example
 * const result = await checkKernelComms(kernel);  // { ok: true, roundTripMs: 9 }
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { ECHO_TARGET, type EchoReply } from '@mdlma/kernel/protocol';

/** The outcome of a check. */
export type CommCheckResult = { ok: true; roundTripMs: number } | { ok: false; reason: string };

/** Open an echo comm, send a message with a buffer, wait for the echo, close. */
export async function checkKernelComms(kernel: Kernel.IKernelConnection, timeoutMs = 10000): Promise<CommCheckResult> {
  const comm = kernel.createComm(ECHO_TARGET);
  const probe = new Uint8Array([1, 2, 3, 250]);
  try {
    const echoed = new Promise<KernelMessage.ICommMsgMsg>((resolve, reject) => {
      comm.onMsg = msg => {
        if ((msg.content.data as Partial<EchoReply>).type === 'echo') {
          resolve(msg);
        }
      };
      comm.onClose = () => reject(new Error('the kernel closed the comm'));
      setTimeout(() => reject(new Error(`no echo within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    comm.open({ client: '@mdlma/labextension' });
    const started = performance.now();
    comm.send({ ping: 'mdlma' }, {}, [probe]);
    const msg = await echoed;
    const roundTripMs = performance.now() - started;
    const buffer = msg.buffers?.[0];
    const bytes = buffer ? new Uint8Array(ArrayBuffer.isView(buffer) ? buffer.buffer : buffer) : new Uint8Array();
    if (bytes.length !== probe.length || bytes.some((b, i) => b !== probe[i])) {
      return { ok: false, reason: 'the echoed binary buffer differs from the one sent' };
    }
    return { ok: true, roundTripMs };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  } finally {
    if (!comm.isDisposed) {
      comm.close();
    }
  }
}
