const WIDTH = 24;
// Where stderr is not a terminal (a CI log, a pipe), a line at most this often.
const LOG_INTERVAL_MS = 1_000;

export interface Progress {
  label: string;
  done: number;
  total: number;
  perSecond: number;
  etaSeconds: number | null;
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatDuration = (seconds: number) => {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
};

/** `label [████████░░░░]  52%  5,200/10,000  1,234/s  ETA 4s` */
export const formatProgress = ({ label, done, total, perSecond, etaSeconds }: Progress) => {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * WIDTH);
  return [
    `${label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}]`,
    `${String(Math.floor(ratio * 100)).padStart(3)}%`,
    `${number.format(done)}/${number.format(total)}`,
    `${number.format(perSecond)}/s`,
    `ETA ${etaSeconds === null ? '?' : formatDuration(etaSeconds)}`,
  ].join('  ');
};

/**
 * A progress bar on stderr, so stdout stays for results: redrawn in place on a terminal,
 * else one line at most every second.
 */
export const progressBar = (stream: NodeJS.WriteStream = process.stderr) => {
  let lastLine = 0;
  let drawn = false;
  return {
    update(progress: Progress) {
      const line = formatProgress(progress);
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (Date.now() - lastLine >= LOG_INTERVAL_MS) {
        stream.write(`${line}\n`);
        lastLine = Date.now();
      }
    },
    /** Ends the bar's line, so what follows starts on its own. */
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
};
