import { defineConfig } from '@playwright/test';
import { loadSettings } from './support/settings.js';
const settings = loadSettings();
export default defineConfig({ testDir: './specs', workers: settings.workers });
