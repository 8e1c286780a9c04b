/** The table of commands. */
import type { CommandIo } from './args.js';
import { distillCommand, pruneCommand, quantizeCommand } from './compress-commands.js';
import { doctorCommand } from './doctor-command.js';
import {
  cacheCommand,
  downloadCommand,
  exportCommand,
  infoCommand,
  listCommand,
  predictCommand,
} from './model-commands.js';
import { evalCommand, trainCommand } from './train-command.js';

/** A command: parses its own arguments and resolves to an exit code. */
export type Command = (argv: string[], io: CommandIo) => Promise<number>;

/** Every `tfzoo` command by name. */
export const COMMANDS: Record<string, Command> = {
  list: listCommand,
  info: infoCommand,
  download: downloadCommand,
  cache: cacheCommand,
  predict: predictCommand,
  train: (argv, io) => trainCommand(argv, io, false),
  finetune: (argv, io) => trainCommand(argv, io, true),
  eval: evalCommand,
  export: exportCommand,
  doctor: doctorCommand,
  prune: pruneCommand,
  quantize: quantizeCommand,
  distill: distillCommand,
};
