import type { Page } from '@playwright/test';

/** Signs in on the simulator's identity provider form as an operator would, ticking "stay signed in". */
export async function signInOnSimulatorForm(page: Page, credentials: { username: string; password: string }): Promise<void> {
  await page.fill('#idp_username', credentials.username);
  await page.fill('#idp_password', credentials.password);
  await page.check('#stay_signed_in');
  await page.click('#idp_submit');
}
