import { createMessage, parseMessage, serializeMessage, WireProtocolError } from './wire';

describe('wire protocol', () => {
  it('round-trips a message with binary buffers, signing only the four JSON parts', () => {
    const msg = createMessage('comm_msg', { comm_id: 'c', data: { a: 1 } }, undefined, {
      identities: [Buffer.from('id-1')],
      buffers: [new Uint8Array([0, 255, 7])]
    });
    const frames = serializeMessage(msg, 'secret');
    const parsed = parseMessage(frames, 'secret');
    expect(parsed.header).toEqual(msg.header);
    expect(parsed.content).toEqual({ comm_id: 'c', data: { a: 1 } });
    expect(Array.from(parsed.buffers[0])).toEqual([0, 255, 7]);
    expect(parsed.identities.map(String)).toEqual(['id-1']);
    // Buffers are not part of the signature (messaging spec): changing one keeps it valid.
    frames[frames.length - 1] = Buffer.from([1]);
    expect(() => parseMessage(frames, 'secret')).not.toThrow();
  });

  it('rejects a message signed with another key', () => {
    const frames = serializeMessage(createMessage('status', {}, undefined), 'secret');
    expect(() => parseMessage(frames, 'other')).toThrow(WireProtocolError);
  });
});
