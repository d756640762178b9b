/**
 * The MDLMA kernel: tslab's executor and ZeroMQ server, plus what tslab lacks:
 * Jupyter comms, a correct comm_info_reply, `interrupt_request`, an AbortSignal per cell,
 * proper `error` messages, display messages with metadata and binary buffers, the protocol's
 * `stop_on_error`, imports of @mdlma/kernel from any folder, and an exit when its launcher dies.
 *
 * @example
 * await startKernel({ connectionFile: '/run/user/0/jupyter/kernel-1.json' });
 */
import { format } from 'util';

import { InterruptedError } from '../errors';
import { comms } from '../runtime/comms';
import {
  abortRunning,
  createScope,
  currentScope,
  ExecutionScope,
  kernelRuntime,
  runInScope,
  setKernelRuntime
} from '../runtime/context';
import { registerEchoTarget } from './echo';
import { ExecutionQueue } from './execution-queue';
import { installModuleFallback } from './module-fallback';
import { ParentWatch, watchParent } from './parent-watch';
import { loadTslab, TslabExecutor, TslabMessage, TslabServer, WritableSocket } from './tslab-internals';
import type { MessageHeader } from '../protocol/jupyter';
import { createMessage, parseMessage, serializeMessage, WireMessage } from './wire';

/** A started kernel. */
export interface RunningKernel {
  /** Abort the running cell, as Jupyter's interrupt does. */
  interrupt(): void;
  /** Close sockets and release the compiler. */
  close(): void;
}

/** Start the kernel and serve until shutdown. */
export async function startKernel(options: startKernel.IOptions): Promise<RunningKernel> {
  const tslab = loadTslab();
  // Before the compiler is created: its host takes TypeScript's file system as it is then.
  installModuleFallback({ compilerSystem: tslab.compilerSystem });
  const watch = options.exitWithParent === false ? undefined : watchParent();
  const converters = Private.converterSet(tslab.createConverter);
  const executor = tslab.createExecutor(options.rootDir ?? process.cwd(), converters, {
    log: console.log,
    error: (...args: unknown[]) => Private.reportError(args)
  });
  const handler = new tslab.JupyterHandlerImpl(executor, false);
  const server = new tslab.ZmqServer(handler, options.connectionFile);
  const kernel = new Private.MdlmaKernel(server, executor, watch);
  kernel.install();
  await server.init();
  registerEchoTarget(comms);
  return kernel;
}

/** Types of `startKernel`. */
export namespace startKernel {
  /** Options of `startKernel`. */
  export interface IOptions {
    /** The connection file Jupyter passes as `{connection_file}`. */
    connectionFile: string;
    /** Folder cells resolve modules from (default: cwd, which Jupyter sets to the notebook's folder). */
    rootDir?: string;
    /** End the process when the process that launched it dies (default true; see parent-watch.ts). */
    exitWithParent?: boolean;
  }
}

namespace Private {
  /** Where the request header travels from the shell handler to the execution queue. */
  const SCOPE = Symbol('mdlma.scope');

  export class MdlmaKernel implements RunningKernel {
    constructor(
      private readonly _server: TslabServer,
      private readonly _executor: TslabExecutor,
      private readonly _parentWatch: ParentWatch | undefined
    ) {}

