/**
 * The `tfzoo` command's dispatcher: runs one command, turns errors into a one-line message and an
 * exit code (stack traces only with `--verbose`).
 */
import { releaseBackend, ZooError } from '@tfzoo/core';
import { type CommandIo, HelpRequested, USAGE } from './args.js';
import { COMMANDS } from './commands.js';

/** Exit codes: 0 success, 1 error, 2 usage error, 130 interrupted. */
export const EXIT_USAGE = 2;

function topHelp(): string {
  const width = Math.max(...Object.keys(USAGE).map((k) => k.length));
  const lines = Object.entries(USAGE).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return `tfzoo — the TensorFlow.js model zoo from the command line\n\nUsage: tfzoo <command> [options]   (tfzoo <command> --help for its options)\n\nCommands:\n${lines.join('\n')}\n\nGlobal: --verbose prints stack traces on errors. TFZOO_HOME sets the cache, TFZOO_OFFLINE=1 forbids downloads.\n`;
}

/**
 * Runs `tfzoo <argv…>` and resolves to the exit code; never throws.
 *
 * @example
 * ```ts
 * const code = await run(['eval', 'lenet5.fmnist', '--data', 'fashion-mnist-sample'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function run(
  argv: readonly string[],
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const args = [...argv];
  const verbose = args.includes('--verbose');
  const name = args[0];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write('tfzoo 0.0.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(
      `tfzoo: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')} (tfzoo --help)\n`,
    );
    return EXIT_USAGE;
  }
  try {
    return await command(args.slice(1), io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout.write(error.text);
      return 0;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof ZooError ? ` [${error.code}]` : '';
    io.stderr.write(`tfzoo ${name}: error${code}: ${message}\n`);
    if (verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else io.stderr.write('(run with --verbose for the stack trace)\n');
    return error instanceof ZooError && error.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : 1;
  } finally {
    // A GPU device (WebGPU) would keep the process alive: let it go once the command is done.
    releaseBackend();
  }
}
