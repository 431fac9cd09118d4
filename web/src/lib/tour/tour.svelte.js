// The guided tour's state and actions: which step is shown, opening the
// explanation view a step needs through the Explainer page's own state
// (ExplainerPage.openView / closeView), remembering the first visit
// (localStorage), and loading the popover's component on first use.
// The steps themselves are lib/tour/steps.js's; components/Tour.svelte
// draws them. Create it during the Explainer's initialisation.
import { pickLabels } from '../classes.js';
import { locale } from '../i18n.svelte.js';
import { lazyPart } from '../runs.js';
import { tourSteps, viewAction, WHY, BUTTON } from './steps.js';

/** SEEN_KEY: localStorage key set once the tour has been shown ('seen'): it no longer starts by itself. */
export const SEEN_KEY = 'convscope.tour';

function seen() {
  try {
    return globalThis.localStorage?.getItem(SEEN_KEY) === 'seen';
  } catch {
    return true; // no storage (private mode, sandbox): never start unasked
  }
}

function remember() {
  try {
    globalThis.localStorage?.setItem(SEEN_KEY, 'seen');
  } catch {
    // the tour then simply is not remembered
  }
}

/** shown: an element matching selector is in the page and rendered (not display: none). */
function shown(selector) {
  const el = globalThis.document?.querySelector(selector);
  return !!el && el.getClientRects().length > 0;
}

export class TourState {
  open = $state(false);
  id = $state(''); // the current step's id
  why = $state(false); // the page has the attribution control
  Popover = $state.raw(null); // components/Tour.svelte, once loaded
  steps = $derived(
    tourSteps({ model: this.page.model, columns: this.page.columns, run: this.page.run, labels: pickLabels(this.page.model, locale()), why: this.why }),
  );
  index = $derived(Math.max(0, this.steps.findIndex((s) => s.id === this.id)));
  step = $derived(this.steps[this.index] ?? null);

  #auto = false; // started once by itself on this page

  /** page: the ExplainerPage whose state the tour drives. */
  constructor(page) {
    this.page = page;
    this.load = lazyPart(() => import('../../components/Tour.svelte').then((m) => m.default), (c) => (this.Popover = c), (e) => (page.error = e.message));
    $effect(() => {
      // The first visit: once the overview is drawn, the tour starts by itself (once).
      if (!page.ready || !page.model || this.#auto || this.open) return;
      this.#auto = true;
      if (!seen()) this.start();
    });
  }

  /** start opens the tour at its first step (again, from the top bar's button). */
  start() {
    remember();
    this.load();
    this.why = shown(WHY);
    this.open = true;
    this.go(0);
  }

  /** go shows step i and opens (or closes) the explanation view it needs. */
  go(i) {
    const s = this.steps[Math.max(0, Math.min(this.steps.length - 1, i))];
    if (!s) return;
    this.id = s.id;
    const act = viewAction(this.page.view, s.view);
    if (act === 'open') this.page.openView(s.view);
    else if (act === 'close') this.page.closeView({ focus: false });
  }

  next() {
    if (this.index >= this.steps.length - 1) this.close();
    else this.go(this.index + 1);
  }

  back() {
    if (this.index > 0) this.go(this.index - 1);
  }

  /** close ends the tour: the view a step opened closes, and focus goes back to the Tour button. */
  close() {
    if (!this.open) return;
    this.open = false;
    if (this.step?.view && this.page.view) this.page.closeView({ focus: false });
    setTimeout(() => globalThis.document?.querySelector(BUTTON)?.focus(), 0);
  }
}
