/**
 * Windows are named A, B, C… by their Playwright parallel index (stable across worker
 * restarts), so "window B" means the same slot in logs, reports and the summary.
 */
export function windowLetter(parallelIndex: number): string {
  let n = parallelIndex;
  let letters = '';
  do {
    letters = String.fromCharCode(65 + (n % 26)) + letters;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return letters;
}

export type WindowLog = (message: string) => void;

/** Every line a window writes names the window, so interleaved output stays attributable (PROFILE-NFR-04). */
export function windowLogger(letter: string, write: (line: string) => void = (line) => process.stdout.write(line)): WindowLog {
  return (message) => {
    const time = new Date().toTimeString().slice(0, 8);
    write(`${time} [window ${letter}] ${message}\n`);
  };
}

/** Window letters in their natural order: A, B, …, Z, AA, AB, … */
export function compareWindowLetters(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
