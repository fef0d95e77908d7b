import { ConfigError } from '@dane/core/errors';

/** A binding key whose first segment is not a target type, `*` or `#` (§6.1: `video.ASR` is refused). */
export class InvalidBindingKeyError extends ConfigError {}
