// Every message catalogue of the UI merged (a key defined twice is an
// error), for the catalogue test. The page itself loads i18n/page.js and
// the parts loaded on demand add theirs (lib/i18n.svelte.js addMessages).
import { merge } from '../lib/i18n-core.js';
import core from './core.js';
import overview from './overview.js';
import views from './views.js';
import scope from './scope.js';
import article from './article.js';
import ops from './ops.js';
import compare from './compare.js';

export const messages = merge(core, overview, views, scope, article, ops, compare);
