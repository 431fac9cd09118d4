// Names of things the views print, translated with literal keys.
import { t } from '../lib/i18n.svelte.js';

/** channelName names an image channel (red, green, blue) or a numbered channel. */
export function channelName(i) {
  if (i === 0) return t('views.channel.red');
  if (i === 1) return t('views.channel.green');
  if (i === 2) return t('views.channel.blue');
  return t('views.conv.channelN', { n: i });
}
