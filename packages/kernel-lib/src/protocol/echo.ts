/**
 * The `mdlma.echo` comm: the front end proves that the kernel speaks comms both ways (with binary buffers) and
 * measures the round trip; the kernel answers the open with `ready` and every message with `echo`.
 *
 * @example
 * const comm = kernel.createComm(ECHO_TARGET);
 * comm.onMsg = msg => (msg.content.data as EchoReply).type === 'echo' && done(msg.buffers);
 */

/** The comm target of the echo. */
export const ECHO_TARGET = 'mdlma.echo';

/** What the kernel sends: `ready` with the open's data, then `echo` with each message's data (and its buffers). */
export interface EchoReply {
  type: 'ready' | 'echo';
  data: unknown;
}
