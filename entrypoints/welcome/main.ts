import { createApp } from 'vue';
import { createPinia } from 'pinia';
import WelcomePage from '@/components/WelcomePage.vue';

createApp(WelcomePage).use(createPinia()).mount('#app');
