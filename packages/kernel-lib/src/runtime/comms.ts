/**
 * Jupyter comms (messaging spec 5.3) on the kernel side: targets the frontend can open,
 * comms the kernel opens, JSON data plus binary buffers both ways.
 *
 * @example
 * import { comms } from '@mdlma/kernel';
 * comms.registerTarget('my.target', (comm, open) => {
 *   comm.onMsg(msg => comm.send({ type: 'echo', data: msg.data }, msg.buffers));
 * });
 * const comm = comms.open('mdlma.viewer', { type: 'hello' });
 */
import { randomUUID } from 'crypto';

import { CommClosedError, KernelNotRunningError, MdlmaError } from '../errors';
import { kernelRuntime, runWithParent } from './context';
import type { MessageHeader } from '../protocol/jupyter';

/** JSON-compatible data carried by a comm message. */
export type CommData = Record<string, unknown>;

/** A message received on a comm. */
export interface CommMessage {
  data: CommData;
  buffers: Uint8Array[];
  metadata: Record<string, unknown>;
}

/** Called when the frontend opens a comm on a registered target. */
export type CommTargetHandler = (comm: Comm, open: CommMessage) => void | Promise<void>;

/** Sends comm messages to the frontend; the running kernel provides the real one. */
export interface CommTransport {
  send(
    msgType: 'comm_open' | 'comm_msg' | 'comm_close',
    content: Record<string, unknown>,
    buffers: Uint8Array[]
  ): void;
}

/** No target of that name is registered in the kernel. */
export class UnknownCommTargetError extends MdlmaError {
  constructor(readonly targetName: string) {
    super(`No comm target "${targetName}" is registered in the kernel; call comms.registerTarget first.`);
  }
}

/** One end of a comm: send to the frontend, receive from it, close. */
export class Comm {
  constructor(options: Comm.IOptions) {
    this.commId = options.commId;
    this.targetName = options.targetName;
    this._send = options.send;
  }

  /** The comm's id, shared with the frontend. */
  readonly commId: string;
  /** The target the comm was opened on. */
  readonly targetName: string;

  /** Whether either side closed the comm. */
  get isClosed(): boolean {
    return this._closed;
  }

  /** Send JSON data and optional binary buffers to the frontend. */
  send(data: CommData, buffers: Uint8Array[] = [], metadata: Record<string, unknown> = {}): void {
    if (this._closed) {
      throw new CommClosedError(this.commId, this.targetName);
    }
    this._send('comm_msg', { comm_id: this.commId, data }, buffers, metadata);
  }

  /** Close the comm from the kernel side; the frontend is told. */
  close(data: CommData = {}): void {
    if (this._closed) {
      return;
    }
    this._send('comm_close', { comm_id: this.commId, data }, [], {});
    this.dispose(data, []);
  }

  /** Register a handler for messages from the frontend; returns a function that removes it. */
  onMsg(handler: (msg: CommMessage) => void | Promise<void>): () => void {
    this._msgHandlers.add(handler);
    return () => this._msgHandlers.delete(handler);
  }

  /** Register a handler called once when the comm closes (from either side). */
  onClose(handler: (msg: CommMessage) => void): () => void {
    this._closeHandlers.add(handler);
    return () => this._closeHandlers.delete(handler);
  }

