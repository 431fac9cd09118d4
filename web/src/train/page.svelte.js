// The training studio's state and actions (Train.svelte draws them): the
// form, the architecture's analysis, the job's state from GET /api/train
// and its event stream, the probe image's maps from the trained model.
import { getJSON, check, exampleURL, runModel } from '../lib/api.js';
import { DEFAULTS, trainConfig, archQuery, mergeState, probeLayers } from './train.js';

export class TrainPage {
  form = $state({ ...DEFAULTS });
  file = $state(null); // the class-folder zip
  job = $state(null); // the server's state (GET /api/train), curves merged
  arch = $state(null); // {params, macs} or {error}
  probe = $state([]); // probeLayers of the latest checkpoint's run
  probeCheckpoint = -1;
  error = $state('');
  busy = $state(false);
  events = null;
  archTimer = 0;

  get running() {
    return this.job?.state === 'running';
  }
  get canResume() {
    return (this.job?.state === 'stopped' || this.job?.state === 'failed') && this.job.checkpoint > 0;
  }
  get fashionInstalled() {
    return !!this.job?.datasets?.['fashion-mnist'];
  }

  async mount() {
    await this.reload();
    if (!this.fashionInstalled) this.form.dataset = 'upload';
    this.analyse();
    this.listen();
  }

  destroy() {
    this.events?.close();
    clearTimeout(this.archTimer);
  }

  async reload() {
    try {
      this.accept(await getJSON('/api/train'), true);
    } catch (e) {
      this.error = e.message;
    }
  }

  /** accept takes a state from the server: whole (GET) or an event's. */
  accept(next, whole = false) {
    const merged = whole ? next : mergeState(this.job, next);
    if (!merged) {
      this.reload();
      return;
    }
    this.job = merged;
    if (merged.model && merged.probe && merged.checkpoint !== this.probeCheckpoint) {
      this.probeCheckpoint = merged.checkpoint;
      this.runProbe(merged.model, merged.probe);
    }
  }

  listen() {
    if (typeof EventSource === 'undefined') return;
    this.events = new EventSource('/api/train/events');
    this.events.addEventListener('state', (e) => this.accept(JSON.parse(e.data)));
  }

  async runProbe(model, probe) {
    try {
      const run = await runModel(model, { example: probe }, { maxChannels: 8 });
      this.probe = probeLayers([...run.values.values()]);
    } catch {
      // a checkpoint replaced while it ran: the next one shows
    }
  }

  get probeURL() {
    return this.job?.model && this.job?.probe ? exampleURL(this.job.model, this.job.probe) : '';
  }

  /** analyse asks the server for the architecture's parameters and MACs (debounced). */
  analyse() {
    clearTimeout(this.archTimer);
    this.archTimer = setTimeout(async () => {
      const classes = this.job?.classes?.length || 10;
      try {
        const r = await getJSON(`/api/train/arch?${archQuery(this.form, classes)}`);
        this.arch = { params: r.params, macs: r.macs };
      } catch (e) {
        this.arch = { error: e.message };
      }
    }, 150);
  }

  async start() {
    const { config, error } = trainConfig(this.form);
    if (error) {
      this.error = error;
      return;
    }
    let init;
    if (this.form.dataset === 'upload') {
      if (!this.file) {
        this.error = { field: 'file' };
        return;
      }
      const body = new FormData();
      body.set('config', JSON.stringify(config));
      body.set('dataset', this.file);
      init = { method: 'POST', body };
    } else {
      init = { method: 'POST', body: JSON.stringify(config), headers: { 'Content-Type': 'application/json' } };
    }
    await this.act(() => fetch('/api/train', init));
  }

  stop() {
    return this.act(() => fetch('/api/train', { method: 'DELETE' }));
  }

  resume() {
    return this.act(() => fetch('/api/train/resume', { method: 'POST' }));
  }

  async act(send) {
    this.busy = true;
    this.error = '';
    try {
      const res = await check(await send());
      this.accept(await res.json(), true);
    } catch (e) {
      this.error = e.message;
      if (e.body?.train) this.accept(e.body.train, true);
    } finally {
      this.busy = false;
    }
  }
}
