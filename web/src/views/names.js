// Names of things the views print, translated with literal keys.
import { t } from '../lib/i18n.svelte.js';
import { channelOrder } from '../lib/preprocess.js';

const planeNames = { R: () => t('views.channel.red'), G: () => t('views.channel.green'), B: () => t('views.channel.blue') };

/** channelName names an image channel (red, green, blue in the order the preprocessing pre feeds them) or a numbered channel. */
export function channelName(i, pre = null) {
  return planeNames[channelOrder(pre)[i]]?.() ?? t('views.conv.channelN', { n: i });
}
