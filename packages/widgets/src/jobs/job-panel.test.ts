// The panel as a user meets it (jsdom): the form drawn from a template's schema, the script preview,
// an edited script submitted as a custom one, the table's rows and colours, and the state when Slurm is down.
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type { AppConnection, JobTemplateInfo, RenderedJob, SlurmJob, SubmitRequest } from '@mdlma/kernel/protocol';
import { act } from 'react';

import { JobComposer } from './composer';
import { JobServiceError } from './errors';
import { JobPanel } from './job-panel';
import { JobTable } from './job-table';
import type { IJobService } from './tokens';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// Lumino delivers update requests on the next animation frame, outside act(); `draw` renders and waits
// explicitly, so React's reminder about act() is noise here (other console errors still show).
const consoleError = console.error;
beforeAll(() => {
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).includes('not wrapped in act(')) {
      consoleError(...args);
    }
  });
});
afterAll(() => jest.restoreAllMocks());

const SEGMENT: JobTemplateInfo = {
  name: 'segment-volume',
  title: 'Segment a volume (SUN)',
  description: 'Runs mdlma segment on one volume file.',
  origin: 'shipped',
  parameters: {
    type: 'object',
    required: ['input', 'output'],
    properties: {
      input: { type: 'string', format: 'path', title: 'Input volume', description: 'Tomogram file, relative to the job folder' },
      output: { type: 'string', format: 'path', title: 'Labels file' },
      axes: { type: 'integer', enum: [1, 3, 9], default: 9, title: 'Slicing axes' },
      name: { type: 'string', format: 'job-name', default: 'segment', title: 'Job name' }
    }
  }
};

/** The server's API, answered from memory the way `mdlma slurm --json` would. */
class FakeService implements IJobService {
  submitted: SubmitRequest[] = [];
  jobs: SlurmJob[] = [];
  down = false;
  async templates() {
    return [SEGMENT];
  }
  async render(request: SubmitRequest): Promise<RenderedJob> {
    const p = request.params as Record<string, string>;
    return {
      template: request.template,
      script: `#!/bin/bash\nmdlma segment '${p.input}' --out '${p.output}' --axes '${p.axes}'\n`,
      job: { name: String(p.name), cpus: 2 },
      values: request.params as RenderedJob['values']
    };
  }
  async submit(request: SubmitRequest) {
    this.submitted.push(request);
    return { jobId: String(41 + this.submitted.length), scriptPath: '/tmp/x.sh', args: [] };
  }
  async list() {
    if (this.down) {
      throw new JobServiceError('SlurmUnavailableError', 'Slurm is not available (squeue --json): Unable to contact slurm controller', 503);
    }
    return this.jobs;
  }
  async show(id: string) {
    return { job: this.jobs.find(j => j.id === id)!, submission: null };
  }
  async log(id: string) {
    return { id, state: 'RUNNING', stream: 'stdout' as const, path: '/tmp/slurm.out', text: 'hello\n' };
  }
  async act(id: string) {
    return this.jobs.find(j => j.id === id)!;
  }
  async app() {
    return { app: null, state: 'RUNNING' };
  }
  appUrl(app: AppConnection) {
    return app.url;
  }
}

function job(jobId: number, state: string, name = 'segment'): SlurmJob {
  return {
    id: String(jobId), jobId, name, user: 'ana', state, reason: 'None', partition: 'debug', nodes: 'node1', cpus: 1,
    exitCode: state === 'FAILED' ? 3 : null, signal: null, submitTime: null, startTime: null, endTime: null,
    timeLimit: null, workdir: '/home/ana', stdout: '', stderr: '', source: 'squeue'
  };
}

/** Renders a React widget now. */
async function draw(widget: Widget): Promise<void> {
  await act(async () => {
    MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
    await (widget as unknown as { renderPromise?: Promise<void> }).renderPromise;
  });
}

