import { ConfigError, type DaneConfig } from '@dane/worker';

const FILESIZE_UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const;
type FilesizeUnit = keyof typeof FILESIZE_UNITS;

export interface FilesizeSettings {
  unit: FilesizeUnit;
  precision: number;
  queue: string;
}

/** The FILESIZE_WORKER section (seed docs: UNIT and PRECISION), checked at start-up, not per task. */
export function filesizeSettings(config: DaneConfig): FilesizeSettings {
  const section = config.FILESIZE_WORKER ?? {};
  const unit = String(section.UNIT ?? 'KB').toUpperCase();
  if (!(unit in FILESIZE_UNITS)) throw new ConfigError(`FILESIZE_WORKER.UNIT must be one of ${Object.keys(FILESIZE_UNITS).join(', ')} (got ${JSON.stringify(section.UNIT)})`);
  const precision = Number(section.PRECISION ?? 2);
  if (!Number.isInteger(precision) || precision < 0 || precision > 10) {
    throw new ConfigError(`FILESIZE_WORKER.PRECISION must be a whole number from 0 to 10 (got ${JSON.stringify(section.PRECISION)})`);
  }
  return { unit: unit as FilesizeUnit, precision, queue: String(section.QUEUE ?? 'filesize_queue') };
}

/** Bytes in the configured unit, rounded to PRECISION decimals. */
export function formatSize(bytes: number, settings: Pick<FilesizeSettings, 'unit' | 'precision'>): number {
  return Number((bytes / FILESIZE_UNITS[settings.unit]).toFixed(settings.precision));
}
