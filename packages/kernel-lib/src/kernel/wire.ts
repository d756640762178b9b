/**
 * The Jupyter wire protocol (messaging spec 5.3): signing, parsing and framing of messages.
 *
 * tslab's own framing JSON-stringifies binary buffers and signs them too, which breaks
 * comm messages that carry buffers; this module follows the spec: the HMAC covers only
 * header, parent header, metadata and content, and buffers travel as raw frames.
 *
 * @example
 * const msg = parseMessage(frames, key);
 * socket.send(serializeMessage(reply(msg, 'comm_msg', content), key));
 */
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

import { MdlmaError } from '../errors';
import type { MessageHeader } from '../protocol/jupyter';

const DELIMITER = Buffer.from('<IDS|MSG>');

/** A parsed message: routing identities, the four JSON parts and raw buffers. */
export interface WireMessage {
  identities: Buffer[];
  header: MessageHeader;
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: Record<string, any>;
  buffers: Uint8Array[];
}

/** A frame could not be parsed or its signature did not match. */
export class WireProtocolError extends MdlmaError {}

/** Parse the frames of a message received on a ROUTER socket, verifying the HMAC. */
export function parseMessage(frames: Buffer[], key: string): WireMessage {
  const split = frames.findIndex(f => f.equals(DELIMITER));
  if (split < 0 || frames.length < split + 6) {
    throw new WireProtocolError('Jupyter message without delimiter or with missing parts');
  }
  const signature = frames[split + 1].toString();
  const parts = frames.slice(split + 2, split + 6);
  if (key) {
    const expected = Buffer.from(sign(key, parts));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new WireProtocolError('Jupyter message with an invalid signature');
    }
  }
  const [header, parent_header, metadata, content] = parts.map(p => JSON.parse(p.toString()));
  return {
    identities: frames.slice(0, split),
    header,
    parent_header,
    metadata,
    content,
    buffers: frames.slice(split + 6).map(b => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
  };
}

/** Frames ready for `socket.send` (identities, delimiter, signature, parts, buffers). */
export function serializeMessage(msg: WireMessage, key: string): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map(p =>
    Buffer.from(JSON.stringify(p))
  );
  return [
    ...msg.identities,
    DELIMITER,
    Buffer.from(key ? sign(key, parts) : ''),
    ...parts,
    ...msg.buffers.map(b => Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  ];
}

/** A new message of `msgType` whose parent is `parent` (a request header, or none). */
export function createMessage(
  msgType: string,
  content: Record<string, unknown>,
  parent: MessageHeader | undefined,
  options: { identities?: Buffer[]; buffers?: Uint8Array[]; metadata?: Record<string, unknown> } = {}
): WireMessage {
  return {
    identities: options.identities ?? [],
    header: {
      msg_id: randomBytes(16).toString('hex'),
      msg_type: msgType,
      session: parent?.session ?? Private.kernelSession,
      username: parent?.username ?? 'kernel',
      date: new Date().toISOString(),
      version: '5.3'
    },
    parent_header: parent ?? {},
    metadata: options.metadata ?? {},
    content,
    buffers: options.buffers ?? []
  };
}

function sign(key: string, parts: Buffer[]): string {
  const hmac = createHmac('sha256', key);
  for (const part of parts) {
    hmac.update(part);
  }
  return hmac.digest('hex');
}

namespace Private {
  /** The session id of messages the kernel starts on its own (no parent request). */
  export const kernelSession = randomBytes(16).toString('hex');
}