/** Types into an input the way React notices. */
async function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): Promise<void> {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')!.set!;
  await act(async () => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** The form's input of a parameter, by its title (JupyterLab's form template labels inputs so). */
function field(root: HTMLElement, label: string): HTMLInputElement {
  const input = root.querySelector<HTMLInputElement>(`input[label="${label}"]`);
  if (!input) {
    throw new Error(`no field "${label}" in ${root.textContent}`);
  }
  return input;
}

function button(root: HTMLElement, text: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find(b => b.textContent?.trim() === text);
  if (!found) {
    throw new Error(`no button "${text}"`);
  }
  return found;
}

describe('JobComposer', () => {
  let service: FakeService;
  let composer: JobComposer;

  beforeEach(async () => {
    service = new FakeService();
    composer = new JobComposer({ service });
    Widget.attach(composer, document.body);
    await act(async () => composer.load());
    await draw(composer);
  });

  afterEach(() => composer.dispose());

  it('draws the form from the template schema, with defaults and help text', () => {
    const root = composer.node;
    expect(root.textContent).toContain('Runs mdlma segment on one volume file.');
    expect(field(root, 'Job name').value).toBe('segment');
    expect(root.textContent).toContain('Tomogram file, relative to the job folder');
    expect(root.querySelector('select#root_axes')).not.toBeNull();
    expect(button(root, 'Submit').disabled).toBe(true); // input and output are required
  });

  it('shows the reason of a refused value under its field and keeps Submit off', async () => {
    await type(field(composer.node, 'Input volume'), '../etc/scan.nii');
    await type(field(composer.node, 'Labels file'), 'labels.nii.gz');
    await draw(composer);
    expect(composer.node.textContent).toMatch(/contains "\.\."/);
    expect(button(composer.node, 'Submit').disabled).toBe(true);
  });

  it('previews the exact script, and submits an edited one as a custom script with the rendered options', async () => {
    await type(field(composer.node, 'Input volume'), 'scan.nii.gz');
    await type(field(composer.node, 'Labels file'), 'labels.nii.gz');
    await draw(composer);
    await act(async () => button(composer.node, 'Preview script').click());
    await draw(composer);
    const script = composer.node.querySelector<HTMLTextAreaElement>('textarea[aria-label="Script to submit"]')!;
    expect(script.value).toBe("#!/bin/bash\nmdlma segment 'scan.nii.gz' --out 'labels.nii.gz' --axes '9'\n");

    await type(script, `${script.value}echo done\n`);
    await draw(composer);
    expect(composer.node.textContent).toContain('edited: submitted as a custom script');
    const submitted: string[] = [];
    composer.submitted.connect((_, job) => submitted.push(job.jobId));
    await act(async () => button(composer.node, 'Submit').click());
    expect(service.submitted).toEqual([
      {
        template: 'custom',
        params: { script: "#!/bin/bash\nmdlma segment 'scan.nii.gz' --out 'labels.nii.gz' --axes '9'\necho done\n" },
        job: { name: 'segment', cpus: 2 },
        workdir: '',
        origin: {
          template: 'segment-volume',
          params: { input: 'scan.nii.gz', output: 'labels.nii.gz', axes: 9, name: 'segment' },
          edited: true
        }
      }
    ]);
    expect(submitted).toEqual(['42']);
  });

  it('submits the template with its values when the preview was not edited', async () => {
    composer.setValues({ input: 'a b.nii', output: 'l.nii' });
    await act(async () => void (await composer.submit()));
    expect(service.submitted[0]).toEqual({
      template: 'segment-volume',
      params: { input: 'a b.nii', output: 'l.nii', axes: 9, name: 'segment' },
      workdir: ''
    });
  });
});

describe('JobTable', () => {
  it('shows jobs with a colour per state, and emits the clicked job', async () => {
    const table = new JobTable();
    Widget.attach(table, document.body);
    table.setJobs([job(3, 'RUNNING'), job(2, 'FAILED', 'register'), job(1, 'COMPLETED')]);
    await draw(table);
    const rows = [...table.node.querySelectorAll('tbody tr')];
    expect(rows.map(r => r.getAttribute('data-key'))).toEqual(['3', '2', '1']);
    const groups = [...table.node.querySelectorAll('.mdlma-JobState')].map(b => b.getAttribute('data-group'));
    expect(groups).toEqual(['running', 'failed', 'completed']);
    const clicked: string[] = [];
    table.selected.connect((_, id) => clicked.push(id));
    await act(async () => (rows[1] as HTMLElement).click());
    expect(clicked).toEqual(['2']);
    table.search('register');
    await draw(table);
    expect([...table.node.querySelectorAll('tbody tr')].map(r => r.getAttribute('data-key'))).toEqual(['2']);
    table.dispose();
  });
});

describe('JobPanel', () => {
  it('says clearly that Slurm is not available, and recovers when it answers again', async () => {
    const service = new FakeService();
    service.down = true;
    const panel = new JobPanel({ service });
    Widget.attach(panel, document.body);
    await act(async () => panel.refresh());
    await draw(panel.table);
    const problem = panel.table.node.querySelector('[role="alert"]');
    expect(problem?.textContent).toContain('Slurm is not available');
    expect(problem?.textContent).toContain('Unable to contact slurm controller');
    expect(panel.hasClass('mdlma-mod-unavailable')).toBe(true);

    service.down = false;
    service.jobs = [job(5, 'PENDING')];
    await act(async () => panel.refresh());
    await draw(panel.table);
    expect(panel.table.node.querySelector('[role="alert"]')).toBeNull();
    expect(panel.table.node.querySelectorAll('tbody tr')).toHaveLength(1);
    panel.dispose();
  });

  it('notifies once when a job submitted from the panel completes or fails', async () => {
    const { Notification } = await import('@jupyterlab/apputils');
    const service = new FakeService();
    const storage = new Map<string, string>();
    const panel = new JobPanel({
      service,
      storage: { getItem: k => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) } as Storage
    });
    service.jobs = [job(42, 'RUNNING')];
    panel.composer.setTemplates([SEGMENT]);
    panel.composer.setValues({ input: 'a.nii', output: 'b.nii' });
    await act(async () => void (await panel.composer.submit()));
    expect(JSON.parse(storage.get('mdlma:slurm-watch')!)).toEqual(['42']);
    const before = Notification.manager.count;
    service.jobs = [job(42, 'FAILED')];
    await act(async () => panel.refresh());
    await act(async () => panel.refresh());
    const added = Notification.manager.notifications.slice(0, Notification.manager.count - before);
    expect(added.map(n => [n.type, n.message])).toEqual([['error', 'Slurm job 42 (segment) ended FAILED with exit code 3']]);
    expect(JSON.parse(storage.get('mdlma:slurm-watch')!)).toEqual([]);
    panel.dispose();
  });
});
