// The catalogues loaded with the page: the chrome, the controls, the
// overview and the guided tour. The views, the article and the Scope page bring theirs with
// their code (addMessages in lib/i18n.svelte.js).
import { merge } from '../lib/i18n-core.js';
import core from './core.js';
import overview from './overview.js';
import ops from './ops.js';
import attrib from './attrib.js';
import tour from './tour.js';

export const pageMessages = merge(core, overview, ops, attrib, tour);
