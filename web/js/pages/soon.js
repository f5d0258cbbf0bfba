// soon.js - modules that are still being built (border, cases, returns, statistics).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageHeading } from '../ui.js';

export function render(main, ctx) {
	main.append(pageHeading(t(ctx.route.nav)),
		h('div', { class: 'panel panel-info' },
			h('p', { class: 'soon-label' }, t('soon.title')),
			h('p', null, t('soon.text'))));
}