    install(): void {
      const server = this._server;
      const handler = server.handler;

      const kernelInfo = handler.handleKernel.bind(handler);
      handler.handleKernel = () => ({
        ...kernelInfo(),
        implementation: 'mdlma',
        implementation_version: require('../../package.json').version,
        banner: 'TypeScript (MDLMA): tslab with Jupyter comms and interrupts'
      });

      // Each cell runs in its own scope: output routing, AbortSignal, error reporting.
      const executeImpl = handler.handleExecuteImpl.bind(handler);
      handler.handleExecuteImpl = (req, writeStream, writeDisplayData) =>
        runInScope(scopeOf(req), () => executeImpl(req, writeStream, writeDisplayData));

      // Our queue replaces tslab's, which aborted every cell arriving within 200 ms of any error.
      const queue = new ExecutionQueue();
      handler.handleExecute = (req, writeStream, writeDisplayData) =>
        queue.run({ stopOnError: req.stop_on_error !== false && !req.silent }, () =>
          this._executeCell(req, writeStream, writeDisplayData)
        );

      const execute = server.handleExecute.bind(server);
      server.handleExecute = (sock, msg: TslabMessage) => {
        const scope = createScope(msg.header);
        (msg.content as Record<symbol, unknown>)[SCOPE] = scope;
        return execute(this._replyPatcher(sock, scope), msg);
      };

      const shell = server.handleShellMessage.bind(server);
      server.handleShellMessage = async (sock, ...frames) => {
        let msg: WireMessage;
        try {
          msg = parseMessage(frames, server.connInfo.key);
        } catch (error) {
          console.warn(`MDLMA kernel: dropped a message: ${(error as Error).message}`);
          return;
        }
        if (!this._ownMessage(msg.header.msg_type)) {
          return shell(sock, ...frames);
        }
        this.publish('status', { execution_state: 'busy' }, { parent: msg.header });
        try {
          await this._handleOwnMessage(sock, msg);
        } catch (error) {
          console.warn(`MDLMA kernel: ${msg.header.msg_type} failed: ${(error as Error).message}`);
        } finally {
          this.publish('status', { execution_state: 'idle' }, { parent: msg.header });
        }
      };

      setKernelRuntime({ publish: (msgType, content, opts) => this.publish(msgType, content, opts) });
      comms.setTransport(undefined);
      process.on('SIGINT', () => this.interrupt());
    }

    interrupt(): void {
      abortRunning(new InterruptedError('The cell'));
      this._executor.interrupt();
    }

    close(): void {
      this._parentWatch?.stop();
      this._server.close();
    }

    /** Run one cell through tslab; its execute_reply content. */
    private async _executeCell(
      req: Record<string, any>,
      writeStream: unknown,
      writeDisplayData: unknown
    ): Promise<{ status: 'ok' | 'error'; execution_count?: number }> {
      try {
        const done = await this._server.handler.handleExecuteImpl(req, writeStream, writeDisplayData);
        return { status: 'ok', execution_count: executionCount(done) };
      } catch (failure) {
        const count = executionCount(failure);
        if (count === undefined) {
          // Not tslab's "the cell failed" (which carries its count) but a fault of the kernel: say so.
          const scope = scopeOf(req);
          scope.error ??= failure;
          this.publish('error', errorContent(failure), { parent: scope.parent });
        }
        return { status: 'error', execution_count: count };
      }
    }

    publish(
      msgType: string,
      content: Record<string, unknown>,
      options: { parent?: MessageHeader; buffers?: Uint8Array[]; metadata?: Record<string, unknown> } = {}
    ): void {
      const parent = options.parent ?? currentScope()?.parent;
      const msg = createMessage(msgType, content, parent, {
        identities: [Buffer.from(`kernel.mdlma.${msgType}`)],
        buffers: options.buffers,
        metadata: options.metadata
      });
      this._server.iopub.send(serializeMessage(msg, this._server.connInfo.key)).catch(error => {
        process.stderr.write(`MDLMA kernel: could not publish ${msgType}: ${error}\n`);
      });
    }

    private _ownMessage(msgType: string): boolean {
      return ['comm_open', 'comm_msg', 'comm_close', 'comm_info_request', 'interrupt_request'].includes(msgType);
    }

    private async _handleOwnMessage(sock: WritableSocket, msg: WireMessage): Promise<void> {
      const type = msg.header.msg_type;
      if (type === 'comm_info_request') {
        const comms_ = comms.list(msg.content.target_name);
        await this._reply(sock, msg, 'comm_info_reply', { status: 'ok', comms: comms_ });
      } else if (type === 'interrupt_request') {
        this.interrupt();
        await this._reply(sock, msg, 'interrupt_reply', { status: 'ok' });
      } else {
        await comms.handleFrontendMessage(type, msg.content, msg.buffers, msg.header, msg.metadata);
      }
    }