  /** Wait for the next message from the frontend (rejects if the comm closes first). */
  nextMessage(signal?: AbortSignal): Promise<CommMessage> {
    return new Promise((resolve, reject) => {
      const done = () => {
        offMsg();
        offClose();
        signal?.removeEventListener('abort', onAbort);
      };
      const offMsg = this.onMsg(msg => {
        done();
        resolve(msg);
      });
      const offClose = this.onClose(() => {
        done();
        reject(new CommClosedError(this.commId, this.targetName));
      });
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** @internal Deliver a frontend message to the handlers. */
  async deliver(msg: CommMessage): Promise<void> {
    for (const handler of [...this._msgHandlers]) {
      await handler(msg);
    }
  }

  /** @internal Mark closed and notify (no message is sent). */
  dispose(data: CommData, buffers: Uint8Array[]): void {
    if (this._closed) {
      return;
    }
    this._closed = true;
    for (const handler of [...this._closeHandlers]) {
      handler({ data, buffers, metadata: {} });
    }
    this._msgHandlers.clear();
    this._closeHandlers.clear();
  }

  private _closed = false;
  private readonly _send: Comm.SendFunction;
  private readonly _msgHandlers = new Set<(msg: CommMessage) => void | Promise<void>>();
  private readonly _closeHandlers = new Set<(msg: CommMessage) => void>();
}

export namespace Comm {
  /** How a comm hands its messages to the transport. */
  export type SendFunction = (
    msgType: 'comm_open' | 'comm_msg' | 'comm_close',
    content: Record<string, unknown>,
    buffers: Uint8Array[],
    metadata: Record<string, unknown>
  ) => void;

  /** Options of the Comm constructor. */
  export interface IOptions {
    commId: string;
    targetName: string;
    send: SendFunction;
  }
}

/** All comms and targets of this kernel process. */
export class CommRegistry {
  constructor(options: CommRegistry.IOptions = {}) {
    this._transport = options.transport;
  }

  /** Connect the registry to the running kernel (done by the kernel entry point). */
  setTransport(transport: CommTransport | undefined): void {
    this._transport = transport;
  }

  /** Register a target the frontend can open comms on; returns a function that removes it. */
  registerTarget(targetName: string, handler: CommTargetHandler): () => void {
    this._targets.set(targetName, handler);
    return () => {
      if (this._targets.get(targetName) === handler) {
        this._targets.delete(targetName);
      }
    };
  }

  /** Whether a target of that name is registered. */
  hasTarget(targetName: string): boolean {
    return this._targets.has(targetName);
  }

  /** Open a comm from the kernel to a target registered in the frontend. */
  open(targetName: string, data: CommData = {}, buffers: Uint8Array[] = []): Comm {
    const comm = this._createComm(randomUUID(), targetName);
    this._sendVia('comm_open', { comm_id: comm.commId, target_name: targetName, data }, buffers);
    return comm;
  }

  /** The open comm with that id. */
  get(commId: string): Comm | undefined {
    return this._comms.get(commId);
  }

  /** Open comms, optionally only those of one target (the content of comm_info_reply). */
  list(targetName?: string): Record<string, { target_name: string }> {
    const result: Record<string, { target_name: string }> = {};
    for (const comm of this._comms.values()) {
      if (!targetName || comm.targetName === targetName) {
        result[comm.commId] = { target_name: comm.targetName };
      }
    }
    return result;
  }

  /**
   * Handle comm_open, comm_msg or comm_close from the frontend. Handlers run on behalf of
   * that message, so what they send is routed as its reply.
   */
  async handleFrontendMessage(
    msgType: string,
    content: Record<string, any>,
    buffers: Uint8Array[],
    parent: MessageHeader,
    metadata: Record<string, unknown> = {}
  ): Promise<void> {
    const msg: CommMessage = { data: content.data ?? {}, buffers, metadata };
    await runWithParent(parent, async () => {
      switch (msgType) {
        case 'comm_open': {
          const handler = this._targets.get(content.target_name);
          if (!handler) {
            // The spec: an unknown target gets the comm closed right away.
            this._sendVia('comm_close', { comm_id: content.comm_id, data: {} }, []);
            throw new UnknownCommTargetError(content.target_name);
          }
          const comm = this._createComm(content.comm_id, content.target_name);
          await handler(comm, msg);
          break;
        }
        case 'comm_msg':
          await this._comms.get(content.comm_id)?.deliver(msg);
          break;
        case 'comm_close':
          this._comms.get(content.comm_id)?.dispose(msg.data, buffers);
          break;
      }
    });
  }

  private _createComm(commId: string, targetName: string): Comm {
    const comm = new Comm({
      commId,
      targetName,
      send: (msgType, content, buffers) => this._sendVia(msgType, content, buffers)
    });
    this._comms.set(commId, comm);
    comm.onClose(() => this._comms.delete(commId));
    return comm;
  }

  private _sendVia(
    msgType: 'comm_open' | 'comm_msg' | 'comm_close',
    content: Record<string, unknown>,
    buffers: Uint8Array[]
  ): void {
    const transport = this._transport ?? Private.runtimeTransport();
    if (!transport) {
      throw new KernelNotRunningError('Jupyter comms');
    }
    transport.send(msgType, content, buffers);
  }

  private _transport: CommTransport | undefined;
  private readonly _targets = new Map<string, CommTargetHandler>();
  private readonly _comms = new Map<string, Comm>();
}

export namespace CommRegistry {
  /** Options of the CommRegistry constructor. */
  export interface IOptions {
    /** Where messages go; defaults to the running kernel's IOPub. */
    transport?: CommTransport;
  }
}

/** The kernel's comm registry, shared by every copy of @mdlma/kernel in the process. */
export const comms: CommRegistry = sharedRegistry();

/** The one registry of this process (a function declaration: needed before the bottom of the file runs). */
function sharedRegistry(): CommRegistry {
  const holder = globalThis as unknown as Record<symbol, CommRegistry | undefined>;
  return (holder[Symbol.for('@mdlma/kernel:comms')] ??= new CommRegistry());
}

namespace Private {
  export function runtimeTransport(): CommTransport | undefined {
    const runtime = kernelRuntime();
    return runtime && {
      send: (msgType, content, buffers) => runtime.publish(msgType, content, { buffers })
    };
  }
}
