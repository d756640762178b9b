/**
 * The panel's side of the `mdlma.annotation` comm (messages typed in `@mdlma/kernel/protocol`,
 * annotation-messages.ts), free of JupyterLab: the labextension adapts a kernel comm to `AnnotationChannel`;
 * `AnnotationClient` adds request ids and typed replies.
 *
 * @example
 * const client = new AnnotationClient(channel);
 * const reply = await client.request({ type: 'suggest', k: 6 });   // reply.data: SuggestionsReply { items }
 */
import type {
  AnnotationEnvelope, AnnotationKernelMessage, AnnotationPanelMessage, AnnotationReplyTo, AnnotationRequest
} from '@mdlma/kernel/protocol';

/** A kernel message with its binary buffers. */
export type AnnotationMessage = AnnotationEnvelope<AnnotationKernelMessage>;

/** A comm as the panel sees it. */
export interface AnnotationChannel {
  send(data: AnnotationPanelMessage, buffers?: Uint8Array[]): void;
  /** Set by the client: called for every kernel message. */
  onMessage?: (msg: AnnotationMessage) => void;
  /** Set by the client: called once when the comm closes. */
  onClose?: () => void;
  close(): void;
}

/** Requests with replies, and the kernel's unasked messages. */
export class AnnotationClient {
  constructor(readonly channel: AnnotationChannel, private readonly _timeoutMs = 60000) {
    channel.onMessage = msg => this._receive(msg);
    channel.onClose = () => {
      this.closed = true;
      for (const [, p] of this._waiting) p.reject(new Error('the kernel closed the annotation comm'));
      this._waiting.clear();
      this.onClose?.();
    };
  }

  /** Called with messages that answer no request (hello, yjs-update, model-updated, errors of unasked sends). */
  onUnasked?: (msg: AnnotationMessage) => void;
  /** Called once when the comm closes. */
  onClose?: () => void;
  /** Whether the comm closed. */
  closed = false;

  /** Sends a message that needs no reply. */
  post(data: AnnotationPanelMessage, buffers?: Uint8Array[]): void {
    if (!this.closed) this.channel.send(data, buffers);
  }

  /** Sends a request and resolves with its reply; an `error` reply rejects with its message. */
  request<T extends AnnotationRequest>(data: T, buffers?: Uint8Array[]): Promise<AnnotationEnvelope<AnnotationReplyTo<T>>> {
    if (this.closed) return Promise.reject(new Error('the annotation comm is closed'));
    const id = this._nextId++;
    return new Promise<AnnotationEnvelope<AnnotationReplyTo<T>>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this._waiting.delete(id);
        reject(new Error(`the kernel did not answer "${data.type}" within ${this._timeoutMs / 1000} s`));
      }, this._timeoutMs);
      this._waiting.set(id, {
        // The kernel answers request `id` with the reply of its type (or an error, which rejects).
        resolve: msg => (clearTimeout(timer), resolve(msg as AnnotationEnvelope<AnnotationReplyTo<T>>)),
        reject: error => (clearTimeout(timer), reject(error))
      });
      this.channel.send({ ...data, id }, buffers);
    });
  }

  close(): void {
    if (!this.closed) this.channel.close();
  }

  private _receive(msg: AnnotationMessage): void {
    const replyTo = 'replyTo' in msg.data ? msg.data.replyTo : undefined;
    const waiting = typeof replyTo === 'number' ? this._waiting.get(replyTo) : undefined;
    if (!waiting) {
      this.onUnasked?.(msg);
      return;
    }
    this._waiting.delete(replyTo!);
    if (msg.data.type === 'error') waiting.reject(new Error(String(msg.data.message)));
    else waiting.resolve(msg);
  }

  private _nextId = 1;
  private readonly _waiting = new Map<number, { resolve: (m: AnnotationMessage) => void; reject: (e: Error) => void }>();
}
