/**
 * The parts of tslab 1.0.22 (pinned exactly in package.json) that the MDLMA kernel builds on.
 * tslab exports them but declares some members private; this file names what we rely on,
 * so that a tslab upgrade fails here, loudly, rather than somewhere in a cell.
 */
import type { MessageHeader } from '../protocol/jupyter';

/** A zeromq socket as far as the kernel writes to it. */
export interface WritableSocket {
  send(frames: Buffer[]): Promise<void>;
}

/** A parsed message as tslab's ZmqServer hands it to its handlers. */
export interface TslabMessage {
  identity: Buffer[];
  header: MessageHeader;
  content: Record<string, any>;
}

/** tslab's ZmqServer, with the members the MDLMA kernel overrides or uses. */
export interface TslabServer {
  connInfo: { key: string };
  iopub: WritableSocket;
  handler: TslabHandler;
  init(): Promise<void>;
  close(): void;
  publishStatus(status: string, parent: unknown): void;
  handleShellMessage(sock: WritableSocket, ...frames: Buffer[]): Promise<void>;
  handleExecute(sock: unknown, msg: TslabMessage): Promise<void>;
}

/** tslab's JupyterHandlerImpl. */
export interface TslabHandler {
  handleKernel(): Record<string, any>;
  /** Queues a cell and returns the execute_reply content; the MDLMA kernel replaces its queue. */
  handleExecute(req: Record<string, any>, writeStream: unknown, writeDisplayData: unknown): Promise<Record<string, unknown>>;
  /** Runs a cell now; resolves, or throws on failure, an object whose `count` is the execution count. */
  handleExecuteImpl(req: Record<string, any>, writeStream: unknown, writeDisplayData: unknown): Promise<unknown>;
}

/** The classes and factories of tslab's dist/ that the kernel entry point uses. */
export interface TslabModules {
  ZmqServer: new (handler: TslabHandler, configPath: string) => TslabServer;
  JupyterHandlerImpl: new (executor: TslabExecutor, isJs: boolean) => TslabHandler;
  createExecutor(rootDir: string, convs: unknown, console: Pick<Console, 'log' | 'error'>): TslabExecutor;
  createConverter(options: { isJS: boolean; isBrowser: boolean }): { close(): void };
  /** The file system of tslab's own TypeScript, which its compiler host reads through (read at call time). */
  compilerSystem: CompilerSystem;
}

/** The members of TypeScript's `ts.sys` that module and type resolution read. */
export interface CompilerSystem {
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
  readFile(path: string, encoding?: string): string | undefined;
  readDirectory(
    path: string,
    extensions?: readonly string[],
    exclude?: readonly string[],
    include?: readonly string[],
    depth?: number
  ): string[];
  getDirectories(path: string): string[];
  realpath?(path: string): string;
}

/** tslab's Executor. */
export interface TslabExecutor {
  interrupt(): void;
  close(): void;
}

/** Load tslab's internals (CommonJS). */
export function loadTslab(): TslabModules {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const jupyter = require('tslab/dist/jupyter');
  const executor = require('tslab/dist/executor');
  const converter = require('tslab/dist/converter');
  // The TypeScript copy tslab's converter imports, not any other one in node_modules.
  const converterFile = require.resolve('tslab/dist/converter');
  const typescript = require(require.resolve('@tslab/typescript-for-tslab', { paths: [converterFile] }));
  return {
    ZmqServer: jupyter.ZmqServer,
    JupyterHandlerImpl: jupyter.JupyterHandlerImpl,
    createExecutor: executor.createExecutor,
    createConverter: converter.createConverter,
    compilerSystem: typescript.sys
  };
}
