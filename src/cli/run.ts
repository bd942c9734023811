import { ConfigError } from '../config.js';
import { DataDirInUseError } from '../db/client.js';

/** Runs a command-line task: expected failures print their message, anything else its stack; both exit 1. */
export async function runCli(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof DataDirInUseError ? error.message : error);
    process.exitCode = 1;
  }
}
