import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/**
 * A display for headed browser windows on a machine without one (CI): an Xvfb server we
 * start ourselves and stop by its PID. On a desktop the existing DISPLAY is used.
 */
export interface VirtualDisplay {
  display: string;
  stop(): Promise<void>;
}

export async function ensureDisplay(): Promise<VirtualDisplay> {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, stop: async () => undefined };
  const xvfb: ChildProcess = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1366x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const number = await new Promise<string>((resolve, reject) => {
    let text = '';
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}; install it with apt-get install xvfb`)));
    xvfb.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.trim());
    });
  });
  // The display number is announced before the socket is always there; a browser started in between cannot connect.
  const socket = `/tmp/.X11-unix/X${number}`;
  for (let waited = 0; !fs.existsSync(socket) && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return {
    display: `:${number}`,
    stop: async () => {
      if (xvfb.exitCode !== null) return;
      const exited = new Promise((resolve) => xvfb.once('exit', resolve));
      xvfb.kill('SIGTERM');
      await exited;
    },
  };
}
