/**
 * `@tfzoo/cli`: the `tfzoo` command. The commands are also callable from code through {@link run}.
 *
 * @packageDocumentation
 */
export * from './args.js';
export * from './commands.js';
export * from './main.js';
export * from './runtime.js';
