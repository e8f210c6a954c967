import { createApp, h } from 'vue';

createApp({ render: () => h('h1', 'Peerwall') }).mount('#app');