    private _reply(sock: WritableSocket, request: WireMessage, msgType: string, content: Record<string, unknown>) {
      const msg = createMessage(msgType, content, request.header, { identities: request.identities });
      return sock.send(serializeMessage(msg, this._server.connInfo.key));
    }

    /**
     * tslab's execute_reply says only "error"; Jupyter clients expect ename, evalue and
     * traceback, which the scope recorded when the cell failed.
     */
    private _replyPatcher(sock: unknown, scope: ExecutionScope): unknown {
      const target = sock as { send(frames: Buffer[]): Promise<void> };
      const key = this._server.connInfo.key;
      return new Proxy(target, {
        get: (obj, prop) => {
          if (prop !== 'send') {
            const value = (obj as any)[prop];
            return typeof value === 'function' ? value.bind(obj) : value;
          }
          return (frames: Buffer[]) => {
            if (scope.error === undefined) {
              return obj.send(frames);
            }
            const msg = parseMessage(frames, key);
            if (msg.content.status === 'error') {
              Object.assign(msg.content, errorContent(scope.error));
            }
            return obj.send(serializeMessage(msg, key));
          };
        }
      });
    }
  }

  function scopeOf(req: Record<string, any>): ExecutionScope {
    return (req as Record<symbol, unknown>)[SCOPE] as ExecutionScope;
  }

  /** tslab's handleExecuteImpl resolves, or throws when the cell failed, an object holding the count. */
  function executionCount(value: unknown): number | undefined {
    const count = (value as { count?: unknown } | null)?.count;
    return typeof count === 'number' ? count : undefined;
  }

  /** tslab prints errors through its console; a cell's error becomes a Jupyter `error` message. */
  export function reportError(args: unknown[]): void {
    const scope = currentScope();
    const runtime = kernelRuntime();
    const error = Private.asInterrupt(scope, args.length === 1 && args[0] instanceof Error ? args[0] : undefined);
    if (!scope || !runtime) {
      console.error(...args);
      return;
    }
    if (error) {
      scope.error = error;
      runtime.publish('error', errorContent(error));
    } else {
      // Compiler diagnostics arrive as a format string and values, one per line.
      const text = format(...(args as [string, ...unknown[]]));
      scope.error ??= Object.assign(new Error(text), { name: 'CompileError' });
      runtime.publish('stream', { name: 'stderr', text: text + '\n' });
    }
  }

  /** tslab's "Interrupted asynchronously" becomes our typed InterruptedError. */
  export function asInterrupt(scope: ExecutionScope | undefined, error: Error | undefined): Error | undefined {
    if (error && scope?.controller.signal.aborted) {
      return scope.controller.signal.reason as Error;
    }
    // A synchronous loop is stopped by vm's breakOnSigint, which bypasses process.on('SIGINT').
    if (error?.message.startsWith('Script execution was interrupted by')) {
      return new InterruptedError('The cell');
    }
    return error;
  }

  /** Stack frames of node, tslab and this kernel, which say nothing about the user's code. */
  const KERNEL_FRAME = /\(node:|node:internal|sigintHandlersWrap|async_hooks|\/tslab\/dist\/|\/kernel-lib\/lib\/kernel\//;

  export function errorContent(error: unknown): { ename: string; evalue: string; traceback: string[] } {
    const e = error instanceof Error ? error : new Error(String(error));
    const stack = (e.stack ?? `${e.name}: ${e.message}`).split('\n');
    return { ename: e.name, evalue: e.message, traceback: stack.filter(line => !KERNEL_FRAME.test(line)) };
  }

  /** tslab's converter pair (Node and browser), created lazily as tslab does. */
  export function converterSet(create: (o: { isJS: boolean; isBrowser: boolean }) => { close(): void }) {
    let node: { close(): void } | undefined;
    let browser: { close(): void } | undefined;
    const set = {
      get node() {
        return (node ??= create({ isJS: false, isBrowser: false }));
      },
      get browser() {
        return (browser ??= create({ isJS: false, isBrowser: true }));
      },
      close() {
        node?.close();
        browser?.close();
      }
    };
    void set.node; // warm the compiler before the first cell, as tslab does
    return set;
  }
}
