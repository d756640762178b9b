/**
 * The Slurm job panel against a real single-node Slurm (ui-tests/run.sh starts it): a user opens the
 * panel from the command palette, composes a job from a template, previews and edits the script,
 * submits, watches it run and complete in the table, reads its log, and cancels another job.
 */
import type { Page } from '@playwright/test';

import { expect, test } from './fixtures';

/** The panel's table row of a job. */
const row = (page: Page, id: string) => page.locator(`.mdlma-JobTable tbody tr[data-key="${id}"]`);

/** Composes a `custom` job with `script` and `name`; returns the id the notification reports. */
async function submitCustom(page: Page, name: string, script: string, edit?: string): Promise<string> {
  const composer = page.locator('.mdlma-JobComposer');
  await composer.getByLabel('Job template').selectOption('custom');
  await composer.locator('#root_script').fill(script);
  await composer.locator('input[label="Job name"]').fill(name);
  await composer.getByRole('button', { name: 'Preview script' }).click();
  const preview = composer.getByLabel('Script to submit');
  await expect(preview).toHaveValue(script + '\n'); // the template adds the final newline
  if (edit) {
    await preview.fill(`${script}\n${edit}\n`);
    await expect(composer).toContainText('edited: submitted as a custom script');
  }
  await composer.getByRole('button', { name: 'Submit' }).click();
  const toast = page.locator('.Toastify__toast').filter({ hasText: new RegExp(`Submitted job \\d+ \\(${name}\\)`) });
  await expect(toast).toBeVisible();
  return /Submitted job (\d+)/.exec((await toast.textContent()) ?? '')![1];
}

test.describe('Slurm job panel', () => {
  // One project is enough: the panel's requests use the server's base URL like every other
  // handler (the server tests cover /user/<name>/), and each run here costs two Slurm jobs and ~40 s.
  test('compose, preview, submit, watch it complete, read its log, cancel another @root-only', async ({ page }) => {
    test.setTimeout(180000);
    const why = process.env.MDLMA_UI_SLURM === 'failed' ? 'ui-tests/run.sh could not start the Slurm cluster' : 'no Slurm cluster: run the UI tests through ui-tests/run.sh (root or passwordless sudo, Slurm installed)';
    expect(process.env.MDLMA_UI_SLURM, why).toBe('1');

    // The command palette and the launcher offer the panel; the launcher card opens it.
    await page.keyboard.press('Control+Shift+C');
    await page.locator('.lm-CommandPalette-input').fill('Slurm Jobs');
    await expect(page.locator('.lm-CommandPalette-item', { hasText: 'Slurm Jobs' })).toBeVisible();
    await page.keyboard.press('Escape');
    await page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute('launcher:create'));
    await page.locator('.jp-LauncherCard[title*="Slurm"]:visible').click();
    const panel = page.locator('.mdlma-JobPanel');
    await expect(panel).toBeVisible();
    await expect(panel.locator('.mdlma-JobPanel-autoRefresh [aria-checked="true"]')).toBeVisible(); // auto-refresh on

    // The form comes from the template's schema: the shipped templates, a required field, defaults.
    const composer = panel.locator('.mdlma-JobComposer');
    await expect(composer.getByLabel('Job template').locator('option')).toContainText([
      'Custom script',
      'JupyterLab on a compute node',
      'Segment a volume (SUN)'
    ]);
    await composer.getByLabel('Job template').selectOption('segment-volume');
    await expect(composer.locator('input[label="Job name"]')).toHaveValue('segment');
    await composer.locator('input[label="Input volume"]').fill('../scan.nii');
    await expect(composer).toContainText('contains ".."');
    await expect(composer.getByRole('button', { name: 'Submit' })).toBeDisabled();

    // A job from the custom template, its preview edited, runs and completes.
    const script = '#!/bin/bash\necho "hello from job $SLURM_JOB_ID"\nsleep 2';
    const done = await submitCustom(page, 'ui-hello', script, 'echo "edited line"');
    await expect(row(page, done)).toBeVisible();
    await expect(row(page, done).locator('.mdlma-JobState')).toHaveText(/PENDING|RUNNING|COMPLETED/);
    await expect(row(page, done).locator('.mdlma-JobState')).toHaveText('COMPLETED', { timeout: 60000 });
    await expect(row(page, done).locator('.mdlma-JobState')).toHaveAttribute('data-group', 'completed');
    await expect(page.locator('.Toastify__toast').filter({ hasText: `Slurm job ${done} (ui-hello) completed` })).toBeVisible();

    // Its view: the log and what it was submitted with.
    await row(page, done).click();
    const view = panel.locator('.mdlma-JobView');
    await expect(view.locator(`[data-job-id="${done}"]`)).toBeVisible();
    await expect(view.locator('.mdlma-JobView-log')).toHaveText(`hello from job ${done}\nedited line\n`);
    await expect(view.locator('.mdlma-JobView-params')).toContainText('ui-hello');
    await expect(view).toContainText('Parameters (template custom, script edited before submitting)');

    // A second job, cancelled after confirming.
    const other = await submitCustom(page, 'ui-sleeper', '#!/bin/bash\nsleep 300');
    await expect(view.locator(`[data-job-id="${other}"]`)).toBeVisible();
    await expect(row(page, other).locator('.mdlma-JobState')).toHaveText(/PENDING|RUNNING/);
    await view.getByRole('button', { name: 'Cancel' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`Cancel job ${other}?`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(row(page, other).locator('.mdlma-JobState')).toHaveText(/CANCELLED/, { timeout: 30000 });
    await expect(row(page, other).locator('.mdlma-JobState')).toHaveAttribute('data-group', 'cancelled');

    // The search box narrows the table.
    await panel.locator('.mdlma-JobTable .jp-FilterBox input').fill('ui-sleeper');
    await expect(panel.locator('.mdlma-JobTable tbody tr')).toHaveCount(1);
  });
});
