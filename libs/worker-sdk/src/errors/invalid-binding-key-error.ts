import { ConfigError } from '@dane/core/errors';

/** A binding key whose first segment is not a target type, `*` or `#` (`video.ASR` is refused; docs/protocol.md, Binding keys). */
export class InvalidBindingKeyError extends ConfigError {}
