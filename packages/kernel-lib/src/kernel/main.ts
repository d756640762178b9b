#!/usr/bin/env node
/**
 * The kernelspec's entry point: `node main.js --connection-file <file>`.
 */
import { startKernel } from './server';

const index = process.argv.indexOf('--connection-file');
if (index < 0 || !process.argv[index + 1]) {
  process.stderr.write('usage: main.js --connection-file <file>\n');
  process.exit(2);
}
process.on('uncaughtException', error => console.error('MDLMA kernel: uncaught exception:', error));
process.on('unhandledRejection', reason => console.error('MDLMA kernel: unhandled rejection:', reason));
startKernel({ connectionFile: process.argv[index + 1] }).catch(error => {
  process.stderr.write(`MDLMA kernel failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});
