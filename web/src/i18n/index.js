// All message catalogues of the UI, merged (a key defined twice is an error).
import { merge } from '../lib/i18n-core.js';
import core from './core.js';
import views from './views.js';
import scope from './scope.js';
import article from './article.js';

export const messages = merge(core, views, scope, article);
