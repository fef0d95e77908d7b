export { readResultMessage, type ResultIntake } from '@dane/core';
