import { createApp, h } from 'vue';
import { createPinia } from 'pinia';
import PeerwallApp from '@/components/PeerwallApp.vue';

createApp({ render: () => h(PeerwallApp, { surface: 'sidepanel' }) })
  .use(createPinia())
  .mount('#app');
