import * as os from 'node:os';
import type { Command } from 'commander';
import type { LoadedConfig } from '@imagegen/config';
import type { ImageEngine, Logger } from '@imagegen/core';
import { listenForInterrupt, type Cancellation } from './cancellation';
import { createHumanLogger, Output, type OutputStreams } from './output';

/** The options every command takes (given before or after the command name). */
export interface GlobalOptions {
  json?: boolean;
  config?: string;
  envFile?: string;
  set?: string[];
  verbose?: boolean;
}

/**
 * What commands share: the global options, output, configuration, the engine and Ctrl-C handling. Created once per
 * run; everything is built lazily, so `--help` and `templates list` load no engine.
 */
export class CliContext {
  private outputInstance: Output | undefined;
  private loggerInstance: Logger | undefined;
  private loaded: LoadedConfig | undefined;
  private cancellation: Cancellation | undefined;
  /** Set by a command that ends with a code other than 0 without throwing (doctor's failed checks, serve's child). */
  exitCode: number | undefined;

  constructor(
    private readonly program: Command,
    readonly streams: OutputStreams,
  ) {}

  /** Global options as parsed. */
  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get output(): Output {
    this.outputInstance ??= new Output(this.streams, { json: Boolean(this.options.json) });
    return this.outputInstance;
  }

  /** The engine's logger: JSON lines on stderr with --json, plain lines otherwise; debug with --verbose. */
  async logger(): Promise<Logger> {
    if (!this.loggerInstance) {
      const verbose = Boolean(this.options.verbose) || Boolean(this.streams.env['IMAGEGEN_VERBOSE']);
      if (this.output.json) {
        const { createJsonLogger } = await import('@imagegen/core');
        this.loggerInstance = createJsonLogger({
          level: verbose ? 'debug' : 'warn',
          destination: this.streams.stderr,
          base: { service: 'imagegen' },
        });
      } else {
        this.loggerInstance = createHumanLogger(this.output, verbose, () => this.cancelled);
      }
    }
    return this.loggerInstance;
  }

  /** The arguments the configuration loader reads (`--config`, `--env-file`, `--set`), rebuilt from the options. */
  configArguments(): string[] {
    const options = this.options;
    return [
      ...(options.config ? ['--config', options.config] : []),
      ...(options.envFile ? ['--env-file', options.envFile] : []),
      ...(options.set ?? []).flatMap((pair) => ['--set', pair]),
    ];
  }

  /** Loads and validates the configuration once; its warnings are shown once. Throws `invalid_config`. */
  async settings(): Promise<LoadedConfig> {
    if (!this.loaded) {
      const { loadConfig } = await import('@imagegen/config');
      this.loaded = loadConfig({
        env: this.streams.env,
        argv: this.configArguments(),
        cwd: process.cwd(),
        homeDirectory: os.homedir(),
        platform: process.platform,
      });
      const logger = await this.logger();
      for (const warning of this.loaded.warnings) logger.warn(warning.message, { setting: warning.setting });
    }
    return this.loaded;
  }

  /** Runs `work` with an engine built from the configuration, closing it afterwards. */
  async withEngine<T>(work: (engine: ImageEngine) => Promise<T>): Promise<T> {
    const { createImageEngineFromConfig } = await import('@imagegen/core');
    const { config } = await this.settings();
    const engine = await createImageEngineFromConfig(config, { logger: await this.logger(), scheduleRetention: false });
    try {
      return await work(engine);
    } finally {
      await engine.close();
    }
  }

  /** Aborts on Ctrl-C. Asking for it installs the handler; commands that never ask keep Node's default. */
  get signal(): AbortSignal {
    this.cancellation ??= listenForInterrupt(() =>
      this.output.note(
        this.output.errorColor.yellow(
          'Cancelling… (a request already sent is paid for: it is finished and stored; Ctrl-C again quits now)',
        ),
      ),
    );
    return this.cancellation.signal;
  }

  /** Whether Ctrl-C was pressed during the command. */
  get cancelled(): boolean {
    return this.cancellation?.cancelled ?? false;
  }

  dispose(): void {
    this.cancellation?.dispose();
  }
}
