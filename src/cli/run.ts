import { ConfigError } from '../config.js';
import { DataDirInUseError } from '../db/client.js';

/** A failure the user can fix from its message alone (a wrong argument, a missing file). */
export class UsageError extends Error {}

/** Runs a command-line task: expected failures print their message, anything else its stack; both exit 1. */
export async function runCli(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof DataDirInUseError || error instanceof UsageError ? error.message : error);
    process.exitCode = 1;
  }
}
