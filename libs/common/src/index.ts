export { ImageGenError, isAbortError, throwIfAborted, toImageGenError } from './errors';
export type { ImageGenErrorCode, ImageGenErrorOptions } from './errors';
export { createMemoryLogger, silentLogger } from './logger';
export type { CapturedLogLine, LogFields, Logger, LogLevel } from './logger';
export { createManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export { lazyModule } from './lazy-module';
export type { LazyModule } from './lazy-module';
export { ownValue } from './own-value';
