import type { CheckResult } from './checks';

export interface ConformanceReport {
  worker: { command: string[]; key: string; type: string; queue: string };
  broker: { exchange: string; response_queue: string };
  checks: CheckResult[];
  passed: number;
  failed: number;
  not_checked: number;
}

export function summarize(report: Omit<ConformanceReport, 'passed' | 'failed' | 'not_checked'>): ConformanceReport {
  const count = (s: CheckResult['status']) => report.checks.filter((c) => c.status === s).length;
  return { ...report, passed: count('PASS'), failed: count('FAIL'), not_checked: count('NOT CHECKED') };
}

/** The table: one row per check, the detail indented under it; a failure says what it means in production. */
export function formatTable(report: ConformanceReport): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const lines = [`DANE conformance of \`${report.worker.command.join(' ')}\` (key ${report.worker.key}, type ${report.worker.type}, queue ${report.worker.queue})`, ''];
  lines.push(`${'CHECK'.padEnd(width)}  ${'RESULT'.padEnd(11)}  WHAT`);
  for (const c of report.checks) {
    lines.push(`${c.id.padEnd(width)}  ${c.status.padEnd(11)}  ${c.title}`);
    const indent = ' '.repeat(width + 15);
    for (const l of c.detail.split('\n')) lines.push(indent + l);
    if (c.status === 'FAIL') lines.push(`${indent}in production: ${c.meaning}`);
  }
  lines.push('', `${report.checks.length} checks: ${report.passed} PASS, ${report.failed} FAIL, ${report.not_checked} NOT CHECKED`);
  return lines.join('\n') + '\n';
}
