import { CommClosedError, KernelNotRunningError } from '../errors';
import { CommRegistry, CommTransport, UnknownCommTargetError } from './comms';
import type { MessageHeader } from '../protocol/jupyter';

/** A transport that records what the kernel would send to the frontend. */
function recordingTransport() {
  const sent: { msgType: string; content: Record<string, any>; buffers: Uint8Array[] }[] = [];
  const transport: CommTransport = { send: (msgType, content, buffers) => void sent.push({ msgType, content, buffers }) };
  return { sent, transport };
}

const header = (msg_type: string): MessageHeader => ({
  msg_id: `m-${msg_type}`,
  msg_type,
  session: 's',
  username: 'u',
  date: new Date().toISOString(),
  version: '5.3'
});

describe('CommRegistry', () => {
  it('opens a comm on a registered target and routes frontend messages to it', async () => {
    const { sent, transport } = recordingTransport();
    const registry = new CommRegistry({ transport });
    const seen: unknown[] = [];
    registry.registerTarget('t', comm => {
      comm.onMsg(msg => {
        seen.push(msg.data);
        comm.send({ got: msg.buffers[0][0] });
      });
    });
    await registry.handleFrontendMessage('comm_open', { comm_id: 'c1', target_name: 't', data: {} }, [], header('comm_open'));
    await registry.handleFrontendMessage('comm_msg', { comm_id: 'c1', data: { x: 1 } }, [new Uint8Array([42])], header('comm_msg'));
    expect(seen).toEqual([{ x: 1 }]);
    expect(sent).toEqual([{ msgType: 'comm_msg', content: { comm_id: 'c1', data: { got: 42 } }, buffers: [] }]);
    expect(registry.list()).toEqual({ c1: { target_name: 't' } });
  });

  it('closes right away a comm opened on an unknown target', async () => {
    const { sent, transport } = recordingTransport();
    const registry = new CommRegistry({ transport });
    await expect(
      registry.handleFrontendMessage('comm_open', { comm_id: 'c9', target_name: 'nope', data: {} }, [], header('comm_open'))
    ).rejects.toBeInstanceOf(UnknownCommTargetError);
    expect(sent[0].msgType).toBe('comm_close');
    expect(registry.list()).toEqual({});
  });

  it('forgets a comm closed by the frontend and refuses to send on it', async () => {
    const { transport } = recordingTransport();
    const registry = new CommRegistry({ transport });
    const comm = registry.open('viewer', { type: 'hello' });
    let closedWith: unknown;
    comm.onClose(msg => (closedWith = msg.data));
    await registry.handleFrontendMessage('comm_close', { comm_id: comm.commId, data: { bye: true } }, [], header('comm_close'));
    expect(closedWith).toEqual({ bye: true });
    expect(registry.list('viewer')).toEqual({});
    expect(() => comm.send({})).toThrow(CommClosedError);
  });

  it('nextMessage resolves with the next frontend message', async () => {
    const { transport } = recordingTransport();
    const registry = new CommRegistry({ transport });
    const comm = registry.open('viewer');
    const next = comm.nextMessage();
    await registry.handleFrontendMessage('comm_msg', { comm_id: comm.commId, data: { slice: 3 } }, [], header('comm_msg'));
    await expect(next).resolves.toMatchObject({ data: { slice: 3 } });
  });

  it('says that comms need the kernel when used in plain Node.js', () => {
    const registry = new CommRegistry();
    expect(() => registry.open('viewer')).toThrow(KernelNotRunningError);
  });
});
