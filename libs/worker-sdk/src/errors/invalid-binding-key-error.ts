import { ConfigError } from '@dane/protocol';

/** A binding key whose first segment is not a target type, `*` or `#` (`video.ASR` is refused; docs/protocol.md, Binding keys). */
export class InvalidBindingKeyError extends ConfigError {}
