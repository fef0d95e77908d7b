export { readReply, type ReadReply } from '@dane/core';
